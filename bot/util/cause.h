/*
 * The error contract, written once (docs/ARCHITECTURE.md, "Errors"):
 * a function that can fail takes `char **cause` as its last parameter.
 * On failure it stores a message for a person in *cause, which the
 * caller frees; a caller that does not want the message passes NULL,
 * always allowed. On success *cause is left as it was unless the
 * function's comment says otherwise. Only these helpers write *cause.
 */
#ifndef OPSBOT_CAUSE_H
#define OPSBOT_CAUSE_H

/* Sets *cause to the formatted message, if cause is not NULL. */
void	 cause_set(char **cause, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* Hands msg (malloc'd) to the caller through cause, or frees it. */
void	 cause_take(char **cause, char *msg);
/* *cause = NULL, if cause is not NULL. */
void	 cause_clear(char **cause);

#endif

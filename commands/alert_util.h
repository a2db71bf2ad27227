/*
 * Shared by the alert commands (/alerts, /ack, /resolve, /silence...):
 * reading alert ids as people type them, and who is acting.
 */
#ifndef OPSBOT_ALERT_UTIL_H
#define OPSBOT_ALERT_UTIL_H

#include <stdint.h>

struct cmd_ctx;

/* "42" or "#42" -> 42; -1 if it is not an alert id. */
int64_t	 alert_id_parse(const char *);
/* "@jdoe" or the platform id, for timelines; borrowed from ctx. */
const char *alert_actor(struct cmd_ctx *, char *buf, unsigned long len);
/* Joins positional arguments from i on with spaces; caller frees; NULL if none. */
char	*alert_rest(struct cmd_ctx *, int i);
struct alerts;
/*
 * /ack and /resolve: applies fn to each leading id (the words after the
 * ids are the note) and answers per id.
 */
int	 cmd_alert_ids_apply(struct cmd_ctx *, const char *verb,
	    int (*fn)(struct alerts *, int64_t, const char *who,
	    const char *who_ref, const char *note, char **cause));
/* The engine, or an error reply (alerts are off) and NULL. */
struct alerts *alert_engine(struct cmd_ctx *);

#endif

/*
 * Between dispatch.c and dispatch_later.c: an audit row kept until the
 * acknowledgement it must not delay is out (bot.h, bot_defer_writes).
 */
#ifndef OPSBOT_DISPATCH_LATER_H
#define OPSBOT_DISPATCH_LATER_H

struct audit_entry;
struct bot;
struct cmd_entry;

/*
 * The command a line names (its first word, leading '/' and spaces
 * skipped), or NULL for none or an unknown one.
 */
const struct cmd_entry *dispatch_entry_of(const struct bot *,
	    const char *text);

/* Copies e (its strings too) to be written by bot_write_deferred(). */
void	 dispatch_later_audit(struct bot *, const struct audit_entry *);

/* Writes what waits, waiting for the store if it must: before a row
 * written at once (the chain keeps the commands' order), and at exit. */
void	 dispatch_later_flush(struct bot *);

#endif

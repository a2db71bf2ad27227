/*
 * Audit rows that wait for an acknowledgement (see bot.h,
 * bot_defer_writes). A chat adapter that answers a command in its ack
 * runs the command before the ack is written; only commands that read
 * (CMD_READS_ONLY) and refusals do, and their one write, the audit row,
 * waits here. So another writer holding the store (a backup, an operator
 * with sqlite3) delays the row, not the ack: Slack gives an ack 3 s.
 */

#include <stdlib.h>
#include <string.h>

#include "bot.h"
#include "cmd.h"
#include "dispatch_later.h"
#include "log.h"
#include "loop.h"
#include "store.h"
#include "xmalloc.h"

/* If no adapter writes them sooner (its ack's socket went). */
#define LATER_MS	50

struct dispatch_later {
	struct audit_entry	 e;		/* its strings are owned */
	struct dispatch_later	*next;
};

static char *
later_dup(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

static void
later_free(struct dispatch_later *l)
{
	free((char *)l->e.platform);
	free((char *)l->e.user_id);
	free((char *)l->e.user_name);
	free((char *)l->e.channel);
	free((char *)l->e.command);
	free((char *)l->e.outcome);
	free((char *)l->e.detail);
	free((char *)l->e.via);
	free((char *)l->e.thread);
	free(l);
}

static void
later_timer(lws_sorted_usec_list_t *sul)
{
	bot_write_deferred(lws_container_of(sul, struct bot, later_sul));
}

int
bot_command_runs_before_ack(const struct bot *b, const char *text)
{
	const struct cmd_entry	*e = dispatch_entry_of(b, text);

	/* No name (help) or an unknown one (a refusal): at once too. */
	return e == NULL || (e->flags & CMD_READS_ONLY);
}

void
bot_defer_writes(struct bot *b, int on)
{
	b->defer_writes = on;
}

void
dispatch_later_audit(struct bot *b, const struct audit_entry *e)
{
	struct dispatch_later	*l = xcalloc(1, sizeof *l), **pp;

	l->e = *e;
	l->e.platform = later_dup(e->platform);
	l->e.user_id = later_dup(e->user_id);
	l->e.user_name = later_dup(e->user_name);
	l->e.channel = later_dup(e->channel);
	l->e.command = later_dup(e->command);
	l->e.outcome = later_dup(e->outcome);
	l->e.detail = later_dup(e->detail);
	l->e.via = later_dup(e->via);
	l->e.thread = later_dup(e->thread);
	/* In order: the chain links each row to the one before. */
	for (pp = &b->later; *pp != NULL; pp = &(*pp)->next)
		;
	*pp = l;
	if (b->loop != NULL)
		lws_sul_schedule(loop_lws(b->loop), 0, &b->later_sul,
		    later_timer, (lws_usec_t)LATER_MS * LWS_US_PER_MS);
}

/*
 * Writes what waits, in order. Without wait (the loop's own turn), a
 * store another writer holds fails at once and the rest waits for the
 * timer: the loop never stalls on it.
 */
static void
later_write(struct bot *b, int wait)
{
	struct dispatch_later	*l;
	char			*cause = NULL;
	int			 busy = 0;

	if (b->later == NULL)
		return;
	if (b->loop != NULL)
		lws_sul_cancel(&b->later_sul);
	store_nowait(!wait);
	while ((l = b->later) != NULL) {
		if (store_audit_append(b->store, &l->e, &cause) != 0) {
			busy = !wait && store_was_busy(b->store);
			if (!busy)
				log_error("audit", "%s", cause);
			free(cause);
			cause = NULL;
			if (busy)
				break;
		}
		b->later = l->next;
		later_free(l);
	}
	store_nowait(0);
	if (busy && b->loop != NULL) {
		log_debug("audit", "the store is held by another writer; "
		    "audit rows wait");
		lws_sul_schedule(loop_lws(b->loop), 0, &b->later_sul,
		    later_timer, (lws_usec_t)LATER_MS * LWS_US_PER_MS);
	}
}

void
bot_write_deferred(struct bot *b)
{
	later_write(b, 0);
}

void
dispatch_later_flush(struct bot *b)
{
	later_write(b, 1);
}

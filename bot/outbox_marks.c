/*
 * The outbox's "sent" marks, written in batches (see outbox_int.h). A
 * delivery's mark waits in memory until the outbox next tries a send
 * (outbox_schedule flushes first), the next command's transaction takes
 * it (outbox_flush from dispatch), or OB_MARKS_WAIT_MS pass: the answers
 * that came back in one loop turn cost one commit, not one each, and one
 * at a time a command's answer and the previous one's mark share one.
 *
 * Why that keeps "marked sent before anything else is tried" (config.md):
 * a mark is written before its queue, or any queue, is tried again, and a
 * crash before it is written leaves the row the first pending one of its
 * channel, which is looked for before it is posted again, as a crash just
 * before the mark always did (that window is now up to OB_MARKS_WAIT_MS).
 */

#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "loop.h"
#include "outbox.h"
#include "outbox_int.h"
#include "store.h"
#include "xmalloc.h"

void
ob_mark_sent(struct outbox *ob, int64_t id, char *platform_id, int64_t at_ms)
{
	struct ob_mark	*m;

	if (ob->nmarks == ob->marks_cap) {
		ob->marks_cap = ob->marks_cap > 0 ? ob->marks_cap * 2 : 16;
		ob->marks = xreallocarray(ob->marks, ob->marks_cap,
		    sizeof *ob->marks);
	}
	m = &ob->marks[ob->nmarks++];
	m->id = id;
	m->platform_id = platform_id;
	m->at_ms = at_ms;
}

/* Forgets the first n marks (written and committed). */
static void
ob_marks_drop(struct outbox *ob, size_t n)
{
	size_t	 i;

	if (n == 0)
		return;	/* marks may be NULL: no pointer arithmetic on it */
	for (i = 0; i < n; i++)
		free(ob->marks[i].platform_id);
	memmove(ob->marks, ob->marks + n, (ob->nmarks - n) * sizeof *ob->marks);
	ob->nmarks -= n;
}

/* Writes every mark in the open transaction, or each alone. */
static void
ob_marks_write(struct outbox *ob)
{
	size_t	 i;
	char	*cause = NULL;

	for (i = 0; i < ob->nmarks; i++) {
		if (store_outbox_sent(ob->store, ob->marks[i].id,
		    ob->marks[i].platform_id, ob->marks[i].at_ms,
		    &cause) != 0) {
			log_error("outbox", "cannot mark a message sent: %s",
			    cause);
			free(cause);
			cause = NULL;
		}
	}
}

void
outbox_flush(struct outbox *ob)
{
	char	*cause = NULL;

	if (ob->nmarks == 0 || ob->marks_in_txn > 0)
		return;
	if (ob->store == NULL) {
		ob_marks_drop(ob, ob->nmarks);
		return;
	}
	if (store_in_transaction(ob->store)) {
		/* The caller's: they go when it commits (ob_marks_txn_end). */
		ob_marks_write(ob);
		ob->marks_in_txn = ob->nmarks;
		return;
	}
	if (store_begin(ob->store, &cause) != 0) {
		log_debug("outbox", "sent marks one by one: %s", cause);
		free(cause);
		ob_marks_write(ob);
		ob_marks_drop(ob, ob->nmarks);
		return;
	}
	ob_marks_write(ob);
	ob->marks_in_txn = ob->nmarks;
	if (store_commit(ob->store, &cause) != 0) {
		/*
		 * Rolled back (the marks were kept): each alone, as before
		 * batches, its failure logged, so none is retried forever.
		 */
		log_error("outbox", "cannot commit the sent marks: %s", cause);
		free(cause);
		ob_marks_write(ob);
		ob_marks_drop(ob, ob->nmarks);
	}
}

/* The longest a delivery waits to be marked sent when nothing else is. */
#define OB_MARKS_WAIT_MS	10

static void
ob_marks_cb(lws_sorted_usec_list_t *sul)
{
	struct outbox	*ob = lws_container_of(sul, struct outbox,
	    marks_timer);

	ob->marks_armed = 0;
	outbox_flush(ob);
}

void
ob_marks_later(struct outbox *ob)
{
	if (ob->nmarks == 0 || ob->marks_armed)
		return;
	if (ob->loop == NULL) {
		outbox_flush(ob);
		return;
	}
	lws_sul_schedule(loop_lws(ob->loop), 0, &ob->marks_timer, ob_marks_cb,
	    OB_MARKS_WAIT_MS * LWS_US_PER_MS);
	ob->marks_armed = 1;
}

void
ob_marks_txn_end(struct outbox *ob, int committed)
{
	size_t	 n = ob->marks_in_txn;

	ob->marks_in_txn = 0;
	/* Rolled back: still to write, at the next flush. */
	if (committed)
		ob_marks_drop(ob, n);
}

void
ob_marks_free(struct outbox *ob)
{
	if (ob->marks_armed)
		lws_sul_cancel(&ob->marks_timer);
	ob->marks_armed = 0;
	ob_marks_drop(ob, ob->nmarks);
	free(ob->marks);
	ob->marks = NULL;
	ob->marks_cap = 0;
}

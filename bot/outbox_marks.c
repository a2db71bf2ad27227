/*
 * The outbox's "sent" marks, written in batches (see outbox_int.h). A
 * delivery's mark waits in memory until the outbox next tries anything
 * (outbox_schedule flushes first), so the answers that came back in one
 * loop turn cost one commit, not one each; and a command's own
 * transaction (outbox_flush) takes the marks waiting then.
 *
 * Why that keeps "marked sent before anything else is tried" (config.md):
 * a mark is written before its queue, or any queue, is tried again, and a
 * crash before it is written leaves the row the first pending one of its
 * channel, which is looked for before it is posted again, as a crash just
 * before the mark always did.
 */

#include <stdlib.h>
#include <string.h>

#include "log.h"
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
	ob_marks_drop(ob, ob->nmarks);
	free(ob->marks);
	ob->marks = NULL;
	ob->marks_cap = 0;
}

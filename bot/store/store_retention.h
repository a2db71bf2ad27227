/*
 * Retention: the SQL that deletes old rows, one small batch at a time, so
 * the store stops growing after its ages are reached (freed pages are
 * reused by sqlite; the file is not shrunk). What is still needed is never
 * deleted: a pending outbox row, a delivered one that a pending edit or an
 * open alert group still refers to, an alert that is not resolved (or
 * whose resolution is not yet shown), a note of an open group.
 */
#ifndef OPSBOT_STORE_RETENTION_H
#define OPSBOT_STORE_RETENTION_H

#include <stdint.h>

struct store;

enum store_prune_kind {
	STORE_PRUNE_AUDIT,		/* the audit's oldest rows, by ts */
	STORE_PRUNE_ALERTS,		/* resolved alerts, their events */
	STORE_PRUNE_CHECKLISTS,		/* runs and their results */
	STORE_PRUNE_OUTBOX,		/* delivered or failed messages */
	STORE_PRUNE_NOTES,		/* closed alert-group notes */
	STORE_PRUNE_CONFIRMATIONS,	/* used or expired confirmations */
	STORE_PRUNE_DISK,		/* disk use samples of the web page */
	STORE_PRUNE_NKINDS
};

/* "audit", "alerts", ...: for logs. */
const char *store_prune_name(enum store_prune_kind);

/*
 * Deletes at most limit rows of kind last touched before before_ms (the
 * rows that belong to them, e.g. an alert's events, go with them), in one
 * short transaction. Returns the number of main rows deleted (limit: there
 * may be more), or -1 and sets *cause (caller frees; cause may be NULL).
 */
int	 store_prune(struct store *, enum store_prune_kind,
	    int64_t before_ms, int limit, char **cause);

#endif

/*
 * What /metrics and /readyz read from the store: summaries computed by
 * sqlite, so a scrape costs a couple of indexed queries.
 */
#ifndef OPSBOT_STORE_HEALTH_H
#define OPSBOT_STORE_HEALTH_H

#include <stdint.h>

struct store;

/* Per platform: undelivered rows and the creation time of the oldest. */
typedef void (*store_outbox_summary_cb)(void *arg, const char *platform,
	    int64_t pending, int64_t oldest_created_ms);
/* Returns 0, or -1 and sets *cause (may be NULL). */
int	 store_outbox_summary(struct store *, store_outbox_summary_cb,
	    void *arg, char **cause);

/* Per checklist: its last run (passed of total, finished at). */
typedef void (*store_checklist_last_cb)(void *arg, const char *name,
	    int passed, int total, int64_t finished_ms);
int	 store_checklist_last(struct store *, store_checklist_last_cb,
	    void *arg, char **cause);

/*
 * Can the store take a write now? Opens and commits a write transaction
 * (BEGIN IMMEDIATE takes the write lock, so a locked, read-only or
 * vanished file fails here). Not inside another transaction. Returns 0,
 * or -1 and sets *cause (may be NULL; the caller frees).
 */
int	 store_can_commit(struct store *, char **cause);

#endif

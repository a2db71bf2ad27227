/*
 * Retention on the loop: every RETENTION_EVERY_MS a pass deletes rows
 * older than their configured age (store_retention.h says which rows
 * never go), RETENTION_BATCH rows per statement, each batch its own short
 * transaction, with a pause between batches so commands, webhooks and
 * the outbox keep their turn on the loop.
 */
#ifndef OPSBOT_RETENTION_H
#define OPSBOT_RETENTION_H

#include <stdint.h>

#include "store_retention.h"

#define RETENTION_BATCH		500
#define RETENTION_EVERY_MS	(10 * 60 * 1000)
#define RETENTION_FIRST_MS	(60 * 1000)	/* after start */
#define RETENTION_PAUSE_MS	20		/* between full batches */

struct config;
struct loop;
struct retention;

/* Age in ms per kind; 0: kept forever. */
struct retention_ages {
	int64_t	 ms[STORE_PRUNE_NKINDS];
};

/* The ages of cfg's retention section. */
void	 retention_ages(const struct config *, struct retention_ages *);

/*
 * A whole pass at once (tests, the bench): every kind, batch rows at a
 * time, until nothing older is left. Returns the rows deleted, or -1 and
 * sets *cause (caller frees; cause may be NULL).
 */
int64_t	 retention_run(struct store *, const struct retention_ages *,
	    int64_t now_ms, int batch, char **cause);

/*
 * Loop thread: starts the timer, the first pass after first_ms (the bot:
 * RETENTION_FIRST_MS). Freed by retention_free (NULL ok).
 */
struct retention *retention_start(struct loop *, struct store *,
	    const struct retention_ages *, int64_t first_ms);
void	 retention_free(struct retention *);

#endif

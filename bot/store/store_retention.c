/*
 * The SQL of retention (see store_retention.h). Each batch selects at most
 * LIMIT ids by a subquery, because sqlite's DELETE ... LIMIT is a build
 * option Debian's library does not have.
 */

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>

#include "clock.h"
#include "store.h"
#include "store_chain.h"
#include "store_int.h"
#include "store_retention.h"

/*
 * Resolved alerts whose resolution is shown (or was never shown), last
 * heard of before ?1, and older than every open group note: an open group
 * still lists its resolved alerts (store_alerts_load_shown).
 */
#define PRUNE_ALERT_IDS							\
	"SELECT id FROM alerts WHERE state = 'resolved' AND "		\
	"(shown IS NULL OR shown = 'resolved') AND last_seen < ?1 AND "	\
	"ends_at < ?1 AND ends_at < coalesce((SELECT min(created) "	\
	"FROM alert_notes WHERE open), ?1) ORDER BY id LIMIT ?2"

#define PRUNE_RUN_IDS							\
	"SELECT id FROM checklist_runs WHERE finished < ?1 "		\
	"ORDER BY id LIMIT ?2"

static const char *const prune_names[STORE_PRUNE_NKINDS] = {
	"audit", "alerts", "checklists", "outbox", "notes", "confirmations",
    "disk_samples",
};

const char *
store_prune_name(enum store_prune_kind k)
{
	return k < STORE_PRUNE_NKINDS ? prune_names[k] : "?";
}

/*
 * The audit trail goes as a whole prefix, so the chain stays one piece:
 * the oldest rows up to the first one not yet old enough (a command
 * written late may be younger than the row after it), at most limit, and
 * audit_anchor records the last one's id and hash in the same
 * transaction, for the chain's first remaining row to link to. A row
 * from before the chain has no hash: the anchor then holds the genesis
 * value, which is what the first chained row links to.
 */
static int
prune_audit(struct store *s, int64_t before_ms, int limit, char **cause)
{
	sqlite3_stmt	*st;
	int64_t		 last = 0;
	char		 hash[SHA256_HEX_LEN + 1] = STORE_CHAIN_GENESIS;
	const char	*h;
	int		 n = 0, rc;

	if (store_begin(s, cause) != 0)
		return -1;
	if ((st = store_stmt(s, STORE_C_AUDIT_PRUNE_HEAD, "SELECT id, ts, "
	    "hash FROM audit ORDER BY id LIMIT ?1", cause)) == NULL)
		goto fail;
	sqlite3_bind_int(st, 1, limit);
	while ((rc = store_next_row(s, st, "cannot read old audit rows",
	    cause)) > 0) {
		if (sqlite3_column_int64(st, 1) >= before_ms) {
			sqlite3_reset(st);
			break;
		}
		last = sqlite3_column_int64(st, 0);
		h = store_col_text(st, 2);
		snprintf(hash, sizeof hash, "%s", h != NULL ? h :
		    STORE_CHAIN_GENESIS);
		n++;
	}
	if (rc < 0)
		goto fail;
	if (n == 0) {
		store_rollback(s);
		return 0;
	}
	if ((st = store_stmt(s, STORE_C_PRUNE_AUDIT, "DELETE FROM audit "
	    "WHERE id <= ?1", cause)) == NULL)
		goto fail;
	sqlite3_bind_int64(st, 1, last);
	if (store_step_done(s, st, cause, "cannot delete old rows") != 0)
		goto fail;
	if ((st = store_stmt(s, STORE_C_AUDIT_ANCHOR, "INSERT INTO "
	    "audit_anchor (id, pruned_upto, hash, at) VALUES (1, ?1, ?2, ?3) "
	    "ON CONFLICT (id) DO UPDATE SET pruned_upto = excluded.pruned_upto,"
	    " hash = excluded.hash, at = excluded.at", cause)) == NULL)
		goto fail;
	sqlite3_bind_int64(st, 1, last);
	store_bind_text(st, 2, hash);
	sqlite3_bind_int64(st, 3, clock_now_ms());
	if (store_step_done(s, st, cause, "cannot record the audit anchor") !=
	    0)
		goto fail;
	if (store_commit(s, cause) != 0)
		return -1;
	return n;
fail:
	store_rollback(s);
	return -1;
}

/* One DELETE with ?1 = before_ms, ?2 = limit; rows deleted, or -1. */
static int
prune_one(struct store *s, enum store_cached which, const char *sql,
    int64_t before_ms, int limit, char **cause)
{
	sqlite3_stmt	*st;

	if ((st = store_stmt(s, which, sql, cause)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, before_ms);
	sqlite3_bind_int(st, 2, limit);
	if (store_step_done(s, st, cause, "cannot delete old rows") != 0)
		return -1;
	return store_changes(s);
}

/*
 * Two DELETEs in one transaction: the dependent rows (events, results)
 * by the parent ids, then the parents by the same subquery, which the
 * first DELETE does not change.
 */
static int
prune_pair(struct store *s, enum store_cached wc, const char *children,
    enum store_cached wp, const char *parents, int64_t before_ms, int limit,
    char **cause)
{
	int	 n;

	if (store_begin(s, cause) != 0)
		return -1;
	if (prune_one(s, wc, children, before_ms, limit, cause) < 0 ||
	    (n = prune_one(s, wp, parents, before_ms, limit, cause)) < 0) {
		store_rollback(s);
		return -1;
	}
	if (store_commit(s, cause) != 0)
		return -1;
	return n;
}

int
store_prune(struct store *s, enum store_prune_kind kind, int64_t before_ms,
    int limit, char **cause)
{
	switch (kind) {
	case STORE_PRUNE_AUDIT:
		return prune_audit(s, before_ms, limit, cause);
	case STORE_PRUNE_ALERTS:
		return prune_pair(s, STORE_C_PRUNE_EVENTS, "DELETE FROM "
		    "alert_events WHERE alert_id IN (" PRUNE_ALERT_IDS ")",
		    STORE_C_PRUNE_ALERTS, "DELETE FROM alerts WHERE id IN ("
		    PRUNE_ALERT_IDS ")", before_ms, limit, cause);
	case STORE_PRUNE_CHECKLISTS:
		return prune_pair(s, STORE_C_PRUNE_RESULTS, "DELETE FROM "
		    "checklist_results WHERE run_id IN (" PRUNE_RUN_IDS ")",
		    STORE_C_PRUNE_RUNS, "DELETE FROM checklist_runs WHERE id "
		    "IN (" PRUNE_RUN_IDS ")", before_ms, limit, cause);
	case STORE_PRUNE_OUTBOX:
		/*
		 * Never a pending row; nor a delivered one that an open alert
		 * group edits, or that a pending edit ("ref:N") points at.
		 */
		return prune_one(s, STORE_C_PRUNE_OUTBOX, "DELETE FROM outbox "
		    "WHERE id IN (SELECT id FROM outbox WHERE state != "
		    "'pending' AND coalesce(sent, created) < ?1 AND id NOT IN "
		    "(SELECT outbox_id FROM alert_notes WHERE open) AND id NOT "
		    "IN (SELECT CAST(substr(target, 5) AS INTEGER) FROM outbox "
		    "WHERE state = 'pending' AND target LIKE 'ref:%') ORDER BY "
		    "id LIMIT ?2)", before_ms, limit, cause);
	case STORE_PRUNE_NOTES:
		return prune_one(s, STORE_C_PRUNE_NOTES, "DELETE FROM "
		    "alert_notes WHERE id IN (SELECT id FROM alert_notes WHERE "
		    "NOT open AND created < ?1 ORDER BY id LIMIT ?2)",
		    before_ms, limit, cause);
	case STORE_PRUNE_CONFIRMATIONS:
		/* Unused and unexpired: expires is after ?1, so it stays. */
		return prune_one(s, STORE_C_PRUNE_CONFIRM, "DELETE FROM "
		    "confirmations WHERE token IN (SELECT token FROM "
		    "confirmations WHERE coalesce(used_at, expires) < ?1 "
		    "ORDER BY created LIMIT ?2)", before_ms, limit, cause);
	case STORE_PRUNE_DISK:
		return prune_one(s, STORE_C_PRUNE_DISK, "DELETE FROM "
		    "disk_samples WHERE rowid IN (SELECT rowid FROM disk_samples "
		    "WHERE at < ?1 ORDER BY rowid LIMIT ?2)", before_ms, limit,
		    cause);
	case STORE_PRUNE_NKINDS:
		break;
	}
	return 0;
}

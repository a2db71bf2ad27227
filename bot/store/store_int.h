/*
 * Shared by store.c and the other store_*.c files (which hold the SQL of
 * one area each, e.g. store_alerts.c): a cache of prepared statements,
 * prepared on first use and finalized when the store closes.
 */
#ifndef OPSBOT_STORE_INT_H
#define OPSBOT_STORE_INT_H

#include <sqlite3.h>
#include <stdint.h>

struct store;

enum store_cached {
	STORE_C_OUTBOX_PLATFORM_ID,
	STORE_C_ALERT_UPSERT,
	STORE_C_ALERT_EVENT,
	STORE_C_ALERT_STATE,
	STORE_C_ALERT_SHOWN,
	STORE_C_ALERT_LOAD,
	STORE_C_ALERT_LOAD_SHOWN,
	STORE_C_ALERT_SEEN,
	STORE_C_SILENCE_ADD,
	STORE_C_SILENCE_END,
	STORE_C_SILENCE_LOAD,
	STORE_C_SILENCE_REMOTE,
	STORE_C_NOTE_ADD,
	STORE_C_NOTE_CLOSE,
	STORE_C_NOTE_REPEAT,
	STORE_C_NOTE_LOAD,
	STORE_C_ALERT_COUNT,
	STORE_C_ALERT_EVENTS,
	STORE_C_ALERT_KNOWN,
	STORE_C_RUN_ADD,
	STORE_C_RESULT_ADD,
	STORE_C_RUN_LAST,
	STORE_C_RUN_RESULTS,
	STORE_C_RUNS_RECENT,
	STORE_C_SCHED_GET,
	STORE_C_SCHED_SET,
	STORE_C_CONFIRM_ADD,
	STORE_C_CONFIRM_GET,
	STORE_C_CONFIRM_CLAIM,
	STORE_C_CONFIRM_OUTCOME,
	/* The day an EOD hands over (store_checklists.c). */
	STORE_C_RUN_FIRST_SINCE,
	STORE_C_DAY_ALERT_EVENTS,
	STORE_C_OPEN_ALERTS,
	STORE_C_DAY_ACTIONS,
	/* Scrape-time summaries (store_health.c). */
	STORE_C_OUTBOX_SUMMARY,
	STORE_C_CHECKLIST_LAST,
	/* Retention: one batch of old rows (store_retention.c). */
	STORE_C_PRUNE_AUDIT,
	STORE_C_PRUNE_EVENTS,
	STORE_C_PRUNE_ALERTS,
	STORE_C_PRUNE_RESULTS,
	STORE_C_PRUNE_RUNS,
	STORE_C_PRUNE_OUTBOX,
	STORE_C_PRUNE_NOTES,
	STORE_C_PRUNE_CONFIRM,
	/* /audit: one page of rows, and how many match (store_audit.c). */
	STORE_C_AUDIT_FIND,
	STORE_C_AUDIT_COUNT,
	/* The runbook library (store_runbooks.c). */
	STORE_C_RUNBOOK_DEL_FTS,
	STORE_C_RUNBOOK_DEL_FILE,
	STORE_C_RUNBOOK_ADD_FILE,
	STORE_C_RUNBOOK_ADD_FTS,
	STORE_C_RUNBOOK_FILES,
	STORE_C_RUNBOOK_SEARCH,
	/* ServiceNow tickets by correlation id (store_tickets.c). */
	STORE_C_TICKET_ADD,
	STORE_C_TICKET_GET,
	STORE_C_TICKET_SET,
	STORE_C_TICKET_RECENT,
	/* Last: the size of store.c's array, so a new slot always fits. */
	STORE_CACHED_MAX
};

/* The cached statement, reset with bindings cleared; NULL and *cause. */
sqlite3_stmt *store_stmt(struct store *, enum store_cached, const char *sql,
	    char **cause);
/* Binds a copy of text (NULL as SQL NULL). */
void	 store_bind_text(sqlite3_stmt *, int i, const char *v);
/* Runs a write to completion and resets it; 0, or -1 and *cause. */
int	 store_step_done(struct store *, sqlite3_stmt *, char **cause,
	    const char *what);
/*
 * One step of a read loop, the one place reads step, reset and fail:
 *	while ((rc = store_next_row(s, st, "cannot read X", cause)) > 0)
 *		read the columns, call the caller's callback;
 * 1 with a row to read, 0 at the end, or -1 with *cause set (cause may
 * be NULL). At the end and on an error the statement is reset, so no read
 * stays open (an open read holds back the WAL checkpoint); a caller that
 * stops early resets it itself.
 */
int	 store_next_row(struct store *, sqlite3_stmt *, const char *what,
	    char **cause);
/* Column i as text, or NULL; valid until the next step or reset. */
const char *store_col_text(sqlite3_stmt *, int i);
/* The rowid of the connection's last INSERT. */
int64_t	 store_last_insert_id(struct store *);
/* Rows changed by the connection's last INSERT, UPDATE or DELETE. */
int	 store_changes(struct store *);
/* Sets *cause from the connection's last error; returns -1. */
int	 store_err(struct store *, char **cause, const char *what);

#endif

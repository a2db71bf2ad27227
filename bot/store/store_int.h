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
	/* The audit writer and its chain (store_audit.c, store_verify.c). */
	STORE_C_AUDIT_APPEND,
	STORE_C_AUDIT_TOTAL,
	STORE_C_AUDIT_PRUNE_HEAD,
	STORE_C_AUDIT_ANCHOR,
	STORE_C_AUDIT_TAIL,
	/* /handover's reads (store_handover.c). */
	STORE_C_HANDOVER_INCIDENTS,
	STORE_C_HANDOVER_TICKETS,
	STORE_C_HANDOVER_FAILING,
	STORE_C_HANDOVER_LAST,
	/* The runbook library (store_runbooks.c). */
	STORE_C_RUNBOOK_DEL_FTS,
	STORE_C_RUNBOOK_DEL_FILE,
	STORE_C_RUNBOOK_ADD_FILE,
	STORE_C_RUNBOOK_ADD_FTS,
	STORE_C_RUNBOOK_FILES,
	STORE_C_RUNBOOK_SEARCH,
	/* Hosts' last state and disk samples (store_hosts.c). */
	STORE_C_HOST_STATE_PUT,
	STORE_C_HOST_STATE_GET,
	STORE_C_DISK_SAMPLE_ADD,
	STORE_C_DISK_SAMPLES,
	STORE_C_HOST_STATES,
	STORE_C_PRUNE_DISK,
	/* The web page's reads (store_web.c). */
	STORE_C_WEB_ALERTS,
	STORE_C_WEB_RUNS,
	STORE_C_WEB_INCIDENTS,
	STORE_C_WEB_INCIDENT,
	STORE_C_WEB_NOTES,
	/* Incidents (store_incidents.c). */
	STORE_C_INC_OPEN,
	STORE_C_INC_SET_POST,
	STORE_C_INC_GET,
	STORE_C_INC_BY_THREAD,
	STORE_C_INC_SET_THREAD,
	STORE_C_INC_LIST,
	STORE_C_INC_OF_ALERT,
	STORE_C_INC_NOTE,
	STORE_C_INC_STATUS,
	STORE_C_INC_LINK,
	STORE_C_INC_CLOSE,
	STORE_C_INC_NOTES,
	STORE_C_INC_ALERTS,
	STORE_C_INC_COMMANDS,
	STORE_C_INC_RUNS,
	/* ServiceNow tickets by correlation id (store_tickets.c). */
	STORE_C_TICKET_ADD,
	STORE_C_TICKET_GET,
	STORE_C_TICKET_SET,
	STORE_C_TICKET_RECENT,
	/* A transaction's ends: every command's answer is one (store.c). */
	STORE_C_BEGIN,
	STORE_C_COMMIT,
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
/*
 * The audit chain's SQL function opsbot_audit_hash(), a row's hash from
 * its values in STORE_CHAIN_COLUMNS order (store_chain.c); registered on
 * each connection that writes or verifies the chain.
 */
int	 store_chain_register(sqlite3 *, char **cause);
/*
 * The WAL checkpointer (store_checkpoint.c): a thread and its own
 * connection; a commit that leaves STORE_CHECKPOINT_PAGES in the WAL
 * wakes it. Start returns NULL with *cause (sqlite's automatic checkpoint
 * then stays); stop takes NULL; done counts the checkpoints run.
 */
#define STORE_CHECKPOINT_PAGES	1000
struct store_ckpt;
struct store_ckpt *store_ckpt_start(sqlite3 *, const char *path,
	    char **cause);
void	 store_ckpt_stop(struct store_ckpt *, sqlite3 *);
uint64_t store_ckpt_done(struct store_ckpt *);
/* How long a lock is waited for (store_busy.c): installs the handler. */
#define STORE_BUSY_TIMEOUT_MS	5000
void	 store_busy_install(sqlite3 *);
/* The connection's last (extended) result code. */
int	 store_errcode(struct store *);
/* Sets *cause from the connection's last error; returns -1. */
int	 store_err(struct store *, char **cause, const char *what);

#endif

/* The SQL of checklist runs and schedules (see store_checklists.h). */

#include <sqlite3.h>
#include <stdlib.h>

#include "store.h"
#include "store_checklists.h"
#include "store_int.h"

/* The columns "id, name, started, finished, trigger, passed, total". */
static void
run_row_read(sqlite3_stmt *st, struct store_run_row *r)
{
	r->id = sqlite3_column_int64(st, 0);
	r->name = store_col_text(st, 1);
	r->started_ms = sqlite3_column_int64(st, 2);
	r->finished_ms = sqlite3_column_int64(st, 3);
	r->trigger = store_col_text(st, 4);
	r->passed = sqlite3_column_int(st, 5);
	r->total = sqlite3_column_int(st, 6);
}

int64_t
store_run_add(struct store *s, const struct store_run_row *r,
    const struct store_result_row *res, int n, char **cause)
{
	sqlite3_stmt	*st;
	int64_t		 id;
	int		 i;

	if (store_begin(s, cause) != 0)
		return -1;
	st = store_stmt(s, STORE_C_RUN_ADD, "INSERT INTO checklist_runs "
	    "(name, started, finished, trigger, passed, total) VALUES "
	    "(?, ?, ?, ?, ?, ?)", cause);
	if (st == NULL)
		goto fail;
	store_bind_text(st, 1, r->name);
	sqlite3_bind_int64(st, 2, r->started_ms);
	sqlite3_bind_int64(st, 3, r->finished_ms);
	store_bind_text(st, 4, r->trigger);
	sqlite3_bind_int(st, 5, r->passed);
	sqlite3_bind_int(st, 6, r->total);
	if (store_step_done(s, st, cause, "cannot store a checklist run") != 0)
		goto fail;
	id = store_last_insert_id(s);
	for (i = 0; i < n; i++) {
		st = store_stmt(s, STORE_C_RESULT_ADD, "INSERT INTO "
		    "checklist_results (run_id, idx, title, kind, status, "
		    "detail, output) VALUES (?, ?, ?, ?, ?, ?, ?)", cause);
		if (st == NULL)
			goto fail;
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int(st, 2, res[i].idx);
		store_bind_text(st, 3, res[i].title);
		store_bind_text(st, 4, res[i].kind);
		store_bind_text(st, 5, res[i].status);
		store_bind_text(st, 6, res[i].detail);
		store_bind_text(st, 7, res[i].output);
		if (store_step_done(s, st, cause, "cannot store a check result") != 0)
			goto fail;
	}
	if (store_commit(s, cause) != 0)
		return -1;
	return id;
fail:
	store_rollback(s);
	return -1;
}

int
store_runs_recent(struct store *s, const char *name, int n, store_run_cb cb,
    void *arg, char **cause)
{
	sqlite3_stmt		*st;
	struct store_run_row	 r;
	int			 rc, count = 0;

	st = store_stmt(s, STORE_C_RUNS_RECENT, "SELECT id, name, started, "
	    "finished, trigger, passed, total FROM checklist_runs WHERE "
	    "?1 IS NULL OR name = ?1 ORDER BY id DESC LIMIT ?2", cause);
	if (st == NULL)
		return -1;
	store_bind_text(st, 1, name);
	sqlite3_bind_int(st, 2, n);
	while ((rc = store_next_row(s, st, "cannot read checklist runs",
	    cause)) > 0) {
		run_row_read(st, &r);
		cb(arg, &r);
		count++;
	}
	return rc < 0 ? -1 : count;
}

int
store_run_results(struct store *s, int64_t run_id, store_result_cb cb,
    void *arg, char **cause)
{
	sqlite3_stmt		*st;
	struct store_result_row	 r;
	int			 rc, count = 0;

	st = store_stmt(s, STORE_C_RUN_RESULTS, "SELECT idx, title, kind, "
	    "status, detail, output FROM checklist_results WHERE run_id = ? "
	    "ORDER BY idx", cause);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, run_id);
	while ((rc = store_next_row(s, st, "cannot read check results",
	    cause)) > 0) {
		r.idx = sqlite3_column_int(st, 0);
		r.title = store_col_text(st, 1);
		r.kind = store_col_text(st, 2);
		r.status = store_col_text(st, 3);
		r.detail = store_col_text(st, 4);
		r.output = store_col_text(st, 5);
		cb(arg, &r);
		count++;
	}
	return rc < 0 ? -1 : count;
}

int
store_schedule_last(struct store *s, const char *name, int64_t *last,
    char **cause)
{
	sqlite3_stmt	*st;
	int		 rc;

	*last = 0;
	st = store_stmt(s, STORE_C_SCHED_GET, "SELECT last_due FROM "
	    "schedule_runs WHERE name = ?", cause);
	if (st == NULL)
		return -1;
	store_bind_text(st, 1, name);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*last = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_err(s, cause, "cannot read a schedule");
	return 0;
}

int
store_schedule_ran(struct store *s, const char *name, int64_t due,
    int64_t ran, char **cause)
{
	sqlite3_stmt	*st;

	st = store_stmt(s, STORE_C_SCHED_SET, "INSERT INTO schedule_runs "
	    "(name, last_due, last_run) VALUES (?, ?, ?) ON CONFLICT(name) "
	    "DO UPDATE SET last_due = excluded.last_due, "
	    "last_run = excluded.last_run", cause);
	if (st == NULL)
		return -1;
	store_bind_text(st, 1, name);
	sqlite3_bind_int64(st, 2, due);
	sqlite3_bind_int64(st, 3, ran);
	return store_step_done(s, st, cause, "cannot record a schedule's run");
}

int
store_run_first_since(struct store *s, const char *name, int64_t since_ms,
    int64_t before_ms, store_run_cb cb, void *arg, char **cause)
{
	sqlite3_stmt		*st;
	struct store_run_row	 r;
	int			 rc, count = 0;

	st = store_stmt(s, STORE_C_RUN_FIRST_SINCE, "SELECT id, name, "
	    "started, finished, trigger, passed, total FROM checklist_runs "
	    "WHERE name = ? AND started >= ? AND started < ? "
	    "ORDER BY started, id LIMIT 1", cause);
	if (st == NULL)
		return -1;
	store_bind_text(st, 1, name);
	sqlite3_bind_int64(st, 2, since_ms);
	sqlite3_bind_int64(st, 3, before_ms);
	while ((rc = store_next_row(s, st, "cannot read checklist runs",
	    cause)) > 0) {
		run_row_read(st, &r);
		cb(arg, &r);
		count++;
	}
	return rc < 0 ? -1 : count;
}

int
store_day_alert_events(struct store *s, int64_t since_ms, int limit,
    store_day_event_cb cb, void *arg, char **cause)
{
	sqlite3_stmt			*st;
	struct store_day_event_row	 r;
	int				 rc, count = 0;

	st = store_stmt(s, STORE_C_DAY_ALERT_EVENTS, "SELECT e.alert_id, "
	    "e.at, e.who, e.what, a.alertname, a.host, a.severity, a.state "
	    "FROM alert_events e JOIN alerts a ON a.id = e.alert_id "
	    "WHERE e.at >= ? ORDER BY e.at, e.id LIMIT ?", cause);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, since_ms);
	sqlite3_bind_int(st, 2, limit);
	while ((rc = store_next_row(s, st, "cannot read alert events",
	    cause)) > 0) {
		r.alert_id = sqlite3_column_int64(st, 0);
		r.at_ms = sqlite3_column_int64(st, 1);
		r.who = store_col_text(st, 2);
		r.what = store_col_text(st, 3);
		r.alertname = store_col_text(st, 4);
		r.host = store_col_text(st, 5);
		r.severity = store_col_text(st, 6);
		r.state = store_col_text(st, 7);
		cb(arg, &r);
		count++;
	}
	return rc < 0 ? -1 : count;
}

int
store_open_alerts(struct store *s, int limit, store_open_alert_cb cb,
    void *arg, char **cause)
{
	sqlite3_stmt			*st;
	struct store_open_alert_row	 r;
	int				 rc, count = 0;

	st = store_stmt(s, STORE_C_OPEN_ALERTS, "SELECT id, alertname, host, "
	    "severity, state, acked_by, first_seen FROM alerts "
	    "WHERE state != 'resolved' ORDER BY id LIMIT ?", cause);
	if (st == NULL)
		return -1;
	sqlite3_bind_int(st, 1, limit);
	while ((rc = store_next_row(s, st, "cannot read open alerts",
	    cause)) > 0) {
		r.id = sqlite3_column_int64(st, 0);
		r.alertname = store_col_text(st, 1);
		r.host = store_col_text(st, 2);
		r.severity = store_col_text(st, 3);
		r.state = store_col_text(st, 4);
		r.acked_by = store_col_text(st, 5);
		r.first_seen_ms = sqlite3_column_int64(st, 6);
		cb(arg, &r);
		count++;
	}
	return rc < 0 ? -1 : count;
}

int
store_day_actions(struct store *s, int64_t since_ms, int limit,
    store_action_cb cb, void *arg, char **cause)
{
	sqlite3_stmt		*st;
	struct store_action_row	 r;
	int			 rc, count = 0;

	/*
	 * Only what ran: a prompt for --confirm, a refusal or a typo
	 * changed nothing. The LIKE is a coarse filter; the caller reads
	 * the command line to be sure it is a rerun or a restart.
	 */
	st = store_stmt(s, STORE_C_DAY_ACTIONS, "SELECT ts, user, user_name, "
	    "command, outcome, detail FROM audit WHERE ts >= ? AND "
	    "outcome IN ('ok', 'error', 'cancelled') AND "
	    "(command LIKE '%rerun%' OR command LIKE '%restart%') "
	    "ORDER BY ts, id LIMIT ?", cause);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, since_ms);
	sqlite3_bind_int(st, 2, limit);
	while ((rc = store_next_row(s, st, "cannot read the audit",
	    cause)) > 0) {
		r.ts_ms = sqlite3_column_int64(st, 0);
		r.user = store_col_text(st, 1);
		r.user_name = store_col_text(st, 2);
		r.command = store_col_text(st, 3);
		r.outcome = store_col_text(st, 4);
		r.detail = store_col_text(st, 5);
		cb(arg, &r);
		count++;
	}
	return rc < 0 ? -1 : count;
}

/* The web page's reads (see store_web.h). */

#include <sqlite3.h>
#include <stddef.h>

#include "store.h"
#include "store_int.h"
#include "store_web.h"

int
store_web_alerts(struct store *s, store_web_alert_cb cb, void *arg,
    char **cause)
{
	struct store_web_alert	 a;
	sqlite3_stmt		*st;
	int			 rc;

	/* Severity by the words Alertmanager rules use; others last. */
	st = store_stmt(s, STORE_C_WEB_ALERTS, "SELECT id, alertname, "
	    "severity, host, state, labels, starts_at, acked_by FROM alerts "
	    "WHERE state != 'resolved' ORDER BY CASE lower(severity) WHEN "
	    "'critical' THEN 0 WHEN 'crit' THEN 0 WHEN 'error' THEN 1 WHEN "
	    "'warning' THEN 2 WHEN 'warn' THEN 2 WHEN 'info' THEN 3 ELSE 4 "
	    "END, starts_at, id", cause);
	if (st == NULL)
		return -1;
	while ((rc = store_next_row(s, st, "cannot read open alerts",
	    cause)) > 0) {
		a.id = sqlite3_column_int64(st, 0);
		a.alertname = store_col_text(st, 1);
		a.severity = store_col_text(st, 2);
		a.host = store_col_text(st, 3);
		a.state = store_col_text(st, 4);
		a.labels = store_col_text(st, 5);
		a.starts_at = sqlite3_column_int64(st, 6);
		a.acked_by = store_col_text(st, 7);
		cb(arg, &a);
	}
	return rc < 0 ? -1 : 0;
}

int
store_web_runs(struct store *s, int64_t since_ms, store_web_run_cb cb,
    void *arg, char **cause)
{
	struct store_web_run	 r;
	sqlite3_stmt		*st;
	int			 rc;

	st = store_stmt(s, STORE_C_WEB_RUNS, "SELECT id, name, started, "
	    "passed, total FROM checklist_runs WHERE started >= ?1 ORDER BY "
	    "started, id", cause);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, since_ms);
	while ((rc = store_next_row(s, st, "cannot read checklist runs",
	    cause)) > 0) {
		r.id = sqlite3_column_int64(st, 0);
		r.name = store_col_text(st, 1);
		r.started = sqlite3_column_int64(st, 2);
		r.passed = sqlite3_column_int(st, 3);
		r.total = sqlite3_column_int(st, 4);
		if (r.name != NULL)
			cb(arg, &r);
	}
	return rc < 0 ? -1 : 0;
}

#define INCIDENT_COLUMNS						\
	"id, title, severity, state, status, opened, "			\
	"coalesce(opened_by_name, opened_by), coalesce(closed, 0), "	\
	"resolution, rca"

static void
incident_read(sqlite3_stmt *st, struct store_web_incident *i)
{
	i->id = sqlite3_column_int64(st, 0);
	i->title = store_col_text(st, 1);
	i->severity = sqlite3_column_int(st, 2);
	i->state = store_col_text(st, 3);
	i->status = store_col_text(st, 4);
	i->opened = sqlite3_column_int64(st, 5);
	i->opened_by = store_col_text(st, 6);
	i->closed = sqlite3_column_int64(st, 7);
	i->resolution = store_col_text(st, 8);
	i->rca = store_col_text(st, 9);
}

int
store_web_incidents(struct store *s, int limit, store_web_incident_cb cb,
    void *arg, char **cause)
{
	struct store_web_incident	 i;
	sqlite3_stmt			*st;
	int				 rc;

	st = store_stmt(s, STORE_C_WEB_INCIDENTS, "SELECT " INCIDENT_COLUMNS
	    " FROM incidents ORDER BY state = 'open' DESC, id DESC LIMIT ?1",
	    cause);
	if (st == NULL)
		return -1;
	sqlite3_bind_int(st, 1, limit);
	while ((rc = store_next_row(s, st, "cannot read incidents",
	    cause)) > 0) {
		incident_read(st, &i);
		if (i.title != NULL && i.state != NULL)
			cb(arg, &i);
	}
	return rc < 0 ? -1 : 0;
}

int
store_web_incident(struct store *s, int64_t id, store_web_incident_cb cb,
    void *arg, char **cause)
{
	struct store_web_incident	 i;
	sqlite3_stmt			*st;
	int				 rc, found = 0;

	st = store_stmt(s, STORE_C_WEB_INCIDENT, "SELECT " INCIDENT_COLUMNS
	    " FROM incidents WHERE id = ?1", cause);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	while ((rc = store_next_row(s, st, "cannot read an incident",
	    cause)) > 0) {
		incident_read(st, &i);
		if (i.title != NULL && i.state != NULL) {
			cb(arg, &i);
			found = 1;
		}
	}
	return rc < 0 ? -1 : found;
}

int
store_web_timeline(struct store *s, int64_t id, store_web_entry_cb cb,
    void *arg, char **cause)
{
	struct store_web_entry	 e;
	sqlite3_stmt		*st;
	int			 rc;

	/*
	 * Notes, each linked alert's start and (when resolved) its end, in
	 * one ordered read so the page needs no merge of its own.
	 */
	st = store_stmt(s, STORE_C_WEB_NOTES, "SELECT at, kind, who, text, "
	    "aid, sev FROM (SELECT at, kind, coalesce(who_name, who) AS who, "
	    "text, 0 AS aid, NULL AS sev, id AS ord FROM incident_notes WHERE "
	    "incident_id = ?1 UNION ALL SELECT a.starts_at, 'alert', a.host, "
	    "a.alertname, a.id, a.severity, 0 FROM incident_alerts l JOIN "
	    "alerts a ON a.id = l.alert_id WHERE l.incident_id = ?1 UNION "
	    "ALL SELECT a.ends_at, 'resolved', a.host, a.alertname, a.id, "
	    "a.severity, 0 FROM incident_alerts l JOIN alerts a ON a.id = "
	    "l.alert_id WHERE l.incident_id = ?1 AND a.state = 'resolved') "
	    "ORDER BY at, ord", cause);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	while ((rc = store_next_row(s, st, "cannot read a timeline",
	    cause)) > 0) {
		e.at = sqlite3_column_int64(st, 0);
		e.kind = store_col_text(st, 1);
		e.who = store_col_text(st, 2);
		e.text = store_col_text(st, 3);
		e.alert_id = sqlite3_column_int64(st, 4);
		e.severity = store_col_text(st, 5);
		if (e.kind != NULL && e.text != NULL)
			cb(arg, &e);
	}
	return rc < 0 ? -1 : 0;
}

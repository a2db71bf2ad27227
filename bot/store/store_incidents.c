/* The SQL of incidents, their notes and linked alerts (store_incidents.h). */

#include <sqlite3.h>
#include <stdlib.h>

#include "store.h"
#include "store_incidents.h"
#include "store_int.h"

/*
 * The columns store_incident_read() expects, in its order. The thread
 * not kept yet is the root post's platform id, once the outbox has it.
 */
#define STORE_INC_COLS							\
	"i.id, i.title, i.severity, i.state, i.status, i.platform, "	\
	"i.channel, i.outbox_id, ifnull(i.thread, (SELECT platform_id "	\
	"FROM outbox WHERE id = i.outbox_id)), i.opened, i.opened_by, "	\
	"i.opened_by_name, i.source, i.closed, i.closed_by, "		\
	"i.closed_by_name, i.resolution, i.rca"

static void
store_incident_read(sqlite3_stmt *st, struct store_incident_row *r)
{
	r->id = sqlite3_column_int64(st, 0);
	r->title = store_col_text(st, 1);
	r->severity = sqlite3_column_int(st, 2);
	r->state = store_col_text(st, 3);
	r->status = store_col_text(st, 4);
	r->platform = store_col_text(st, 5);
	r->channel = store_col_text(st, 6);
	r->outbox_id = sqlite3_column_int64(st, 7);
	r->thread = store_col_text(st, 8);
	r->opened_ms = sqlite3_column_int64(st, 9);
	r->opened_by = store_col_text(st, 10);
	r->opened_by_name = store_col_text(st, 11);
	r->source = store_col_text(st, 12);
	r->closed_ms = sqlite3_column_int64(st, 13);
	r->closed_by = store_col_text(st, 14);
	r->closed_by_name = store_col_text(st, 15);
	r->resolution = store_col_text(st, 16);
	r->rca = store_col_text(st, 17);
}

int64_t
store_incident_open(struct store *s, const struct store_incident_row *r,
    char **cause)
{
	sqlite3_stmt	*st;

	st = store_stmt(s, STORE_C_INC_OPEN, "INSERT INTO incidents (title, "
	    "severity, platform, channel, outbox_id, thread, opened, opened_by, "
	    "opened_by_name, source) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, "
	    "?9, ?10)", cause);
	if (st == NULL)
		return -1;
	store_bind_text(st, 1, r->title);
	sqlite3_bind_int(st, 2, r->severity);
	store_bind_text(st, 3, r->platform);
	store_bind_text(st, 4, r->channel != NULL ? r->channel : "");
	if (r->outbox_id > 0)
		sqlite3_bind_int64(st, 5, r->outbox_id);
	store_bind_text(st, 6, r->thread);
	sqlite3_bind_int64(st, 7, r->opened_ms);
	store_bind_text(st, 8, r->opened_by != NULL ? r->opened_by : "");
	store_bind_text(st, 9, r->opened_by_name);
	store_bind_text(st, 10, r->source != NULL ? r->source : "chat");
	if (store_step_done(s, st, cause, "cannot open an incident") != 0)
		return -1;
	return store_last_insert_id(s);
}

int
store_incident_set_post(struct store *s, int64_t id, int64_t outbox_id,
    char **cause)
{
	sqlite3_stmt	*st;

	/*
	 * The outbox row names the channel as the platform does (Slack's
	 * id for "#ops"): the id thread replies arrive with.
	 */
	st = store_stmt(s, STORE_C_INC_SET_POST, "UPDATE incidents SET "
	    "outbox_id = ?2, channel = ifnull((SELECT channel FROM outbox "
	    "WHERE id = ?2), channel) WHERE id = ?1", cause);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, outbox_id);
	return store_step_done(s, st, cause, "cannot update an incident");
}

int
store_incident_get(struct store *s, int64_t id, store_incident_cb cb,
    void *arg, char **cause)
{
	struct store_incident_row	 r;
	sqlite3_stmt			*st;
	int				 rc, n = 0;

	st = store_stmt(s, STORE_C_INC_GET, "SELECT " STORE_INC_COLS
	    " FROM incidents i WHERE i.id = ?1", cause);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	while ((rc = store_next_row(s, st, "cannot read an incident",
	    cause)) > 0) {
		store_incident_read(st, &r);
		cb(arg, &r);
		n++;
	}
	return rc < 0 ? -1 : n > 0;
}

int
store_incident_by_thread(struct store *s, const char *platform,
    const char *channel, const char *thread, store_incident_cb cb,
    void *arg, char **cause)
{
	struct store_incident_row	 r;
	sqlite3_stmt			*st;
	int64_t				 id = 0;
	int				 rc, known = 0;

	if (platform == NULL || channel == NULL || thread == NULL)
		return 0;
	st = store_stmt(s, STORE_C_INC_BY_THREAD, "SELECT " STORE_INC_COLS
	    ", i.thread FROM incidents i LEFT JOIN outbox o ON o.id ="
	    " i.outbox_id"
	    " WHERE i.state = 'open' AND i.platform = ?1 AND i.channel = ?2"
	    " AND (i.thread = ?3 OR (i.thread IS NULL AND"
	    " o.platform_id = ?3)) ORDER BY i.id DESC LIMIT 1", cause);
	if (st == NULL)
		return -1;
	store_bind_text(st, 1, platform);
	store_bind_text(st, 2, channel);
	store_bind_text(st, 3, thread);
	while ((rc = store_next_row(s, st, "cannot find an incident",
	    cause)) > 0) {
		store_incident_read(st, &r);
		id = r.id;
		known = sqlite3_column_type(st, 18) != SQLITE_NULL;
		cb(arg, &r);
	}
	if (rc < 0)
		return -1;
	if (id == 0)
		return 0;
	if (!known) {
		st = store_stmt(s, STORE_C_INC_SET_THREAD, "UPDATE incidents "
		    "SET thread = ?2 WHERE id = ?1", cause);
		if (st == NULL)
			return -1;
		sqlite3_bind_int64(st, 1, id);
		store_bind_text(st, 2, thread);
		if (store_step_done(s, st, cause, "cannot update an incident")
		    != 0)
			return -1;
	}
	return 1;
}

int
store_incidents_open(struct store *s, const char *platform,
    const char *channel, store_incident_cb cb, void *arg, char **cause)
{
	struct store_incident_row	 r;
	sqlite3_stmt			*st;
	int				 rc, n = 0;

	st = store_stmt(s, STORE_C_INC_LIST, "SELECT " STORE_INC_COLS
	    " FROM incidents i WHERE i.state = 'open'"
	    " AND (?1 IS NULL OR i.platform = ?1)"
	    " AND (?2 IS NULL OR i.channel = ?2) ORDER BY i.id", cause);
	if (st == NULL)
		return -1;
	store_bind_text(st, 1, platform);
	store_bind_text(st, 2, channel);
	while ((rc = store_next_row(s, st, "cannot list incidents",
	    cause)) > 0) {
		store_incident_read(st, &r);
		cb(arg, &r);
		n++;
	}
	return rc < 0 ? -1 : n;
}

int
store_incident_of_alert(struct store *s, int64_t alert_id, int64_t *id,
    char **cause)
{
	sqlite3_stmt	*st;
	int		 rc, found = 0;

	st = store_stmt(s, STORE_C_INC_OF_ALERT, "SELECT i.id FROM incidents i "
	    "JOIN incident_alerts a ON a.incident_id = i.id WHERE a.alert_id = "
	    "?1 AND i.state = 'open' ORDER BY i.id DESC", cause);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, alert_id);
	while ((rc = store_next_row(s, st, "cannot find an incident",
	    cause)) > 0) {
		if (!found && id != NULL)
			*id = sqlite3_column_int64(st, 0);
		found = 1;
	}
	return rc < 0 ? -1 : found;
}

int64_t
store_incident_note(struct store *s, int64_t id, int64_t at_ms,
    const char *who, const char *who_name, const char *kind,
    const char *text, char **cause)
{
	sqlite3_stmt	*st;

	st = store_stmt(s, STORE_C_INC_NOTE, "INSERT INTO incident_notes "
	    "(incident_id, at, who, who_name, kind, text) VALUES (?1, ?2, ?3, "
	    "?4, ?5, ?6)", cause);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, at_ms);
	store_bind_text(st, 3, who != NULL ? who : "");
	store_bind_text(st, 4, who_name);
	store_bind_text(st, 5, kind);
	store_bind_text(st, 6, text != NULL ? text : "");
	if (store_step_done(s, st, cause, "cannot add an incident note") != 0)
		return -1;
	return store_last_insert_id(s);
}

int
store_incident_status(struct store *s, int64_t id, const char *status,
    char **cause)
{
	sqlite3_stmt	*st;

	st = store_stmt(s, STORE_C_INC_STATUS, "UPDATE incidents SET status = "
	    "?2 WHERE id = ?1", cause);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	store_bind_text(st, 2, status);
	return store_step_done(s, st, cause, "cannot update an incident");
}

int
store_incident_link(struct store *s, int64_t id, int64_t alert_id,
    int64_t at_ms, const char *by, char **cause)
{
	sqlite3_stmt	*st;

	st = store_stmt(s, STORE_C_INC_LINK, "INSERT OR IGNORE INTO "
	    "incident_alerts (incident_id, alert_id, linked, linked_by) VALUES "
	    "(?1, ?2, ?3, ?4)", cause);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, alert_id);
	sqlite3_bind_int64(st, 3, at_ms);
	store_bind_text(st, 4, by != NULL ? by : "");
	if (store_step_done(s, st, cause, "cannot link an alert") != 0)
		return -1;
	return store_changes(s) > 0;
}

int
store_incident_close(struct store *s, int64_t id, int64_t at_ms,
    const char *by, const char *by_name, const char *resolution,
    const char *rca, char **cause)
{
	sqlite3_stmt	*st;

	st = store_stmt(s, STORE_C_INC_CLOSE, "UPDATE incidents SET state = "
	    "'closed', closed = ?2, closed_by = ?3, closed_by_name = ?4, "
	    "resolution = ?5, rca = ?6 WHERE id = ?1 AND state = 'open'",
	    cause);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, at_ms);
	store_bind_text(st, 3, by != NULL ? by : "");
	store_bind_text(st, 4, by_name);
	store_bind_text(st, 5, resolution);
	store_bind_text(st, 6, rca);
	if (store_step_done(s, st, cause, "cannot close an incident") != 0)
		return -1;
	return store_changes(s) > 0;
}

int
store_incident_notes(struct store *s, int64_t id, store_incident_note_cb cb,
    void *arg, char **cause)
{
	struct store_incident_note_row	 r;
	sqlite3_stmt			*st;
	int				 rc, n = 0;

	st = store_stmt(s, STORE_C_INC_NOTES, "SELECT at, who, who_name, kind, "
	    "text FROM incident_notes WHERE incident_id = ?1 ORDER BY id",
	    cause);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	while ((rc = store_next_row(s, st, "cannot read incident notes",
	    cause)) > 0) {
		r.at_ms = sqlite3_column_int64(st, 0);
		r.who = store_col_text(st, 1);
		r.who_name = store_col_text(st, 2);
		r.kind = store_col_text(st, 3);
		r.text = store_col_text(st, 4);
		cb(arg, &r);
		n++;
	}
	return rc < 0 ? -1 : n;
}

int
store_incident_alerts(struct store *s, int64_t id,
    store_incident_alert_cb cb, void *arg, char **cause)
{
	sqlite3_stmt	*st;
	int		 rc, n = 0;

	st = store_stmt(s, STORE_C_INC_ALERTS, "SELECT alert_id, linked, "
	    "linked_by FROM incident_alerts WHERE incident_id = ?1 ORDER BY "
	    "linked, alert_id", cause);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	while ((rc = store_next_row(s, st, "cannot read linked alerts",
	    cause)) > 0) {
		cb(arg, sqlite3_column_int64(st, 0),
		    sqlite3_column_int64(st, 1), store_col_text(st, 2));
		n++;
	}
	return rc < 0 ? -1 : n;
}

int
store_incident_commands(struct store *s, const char *platform,
    const char *channel, const char *thread, int64_t since_ms,
    int64_t until_ms, int limit, store_incident_cmd_cb cb, void *arg,
    char **cause)
{
	struct store_incident_cmd_row	 r;
	sqlite3_stmt			*st;
	int				 rc, n = 0;

	st = store_stmt(s, STORE_C_INC_COMMANDS, "SELECT ts, user, user_name, "
	    "command, outcome, detail, via FROM audit WHERE platform = ?1"
	    " AND (channel = ?2 OR (?3 IS NOT NULL AND thread = ?3))"
	    " AND ts BETWEEN ?4 AND ?5 ORDER BY ts, id LIMIT ?6", cause);
	if (st == NULL)
		return -1;
	store_bind_text(st, 1, platform);
	store_bind_text(st, 2, channel);
	store_bind_text(st, 3, thread);
	sqlite3_bind_int64(st, 4, since_ms);
	sqlite3_bind_int64(st, 5, until_ms);
	sqlite3_bind_int(st, 6, limit > 0 ? limit : 500);
	while ((rc = store_next_row(s, st, "cannot read the audit trail",
	    cause)) > 0) {
		r.ts_ms = sqlite3_column_int64(st, 0);
		r.user = store_col_text(st, 1);
		r.user_name = store_col_text(st, 2);
		r.command = store_col_text(st, 3);
		r.outcome = store_col_text(st, 4);
		r.detail = store_col_text(st, 5);
		r.via = store_col_text(st, 6);
		cb(arg, &r);
		n++;
	}
	return rc < 0 ? -1 : n;
}

int
store_incident_runs(struct store *s, int64_t since_ms, int64_t until_ms,
    int limit, store_incident_run_cb cb, void *arg, char **cause)
{
	struct store_incident_run_row	 r;
	sqlite3_stmt			*st;
	int				 rc, n = 0;

	st = store_stmt(s, STORE_C_INC_RUNS, "SELECT c.id, c.name, c.finished, "
	    "c.trigger, c.passed, c.total, (SELECT group_concat(title, '; ') "
	    "FROM checklist_results r WHERE r.run_id = c.id AND r.status != "
	    "'ok') FROM checklist_runs c WHERE c.finished BETWEEN ?1 AND ?2 "
	    "ORDER BY c.finished, c.id LIMIT ?3", cause);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, since_ms);
	sqlite3_bind_int64(st, 2, until_ms);
	sqlite3_bind_int(st, 3, limit > 0 ? limit : 100);
	while ((rc = store_next_row(s, st, "cannot read checklist runs",
	    cause)) > 0) {
		r.id = sqlite3_column_int64(st, 0);
		r.name = store_col_text(st, 1);
		r.finished_ms = sqlite3_column_int64(st, 2);
		r.trigger = store_col_text(st, 3);
		r.passed = sqlite3_column_int(st, 4);
		r.total = sqlite3_column_int(st, 5);
		r.failed = store_col_text(st, 6);
		cb(arg, &r);
		n++;
	}
	return rc < 0 ? -1 : n;
}

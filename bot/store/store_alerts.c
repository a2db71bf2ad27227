/*
 * The SQL of alerts, silences and alert notes (see store_alerts.h). The
 * engine (alerts.c) decides; this file only reads and writes rows. Every
 * write joins the caller's transaction when one is open (store_begin).
 */

#include <sqlite3.h>
#include <stdlib.h>

#include "store.h"
#include "store_alerts.h"
#include "store_int.h"

#define ALERT_COLUMNS	"id, fingerprint, source, alertname, severity, " \
	"host, labels, annotations, url, state, shown, starts_at, ends_at, " \
	"first_seen, last_seen, received, acked_by, silence_id"

int64_t
store_alert_put(struct store *s, const struct store_alert_row *a,
    char **cause)
{
	sqlite3_stmt	*st;
	int64_t		 id = -1;

	st = store_stmt(s, STORE_C_ALERT_UPSERT, "INSERT INTO alerts "
	    "(fingerprint, source, alertname, severity, host, labels, "
	    "annotations, url, state, shown, starts_at, ends_at, first_seen, "
	    "last_seen, received, acked_by, silence_id) VALUES "
	    "(?1, ?2, ?3, ?4, ?5, ?6, coalesce(?7, '{}'), nullif(?8, ''), ?9, "
	    "?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17) "
	    "ON CONFLICT(fingerprint) DO UPDATE SET "
	    "source = excluded.source, alertname = excluded.alertname, "
	    "severity = excluded.severity, host = excluded.host, "
	    "labels = excluded.labels, "
	    "annotations = CASE WHEN ?7 IS NULL THEN annotations "
	    "ELSE excluded.annotations END, "
	    "url = CASE WHEN ?8 IS NULL THEN url ELSE excluded.url END, "
	    "state = excluded.state, "
	    "shown = excluded.shown, starts_at = excluded.starts_at, "
	    "ends_at = excluded.ends_at, last_seen = excluded.last_seen, "
	    "received = excluded.received, acked_by = excluded.acked_by, "
	    "silence_id = excluded.silence_id RETURNING id", cause);
	if (st == NULL)
		return -1;
	store_bind_text(st, 1, a->fingerprint);
	store_bind_text(st, 2, a->source);
	store_bind_text(st, 3, a->alertname);
	store_bind_text(st, 4, a->severity);
	store_bind_text(st, 5, a->host);
	store_bind_text(st, 6, a->labels);
	store_bind_text(st, 7, a->annotations);
	store_bind_text(st, 8, a->url);
	store_bind_text(st, 9, a->state);
	store_bind_text(st, 10, a->shown);
	sqlite3_bind_int64(st, 11, a->starts_ms);
	sqlite3_bind_int64(st, 12, a->ends_ms);
	sqlite3_bind_int64(st, 13, a->first_seen_ms);
	sqlite3_bind_int64(st, 14, a->last_seen_ms);
	sqlite3_bind_int64(st, 15, a->received);
	store_bind_text(st, 16, a->acked_by);
	if (a->silence_id > 0)
		sqlite3_bind_int64(st, 17, a->silence_id);
	else
		sqlite3_bind_null(st, 17);
	if (sqlite3_step(st) == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	else
		store_err(s, cause, "cannot store an alert");
	sqlite3_reset(st);
	return id;
}

int
store_alert_event(struct store *s, int64_t alert_id, int64_t at_ms,
    const char *who, const char *what, const char *why, char **cause)
{
	sqlite3_stmt	*st;

	st = store_stmt(s, STORE_C_ALERT_EVENT, "INSERT INTO alert_events "
	    "(alert_id, at, who, what, why) VALUES (?, ?, ?, ?, ?)", cause);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, alert_id);
	sqlite3_bind_int64(st, 2, at_ms);
	store_bind_text(st, 3, who);
	store_bind_text(st, 4, what);
	store_bind_text(st, 5, why);
	return store_step_done(s, st, cause, "cannot record an alert event");
}

static void
alert_row_read(sqlite3_stmt *st, struct store_alert_row *a)
{
	a->id = sqlite3_column_int64(st, 0);
	a->fingerprint = store_col_text(st, 1);
	a->source = store_col_text(st, 2);
	a->alertname = store_col_text(st, 3);
	a->severity = store_col_text(st, 4);
	a->host = store_col_text(st, 5);
	a->labels = store_col_text(st, 6);
	a->annotations = store_col_text(st, 7);
	a->url = store_col_text(st, 8);
	a->state = store_col_text(st, 9);
	a->shown = store_col_text(st, 10);
	a->starts_ms = sqlite3_column_int64(st, 11);
	a->ends_ms = sqlite3_column_int64(st, 12);
	a->first_seen_ms = sqlite3_column_int64(st, 13);
	a->last_seen_ms = sqlite3_column_int64(st, 14);
	a->received = sqlite3_column_int64(st, 15);
	a->acked_by = store_col_text(st, 16);
	a->silence_id = sqlite3_column_int64(st, 17);
}

/* Steps a query, calling cb per row; the number of rows, or -1. */
static int
alert_rows(struct store *s, sqlite3_stmt *st, store_alert_cb cb, void *arg,
    char **cause)
{
	struct store_alert_row	 a;
	int			 rc, n = 0;

	while ((rc = store_next_row(s, st, "cannot read alerts", cause)) > 0) {
		alert_row_read(st, &a);
		cb(arg, &a);
		n++;
	}
	return rc < 0 ? -1 : n;
}

int
store_alerts_load_active(struct store *s, store_alert_cb cb, void *arg,
    char **cause)
{
	sqlite3_stmt	*st;

	st = store_stmt(s, STORE_C_ALERT_LOAD, "SELECT " ALERT_COLUMNS
	    " FROM alerts WHERE state != 'resolved' UNION SELECT "
	    ALERT_COLUMNS " FROM alerts WHERE state = 'resolved' AND "
	    "shown IS NOT NULL AND shown != 'resolved' ORDER BY id", cause);
	if (st == NULL)
		return -1;
	return alert_rows(s, st, cb, arg, cause);
}

int
store_alerts_load_shown(struct store *s, store_alert_cb cb, void *arg,
    char **cause)
{
	sqlite3_stmt	*st;

	st = store_stmt(s, STORE_C_ALERT_LOAD_SHOWN, "SELECT " ALERT_COLUMNS
	    " FROM alerts WHERE state = 'resolved' AND shown = 'resolved' AND "
	    "ends_at >= (SELECT min(created) FROM alert_notes WHERE open) "
	    "ORDER BY id DESC LIMIT 5000", cause);
	if (st == NULL)
		return -1;
	return alert_rows(s, st, cb, arg, cause);
}

int
store_alert_by_id(struct store *s, int64_t id, store_alert_cb cb, void *arg,
    char **cause)
{
	sqlite3_stmt	*st;

	st = store_stmt(s, STORE_C_ALERT_SEEN, "SELECT " ALERT_COLUMNS
	    " FROM alerts WHERE id = ?", cause);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	return alert_rows(s, st, cb, arg, cause);
}

int64_t
store_alert_count(struct store *s)
{
	sqlite3_stmt	*st;
	char		*cause = NULL;
	int64_t		 n = -1;

	st = store_stmt(s, STORE_C_ALERT_COUNT, "SELECT count(*) FROM alerts",
	    &cause);
	if (st == NULL) {
		free(cause);
		return -1;
	}
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return n;
}

int
store_alert_events(struct store *s, int64_t alert_id, int limit,
    store_event_cb cb, void *arg, char **cause)
{
	sqlite3_stmt		*st;
	struct store_event_row	 e;
	int			 rc, n = 0;

	st = store_stmt(s, STORE_C_ALERT_EVENTS, "SELECT at, who, what, why "
	    "FROM alert_events WHERE alert_id = ? ORDER BY id LIMIT ?", cause);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, alert_id);
	sqlite3_bind_int(st, 2, limit);
	while ((rc = store_next_row(s, st, "cannot read alert events",
	    cause)) > 0) {
		e.at_ms = sqlite3_column_int64(st, 0);
		e.who = store_col_text(st, 1);
		e.what = store_col_text(st, 2);
		e.why = store_col_text(st, 3);
		cb(arg, &e);
		n++;
	}
	return rc < 0 ? -1 : n;
}

int64_t
store_silence_add(struct store *s, const struct store_silence_row *r,
    char **cause)
{
	sqlite3_stmt	*st;

	st = store_stmt(s, STORE_C_SILENCE_ADD, "INSERT INTO silences "
	    "(matchers, created, ends_at, author, reason) VALUES "
	    "(?, ?, ?, ?, ?)", cause);
	if (st == NULL)
		return -1;
	store_bind_text(st, 1, r->matchers);
	sqlite3_bind_int64(st, 2, r->created_ms);
	sqlite3_bind_int64(st, 3, r->ends_ms);
	store_bind_text(st, 4, r->author);
	store_bind_text(st, 5, r->reason != NULL ? r->reason : "");
	if (store_step_done(s, st, cause, "cannot store a silence") != 0)
		return -1;
	return store_last_insert_id(s);
}

int
store_silence_remote(struct store *s, int64_t id, const char *remote_url,
    const char *remote_id, char **cause)
{
	sqlite3_stmt	*st;

	st = store_stmt(s, STORE_C_SILENCE_REMOTE, "UPDATE silences SET "
	    "remote_url = ?, remote_id = ? WHERE id = ?", cause);
	if (st == NULL)
		return -1;
	store_bind_text(st, 1, remote_url);
	store_bind_text(st, 2, remote_id);
	sqlite3_bind_int64(st, 3, id);
	return store_step_done(s, st, cause, "cannot record a silence's "
	    "Alertmanager copy");
}

int
store_silence_end(struct store *s, int64_t id, int64_t at_ms, char **cause)
{
	sqlite3_stmt	*st;

	st = store_stmt(s, STORE_C_SILENCE_END, "UPDATE silences SET "
	    "ended = ? WHERE id = ? AND ended IS NULL", cause);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, at_ms);
	sqlite3_bind_int64(st, 2, id);
	return store_step_done(s, st, cause, "cannot end a silence");
}

int
store_silences_load(struct store *s, store_silence_cb cb, void *arg,
    char **cause)
{
	sqlite3_stmt		*st;
	struct store_silence_row r;
	int			 rc, n = 0;

	st = store_stmt(s, STORE_C_SILENCE_LOAD, "SELECT id, matchers, "
	    "created, ends_at, author, reason, remote_url, remote_id FROM "
	    "silences WHERE ended IS NULL ORDER BY id", cause);
	if (st == NULL)
		return -1;
	while ((rc = store_next_row(s, st, "cannot read silences",
	    cause)) > 0) {
		r.id = sqlite3_column_int64(st, 0);
		r.matchers = store_col_text(st, 1);
		r.created_ms = sqlite3_column_int64(st, 2);
		r.ends_ms = sqlite3_column_int64(st, 3);
		r.author = store_col_text(st, 4);
		r.reason = store_col_text(st, 5);
		r.remote_url = store_col_text(st, 6);
		r.remote_id = store_col_text(st, 7);
		cb(arg, &r);
		n++;
	}
	return rc < 0 ? -1 : n;
}

int64_t
store_note_add(struct store *s, const struct store_note_row *r, char **cause)
{
	sqlite3_stmt	*st;

	st = store_stmt(s, STORE_C_NOTE_ADD, "INSERT INTO alert_notes "
	    "(group_key, receiver, outbox_id, open, created, repeated) VALUES "
	    "(?, ?, ?, 1, ?, ?)", cause);
	if (st == NULL)
		return -1;
	store_bind_text(st, 1, r->group_key);
	store_bind_text(st, 2, r->receiver);
	sqlite3_bind_int64(st, 3, r->outbox_id);
	sqlite3_bind_int64(st, 4, r->created_ms);
	sqlite3_bind_int64(st, 5, r->repeated_ms);
	if (store_step_done(s, st, cause, "cannot store an alert note") != 0)
		return -1;
	return store_last_insert_id(s);
}

int
store_note_close(struct store *s, int64_t id, char **cause)
{
	sqlite3_stmt	*st;

	st = store_stmt(s, STORE_C_NOTE_CLOSE, "UPDATE alert_notes SET open = 0 "
	    "WHERE id = ?", cause);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	return store_step_done(s, st, cause, "cannot close an alert note");
}

int
store_note_repeated(struct store *s, int64_t id, int64_t at_ms, char **cause)
{
	sqlite3_stmt	*st;

	st = store_stmt(s, STORE_C_NOTE_REPEAT, "UPDATE alert_notes SET "
	    "repeated = ? WHERE id = ?", cause);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, at_ms);
	sqlite3_bind_int64(st, 2, id);
	return store_step_done(s, st, cause, "cannot update an alert note");
}

int
store_notes_load_open(struct store *s, store_note_cb cb, void *arg,
    char **cause)
{
	sqlite3_stmt		*st;
	struct store_note_row	 r;
	int			 rc, n = 0;

	st = store_stmt(s, STORE_C_NOTE_LOAD, "SELECT id, group_key, "
	    "receiver, outbox_id, created, repeated FROM alert_notes WHERE "
	    "open ORDER BY id", cause);
	if (st == NULL)
		return -1;
	while ((rc = store_next_row(s, st, "cannot read alert notes",
	    cause)) > 0) {
		r.id = sqlite3_column_int64(st, 0);
		r.group_key = store_col_text(st, 1);
		r.receiver = store_col_text(st, 2);
		r.outbox_id = sqlite3_column_int64(st, 3);
		r.created_ms = sqlite3_column_int64(st, 4);
		r.repeated_ms = sqlite3_column_int64(st, 5);
		cb(arg, &r);
		n++;
	}
	return rc < 0 ? -1 : n;
}

int
store_alert_known(struct store *s, const char *fp, int64_t *id,
    int64_t *received, char **cause)
{
	sqlite3_stmt	*st;
	int		 rc;

	st = store_stmt(s, STORE_C_ALERT_KNOWN, "SELECT id, received FROM "
	    "alerts WHERE fingerprint = ?", cause);
	if (st == NULL)
		return -1;
	store_bind_text(st, 1, fp);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*id = sqlite3_column_int64(st, 0);
		*received = sqlite3_column_int64(st, 1);
		rc = 1;
	} else if (rc == SQLITE_DONE)
		rc = 0;
	else
		rc = store_err(s, cause, "cannot look an alert up");
	sqlite3_reset(st);
	return rc;
}

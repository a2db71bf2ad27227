/* The SQL of /handover's own reads (see store_handover.h). */

#include <sqlite3.h>
#include <stddef.h>

#include "store.h"
#include "store_handover.h"
#include "store_int.h"

int
store_handover_incidents(struct store *s, int limit, store_incident_cb cb,
    void *arg, char **cause)
{
	struct store_incident_row	 r;
	sqlite3_stmt			*st;
	int				 rc, n = 0;

	st = store_stmt(s, STORE_C_HANDOVER_INCIDENTS, "SELECT id, title, "
	    "severity, status, opened, coalesce(opened_by_name, opened_by) "
	    "FROM incidents WHERE state = 'open' ORDER BY id LIMIT ?1", cause);
	if (st == NULL)
		return -1;
	sqlite3_bind_int(st, 1, limit);
	while ((rc = store_next_row(s, st, "cannot read open incidents",
	    cause)) > 0) {
		r.id = sqlite3_column_int64(st, 0);
		r.title = store_col_text(st, 1);
		r.severity = sqlite3_column_int(st, 2);
		r.status = store_col_text(st, 3);
		r.opened_ms = sqlite3_column_int64(st, 4);
		r.opened_by = store_col_text(st, 5);
		cb(arg, &r);
		n++;
	}
	return rc < 0 ? -1 : n;
}

int
store_handover_tickets(struct store *s, int64_t since_ms, int limit,
    store_ticket_cb cb, void *arg, char **cause)
{
	struct store_ticket_row	 r;
	sqlite3_stmt		*st;
	int			 rc, n = 0;

	st = store_stmt(s, STORE_C_HANDOVER_TICKETS, "SELECT number, "
	    "short_description, state, url, created, created_by FROM tickets "
	    "WHERE created >= ?1 ORDER BY created, id LIMIT ?2", cause);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, since_ms);
	sqlite3_bind_int(st, 2, limit);
	while ((rc = store_next_row(s, st, "cannot read tickets",
	    cause)) > 0) {
		r.number = store_col_text(st, 0);
		r.short_description = store_col_text(st, 1);
		r.state = store_col_text(st, 2);
		r.url = store_col_text(st, 3);
		r.created_ms = sqlite3_column_int64(st, 4);
		r.created_by = store_col_text(st, 5);
		cb(arg, &r);
		n++;
	}
	return rc < 0 ? -1 : n;
}

int
store_handover_failing(struct store *s, int limit, store_failing_cb cb,
    void *arg, char **cause)
{
	struct store_failing_row	 r;
	sqlite3_stmt			*st;
	int				 rc, n = 0;

	/* The latest run of each name (checklist_runs_name: name, id). */
	st = store_stmt(s, STORE_C_HANDOVER_FAILING, "SELECT r.name, "
	    "r.started, c.title, c.status, c.detail FROM (SELECT name, "
	    "max(id) AS id FROM checklist_runs GROUP BY name) l JOIN "
	    "checklist_runs r ON r.id = l.id JOIN checklist_results c ON "
	    "c.run_id = r.id WHERE c.status != 'ok' ORDER BY r.name, c.idx "
	    "LIMIT ?1", cause);
	if (st == NULL)
		return -1;
	sqlite3_bind_int(st, 1, limit);
	while ((rc = store_next_row(s, st, "cannot read checklist runs",
	    cause)) > 0) {
		r.checklist = store_col_text(st, 0);
		r.started_ms = sqlite3_column_int64(st, 1);
		r.title = store_col_text(st, 2);
		r.status = store_col_text(st, 3);
		r.detail = store_col_text(st, 4);
		cb(arg, &r);
		n++;
	}
	return rc < 0 ? -1 : n;
}

int
store_handover_last(struct store *s, int64_t since_ms, int64_t *at_ms,
    char **cause)
{
	sqlite3_stmt	*st;
	int		 rc;

	/* The line's first word, as /audit reads it: "/handover ...". */
	st = store_stmt(s, STORE_C_HANDOVER_LAST, "SELECT ifnull(max(ts), 0) "
	    "FROM audit WHERE ts >= ?1 AND outcome = 'ok' AND ltrim(substr("
	    "command, 1, CASE instr(command, ' ') WHEN 0 THEN length(command) "
	    "ELSE instr(command, ' ') - 1 END), '/') = 'handover'", cause);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, since_ms);
	*at_ms = 0;
	while ((rc = store_next_row(s, st, "cannot read the audit",
	    cause)) > 0)
		*at_ms = sqlite3_column_int64(st, 0);
	return rc < 0 ? -1 : 0;
}

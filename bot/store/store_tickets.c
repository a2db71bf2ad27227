/* The SQL of the tickets table (see store_tickets.h). */

#include <sqlite3.h>
#include <stdlib.h>

#include "clock.h"
#include "store.h"
#include "store_int.h"
#include "store_tickets.h"

#define TICKET_COLUMNS	"id, correlation_id, source, source_id, " \
	"short_description, category, state, sys_id, number, url, platform, " \
	"channel, created_by, last_error, created, updated"

int
store_ticket_add(struct store *s, const struct store_ticket *t, char **cause)
{
	sqlite3_stmt	*st;
	int64_t		 now = clock_now_ms();

	st = store_stmt(s, STORE_C_TICKET_ADD, "INSERT INTO tickets "
	    "(correlation_id, source, source_id, short_description, category, "
	    "state, platform, channel, created, created_by, updated) VALUES "
	    "(?1, ?2, ?3, ?4, ?5, 'pending', ?6, ?7, ?8, ?9, ?8) "
	    "ON CONFLICT (correlation_id) DO NOTHING", cause);
	if (st == NULL)
		return -1;
	store_bind_text(st, 1, t->correlation_id);
	store_bind_text(st, 2, t->source);
	store_bind_text(st, 3, t->source_id);
	store_bind_text(st, 4, t->short_description);
	store_bind_text(st, 5, t->category);
	store_bind_text(st, 6, t->platform);
	store_bind_text(st, 7, t->channel);
	sqlite3_bind_int64(st, 8, t->created > 0 ? t->created : now);
	store_bind_text(st, 9, t->created_by);
	if (store_step_done(s, st, cause, "cannot add a ticket") != 0)
		return -1;
	return store_changes(s) > 0;
}

static void
ticket_row(sqlite3_stmt *st, struct store_ticket *t)
{
	t->id = sqlite3_column_int64(st, 0);
	t->correlation_id = store_col_text(st, 1);
	t->source = store_col_text(st, 2);
	t->source_id = store_col_text(st, 3);
	t->short_description = store_col_text(st, 4);
	t->category = store_col_text(st, 5);
	t->state = store_col_text(st, 6);
	t->sys_id = store_col_text(st, 7);
	t->number = store_col_text(st, 8);
	t->url = store_col_text(st, 9);
	t->platform = store_col_text(st, 10);
	t->channel = store_col_text(st, 11);
	t->created_by = store_col_text(st, 12);
	t->last_error = store_col_text(st, 13);
	t->created = sqlite3_column_int64(st, 14);
	t->updated = sqlite3_column_int64(st, 15);
}

int
store_ticket_get(struct store *s, const char *key, store_ticket_cb cb,
    void *arg, char **cause)
{
	struct store_ticket	 t;
	sqlite3_stmt		*st;
	int			 rc, n = 0;

	/* A number is matched without regard to case: "inc0010001". */
	st = store_stmt(s, STORE_C_TICKET_GET, "SELECT " TICKET_COLUMNS
	    " FROM tickets WHERE correlation_id = ?1 OR number = ?1 COLLATE "
	    "NOCASE OR sys_id = ?1 OR CAST(id AS TEXT) = ?1 ORDER BY id "
	    "LIMIT 1", cause);
	if (st == NULL)
		return -1;
	store_bind_text(st, 1, key);
	while ((rc = store_next_row(s, st, "cannot read a ticket",
	    cause)) > 0) {
		ticket_row(st, &t);
		cb(arg, &t);
		n++;
	}
	return rc < 0 ? -1 : n;
}

int
store_ticket_set(struct store *s, const char *correlation_id,
    const char *state, const char *sys_id, const char *number,
    const char *url, const char *last_error, char **cause)
{
	sqlite3_stmt	*st;

	st = store_stmt(s, STORE_C_TICKET_SET, "UPDATE tickets SET "
	    "state = COALESCE(?2, state), sys_id = COALESCE(?3, sys_id), "
	    "number = COALESCE(?4, number), url = COALESCE(?5, url), "
	    "last_error = ?6, updated = ?7 WHERE correlation_id = ?1", cause);
	if (st == NULL)
		return -1;
	store_bind_text(st, 1, correlation_id);
	store_bind_text(st, 2, state);
	store_bind_text(st, 3, sys_id);
	store_bind_text(st, 4, number);
	store_bind_text(st, 5, url);
	store_bind_text(st, 6, last_error);
	sqlite3_bind_int64(st, 7, clock_now_ms());
	return store_step_done(s, st, cause, "cannot update a ticket");
}

int
store_ticket_recent(struct store *s, int limit, store_ticket_cb cb,
    void *arg, char **cause)
{
	struct store_ticket	 t;
	sqlite3_stmt		*st;
	int			 rc, n = 0;

	st = store_stmt(s, STORE_C_TICKET_RECENT, "SELECT " TICKET_COLUMNS
	    " FROM tickets ORDER BY id DESC LIMIT ?1", cause);
	if (st == NULL)
		return -1;
	sqlite3_bind_int(st, 1, limit > 0 ? limit : 10);
	while ((rc = store_next_row(s, st, "cannot list tickets",
	    cause)) > 0) {
		ticket_row(st, &t);
		cb(arg, &t);
		n++;
	}
	return rc < 0 ? -1 : n;
}

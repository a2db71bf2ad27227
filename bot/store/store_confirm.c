/* The SQL of single-use confirmations (see store_confirm.h). */

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"
#include "store_confirm.h"
#include "store_int.h"
#include "xmalloc.h"

static char *
confirm_col(sqlite3_stmt *st, int i)
{
	const char	*v = (const char *)sqlite3_column_text(st, i);

	return v != NULL ? xstrdup(v) : NULL;
}

void
store_confirm_release(struct store_confirm *r)
{
	free(r->token);
	free(r->command);
	free(r->platform);
	free(r->channel);
	free(r->user);
	free(r->used_by);
	free(r->used_by_name);
	free(r->outcome);
	memset(r, 0, sizeof *r);
}

int
store_confirm_add(struct store *s, const struct store_confirm *r,
    char **cause)
{
	sqlite3_stmt	*st;

	st = store_stmt(s, STORE_C_CONFIRM_ADD, "INSERT INTO confirmations "
	    "(token, command, platform, channel, user, created, expires) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?)", cause);
	if (st == NULL)
		return -1;
	store_bind_text(st, 1, r->token);
	store_bind_text(st, 2, r->command);
	store_bind_text(st, 3, r->platform);
	store_bind_text(st, 4, r->channel);
	store_bind_text(st, 5, r->user);
	sqlite3_bind_int64(st, 6, r->created_ms);
	sqlite3_bind_int64(st, 7, r->expires_ms);
	return store_step_done(s, st, cause, "cannot store a confirmation");
}

int
store_confirm_get(struct store *s, const char *token,
    struct store_confirm *r, char **cause)
{
	sqlite3_stmt	*st;
	int		 rc;

	memset(r, 0, sizeof *r);
	st = store_stmt(s, STORE_C_CONFIRM_GET, "SELECT token, command, "
	    "platform, channel, user, created, expires, used_at, used_by, "
	    "used_by_name, outcome FROM confirmations WHERE token = ?", cause);
	if (st == NULL)
		return -1;
	store_bind_text(st, 1, token);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		r->token = confirm_col(st, 0);
		r->command = confirm_col(st, 1);
		r->platform = confirm_col(st, 2);
		r->channel = confirm_col(st, 3);
		r->user = confirm_col(st, 4);
		r->created_ms = sqlite3_column_int64(st, 5);
		r->expires_ms = sqlite3_column_int64(st, 6);
		r->used_ms = sqlite3_column_int64(st, 7);
		r->used_by = confirm_col(st, 8);
		r->used_by_name = confirm_col(st, 9);
		r->outcome = confirm_col(st, 10);
		sqlite3_reset(st);
		return 1;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return store_err(s, cause, "cannot read a confirmation");
	return 0;
}

int
store_confirm_claim(struct store *s, const char *token, int64_t now_ms,
    const char *user_id, const char *user_name, char **cause)
{
	sqlite3_stmt	*st;

	st = store_stmt(s, STORE_C_CONFIRM_CLAIM, "UPDATE confirmations SET "
	    "used_at = ?2, used_by = ?3, used_by_name = ?4 WHERE token = ?1 "
	    "AND used_at IS NULL AND expires > ?2", cause);
	if (st == NULL)
		return -1;
	store_bind_text(st, 1, token);
	sqlite3_bind_int64(st, 2, now_ms);
	store_bind_text(st, 3, user_id);
	store_bind_text(st, 4, user_name);
	if (store_step_done(s, st, cause, "cannot use a confirmation") != 0)
		return -1;
	return store_changes(s) == 1;
}

int
store_confirm_outcome(struct store *s, const char *token,
    const char *outcome, char **cause)
{
	sqlite3_stmt	*st;

	st = store_stmt(s, STORE_C_CONFIRM_OUTCOME, "UPDATE confirmations SET "
	    "outcome = ? WHERE token = ?", cause);
	if (st == NULL)
		return -1;
	store_bind_text(st, 1, outcome);
	store_bind_text(st, 2, token);
	return store_step_done(s, st, cause, "cannot record a confirmation");
}

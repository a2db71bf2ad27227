/*
 * The audit trail's SQL: writing a row into the hash chain, and reading
 * the trail back (see store_audit.h).
 */

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>

#include "buf.h"
#include "cause.h"
#include "store.h"
#include "store_audit.h"
#include "store_chain.h"
#include "store_int.h"

#define STORE_AUDIT_PAGE	20

/*
 * Shared by the page and the count, so both see the same rows. A NULL
 * parameter switches its test off. The command's name is the line's
 * first word without its '/'; a target is a whole word of the line, where
 * '=' and ',' also end words ("host=web1", "web1,db1").
 */
#define STORE_AUDIT_WHERE						\
	" FROM audit WHERE"						\
	" (?1 IS NULL OR user = ?1 OR user_name = ?1 COLLATE NOCASE)"	\
	" AND (?2 IS NULL OR ltrim(substr(command, 1, CASE"		\
	"  instr(command, ' ') WHEN 0 THEN length(command)"		\
	"  ELSE instr(command, ' ') - 1 END), '/') IN (?2, ?3))"		\
	" AND (?4 IS NULL OR ts >= ?4)"					\
	" AND (?15 IS NULL OR id <= ?15)"				\
	" AND (?5 IS NULL OR EXISTS (SELECT 1 FROM (VALUES (?5), (?6),"	\
	"  (?7), (?8), (?9), (?10), (?11), (?12)) AS w WHERE"		\
	"  w.column1 IS NOT NULL AND ' ' || replace(replace(command,"	\
	"  '=', ' '), ',', ' ') || ' ' LIKE '% ' || w.column1 || ' %'"	\
	"  ESCAPE '\\'))"

/* A word for LIKE: its % _ and \ match only themselves. */
static void
store_audit_bind_word(sqlite3_stmt *st, int i, const char *w)
{
	struct buf	 b;

	if (w == NULL) {
		sqlite3_bind_null(st, i);
		return;
	}
	buf_init(&b);
	for (; *w != '\0'; w++) {
		if (*w == '%' || *w == '_' || *w == '\\')
			buf_addc(&b, '\\');
		buf_addc(&b, *w);
	}
	store_bind_text(st, i, b.data);
	buf_release(&b);
}

static void
store_audit_bind(sqlite3_stmt *st, const struct store_audit_filter *f)
{
	int	 i;

	store_bind_text(st, 1, f->user);
	store_bind_text(st, 2, f->names[0]);
	store_bind_text(st, 3, f->names[1]);
	if (f->since_ms > 0)
		sqlite3_bind_int64(st, 4, f->since_ms);
	for (i = 0; i < STORE_AUDIT_WORDS_MAX; i++)
		store_audit_bind_word(st, 5 + i, f->words[i]);
	if (f->upto_id > 0)
		sqlite3_bind_int64(st, 15, f->upto_id);
}

int
store_audit_find(struct store *s, const struct store_audit_filter *f,
    store_audit_cb cb, void *arg, int64_t *total, int64_t *last_id,
    char **cause)
{
	struct store_audit_row	 r;
	sqlite3_stmt		*st;
	int			 rc;

	if (total != NULL || last_id != NULL) {
		st = store_stmt(s, STORE_C_AUDIT_COUNT, "SELECT count(*), "
		    "ifnull(max(id), 0)" STORE_AUDIT_WHERE, cause);
		if (st == NULL)
			return -1;
		store_audit_bind(st, f);
		while ((rc = store_next_row(s, st, "cannot count audit rows",
		    cause)) > 0) {
			if (total != NULL)
				*total = sqlite3_column_int64(st, 0);
			if (last_id != NULL)
				*last_id = sqlite3_column_int64(st, 1);
		}
		if (rc < 0)
			return -1;
	}
	st = store_stmt(s, STORE_C_AUDIT_FIND, "SELECT id, ts, platform, "
	    "user, user_name, channel, command, outcome, detail, duration_ms, "
	    "via" STORE_AUDIT_WHERE " ORDER BY ts DESC, id DESC "
	    "LIMIT ?13 OFFSET ?14", cause);
	if (st == NULL)
		return -1;
	store_audit_bind(st, f);
	sqlite3_bind_int(st, 13, f->limit > 0 ? f->limit : STORE_AUDIT_PAGE);
	sqlite3_bind_int(st, 14, f->offset > 0 ? f->offset : 0);
	while ((rc = store_next_row(s, st, "cannot read the audit trail",
	    cause)) > 0) {
		r.id = sqlite3_column_int64(st, 0);
		r.ts_ms = sqlite3_column_int64(st, 1);
		r.platform = store_col_text(st, 2);
		r.user_id = store_col_text(st, 3);
		r.user_name = store_col_text(st, 4);
		r.channel = store_col_text(st, 5);
		r.command = store_col_text(st, 6);
		r.outcome = store_col_text(st, 7);
		r.detail = store_col_text(st, 8);
		r.duration_ms = sqlite3_column_int64(st, 9);
		r.via = store_col_text(st, 10);
		cb(arg, &r);
	}
	return rc < 0 ? -1 : 0;
}

/*
 * The next id is one past both the last row and what retention pruned
 * (the anchor), so an emptied table never reuses an id. The row links to
 * the last row's hash, or, when there is none (an empty table, or only
 * rows from before the chain), to the anchor's, or to the genesis value.
 */
int
store_audit_append(struct store *s, const struct audit_entry *e,
    char **cause)
{
	sqlite3_stmt	*st;

	st = store_stmt(s, STORE_C_AUDIT_APPEND, "INSERT INTO audit ("
	    STORE_CHAIN_COLUMNS ", hash) SELECT n.prev, n.id, ?1, ?2, ?3, ?4, "
	    "?5, ?6, ?7, ?8, ?9, ?10, ?11, opsbot_audit_hash(n.prev, n.id, "
	    "?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) FROM (SELECT "
	    "max(ifnull((SELECT max(id) FROM audit), 0), ifnull((SELECT "
	    "pruned_upto FROM audit_anchor WHERE id = 1), 0)) + 1 AS id, "
	    "coalesce((SELECT hash FROM audit ORDER BY id DESC LIMIT 1), "
	    "(SELECT hash FROM audit_anchor WHERE id = 1), '"
	    STORE_CHAIN_GENESIS "') AS prev) AS n", cause);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, e->ts_ms);
	store_bind_text(st, 2, e->platform);
	store_bind_text(st, 3, e->user_id);
	store_bind_text(st, 4, e->user_name);
	store_bind_text(st, 5, e->channel);
	store_bind_text(st, 6, e->command);
	store_bind_text(st, 7, e->outcome);
	store_bind_text(st, 8, e->detail);
	sqlite3_bind_int64(st, 9, e->duration_ms);
	store_bind_text(st, 10, e->via != NULL ? e->via : "typed");
	store_bind_text(st, 11, e->thread);
	return store_step_done(s, st, cause, "cannot append audit row");
}

int64_t
store_audit_count(struct store *s)
{
	sqlite3_stmt	*st;
	int64_t		 n = -1;

	st = store_stmt(s, STORE_C_AUDIT_TOTAL, "SELECT count(*) FROM audit",
	    NULL);
	if (st == NULL)
		return -1;
	if (store_next_row(s, st, "cannot count audit rows", NULL) > 0) {
		n = sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
	}
	return n;
}

int
store_audit_tail(struct store *s, int64_t *id, char *hash, size_t len,
    char **cause)
{
	sqlite3_stmt	*st;
	const char	*h;
	int		 rc;

	st = store_stmt(s, STORE_C_AUDIT_TAIL, "SELECT id, hash FROM audit "
	    "ORDER BY id DESC LIMIT 1", cause);
	if (st == NULL)
		return -1;
	*id = 0;
	if (len > 0)
		*hash = '\0';
	while ((rc = store_next_row(s, st, "cannot read the audit", cause)) >
	    0) {
		*id = sqlite3_column_int64(st, 0);
		if ((h = store_col_text(st, 1)) != NULL && len > 0)
			snprintf(hash, len, "%s", h);
	}
	return rc < 0 ? -1 : 0;
}

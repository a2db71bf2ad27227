/* The SQL of the runbook library's index (see store_runbooks.h). */

#include <sqlite3.h>
#include <stdlib.h>

#include "buf.h"
#include "store.h"
#include "store_int.h"
#include "store_runbooks.h"

int
store_runbook_remove(struct store *s, const char *path, char **cause)
{
	sqlite3_stmt	*st;

	/* The words first: they are found through the file's id. */
	st = store_stmt(s, STORE_C_RUNBOOK_DEL_FTS, "DELETE FROM runbooks_fts "
	    "WHERE rowid IN (SELECT id FROM runbook_files WHERE path = ?1)",
	    cause);
	if (st == NULL)
		return -1;
	store_bind_text(st, 1, path);
	if (store_step_done(s, st, cause, "cannot drop a runbook") != 0)
		return -1;
	st = store_stmt(s, STORE_C_RUNBOOK_DEL_FILE, "DELETE FROM "
	    "runbook_files WHERE path = ?1", cause);
	if (st == NULL)
		return -1;
	store_bind_text(st, 1, path);
	return store_step_done(s, st, cause, "cannot drop a runbook");
}

int
store_runbook_put(struct store *s, const char *path, int64_t mtime,
    int64_t size, const char *title, const char *body, char **cause)
{
	sqlite3_stmt	*st;
	int64_t		 id;

	if (store_runbook_remove(s, path, cause) != 0)
		return -1;
	st = store_stmt(s, STORE_C_RUNBOOK_ADD_FILE, "INSERT INTO "
	    "runbook_files (path, mtime, size, title) VALUES (?1, ?2, ?3, ?4)",
	    cause);
	if (st == NULL)
		return -1;
	store_bind_text(st, 1, path);
	sqlite3_bind_int64(st, 2, mtime);
	sqlite3_bind_int64(st, 3, size);
	store_bind_text(st, 4, title);
	if (store_step_done(s, st, cause, "cannot index a runbook") != 0)
		return -1;
	id = store_last_insert_id(s);
	st = store_stmt(s, STORE_C_RUNBOOK_ADD_FTS, "INSERT INTO runbooks_fts "
	    "(rowid, title, path, body) VALUES (?1, ?2, ?3, ?4)", cause);
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	store_bind_text(st, 2, title);
	store_bind_text(st, 3, path);
	store_bind_text(st, 4, body);
	return store_step_done(s, st, cause, "cannot index a runbook");
}

int
store_runbook_files(struct store *s, store_runbook_cb cb, void *arg,
    char **cause)
{
	struct store_runbook	 r = { 0 };
	sqlite3_stmt		*st;
	int			 rc;

	st = store_stmt(s, STORE_C_RUNBOOK_FILES, "SELECT path, title, mtime, "
	    "size FROM runbook_files ORDER BY title COLLATE NOCASE, path",
	    cause);
	if (st == NULL)
		return -1;
	while ((rc = store_next_row(s, st, "cannot list runbooks",
	    cause)) > 0) {
		r.path = store_col_text(st, 0);
		r.title = store_col_text(st, 1);
		r.mtime = sqlite3_column_int64(st, 2);
		r.size = sqlite3_column_int64(st, 3);
		cb(arg, &r);
	}
	return rc;
}

int
store_runbook_search(struct store *s, const char *match, int limit,
    store_runbook_cb cb, void *arg, char **cause)
{
	struct store_runbook	 r = { 0 };
	sqlite3_stmt		*st;
	int			 rc, n = 0;

	/*
	 * bm25 weighs a word in the title above one in the path, and both
	 * above the body: "restart payment" should find the document named
	 * so before one that mentions it in passing.
	 */
	st = store_stmt(s, STORE_C_RUNBOOK_SEARCH, "SELECT f.path, f.title, "
	    "f.mtime, f.size, snippet(runbooks_fts, 2, '*', '*', '…', 16) "
	    "FROM runbooks_fts JOIN runbook_files f ON f.id = "
	    "runbooks_fts.rowid WHERE runbooks_fts MATCH ?1 "
	    "ORDER BY bm25(runbooks_fts, 10.0, 3.0, 1.0) LIMIT ?2", cause);
	if (st == NULL)
		return -1;
	store_bind_text(st, 1, match);
	sqlite3_bind_int(st, 2, limit > 0 ? limit : 5);
	while ((rc = store_next_row(s, st, "cannot search runbooks",
	    cause)) > 0) {
		r.path = store_col_text(st, 0);
		r.title = store_col_text(st, 1);
		r.mtime = sqlite3_column_int64(st, 2);
		r.size = sqlite3_column_int64(st, 3);
		r.snippet = store_col_text(st, 4);
		cb(arg, &r);
		n++;
	}
	return rc < 0 ? -1 : n;
}

char *
store_runbook_match(const char *text, int any)
{
	struct buf	 b;
	const char	*p;
	int		 words = 0;

	buf_init(&b);
	for (p = text; *p != '\0';) {
		if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') {
			p++;
			continue;
		}
		if (words++ > 0)
			buf_adds(&b, any ? " OR " : " ");
		/* A string is never an operator, a column filter or a prefix. */
		buf_addc(&b, '"');
		for (; *p != '\0' && *p != ' ' && *p != '\t' && *p != '\n' &&
		    *p != '\r'; p++) {
			if (*p == '"')
				buf_addc(&b, '"');
			buf_addc(&b, *p);
		}
		buf_addc(&b, '"');
	}
	if (words == 0) {
		buf_release(&b);
		return NULL;
	}
	return buf_detach(&b);
}

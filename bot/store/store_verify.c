/*
 * opsbot --verify-audit's walk of the hash chain (see store_chain.h).
 *
 * The rows are read in id order with their hash computed again by the
 * same SQL function the writer used. The first row whose link or hash
 * does not hold stops the walk, and a few look-ups say what happened
 * there: a row whose fields no longer give its hash was edited; one
 * that holds but links to a row that is gone follows deleted rows; one
 * that links to an earlier row than the one before it follows inserted
 * rows; one that links to a later row, or gives its hash only under
 * another id, was moved.
 */

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cause.h"
#include "store_chain.h"
#include "store_int.h"
#include "xmalloc.h"

struct verify {
	sqlite3		*db;
	sqlite3_stmt	*by_hash;	/* the row whose hash is ?1 */
	sqlite3_stmt	*next;		/* the row after ?1 */
	sqlite3_stmt	*as_id;		/* row ?1's hash were its id ?2 */
	sqlite3_stmt	*row;		/* row ?1 */
};

/* A row as the walk sees it; text copied (the statement moves on). */
struct vrow {
	int64_t	 id;
	int64_t	 ts;
	char	 prev[SHA256_HEX_LEN + 1];	/* "" if NULL */
	char	 hash[SHA256_HEX_LEN + 1];	/* "" if NULL */
	char	 calc[SHA256_HEX_LEN + 1];	/* what its fields give */
};

/*
 * Every hash buffer here is SHA256_HEX_LEN + 1 bytes: a copy is cut to
 * it (a stored hash of another length is then simply not equal); a NULL
 * column is "".
 */
static void
hcopy(char *dst, const char *src)
{
	snprintf(dst, SHA256_HEX_LEN + 1, "%s", src != NULL ? src : "");
}

/* Columns id, ts, prev_hash, hash, recomputed hash into r. */
static void
vread(sqlite3_stmt *st, struct vrow *r)
{
	r->id = sqlite3_column_int64(st, 0);
	r->ts = sqlite3_column_int64(st, 1);
	hcopy(r->prev, (const char *)sqlite3_column_text(st, 2));
	hcopy(r->hash, (const char *)sqlite3_column_text(st, 3));
	hcopy(r->calc, (const char *)sqlite3_column_text(st, 4));
}

#define VROW_SELECT							\
	"SELECT id, ts, prev_hash, hash, opsbot_audit_hash("		\
	STORE_CHAIN_COLUMNS ") FROM audit"

/* The id of the row whose hash is h, or 0. */
static int64_t
verify_by_hash(struct verify *vf, const char *h)
{
	int64_t	 id = 0;

	sqlite3_reset(vf->by_hash);
	sqlite3_bind_text(vf->by_hash, 1, h, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(vf->by_hash) == SQLITE_ROW)
		id = sqlite3_column_int64(vf->by_hash, 0);
	sqlite3_reset(vf->by_hash);
	return id;
}

/* The row after id into r; 0 if there is none. */
static int
verify_next(struct verify *vf, int64_t id, struct vrow *r)
{
	int	 found;

	sqlite3_reset(vf->next);
	sqlite3_bind_int64(vf->next, 1, id);
	if ((found = sqlite3_step(vf->next) == SQLITE_ROW))
		vread(vf->next, r);
	sqlite3_reset(vf->next);
	return found;
}

/* Row id, or 0 if it is gone. */
static int
verify_row(struct verify *vf, int64_t id, struct vrow *r)
{
	int	 found;

	sqlite3_reset(vf->row);
	sqlite3_bind_int64(vf->row, 1, id);
	if ((found = sqlite3_step(vf->row) == SQLITE_ROW))
		vread(vf->row, r);
	sqlite3_reset(vf->row);
	return found;
}

/* Does row id give its hash were its id as_id? */
static int
verify_as_id(struct verify *vf, int64_t id, int64_t as_id, const char *hash)
{
	const unsigned char	*t;
	int			 same = 0;

	sqlite3_reset(vf->as_id);
	sqlite3_bind_int64(vf->as_id, 1, id);
	sqlite3_bind_int64(vf->as_id, 2, as_id);
	if (sqlite3_step(vf->as_id) == SQLITE_ROW &&
	    (t = sqlite3_column_text(vf->as_id, 0)) != NULL)
		same = strcmp((const char *)t, hash) == 0;
	sqlite3_reset(vf->as_id);
	return same;
}

static void
verify_broken(struct store_audit_verdict *v, int64_t id, int64_t ts,
    char *what)
{
	v->broken = 1;
	v->bad_id = id;
	v->bad_ts_ms = ts;
	v->what = what;
}

/*
 * The chain breaks at r: prev is what r should link to, last the id of
 * the last row that held (0: the chain's start). Says what happened.
 */
static void
verify_explain(struct verify *vf, struct store_audit_verdict *v,
    const struct vrow *r, const char *prev, int64_t last)
{
	struct vrow	 n, q;
	int64_t		 qid = 0;
	char		*what;
	int		 has_next;

	q.id = 0;
	if (*r->hash == '\0') {
		verify_broken(v, r->id, r->ts, xstrdup("the row has no hash "
		    "although rows before it do: it was added outside the "
		    "bot, or its hash was cleared"));
		return;
	}
	if (*r->prev != '\0')
		qid = verify_by_hash(vf, r->prev);
	has_next = verify_next(vf, r->id, &n);
	if (strcmp(r->calc, r->hash) != 0) {
		/* Its own hash fails: edited, moved, or not the bot's. */
		if (qid > 0 && qid + 1 != r->id &&
		    verify_as_id(vf, r->id, qid + 1, r->hash)) {
			if (verify_row(vf, qid + 1, &q) &&
			    strcmp(q.calc, q.hash) == 0)
				/* Renumbered to make room for q, which holds. */
				xasprintf(&what, "inserted: the row is not part "
				    "of the chain; row %lld was written as row "
				    "%lld, right after row %lld, and renumbered",
				    (long long)r->id, (long long)q.id,
				    (long long)qid);
			else
				xasprintf(&what, "reordered: the row was "
				    "written as row %lld, right after row %lld; "
				    "its id was changed", (long long)(qid + 1),
				    (long long)qid);
			if (q.id == qid + 1 && q.id < r->id)
				verify_broken(v, q.id, q.ts, what);
			else
				verify_broken(v, r->id, r->ts, what);
		} else if (has_next && strcmp(n.prev, r->hash) == 0 &&
		    strcmp(r->prev, prev) == 0)
			/* The next row links to its hash: its fields moved. */
			verify_broken(v, r->id, r->ts, xstrdup("edited: a field "
			    "of the row (time, user, channel, command, "
			    "outcome, detail, ...) was changed after it was "
			    "written; its fields no longer give its hash"));
		else if (has_next && strcmp(n.prev, prev) == 0) {
			xasprintf(&what, "inserted: the row is not part of the "
			    "chain (row %lld links to %s)", (long long)n.id,
			    last > 0 ? "the row before it" : "the chain's "
			    "start");
			verify_broken(v, r->id, r->ts, what);
		} else if (strcmp(r->prev, prev) == 0)
			verify_broken(v, r->id, r->ts, xstrdup("edited: a field "
			    "of the row was changed after it was written; its "
			    "fields no longer give its hash"));
		else
			verify_broken(v, r->id, r->ts, xstrdup("rewritten: "
			    "neither the row's link to the row before it nor "
			    "its hash holds"));
		return;
	}
	/* The row holds in itself, but links elsewhere. */
	if (qid > r->id) {
		xasprintf(&what, "reordered: the row was written after row "
		    "%lld, which now comes after it", (long long)qid);
		verify_broken(v, r->id, r->ts, what);
	} else if (qid > 0 && qid < last) {
		/* The rows after qid were put between it and r. */
		if (verify_next(vf, qid, &q)) {
			xasprintf(&what, "inserted: rows %lld to %lld are not "
			    "part of the chain (row %lld was written right "
			    "after row %lld)", (long long)q.id, (long long)last,
			    (long long)r->id, (long long)qid);
			verify_broken(v, q.id, q.ts, what);
		} else
			verify_broken(v, r->id, r->ts, xstrdup("inserted"));
	} else if (last == 0 && v->anchor_upto == 0) {
		xasprintf(&what, "deleted: the rows before it are missing, and "
		    "no retention pass recorded pruning them");
		verify_broken(v, r->id, r->ts, what);
	} else if (r->id == last + 2) {
		xasprintf(&what, "deleted: row %lld, written before it, is "
		    "missing", (long long)(last + 1));
		verify_broken(v, r->id, r->ts, what);
	} else if (r->id > last + 2) {
		xasprintf(&what, "deleted: rows %lld to %lld, written before "
		    "it, are missing", (long long)(last + 1),
		    (long long)(r->id - 1));
		verify_broken(v, r->id, r->ts, what);
	} else
		verify_broken(v, r->id, r->ts, xstrdup("deleted: a row written "
		    "before it is missing (and the ids after it were "
		    "renumbered)"));
}

/* The tail recorded earlier ("ID:HASH") is still in the chain. */
static void
verify_tail(struct verify *vf, struct store_audit_verdict *v,
    const char *tail)
{
	struct vrow	 r;
	char		*end, *what;
	long long	 id = strtoll(tail, &end, 10);

	if (end == tail || *end != ':' || id <= 0 ||
	    strlen(end + 1) != SHA256_HEX_LEN) {
		verify_broken(v, 0, 0, xstrdup("the tail to check is not "
		    "ID:HASH (as --verify-audit prints it)"));
		return;
	}
	if (id < v->anchor_upto)
		return;	/* pruned since: the anchor vouches for the rest */
	if (id == v->anchor_upto) {
		if (strcmp(v->anchor_hash, end + 1) != 0)
			verify_broken(v, id, 0, xstrdup("rewritten: the hash "
			    "retention recorded for the row is not the one "
			    "recorded earlier for it"));
		return;
	}
	if (!verify_row(vf, id, &r)) {
		xasprintf(&what, "truncated: row %lld, the tail recorded "
		    "earlier, is gone; the chain now ends at row %lld", id,
		    (long long)v->tail_id);
		verify_broken(v, id, 0, what);
	} else if (strcmp(r.hash, end + 1) != 0)
		verify_broken(v, id, r.ts, xstrdup("rewritten: the row's hash "
		    "is not the one recorded earlier for it"));
}

/* The walk proper, inside the read transaction. */
static int
verify_walk(struct verify *vf, const char *tail,
    struct store_audit_verdict *v, char **cause)
{
	sqlite3_stmt	*st = NULL;
	struct vrow	 r;
	char		 prev[SHA256_HEX_LEN + 1];
	int64_t		 last = 0;
	int		 rc, started = 0;

	hcopy(prev, STORE_CHAIN_GENESIS);
	if (sqlite3_prepare_v2(vf->db, "SELECT pruned_upto, hash, at FROM "
	    "audit_anchor WHERE id = 1", -1, &st, NULL) != SQLITE_OK)
		goto fail;
	if (sqlite3_step(st) == SQLITE_ROW) {
		v->anchor_upto = sqlite3_column_int64(st, 0);
		hcopy(prev, (const char *)sqlite3_column_text(st, 1));
		hcopy(v->anchor_hash, prev);
		v->anchor_at_ms = sqlite3_column_int64(st, 2);
	}
	sqlite3_finalize(st);
	hcopy(v->tail_hash, prev);
	if (sqlite3_prepare_v2(vf->db, VROW_SELECT " ORDER BY id", -1, &st,
	    NULL) != SQLITE_OK)
		goto fail;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		vread(st, &r);
		if (r.id <= v->anchor_upto) {
			verify_broken(v, r.id, r.ts, xstrdup("inserted: the "
			    "row's id is within the prefix retention pruned"));
			break;
		}
		/* Rows from before v8: the legacy prefix, unchained. */
		if (!started && *r.hash == '\0' && *r.prev == '\0') {
			v->legacy++;
			continue;
		}
		started = 1;
		if (*r.hash == '\0' || strcmp(r.prev, prev) != 0 ||
		    strcmp(r.calc, r.hash) != 0) {
			verify_explain(vf, v, &r, prev, last);
			break;
		}
		v->checked++;
		last = r.id;
		v->tail_id = r.id;
		hcopy(v->tail_hash, r.hash);
		hcopy(prev, r.hash);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		goto fail;
	/* Every chained row pruned: the anchor's row is the tail. */
	if (v->tail_id == 0)
		v->tail_id = v->anchor_upto;
	if (!v->broken && tail != NULL)
		verify_tail(vf, v, tail);
	return 0;
fail:
	cause_set(cause, "cannot read the audit trail: %s",
	    sqlite3_errmsg(vf->db));
	return -1;
}

int
store_audit_verify(const char *path, const char *tail,
    struct store_audit_verdict *v, char **cause)
{
	struct verify	 vf;
	sqlite3_stmt	*st;
	int		 ret = -1, version = 0;

	memset(v, 0, sizeof *v);
	memset(&vf, 0, sizeof vf);
	/* Read-write only so that WAL's shared memory works; nothing is
	 * written, and without CREATE a missing file is an error. */
	if (sqlite3_open_v2(path, &vf.db, SQLITE_OPEN_READWRITE, NULL) !=
	    SQLITE_OK) {
		cause_set(cause, "%s: %s", path, vf.db != NULL ?
		    sqlite3_errmsg(vf.db) : "cannot open");
		goto out;
	}
	sqlite3_busy_timeout(vf.db, 5000);
	if (store_chain_register(vf.db, cause) != 0)
		goto out;
	/* One snapshot for the whole walk, while the bot goes on writing. */
	if (sqlite3_exec(vf.db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(vf.db, "PRAGMA user_version", -1, &st, NULL) !=
	    SQLITE_OK) {
		cause_set(cause, "%s: not a readable store: %s", path,
		    sqlite3_errmsg(vf.db));
		goto out;
	}
	if (sqlite3_step(st) == SQLITE_ROW)
		version = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (version < 8) {
		/* No chain yet: every row is legacy (the bot migrates). */
		if (sqlite3_prepare_v2(vf.db, "SELECT count(*) FROM audit", -1,
		    &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
			v->legacy = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
		hcopy(v->tail_hash, STORE_CHAIN_GENESIS);
		ret = 0;
		goto out;
	}
	if (sqlite3_prepare_v2(vf.db, "SELECT id FROM audit WHERE hash = ?1 "
	    "ORDER BY id LIMIT 1", -1, &vf.by_hash, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(vf.db, VROW_SELECT " WHERE id > ?1 ORDER BY id "
	    "LIMIT 1", -1, &vf.next, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(vf.db, VROW_SELECT " WHERE id = ?1", -1,
	    &vf.row, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(vf.db, "SELECT opsbot_audit_hash(prev_hash, ?2, "
	    "ts, platform, user, user_name, channel, command, outcome, detail, "
	    "duration_ms, via, thread) FROM audit WHERE id = ?1", -1,
	    &vf.as_id, NULL) != SQLITE_OK) {
		cause_set(cause, "%s: not a readable store: %s", path,
		    sqlite3_errmsg(vf.db));
		goto out;
	}
	ret = verify_walk(&vf, tail, v, cause);
out:
	sqlite3_finalize(vf.by_hash);
	sqlite3_finalize(vf.next);
	sqlite3_finalize(vf.row);
	sqlite3_finalize(vf.as_id);
	if (vf.db != NULL)
		sqlite3_exec(vf.db, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(vf.db);
	return ret;
}

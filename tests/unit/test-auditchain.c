/*
 * The audit trail's hash chain: rows written by the store chain to each
 * other, and store_audit_verify finds an edited, deleted, inserted or
 * moved row, a truncated tail (given the tail recorded before), and
 * passes a clean chain, one with legacy rows, one after a rollback and
 * one whose prefix retention pruned. Tampering goes through a second
 * connection, as a person with the file would.
 */

#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "store.h"
#include "store_chain.h"
#include "store_int.h"
#include "store_retention.h"
#include "test.h"

#define NOW	1795305600000LL		/* 2026-11-23 */
#define DAY	(24LL * 3600 * 1000)

static const char *
db_path(const char *name)
{
	static char	 path[512];

	snprintf(path, sizeof path, "%s/%s", test_tmpdir(), name);
	remove(path);
	return path;
}

/* Runs sql (printf-style) on a second connection that can hash rows. */
static void
sql(const char *path, const char *fmt, ...)
{
	sqlite3	*db;
	char	*q, *err = NULL;
	va_list	 ap;

	va_start(ap, fmt);
	q = sqlite3_vmprintf(fmt, ap);
	va_end(ap);
	ASSERT_INT_EQ(sqlite3_open(path, &db), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	ASSERT_INT_EQ(store_chain_register(db, NULL), 0);
	if (sqlite3_exec(db, q, NULL, NULL, &err) != SQLITE_OK)
		TEST_FAIL("%s: %s", q, err);
	sqlite3_free(q);
	sqlite3_close(db);
}

static void
append(struct store *s, int64_t ts, const char *cmd)
{
	struct audit_entry	 e = {
		.ts_ms = ts, .platform = "slack", .user_id = "U1",
		.user_name = "alice", .channel = "C1", .command = cmd,
		.outcome = "ok", .duration_ms = 3,
	};
	char			*cause = NULL;

	if (store_audit_append(s, &e, &cause) != 0)
		TEST_FAIL("append: %s", cause);
}

/* The first column of the first row, as an integer. */
static long long
scalar(const char *path, const char *q)
{
	sqlite3		*db;
	sqlite3_stmt	*st;
	long long	 n = -1;

	ASSERT_INT_EQ(sqlite3_open(path, &db), SQLITE_OK);
	ASSERT_INT_EQ(sqlite3_prepare_v2(db, q, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return n;
}

/* A new store with n rows, one a minute from NOW - 30 days; closed. */
static void
chain_of(const char *path, int n)
{
	struct store	*s;
	char		 cmd[512];
	int		 i;

	remove(path);
	snprintf(cmd, sizeof cmd, "%s-wal", path);
	remove(cmd);
	snprintf(cmd, sizeof cmd, "%s-shm", path);
	remove(cmd);
	s = store_open(path, NULL);
	ASSERT_NOT_NULL(s);
	for (i = 1; i <= n; i++) {
		snprintf(cmd, sizeof cmd, "/disk web%d", i);
		append(s, NOW - 30 * DAY + i * 60000LL, cmd);
	}
	store_close(s);
}

static void
verify(const char *path, const char *tail, struct store_audit_verdict *v)
{
	char	*cause = NULL;

	if (store_audit_verify(path, tail, v, &cause) != 0)
		TEST_FAIL("verify: %s", cause);
}

#define ASSERT_BROKEN_AT(v, id, text) do {				\
	ASSERT_INT_EQ((v).broken, 1);					\
	ASSERT_INT_EQ((v).bad_id, (id));				\
	ASSERT_CONTAINS((v).what, (text));				\
	free((v).what);							\
} while (0)

/* The encoding docs/operations.md gives, written out by hand. */
static void
enc_int(struct sha256 *h, int64_t v)
{
	uint8_t	 b[9];
	int	 i;

	b[0] = 0x01;
	for (i = 0; i < 8; i++)
		b[1 + i] = (uint8_t)((uint64_t)v >> (56 - 8 * i));
	sha256_update(h, b, sizeof b);
}

static void
enc_text(struct sha256 *h, const char *t)
{
	uint8_t	 b[9];
	size_t	 n;
	int	 i;

	if (t == NULL) {
		sha256_update(h, "", 1);
		return;
	}
	n = strlen(t);
	b[0] = 0x03;
	for (i = 0; i < 8; i++)
		b[1 + i] = (uint8_t)((uint64_t)n >> (56 - 8 * i));
	sha256_update(h, b, sizeof b);
	sha256_update(h, t, n);
}

/*
 * The hash is the documented one, so a verifier of one's own (or a
 * later opsbot) can recompute it: SHA-256 over prev_hash, id, ts,
 * platform, user, user_name, channel, command, outcome, detail,
 * duration_ms, via, thread, each with its kind and length.
 */
TEST(hash_is_the_documented_encoding)
{
	const char	*path = db_path("encoding.db");
	struct sha256	 h;
	uint8_t		 d[SHA256_LEN];
	char		 hex[SHA256_HEX_LEN + 1], q[256];
	struct store	*s;
	sqlite3		*db;
	sqlite3_stmt	*st;

	chain_of(path, 1);
	sha256_init(&h);
	enc_text(&h, STORE_CHAIN_GENESIS);
	enc_int(&h, 1);
	enc_int(&h, NOW - 30 * DAY + 60000LL);
	enc_text(&h, "slack");
	enc_text(&h, "U1");
	enc_text(&h, "alice");
	enc_text(&h, "C1");
	enc_text(&h, "/disk web1");
	enc_text(&h, "ok");
	enc_text(&h, NULL);
	enc_int(&h, 3);
	enc_text(&h, "typed");
	enc_text(&h, NULL);
	sha256_final(&h, d);
	sha256_hex(d, hex);
	snprintf(q, sizeof q, "SELECT count(*) FROM audit WHERE id = 1 AND "
	    "hash = '%s'", hex);
	ASSERT_INT_EQ(scalar(path, q), 1);

	/* A thread, as the incident's commands carry it, is covered too. */
	s = store_open(path, NULL);
	ASSERT_NOT_NULL(s);
	{
		struct audit_entry e = { .ts_ms = 5, .platform = "slack",
		    .user_id = "U1", .channel = "C1", .command = "/x",
		    .outcome = "ok", .thread = "1700000000.000100" };

		ASSERT_INT_EQ(store_audit_append(s, &e, NULL), 0);
	}
	store_close(s);
	ASSERT_INT_EQ(sqlite3_open(path, &db), SQLITE_OK);
	ASSERT_INT_EQ(sqlite3_prepare_v2(db, "SELECT prev_hash, hash FROM "
	    "audit WHERE id = 2", -1, &st, NULL), SQLITE_OK);
	ASSERT_INT_EQ(sqlite3_step(st), SQLITE_ROW);
	ASSERT_STR_EQ((const char *)sqlite3_column_text(st, 0), hex);
	sha256_init(&h);
	enc_text(&h, hex);
	enc_int(&h, 2);
	enc_int(&h, 5);
	enc_text(&h, "slack");
	enc_text(&h, "U1");
	enc_text(&h, NULL);
	enc_text(&h, "C1");
	enc_text(&h, "/x");
	enc_text(&h, "ok");
	enc_text(&h, NULL);
	enc_int(&h, 0);
	enc_text(&h, "typed");
	enc_text(&h, "1700000000.000100");
	sha256_final(&h, d);
	sha256_hex(d, hex);
	ASSERT_STR_EQ((const char *)sqlite3_column_text(st, 1), hex);
	sqlite3_finalize(st);
	sqlite3_close(db);
	{
		struct store_audit_verdict v;

		verify(path, NULL, &v);
		ASSERT_INT_EQ(v.broken, 0);
		sql(path, "UPDATE audit SET thread = NULL WHERE id = 2");
		verify(path, NULL, &v);
		ASSERT_BROKEN_AT(v, 2, "edited");
	}
}

TEST(clean_chain_holds)
{
	const char			*path = db_path("clean.db");
	struct store_audit_verdict	 v;
	char				 tail[128];

	chain_of(path, 5);
	verify(path, NULL, &v);
	ASSERT_INT_EQ(v.broken, 0);
	ASSERT_INT_EQ(v.checked, 5);
	ASSERT_INT_EQ(v.legacy, 0);
	ASSERT_INT_EQ(v.tail_id, 5);
	ASSERT_INT_EQ(strlen(v.tail_hash), SHA256_HEX_LEN);
	/* The chain starts at the genesis value and links row to row. */
	snprintf(tail, sizeof tail, "5:%s", v.tail_hash);
	verify(path, tail, &v);
	ASSERT_INT_EQ(v.broken, 0);
	/* The row's own hash covers its id (so no row can be moved). */
	ASSERT_INT_EQ(scalar(path, "SELECT prev_hash = '" STORE_CHAIN_GENESIS
	    "' FROM audit WHERE id = 1"), 1);
	ASSERT_INT_EQ(scalar(path, "SELECT count(*) FROM audit a JOIN audit b "
	    "ON b.id = a.id + 1 WHERE b.prev_hash = a.hash"), 4);
}

TEST(edited_row_found)
{
	const char			*path = db_path("edited.db");
	struct store_audit_verdict	 v;

	chain_of(path, 5);
	sql(path, "UPDATE audit SET command = '/rerun payroll --confirm' "
	    "WHERE id = 3");
	verify(path, NULL, &v);
	ASSERT_INT_EQ(v.checked, 2);
	ASSERT_INT_EQ(v.bad_ts_ms, NOW - 30 * DAY + 3 * 60000LL);
	ASSERT_BROKEN_AT(v, 3, "edited: a field of the row");

	/* Any field: the user who ran it, or a NULL made empty. */
	chain_of(path, 5);
	sql(path, "UPDATE audit SET user_name = 'bob' WHERE id = 4");
	verify(path, NULL, &v);
	ASSERT_BROKEN_AT(v, 4, "edited");
	chain_of(path, 5);
	sql(path, "UPDATE audit SET detail = '' WHERE id = 2");
	verify(path, NULL, &v);
	ASSERT_BROKEN_AT(v, 2, "edited");
	/* The last row: no row after it to compare with, still found. */
	chain_of(path, 5);
	sql(path, "UPDATE audit SET outcome = 'denied' WHERE id = 5");
	verify(path, NULL, &v);
	ASSERT_BROKEN_AT(v, 5, "edited");
}

TEST(deleted_row_found)
{
	const char			*path = db_path("deleted.db");
	struct store_audit_verdict	 v;

	chain_of(path, 5);
	sql(path, "DELETE FROM audit WHERE id = 3");
	verify(path, NULL, &v);
	ASSERT_INT_EQ(v.checked, 2);
	ASSERT_BROKEN_AT(v, 4, "deleted: row 3, written before it, is "
	    "missing");
	chain_of(path, 6);
	sql(path, "DELETE FROM audit WHERE id IN (2, 3, 4)");
	verify(path, NULL, &v);
	ASSERT_BROKEN_AT(v, 5, "deleted: rows 2 to 4");
	/* A prefix deleted by hand: no anchor says it was pruned. */
	chain_of(path, 5);
	sql(path, "DELETE FROM audit WHERE id <= 2");
	verify(path, NULL, &v);
	ASSERT_BROKEN_AT(v, 3, "no retention pass recorded");
}

TEST(inserted_row_found)
{
	const char			*path = db_path("inserted.db");
	struct store_audit_verdict	 v;

	/* Without a hash, at the end. */
	chain_of(path, 5);
	sql(path, "INSERT INTO audit (ts, platform, user, channel, command, "
	    "outcome, duration_ms) VALUES (%lld, 'slack', 'U2', 'C1', "
	    "'/rerun payroll', 'ok', 1)", NOW);
	verify(path, NULL, &v);
	ASSERT_BROKEN_AT(v, 6, "has no hash");
	/* With a made-up hash, between rows 2 and 3 (ids moved up). */
	chain_of(path, 5);
	sql(path, "UPDATE audit SET id = id + 10 WHERE id >= 3");
	sql(path, "INSERT INTO audit (id, ts, platform, user, channel, "
	    "command, outcome, duration_ms, via, prev_hash, hash) VALUES (3, "
	    "%lld, 'slack', 'U2', 'C1', '/rerun payroll', 'ok', 1, 'typed', "
	    "(SELECT hash FROM audit WHERE id = 2), '%s')", NOW,
	    STORE_CHAIN_GENESIS);
	verify(path, NULL, &v);
	ASSERT_BROKEN_AT(v, 3, "inserted");
	/*
	 * With a hash made the bot's way, linked to row 2: it holds, and the
	 * row after it shows that it was written right after row 2.
	 */
	chain_of(path, 5);
	sql(path, "UPDATE audit SET id = id + 10 WHERE id >= 3");
	sql(path, "INSERT INTO audit (" STORE_CHAIN_COLUMNS ", hash) SELECT "
	    "p, 3, %lld, 'slack', 'U2', NULL, 'C1', '/rerun payroll', 'ok', "
	    "NULL, 1, 'typed', NULL, opsbot_audit_hash(p, 3, %lld, 'slack', "
	    "'U2', NULL, 'C1', '/rerun payroll', 'ok', NULL, 1, 'typed', NULL) "
	    "FROM (SELECT hash AS p FROM audit WHERE id = 2)", NOW, NOW);
	verify(path, NULL, &v);
	ASSERT_INT_EQ(v.checked, 3);
	ASSERT_BROKEN_AT(v, 3, "inserted: the row is not part of the chain; "
	    "row 13 was written as row 3, right after row 2");
}

TEST(reordered_row_found)
{
	const char			*path = db_path("moved.db");
	struct store_audit_verdict	 v;

	/* Row 2 moved to the end. */
	chain_of(path, 5);
	sql(path, "UPDATE audit SET id = 9 WHERE id = 2");
	verify(path, NULL, &v);
	ASSERT_BROKEN_AT(v, 3, "reordered: the row was written after row 9");
	/* Two rows' ids swapped. */
	chain_of(path, 5);
	sql(path, "UPDATE audit SET id = 100 WHERE id = 2;"
	    "UPDATE audit SET id = 2 WHERE id = 4;"
	    "UPDATE audit SET id = 4 WHERE id = 100");
	verify(path, NULL, &v);
	ASSERT_BROKEN_AT(v, 2, "reordered: the row was written as row 4");
}

/*
 * Cut from the end, the chain still holds: the store alone cannot show
 * it. A tail recorded before (as --verify-audit prints it) can.
 */
TEST(truncated_tail)
{
	const char			*path = db_path("cut.db");
	struct store_audit_verdict	 v;
	struct store			*s;
	char				 tail[128];

	chain_of(path, 5);
	verify(path, NULL, &v);
	snprintf(tail, sizeof tail, "%lld:%s", (long long)v.tail_id,
	    v.tail_hash);
	sql(path, "DELETE FROM audit WHERE id >= 4");
	verify(path, NULL, &v);
	ASSERT_INT_EQ(v.broken, 0);
	ASSERT_INT_EQ(v.checked, 3);
	verify(path, tail, &v);
	ASSERT_BROKEN_AT(v, 5, "truncated: row 5, the tail recorded earlier, "
	    "is gone; the chain now ends at row 3");
	/* Even once the bot has written rows 4 and 5 again. */
	s = store_open(path, NULL);
	ASSERT_NOT_NULL(s);
	append(s, NOW, "/status");
	append(s, NOW, "/status");
	store_close(s);
	verify(path, tail, &v);
	ASSERT_BROKEN_AT(v, 5, "rewritten: the row's hash is not the one "
	    "recorded");
	verify(path, "5:abc", &v);
	ASSERT_BROKEN_AT(v, 0, "not ID:HASH");
}

/* Rows from before v8 (no hash) are the legacy prefix, not a break. */
TEST(legacy_prefix)
{
	const char			*path = db_path("legacy.db");
	struct store_audit_verdict	 v;
	struct store			*s;

	s = store_open(path, NULL);
	ASSERT_NOT_NULL(s);
	sql(path, "INSERT INTO audit (ts, platform, user, channel, command, "
	    "outcome, duration_ms) VALUES (1, 'console', 'u', 'c', '/help', "
	    "'ok', 1), (2, 'console', 'u', 'c', '/status', 'ok', 1)");
	append(s, NOW, "/disk web1");
	append(s, NOW, "/disk web2");
	store_close(s);
	verify(path, NULL, &v);
	ASSERT_INT_EQ(v.broken, 0);
	ASSERT_INT_EQ(v.legacy, 2);
	ASSERT_INT_EQ(v.checked, 2);
	/* The first chained row links to the genesis value. */
	ASSERT_INT_EQ(scalar(path, "SELECT prev_hash = '" STORE_CHAIN_GENESIS
	    "' FROM audit WHERE id = 3"), 1);
	/* A legacy row is not covered: editing it goes unseen. */
	sql(path, "UPDATE audit SET command = '/x' WHERE id = 1");
	verify(path, NULL, &v);
	ASSERT_INT_EQ(v.broken, 0);
}

/* A rolled-back row leaves no gap: the next links to the last kept. */
TEST(rollback_keeps_chain)
{
	const char			*path = db_path("rollback.db");
	struct store_audit_verdict	 v;
	struct store			*s;

	s = store_open(path, NULL);
	ASSERT_NOT_NULL(s);
	append(s, NOW, "/a");
	ASSERT_INT_EQ(store_begin(s, NULL), 0);
	append(s, NOW, "/b");
	append(s, NOW, "/c");
	store_rollback(s);
	append(s, NOW, "/d");
	ASSERT_INT_EQ(store_begin(s, NULL), 0);
	append(s, NOW, "/e");
	ASSERT_INT_EQ(store_commit(s, NULL), 0);
	ASSERT_INT_EQ(store_audit_count(s), 3);
	store_close(s);
	verify(path, NULL, &v);
	ASSERT_INT_EQ(v.broken, 0);
	ASSERT_INT_EQ(v.checked, 3);
}

/*
 * Retention prunes a whole prefix and records where: the rest verifies
 * from the anchor, new rows go on from it (an emptied table reuses no
 * id), and an edit after the prune is still found.
 */
TEST(pruned_prefix_verifies)
{
	const char			*path = db_path("pruned.db");
	struct store_audit_verdict	 v;
	struct store			*s;
	char				 tail[128];

	clock_fake_set(NOW);
	chain_of(path, 6);
	s = store_open(path, NULL);
	ASSERT_NOT_NULL(s);
	/* Row 3 arrived late: younger than row 4, so 3 and on stay. */
	sql(path, "UPDATE audit SET ts = %lld WHERE id = 3", NOW);
	sql(path, "UPDATE audit SET hash = opsbot_audit_hash("
	    STORE_CHAIN_COLUMNS ") WHERE id = 3");
	sql(path, "UPDATE audit SET prev_hash = (SELECT hash FROM audit "
	    "WHERE id = 3), hash = NULL WHERE id = 4");
	sql(path, "UPDATE audit SET hash = opsbot_audit_hash("
	    STORE_CHAIN_COLUMNS ") WHERE id = 4");
	for (int i = 5; i <= 6; i++) {
		sql(path, "UPDATE audit SET prev_hash = (SELECT hash FROM "
		    "audit WHERE id = %d) WHERE id = %d", i - 1, i);
		sql(path, "UPDATE audit SET hash = opsbot_audit_hash("
		    STORE_CHAIN_COLUMNS ") WHERE id = %d", i);
	}
	verify(path, NULL, &v);
	ASSERT_INT_EQ(v.broken, 0);
	ASSERT_INT_EQ(store_prune(s, STORE_PRUNE_AUDIT, NOW - DAY, 500, NULL),
	    2);
	ASSERT_INT_EQ(store_audit_count(s), 4);
	verify(path, NULL, &v);
	ASSERT_INT_EQ(v.broken, 0);
	ASSERT_INT_EQ(v.anchor_upto, 2);
	ASSERT_INT_EQ(v.anchor_at_ms, NOW);
	ASSERT_INT_EQ(v.checked, 4);

	/* Everything old: the table empties, the next row is 7. */
	clock_fake_set(NOW + 2 * DAY);
	ASSERT_INT_EQ(store_prune(s, STORE_PRUNE_AUDIT, NOW + DAY, 500, NULL),
	    4);
	ASSERT_INT_EQ(store_audit_count(s), 0);
	/* Nothing left: the anchor is the tail, and vouches for row 6. */
	verify(path, NULL, &v);
	ASSERT_INT_EQ(v.broken, 0);
	ASSERT_INT_EQ(v.tail_id, 6);
	ASSERT_STR_EQ(v.tail_hash, v.anchor_hash);
	snprintf(tail, sizeof tail, "6:%s", v.anchor_hash);
	append(s, NOW + 2 * DAY, "/status");
	append(s, NOW + 2 * DAY, "/health all");
	verify(path, NULL, &v);
	ASSERT_INT_EQ(v.broken, 0);
	ASSERT_INT_EQ(v.anchor_upto, 6);
	ASSERT_INT_EQ(v.tail_id, 8);
	ASSERT_INT_EQ(v.checked, 2);
	verify(path, tail, &v);
	ASSERT_INT_EQ(v.broken, 0);
	store_close(s);

	/* An edit after the prune is found; so is a row under the anchor. */
	sql(path, "UPDATE audit SET channel = 'C2' WHERE id = 7");
	verify(path, NULL, &v);
	ASSERT_BROKEN_AT(v, 7, "edited");
	sql(path, "UPDATE audit SET channel = 'C1' WHERE id = 7");
	sql(path, "INSERT INTO audit (id, ts, platform, user, channel, "
	    "command, outcome, duration_ms) VALUES (4, 1, 'slack', 'U2', "
	    "'C1', '/x', 'ok', 1)");
	verify(path, NULL, &v);
	ASSERT_BROKEN_AT(v, 4, "within the prefix retention pruned");
	clock_fake_set(0);
}

/* A store file that is not there is an error, not an empty chain. */
TEST(missing_file)
{
	struct store_audit_verdict	 v;
	char				*cause = NULL;

	ASSERT_INT_EQ(store_audit_verify(db_path("none.db"), NULL, &v,
	    &cause), -1);
	ASSERT_NOT_NULL(cause);
	free(cause);
	ASSERT_INT_EQ(store_audit_verify(db_path("none.db"), NULL, &v, NULL),
	    -1);
}

static const struct test tests[] = {
	TEST_ENTRY(hash_is_the_documented_encoding),
	TEST_ENTRY(clean_chain_holds),
	TEST_ENTRY(edited_row_found),
	TEST_ENTRY(deleted_row_found),
	TEST_ENTRY(inserted_row_found),
	TEST_ENTRY(reordered_row_found),
	TEST_ENTRY(truncated_tail),
	TEST_ENTRY(legacy_prefix),
	TEST_ENTRY(rollback_keeps_chain),
	TEST_ENTRY(pruned_prefix_verifies),
	TEST_ENTRY(missing_file),
	TEST_END
};

int
main(int argc, char **argv)
{
	return test_run(tests, argc, argv);
}

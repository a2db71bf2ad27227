/* The sqlite store: create, WAL, modes, migrations, audit rows. */

#include <sys/stat.h>

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store.h"
#include "store_checklists.h"
#include "test.h"

static const char *
db_path(const char *name)
{
	static char	 path[512];

	snprintf(path, sizeof path, "%s/%s", test_tmpdir(), name);
	return path;
}

/* Runs sql on a separate connection; returns the first column as text. */
static char *
query(const char *path, const char *sql)
{
	sqlite3		*db;
	sqlite3_stmt	*st;
	char		*out = NULL;

	ASSERT_INT_EQ(sqlite3_open(path, &db), SQLITE_OK);
	/* Prepared once: a second statement left over keeps db open. */
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		TEST_FAIL("%s: %s", sql, sqlite3_errmsg(db));
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		out = strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	sqlite3_close(db);
	return out;
}

#define ASSERT_QUERY(path, sql, expect) do {				\
	char *_v = query(path, sql);					\
	ASSERT_STR_EQ(_v, expect);					\
	free(_v);							\
} while (0)

static void
append(struct store *s, const char *cmd, const char *outcome)
{
	struct audit_entry	 e = {
		.ts_ms = 1795305600000LL, .platform = "console",
		.user_id = "U1", .user_name = "alice", .channel = "console",
		.command = cmd, .outcome = outcome, .detail = NULL,
		.duration_ms = 3,
	};
	char			*cause = NULL;

	if (store_audit_append(s, &e, &cause) != 0)
		TEST_FAIL("append: %s", cause);
}

TEST(store_creates)
{
	const char	*path = db_path("new.db");
	struct store	*s;
	struct stat	 st;
	char		*cause = NULL;

	s = store_open(path, &cause);
	ASSERT_NOT_NULL(s);
	ASSERT_NULL(cause);
	ASSERT_INT_EQ(store_schema_version(s), STORE_SCHEMA_VERSION);
	ASSERT_STR_EQ(store_path(s), path);
	ASSERT_INT_EQ(stat(path, &st), 0);
	ASSERT_INT_EQ(st.st_mode & 0777, 0600);
	ASSERT_INT_EQ(store_audit_count(s), 0);
	append(s, "/help", "ok");
	append(s, "/status x", "bad_input");
	ASSERT_INT_EQ(store_audit_count(s), 2);
	ASSERT(store_size_bytes(s) > 0);
	ASSERT_QUERY(path, "PRAGMA journal_mode", "wal");
	ASSERT_QUERY(path, "SELECT group_concat(command || '=' || outcome "
	    "|| '@' || user_name || '/' || duration_ms, ';') FROM audit",
	    "/help=ok@alice/3;/status x=bad_input@alice/3");
	store_close(s);

	/* Reopening keeps the rows and does not migrate again. */
	s = store_open(path, &cause);
	ASSERT_NOT_NULL(s);
	ASSERT_INT_EQ(store_audit_count(s), 2);
	store_close(s);
	store_close(NULL);
}

/* The schema a version-1 opsbot created, as it was released. */
static const char v1_schema[] =
	"CREATE TABLE audit ("
	"  id INTEGER PRIMARY KEY,"
	"  ts INTEGER NOT NULL,"
	"  platform TEXT NOT NULL,"
	"  user TEXT NOT NULL,"
	"  channel TEXT NOT NULL,"
	"  command TEXT NOT NULL,"
	"  outcome TEXT NOT NULL,"
	"  duration_ms INTEGER NOT NULL"
	");"
	"INSERT INTO audit (ts, platform, user, channel, command, outcome, "
	"  duration_ms) VALUES (1, 'slack', 'U9', 'C1', '/help', 'ok', 2);"
	"PRAGMA user_version = 1;";

TEST(store_migrates_v1)
{
	const char	*path = db_path("v1.db");
	sqlite3		*db;
	struct store	*s;
	char		*cause = NULL;

	ASSERT_INT_EQ(sqlite3_open(path, &db), SQLITE_OK);
	ASSERT_INT_EQ(sqlite3_exec(db, v1_schema, NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(db);
	ASSERT_QUERY(path, "PRAGMA user_version", "1");

	s = store_open(path, &cause);
	ASSERT_NOT_NULL(s);
	ASSERT_INT_EQ(store_schema_version(s), STORE_SCHEMA_VERSION);
	/* The old row survived; the new columns are there and empty. */
	ASSERT_INT_EQ(store_audit_count(s), 1);
	ASSERT_QUERY(path, "SELECT user || ',' || command || ',' || "
	    "ifnull(user_name, 'NULL') || ',' || ifnull(detail, 'NULL') FROM "
	    "audit", "U9,/help,NULL,NULL");
	ASSERT_QUERY(path, "SELECT name FROM sqlite_master WHERE "
	    "type = 'index' AND name = 'audit_ts'", "audit_ts");
	append(s, "/whoami", "ok");
	ASSERT_INT_EQ(store_audit_count(s), 2);
	/* And the tables of later versions exist. */
	ASSERT_QUERY(path, "SELECT count(*) FROM outbox", "0");
	ASSERT_QUERY(path, "SELECT count(*) FROM confirmations", "0");
	/* Rows from before v6 were typed: buttons came later. */
	ASSERT_QUERY(path, "SELECT via FROM audit WHERE id = 1", "typed");
	/* v7: the runbook index, full-text search included. */
	ASSERT_QUERY(path, "SELECT count(*) FROM runbook_files", "0");
	ASSERT_QUERY(path, "SELECT count(*) FROM runbooks_fts WHERE "
	    "runbooks_fts MATCH '\"restart\"'", "0");
	/*
	 * v8: the audit chain, incidents, tickets, hosts' state. The old
	 * row stays outside the chain; the new one starts it.
	 */
	ASSERT_QUERY(path, "SELECT count(*) FROM audit WHERE hash IS NULL",
	    "1");
	ASSERT_QUERY(path, "SELECT prev_hash FROM audit WHERE id = 2",
	    "0000000000000000000000000000000000000000000000000000000000000000");
	ASSERT_QUERY(path, "SELECT count(*) FROM incidents", "0");
	ASSERT_QUERY(path, "SELECT count(*) FROM incident_notes", "0");
	ASSERT_QUERY(path, "SELECT count(*) FROM incident_alerts", "0");
	ASSERT_QUERY(path, "SELECT count(*) FROM tickets", "0");
	ASSERT_QUERY(path, "SELECT count(*) FROM disk_samples", "0");
	store_close(s);
	ASSERT_QUERY(path, "PRAGMA user_version", "8");
}

TEST(store_refuses_newer)
{
	const char	*path = db_path("future.db");
	sqlite3		*db;
	struct store	*s;
	char		*cause = NULL, expect[1200];

	ASSERT_INT_EQ(sqlite3_open(path, &db), SQLITE_OK);
	ASSERT_INT_EQ(sqlite3_exec(db, "PRAGMA user_version = 99", NULL,
	    NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	s = store_open(path, &cause);
	ASSERT_NULL(s);
	snprintf(expect, sizeof expect, "%s: schema version 99 is newer than "
	    "this opsbot understands (8); upgrade opsbot or use another "
	    "data_dir", path);
	ASSERT_STR_EQ(cause, expect);
	free(cause);
}

TEST(store_refuses_garbage)
{
	const char	*path;
	struct store	*s;
	char		*cause = NULL;

	path = test_write_file("garbage.db", "this is not a database, it is a "
	    "text file that someone put here by mistake\n", 0600);
	s = store_open(path, &cause);
	ASSERT_NULL(s);
	ASSERT_CONTAINS(cause, "garbage.db");
	ASSERT_CONTAINS(cause, "not a database");
	free(cause);
}

TEST(store_refuses_unwritable_dir)
{
	struct store	*s;
	char		*cause = NULL;

	s = store_open("/nonexistent-dir/opsbot.db", &cause);
	ASSERT_NULL(s);
	ASSERT_STR_EQ(cause, "/nonexistent-dir/opsbot.db: cannot open: No "
	    "such file or directory");
	free(cause);
}

TEST(store_many_rows)
{
	const char	*path = db_path("many.db");
	struct store	*s;
	char		*cause = NULL;
	int		 i;

	s = store_open(path, &cause);
	ASSERT_NOT_NULL(s);
	for (i = 0; i < 2000; i++)
		append(s, "/status", "ok");
	ASSERT_INT_EQ(store_audit_count(s), 2000);
	store_close(s);
	ASSERT_QUERY(path, "SELECT count(*) FROM audit", "2000");
}

/*
 * store_commits counts what costs a WAL write and the file locks: a write
 * outside a transaction is one commit, a transaction of several is one,
 * and a rolled-back one none.
 */
TEST(store_counts_commits)
{
	struct store	*s;
	char		*cause = NULL;
	uint64_t	 c0;

	s = store_open(db_path("commits.db"), &cause);
	ASSERT_NOT_NULL(s);
	c0 = store_commits(s);
	append(s, "/status", "ok");
	ASSERT_INT_EQ((int)(store_commits(s) - c0), 1);
	ASSERT_INT_EQ(store_begin(s, &cause), 0);
	append(s, "/status", "ok");
	append(s, "/health", "ok");
	ASSERT_INT_EQ((int)(store_commits(s) - c0), 1);
	ASSERT_INT_EQ(store_commit(s, &cause), 0);
	ASSERT_INT_EQ((int)(store_commits(s) - c0), 2);
	ASSERT_INT_EQ(store_begin(s, &cause), 0);
	append(s, "/status", "ok");
	store_rollback(s);
	ASSERT_INT_EQ((int)(store_commits(s) - c0), 2);
	ASSERT_INT_EQ(store_audit_count(s), 3);
	store_close(s);
}

static void
count_run(void *arg, const struct store_run_row *r)
{
	(void)r;
	(*(int *)arg)++;
}

static void
count_result(void *arg, const struct store_result_row *r)
{
	(void)r;
	(*(int *)arg)++;
}

/*
 * The read loops (store_next_row): every row, then the statement reset
 * (no read left open to hold back the WAL checkpoint), and an error as
 * -1 with the cause, or without one when the caller passes NULL.
 */
TEST(store_read_loops)
{
	const char		*path = db_path("reads.db");
	struct store_run_row	 run = { .name = "sod", .started_ms = 1000,
	    .finished_ms = 2000, .trigger = "command", .passed = 1,
	    .total = 2 };
	struct store_result_row	 res[2] = {
		{ .idx = 0, .title = "Disks", .kind = "disk_below",
		  .status = "ok", .detail = "" },
		{ .idx = 1, .title = "Apps", .kind = "services_running",
		  .status = "fail", .detail = "web1 nginx: failed" },
	};
	struct store		*s;
	char			*cause = NULL;
	int64_t			 id;
	int			 n = 0;

	s = store_open(path, &cause);
	ASSERT_NOT_NULL(s);
	id = store_run_add(s, &run, res, 2, &cause);
	ASSERT(id > 0);
	ASSERT_INT_EQ(store_runs_recent(s, "sod", 10, count_run, &n, &cause),
	    1);
	ASSERT_INT_EQ(n, 1);
	n = 0;
	ASSERT_INT_EQ(store_run_results(s, id, count_result, &n, &cause), 2);
	ASSERT_INT_EQ(n, 2);
	ASSERT_INT_EQ(store_run_first_since(s, "eod", 0, 5000, count_run, &n,
	    &cause), 0);
	/* Last: a LIMIT 1 read that finds its row must not stay open. */
	n = 0;
	ASSERT_INT_EQ(store_run_first_since(s, "sod", 0, 5000, count_run, &n,
	    &cause), 1);
	ASSERT_INT_EQ(n, 1);
	/*
	 * No statement of the store's still holds a read: one would pin its
	 * snapshot, and a checkpoint past a later write would report busy.
	 */
	free(query(path, "CREATE TABLE later (x)"));
	ASSERT_QUERY(path, "PRAGMA wal_checkpoint(TRUNCATE)", "0");

	free(query(path, "DROP TABLE checklist_results"));
	ASSERT_INT_EQ(store_run_results(s, id, count_result, &n, &cause), -1);
	ASSERT_NOT_NULL(cause);
	ASSERT(strstr(cause, "cannot read check results: no such table: "
	    "checklist_results") != NULL);
	free(cause);
	n = 0;
	ASSERT_INT_EQ(store_run_results(s, id, count_result, &n, NULL), -1);
	ASSERT_INT_EQ(n, 0);
	store_close(s);
}

/*
 * The WAL goes back into the database file on the store's own thread:
 * enough commits to cross the threshold several times are backfilled
 * (the file grows) while the committing thread only appends.
 */
TEST(store_checkpoints_off_thread)
{
	const char	*path = db_path("ckpt.db");
	struct store	*s;
	struct stat	 db;
	char		*cause = NULL;
	int		 i;

	s = store_open(path, &cause);
	ASSERT_NOT_NULL(s);
	ASSERT_INT_EQ((int)store_checkpoints(s), 0);
	for (i = 0; i < 3000; i++)
		append(s, "whoami", "ok");
	/* The thread runs behind the commits: give it a moment. */
	for (i = 0; i < 200 && store_checkpoints(s) == 0; i++)
		usleep(10000);
	ASSERT(store_checkpoints(s) > 0);
	ASSERT_INT_EQ(stat(path, &db), 0);
	/* Backfilled: the rows are in the file, not only in the WAL. */
	ASSERT(db.st_size > 64 * 1024);
	store_close(s);
	ASSERT_QUERY(path, "SELECT count(*) FROM audit", "3000");
}

static const struct test tests[] = {
	TEST_ENTRY(store_creates),
	TEST_ENTRY(store_migrates_v1),
	TEST_ENTRY(store_refuses_newer),
	TEST_ENTRY(store_refuses_garbage),
	TEST_ENTRY(store_refuses_unwritable_dir),
	TEST_ENTRY(store_many_rows),
	TEST_ENTRY(store_counts_commits),
	TEST_ENTRY(store_read_loops),
	TEST_ENTRY(store_checkpoints_off_thread),
	TEST_END
};

int
main(int argc, char **argv)
{
	return test_run(tests, argc, argv);
}

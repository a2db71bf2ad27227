/*
 * Retention: rows older than their age go, newer ones stay, and what is
 * still needed (pending outbox rows, open alerts, open group notes and
 * the messages they edit, unused confirmations) never goes. Time is the
 * fake clock's; rows are written by a second connection, as sqlite
 * allows in WAL mode.
 */

#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "clock.h"
#include "config.h"
#include "loop.h"
#include "retention.h"
#include "store.h"
#include "store_retention.h"
#include "test.h"

#define DAY	(24LL * 3600 * 1000)
#define NOW	1795305600000LL		/* 2026-11-23 */
#define OLD	(NOW - 100 * DAY)
#define NEW	(NOW - 10 * DAY)

static const char *
db_path(const char *name)
{
	static char	 path[512];

	snprintf(path, sizeof path, "%s/%s", test_tmpdir(), name);
	remove(path);
	return path;
}

/* Runs sql (printf-style) on a second connection. */
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
	if (sqlite3_exec(db, q, NULL, NULL, &err) != SQLITE_OK)
		TEST_FAIL("%s: %s", q, err);
	sqlite3_free(q);
	sqlite3_close(db);
}

/* The first column of the first row, as an integer. */
static long long
count(const char *path, const char *q)
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

/* The defaults: 365 days of audit, 90 of alerts and checklists, ... */
static void
default_ages(struct retention_ages *a)
{
	struct config	*c = NULL;
	struct buf	 errors;

	buf_init(&errors);
	if (config_load_text("{}", 2, "t", &c, &errors) != 0)
		TEST_FAIL("config: %s", errors.data);
	retention_ages(c, a);
	config_free(c);
	buf_release(&errors);
}

static int64_t
run(struct store *s, const struct retention_ages *a, int batch)
{
	char	*cause = NULL;
	int64_t	 n;

	n = retention_run(s, a, clock_now_ms(), batch, &cause);
	if (n < 0)
		TEST_FAIL("retention: %s", cause);
	return n;
}

static void
audit_row(const char *path, int64_t ts)
{
	sql(path, "INSERT INTO audit (ts, platform, user, channel, command, "
	    "outcome, duration_ms) VALUES (%lld, 'console', 'u', 'c', "
	    "'/status', 'ok', 1)", (long long)ts);
}

TEST(retention_audit_by_age)
{
	const char		*path = db_path("audit.db");
	struct store		*s = store_open(path, NULL);
	struct retention_ages	 a;

	ASSERT_NOT_NULL(s);
	clock_fake_set(NOW);
	default_ages(&a);
	audit_row(path, NOW - 400 * DAY);
	audit_row(path, NOW - 366 * DAY);
	audit_row(path, NOW - 300 * DAY);
	audit_row(path, NEW);
	ASSERT_INT_EQ(run(s, &a, 500), 2);
	ASSERT_INT_EQ(count(path, "SELECT count(*) FROM audit"), 2);
	/* A year later the rest is old too, unless audit is "forever". */
	clock_fake_advance(365 * DAY);
	a.ms[STORE_PRUNE_AUDIT] = 0;
	ASSERT_INT_EQ(run(s, &a, 500), 0);
	ASSERT_INT_EQ(count(path, "SELECT count(*) FROM audit"), 2);
	store_close(s);
}

TEST(retention_batches)
{
	const char		*path = db_path("batch.db");
	struct store		*s = store_open(path, NULL);
	struct retention_ages	 a;
	int			 i;

	ASSERT_NOT_NULL(s);
	clock_fake_set(NOW);
	default_ages(&a);
	sql(path, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 "
	    "FROM n WHERE i < 1234) INSERT INTO audit (ts, platform, user, "
	    "channel, command, outcome, duration_ms) SELECT %lld + i, "
	    "'console', 'u', 'c', '/status', 'ok', 1 FROM n",
	    (long long)(NOW - 400 * DAY));
	audit_row(path, NEW);
	/* One statement deletes one batch, and says it was full. */
	ASSERT_INT_EQ(store_prune(s, STORE_PRUNE_AUDIT, NOW - 365 * DAY, 500,
	    NULL), 500);
	ASSERT_INT_EQ(count(path, "SELECT count(*) FROM audit"), 735);
	for (i = 0; i < 3; i++)
		(void)store_prune(s, STORE_PRUNE_AUDIT, NOW - 365 * DAY, 500,
		    NULL);
	ASSERT_INT_EQ(count(path, "SELECT count(*) FROM audit"), 1);
	store_close(s);
}

static void
outbox_row(const char *path, int64_t id, int64_t created, const char *state,
    const char *target)
{
	/* A delivered row was sent when it was created. */
	sql(path, "INSERT INTO outbox (id, created, platform, channel, kind, "
	    "target, body, state, sent) VALUES (%lld, %lld, 'slack', 'C1', "
	    "'post', %Q, '{}', %Q, CASE WHEN %Q = 'pending' THEN NULL ELSE "
	    "%lld END)", (long long)id, (long long)created, target, state,
	    state, (long long)created);
}

TEST(retention_outbox_keeps_pending_and_referenced)
{
	const char		*path = db_path("outbox.db");
	struct store		*s = store_open(path, NULL);
	struct retention_ages	 a;

	ASSERT_NOT_NULL(s);
	clock_fake_set(NOW);
	default_ages(&a);
	outbox_row(path, 1, OLD, "sent", NULL);		/* goes */
	outbox_row(path, 2, OLD, "failed", NULL);	/* goes */
	outbox_row(path, 3, OLD, "pending", NULL);	/* never */
	outbox_row(path, 4, NEW, "sent", NULL);		/* too new */
	outbox_row(path, 5, OLD, "sent", NULL);		/* open group */
	outbox_row(path, 6, OLD, "sent", NULL);		/* edited */
	outbox_row(path, 7, OLD, "pending", "ref:6");
	sql(path, "INSERT INTO alert_notes (group_key, receiver, outbox_id, "
	    "open, created, repeated) VALUES ('g', 'r', 5, 1, %lld, 0)",
	    (long long)OLD);
	ASSERT_INT_EQ(run(s, &a, 500), 2);
	ASSERT_INT_EQ(count(path, "SELECT group_concat(id, '') FROM "
	    "(SELECT id FROM outbox ORDER BY id)"), 34567);
	store_close(s);
}

static void
alert_row(const char *path, int64_t id, const char *state, const char *shown,
    int64_t at)
{
	sql(path, "INSERT INTO alerts (id, fingerprint, source, alertname, "
	    "severity, host, labels, annotations, state, shown, starts_at, "
	    "ends_at, first_seen, last_seen, received) VALUES (%lld, "
	    "'f%lld', 'am', 'A', 'critical', 'h', '{}', '{}', %Q, %Q, %lld, "
	    "%lld, %lld, %lld, %lld);"
	    "INSERT INTO alert_events (alert_id, at, who, what) VALUES "
	    "(%lld, %lld, 'am', 'firing')", (long long)id, (long long)id,
	    state, shown, (long long)at, (long long)at, (long long)at,
	    (long long)at, (long long)at, (long long)id, (long long)at);
}

TEST(retention_alerts_keep_open)
{
	const char		*path = db_path("alerts.db");
	struct store		*s = store_open(path, NULL);
	struct retention_ages	 a;

	ASSERT_NOT_NULL(s);
	clock_fake_set(NOW);
	default_ages(&a);
	alert_row(path, 1, "resolved", "resolved", OLD);	/* goes */
	alert_row(path, 2, "firing", "firing", OLD);		/* open */
	alert_row(path, 3, "acked", "acked", OLD);		/* open */
	alert_row(path, 4, "resolved", "firing", OLD);	/* unshown */
	alert_row(path, 5, "resolved", "resolved", NEW);	/* too new */
	alert_row(path, 6, "resolved", NULL, OLD);		/* goes */
	/*
	 * Notes: a closed old one goes, an open old one stays, and while it
	 * is open the resolved alerts since it opened stay (its message
	 * lists them).
	 */
	sql(path, "INSERT INTO alert_notes (id, group_key, receiver, "
	    "outbox_id, open, created, repeated) VALUES (1, 'g1', 'r', 1, 0, "
	    "%lld, 0), (2, 'g2', 'r', 2, 1, %lld, 0)", (long long)(OLD - DAY),
	    (long long)(OLD - DAY));
	ASSERT_INT_EQ(run(s, &a, 500), 1);
	ASSERT_INT_EQ(count(path, "SELECT count(*) FROM alerts"), 6);
	sql(path, "UPDATE alert_notes SET created = %lld WHERE id = 2",
	    (long long)NEW);
	ASSERT_INT_EQ(run(s, &a, 500), 2);
	ASSERT_INT_EQ(count(path, "SELECT group_concat(id, '') FROM "
	    "(SELECT id FROM alerts ORDER BY id)"), 2345);
	ASSERT_INT_EQ(count(path, "SELECT group_concat(alert_id, '') FROM "
	    "(SELECT alert_id FROM alert_events ORDER BY alert_id)"), 2345);
	ASSERT_INT_EQ(count(path, "SELECT group_concat(id, '') FROM "
	    "alert_notes"), 2);
	store_close(s);
}

TEST(retention_checklists_and_confirmations)
{
	const char		*path = db_path("runs.db");
	struct store		*s = store_open(path, NULL);
	struct retention_ages	 a;

	ASSERT_NOT_NULL(s);
	clock_fake_set(NOW);
	default_ages(&a);
	sql(path, "INSERT INTO checklist_runs (id, name, started, finished, "
	    "trigger, passed, total) VALUES (1, 'sod', %lld, %lld, 's', 1, 1),"
	    " (2, 'sod', %lld, %lld, 's', 1, 1);"
	    "INSERT INTO checklist_results (run_id, idx, title, kind, status,"
	    " detail) VALUES (1, 0, 't', 'k', 'ok', ''), (1, 1, 't', 'k', "
	    "'ok', ''), (2, 0, 't', 'k', 'ok', '')", (long long)OLD,
	    (long long)OLD, (long long)NEW, (long long)NEW);
	sql(path, "INSERT INTO confirmations (token, command, platform, "
	    "channel, user, created, expires, used_at) VALUES "
	    "('used', 'c', 'p', 'c', 'u', %lld, %lld, %lld),"
	    "('expired', 'c', 'p', 'c', 'u', %lld, %lld, NULL),"
	    "('fresh', 'c', 'p', 'c', 'u', %lld, %lld, NULL),"
	    "('recent', 'c', 'p', 'c', 'u', %lld, %lld, %lld)",
	    (long long)OLD, (long long)OLD + 600000, (long long)OLD + 1000,
	    (long long)OLD, (long long)OLD + 600000,
	    (long long)NOW, (long long)NOW + 600000,
	    (long long)NEW, (long long)NEW + 600000, (long long)NEW + 1000);
	ASSERT_INT_EQ(run(s, &a, 500), 3);
	ASSERT_INT_EQ(count(path, "SELECT group_concat(id) FROM "
	    "checklist_runs"), 2);
	ASSERT_INT_EQ(count(path, "SELECT count(*) FROM checklist_results "
	    "WHERE run_id = 2"), 1);
	ASSERT_INT_EQ(count(path, "SELECT count(*) FROM checklist_results"),
	    1);
	ASSERT_INT_EQ(count(path, "SELECT count(*) FROM confirmations WHERE "
	    "token IN ('fresh', 'recent')"), 2);
	ASSERT_INT_EQ(count(path, "SELECT count(*) FROM confirmations"), 2);
	store_close(s);
}

/* Disk samples of the web page go by age (retention.disk_samples). */
TEST(retention_disk_samples)
{
	const char		*path = db_path("disk.db");
	struct store		*s = store_open(path, NULL);
	struct retention_ages	 a;

	ASSERT_NOT_NULL(s);
	clock_fake_set(NOW);
	default_ages(&a);
	ASSERT(a.ms[STORE_PRUNE_DISK] == 30 * DAY);
	sql(path, "INSERT INTO disk_samples (host, mount, at, used_pct) "
	    "VALUES ('web1', '/', %lld, 40), ('web1', '/', %lld, 41), "
	    "('web1', '/', %lld, 42)", (long long)OLD, (long long)(NOW -
	    31 * DAY), (long long)(NOW - 29 * DAY));
	ASSERT_INT_EQ(run(s, &a, 500), 2);
	ASSERT_INT_EQ(count(path, "SELECT group_concat(used_pct) FROM "
	    "disk_samples"), 42);
	store_close(s);
}

/*
 * The timer on the loop: a pass deletes a backlog of several batches, one
 * batch per turn, and leaves the newer rows.
 */
TEST(retention_timer_on_the_loop)
{
	const char		*path = db_path("timer.db");
	struct store		*s = store_open(path, NULL);
	struct retention_ages	 a;
	struct retention	*r;
	struct loop		*l;
	int64_t			 deadline;
	char			*cause = NULL;

	ASSERT_NOT_NULL(s);
	/* loop_create's cause is not optional. */
	if ((l = loop_create(0, &cause)) == NULL)
		TEST_FAIL("loop: %s", cause);
	clock_fake_set(NOW);
	default_ages(&a);
	sql(path, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 "
	    "FROM n WHERE i < 1600) INSERT INTO audit (ts, platform, user, "
	    "channel, command, outcome, duration_ms) SELECT %lld + i, "
	    "'console', 'u', 'c', '/status', 'ok', 1 FROM n",
	    (long long)(NOW - 400 * DAY));
	audit_row(path, NEW);
	r = retention_start(l, s, &a, 1);
	/* Real time for the loop's timers (the fake clock is frozen). */
	clock_use_real();
	deadline = clock_mono_ms() + 20000;
	while (count(path, "SELECT count(*) FROM audit") > 1 &&
	    clock_mono_ms() < deadline)
		loop_turn(l);
	ASSERT_INT_EQ(count(path, "SELECT count(*) FROM audit"), 1);
	retention_free(r);
	loop_free(l);
	store_close(s);
}

TEST(retention_config)
{
	static const char text[] = "{\"retention\": {\"audit\": \"forever\", "
	    "\"alerts\": \"7d\", \"outbox\": \"forever\"}}";
	static const char bad[] = "{\"retention\": {\"audit\": \"always\", "
	    "\"logs\": \"1d\"}}";
	struct config		*c = NULL;
	struct retention_ages	 a;
	struct buf		 errors;

	buf_init(&errors);
	ASSERT_INT_EQ(config_load_text(text, sizeof text - 1, "t", &c,
	    &errors), 0);
	retention_ages(c, &a);
	ASSERT(a.ms[STORE_PRUNE_AUDIT] == 0);
	ASSERT(a.ms[STORE_PRUNE_OUTBOX] == 0);
	ASSERT(a.ms[STORE_PRUNE_ALERTS] == 7 * DAY);
	ASSERT(a.ms[STORE_PRUNE_NOTES] == 7 * DAY);
	ASSERT(a.ms[STORE_PRUNE_CHECKLISTS] == 90 * DAY);
	ASSERT(a.ms[STORE_PRUNE_CONFIRMATIONS] == 30 * DAY);
	ASSERT(a.ms[STORE_PRUNE_DISK] == 30 * DAY);
	config_free(c);
	c = NULL;
	ASSERT_INT_EQ(config_load_text(bad, sizeof bad - 1, "t", &c,
	    &errors), -1);
	ASSERT_CONTAINS(errors.data, "retention.audit");
	ASSERT_CONTAINS(errors.data, "logs");
	buf_release(&errors);
}

static const struct test tests[] = {
	TEST_ENTRY(retention_audit_by_age),
	TEST_ENTRY(retention_disk_samples),
	TEST_ENTRY(retention_batches),
	TEST_ENTRY(retention_outbox_keeps_pending_and_referenced),
	TEST_ENTRY(retention_alerts_keep_open),
	TEST_ENTRY(retention_checklists_and_confirmations),
	TEST_ENTRY(retention_timer_on_the_loop),
	TEST_ENTRY(retention_config),
	TEST_END
};

int
main(int argc, char **argv)
{
	return test_run(tests, argc, argv);
}

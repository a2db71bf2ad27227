/*
 * bench-retention: the store after a simulated year of a busy team, with
 * and without retention. Each day writes what such a team makes (200
 * commands, 500 alerts with 3 events each, 2 checklist runs of 12
 * checks, and the chat messages of all of them through the outbox, all
 * delivered); with retention on, the day ends with a pass at the default
 * ages (retention_run, as the loop timer does it). Prints the file size
 * every 30 days and at the end. Not a ctest test: it asserts nothing and
 * takes a minute.
 * usage: bench-retention [DAYS] [DIR]
 */

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "config.h"
#include "retention.h"
#include "store.h"

#define DAY_MS		(24LL * 3600 * 1000)
#define START_MS	1767225600000LL		/* 2026-01-01 */

static void
exec_or_die(sqlite3 *db, const char *q)
{
	char	*err = NULL;

	if (sqlite3_exec(db, q, NULL, NULL, &err) != SQLITE_OK) {
		fprintf(stderr, "bench: %s\n", err);
		exit(1);
	}
}

/* One day of a busy team, in one transaction on a second connection. */
static void
one_day(sqlite3 *db, int day)
{
	long long	 t = START_MS + (long long)day * DAY_MS;
	char		*q;

	q = sqlite3_mprintf(
	    "BEGIN;"
	    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
	    " WHERE i < 200) INSERT INTO audit (ts, platform, user, "
	    " user_name, channel, command, outcome, duration_ms) SELECT "
	    " %lld + i * 60000, 'slack', 'U0123ABCD', 'alice', 'C0456EFGH', "
	    " '/health prod-db-' || (i %% 7), 'ok', 850 FROM n;"
	    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
	    " WHERE i < 500) INSERT INTO alerts (fingerprint, source, "
	    " alertname, severity, host, labels, annotations, url, state, "
	    " shown, starts_at, ends_at, first_seen, last_seen, received) "
	    " SELECT printf('%%016x', %d * 1000 + i), 'alertmanager', "
	    " 'HighLatency', 'warning', 'prod-web' || (i %% 12), "
	    " '{\"alertname\":\"HighLatency\",\"instance\":\"prod-web' || i || "
	    " ':9100\",\"job\":\"node\",\"severity\":\"warning\",\"team\":"
	    " \"payments\",\"env\":\"prod\"}', '{\"summary\":\"p99 latency "
	    " above 500 ms for 10 minutes\",\"runbook_url\":\"https://wiki."
	    " example.com/runbooks/high-latency\"}', 'http://prometheus:9090/"
	    " graph?g0.expr=histogram_quantile', 'resolved', 'resolved', "
	    " %lld + i * 100000, %lld + i * 100000 + 1800000, %lld + i * "
	    " 100000, %lld + i * 100000 + 1800000, 3 FROM n;"
	    "INSERT INTO alert_events (alert_id, at, who, what, why) SELECT "
	    " id, first_seen, 'alertmanager', 'firing', NULL FROM alerts "
	    " WHERE first_seen >= %lld;"
	    "INSERT INTO alert_events (alert_id, at, who, what, why) SELECT "
	    " id, first_seen + 600000, 'U0123ABCD', 'acked', 'looking' FROM "
	    " alerts WHERE first_seen >= %lld;"
	    "INSERT INTO alert_events (alert_id, at, who, what, why) SELECT "
	    " id, last_seen, 'alertmanager', 'resolved', NULL FROM alerts "
	    " WHERE first_seen >= %lld;"
	    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
	    " WHERE i < 2) INSERT INTO checklist_runs (name, started, "
	    " finished, trigger, passed, total) SELECT CASE i WHEN 1 THEN "
	    " 'sod' ELSE 'eod' END, %lld + i * 36000000, %lld + i * "
	    " 36000000 + 9000, 'schedule', 11, 12 FROM n;"
	    "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n "
	    " WHERE i < 11) INSERT INTO checklist_results (run_id, idx, "
	    " title, kind, status, detail, output) SELECT r.id, n.i, "
	    " 'Check number ' || n.i, 'services_running', 'ok', "
	    " 'prod-app1: 4/4 running; prod-app2: 4/4 running', NULL FROM "
	    " checklist_runs r, n WHERE r.started >= %lld;"
	    /* 200 answers, 500 alert posts and 500 edits, 2 summaries. */
	    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
	    " WHERE i < 1202) INSERT INTO outbox (created, platform, channel, "
	    " kind, target, body, state, attempts, platform_id, sent) SELECT "
	    " %lld + i * 60000, 'slack', 'C0456EFGH', 'post', NULL, "
	    " '{\"channel\":\"C0456EFGH\",\"text\":\"' || printf('%%.*c', 700, "
	    " 'x') || '\"}', 'sent', 1, '1733300000.00' || i, %lld + i * "
	    " 60000 + 300 FROM n;"
	    "COMMIT;", t, day, t, t, t, t, t, t, t, t, t, t, t, t);
	exec_or_die(db, q);
	sqlite3_free(q);
}

/* Runs days of traffic into dir/name; returns the final size in bytes. */
static long long
simulate(const char *dir, const char *name, int days, int prune)
{
	struct retention_ages	 ages;
	struct config		*cfg = NULL;
	struct buf		 errors;
	struct store		*s;
	sqlite3			*db;
	char			 path[1024], *cause = NULL;
	long long		 size;
	int			 day;

	buf_init(&errors);
	if (config_load_text("{}", 2, "bench", &cfg, &errors) != 0) {
		fprintf(stderr, "bench: %s", errors.data);
		exit(1);
	}
	retention_ages(cfg, &ages);
	config_free(cfg);
	buf_release(&errors);
	snprintf(path, sizeof path, "%s/%s", dir, name);
	remove(path);
	if ((s = store_open(path, &cause)) == NULL) {
		fprintf(stderr, "bench: %s\n", cause);
		exit(1);
	}
	if (sqlite3_open(path, &db) != SQLITE_OK)
		exit(1);
	sqlite3_busy_timeout(db, 5000);
	for (day = 0; day < days; day++) {
		one_day(db, day);
		if (prune && retention_run(s, &ages, START_MS + (long long)(day
		    + 1) * DAY_MS, RETENTION_BATCH, &cause) < 0) {
			fprintf(stderr, "bench: %s\n", cause);
			exit(1);
		}
		if ((day + 1) % 30 == 0 || day + 1 == days) {
			/* Fold the WAL in, so the size is the file's. */
			exec_or_die(db, "PRAGMA wal_checkpoint(TRUNCATE)");
			printf("%-18s day %3d: %7.1f MiB\n", name, day + 1,
			    (double)store_size_bytes(s) / (1024 * 1024));
			fflush(stdout);
		}
	}
	sqlite3_close(db);
	size = store_size_bytes(s);
	store_close(s);
	return size;
}

int
main(int argc, char **argv)
{
	int		 days = argc > 1 ? atoi(argv[1]) : 365;
	const char	*dir = argc > 2 ? argv[2] : "/tmp";
	long long	 with, without;

	if (days <= 0)
		days = 365;
	without = simulate(dir, "no-retention.db", days, 0);
	with = simulate(dir, "retention.db", days, 1);
	printf("after %d days: %.1f MiB without retention, %.1f MiB with the "
	    "default ages (audit 365d, alerts and checklists 90d, outbox "
	    "30d)\n", days, (double)without / (1024 * 1024),
	    (double)with / (1024 * 1024));
	return 0;
}

/* The metrics registry: the text exposition format, written by hand. */

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chatlink.h"
#include "clock.h"
#include "metrics.h"
#include "store.h"
#include "store_checklists.h"
#include "store_health.h"
#include "test.h"

static char *
render(void)
{
	struct buf	 b;

	buf_init(&b);
	metrics_render(&b);
	return buf_detach(&b);
}

TEST(metrics_help_type_and_counters)
{
	char	*out;

	metrics_reset();
	metrics_add("opsbot_commands_total", 1, "command", "status", "outcome",
	    "ok", NULL);
	metrics_add("opsbot_commands_total", 2, "command", "status", "outcome",
	    "ok", NULL);
	/* A counter never goes down; a family not in the table is ignored. */
	metrics_add("opsbot_commands_total", -5, "command", "status",
	    "outcome", "ok", NULL);
	metrics_add("opsbot_no_such_thing", 1, NULL);
	/* Wrong type for the family: ignored too. */
	metrics_set("opsbot_commands_total", 9, "command", "x", NULL);
	metrics_set("opsbot_store_size_bytes", 4096, NULL);
	out = render();
	ASSERT_CONTAINS(out, "# HELP opsbot_commands_total Commands answered");
	ASSERT_CONTAINS(out, "# TYPE opsbot_commands_total counter\n");
	ASSERT_CONTAINS(out, "\nopsbot_commands_total{command=\"status\","
	    "outcome=\"ok\"} 3\n");
	ASSERT(strstr(out, "opsbot_no_such_thing") == NULL);
	ASSERT(strstr(out, "command=\"x\"") == NULL);
	ASSERT_CONTAINS(out, "# TYPE opsbot_store_size_bytes gauge\n"
	    "opsbot_store_size_bytes 4096\n");
	free(out);
}

TEST(metrics_label_escaping)
{
	char	*out;

	metrics_reset();
	metrics_set("opsbot_checklist_last_run_success", 1, "checklist",
	    "a \"quoted\" back\\slash\nnewline", NULL);
	out = render();
	ASSERT_CONTAINS(out, "opsbot_checklist_last_run_success{checklist="
	    "\"a \\\"quoted\\\" back\\\\slash\\nnewline\"} 1\n");
	free(out);
}

TEST(metrics_histogram_cumulative)
{
	char	*out;

	metrics_reset();
	metrics_observe("opsbot_command_duration_seconds", 0.2, "command",
	    "health", NULL);
	metrics_observe("opsbot_command_duration_seconds", 3, "command",
	    "health", NULL);
	metrics_observe("opsbot_command_duration_seconds", 500, "command",
	    "health", NULL);
	out = render();
	ASSERT_CONTAINS(out, "# TYPE opsbot_command_duration_seconds "
	    "histogram\n");
	ASSERT_CONTAINS(out, "opsbot_command_duration_seconds_bucket{command="
	    "\"health\",le=\"0.1\"} 0\n");
	ASSERT_CONTAINS(out, "opsbot_command_duration_seconds_bucket{command="
	    "\"health\",le=\"0.25\"} 1\n");
	ASSERT_CONTAINS(out, "opsbot_command_duration_seconds_bucket{command="
	    "\"health\",le=\"5\"} 2\n");
	ASSERT_CONTAINS(out, "opsbot_command_duration_seconds_bucket{command="
	    "\"health\",le=\"120\"} 2\n");
	ASSERT_CONTAINS(out, "opsbot_command_duration_seconds_bucket{command="
	    "\"health\",le=\"+Inf\"} 3\n");
	ASSERT_CONTAINS(out, "opsbot_command_duration_seconds_sum{command="
	    "\"health\"} 503.2\n");
	ASSERT_CONTAINS(out, "opsbot_command_duration_seconds_count{command="
	    "\"health\"} 3\n");
	free(out);
}

TEST(metrics_clear_drops_a_family)
{
	char	*out;

	metrics_reset();
	metrics_set("opsbot_alerts_open", 2, "severity", "critical", "state",
	    "firing", NULL);
	metrics_set("opsbot_silences_active", 1, NULL);
	metrics_clear("opsbot_alerts_open");
	out = render();
	ASSERT(strstr(out, "severity=") == NULL);
	ASSERT_CONTAINS(out, "opsbot_silences_active 1\n");
	free(out);
}

TEST(chatlink_states_and_reconnects)
{
	struct chatlink_info	 li;
	char			*out;

	metrics_reset();
	chatlink_reset();
	clock_fake_set(1700000000000);
	ASSERT_INT_EQ(chatlink_get("slack", &li), -1);
	chatlink_state("slack", 1);
	clock_fake_advance(5000);
	chatlink_inbound("slack");
	ASSERT_INT_EQ(chatlink_get("slack", &li), 0);
	ASSERT_INT_EQ(li.up, 1);
	ASSERT_INT_EQ(li.inbound_mono, 5000);
	chatlink_state("slack", 0);
	clock_fake_advance(1000);
	chatlink_state("slack", 1);
	out = render();
	ASSERT_CONTAINS(out, "opsbot_chat_link_up{platform=\"slack\"} 1\n");
	ASSERT_CONTAINS(out, "opsbot_chat_reconnects_total{platform="
	    "\"slack\"} 1\n");
	free(out);
	clock_use_real();
}

static char	 summary[512];

static void
on_outbox(void *arg, const char *platform, int64_t pending, int64_t oldest)
{
	(void)arg;
	snprintf(summary + strlen(summary), sizeof summary - strlen(summary),
	    "%s:%lld:%lld;", platform, (long long)pending, (long long)oldest);
}

static void
on_checklist(void *arg, const char *name, int passed, int total,
    int64_t finished)
{
	(void)arg;
	snprintf(summary + strlen(summary), sizeof summary - strlen(summary),
	    "%s:%d/%d@%lld;", name, passed, total, (long long)finished);
}

/* What /metrics and /readyz read from the store. */
TEST(store_health_summaries_and_commit)
{
	char			 path[512];
	struct store		*s;
	char			 slack[] = "slack", mm[] = "mattermost";
	char			 ch[] = "C1", kind[] = "post", body[] = "{}";
	struct store_outbox_row	 r = { 0, 1000, slack, ch, kind, NULL, body,
	    0 };
	struct store_run_row	 run = { 0, "sod", 1, 2000, "command", 3, 3 };
	sqlite3			*other;
	char			*cause = NULL;

	snprintf(path, sizeof path, "%s/health.db", test_tmpdir());
	ASSERT_NOT_NULL(s = store_open(path, &cause));
	ASSERT(store_outbox_add(s, &r, &cause) > 0);
	r.created_ms = 3000;
	ASSERT(store_outbox_add(s, &r, &cause) > 0);
	r.platform = mm;
	r.created_ms = 500;
	ASSERT(store_outbox_add(s, &r, &cause) > 0);
	summary[0] = '\0';
	ASSERT_INT_EQ(store_outbox_summary(s, on_outbox, NULL, NULL), 0);
	ASSERT_STR_EQ(summary, "mattermost:1:500;slack:2:1000;");
	ASSERT(store_run_add(s, &run, NULL, 0, &cause) > 0);
	run.passed = 2;
	run.finished_ms = 4000;
	ASSERT(store_run_add(s, &run, NULL, 0, &cause) > 0);
	summary[0] = '\0';
	ASSERT_INT_EQ(store_checklist_last(s, on_checklist, NULL, NULL), 0);
	ASSERT_STR_EQ(summary, "sod:2/3@4000;");
	ASSERT_INT_EQ(store_can_commit(s, NULL), 0);
	/* Another writer holds the lock: after the busy timeout (5 s), no. */
	ASSERT_INT_EQ(sqlite3_open(path, &other), SQLITE_OK);
	ASSERT_INT_EQ(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL,
	    NULL), SQLITE_OK);
	ASSERT_INT_EQ(store_can_commit(s, &cause), -1);
	ASSERT_CONTAINS(cause, "locked");
	free(cause);
	sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(other);
	ASSERT_INT_EQ(store_can_commit(s, NULL), 0);
	store_close(s);
}

/*
 * docs/monitoring.md's table and the registry agree: every family is a
 * row "| `name` | type |", and every row is a family.
 */
TEST(metrics_documented)
{
	char	*out, *docs, *line, *save, *p, row[256], name[128];
	FILE	*f;
	long	 n;
	int	 rows = 0;

	if ((f = fopen(OPSBOT_SOURCE_DIR "/docs/monitoring.md", "r")) == NULL)
		TEST_FAIL("cannot read docs/monitoring.md");
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	docs = calloc(1, (size_t)n + 1);
	if (docs == NULL || fread(docs, 1, (size_t)n, f) != (size_t)n)
		TEST_FAIL("cannot read docs/monitoring.md");
	fclose(f);
	metrics_reset();
	out = render();
	for (line = strtok_r(out, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		char type[32];

		if (sscanf(line, "# TYPE %127s %31s", name, type) != 2)
			continue;
		snprintf(row, sizeof row, "| `%s` | %s |", name, type);
		if (strstr(docs, row) == NULL)
			TEST_FAIL("docs/monitoring.md has no row %s", row);
	}
	free(out);
	out = render();
	for (p = strstr(docs, "\n| `opsbot_"); p != NULL;
	    p = strstr(p + 1, "\n| `opsbot_")) {
		if (sscanf(p, "\n| `%127[a-z_]`", name) != 1)
			continue;
		rows++;
		snprintf(row, sizeof row, "# TYPE %s ", name);
		if (strstr(out, row) == NULL)
			TEST_FAIL("docs/monitoring.md documents %s, which the "
			    "registry does not have", name);
	}
	ASSERT(rows > 10);
	free(out);
	free(docs);
}

static const struct test tests[] = {
	TEST_ENTRY(metrics_documented),
	TEST_ENTRY(metrics_help_type_and_counters),
	TEST_ENTRY(metrics_label_escaping),
	TEST_ENTRY(metrics_histogram_cumulative),
	TEST_ENTRY(metrics_clear_drops_a_family),
	TEST_ENTRY(chatlink_states_and_reconnects),
	TEST_ENTRY(store_health_summaries_and_commit),
	TEST_END
};

int
main(int argc, char **argv)
{
	return test_run(tests, argc, argv);
}

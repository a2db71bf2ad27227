/* The metrics registry: the text exposition format, written by hand. */

#include "chatlink.h"
#include "clock.h"
#include "metrics.h"
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

static const struct test tests[] = {
	TEST_ENTRY(metrics_help_type_and_counters),
	TEST_ENTRY(metrics_label_escaping),
	TEST_ENTRY(metrics_histogram_cumulative),
	TEST_ENTRY(metrics_clear_drops_a_family),
	TEST_ENTRY(chatlink_states_and_reconnects),
	TEST_END
};

int
main(int argc, char **argv)
{
	return test_run(tests, argc, argv);
}

/*
 * /handover over a seeded store, through the real dispatcher: every
 * section (open incidents, open alerts with who acknowledged them, the
 * shift's alert events, reruns and restarts, failing checklist lines,
 * tickets), the shift's start (--since, the last handover, 12 hours), an
 * empty store, and the same digest from a schedule (schedules[].run
 * "/handover" loads and fires as the user "scheduler").
 */

#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bot.h"
#include "clock.h"
#include "config.h"
#include "log.h"
#include "loop.h"
#include "recchat.h"
#include "scheduled.h"
#include "test.h"
#include "xmalloc.h"

#define MIN	(60LL * 1000)
#define HOUR	(60 * MIN)

static struct chat_ops	 rec_ops;
static struct bot	*bot;
static struct chat	*chat;
static char		 db[1024];
static int64_t		 now;

static const char config_text[] =
"{\"bot\": {\"data_dir\": \"%1$s/data\", \"worker_threads\": 1,"
"          \"shutdown_grace\": \"1s\"},"
" \"alerts\": {\"listen\": \"127.0.0.1:0\"},"
" \"chat\": {\"console\": {\"enabled\": false}},"
" \"users\": [{\"name\": \"ada\", \"id\": \"UA\", \"roles\": [\"viewer\"]},"
"  {\"name\": \"scheduler\", \"platform\": \"*\", \"id\": \"scheduler\","
"   \"roles\": [\"viewer\"]}],"
" \"schedules\": [{\"name\": \"shift\", \"cron\": \"0 8,20 * * *\","
"   \"run\": \"/handover\", \"channel\": \"console\"}]}";

/* Runs sql (printf-style) on a second connection to the bot's store. */
static void
sql(const char *fmt, ...)
{
	sqlite3	*d;
	char	*q, *err = NULL;
	va_list	 ap;

	va_start(ap, fmt);
	q = sqlite3_vmprintf(fmt, ap);
	va_end(ap);
	ASSERT_INT_EQ(sqlite3_open(db, &d), SQLITE_OK);
	sqlite3_busy_timeout(d, 5000);
	if (sqlite3_exec(d, q, NULL, NULL, &err) != SQLITE_OK)
		TEST_FAIL("%s: %s", q, err);
	sqlite3_free(q);
	sqlite3_close(d);
}

static void
start_bot(void)
{
	struct config	*c;
	struct buf	 errors;
	char		*json, *cause = NULL;

	/* As main does: schedules name commands, checked at load. */
	cmd_config_commands(cmd_table);
	xasprintf(&json, config_text, test_tmpdir());
	buf_init(&errors);
	if (config_load_text(json, strlen(json), "t.json", &c, &errors) != 0)
		TEST_FAIL("config: %s", errors.data);
	free(json);
	buf_release(&errors);
	ASSERT_STR_EQ(c->schedules[0].run, "/handover");
	bot = bot_create(c, cmd_table, &cause);
	if (bot == NULL)
		TEST_FAIL("bot_create: %s", cause);
	recchat_ops(&rec_ops, "console");
	chat = chat_create(&rec_ops, bot);
	bot_add_chat(bot, chat);
	if (bot_start(bot, &cause) != 0)
		TEST_FAIL("bot_start: %s", cause);
	snprintf(db, sizeof db, "%s/data/opsbot.db", test_tmpdir());
	now = clock_now_ms();
}

/* Waits for the answer the bot is giving. */
static const char *
answer(void)
{
	static char	*last;
	int		 i;

	for (i = 0; i < 100000 && recchat.replies.len == 0; i++)
		loop_turn(bot->loop);
	free(last);
	last = xstrdup(recchat.replies.len > 0 ? recchat.replies.data :
	    "(no answer)");
	if (getenv("SHOW") != NULL)
		fprintf(stderr, "%s\n", last);
	return last;
}

static const char *
run(const char *line)
{
	struct chat_msg	 m = { .user_id = "UA", .user_name = "ada",
	    .channel = "console", .text = line, .len = strlen(line) };

	buf_release(&recchat.replies);
	bot_handle_message(bot, chat, &m);
	return answer();
}

static void
alert(int id, const char *name, const char *host, const char *state,
    const char *acked_by, int64_t first_seen)
{
	sql("INSERT INTO alerts (id, fingerprint, source, alertname, severity,"
	    " host, labels, annotations, state, starts_at, ends_at, first_seen,"
	    " last_seen, received, acked_by) VALUES (%d, 'fp%d', 'test', %Q, "
	    "'critical', %Q, '{}', '{}', %Q, %lld, 0, %lld, %lld, %lld, %Q)",
	    id, id, name, host, state, (long long)first_seen,
	    (long long)first_seen, (long long)now, (long long)now, acked_by);
}

static void
event(int alert_id, int64_t at, const char *who, const char *what)
{
	sql("INSERT INTO alert_events (alert_id, at, who, what) VALUES (%d, "
	    "%lld, %Q, %Q)", alert_id, (long long)at, who, what);
}

static void
audit(int64_t ts, const char *user, const char *cmd, const char *outcome,
    const char *detail)
{
	sql("INSERT INTO audit (ts, platform, user, user_name, channel, "
	    "command, outcome, detail, duration_ms) VALUES (%lld, 'slack', "
	    "'U', %Q, 'C1', %Q, %Q, %Q, 5)", (long long)ts, user, cmd, outcome,
	    detail);
}

TEST(empty_store)
{
	const char	*out;

	log_set_level(LOG_ERROR);
	start_bot();
	out = run("/handover");
	ASSERT_CONTAINS(out, "Handover: the shift since ");
	ASSERT_CONTAINS(out, ", 12h");
	ASSERT_CONTAINS(out, "Open incidents: none");
	ASSERT_CONTAINS(out, "Open alerts: none");
	ASSERT_CONTAINS(out, "During the shift: 0 fired, 0 resolved");
	ASSERT_CONTAINS(out, "Reruns and restarts: none");
	ASSERT_CONTAINS(out, "Checklist lines still failing: none");
	ASSERT_CONTAINS(out, "Tickets opened: none");
}

TEST(every_section)
{
	const char	*out;

	/* The empty store's /handover would start this shift. */
	sql("DELETE FROM audit");
	sql("INSERT INTO incidents (id, title, severity, status, platform, "
	    "channel, opened, opened_by, opened_by_name) VALUES (3, "
	    "'Payments down', 1, 'failing over to db2', 'slack', 'C1', %lld, "
	    "'U1', 'alice'), (4, 'Old and closed', 3, NULL, 'slack', 'C1', "
	    "%lld, 'U1', 'alice')", (long long)(now - 2 * HOUR),
	    (long long)(now - 30 * HOUR));
	sql("UPDATE incidents SET state = 'closed' WHERE id = 4");
	alert(12, "DbDown", "db1", "acknowledged", "@bob", now - 3 * HOUR);
	alert(13, "DiskFull", "web2", "firing", NULL, now - HOUR);
	alert(14, "LoadHigh", "web1", "resolved", NULL, now - 5 * HOUR);
	event(12, now - 3 * HOUR, "alertmanager", "fired");
	event(12, now - 3 * HOUR + 5 * MIN, "@bob", "acknowledged");
	event(13, now - HOUR, "alertmanager", "fired");
	event(14, now - 5 * HOUR, "alertmanager", "fired");
	event(14, now - 4 * HOUR, "alertmanager", "resolved");
	event(14, now - 20 * HOUR, "alertmanager", "fired");
	audit(now - 2 * HOUR, "alice", "/rerun PAYROLL_EOD --confirm", "ok",
	    NULL);
	audit(now - HOUR, "bob", "/restart web1 nginx --confirm", "error",
	    "web1: exit 1: unit not found");
	audit(now - HOUR, "bob", "/audit rerun", "ok", NULL);
	audit(now - HOUR, "bob", "/rerun X", "unconfirmed", NULL);
	audit(now - 20 * HOUR, "carol", "/rerun OLD_JOB --confirm", "ok",
	    NULL);
	/* sod: the latest run fails a line an older run passed. */
	sql("INSERT INTO checklist_runs (id, name, started, finished, trigger,"
	    " passed, total) VALUES (1, 'sod', %lld, %lld, 'schedule', 2, 2), "
	    "(2, 'sod', %lld, %lld, 'schedule', 1, 2)",
	    (long long)(now - 26 * HOUR), (long long)(now - 26 * HOUR),
	    (long long)(now - 3 * HOUR), (long long)(now - 3 * HOUR));
	sql("INSERT INTO checklist_results (run_id, idx, title, kind, status, "
	    "detail) VALUES (1, 0, 'Ledger export', 'jobs', 'ok', ''), (1, 1, "
	    "'Web up', 'services', 'ok', ''), (2, 0, 'Ledger export', 'jobs', "
	    "'fail', 'LEDGER_EXPORT: FA'), (2, 1, 'Web up', 'services', 'ok', "
	    "'')");
	sql("INSERT INTO tickets (correlation_id, source, short_description, "
	    "state, number, url, created, created_by, updated) VALUES ('inc:3',"
	    " 'incident', 'Payments down', 'new', 'INC0010001', "
	    "'https://sn.example/inc', %lld, '@alice', %lld), ('old', 'chat', "
	    "'Old ticket', 'closed', 'INC0009999', NULL, %lld, '@carol', %lld)",
	    (long long)(now - HOUR), (long long)(now - HOUR),
	    (long long)(now - 40 * HOUR), (long long)(now - 40 * HOUR));

	out = run("/handover");
	ASSERT_CONTAINS(out, "Open incidents: 1");
	ASSERT_CONTAINS(out, "#3 Payments down (sev 1), open since ");
	ASSERT_CONTAINS(out, "by alice; status: failing over to db2");
	ASSERT(strstr(out, "Old and closed") == NULL);
	ASSERT_CONTAINS(out, "Open alerts: 2");
	ASSERT_CONTAINS(out, "#12 DbDown on db1 (critical), open since ");
	ASSERT_CONTAINS(out, ": acknowledged by @bob\n");
	ASSERT_CONTAINS(out, "#13 DiskFull on web2 (critical), open since ");
	ASSERT_CONTAINS(out, ": firing, nobody has acknowledged it\n");
	/* The shift: 12 h; the fire 20 h ago is not in it. */
	ASSERT_CONTAINS(out, "During the shift: 3 fired, 1 resolved");
	ASSERT_CONTAINS(out, "#14 LoadHigh on web1: fired ");
	ASSERT_CONTAINS(out, "acknowledged by @bob ");
	ASSERT_CONTAINS(out, "Reruns and restarts: 2");
	ASSERT_CONTAINS(out, "@alice: /rerun PAYROLL_EOD --confirm — ok");
	ASSERT_CONTAINS(out, "@bob: /restart web1 nginx --confirm — error: "
	    "web1: exit 1: unit not found");
	ASSERT(strstr(out, "/audit rerun") == NULL);
	ASSERT(strstr(out, "/rerun X") == NULL);
	ASSERT(strstr(out, "OLD_JOB") == NULL);
	ASSERT_CONTAINS(out, "Checklist lines still failing: 1");
	ASSERT_CONTAINS(out, "sod (run ");
	ASSERT_CONTAINS(out, "Ledger export — failed: LEDGER_EXPORT: FA");
	ASSERT(strstr(out, "Web up") == NULL);
	ASSERT_CONTAINS(out, "Tickets opened: 1");
	ASSERT_CONTAINS(out, "INC0010001 Payments down (new), opened ");
	ASSERT_CONTAINS(out, "by @alice https://sn.example/inc");
	ASSERT(strstr(out, "Old ticket") == NULL);

	/* --since reaches further back. */
	out = run("/handover --since 1d");
	ASSERT_CONTAINS(out, ", 1d");
	ASSERT_CONTAINS(out, "Reruns and restarts: 3");
	ASSERT_CONTAINS(out, "@carol: /rerun OLD_JOB --confirm — ok");
	ASSERT_CONTAINS(out, "During the shift: 4 fired, 1 resolved");
}

/* The shift starts at the last handover (within a day). */
TEST(since_the_last_handover)
{
	const char	*out;

	sql("DELETE FROM audit WHERE command LIKE '/handover%%'");
	audit(now - 90 * MIN, "dave", "/handover", "ok", NULL);
	/* One that failed, or a prompt, is no handover. */
	audit(now - 80 * MIN, "dave", "/handover --since x", "bad_input",
	    NULL);
	out = run("/handover");
	ASSERT_CONTAINS(out, "(the last handover), 1h30m");
	ASSERT_CONTAINS(out, "Reruns and restarts: 1");
	ASSERT_CONTAINS(out, "/restart web1 nginx");
	ASSERT_CONTAINS(out, "During the shift: 1 fired, 0 resolved");
	/* Still listed: what is open, whenever it began. */
	ASSERT_CONTAINS(out, "Open incidents: 1");
	ASSERT_CONTAINS(out, "Open alerts: 2");
	ASSERT_CONTAINS(out, "Checklist lines still failing: 1");
	/* This /handover (its audit row written as it answered) is now. */
	out = run("/handover");
	ASSERT_CONTAINS(out, "(the last handover)");
	ASSERT_CONTAINS(out, "Reruns and restarts: none");
}

/* schedules[].run "/handover" fires through the dispatcher. */
TEST(scheduled)
{
	const char	*out;

	buf_release(&recchat.replies);
	scheduled_fire(bot, &bot->cfg->schedules[0], "schedule", now);
	out = answer();
	ASSERT_CONTAINS(out, "Handover: the shift since ");
	ASSERT_CONTAINS(out, "Open alerts: 2");
	ASSERT_CONTAINS(out, "nobody has acknowledged it");
	bot_request_stop(bot, "test");
	bot_run(bot);
	bot_free(bot);
}

static const struct test tests[] = {
	TEST_ENTRY(empty_store),
	TEST_ENTRY(every_section),
	TEST_ENTRY(since_the_last_handover),
	TEST_ENTRY(scheduled),
	TEST_END
};

int
main(int argc, char **argv)
{
	return test_run(tests, argc, argv);
}

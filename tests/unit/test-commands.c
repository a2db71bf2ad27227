/*
 * The host commands' report logic as data: hosts with the fixture
 * transport replay captured output (tests/fixtures/remote/), so /health,
 * /disk, /jobs and /rerun run their real scripts, sections, parsers and
 * verdicts through the real dispatcher without sshd. A stopped service
 * and a failed job carry their runbooks.map Runbook button.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "alerts_service.h"
#include "bot.h"
#include "config.h"
#include "log.h"
#include "loop.h"
#include "recchat.h"
#include "test.h"
#include "xmalloc.h"

static struct chat_ops	 rec_ops;	/* recchat's, as the console */
static struct bot	*bot;
static struct chat	*chat;

/* Writes text to DIR/host/name, making the host's directory. */
static void
put(const char *host, const char *name, const char *text)
{
	char	 path[1024];
	FILE	*f;

	snprintf(path, sizeof path, "%s/%s", test_tmpdir(), host);
	mkdir(path, 0700);
	snprintf(path, sizeof path, "%s/%s/%s", test_tmpdir(), host, name);
	if ((f = fopen(path, "w")) == NULL)
		TEST_FAIL("cannot write %s", path);
	fputs(text, f);
	fclose(f);
}

/* A captured output from tests/fixtures/remote as DIR/host/name. */
static void
put_fixture(const char *host, const char *name, const char *fixture)
{
	char	 path[1024];
	char	*text;
	FILE	*f;
	long	 n;

	snprintf(path, sizeof path, "%s/remote/%s", OPSBOT_FIXTURES, fixture);
	if ((f = fopen(path, "r")) == NULL)
		TEST_FAIL("no fixture %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	text = xcalloc(1, (size_t)n + 1);
	if (fread(text, 1, (size_t)n, f) != (size_t)n)
		TEST_FAIL("cannot read %s", path);
	fclose(f);
	put(host, name, text);
	free(text);
}

static const char config_text[] =
"{\"bot\": {\"data_dir\": \"%1$s/data\", \"worker_threads\": 2,"
"          \"shutdown_grace\": \"1s\"},"
" \"alerts\": {\"listen\": \"127.0.0.1:0\"},"
" \"remote\": {\"timeout\": \"2s\"},"
" \"chat\": {\"console\": {\"enabled\": false}},"
" \"users\": [{\"name\": \"ada\", \"id\": \"UA\", \"roles\": [\"admin\"]}],"
" \"hosts\": ["
"  {\"name\": \"db1\", \"transport\": \"fixture\", \"fixture\": \"%1$s/db1\","
"   \"tags\": [\"prod\"], \"mounts\": [{\"path\": \"/\"}],"
"   \"services\": [{\"name\": \"nginx\", \"unit\": \"nginx.service\"}],"
"   \"logs\": {\"app\": \"/var/log/app.log\"},"
"   \"jobs\": {\"names\": [\"FEED_*\"]}},"
"  {\"name\": \"db2\", \"transport\": \"fixture\", \"fixture\": \"%1$s/db2\","
"   \"tags\": [\"prod\"], \"mounts\": [{\"path\": \"/data\"}]},"
"  {\"name\": \"gone\", \"transport\": \"fixture\","
"   \"fixture\": \"%1$s/gone\", \"tags\": [\"prod\"]},"
"  {\"name\": \"nfs\", \"transport\": \"fixture\", \"fixture\": \"%1$s/nfs\","
"   \"mounts\": [{\"path\": \"/mnt/nfs\"}]},"
"  {\"name\": \"batch\", \"transport\": \"fixture\","
"   \"fixture\": \"%1$s/batch\", \"jobs\": {\"names\": [\"LEDGER_*\"]}}],"
/* Runbook buttons next to what failed (runbook_link.h). */
" \"runbooks\": {\"map\": ["
"  {\"service\": \"nginx\", \"runbook\": \"https://wiki/nginx\"},"
"  {\"job\": \"FEED_*\", \"runbook\": \"https://wiki/feeds\"},"
"  {\"job\": \"LEDGER_*\", \"runbook\": \"https://wiki/ledger\"}]}}";

static void
start_bot(void)
{
	struct config	*c;
	struct buf	 errors;
	char		*json, *cause = NULL;

	/* db1: a healthy machine whose nginx is stopped (exit 3). */
	put("db1", "cpus", "0-1\n");	/* /sys/devices/system/cpu/online */
	put_fixture("db1", "loadavg", "loadavg.txt");
	put_fixture("db1", "uptime", "proc-uptime.txt");
	put_fixture("db1", "meminfo", "meminfo.txt");
	put_fixture("db1", "df", "df-P.txt");
	put("db1", "svc:nginx", "inactive\n");
	put("db1", "svc:nginx.status", "3\n");
	put_fixture("db1", "q:0", "autorep-states.txt");
	put_fixture("db1", "status", "autorep-states.txt");
	put("db1", "now", "1795330000 +0000\n");	/* date '+%s %z' */
	put("db1", "log:app", "opsbot: cannot read\n");	/* logcount.c */
	put_fixture("db1", "ps", "ps.txt");
	/* The one-second CPU sample: pid, percent (cpusample.c). */
	put("db1", "cpu", "48377 97.5\n1203 4.0\n");
	put("db1", "log", "2026-11-22 07:00:01 INFO started\n"
	    "2026-11-22 07:00:02 ERROR feed FEED_INTRADAY: timeout\n");
	put("db1", "restart", "");
	put("db1", "check", "active\n");
	/* db2: /data nearly full. */
	put("db2", "cpus", "0-3\n");
	put_fixture("db2", "loadavg", "loadavg.txt");
	put_fixture("db2", "uptime", "proc-uptime.txt");
	put_fixture("db2", "meminfo", "meminfo.txt");
	put("db2", "df", "Filesystem 1024-blocks Used Available Capacity "
	    "Mounted on\n/dev/vdb 1000000 970000 30000 97% /data\n");
	/* gone: ssh cannot connect. */
	put("gone", "_unreachable", "ssh: connect to host gone port 22: "
	    "Connection refused\n");
	/* nfs: connected, then df hangs on the mount. */
	put("nfs", "df.hang", "");
	/* batch: LEDGER_EOD failed. */
	put_fixture("batch", "q:0", "hosts/batch1/q:0");

	xasprintf(&json, config_text, test_tmpdir());
	buf_init(&errors);
	if (config_load_text(json, strlen(json), "t.json", &c, &errors) != 0)
		TEST_FAIL("config: %s", errors.data);
	free(json);
	buf_release(&errors);
	bot = bot_create(c, cmd_table, &cause);
	if (bot == NULL)
		TEST_FAIL("bot_create: %s", cause);
	recchat_ops(&rec_ops, "console");
	chat = chat_create(&rec_ops, bot);
	bot_add_chat(bot, chat);
	bot_add_service(bot, &alerts_service);
	if (bot_start(bot, &cause) != 0)
		TEST_FAIL("bot_start: %s", cause);
}

/* Runs one command line as ada and waits for its answer. */
static const char *
run(const char *line)
{
	static char	*last;
	struct chat_msg	 m = { .user_id = "UA", .user_name = "ada",
	    .channel = "console", .text = line, .len = strlen(line) };
	int		 i;

	buf_release(&recchat.replies);
	bot_handle_message(bot, chat, &m);
	for (i = 0; i < 100000 && recchat.replies.len == 0; i++)
		loop_turn(bot->loop);
	free(last);
	last = xstrdup(recchat.replies.len > 0 ? recchat.replies.data :
	    "(no answer)");
	return last;
}

TEST(health_reads_the_captured_host)
{
	const char	*out;

	log_set_level(LOG_ERROR);
	start_bot();
	out = run("/health db1");
	/* A stopped service is a finding, not an unreachable host. */
	ASSERT_CONTAINS(out, "db1: CRIT");
	ASSERT_CONTAINS(out, "service nginx: inactive");
	ASSERT_CONTAINS(out, "load 0.43 0.73 0.67 (2 cpu)");
	ASSERT_CONTAINS(out, "/ 17%");
	ASSERT(strstr(out, "cannot read the host's clock") == NULL);
	ASSERT_CONTAINS(out, "log app: cannot read /var/log/app.log");
	/* The stopped service's runbook, as a link. */
	ASSERT_CONTAINS(out, "Runbook: nginx: https://wiki/nginx");
	out = run("/health db2");
	ASSERT(strstr(out, "Runbook") == NULL);
	out = run("/health prod");
	if (getenv("SHOW") != NULL)
		fprintf(stderr, "%s\n", out);
	ASSERT_CONTAINS(out, "gone: UNREACHABLE");
	ASSERT_CONTAINS(out, "Connection refused");
	ASSERT_CONTAINS(out, "db2: CRIT");
	ASSERT_CONTAINS(out, "/data 97%");
	/* Worst first: the unreachable host leads. */
	ASSERT(strstr(out, "gone:") < strstr(out, "db2:"));
}

TEST(disk_and_a_hung_mount)
{
	const char	*out;

	out = run("/disk db2");
	ASSERT_CONTAINS(out, "/data");
	ASSERT_CONTAINS(out, "97%");
	out = run("/disk nfs");
	ASSERT_CONTAINS(out, "connected, but `df` did not finish in 2 s");
}

TEST(jobs_and_a_rerun_that_looks_first)
{
	const char	*out;

	out = run("/jobs");
	ASSERT_CONTAINS(out, "FEED_INTRADAY");
	ASSERT_CONTAINS(out, "running");
	/* The failed job's runbook; none for jobs that did not fail. */
	ASSERT_CONTAINS(out, "LEDGER_EOD");
	ASSERT_CONTAINS(out, "Runbook: LEDGER_EOD: https://wiki/ledger");
	ASSERT(strstr(out, "wiki/feeds") == NULL);
	out = run("/rerun FEED_INTRADAY --confirm");
	ASSERT_CONTAINS(out, "FEED_INTRADAY is running since 11/22/2026 "
	    "07:00:01 on db1; it was not started again");
	out = run("/rerun FEED_HELD");
	ASSERT_CONTAINS(out, "FEED_HELD on db1 is OH (on hold)");
	ASSERT_CONTAINS(out, "Confirm runs: sendevent -E FORCE_STARTJOB -J "
	    "FEED_HELD on db1");
	/* ST (starting) is on its way too: refused, confirmed or not. */
	put("db1", "status", "\nJob Name                         Last Start   "
	    "        Last End             ST Run/Ntry Pri/Xit\n"
	    "________________________________ ____________________ "
	    "____________________ __ ________ _______\n\n"
	    "FEED_START                       11/22/2026 07:10:00  -----"
	    "                ST 90003/1\n");
	out = run("/rerun FEED_START --confirm");
	ASSERT_CONTAINS(out, "FEED_START is starting since 11/22/2026 "
	    "07:10:00 on db1; it was not started again");
	ASSERT(strstr(out, "force-started") == NULL);
	out = run("/rerun FEED_START");
	ASSERT_CONTAINS(out, "it was not started again");
	ASSERT(strstr(out, "Confirm runs") == NULL);
	put_fixture("db1", "status", "autorep-states.txt");
}

TEST(top_logs_and_a_restart)
{
	const char	*out;

	out = run("/top db1");
	if (getenv("SHOW") != NULL)
		fprintf(stderr, "%s\n", out);
	/* The sample's CPU, not ps's lifetime average, and sorted by it. */
	ASSERT_CONTAINS(out, "db1: top CPU");
	ASSERT_CONTAINS(out, "97.5");
	ASSERT_CONTAINS(out, "Web Content");
	ASSERT(strstr(out, "Web Content") < strstr(out, "nginx"));
	out = run("/top db1 --mem");
	ASSERT_CONTAINS(out, "db1: top memory");
	ASSERT_CONTAINS(out, "postgres");
	out = run("/logs db1 app");
	ASSERT_CONTAINS(out, "db1 app");
	ASSERT_CONTAINS(out, "ERROR feed FEED_INTRADAY: timeout");
	out = run("/logs db1 nosuch");
	ASSERT_CONTAINS(out, "nosuch");
	out = run("/restart db1 nginx");
	ASSERT_CONTAINS(out, "nginx on db1 is active now");
	ASSERT_CONTAINS(out, "Confirm runs: systemctl restart -- "
	    "nginx.service on db1");
	out = run("/restart db1 nginx --confirm");
	ASSERT_CONTAINS(out, "db1: restarted nginx; it is active again");
	bot_request_stop(bot, "test over");
	bot_run(bot);
	bot_free(bot);
	bot = NULL;
}

static const struct test tests[] = {
	TEST_ENTRY(health_reads_the_captured_host),
	TEST_ENTRY(disk_and_a_hung_mount),
	TEST_ENTRY(jobs_and_a_rerun_that_looks_first),
	TEST_ENTRY(top_logs_and_a_restart),
	TEST_END
};

int
main(int argc, char **argv)
{
	log_set_level(LOG_ERROR);
	return test_run(tests, argc, argv);
}

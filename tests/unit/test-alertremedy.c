/*
 * Remediation in the alert engine (alerts_remedy.c), with a fake clock
 * and a recording sink: a route's remediate as a button whose line
 * carries the alert's labels as one chat word each, and remediate_auto
 * running it by itself once per host and interval, said in the thread.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert_parse.h"
#include "alerts.h"
#include "args.h"
#include "buf.h"
#include "clock.h"
#include "config.h"
#include "log.h"
#include "store.h"
#include "test.h"

#define T0	1795305600000LL		/* 2026-11-23 00:00 UTC */

static struct buf	 posts;		/* "receiver kind ref title|text\n" */
static struct buf	 extras;	/* " Remediate…=LINE" per post */
static struct buf	 runs;		/* "receiver|line\n" per sink.run */
static int64_t		 next_id;
static struct store	*store;
static struct config	*cfg;

static int64_t
rec_post(void *arg, const char *receiver, const char *kind, int64_t ref,
    const struct message *m, char **cause)
{
	size_t	 i;

	(void)arg;
	(void)cause;
	buf_addf(&posts, "%s %s %lld %s|%s\n", receiver, kind,
	    (long long)ref, m->title != NULL ? m->title : "",
	    m->text != NULL ? m->text : "");
	for (i = 0; i < m->nbuttons; i++) {
		if (strcmp(m->buttons[i].action, "alert_remediate") == 0)
			buf_addf(&extras, " %s=%s", m->buttons[i].label,
			    m->buttons[i].value);
	}
	buf_addc(&extras, '\n');
	return ++next_id;
}

static void
rec_run(void *arg, const char *receiver, int64_t ref, const char *line)
{
	(void)arg;
	buf_addf(&runs, "%s|%lld|%s\n", receiver, (long long)ref, line);
}

static const struct alerts_sink sink = { .post = rec_post, .run = rec_run };

static struct alerts *
setup(const char *name, const char *json)
{
	struct alerts	*al;
	struct buf	 err;
	char		 path[512], *cause = NULL;

	snprintf(path, sizeof path, "%s/%s.db", test_tmpdir(), name);
	remove(path);
	clock_fake_set(T0);
	buf_release(&posts);
	buf_release(&extras);
	buf_release(&runs);
	next_id = 100;
	buf_init(&err);
	if (config_load_text(json, strlen(json), "test", &cfg, &err) != 0)
		TEST_FAIL("config: %s", err.data);
	buf_release(&err);
	if ((store = store_open(path, &cause)) == NULL)
		TEST_FAIL("store: %s", cause);
	if ((al = alerts_create(cfg, store, NULL, &sink, &cause)) == NULL)
		TEST_FAIL("alerts: %s", cause);
	return al;
}

static void
teardown(struct alerts *al)
{
	alerts_free(al);
	store_close(store);
	config_free(cfg);
	cfg = NULL;
	clock_use_real();
}

static void
ingest(struct alerts *al, const char *generic)
{
	struct alert_batch	 b;
	char			*err = NULL;

	if (alert_parse_generic(generic, strlen(generic), clock_now_ms(), &b,
	    &err) != 0)
		TEST_FAIL("parse: %s", err);
	if (alerts_ingest(al, &b, &err) != 0)
		TEST_FAIL("ingest: %s", err);
	alert_batch_release(&b);
}

static void
advance(struct alerts *al, int64_t ms)
{
	clock_fake_advance(ms);
	alerts_tick(al);
}

static int
count_lines(const char *s, const char *needle)
{
	int	 n = 0;

	while (s != NULL && (s = strstr(s, needle)) != NULL) {
		n++;
		s += strlen(needle);
	}
	return n;
}

/*
 * A route's remediate becomes a button whose line carries the first
 * firing alert's labels, each one chat word whatever the sender put in
 * it; a group whose alert lacks a named label gets no button.
 */
TEST(remediate_proposes_a_command_line)
{
	struct alerts	*al = setup("remedy", "{ \"alerts\": { \"route\": {"
	    " \"channels\": [\"slack:#ops\"], \"group_by\": [\"alertname\","
	    " \"host\"], \"routes\": ["
	    " {\"match\": {\"alertname\": \"ShopDown\"},"
	    "  \"remediate\": \"/restart-if-down {host} {alertname} {{x}}\"},"
	    " {\"match\": {\"alertname\": \"DiskFull\"},"
	    "  \"remediate\": \"/archive-logs {host} {days}\"}] } } }");
	struct words	 w;
	char		*err = NULL, *fix;

	ingest(al, "{\"name\":\"ShopDown\",\"host\":\"web\\\"1;$(reboot)\"}");
	ingest(al, "{\"name\":\"DiskFull\",\"host\":\"db-01\"}");
	advance(al, 31000);
	ASSERT_CONTAINS(extras.data, " Remediate…=/restart-if-down "
	    "\"web\\\"1;$(reboot)\" \"ShopDown\" {x}\n");
	ASSERT_CONTAINS(posts.data, "Proposed: /restart-if-down ");
	/* Read back as the click's command line: the values, one word each. */
	fix = strstr(extras.data, "=/restart-if-down") + 1;
	*strchr(fix, '\n') = '\0';
	ASSERT_INT_EQ(args_split(fix, strlen(fix), &w, &err), 0);
	ASSERT_INT_EQ(w.argc, 4);
	ASSERT_STR_EQ(w.argv[1], "web\"1;$(reboot)");
	ASSERT_STR_EQ(w.argv[2], "ShopDown");
	words_free(&w);
	/* DiskFull has no "days" label: nothing to propose. */
	ASSERT_INT_EQ(count_lines(extras.data, "Remediate"), 1);
	teardown(al);
}

/*
 * remediate_auto: the fix runs by itself, with --confirm, once per
 * remediate_every per host, and the group's thread says so.
 */
TEST(remediate_auto_runs_once_per_host_and_interval)
{
	struct alerts	*al = setup("remedyauto", "{ \"alerts\": { \"route\": {"
	    " \"channels\": [\"slack:#ops\"], \"group_by\": [\"host\"],"
	    " \"group_wait\": \"1s\", \"group_interval\": \"1s\","
	    " \"routes\": [ {\"match\": {\"alertname\": \"ShopDown\"},"
	    "  \"remediate\": \"/restart-if-down {host} shop\","
	    "  \"remediate_auto\": true, \"remediate_every\": \"30m\"}] } } }");

	buf_release(&runs);
	buf_init(&runs);
	ingest(al, "{\"name\":\"ShopDown\",\"host\":\"web1\"}");
	advance(al, 2000);
	/* In the thread of the group's message (outbox row 101). */
	ASSERT_STR_EQ(runs.data, "slack:#ops|101|/restart-if-down \"web1\" "
	    "shop --confirm\n");
	ASSERT_CONTAINS(posts.data, "thread 101 |Remediation: running "
	    "/restart-if-down \"web1\" shop --confirm by itself (at most once "
	    "every 30m on web1)");
	/* Still firing, fired again, another update: not again. */
	ingest(al, "{\"name\":\"ShopDown\",\"host\":\"web1\","
	    "\"summary\":\"still\"}");
	advance(al, 2000);
	ingest(al, "{\"name\":\"ShopDown\",\"host\":\"web1\","
	    "\"status\":\"resolved\"}");
	advance(al, 2000);
	ingest(al, "{\"name\":\"ShopDown\",\"host\":\"web1\"}");
	advance(al, 2000);
	ASSERT_INT_EQ(count_lines(runs.data, "web1"), 1);
	/* Another host is another budget. */
	ingest(al, "{\"name\":\"ShopDown\",\"host\":\"web2\"}");
	advance(al, 2000);
	ASSERT_INT_EQ(count_lines(runs.data, "web2"), 1);
	/* After the interval, web1 may be fixed again. */
	advance(al, 30 * 60 * 1000);
	ingest(al, "{\"name\":\"ShopDown\",\"host\":\"web1\","
	    "\"status\":\"resolved\"}");
	advance(al, 2000);
	ingest(al, "{\"name\":\"ShopDown\",\"host\":\"web1\"}");
	advance(al, 2000);
	ASSERT_INT_EQ(count_lines(runs.data, "web1"), 2);
	teardown(al);
}

static const struct test tests[] = {
	TEST_ENTRY(remediate_proposes_a_command_line),
	TEST_ENTRY(remediate_auto_runs_once_per_host_and_interval),
	TEST_END
};

int
main(int argc, char **argv)
{
	log_set_level(LOG_ERROR);
	return test_run(tests, argc, argv);
}

/*
 * runbooks.map: the config's checks (one key to match on, a URL or a
 * library file, --check-config's look at the library), which entry a
 * problem matches (globs, host tags, config order), the link it becomes
 * (a URL as is, the web page's /runbooks/FILE, or /runbook FILE), the
 * buttons an answer gets (once per link), and the Runbook button an
 * alert gets from the map when no runbook_url annotation gives one.
 */

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert_parse.h"
#include "alerts.h"
#include "bot.h"
#include "buf.h"
#include "checklist_run.h"
#include "clock.h"
#include "config.h"
#include "config_check.h"
#include "message.h"
#include "runbook_link.h"
#include "store.h"
#include "test.h"
#include "xmalloc.h"

#define LIB	OPSBOT_SOURCE_DIR "/tests/fixtures/runbooks"

static struct config *
load(const char *json)
{
	struct config	*c = NULL;
	struct buf	 err;

	buf_init(&err);
	if (config_load_text(json, strlen(json), "test", &c, &err) != 0)
		TEST_FAIL("config: %s", err.data);
	buf_release(&err);
	return c;
}

/* The errors of a config that must be refused; caller frees. */
static char *
refused(const char *json)
{
	struct config	*c = NULL;
	struct buf	 err;

	buf_init(&err);
	if (config_load_text(json, strlen(json), "test", &c, &err) == 0)
		TEST_FAIL("loaded but should not: %s", json);
	return buf_detach(&err);
}

#define MAP(entries) "{\"runbooks\": {\"dir\": \"" LIB "\", \"map\": [" \
	entries "]}}"

TEST(config_map_loads)
{
	struct config	*c = load("{\"runbooks\": {\"dir\": \"" LIB "\", "
	    "\"base_url\": \"https://bot.example/\", \"map\": ["
	    "{\"alertname\": \"DiskFull\", \"runbook\": \"disk-full.md\"},"
	    "{\"job\": \"LEDGER_*\", \"runbook\": \"https://wiki/ledger\"}]}}");

	ASSERT_INT_EQ((int)c->runbooks.nmap, 2);
	ASSERT_INT_EQ(c->runbooks.map[0].key, RUNBOOK_ALERTNAME);
	ASSERT_STR_EQ(c->runbooks.map[0].match, "DiskFull");
	ASSERT_STR_EQ(c->runbooks.map[1].runbook, "https://wiki/ledger");
	/* One form, so that /runbooks/FILE appends cleanly. */
	ASSERT_STR_EQ(c->runbooks.base_url, "https://bot.example");
	config_free(c);
}

TEST(config_map_refuses)
{
	char	*e;

	e = refused(MAP("{\"runbook\": \"disk-full.md\"}"));
	ASSERT_CONTAINS(e, "runbooks.map[0]: needs exactly one of alertname, "
	    "service, job or tag");
	free(e);
	e = refused(MAP("{\"job\": \"A\", \"tag\": \"db\", \"runbook\": "
	    "\"x.md\"}"));
	ASSERT_CONTAINS(e, "runbooks.map[0]: needs exactly one");
	free(e);
	e = refused(MAP("{\"job\": \"A\"}"));
	ASSERT_CONTAINS(e, "runbooks.map[0].runbook: required key is missing");
	free(e);
	e = refused(MAP("{\"job\": \"A\", \"runbook\": \"../etc/passwd\"}"));
	ASSERT_CONTAINS(e, "runbooks.map[0].runbook: expected a Markdown file");
	free(e);
	e = refused(MAP("{\"job\": \"A\", \"runbook\": \"ftp://x/y\"}"));
	ASSERT_CONTAINS(e, "expected an http:// or https:// URL or a file");
	free(e);
	e = refused(MAP("{\"job\": \"A\", \"runbook\": \"https://w/a b\"}"));
	ASSERT_CONTAINS(e, "without spaces");
	free(e);
	e = refused(MAP("{\"job\": \"A\", \"runbook\": \"x.md\", \"hots\": "
	    "1}"));
	ASSERT_CONTAINS(e, "runbooks.map[0].hots");
	free(e);
	/* A file needs the library; a URL does not. */
	e = refused("{\"runbooks\": {\"map\": [{\"job\": \"A\", "
	    "\"runbook\": \"x.md\"}]}}");
	ASSERT_CONTAINS(e, "runbooks.dir is not set");
	free(e);
	config_free(load("{\"runbooks\": {\"map\": [{\"job\": \"A\", "
	    "\"runbook\": \"https://wiki/a\"}]}}"));
	e = refused("{\"runbooks\": {\"map\": {\"job\": \"A\"}}}");
	ASSERT_CONTAINS(e, "runbooks.map: expected an array of");
	free(e);
	e = refused("{\"runbooks\": {\"base_url\": \"bot.example\"}}");
	ASSERT_CONTAINS(e, "runbooks.base_url: expected an http");
	free(e);
}

/* A start accepts a file not (yet) in the library; --check-config not. */
TEST(check_config_wants_the_file)
{
	struct config	*c = load(MAP(
	    "{\"alertname\": \"A\", \"runbook\": \"disk-full.md\"},"
	    "{\"alertname\": \"B\", \"runbook\": \"no-such.md\"},"
	    "{\"alertname\": \"C\", \"runbook\": \"https://wiki/c\"}"));
	struct buf	 err;

	buf_init(&err);
	ASSERT_INT_EQ(config_check_more(c, &err), 1);
	ASSERT_CONTAINS(err.data, "runbooks.map[1].runbook: \"no-such.md\" is "
	    "not in the runbook library (" LIB "/no-such.md: No such file");
	buf_release(&err);
	config_free(c);
}

static const char *
found(const struct config *c, const struct runbook_subject *s,
    const char **what)
{
	const struct cfg_runbook_map	*m = runbook_find(c, s, what);

	return m != NULL ? m->runbook : NULL;
}

/* Config order wins; globs; a host's tags; nothing matches nothing. */
TEST(find_in_order)
{
	struct config	*c = load("{\"hosts\": [{\"name\": \"db1\", "
	    "\"transport\": \"local\", \"tags\": [\"prod\", \"db\"]}],"
	    "\"runbooks\": {\"dir\": \"" LIB "\", \"map\": ["
	    "{\"job\": \"LEDGER_EOD\", \"runbook\": \"https://wiki/eod\"},"
	    "{\"job\": \"LEDGER_*\", \"runbook\": \"https://wiki/ledger\"},"
	    "{\"service\": \"payment-gw\", \"runbook\": \"payment-gateway.md\"},"
	    "{\"tag\": \"db\", \"runbook\": \"disk-full.md\"}]}}");
	struct runbook_subject	 s;
	const char		*what = NULL;

	memset(&s, 0, sizeof s);
	ASSERT_NULL(found(c, &s, &what));
	s.job = "LEDGER_EOD";
	ASSERT_STR_EQ(found(c, &s, &what), "https://wiki/eod");
	ASSERT_STR_EQ(what, "LEDGER_EOD");
	s.job = "LEDGER_SOD";
	ASSERT_STR_EQ(found(c, &s, &what), "https://wiki/ledger");
	s.job = "PAYROLL";
	ASSERT_NULL(found(c, &s, &what));
	s.service = "payment-gw";
	ASSERT_STR_EQ(found(c, &s, &what), "payment-gateway.md");
	ASSERT_STR_EQ(what, "payment-gw");
	memset(&s, 0, sizeof s);
	s.host = "db1";
	ASSERT_STR_EQ(found(c, &s, &what), "disk-full.md");
	ASSERT_STR_EQ(what, "db1");
	s.host = "web9";	/* not in the inventory: no tags */
	ASSERT_NULL(found(c, &s, &what));
	s.tag = "db";		/* a checklist's hosts: "db" */
	ASSERT_STR_EQ(found(c, &s, &what), "disk-full.md");
	config_free(c);
}

TEST(link_forms)
{
	struct config		*c = load(MAP(
	    "{\"job\": \"A\", \"runbook\": \"disk-full.md\"}"));
	struct config		*w = load("{\"runbooks\": {\"dir\": \"" LIB
	    "\", \"base_url\": \"https://bot.example:8443/ops\"}}");
	struct runbook_link	 l;

	runbook_link_make(c, "https://wiki/x?a=1", "payment-gw", &l);
	ASSERT_STR_EQ(l.url, "https://wiki/x?a=1");
	ASSERT_STR_EQ(l.label, "Runbook: payment-gw");
	ASSERT_NULL(l.command);
	runbook_link_release(&l);
	/* No web page: the library answers; the button names the file. */
	runbook_link_make(c, "disk-full.md", "db1", &l);
	ASSERT_NULL(l.url);
	ASSERT_STR_EQ(l.command, "runbook disk-full.md");
	ASSERT_STR_EQ(l.label, "Runbook: disk-full.md");
	runbook_link_release(&l);
	runbook_link_make(w, "disk full.md", NULL, &l);
	ASSERT_STR_EQ(l.url, "https://bot.example:8443/ops/runbooks/"
	    "disk%20full.md");
	ASSERT_STR_EQ(l.label, "Runbook");
	runbook_link_release(&l);
	config_free(c);
	config_free(w);
}

/* An answer gets one button per link, url or command, and renders. */
TEST(answer_buttons_once)
{
	struct config		*c = load("{\"runbooks\": {\"map\": ["
	    "{\"service\": \"a\", \"runbook\": \"https://wiki/ab\"},"
	    "{\"service\": \"b\", \"runbook\": \"https://wiki/ab\"},"
	    "{\"service\": \"c\", \"runbook\": \"https://wiki/c\"}]}}");
	struct bot		 b;
	struct cmd_ctx		 ctx;
	struct runbook_subject	 s;
	struct message		 m;
	cJSON			*body = cJSON_CreateObject();
	char			*json;
	size_t			 i;

	memset(&b, 0, sizeof b);
	memset(&ctx, 0, sizeof ctx);
	b.cfg = c;
	ctx.bot = &b;
	memset(&s, 0, sizeof s);
	s.service = "a";
	ASSERT_INT_EQ(cmd_runbook(&ctx, &s), 1);
	s.service = "b";
	ASSERT_INT_EQ(cmd_runbook(&ctx, &s), 1);
	s.service = "c";
	ASSERT_INT_EQ(cmd_runbook(&ctx, &s), 1);
	s.service = "d";
	ASSERT_INT_EQ(cmd_runbook(&ctx, &s), 0);
	ASSERT_INT_EQ((int)ctx.nbuttons, 2);
	ASSERT_STR_EQ(ctx.buttons[0].label, "Runbook: a");
	ASSERT_STR_EQ(ctx.buttons[1].url, "https://wiki/c");
	ASSERT_NULL(ctx.buttons[1].value);
	/* Distinct action_ids: Slack refuses a message with two alike. */
	ASSERT(strcmp(ctx.buttons[0].action, ctx.buttons[1].action) != 0);

	memset(&m, 0, sizeof m);
	m.text = "x";
	for (i = 0; i < ctx.nbuttons; i++) {
		m.buttons[i].action = ctx.buttons[i].action;
		m.buttons[i].label = ctx.buttons[i].label;
		m.buttons[i].url = ctx.buttons[i].url;
	}
	m.nbuttons = ctx.nbuttons;
	message_render_slack(&m, body);
	json = cJSON_PrintUnformatted(body);
	ASSERT_CONTAINS(json, "\"url\":\"https://wiki/c\"");
	ASSERT_CONTAINS(json, "\"text\":\"Runbook: a\"");
	free(json);
	cJSON_Delete(body);
	for (i = 0; i < ctx.nbuttons; i++) {
		free(ctx.buttons[i].action);
		free(ctx.buttons[i].label);
		free(ctx.buttons[i].value);
		free(ctx.buttons[i].url);
	}
	config_free(c);
}

/*
 * A checklist's failed lines: their services', jobs' and hosts' runbooks,
 * once each; a line that passed has none; the posted message carries
 * them as buttons.
 */
TEST(checklist_failed_lines)
{
	struct config		*c = load("{\"hosts\": [{\"name\": \"db1\", "
	    "\"transport\": \"local\", \"tags\": [\"db\"], \"services\": "
	    "[\"postgresql\"], \"jobs\": {\"names\": [\"LEDGER_*\"]}}],"
	    "\"checklists\": {\"sod\": {\"checks\": ["
	    "{\"title\": \"a\", \"kind\": \"services_running\", \"hosts\": "
	    "\"db1\", \"services\": [\"postgresql\"]},"
	    "{\"title\": \"b\", \"kind\": \"jobs_status\", \"hosts\": \"db1\","
	    " \"jobs\": [\"LEDGER_EOD\"]},"
	    "{\"title\": \"c\", \"kind\": \"disk_below\", \"hosts\": \"db\"},"
	    "{\"title\": \"d\", \"kind\": \"disk_below\", \"hosts\": \"db\"}]}},"
	    "\"runbooks\": {\"map\": ["
	    "{\"service\": \"postgresql\", \"runbook\": \"https://w/pg\"},"
	    "{\"job\": \"LEDGER_*\", \"runbook\": \"https://w/ledger\"},"
	    "{\"tag\": \"db\", \"runbook\": \"https://w/db\"}]}}");
	struct bot		 b;
	struct checklist_run	 run;
	struct check_result	 res[4];
	struct message		 m;
	size_t			 i;

	memset(&b, 0, sizeof b);
	memset(&run, 0, sizeof run);
	memset(res, 0, sizeof res);
	b.cfg = c;
	run.bot = &b;
	run.cl = config_find_checklist(c, "sod");
	run.results = res;
	for (i = 0; i < 4; i++)
		check_result_init(&res[i]);
	/* All pass: no runbook. */
	checklist_runbooks(&run);
	ASSERT_INT_EQ((int)run.nrunbooks, 0);
	/*
	 * The services line (its service, then its host's tag), the jobs
	 * line, and two lines on "db" whose runbook is already there.
	 */
	res[0].status = CHECK_FAIL;
	res[1].status = CHECK_ERROR;
	res[2].status = CHECK_FAIL;
	res[3].status = CHECK_FAIL;
	checklist_runbooks(&run);
	ASSERT_INT_EQ((int)run.nrunbooks, 3);
	ASSERT_STR_EQ(run.runbooks[0].url, "https://w/pg");
	ASSERT_STR_EQ(run.runbooks[0].label, "Runbook: postgresql");
	ASSERT_STR_EQ(run.runbooks[1].url, "https://w/db");
	ASSERT_STR_EQ(run.runbooks[1].label, "Runbook: db1");
	ASSERT_STR_EQ(run.runbooks[2].url, "https://w/ledger");
	buf_init(&run.title);
	buf_init(&run.text);
	checklist_message(&run, &m);
	ASSERT_INT_EQ((int)m.nbuttons, 3);
	ASSERT_STR_EQ(m.buttons[2].url, "https://w/ledger");
	ASSERT(strcmp(m.buttons[0].action, m.buttons[2].action) != 0);
	buf_release(&run.title);
	buf_release(&run.text);
	checklist_runbooks_release(&run);
	for (i = 0; i < 4; i++)
		check_result_release(&res[i]);
	config_free(c);
}

/* ------------------------------------------------------------ alerts */

static struct buf	 buttons;	/* "label=url|value ..." per post */

static int64_t
rec_post(void *arg, const char *receiver, const char *kind, int64_t ref,
    const struct message *m, char **cause)
{
	size_t	 i;

	(void)arg;
	(void)receiver;
	(void)kind;
	(void)ref;
	(void)cause;
	for (i = 0; i < m->nbuttons; i++)
		buf_addf(&buttons, "%s%s=%s", i > 0 ? " " : "",
		    m->buttons[i].label, m->buttons[i].url != NULL ?
		    m->buttons[i].url : m->buttons[i].value);
	buf_addc(&buttons, '\n');
	return 1;
}

static const struct alerts_sink sink = { .post = rec_post };

/* The buttons of the message that alert json (generic) makes. */
static void
alert_buttons(const char *cfgjson, const char *alert)
{
	struct config		*c = load(cfgjson);
	struct store		*st;
	struct alerts		*al;
	struct alert_batch	 b;
	char			 path[512], *err = NULL;

	snprintf(path, sizeof path, "%s/alerts.db", test_tmpdir());
	remove(path);
	clock_fake_set(1795305600000LL);
	buf_clear(&buttons);
	if ((st = store_open(path, &err)) == NULL)
		TEST_FAIL("store: %s", err);
	if ((al = alerts_create(c, st, NULL, &sink, &err)) == NULL)
		TEST_FAIL("alerts: %s", err);
	if (alert_parse_generic(alert, strlen(alert), clock_now_ms(), &b,
	    &err) != 0 || alerts_ingest(al, &b, &err) != 0)
		TEST_FAIL("ingest: %s", err);
	alert_batch_release(&b);
	clock_fake_advance(60000);
	alerts_tick(al);
	alerts_free(al);
	store_close(st);
	config_free(c);
	clock_use_real();
}

#define ROUTE "\"alerts\": {\"route\": {\"channels\": [\"slack:#ops\"], " \
	"\"group_wait\": \"30s\"}}, \"hosts\": [{\"name\": \"db1\", " \
	"\"transport\": \"local\", \"tags\": [\"db\"]}]"

TEST(alert_gets_the_mapped_runbook)
{
	buf_init(&buttons);
	/* The map, by alertname, as a URL. */
	alert_buttons("{" ROUTE ", \"runbooks\": {\"map\": [{\"alertname\": "
	    "\"Disk*\", \"runbook\": \"https://wiki/disk\"}]}}",
	    "{\"name\": \"DiskFull\", \"host\": \"web1\"}");
	ASSERT_CONTAINS(buttons.data, "Runbook=https://wiki/disk");
	/* The annotation wins over the map. */
	alert_buttons("{" ROUTE ", \"runbooks\": {\"map\": [{\"alertname\": "
	    "\"Disk*\", \"runbook\": \"https://wiki/disk\"}]}}",
	    "{\"name\": \"DiskFull\", \"host\": \"web1\", \"annotations\": "
	    "{\"runbook_url\": \"https://own/runbook\"}}");
	ASSERT_CONTAINS(buttons.data, "Runbook=https://own/runbook");
	ASSERT(strstr(buttons.data, "wiki/disk") == NULL);
	/* By the host's tag, a library file on the web page. */
	alert_buttons("{" ROUTE ", \"runbooks\": {\"dir\": \"" LIB "\", "
	    "\"base_url\": \"https://bot.example\", \"map\": [{\"tag\": \"db\", "
	    "\"runbook\": \"disk-full.md\"}]}}",
	    "{\"name\": \"Load\", \"host\": \"db1\"}");
	ASSERT_CONTAINS(buttons.data,
	    "Runbook=https://bot.example/runbooks/disk-full.md");
	/* No web page: a button that asks the library. */
	alert_buttons("{" ROUTE ", \"runbooks\": {\"dir\": \"" LIB "\", "
	    "\"map\": [{\"service\": \"payment-gw\", \"runbook\": "
	    "\"payment-gateway.md\"}]}}",
	    "{\"name\": \"Down\", \"labels\": {\"service\": \"payment-gw\"}}");
	ASSERT_CONTAINS(buttons.data,
	    "Runbook: payment-gateway.md=runbook payment-gateway.md");
	/* Nothing mapped: no Runbook button. */
	alert_buttons("{" ROUTE ", \"runbooks\": {\"map\": [{\"job\": \"X\", "
	    "\"runbook\": \"https://wiki/x\"}]}}",
	    "{\"name\": \"DiskFull\", \"host\": \"db1\"}");
	ASSERT(strstr(buttons.data, "Runbook") == NULL);
	buf_release(&buttons);
}

static const struct test tests[] = {
	TEST_ENTRY(config_map_loads),
	TEST_ENTRY(config_map_refuses),
	TEST_ENTRY(check_config_wants_the_file),
	TEST_ENTRY(find_in_order),
	TEST_ENTRY(link_forms),
	TEST_ENTRY(answer_buttons_once),
	TEST_ENTRY(checklist_failed_lines),
	TEST_ENTRY(alert_gets_the_mapped_runbook),
	TEST_END
};

int
main(int argc, char **argv)
{
	return test_run(tests, argc, argv);
}

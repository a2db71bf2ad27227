/*
 * The alert engine with a fake clock and a recording sink: grouping,
 * group_wait and group_interval, dedup of repeats, updates in place and
 * thread notes, ack/resolve/silence with their timeline, silences that
 * end on their own, reminders, routing with continue, backlog digests,
 * and a restart that picks up where it left off. What a message shows
 * (severity, how long, summary, description, link buttons read from the
 * store; a resolved group keeps every alert), store errors on every
 * path, and the silence body sent to Alertmanager. Also the own checks'
 * hysteresis (checks_apply).
 */

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert_parse.h"
#include "alerts.h"
#include "am_silence.h"
#include "buf.h"
#include "checks.h"
#include "clock.h"
#include "config.h"
#include "store.h"
#include "store_alerts.h"
#include "test.h"
#include "xmalloc.h"

#define T0	1795305600000LL		/* 2026-11-23 00:00 UTC */

static struct buf	 posts;		/* "receiver kind ref title|text\n" */
static struct buf	 extras;	/* "status label=url ...\n" per post */
static int64_t		 next_id;
static size_t		 backlog;
static char		 dbpath[512];

static int64_t
rec_post(void *arg, const char *receiver, const char *kind, int64_t ref,
    const struct message *m, char **cause)
{
	size_t	 i;

	(void)arg;
	(void)cause;
	buf_addf(&posts, "%s %s %lld %s|%s%s%s", receiver, kind,
	    (long long)ref, m->title != NULL ? m->title : "",
	    m->mention != NULL ? m->mention : "", m->mention != NULL ? "\n" :
	    "", m->text != NULL ? m->text : "");
	if (m->nbuttons > 0)
		buf_addf(&posts, "[%s]", m->buttons[0].value);
	buf_addc(&posts, '\n');
	buf_adds(&extras, message_status_word(m->status));
	for (i = 0; i < m->nbuttons; i++) {
		if (m->buttons[i].url != NULL)
			buf_addf(&extras, " %s=%s", m->buttons[i].label,
			    m->buttons[i].url);
	}
	buf_addc(&extras, '\n');
	return ++next_id;
}

static size_t
rec_backlog(void *arg, const char *receiver)
{
	(void)arg;
	(void)receiver;
	return backlog;
}

static const struct alerts_sink sink = { .post = rec_post,
    .backlog = rec_backlog };
static struct store	*store;
static struct config	*cfg;

static void
load_config(const char *json)
{
	struct buf	 err;

	buf_init(&err);
	if (config_load_text(json, strlen(json), "test", &cfg, &err) != 0)
		TEST_FAIL("config: %s", err.data);
	buf_release(&err);
}

static struct alerts *
setup(const char *name, const char *json)
{
	struct alerts	*al;
	char		*cause = NULL;

	snprintf(dbpath, sizeof dbpath, "%s/%s.db", test_tmpdir(), name);
	remove(dbpath);
	clock_fake_set(T0);
	buf_release(&posts);
	buf_init(&posts);
	buf_release(&extras);
	buf_init(&extras);
	next_id = 100;
	backlog = 0;
	load_config(json);
	if ((store = store_open(dbpath, &cause)) == NULL)
		TEST_FAIL("store: %s", cause);
	if ((al = alerts_create(cfg, store, NULL, &sink, &cause)) == NULL)
		TEST_FAIL("alerts: %s", cause);
	return al;
}

static struct alerts *
restart(struct alerts *al)
{
	char	*cause = NULL;

	alerts_free(al);
	store_close(store);
	if ((store = store_open(dbpath, &cause)) == NULL)
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

static char *
q(const char *sql)
{
	static char	 out[4096];
	sqlite3		*db;
	sqlite3_stmt	*st;

	out[0] = '\0';
	ASSERT_INT_EQ(sqlite3_open(dbpath, &db), SQLITE_OK);
	ASSERT_INT_EQ(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		snprintf(out, sizeof out, "%s", sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	sqlite3_close(db);
	return out;
}

/* Runs sql on a second connection (e.g. a trigger that makes writes fail). */
static void
sql(const char *text)
{
	sqlite3	*db;
	char	*err = NULL;

	ASSERT_INT_EQ(sqlite3_open(dbpath, &db), SQLITE_OK);
	if (sqlite3_exec(db, text, NULL, NULL, &err) != SQLITE_OK)
		TEST_FAIL("sql: %s", err);
	sqlite3_close(db);
}

static int
count_lines(const char *s, const char *needle)
{
	int	 n = 0;

	while ((s = strstr(s, needle)) != NULL) {
		n++;
		s += strlen(needle);
	}
	return n;
}

#define BASIC "{ \"alerts\": { \"route\": { \"channels\": [\"slack:#ops\"], " \
	"\"group_by\": [\"alertname\"], \"group_wait\": \"30s\", " \
	"\"group_interval\": \"5m\", \"repeat_interval\": \"4h\" } } }"

TEST(group_wait_then_one_message)
{
	struct alerts	*al = setup("wait", BASIC);

	ingest(al, "{\"alerts\":[{\"name\":\"DiskFull\",\"host\":\"db-01\","
	    "\"severity\":\"critical\"},{\"name\":\"DiskFull\",\"host\":"
	    "\"db-02\"}]}");
	advance(al, 10000);
	ASSERT_STR_EQ(posts.data, "");
	ingest(al, "{\"name\":\"DiskFull\",\"host\":\"db-03\"}");
	advance(al, 20000);
	ASSERT_INT_EQ(count_lines(posts.data, "slack:#ops post"), 1);
	ASSERT_CONTAINS(posts.data, "[FIRING:3] DiskFull");
	ASSERT_CONTAINS(posts.data, "#1 DiskFull on db-01");
	ASSERT_CONTAINS(posts.data, "#3 DiskFull on db-03");
	ASSERT_CONTAINS(posts.data, "[ack 1 2 3]");
	ASSERT_STR_EQ(q("SELECT count(*) FROM alerts"), "3");
	ASSERT_STR_EQ(q("SELECT count(*) FROM alert_notes WHERE open"), "1");
	teardown(al);
}

TEST(repeats_are_deduplicated)
{
	struct alerts	*al = setup("dedup", BASIC);
	int		 i;

	for (i = 0; i < 5; i++)
		ingest(al, "{\"name\":\"DiskFull\",\"host\":\"db-01\"}");
	advance(al, 31000);
	for (i = 0; i < 5; i++)
		ingest(al, "{\"name\":\"DiskFull\",\"host\":\"db-01\"}");
	advance(al, 10 * 60000);
	ASSERT_INT_EQ(count_lines(posts.data, " post "), 1);
	ASSERT_INT_EQ(count_lines(posts.data, " update "), 0);
	ASSERT_STR_EQ(q("SELECT received FROM alerts"), "10");
	ASSERT_STR_EQ(q("SELECT count(*) FROM alert_events"), "1");
	teardown(al);
}

TEST(resolve_updates_in_place_and_notes_in_thread)
{
	struct alerts	*al = setup("resolve", BASIC);

	ingest(al, "{\"alerts\":[{\"name\":\"DiskFull\",\"host\":\"db-01\"},"
	    "{\"name\":\"DiskFull\",\"host\":\"db-02\"}]}");
	advance(al, 31000);
	ASSERT_CONTAINS(posts.data, "slack:#ops post 0 [FIRING:2]");
	buf_clear(&posts);
	ingest(al, "{\"name\":\"DiskFull\",\"host\":\"db-01\",\"status\":"
	    "\"resolved\"}");
	advance(al, 60000);
	ASSERT_STR_EQ(posts.data, "");		/* group_interval: 5m */
	advance(al, 4 * 60000);
	ASSERT_CONTAINS(posts.data, "slack:#ops update 101 [FIRING:1]");
	ASSERT_CONTAINS(posts.data, "✅ #1 DiskFull on db-01 · WARNING · "
	    "resolved after 31s\n");
	ASSERT_CONTAINS(posts.data, "slack:#ops thread 101 |Resolved: #1");
	buf_clear(&posts);
	ingest(al, "{\"name\":\"DiskFull\",\"host\":\"db-02\",\"status\":"
	    "\"resolved\"}");
	advance(al, 5 * 60000);
	ASSERT_CONTAINS(posts.data, "update 101 [RESOLVED] DiskFull");
	/* The final message keeps every alert of the group, resolved. */
	ASSERT_CONTAINS(posts.data, "|✅ #1 DiskFull on db-01 · WARNING · "
	    "resolved after 31s\n✅ #2 DiskFull on db-02 · WARNING · resolved "
	    "after 5m\n");
	ASSERT_STR_EQ(q("SELECT count(*) FROM alert_notes WHERE open"), "0");
	ASSERT_STR_EQ(q("SELECT group_concat(state) FROM alerts"),
	    "resolved,resolved");
	ASSERT_INT_EQ(alerts_count(al), 0);
	teardown(al);
}

TEST(ack_updates_at_once_and_stops_reminders)
{
	struct alerts	*al = setup("ack", BASIC);
	char		*cause = NULL;

	ingest(al, "{\"name\":\"DiskFull\",\"host\":\"db-01\"}");
	ingest(al, "{\"name\":\"DiskFull\",\"host\":\"db-02\"}");
	advance(al, 31000);
	advance(al, 4 * 3600 * 1000LL);
	ASSERT_CONTAINS(posts.data, "thread 101 |Still firing, not "
	    "acknowledged: #1 #2");
	buf_clear(&posts);
	ASSERT_INT_EQ(alerts_ack(al, 1, "@jdoe", NULL, "looking", &cause), 0);
	ASSERT_INT_EQ(alerts_ack(al, 1, "@ann", NULL, NULL, &cause), -1);
	ASSERT_CONTAINS(cause, "already acknowledged by @jdoe");
	free(cause);
	cause = NULL;
	ASSERT_INT_EQ(alerts_ack(al, 99, "@ann", NULL, NULL, &cause), -1);
	ASSERT_CONTAINS(cause, "#99 is not open");
	free(cause);
	advance(al, 0);
	ASSERT_CONTAINS(posts.data, "update 101");
	ASSERT_CONTAINS(posts.data, "#1 DiskFull on db-01 · WARNING · "
	    "acknowledged by @jdoe · firing for 4h 0m\n");
	ASSERT_CONTAINS(posts.data, "thread 101 |Acknowledged: #1 by @jdoe");
	ASSERT_CONTAINS(posts.data, "[ack 2]");
	ASSERT_STR_EQ(q("SELECT who || ' ' || what || ' ' || why FROM "
	    "alert_events WHERE alert_id = 1 ORDER BY id DESC"),
	    "@jdoe acknowledged looking");
	ASSERT_INT_EQ(alerts_ack(al, 2, "@ann", NULL, NULL, &cause), 0);
	buf_clear(&posts);
	advance(al, 8 * 3600 * 1000LL);
	ASSERT_INT_EQ(count_lines(posts.data, "Still firing"), 0);
	teardown(al);
}

TEST(silence_mutes_then_expires_on_its_own)
{
	struct alerts	*al = setup("silence", BASIC);
	struct matchers	 m;
	char		*cause = NULL;
	size_t		 n = 0;
	int64_t		 id;

	memset(&m, 0, sizeof m);
	ASSERT_INT_EQ(matchers_add(&m, "host", MATCH_RE, "db-0[12]", &cause),
	    0);
	ingest(al, "{\"name\":\"DiskFull\",\"host\":\"db-01\"}");
	advance(al, 31000);
	id = alerts_silence(al, &m, 3600, "@jdoe", "resizing", &n, &cause);
	ASSERT(id > 0);
	ASSERT_INT_EQ(n, 1);
	ASSERT_INT_EQ(alerts_find(al, 1)->state, ALERT_SILENCED);
	/* A new alert under the silence is stored, and shown nowhere. */
	buf_clear(&posts);
	ingest(al, "{\"name\":\"Other\",\"host\":\"db-02\"}");
	advance(al, 60000);
	ASSERT_INT_EQ(count_lines(posts.data, "Other"), 0);
	ASSERT_STR_EQ(q("SELECT state FROM alerts WHERE id = 2"), "silenced");
	/* The engine's timer is due at the expiry, not before. */
	ASSERT(alerts_next_due(al) <= T0 + 31000 + 3600 * 1000);
	advance(al, 3600 * 1000);
	ASSERT_INT_EQ(alerts_find(al, 1)->state, ALERT_FIRING);
	ASSERT_CONTAINS(posts.data, "[FIRING:1] Other");
	ASSERT(q("SELECT ended FROM silences")[0] != '\0');
	teardown(al);
}

TEST(routes_match_continue_and_default)
{
	struct alerts	*al = setup("routes", "{ \"alerts\": { \"route\": {"
	    " \"channels\": [\"slack:#default\"], \"group_wait\": \"1s\","
	    " \"routes\": ["
	    "  { \"match\": {\"team\": \"db\"}, \"channels\": [\"slack:#db\"],"
	    "    \"continue\": true, \"mention\": \"@db-oncall\" },"
	    "  { \"match_re\": {\"severity\": \"crit.*\"}, \"channels\":"
	    "    [\"mattermost:chanabc0000000000000000000\"] } ] } } }");

	ingest(al, "{\"name\":\"A\",\"severity\":\"critical\",\"labels\":"
	    "{\"team\":\"db\"}}");
	ingest(al, "{\"name\":\"B\",\"severity\":\"warning\"}");
	advance(al, 2000);
	ASSERT_CONTAINS(posts.data, "slack:#db post 0 [FIRING:1] A|"
	    "@db-oncall\n");
	ASSERT_CONTAINS(posts.data, "mattermost:chanabc0000000000000000000 post 0 [FIRING:1] A");
	ASSERT_CONTAINS(posts.data, "slack:#default post 0 [FIRING:1] B");
	ASSERT_INT_EQ(count_lines(posts.data, " post "), 3);
	teardown(al);
}

TEST(storm_becomes_few_messages)
{
	struct alerts	*al = setup("storm", BASIC);
	struct buf	 b;
	int		 i;

	buf_init(&b);
	buf_adds(&b, "{\"alerts\":[");
	for (i = 0; i < 1000; i++)
		buf_addf(&b, "%s{\"name\":\"Alert%d\",\"host\":\"h%d\"}",
		    i ? "," : "", i % 5, i);
	buf_adds(&b, "]}");
	ingest(al, b.data);
	buf_release(&b);
	advance(al, 31000);
	ASSERT_INT_EQ(count_lines(posts.data, "slack:#ops post"), 5);
	ASSERT_CONTAINS(posts.data, "… and 180 more");
	ASSERT_STR_EQ(q("SELECT count(*) FROM alerts"), "1000");
	teardown(al);
}

TEST(backed_up_channel_gets_a_digest)
{
	struct alerts	*al = setup("digest", BASIC);

	backlog = 50;
	ingest(al, "{\"alerts\":[{\"name\":\"A\"},{\"name\":\"B\",\"severity\":"
	    "\"critical\"}]}");
	advance(al, 31000);
	ASSERT_STR_EQ(posts.data, "");
	backlog = 0;
	advance(al, 2000);
	ASSERT_INT_EQ(count_lines(posts.data, " post "), 1);
	ASSERT_CONTAINS(posts.data, "2 alert(s) in 2 group(s) arrived while "
	    "this channel was backed up");
	ASSERT_CONTAINS(posts.data, "1 critical");
	teardown(al);
}

TEST(restart_keeps_notes_and_pending_changes)
{
	struct alerts	*al = setup("restart", BASIC);

	ingest(al, "{\"name\":\"DiskFull\",\"host\":\"db-01\"}");
	advance(al, 31000);
	ingest(al, "{\"name\":\"DiskFull\",\"host\":\"db-01\",\"status\":"
	    "\"resolved\"}");
	al = restart(al);
	ASSERT_INT_EQ(alerts_count(al), 1);
	buf_clear(&posts);
	advance(al, 5 * 60000);
	ASSERT_CONTAINS(posts.data, "update 101 [RESOLVED]");
	ASSERT_INT_EQ(count_lines(posts.data, " post "), 0);
	al = restart(al);
	ASSERT_INT_EQ(alerts_count(al), 0);
	teardown(al);
}

/* A restart between two resolutions: the final message still has both. */
TEST(restart_keeps_resolved_alerts_in_their_group)
{
	struct alerts	*al = setup("restart2", BASIC);

	ingest(al, "{\"alerts\":[{\"name\":\"DiskFull\",\"host\":\"db-01\"},"
	    "{\"name\":\"DiskFull\",\"host\":\"db-02\"}]}");
	ingest(al, "{\"name\":\"Other\",\"host\":\"x\"}");
	advance(al, 31000);
	ingest(al, "{\"name\":\"DiskFull\",\"host\":\"db-01\",\"status\":"
	    "\"resolved\"}");
	ingest(al, "{\"name\":\"Other\",\"host\":\"x\",\"status\":"
	    "\"resolved\"}");
	advance(al, 5 * 60000);
	ASSERT_CONTAINS(posts.data, "✅ #1 DiskFull on db-01");
	al = restart(al);
	/* #1 is back for its group's message; Other's group is over. */
	ASSERT_INT_EQ(alerts_count(al), 2);
	buf_clear(&posts);
	ingest(al, "{\"name\":\"DiskFull\",\"host\":\"db-02\",\"status\":"
	    "\"resolved\"}");
	advance(al, 5 * 60000);
	ASSERT_CONTAINS(posts.data, " [RESOLVED] DiskFull|✅ #1 DiskFull on "
	    "db-01 · WARNING · resolved after 31s\n✅ #2 DiskFull on db-02");
	ASSERT_INT_EQ(alerts_count(al), 0);
	teardown(al);
}

TEST(resolve_by_hand_and_fire_again)
{
	struct alerts	*al = setup("refire", BASIC);
	char		*cause = NULL;

	ingest(al, "{\"name\":\"Job\",\"host\":\"b1\"}");
	advance(al, 31000);
	ASSERT_INT_EQ(alerts_resolve(al, 1, "@ann", NULL, "fixed", &cause), 0);
	advance(al, 0);
	ASSERT_CONTAINS(posts.data, "update 101 [RESOLVED] Job");
	ingest(al, "{\"name\":\"Job\",\"host\":\"b1\"}");
	advance(al, 5 * 60000);
	ASSERT_CONTAINS(posts.data, "slack:#ops post 0 [FIRING:1] Job");
	ASSERT_STR_EQ(q("SELECT group_concat(what, ',') FROM alert_events"),
	    "fired,resolved by hand,fired again");
	ASSERT_STR_EQ(q("SELECT count(*) FROM alerts"), "1");
	teardown(al);
}

#define AM_ALERT(name, sev, inst, extra) "{\"status\":\"firing\"," \
	"\"labels\":{\"alertname\":\"" name "\",\"severity\":\"" sev "\"," \
	"\"instance\":\"" inst "\"},\"startsAt\":\"2026-11-21T23:50:00Z\"," \
	"\"annotations\":{\"summary\":\"Disk almost full\"" extra "}," \
	"\"generatorURL\":\"http://prom:9090/graph?g0.expr=disk\"}"

/*
 * An engineer can act from the message: severity that tells critical
 * from warning, how long it has fired, summary and description, and link
 * buttons (runbook, source, dashboard) read back from the store.
 */
TEST(alert_lines_and_link_buttons)
{
	struct alerts		*al = setup("links", BASIC);
	struct alert_batch	 b;
	const char		*body = "{\"version\":\"4\",\"status\":"
	    "\"firing\",\"alerts\":["
	    AM_ALERT("DiskFull", "warning", "db-02:9100", "")
	    "," AM_ALERT("DiskFull", "critical", "db-01:9100",
	    ",\"description\":\"/var is 95% used\\nand grows\","
	    "\"runbook_url\":\"https://wiki/runbooks/disk\","
	    "\"dashboard_url\":\"https://grafana/d/disk?var-host=db-01\"")
	    "]}";
	char			*err = NULL;

	if (alert_parse_alertmanager(body, strlen(body), clock_now_ms(), &b,
	    &err) != 0)
		TEST_FAIL("parse: %s", err);
	ASSERT_INT_EQ(alerts_ingest(al, &b, &err), 0);
	alert_batch_release(&b);
	/* Memory keeps neither annotations nor URL: the store does. */
	ASSERT_NULL(alerts_find(al, 2)->annotations);
	ASSERT_NULL(alerts_find(al, 2)->url);
	advance(al, 31000);
	/* Worst first; the marks and words differ by severity. */
	ASSERT_CONTAINS(posts.data, "|🔴 #2 DiskFull on db-01 · CRITICAL · "
	    "firing for 10m\n      Disk almost full\n      /var is 95% used "
	    "and grows\n🟠 #1 DiskFull on db-02 · WARNING · firing for 10m\n"
	    "      Disk almost full\n[ack");
	ASSERT_STR_EQ(extras.data, "CRIT Runbook=https://wiki/runbooks/disk "
	    "Source=http://prom:9090/graph?g0.expr=disk "
	    "Dashboard=https://grafana/d/disk?var-host=db-01\n");
	/* After a restart (nothing in memory) the links are still there. */
	al = restart(al);
	buf_clear(&extras);
	ASSERT_INT_EQ(alerts_ack(al, 2, "@jdoe", NULL, NULL, &err), 0);
	advance(al, 0);
	ASSERT_CONTAINS(extras.data, "CRIT Runbook=https://wiki/runbooks/disk");
	teardown(al);
}

/* A silence as Alertmanager's API v2 takes it, and its answer. */
TEST(alertmanager_silence_body)
{
	struct matchers	 m;
	char		*cause = NULL, *body, *id;

	memset(&m, 0, sizeof m);
	ASSERT_INT_EQ(matchers_add(&m, "alertname", MATCH_EQ, "DiskFull",
	    &cause), 0);
	ASSERT_INT_EQ(matchers_add(&m, "host", MATCH_NRE, "db-0[12]", &cause),
	    0);
	ASSERT_INT_EQ(matchers_add(&m, "env", MATCH_NE, "dev", &cause), 0);
	body = am_silence_body(&m, T0 + 5, T0 + 3600 * 1000, "@jdoe", NULL);
	ASSERT_STR_EQ(body, "{\"matchers\":[{\"name\":\"alertname\","
	    "\"value\":\"DiskFull\",\"isRegex\":false,\"isEqual\":true},"
	    "{\"name\":\"host\",\"value\":\"db-0[12]\",\"isRegex\":true,"
	    "\"isEqual\":false},{\"name\":\"env\",\"value\":\"dev\","
	    "\"isRegex\":false,\"isEqual\":false}],"
	    "\"startsAt\":\"2026-11-22T00:00:00.005Z\","
	    "\"endsAt\":\"2026-11-22T01:00:00.000Z\",\"createdBy\":\"@jdoe\","
	    "\"comment\":\"silenced from chat (opsbot)\"}");
	free(body);
	matchers_release(&m);
	id = am_silence_id("{\"silenceID\":\"4c1e0f5e-6d1a-4a51\"}");
	ASSERT_STR_EQ(id, "4c1e0f5e-6d1a-4a51");
	free(id);
	ASSERT_NULL(am_silence_id("{\"error\":\"x\"}"));
	ASSERT_NULL(am_silence_id("not json"));
}

/*
 * A write that fails on every alert path (injected with triggers) is
 * reported or logged, never a crash: the engine used to pass a NULL
 * cause for events, notes and reminders, and the store wrote through it.
 */
TEST(store_errors_do_not_crash)
{
	struct alerts	*al = setup("storeerr", BASIC);
	struct matchers	 m;
	char		*cause = NULL;
	size_t		 n = 0;

	ingest(al, "{\"name\":\"DiskFull\",\"host\":\"db-01\"}");
	ingest(al, "{\"name\":\"DiskFull\",\"host\":\"db-02\"}");
	advance(al, 31000);
	sql("CREATE TRIGGER no_events BEFORE INSERT ON alert_events "
	    "BEGIN SELECT RAISE(ABORT, 'injected'); END;"
	    "CREATE TRIGGER no_notes BEFORE UPDATE ON alert_notes "
	    "BEGIN SELECT RAISE(ABORT, 'injected'); END;");
	/* The store layer itself, with and without a cause. */
	ASSERT_INT_EQ(store_alert_event(store, 1, T0, "@x", "y", NULL, NULL),
	    -1);
	ASSERT_INT_EQ(store_note_repeated(store, 1, T0, NULL), -1);
	ASSERT_INT_EQ(store_note_close(store, 1, NULL), -1);
	ASSERT_INT_EQ(store_note_close(store, 1, &cause), -1);
	ASSERT_CONTAINS(cause, "injected");
	free(cause);
	cause = NULL;
	/* A person's action fails whole, and says why. */
	ASSERT_INT_EQ(alerts_ack(al, 1, "@jdoe", NULL, NULL, &cause), -1);
	ASSERT_CONTAINS(cause, "injected");
	free(cause);
	cause = NULL;
	ASSERT_INT_EQ(alerts_find(al, 1)->state, ALERT_FIRING);
	ASSERT_INT_EQ(alerts_ack(al, 1, "@jdoe", NULL, NULL, NULL), -1);
	ASSERT_INT_EQ(alerts_resolve(al, 1, "@jdoe", NULL, NULL, NULL), -1);
	memset(&m, 0, sizeof m);
	ASSERT_INT_EQ(matchers_add(&m, "host", MATCH_EQ, "db-01", &cause), 0);
	ASSERT_INT_EQ(alerts_silence(al, &m, 60, "@jdoe", "x", &n, &cause),
	    -1);
	ASSERT_CONTAINS(cause, "injected");
	free(cause);
	cause = NULL;
	ASSERT_NULL(alerts_silences(al));
	ASSERT_INT_EQ(alerts_find(al, 1)->state, ALERT_FIRING);
	/* Reminders: the note's "repeated" cannot be written. */
	advance(al, 4 * 3600 * 1000LL);
	ASSERT_CONTAINS(posts.data, "Still firing");
	/* A silence made before, ending while events cannot be written. */
	sql("DROP TRIGGER no_events");
	memset(&m, 0, sizeof m);
	ASSERT_INT_EQ(matchers_add(&m, "host", MATCH_EQ, "db-01", &cause), 0);
	ASSERT(alerts_silence(al, &m, 60, "@jdoe", "x", &n, &cause) > 0);
	sql("CREATE TRIGGER no_events BEFORE INSERT ON alert_events "
	    "BEGIN SELECT RAISE(ABORT, 'injected'); END;");
	advance(al, 61000);
	ASSERT_INT_EQ(alerts_find(al, 1)->state, ALERT_FIRING);
	/* Resolved: the note cannot be closed. */
	sql("DROP TRIGGER no_events");
	ingest(al, "{\"alerts\":[{\"name\":\"DiskFull\",\"host\":"
	    "\"db-01\",\"status\":\"resolved\"},{\"name\":\"DiskFull\","
	    "\"host\":\"db-02\",\"status\":\"resolved\"}]}");
	advance(al, 5 * 60000);
	ASSERT_CONTAINS(posts.data, "[RESOLVED] DiskFull");
	ASSERT_STR_EQ(q("SELECT count(*) FROM alert_notes WHERE open"), "1");
	teardown(al);
}

static struct health_findings *
findings(const char *key, enum remote_state st)
{
	static struct health_findings	 f;
	static struct health_finding	 one;

	memset(&f, 0, sizeof f);
	if (key != NULL) {
		one.key = (char *)(uintptr_t)key;
		one.state = st;
		one.text = (char *)(uintptr_t)"disk /: 95% used";
		f.v = &one;
		f.n = 1;
	}
	return &f;
}

TEST(checks_fire_after_n_and_resolve_after_m)
{
	struct checks		*ck = checks_new_for_test(3, 2);
	struct alert_batch	 b;

	memset(&b, 0, sizeof b);
	checks_apply(ck, "web1", findings("disk:/", REMOTE_CRIT), T0, &b);
	checks_apply(ck, "web1", findings(NULL, REMOTE_OK), T0, &b);
	checks_apply(ck, "web1", findings("disk:/", REMOTE_CRIT), T0, &b);
	checks_apply(ck, "web1", findings("disk:/", REMOTE_CRIT), T0, &b);
	ASSERT_INT_EQ(b.n, 0);			/* flaky: no page */
	checks_apply(ck, "web1", findings("disk:/", REMOTE_CRIT), T0, &b);
	ASSERT_INT_EQ(b.n, 1);
	ASSERT_STR_EQ(labels_get(&b.v[0].labels, "alertname"), "DiskUsage");
	ASSERT_STR_EQ(labels_get(&b.v[0].labels, "mount"), "/");
	ASSERT_STR_EQ(labels_get(&b.v[0].labels, "severity"), "critical");
	ASSERT_INT_EQ(b.v[0].resolved, 0);
	/* Unreachable says nothing about the disk: no resolution. */
	checks_apply(ck, "web1", findings("reachable", REMOTE_UNREACHABLE),
	    T0, &b);
	checks_apply(ck, "web1", findings(NULL, REMOTE_OK), T0, &b);
	ASSERT_INT_EQ(b.n, 1);
	checks_apply(ck, "web1", findings(NULL, REMOTE_OK), T0, &b);
	ASSERT_INT_EQ(b.n, 2);
	ASSERT_INT_EQ(b.v[1].resolved, 1);
	ASSERT_STR_EQ(b.v[1].fingerprint, b.v[0].fingerprint);
	alert_batch_release(&b);
	checks_free(ck);
}

/*
 * A host that answered and then hung in df is its own alert, and like an
 * unreachable host it says nothing about the disks it could not read.
 */
TEST(checks_hung_host_is_not_unreachable)
{
	struct checks		*ck = checks_new_for_test(1, 1);
	struct alert_batch	 b;

	memset(&b, 0, sizeof b);
	checks_apply(ck, "nfs1", findings("disk:/", REMOTE_CRIT), T0, &b);
	checks_apply(ck, "nfs1", findings("hung", REMOTE_CRIT), T0, &b);
	ASSERT_INT_EQ(b.n, 2);
	ASSERT_STR_EQ(labels_get(&b.v[1].labels, "alertname"),
	    "HostCommandHung");
	ASSERT_STR_EQ(labels_get(&b.v[1].labels, "severity"), "critical");
	alert_batch_release(&b);
	checks_free(ck);
}

/* A reload's thresholds count from the next round on. */
TEST(checks_thresholds_follow_a_reload)
{
	struct checks		*ck = checks_new_for_test(3, 2);
	struct alert_batch	 b;
	struct config		 c;

	memset(&b, 0, sizeof b);
	memset(&c, 0, sizeof c);
	checks_apply(ck, "web1", findings("disk:/", REMOTE_CRIT), T0, &b);
	ASSERT_INT_EQ(b.n, 0);
	c.alerts.checks_fire_after = 2;
	c.alerts.checks_resolve_after = 1;
	checks_set_config(ck, &c);
	checks_apply(ck, "web1", findings("disk:/", REMOTE_CRIT), T0, &b);
	ASSERT_INT_EQ(b.n, 1);			/* 2 bad rounds now fire */
	checks_apply(ck, "web1", findings(NULL, REMOTE_OK), T0, &b);
	ASSERT_INT_EQ(b.n, 2);			/* 1 good round resolves */
	ASSERT_INT_EQ(b.v[1].resolved, 1);
	alert_batch_release(&b);
	checks_free(ck);
}

static const struct test tests[] = {
	TEST_ENTRY(checks_thresholds_follow_a_reload),
	TEST_ENTRY(group_wait_then_one_message),
	TEST_ENTRY(repeats_are_deduplicated),
	TEST_ENTRY(resolve_updates_in_place_and_notes_in_thread),
	TEST_ENTRY(ack_updates_at_once_and_stops_reminders),
	TEST_ENTRY(silence_mutes_then_expires_on_its_own),
	TEST_ENTRY(routes_match_continue_and_default),
	TEST_ENTRY(storm_becomes_few_messages),
	TEST_ENTRY(backed_up_channel_gets_a_digest),
	TEST_ENTRY(restart_keeps_notes_and_pending_changes),
	TEST_ENTRY(restart_keeps_resolved_alerts_in_their_group),
	TEST_ENTRY(resolve_by_hand_and_fire_again),
	TEST_ENTRY(checks_fire_after_n_and_resolve_after_m),
	TEST_ENTRY(store_errors_do_not_crash),
	TEST_ENTRY(alert_lines_and_link_buttons),
	TEST_ENTRY(alertmanager_silence_body),
	TEST_ENTRY(checks_hung_host_is_not_unreachable),
	TEST_END
};

int
main(int argc, char **argv)
{
	return test_run(tests, argc, argv);
}


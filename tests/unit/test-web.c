/*
 * The web page without a browser: who may read it (web_access), what
 * each page renders from the store (escaped), the sparkline's geometry,
 * the checklist grid's colours by day, the incident timeline, and that a
 * runbook name never leaves runbooks.dir. integration/web loads the same
 * pages in Chromium.
 */

#include <sys/stat.h>

#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bot.h"
#include "buf.h"
#include "clock.h"
#include "config.h"
#include "httpd.h"
#include "store.h"
#include "store_runbooks.h"
#include "test.h"
#include "web.h"
#include "web_page.h"
#include "xmalloc.h"

#define HOUR	(3600LL * 1000)
#define DAY	(24 * HOUR)
#define NOW	1795305600000LL		/* 2026-11-22 00:00 UTC */

struct fixture {
	struct bot	 bot;
	char		 db[512];
	char		 dir[512];
};

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

/* A bot with only what the pages read: its config and its store. */
static void
fixture_open(struct fixture *f, const char *name, const char *config)
{
	struct buf	 errors;
	char		*cause = NULL, *text;

	memset(f, 0, sizeof f->bot);
	snprintf(f->db, sizeof f->db, "%s/%s.db", test_tmpdir(), name);
	snprintf(f->dir, sizeof f->dir, "%s/%s-rb", test_tmpdir(), name);
	remove(f->db);
	mkdir(f->dir, 0700);
	xasprintf(&text, "{\"runbooks\": {\"dir\": \"%s\"}, %s}", f->dir,
	    config);
	buf_init(&errors);
	if (config_load_text(text, strlen(text), "t", &f->bot.cfg,
	    &errors) != 0)
		TEST_FAIL("config: %s", errors.data);
	buf_release(&errors);
	free(text);
	if ((f->bot.store = store_open(f->db, &cause)) == NULL)
		TEST_FAIL("store: %s", cause);
	clock_fake_set(NOW + 12 * HOUR);
}

static void
fixture_close(struct fixture *f)
{
	store_close(f->bot.store);
	config_free(f->bot.cfg);
}

static struct httpd_request
request(const char *auth, const char *cookie, const char *query,
    const char *peer)
{
	struct httpd_request	 r;

	memset(&r, 0, sizeof r);
	r.method = "GET";
	r.path = "/alerts";
	r.authorization = auth;
	r.cookie = cookie;
	r.query = query;
	r.peer = peer;
	r.body = "";
	r.tail = "";
	return r;
}

TEST(access_by_token_cookie_or_link)
{
	static const char text[] = "{\"web\": {\"enabled\": true, "
	    "\"token\": \"tok-1\"}}";
	struct config		*c = NULL;
	struct buf		 errors;
	struct httpd_request	 r;
	char			 who[64];

	buf_init(&errors);
	ASSERT_INT_EQ(config_load_text(text, sizeof text - 1, "t", &c,
	    &errors), 0);
	r = request("", "", "", "127.0.0.1");
	ASSERT_INT_EQ(web_access(c, &r, who, sizeof who), WEB_DENIED);
	r = request("Bearer tok-1", "", "", "127.0.0.1");
	ASSERT_INT_EQ(web_access(c, &r, who, sizeof who), WEB_ALLOWED);
	ASSERT_STR_EQ(who, "bearer");
	r = request("Bearer tok-12", "", "", "127.0.0.1");
	ASSERT_INT_EQ(web_access(c, &r, NULL, 0), WEB_DENIED);
	r = request("Basic tok-1", "", "", "127.0.0.1");
	ASSERT_INT_EQ(web_access(c, &r, NULL, 0), WEB_DENIED);
	r = request("", "a=1; opsbot_web=tok-1; b=2", "", "127.0.0.1");
	ASSERT_INT_EQ(web_access(c, &r, who, sizeof who), WEB_ALLOWED);
	ASSERT_STR_EQ(who, "cookie");
	r = request("", "xopsbot_web=tok-1", "", "127.0.0.1");
	ASSERT_INT_EQ(web_access(c, &r, NULL, 0), WEB_DENIED);
	r = request("", "opsbot_web=tok-", "", "127.0.0.1");
	ASSERT_INT_EQ(web_access(c, &r, NULL, 0), WEB_DENIED);
	r = request("", "", "a=b&token=tok-1", "127.0.0.1");
	ASSERT_INT_EQ(web_access(c, &r, NULL, 0), WEB_TOKEN_IN_URL);
	r = request("", "", "token=", "127.0.0.1");
	ASSERT_INT_EQ(web_access(c, &r, NULL, 0), WEB_DENIED);
	config_free(c);

	/* Enabled with neither a token nor a proxy: refused at load. */
	c = NULL;
	ASSERT_INT_EQ(config_load_text("{\"web\": {\"enabled\": true}}", 26,
	    "t", &c, &errors), -1);
	ASSERT_CONTAINS(errors.data, "web.enabled needs web.token");
	buf_release(&errors);
}

TEST(alerts_escape_every_stored_string)
{
	struct fixture	 f;
	struct buf	 out;

	fixture_open(&f, "alerts", "\"bot\": {\"timezone\": \"UTC\"}");
	sql(f.db, "INSERT INTO alerts (id, fingerprint, source, alertname, "
	    "severity, host, labels, annotations, state, starts_at, ends_at, "
	    "first_seen, last_seen, received, acked_by) VALUES "
	    "(1, 'a', 'generic', 'Low', 'info', 'h1', '{}', '{}', 'firing', "
	    "%lld, 0, 0, 0, 0, NULL), "
	    "(2, 'b', 'generic', '<script>x</script>', 'critical', "
	    "'\"><img src=x>', '{\"team\":\"<b>pay</b>\",\"q\":\"a''b&c\"}', "
	    "'{}', 'acknowledged', %lld, 0, 0, 0, 0, '@<i>olga</i>'), "
	    "(3, 'c', 'generic', 'Gone', 'critical', 'h3', '{}', '{}', "
	    "'resolved', 0, 0, 0, 0, 0, NULL)",
	    NOW, NOW + 10 * HOUR + 30 * 60000);
	buf_init(&out);
	ASSERT_INT_EQ(web_alerts_page(&f.bot, &out), 200);
	ASSERT_CONTAINS(out.data, "<td>&lt;script&gt;x&lt;/script&gt;</td>"
	    "<td>&quot;&gt;&lt;img src=x&gt;</td>");
	ASSERT_CONTAINS(out.data, "q=a&#39;b&amp;c<br>team=&lt;b&gt;pay&lt;"
	    "/b&gt;");
	ASSERT_CONTAINS(out.data, "<td>@&lt;i&gt;olga&lt;/i&gt;</td>");
	/* Age from startsAt: 1h30m; minutes only past the first hour. */
	ASSERT_CONTAINS(out.data, "title=\"2026-11-22 10:30\">1h30m</td>");
	/* Critical first; the resolved alert is not open. */
	ASSERT(strstr(out.data, "<td>2</td>") < strstr(out.data, "<td>1</td>"));
	ASSERT(strstr(out.data, "Gone") == NULL);
	ASSERT(strstr(out.data, "<script") == NULL);
	ASSERT(strstr(out.data, "<img") == NULL);
	buf_release(&out);
	fixture_close(&f);
}

TEST(hosts_state_and_sparkline)
{
	struct fixture	 f;
	struct buf	 out;

	fixture_open(&f, "hosts", "\"hosts\": [{\"name\": \"web1\", "
	    "\"address\": \"w\", \"mounts\": [{\"path\": \"/\"}]}, "
	    "{\"name\": \"db1\", \"address\": \"d\"}]");
	sql(f.db, "INSERT INTO host_state VALUES ('web1', %lld, 'WARN', "
	    "'up 3d, <b>load</b> 9'); INSERT INTO disk_samples VALUES "
	    "('web1', '/', %lld, 0), ('web1', '/', %lld, 50), "
	    "('web1', '/', %lld, 100), ('web1', '/old', %lld, 10)",
	    NOW + 11 * HOUR, NOW - DAY, NOW, NOW + HOUR, NOW - 30 * DAY);
	buf_init(&out);
	ASSERT_INT_EQ(web_hosts_page(&f.bot, &out), 200);
	ASSERT_CONTAINS(out.data, "<span class=\"tag warn\">WARN</span></td>"
	    "<td>1h ago</td><td>up 3d, &lt;b&gt;load&lt;/b&gt; 9</td>");
	/* x over 120 px, y from 23 (0 %) up to 1 (100 %). */
	ASSERT_CONTAINS(out.data, "points=\"0.0,23.0 60.0,12.0 120.0,1.0\"");
	ASSERT_CONTAINS(out.data, "<b>100%</b> /</div>");
	/* Older than the week: not drawn. */
	ASSERT(strstr(out.data, "/old") == NULL);
	ASSERT_CONTAINS(out.data, "db1</td><td><span class=\"tag unknown\">"
	    "unknown</span></td><td>never</td>");
	buf_release(&out);
	fixture_close(&f);
}

TEST(checklist_grid_by_day)
{
	struct fixture	 f;
	struct buf	 out;
	const char	*row;

	fixture_open(&f, "grid", "\"bot\": {\"timezone\": \"UTC\"}");
	/* Today: failed then passed (the last wins); 2 days ago: failed. */
	sql(f.db, "INSERT INTO checklist_runs (id, name, started, finished, "
	    "trigger, passed, total) VALUES "
	    "(1, 'sod', %lld, 0, 'm', 1, 3), (2, 'sod', %lld, 0, 'm', 3, 3), "
	    "(3, 'sod', %lld, 0, 'm', 2, 3), (4, 'eod', %lld, 0, 'm', 1, 1), "
	    "(5, '<x>', %lld, 0, 'm', 0, 1)",
	    NOW + HOUR, NOW + 2 * HOUR, NOW - 2 * DAY + HOUR, NOW - 20 * DAY,
	    NOW);
	buf_init(&out);
	ASSERT_INT_EQ(web_checklists_page(&f.bot, &out), 200);
	ASSERT_CONTAINS(out.data, "<th class=\"cell\">11-09</th>");
	ASSERT_CONTAINS(out.data, "<th class=\"cell\">11-22</th></tr>");
	row = strstr(out.data, "<tr><td>sod</td>");
	ASSERT_NOT_NULL(row);
	ASSERT_CONTAINS(row, "<td class=\"cell crit\" title=\"run 3\">2/3</td>"
	    "<td class=\"cell unknown\" title=\"no run\">\xc2\xb7</td>"
	    "<td class=\"cell ok\" title=\"run 2\">3/3</td></tr>");
	/* Outside the two weeks: a grey row only. */
	ASSERT(strstr(out.data, "run 4") == NULL);
	ASSERT_CONTAINS(out.data, "<tr><td>&lt;x&gt;</td>");
	buf_release(&out);
	fixture_close(&f);
}

TEST(incident_timeline_and_rca)
{
	struct fixture	 f;
	struct buf	 out;
	char		*a, *b, *c, *d;

	fixture_open(&f, "inc", "\"bot\": {\"timezone\": \"UTC\"}");
	sql(f.db, "INSERT INTO incidents (id, title, severity, state, status, "
	    "platform, channel, opened, opened_by, opened_by_name, rca) VALUES "
	    "(5, 'DB <down>', 2, 'open', 'digging', 'p', 'c', %lld, 'U1', "
	    "'olga', '# RCA <5>'), (6, 'No RCA', 3, 'open', NULL, 'p', 'c', "
	    "%lld, 'U2', NULL, NULL);"
	    "INSERT INTO alerts (id, fingerprint, source, alertname, severity,"
	    " host, labels, annotations, state, starts_at, ends_at, first_seen,"
	    " last_seen, received) VALUES (9, 'f', 'g', 'DiskFull', "
	    "'critical', 'db1', '{}', '{}', 'resolved', %lld, %lld, 0, 0, 0);"
	    "INSERT INTO incident_alerts VALUES (5, 9, %lld, 'U1');"
	    "INSERT INTO incident_notes (incident_id, at, who, who_name, kind,"
	    " text) VALUES (5, %lld, 'U1', 'olga', 'open', 'DB down'), "
	    "(5, %lld, 'U1', 'olga', 'note', 'vacuum <now>')",
	    NOW, NOW, NOW + HOUR, NOW + 3 * HOUR, NOW, NOW, NOW + 2 * HOUR);
	buf_init(&out);
	ASSERT_INT_EQ(web_incident_page(&f.bot, 5, &out), 200);
	/* In time order: opened, the alert fired, a note, it resolved. */
	a = strstr(out.data, "<b>open</b> olga: DB down");
	b = strstr(out.data, "fired</span> alert #9 DiskFull on db1");
	c = strstr(out.data, "<b>note</b> olga: vacuum &lt;now&gt;");
	d = strstr(out.data, "resolved</span> alert #9 DiskFull on db1");
	ASSERT(a != NULL && b != NULL && c != NULL && d != NULL);
	ASSERT(a < b && b < c && c < d);
	ASSERT_CONTAINS(out.data, "<pre id=\"rca\"># RCA &lt;5&gt;</pre>");
	ASSERT_CONTAINS(out.data, "<td>DB &lt;down&gt;</td>");
	buf_clear(&out);
	ASSERT_INT_EQ(web_incident_rca(&f.bot, 5, &out), 200);
	ASSERT_STR_EQ(out.data, "# RCA <5>");
	buf_clear(&out);
	ASSERT_INT_EQ(web_incident_rca(&f.bot, 6, &out), 404);
	ASSERT_INT_EQ(web_incident_page(&f.bot, 7, &out), 404);
	ASSERT_INT_EQ(out.len, 0);
	ASSERT_INT_EQ(web_incidents_page(&f.bot, &out), 200);
	ASSERT_CONTAINS(out.data, "<a href=\"/incidents/5\">DB &lt;down&gt;"
	    "</a>");
	/* No name: the id. */
	ASSERT_CONTAINS(out.data, "<td>U2</td>");
	buf_release(&out);
	fixture_close(&f);
}

static void
put(const char *dir, const char *name, const char *text)
{
	char	 path[1024];
	FILE	*fp;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	if ((fp = fopen(path, "w")) == NULL)
		TEST_FAIL("cannot write %s", path);
	fputs(text, fp);
	fclose(fp);
}

TEST(runbook_files_stay_in_the_dir)
{
	struct fixture	 f;
	struct buf	 out;
	char		 link[1100], outside[1100];

	fixture_open(&f, "rb", "\"bot\": {\"timezone\": \"UTC\"}");
	put(f.dir, "ok.md", "# OK\nbody\n");
	snprintf(outside, sizeof outside, "%s/rb-outside.md", test_tmpdir());
	put(test_tmpdir(), "rb-outside.md", "# Secret\n");
	snprintf(link, sizeof link, "%s/link.md", f.dir);
	unlink(link);
	ASSERT_INT_EQ(symlink(outside, link), 0);
	/* Indexed as the indexer would, the link and a name with ".." too. */
	ASSERT_INT_EQ(store_runbook_put(f.bot.store, "ok.md", 1, 10, "OK",
	    "body", NULL), 0);
	ASSERT_INT_EQ(store_runbook_put(f.bot.store, "link.md", 1, 10, "L",
	    "x", NULL), 0);
	ASSERT_INT_EQ(store_runbook_put(f.bot.store, "../rb-outside.md", 1,
	    10, "L", "x", NULL), 0);
	buf_init(&out);
	ASSERT_INT_EQ(web_runbook_file(&f.bot, "ok.md", &out), 200);
	ASSERT_STR_EQ(out.data, "# OK\nbody\n");
	buf_clear(&out);
	ASSERT_INT_EQ(web_runbook_file(&f.bot, "link.md", &out), 404);
	ASSERT_INT_EQ(web_runbook_file(&f.bot, "../rb-outside.md", &out), 404);
	ASSERT_INT_EQ(web_runbook_file(&f.bot, "..", &out), 404);
	ASSERT_INT_EQ(web_runbook_file(&f.bot, "", &out), 404);
	ASSERT_INT_EQ(web_runbook_file(&f.bot, "missing.md", &out), 404);
	ASSERT_INT_EQ(out.len, 0);
	ASSERT_INT_EQ(web_runbooks_page(&f.bot, &out), 200);
	ASSERT_CONTAINS(out.data, "<a href=\"/runbooks/ok%2Emd\">OK</a>");
	buf_release(&out);
	fixture_close(&f);
}

static const struct test tests[] = {
	TEST_ENTRY(access_by_token_cookie_or_link),
	TEST_ENTRY(alerts_escape_every_stored_string),
	TEST_ENTRY(hosts_state_and_sparkline),
	TEST_ENTRY(checklist_grid_by_day),
	TEST_ENTRY(incident_timeline_and_rca),
	TEST_ENTRY(runbook_files_stay_in_the_dir),
	TEST_END
};

int
main(int argc, char **argv)
{
	return test_run(tests, argc, argv);
}

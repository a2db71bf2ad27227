/*
 * Incidents: the store (open, notes, links, the thread found through the
 * outbox and kept, close once), the audit's thread, the timeline's order
 * and filter, and the RCA draft's Markdown, from the store end to end.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "incident_timeline.h"
#include "incidents.h"
#include "incidents_int.h"
#include "message.h"
#include "store.h"
#include "store_alerts.h"
#include "store_checklists.h"
#include "store_incidents.h"
#include "test.h"
#include "xmalloc.h"

static struct store *
open_store(const char *name)
{
	char		 path[1024];
	struct store	*s;
	char		*cause = NULL;

	snprintf(path, sizeof path, "%s/%s", test_tmpdir(), name);
	if ((s = store_open(path, &cause)) == NULL)
		TEST_FAIL("store_open: %s", cause);
	return s;
}

static int64_t
open_incident(struct store *s, const char *channel, int64_t outbox_id,
    int64_t at)
{
	struct store_incident_row	 r;
	int64_t				 id;

	memset(&r, 0, sizeof r);
	r.title = "Checkout is slow";
	r.severity = 2;
	r.platform = "slack";
	r.channel = channel;
	r.outbox_id = outbox_id;
	r.opened_ms = at;
	r.opened_by = "U1";
	r.opened_by_name = "alice";
	if ((id = store_incident_open(s, &r, NULL)) <= 0)
		TEST_FAIL("store_incident_open");
	if (store_incident_note(s, id, at, "U1", "alice", "open", r.title,
	    NULL) < 0)
		TEST_FAIL("note");
	return id;
}

struct seen {
	int64_t	 id;
	char	 thread[64];
	int	 n;
};

static void
seen_cb(void *arg, const struct store_incident_row *r)
{
	struct seen	*w = arg;

	w->id = r->id;
	snprintf(w->thread, sizeof w->thread, "%s", r->thread != NULL ?
	    r->thread : "");
	w->n++;
}

TEST(thread_is_found_through_the_outbox_and_kept)
{
	struct store			*s = open_store("thread.db");
	struct store_outbox_row		 o;
	struct seen			 w;
	int64_t				 row, id;

	memset(&o, 0, sizeof o);
	o.platform = (char *)"slack";
	o.channel = (char *)"C0OPS";
	o.kind = (char *)"post";
	o.body = (char *)"{}";
	row = store_outbox_add(s, &o, NULL);
	ASSERT(row > 0);
	id = open_incident(s, "C0OPS", row, 1000);
	memset(&w, 0, sizeof w);
	/* Not delivered yet: no thread is the incident's. */
	ASSERT_INT_EQ(store_incident_by_thread(s, "slack", "C0OPS",
	    "1700000000.000001", seen_cb, &w, NULL), 0);
	ASSERT(store_outbox_sent(s, row, "1700000000.000001", 2000, NULL) == 0);
	ASSERT_INT_EQ(store_incident_by_thread(s, "slack", "C0OPS",
	    "1700000000.000001", seen_cb, &w, NULL), 1);
	ASSERT_INT_EQ(w.id, id);
	ASSERT_STR_EQ(w.thread, "1700000000.000001");
	/* Another channel, or another thread, is not it. */
	ASSERT_INT_EQ(store_incident_by_thread(s, "slack", "C0OTHER",
	    "1700000000.000001", seen_cb, &w, NULL), 0);
	ASSERT_INT_EQ(store_incident_by_thread(s, "slack", "C0OPS",
	    "1700000000.000009", seen_cb, &w, NULL), 0);
	/* Kept: found without the outbox row (pruned by retention). */
	memset(&w, 0, sizeof w);
	ASSERT_INT_EQ(store_incident_get(s, id, seen_cb, &w, NULL), 1);
	ASSERT_STR_EQ(w.thread, "1700000000.000001");
	/* A closed incident's thread takes no more notes. */
	ASSERT_INT_EQ(store_incident_close(s, id, 3000, "U1", "alice", NULL,
	    "# RCA", NULL), 1);
	ASSERT_INT_EQ(store_incident_close(s, id, 3000, "U1", "alice", NULL,
	    "# RCA", NULL), 0);
	ASSERT_INT_EQ(store_incident_by_thread(s, "slack", "C0OPS",
	    "1700000000.000001", seen_cb, &w, NULL), 0);
	store_close(s);
}

TEST(links_are_once_and_find_the_open_incident)
{
	struct store	*s = open_store("links.db");
	struct seen	 w;
	int64_t		 a, b, of = 0;

	a = open_incident(s, "C0OPS", 0, 1000);
	b = open_incident(s, "C0OPS", 0, 1000);
	ASSERT_INT_EQ(store_incident_link(s, a, 7, 1100, "U1", NULL), 1);
	ASSERT_INT_EQ(store_incident_link(s, a, 7, 1200, "U2", NULL), 0);
	ASSERT_INT_EQ(store_incident_of_alert(s, 7, &of, NULL), 1);
	ASSERT_INT_EQ(of, a);
	ASSERT_INT_EQ(store_incident_of_alert(s, 8, &of, NULL), 0);
	memset(&w, 0, sizeof w);
	ASSERT_INT_EQ(store_incidents_open(s, "slack", "C0OPS", seen_cb, &w,
	    NULL), 2);
	ASSERT_INT_EQ(store_incident_close(s, a, 2000, "U1", NULL, "done",
	    NULL, NULL), 1);
	ASSERT_INT_EQ(store_incident_of_alert(s, 7, &of, NULL), 0);
	memset(&w, 0, sizeof w);
	ASSERT_INT_EQ(store_incidents_open(s, NULL, NULL, seen_cb, &w, NULL),
	    1);
	ASSERT_INT_EQ(w.id, b);
	store_close(s);
}

static void
cmd_cb(void *arg, const struct store_incident_cmd_row *r)
{
	struct buf *b = arg;

	buf_addf(b, "%s|", r->command);
}

TEST(audit_rows_keep_their_thread)
{
	struct store		*s = open_store("audit.db");
	struct audit_entry	 e;
	struct buf		 b;

	memset(&e, 0, sizeof e);
	e.platform = "slack";
	e.user_id = "U1";
	e.outcome = "ok";
	e.ts_ms = 1500;
	e.channel = "C0OPS";
	e.command = "/disk db1";
	ASSERT(store_audit_append(s, &e, NULL) == 0);
	/* Typed in the incident's thread, from a DM-like other channel. */
	e.channel = "C0ELSE";
	e.thread = "1700000000.000001";
	e.command = "/rerun nightly --confirm";
	ASSERT(store_audit_append(s, &e, NULL) == 0);
	e.thread = NULL;
	e.command = "/health all";
	ASSERT(store_audit_append(s, &e, NULL) == 0);
	/* Before the incident. */
	e.ts_ms = 10;
	e.channel = "C0OPS";
	e.command = "/status";
	ASSERT(store_audit_append(s, &e, NULL) == 0);
	buf_init(&b);
	ASSERT_INT_EQ(store_incident_commands(s, "slack", "C0OPS",
	    "1700000000.000001", 1000, 2000, 0, cmd_cb, &b, NULL), 2);
	ASSERT_STR_EQ(b.data, "/disk db1|/rerun nightly --confirm|");
	buf_release(&b);
	store_close(s);
}

TEST(timeline_sorts_by_time_and_keeps_ties_in_order)
{
	struct timeline	 tl;

	timeline_init(&tl);
	timeline_add(&tl, 300, TL_NOTE, "bob", "third", 0);
	timeline_add(&tl, 100, TL_ALERT, "alertmanager", "first\nline", 0);
	timeline_add(&tl, 200, TL_COMMAND, "alice", "  tie a ", 0);
	timeline_add(&tl, 200, TL_NOTE, "alice", "tie b", 0);
	timeline_sort(&tl);
	ASSERT_STR_EQ(tl.v[0].what, "first line");
	ASSERT_STR_EQ(tl.v[1].what, "tie a");
	ASSERT_STR_EQ(tl.v[2].what, "tie b");
	ASSERT_STR_EQ(tl.v[3].what, "third");
	timeline_free(&tl);
	ASSERT(timeline_command_shown("/rerun nightly --confirm", "ok"));
	ASSERT(timeline_command_shown("restart web1 nginx", "error"));
	ASSERT(!timeline_command_shown("/incident note x", "ok"));
	ASSERT(!timeline_command_shown("/rca 1", "ok"));
	ASSERT(timeline_command_shown("/incidents", "ok"));
	ASSERT(!timeline_command_shown("/nosuch", "unknown"));
}

TEST(rca_has_every_section_and_who_did_what)
{
	struct timeline		 tl;
	struct rca_input	 in;
	const char		*alerts[] = { "#3 DiskFull on db1 (critical, "
				    "resolved)" };
	char			*md;

	timeline_init(&tl);
	timeline_add(&tl, 1764882000000, TL_ALERT, "alertmanager",
	    "#3 fired", 0);
	timeline_add(&tl, 1764882060000, TL_COMMAND, "alice",
	    "/restart db1 postgres --confirm", 0);
	timeline_add(&tl, 1764882120000, TL_COMMAND, "bob", "/rerun nightly "
	    "--confirm (error: exit 1)", 1);
	timeline_add(&tl, 1764882180000, TL_COMMAND, "alice", "/disk db1", 0);
	timeline_add(&tl, 1764882240000, TL_CHECKLIST, "command",
	    "sod: 3/4 passed; failing: backups", 1);
	memset(&in, 0, sizeof in);
	in.id = 4;
	in.title = "DB full";
	in.severity = 1;
	in.opened_by = "alice";
	in.opened_ms = 1764882030000;
	in.impact_start_ms = 1764882000000;
	in.impact_end_ms = 1764885600000;
	in.closed_ms = 1764885660000;
	in.closed_by = "alice";
	in.resolution = "vacuumed";
	in.alerts = alerts;
	in.nalerts = 1;
	in.tl = &tl;
	md = rca_render(&in);
	ASSERT_CONTAINS(md, "# RCA draft: incident #4: DB full");
	ASSERT_CONTAINS(md, "## Summary");
	ASSERT_CONTAINS(md, "- Resolution: vacuumed");
	ASSERT_CONTAINS(md, "  - #3 DiskFull on db1 (critical, resolved)");
	ASSERT_CONTAINS(md, "- From: 2025-12-04 21:00:00 UTC (first linked "
	    "alert fired)");
	ASSERT_CONTAINS(md, "- To: 2025-12-04 22:00:00 UTC (alerts resolved)");
	ASSERT_CONTAINS(md, "- Duration: 1h00m");
	ASSERT_CONTAINS(md, "- 2025-12-04 21:01:00 · command · **alice** · "
	    "/restart db1 postgres --confirm\n");
	ASSERT_CONTAINS(md, "- **alice**: `/restart db1 postgres --confirm`, "
	    "`/disk db1`\n- **bob**: `/rerun nightly --confirm (error: exit "
	    "1)`\n");
	ASSERT_CONTAINS(md, "Root cause: _to fill_");
	ASSERT_CONTAINS(md, "Corrective actions: _to fill_");
	ASSERT_CONTAINS(md, "- [ ] `/rerun nightly --confirm (error: exit 1)` "
	    "by bob did not succeed");
	ASSERT_CONTAINS(md, "- [ ] Checklist: sod: 3/4 passed; failing: "
	    "backups.");
	/* Ordered: summary, impact, timeline, actions, root cause, follow-ups. */
	ASSERT(strstr(md, "## Impact window") < strstr(md, "## Timeline"));
	ASSERT(strstr(md, "## Timeline") < strstr(md, "## What was done"));
	ASSERT(strstr(md, "## Root cause") < strstr(md, "## Follow-ups"));
	free(md);
	/* Open, without alerts: the window runs from the opening, ongoing. */
	in.open = 1;
	in.nalerts = 0;
	in.impact_start_ms = in.impact_end_ms = in.closed_ms = 0;
	in.resolution = NULL;
	in.now_ms = in.opened_ms + 90 * 60000;
	md = rca_render(&in);
	ASSERT_CONTAINS(md, "# RCA (draft, incident still open)");
	ASSERT_CONTAINS(md, "(incident opened)");
	ASSERT_CONTAINS(md, "- To: ongoing\n- Duration so far: 1h30m");
	ASSERT_CONTAINS(md, "- Resolution: _to fill_");
	ASSERT_CONTAINS(md, "- Linked alerts: none");
	free(md);
	timeline_free(&tl);
}

/* The draft from the store: alert events, commands, runs and notes. */
TEST(rca_from_the_store_builds_the_timeline)
{
	struct store			*s = open_store("rca.db");
	struct store_alert_row		 a;
	struct store_run_row		 run;
	struct store_result_row		 res[2];
	struct audit_entry		 e;
	int64_t				 id, aid;
	char				*md = NULL, *cause = NULL;

	memset(&a, 0, sizeof a);
	a.fingerprint = "fp1";
	a.source = "alertmanager";
	a.alertname = "DiskFull";
	a.severity = "critical";
	a.host = "db1";
	a.labels = "{}";
	a.annotations = "{}";
	a.url = "";
	a.state = "resolved";
	a.starts_ms = 900;
	a.first_seen_ms = a.last_seen_ms = 950;
	aid = store_alert_put(s, &a, NULL);
	ASSERT(aid > 0);
	ASSERT(store_alert_event(s, aid, 950, "alertmanager", "fired", NULL,
	    NULL) == 0);
	ASSERT(store_alert_event(s, aid, 1300, "@bob", "acknowledged", "mine",
	    NULL) == 0);
	ASSERT(store_alert_event(s, aid, 1900, "alertmanager", "resolved",
	    NULL, NULL) == 0);
	id = open_incident(s, "C0OPS", 0, 1000);
	ASSERT_INT_EQ(store_incident_link(s, id, aid, 1100, "U1", NULL), 1);
	memset(&e, 0, sizeof e);
	e.platform = "slack";
	e.user_id = "U2";
	e.user_name = "bob";
	e.channel = "C0OPS";
	e.outcome = "ok";
	e.ts_ms = 1400;
	e.command = "/restart db1 postgres --confirm";
	ASSERT(store_audit_append(s, &e, NULL) == 0);
	e.ts_ms = 1450;
	e.command = "/incident note hidden: the note is the row";
	ASSERT(store_audit_append(s, &e, NULL) == 0);
	memset(&run, 0, sizeof run);
	run.name = "sod";
	run.started_ms = 1500;
	run.finished_ms = 1600;
	run.trigger = "command";
	run.passed = 1;
	run.total = 2;
	memset(res, 0, sizeof res);
	res[0].title = "disks";
	res[0].kind = "disk";
	res[0].status = "ok";
	res[0].detail = "";
	res[1].idx = 1;
	res[1].title = "backups";
	res[1].kind = "command";
	res[1].status = "fail";
	res[1].detail = "old";
	ASSERT(store_run_add(s, &run, res, 2, NULL) > 0);
	ASSERT(store_incident_note(s, id, 1700, "U2", "bob", "note",
	    "vacuum running", NULL) > 0);

	if (incident_rca_compute(s, id, 2000, &md, &cause) != 0)
		TEST_FAIL("incident_rca_compute: %s", cause);
	ASSERT_CONTAINS(md, "(draft, incident still open)");
	ASSERT_CONTAINS(md, "  - #1 DiskFull on db1 (critical, resolved)");
	ASSERT_CONTAINS(md, "alert · **@bob** · #1 acknowledged: mine");
	ASSERT_CONTAINS(md, "command · **bob** · /restart db1 postgres "
	    "--confirm");
	ASSERT(strstr(md, "hidden") == NULL);
	ASSERT_CONTAINS(md, "checklist · **command** · sod: 1/2 passed; "
	    "failing: backups (failed)");
	ASSERT_CONTAINS(md, "note · **bob** · vacuum running");
	/* Fired before the incident opened: the window starts there. */
	ASSERT(strstr(md, "alert · **alertmanager** · #1 fired") <
	    strstr(md, "note · **alice** · opened the incident"));
	ASSERT_CONTAINS(md, "(first linked alert fired)");
	ASSERT_CONTAINS(md, "(alerts resolved)");
	free(md);
	/* incident_rca: the kept draft once closed. */
	ASSERT_INT_EQ(store_incident_close(s, id, 2100, "U1", "alice", "ok",
	    "# kept draft\n", NULL), 1);
	ASSERT(incident_rca(s, id, &md, NULL) == 0);
	ASSERT_STR_EQ(md, "# kept draft\n");
	free(md);
	ASSERT(incident_rca(s, 99, &md, &cause) == -1);
	ASSERT_STR_EQ(cause, "no incident #99");
	free(cause);
	store_close(s);
}

/*
 * The root message has a Create ticket button only with tickets on (off,
 * a click could only fail), running "ticket incident ID", with an action
 * id Mattermost's click route takes ([A-Za-z0-9]+).
 */
TEST(root_message_has_a_ticket_button_only_with_tickets_on)
{
	struct message		 m;
	struct incident_root	 r;
	const char		*a;

	incident_root_render(&m, &r, 7, "Checkout is slow", 2, "alice", 1);
	ASSERT_STR_EQ(m.title, "Incident #7: Checkout is slow");
	ASSERT_INT_EQ(m.nbuttons, 1);
	ASSERT_STR_EQ(m.buttons[0].label, "Create ticket");
	ASSERT_STR_EQ(m.buttons[0].value, "ticket incident 7");
	ASSERT(m.buttons[0].url == NULL);
	for (a = m.buttons[0].action; *a != '\0'; a++)
		ASSERT((*a >= 'a' && *a <= 'z') || (*a >= 'A' && *a <= 'Z') ||
		    (*a >= '0' && *a <= '9'));
	incident_root_release(&r);

	incident_root_render(&m, &r, 7, "Checkout is slow", 2, "alice", 0);
	ASSERT_INT_EQ(m.nbuttons, 0);
	ASSERT_STR_EQ(m.fields[1].value, "open");
	incident_root_release(&r);
}

static const struct test tests[] = {
	TEST_ENTRY(root_message_has_a_ticket_button_only_with_tickets_on),
	TEST_ENTRY(thread_is_found_through_the_outbox_and_kept),
	TEST_ENTRY(links_are_once_and_find_the_open_incident),
	TEST_ENTRY(audit_rows_keep_their_thread),
	TEST_ENTRY(timeline_sorts_by_time_and_keeps_ties_in_order),
	TEST_ENTRY(rca_has_every_section_and_who_did_what),
	TEST_ENTRY(rca_from_the_store_builds_the_timeline),
	TEST_END
};

int
main(int argc, char **argv)
{
	return test_run(tests, argc, argv);
}

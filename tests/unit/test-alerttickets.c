/*
 * What the alert engine asks of tickets through its sink: a route with
 * ticket: true opens one per group under its first message, other
 * groups get a Create ticket button, an acknowledgement is a work note,
 * the group's resolution resolves it, and the correlation id stays the
 * same across a restart and when the group fires again.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert_parse.h"
#include "alerts.h"
#include "buf.h"
#include "clock.h"
#include "config.h"
#include "message.h"
#include "store.h"
#include "test.h"

#define T0	1795305600000LL		/* 2026-11-23 00:00 UTC */

static struct buf	 buttons;	/* "label:value\n" of command buttons */
static struct buf	 tickets;	/* "what id receiver ref text\n" */
static int64_t		 next_id;
static char		 dbpath[512];
static struct store	*store;
static struct config	*cfg;

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
	for (i = 0; i < m->nbuttons; i++) {
		if (m->buttons[i].url == NULL)
			buf_addf(&buttons, "%s:%s\n", m->buttons[i].label,
			    m->buttons[i].value);
	}
	return ++next_id;
}

static void
rec_ticket(void *arg, const struct alerts_ticket *t)
{
	static const char *const what[] = { "open", "note", "resolve" };

	(void)arg;
	buf_addf(&tickets, "%s %s %s %lld %s\n", what[t->what],
	    t->correlation_id, t->receiver != NULL ? t->receiver : "-",
	    (long long)t->ref, t->what == ALERTS_TICKET_OPEN ? t->title :
	    t->text);
}

static const struct alerts_sink sink = { .post = rec_post,
    .ticket = rec_ticket };

static struct alerts *
start(void)
{
	struct alerts	*al;
	char		*cause = NULL;

	if ((store = store_open(dbpath, &cause)) == NULL)
		TEST_FAIL("store: %s", cause);
	if ((al = alerts_create(cfg, store, NULL, &sink, &cause)) == NULL)
		TEST_FAIL("alerts: %s", cause);
	return al;
}

static struct alerts *
setup(const char *name, const char *json)
{
	struct buf	 err;

	snprintf(dbpath, sizeof dbpath, "%s/%s.db", test_tmpdir(), name);
	remove(dbpath);
	clock_fake_set(T0);
	buf_init(&buttons);
	buf_init(&tickets);
	next_id = 100;
	buf_init(&err);
	if (config_load_text(json, strlen(json), "test", &cfg, &err) != 0)
		TEST_FAIL("config: %s", err.data);
	buf_release(&err);
	return start();
}

static void
stop(struct alerts *al)
{
	alerts_free(al);
	store_close(store);
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

	while ((s = strstr(s, needle)) != NULL) {
		n++;
		s += strlen(needle);
	}
	return n;
}

#define TICKETS "{ \"alerts\": { \"route\": { \"channels\": [\"slack:#ops\"], " \
	"\"group_wait\": \"30s\", \"routes\": [ { \"match\": { \"severity\": " \
	"\"critical\" }, \"ticket\": true } ] } }, \"tickets\": { \"servicenow\": " \
	"{ \"instance\": \"https://sn.example\", \"token\": \"t\" } } }"

/* A route with ticket: true opens one per group; ack notes; resolve. */
TEST(route_tickets_follow_the_group)
{
	struct alerts		*al;
	struct alerts_ticket	 t;
	char			 id[40], *cause = NULL;

	al = setup("tickets", TICKETS);
	ingest(al, "{\"name\":\"DiskFull\",\"host\":\"db-01\","
	    "\"severity\":\"critical\"}");
	ingest(al, "{\"name\":\"Load\",\"host\":\"db-01\"}");
	advance(al, 31000);
	/* The other route's group gets the button instead. */
	ASSERT_STR_EQ(buttons.data, "Acknowledge:ack 2\n"
	    "Silence 1h:silence alertname=\"Load\" 1h from the button\n"
	    "Create ticket:ticket alert 2\n"
	    "Acknowledge:ack 1\n"
	    "Silence 1h:silence alertname=\"DiskFull\" 1h from the button\n");
	/* Only the critical route's group opens one, under its message. */
	ASSERT_INT_EQ(count_lines(tickets.data, "open "), 1);
	ASSERT_CONTAINS(tickets.data, " slack:#ops 102 [FIRING:1] DiskFull");
	ASSERT_INT_EQ(sscanf(tickets.data, "open %39s", id), 1);
	ASSERT_INT_EQ((int)strlen(id), 22);
	ASSERT_CONTAINS(id, "alert:");
	/* The button's request names the same ticket and message. */
	ASSERT_INT_EQ(alerts_ticket_request(al, 1, &t, &cause), 0);
	ASSERT_STR_EQ(t.correlation_id, id);
	ASSERT_STR_EQ(t.receiver, "slack:#ops");
	ASSERT_INT_EQ((int)t.ref, 102);
	alerts_ticket_release(&t);
	ASSERT_INT_EQ(alerts_ticket_request(al, 99, &t, &cause), -1);
	ASSERT_STR_EQ(cause, "alert #99 is not open (see /alerts)");
	free(cause);
	buf_clear(&tickets);
	ASSERT_INT_EQ(alerts_ack(al, 1, "@alice", NULL, NULL, NULL), 0);
	ASSERT_CONTAINS(tickets.data, "note ");
	ASSERT_CONTAINS(tickets.data, id);
	ASSERT_CONTAINS(tickets.data, "acknowledged by @alice in chat.");
	/* Resolved and shown so: the ticket is resolved; same id. */
	buf_clear(&tickets);
	ingest(al, "{\"name\":\"DiskFull\",\"host\":\"db-01\","
	    "\"severity\":\"critical\",\"status\":\"resolved\"}");
	advance(al, 5 * 60000);
	ASSERT_CONTAINS(tickets.data, "resolve ");
	ASSERT_CONTAINS(tickets.data, id);
	ASSERT_CONTAINS(tickets.data, "Every alert of the group resolved");
	/* Firing again after a restart: the same group, the same key. */
	stop(al);
	al = start();
	buf_clear(&tickets);
	ingest(al, "{\"name\":\"DiskFull\",\"host\":\"db-01\","
	    "\"severity\":\"critical\"}");
	advance(al, 31000);
	ASSERT_CONTAINS(tickets.data, id);
	stop(al);
	config_free(cfg);
	clock_use_real();
	buf_release(&tickets);
	buf_release(&buttons);
}

static const struct test tests[] = {
	TEST_ENTRY(route_tickets_follow_the_group),
	TEST_END
};

int
main(int argc, char **argv)
{
	return test_run(tests, argc, argv);
}


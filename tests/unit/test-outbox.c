/*
 * The outbox with a fake clock and an inline sender: order per channel,
 * token-bucket pacing, 429 holding one channel only, backoff after
 * errors, refusals, and delivery exactly once across a restart.
 */

#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "clock.h"
#include "log.h"
#include "loop.h"
#include "outbox.h"
#include "store.h"
#include "test.h"
#include "workers.h"
#include "xmalloc.h"

/* What the fake platform saw, and what it answers next. */
static struct buf		 sent;
static enum outbox_verdict	 answer[64];
static int64_t			 answer_after[64];
static int			 nanswers, calls, unsent;
static char			 dbpath[512];

static void
script(enum outbox_verdict v, int64_t after)
{
	answer[nanswers] = v;
	answer_after[nanswers++] = after;
}

/* The row must be in the store, pending, before any attempt. */
static void
check_stored(int64_t id)
{
	sqlite3		*db;
	sqlite3_stmt	*st;
	char		 sql[128];

	ASSERT_INT_EQ(sqlite3_open(dbpath, &db), SQLITE_OK);
	snprintf(sql, sizeof sql, "SELECT state FROM outbox WHERE id = %lld",
	    (long long)id);
	ASSERT_INT_EQ(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	ASSERT_INT_EQ(sqlite3_step(st), SQLITE_ROW);
	ASSERT_STR_EQ((const char *)sqlite3_column_text(st, 0), "pending");
	sqlite3_finalize(st);
	sqlite3_close(db);
}

static void
fake_send(void *arg, const struct outbox_item *it, struct outbox_result *r)
{
	int	 i = calls++;

	check_stored(it->id);
	buf_addf(&sent, "%s:%s#%d ", it->channel, it->body, it->attempts);
	r->verdict = i < nanswers ? answer[i] : OUTBOX_SENT;
	r->retry_after_ms = i < nanswers ? answer_after[i] : 0;
	r->unsent = r->verdict == OUTBOX_RETRY && unsent;
	if (r->verdict == OUTBOX_SENT)
		xasprintf(&r->platform_id, "ts-%lld", (long long)it->id);
	else
		r->error = xstrdup(r->verdict == OUTBOX_REJECTED ?
		    "channel_not_found" : "HTTP 503");
}

static struct store	*store;

static struct outbox *
setup(const char *name, int burst)
{
	struct outbox_limits	 lim = { 1.0, burst, 60000, 3 };
	char			*cause = NULL;

	snprintf(dbpath, sizeof dbpath, "%s/%s.db", test_tmpdir(), name);
	clock_fake_set(1795305600000LL);
	store = store_open(dbpath, &cause);
	if (store == NULL)
		TEST_FAIL("store: %s", cause);
	buf_release(&sent);
	nanswers = calls = unsent = 0;
	return outbox_create(store, NULL, NULL, &lim);
}

static void
teardown(struct outbox *ob)
{
	outbox_free(ob);
	store_close(store);
	clock_use_real();
}

static void
enqueue(struct outbox *ob, const char *channel, const char *body)
{
	char	*cause = NULL;

	if (outbox_enqueue(ob, "fake", channel, "post", NULL, body,
	    &cause) < 0)
		TEST_FAIL("enqueue: %s", cause);
}

static char *
q(const char *sql)
{
	static char	 out[1024];
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

TEST(paced_in_order)
{
	struct outbox	*ob = setup("paced", 3);

	outbox_register(ob, "fake", fake_send, NULL);
	enqueue(ob, "C1", "a");
	enqueue(ob, "C1", "b");
	enqueue(ob, "C1", "c");
	enqueue(ob, "C1", "d");
	enqueue(ob, "C1", "e");
	/* The burst goes at once; then one a second. */
	ASSERT_STR_EQ(sent.data, "C1:a#0 C1:b#0 C1:c#0 ");
	ASSERT_INT_EQ(outbox_pending(ob), 2);
	clock_fake_advance(500);
	outbox_kick(ob);
	ASSERT_INT_EQ(calls, 3);
	clock_fake_advance(501);
	outbox_kick(ob);
	ASSERT_STR_EQ(sent.data, "C1:a#0 C1:b#0 C1:c#0 C1:d#0 ");
	clock_fake_advance(1000);
	outbox_kick(ob);
	ASSERT_INT_EQ(outbox_pending(ob), 0);
	ASSERT_STR_EQ(q("SELECT group_concat(body || '=' || state || '/' || "
	    "platform_id, ',') FROM outbox ORDER BY id"),
	    "a=sent/ts-1,b=sent/ts-2,c=sent/ts-3,d=sent/ts-4,e=sent/ts-5");
	teardown(ob);
}

TEST(channels_are_independent)
{
	struct outbox	*ob = setup("channels", 1);

	outbox_register(ob, "fake", fake_send, NULL);
	enqueue(ob, "C1", "a");
	enqueue(ob, "C1", "b");
	enqueue(ob, "C2", "x");
	ASSERT_STR_EQ(sent.data, "C1:a#0 C2:x#0 ");
	ASSERT_INT_EQ(outbox_channels(ob), 2);
	/* C2 is idle but its bucket is empty: kept, so pacing holds. */
	outbox_kick(ob);
	ASSERT_INT_EQ(outbox_channels(ob), 2);
	clock_fake_advance(1000);
	outbox_kick(ob);
	ASSERT_STR_EQ(sent.data, "C1:a#0 C2:x#0 C1:b#0 ");
	/* Later, idle and refilled: forgotten. */
	clock_fake_advance(1000);
	outbox_kick(ob);
	ASSERT_INT_EQ(outbox_channels(ob), 0);
	teardown(ob);
}

/*
 * A platform's own pacing: Mattermost takes ten a second where Slack
 * takes one, so its replies must not wait a second each.
 */
TEST(platforms_pace_on_their_own)
{
	struct outbox			*ob = setup("pace", 1);
	const struct outbox_limits	 fast = { 10.0, 2, 60000, 0 };
	char				*cause = NULL;
	int				 i;

	outbox_register(ob, "fake", fake_send, NULL);
	outbox_register(ob, "quick", fake_send, NULL);
	outbox_set_limits(ob, "quick", &fast);
	for (i = 0; i < 4; i++) {
		enqueue(ob, "C1", "s");
		if (outbox_enqueue(ob, "quick", "C1", "post", NULL, "m",
		    &cause) < 0)
			TEST_FAIL("enqueue: %s", cause);
	}
	/* The default platform: one now; the quick one: its burst of 2. */
	ASSERT_STR_EQ(sent.data, "C1:s#0 C1:m#0 C1:m#0 ");
	/* 100 ms later the quick one has its next; the other waits 1 s. */
	clock_fake_advance(101);
	outbox_kick(ob);
	ASSERT_STR_EQ(sent.data, "C1:s#0 C1:m#0 C1:m#0 C1:m#0 ");
	clock_fake_advance(101);
	outbox_kick(ob);
	ASSERT_INT_EQ(outbox_pending(ob), 3);
	clock_fake_advance(800);
	outbox_kick(ob);
	ASSERT_INT_EQ(outbox_pending(ob), 2);
	teardown(ob);
}

TEST(rate_limit_holds_one_channel)
{
	struct outbox	*ob = setup("ratelimit", 5);

	script(OUTBOX_RATE_LIMITED, 5000);
	outbox_register(ob, "fake", fake_send, NULL);
	enqueue(ob, "C1", "a");
	enqueue(ob, "C2", "x");
	enqueue(ob, "C1", "b");
	/* C1 is held; C2 goes on. */
	ASSERT_STR_EQ(sent.data, "C1:a#0 C2:x#0 ");
	clock_fake_advance(4999);
	outbox_kick(ob);
	ASSERT_INT_EQ(calls, 2);
	clock_fake_advance(1);
	outbox_kick(ob);
	/* Same message again, first: order holds. */
	ASSERT_STR_EQ(sent.data, "C1:a#0 C2:x#0 C1:a#1 C1:b#0 ");
	ASSERT_STR_EQ(q("SELECT attempts || ' ' || state FROM outbox WHERE "
	    "body = 'a'"), "2 sent");
	teardown(ob);
}

TEST(errors_back_off_exponentially)
{
	struct outbox	*ob = setup("backoff", 5);
	int64_t		 due;

	script(OUTBOX_RETRY, 0);
	script(OUTBOX_RETRY, 0);
	outbox_register(ob, "fake", fake_send, NULL);
	enqueue(ob, "C1", "a");
	enqueue(ob, "C1", "b");
	/* After one failure: about 1 s (+-20 %). */
	due = outbox_next_due(ob) - clock_mono_ms();
	ASSERT(due >= 800 && due <= 1200);
	clock_fake_advance(due);
	outbox_kick(ob);
	/* After two: about 2 s. */
	due = outbox_next_due(ob) - clock_mono_ms();
	ASSERT(due >= 1600 && due <= 2400);
	ASSERT_STR_EQ(q("SELECT last_error FROM outbox WHERE body = 'a'"),
	    "HTTP 503");
	clock_fake_advance(due);
	outbox_kick(ob);
	ASSERT_STR_EQ(sent.data, "C1:a#0 C1:a#1 C1:a#2 C1:b#0 ");
	ASSERT_INT_EQ(outbox_pending(ob), 0);
	ASSERT_INT_EQ(outbox_next_due(ob), -1);
	teardown(ob);
}

TEST(refused_for_good)
{
	struct outbox	*ob = setup("refused", 5);

	log_set_level(LOG_ERROR);
	script(OUTBOX_REJECTED, 0);
	outbox_register(ob, "fake", fake_send, NULL);
	enqueue(ob, "C9", "a");
	enqueue(ob, "C9", "b");
	ASSERT_STR_EQ(sent.data, "C9:a#0 C9:b#0 ");
	ASSERT_STR_EQ(q("SELECT group_concat(body || '=' || state || '/' || "
	    "ifnull(last_error, '-'), ',') FROM outbox ORDER BY id"),
	    "a=failed/channel_not_found,b=sent/-");
	teardown(ob);
}

TEST(survives_a_restart_exactly_once)
{
	struct outbox	*ob = setup("restart", 5);
	char		*cause = NULL;

	/* No sender yet (the platform is down): stored, not sent. */
	enqueue(ob, "C1", "a");
	enqueue(ob, "C1", "b");
	ASSERT_INT_EQ(calls, 0);
	ASSERT_INT_EQ(outbox_pending(ob), 2);
	outbox_free(ob);
	store_close(store);

	/* A new process: the rows come back and go out once. */
	store = store_open(dbpath, &cause);
	ASSERT_NOT_NULL(store);
	{
		struct outbox_limits lim = { 1.0, 5, 60000, 0 };

		ob = outbox_create(store, NULL, NULL, &lim);
	}
	ASSERT_INT_EQ(outbox_load(ob, &cause), 0);
	ASSERT_INT_EQ(outbox_pending(ob), 2);
	outbox_register(ob, "fake", fake_send, NULL);
	ASSERT_STR_EQ(sent.data, "C1:a#0 C1:b#0 ");
	outbox_free(ob);
	store_close(store);

	store = store_open(dbpath, &cause);
	{
		struct outbox_limits lim = { 1.0, 5, 60000, 0 };

		ob = outbox_create(store, NULL, NULL, &lim);
	}
	ASSERT_INT_EQ(outbox_load(ob, &cause), 0);
	outbox_register(ob, "fake", fake_send, NULL);
	ASSERT_INT_EQ(calls, 2);
	ASSERT_INT_EQ(outbox_pending(ob), 0);
	teardown(ob);
}

/*
 * A message written inside a transaction waits for the commit; one whose
 * transaction rolls back (a full disk, a failed write after it) never
 * reaches chat, even though its row had been inserted.
 */
TEST(rolled_back_transaction_never_posts)
{
	struct outbox	*ob = setup("rollback", 5);
	char		*cause = NULL;

	log_set_level(LOG_ERROR);
	outbox_register(ob, "fake", fake_send, NULL);
	ASSERT_INT_EQ(store_begin(store, &cause), 0);
	enqueue(ob, "C1", "rolled-back");
	ASSERT_INT_EQ(calls, 0);
	store_rollback(store);
	outbox_kick(ob);
	ASSERT_INT_EQ(calls, 0);
	ASSERT_INT_EQ(outbox_pending(ob), 0);
	ASSERT_STR_EQ(q("SELECT count(*) FROM outbox"), "0");

	ASSERT_INT_EQ(store_begin(store, &cause), 0);
	enqueue(ob, "C1", "committed");
	ASSERT_INT_EQ(calls, 0);
	ASSERT_INT_EQ(store_commit(store, &cause), 0);
	ASSERT_STR_EQ(sent.data, "C1:committed#0 ");

	/* The row id of the rolled-back one was reused: still one post. */
	ASSERT_STR_EQ(q("SELECT count(*) FROM outbox"), "1");
	ASSERT_INT_EQ(calls, 1);
	teardown(ob);
}


/*
 * A message the server keeps cutting (or answering 5xx) fails for good
 * after max_attempts (3 here) and no longer holds its channel; tries that
 * never reached the server (an outage) do not count.
 */
TEST(undeliverable_gives_up_and_frees_the_channel)
{
	struct outbox	*ob = setup("giveup", 5);
	int		 i;

	log_set_level(LOG_ERROR);
	for (i = 0; i < 3; i++)
		script(OUTBOX_RETRY, 0);
	outbox_register(ob, "fake", fake_send, NULL);
	enqueue(ob, "C1", "big");
	enqueue(ob, "C1", "crit");
	for (i = 0; i < 5 && outbox_pending(ob) > 0; i++) {
		clock_fake_advance(60000);
		outbox_kick(ob);
	}
	ASSERT_STR_EQ(sent.data, "C1:big#0 C1:big#1 C1:big#2 C1:crit#0 ");
	ASSERT_STR_EQ(q("SELECT group_concat(body || '=' || state || '/' || "
	    "attempts, ',') FROM outbox ORDER BY id"),
	    "big=failed/3,crit=sent/1");
	ASSERT_CONTAINS(q("SELECT last_error FROM outbox WHERE body = 'big'"),
	    "after 3 attempts");
	ASSERT_INT_EQ(outbox_failed(ob), 1);
	teardown(ob);

	/* Slack down: 6 tries without a connection, then delivered. */
	ob = setup("outage", 5);
	for (i = 0; i < 6; i++)
		script(OUTBOX_RETRY, 0);
	unsent = 1;
	outbox_register(ob, "fake", fake_send, NULL);
	enqueue(ob, "C1", "a");
	for (i = 0; i < 10 && outbox_pending(ob) > 0; i++) {
		clock_fake_advance(60000);
		outbox_kick(ob);
	}
	ASSERT_INT_EQ(calls, 7);
	ASSERT_STR_EQ(q("SELECT state || '/' || attempts FROM outbox"),
	    "sent/1");
	ASSERT_INT_EQ(outbox_failed(ob), 0);
	teardown(ob);
}


static struct buf	 maybe;

/* Records, per try, whether the outbox said it may have arrived before. */
static void
maybe_send(void *arg, const struct outbox_item *it, struct outbox_result *r)
{
	buf_addf(&maybe, "%s%s ", it->body, it->maybe_sent ? "?" : "");
	fake_send(arg, it, r);
}

/*
 * Which tries a sender must check for an earlier arrival: after a restart
 * only the first row of each channel (one send in flight per channel),
 * and any row whose try reached the server without an answer; never a
 * row tried only while the server could not be reached.
 */
TEST(maybe_sent_marks_only_what_may_have_arrived)
{
	struct outbox		*ob = setup("maybe", 5);
	struct outbox_limits	 lim = { 1.0, 5, 60000, 0 };
	char			*cause = NULL;

	enqueue(ob, "C1", "a");
	enqueue(ob, "C1", "b");
	enqueue(ob, "C2", "c");
	outbox_free(ob);
	store_close(store);
	store = store_open(dbpath, &cause);
	ASSERT_NOT_NULL(store);
	ob = outbox_create(store, NULL, NULL, &lim);
	ASSERT_INT_EQ(outbox_load(ob, &cause), 0);
	buf_release(&maybe);
	outbox_register(ob, "fake", maybe_send, NULL);
	ASSERT_STR_EQ(maybe.data, "a? b c? ");
	teardown(ob);

	ob = setup("maybe2", 5);
	script(OUTBOX_RETRY, 0);
	buf_release(&maybe);
	outbox_register(ob, "fake", maybe_send, NULL);
	enqueue(ob, "C1", "d");
	clock_fake_advance(60000);
	outbox_kick(ob);
	ASSERT_STR_EQ(maybe.data, "d d? ");
	teardown(ob);
	buf_release(&maybe);
}

/*
 * Many queues (a response URL each, as in a burst of commands): the
 * index that finds them must keep each queue's order, and give every
 * queue its turn in the order the queues were made, one message per
 * token, so a busy queue cannot starve the one-off ones.
 */
TEST(many_queues_keep_order_and_take_turns)
{
	struct outbox	*ob = setup("many", 1);
	struct buf	 want;
	char		 ch[16], body[16];
	int		 i, round;

	buf_init(&want);
	outbox_register(ob, "fake", fake_send, NULL);
	for (i = 0; i < 5; i++) {
		snprintf(body, sizeof body, "b%d", i);
		enqueue(ob, "BUSY", body);
	}
	buf_addf(&want, "BUSY:b0#0 ");
	/* 300 queues: the index grows (and rehashes) several times. */
	for (round = 0; round < 3; round++) {
		for (i = 0; i < 300; i++) {
			snprintf(ch, sizeof ch, "Q%d", i);
			snprintf(body, sizeof body, "m%d", round);
			enqueue(ob, ch, body);
			if (round == 0)
				buf_addf(&want, "%s:m0#0 ", ch);
		}
	}
	ASSERT_STR_EQ(sent.data, want.data);
	ASSERT_INT_EQ(outbox_channels(ob), 301);
	ASSERT_INT_EQ(outbox_backlog(ob, "fake", "BUSY"), 4);
	ASSERT_INT_EQ(outbox_backlog(ob, "fake", "Q299"), 2);
	ASSERT_INT_EQ(outbox_backlog(ob, "other", "Q299"), 0);
	/* Each second: one more from every queue, in the order made. */
	for (round = 1; round < 5; round++) {
		clock_fake_advance(1000);
		outbox_kick(ob);
		buf_addf(&want, "BUSY:b%d#0 ", round);
		for (i = 0; round < 3 && i < 300; i++)
			buf_addf(&want, "Q%d:m%d#0 ", i, round);
		ASSERT_STR_EQ(sent.data, want.data);
	}
	ASSERT_INT_EQ(outbox_pending(ob), 0);
	ASSERT_INT_EQ(outbox_deliverable(ob), 0);
	/* Idle and refilled: all forgotten; a queue made again goes at once. */
	clock_fake_advance(1000);
	outbox_kick(ob);
	ASSERT_INT_EQ(outbox_channels(ob), 0);
	enqueue(ob, "Q7", "again");
	buf_addf(&want, "Q7:again#0 ");
	ASSERT_STR_EQ(sent.data, want.data);
	buf_release(&want);
	teardown(ob);
}

/*
 * Idle queues are forgotten when their own bucket is full: a platform
 * that refills fast loses its idle queues first even when they were made
 * after a slow one's.
 */
TEST(idle_queues_are_forgotten_at_their_own_pace)
{
	struct outbox			*ob = setup("forget", 1);
	const struct outbox_limits	 fast = { 10.0, 2, 60000, 0 };
	char				*cause = NULL;

	outbox_register(ob, "fake", fake_send, NULL);
	outbox_register(ob, "quick", fake_send, NULL);
	outbox_set_limits(ob, "quick", &fast);
	enqueue(ob, "C1", "s");
	if (outbox_enqueue(ob, "quick", "C1", "post", NULL, "m", &cause) < 0)
		TEST_FAIL("enqueue: %s", cause);
	ASSERT_STR_EQ(sent.data, "C1:s#0 C1:m#0 ");
	ASSERT_INT_EQ(outbox_channels(ob), 2);
	clock_fake_advance(101);
	outbox_kick(ob);
	ASSERT_INT_EQ(outbox_channels(ob), 1);
	ASSERT_INT_EQ(outbox_backlog(ob, "fake", "C1"), 0);
	clock_fake_advance(900);
	outbox_kick(ob);
	ASSERT_INT_EQ(outbox_channels(ob), 0);
	teardown(ob);
}

static struct buf	 second;

static void
second_send(void *arg, const struct outbox_item *it, struct outbox_result *r)
{
	buf_addf(&second, "%s ", it->body);
	fake_send(arg, it, r);
}

/* A platform that registers again (its adapter restarted) sends anew. */
TEST(a_new_sender_takes_over)
{
	struct outbox	*ob = setup("resender", 2);

	outbox_register(ob, "fake", fake_send, NULL);
	enqueue(ob, "C1", "a");
	buf_release(&second);
	outbox_register(ob, "fake", second_send, NULL);
	enqueue(ob, "C1", "b");
	ASSERT_STR_EQ(sent.data, "C1:a#0 C1:b#0 ");
	ASSERT_STR_EQ(second.data, "b ");
	buf_release(&second);
	teardown(ob);
}

static atomic_int	 worked;

/* On a worker: every message delivered. */
static void
count_send(void *arg, const struct outbox_item *it, struct outbox_result *r)
{
	r->verdict = OUTBOX_SENT;
	xasprintf(&r->platform_id, "ts-%lld", (long long)it->id);
	atomic_fetch_add(&worked, 1);
}

/* Waits (not turning the loop) until n completions are posted to it. */
static void
wait_posted(struct loop *l, size_t n)
{
	int	 i;

	for (i = 0; i < 2000 && (atomic_load(&worked) < (int)n ||
	    loop_pending(l) < n); i++)
		usleep(5000);
	ASSERT_INT_EQ((int)loop_pending(l), (int)n);
}

static void
nothing(void *arg)
{
	(void)arg;
}

/*
 * Turns the loop until sql answers want (within 10 s). A turn runs the
 * timers that are due and then waits for the next event: a post first
 * keeps that wait short.
 */
static void
turn_until(struct loop *l, const char *sql, const char *want)
{
	int64_t	 deadline = clock_mono_ms() + 10000;

	while (strcmp(q(sql), want) != 0 && clock_mono_ms() < deadline) {
		loop_post(l, nothing, NULL);
		loop_turn(l);
	}
	ASSERT_STR_EQ(q(sql), want);
}

#define SENT	"SELECT count(*) FROM outbox WHERE state = 'sent'"

/*
 * Deliveries that come back in one loop turn are marked sent in one
 * commit, written before the outbox tries anything else, or soon after
 * when there is nothing else; a command's transaction takes the marks
 * waiting, and one that rolls back leaves them to be written still.
 */
TEST(a_turns_deliveries_are_marked_in_one_commit)
{
	struct outbox_limits	 lim = { 100.0, 100, 60000, 3 };
	struct loop		*l;
	struct workers		*w;
	struct outbox		*ob;
	char			*cause = NULL, ch[16];
	uint64_t		 c0;
	int			 i;

	snprintf(dbpath, sizeof dbpath, "%s/marks.db", test_tmpdir());
	store = store_open(dbpath, &cause);
	l = loop_create(0, &cause);
	ASSERT_NOT_NULL(store);
	ASSERT_NOT_NULL(l);
	w = workers_create(2, l);
	ob = outbox_create(store, l, w, &lim);
	outbox_register(ob, "fake", count_send, NULL);
	atomic_store(&worked, 0);
	for (i = 0; i < 40; i++) {
		snprintf(ch, sizeof ch, "C%d", i);
		if (outbox_enqueue(ob, "fake", ch, "post", NULL, "m",
		    &cause) < 0)
			TEST_FAIL("enqueue: %s", cause);
	}
	outbox_kick(ob);
	wait_posted(l, 40);
	c0 = store_commits(store);
	loop_run_posted(l);
	ASSERT_INT_EQ((int)(store_commits(store) - c0), 0);
	ASSERT_INT_EQ((int)outbox_pending(ob), 0);
	ASSERT_STR_EQ(q(SENT), "0");
	/* A message to send: the marks are written first, in one commit. */
	enqueue(ob, "C1", "next");
	outbox_kick(ob);
	ASSERT_STR_EQ(q(SENT), "40");
	ASSERT_STR_EQ(q("SELECT min(platform_id) FROM outbox WHERE state = "
	    "'sent'"), "ts-1");
	ASSERT_INT_EQ((int)(store_commits(store) - c0), 2);
	/* Nothing else to do: its mark is written soon all the same. */
	wait_posted(l, 1);
	loop_run_posted(l);
	outbox_kick(ob);
	turn_until(l, SENT, "41");
	ASSERT_INT_EQ((int)(store_commits(store) - c0), 3);

	/* Into a transaction of the caller's, and kept if it rolls back. */
	atomic_store(&worked, 0);
	enqueue(ob, "C1", "a");
	enqueue(ob, "C2", "b");
	outbox_kick(ob);
	wait_posted(l, 2);
	loop_run_posted(l);
	c0 = store_commits(store);
	ASSERT_INT_EQ(store_begin(store, &cause), 0);
	outbox_flush(ob);
	store_rollback(store);
	ASSERT_STR_EQ(q(SENT), "41");
	ASSERT_INT_EQ(store_begin(store, &cause), 0);
	outbox_flush(ob);
	ASSERT_INT_EQ(store_commit(store, &cause), 0);
	ASSERT_INT_EQ((int)(store_commits(store) - c0), 1);
	ASSERT_STR_EQ(q(SENT), "43");
	outbox_kick(ob);
	ASSERT_INT_EQ((int)(store_commits(store) - c0), 1);

	outbox_free(ob);
	workers_free(w);
	loop_free(l);
	store_close(store);
}

static const struct test tests[] = {
	TEST_ENTRY(paced_in_order),
	TEST_ENTRY(channels_are_independent),
	TEST_ENTRY(platforms_pace_on_their_own),
	TEST_ENTRY(rate_limit_holds_one_channel),
	TEST_ENTRY(errors_back_off_exponentially),
	TEST_ENTRY(refused_for_good),
	TEST_ENTRY(survives_a_restart_exactly_once),
	TEST_ENTRY(rolled_back_transaction_never_posts),
	TEST_ENTRY(undeliverable_gives_up_and_frees_the_channel),
	TEST_ENTRY(maybe_sent_marks_only_what_may_have_arrived),
	TEST_ENTRY(many_queues_keep_order_and_take_turns),
	TEST_ENTRY(idle_queues_are_forgotten_at_their_own_pace),
	TEST_ENTRY(a_new_sender_takes_over),
	TEST_ENTRY(a_turns_deliveries_are_marked_in_one_commit),
	TEST_END
};

int
main(int argc, char **argv)
{
	log_set_level(LOG_ERROR);
	return test_run(tests, argc, argv);
}

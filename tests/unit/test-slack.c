/*
 * The Slack adapter's parts without a socket: the redelivery memory
 * (slack_events.c), whose last SLACK_DEDUP keys are known and older ones
 * forgotten as their slots are reused, through many wraps of the ring;
 * and the answer kept for a slash command's ack (chat_capture.c).
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "slack_int.h"
#include "test.h"

static void
key(char *out, size_t len, unsigned int i)
{
	snprintf(out, len, "Ev%08X-%u", i * 2654435761u, i);
}

TEST(keeps_the_last_keys_and_forgets_older)
{
	struct slack	*sl = calloc(1, sizeof *sl);
	char		 k[64];
	unsigned int	 i, n = 5 * SLACK_DEDUP + 17;

	ASSERT_NOT_NULL(sl);
	for (i = 0; i < n; i++) {
		key(k, sizeof k, i);
		ASSERT_INT_EQ(slack_seen(sl, k), 0);
		slack_seen_add(sl, k);
		ASSERT_INT_EQ(slack_seen(sl, k), 1);
	}
	for (i = 0; i < n; i++) {
		key(k, sizeof k, i);
		ASSERT_INT_EQ(slack_seen(sl, k), i >= n - SLACK_DEDUP);
	}
	free(sl);
}

TEST(a_key_added_twice_takes_one_slot)
{
	struct slack	*sl = calloc(1, sizeof *sl);
	char		 k[64];
	unsigned int	 i;

	ASSERT_NOT_NULL(sl);
	slack_seen_add(sl, "dup-1");
	slack_seen_add(sl, "dup-1");
	ASSERT_INT_EQ((int)sl->seen_next, 1);
	/* One slot: it stays known for SLACK_DEDUP - 1 more keys. */
	for (i = 0; i < SLACK_DEDUP - 1; i++) {
		key(k, sizeof k, i);
		slack_seen_add(sl, k);
	}
	ASSERT_INT_EQ(slack_seen(sl, "dup-1"), 1);
	slack_seen_add(sl, "one more");
	ASSERT_INT_EQ(slack_seen(sl, "dup-1"), 0);
	/* An empty key is never remembered. */
	slack_seen_add(sl, "");
	ASSERT_INT_EQ(slack_seen(sl, ""), 0);
	free(sl);
}

static cJSON *
body(const char *text)
{
	cJSON	*b = cJSON_CreateObject();

	cJSON_AddStringToObject(b, "text", text);
	return b;
}

TEST(the_first_plain_answer_rides_the_ack)
{
	char			 url[] = "url:http://x/r/1";
	struct chat_capture	 cap = { .reply_to = "url:http://x/r/1" };
	struct chat_origin	 o = { .reply_to = url };
	struct message		 m = { .code = "ok" };

	ASSERT(chat_capture_wants(&cap, &o, &m));
	chat_capture_keep(&cap, body("first"));
	/* A second answer: the first leaves the ack, to go ahead of it. */
	ASSERT(!chat_capture_wants(&cap, &o, &m));
	{
		cJSON	*first = chat_capture_spill(&cap, &o);

		ASSERT_NOT_NULL(first);
		ASSERT_STR_EQ(cJSON_GetObjectItem(first, "text")->valuestring,
		    "first");
		cJSON_Delete(first);
	}
	ASSERT_NULL(cap.payload);
	/* And nothing is kept after: the ack goes bare. */
	ASSERT(!chat_capture_wants(&cap, &o, &m));
	ASSERT_NULL(chat_capture_spill(&cap, &o));
}

TEST(what_the_ack_does_not_carry)
{
	char			 url[] = "url:http://x/r/1";
	char			 ts[] = "ts:1700000000.1";
	struct chat_capture	 cap = { .reply_to = "url:http://x/r/1" };
	struct chat_origin	 o = { .reply_to = url };
	struct chat_origin	 other = { .reply_to = ts };
	struct message		 m = { .code = "ok" };
	struct message		 buttons = { .code = "sure?", .nbuttons = 1 };

	/* No capture: no command is running before its ack. */
	ASSERT(!chat_capture_wants(NULL, &o, &m));
	/* Buttons need a posted message; a click has its own URL. */
	ASSERT(!chat_capture_wants(&cap, &o, &buttons));
	o.click = 1;
	ASSERT(!chat_capture_wants(&cap, &o, &m));
	o.click = 0;
	/* An answer elsewhere (a thread) neither rides nor spills it. */
	ASSERT(!chat_capture_wants(&cap, &other, &m));
	ASSERT_NULL(chat_capture_spill(&cap, &other));
	ASSERT(chat_capture_wants(&cap, &o, &m));
	/* A partial answer first (spill with nothing kept): all go out. */
	ASSERT_NULL(chat_capture_spill(&cap, &o));
	ASSERT(!chat_capture_wants(&cap, &o, &m));
}

static const struct test tests[] = {
	TEST_ENTRY(keeps_the_last_keys_and_forgets_older),
	TEST_ENTRY(a_key_added_twice_takes_one_slot),
	TEST_ENTRY(the_first_plain_answer_rides_the_ack),
	TEST_ENTRY(what_the_ack_does_not_carry),
	TEST_END
};

int
main(int argc, char **argv)
{
	return test_run(tests, argc, argv);
}

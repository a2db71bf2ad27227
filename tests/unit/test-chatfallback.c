/*
 * The fallback of an answer whose response URL is gone
 * (adapters/chat/chat_fallback.c), with each platform's names: kept in
 * the body, never seen by the response URL, taken back for the channel.
 */

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "chat_fallback.h"
#include "mattermost_int.h"
#include "slack_fallback.h"
#include "test.h"

static char *
body_with(const struct chat_fallback_keys *k, const char *channel,
    const char *user, const char *thread)
{
	cJSON	*b = cJSON_CreateObject();
	char	*out;

	cJSON_AddStringToObject(b, "text", "disk 91%");
	chat_fallback_add(b, k, channel, user, thread);
	out = cJSON_PrintUnformatted(b);
	cJSON_Delete(b);
	return out;
}

TEST(slack_keeps_channel_user_and_thread)
{
	char	*body = body_with(&slack_fallback_keys, "C1", "U1", "17.5");
	cJSON	*where, *in = chat_fallback_take(body, &slack_fallback_keys,
	    &where);

	ASSERT_NOT_NULL(in);
	ASSERT_STR_EQ(cJSON_GetStringValue(cJSON_GetObjectItem(where,
	    "channel")), "C1");
	ASSERT_STR_EQ(cJSON_GetStringValue(cJSON_GetObjectItem(where,
	    "user")), "U1");
	ASSERT_STR_EQ(cJSON_GetStringValue(cJSON_GetObjectItem(where,
	    "thread_ts")), "17.5");
	/* Taken out of the answer itself. */
	ASSERT(!cJSON_HasObjectItem(in, CHAT_FALLBACK_KEY));
	ASSERT_STR_EQ(cJSON_GetStringValue(cJSON_GetObjectItem(in, "text")),
	    "disk 91%");
	cJSON_Delete(where);
	cJSON_Delete(in);
	free(body);
}

TEST(mattermost_uses_its_names_and_keeps_no_thread)
{
	char	*body = body_with(&mm_fallback_keys, "chan1", NULL, "root1");
	cJSON	*where, *in = chat_fallback_take(body, &mm_fallback_keys,
	    &where);

	ASSERT_NOT_NULL(in);
	ASSERT_STR_EQ(cJSON_GetStringValue(cJSON_GetObjectItem(where,
	    "channel_id")), "chan1");
	ASSERT(!cJSON_HasObjectItem(where, "user_id"));
	ASSERT_INT_EQ(cJSON_GetArraySize(where), 1);
	cJSON_Delete(where);
	cJSON_Delete(in);
	free(body);
}

TEST(the_response_url_never_sees_it)
{
	char	*body = body_with(&slack_fallback_keys, "C1", "U1", NULL);
	char	*out = chat_fallback_strip(body);

	ASSERT_STR_EQ(out, "{\"text\":\"disk 91%\"}");
	free(out);
	free(body);
	/* Not JSON, or nothing to take out: as queued. */
	out = chat_fallback_strip("ok, not json");
	ASSERT_STR_EQ(out, "ok, not json");
	free(out);
	out = chat_fallback_strip("{\"text\":\"x\"}");
	ASSERT_STR_EQ(out, "{\"text\":\"x\"}");
	free(out);
}

TEST(nowhere_to_go_without_a_channel)
{
	cJSON	*where = (cJSON *)1;
	char	*body = body_with(&slack_fallback_keys, NULL, "U1", NULL);

	ASSERT_NULL(chat_fallback_take(body, &slack_fallback_keys, &where));
	ASSERT_NULL(where);
	ASSERT_NULL(chat_fallback_take("not json", &slack_fallback_keys,
	    &where));
	ASSERT_NULL(chat_fallback_take("[1]", &slack_fallback_keys, &where));
	/* Another platform's names are not a channel. */
	free(body);
	body = body_with(&mm_fallback_keys, "chan1", NULL, NULL);
	ASSERT_NULL(chat_fallback_take(body, &slack_fallback_keys, &where));
	free(body);
}

static const struct test tests[] = {
	TEST_ENTRY(slack_keeps_channel_user_and_thread),
	TEST_ENTRY(mattermost_uses_its_names_and_keeps_no_thread),
	TEST_ENTRY(the_response_url_never_sees_it),
	TEST_ENTRY(nowhere_to_go_without_a_channel),
	TEST_END
};

int
main(int argc, char **argv)
{
	return test_run(tests, argc, argv);
}

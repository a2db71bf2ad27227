/*
 * Private answers when posts/ephemeral is refused. Refusals and Confirm
 * prompts go to the asker alone through POST /api/v4/posts/ephemeral,
 * which needs the system permission create_post_ephemeral; bot accounts
 * often lack it (403), and then the asker would hear nothing. So the
 * answer goes as an ordinary post: in the thread it belongs to, or, with
 * no thread (a click, a direct message), in a direct message to the
 * asker. Runs on a worker thread, from the outbox's send.
 */

#include <cjson/cJSON.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "chat_fallback.h"
#include "http.h"
#include "log.h"
#include "mattermost_int.h"
#include "xmalloc.h"

const struct chat_fallback_keys mm_fallback_keys = {
	.channel = "channel_id",
	.user = "user_id",
	.thread = NULL,		/* the answer goes in the channel */
};

/* Said once per process: it is a setting, not an event. */
static atomic_int mm_private_warned;

/* The id of the direct channel between the bot and user, or NULL. */
static char *
mm_dm_channel(struct mattermost *mm, const char *user)
{
	struct http_response	 r;
	cJSON			*ids = cJSON_CreateArray(), *ch;
	char			*body, *id = NULL;

	cJSON_AddItemToArray(ids, cJSON_CreateString(mm->user_id));
	cJSON_AddItemToArray(ids, cJSON_CreateString(user));
	body = cJSON_PrintUnformatted(ids);
	cJSON_Delete(ids);
	if (mm_rest(mm, "POST", "/api/v4/channels/direct", body, &r) / 100
	    == 2 && (ch = cJSON_Parse(r.body.data)) != NULL) {
		if (mm_str(ch, "id") != NULL)
			id = xstrdup(mm_str(ch, "id"));
		cJSON_Delete(ch);
	}
	http_response_release(&r);
	free(body);
	return id;
}

int
mm_private_fallback(struct mattermost *mm, const char *body,
    const struct http_response *refused, struct http_response *r)
{
	cJSON		*in = cJSON_Parse(body), *post;
	const char	*user = mm_str(in, "user_id"), *root;
	char		*why, *dm = NULL, *json;
	long		 st;

	post = cJSON_DetachItemFromObjectCaseSensitive(in, "post");
	if (user == NULL || !cJSON_IsObject(post)) {
		cJSON_Delete(post);
		cJSON_Delete(in);
		return -1;
	}
	if (!atomic_exchange(&mm_private_warned, 1)) {
		why = mm_http_why(refused);
		log_warn("mattermost", "posts/ephemeral was refused (%s): the "
		    "bot account lacks the permission create_post_ephemeral, "
		    "so private answers (refusals, confirmations) go to the "
		    "thread, or to a direct message, instead", why);
		free(why);
	}
	root = mm_str(post, "root_id");
	if (root == NULL || *root == '\0') {
		if ((dm = mm_dm_channel(mm, user)) == NULL) {
			cJSON_Delete(post);
			cJSON_Delete(in);
			return -1;
		}
		cJSON_DeleteItemFromObjectCaseSensitive(post, "channel_id");
		cJSON_AddStringToObject(post, "channel_id", dm);
		cJSON_DeleteItemFromObjectCaseSensitive(post, "root_id");
	}
	json = cJSON_PrintUnformatted(post);
	st = mm_rest(mm, "POST", "/api/v4/posts", json, r);
	free(json);
	free(dm);
	cJSON_Delete(post);
	cJSON_Delete(in);
	return st == 201 || st == 200 ? 0 : -1;
}

/*
 * A slash command's response URL that no longer takes answers (expired
 * after 30 minutes, or used up): the answer is posted in the command's
 * channel instead, privately (posts/ephemeral) when it was private, as
 * a post when it was for the channel. body is the response as it was
 * queued, with its fallback (chat_fallback.h) naming the channel and the
 * asker. r (zeroed by the caller, who releases it) gets the post's answer.
 * Returns 0 when it was posted.
 */
int
mm_response_fallback(struct mattermost *mm, const char *body,
    struct http_response *r)
{
	cJSON		*in, *fb, *post, *wrap, *att;
	const char	*chan, *user, *rt;
	char		*json;
	long		 st;
	int		 private;

	if ((in = chat_fallback_take(body, &mm_fallback_keys, &fb)) == NULL)
		return -1;
	chan = mm_str(fb, "channel_id");
	user = mm_str(fb, "user_id");
	rt = mm_str(in, "response_type");
	private = rt == NULL || strcmp(rt, "in_channel") != 0;
	post = cJSON_CreateObject();
	cJSON_AddStringToObject(post, "channel_id", chan);
	cJSON_AddStringToObject(post, "message", mm_str(in, "text") != NULL ?
	    mm_str(in, "text") : "");
	att = cJSON_DetachItemFromObjectCaseSensitive(in, "attachments");
	if (att != NULL)
		cJSON_AddItemToObject(cJSON_AddObjectToObject(post, "props"),
		    "attachments", att);
	if (private && user != NULL) {
		wrap = cJSON_CreateObject();
		cJSON_AddStringToObject(wrap, "user_id", user);
		cJSON_AddItemToObject(wrap, "post", post);
		json = cJSON_PrintUnformatted(wrap);
		st = mm_rest(mm, "POST", "/api/v4/posts/ephemeral", json, r);
		cJSON_Delete(wrap);
	} else {
		json = cJSON_PrintUnformatted(post);
		st = mm_rest(mm, "POST", "/api/v4/posts", json, r);
		cJSON_Delete(post);
	}
	free(json);
	cJSON_Delete(fb);
	cJSON_Delete(in);
	if (st == 201 || st == 200)
		log_info("mattermost", "a response URL was gone; answered in "
		    "the channel instead");
	return st == 201 || st == 200 ? 0 : -1;
}

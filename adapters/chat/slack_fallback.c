/*
 * Answers that cannot go the usual way: a response URL that is gone
 * (posted in the channel instead), a store that cannot take them (sent
 * directly).
 */

#include <cjson/cJSON.h>
#include <libwebsockets.h>
#include <stdlib.h>
#include <string.h>

#include "chat.h"
#include "chat_fallback.h"
#include "http.h"
#include "log.h"
#include "outbox.h"
#include "slack_fallback.h"
#include "xmalloc.h"

#define SLACK_FALLBACK_TIMEOUT_MS	10000

const struct chat_fallback_keys slack_fallback_keys = {
	.channel = "channel",
	.user = "user",
	.thread = "thread_ts",
};

void
slack_fallback_post(const char *api_url, const char *token, const char *body,
    const char *why, struct outbox_result *r)
{
	struct http_response	 resp;
	cJSON			*json, *fb, *ans = NULL;
	const char		*user, *headers[2], *err, *ts;
	char			*url, *auth, *out;

	if ((json = chat_fallback_take(body, &slack_fallback_keys, &fb)) ==
	    NULL) {
		r->verdict = OUTBOX_REJECTED;
		r->error = xstrdup(why);
		return;
	}
	user = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(fb,
	    "user"));
	cJSON_DeleteItemFromObjectCaseSensitive(json, "response_type");
	cJSON_DeleteItemFromObjectCaseSensitive(json, "replace_original");
	cJSON_AddItemToObject(json, "channel", cJSON_Duplicate(
	    cJSON_GetObjectItemCaseSensitive(fb, "channel"), 1));
	if (cJSON_HasObjectItem(fb, "thread_ts"))
		cJSON_AddItemToObject(json, "thread_ts", cJSON_Duplicate(
		    cJSON_GetObjectItemCaseSensitive(fb, "thread_ts"), 1));
	/* The asker's own reply, where we know who asked. */
	if (user != NULL)
		cJSON_AddStringToObject(json, "user", user);
	xasprintf(&url, "%s%s", api_url, user != NULL ? "chat.postEphemeral" :
	    "chat.postMessage");
	xasprintf(&auth, "Authorization: Bearer %s", token);
	headers[0] = auth;
	headers[1] = NULL;
	out = cJSON_PrintUnformatted(json);
	if (http_post(url, headers, "application/json; charset=utf-8", out,
	    SLACK_FALLBACK_TIMEOUT_MS, &resp) == 0 && resp.status == 200 &&
	    (ans = cJSON_Parse(resp.body.data)) != NULL &&
	    cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(ans, "ok"))) {
		r->verdict = OUTBOX_SENT;
		ts = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(ans,
		    "message_ts"));
		if (ts == NULL)
			ts = cJSON_GetStringValue(
			    cJSON_GetObjectItemCaseSensitive(ans, "ts"));
		if (ts != NULL)
			r->platform_id = xstrdup(ts);
		log_info("slack", "%s; answered in the channel instead", why);
	} else {
		err = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(ans,
		    "error"));
		r->verdict = OUTBOX_REJECTED;
		xasprintf(&r->error, "%s; in the channel: %s", why, err != NULL ?
		    err : resp.status == 0 ? resp.error : "not ok");
	}
	cJSON_Delete(ans);
	http_response_release(&resp);
	explicit_bzero(auth, strlen(auth));
	free(auth);
	free(url);
	free(out);
	cJSON_Delete(fb);
	cJSON_Delete(json);
}

/*
 * The store could not take the answer (disk full): it goes out directly,
 * saying so, rather than not at all. The body keeps the reply's shape.
 */
void
slack_fallback_direct(struct outbox *ob, const struct chat_origin *o,
    const struct message *m, const char *cause, const char *kind,
    const char *target)
{
	struct message	 e;
	cJSON		*body = cJSON_CreateObject();
	char		*title, *json;

	chat_store_failed(m, cause, &e, &title);
	message_render_slack(&e, body);
	if (target != NULL)
		cJSON_AddStringToObject(body, "response_type", m->ephemeral ?
		    "ephemeral" : "in_channel");
	else {
		cJSON_AddStringToObject(body, "channel", o->channel);
		if (o->reply_to != NULL && strncmp(o->reply_to, "ts:", 3) == 0)
			cJSON_AddStringToObject(body, "thread_ts",
			    o->reply_to + 3);
		if (strcmp(kind, "ephemeral") == 0)
			cJSON_AddStringToObject(body, "user", o->user_id);
	}
	json = cJSON_PrintUnformatted(body);
	if (outbox_send_direct(ob, "slack", target != NULL ?
	    target : o->channel, kind, target, json) != 0)
		log_error("slack", "cannot answer directly either");
	free(json);
	free(title);
	cJSON_Delete(body);
}

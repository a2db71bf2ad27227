/*
 * Finding a post the bot already made (see slack_posted.h). Slack's
 * history is newest first, 200 a page at most here; a few pages cover
 * what a channel receives between a crash and the restart.
 */

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cause.h"
#include "http.h"
#include "log.h"
#include "outbox.h"
#include "slack_posted.h"
#include "xmalloc.h"

#define SLACK_POSTED_MARGIN_S	120	/* clock skew, the post's latency */
#define SLACK_POSTED_PAGES	5
#define SLACK_POSTED_TIMEOUT_MS	10000

char *
slack_posted_tag(const char *body, int64_t row)
{
	cJSON	*json = cJSON_Parse(body), *meta, *payload;
	char	*out;

	if (json == NULL)
		return xstrdup(body);
	cJSON_DeleteItemFromObjectCaseSensitive(json, "metadata");
	meta = cJSON_AddObjectToObject(json, "metadata");
	cJSON_AddStringToObject(meta, "event_type", SLACK_POSTED_EVENT);
	payload = cJSON_AddObjectToObject(meta, "event_payload");
	cJSON_AddNumberToObject(payload, "row", (double)row);
	out = cJSON_PrintUnformatted(json);
	cJSON_Delete(json);
	return out;
}

/* Is m the message of outbox row `row`? */
static int
slack_posted_is(const cJSON *m, int64_t row)
{
	const cJSON	*meta = cJSON_GetObjectItemCaseSensitive(m, "metadata");
	const cJSON	*type = cJSON_GetObjectItemCaseSensitive(meta,
	    "event_type");
	const cJSON	*n = cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(meta, "event_payload"), "row");

	return cJSON_IsString(type) &&
	    strcmp(type->valuestring, SLACK_POSTED_EVENT) == 0 &&
	    cJSON_IsNumber(n) && (int64_t)n->valuedouble == row;
}

char *
slack_posted_find(const char *api_url, const char *token, const char *body,
    int64_t row, int64_t created_ms, char **cause)
{
	struct http_response	 r;
	cJSON			*post = cJSON_Parse(body), *req, *ans = NULL;
	const cJSON		*channel, *thread, *m, *ts;
	const char		*headers[2], *next;
	char			*url, *auth, *json, *found = NULL, oldest[32];
	char			*cursor = NULL;
	int			 page;

	if (cause != NULL)
		cause_clear(cause);
	channel = cJSON_GetObjectItemCaseSensitive(post, "channel");
	thread = cJSON_GetObjectItemCaseSensitive(post, "thread_ts");
	if (!cJSON_IsString(channel)) {
		cJSON_Delete(post);
		return NULL;
	}
	xasprintf(&url, "%s%s", api_url, cJSON_IsString(thread) ?
	    "conversations.replies" : "conversations.history");
	xasprintf(&auth, "Authorization: Bearer %s", token);
	headers[0] = auth;
	headers[1] = NULL;
	snprintf(oldest, sizeof oldest, "%lld.000000",
	    (long long)(created_ms / 1000 - SLACK_POSTED_MARGIN_S));
	for (page = 0; page < SLACK_POSTED_PAGES && found == NULL; page++) {
		req = cJSON_CreateObject();
		cJSON_AddStringToObject(req, "channel", channel->valuestring);
		if (cJSON_IsString(thread))
			cJSON_AddStringToObject(req, "ts", thread->valuestring);
		cJSON_AddStringToObject(req, "oldest", oldest);
		cJSON_AddBoolToObject(req, "inclusive", 1);
		cJSON_AddBoolToObject(req, "include_all_metadata", 1);
		cJSON_AddNumberToObject(req, "limit", 200);
		if (cursor != NULL)
			cJSON_AddStringToObject(req, "cursor", cursor);
		json = cJSON_PrintUnformatted(req);
		cJSON_Delete(req);
		if (http_post(url, headers, "application/json; charset=utf-8",
		    json, SLACK_POSTED_TIMEOUT_MS, &r) != 0 || r.status != 200 ||
		    (ans = cJSON_Parse(r.body.data)) == NULL ||
		    !cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(ans, "ok"))) {
			if (cause != NULL)
				cause_set(cause, "cannot look for a post made "
				    "before: %s", r.status == 0 ? r.error :
				    "the answer was not ok");
			free(json);
			http_response_release(&r);
			cJSON_Delete(ans);
			ans = NULL;
			break;
		}
		free(json);
		http_response_release(&r);
		cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(ans,
		    "messages")) {
			ts = cJSON_GetObjectItemCaseSensitive(m, "ts");
			if (slack_posted_is(m, row) && cJSON_IsString(ts)) {
				found = xstrdup(ts->valuestring);
				break;
			}
		}
		next = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
		    cJSON_GetObjectItemCaseSensitive(ans, "response_metadata"),
		    "next_cursor"));
		free(cursor);
		cursor = next != NULL && *next != '\0' ? xstrdup(next) : NULL;
		cJSON_Delete(ans);
		ans = NULL;
		if (cursor == NULL)
			break;
	}
	free(cursor);
	explicit_bzero(auth, strlen(auth));
	free(auth);
	free(url);
	cJSON_Delete(post);
	return found;
}

/*
 * A chat.postMessage row: tagged with its row (the body in *body, or the
 * row's, replaced by the tagged one), and when it may have arrived before
 * (see outbox_item.maybe_sent), looked for first. Returns 1 when found:
 * r says sent, with that ts, and nothing is posted again.
 */
int
slack_posted_before(const char *api_url, const char *token,
    const struct outbox_item *it, char **body, struct outbox_result *r)
{
	char	*tagged, *ts, *cause = NULL;

	tagged = slack_posted_tag(*body != NULL ? *body : it->body, it->id);
	free(*body);
	*body = tagged;
	if (!it->maybe_sent)
		return 0;
	if ((ts = slack_posted_find(api_url, token, tagged, it->id,
	    it->created_ms, &cause)) == NULL) {
		if (cause != NULL) {
			log_warn("slack", "message %lld: %s; posting it again",
			    (long long)it->id, cause);
			free(cause);
		}
		return 0;
	}
	log_info("slack", "message %lld was posted before (ts %s); not posted "
	    "again", (long long)it->id, ts);
	r->verdict = OUTBOX_SENT;
	r->platform_id = ts;
	free(*body);
	*body = NULL;
	return 1;
}

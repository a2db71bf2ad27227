/* Slack answers replaced in place (see slack_live.h). */

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chat.h"
#include "log.h"
#include "outbox.h"
#include "slack_live.h"

int64_t
slack_live_enqueue(struct outbox *ob, const struct chat_origin *o,
    int64_t ref, const struct message *m)
{
	cJSON		*body = cJSON_CreateObject();
	char		*json, *cause = NULL, target[32];
	const char	*url = NULL, *kind = "post", *tgt = NULL;
	int64_t		 row;

	message_render_slack(m, body);
	if (o->reply_to != NULL && strncmp(o->reply_to, "url:", 4) == 0) {
		/*
		 * A slash command: every use of its response URL (5 at most)
		 * replaces the message the previous one posted.
		 */
		url = o->reply_to + 4;
		kind = "response";
		tgt = url;
		cJSON_AddStringToObject(body, "response_type", "in_channel");
		if (ref > 0)
			cJSON_AddBoolToObject(body, "replace_original", 1);
	} else {
		cJSON_AddStringToObject(body, "channel", o->channel);
		cJSON_AddBoolToObject(body, "unfurl_links", 0);
		if (ref > 0) {
			/* chat.update of the row's message (its ts). */
			kind = "update";
			snprintf(target, sizeof target, "ref:%lld",
			    (long long)ref);
			tgt = target;
		} else if (o->reply_to != NULL &&
		    strncmp(o->reply_to, "ts:", 3) == 0)
			cJSON_AddStringToObject(body, "thread_ts",
			    o->reply_to + 3);
	}
	json = cJSON_PrintUnformatted(body);
	cJSON_Delete(body);
	row = outbox_enqueue(ob, "slack", url != NULL ? url : o->channel,
	    kind, tgt, json, &cause);
	free(json);
	if (row < 0) {
		log_error("slack", "cannot queue an answer: %s", cause);
		free(cause);
		return -1;
	}
	return ref > 0 ? ref : row > 0 ? row : -1;
}

/* Mattermost answers replaced in place (see mattermost_live.h). */

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chat.h"
#include "log.h"
#include "mattermost_live.h"
#include "outbox.h"
#include "xmalloc.h"

#define MM_LIVE_TEXT_MAX	15000	/* as mm_reply: posts hold 16383 */

int64_t
mattermost_live_enqueue(struct outbox *ob, const struct chat_origin *o,
    int64_t ref, const struct message *m)
{
	cJSON		*body;
	struct message	 cut = *m;
	char		*json, *cause = NULL, *code = NULL, target[32];
	int64_t		 row;

	if (o->reply_to != NULL && strncmp(o->reply_to, "url:", 4) == 0)
		return -1;
	if (m->code != NULL && strlen(m->code) > MM_LIVE_TEXT_MAX) {
		xasprintf(&code, "%.*s\n… (cut; too long for one post)",
		    MM_LIVE_TEXT_MAX, m->code);
		cut.code = code;
	}
	body = cJSON_CreateObject();
	if (ref == 0) {
		cJSON_AddStringToObject(body, "channel_id", o->channel);
		if (o->reply_to != NULL)
			cJSON_AddStringToObject(body, "root_id", o->reply_to);
	}
	/* No buttons: a partial answer has none to offer. */
	message_render_mattermost(&cut, body, 0, NULL);
	json = cJSON_PrintUnformatted(body);
	cJSON_Delete(body);
	free(code);
	snprintf(target, sizeof target, "ref:%lld", (long long)ref);
	row = outbox_enqueue(ob, "mattermost", o->channel, ref == 0 ? "post" :
	    "update", ref == 0 ? NULL : target, json, &cause);
	free(json);
	if (row < 0) {
		log_error("mattermost", "cannot queue an answer: %s", cause);
		free(cause);
		return -1;
	}
	return ref > 0 ? ref : row > 0 ? row : -1;
}

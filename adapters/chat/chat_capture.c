/*
 * A slash command answered in its acknowledgement (see chat_capture.h):
 * which answers the ack may carry, and what leaves it for the outbox when
 * a second one comes, queued ahead of it.
 */

#include <stdlib.h>
#include <string.h>

#include "chat_capture.h"
#include "chat_fallback.h"
#include "log.h"
#include "outbox.h"

int
chat_capture_wants(const struct chat_capture *cap,
    const struct chat_origin *o, const struct message *m)
{
	/*
	 * Only the first plain answer to the command's own URL: a click is
	 * answered on its own URL, and buttons need the message a response
	 * URL posts.
	 */
	return cap != NULL && cap->payload == NULL && !cap->spilled &&
	    !o->click && m->nbuttons == 0 && o->reply_to != NULL &&
	    strcmp(o->reply_to, cap->reply_to) == 0;
}

void
chat_capture_keep(struct chat_capture *cap, cJSON *body)
{
	cJSON_Delete(cap->payload);
	cap->payload = body;
}

cJSON *
chat_capture_spill(struct chat_capture *cap, const struct chat_origin *o)
{
	cJSON	*first;

	if (cap == NULL || o->reply_to == NULL ||
	    strcmp(o->reply_to, cap->reply_to) != 0)
		return NULL;
	/* From now on every answer goes through the outbox, in order. */
	cap->spilled = 1;
	first = cap->payload;
	cap->payload = NULL;
	return first;
}

void
chat_capture_flush(struct chat_capture *cap, const struct chat_origin *o,
    const struct chat_fallback_keys *keys, struct outbox *ob,
    const char *platform)
{
	cJSON	*first = chat_capture_spill(cap, o);
	char	*json, *cause = NULL;

	if (first == NULL)
		return;
	chat_fallback_add(first, keys, o->channel, o->user_id, NULL);
	json = cJSON_PrintUnformatted(first);
	if (outbox_enqueue(ob, platform, cap->reply_to + 4, "response",
	    cap->reply_to + 4, json, &cause) < 0) {
		log_error(platform, "cannot queue a reply: %s", cause);
		free(cause);
	}
	free(json);
	cJSON_Delete(first);
}

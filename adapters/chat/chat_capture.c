/*
 * A slash command answered in its acknowledgement (see chat_capture.h):
 * which answers the ack may carry, and what leaves it for the outbox when
 * a second one comes. No I/O here: the adapter queues.
 */

#include <stdlib.h>
#include <string.h>

#include "chat_capture.h"

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

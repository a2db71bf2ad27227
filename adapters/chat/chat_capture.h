/*
 * A slash command run before its acknowledgement (Slack's Socket Mode
 * ack, Mattermost's HTTP answer): its first plain answer is kept here for
 * the ack to carry instead of going through the outbox. The adapter
 * points its own capture at one of these around the run, on the loop
 * thread.
 */
#ifndef OPSBOT_CHAT_CAPTURE_H
#define OPSBOT_CHAT_CAPTURE_H

#include <cjson/cJSON.h>

#include "chat.h"

struct chat_capture {
	const char	*reply_to;	/* "url:…", the command's */
	cJSON		*payload;	/* the answer kept, or NULL */
	int		 spilled;	/* answers go to the outbox */
};

/*
 * May this answer ride the ack? Only the first plain one to the
 * command's own URL: a click is answered on its own URL, and buttons need
 * the message a response URL posts. cap may be NULL (nothing running).
 */
int	 chat_capture_wants(const struct chat_capture *,
	    const struct chat_origin *, const struct message *);
/* Keeps body (taken) for the ack. */
void	 chat_capture_keep(struct chat_capture *, cJSON *body);
/*
 * Another answer of the same command: nothing more is kept. Returns the
 * kept answer, to queue ahead of it (caller frees), or NULL.
 */
cJSON	*chat_capture_spill(struct chat_capture *,
	    const struct chat_origin *);

struct chat_fallback_keys;
struct outbox;

/*
 * A second answer (or a partial one) of the command running before its
 * ack: the kept one leaves the ack for platform's outbox queue of the
 * response URL, ahead of it, so the two keep their order.
 */
void	 chat_capture_flush(struct chat_capture *, const struct chat_origin *,
	    const struct chat_fallback_keys *, struct outbox *,
	    const char *platform);

#endif

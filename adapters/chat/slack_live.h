/*
 * Slack answers that are replaced in place while a fan-out finishes
 * (chat_ops.reply_live): through the slash command's response URL with
 * replace_original, or as a channel message rewritten by chat.update.
 */
#ifndef OPSBOT_SLACK_LIVE_H
#define OPSBOT_SLACK_LIVE_H

#include <stdint.h>

struct chat_origin;
struct message;
struct outbox;

/*
 * Queues m for origin on ob: ref 0 a new answer, else a replacement of
 * the answer that returned ref. Returns the handle (> 0) or -1.
 */
int64_t	 slack_live_enqueue(struct outbox *ob, const struct chat_origin *,
	    int64_t ref, const struct message *);

#endif

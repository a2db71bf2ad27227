/*
 * Mattermost answers replaced in place while a fan-out finishes
 * (chat_ops.reply_live): a post in the asker's channel and thread, then
 * PUT /api/v4/posts/{id}/patch of that post. A slash command's response
 * URL cannot replace what it posted, so those answer once, at the end.
 */
#ifndef OPSBOT_MATTERMOST_LIVE_H
#define OPSBOT_MATTERMOST_LIVE_H

#include <stdint.h>

struct chat_origin;
struct message;
struct outbox;

/*
 * Queues m for origin on ob: ref 0 a new post, else a patch of the post
 * that returned ref. Returns the handle (> 0), or -1 (a slash command,
 * or the outbox refused).
 */
int64_t	 mattermost_live_enqueue(struct outbox *ob,
	    const struct chat_origin *, int64_t ref, const struct message *);

#endif

/*
 * A slash command's (or a click's) answer whose response URL is used up
 * or expired (404) is not dropped: it goes to the asker in the channel,
 * as a private reply (chat.postEphemeral), or as a post when the asker is
 * not known. The answer's body carries where that is (chat_fallback.h).
 */
#ifndef OPSBOT_SLACK_FALLBACK_H
#define OPSBOT_SLACK_FALLBACK_H

#include "chat_fallback.h"

struct outbox_result;

/* Slack's names in the fallback (chat_fallback.h). */
extern const struct chat_fallback_keys slack_fallback_keys;

/*
 * Posts body in its channel instead (blocking, on a worker) and fills r:
 * SENT, or REJECTED with why (the 404 is in why). Without the key: r is
 * REJECTED with why alone.
 */
void	 slack_fallback_post(const char *api_url, const char *token,
	    const char *body, const char *why, struct outbox_result *r);

/*
 * The store could not take an answer (cause: its reason, disk full): the
 * answer m, titled with that reason, goes out once, directly, to where
 * the reply of o would have gone (kind and target as slack_reply chose).
 */
struct outbox;
struct chat_origin;
struct message;
void	 slack_fallback_direct(struct outbox *, const struct chat_origin *o,
	    const struct message *m, const char *cause, const char *kind,
	    const char *target);

#endif

/*
 * An answer to a slash command (or a click) whose response URL is gone
 * (used up, expired: 404) is posted in the channel instead. Where that
 * is travels in the queued body, under a key of our own that is taken out
 * before the body goes to the URL. Slack (slack_fallback.c) and
 * Mattermost (mattermost_private.c) differ only in the names of the
 * fields and in how they post; the keeping and taking are here, once.
 */
#ifndef OPSBOT_CHAT_FALLBACK_H
#define OPSBOT_CHAT_FALLBACK_H

struct cJSON;

#define CHAT_FALLBACK_KEY	"opsbot_fallback"

/* A platform's names for the fields of the fallback object. */
struct chat_fallback_keys {
	const char	*channel;	/* "channel", "channel_id" */
	const char	*user;		/* "user", "user_id" */
	const char	*thread;	/* "thread_ts"; NULL: none kept */
};

/*
 * Adds where body goes without its response URL; nothing when channel is
 * NULL. user and thread may be NULL.
 */
void	 chat_fallback_add(struct cJSON *body,
	    const struct chat_fallback_keys *, const char *channel,
	    const char *user, const char *thread);
/* body without the fallback, as the response URL must see it; caller frees. */
char	*chat_fallback_strip(const char *body);
/*
 * body parsed, with its fallback detached into *where: both the caller's
 * to cJSON_Delete. NULL (and *where NULL) when body is not a JSON object
 * or its fallback names no channel: nowhere to go.
 */
struct cJSON *chat_fallback_take(const char *body,
	    const struct chat_fallback_keys *, struct cJSON **where);

#endif

/*
 * Slack posts made idempotent across a crash: each chat.postMessage
 * carries its outbox row in the message's metadata (event_type
 * "opsbot_outbox", event_payload {"row": N}); before a row that may
 * already have arrived is posted again, the channel (or the thread) is
 * searched for it with conversations.history / conversations.replies and
 * include_all_metadata. Blocking; worker threads only.
 */
#ifndef OPSBOT_SLACK_POSTED_H
#define OPSBOT_SLACK_POSTED_H

#include <stdint.h>

#define SLACK_POSTED_EVENT	"opsbot_outbox"

/* body (chat.postMessage JSON) with the row's metadata; caller frees. */
char	*slack_posted_tag(const char *body, int64_t row);

/*
 * The ts of the message row already posted in body's channel (or thread),
 * looked up no further back than created_ms minus a margin; caller frees.
 * NULL if it is not there, or if the lookup failed (then *cause is set,
 * when cause is not NULL; the caller posts, at least once beats never).
 */
char	*slack_posted_find(const char *api_url, const char *token,
	    const char *body, int64_t row, int64_t created_ms, char **cause);

/*
 * For a chat.postMessage outbox row: *body (or the row's body when NULL)
 * is replaced by the tagged one; when the row may have arrived before
 * (outbox_item.maybe_sent) it is looked for first. Returns 1 when found:
 * r says sent with that ts, and nothing must be posted again.
 */
struct outbox_item;
struct outbox_result;
int	 slack_posted_before(const char *api_url, const char *token,
	    const struct outbox_item *it, char **body, struct outbox_result *r);

#endif

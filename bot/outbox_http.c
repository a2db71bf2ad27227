/*
 * The verdict every chat sender gives an HTTP failure the same way, so
 * the Slack and Mattermost senders (on a worker or the loop thread)
 * cannot drift apart on what is retried, paced or given up.
 */

#include "http.h"
#include "outbox.h"
#include "xmalloc.h"

int
outbox_http_failure(const struct http_response *resp,
    struct outbox_result *r, int retry_after_default_s)
{
	if (resp->status == 429) {
		r->verdict = OUTBOX_RATE_LIMITED;
		r->retry_after_ms = (int64_t)(resp->retry_after_s >= 0 ?
		    resp->retry_after_s : retry_after_default_s) * 1000;
	} else if (resp->status == 0 && resp->bad_url) {
		/* A malformed URL never works: no retries. */
		r->verdict = OUTBOX_REJECTED;
		xasprintf(&r->error, "unusable URL (%s)", resp->error);
	} else if (resp->status == 0 || resp->status >= 500) {
		r->verdict = OUTBOX_RETRY;
		/* No server at all: an outage, not counted as an attempt. */
		r->unsent = resp->unsent;
		xasprintf(&r->error, "%s", resp->status == 0 ? resp->error :
		    "HTTP 5xx");
	} else
		return 0;
	return 1;
}

/*
 * A Mattermost slash command's answer on its response URL, sent from the
 * loop thread (outbox_start_fn, see bot/outbox_start.c): one POST, no
 * auth, no worker hop. Whatever needs the REST API (a used-up URL's
 * fallback to the channel) goes on to mm_send on a worker, which is
 * handed the status this try got and does not POST the URL again.
 */

#include <cjson/cJSON.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "chat_fallback.h"
#include "http_loop.h"
#include "mattermost_int.h"
#include "outbox.h"
#include "xmalloc.h"

struct mm_start_job {
	struct outbox_result	*r;
	void			(*done)(void *, int);
	void			*done_arg;
};

/* As mm_send reads a response URL's answer; the rest to the worker. */
static void
mm_start_done(void *arg, const struct http_response *resp, int cancelled)
{
	struct mm_start_job	*j = arg;
	struct outbox_result	*r = j->r;

	if (cancelled)
		;
	else if (resp->status == 200 || resp->status == 201) {
		cJSON		*json = cJSON_Parse(resp->body.data);
		const cJSON	*id = cJSON_GetObjectItemCaseSensitive(json,
		    "id");

		r->verdict = OUTBOX_SENT;
		if (cJSON_IsString(id))
			r->platform_id = xstrdup(id->valuestring);
		cJSON_Delete(json);
	} else if (outbox_http_failure(resp, r, 1))
		;
	else
		/* Gone (4xx): the channel instead, through the REST API. */
		r->blocking = (int)resp->status;
	j->done(j->done_arg, cancelled);
	free(j);
}

int
mm_send_start(void *arg, struct http_loop *http,
    const struct outbox_item *it, struct outbox_result *r,
    void (*done)(void *, int), void *done_arg)
{
	struct mattermost	*mm = arg;
	struct mm_start_job	*j;
	char			*body;
	int			 rc;

	/* Down since start: mm_send says so without sending. */
	if (strcmp(it->kind, "response") != 0 || it->target == NULL ||
	    atomic_load(&mm->unidentified))
		return 0;
	j = xcalloc(1, sizeof *j);
	j->r = r;
	j->done = done;
	j->done_arg = done_arg;
	body = chat_fallback_strip(it->body);
	rc = http_loop_post(http, it->target, "application/json", body,
	    MM_HTTP_TIMEOUT_MS, mm_start_done, j);
	free(body);
	if (rc != 0) {
		free(j);
		return 0;
	}
	return 1;
}

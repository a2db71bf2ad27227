/*
 * Sends on the loop thread (outbox_start_fn, see outbox.h): a message its
 * sender can deliver with one request (a response URL) goes out through
 * http_loop, libcurl's multi interface on the lws loop, instead of a
 * worker thread and a completion posted back. That hand-off (two thread
 * wake-ups and a libcurl handle per worker) was the largest cost of a
 * trivial command's answer after the store.
 *
 * "Sent" keeps its meaning: the result applies through ob_complete as a
 * worker's does, so the mark is written before anything else is tried.
 * libcurl resends a request once when a kept connection turns out closed
 * before any byte of the answer (the server dropped it idle): a response
 * URL may then get the answer twice, as docs/config.md already says of
 * response URLs (at least once). Messages that promise exactly once
 * (Slack's chat.postMessage with its lookup, Mattermost's
 * pending_post_id) stay with the blocking senders.
 */

#include <stdlib.h>
#include <string.h>

#include "http_loop.h"
#include "outbox.h"
#include "outbox_int.h"
#include "xmalloc.h"

void
outbox_register_start(struct outbox *ob, const char *platform,
    outbox_start_fn start)
{
	struct ob_sender	*s = ob_sender_for(ob, platform);

	if (s != NULL)
		s->start = start;
}

static void
ob_job_drop(struct ob_job *job)
{
	free(job->result.platform_id);
	free(job->result.error);
	free(job->ref_id);
	free(job);
}

/* The loop-thread send ended: applied as a worker's result is. */
static void
ob_start_done(void *arg, int cancelled)
{
	struct ob_job	*job = arg;

	/* The outbox is going: the row stays pending for the next start. */
	if (cancelled) {
		ob_job_drop(job);
		return;
	}
	if (job->result.blocking) {
		job->loop_status = job->result.blocking;
		free(job->result.platform_id);
		free(job->result.error);
		memset(&job->result, 0, sizeof job->result);
		if (job->ob->workers == NULL) {
			ob_job_work(job);
		} else if (workers_submit(job->ob->workers, ob_job_work,
		    ob_job_done, job) == 0)
			return;
		else {
			job->result.verdict = OUTBOX_RETRY;
			job->result.error = xstrdup("cancelled at shutdown");
		}
	}
	ob_complete(job);
}

int
ob_job_start(struct ob_job *job)
{
	struct outbox		*ob = job->ob;
	struct ob_item		*it = job->item;
	struct outbox_item	 view = { it->id, it->platform, it->channel,
	    it->kind, it->target, it->body, it->attempts, it->maybe_sent,
	    it->created_ms, 0 };

	if (job->sender->start == NULL || ob->loop == NULL)
		return 0;
	/* A reference to another row is resolved for the worker's send. */
	if (it->target != NULL && strncmp(it->target, "ref:", 4) == 0)
		return 0;
	if (ob->http == NULL && (ob->http = http_loop_create(ob->loop)) ==
	    NULL)
		return 0;
	return job->sender->start(job->sender->arg, ob->http, &view,
	    &job->result, ob_start_done, job);
}

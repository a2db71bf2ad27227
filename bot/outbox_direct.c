/*
 * Direct sends (outbox_send_direct): an answer the store could not take
 * (a full disk) goes to its platform's sender once, on a worker, with
 * nothing stored and nothing retried; only the result is logged.
 */

#include <stdlib.h>

#include "log.h"
#include "metrics.h"
#include "outbox.h"
#include "outbox_int.h"
#include "workers.h"
#include "xmalloc.h"

/* A direct send (outbox_send_direct): owns its copies; freed when done. */
struct ob_direct {
	outbox_send_fn		 send;
	void			*send_arg;
	struct outbox_item	 item;
	char			*platform, *channel, *kind, *target, *body;
	struct outbox_result	 result;
};

static void
ob_direct_work(void *arg)
{
	struct ob_direct	*d = arg;

	d->send(d->send_arg, &d->item, &d->result);
}

static void
ob_direct_done(void *arg, enum workers_status st)
{
	struct ob_direct	*d = arg;

	if (st == WORKERS_CANCELLED)
		log_warn("outbox", "%s: a direct answer was cancelled at "
		    "shutdown", d->platform);
	else if (d->result.verdict != OUTBOX_SENT) {
		/* No row to retry from: this answer is lost for good. */
		log_error("outbox", "%s: a direct answer was not delivered: %s",
		    d->platform, d->result.error != NULL ? d->result.error :
		    "?");
		metrics_add("opsbot_outbox_failed_total", 1, "platform",
		    d->platform, NULL);
	}
	free(d->result.platform_id);
	free(d->result.error);
	free(d->platform);
	free(d->channel);
	free(d->kind);
	free(d->target);
	free(d->body);
	free(d);
}

int
outbox_send_direct(struct outbox *ob, const char *platform,
    const char *channel, const char *kind, const char *target,
    const char *body)
{
	struct workers		*w = outbox_workers(ob);
	struct ob_direct	*d;
	outbox_send_fn		 send;
	void			*send_arg;

	if (outbox_sender(ob, platform, &send, &send_arg) != 0)
		return -1;
	d = xcalloc(1, sizeof *d);
	d->send = send;
	d->send_arg = send_arg;
	d->platform = xstrdup(platform);
	d->channel = xstrdup(channel);
	d->kind = xstrdup(kind);
	d->target = target != NULL ? xstrdup(target) : NULL;
	d->body = xstrdup(body);
	d->item.id = 0;
	d->item.platform = d->platform;
	d->item.channel = d->channel;
	d->item.kind = d->kind;
	d->item.target = d->target;
	d->item.body = d->body;
	if (w == NULL) {
		ob_direct_work(d);
		ob_direct_done(d, WORKERS_DONE);
		return 0;
	}
	if (workers_submit(w, ob_direct_work, ob_direct_done,
	    d) != 0) {
		ob_direct_done(d, WORKERS_CANCELLED);
		return -1;
	}
	return 0;
}

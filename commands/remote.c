/*
 * Shared plumbing of the host-touching commands (see remote.h). The
 * probes run on a worker thread; the report and cmd_finish run on the
 * loop thread, unless the bot already answered because it is stopping.
 */

#include <libwebsockets.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "inventory.h"
#include "loop.h"
#include "remote.h"
#include "workers.h"
#include "xmalloc.h"

/*
 * The first partial answer goes out once answers have stopped coming for
 * a fifth of the time they took (so the hosts that answer together are
 * shown together, within about 1.2x the slowest of them), and at the
 * latest a second in. Then at most one edit a second.
 */
#define REMOTE_LIVE_FIRST_MS	1000
#define REMOTE_LIVE_QUIET_MS	30	/* at least this quiet */
#define REMOTE_LIVE_EVERY_MS	1000
#define REMOTE_LIVE_TICK_US	(25 * LWS_US_PER_MS)

/*
 * Partial answers. The worker thread marks probes done under the lock;
 * the loop thread's timer copies the marks (shown) and, when there is
 * something new to show, has report write a partial answer.
 */
struct remote_live {
	struct remote_run	*run;
	pthread_mutex_t		 lock;
	unsigned char		*done;		/* under lock */
	size_t			 ndone;		/* under lock */
	int64_t			 last_ms;	/* under lock: last one done */
	unsigned char		*shown;		/* loop thread */
	size_t			 nshown;	/* in the last partial answer */
	int64_t			 start_ms;	/* remote_mono_ms */
	int64_t			 sent_ms;	/* last partial answer, or 0 */
	lws_sorted_usec_list_t	 sul;
	int			 armed;
};

struct remote_run *
remote_run_new(struct cmd_ctx *ctx, const struct cfg_host *const *hosts,
    size_t n)
{
	struct remote_run	*r = xcalloc(1, sizeof *r);
	size_t			 i;

	r->ctx = ctx;
	r->n = n;
	r->probes = xcalloc(n + 1, sizeof *r->probes);
	for (i = 0; i < n; i++)
		probe_init(&r->probes[i], hosts[i]);
	r->env.remote = &ctx->bot->cfg->remote;
	r->env.control_dir = ctx->bot->ssh_dir;
	return r;
}

/* Monotonic ms, the same on the worker and the loop thread. */
static int64_t
remote_mono_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
remote_probe_done(const struct remote_run *r, size_t i)
{
	return !r->partial || r->live == NULL || r->live->shown[i];
}

int64_t
remote_run_elapsed(const struct remote_run *r)
{
	if (!r->partial || r->live == NULL)
		return r->elapsed_ms;
	return remote_mono_ms() - r->live->start_ms;
}

/* Worker thread: probe i is complete. */
static void
remote_probe_finished(void *arg, size_t i)
{
	struct remote_live	*lv = arg;

	pthread_mutex_lock(&lv->lock);
	if (!lv->done[i]) {
		lv->done[i] = 1;
		lv->ndone++;
		lv->last_ms = remote_mono_ms();
	}
	pthread_mutex_unlock(&lv->lock);
}

/* Loop thread: shows what is known when there is something new. */
static void
remote_live_tick(lws_sorted_usec_list_t *sul)
{
	struct remote_live	*lv = lws_container_of(sul, struct remote_live,
				    sul);
	struct remote_run	*r = lv->run;
	struct cmd_ctx		*ctx = r->ctx;
	const char		*outcome;
	char			*detail;
	int64_t			 now = remote_mono_ms(), last, took;
	size_t			 nd;
	int			 due;

	lv->armed = 0;
	if (!cmd_can_progress(ctx))
		return;
	pthread_mutex_lock(&lv->lock);
	nd = lv->ndone;
	last = lv->last_ms;
	pthread_mutex_unlock(&lv->lock);
	took = last - lv->start_ms;
	if (lv->sent_ms == 0)
		due = now - lv->start_ms >= REMOTE_LIVE_FIRST_MS ||
		    now - last >= took / 5 + REMOTE_LIVE_QUIET_MS;
	else
		due = now - lv->sent_ms >= REMOTE_LIVE_EVERY_MS;
	if (nd > 0 && nd < r->n && nd != lv->nshown && due) {
		pthread_mutex_lock(&lv->lock);
		memcpy(lv->shown, lv->done, r->n);
		nd = lv->ndone;
		pthread_mutex_unlock(&lv->lock);
		/* A partial answer says nothing about the command's outcome. */
		outcome = ctx->outcome;
		detail = ctx->detail;
		ctx->detail = NULL;
		r->partial = 1;
		r->report(r);
		r->partial = 0;
		ctx->outcome = outcome;
		free(ctx->detail);
		ctx->detail = detail;
		cmd_progress(ctx);
		lv->nshown = nd;
		lv->sent_ms = now > 0 ? now : 1;
	}
	if (cmd_can_progress(ctx)) {
		lws_sul_schedule(loop_lws(ctx->bot->loop), 0, &lv->sul,
		    remote_live_tick, REMOTE_LIVE_TICK_US);
		lv->armed = 1;
	}
}

static void
remote_live_free(struct remote_live *lv)
{
	if (lv == NULL)
		return;
	if (lv->armed)
		lws_sul_cancel(&lv->sul);
	pthread_mutex_destroy(&lv->lock);
	free(lv->done);
	free(lv->shown);
	free(lv);
}

static void
remote_run_free(struct remote_run *r)
{
	size_t	 i;

	if (r->next != NULL)
		remote_run_free(r->next);
	for (i = 0; i < r->n; i++)
		probe_release(&r->probes[i]);
	free(r->probes);
	remote_live_free(r->live);
	if (r->arg_free != NULL)
		r->arg_free(r->arg);
	free(r);
}

static void
remote_run_work(void *arg)
{
	struct remote_run	*r = arg;
	struct timespec		 a, b;

	clock_gettime(CLOCK_MONOTONIC, &a);
	probes_run_watch(r->probes, r->n, &r->env, r->live != NULL ?
	    remote_probe_finished : NULL, r->live);
	clock_gettime(CLOCK_MONOTONIC, &b);
	r->elapsed_ms = (int64_t)(b.tv_sec - a.tv_sec) * 1000 +
	    (b.tv_nsec - a.tv_nsec) / 1000000;
}

static void
remote_run_done(void *arg, enum workers_status st)
{
	struct remote_run	*r = arg, *next;

	if (!r->ctx->cancelled) {
		if (st == WORKERS_DONE)
			r->report(r);
		else
			cmd_error(r->ctx, "cancelled before it started: "
			    "opsbot is shutting down");
	}
	if (r->next != NULL) {
		next = r->next;
		r->next = NULL;
		if (!r->ctx->cancelled && st == WORKERS_DONE) {
			/* The command goes on; the pool answers if it refuses. */
			remote_run_free(r);
			if (remote_run_submit(next, next->report) != CMD_PENDING)
				cmd_finish(next->ctx);
			return;
		}
		remote_run_free(next);
	}
	cmd_finish(r->ctx);
	remote_run_free(r);
}

void
remote_run_chain(struct remote_run *done, struct remote_run *next,
    remote_report_cb report)
{
	next->report = report;
	if (done->next != NULL)
		remote_run_free(done->next);
	done->next = next;
}

enum cmd_result
remote_run_submit(struct remote_run *r, remote_report_cb report)
{
	struct cmd_ctx	*ctx = r->ctx;

	r->report = report;
	/* Partial answers: for several hosts, where the platform can. */
	if (r->progressive && r->n > 1 && ctx->bot->loop != NULL &&
	    cmd_can_progress(ctx)) {
		r->live = xcalloc(1, sizeof *r->live);
		r->live->run = r;
		pthread_mutex_init(&r->live->lock, NULL);
		r->live->done = xcalloc(r->n, 1);
		r->live->shown = xcalloc(r->n, 1);
		r->live->start_ms = remote_mono_ms();
		lws_sul_schedule(loop_lws(ctx->bot->loop), 0, &r->live->sul,
		    remote_live_tick, REMOTE_LIVE_TICK_US);
		r->live->armed = 1;
	}
	if (workers_submit(ctx->bot->workers, remote_run_work,
	    remote_run_done, r) != 0) {
		remote_run_free(r);
		cmd_error(ctx, "opsbot is shutting down; try again in a "
		    "minute");
		return CMD_ERROR;
	}
	return CMD_PENDING;
}

enum cmd_result
remote_run_target(struct cmd_ctx *ctx, const char *target,
    void (*script)(struct probe *, const struct cfg_remote *),
    remote_report_cb report)
{
	const struct cfg_host	**hosts;
	struct remote_run	 *run;
	size_t			  n, i;
	char			 *cause;

	if (inventory_resolve(ctx->bot->cfg, target, &hosts, &n, &cause) !=
	    0) {
		cmd_refuse(ctx, "%s", cause);
		free(cause);
		return CMD_ERROR;
	}
	run = remote_run_new(ctx, hosts, n);
	free(hosts);
	for (i = 0; i < n; i++)
		script(&run->probes[i], &ctx->bot->cfg->remote);
	run->progressive = 1;
	return remote_run_submit(run, report);
}

const struct cfg_host *
remote_host_arg(struct cmd_ctx *ctx, int pos)
{
	const struct cfg_host	*h;
	char			*cause;

	if ((h = inventory_host(ctx->bot->cfg, args_pos(&ctx->args, pos),
	    &cause)) == NULL) {
		cmd_refuse(ctx, "%s", cause);
		free(cause);
	}
	return h;
}

enum cmd_result
remote_refuse_unknown(struct cmd_ctx *ctx, const char *what,
    const char *name, const struct cfg_host *h, char *const *first_name,
    size_t n, size_t stride, const char *none)
{
	struct buf	 known;
	size_t		 i;

	buf_init(&known);
	for (i = 0; i < n; i++)
		buf_addf(&known, "%s%s", i == 0 ? "" : ", ",
		    *(char *const *)((const char *)first_name + i * stride));
	cmd_refuse(ctx, "unknown %s %s on %s; known: %s", what, name, h->name,
	    n == 0 ? none : known.data);
	buf_release(&known);
	return CMD_ERROR;
}

void
remote_fmt_kib(int64_t kib, char *out, size_t len)
{
	if (kib < 0)
		snprintf(out, len, "?");
	else if (kib < 1024)
		snprintf(out, len, "%lld KiB", (long long)kib);
	else if (kib < 1024 * 1024)
		snprintf(out, len, "%.1f MiB", (double)kib / 1024);
	else if (kib < 1024LL * 1024 * 1024)
		snprintf(out, len, "%.1f GiB", (double)kib / (1024 * 1024));
	else
		snprintf(out, len, "%.1f TiB", (double)kib /
		    (1024.0 * 1024 * 1024));
}

const char *
remote_state_name(enum remote_state s)
{
	static const char *const names[] = { "OK", "WARN", "CRIT",
	    "UNREACHABLE" };

	return names[s];
}

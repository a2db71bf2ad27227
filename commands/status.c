/*
 * /status: is the bot itself healthy? Uptime, version, each chat adapter's
 * state, the worker queue, the store, the listener, open alerts, the
 * schedules' next runs, the last reload and the bot's own memory.
 */

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "alerts.h"
#include "bot.h"
#include "clock.h"
#include "config.h"
#include "httpd.h"
#include "loop.h"
#include "outbox.h"
#include "scheduler.h"
#include "reload.h"
#include "store.h"
#include "workers.h"

static enum cmd_result cmd_status_exec(struct cmd_ctx *);

const struct cmd_entry cmd_status_entry = {
	.name = "status",
	.alias = NULL,
	.synopsis = "",
	.help = "Shows the bot's own health: uptime, version, chat adapters, worker queue, store, listener, open alerts, schedules and memory.",
	.args = { .options = NULL, .min = 0, .max = 0 },
	.min_role = ROLE_VIEWER,
	.flags = CMD_READS_ONLY,
	.exec = cmd_status_exec,
};

/* Resident memory in KiB from /proc, or -1. */
static long
cmd_status_rss_kib(void)
{
	FILE	*f = fopen("/proc/self/status", "r");
	char	 line[256];
	long	 kib = -1;

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof line, f) != NULL) {
		if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
			break;
	}
	fclose(f);
	return kib;
}

static void
cmd_status_size(int64_t bytes, char *out, size_t len)
{
	if (bytes < 1024)
		snprintf(out, len, "%lld B", (long long)bytes);
	else if (bytes < 1024 * 1024)
		snprintf(out, len, "%.1f KiB", (double)bytes / 1024);
	else
		snprintf(out, len, "%.1f MiB", (double)bytes / (1024 * 1024));
}

/* Open alerts by state: "2 firing, 1 acked, 0 silenced". */
static void
cmd_status_alerts(struct cmd_ctx *ctx)
{
	const struct alert	*a;
	size_t			 n[ALERT_RESOLVED] = { 0 };

	if (ctx->bot->alerts == NULL) {
		cmd_reply(ctx, "alerts: off\n");
		return;
	}
	for (a = alerts_first(ctx->bot->alerts); a != NULL; a = a->next)
		if (a->state < ALERT_RESOLVED)
			n[a->state]++;
	cmd_reply(ctx, "alerts: %zu firing, %zu acked, %zu silenced\n",
	    n[ALERT_FIRING], n[ALERT_ACKED], n[ALERT_SILENCED]);
}

/* Each enabled schedule and when it runs next (in UTC, like "since"). */
static void
cmd_status_schedules(struct cmd_ctx *ctx)
{
	const struct sched		*s = ctx->bot->sched;
	const struct cfg_schedule	*sc;
	int64_t				 next;
	size_t				 i, n = sched_count(s);
	char				 when[32];
	time_t				 t;
	struct tm			 tm;

	if (n == 0) {
		cmd_reply(ctx, "schedules: none\n");
		return;
	}
	cmd_reply(ctx, "schedules:");
	for (i = 0; i < n; i++) {
		if ((sc = sched_entry(s, i, &next)) == NULL)
			continue;
		if (next < 0)
			snprintf(when, sizeof when, "never again");
		else {
			t = (time_t)(next / 1000);
			gmtime_r(&t, &tm);
			strftime(when, sizeof when, "%Y-%m-%d %H:%M UTC", &tm);
		}
		cmd_reply(ctx, "%s%s %s next %s", i == 0 ? " " : ", ",
		    sc->name, sc->run, when);
	}
	cmd_reply(ctx, "\n");
}

static enum cmd_result
cmd_status_exec(struct cmd_ctx *ctx)
{
	struct bot	*b = ctx->bot;
	char		 up[32], since[32], size[32];
	time_t		 t = (time_t)(b->started_ms / 1000);
	struct tm	 tm;
	struct buf	 state;
	size_t		 i;
	long		 rss = cmd_status_rss_kib();

	duration_format((clock_mono_ms() - b->started_mono) / 1000, up,
	    sizeof up);
	gmtime_r(&t, &tm);
	strftime(since, sizeof since, "%Y-%m-%d %H:%M:%S UTC", &tm);
	cmd_reply(ctx, "%s %s — up %s (since %s)\n", b->cfg->bot.name,
	    OPSBOT_VERSION, up, since);

	cmd_reply(ctx, "chat:");
	for (i = 0; i < b->nchats; i++) {
		buf_init(&state);
		b->chats[i]->ops->describe(b->chats[i], &state);
		cmd_reply(ctx, "%s%s (%s)", i == 0 ? " " : ", ",
		    b->chats[i]->ops->name, state.data);
		buf_release(&state);
	}
	cmd_reply(ctx, "\nworkers: %d threads, %zu queued, %zu running; "
	    "commands in flight: %zu; answered since start: %llu\n",
	    workers_threads(b->workers), workers_queued(b->workers),
	    workers_running(b->workers), b->ninflight,
	    (unsigned long long)b->handled);
	cmd_status_size(store_size_bytes(b->store), size, sizeof size);
	cmd_reply(ctx, "store: %s (%s, schema v%d, %lld audit rows)\n",
	    store_path(b->store), size, store_schema_version(b->store),
	    (long long)store_audit_count(b->store));
	cmd_reply(ctx, "outbox: %zu message(s) waiting in %zu channel(s), "
	    "%llu failed for good since start\n", outbox_pending(b->outbox),
	    outbox_channels(b->outbox),
	    (unsigned long long)outbox_failed(b->outbox));
	if (b->httpd != NULL)
		cmd_reply(ctx, "listener: http://%s%s%s:%d (/healthz, "
		    "/readyz, /metrics, webhooks%s)\n",
		    strchr(b->cfg->alerts.listen_address, ':') != NULL ? "[" :
		    "", b->cfg->alerts.listen_address,
		    strchr(b->cfg->alerts.listen_address, ':') != NULL ? "]" :
		    "", httpd_port(b->httpd), b->cfg->web.enabled ?
		    ", the web page at /" : "");
	cmd_status_alerts(ctx);
	cmd_status_schedules(ctx);
	cmd_reply(ctx, "config: %s; %zu host(s), %zu user rule(s)\n",
	    b->cfg->source, b->cfg->nhosts, b->cfg->nusers);
	buf_init(&state);
	reload_describe(b, &state);
	cmd_reply(ctx, "%s", state.data);
	buf_release(&state);
	if (rss >= 0) {
		cmd_status_size((int64_t)rss * 1024, size, sizeof size);
		cmd_reply(ctx, "memory: %s resident", size);
	}
	return CMD_DONE;
}

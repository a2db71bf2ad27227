/*
 * /health TARGET: the real state of one host, a group or all of them, in
 * one round trip per host: reachability and round-trip time, uptime and
 * load, memory, each configured mount against its thresholds, each
 * configured service, and ERROR lines in each named log over the last
 * remote.log_window. One status per host, worst first, with details for
 * what is not OK.
 */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fleet_cmd.h"
#include "inventory.h"
#include "logcount.h"
#include "parse.h"
#include "probes.h"
#include "redact.h"
#include "health.h"
#include "host_record.h"
#include "metrics.h"
#include "remote.h"
#include "runbook_link.h"
#include "xmalloc.h"

static enum cmd_result cmd_health_exec(struct cmd_ctx *);

static const struct arg_option cmd_health_options[] = {
	FLEET_VIA_OPTION,
	{ NULL, 0, NULL }
};

const struct cmd_entry cmd_health_entry = {
	.name = "health",
	.alias = NULL,
	.synopsis = "TARGET [--via metrics|ssh]",
	.help = "Checks a host, a group or all: reachable, uptime and load, memory, disks, services and recent ERROR lines in its logs. TARGET is a host, a tag, or all.",
	.args = { .options = cmd_health_options, .min = 1, .max = 1 },
	.min_role = ROLE_VIEWER,
	.flags = CMD_TOUCHES_HOSTS,
	.exec = cmd_health_exec,
};

/* The script: every check in one round trip, from the probe kinds. */
void
health_script(struct probe *p, const struct cfg_remote *r)
{
	const struct cfg_host	*h = p->host;
	size_t			 i;

	if (h->nlogs > 0)
		probe_now_script(p);
	probe_system_script(p);
	if (h->nmounts > 0)
		probe_disks_script(p, "df", NULL, 0);
	for (i = 0; i < h->nservices; i++)
		probe_service_script(p, NULL, &h->services[i]);
	for (i = 0; i < h->nlogs; i++)
		probe_logcount_script(p, &h->logs[i], r->error_pattern);
}

struct health_host {
	const struct probe	*probe;
	size_t			 order;		/* config order, for ties */
	enum remote_state	 state;
	struct buf		 summary;	/* the host's line */
	struct buf		 details;	/* what is not OK */
	struct health_findings	*findings;	/* or NULL */
	int			 log_errors;	/* lines that make a finding */
	struct cmd_ctx		*ctx;		/* /health: runbook buttons */
};

static void
health_raise(struct health_host *hh, const char *key, enum remote_state s,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/*
 * One finding: a line of the details, and for the bot's own checks a
 * stable key ("disk:/var") that says which alert it is.
 */
static void
health_raise(struct health_host *hh, const char *key, enum remote_state s,
    const char *fmt, ...)
{
	struct health_finding	*f;
	va_list			 ap;
	size_t			 start;

	if (s > hh->state)
		hh->state = s;
	buf_adds(&hh->details, "  - ");
	start = hh->details.len;
	va_start(ap, fmt);
	buf_vaddf(&hh->details, fmt, ap);
	va_end(ap);
	if (hh->findings != NULL && s != REMOTE_OK) {
		hh->findings->v = xreallocarray(hh->findings->v,
		    hh->findings->n + 1, sizeof *hh->findings->v);
		f = &hh->findings->v[hh->findings->n++];
		f->key = xstrdup(key);
		f->state = s;
		f->text = xstrdup(hh->details.data + start);
	}
	buf_addc(&hh->details, '\n');
}

static void
health_disks(struct health_host *hh, const struct cfg_host *h)
{
	struct parse_df			 df;
	const struct parse_df_row	*row;
	char				*cause = NULL;
	size_t				 i;

	if (h->nmounts == 0)
		return;
	if (probe_disks_read(hh->probe, "df", &df, &cause) != 0) {
		health_raise(hh, "disks", REMOTE_WARN, "disks: cannot read df output%s%s",
		    cause != NULL ? ": " : "", cause != NULL ? cause : "");
		free(cause);
		return;
	}
	for (i = 0; i < h->nmounts; i++) {
		const struct cfg_mount *m = &h->mounts[i];
		char mkey[300];

		snprintf(mkey, sizeof mkey, "disk:%s", m->path);

		if ((row = parse_df_find(&df, m->path)) == NULL) {
			health_raise(hh, mkey, REMOTE_WARN, "disk %s: not mounted",
			    m->path);
			continue;
		}
		buf_addf(&hh->summary, ", %s %d%%", m->path, row->pct);
		if (row->pct >= m->crit_pct)
			health_raise(hh, mkey, REMOTE_CRIT, "disk %s: %d%% used "
			    "(critical at %d%%)", m->path, row->pct,
			    m->crit_pct);
		else if (row->pct >= m->warn_pct)
			health_raise(hh, mkey, REMOTE_WARN, "disk %s: %d%% used "
			    "(warning at %d%%)", m->path, row->pct,
			    m->warn_pct);
	}
	parse_df_free(&df);
}

static void
health_services(struct health_host *hh, const struct cfg_host *h,
    struct buf *sec)
{
	enum parse_svc	 st;
	size_t		 i;

	for (i = 0; i < h->nservices; i++) {
		char skey[300];

		snprintf(skey, sizeof skey, "service:%s", h->services[i].name);
		if (probe_service_read(hh->probe, NULL, h->services[i].name,
		    sec, &st) != 0) {
			health_raise(hh, skey, REMOTE_WARN, "service %s: not "
			    "checked (output cut short)",
			    h->services[i].name);
			continue;
		}
		if (st == PARSE_SVC_ACTIVE)
			continue;
		/* Where the fix is written down, next to the finding. */
		if (hh->ctx != NULL) {
			struct runbook_subject rs = {
				.service = h->services[i].name,
				.host = h->name,
			};

			cmd_runbook(hh->ctx, &rs);
		}
		if (st == PARSE_SVC_INACTIVE || st == PARSE_SVC_FAILED)
			health_raise(hh, skey, REMOTE_CRIT, "service %s: %s",
			    h->services[i].name, parse_svc_name(st));
		else if (sec->data[0] == '\0')
			health_raise(hh, skey, REMOTE_WARN, "service %s: unknown "
			    "(systemctl gave no answer; is systemd running?)",
			    h->services[i].name);
		else
			health_raise(hh, skey, REMOTE_WARN, "service %s: %s",
			    h->services[i].name, sec->data);
	}
}

static void
health_logs(struct health_host *hh, const struct cfg_host *h,
    const struct cfg_remote *r)
{
	struct logcount	 lc;
	int64_t		 now, counted, untimed;
	int		 tz;
	char		*last, win[32];
	size_t		 i;

	if (h->nlogs == 0)
		return;
	if (probe_now_read(hh->probe, &now, &tz) != 0) {
		health_raise(hh, "logs", REMOTE_WARN, "logs: cannot read the host's "
		    "clock");
		return;
	}
	duration_format(r->log_window_s, win, sizeof win);
	for (i = 0; i < h->nlogs; i++) {
		char lkey[300];

		snprintf(lkey, sizeof lkey, "log:%s", h->logs[i].name);
		switch (probe_logcount_read(hh->probe, &h->logs[i], now, tz,
		    r->log_window_s, &lc)) {
		case PROBE_LOG_READ:
			break;
		case PROBE_LOG_CUT:
			health_raise(hh, lkey, REMOTE_WARN, "log %s: not checked "
			    "(output cut short)", h->logs[i].name);
			continue;
		case PROBE_LOG_UNREADABLE:
			health_raise(hh, lkey, REMOTE_WARN, "log %s: cannot read %s",
			    h->logs[i].name, h->logs[i].path);
			continue;
		case PROBE_LOG_GARBLED:
			health_raise(hh, lkey, REMOTE_WARN, "log %s: not "
			    "counted (unexpected output)", h->logs[i].name);
			continue;
		}
		counted = lc.counted;
		untimed = lc.untimed;
		if (counted > 0)
			health_raise(hh, lkey, counted >= hh->log_errors ?
			    REMOTE_WARN : REMOTE_OK, "log %s: %s%lld %s line%s "
			    "in the last %s", h->logs[i].name, lc.partial ?
			    "at least " : "", (long long)counted,
			    r->error_pattern, counted == 1 ? "" : "s", win);
		else if (untimed > 0)
			health_raise(hh, lkey, REMOTE_OK, "log %s: %lld %s line%s "
			    "with no timestamp to date them", h->logs[i].name,
			    (long long)untimed, r->error_pattern,
			    untimed == 1 ? "" : "s");
		/* The newest one as a sample, secrets masked as in /logs. */
		if ((counted > 0 || untimed > 0) && lc.last != NULL) {
			last = redact_text(lc.last);
			buf_addf(&hh->details, "    last: %s\n", last);
			free(last);
		}
		logcount_release(&lc);
	}
}

/* Reads one probe into hh: the summary line and the details. */
static void
health_assess(struct health_host *hh, const struct cfg_remote *r)
{
	const struct probe	*p = hh->probe;
	const struct cfg_host	*h = p->host;
	struct parse_loadavg	 la;
	struct parse_meminfo	 mem;
	struct buf		 sec;
	double			 up;
	char			*cause = NULL, upbuf[32];
	long			 ncpu = 0;

	buf_init(&hh->summary);
	buf_init(&hh->details);
	hh->state = REMOTE_OK;
	if (p->failure != NULL && p->connected) {
		/* Reachable, but stuck: a hung mount is worse than a full one. */
		health_raise(hh, "hung", REMOTE_CRIT, "%s", p->failure);
		buf_clear(&hh->details);
		buf_addf(&hh->summary, " — %s", p->failure);
		return;
	}
	if (p->failure != NULL) {
		health_raise(hh, "reachable", REMOTE_UNREACHABLE, "%s",
		    p->failure);
		buf_clear(&hh->details);
		buf_addf(&hh->summary, " — %s", p->failure);
		return;
	}
	buf_init(&sec);
	buf_addf(&hh->summary, " (%lld ms)", (long long)p->proc.elapsed_ms);
	if (probe_uptime_read(p, &up) == 0) {
		duration_format((int64_t)up / 60 * 60, upbuf, sizeof upbuf);
		buf_addf(&hh->summary, " — up %s", upbuf);
	}
	ncpu = probe_cpus_read(p);
	if (probe_loadavg_read(p, &la, &cause) == 0) {
		buf_addf(&hh->summary, ", load %.2f %.2f %.2f", la.l1, la.l5,
		    la.l15);
		if (ncpu > 0)
			buf_addf(&hh->summary, " (%ld cpu)", ncpu);
		if (ncpu > 0 && la.l5 > 2.0 * (double)ncpu)
			health_raise(hh, "load", REMOTE_WARN, "load %.2f over 5 min on "
			    "%ld cpu", la.l5, ncpu);
	} else
		health_raise(hh, "load", REMOTE_WARN, "load: cannot read /proc/loadavg");
	free(cause);
	cause = NULL;
	if (probe_memory_read(p, &mem, &cause) == 0 && mem.total_kb > 0) {
		int pct = (int)(mem.available_kb * 100 / mem.total_kb);

		buf_addf(&hh->summary, ", mem %d%% free", pct);
		if (pct < 5)
			health_raise(hh, "memory", REMOTE_CRIT, "memory: %d%% available",
			    pct);
		else if (pct < 10)
			health_raise(hh, "memory", REMOTE_WARN, "memory: %d%% available",
			    pct);
	} else
		health_raise(hh, "memory", REMOTE_WARN, "memory: cannot read "
		    "/proc/meminfo%s%s", cause != NULL ? ": " : "",
		    cause != NULL ? cause : "");
	free(cause);
	health_disks(hh, h);
	health_services(hh, h, &sec);
	health_logs(hh, h, r);
	if (p->proc.truncated)
		health_raise(hh, "output", REMOTE_WARN, "output cut at %d bytes "
		    "(remote.output_limit)", r->output_limit);
	buf_release(&sec);
}

static int
health_cmp(const void *a, const void *b)
{
	const struct health_host	*x = a, *y = b;

	if (x->state != y->state)
		return x->state > y->state ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

static void
health_report(struct remote_run *run)
{
	struct cmd_ctx		*ctx = run->ctx;
	const struct cfg_remote	*r = &ctx->bot->cfg->remote;
	struct health_host	*hh = xcalloc(run->n, sizeof *hh);
	size_t			 i, n = 0, count[4] = { 0, 0, 0, 0 };
	enum message_status	 st;
	struct buf		 waiting;

	buf_init(&waiting);
	for (i = 0; i < run->n; i++) {
		/* A partial answer: the hosts still running wait at the end. */
		if (!remote_probe_done(run, i)) {
			buf_addf(&waiting, "%s: waiting (no answer yet)\n",
			    run->probes[i].host->name);
			continue;
		}
		hh[n].probe = &run->probes[i];
		hh[n].order = i;
		hh[n].log_errors = 1;
		hh[n].ctx = ctx;
		health_assess(&hh[n], r);
		count[hh[n].state]++;
		/* Counted (and kept for the web page) once, when final. */
		if (!run->partial) {
			metrics_add("opsbot_probes_total", 1, "state",
			    remote_state_name(hh[n].state), NULL);
			host_record_state(ctx->bot, hh[n].probe, hh[n].state,
			    hh[n].summary.data);
		}
		n++;
	}
	qsort(hh, n, sizeof *hh, health_cmp);
	/* The headline: the worst state, or a group's summary. */
	st = n == 0 ? MESSAGE_PLAIN : hh[0].state >= REMOTE_CRIT ?
	    MESSAGE_CRIT : hh[0].state == REMOTE_WARN ? MESSAGE_WARN :
	    MESSAGE_OK;
	if (n < run->n)
		cmd_title(ctx, st, "%s: %zu of %zu hosts answered in %lld ms "
		    "— %zu unreachable, %zu CRIT, %zu WARN, %zu OK; waiting for "
		    "%zu", args_pos(&ctx->args, 0), n, run->n,
		    (long long)remote_run_elapsed(run),
		    count[REMOTE_UNREACHABLE], count[REMOTE_CRIT],
		    count[REMOTE_WARN], count[REMOTE_OK], run->n - n);
	else if (run->n > 1 || config_find_host(ctx->bot->cfg,
	    args_pos(&ctx->args, 0)) == NULL)
		cmd_title(ctx, st, "%s: %zu host%s in %lld ms — %zu unreachable, "
		    "%zu CRIT, %zu WARN, %zu OK", args_pos(&ctx->args, 0),
		    run->n, run->n == 1 ? "" : "s", (long long)run->elapsed_ms,
		    count[REMOTE_UNREACHABLE], count[REMOTE_CRIT],
		    count[REMOTE_WARN], count[REMOTE_OK]);
	else
		cmd_status(ctx, st);	/* its own line says it all */
	for (i = 0; i < n; i++) {
		cmd_reply(ctx, "%s: %s%s\n%s", hh[i].probe->host->name,
		    remote_state_name(hh[i].state), hh[i].summary.data,
		    hh[i].details.data);
		buf_release(&hh[i].summary);
		buf_release(&hh[i].details);
	}
	if (waiting.len > 0)
		cmd_reply(ctx, "%s", waiting.data);
	buf_release(&waiting);
	free(hh);
}

static enum cmd_result
cmd_health_exec(struct cmd_ctx *ctx)
{
	const char	*target = args_pos(&ctx->args, 0);

	/* A fleet's hosts from a metrics source: a few queries, no ssh. */
	switch (fleet_wanted(ctx, target)) {
	case 1:
		return fleet_run(ctx, target, FLEET_HEALTH);
	case -1:
		return CMD_ERROR;
	}
	return remote_run_target(ctx, target, health_script, health_report);
}

void
health_findings(const struct probe *p, const struct cfg_remote *r,
    int log_errors, struct health_findings *out)
{
	struct health_host	 hh;

	memset(out, 0, sizeof *out);
	memset(&hh, 0, sizeof hh);
	hh.probe = p;
	hh.findings = out;
	hh.log_errors = log_errors;
	health_assess(&hh, r);
	out->state = hh.state;
	out->summary = buf_detach(&hh.summary);
	buf_release(&hh.details);
}

void
health_findings_release(struct health_findings *f)
{
	size_t	 i;

	for (i = 0; i < f->n; i++) {
		free(f->v[i].key);
		free(f->v[i].text);
	}
	free(f->v);
	free(f->summary);
	memset(f, 0, sizeof *f);
}

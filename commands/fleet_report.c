/*
 * The fleet's answers (see fleet_report.h). The states and thresholds
 * are the ssh path's (commands/health.c, commands/disk.c): load over
 * 5 min above twice the CPUs is a warning, memory under 10 % available a
 * warning and under 5 % critical, a mount at its warn or crit percent;
 * a host whose last scrape failed is UNREACHABLE, a failed systemd unit
 * CRIT. A mount's thresholds are those of the hosts[] host of the same
 * name when it configures that mount, else the source's disk_warn and
 * disk_crit.
 */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "fleet_report.h"
#include "log.h"
#include "store.h"
#include "store_hosts.h"
#include "remote.h"
#include "xmalloc.h"

struct fleet_row {
	const struct fleet_host	*h;
	enum remote_state	 state;
	struct buf		 text;		/* /disk: the host's table */
	struct health_findings	 f;		/* /health: its findings */
};

static void
fleet_raise(struct health_findings *f, const char *key, enum remote_state s,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* One finding, keyed as the ssh path's ("disk:/var") for own checks. */
static void
fleet_raise(struct health_findings *f, const char *key, enum remote_state s,
    const char *fmt, ...)
{
	struct health_finding	*hf;
	va_list			 ap;

	if (s > f->state)
		f->state = s;
	f->v = xreallocarray(f->v, f->n + 1, sizeof *f->v);
	hf = &f->v[f->n++];
	hf->key = xstrdup(key);
	hf->state = s;
	va_start(ap, fmt);
	xvasprintf(&hf->text, fmt, ap);
	va_end(ap);
}

/* The warn and crit percent of mount path on h. */
static void
fleet_thresholds(const struct config *cfg, const struct fleet_host *h,
    const char *path, int *warn, int *crit)
{
	const struct cfg_host	*ch = config_find_host(cfg, h->name);
	size_t			 i;

	*warn = h->src->disk_warn_pct;
	*crit = h->src->disk_crit_pct;
	for (i = 0; ch != NULL && i < ch->nmounts; i++) {
		if (strcmp(ch->mounts[i].path, path) == 0) {
			*warn = ch->mounts[i].warn_pct;
			*crit = ch->mounts[i].crit_pct;
		}
	}
}

void
fleet_health_findings(const struct config *cfg, const struct fleet_host *h,
    struct health_findings *out)
{
	const struct fleet_mount *m;
	struct buf		 sum;
	char			 key[300];
	size_t			 i;
	int			 pct, warn, crit;

	memset(out, 0, sizeof *out);
	buf_init(&sum);
	if (h->up == 0) {
		buf_addf(&sum, " — %s: the last scrape failed (up is 0)",
		    h->src->name);
		fleet_raise(out, "reachable", REMOTE_UNREACHABLE, "%s: the last "
		    "scrape failed (up is 0)", h->src->name);
		goto out;
	}
	buf_addf(&sum, " (%s)", h->src->name);
	if (!h->has_load && h->has_mem == 0 && h->nmounts == 0) {
		fleet_raise(out, "series", REMOTE_WARN, "no node_exporter series "
		    "in %s (is node_exporter scraped for it?)", h->src->name);
		goto out;
	}
	if (h->has_load) {
		buf_addf(&sum, " — load %.2f %.2f", h->load1, h->load5);
		if (h->ncpu > 0)
			buf_addf(&sum, " (%ld cpu)", h->ncpu);
		if (h->ncpu > 0 && h->load5 > 2.0 * (double)h->ncpu)
			fleet_raise(out, "load", REMOTE_WARN, "load %.2f over 5 "
			    "min on %ld cpu", h->load5, h->ncpu);
	} else
		buf_adds(&sum, " —");
	if (h->has_mem == 3 && h->mem_total > 0) {
		pct = (int)(h->mem_avail * 100 / h->mem_total);
		buf_addf(&sum, "%s mem %d%% free", h->has_load ? "," : "", pct);
		if (pct < 5)
			fleet_raise(out, "memory", REMOTE_CRIT, "memory: %d%% "
			    "available", pct);
		else if (pct < 10)
			fleet_raise(out, "memory", REMOTE_WARN, "memory: %d%% "
			    "available", pct);
	} else
		fleet_raise(out, "memory", REMOTE_WARN, "memory: no "
		    "node_memory_* series");
	for (i = 0; i < h->nmounts; i++) {
		m = &h->mounts[i];
		if ((pct = fleet_disk_pct(m)) < 0)
			continue;
		fleet_thresholds(cfg, h, m->path, &warn, &crit);
		buf_addf(&sum, ", %s %d%%", m->path, pct);
		snprintf(key, sizeof key, "disk:%s", m->path);
		if (pct >= crit)
			fleet_raise(out, key, REMOTE_CRIT, "disk %s: %d%% used "
			    "(critical at %d%%)", m->path, pct, crit);
		else if (pct >= warn)
			fleet_raise(out, key, REMOTE_WARN, "disk %s: %d%% used "
			    "(warning at %d%%)", m->path, pct, warn);
	}
	for (i = 0; i < h->failed.n; i++) {
		snprintf(key, sizeof key, "service:%s", h->failed.v[i]);
		fleet_raise(out, key, REMOTE_CRIT, "service %s: failed",
		    h->failed.v[i]);
	}
out:
	out->summary = buf_detach(&sum);
}

static void
fleet_disk_row(const struct config *cfg, struct fleet_row *r)
{
	const struct fleet_host	*h = r->h;
	const struct fleet_mount *m;
	const char		*mark;
	char			 freebuf[32], ino[32];
	size_t			 i;
	int			 pct, warn, crit;

	if (h->up == 0) {
		r->state = REMOTE_UNREACHABLE;
		buf_addf(&r->text, "%s: UNREACHABLE — %s: the last scrape "
		    "failed (up is 0)\n", h->name, h->src->name);
		return;
	}
	if (h->nmounts == 0) {
		r->state = REMOTE_WARN;
		buf_addf(&r->text, "%s: no node_filesystem_* series in %s\n",
		    h->name, h->src->name);
		return;
	}
	buf_addf(&r->text, "%s: (%s)\n", h->name, h->src->name);
	for (i = 0; i < h->nmounts; i++) {
		m = &h->mounts[i];
		if ((pct = fleet_disk_pct(m)) < 0)
			continue;
		fleet_thresholds(cfg, h, m->path, &warn, &crit);
		mark = "OK";
		if (pct >= crit) {
			mark = "CRIT";
			r->state = REMOTE_CRIT;
		} else if (pct >= warn) {
			mark = "WARN";
			if (r->state < REMOTE_WARN)
				r->state = REMOTE_WARN;
		}
		remote_fmt_kib((int64_t)(m->avail / 1024), freebuf,
		    sizeof freebuf);
		if (m->files > 0 && m->files_free >= 0)
			snprintf(ino, sizeof ino, "inodes %d%%", (int)((m->files -
			    m->files_free) * 100 / m->files + 0.999));
		else
			snprintf(ino, sizeof ino, "inodes n/a");
		buf_addf(&r->text, "  %-16s %3d%% used  %10s free  %-11s %s",
		    m->path, pct, freebuf, ino, mark);
		if (mark[0] != 'O')
			buf_addf(&r->text, " (warn %d%%, crit %d%%)", warn,
			    crit);
		buf_addc(&r->text, '\n');
	}
}

/* A host's /health entry: its line, then what is not OK. */
static void
fleet_health_reply(struct cmd_ctx *ctx, const struct fleet_row *r)
{
	struct buf	 b;
	size_t		 i;

	buf_init(&b);
	buf_addf(&b, "%s: %s%s\n", r->h->name, remote_state_name(r->state),
	    r->f.summary);
	/* Unreachable: the line says why; nothing else was read. */
	for (i = 0; r->state != REMOTE_UNREACHABLE && i < r->f.n; i++)
		buf_addf(&b, "  - %s\n", r->f.v[i].text);
	cmd_reply(ctx, "%s", b.data);
	buf_release(&b);
}

void
fleet_record(struct bot *b, const struct fleet *f, int skip_inventory)
{
	struct health_findings	 hf;
	const char		*sum;
	char			*cause = NULL;
	int64_t			 now = clock_now_ms();
	size_t			 i;
	int			 own;

	if (b->store == NULL || f->n == 0)
		return;
	/* Thousands of rows: one commit, not one each. */
	own = !store_in_transaction(b->store) &&
	    store_begin(b->store, &cause) == 0;
	for (i = 0; i < f->n && cause == NULL; i++) {
		if (skip_inventory && config_find_host(b->cfg, f->v[i].name) !=
		    NULL)
			continue;
		fleet_health_findings(b->cfg, &f->v[i], &hf);
		for (sum = hf.summary; *sum == ' '; sum++)
			;
		(void)store_host_state_put(b->store, f->v[i].name, now,
		    remote_state_name(hf.state), sum, &cause);
		health_findings_release(&hf);
	}
	if (own && cause == NULL)
		(void)store_commit(b->store, &cause);
	else if (own)
		store_rollback(b->store);
	if (cause != NULL) {
		log_warn("fleet", "cannot keep the fleet's states for the web "
		    "page: %s", cause);
		free(cause);
	}
}

static int
fleet_row_cmp(const void *a, const void *b)
{
	const struct fleet_row	*x = a, *y = b;

	if (x->state != y->state)
		return x->state > y->state ? -1 : 1;
	return strcmp(x->h->name, y->h->name);
}

/* Where the rest of a summary is: the web page's hosts, when it is on. */
static void
fleet_rest(struct cmd_ctx *ctx, size_t shown, size_t n, size_t ok)
{
	const struct config	*cfg = ctx->bot->cfg;
	char			*url;

	cmd_reply(ctx, "… %zu more host%s not shown (%zu OK); ask for one "
	    "host or tag for its details\n", n - shown, n - shown == 1 ? "" :
	    "s", ok);
	if (cfg->web.enabled && cfg->runbooks.base_url != NULL) {
		xasprintf(&url, "%s/hosts", cfg->runbooks.base_url);
		cmd_link(ctx, "hosts", "All hosts", url);
		free(url);
	}
}

void
fleet_report(struct cmd_ctx *ctx, const char *target, enum fleet_kind kind,
    const struct fleet *f, int64_t elapsed_ms)
{
	const struct config	*cfg = ctx->bot->cfg;
	struct fleet_row	*rows;
	size_t			 i, count[4] = { 0, 0, 0, 0 }, shown = 0;
	size_t			 limit;
	enum message_status	 st;

	if (f->n == 0 && strcmp(target, "all") == 0)
		cmd_error(ctx, "the metrics sources know no host (no "
		    "node_exporter series of their job)%s", cfg->nhosts > 0 ?
		    "; --via ssh asks the hosts of hosts[]" : "");
	else if (f->n == 0)
		cmd_refuse(ctx, "unknown host or group %s: not a host or tag "
		    "of hosts[], nor of the %zu host%s the metrics sources "
		    "know", target, f->known, f->known == 1 ? "" : "s");
	if (f->n == 0) {
		for (i = 0; i < f->errors.n; i++)
			cmd_reply(ctx, "\nmetrics source failed: %s",
			    f->errors.v[i]);
		return;
	}
	rows = xcalloc(f->n, sizeof *rows);
	for (i = 0; i < f->n; i++) {
		rows[i].h = &f->v[i];
		buf_init(&rows[i].text);
		if (kind == FLEET_HEALTH) {
			fleet_health_findings(cfg, rows[i].h, &rows[i].f);
			rows[i].state = rows[i].f.state;
		} else
			fleet_disk_row(cfg, &rows[i]);
		count[rows[i].state]++;
	}
	qsort(rows, f->n, sizeof *rows, fleet_row_cmp);
	st = rows[0].state >= REMOTE_CRIT ? MESSAGE_CRIT :
	    rows[0].state == REMOTE_WARN ? MESSAGE_WARN : MESSAGE_OK;
	if (f->errors.n > 0 && st == MESSAGE_OK)
		st = MESSAGE_WARN;
	if (f->n > 1 || f->errors.n > 0 || kind == FLEET_DISK)
		cmd_title(ctx, st, "%s: %zu host%s from metrics in %lld ms — "
		    "%zu unreachable, %zu CRIT, %zu WARN, %zu OK", target,
		    f->n, f->n == 1 ? "" : "s", (long long)elapsed_ms,
		    count[REMOTE_UNREACHABLE], count[REMOTE_CRIT],
		    count[REMOTE_WARN], count[REMOTE_OK]);
	else
		cmd_status(ctx, st);
	for (i = 0; i < f->errors.n; i++)
		cmd_reply(ctx, "metrics source failed (its hosts are not "
		    "here): %s\n", f->errors.v[i]);
	/* A large target: the worst, not every OK host. */
	limit = f->n > (size_t)cfg->fleet.summary_over ?
	    (size_t)cfg->fleet.worst : f->n;
	for (i = 0; i < f->n; i++) {
		if (i < limit && (limit == f->n || rows[i].state != REMOTE_OK)) {
			if (kind == FLEET_HEALTH)
				fleet_health_reply(ctx, &rows[i]);
			else
				cmd_reply(ctx, "%s", rows[i].text.data);
			shown++;
		}
		buf_release(&rows[i].text);
		if (kind == FLEET_HEALTH)
			health_findings_release(&rows[i].f);
	}
	if (shown < f->n)
		fleet_rest(ctx, shown, f->n, count[REMOTE_OK]);
	if (kind == FLEET_HEALTH)
		fleet_record(ctx->bot, f, 0);
	free(rows);
}

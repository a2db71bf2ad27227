/*
 * The bot's own checks (see checks.h). A round runs on the worker pool
 * like /health all; its findings are read on the loop thread, where the
 * streaks live and the alert engine takes the batch.
 */

#include <libwebsockets.h>
#include <stdlib.h>
#include <string.h>

#include "alert_parse.h"
#include "alerts.h"
#include "bot.h"
#include "checks.h"
#include "fleet.h"
#include "fleet_report.h"
#include "clock.h"
#include "log.h"
#include "host_record.h"
#include "loop.h"
#include "probe.h"
#include "workers.h"
#include "xmalloc.h"

/* One finding's history on one host. */
struct streak {
	char		*host;
	char		*key;
	int		 bad, good;
	int		 firing;
	enum remote_state state;
	char		*text;
	int		 seen;		/* in this round */
	struct streak	*next;
};

struct checks {
	struct bot		*bot;
	int			 fire_after;
	int			 resolve_after;
	struct streak		*streaks;
	lws_sorted_usec_list_t	 timer;
	int			 timer_armed;
	int			 running;
	uint64_t		 rounds;
};

struct checks_round {
	struct checks		*ck;
	struct probe		*probes;
	size_t			 n;
	struct host_env		 env;
	/* The metrics sources' hosts, asked in the same round. */
	const struct config	*cfg;
	struct fleet		 fleet;
	char			*fleet_cause;	/* no source answered */
};

static void	checks_arm(struct checks *, int64_t delay_ms);

static struct streak *
streak_get(struct checks *ck, const char *host, const char *key)
{
	struct streak	*s;

	for (s = ck->streaks; s != NULL; s = s->next) {
		if (strcmp(s->host, host) == 0 && strcmp(s->key, key) == 0)
			return s;
	}
	s = xcalloc(1, sizeof *s);
	s->host = xstrdup(host);
	s->key = xstrdup(key);
	s->next = ck->streaks;
	ck->streaks = s;
	return s;
}

static void
streak_free(struct streak *s)
{
	free(s->host);
	free(s->key);
	free(s->text);
	free(s);
}

/* "disk:/var" -> DiskUsage with mount=/var; and so on. */
static void
checks_alert(const struct streak *s, int resolved, int64_t now,
    struct alert_batch *b)
{
	struct alert_in	*a;
	struct labels	 id;
	const char	*colon = strchr(s->key, ':');
	char		*kind = colon != NULL ? xstrndup(s->key,
			    (size_t)(colon - s->key)) : xstrdup(s->key);
	const char	*arg = colon != NULL ? colon + 1 : NULL;
	const char	*name = "OpsbotCheck", *argname = NULL;

	if (strcmp(kind, "reachable") == 0)
		name = "HostUnreachable";
	else if (strcmp(kind, "hung") == 0)
		name = "HostCommandHung";
	else if (strcmp(kind, "disk") == 0)
		name = "DiskUsage", argname = "mount";
	else if (strcmp(kind, "service") == 0)
		name = "ServiceDown", argname = "service";
	else if (strcmp(kind, "log") == 0)
		name = "LogErrors", argname = "log";
	else if (strcmp(kind, "load") == 0)
		name = "HighLoad";
	else if (strcmp(kind, "memory") == 0)
		name = "LowMemory";
	b->v = xreallocarray(b->v, b->n + 1, sizeof *b->v);
	a = &b->v[b->n++];
	memset(a, 0, sizeof *a);
	labels_set(&a->labels, "alertname", name);
	labels_set(&a->labels, "host", s->host);
	labels_set(&a->labels, "source", "opsbot");
	if (argname != NULL && arg != NULL)
		labels_set(&a->labels, argname, arg);
	else if (strcmp(name, "OpsbotCheck") == 0)
		labels_set(&a->labels, "check", s->key);
	/* Identity without severity: a disk going WARN -> CRIT is one alert. */
	labels_copy(&id, &a->labels);
	labels_fingerprint(&id, a->fingerprint);
	labels_release(&id);
	labels_set(&a->labels, "severity", s->state >= REMOTE_CRIT ?
	    "critical" : "warning");
	if (s->text != NULL)
		labels_set(&a->annotations, "summary", s->text);
	a->resolved = resolved;
	a->starts_ms = now;
	a->ends_ms = resolved ? now : 0;
	free(kind);
}

void
checks_apply(struct checks *ck, const char *host,
    const struct health_findings *f, int64_t now, struct alert_batch *b)
{
	struct streak	*s, **pp;
	size_t		 i;
	int		 unreachable = 0;

	for (i = 0; i < f->n; i++) {
		s = streak_get(ck, host, f->v[i].key);
		s->seen = 1;
		s->bad++;
		s->good = 0;
		s->state = f->v[i].state;
		free(s->text);
		s->text = xstrdup(f->v[i].text);
		/* A host stuck in one command said nothing about the rest. */
		unreachable |= strcmp(f->v[i].key, "reachable") == 0 ||
		    strcmp(f->v[i].key, "hung") == 0;
		if (s->bad >= ck->fire_after) {
			/* Firing again each round keeps it fresh (deduped). */
			s->firing = 1;
			checks_alert(s, 0, now, b);
		}
	}
	for (pp = &ck->streaks; (s = *pp) != NULL; ) {
		if (strcmp(s->host, host) != 0 || s->seen) {
			s->seen = 0;
			pp = &s->next;
			continue;
		}
		/* An unreachable host says nothing about its disks. */
		if (unreachable) {
			pp = &s->next;
			continue;
		}
		s->good++;
		s->bad = 0;
		if (s->firing && s->good >= ck->resolve_after) {
			checks_alert(s, 1, now, b);
			s->firing = 0;
		}
		if (!s->firing) {
			*pp = s->next;
			streak_free(s);
		} else
			pp = &s->next;
	}
}

struct checks *
checks_new_for_test(int fire_after, int resolve_after)
{
	struct checks	*ck = xcalloc(1, sizeof *ck);

	ck->fire_after = fire_after;
	ck->resolve_after = resolve_after;
	return ck;
}

static void
checks_round_free(struct checks_round *r)
{
	size_t	 i;

	for (i = 0; i < r->n; i++)
		probe_release(&r->probes[i]);
	free(r->probes);
	fleet_free(&r->fleet);
	free(r->fleet_cause);
	free(r);
}

static void
checks_round_work(void *arg)
{
	struct checks_round	*r = arg;

	probes_run(r->probes, r->n, &r->env);
	if (r->cfg->nmetrics > 0)
		(void)fleet_query(r->cfg, "all", &r->fleet, &r->fleet_cause);
}

/*
 * The metrics-backed hosts' findings, as /health reads them; a host of
 * hosts[] is checked over ssh already, and is not checked twice.
 */
static void
checks_fleet(struct checks_round *r, int64_t now, struct alert_batch *batch)
{
	const struct fleet_host	*h;
	struct health_findings	 f;
	size_t			 i;

	if (r->fleet_cause != NULL)
		log_warn("checks", "no metrics source answered: %s",
		    r->fleet_cause);
	for (i = 0; i < r->fleet.errors.n; i++)
		log_warn("checks", "metrics source failed: %s",
		    r->fleet.errors.v[i]);
	for (i = 0; i < r->fleet.n; i++) {
		h = &r->fleet.v[i];
		if (config_find_host(r->cfg, h->name) != NULL)
			continue;
		fleet_health_findings(r->cfg, h, &f);
		checks_apply(r->ck, h->name, &f, now, batch);
		health_findings_release(&f);
	}
	fleet_record(r->ck->bot, &r->fleet, 1);
}

static void
checks_round_done(void *arg, enum workers_status st)
{
	struct checks_round	*r = arg;
	struct checks		*ck = r->ck;
	struct bot		*b = ck->bot;
	struct health_findings	 f;
	struct alert_batch	 batch;
	char			*cause = NULL;
	int64_t			 now = clock_now_ms();
	size_t			 i;

	ck->running = 0;
	if (st != WORKERS_DONE || b->stopping || b->alerts == NULL) {
		checks_round_free(r);
		return;
	}
	memset(&batch, 0, sizeof batch);
	batch.source = "opsbot";
	for (i = 0; i < r->n; i++) {
		health_findings(&r->probes[i], &b->cfg->remote,
		    b->cfg->alerts.checks_log_errors, &f);
		checks_apply(ck, r->probes[i].host->name, &f, now, &batch);
		host_record_state(b, &r->probes[i], f.state, f.summary);
		health_findings_release(&f);
	}
	checks_fleet(r, now, &batch);
	ck->rounds++;
	if (alerts_ingest(b->alerts, &batch, &cause) != 0) {
		log_error("checks", "cannot store the checks' alerts: %s",
		    cause);
		free(cause);
	}
	log_debug("checks", "round %llu: %zu host(s), %zu alert update(s)",
	    (unsigned long long)ck->rounds, r->n, batch.n);
	alert_batch_release(&batch);
	checks_round_free(r);
}

static void
checks_timer_cb(lws_sorted_usec_list_t *sul)
{
	struct checks		*ck = lws_container_of(sul, struct checks,
				    timer);
	struct bot		*b = ck->bot;
	struct checks_round	*r;
	size_t			 i;

	ck->timer_armed = 0;
	checks_arm(ck, b->cfg->alerts.checks_interval_s * 1000);
	/* A round slower than the interval: skip, do not pile up. */
	if (ck->running || b->stopping)
		return;
	r = xcalloc(1, sizeof *r);
	r->ck = ck;
	r->n = b->cfg->nhosts;
	r->probes = xcalloc(r->n + 1, sizeof *r->probes);
	for (i = 0; i < r->n; i++) {
		probe_init(&r->probes[i], &b->cfg->hosts[i]);
		health_script(&r->probes[i], &b->cfg->remote);
	}
	r->cfg = b->cfg;
	r->env.remote = &b->cfg->remote;
	r->env.control_dir = b->ssh_dir;
	ck->running = 1;
	if (workers_submit(b->workers, checks_round_work, checks_round_done,
	    r) != 0) {
		ck->running = 0;
		checks_round_free(r);
	}
}

static void
checks_arm(struct checks *ck, int64_t delay_ms)
{
	lws_sul_schedule(loop_lws(ck->bot->loop), 0, &ck->timer,
	    checks_timer_cb, delay_ms * LWS_US_PER_MS);
	ck->timer_armed = 1;
}

struct checks *
checks_start(struct bot *b)
{
	struct checks	*ck;

	if (!b->cfg->alerts.checks_enabled || (b->cfg->nhosts == 0 &&
	    b->cfg->nmetrics == 0))
		return NULL;
	ck = checks_new_for_test(b->cfg->alerts.checks_fire_after,
	    b->cfg->alerts.checks_resolve_after);
	ck->bot = b;
	checks_arm(ck, b->cfg->alerts.checks_interval_s * 1000);
	log_info("checks", "own checks of %zu host(s) and %zu metrics "
	    "source(s) every %llds; an alert after %d bad round(s), resolved "
	    "after %d good", b->cfg->nhosts, b->cfg->nmetrics,
	    (long long)b->cfg->alerts.checks_interval_s, ck->fire_after,
	    ck->resolve_after);
	return ck;
}

void
checks_set_config(struct checks *ck, const struct config *cfg)
{
	if (ck == NULL)
		return;
	ck->fire_after = cfg->alerts.checks_fire_after;
	ck->resolve_after = cfg->alerts.checks_resolve_after;
}

void
checks_free(struct checks *ck)
{
	struct streak	*s;

	if (ck == NULL)
		return;
	if (ck->timer_armed)
		lws_sul_cancel(&ck->timer);
	while ((s = ck->streaks) != NULL) {
		ck->streaks = s->next;
		streak_free(s);
	}
	free(ck);
}

static int
checks_service_start(struct bot *b, char **cause)
{
	(void)cause;
	b->checks = checks_start(b);
	return 0;
}

/* Checks read hosts and the interval from b->cfg each round. */
static void
checks_service_reload(struct bot *b, const struct config *c)
{
	if (b->checks == NULL)
		b->checks = checks_start(b);
	else if (!c->alerts.checks_enabled)
		log_warn("reload", "restart needed to turn own checks off");
	checks_set_config(b->checks, c);
}

static void
checks_service_free(struct bot *b)
{
	checks_free(b->checks);
	b->checks = NULL;
}

const struct bot_service checks_service = {
	.name = "checks",
	.start = checks_service_start,
	.reload = checks_service_reload,
	.free = checks_service_free,
};

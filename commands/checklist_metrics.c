/*
 * Checklist checks answered by the metrics sources (see checklist_run.h):
 * disk_below and services_running with "via": "metrics" ask the fleet's
 * series of their target (adapters/promql/fleet.c, a fixed number of
 * queries whatever the target's size) and judge each host as the ssh
 * path does: each mount under max_pct, or under its warning threshold;
 * each service's systemd unit active.
 */

#include <stdlib.h>
#include <string.h>

#include "bot.h"
#include "checklist_run.h"
#include "fleet.h"
#include "xmalloc.h"

struct checklist_fleet {
	struct fleet	*fleets;	/* one per check; used when via */
	char		**causes;	/* no source answered, per check */
	int		 asked;		/* the worker ran (not cancelled) */
};

int
checklist_metrics_wanted(const struct cfg_checklist *cl)
{
	size_t	 i;

	for (i = 0; i < cl->nchecks; i++) {
		if (cl->checks[i].via_metrics)
			return 1;
	}
	return 0;
}

/* Worker thread. */
void
checklist_metrics_query(struct checklist_run *run)
{
	const struct cfg_checklist	*cl = run->cl;
	struct checklist_fleet		*cf;
	size_t				 i;

	if (!checklist_metrics_wanted(cl))
		return;
	cf = xcalloc(1, sizeof *cf);
	cf->fleets = xcalloc(cl->nchecks, sizeof *cf->fleets);
	cf->causes = xcalloc(cl->nchecks, sizeof *cf->causes);
	for (i = 0; i < cl->nchecks; i++) {
		if (cl->checks[i].via_metrics)
			(void)fleet_query_units(run->bot->cfg,
			    cl->checks[i].target, &cl->checks[i].services,
			    &cf->fleets[i], &cf->causes[i]);
	}
	cf->asked = 1;
	run->fleet = cf;
}

/* The warning threshold of path on h: its hosts[] mount, or the source's. */
static int
checklist_metrics_limit(const struct config *cfg, const struct cfg_check *ck,
    const struct fleet_host *h, const char *path)
{
	const struct cfg_host	*ch = config_find_host(cfg, h->name);
	size_t			 i;

	if (ck->max_pct > 0)
		return ck->max_pct;
	for (i = 0; ch != NULL && i < ch->nmounts; i++) {
		if (strcmp(ch->mounts[i].path, path) == 0)
			return ch->mounts[i].warn_pct;
	}
	return h->src->disk_warn_pct;
}

/* Is service (a unit, or its name without ".service") among active? */
static int
checklist_metrics_active(const struct strlist *active, const char *service)
{
	size_t	 i, n = strlen(service);

	for (i = 0; i < active->n; i++) {
		if (strcmp(active->v[i], service) == 0 ||
		    (strncmp(active->v[i], service, n) == 0 &&
		    strcmp(active->v[i] + n, ".service") == 0))
			return 1;
	}
	return 0;
}

/* The problems every metrics check shares; 1 if h can be judged. */
static int
checklist_metrics_host(const struct fleet_host *h, struct check_result *r)
{
	if (h->up != 0)
		return 1;
	check_problem(r, CHECK_ERROR, "%s: %s: the last scrape failed (up is "
	    "0)", h->name, h->src->name);
	return 0;
}

static void
checklist_metrics_services(const struct cfg_check *ck, const struct fleet *f,
    struct check_result *r)
{
	const struct fleet_host	*h;
	size_t			 i, j;

	for (i = 0; i < f->n; i++) {
		h = &f->v[i];
		if (!checklist_metrics_host(h, r))
			continue;
		for (j = 0; j < ck->services.n; j++) {
			if (checklist_metrics_active(&h->active,
			    ck->services.v[j]))
				buf_addf(&r->output, "%s %s: active\n",
				    h->name, ck->services.v[j]);
			else
				check_problem(r, CHECK_FAIL, "%s %s: not active "
				    "(or node_exporter's systemd collector is "
				    "off)", h->name, ck->services.v[j]);
		}
	}
}

static void
checklist_metrics_disk(const struct config *cfg, const struct cfg_check *ck,
    const struct fleet *f, struct check_result *r)
{
	const struct fleet_host		*h;
	const struct fleet_mount	*m;
	size_t				 i, j, k;
	int				 pct, limit;

	for (i = 0; i < f->n; i++) {
		h = &f->v[i];
		if (!checklist_metrics_host(h, r))
			continue;
		for (j = 0; j < (ck->mounts.n > 0 ? ck->mounts.n : h->nmounts);
		    j++) {
			const char *path = ck->mounts.n > 0 ? ck->mounts.v[j] :
			    h->mounts[j].path;

			for (k = 0; k < h->nmounts; k++) {
				if (strcmp(h->mounts[k].path, path) == 0)
					break;
			}
			if (k == h->nmounts || (pct = fleet_disk_pct(
			    (m = &h->mounts[k]))) < 0) {
				check_problem(r, CHECK_FAIL, "%s %s: not "
				    "mounted (no node_filesystem_* series)",
				    h->name, path);
				continue;
			}
			limit = checklist_metrics_limit(cfg, ck, h, m->path);
			if (pct >= limit)
				check_problem(r, CHECK_FAIL, "%s %s: %d%% used "
				    "(under %d%% wanted)", h->name, path, pct,
				    limit);
			else
				buf_addf(&r->output, "%s %s: %d%%\n", h->name,
				    path, pct);
		}
	}
}

/* Loop thread. */
void
checklist_metrics_verdicts(struct checklist_run *run)
{
	const struct cfg_checklist	*cl = run->cl;
	struct checklist_fleet		*cf = run->fleet;
	size_t				 i;

	for (i = 0; i < cl->nchecks; i++) {
		if (!cl->checks[i].via_metrics)
			continue;
		if (cf == NULL || !cf->asked)
			check_problem(&run->results[i], CHECK_ERROR, "cancelled: "
			    "opsbot is shutting down");
		else if (cf->causes[i] != NULL)
			check_problem(&run->results[i], CHECK_ERROR, "%s",
			    cf->causes[i]);
		else {
			const struct fleet	*f = &cf->fleets[i];
			const struct cfg_check	*ck = &cl->checks[i];
			size_t			 j;

			for (j = 0; j < f->errors.n; j++)
				check_problem(&run->results[i], CHECK_ERROR,
				    "%s", f->errors.v[j]);
			if (f->n == 0)
				check_problem(&run->results[i], CHECK_ERROR,
				    "no host of the metrics sources is \"%s\" "
				    "or has that tag", ck->target);
			if (ck->kind == CHECK_SERVICES_RUNNING)
				checklist_metrics_services(ck, f,
				    &run->results[i]);
			else
				checklist_metrics_disk(run->bot->cfg, ck, f,
				    &run->results[i]);
		}
	}
}

void
checklist_metrics_free(struct checklist_run *run)
{
	struct checklist_fleet	*cf = run->fleet;
	size_t			 i;

	if (cf == NULL)
		return;
	for (i = 0; i < run->cl->nchecks; i++) {
		fleet_free(&cf->fleets[i]);
		free(cf->causes[i]);
	}
	free(cf->fleets);
	free(cf->causes);
	free(cf);
	run->fleet = NULL;
}

/*
 * The metrics path of /health and /disk (see fleet_cmd.h): the route
 * decided on the loop thread from the config alone, the twelve queries a
 * source on a worker (adapters/promql/fleet.c), the answer written by
 * fleet_report.c.
 */

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fleet.h"
#include "fleet_cmd.h"
#include "fleet_report.h"
#include "inventory.h"
#include "workers.h"
#include "xmalloc.h"

struct fleet_job {
	struct cmd_ctx		*ctx;
	const struct config	*cfg;	/* kept by the bot while ctx runs */
	char			*target;
	enum fleet_kind		 kind;
	struct fleet		 fleet;
	char			*cause;	/* no source answered */
	int64_t			 elapsed_ms;
};

int
fleet_wanted(struct cmd_ctx *ctx, const char *target)
{
	const struct config	*cfg = ctx->bot->cfg;
	const struct cfg_host	**hosts;
	const char		*via = args_get(&ctx->args, "via");
	size_t			 n;

	if (via != NULL && strcmp(via, "ssh") == 0)
		return 0;
	if (via != NULL && strcmp(via, "metrics") != 0) {
		cmd_refuse(ctx, "--via takes metrics or ssh, not %s", via);
		return -1;
	}
	if (via != NULL && cfg->nmetrics == 0) {
		cmd_refuse(ctx, "--via metrics: no metrics_sources in the "
		    "config (docs/metrics.md)");
		return -1;
	}
	if (via != NULL || cfg->nmetrics == 0)
		return via != NULL;
	/* A host or a tag of hosts[] stays on ssh; "all" is the fleet's. */
	if (strcmp(target, "all") == 0)
		return 1;
	if (inventory_resolve(cfg, target, &hosts, &n, NULL) == 0) {
		free(hosts);
		return 0;
	}
	return 1;
}

static int64_t
fleet_mono_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Worker thread: every source's queries. */
static void
fleet_job_work(void *arg)
{
	struct fleet_job	*j = arg;
	int64_t			 t0 = fleet_mono_ms();

	(void)fleet_query(j->cfg, j->target, &j->fleet, &j->cause);
	j->elapsed_ms = fleet_mono_ms() - t0;
}

/* Loop thread: the answer. */
static void
fleet_job_done(void *arg, enum workers_status st)
{
	struct fleet_job	*j = arg;
	struct cmd_ctx		*ctx = j->ctx;

	if (ctx->cancelled)
		;
	else if (st != WORKERS_DONE)
		cmd_error(ctx, "opsbot is shutting down; try again in a minute");
	else if (j->cause != NULL)
		cmd_error(ctx, "cannot ask the metrics sources: %s", j->cause);
	else
		fleet_report(ctx, j->target, j->kind, &j->fleet,
		    j->elapsed_ms);
	cmd_finish(ctx);
	fleet_free(&j->fleet);
	free(j->cause);
	free(j->target);
	free(j);
}

enum cmd_result
fleet_run(struct cmd_ctx *ctx, const char *target, enum fleet_kind kind)
{
	struct fleet_job	*j = xcalloc(1, sizeof *j);

	j->ctx = ctx;
	j->cfg = ctx->bot->cfg;
	j->target = xstrdup(target);
	j->kind = kind;
	if (workers_submit(ctx->bot->workers, fleet_job_work, fleet_job_done,
	    j) != 0) {
		free(j->target);
		free(j);
		cmd_error(ctx, "opsbot is shutting down; try again in a "
		    "minute");
		return CMD_ERROR;
	}
	return CMD_PENDING;
}

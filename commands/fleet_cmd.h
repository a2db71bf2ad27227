/*
 * /health and /disk over the fleet's metrics sources (docs/metrics.md):
 * which way a target goes (ssh or a PromQL engine), and the metrics
 * path itself: the queries on a worker, the answer on the loop thread in
 * the shape of the ssh path's (one line a host, worst first, details for
 * what is not OK; a summary for a large target).
 */
#ifndef OPSBOT_COMMANDS_FLEET_CMD_H
#define OPSBOT_COMMANDS_FLEET_CMD_H

#include "bot.h"

enum fleet_kind {
	FLEET_HEALTH,
	FLEET_DISK,
};

/* The --via option both commands take. */
#define FLEET_VIA_OPTION \
	{ "via", ARG_STRING, "metrics or ssh: ask the metrics sources, or the hosts over ssh (default: ssh for a host or tag of hosts[], metrics for all and for the sources' own hosts and tags)" }

/*
 * Does target go to the metrics sources? 1 yes, 0 no (ssh), or -1 after
 * refusing a bad --via on ctx.
 */
int	 fleet_wanted(struct cmd_ctx *, const char *target);
/* Runs kind over target's metrics-backed hosts (CMD_PENDING). */
enum cmd_result fleet_run(struct cmd_ctx *, const char *target,
	    enum fleet_kind);

#endif

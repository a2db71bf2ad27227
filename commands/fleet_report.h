/*
 * The answers of /health and /disk over metrics-backed hosts, from what
 * the sources said (struct fleet), against the same thresholds as the
 * ssh path: one entry a host, worst first; over fleet.summary_over
 * hosts, counts per state and the worst fleet.worst hosts.
 */
#ifndef OPSBOT_COMMANDS_FLEET_REPORT_H
#define OPSBOT_COMMANDS_FLEET_REPORT_H

#include <stdint.h>

#include "bot.h"
#include "fleet.h"
#include "fleet_cmd.h"
#include "health.h"

/* Loop thread: writes the answer to ctx (not finished here). */
void	 fleet_report(struct cmd_ctx *, const char *target, enum fleet_kind,
	    const struct fleet *, int64_t elapsed_ms);

/*
 * What /health says of a metrics-backed host, as the ssh path's findings
 * (keys "reachable", "load", "memory", "disk:/var", "service:app"), for
 * the answer and for the own checks. Release with
 * health_findings_release.
 */
void	 fleet_health_findings(const struct config *, const struct fleet_host *,
	    struct health_findings *out);

/*
 * Keeps each host's state and /health line for the web page (host_state,
 * in one transaction; a failed write is logged), but with skip_inventory
 * not the hosts of hosts[] (the own checks keep what ssh said of them).
 * Loop thread.
 */
void	 fleet_record(struct bot *, const struct fleet *, int skip_inventory);

#endif

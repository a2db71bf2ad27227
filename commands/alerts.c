/*
 * /alerts: what is on fire now. Open alerts worst first, with their id
 * for /ack, how long they have fired, and who acknowledged them.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert_util.h"
#include "alerts.h"
#include "bot.h"
#include "clock.h"

#define ALERTS_LIST_MAX	40

static enum cmd_result cmd_alerts_exec(struct cmd_ctx *);

const struct cmd_entry cmd_alerts_entry = {
	.name = "alerts",
	.alias = NULL,
	.synopsis = "[open | critical | HOST]",
	.help = "Lists alerts not resolved, worst first: all of them, only those nobody acknowledged (open), only critical ones, or those of one host.",
	.args = { .options = NULL, .min = 0, .max = 1 },
	.min_role = ROLE_VIEWER,
	.flags = CMD_READS_ONLY,
	.exec = cmd_alerts_exec,
};

static int
cmd_alerts_wanted(const struct alert *a, const char *filter)
{
	const char	*host, *inst;

	if (a->state == ALERT_RESOLVED)
		return 0;
	if (filter == NULL)
		return 1;
	if (strcmp(filter, "open") == 0)
		return a->state == ALERT_FIRING;
	if (strcmp(filter, "critical") == 0)
		return alert_severity_rank(labels_get(&a->labels,
		    "severity")) == 0;
	host = labels_get(&a->labels, "host");
	inst = labels_get(&a->labels, "instance");
	return (host != NULL && strcmp(host, filter) == 0) ||
	    (inst != NULL && strncmp(inst, filter, strlen(filter)) == 0 &&
	    (inst[strlen(filter)] == '\0' || inst[strlen(filter)] == ':'));
}

/*
 * Nothing matched the filter. "Nothing is firing" only when it is true:
 * acknowledged and silenced alerts still fire, and are counted by state.
 */
static enum cmd_result
cmd_alerts_none(struct cmd_ctx *ctx, struct alerts *al, const char *filter)
{
	const struct alert	*a;
	int			 by[4] = { 0, 0, 0, 0 }, total = 0;

	for (a = alerts_first(al); a != NULL; a = a->next) {
		if (a->state != ALERT_RESOLVED) {
			by[a->state]++;
			total++;
		}
	}
	cmd_title(ctx, total > 0 ? MESSAGE_INFO : MESSAGE_OK, "No alerts%s%s",
	    filter != NULL ? " matching " : "", filter != NULL ? filter : "");
	if (total == 0) {
		cmd_reply(ctx, "Nothing is firing.");
		return CMD_DONE;
	}
	cmd_reply(ctx, "%d alert(s) firing: %d unacknowledged, %d "
	    "acknowledged, %d silenced (/alerts lists them all).", total,
	    by[ALERT_FIRING], by[ALERT_ACKED], by[ALERT_SILENCED]);
	return CMD_DONE;
}

static enum cmd_result
cmd_alerts_exec(struct cmd_ctx *ctx)
{
	struct alerts		*al = alert_engine(ctx);
	const char		*filter = args_pos(&ctx->args, 0);
	const struct alert	*a;
	const char		*summary, *host;
	char			 age[32];
	int64_t			 now = clock_now_ms();
	int			 rank, n = 0, shown = 0, crit = 0;

	if (al == NULL)
		return CMD_ERROR;
	for (rank = 0; rank < 3; rank++) {
		for (a = alerts_first(al); a != NULL; a = a->next) {
			if (!cmd_alerts_wanted(a, filter) ||
			    alert_severity_rank(labels_get(&a->labels,
			    "severity")) != rank)
				continue;
			n++;
			crit += rank == 0;
			if (shown >= ALERTS_LIST_MAX)
				continue;
			shown++;
			duration_format((now - alert_since_ms(a, now)) / 1000, age,
			    sizeof age);
			summary = a->summary;
			host = labels_get(&a->labels, "host");
			if (host == NULL)
				host = labels_get(&a->labels, "instance");
			cmd_reply(ctx, "#%lld %-8s %s%s%s %s for %s%s%s%s%s\n",
			    (long long)a->id, labels_get(&a->labels,
			    "severity") != NULL ? labels_get(&a->labels,
			    "severity") : "-", labels_get(&a->labels,
			    "alertname"), host != NULL ? " on " : "",
			    host != NULL ? host : "", alert_state_name(a->state),
			    age, a->acked_by != NULL && a->state == ALERT_ACKED ?
			    " by " : "", a->acked_by != NULL && a->state ==
			    ALERT_ACKED ? a->acked_by : "", summary != NULL ?
			    " — " : "", summary != NULL ? summary : "");
		}
	}
	if (n == 0)
		return cmd_alerts_none(ctx, al, filter);
	if (shown < n)
		cmd_reply(ctx, "… and %d more\n", n - shown);
	cmd_title(ctx, crit > 0 ? MESSAGE_CRIT : MESSAGE_WARN, "%d alert(s)%s%s",
	    n, filter != NULL ? ": " : "", filter != NULL ? filter : "");
	return CMD_DONE;
}

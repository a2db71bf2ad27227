/*
 * /resolve ID... [NOTE]: closes alerts by hand, e.g. a generic alert
 * from a script that will never send its resolution.
 */

#include "alert_util.h"
#include "alerts.h"
#include "bot.h"

static enum cmd_result cmd_resolve_exec(struct cmd_ctx *);

const struct cmd_entry cmd_resolve_entry = {
	.name = "resolve",
	.alias = NULL,
	.synopsis = "ID... [NOTE]",
	.help = "Resolves alerts by hand (their message turns green); if the source fires them again they open again.",
	.args = { .options = NULL, .min = 1, .max = -1 },
	.min_role = ROLE_OPERATOR,
	.flags = 0,
	.exec = cmd_resolve_exec,
};

static enum cmd_result
cmd_resolve_exec(struct cmd_ctx *ctx)
{
	return cmd_alert_ids_apply(ctx, "resolved", alerts_resolve);
}

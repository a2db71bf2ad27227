/* /unsilence ID: ends a silence now; its alerts that still fire show. */

#include <stdlib.h>

#include "alert_util.h"
#include "alerts.h"
#include "bot.h"

static enum cmd_result cmd_unsilence_exec(struct cmd_ctx *);

const struct cmd_entry cmd_unsilence_entry = {
	.name = "unsilence",
	.alias = NULL,
	.synopsis = "ID",
	.help = "Ends a silence now (ids from /silences); alerts it covered that still fire are shown again.",
	.args = { .options = NULL, .min = 1, .max = 1 },
	.min_role = ROLE_OPERATOR,
	.flags = 0,
	.exec = cmd_unsilence_exec,
};

static enum cmd_result
cmd_unsilence_exec(struct cmd_ctx *ctx)
{
	struct alerts	*al = alert_engine(ctx);
	char		 who[160], *cause = NULL;
	int64_t		 id = alert_id_parse(args_pos(&ctx->args, 0));

	if (al == NULL)
		return CMD_ERROR;
	if (id < 0) {
		cmd_error(ctx, "\"%s\" is not a silence id (see /silences)",
		    args_pos(&ctx->args, 0));
		return CMD_ERROR;
	}
	alert_actor(ctx, who, sizeof who);
	if (alerts_unsilence(al, id, who, &cause) != 0) {
		cmd_error(ctx, "%s", cause);
		free(cause);
		return CMD_ERROR;
	}
	cmd_reply(ctx, "Silence #%lld ended by %s.", (long long)id, who);
	return CMD_DONE;
}

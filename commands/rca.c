/*
 * /rca [ID]: an incident's RCA draft (Markdown) again: the one kept when
 * it closed, or for an open one the draft as it would be now. In an
 * incident's thread the id is implied.
 */

#include <stdlib.h>

#include "alert_util.h"
#include "bot.h"
#include "incidents.h"
#include "incidents_int.h"

static enum cmd_result cmd_rca_exec(struct cmd_ctx *);

const struct cmd_entry cmd_rca_entry = {
	.name = "rca",
	.alias = NULL,
	.synopsis = "[ID]",
	.help = "Shows an incident's RCA draft in Markdown: the one kept when it closed, or the draft so far of an open one.",
	.args = { .options = NULL, .min = 0, .max = 1 },
	.min_role = ROLE_VIEWER,
	.flags = 0,
	.exec = cmd_rca_exec,
};

static enum cmd_result
cmd_rca_exec(struct cmd_ctx *ctx)
{
	struct incident_info	 inc;
	const char		*arg = args_pos(&ctx->args, 0);
	char			*md = NULL, *cause = NULL;
	int64_t			 id = 0;
	int			 rc;

	if (arg != NULL && (id = alert_id_parse(arg)) < 0) {
		cmd_refuse(ctx, "\"%s\" is not an incident id (see %sincident)",
		    arg, cmd_prefix(ctx, "incident"));
		return CMD_ERROR;
	}
	if (arg == NULL) {
		rc = incident_info_by_thread(ctx->bot->store,
		    ctx->origin.platform, ctx->origin.channel,
		    ctx->origin.thread, &inc, &cause);
		if (rc <= 0) {
			if (rc < 0)
				free(cause);
			cmd_refuse(ctx, "which incident? %srca ID (%sincident "
			    "lists the open ones)", cmd_prefix(ctx, "rca"),
			    cmd_prefix(ctx, "incident"));
			return CMD_ERROR;
		}
		id = inc.id;
		incident_info_release(&inc);
	}
	if (incident_rca(ctx->bot->store, id, &md, &cause) != 0) {
		cmd_refuse(ctx, "%s", cause);
		free(cause);
		return CMD_ERROR;
	}
	cmd_title(ctx, MESSAGE_INFO, "RCA draft, incident #%lld",
	    (long long)id);
	cmd_reply(ctx, "%s", md);
	free(md);
	return CMD_DONE;
}

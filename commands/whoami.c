/*
 * /whoami tells people how the bot sees them: platform, id, roles and
 * what they may run. Open to anyone, so a newcomer can give an admin the
 * exact id to put in the config.
 */

#include "bot.h"

static enum cmd_result cmd_whoami_exec(struct cmd_ctx *);

const struct cmd_entry cmd_whoami_entry = {
	.name = "whoami",
	.alias = NULL,
	.synopsis = "",
	.help = "Shows your platform, user id, roles and the commands you may run.",
	.args = { .options = NULL, .min = 0, .max = 0 },
	.min_role = ROLE_ANYONE,
	.flags = CMD_PRIVATE | CMD_READS_ONLY,
	.exec = cmd_whoami_exec,
};

static enum cmd_result
cmd_whoami_exec(struct cmd_ctx *ctx)
{
	const struct cmd_entry *const	*t = ctx->bot->cmds;
	const struct chat_origin	*o = &ctx->origin;
	struct buf			 b;
	size_t				 i;
	int				 n = 0;

	buf_init(&b);
	rbac_user_describe(&ctx->user, &b);
	cmd_reply(ctx, "platform: %s\nuser: %s (id %s)\nchannel: %s\n"
	    "roles: %s\nyou may run:", o->platform,
	    o->user_name != NULL ? o->user_name : "-",
	    o->user_id != NULL ? o->user_id : "-",
	    o->channel != NULL ? o->channel : "-", b.data);
	/* The list is built whole, then added once: no format per name. */
	buf_clear(&b);
	for (i = 0; t[i] != NULL; i++) {
		if (rbac_allows(ctx->bot->rbac, &ctx->user, t[i])) {
			buf_adds(&b, n++ == 0 ? " /" : ", /");
			buf_adds(&b, t[i]->name);
		}
	}
	cmd_reply(ctx, "%s", b.data);
	buf_release(&b);
	return CMD_DONE;
}

/*
 * /help lists the commands; /help CMD explains one. Both are generated
 * from the command table, so help can never describe a command that is
 * not there.
 */

#include <stdio.h>
#include <string.h>

#include "bot.h"

static enum cmd_result cmd_help_exec(struct cmd_ctx *);

const struct cmd_entry cmd_help_entry = {
	.name = "help",
	.alias = NULL,
	.synopsis = "[COMMAND]",
	.help = "Lists the commands, or explains one.",
	.args = { .options = NULL, .min = 0, .max = 1 },
	.min_role = ROLE_ANYONE,
	.flags = 0,
	.exec = cmd_help_exec,
};

/* The help text up to its first full stop, for the list. */
static int
cmd_help_first_sentence(const char *help)
{
	const char	*dot = strstr(help, ". ");

	return dot != NULL ? (int)(dot - help + 1) : (int)strlen(help);
}

static void
cmd_help_list(struct cmd_ctx *ctx)
{
	const struct cmd_entry *const	*t = ctx->bot->cmds;
	char				 usage[96];
	struct buf			 roles;
	size_t				 i;

	cmd_reply(ctx, "%s commands (%shelp COMMAND for details):\n",
	    ctx->bot->cfg->bot.name, cmd_prefix(ctx, "help"));
	for (i = 0; t[i] != NULL; i++) {
		snprintf(usage, sizeof usage, "%s%s%s%s",
		    cmd_prefix(ctx, t[i]->name), t[i]->name,
		    *t[i]->synopsis != '\0' ? " " : "", t[i]->synopsis);
		cmd_reply(ctx, "  %-24s %.*s", usage,
		    cmd_help_first_sentence(t[i]->help), t[i]->help);
		if (!rbac_allows(ctx->bot->rbac, &ctx->user, t[i])) {
			buf_init(&roles);
			rbac_roles_granting(ctx->bot->rbac, t[i], &roles);
			cmd_reply(ctx, " (needs %s)", roles.data);
			buf_release(&roles);
		}
		cmd_reply(ctx, "\n");
	}
}

static void
cmd_help_one(struct cmd_ctx *ctx, const struct cmd_entry *e)
{
	const struct arg_option	*o;
	struct buf		 b;

	cmd_reply(ctx, "usage: %s%s%s%s\n%s\n", cmd_prefix(ctx, e->name),
	    e->name,
	    *e->synopsis != '\0' ? " " : "", e->synopsis, e->help);
	for (o = e->args.options; o != NULL && o->name != NULL; o++)
		cmd_reply(ctx, "  --%-12s %s\n", o->name, o->help);
	if (e->alias != NULL)
		cmd_reply(ctx, "alias: %s%s\n", cmd_prefix(ctx, e->alias),
		    e->alias);
	if (e->flags & CMD_TOUCHES_HOSTS)
		cmd_reply(ctx, "runs on inventory hosts\n");
	if (e->flags & CMD_NEEDS_CONFIRM)
		cmd_reply(ctx, "changes things: needs --confirm\n");
	buf_init(&b);
	if (e->min_role == ROLE_ANYONE)
		buf_adds(&b, "anyone");
	else
		rbac_roles_granting(ctx->bot->rbac, e, &b);
	cmd_reply(ctx, "who may run it: %s%s", b.data,
	    rbac_allows(ctx->bot->rbac, &ctx->user, e) ? " (you may)" :
	    " (you may not)");
	buf_release(&b);
}

static enum cmd_result
cmd_help_exec(struct cmd_ctx *ctx)
{
	const char		*name = args_pos(&ctx->args, 0);
	const struct cmd_entry	*e;
	const char		*hint;

	if (name == NULL) {
		cmd_help_list(ctx);
		return CMD_DONE;
	}
	if (*name == '/')
		name++;
	if ((e = cmd_find(ctx->bot->cmds, name)) == NULL) {
		hint = cmd_suggest(ctx->bot->cmds, name);
		if (hint != NULL)
			cmd_error(ctx, "unknown command %s%s — did you mean "
			    "%s%s?", cmd_prefix(ctx, name), name,
			    cmd_prefix(ctx, hint), hint);
		else
			cmd_error(ctx, "unknown command %s%s — type %shelp for "
			    "the list", cmd_prefix(ctx, name), name,
			    cmd_prefix(ctx, "help"));
		return CMD_ERROR;
	}
	cmd_help_one(ctx, e);
	return CMD_DONE;
}

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
	.flags = CMD_PRIVATE | CMD_READS_ONLY,
	.exec = cmd_help_exec,
};

/*
 * Everything /help writes fits HELP_WIDTH columns: Slack shows it in a
 * code block, which scrolls sideways rather than wrap, and a terminal
 * wraps mid-word. The list's descriptions start at HELP_COLUMN.
 */
#define HELP_WIDTH	80
#define HELP_USAGE	24
#define HELP_COLUMN	(2 + HELP_USAGE + 1)

/* Columns n bytes of UTF-8 take (one per character; "—" is one). */
static int
cmd_help_columns(const char *s, size_t n)
{
	int	 w = 0;
	size_t	 i;

	for (i = 0; i < n; i++) {
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			w++;
	}
	return w;
}

/*
 * Appends len bytes of text word by word from column col, starting a new
 * line at column indent where the next word would pass HELP_WIDTH.
 * Returns the column it ends at.
 */
static int
cmd_help_wrap(struct cmd_ctx *ctx, const char *text, size_t len, int col,
    int indent)
{
	const char	*p = text, *end = text + len, *sp;
	size_t		 n;
	int		 w, first = 1;

	while (p < end) {
		while (p < end && *p == ' ')
			p++;
		if (p == end)
			break;
		sp = memchr(p, ' ', (size_t)(end - p));
		n = sp != NULL ? (size_t)(sp - p) : (size_t)(end - p);
		w = cmd_help_columns(p, n);
		if (!first || col > indent) {
			if (col + 1 + w > HELP_WIDTH && col > indent) {
				cmd_reply(ctx, "\n%*s", indent, "");
				col = indent;
			} else {
				cmd_reply(ctx, " ");
				col++;
			}
		}
		cmd_reply(ctx, "%.*s", (int)n, p);
		col += w;
		first = 0;
		p += n;
	}
	return col;
}

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
	char				 usage[128];
	struct buf			 roles;
	size_t				 i;
	int				 col;

	cmd_reply(ctx, "%s commands (%shelp COMMAND for details):\n",
	    ctx->bot->cfg->bot.name, cmd_prefix(ctx, "help"));
	for (i = 0; t[i] != NULL; i++) {
		snprintf(usage, sizeof usage, "%s%s%s%s",
		    cmd_prefix(ctx, t[i]->name), t[i]->name,
		    *t[i]->synopsis != '\0' ? " " : "", t[i]->synopsis);
		/* A long usage takes its own line; the text goes under. */
		if (strlen(usage) > HELP_USAGE)
			cmd_reply(ctx, "  %s\n%*s", usage, HELP_COLUMN, "");
		else
			cmd_reply(ctx, "  %-*s ", HELP_USAGE, usage);
		col = cmd_help_wrap(ctx, t[i]->help,
		    (size_t)cmd_help_first_sentence(t[i]->help), HELP_COLUMN,
		    HELP_COLUMN);
		if (!rbac_allows(ctx->bot->rbac, &ctx->user, t[i])) {
			buf_init(&roles);
			buf_adds(&roles, "(needs ");
			rbac_roles_granting(ctx->bot->rbac, t[i], &roles);
			buf_adds(&roles, ")");
			cmd_help_wrap(ctx, roles.data, roles.len, col,
			    HELP_COLUMN);
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

	cmd_reply(ctx, "usage: %s%s%s%s\n", cmd_prefix(ctx, e->name),
	    e->name, *e->synopsis != '\0' ? " " : "", e->synopsis);
	cmd_help_wrap(ctx, e->help, strlen(e->help), 0, 0);
	cmd_reply(ctx, "\n");
	for (o = e->args.options; o != NULL && o->name != NULL; o++) {
		cmd_reply(ctx, "  --%-12s ", o->name);
		cmd_help_wrap(ctx, o->help, strlen(o->help), 2 + 2 + 12 + 1,
		    2 + 2 + 12 + 1);
		cmd_reply(ctx, "\n");
	}
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

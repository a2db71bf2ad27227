/*
 * /ack ID... [NOTE]: "I am on it". The alerts stop reminding, their chat
 * message shows who took them, and the timeline keeps the note.
 */

#include <stdlib.h>

#include "alert_util.h"
#include "xmalloc.h"
#include "alerts.h"
#include "bot.h"

static enum cmd_result cmd_ack_exec(struct cmd_ctx *);

const struct cmd_entry cmd_ack_entry = {
	.name = "ack",
	.alias = NULL,
	.synopsis = "ID... [NOTE]",
	.help = "Acknowledges alerts by id (from /alerts or the alert message): reminders stop and the message shows who took them.",
	.args = { .options = NULL, .min = 1, .max = -1 },
	.min_role = ROLE_OPERATOR,
	.flags = 0,
	.exec = cmd_ack_exec,
};

int
cmd_alert_ids_apply(struct cmd_ctx *ctx, const char *verb,
    int (*fn)(struct alerts *, int64_t, const char *, const char *,
    const char *, char **))
{
	struct alerts	*al = alert_engine(ctx);
	char		 who[160], *note, *cause = NULL, *ref = NULL;
	int		 i, ok = 0, bad = 0;
	int64_t		 id;

	if (al == NULL)
		return CMD_ERROR;
	for (i = 0; i < ctx->args.npos; i++) {
		if (alert_id_parse(ctx->args.pos[i]) < 0)
			break;
	}
	if (i == 0) {
		cmd_error(ctx, "\"%s\" is not an alert id; ids look like 42 or "
		    "#42 (see /alerts)", ctx->args.pos[0]);
		return CMD_ERROR;
	}
	note = alert_rest(ctx, i);
	alert_actor(ctx, who, sizeof who);
	if (ctx->origin.user_id != NULL)
		xasprintf(&ref, "%s:%s", ctx->origin.platform,
		    ctx->origin.user_id);
	for (int j = 0; j < i; j++) {
		id = alert_id_parse(ctx->args.pos[j]);
		if (fn(al, id, who, ref, note, &cause) != 0) {
			cmd_reply(ctx, "#%lld: %s\n", (long long)id, cause);
			free(cause);
			cause = NULL;
			bad++;
		} else {
			cmd_reply(ctx, "#%lld %s by %s\n", (long long)id, verb,
			    who);
			ok++;
		}
	}
	free(note);
	free(ref);
	if (bad > 0 && ok == 0) {
		cmd_status(ctx, MESSAGE_CRIT);
		ctx->outcome = "error";
		return CMD_ERROR;
	}
	/*
	 * The channel sees it already: the alert message updates in place
	 * and its thread notes who did it. A visible answer on top would be
	 * a new top-level message per click.
	 */
	if (bad == 0)
		cmd_private(ctx);
	cmd_status(ctx, bad > 0 ? MESSAGE_WARN : MESSAGE_OK);
	return CMD_DONE;
}

static enum cmd_result
cmd_ack_exec(struct cmd_ctx *ctx)
{
	return cmd_alert_ids_apply(ctx, "acknowledged", alerts_ack);
}

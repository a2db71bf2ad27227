/*
 * /unsilence ID: ends a silence now; its alerts that still fire show. A
 * silence copied to Alertmanager is expired there too (silence_am.c).
 */

#include <stdlib.h>

#include "alert_util.h"
#include "alerts.h"
#include "bot.h"
#include "silence_am.h"
#include "xmalloc.h"

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
	char		 who[160], *cause = NULL, *api = NULL, *rid = NULL;
	const struct silence *s;
	enum cmd_result	 rc = CMD_DONE;
	int64_t		 id = alert_id_parse(args_pos(&ctx->args, 0));

	if (al == NULL)
		return CMD_ERROR;
	if (id < 0) {
		cmd_error(ctx, "\"%s\" is not a silence id (see /silences)",
		    args_pos(&ctx->args, 0));
		return CMD_ERROR;
	}
	alert_actor(ctx, who, sizeof who);
	/* Its Alertmanager copy, kept before the silence is freed. */
	for (s = alerts_silences(al); s != NULL && s->id != id; s = s->next)
		;
	if (s != NULL && s->remote_url != NULL && s->remote_id != NULL) {
		api = xstrdup(s->remote_url);
		rid = xstrdup(s->remote_id);
	}
	if (alerts_unsilence(al, id, who, &cause) != 0) {
		cmd_error(ctx, "%s", cause);
		free(cause);
		free(api);
		free(rid);
		return CMD_ERROR;
	}
	cmd_reply(ctx, "Silence #%lld ended by %s.", (long long)id, who);
	if (api != NULL)
		rc = silence_am_expire(ctx, api, rid);
	free(api);
	free(rid);
	return rc;
}

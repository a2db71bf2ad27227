/* /silences: the silences in force, with their end and author. */

#include <stdlib.h>
#include <time.h>

#include "alert_util.h"
#include "alerts.h"
#include "bot.h"

static enum cmd_result cmd_silences_exec(struct cmd_ctx *);

const struct cmd_entry cmd_silences_entry = {
	.name = "silences",
	.alias = NULL,
	.synopsis = "",
	.help = "Lists the silences in force: what they match, until when, who set them and why.",
	.args = { .options = NULL, .min = 0, .max = 0 },
	.min_role = ROLE_VIEWER,
	.flags = CMD_READS_ONLY,
	.exec = cmd_silences_exec,
};

static enum cmd_result
cmd_silences_exec(struct cmd_ctx *ctx)
{
	struct alerts		*al = alert_engine(ctx);
	const struct silence	*s;
	char			 until[64], *text;
	time_t			 t;
	struct tm		 tm;
	int			 n = 0;

	if (al == NULL)
		return CMD_ERROR;
	for (s = alerts_silences(al); s != NULL; s = s->next) {
		t = (time_t)(s->ends_ms / 1000);
		gmtime_r(&t, &tm);
		strftime(until, sizeof until, "%Y-%m-%d %H:%M UTC", &tm);
		text = matchers_to_text(&s->matchers);
		cmd_reply(ctx, "#%lld %s until %s, by %s%s%s%s\n",
		    (long long)s->id, text, until, s->author,
		    *s->reason != '\0' ? ": " : "", s->reason,
		    s->remote_id != NULL ? " (also in Alertmanager)" : "");
		free(text);
		n++;
	}
	if (n == 0)
		cmd_reply(ctx, "No silences.");
	return CMD_DONE;
}

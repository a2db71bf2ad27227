/*
 * /silence MATCHERS DURATION [REASON]: mutes matching alerts, those
 * firing now and those to come, until it expires on its own; with
 * alerts.alertmanager_api_url, in Alertmanager too (silence_am.c).
 *   /silence alertname=DiskFull host=~"db-0[12]" 2h disk being grown
 */

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alert_util.h"
#include "alerts.h"
#include "bot.h"
#include "am_silence.h"
#include "clock.h"
#include "silence_am.h"
#include "redact.h"

#define SILENCE_MAX_S	(30 * 24 * 3600)

static enum cmd_result cmd_silence_exec(struct cmd_ctx *);

const struct cmd_entry cmd_silence_entry = {
	.name = "silence",
	.alias = NULL,
	.synopsis = "MATCHER... DURATION [REASON]",
	.help = "Silences alerts whose labels match (name=value, name!=value, name=~regex, name!~regex) for a duration like 2h; it ends by itself.",
	.args = { .options = NULL, .min = 2, .max = -1 },
	.min_role = ROLE_OPERATOR,
	.flags = 0,
	.exec = cmd_silence_exec,
};

static enum cmd_result
cmd_silence_exec(struct cmd_ctx *ctx)
{
	struct alerts	*al = alert_engine(ctx);
	struct matchers	 m;
	char		 who[160], until[64], *cause = NULL, *reason, *text;
	char		*am_body = NULL;
	enum cmd_result	 rc;
	int		 n;
	int64_t		 secs, id;
	size_t		 count = 0;
	time_t		 t;
	struct tm	 tm;

	if (al == NULL)
		return CMD_ERROR;
	memset(&m, 0, sizeof m);
	n = matchers_parse_words((char *const *)ctx->args.pos,
	    (size_t)ctx->args.npos, &m, &cause);
	if (n < 0) {
		cmd_error(ctx, "%s", cause);
		free(cause);
		return CMD_ERROR;
	}
	if (n == 0) {
		cmd_error(ctx, "start with what to silence, e.g. "
		    "alertname=DiskFull host=db-01 (then a duration like 2h)");
		return CMD_ERROR;
	}
	if (n >= ctx->args.npos) {
		matchers_release(&m);
		cmd_error(ctx, "how long? add a duration after the matchers, "
		    "e.g. 2h or 30m");
		return CMD_ERROR;
	}
	if (duration_parse(ctx->args.pos[n], &secs, &cause) != 0 ||
	    secs <= 0 || secs > SILENCE_MAX_S) {
		matchers_release(&m);
		cmd_error(ctx, "\"%s\" is not a duration of at most 30d (%s)",
		    ctx->args.pos[n], cause != NULL ? cause : "e.g. 2h");
		free(cause);
		return CMD_ERROR;
	}
	reason = alert_rest(ctx, n + 1);
	/* Stored and shown in every /silences: no typed secret in it. */
	if (reason != NULL) {
		char *clean = redact_text(reason);

		free(reason);
		reason = clean;
	}
	text = matchers_to_text(&m);
	alert_actor(ctx, who, sizeof who);
	/* Built now: alerts_silence takes the matchers. */
	if (silence_am_wanted(ctx, &m))
		am_body = am_silence_body(&m, clock_now_ms(), clock_now_ms() +
		    secs * 1000, who, reason);
	id = alerts_silence(al, &m, secs, who, reason, &count, &cause);
	matchers_release(&m);
	if (id < 0) {
		cmd_error(ctx, "cannot silence: %s", cause);
		free(cause);
		free(reason);
		free(text);
		free(am_body);
		return CMD_ERROR;
	}
	t = (time_t)((clock_now_ms() + secs * 1000) / 1000);
	gmtime_r(&t, &tm);
	strftime(until, sizeof until, "%Y-%m-%d %H:%M UTC", &tm);
	cmd_title(ctx, MESSAGE_INFO, "Silence #%lld until %s", (long long)id,
	    until);
	cmd_reply(ctx, "%s — by %s%s%s; %zu alert(s) silenced now. "
	    "/unsilence %lld ends it early.", text, who, reason != NULL ?
	    ": " : "", reason != NULL ? reason : "", count, (long long)id);
	free(reason);
	free(text);
	if (am_body != NULL) {
		rc = silence_am_create(ctx, id, am_body);
		free(am_body);
		return rc;
	}
	return CMD_DONE;
}

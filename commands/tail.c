/*
 * /tail HOST LOG [PATTERN] [--for DURATION]: follows a named log (one of
 * the host's "logs", never a path typed in chat) into a thread, where
 * one message shows the newest lines, redacted, updated about once a
 * second, until the time is up or someone stops it. /tail lists the
 * running tails; /tail stop [ID] ends one (in its thread, no ID needed).
 * Each holds a process and an ssh connection, so they are counted
 * (tail.max_running, tail.max_per_user).
 */

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inventory.h"
#include "regex_guard.h"
#include "remote.h"
#include "tail.h"
#include "xmalloc.h"

static enum cmd_result cmd_tail_exec(struct cmd_ctx *);

static const struct arg_option cmd_tail_options[] = {
	{ "for", ARG_DURATION, "how long (default tail.default_duration, "
	    "5m; at most tail.max_duration)" },
	{ "regex", ARG_BOOL, "PATTERN is a POSIX extended regex, not plain "
	    "text" },
	{ NULL, 0, NULL },
};

const struct cmd_entry cmd_tail_entry = {
	.name = "tail",
	.alias = NULL,
	.synopsis = "HOST LOG [PATTERN] [--regex] [--for DURATION] | stop [ID]",
	.help = "Follows a named log live in a thread (only lines containing PATTERN: plain text, or an extended regex with --regex), one message updated about once a second; secrets are redacted. `/tail` lists the running tails, `/tail stop [ID]` ends one.",
	.args = { .options = cmd_tail_options, .min = 0, .max = 3 },
	.min_role = ROLE_OPERATOR,
	.flags = 0,
	.exec = cmd_tail_exec,
};

/*
 * Who stops t, by name: a mention carries only the user's id, but the
 * slash command that started the tail may have named the same person.
 */
static const char *
tail_who(const struct cmd_ctx *ctx, const struct tail *t)
{
	if (ctx->origin.user_name != NULL)
		return ctx->origin.user_name;
	if (ctx->origin.user_id == NULL)
		return "?";
	if (t->user_name != NULL && strcmp(t->platform,
	    ctx->origin.platform) == 0 && strcmp(t->user_id,
	    ctx->origin.user_id) == 0)
		return t->user_name;
	return ctx->origin.user_id;
}

static enum cmd_result
tail_list(struct cmd_ctx *ctx, struct tails *ts)
{
	struct tail	*t;

	if (ts->nrunning == 0) {
		cmd_reply(ctx, "No tail is running. Start one with "
		    "%stail HOST LOG [PATTERN] [--for DURATION].",
		    cmd_prefix(ctx, "tail"));
		return CMD_DONE;
	}
	cmd_reply(ctx, "%d tail%s running (at most %d):\n", ts->nrunning,
	    ts->nrunning == 1 ? "" : "s", ctx->bot->cfg->tail.max_running);
	TAILQ_FOREACH(t, &ts->running, link) {
		tail_describe(t, &ctx->reply);
		buf_addc(&ctx->reply, '\n');
	}
	return CMD_DONE;
}

static enum cmd_result
tail_stop(struct cmd_ctx *ctx, struct tails *ts)
{
	const char	*arg = args_pos(&ctx->args, 1);
	struct tail	*t = NULL, *it;
	char		*end, *why;
	long		 id;
	int		 mine = 0;

	if (args_pos(&ctx->args, 2) != NULL) {
		cmd_refuse(ctx, "usage: %stail stop [ID]",
		    cmd_prefix(ctx, "tail"));
		return CMD_ERROR;
	}
	if (arg != NULL) {
		id = strtol(arg, &end, 10);
		if (*arg == '\0' || *end != '\0' || id < 1 ||
		    (t = tail_by_id(ts, (int)id)) == NULL) {
			cmd_refuse(ctx, "no running tail %s; %stail lists them",
			    arg, cmd_prefix(ctx, "tail"));
			return CMD_ERROR;
		}
	} else if (ctx->origin.thread != NULL)
		t = tail_by_thread(ts, ctx->origin.platform,
		    ctx->origin.channel != NULL ? ctx->origin.channel : "",
		    ctx->origin.thread);
	if (t == NULL && arg == NULL) {
		/* No thread to go by: the asker's only tail, if one. */
		TAILQ_FOREACH(it, &ts->running, link) {
			if (strcmp(it->platform, ctx->origin.platform) == 0 &&
			    ctx->origin.user_id != NULL &&
			    strcmp(it->user_id, ctx->origin.user_id) == 0) {
				t = it;
				mine++;
			}
		}
		if (mine != 1) {
			cmd_refuse(ctx, "which tail? %stail stop ID (%stail "
			    "lists them), or %stail stop in its thread",
			    cmd_prefix(ctx, "tail"), cmd_prefix(ctx, "tail"),
			    cmd_prefix(ctx, "tail"));
			return CMD_ERROR;
		}
	}
	cmd_reply(ctx, "Stopped tail %d (%s %s).", t->id, t->host->name,
	    t->log);
	xasprintf(&why, "stopped by %s", tail_who(ctx, t));
	tail_end(t, why);
	free(why);
	return CMD_DONE;
}

/*
 * A regex typed in chat runs in grep on a production host: it must be
 * cheap (regex_guard, as /silence's matchers) and compile here first, so
 * a mistake is refused in chat rather than ending the tail at once.
 */
static int
tail_check_regex(struct cmd_ctx *ctx, const char *re)
{
	const char	*why;
	regex_t		 rx;
	struct buf	 b;
	int		 rc;

	if (re == NULL) {
		cmd_refuse(ctx, "--regex needs a PATTERN");
		return -1;
	}
	if ((why = regex_guard_check(re)) != NULL) {
		cmd_refuse(ctx, "%s", why);
		return -1;
	}
	if ((rc = regcomp(&rx, re, REG_EXTENDED | REG_NOSUB)) != 0) {
		buf_init(&b);
		regex_guard_error(&b, rc, &rx);
		cmd_refuse(ctx, "%s", b.data);
		buf_release(&b);
		return -1;
	}
	regfree(&rx);
	return 0;
}

/* Refuses a tail over a limit, naming who runs the others. */
static enum cmd_result
tail_refuse_full(struct cmd_ctx *ctx, struct tails *ts, int per_user)
{
	const struct config	*cfg = ctx->bot->cfg;
	struct tail		*t;
	struct buf		 b;

	buf_init(&b);
	if (per_user)
		buf_addf(&b, "you already run %d tail%s (tail.max_per_user): ",
		    cfg->tail.max_per_user, cfg->tail.max_per_user == 1 ?
		    "" : "s");
	else
		buf_addf(&b, "%d tails are running, the most at once "
		    "(tail.max_running): ", ts->nrunning);
	TAILQ_FOREACH(t, &ts->running, link) {
		if (per_user && (strcmp(t->platform, ctx->origin.platform) != 0 ||
		    strcmp(t->user_id, ctx->origin.user_id) != 0))
			continue;
		buf_adds(&b, "\n");
		tail_describe(t, &b);
	}
	buf_addf(&b, "\nStop one with %stail stop ID.",
	    cmd_prefix(ctx, "tail"));
	cmd_refuse(ctx, "%s", b.data);
	buf_release(&b);
	return CMD_ERROR;
}

static enum cmd_result
cmd_tail_exec(struct cmd_ctx *ctx)
{
	const struct config	*cfg = ctx->bot->cfg;
	struct tails		*ts = ctx->bot->tails;
	const struct cfg_host	*h;
	const struct cfg_log	*log;
	struct tail_spec	 sp;
	struct tail		*t;
	const char		*first = args_pos(&ctx->args, 0);
	char			*cause = NULL;

	if (ts == NULL) {
		cmd_error(ctx, "live tails are not available in this bot");
		return CMD_ERROR;
	}
	if (first == NULL)
		return tail_list(ctx, ts);
	if (strcmp(first, "stop") == 0)
		return tail_stop(ctx, ts);
	if (args_pos(&ctx->args, 1) == NULL) {
		cmd_refuse(ctx, "usage: %stail HOST LOG [PATTERN] "
		    "[--for DURATION]", cmd_prefix(ctx, "tail"));
		return CMD_ERROR;
	}
	if ((h = remote_host_arg(ctx, 0)) == NULL)
		return CMD_ERROR;
	if ((log = config_find_log(h, args_pos(&ctx->args, 1))) == NULL)
		return remote_refuse_unknown(ctx, "log", args_pos(&ctx->args, 1),
		    h, h->nlogs > 0 ? &h->logs[0].name : NULL, h->nlogs,
		    sizeof *h->logs, "none (add \"logs\" to the host)");
	memset(&sp, 0, sizeof sp);
	sp.host = h;
	sp.log = log->name;
	sp.path = log->path;
	sp.pattern = args_pos(&ctx->args, 2);
	if (sp.pattern != NULL && *sp.pattern == '\0') {
		cmd_refuse(ctx, "the pattern is empty");
		return CMD_ERROR;
	}
	sp.regex = args_has(&ctx->args, "regex");
	if (sp.regex && tail_check_regex(ctx, sp.pattern) != 0)
		return CMD_ERROR;
	sp.duration_s = args_get_num(&ctx->args, "for", cfg->tail.default_s);
	if (sp.duration_s < 1 || sp.duration_s > cfg->tail.max_s) {
		cmd_refuse(ctx, "--for must be 1s to %llds (tail.max_duration)",
		    (long long)cfg->tail.max_s);
		return CMD_ERROR;
	}
	if (ts->nrunning >= cfg->tail.max_running)
		return tail_refuse_full(ctx, ts, 0);
	if (ctx->origin.user_id != NULL && tail_count_user(ts,
	    ctx->origin.platform, ctx->origin.user_id) >=
	    cfg->tail.max_per_user)
		return tail_refuse_full(ctx, ts, 1);

	if ((t = tail_start(ts, ctx, &sp, &cause)) == NULL) {
		cmd_error(ctx, "%s", cause);
		free(cause);
		return CMD_ERROR;
	}
	cmd_reply(ctx, "Tail %d started: %s %s%s%s%s for %llds, in the thread "
	    "of \"Live tail %d\". %stail stop %d ends it.", t->id, h->name,
	    log->name, sp.pattern == NULL ? "" : sp.regex ?
	    " (lines matching /" : " (lines with \"",
	    sp.pattern != NULL ? sp.pattern : "", sp.pattern == NULL ? "" :
	    sp.regex ? "/)" : "\")", (long long)sp.duration_s, t->id,
	    cmd_prefix(ctx, "tail"), t->id);
	return CMD_DONE;
}

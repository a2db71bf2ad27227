/*
 * /checklist NAME (and /sod, /eod): runs a checklist now and answers with
 * its summary in the channel asked from: the score, one line per check
 * with failures first, what changed since the last run, and the details
 * of what failed. Without NAME, lists the checklists.
 */

#include <libwebsockets.h>
#include <stdlib.h>
#include <string.h>

#include "bot.h"
#include "checklist_run.h"
#include "config.h"
#include "loop.h"
#include "xmalloc.h"

static enum cmd_result cmd_checklist_exec(struct cmd_ctx *);
static enum cmd_result cmd_sod_exec(struct cmd_ctx *);
static enum cmd_result cmd_eod_exec(struct cmd_ctx *);

const struct cmd_entry cmd_checklist_entry = {
	.name = "checklist",
	.alias = NULL,
	.synopsis = "[NAME]",
	.help = "Runs a checklist from the config now (its checks on the hosts, in parallel) and posts the summary; without NAME, lists them.",
	.args = { .options = NULL, .min = 0, .max = 1 },
	.min_role = ROLE_VIEWER,
	.flags = CMD_TOUCHES_HOSTS,
	.exec = cmd_checklist_exec,
};

const struct cmd_entry cmd_sod_entry = {
	.name = "sod",
	.alias = NULL,
	.synopsis = "",
	.help = "Runs the Start-of-Day checklist now: services up, no critical alert open, overnight jobs done, and what else the config lists.",
	.args = { .options = NULL, .min = 0, .max = 0 },
	.min_role = ROLE_VIEWER,
	.flags = CMD_TOUCHES_HOSTS,
	.exec = cmd_sod_exec,
};

const struct cmd_entry cmd_eod_entry = {
	.name = "eod",
	.alias = NULL,
	.synopsis = "",
	.help = "Runs the End-of-Day checklist now and hands the day over: each check against the morning's SOD, the day's alerts, reruns and restarts (who, result).",
	.args = { .options = NULL, .min = 0, .max = 0 },
	.min_role = ROLE_VIEWER,
	.flags = CMD_TOUCHES_HOSTS,
	.exec = cmd_eod_exec,
};

/*
 * A checklist typed in chat shows what it has so far, as /health over
 * hosts does: after a second, "3 of 4 host checks answered; waiting:
 * nfs1 (Disks)" in the message the final summary will replace, edited at
 * most once a second while the count changes.
 */
struct checklist_live {
	lws_sorted_usec_list_t	 sul;
	struct cmd_ctx		*ctx;
	struct checklist_run	*run;		/* while it goes on */
	size_t			 waiting;	/* at the last edit */
};

#define CHECKLIST_LIVE_MS	1000

static void
checklist_live_cb(lws_sorted_usec_list_t *sul)
{
	struct checklist_live	*lv = lws_container_of(sul,
				    struct checklist_live, sul);
	struct cmd_ctx		*ctx = lv->ctx;
	struct buf		 b;
	size_t			 waiting;

	if (ctx->cancelled || lv->run == NULL)
		return;
	buf_init(&b);
	waiting = checklist_progress(lv->run, &b);
	if (waiting > 0 && waiting != lv->waiting && cmd_can_progress(ctx)) {
		cmd_title(ctx, MESSAGE_INFO, "%s — running", lv->run->cl->title);
		cmd_reply(ctx, "%s", b.data);
		cmd_progress(ctx);
		lv->waiting = waiting;
	}
	buf_release(&b);
	if (waiting > 0)
		lws_sul_schedule(loop_lws(ctx->bot->loop), 0, &lv->sul,
		    checklist_live_cb, CHECKLIST_LIVE_MS * LWS_US_PER_MS);
}

static void
cmd_checklist_done(struct checklist_run *run, void *arg)
{
	struct checklist_live	*lv = arg;
	struct cmd_ctx		*ctx = lv->ctx;
	size_t			 i;

	lws_sul_cancel(&lv->sul);
	free(lv);

	if (!ctx->cancelled) {
		cmd_title(ctx, run->status, "%s", run->title.data);
		cmd_mention(ctx, checklist_mention(run));
		cmd_reply(ctx, "%s", run->text.data);
		if (run->details.len > 0)
			cmd_reply(ctx, "\nDetails:\n%s", run->details.data);
		if (run->run_id < 0)
			cmd_reply(ctx, "\n(not stored: see the bot's log)");
		for (i = 0; i < run->nrunbooks; i++)
			cmd_runbook_link(ctx, &run->runbooks[i]);
	}
	cmd_finish(ctx);
}

static enum cmd_result
cmd_checklist_run(struct cmd_ctx *ctx, const char *name)
{
	const struct cfg_checklist	*cl;
	const struct config		*cfg = ctx->bot->cfg;
	struct checklist_live		*lv;
	char				*cause = NULL;
	size_t				 i;

	if ((cl = config_find_checklist(cfg, name)) == NULL) {
		cmd_error(ctx, "no checklist \"%s\" in the config", name);
		if (cfg->nchecklists > 0) {
			cmd_reply(ctx, "; known:");
			for (i = 0; i < cfg->nchecklists; i++)
				cmd_reply(ctx, " %s", cfg->checklists[i].name);
		}
		return CMD_ERROR;
	}
	lv = xcalloc(1, sizeof *lv);
	lv->ctx = ctx;
	if (checklist_start_run(ctx->bot, cl, "command", cmd_checklist_done,
	    lv, &lv->run, &cause) != 0) {
		free(lv);
		cmd_error(ctx, "%s", cause);
		free(cause);
		return CMD_ERROR;
	}
	if (lv->run != NULL && lv->run->nprobes > 0)
		lws_sul_schedule(loop_lws(ctx->bot->loop), 0, &lv->sul,
		    checklist_live_cb, CHECKLIST_LIVE_MS * LWS_US_PER_MS);
	return CMD_PENDING;
}

static enum cmd_result
cmd_checklist_exec(struct cmd_ctx *ctx)
{
	const struct config	*cfg = ctx->bot->cfg;
	const char		*name = args_pos(&ctx->args, 0);
	size_t			 i;

	if (name != NULL)
		return cmd_checklist_run(ctx, name);
	if (cfg->nchecklists == 0) {
		cmd_reply(ctx, "No checklists in the config (see "
		    "\"checklists\" in docs/config.md).");
		return CMD_DONE;
	}
	for (i = 0; i < cfg->nchecklists; i++)
		cmd_reply(ctx, "%s — %s, %zu check(s)\n", cfg->checklists[i].name,
		    cfg->checklists[i].title, cfg->checklists[i].nchecks);
	return CMD_DONE;
}

static enum cmd_result
cmd_sod_exec(struct cmd_ctx *ctx)
{
	return cmd_checklist_run(ctx, "sod");
}

static enum cmd_result
cmd_eod_exec(struct cmd_ctx *ctx)
{
	return cmd_checklist_run(ctx, "eod");
}

/*
 * /rerun JOB --confirm: force-starts an AutoSys job (sendevent -E
 * FORCE_STARTJOB) on the host whose jobs source names it, then shows its
 * status. It changes production, so it needs a role that grants it and
 * an explicit --confirm, and it is audited like every command. Without
 * --confirm the refusal (dispatch.c) carries a Confirm button whose value
 * is this command line plus " --confirm"; a click runs it as the person
 * who clicks, RBAC and audit included.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "remote.h"
#include "shquote.h"

static enum cmd_result cmd_rerun_exec(struct cmd_ctx *);

static const struct arg_option cmd_rerun_options[] = {
	{ "confirm", ARG_BOOL, "yes, force-start it" },
	{ NULL, 0, NULL },
};

const struct cmd_entry cmd_rerun_entry = {
	.name = "rerun",
	.alias = NULL,
	.synopsis = "JOB --confirm",
	.help = "Force-starts an AutoSys job (sendevent -E FORCE_STARTJOB) and shows its new status.",
	.args = { .options = cmd_rerun_options, .min = 1, .max = 1 },
	.min_role = ROLE_OPERATOR,
	.flags = CMD_TOUCHES_HOSTS | CMD_NEEDS_CONFIRM,
	.exec = cmd_rerun_exec,
};

static void
rerun_report(struct remote_run *run)
{
	struct cmd_ctx		*ctx = run->ctx;
	const struct probe	*p = &run->probes[0];
	const char		*job = args_pos(&ctx->args, 0);
	struct parse_jobs	 jobs;
	struct buf		 sec;
	char			*cause = NULL;
	size_t			 i;

	if (p->failure != NULL) {
		cmd_error(ctx, "%s: sendevent for %s failed: %s",
		    p->host->name, job, p->failure);
		return;
	}
	cmd_reply(ctx, "%s: force-started %s", p->host->name, job);
	buf_init(&sec);
	if (probe_section(p, "status", &sec) == 0 &&
	    parse_autorep(sec.data, &jobs, &cause) == 0) {
		for (i = 0; i < jobs.n; i++) {
			if (strcmp(jobs.jobs[i].name, job) == 0)
				cmd_reply(ctx, "; status now %s (%s)",
				    jobs.jobs[i].status, parse_job_status_name(
				    jobs.jobs[i].status));
		}
		parse_jobs_free(&jobs);
	}
	free(cause);
	buf_release(&sec);
}

static enum cmd_result
cmd_rerun_exec(struct cmd_ctx *ctx)
{
	const struct config	*cfg = ctx->bot->cfg;
	const char		*job = args_pos(&ctx->args, 0);
	const struct cfg_host	*h = NULL;
	struct remote_run	*run;
	struct probe		*p;
	size_t			 i;

	if (strpbrk(job, "*?[%") != NULL) {
		cmd_error(ctx, "/rerun takes one job name, not a pattern");
		return CMD_ERROR;
	}
	for (i = 0; i < cfg->nhosts && h == NULL; i++) {
		if (config_job_allowed(cfg->hosts[i].jobs, job))
			h = &cfg->hosts[i];
	}
	if (h == NULL) {
		cmd_error(ctx, "job %s is not in the inventory (see "
		    "hosts[].jobs.names in the config)", job);
		return CMD_ERROR;
	}
	run = remote_run_new(ctx, &h, 1);
	p = &run->probes[0];
	probe_section_begin(p, "sendevent");
	shquote_buf(&p->script, h->jobs->sendevent);
	buf_adds(&p->script, " -E FORCE_STARTJOB -J ");
	shquote_buf(&p->script, job);
	buf_adds(&p->script, " || exit $?\n");
	probe_section_begin(p, "status");
	shquote_buf(&p->script, h->jobs->autorep);
	buf_adds(&p->script, " -j ");
	shquote_buf(&p->script, job);
	buf_adds(&p->script, " 2>&1 || true\n");
	return remote_run_submit(run, rerun_report);
}

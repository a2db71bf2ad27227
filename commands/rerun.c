/*
 * /rerun JOB --confirm: force-starts an AutoSys job (sendevent -E
 * FORCE_STARTJOB) on the host whose jobs source names it, then shows its
 * status. It looks before it leaps: the job's state is read first, and a
 * job that is already running, starting or activated is not started
 * again. Without --confirm the answer (the preview) says exactly what
 * would run, on which host, and the job's current state, with a
 * single-use Confirm button (bot/confirm.c).
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "remote.h"
#include "escape.h"

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
	.preview = cmd_rerun_exec,
};

/* Is the job on its way already (running, starting, activated)? */
static int
rerun_is_running(const char *st)
{
	return strcmp(st, "RU") == 0 || strcmp(st, "ST") == 0 ||
	    strcmp(st, "AC") == 0;
}

/* Adds "autorep -j JOB" (its status section) to p's script. */
static void
rerun_status_script(struct probe *p, const struct cfg_host *h,
    const char *job)
{
	probe_section_begin(p, "status");
	shquote_buf(&p->script, h->jobs->autorep);
	buf_adds(&p->script, " -j ");
	shquote_buf(&p->script, job);
	buf_adds(&p->script, " 2>&1 || true\n");
}

/* The job's row in p's status section: 1, or 0 (jobs released). */
static int
rerun_find(const struct probe *p, const char *job, struct parse_jobs *jobs,
    struct parse_job **row)
{
	struct buf	 sec;
	char		*cause = NULL;
	size_t		 i;

	*row = NULL;
	memset(jobs, 0, sizeof *jobs);
	buf_init(&sec);
	if (probe_section(p, "status", &sec) == 0 &&
	    parse_autorep(sec.data, jobs, &cause) == 0) {
		for (i = 0; i < jobs->n && *row == NULL; i++) {
			if (strcmp(jobs->jobs[i].name, job) == 0)
				*row = &jobs->jobs[i];
		}
		if (*row == NULL)
			parse_jobs_free(jobs);
	}
	free(cause);
	buf_release(&sec);
	return *row != NULL;
}

static void
rerun_report(struct remote_run *run)
{
	struct cmd_ctx		*ctx = run->ctx;
	const struct probe	*p = &run->probes[0];
	const char		*job = args_pos(&ctx->args, 0);
	struct parse_jobs	 jobs;
	struct parse_job	*row;

	if (p->failure != NULL) {
		cmd_error(ctx, "%s: sendevent for %s failed: %s",
		    p->host->name, job, p->failure);
		return;
	}
	cmd_reply(ctx, "%s: force-started %s", p->host->name, job);
	if (rerun_find(p, job, &jobs, &row)) {
		cmd_reply(ctx, "; status now %s (%s)", row->status,
		    parse_job_status_name(row->status));
		parse_jobs_free(&jobs);
	}
}

/*
 * The job's state, read first: refused when it is on its way already;
 * else described (a preview) or force-started (confirmed).
 */
static void
rerun_look(struct remote_run *run)
{
	struct cmd_ctx		*ctx = run->ctx;
	const struct probe	*p = &run->probes[0];
	const struct cfg_host	*h = p->host;
	const char		*job = args_pos(&ctx->args, 0);
	struct parse_jobs	 jobs;
	struct parse_job	*row;
	struct remote_run	*next;
	struct probe		*q;

	if (p->failure != NULL) {
		cmd_error(ctx, "%s: cannot read the state of %s, so it was not "
		    "started: %s", h->name, job, p->failure);
		return;
	}
	if (!rerun_find(p, job, &jobs, &row)) {
		cmd_error(ctx, "%s: autorep does not show %s, so it was not "
		    "started", h->name, job);
		return;
	}
	if (rerun_is_running(row->status)) {
		cmd_error(ctx, "%s is %s since %s on %s; it was not started "
		    "again", job, parse_job_status_name(row->status),
		    row->last_start[0] != '\0' ? row->last_start : "?",
		    h->name);
		parse_jobs_free(&jobs);
		return;
	}
	if (ctx->previewing) {
		cmd_title(ctx, MESSAGE_WARN, "Force-start %s on %s?", job,
		    h->name);
		cmd_reply(ctx, "%s on %s is %s (%s)", job, h->name, row->status,
		    parse_job_status_name(row->status));
		if (row->last_start[0] != '\0')
			cmd_reply(ctx, ", last start %s", row->last_start);
		if (row->last_end[0] != '\0')
			cmd_reply(ctx, ", last end %s", row->last_end);
		cmd_reply(ctx, ".\nConfirm runs: %s -E FORCE_STARTJOB -J %s on "
		    "%s", h->jobs->sendevent, job, h->name);
		parse_jobs_free(&jobs);
		return;
	}
	parse_jobs_free(&jobs);
	next = remote_run_new(ctx, &h, 1);
	q = &next->probes[0];
	probe_section_begin(q, "sendevent");
	shquote_buf(&q->script, h->jobs->sendevent);
	buf_adds(&q->script, " -E FORCE_STARTJOB -J ");
	shquote_buf(&q->script, job);
	buf_adds(&q->script, " || exit $?\n");
	rerun_status_script(q, h, job);
	remote_run_chain(run, next, rerun_report);
}

static enum cmd_result
cmd_rerun_exec(struct cmd_ctx *ctx)
{
	const struct config	*cfg = ctx->bot->cfg;
	const char		*job = args_pos(&ctx->args, 0);
	const struct cfg_host	*h = NULL;
	struct remote_run	*run;
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
		cmd_refuse(ctx, "job %s is not in the inventory (see "
		    "hosts[].jobs.names in the config)", job);
		return CMD_ERROR;
	}
	run = remote_run_new(ctx, &h, 1);
	rerun_status_script(&run->probes[0], h, job);
	return remote_run_submit(run, rerun_look);
}

/*
 * /jobs [JOB | PATTERN] [--failed]: AutoSys job status from autorep -j on
 * the hosts that have a jobs source, limited to the jobs the inventory
 * names. A compact table: status code and meaning, last start, last end,
 * exit code.
 */

#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "probes.h"
#include "remote.h"
#include "runbook_link.h"
#include "xmalloc.h"

static enum cmd_result cmd_jobs_exec(struct cmd_ctx *);

static const struct arg_option cmd_jobs_options[] = {
	{ "failed", ARG_BOOL, "only jobs that failed or were terminated" },
	{ NULL, 0, NULL },
};

const struct cmd_entry cmd_jobs_entry = {
	.name = "jobs",
	.alias = NULL,
	.synopsis = "[JOB | PATTERN] [--failed]",
	.help = "Shows AutoSys job status (autorep): status, last start, last end and exit code. PATTERN may use * and ?.",
	.args = { .options = cmd_jobs_options, .min = 0, .max = 1 },
	.min_role = ROLE_VIEWER,
	.flags = CMD_TOUCHES_HOSTS,
	.exec = cmd_jobs_exec,
};

/* The autorep queries for host h's probe. */
static void
jobs_script(struct probe *p, const char *want)
{
	const struct cfg_jobs	*j = p->host->jobs;
	char			 sec[32];
	size_t			 i, nq = want != NULL ? 1 : j->names.n;

	for (i = 0; i < nq; i++) {
		snprintf(sec, sizeof sec, "q:%zu", i);
		probe_autorep_script(p, sec, want != NULL ? want :
		    j->names.v[i]);
	}
}

static void
jobs_report(struct remote_run *run)
{
	struct cmd_ctx		*ctx = run->ctx;
	const char		*want = args_pos(&ctx->args, 0);
	int			 failed_only = args_has(&ctx->args, "failed");
	struct parse_jobs	 jobs;
	struct buf		 seen, rows;
	char			*cause, secname[32], key[80];
	size_t			 h, q, i, nq, shown = 0;

	buf_init(&seen);
	buf_init(&rows);
	for (h = 0; h < run->n; h++) {
		const struct probe *p = &run->probes[h];

		if (p->failure != NULL) {
			cmd_error(ctx, "%s: %s\n", p->host->name, p->failure);
			continue;
		}
		nq = want != NULL ? 1 : p->host->jobs->names.n;
		for (q = 0; q < nq; q++) {
			snprintf(secname, sizeof secname, "q:%zu", q);
			cause = NULL;
			if (probe_autorep_read(p, secname, &jobs, &cause) !=
			    0) {
				cmd_reply(ctx, "%s: cannot read autorep "
				    "output%s%s\n", p->host->name,
				    cause != NULL ? ": " : "",
				    cause != NULL ? cause : "");
				free(cause);
				continue;
			}
			for (i = 0; i < jobs.n; i++) {
				const struct parse_job *jb = &jobs.jobs[i];

				if (!config_job_allowed(p->host->jobs,
				    jb->name) || (want != NULL &&
				    fnmatch(want, jb->name, 0) != 0) ||
				    (failed_only &&
				    !parse_job_failed(jb->status)))
					continue;
				/* seen is "\nA\nB\n": one line per job. */
				snprintf(key, sizeof key, "\n%s\n", jb->name);
				if (strstr(seen.data, key) != NULL)
					continue;
				buf_addf(&seen, "%s", key + (seen.len > 0));
				buf_addf(&rows, "%*s%-*s %-2s %-16s %-19s  "
				    "%-19s  ", jb->depth * 2, "",
				    28 - jb->depth * 2, jb->name, jb->status,
				    parse_job_status_name(jb->status),
				    jb->last_start[0] != '\0' ?
				    jb->last_start : "-----",
				    jb->last_end[0] != '\0' ?
				    jb->last_end : "-----");
				if (jb->exit_code >= 0)
					buf_addf(&rows, "%d", jb->exit_code);
				buf_addc(&rows, '\n');
				shown++;
				if (parse_job_failed(jb->status)) {
					struct runbook_subject rs = {
						.job = jb->name,
						.host = p->host->name,
					};

					cmd_runbook(ctx, &rs);
				}
			}
			parse_jobs_free(&jobs);
		}
	}
	if (shown == 0)
		cmd_reply(ctx, "no %sjobs%s%s", failed_only ? "failed " : "",
		    want != NULL ? " matching " : "", want != NULL ? want : "");
	else
		cmd_reply(ctx, "%-28s %-2s %-16s %-19s  %-19s  %s\n%s", "JOB",
		    "ST", "STATUS", "LAST START", "LAST END", "EXIT",
		    rows.data);
	buf_release(&rows);
	buf_release(&seen);
}

/* Glob characters: a pattern, not one job. */
static int
jobs_is_pattern(const char *s)
{
	return strpbrk(s, "*?[") != NULL;
}

static enum cmd_result
cmd_jobs_exec(struct cmd_ctx *ctx)
{
	const struct config	 *cfg = ctx->bot->cfg;
	const char		 *want = args_pos(&ctx->args, 0);
	const struct cfg_host	**hosts;
	struct remote_run	 *run;
	size_t			  n = 0, i;

	hosts = xcalloc(cfg->nhosts + 1, sizeof *hosts);
	for (i = 0; i < cfg->nhosts; i++) {
		if (cfg->hosts[i].jobs == NULL)
			continue;
		/* One job must be in that host's list to be looked at. */
		if (want != NULL && !jobs_is_pattern(want) &&
		    !config_job_allowed(cfg->hosts[i].jobs, want))
			continue;
		hosts[n++] = &cfg->hosts[i];
	}
	if (n == 0) {
		free(hosts);
		if (want != NULL && !jobs_is_pattern(want))
			cmd_refuse(ctx, "job %s is not in the inventory (see "
			    "hosts[].jobs.names in the config)", want);
		else
			cmd_error(ctx, "no host has a jobs source; add \"jobs\" "
			    "to a host in the config");
		return CMD_ERROR;
	}
	run = remote_run_new(ctx, hosts, n);
	free(hosts);
	for (i = 0; i < n; i++)
		jobs_script(&run->probes[i], want);
	return remote_run_submit(run, jobs_report);
}

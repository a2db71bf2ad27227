/*
 * /top HOST [--mem]: the processes using the most CPU (or memory) on a
 * host, as a short table. CPU is what each process used over the last
 * second (sampled on the host), not ps's lifetime average.
 */

#include <stdio.h>
#include <stdlib.h>

#include "inventory.h"
#include "parse.h"
#include "probes.h"
#include "remote.h"

#define TOP_ROWS	10

static enum cmd_result cmd_top_exec(struct cmd_ctx *);

static const struct arg_option cmd_top_options[] = {
	{ "mem", ARG_BOOL, "sort by memory instead of CPU" },
	{ NULL, 0, NULL },
};

const struct cmd_entry cmd_top_entry = {
	.name = "top",
	.alias = NULL,
	.synopsis = "HOST [--mem]",
	.help = "Lists the processes using the most CPU over the last second, or memory with --mem, on a host.",
	.args = { .options = cmd_top_options, .min = 1, .max = 1 },
	.min_role = ROLE_VIEWER,
	.flags = CMD_TOUCHES_HOSTS,
	.exec = cmd_top_exec,
};

static void
top_report(struct remote_run *run)
{
	struct cmd_ctx		*ctx = run->ctx;
	const struct probe	*p = &run->probes[0];
	struct parse_ps		 ps;
	char			*cause = NULL, rss[32];
	enum probe_top		 got;
	size_t			 i;

	if (p->failure != NULL) {
		cmd_error(ctx, "%s: %s", p->host->name, p->failure);
		return;
	}
	got = probe_top_read(p, args_has(&ctx->args, "mem"), &ps, &cause);
	if (got == PROBE_TOP_NO_PS) {
		cmd_error(ctx, "%s: cannot read ps output%s%s", p->host->name,
		    cause != NULL ? ": " : "", cause != NULL ? cause : "");
		free(cause);
		return;
	}
	if (got == PROBE_TOP_NO_SAMPLE) {
		cmd_error(ctx, "%s: cannot read the CPU sample", p->host->name);
		return;
	}
	cmd_reply(ctx, "%s: top %s\n  %7s %-10s %5s %5s %9s %11s  %s\n",
	    p->host->name, args_has(&ctx->args, "mem") ? "memory" :
	    "CPU (over 1 s)",
	    "PID", "USER", "%CPU", "%MEM", "RSS", "ELAPSED", "COMMAND");
	for (i = 0; i < ps.n && i < TOP_ROWS; i++) {
		remote_fmt_kib(ps.rows[i].rss_kb, rss, sizeof rss);
		cmd_reply(ctx, "  %7d %-10.10s %5.1f %5.1f %9s %11s  %s\n",
		    ps.rows[i].pid, ps.rows[i].user, ps.rows[i].cpu,
		    ps.rows[i].mem, rss, ps.rows[i].etime,
		    ps.rows[i].command);
	}
	parse_ps_free(&ps);
}

static enum cmd_result
cmd_top_exec(struct cmd_ctx *ctx)
{
	const struct cfg_host	*h;
	struct remote_run	*run;

	if ((h = remote_host_arg(ctx, 0)) == NULL)
		return CMD_ERROR;
	run = remote_run_new(ctx, &h, 1);
	probe_top_script(&run->probes[0], TOP_ROWS,
	    args_has(&ctx->args, "mem"));
	return remote_run_submit(run, top_report);
}

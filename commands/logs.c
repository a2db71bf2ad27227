/*
 * /logs HOST LOG [PATTERN] [--lines N] [--since DURATION]: the last lines
 * of a named log, optionally only those containing PATTERN (a fixed
 * string, never a regex or shell text), optionally only recent ones.
 * Secrets are redacted; long answers keep the newest lines and say how
 * many were left out.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inventory.h"
#include "parse.h"
#include "redact.h"
#include "remote.h"
#include "escape.h"
#include "xmalloc.h"

#define LOGS_DEFAULT_LINES	20
#define LOGS_MAX_LINES		500
#define LOGS_REPLY_BYTES	3500	/* a chat message's comfortable size */
#define LOGS_SCAN_LINES		"20000"	/* read back for --since */
#define LOGS_SCAN_BYTES		"8388608"

static enum cmd_result cmd_logs_exec(struct cmd_ctx *);

static const struct arg_option cmd_logs_options[] = {
	{ "lines", ARG_INT, "how many lines (default 20, at most 500)" },
	{ "since", ARG_DURATION, "only lines from the last DURATION, e.g. 15m" },
	{ NULL, 0, NULL },
};

const struct cmd_entry cmd_logs_entry = {
	.name = "logs",
	.alias = NULL,
	.synopsis = "HOST LOG [PATTERN] [--lines N] [--since DURATION]",
	.help = "Shows the last lines of a named log, optionally only those containing PATTERN (plain text, not a regex). Secrets are redacted.",
	.args = { .options = cmd_logs_options, .min = 2, .max = 3 },
	.min_role = ROLE_VIEWER,
	.flags = CMD_TOUCHES_HOSTS,
	.exec = cmd_logs_exec,
};

static void
logs_report(struct remote_run *run)
{
	struct cmd_ctx		*ctx = run->ctx;
	const struct probe	*p = &run->probes[0];
	int64_t			 want = args_get_num(&ctx->args, "lines",
	    LOGS_DEFAULT_LINES), since = args_get_num(&ctx->args, "since", 0);
	int64_t			 now = 0, when;
	int			 tz = 0;
	struct buf		 sec, out;
	char			**lines = NULL, *line, *next, *clean;
	size_t			 n = 0, first, i, bytes;

	if (p->failure != NULL) {
		cmd_error(ctx, "%s: %s", p->host->name, p->failure);
		return;
	}
	buf_init(&sec);
	if (probe_section(p, "log", &sec) != 0) {
		cmd_error(ctx, "%s: the output was cut short", p->host->name);
		buf_release(&sec);
		return;
	}
	if (since > 0 && remote_read_now(p, &now, &tz) != 0) {
		cmd_error(ctx, "%s: cannot read the host's clock",
		    p->host->name);
		buf_release(&sec);
		return;
	}
	for (line = sec.data; *line != '\0'; line = next) {
		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		else
			next = line + strlen(line);
		/* Undated lines follow the dated line before them. */
		if (since > 0 && parse_log_time(line, now, tz, &when) == 0 &&
		    when < now - since) {
			n = 0;
			continue;
		}
		lines = xreallocarray(lines, n + 1, sizeof *lines);
		lines[n++] = line;
	}

	/* The newest lines that fit, oldest of them first. */
	first = n > (size_t)want ? n - (size_t)want : 0;
	bytes = 0;
	for (i = n; i > first; i--) {
		bytes += strlen(lines[i - 1]) + 1;
		if (bytes > LOGS_REPLY_BYTES && i < n) {
			first = i;
			break;
		}
	}
	buf_init(&out);
	for (i = first; i < n; i++)
		buf_addf(&out, "%s\n", lines[i]);
	clean = redact_text(out.data);
	if (n == 0)
		cmd_reply(ctx, "%s %s: no %slines%s", p->host->name,
		    args_pos(&ctx->args, 1), args_pos(&ctx->args, 2) != NULL ?
		    "matching " : "", since > 0 ? " in that time" : "");
	else {
		cmd_reply(ctx, "%s %s (%s):\n", p->host->name,
		    args_pos(&ctx->args, 1), p->host->logs != NULL ?
		    config_find_log(p->host, args_pos(&ctx->args, 1))->path :
		    "?");
		if (first > 0)
			cmd_reply(ctx, "… %zu more line%s\n", first,
			    first == 1 ? "" : "s");
		cmd_reply(ctx, "%s", clean);
	}
	if (p->proc.truncated)
		cmd_reply(ctx, "(output cut at %d bytes: remote.output_limit)",
		    ctx->bot->cfg->remote.output_limit);
	free(clean);
	buf_release(&out);
	free(lines);
	buf_release(&sec);
}

static enum cmd_result
cmd_logs_exec(struct cmd_ctx *ctx)
{
	const struct cfg_host	*h;
	const struct cfg_log	*log;
	const char		*pattern = args_pos(&ctx->args, 2);
	int64_t			 want = args_get_num(&ctx->args, "lines",
	    LOGS_DEFAULT_LINES);
	struct remote_run	*run;
	struct probe		*p;

	if ((h = remote_host_arg(ctx, 0)) == NULL)
		return CMD_ERROR;
	if ((log = config_find_log(h, args_pos(&ctx->args, 1))) == NULL)
		return remote_refuse_unknown(ctx, "log", args_pos(&ctx->args, 1),
		    h, h->nlogs > 0 ? &h->logs[0].name : NULL, h->nlogs,
		    sizeof *h->logs, "none (add \"logs\" to the host)");
	if (want < 1 || want > LOGS_MAX_LINES) {
		cmd_error(ctx, "--lines must be 1-%d", LOGS_MAX_LINES);
		return CMD_ERROR;
	}
	if (pattern != NULL && *pattern == '\0') {
		cmd_error(ctx, "the pattern is empty");
		return CMD_ERROR;
	}

	run = remote_run_new(ctx, &h, 1);
	p = &run->probes[0];
	if (args_has(&ctx->args, "since"))
		remote_probe_now(p);
	probe_section_begin(p, "log");
	buf_adds(&p->script, "if [ ! -r ");
	shquote_buf(&p->script, log->path);
	buf_adds(&p->script, " ]; then echo \"opsbot: cannot read\" ");
	shquote_buf(&p->script, log->path);
	buf_adds(&p->script, " >&2; exit 3; fi\n");
	if (pattern == NULL && !args_has(&ctx->args, "since"))
		buf_addf(&p->script, "tail -n %lld -- ", (long long)want);
	else
		buf_adds(&p->script, "tail -c " LOGS_SCAN_BYTES " -- ");
	shquote_buf(&p->script, log->path);
	if (pattern != NULL) {
		buf_adds(&p->script, " | grep -F -e ");
		shquote_buf(&p->script, pattern);
	}
	if (args_has(&ctx->args, "since"))
		buf_adds(&p->script, " | tail -n " LOGS_SCAN_LINES);
	else if (pattern != NULL)
		buf_addf(&p->script, " | tail -n %lld", (long long)want);
	/* grep finding nothing is not a failure. */
	buf_adds(&p->script, "; true\n");
	return remote_run_submit(run, logs_report);
}

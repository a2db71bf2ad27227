/*
 * The team's own commands (custom_commands): each becomes a command
 * table entry made from its config, so the dispatcher finds, grants,
 * confirms and audits it like a built-in one. Running one binds the
 * typed words to its parameters (config_custom_bind: the only gate from
 * chat to the values), writes the script through probe_custom_script
 * (every value quoted as one word there), and runs it on its host, or
 * on each of its hosts when it has no host parameter, with its own
 * timeout and output limit. Output is redacted and cut to fit a message.
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "custom.h"
#include "probes.h"
#include "redact.h"
#include "remote.h"
#include "xmalloc.h"

#define CUSTOM_REPLY_BYTES	3500	/* a chat message's comfortable size */

/* An entry and what it was made from; ctx->entry points at e. */
struct custom_entry {
	struct cmd_entry	 e;		/* first */
	const struct cfg_custom	*cc;		/* in the table's config */
	char			*synopsis;
	char			*help;
	struct arg_option	 opts[2];
};

/* What a run keeps beside its probes: its own deadline and values. */
struct custom_run {
	struct cfg_remote	 remote;	/* the bot's, with cc's limits */
	const struct cfg_custom	*cc;
	char			**values;
};

static enum cmd_result custom_exec(struct cmd_ctx *);
static enum cmd_result custom_preview(struct cmd_ctx *);

static const struct cfg_custom *
custom_cc(const struct cmd_ctx *ctx)
{
	return ((const struct custom_entry *)(const void *)ctx->entry)->cc;
}

/*
 * "HOST DAYS [REASON...]": NAME upper-cased, optional ones bracketed.
 * Caller frees.
 */
static char *
custom_synopsis(const struct cfg_custom *cc, int confirm)
{
	struct buf	 b;
	size_t		 i, j;

	buf_init(&b);
	for (i = 0; i < cc->nparams; i++) {
		buf_adds(&b, i > 0 ? " " : "");
		if (cc->params[i].def != NULL)
			buf_addc(&b, '[');
		for (j = 0; cc->params[i].name[j] != '\0'; j++)
			buf_addc(&b, cc->params[i].name[j] >= 'a' &&
			    cc->params[i].name[j] <= 'z' ?
			    (char)(cc->params[i].name[j] - 'a' + 'A') :
			    cc->params[i].name[j]);
		if (cc->params[i].type == CPARAM_TEXT)
			buf_adds(&b, "...");
		if (cc->params[i].def != NULL)
			buf_addc(&b, ']');
	}
	if (confirm)
		buf_addf(&b, "%s--confirm", b.len > 0 ? " " : "");
	return buf_detach(&b);
}

/*
 * The config's help, then what each parameter takes, for /help NAME.
 * Caller frees.
 */
static char *
custom_help(const struct cfg_custom *cc)
{
	const struct cfg_cparam	*p;
	struct buf		 b;
	size_t			 i, j;

	buf_init(&b);
	buf_adds(&b, cc->help);
	for (i = 0; i < cc->nparams; i++) {
		p = &cc->params[i];
		buf_addf(&b, "%s%s: ", i == 0 ? " Parameters: " : "; ",
		    p->name);
		switch (p->type) {
		case CPARAM_HOST:
			buf_adds(&b, "a host among ");
			for (j = 0; j < cc->hosts.n; j++)
				buf_addf(&b, "%s%s", j > 0 ? ", " : "",
				    cc->hosts.v[j]);
			break;
		case CPARAM_CHOICE:
			buf_adds(&b, "one of ");
			for (j = 0; j < p->choices.n; j++)
				buf_addf(&b, "%s%s", j > 0 ? ", " : "",
				    p->choices.v[j]);
			break;
		case CPARAM_INT:
			buf_addf(&b, "an integer from %d to %d", p->min,
			    p->max);
			break;
		case CPARAM_DURATION:
			buf_adds(&b, "a duration like 30m or 2h");
			break;
		case CPARAM_JOB:
			buf_adds(&b, "a job of the inventory");
			break;
		case CPARAM_WORD:
			buf_addf(&b, "a word matching %s", p->pattern);
			break;
		case CPARAM_TEXT:
			buf_adds(&b, "free text (the rest of the line)");
			break;
		}
		if (p->help != NULL)
			buf_addf(&b, " (%s)", p->help);
		if (p->def != NULL)
			buf_addf(&b, ", default %s", p->def);
	}
	if (cc->nparams > 0)
		buf_addc(&b, '.');
	return buf_detach(&b);
}

/* cc's entry (custom_table_free frees it, knowing it by its exec). */
static struct custom_entry *
custom_entry_new(const struct cfg_custom *cc)
{
	struct custom_entry	*ce = xcalloc(1, sizeof *ce);
	size_t			 i;
	int			 text = 0, required = 0;

	for (i = 0; i < cc->nparams; i++) {
		text |= cc->params[i].type == CPARAM_TEXT;
		required += cc->params[i].def == NULL;
	}
	ce->cc = cc;
	ce->synopsis = custom_synopsis(cc, cc->confirm);
	ce->help = custom_help(cc);
	ce->opts[0].name = "confirm";
	ce->opts[0].type = ARG_BOOL;
	ce->opts[0].help = "yes, run it";
	ce->e.name = cc->name;
	ce->e.synopsis = ce->synopsis;
	ce->e.help = ce->help;
	ce->e.args.options = cc->confirm ? ce->opts : NULL;
	ce->e.args.min = required;
	ce->e.args.max = text ? -1 : (int)cc->nparams;
	ce->e.min_role = (enum cmd_role)(ROLE_VIEWER + cc->role);
	ce->e.flags = CMD_TOUCHES_HOSTS | (cc->confirm ? CMD_NEEDS_CONFIRM :
	    0);
	ce->e.exec = custom_exec;
	ce->e.preview = cc->confirm ? custom_preview : NULL;
	return ce;
}

const struct cmd_entry **
custom_table(const struct config *c)
{
	const struct cmd_entry	**t;
	size_t			  n = 0, i;

	while (cmd_table[n] != NULL)
		n++;
	t = xcalloc(n + c->ncustom + 1, sizeof *t);
	memcpy(t, cmd_table, n * sizeof *t);
	for (i = 0; i < c->ncustom; i++)
		t[n + i] = &custom_entry_new(&c->custom[i])->e;
	return t;
}

void
custom_table_free(const struct cmd_entry **t)
{
	struct custom_entry	*ce;
	size_t			 i;

	for (i = 0; t != NULL && t[i] != NULL; i++) {
		if (t[i]->exec != custom_exec)
			continue;
		ce = (struct custom_entry *)(uintptr_t)t[i];
		free(ce->synopsis);
		free(ce->help);
		free(ce);
	}
	free(t);
}

static void
custom_run_free(void *arg)
{
	struct custom_run	*cr = arg;

	config_custom_values_free(cr->cc, cr->values);
	free(cr);
}

/*
 * The values of the command line, or NULL (refused, with the usage).
 * *hosts gets where it runs: the host parameter's host, or each of cc's
 * hosts in config order. Caller frees both.
 */
static char **
custom_bind(struct cmd_ctx *ctx, const struct cfg_host ***hosts,
    size_t *nhosts)
{
	const struct cfg_custom	*cc = custom_cc(ctx);
	const struct config	*c = ctx->bot->cfg;
	const struct cfg_host	*h;
	char			**values, *cause = NULL;
	size_t			 i;

	if (config_custom_bind(c, cc, ctx->args.pos, ctx->args.npos, &values,
	    &cause) != 0) {
		cmd_refuse(ctx, "%s\nusage: %s%s%s%s", cause,
		    cmd_prefix(ctx, cc->name), cc->name,
		    *ctx->entry->synopsis != '\0' ? " " : "",
		    ctx->entry->synopsis);
		/* As the dispatcher's own argument errors are audited. */
		ctx->outcome = "bad_input";
		free(cause);
		return NULL;
	}
	*hosts = xcalloc(c->nhosts + 1, sizeof **hosts);
	*nhosts = 0;
	for (i = 0; i < cc->nparams; i++) {
		if (cc->params[i].type == CPARAM_HOST &&
		    (h = config_find_host(c, values[i])) != NULL) {
			(*hosts)[(*nhosts)++] = h;
			return values;
		}
	}
	for (i = 0; i < c->nhosts; i++) {
		if (config_custom_allows_host(cc, &c->hosts[i]))
			(*hosts)[(*nhosts)++] = &c->hosts[i];
	}
	if (*nhosts == 0) {
		cmd_error(ctx, "%s%s: no host of the inventory is among its "
		    "hosts", cmd_prefix(ctx, cc->name), cc->name);
		free(*hosts);
		config_custom_values_free(cc, values);
		return NULL;
	}
	return values;
}

/* The prompt: where it runs and the exact line Confirm runs there. */
static enum cmd_result
custom_preview(struct cmd_ctx *ctx)
{
	const struct cfg_custom	*cc = custom_cc(ctx);
	const struct cfg_host	**hosts;
	struct buf		 line;
	char			**values;
	size_t			 i, n;

	if ((values = custom_bind(ctx, &hosts, &n)) == NULL)
		return CMD_ERROR;
	buf_init(&line);
	probe_custom_line(cc, values, &line);
	cmd_title(ctx, MESSAGE_WARN, "Run %s%s on %s%s?",
	    cmd_prefix(ctx, cc->name), cc->name, hosts[0]->name,
	    n > 1 ? " and the others" : "");
	cmd_reply(ctx, "Confirm runs: %s\non ", line.data);
	for (i = 0; i < n; i++)
		cmd_reply(ctx, "%s%s", i > 0 ? ", " : "", hosts[i]->name);
	buf_release(&line);
	free(hosts);
	config_custom_values_free(cc, values);
	return CMD_DONE;
}

/* The newest output that fits, redacted; how many bytes were left out. */
static void
custom_output(struct cmd_ctx *ctx, const char *text, size_t budget)
{
	char		*clean = redact_text(text);
	size_t		 n = strlen(clean), skip = 0;

	if (n > budget) {
		skip = n - budget;
		/* From a line's start, on a character boundary. */
		while (skip < n && clean[skip - 1] != '\n')
			skip++;
		if (skip == n) {
			skip = n - budget;
			while (skip < n &&
			    ((unsigned char)clean[skip] & 0xc0) == 0x80)
				skip++;
		}
		cmd_reply(ctx, "… %zu bytes before\n", skip);
	}
	cmd_reply(ctx, "%s\n", clean + skip);
	free(clean);
}

static void
custom_report(struct remote_run *run)
{
	struct cmd_ctx		*ctx = run->ctx;
	const struct custom_run	*cr = run->arg;
	const struct probe	*p;
	struct buf		 out;
	size_t			 i, budget = CUSTOM_REPLY_BYTES / run->n;
	int			 rc, failed = 0;

	buf_init(&out);
	for (i = 0; i < run->n; i++) {
		p = &run->probes[i];
		if (p->failure != NULL) {
			cmd_reply(ctx, "%s: %s\n", p->host->name, p->failure);
			failed++;
			continue;
		}
		if (probe_command_read(p, &out, &rc) != 0) {
			cmd_reply(ctx, "%s: the output was cut short before "
			    "the command ended (output_limit %d bytes)\n",
			    p->host->name, cr->remote.output_limit);
			failed++;
			continue;
		}
		failed += rc != 0;
		if (out.len == 0) {
			cmd_reply(ctx, "%s: exit %d, no output\n",
			    p->host->name, rc);
			continue;
		}
		cmd_reply(ctx, "%s: exit %d\n", p->host->name, rc);
		custom_output(ctx, out.data, budget);
	}
	buf_release(&out);
	if (failed > 0)
		cmd_error(ctx, "%s%s failed on %d of %zu host%s",
		    cmd_prefix(ctx, cr->cc->name), cr->cc->name, failed,
		    run->n, run->n == 1 ? "" : "s");
}

static enum cmd_result
custom_exec(struct cmd_ctx *ctx)
{
	const struct cfg_custom	*cc = custom_cc(ctx);
	const struct cfg_host	**hosts;
	struct remote_run	*run;
	struct custom_run	*cr;
	char			**values;
	size_t			 i, n;

	if ((values = custom_bind(ctx, &hosts, &n)) == NULL)
		return CMD_ERROR;
	run = remote_run_new(ctx, hosts, n);
	free(hosts);
	cr = xcalloc(1, sizeof *cr);
	cr->cc = cc;
	cr->values = values;
	/* Its own deadline and cap; the rest as the bot reaches hosts. */
	cr->remote = *run->env.remote;
	if (cc->timeout_s > 0)
		cr->remote.timeout_s = cc->timeout_s;
	if (cr->remote.connect_timeout_s > cr->remote.timeout_s)
		cr->remote.connect_timeout_s = cr->remote.timeout_s;
	if (cc->output_limit > 0)
		cr->remote.output_limit = cc->output_limit;
	run->env.remote = &cr->remote;
	run->arg = cr;
	run->arg_free = custom_run_free;
	for (i = 0; i < n; i++)
		probe_custom_script(&run->probes[i], cc, values);
	return remote_run_submit(run, custom_report);
}

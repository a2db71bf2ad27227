/*
 * /search: log lines from the team's log engine (docs/search.md).
 * "/search NAME [params] [--since 2h]" runs a named search of the config
 * (its parameters typed and bound by config_custom_bind, the one gate
 * from chat to values, then quoted in the engine's syntax); anything
 * else is a raw query (SPL or LogQL), for raw_role and up: raw SPL can
 * be expensive. The engine is asked on a worker through the small
 * interface of search_engine.h, its answer read as it streams and cut
 * at the cap; the lines are redacted, newest first, each trimmed.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bot.h"
#include "cron.h"
#include "http_stream.h"
#include "redact.h"
#include "search_engine.h"
#include "suggest.h"
#include "workers.h"
#include "xmalloc.h"

/* Characters of a result line shown; the rest is "…". */
#define SEARCH_LINE_CHARS	240

static enum cmd_result cmd_search_exec(struct cmd_ctx *);

static const struct arg_option search_options[] = {
	{ "since", ARG_DURATION, "how far back (default: the engine's since)" },
	{ "limit", ARG_INT, "lines shown (at most the engine's max_results)" },
	{ "engine", ARG_STRING, "which of log_engines (raw queries)" },
	{ NULL, 0, NULL },
};

const struct cmd_entry cmd_search_entry = {
	.name = "search",
	.alias = NULL,
	.synopsis = "NAME [PARAMS] | QUERY [--since DURATION] [--limit N] "
	    "[--engine E]",
	.help = "Searches the team's log engine (Splunk or Loki): a named "
	    "search of the config with its parameters, or a raw SPL or "
	    "LogQL query (operators); the newest lines first, capped, "
	    "secrets redacted, with a link to the engine's UI.",
	.args = { .options = search_options, .min = 0, .max = -1 },
	.min_role = ROLE_VIEWER,
	.flags = 0,
	.exec = cmd_search_exec,
};

/* One search in flight: what the worker needs, and what it found. */
struct search_job {
	struct cmd_ctx			*ctx;
	const struct cfg_log_engine	*le;	/* in the ctx's config */
	const struct log_engine_ops	*ops;
	char				*name;	/* named search, or NULL */
	char				*query;
	struct log_query		 q;
	struct log_results		 r;
	struct http_stream_result	 hr;
	int				 rc;
};

/*
 * Searches on the workers now (the loop thread's alone). A slow engine
 * holds a worker for its whole timeout, and the same workers post chat
 * replies and run ssh probes: searches get half of them at most.
 */
static int	search_running;

static int
search_running_max(const struct cmd_ctx *ctx)
{
	int	 n = workers_threads(ctx->bot->workers) / 2;

	return n > 0 ? n : 1;
}

static void
search_job_free(struct search_job *j)
{
	search_results_free(&j->r);
	free(j->name);
	free(j->query);
	free(j);
}

/* ------------------------------------------------------------ roles */

/* The least built-in level a role name stands for (inherits walked). */
static int
search_role_level(const struct config *c, const char *name, int depth)
{
	static const char *const builtin[] = { "viewer", "operator", "admin" };
	size_t	 i, j;
	int	 lv = -1, v;

	for (i = 0; i < c->nroles; i++) {
		if (strcmp(c->roles[i].name, name) != 0)
			continue;
		for (j = 0; j < c->roles[i].commands.n; j++)
			if (strcmp(c->roles[i].commands.v[j], "*") == 0)
				lv = 2;
		for (j = 0; depth < 8 && j < c->roles[i].inherits.n; j++)
			if ((v = search_role_level(c,
			    c->roles[i].inherits.v[j], depth + 1)) > lv)
				lv = v;
		return lv;
	}
	for (i = 0; i < 3; i++)
		if (strcmp(builtin[i], name) == 0)
			return (int)i;
	return -1;
}

/*
 * Does the asker hold level (0 viewer, 1 operator, 2 admin) or more?
 * The dispatcher let them run /search, which is viewer level already
 * (a role may grant it by name without being a viewer).
 */
static int
search_user_has(const struct cmd_ctx *ctx, int level)
{
	size_t	 i;

	if (level <= 0)
		return 1;
	for (i = 0; i < ctx->user.nroles; i++)
		if (search_role_level(ctx->bot->cfg, ctx->user.roles[i], 0) >=
		    level)
			return 1;
	return 0;
}

static const char *
search_level_name(int level)
{
	return level == 0 ? "viewer" : level == 1 ? "operator" : "admin";
}

/* ---------------------------------------------------------- worker */

/* The body as it arrives (hr.status is already the answer's). */
static int
search_sink(void *arg, const char *data, size_t len)
{
	struct search_job	*j = arg;

	j->r.status = j->hr.status;
	return j->ops->feed(&j->r, data, len);
}

/* The bot is stopping: a slow search gives up rather than hold the exit. */
static int
search_cancel(void *arg)
{
	struct search_job	*j = arg;

	return workers_stopping(j->ctx->bot->workers);
}

static void
search_work(void *arg)
{
	struct search_job		*j = arg;
	const struct cfg_log_engine	*le = j->le;
	struct http_stream_req		 req;
	const char			*hdrs[3];
	char				*url, *body, *auth = NULL, *tenant = NULL;
	size_t				 n = 0;

	memset(&req, 0, sizeof req);
	j->ops->request(le, &j->q, &req.method, &url, &body);
	if (le->auth_scheme == 2) {
		req.user = le->user;
		req.password = le->token;
	} else if (le->token != NULL) {
		xasprintf(&auth, "Authorization: %s %s",
		    le->auth_scheme == 1 ? "Splunk" : "Bearer", le->token);
		hdrs[n++] = auth;
	}
	if (le->tenant != NULL) {
		xasprintf(&tenant, "X-Scope-OrgID: %s", le->tenant);
		hdrs[n++] = tenant;
	}
	hdrs[n] = NULL;
	req.url = url;
	req.body = body;
	req.headers = hdrs;
	req.timeout_ms = (long)le->timeout_s * 1000;
	req.cancel = search_cancel;
	req.cancel_arg = j;
	j->rc = http_stream(&req, search_sink, j, &j->hr);
	j->r.status = j->hr.status;
	/* Stopped at the cap too: a partial last line, Loki's overflow. */
	if (j->rc == 0)
		j->ops->finish(&j->r);
	search_results_sort(&j->r);
	free(url);
	free(body);
	free(auth);
	free(tenant);
}

/* ------------------------------------------------------------ answer */

/* "2h" and the range as clock times in the bot's zone. */
static void
search_range(struct cmd_ctx *ctx, const struct log_query *q)
{
	const char	*tz = ctx->bot->cfg->bot.timezone;
	char		 d[32], from[32], to[32];
	struct tm	 tm;

	duration_format((q->end_ms - q->start_ms) / 1000, d, sizeof d);
	cron_localtime(q->start_ms / 1000, tz, &tm);
	strftime(from, sizeof from, "%Y-%m-%d %H:%M", &tm);
	cron_localtime(q->end_ms / 1000, tz, &tm);
	strftime(to, sizeof to, "%Y-%m-%d %H:%M", &tm);
	cmd_reply(ctx, "last %s: %s to %s %s", d, from, to, tz);
}

/* One result: its time, then its text on one line, redacted, trimmed. */
static void
search_line(struct cmd_ctx *ctx, const struct log_line *l)
{
	char		*red = redact_text(l->text), *clean, when[16];
	struct tm	 tm;

	clean = search_line_text(red, SEARCH_LINE_CHARS);
	free(red);
	if (l->ts_ms > 0) {
		cron_localtime(l->ts_ms / 1000, ctx->bot->cfg->bot.timezone,
		    &tm);
		strftime(when, sizeof when, "%H:%M:%S", &tm);
	} else
		snprintf(when, sizeof when, "--:--:--");
	cmd_reply(ctx, "\n%s  %s", when, clean);
	free(clean);
}

static void
search_done(void *arg, enum workers_status st)
{
	struct search_job	*j = arg;
	struct cmd_ctx		*ctx = j->ctx;
	const char		*label = j->ops->label;
	char			*link, *why, d[32];
	size_t			 i;

	if (ctx->cancelled)
		goto out;
	if (st != WORKERS_DONE || (j->rc != 0 && j->hr.cancelled)) {
		cmd_error(ctx, "not searched: opsbot is shutting down");
		goto out;
	}
	if (j->rc != 0 && j->hr.timed_out) {
		duration_format(j->le->timeout_s, d, sizeof d);
		cmd_error(ctx, "%s did not answer in %s (%s.timeout); narrow "
		    "the query or the time range", label, d, j->le->name);
		goto out;
	}
	if (j->rc != 0) {
		cmd_error(ctx, "%s is unreachable at %s: %s", label, j->le->url,
		    j->hr.error);
		goto out;
	}
	if (j->r.status == 401 || j->r.status == 403) {
		why = j->r.error != NULL ? redact_text(j->r.error) : NULL;
		cmd_error(ctx, "%s refused the bot's credentials (HTTP %ld%s%s);"
		    " check log_engines \"%s\" token", label, j->r.status,
		    why != NULL ? ": " : "", why != NULL ? why : "",
		    j->le->name);
		free(why);
		goto out;
	}
	if (j->r.error != NULL) {
		why = redact_text(j->r.error);
		cmd_error(ctx, "%s could not run the search: %s", label, why);
		free(why);
		goto out;
	}
	search_range(ctx, &j->q);
	if (j->r.n == 0)
		cmd_reply(ctx, "\nno lines matched");
	for (i = 0; i < j->r.n; i++)
		search_line(ctx, &j->r.v[i]);
	if (j->r.more)
		cmd_reply(ctx, "\n(first %zu lines of more, newest first; "
		    "narrow the query or the range)", j->r.n);
	if (j->r.skipped > 0)
		cmd_reply(ctx, "\n(%zu result%s over %d KiB not shown: read %s "
		    "in %s)", j->r.skipped, j->r.skipped == 1 ? "" : "s",
		    LOGS_LINE_MAX >> 10, j->r.skipped == 1 ? "it" : "them",
		    label);
	if ((link = j->ops->ui_link(j->le, &j->q)) != NULL) {
		cmd_reply(ctx, "\nopen in %s: %s", label, link);
		free(link);
	}
out:
	search_running--;
	cmd_finish(ctx);
	search_job_free(j);
}

/* ------------------------------------------------------------ exec */

/*
 * The raw query as typed (quotes kept: SPL and LogQL need them), without
 * the command word and the options /search reads. Caller frees.
 */
static char *
search_raw_text(const char *typed)
{
	static const char *const opts[] = { "since", "limit", "engine", NULL };
	static const char *const smart[][2] = { { "\xe2\x80\x9c", "\"" },
	    { "\xe2\x80\x9d", "\"" }, { "\xe2\x80\x98", "'" },
	    { "\xe2\x80\x99", "'" } };
	struct buf	 b, plain;
	const char	*p, *tok, *name;
	size_t		 n, i, len;
	int		 dq = 0, skip_next = 0;

	/* The quotes chat clients substitute are the engine's plain ones. */
	buf_init(&plain);
	for (p = typed; *p != '\0'; p++) {
		for (i = 0; i < 4 && strncmp(p, smart[i][0], 3) != 0; i++)
			;
		if (i < 4) {
			buf_adds(&plain, smart[i][1]);
			p += 2;
		} else
			buf_addc(&plain, *p);
	}
	p = plain.data;
	buf_init(&b);
	p += strspn(p, " \t");
	p += strcspn(p, " \t");		/* the command word */
	while (*p != '\0') {
		len = strspn(p, " \t");
		tok = p + len;
		if (*tok == '\0')
			break;
		/* A token ends at blank outside double quotes. */
		for (n = 0; tok[n] != '\0' && (dq || (tok[n] != ' ' &&
		    tok[n] != '\t')); n++) {
			if (tok[n] == '\\' && tok[n + 1] != '\0')
				n++;
			else if (tok[n] == '"')
				dq = !dq;
		}
		name = NULL;
		if (strncmp(tok, "--", 2) == 0)
			name = tok + 2;
		else if (strncmp(tok, "\xe2\x80\x94", 3) == 0)	/* — */
			name = tok + 3;
		for (i = 0; name != NULL && opts[i] != NULL; i++) {
			size_t on = strlen(opts[i]);

			if (strncmp(name, opts[i], on) == 0 &&
			    (name + on == tok + n || name[on] == '='))
				break;
		}
		if (skip_next)
			skip_next = 0;
		else if (name != NULL && opts[i] != NULL)
			skip_next = strchr(tok, '=') == NULL ||
			    strchr(tok, '=') >= tok + n;
		else {
			if (b.len > 0)
				buf_addc(&b, ' ');
			buf_add(&b, tok, n);
		}
		p = tok + n;
	}
	buf_release(&plain);
	return buf_detach(&b);
}

/* Names of the searches the asker may run, for messages. */
static void
search_list_names(const struct cmd_ctx *ctx, struct buf *b)
{
	const struct config	*c = ctx->bot->cfg;
	size_t			 i;

	for (i = 0; i < c->nsearches; i++)
		if (search_user_has(ctx, c->searches[i].q.role))
			buf_addf(b, "%s%s", b->len > 0 ? ", " : "",
			    c->searches[i].q.name);
}

/* No arguments: the named searches, as /help would list them. */
static enum cmd_result
search_list(struct cmd_ctx *ctx)
{
	const struct config	*c = ctx->bot->cfg;
	const struct cfg_search	*s;
	const char		*p;
	struct buf		 usage;
	size_t			 i, j;

	cmd_title(ctx, MESSAGE_INFO, "Named searches");
	for (i = 0; i < c->nsearches; i++) {
		s = &c->searches[i];
		buf_init(&usage);
		/* "HOST [DAYS]": what to type after the name. */
		for (j = 0; j < s->q.nparams; j++) {
			buf_adds(&usage, s->q.params[j].def != NULL ? " [" :
			    " ");
			for (p = s->q.params[j].name; *p != '\0'; p++)
				buf_addc(&usage, *p >= 'a' && *p <= 'z' ?
				    (char)(*p - 'a' + 'A') : *p);
			buf_adds(&usage, s->q.params[j].type == CPARAM_TEXT ?
			    "..." : "");
			buf_adds(&usage, s->q.params[j].def != NULL ? "]" : "");
		}
		cmd_reply(ctx, "%s%s%s — %s (%s and up)", i > 0 ? "\n" : "",
		    s->q.name, usage.data, s->q.help,
		    search_level_name(s->q.role));
		buf_release(&usage);
	}
	if (c->nsearches == 0)
		cmd_reply(ctx, "none configured; a raw query: %ssearch "
		    "QUERY --since 1h", cmd_prefix(ctx, "search"));
	return CMD_DONE;
}

/* A raw query's engine and role, or -1 after answering. */
static int
search_raw(struct cmd_ctx *ctx, struct search_job *j)
{
	const struct config	*c = ctx->bot->cfg;
	const char		*first = args_pos(&ctx->args, 0), *hint;
	const char		**names, *risky;
	struct buf		 known;
	size_t			 i;

	names = xcalloc(c->nsearches + 1, sizeof *names);
	for (i = 0; i < c->nsearches; i++)
		names[i] = c->searches[i].q.name;
	/* One bare word close to a search's name is a typo, not SPL. */
	hint = ctx->args.npos == 1 && strpbrk(first, " =|\"{") == NULL ?
	    suggest_pick(first, names) : NULL;
	free(names);
	if (hint != NULL) {
		cmd_refuse(ctx, "no search '%s' — did you mean %s?", first,
		    hint);
		return -1;
	}
	j->le = config_find_log_engine(c, args_get(&ctx->args, "engine"));
	if (j->le == NULL) {
		buf_init(&known);
		for (i = 0; i < c->nlog_engines; i++)
			buf_addf(&known, "%s%s", i > 0 ? ", " : "",
			    c->log_engines[i].name);
		cmd_refuse(ctx, "%s: give --engine %s", args_get(&ctx->args,
		    "engine") != NULL ? "no such log engine" : "more than one "
		    "log engine", known.data);
		buf_release(&known);
		return -1;
	}
	if (!search_user_has(ctx, j->le->raw_role)) {
		buf_init(&known);
		search_list_names(ctx, &known);
		cmd_refuse(ctx, "a raw query needs the %s role (raw_role of "
		    "%s); named searches you may run: %s",
		    search_level_name(j->le->raw_role), j->le->name,
		    known.len > 0 ? known.data : "none");
		buf_release(&known);
		return -1;
	}
	j->query = search_raw_text(ctx->line);
	/* Raw SPL that writes, mails or calls out is the admins' alone. */
	if (j->le->kind == LOGENG_SPLUNK && !search_user_has(ctx, 2) &&
	    (risky = search_spl_risky(j->query)) != NULL) {
		cmd_refuse(ctx, "| %s in a raw query needs the admin role: it "
		    "writes, sends or runs more than a search "
		    "(docs/search.md)", risky);
		return -1;
	}
	return 0;
}

/* A named search's engine and query, or -1 after answering. */
static int
search_named(struct cmd_ctx *ctx, const struct cfg_search *s,
    struct search_job *j)
{
	char	**values = NULL, *cause = NULL;

	if (!search_user_has(ctx, s->q.role)) {
		cmd_refuse(ctx, "the search %s needs the %s role", s->q.name,
		    search_level_name(s->q.role));
		return -1;
	}
	if (config_custom_bind(ctx->bot->cfg, &s->q, ctx->args.pos + 1,
	    ctx->args.npos - 1, &values, &cause) != 0) {
		cmd_refuse(ctx, "%s: %s", s->q.name, cause);
		free(cause);
		return -1;
	}
	j->le = config_find_log_engine(ctx->bot->cfg, s->engine);
	j->query = search_bind_query(s, values);
	j->name = xstrdup(s->q.name);
	config_custom_values_free(&s->q, values);
	return 0;
}

static enum cmd_result
cmd_search_exec(struct cmd_ctx *ctx)
{
	const struct config	*c = ctx->bot->cfg;
	const struct cfg_search	*s;
	const char		*first = args_pos(&ctx->args, 0);
	struct search_job	*j;
	int64_t			 since, limit;

	if (c->nlog_engines == 0) {
		cmd_error(ctx, "no log engine is configured (log_engines, "
		    "docs/search.md)");
		return CMD_ERROR;
	}
	if (first == NULL)
		return search_list(ctx);
	j = xcalloc(1, sizeof *j);
	j->ctx = ctx;
	if ((s = config_find_search(c, first)) != NULL ?
	    search_named(ctx, s, j) : search_raw(ctx, j)) {
		search_job_free(j);
		return CMD_ERROR;
	}
	if (j->query[0] == '\0') {
		cmd_refuse(ctx, "an empty query");
		search_job_free(j);
		return CMD_ERROR;
	}
	j->ops = search_engine_ops(j->le);
	since = args_get_num(&ctx->args, "since", s != NULL &&
	    s->since_s > 0 ? s->since_s : j->le->since_s);
	limit = args_get_num(&ctx->args, "limit", j->le->max_results);
	if (since <= 0 || limit <= 0) {
		cmd_refuse(ctx, "--since and --limit must be above zero");
		search_job_free(j);
		return CMD_ERROR;
	}
	if (limit > j->le->max_results)
		limit = j->le->max_results;
	if (search_running >= search_running_max(ctx)) {
		cmd_refuse(ctx, "%d searches are running, the most at once (half "
		    "of bot.worker_threads); try again when one has answered",
		    search_running);
		search_job_free(j);
		return CMD_ERROR;
	}
	j->q.query = j->query;
	j->q.end_ms = ctx->received_ms;
	j->q.start_ms = ctx->received_ms - since * 1000;
	j->q.limit = (size_t)limit + 1;		/* one more: "of more" */
	search_results_init(&j->r, (size_t)limit);
	cmd_title(ctx, MESSAGE_INFO, "Search%s%s (%s %s)", j->name != NULL ?
	    ": " : "", j->name != NULL ? j->name : "", j->ops->label,
	    j->le->name);
	if (workers_submit(ctx->bot->workers, search_work, search_done,
	    j) != 0) {
		cmd_error(ctx, "not searched: opsbot is shutting down");
		search_job_free(j);
		return CMD_ERROR;
	}
	search_running++;
	return CMD_PENDING;
}

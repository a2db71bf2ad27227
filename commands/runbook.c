/*
 * /runbook [QUERY]: the team's KT documents (runbooks.dir, indexed by
 * runbook_index.c) that best match the words, ranked by sqlite's bm25,
 * each with its title, the passage that matched and its path; without
 * words, what runbooks.map links problems to and the library's list; a
 * library file's exact name (a Runbook button's click), that file.
 * Words typed in chat are quoted one by one (store_runbook_match), so no
 * input is FTS5 syntax.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bot.h"
#include "buf.h"
#include "config.h"
#include "runbook_confluence.h"
#include "runbook_link.h"
#include "store_runbooks.h"
#include "workers.h"
#include "xmalloc.h"

#define RUNBOOK_MATCHES		5	/* a chat answer, not a search page */
#define RUNBOOK_LIST_MAX	50

static enum cmd_result cmd_runbook_exec(struct cmd_ctx *);

const struct cmd_entry cmd_runbook_entry = {
	.name = "runbook",
	.alias = "rb",
	.synopsis = "[QUERY]",
	.help = "Finds the runbooks (the team's KT documents) that best match the words, with the passage that matched and the file, and Confluence's pages when runbooks.confluence is set. Without words, lists what runbooks.map links problems to, and the runbooks.",
	.args = { .options = NULL, .min = 0, .max = -1 },
	.min_role = ROLE_VIEWER,
	.flags = 0,
	.exec = cmd_runbook_exec,
};

struct runbook_answer {
	struct cmd_ctx	*ctx;
	int		 n;
};

/* A snippet on one line: Markdown's line breaks would break the list. */
static void
runbook_add_flat(struct buf *b, const char *s)
{
	int	 space = 0;

	for (; s != NULL && *s != '\0'; s++) {
		if (*s == '\n' || *s == '\r' || *s == '\t' || *s == ' ') {
			space = 1;
			continue;
		}
		if (space && b->len > 0)
			buf_addc(b, ' ');
		space = 0;
		buf_addc(b, *s);
	}
}

/*
 * A library file's name, and with runbooks.base_url its page on the bot's
 * web page: " (https://.../runbooks/FILE)". Into b.
 */
static void
runbook_add_where(struct cmd_ctx *ctx, struct buf *b, const char *path)
{
	struct runbook_link	 l;

	buf_adds(b, path);
	if (ctx->bot->cfg->runbooks.base_url == NULL)
		return;
	runbook_link_make(ctx->bot->cfg, path, NULL, &l);
	if (l.url != NULL)
		buf_addf(b, " (%s)", l.url);
	runbook_link_release(&l);
}

static void
runbook_match_cb(void *arg, const struct store_runbook *r)
{
	struct runbook_answer	*a = arg;
	struct buf		 snip, where;

	buf_init(&snip);
	buf_init(&where);
	runbook_add_flat(&snip, r->snippet);
	runbook_add_where(a->ctx, &where, r->path);
	cmd_reply(a->ctx, "%d. %s — %s\n   %s\n", ++a->n, r->title, where.data,
	    snip.len > 0 ? snip.data : "");
	buf_release(&where);
	buf_release(&snip);
}

static void
runbook_list_cb(void *arg, const struct store_runbook *r)
{
	struct runbook_answer	*a = arg;

	struct buf		 where;

	if (a->n++ < RUNBOOK_LIST_MAX) {
		buf_init(&where);
		runbook_add_where(a->ctx, &where, r->path);
		cmd_reply(a->ctx, "• %s — %s\n", r->title, where.data);
		buf_release(&where);
	}
}

/*
 * What runbooks.map links problems to: "alertname DiskFull → disk-full.md
 * (https://.../runbooks/disk-full.md)", in the order entries are tried.
 */
static void
runbook_list_map(struct cmd_ctx *ctx)
{
	const struct config		*cfg = ctx->bot->cfg;
	const struct cfg_runbook_map	*m;
	struct runbook_link		 l;
	size_t				 i;

	if (cfg->runbooks.nmap == 0)
		return;
	cmd_reply(ctx, "Mapped (the first that matches a problem wins):\n");
	for (i = 0; i < cfg->runbooks.nmap; i++) {
		m = &cfg->runbooks.map[i];
		if (m->match == NULL || m->runbook == NULL)
			continue;
		runbook_link_make(cfg, m->runbook, NULL, &l);
		cmd_reply(ctx, "• %s %s → %s", config_runbook_key_name(m->key),
		    m->match, m->runbook);
		if (l.url != NULL && strcmp(l.url, m->runbook) != 0)
			cmd_reply(ctx, " (%s)", l.url);
		cmd_reply(ctx, "\n");
		runbook_link_release(&l);
	}
	if (cfg->runbooks.dir != NULL)
		cmd_reply(ctx, "Library:\n");
}

/* A library file named exactly (a Runbook button's click): that one. */
struct runbook_named {
	struct cmd_ctx	*ctx;
	const char	*path;
	int		 found;
};

static void
runbook_named_cb(void *arg, const struct store_runbook *r)
{
	struct runbook_named	*nm = arg;
	struct runbook_link	 l;

	if (nm->found || strcmp(r->path, nm->path) != 0)
		return;
	nm->found = 1;
	cmd_reply(nm->ctx, "%s — %s\n", r->title, r->path);
	runbook_link_make(nm->ctx->bot->cfg, r->path, NULL, &l);
	if (l.url != NULL)
		cmd_link(nm->ctx, "runbook0", "Open the runbook", l.url);
	runbook_link_release(&l);
}

static int
runbook_named(struct cmd_ctx *ctx, const char *path)
{
	struct runbook_named	 nm = { ctx, path, 0 };

	if (store_runbook_files(ctx->bot->store, runbook_named_cb, &nm,
	    NULL) != 0)
		return 0;
	return nm.found;
}

static enum cmd_result
runbook_list(struct cmd_ctx *ctx)
{
	struct runbook_answer	 a = { ctx, 0 };
	char			*cause = NULL;

	cmd_title(ctx, MESSAGE_INFO, "Runbooks");
	runbook_list_map(ctx);
	if (ctx->bot->cfg->runbooks.dir == NULL) {
		cmd_reply(ctx, "(no library: runbooks.dir is not set)");
		return CMD_DONE;
	}
	if (store_runbook_files(ctx->bot->store, runbook_list_cb, &a,
	    &cause) != 0) {
		cmd_error(ctx, "cannot list the runbooks: %s", cause);
		free(cause);
		return CMD_ERROR;
	}
	if (a.n == 0)
		cmd_reply(ctx, "no runbooks indexed in %s",
		    ctx->bot->cfg->runbooks.dir);
	else if (a.n > RUNBOOK_LIST_MAX)
		cmd_reply(ctx, "… and %d more: /runbook WORDS finds them",
		    a.n - RUNBOOK_LIST_MAX);
	else
		cmd_reply(ctx, "%d runbook(s); /runbook WORDS searches them",
		    a.n);
	return CMD_DONE;
}

/* Every word first; when no document has them all, any of them. */
static int
runbook_search(struct cmd_ctx *ctx, const char *text,
    struct runbook_answer *a, char **cause)
{
	char	*match;
	int	 any, n = 0;

	for (any = 0; any < 2 && n == 0; any++) {
		if ((match = store_runbook_match(text, any)) == NULL)
			return 0;
		n = store_runbook_search(ctx->bot->store, match,
		    RUNBOOK_MATCHES, runbook_match_cb, a, cause);
		free(match);
	}
	return n;
}

/* A /runbook waiting for Confluence, with what the library found. */
struct runbook_wait {
	struct cmd_ctx			*ctx;
	struct confluence_search	*search;
	char				*text;
	int				 local;		/* library matches */
	int				 failed;	/* library error */
};

/* Worker thread. */
static void
runbook_confluence_work(void *arg)
{
	struct runbook_wait	*w = arg;

	confluence_search_run(w->search);
}

/*
 * Loop thread: Confluence's pages after the library's, numbered on; when
 * it did not answer, the library's answer stands and says so.
 */
static void
runbook_confluence_done(void *arg, enum workers_status st)
{
	struct runbook_wait		*w = arg;
	struct cmd_ctx			*ctx = w->ctx;
	const struct confluence_result	*r;
	size_t				 i;
	int				 n = w->local;

	if (ctx->cancelled)
		goto out;
	r = confluence_search_result(w->search);
	if (st != WORKERS_DONE || r->error != NULL) {
		cmd_reply(ctx, "(Confluence did not answer: %s; these are the "
		    "library's only)\n", st != WORKERS_DONE ?
		    "opsbot is shutting down" : r->error);
		cmd_status(ctx, MESSAGE_WARN);
	} else {
		for (i = 0; i < r->n; i++)
			cmd_reply(ctx, "%d. %s — %s (Confluence)\n   %s\n", ++n,
			    r->v[i].title, r->v[i].url, r->v[i].excerpt);
	}
	if (n == 0 && !w->failed)
		cmd_reply(ctx, "no runbook matches %s; /runbook lists them all",
		    w->text);
out:
	cmd_finish(ctx);
	confluence_search_free(w->search);
	free(w->text);
	free(w);
}

static enum cmd_result
cmd_runbook_exec(struct cmd_ctx *ctx)
{
	const struct config	*cfg = ctx->bot->cfg;
	struct runbook_answer	 a = { ctx, 0 };
	struct runbook_wait	*w;
	struct buf		 text;
	char			*cause = NULL;
	int			 i, n = 0;

	if (ctx->args.npos == 0 && cfg->runbooks.nmap > 0)
		return runbook_list(ctx);
	if (cfg->runbooks.dir == NULL && (ctx->args.npos == 0 ||
	    cfg->runbooks.confluence_url == NULL)) {
		cmd_reply(ctx, "the runbook library is off: runbooks.dir is "
		    "not set in the config");
		return CMD_DONE;
	}
	if (ctx->args.npos == 0)
		return runbook_list(ctx);
	if (ctx->args.npos == 1 && cfg->runbooks.dir != NULL &&
	    runbook_named(ctx, ctx->args.pos[0])) {
		cmd_title(ctx, MESSAGE_INFO, "Runbook %s", ctx->args.pos[0]);
		return CMD_DONE;
	}
	buf_init(&text);
	for (i = 0; i < ctx->args.npos; i++)
		buf_addf(&text, "%s%s", i > 0 ? " " : "", ctx->args.pos[i]);
	cmd_title(ctx, MESSAGE_INFO, "Runbooks for %s", text.data);
	if (cfg->runbooks.dir != NULL &&
	    (n = runbook_search(ctx, text.data, &a, &cause)) < 0) {
		cmd_error(ctx, "cannot search the runbooks: %s\n", cause);
		free(cause);
	}
	/* Confluence too, on a worker: its timeout never holds the loop. */
	w = xcalloc(1, sizeof *w);
	w->search = confluence_search_new(cfg, text.data, RUNBOOK_MATCHES);
	if (w->search != NULL) {
		w->ctx = ctx;
		w->text = buf_detach(&text);
		w->local = n > 0 ? n : 0;
		w->failed = n < 0;
		if (workers_submit(ctx->bot->workers, runbook_confluence_work,
		    runbook_confluence_done, w) == 0)
			return CMD_PENDING;
		buf_init(&text);
		buf_adds(&text, w->text);
		free(w->text);
		confluence_search_free(w->search);
	}
	free(w);
	if (n == 0)
		cmd_reply(ctx, "no runbook matches %s; /runbook lists them all",
		    text.data);
	buf_release(&text);
	return n < 0 ? CMD_ERROR : CMD_DONE;
}

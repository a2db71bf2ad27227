/*
 * The runbook of a problem and its button (runbook_link.h). Matching is
 * by glob in config order, so "LEDGER_*" covers a family of jobs and a
 * specific entry listed first wins over a broad one.
 */

#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bot.h"
#include "buf.h"
#include "config.h"
#include "escape.h"
#include "message.h"
#include "runbook_link.h"
#include "xmalloc.h"

/* Distinct per slot: Slack's action_id, Mattermost's id (static). */
static const char *const runbook_actions[MESSAGE_MAX_BUTTONS] = {
	"runbook0", "runbook1", "runbook2", "runbook3", "runbook4",
};

static int
runbook_glob(const char *pattern, const char *value)
{
	return value != NULL && *value != '\0' &&
	    fnmatch(pattern, value, 0) == 0;
}

/* Does entry m match s? *what: the value that did. */
static int
runbook_entry_matches(const struct config *cfg,
    const struct cfg_runbook_map *m, const struct runbook_subject *s,
    const char **what)
{
	const struct cfg_host	*h;
	size_t			 i;

	switch (m->key) {
	case RUNBOOK_ALERTNAME:
		*what = s->alertname;
		return runbook_glob(m->match, s->alertname);
	case RUNBOOK_SERVICE:
		*what = s->service;
		return runbook_glob(m->match, s->service);
	case RUNBOOK_JOB:
		*what = s->job;
		return runbook_glob(m->match, s->job);
	case RUNBOOK_TAG:
		if (runbook_glob(m->match, s->tag)) {
			*what = s->tag;
			return 1;
		}
		if (s->host == NULL ||
		    (h = config_find_host(cfg, s->host)) == NULL)
			return 0;
		*what = s->host;
		for (i = 0; i < h->tags.n; i++) {
			if (runbook_glob(m->match, h->tags.v[i]))
				return 1;
		}
		return 0;
	}
	return 0;
}

const struct cfg_runbook_map *
runbook_find(const struct config *cfg, const struct runbook_subject *s,
    const char **what)
{
	const char	*w = NULL;
	size_t		 i;

	for (i = 0; i < cfg->runbooks.nmap; i++) {
		if (cfg->runbooks.map[i].match == NULL ||
		    cfg->runbooks.map[i].runbook == NULL)
			continue;
		if (runbook_entry_matches(cfg, &cfg->runbooks.map[i], s, &w)) {
			if (what != NULL)
				*what = w;
			return &cfg->runbooks.map[i];
		}
	}
	return NULL;
}

void
runbook_link_make(const struct config *cfg, const char *runbook,
    const char *what, struct runbook_link *out)
{
	struct buf	 b;

	memset(out, 0, sizeof *out);
	buf_init(&b);
	if (config_runbook_is_url(runbook))
		out->url = xstrdup(runbook);
	else if (cfg->runbooks.base_url != NULL) {
		/* The web page serves the library under /runbooks/. */
		buf_addf(&b, "%s/runbooks/", cfg->runbooks.base_url);
		escape_url_segment(&b, runbook);
		out->url = buf_detach(&b);
		buf_init(&b);
	} else {
		/* No page to open: the library answers in chat. */
		xasprintf(&out->command, "runbook %s", runbook);
		what = runbook;
	}
	if (what != NULL && *what != '\0')
		xasprintf(&out->label, "Runbook: %s", what);
	else
		out->label = xstrdup("Runbook");
	buf_release(&b);
}

void
runbook_link_release(struct runbook_link *l)
{
	free(l->url);
	free(l->label);
	free(l->command);
	memset(l, 0, sizeof *l);
}

int
runbook_link_same(const struct runbook_link *l, const char *url,
    const char *command)
{
	if (l->url != NULL)
		return url != NULL && strcmp(l->url, url) == 0;
	return command != NULL && l->command != NULL &&
	    strcmp(l->command, command) == 0;
}

void
cmd_runbook_link(struct cmd_ctx *ctx, const struct runbook_link *l)
{
	char	 action[32];
	size_t	 i;

	for (i = 0; i < ctx->nbuttons; i++) {
		if (runbook_link_same(l, ctx->buttons[i].url,
		    ctx->buttons[i].value))
			return;
	}
	/* Slack wants each action_id of a message to be its own. */
	snprintf(action, sizeof action, "runbook%zu", ctx->nbuttons);
	if (l->url != NULL)
		cmd_link(ctx, action, l->label, l->url);
	else
		cmd_button(ctx, action, l->label, l->command, 0);
}

int
cmd_runbook(struct cmd_ctx *ctx, const struct runbook_subject *s)
{
	const struct cfg_runbook_map	*m;
	struct runbook_link		 l;
	const char			*what = NULL;

	if ((m = runbook_find(ctx->bot->cfg, s, &what)) == NULL)
		return 0;
	runbook_link_make(ctx->bot->cfg, m->runbook, what, &l);
	cmd_runbook_link(ctx, &l);
	runbook_link_release(&l);
	return 1;
}

void
runbook_message_button(struct message *m, const struct runbook_link *l)
{
	struct message_button	*btn;

	if (m->nbuttons == MESSAGE_MAX_BUTTONS)
		return;
	btn = &m->buttons[m->nbuttons++];
	memset(btn, 0, sizeof *btn);
	btn->action = runbook_actions[m->nbuttons - 1];
	btn->label = l->label;
	btn->url = l->url;
	btn->value = l->command;
}

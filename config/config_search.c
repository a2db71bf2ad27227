/*
 * log_engines and searches (docs/search.md): the engines /search asks
 * and the team's named searches. A named search's query is typed like a
 * custom command's run template (config_custom.c cuts it into literal
 * text and {param}s, and refuses a {param} inside quotes: the bot
 * quotes each value itself, in the engine's syntax). Loaded after the
 * hosts, so a default host value is checked against the inventory.
 */

#include <stdlib.h>
#include <string.h>

#include "config_int.h"
#include "log.h"
#include "xmalloc.h"

static void
cfg_load_engines(struct cfg_ctx *ctx, const cJSON *root, struct config *c)
{
	const cJSON		*arr = cfg_array(ctx, root, "log_engines",
	    "an array of log engines"), *e;
	struct cfg_log_engine	*le;
	char			*p;
	size_t			 j;
	int			 i = 0;

	c->log_engines = xcalloc((size_t)cJSON_GetArraySize(arr) + 1,
	    sizeof *c->log_engines);
	cJSON_ArrayForEach(e, arr) {
		p = cfg_path_index("log_engines", i++);
		if (!cJSON_IsObject(e)) {
			cfg_type_error(ctx, p, "an object", e);
			free(p);
			continue;
		}
		le = &c->log_engines[c->nlog_engines++];
		cfg_load_rows(ctx, e, p, &cfg_log_engine_section, le);
		for (j = 0; le->name != NULL && j + 1 < c->nlog_engines; j++) {
			if (c->log_engines[j].name != NULL &&
			    strcmp(c->log_engines[j].name, le->name) == 0)
				cfg_error(ctx, p, "engine \"%s\" is already "
				    "defined at log_engines[%zu]", le->name, j);
		}
		if (le->auth_scheme == 2 && le->user == NULL)
			cfg_error(ctx, p, "auth_scheme \"Basic\" needs user "
			    "(and token as its password)");
		if (le->auth_scheme == 1 && le->kind != LOGENG_SPLUNK)
			cfg_error(ctx, p, "auth_scheme \"Splunk\" is for a "
			    "Splunk engine; Loki takes Bearer or Basic");
		if (le->ui_datasource != NULL && le->kind != LOGENG_LOKI)
			cfg_error(ctx, p, "ui_datasource (Grafana's) is for a "
			    "Loki engine");
		if (le->tenant != NULL && le->kind != LOGENG_LOKI)
			cfg_error(ctx, p, "tenant (X-Scope-OrgID) is for a "
			    "Loki engine");
		free(p);
	}
}

/*
 * The template as the engine lexes it, not as a shell would: "..." with
 * backslash escapes, and `...` (SPL's macros, LogQL's raw strings,
 * where nothing is escaped). A {param} inside either would get the
 * bot's own quotes inside the template's: a value's quote or backtick
 * would then end the template's string and the rest of the value
 * would be query text (cfg_template_parse follows shell quotes, where
 * a backtick is no quote and a quote inside backticks counts).
 */
static void
cfg_search_quotes(struct cfg_ctx *ctx, const char *path, const char *q)
{
	int	 dq = 0, bt = 0;
	size_t	 n;

	for (; *q != '\0'; q++) {
		if (dq && *q == '\\' && q[1] != '\0') {
			q++;
			continue;
		}
		if (*q == '"' && !bt)
			dq = !dq;
		else if (*q == '`' && !dq)
			bt = !bt;
		else if ((*q == '{' && q[1] == '{') ||
		    (*q == '}' && q[1] == '}'))
			q++;
		else if (*q == '{' && (dq || bt) &&
		    (n = strspn(q + 1, "abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")) > 0 &&
		    q[1 + n] == '}') {
			cfg_error(ctx, path, "{%.*s} is inside %s; leave it "
			    "bare: the bot writes each value as one string "
			    "literal of the engine", (int)n, q + 1, bt ?
			    "backticks" : "a double-quoted string");
			return;
		}
	}
}

static void
cfg_load_one_search(struct cfg_ctx *ctx, const cJSON *e, const char *p,
    struct config *c, struct cfg_search *s)
{
	const struct cfg_cparam	*cp;
	char			*qp, *norm, *why;
	size_t			 j;
	int			 nerr;

	cfg_load_rows(ctx, e, p, &cfg_search_section, s);
	/* A host parameter may name any host of the inventory. */
	s->q.hosts.v = xcalloc(2, sizeof *s->q.hosts.v);
	s->q.hosts.v[0] = xstrdup("all");
	s->q.hosts.n = 1;
	for (j = 0; s->q.name != NULL && j + 1 < c->nsearches; j++) {
		if (c->searches[j].q.name != NULL &&
		    strcmp(c->searches[j].q.name, s->q.name) == 0)
			cfg_error(ctx, p, "search \"%s\" is already defined at "
			    "searches[%zu]", s->q.name, j);
	}
	if (c->nlog_engines == 0)
		cfg_error(ctx, p, "a search needs an engine: add one to "
		    "log_engines");
	else if (s->engine == NULL && c->nlog_engines > 1)
		cfg_error(ctx, p, "give engine: there are %zu log engines",
		    c->nlog_engines);
	else if (s->engine != NULL &&
	    config_find_log_engine(c, s->engine) == NULL) {
		qp = cfg_path_key(p, "engine");
		cfg_error(ctx, qp, "no log engine \"%s\"", s->engine);
		free(qp);
	}
	cfg_load_params(ctx, e, p, &s->q);
	if (s->q.run != NULL) {
		qp = cfg_path_key(p, "query");
		nerr = ctx->nerrors;
		cfg_template_parse(ctx, qp, &s->q);
		/* One message for one mistake. */
		if (ctx->nerrors == nerr)
			cfg_search_quotes(ctx, qp, s->q.run);
		free(qp);
	}
	for (j = 0; j < s->q.nparams; j++) {
		cp = &s->q.params[j];
		if (cp->type == CPARAM_JOB) {
			cfg_error(ctx, p, "params[%zu]: \"job\" is for custom "
			    "commands; use a word with a pattern", j);
			continue;
		}
		if (cp->def == NULL)
			continue;
		if (cfg_custom_value(c, &s->q, cp, cp->def, &norm, &why) == 0) {
			free(norm);
			continue;
		}
		cfg_error(ctx, p, "params[%zu].default: %s", j, why);
		free(why);
	}
}

void
cfg_load_search(struct cfg_ctx *ctx, const cJSON *root, struct config *c)
{
	const cJSON	*arr, *e;
	char		*p;
	int		 i = 0;

	cfg_load_engines(ctx, root, c);
	arr = cfg_array(ctx, root, "searches", "an array of named searches");
	c->searches = xcalloc((size_t)cJSON_GetArraySize(arr) + 1,
	    sizeof *c->searches);
	cJSON_ArrayForEach(e, arr) {
		p = cfg_path_index("searches", i++);
		if (!cJSON_IsObject(e))
			cfg_type_error(ctx, p, "an object", e);
		else
			cfg_load_one_search(ctx, e, p, c,
			    &c->searches[c->nsearches++]);
		free(p);
	}
}

void
cfg_search_free(struct config *c)
{
	size_t	 i;

	for (i = 0; i < c->nlog_engines; i++)
		cfg_free_rows(&cfg_log_engine_section, &c->log_engines[i]);
	free(c->log_engines);
	/* name, help and query are q's: cfg_custom_free frees them. */
	for (i = 0; i < c->nsearches; i++) {
		cfg_custom_free(&c->searches[i].q);
		free(c->searches[i].engine);
	}
	free(c->searches);
}

/* Element sections are not walked by cfg_secrets_sections. */
void
cfg_search_secrets(const struct config *c)
{
	size_t	 i;

	for (i = 0; i < c->nlog_engines; i++)
		log_add_secret(c->log_engines[i].token);
}

const struct cfg_log_engine *
config_find_log_engine(const struct config *c, const char *name)
{
	size_t	 i;

	if (name == NULL)
		return c->nlog_engines == 1 ? &c->log_engines[0] : NULL;
	for (i = 0; i < c->nlog_engines; i++) {
		if (c->log_engines[i].name != NULL &&
		    strcmp(c->log_engines[i].name, name) == 0)
			return &c->log_engines[i];
	}
	return NULL;
}

const struct cfg_search *
config_find_search(const struct config *c, const char *name)
{
	size_t	 i;

	for (i = 0; i < c->nsearches; i++) {
		if (c->searches[i].q.name != NULL &&
		    strcmp(c->searches[i].q.name, name) == 0)
			return &c->searches[i];
	}
	return NULL;
}

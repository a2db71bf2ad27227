/*
 * The runbooks section: its scalar keys are rows (config_table.c); the
 * map from alertname / service / job / host tag to a runbook is loaded
 * here, by hand. A runbook is either an http(s) URL, kept as written,
 * or the name of a Markdown file of runbooks.dir. Whether that file
 * exists is a --check-config question (config_check.c): the library
 * changes while the bot runs, so a start or reload does not refuse it.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_int.h"
#include "xmalloc.h"

/* Slack refuses a url button over 3,000 bytes; keep well under. */
#define RUNBOOK_URL_MAX		1500

static const char *const runbook_keys[] = { "alertname", "service", "job",
    "tag", NULL };

const char *
config_runbook_key_name(enum runbook_key k)
{
	return runbook_keys[k];
}

int
config_runbook_is_url(const char *runbook)
{
	return cfg_has_prefix(runbook, "https://") ||
	    cfg_has_prefix(runbook, "http://");
}

/*
 * A URL a chat button can carry: printable ASCII without spaces, quotes
 * or angle brackets (Slack refuses the whole message for one bad url).
 */
static int
runbook_url_ok(const char *u)
{
	size_t	 n;

	for (n = 0; u[n] != '\0'; n++) {
		if (u[n] <= ' ' || u[n] >= 0x7f || u[n] == '"' ||
		    u[n] == '<' || u[n] == '>' || u[n] == '|')
			return 0;
	}
	return n <= RUNBOOK_URL_MAX;
}

/* A file the indexer reads: a *.md name in runbooks.dir itself. */
static int
runbook_file_ok(const char *f)
{
	size_t	 n = strlen(f);

	return n > 3 && f[0] != '.' && strchr(f, '/') == NULL &&
	    strcmp(f + n - 3, ".md") == 0;
}

static void
runbook_check(struct cfg_ctx *ctx, const char *path, const char *rb,
    const struct config *c)
{
	if (config_runbook_is_url(rb)) {
		if (!runbook_url_ok(rb))
			cfg_error(ctx, path, "a runbook URL is printable ASCII "
			    "without spaces, quotes or <>| and at most %d "
			    "bytes, got \"%s\"", RUNBOOK_URL_MAX, rb);
		return;
	}
	if (strstr(rb, "://") != NULL) {
		cfg_error(ctx, path, "expected an http:// or https:// URL or "
		    "a file of runbooks.dir, got \"%s\"", rb);
		return;
	}
	if (!runbook_file_ok(rb)) {
		cfg_error(ctx, path, "expected a Markdown file of runbooks.dir "
		    "(a name ending in .md, no \"/\") or an http(s) URL, got "
		    "\"%s\"", rb);
		return;
	}
	if (c->runbooks.dir == NULL)
		cfg_error(ctx, path, "\"%s\" is a file of the runbook library, "
		    "but runbooks.dir is not set: set it, or give a URL", rb);
}

/* One entry of runbooks.map into m; errors name path. */
static void
runbook_entry(struct cfg_ctx *ctx, const cJSON *it, const char *path,
    const struct config *c, struct cfg_runbook_map *m)
{
	static const char *const keys[] = { "alertname", "service", "job",
	    "tag", "runbook", NULL };
	char	*v;
	int	 k, nkeys = 0;

	if (!cJSON_IsObject(it)) {
		cfg_type_error(ctx, path, "an object like {\"alertname\": "
		    "\"DiskFull\", \"runbook\": \"disk-full.md\"}", it);
		return;
	}
	cfg_check_keys(ctx, it, path, keys);
	for (k = 0; runbook_keys[k] != NULL; k++) {
		v = NULL;
		if (cfg_string(ctx, it, path, runbook_keys[k], &v) != 1)
			continue;
		if (nkeys++ == 0) {
			m->key = (enum runbook_key)k;
			m->match = v;
		} else
			free(v);
		if (nkeys == 1 && *m->match == '\0')
			cfg_error(ctx, path, "%s is empty", runbook_keys[k]);
	}
	if (nkeys != 1)
		cfg_error(ctx, path, "needs exactly one of alertname, service, "
		    "job or tag (a value or a glob like \"LEDGER_*\"), got %d",
		    nkeys);
	m->runbook = cfg_string_req(ctx, it, path, "runbook");
	if (m->runbook != NULL) {
		char *rp = cfg_path_key(path, "runbook");

		runbook_check(ctx, rp, m->runbook, c);
		free(rp);
	}
}

/* Space keys: letters, digits, "~" (personal spaces) and "_". */
static int
runbook_space_ok(const char *k)
{
	size_t	 n = strlen(k);

	return n > 0 && n <= 255 && strspn(k, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789~_") == n;
}

/*
 * runbooks.confluence: Confluence's search beside the library. The token
 * is an API token (Cloud: with user, basic auth) or a personal access
 * token (Data Center: without user, a bearer token).
 */
static void
cfg_load_confluence(struct cfg_ctx *ctx, const cJSON *rb, struct config *c)
{
	const cJSON	*cf = cfg_object(ctx, rb, "runbooks", "confluence");
	size_t		 i;
	char		*p;

	cfg_load_section(ctx, cf, "runbooks.confluence", c);
	cfg_strlist(ctx, cf, "runbooks.confluence", "spaces",
	    &c->runbooks.confluence_spaces);
	for (i = 0; i < c->runbooks.confluence_spaces.n; i++) {
		if (runbook_space_ok(c->runbooks.confluence_spaces.v[i]))
			continue;
		p = cfg_path_index("runbooks.confluence.spaces", (int)i);
		cfg_error(ctx, p, "a space key is letters, digits, ~ and _, "
		    "got \"%s\"", c->runbooks.confluence_spaces.v[i]);
		free(p);
	}
	if (cf == NULL)
		return;
	if (c->runbooks.confluence_url == NULL)
		cfg_error(ctx, "runbooks.confluence", "needs url, e.g. "
		    "\"https://example.atlassian.net/wiki\"");
	if (c->runbooks.confluence_token == NULL)
		cfg_error(ctx, "runbooks.confluence", "needs token (or "
		    "token_file): an API token, or a personal access token");
	if (c->runbooks.confluence_spaces.n == 0)
		cfg_error(ctx, "runbooks.confluence", "needs spaces, the keys "
		    "of the spaces to search, e.g. [\"OPS\"]");
}

void
cfg_load_runbooks(struct cfg_ctx *ctx, const cJSON *root, struct config *c)
{
	const cJSON	*rb = cfg_object(ctx, root, "", "runbooks");
	const cJSON	*arr, *it;
	char		*path;
	size_t		 n = 0;

	cfg_load_section(ctx, rb, "runbooks", c);
	cfg_load_confluence(ctx, rb, c);
	arr = cJSON_GetObjectItemCaseSensitive(rb, "map");
	if (arr != NULL && !cJSON_IsArray(arr)) {
		/* Named in full: cfg_array would say only "map". */
		cfg_type_error(ctx, "runbooks.map", "an array of "
		    "{\"alertname\" | \"service\" | \"job\" | \"tag\", "
		    "\"runbook\"}", arr);
		arr = NULL;
	}
	c->runbooks.map = xcalloc((size_t)cJSON_GetArraySize(arr) + 1,
	    sizeof *c->runbooks.map);
	cJSON_ArrayForEach(it, arr) {
		path = cfg_path_index("runbooks.map", (int)n);
		runbook_entry(ctx, it, path, c, &c->runbooks.map[n++]);
		free(path);
	}
	c->runbooks.nmap = n;
}

void
cfg_free_runbooks(struct config *c)
{
	size_t	 i;

	for (i = 0; i < c->runbooks.nmap; i++) {
		free(c->runbooks.map[i].match);
		free(c->runbooks.map[i].runbook);
	}
	free(c->runbooks.map);
	c->runbooks.map = NULL;
	strlist_free(&c->runbooks.confluence_spaces);
	c->runbooks.nmap = 0;
}

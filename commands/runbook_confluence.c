/*
 * Confluence's REST search for /runbook (runbook_confluence.h). The
 * request and answer follow Confluence's documented v1 search resource
 * (the same on Cloud, under /wiki, and Data Center): cql, limit and
 * excerpt=highlight in the query; results[] with content.title,
 * content._links.webui (or url), and an excerpt whose matches are
 * between @@@hl@@@ and @@@endhl@@@; _links.base prefixes the paths.
 */

#include <cjson/cJSON.h>
#include <libwebsockets.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cause.h"
#include "config.h"
#include "escape.h"
#include "http.h"
#include "runbook_confluence.h"
#include "xmalloc.h"

#define CONFLUENCE_EXCERPT_MAX	300	/* a chat line, not the page */

struct confluence_search {
	char			*url;		/* the whole request URL */
	char			*auth;		/* "Authorization: ..." */
	long			 timeout_ms;
	int			 limit;
	struct confluence_result result;
};

/* Appends s inside a CQL "..." string: '"' and '\' escaped. */
static void
confluence_cql_string(struct buf *b, const char *s)
{
	buf_addc(b, '"');
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			buf_addc(b, '\\');
		/* A line break has no business in one search phrase. */
		buf_addc(b, *s == '\n' || *s == '\r' || *s == '\t' ? ' ' : *s);
	}
	buf_addc(b, '"');
}

char *
confluence_cql(const char *words, const struct strlist *spaces)
{
	struct buf	 b;
	size_t		 i;

	buf_init(&b);
	buf_adds(&b, "text ~ ");
	confluence_cql_string(&b, words);
	if (spaces != NULL && spaces->n > 0) {
		buf_adds(&b, " AND space in (");
		for (i = 0; i < spaces->n; i++) {
			if (i > 0)
				buf_addc(&b, ',');
			confluence_cql_string(&b, spaces->v[i]);
		}
		buf_addc(&b, ')');
	}
	buf_adds(&b, " AND type = page");
	return buf_detach(&b);
}

/* Basic auth (Cloud: account and API token) or a bearer token (PAT). */
static char *
confluence_auth(const char *user, const char *token)
{
	char	*pair, *out, *b64;
	size_t	 n;

	if (user == NULL) {
		xasprintf(&out, "Authorization: Bearer %s", token);
		return out;
	}
	xasprintf(&pair, "%s:%s", user, token);
	n = strlen(pair);
	b64 = xmalloc(n / 3 * 4 + 8);
	if (lws_b64_encode_string(pair, (int)n, b64, (int)(n / 3 * 4 + 8)) < 0)
		b64[0] = '\0';
	xasprintf(&out, "Authorization: Basic %s", b64);
	free(b64);
	free(pair);
	return out;
}

struct confluence_search *
confluence_search_new(const struct config *cfg, const char *words,
    int limit)
{
	struct confluence_search	*s;
	struct buf			 u;
	char				*cql;

	if (cfg->runbooks.confluence_url == NULL ||
	    cfg->runbooks.confluence_token == NULL)
		return NULL;
	s = xcalloc(1, sizeof *s);
	cql = confluence_cql(words, &cfg->runbooks.confluence_spaces);
	buf_init(&u);
	buf_addf(&u, "%s/rest/api/search?cql=", cfg->runbooks.confluence_url);
	escape_url_component(&u, cql);
	buf_addf(&u, "&limit=%d&excerpt=highlight", limit);
	free(cql);
	s->url = buf_detach(&u);
	s->auth = confluence_auth(cfg->runbooks.confluence_user,
	    cfg->runbooks.confluence_token);
	s->timeout_ms = (long)cfg->runbooks.confluence_timeout_s * 1000;
	s->limit = limit;
	return s;
}

void
confluence_search_run(struct confluence_search *s)
{
	const char		*headers[] = { s->auth,
				    "Accept: application/json", NULL };
	struct http_response	 r;
	char			*cause = NULL;

	if (http_request("GET", s->url, headers, NULL, NULL, s->timeout_ms,
	    &r) != 0) {
		/* libcurl's "Timeout was reached" says less than the limit. */
		if (strstr(r.error, "Timeout") != NULL ||
		    strstr(r.error, "timed out") != NULL)
			xasprintf(&s->result.error, "no answer within %ld s",
			    s->timeout_ms / 1000);
		else
			xasprintf(&s->result.error, "%s", r.error[0] != '\0' ?
			    r.error : "no answer");
	} else if (r.status == 401 || r.status == 403) {
		xasprintf(&s->result.error, "it refused the token (HTTP %ld)",
		    r.status);
	} else if (r.status != 200) {
		xasprintf(&s->result.error, "HTTP %ld", r.status);
	} else if (confluence_parse(r.body.data, r.body.len, s->limit,
	    &s->result, &cause) != 0) {
		xasprintf(&s->result.error, "an answer it could not read: %s",
		    cause);
		free(cause);
	}
	http_response_release(&r);
}

const struct confluence_result *
confluence_search_result(const struct confluence_search *s)
{
	return &s->result;
}

void
confluence_search_free(struct confluence_search *s)
{
	if (s == NULL)
		return;
	free(s->url);
	free(s->auth);
	confluence_result_release(&s->result);
	free(s);
}

/* The string member name of o, or NULL. */
static const char *
confluence_str(const cJSON *o, const char *name)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(o, name);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/*
 * The excerpt on one line, highlights as *word*, cut to a chat line
 * (never inside a UTF-8 sequence). Confluence's own markup of matches
 * is @@@hl@@@ ... @@@endhl@@@.
 */
static char *
confluence_excerpt(const char *s)
{
	struct buf	 b;
	int		 space = 0;

	buf_init(&b);
	while (s != NULL && *s != '\0' && b.len < CONFLUENCE_EXCERPT_MAX) {
		if (strncmp(s, "@@@hl@@@", 8) == 0) {
			if (space && b.len > 0)
				buf_addc(&b, ' ');
			space = 0;
			buf_addc(&b, '*');
			s += 8;
			continue;
		}
		if (strncmp(s, "@@@endhl@@@", 11) == 0) {
			buf_addc(&b, '*');
			s += 11;
			continue;
		}
		if (*s == '\n' || *s == '\r' || *s == '\t' || *s == ' ') {
			space = 1;
			s++;
			continue;
		}
		if (space && b.len > 0)
			buf_addc(&b, ' ');
		space = 0;
		buf_addc(&b, *s++);
	}
	if (s != NULL && *s != '\0') {
		while (b.len > 0 && ((unsigned char)b.data[b.len - 1] & 0xC0)
		    == 0x80)
			b.len--;
		if (b.len > 0 && (unsigned char)b.data[b.len - 1] >= 0xC0)
			b.len--;
		b.data[b.len] = '\0';
		buf_adds(&b, "…");
	}
	return buf_detach(&b);
}

int
confluence_parse(const char *body, size_t len, int limit,
    struct confluence_result *out, char **cause)
{
	cJSON		*root;
	const cJSON	*results, *it, *content, *links;
	const char	*base, *title, *path;
	size_t		 n;

	memset(out, 0, sizeof *out);
	if ((root = cJSON_ParseWithLength(body, len)) == NULL) {
		cause_set(cause, "not JSON");
		return -1;
	}
	results = cJSON_GetObjectItemCaseSensitive(root, "results");
	if (!cJSON_IsArray(results)) {
		cause_set(cause, "no results array");
		cJSON_Delete(root);
		return -1;
	}
	base = confluence_str(cJSON_GetObjectItemCaseSensitive(root,
	    "_links"), "base");
	n = (size_t)cJSON_GetArraySize(results);
	out->v = xcalloc(n + 1, sizeof *out->v);
	cJSON_ArrayForEach(it, results) {
		if ((int)out->n >= limit)
			break;
		content = cJSON_GetObjectItemCaseSensitive(it, "content");
		links = cJSON_GetObjectItemCaseSensitive(content, "_links");
		if ((title = confluence_str(content, "title")) == NULL)
			title = confluence_str(it, "title");
		if ((path = confluence_str(links, "webui")) == NULL)
			path = confluence_str(it, "url");
		if (title == NULL || path == NULL)
			continue;	/* not a page we can link to */
		out->v[out->n].title = xstrdup(title);
		/* webui is relative to _links.base; a full URL stays. */
		if (base != NULL && strncmp(path, "http", 4) != 0)
			xasprintf(&out->v[out->n].url, "%s%s", base, path);
		else
			out->v[out->n].url = xstrdup(path);
		out->v[out->n].excerpt = confluence_excerpt(
		    confluence_str(it, "excerpt"));
		out->n++;
	}
	cJSON_Delete(root);
	return 0;
}

void
confluence_result_release(struct confluence_result *r)
{
	size_t	 i;

	for (i = 0; i < r->n; i++) {
		free(r->v[i].title);
		free(r->v[i].url);
		free(r->v[i].excerpt);
	}
	free(r->v);
	free(r->error);
	memset(r, 0, sizeof *r);
}

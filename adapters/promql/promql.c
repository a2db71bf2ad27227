/*
 * Instant queries over HTTP (see promql.h): POST /api/v1/query with the
 * query form-encoded (a fleet's host regex can be longer than a URL may
 * be), the source's bearer token or basic password, its timeout. Every
 * cause names the source, so an answer over several engines says which
 * one failed.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cause.h"
#include "escape.h"
#include "http.h"
#include "promql.h"
#include "xmalloc.h"

/* A fleet of thousands of hosts' file systems is tens of megabytes. */
#define PROMQL_BODY_MAX	((size_t)256 * 1024 * 1024)

/* RFC 4648 base64 of s, for basic authentication (caller frees). */
static char *
promql_base64(const char *s)
{
	static const char	 tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghij"
	    "klmnopqrstuvwxyz0123456789+/";
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 n = strlen(s), i, o = 0;
	char			*out = xmalloc(4 * ((n + 2) / 3) + 1);
	unsigned		 v;

	for (i = 0; i + 2 < n; i += 3) {
		v = (unsigned)p[i] << 16 | (unsigned)p[i + 1] << 8 | p[i + 2];
		out[o++] = tab[v >> 18 & 63];
		out[o++] = tab[v >> 12 & 63];
		out[o++] = tab[v >> 6 & 63];
		out[o++] = tab[v & 63];
	}
	if (i < n) {
		v = (unsigned)p[i] << 16;
		if (i + 1 < n)
			v |= (unsigned)p[i + 1] << 8;
		out[o++] = tab[v >> 18 & 63];
		out[o++] = tab[v >> 12 & 63];
		out[o++] = i + 1 < n ? tab[v >> 6 & 63] : '=';
		out[o++] = '=';
	}
	out[o] = '\0';
	return out;
}

/* What a refusal means, in words that say what to fix. */
static const char *
promql_status_hint(const struct cfg_metrics_source *src, long status)
{
	if (status == 401)
		return src->token != NULL ? "the token was refused" :
		    src->user != NULL ? "the user or password was refused" :
		    "the engine wants a token or a password (set token or "
		    "user and password)";
	if (status == 403)
		return "the credentials may not query";
	if (status == 404)
		return "no query API at this URL (is url the engine's base, "
		    "without /api/v1?)";
	return NULL;
}

int
promql_query(const struct cfg_metrics_source *src, const char *query,
    struct promql_vector *out, char **cause)
{
	struct http_response	 r;
	struct buf		 url, form;
	const char		*headers[2] = { NULL, NULL }, *hint;
	char			*auth = NULL, *b64, *pair, *why = NULL;
	int			 rc = -1;

	memset(out, 0, sizeof *out);
	cause_clear(cause);
	buf_init(&url);
	buf_init(&form);
	buf_addf(&url, "%s/api/v1/query", src->url);
	buf_adds(&form, "query=");
	escape_url_component(&form, query);
	if (src->token != NULL)
		xasprintf(&auth, "Authorization: Bearer %s", src->token);
	else if (src->user != NULL && src->password != NULL) {
		xasprintf(&pair, "%s:%s", src->user, src->password);
		b64 = promql_base64(pair);
		xasprintf(&auth, "Authorization: Basic %s", b64);
		free(b64);
		free(pair);
	}
	headers[0] = auth;
	if (http_request_big("POST", url.data, headers,
	    "application/x-www-form-urlencoded", form.data,
	    (long)src->timeout_s * 1000, PROMQL_BODY_MAX, &r) != 0) {
		if (strstr(r.error, "imeout") != NULL)
			cause_set(cause, "%s (%s): no answer in %lld s", src->name,
			    src->url, (long long)src->timeout_s);
		else
			cause_set(cause, "%s (%s): %s", src->name, src->url,
			    r.error);
		goto out;
	}
	/* 400 and 422 carry the engine's own error: the parser reads it. */
	if (r.status != 200 && r.status != 400 && r.status != 422 &&
	    r.status != 503) {
		hint = promql_status_hint(src, r.status);
		cause_set(cause, "%s (%s): HTTP %ld%s%s", src->name, src->url,
		    r.status, hint != NULL ? ": " : "", hint != NULL ? hint :
		    "");
		goto out;
	}
	if (promql_parse(r.body.data != NULL ? r.body.data : "", r.body.len,
	    out, &why) != 0) {
		cause_set(cause, "%s: %s", src->name, why);
		free(why);
		goto out;
	}
	rc = 0;
out:
	http_response_release(&r);
	buf_release(&url);
	buf_release(&form);
	free(auth);
	return rc;
}

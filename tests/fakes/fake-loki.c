/*
 * fake-loki: Loki's query_range as /search uses it, on the shared
 * fakehttp plumbing. GET /loki/api/v1/query_range?query=LOGQL&start=NS
 * &end=NS&limit=N&direction=backward answers as Loki does:
 * {"status":"success","data":{"resultType":"streams","result":[{"stream":
 * {labels},"values":[["<ns>","line"],...]}],"stats":{...}}}, at most
 * limit lines over all streams, newest first; a query Loki cannot parse
 * is a 400 with a plain-text body ("parse error at line 1, col 1: syntax
 * error: unexpected IDENTIFIER").
 *
 * It reads LogQL only as far as the bot's tests need: a stream selector
 * {k="v",...} (labels app and host), then any |= "text" filters. Words
 * that drive it: BADQUERY (a parse error), SLOW (the answer held
 * --slow-ms, default 10 s), HUGE (200,000 lines exist; limit applies, as
 * in Loki), SECRET (a line with a password in it).
 *
 * Auth (as a gateway in front of Loki does it): "Bearer TOKEN" (--token,
 * default "loki-token") or, with --user, Basic USER:TOKEN; anything else
 * is a 401 "authentication required". GET /_control/state: {"queries": N,
 * "requests": [{"query", "start", "end", "limit", "direction", "auth",
 * "tenant"}]}, the last 20.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fakehttp.h"

#define HUGE_LINES	200000
#define LINES		30
#define KEPT		20

static struct {
	const char *token, *user;
	int slow_ms;
	int queries;
	cJSON *requests;
} g = { "loki-token", NULL, 10000, 0, NULL };

struct pss {
	struct req q; /* first: fakehttp's part */
	char query[2048], start[32], end[32], limit[16], direction[16];
	char tenant[128];
	int slow;
};

/* The selector's label values and the filters' texts. */
struct logql {
	char app[128], host[128];
	char filters[4][128];
	int n_filters;
};

static const char *
skip(const char *p)
{
	while (*p == ' ')
		p++;
	return p;
}

/* A "..." with \" and \\ escapes; NULL on a bad one. */
static const char *
string(const char *p, char *out, size_t len)
{
	size_t n = 0;

	if (*p != '"')
		return NULL;
	for (p++; *p != '"'; p++) {
		if (!*p)
			return NULL;
		if (*p == '\\' && (p[1] == '"' || p[1] == '\\'))
			p++;
		if (n + 1 < len)
			out[n++] = *p;
	}
	out[n] = '\0';
	return p + 1;
}

/* 0, or the 1-based column of the first thing it cannot read. */
static int
parse(const char *s, struct logql *l)
{
	const char *p = skip(s);
	char key[64], val[128];
	size_t n;

	memset(l, 0, sizeof(*l));
	if (*p++ != '{')
		return (int)(p - s);
	for (;;) {
		p = skip(p);
		n = strspn(p, "abcdefghijklmnopqrstuvwxyz_");
		if (n == 0 || n >= sizeof(key))
			return (int)(p - s) + 1;
		snprintf(key, sizeof(key), "%.*s", (int)n, p);
		p = skip(p + n);
		if (*p++ != '=')
			return (int)(p - s);
		if (!(p = string(skip(p), val, sizeof(val))))
			return 1;
		if (!strcmp(key, "app"))
			snprintf(l->app, sizeof(l->app), "%s", val);
		else if (!strcmp(key, "host"))
			snprintf(l->host, sizeof(l->host), "%s", val);
		p = skip(p);
		if (*p == ',') {
			p++;
			continue;
		}
		if (*p++ != '}')
			return (int)(p - s);
		break;
	}
	for (;;) {
		p = skip(p);
		if (!*p)
			return 0;
		if (strncmp(p, "|=", 2) != 0 || l->n_filters == 4)
			return (int)(p - s) + 1;
		if (!(p = string(skip(p + 2), l->filters[l->n_filters],
		                 sizeof(l->filters[0]))))
			return 1;
		l->n_filters++;
	}
}

static void
record(const struct pss *pss)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "query", pss->query);
	cJSON_AddStringToObject(o, "start", pss->start);
	cJSON_AddStringToObject(o, "end", pss->end);
	cJSON_AddStringToObject(o, "limit", pss->limit);
	cJSON_AddStringToObject(o, "direction", pss->direction);
	cJSON_AddStringToObject(o, "auth", pss->q.auth);
	cJSON_AddStringToObject(o, "tenant", pss->tenant);
	cJSON_AddItemToArray(g.requests, o);
	while (cJSON_GetArraySize(g.requests) > KEPT)
		cJSON_DeleteItemFromArray(g.requests, 0);
}

static void
line_text(int i, int secret, char *out, size_t len)
{
	static const char *const kinds[] = {
		"level=error msg=\"payment declined\" reason=timeout",
		"level=info msg=\"payment accepted\"",
		"level=warn msg=\"retrying ledger write\"",
	};

	if (secret && i == 0)
		snprintf(out, len, "level=error msg=\"login failed\" "
		         "password=hunter2-SECRET");
	else
		snprintf(out, len, "%s order=%d", kinds[i % 3], 1000 + i);
}

static void
query_range(struct pss *pss, struct reply *r)
{
	static const char *const hosts[] = { "prod-app", "prod-web" };
	cJSON *root, *data, *result, *st, *labels, *values, *v, *stats;
	struct logql l;
	char text[256], ts[32], err[160];
	long long end = atoll(pss->end);
	int col, i, h, f, ok, limit = atoi(pss->limit), n = 0, huge, secret;

	g.queries++;
	record(pss);
	if ((col = parse(pss->query, &l)) != 0 || strstr(pss->query, "BADQUERY")) {
		snprintf(err, sizeof(err), "parse error at line 1, col %d: syntax "
		         "error: unexpected IDENTIFIER", col ? col : 1);
		reply_set(r, 400, "text/plain; charset=utf-8", err);
		return;
	}
	if (limit <= 0)
		limit = 100; /* Loki's default */
	pss->slow = strstr(pss->query, "SLOW") != NULL;
	huge = strstr(pss->query, "HUGE") != NULL;
	secret = strstr(pss->query, "SECRET") != NULL;
	root = cJSON_CreateObject();
	cJSON_AddStringToObject(root, "status", "success");
	data = cJSON_AddObjectToObject(root, "data");
	cJSON_AddStringToObject(data, "resultType", "streams");
	result = cJSON_AddArrayToObject(data, "result");
	/* Line i is host i % 2's: newest first within each stream. */
	for (h = 0; h < 2; h++) {
		if (l.host[0] && strcmp(l.host, hosts[h]))
			continue;
		st = cJSON_CreateObject();
		labels = cJSON_AddObjectToObject(st, "stream");
		cJSON_AddStringToObject(labels, "app", "payments");
		cJSON_AddStringToObject(labels, "host", hosts[h]);
		values = cJSON_AddArrayToObject(st, "values");
		for (i = h; i < (huge ? HUGE_LINES : LINES) && n < limit; i += 2) {
			line_text(i, secret, text, sizeof(text));
			for (f = 0, ok = 1; f < l.n_filters; f++)
				ok &= !strcmp(l.filters[f], "SLOW") ||
				      !strcmp(l.filters[f], "HUGE") ||
				      !strcmp(l.filters[f], "SECRET") ||
				      strcasestr(text, l.filters[f]) != NULL;
			if (!ok)
				continue;
			snprintf(ts, sizeof(ts), "%lld",
			         end - (long long)i * 60000000000LL - 123456789LL);
			v = cJSON_CreateArray();
			cJSON_AddItemToArray(v, cJSON_CreateString(ts));
			cJSON_AddItemToArray(v, cJSON_CreateString(text));
			cJSON_AddItemToArray(values, v);
			n++;
		}
		cJSON_AddItemToArray(result, st);
	}
	stats = cJSON_AddObjectToObject(data, "stats");
	cJSON_AddObjectToObject(stats, "summary");
	reply_json(r, 200, root);
}

static int
authorized(const char *auth)
{
	char want[512], pair[256];

	if (g.user) {
		snprintf(pair, sizeof(pair), "%s:%s", g.user, g.token);
		snprintf(want, sizeof(want), "Basic ");
		if (lws_b64_encode_string(pair, (int)strlen(pair), want + 6,
		                          (int)sizeof(want) - 6) < 0)
			return 0;
	} else
		snprintf(want, sizeof(want), "Bearer %s", g.token);
	return !strcmp(auth, want);
}

static void
arg(struct lws *wsi, const char *name, char *out, size_t len)
{
	char tmp[2100];
	const char *v = lws_get_urlarg_by_name(wsi, name, tmp, sizeof(tmp));

	snprintf(out, len, "%s", v ? v : "");
}

static void
loki_begin(struct lws *wsi, struct req *q)
{
	struct pss *pss = lws_container_of(q, struct pss, q);
	int n;

	arg(wsi, "query=", pss->query, sizeof(pss->query));
	arg(wsi, "start=", pss->start, sizeof(pss->start));
	arg(wsi, "end=", pss->end, sizeof(pss->end));
	arg(wsi, "limit=", pss->limit, sizeof(pss->limit));
	arg(wsi, "direction=", pss->direction, sizeof(pss->direction));
	n = lws_hdr_custom_copy(wsi, pss->tenant, sizeof(pss->tenant),
	                        "x-scope-orgid:", 14);
	if (n < 0)
		pss->tenant[0] = '\0';
}

static int
loki_route(struct lws *wsi, struct req *q, struct reply *r)
{
	struct pss *pss = lws_container_of(q, struct pss, q);
	cJSON *out;

	(void)wsi;
	if (!strcmp(q->path, "/_control/state")) {
		out = cJSON_CreateObject();
		cJSON_AddNumberToObject(out, "queries", g.queries);
		cJSON_AddItemToObject(out, "requests",
		                      cJSON_Duplicate(g.requests, 1));
		reply_json(r, 200, out);
		return 0;
	}
	if (strcmp(q->path, "/loki/api/v1/query_range") != 0 ||
	    q->method != M_GET) {
		reply_set(r, 404, "text/plain; charset=utf-8", "404 page not found\n");
		return 0;
	}
	if (!authorized(q->auth)) {
		g.queries++;
		record(pss);
		reply_set(r, 401, "text/plain; charset=utf-8",
		          "authentication required\n");
		return 0;
	}
	query_range(pss, r);
	return 0;
}

static int
loki_finish(struct req *q, struct reply *r)
{
	struct pss *pss = lws_container_of(q, struct pss, q);

	(void)r;
	return pss->slow ? g.slow_ms : 0;
}

static void
loki_start(void)
{
	g.requests = cJSON_CreateArray();
}

static void
loki_done(void)
{
	cJSON_Delete(g.requests);
}

static const struct fh_opt loki_opts[] = {
	{ "--token", FH_STR, &g.token },
	{ "--user", FH_STR, &g.user },
	{ "--slow-ms", FH_INT, &g.slow_ms },
};

static const struct fh_ops loki_ops = {
	.usage = "usage: fake-loki PORTFILE [--token T] [--user U] "
	         "[--slow-ms N]\n"
	         "                 [--lifetime-s N] [--port N] [--verbose]\n",
	.opts = loki_opts,
	.n_opts = sizeof(loki_opts) / sizeof(loki_opts[0]),
	.start = loki_start,
	.done = loki_done,
	.pss_size = sizeof(struct pss),
	.begin = loki_begin,
	.route = loki_route,
	.finish = loki_finish,
	.ws_path = "/_no_websocket",
	.max_ws_message = 1024,
};

int
main(int argc, char **argv)
{
	return fake_main("fake-loki", argc, argv, &loki_ops, NULL);
}

/*
 * fake-confluence: Confluence's REST search as /runbook uses it, on the
 * shared fakehttp plumbing. GET [/wiki]/rest/api/search?cql=...&limit=N
 * answers in the documented shape: {"results": [{"content": {"id",
 * "type", "status", "title", "_links": {"webui"}}, "title", "excerpt"
 * (matches between @@@hl@@@ and @@@endhl@@@), "url", "lastModified"}],
 * "start", "limit", "size", "totalSize", "cqlQuery", "_links": {"base",
 * "context"}}. It reads only the CQL the bot writes, strictly: text ~
 * "PHRASE" [AND space in ("K", ...)] [AND type = page], with \" and \\
 * escapes inside the strings; anything else is a 400 as Confluence
 * gives for a CQL it cannot parse. A page matches when every word of the
 * phrase is in its title or body (case-insensitive), within the spaces.
 *
 * Authentication: with --user, basic auth with USER:TOKEN; without, a
 * bearer TOKEN; anything else is a 401. Modes (POST /_control/mode
 * {"mode": "ok" | "401" | "slow", "slow_ms": N}): "401" refuses every
 * search, "slow" holds each answer slow_ms (default 10 s).
 * GET /_control/last: {"cql", "auth", "searches"}, what the bot sent.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fakehttp.h"

struct page {
	const char *id, *space, *title, *body;
};

/* The wiki: two OPS pages, one KT page and one HR page (never searched). */
static const struct page pages[] = {
	{ "98", "OPS", "Payment gateway restart",
	  "How to restart the payment gateway when it stops answering." },
	{ "99", "OPS", "Ledger batch reruns",
	  "Rerun LEDGER_EOD after a failure; check the ledger lock first." },
	{ "120", "KT", "Knowledge transfer: gateway internals",
	  "The gateway keeps a pool of connections to the payment network." },
	{ "300", "HR", "Restart your payment card",
	  "HR page: never in an ops answer." },
};

static struct {
	const char *user, *token;
	char mode[16];
	int slow_ms;
	char last_cql[1024], last_auth[512];
	int searches;
	char base[64];
} g = { NULL, "conf-token", "ok", 10000, "", "", 0, "" };

struct pss {
	struct req q; /* first: fakehttp's part */
	char cql[1024];
	int limit;
};

/* --- the CQL the bot writes -------------------------------------------- */

struct cql {
	char phrase[512];
	char spaces[8][64];
	int n_spaces;
};

static void
skip_ws(const char **p)
{
	while (**p == ' ')
		(*p)++;
}

/* Takes word w (case-insensitive) at *p; 1 if it was there. */
static int
take(const char **p, const char *w)
{
	size_t n = strlen(w);

	skip_ws(p);
	if (strncasecmp(*p, w, n) != 0)
		return 0;
	*p += n;
	return 1;
}

/* A "..." string with \" and \\ escapes into out; 0 on a bad one. */
static int
take_string(const char **p, char *out, size_t len)
{
	size_t n = 0;

	skip_ws(p);
	if (**p != '"')
		return 0;
	for ((*p)++; **p != '"'; (*p)++) {
		if (**p == '\0')
			return 0;
		if (**p == '\\') {
			(*p)++;
			if (**p != '"' && **p != '\\')
				return 0; /* CQL knows no other escape here */
		}
		if (n + 1 < len)
			out[n++] = **p;
	}
	(*p)++;
	out[n] = '\0';
	return 1;
}

static int
cql_parse(const char *s, struct cql *c)
{
	const char *p = s;

	memset(c, 0, sizeof(*c));
	if (!take(&p, "text") || !take(&p, "~") ||
	    !take_string(&p, c->phrase, sizeof(c->phrase)))
		return 0;
	for (;;) {
		skip_ws(&p);
		if (*p == '\0')
			return 1;
		if (!take(&p, "AND"))
			return 0;
		if (take(&p, "type")) {
			if (!take(&p, "=") || !take(&p, "page"))
				return 0;
			continue;
		}
		if (!take(&p, "space") || !take(&p, "in") || !take(&p, "("))
			return 0;
		do {
			if (c->n_spaces == 8 ||
			    !take_string(&p, c->spaces[c->n_spaces],
			                 sizeof(c->spaces[0])))
				return 0;
			c->n_spaces++;
		} while (take(&p, ","));
		if (!take(&p, ")"))
			return 0;
	}
}

/* Is every word of phrase in the page's title or body? */
static int
page_matches(const struct page *pg, const char *phrase)
{
	char words[512], *w, *save = NULL;
	int any = 0;

	snprintf(words, sizeof(words), "%s", phrase);
	for (w = strtok_r(words, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		if (!strcasestr(pg->title, w) && !strcasestr(pg->body, w))
			return 0;
		any = 1;
	}
	return any;
}

/* The body with the phrase's first word marked as Confluence marks it. */
static char *
excerpt(const struct page *pg, const char *phrase)
{
	char first[128], *out;
	const char *hit;
	size_t n = strcspn(phrase, " ");

	snprintf(first, sizeof(first), "%.*s", (int)n, phrase);
	hit = n > 0 ? strcasestr(pg->body, first) : NULL;
	out = xmalloc(strlen(pg->body) + 32);
	if (!hit)
		strcpy(out, pg->body);
	else
		sprintf(out, "%.*s@@@hl@@@%.*s@@@endhl@@@%s",
		        (int)(hit - pg->body), pg->body, (int)n, hit,
		        hit + n);
	return out;
}

static void
search(struct pss *pss, struct reply *r)
{
	struct cql c;
	cJSON *root, *results, *res, *content, *links;
	char webui[160], *ex;
	size_t i;
	int j, ok, n = 0;

	g.searches++;
	snprintf(g.last_cql, sizeof(g.last_cql), "%s", pss->cql);
	snprintf(g.last_auth, sizeof(g.last_auth), "%s", pss->q.auth);
	if (!cql_parse(pss->cql, &c)) {
		root = cJSON_CreateObject();
		cJSON_AddNumberToObject(root, "statusCode", 400);
		cJSON_AddStringToObject(root, "message",
		                        "Could not parse cql");
		reply_json(r, 400, root);
		return;
	}
	root = cJSON_CreateObject();
	results = cJSON_AddArrayToObject(root, "results");
	for (i = 0; i < sizeof(pages) / sizeof(pages[0]); i++) {
		ok = c.n_spaces == 0;
		for (j = 0; j < c.n_spaces; j++)
			ok |= !strcmp(c.spaces[j], pages[i].space);
		if (!ok || !page_matches(&pages[i], c.phrase) ||
		    n >= pss->limit)
			continue;
		n++;
		snprintf(webui, sizeof(webui), "/spaces/%s/pages/%s",
		         pages[i].space, pages[i].id);
		res = cJSON_CreateObject();
		content = cJSON_AddObjectToObject(res, "content");
		cJSON_AddStringToObject(content, "id", pages[i].id);
		cJSON_AddStringToObject(content, "type", "page");
		cJSON_AddStringToObject(content, "status", "current");
		cJSON_AddStringToObject(content, "title", pages[i].title);
		links = cJSON_AddObjectToObject(content, "_links");
		cJSON_AddStringToObject(links, "webui", webui);
		cJSON_AddStringToObject(res, "title", pages[i].title);
		ex = excerpt(&pages[i], c.phrase);
		cJSON_AddStringToObject(res, "excerpt", ex);
		free(ex);
		cJSON_AddStringToObject(res, "url", webui);
		cJSON_AddStringToObject(res, "lastModified",
		                        "2026-11-02T09:14:00.000Z");
		cJSON_AddItemToArray(results, res);
	}
	cJSON_AddNumberToObject(root, "start", 0);
	cJSON_AddNumberToObject(root, "limit", pss->limit);
	cJSON_AddNumberToObject(root, "size", n);
	cJSON_AddNumberToObject(root, "totalSize", n);
	cJSON_AddStringToObject(root, "cqlQuery", pss->cql);
	links = cJSON_AddObjectToObject(root, "_links");
	cJSON_AddStringToObject(links, "base", g.base);
	cJSON_AddStringToObject(links, "context", "/wiki");
	reply_json(r, 200, root);
}

/* --- auth, control, hooks ------------------------------------------------ */

static int
authorized(const char *auth)
{
	char want[512], pair[256];

	if (g.user) {
		snprintf(pair, sizeof(pair), "%s:%s", g.user, g.token);
		strcpy(want, "Basic ");
		if (lws_b64_encode_string(pair, (int)strlen(pair), want + 6,
		                          (int)sizeof(want) - 6) < 0)
			return 0;
	} else
		snprintf(want, sizeof(want), "Bearer %s", g.token);
	return !strcmp(auth, want);
}

static void
unauthorized(struct reply *r)
{
	cJSON *j = cJSON_CreateObject();

	cJSON_AddNumberToObject(j, "statusCode", 401);
	cJSON_AddStringToObject(j, "message", "Unauthorized; scope does not "
	                        "match");
	reply_json(r, 401, j);
}

static void
control(const struct pss *pss, const char *what, struct reply *r)
{
	cJSON *in, *out;
	const char *m;

	if (!strcmp(what, "last")) {
		out = cJSON_CreateObject();
		cJSON_AddStringToObject(out, "cql", g.last_cql);
		cJSON_AddStringToObject(out, "auth", g.last_auth);
		cJSON_AddNumberToObject(out, "searches", g.searches);
		reply_json(r, 200, out);
		return;
	}
	if (strcmp(what, "mode") != 0 || pss->q.method != M_POST) {
		reply_error(r, 404, "not_found");
		return;
	}
	in = req_body_item(&pss->q, NULL);
	m = jstr(in, "mode");
	if (!m || (strcmp(m, "ok") && strcmp(m, "401") && strcmp(m, "slow"))) {
		cJSON_Delete(in);
		reply_error(r, 400, "bad_mode");
		return;
	}
	snprintf(g.mode, sizeof(g.mode), "%s", m);
	g.slow_ms = jint(in, "slow_ms", g.slow_ms);
	say("mode %s (slow %d ms)", g.mode, g.slow_ms);
	cJSON_Delete(in);
	reply_json(r, 200, ok_object());
}

static void
conf_begin(struct lws *wsi, struct req *q)
{
	struct pss *pss = lws_container_of(q, struct pss, q);
	char tmp[1100];
	const char *v;

	/* Sized for any fragment: lws stops at the first that does not fit. */
	v = lws_get_urlarg_by_name(wsi, "cql=", tmp, sizeof(tmp));
	snprintf(pss->cql, sizeof(pss->cql), "%s", v ? v : "");
	v = lws_get_urlarg_by_name(wsi, "limit=", tmp, sizeof(tmp));
	pss->limit = v ? atoi(v) : 25;
	if (pss->limit <= 0 || pss->limit > 100)
		pss->limit = 25;
}

static int
conf_route(struct lws *wsi, struct req *q, struct reply *r)
{
	struct pss *pss = lws_container_of(q, struct pss, q);
	const char *p = q->path;

	(void)wsi;
	if (!strncmp(p, "/_control/", 10)) {
		control(pss, p + 10, r);
		return 0;
	}
	if (!strncmp(p, "/wiki/", 6))
		p += 5;
	if (strcmp(p, "/rest/api/search") != 0 || q->method != M_GET) {
		reply_error(r, 404, "not_found");
		return 0;
	}
	if (!strcmp(g.mode, "401") || !authorized(q->auth)) {
		g.searches++;
		snprintf(g.last_auth, sizeof(g.last_auth), "%s", q->auth);
		unauthorized(r);
		return 0;
	}
	search(pss, r);
	return 0;
}

/* Slow mode: the search's answer waits. */
static int
conf_finish(struct req *q, struct reply *r)
{
	(void)r;
	if (!strcmp(g.mode, "slow") && strncmp(q->path, "/_control/", 10))
		return g.slow_ms;
	return 0;
}

static void
conf_start(void)
{
	snprintf(g.base, sizeof(g.base), "http://127.0.0.1:%d/wiki", fs.port);
}

static const struct fh_opt conf_opts[] = {
	{ "--user", FH_STR, &g.user },
	{ "--token", FH_STR, &g.token },
	{ "--slow-ms", FH_INT, &g.slow_ms },
};

static const struct fh_ops conf_ops = {
	.usage = "usage: fake-confluence PORTFILE [--user U] [--token T] "
	         "[--slow-ms N]\n"
	         "                       [--lifetime-s N] [--port N] "
	         "[--verbose]\n",
	.opts = conf_opts,
	.n_opts = sizeof(conf_opts) / sizeof(conf_opts[0]),
	.start = conf_start,
	.pss_size = sizeof(struct pss),
	.begin = conf_begin,
	.route = conf_route,
	.finish = conf_finish,
	.ws_path = "/_no_websocket",
	.max_ws_message = 1024,
};

int
main(int argc, char **argv)
{
	return fake_main("fake-confluence", argc, argv, &conf_ops, NULL);
}

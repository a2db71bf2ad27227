/*
 * fake-splunk: Splunk's REST search export as /search uses it, on the
 * shared fakehttp plumbing. POST /services/search/jobs/export with a
 * form body (search, output_mode, earliest_time, latest_time) answers
 * as Splunk does with output_mode=json: one JSON object a line,
 * {"preview":false,"offset":N,"result":{"_time":"...","_raw":"...",
 * "host":"...","source":"...","sourcetype":"..."}}, newest first; a
 * search Splunk cannot parse is a 400 with {"messages":[{"type":
 * "FATAL","text":"..."}]}; a missing or wrong token is a 401 with
 * {"messages":[{"type":"WARN","text":"call not properly
 * authenticated"}]}.
 *
 * It does not run SPL. The search must start with "search " or "|"
 * (else Splunk's "Unknown search command"); its bare words (not k=v,
 * not after a "|") must all be in an event's _raw, case-insensitively.
 * A trailing "| head N" keeps the first N events, as Splunk's head
 * does (HUGE ignores it: a search whose results the bot must cut).
 * Words that drive it: BADQUERY (a parse error), SLOW (the answer held
 * --slow-ms, default 10 s), HUGE (200,000 events, streamed: the bot
 * must stop reading), SECRET (an event with a password in it).
 *
 * Auth: "Authorization: Bearer TOKEN" or "Splunk TOKEN" (--token, default
 * "splunk-token"). GET /_control/state: {"searches": N, "requests":
 * [{"search", "output_mode", "earliest_time", "latest_time", "auth"}]},
 * the last 20.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "fakehttp.h"

#define HUGE_EVENTS	200000
#define EVENTS		30
#define KEPT		20

static struct {
	const char *token;
	int slow_ms;
	int searches;
	cJSON *requests;
} g = { "splunk-token", 10000, 0, NULL };

struct pss {
	struct req q; /* first: fakehttp's part */
	int slow;
};

static void
iso_time(int64_t ms, char *out, size_t len)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	gmtime_r(&t, &tm);
	snprintf(out, len, "%04d-%02d-%02dT%02d:%02d:%02d.%03d+00:00",
	         tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	         tm.tm_min, tm.tm_sec, (int)(ms % 1000));
}

/* The i-th event of the day's log, i minutes ago. */
static void
event_raw(int i, int secret, char *out, size_t len)
{
	static const char *const kinds[] = {
		"ERROR payment declined: gateway timeout after 30000 ms",
		"INFO payment accepted",
		"WARN retrying ledger write",
	};

	if (secret && i == 0)
		snprintf(out, len, "ERROR login failed for svc-pay "
		         "password=hunter2-SECRET token=abc");
	else
		snprintf(out, len, "%s order=%d", kinds[i % 3], 1000 + i);
}

/* Does raw hold every bare word of the search? */
static int
matches(const char *search, const char *raw)
{
	char words[2048], *w, *save = NULL;

	snprintf(words, sizeof(words), "%s", search);
	if (strchr(words, '|'))
		*strchr(words, '|') = '\0';
	for (w = strtok_r(words, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		if (!strcmp(w, "search") || strchr(w, '=') || !strcmp(w, "SLOW") ||
		    !strcmp(w, "HUGE") || !strcmp(w, "SECRET"))
			continue;
		/* A quoted phrase's words count one by one here. */
		if (*w == '"')
			w++;
		if (*w && w[strlen(w) - 1] == '"')
			w[strlen(w) - 1] = '\0';
		if (*w && !strcasestr(raw, w))
			return 0;
	}
	return 1;
}

static void
add_event(struct buf *b, int offset, int64_t ms, const char *raw)
{
	cJSON *line = cJSON_CreateObject(), *res;
	char when[80], *s;

	iso_time(ms, when, sizeof(when));
	cJSON_AddBoolToObject(line, "preview", 0);
	cJSON_AddNumberToObject(line, "offset", offset);
	res = cJSON_AddObjectToObject(line, "result");
	cJSON_AddStringToObject(res, "_time", when);
	cJSON_AddStringToObject(res, "_raw", raw);
	cJSON_AddStringToObject(res, "host", offset % 2 ? "prod-web" : "prod-app");
	cJSON_AddStringToObject(res, "source", "/var/log/payments/app.log");
	cJSON_AddStringToObject(res, "sourcetype", "payment");
	s = json_text(line);
	buf_str(b, s);
	buf_str(b, "\n");
	free(s);
	cJSON_Delete(line);
}

/*
 * HUGE_EVENTS lines of the documented shape, written by hand with one
 * time stamp: a loaded machine under ASan took 15 s to print them one
 * by one, and the bot under test gave up before the first byte.
 */
static void
huge_answer(struct buf *b, int64_t ms)
{
	static const char *const raws[] = {
		"ERROR payment declined: gateway timeout after 30000 ms",
		"INFO payment accepted", "WARN retrying ledger write" };
	static const char lead[] = "{\"preview\":false,\"offset\":";
	static const char trail[] = "\",\"host\":\"prod-app\"}}\n";
	char head[160], digits[16], when[80];
	size_t hl, rl[3], need;
	int i, k;

	for (k = 0; k < 3; k++)
		rl[k] = strlen(raws[k]);
	iso_time(ms, when, sizeof(when));
	snprintf(head, sizeof(head), ",\"result\":{\"_time\":\"%s\","
	         "\"_raw\":\"", when);
	hl = strlen(head);
	need = (size_t)HUGE_EVENTS * (hl + 64 + 80);
	b->p = xmalloc(need);
	b->cap = need;
	b->len = 0;
	for (i = 0; i < HUGE_EVENTS; i++) {
		k = snprintf(digits, sizeof(digits), "%d", i);
		memcpy(b->p + b->len, lead, sizeof(lead) - 1);
		b->len += sizeof(lead) - 1;
		memcpy(b->p + b->len, digits, (size_t)k);
		b->len += (size_t)k;
		memcpy(b->p + b->len, head, hl);
		b->len += hl;
		memcpy(b->p + b->len, raws[i % 3], rl[i % 3]);
		b->len += rl[i % 3];
		memcpy(b->p + b->len, trail, sizeof(trail) - 1);
		b->len += sizeof(trail) - 1;
	}
	b->p[b->len] = '\0';
}

static void
messages(struct reply *r, int status, const char *type, const char *text)
{
	cJSON *j = cJSON_CreateObject(), *arr, *m;

	arr = cJSON_AddArrayToObject(j, "messages");
	m = cJSON_CreateObject();
	cJSON_AddStringToObject(m, "type", type);
	cJSON_AddStringToObject(m, "text", text);
	cJSON_AddItemToArray(arr, m);
	reply_json(r, status, j);
}

static void
record(const cJSON *form, const char *auth)
{
	cJSON *o = cJSON_CreateObject();
	static const char *const keys[] = { "search", "output_mode",
	                                    "earliest_time", "latest_time", NULL };
	int i;

	for (i = 0; keys[i]; i++)
		cJSON_AddStringToObject(o, keys[i], jstr(form, keys[i]) ?
		                        jstr(form, keys[i]) : "");
	cJSON_AddStringToObject(o, "auth", auth);
	cJSON_AddItemToArray(g.requests, o);
	while (cJSON_GetArraySize(g.requests) > KEPT)
		cJSON_DeleteItemFromArray(g.requests, 0);
}

static void
export(struct pss *pss, struct reply *r)
{
	cJSON *form = parse_form(pss->q.body.p ? pss->q.body.p : "",
	                         pss->q.body.len, NULL);
	const char *search = jstr(form, "search");
	struct buf b = { 0 };
	char raw[256], text[300];
	int64_t now = now_ms();
	int i, n = 0, huge, secret, head;


	g.searches++;
	record(form, pss->q.auth);
	if (!search || !*search) {
		messages(r, 400, "FATAL", "Empty search.");
		goto out;
	}
	if (strncmp(search, "search ", 7) != 0 && search[0] != '|') {
		snprintf(text, sizeof(text), "Unknown search command '%.*s'.",
		         (int)strcspn(search, " ="), search);
		messages(r, 400, "FATAL", text);
		goto out;
	}
	if (strstr(search, "BADQUERY")) {
		messages(r, 400, "FATAL", "Error in 'search' command: Unable to "
		         "parse the search: Comparator '=' has an invalid term "
		         "on the left hand side: BADQUERY.");
		goto out;
	}
	pss->slow = strstr(search, "SLOW") != NULL;
	huge = strstr(search, "HUGE") != NULL;
	secret = strstr(search, "SECRET") != NULL;
	if (huge) {
		huge_answer(&b, now - 1000);
		reply_set(r, 200, "application/json", b.p);
		buf_free(&b);
		goto out;
	}
	head = strstr(search, "| head ") ? atoi(strstr(search, "| head ") + 7) :
	    EVENTS;
	for (i = 0; i < EVENTS && n < head; i++) {
		event_raw(i, secret, raw, sizeof(raw));
		if (!matches(search, raw))
			continue;
		add_event(&b, n++, now - (int64_t)i * 60000 - 1000, raw);
	}
	reply_set(r, 200, "application/json", b.p ? b.p : "");
	buf_free(&b);
out:
	cJSON_Delete(form);
}

static int
authorized(const char *auth)
{
	char a[512], b[512];

	snprintf(a, sizeof(a), "Bearer %s", g.token);
	snprintf(b, sizeof(b), "Splunk %s", g.token);
	return !strcmp(auth, a) || !strcmp(auth, b);
}

static int
splunk_route(struct lws *wsi, struct req *q, struct reply *r)
{
	struct pss *pss = lws_container_of(q, struct pss, q);
	cJSON *out;

	(void)wsi;
	if (!strcmp(q->path, "/_control/state")) {
		out = cJSON_CreateObject();
		cJSON_AddNumberToObject(out, "searches", g.searches);
		cJSON_AddItemToObject(out, "requests",
		                      cJSON_Duplicate(g.requests, 1));
		reply_json(r, 200, out);
		return 0;
	}
	if (strcmp(q->path, "/services/search/jobs/export") != 0 ||
	    q->method != M_POST) {
		messages(r, 404, "ERROR", "Not Found");
		return 0;
	}
	if (!authorized(q->auth)) {
		g.searches++;
		messages(r, 401, "WARN", "call not properly authenticated");
		return 0;
	}
	export(pss, r);
	return 0;
}

/* SLOW: the answer waits. */
static int
splunk_finish(struct req *q, struct reply *r)
{
	struct pss *pss = lws_container_of(q, struct pss, q);

	(void)r;
	return pss->slow ? g.slow_ms : 0;
}

static void
splunk_start(void)
{
	g.requests = cJSON_CreateArray();
}

static void
splunk_done(void)
{
	cJSON_Delete(g.requests);
}

static const struct fh_opt splunk_opts[] = {
	{ "--token", FH_STR, &g.token },
	{ "--slow-ms", FH_INT, &g.slow_ms },
};

static const struct fh_ops splunk_ops = {
	.usage = "usage: fake-splunk PORTFILE [--token T] [--slow-ms N]\n"
	         "                   [--lifetime-s N] [--port N] [--verbose]\n",
	.opts = splunk_opts,
	.n_opts = sizeof(splunk_opts) / sizeof(splunk_opts[0]),
	.start = splunk_start,
	.done = splunk_done,
	.pss_size = sizeof(struct pss),
	.route = splunk_route,
	.finish = splunk_finish,
	.ws_path = "/_no_websocket",
	.max_ws_message = 1024,
};

int
main(int argc, char **argv)
{
	return fake_main("fake-splunk", argc, argv, &splunk_ops, NULL);
}

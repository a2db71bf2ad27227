/*
 * fake-servicenow: a stand-in for ServiceNow's Table API on the incident
 * table (docs/protocols.md §12), for the ticket integration tests. It
 * keeps incidents in memory, answers with {"result": ...} bodies, a
 * Location header on 201, sysparm_query / sysparm_limit / sysparm_fields,
 * and the {"error":{"message","detail"},"status":"failure"} shape on 401,
 * 403, 404 and 429 (with Retry-After). A control API lets a test inject
 * failures, slow answers down after the request has taken effect (what a
 * client timing out sees), and read the incidents back.
 *
 * usage: fake-servicenow PORTFILE [--user U] [--password P] [--token T]
 *                        [--lifetime-s N] [--port N] [--verbose]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fakehttp.h"

#define TABLE "/api/now/table/incident"

struct pss {
	struct req q; /* first: fakehttp's part */
	char query[512];
	char limit[16];
	char fields[512];
	int slow; /* this answer waits g.slow_ms */
};

static struct {
	const char *user, *password, *token;
	char basic[256]; /* "Basic base64(user:password)" */
	cJSON *incidents; /* array, oldest first */
	cJSON *requests;  /* {method, path, query, auth} per API call */
	int next_number;
	unsigned seq;
	int slow_count, slow_ms;
	char slow_method[16]; /* "" or "*": any */
} g = {
	.user = "opsbot",
	.password = "s3cret-pw",
	.token = "snow-bearer-token",
	.next_number = 10001,
};

/* The documented failure body: {"error":{...},"status":"failure"}. */
static void
reply_failure(struct reply *r, int status, const char *message,
              const char *detail)
{
	cJSON *j = cJSON_CreateObject(), *e;

	e = cJSON_AddObjectToObject(j, "error");
	cJSON_AddStringToObject(e, "message", message);
	cJSON_AddStringToObject(e, "detail", detail);
	cJSON_AddStringToObject(j, "status", "failure");
	reply_json(r, status, j);
}

static void
reply_status_failure(struct reply *r, int status)
{
	switch (status) {
	case 401:
		reply_failure(r, 401, "User Not Authenticated",
		              "Required to provide Auth information");
		break;
	case 403:
		reply_failure(r, 403, "Operation Failed",
		              "ACL Exception Insert Failed due to security "
		              "constraints");
		break;
	case 404:
		reply_failure(r, 404, "No Record found",
		              "Record doesn't exist or ACL restricts the record "
		              "retrieval");
		break;
	case 429:
		reply_failure(r, 429, "Too Many Requests",
		              "Rate limit of requests per hour exceeded");
		break;
	default:
		reply_failure(r, status, "Server Error",
		              "fake-servicenow: injected failure");
	}
}

static const char *
auth_kind(const struct req *q)
{
	if (!strncmp(q->auth, "Basic ", 6))
		return strcmp(q->auth, g.basic) ? "bad-basic" : "basic";
	if (!strncmp(q->auth, "Bearer ", 7))
		return strcmp(q->auth + 7, g.token) ? "bad-bearer" : "bearer";
	return "none";
}

static char *
new_sys_id(void)
{
	char *s = xmalloc(33);

	/* 32 hex digits, as ServiceNow's are; unique within a run. */
	g.seq++;
	snprintf(s, 33, "%08x%08x%08x%08x", 0x5a5e0000u + g.seq,
	         (unsigned)(now_ms() & 0xffffffff), 0xdeadbeefu, g.seq * 7919u);
	return s;
}

static cJSON *
find_sys_id(const char *id)
{
	cJSON *it;

	cJSON_ArrayForEach(it, g.incidents) {
		const char *s = jstr(it, "sys_id");

		if (s && !strcmp(s, id))
			return it;
	}
	return NULL;
}

/* ServiceNow's glide date-time, UTC: "2026-12-04 21:08:44". */
static void
glide_now(char *out, size_t n)
{
	time_t t = (time_t)(now_ms() / 1000);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, n, "%Y-%m-%d %H:%M:%S", &tm);
}

static void
set_str(cJSON *o, const char *key, const char *v)
{
	cJSON_DeleteItemFromObjectCaseSensitive(o, key);
	cJSON_AddStringToObject(o, key, v);
}

/* A record as the API shows it: sysparm_fields picks and orders. */
static cJSON *
view(const cJSON *rec, const char *fields)
{
	cJSON *out, *it;
	char buf[512], *save = NULL, *f;

	if (!fields || !*fields) {
		out = cJSON_Duplicate(rec, 1);
		/* The journal is the fake's record, not a field. */
		cJSON_DeleteItemFromObjectCaseSensitive(out, "journal");
		return out;
	}
	out = cJSON_CreateObject();
	snprintf(buf, sizeof(buf), "%s", fields);
	for (f = strtok_r(buf, ",", &save); f; f = strtok_r(NULL, ",", &save)) {
		it = cJSON_GetObjectItemCaseSensitive(rec, f);
		if (it && strcmp(f, "journal"))
			cJSON_AddItemToObject(out, f, cJSON_Duplicate(it, 1));
	}
	return out;
}

/* Each term of an encoded query "a=b^c=d" holds for rec. */
static int
query_matches(const cJSON *rec, const char *query)
{
	char buf[512], *save = NULL, *t, *eq;

	snprintf(buf, sizeof(buf), "%s", query);
	for (t = strtok_r(buf, "^", &save); t; t = strtok_r(NULL, "^", &save)) {
		const char *v;

		if (!strncmp(t, "ORDERBY", 7))
			continue;
		if (!(eq = strchr(t, '=')))
			return 0;
		*eq = '\0';
		v = jstr(rec, t);
		if (!v || strcmp(v, eq + 1))
			return 0;
	}
	return 1;
}

/* Copies the writable fields of body into rec; work_notes journals. */
static void
apply_fields(cJSON *rec, const cJSON *body)
{
	static const char *const keys[] = {
		"short_description", "description", "category", "urgency",
		"impact", "assignment_group", "caller_id", "correlation_id",
		"correlation_display", "state", "close_code", "close_notes",
		"contact_type", NULL,
	};
	const char *v;
	char when[32];
	int i;

	for (i = 0; keys[i]; i++)
		if ((v = jstr(body, keys[i])))
			set_str(rec, keys[i], v);
	glide_now(when, sizeof(when));
	if ((v = jstr(body, "work_notes")) && *v) {
		cJSON *j = cJSON_CreateObject();

		cJSON_AddStringToObject(j, "at", when);
		cJSON_AddStringToObject(j, "text", v);
		cJSON_AddItemToArray(
		    cJSON_GetObjectItemCaseSensitive(rec, "journal"), j);
		/* Reading work_notes shows the newest entry. */
		set_str(rec, "work_notes", v);
	}
	set_str(rec, "sys_updated_on", when);
}

static void
table_create(struct pss *p, struct reply *r)
{
	cJSON *body = cJSON_ParseWithLength(p->q.body.p, p->q.body.len);
	cJSON *rec;
	char num[16], when[32], *id;

	if (!cJSON_IsObject(body)) {
		cJSON_Delete(body);
		reply_failure(r, 400, "Exception while reading request",
		              "The payload is not valid JSON.");
		return;
	}
	id = new_sys_id();
	rec = cJSON_CreateObject();
	cJSON_AddStringToObject(rec, "sys_id", id);
	snprintf(num, sizeof(num), "INC%07d", g.next_number++);
	cJSON_AddStringToObject(rec, "number", num);
	cJSON_AddStringToObject(rec, "state", "1");
	cJSON_AddStringToObject(rec, "correlation_id", "");
	cJSON_AddStringToObject(rec, "short_description", "");
	glide_now(when, sizeof(when));
	cJSON_AddStringToObject(rec, "sys_created_on", when);
	cJSON_AddStringToObject(rec, "opened_at", when);
	cJSON_AddArrayToObject(rec, "journal");
	apply_fields(rec, body);
	cJSON_AddItemToArray(g.incidents, rec);
	cJSON_Delete(body);
	body = cJSON_CreateObject();
	cJSON_AddItemToObject(body, "result", view(rec, p->fields));
	reply_json(r, 201, body);
	reply_header(r, "location:", "http://127.0.0.1:%d" TABLE "/%s",
	             fs.port, id);
	say("created %s %s (correlation_id %s)", num, id,
	    jstr(rec, "correlation_id"));
	free(id);
}

static void
table_list(struct pss *p, struct reply *r)
{
	cJSON *j = cJSON_CreateObject(), *arr, *it;
	int limit = p->limit[0] ? atoi(p->limit) : 10000, n = 0;

	arr = cJSON_AddArrayToObject(j, "result");
	cJSON_ArrayForEach(it, g.incidents) {
		if (n >= limit)
			break;
		if (p->query[0] && !query_matches(it, p->query))
			continue;
		cJSON_AddItemToArray(arr, view(it, p->fields));
		n++;
	}
	reply_json(r, 200, j);
}

static void
table_record(struct pss *p, const char *id, struct reply *r)
{
	cJSON *rec = find_sys_id(id), *j, *body;

	if (!rec) {
		reply_status_failure(r, 404);
		return;
	}
	if (p->q.method == M_PATCH || p->q.method == M_PUT) {
		body = cJSON_ParseWithLength(p->q.body.p, p->q.body.len);
		if (!cJSON_IsObject(body)) {
			cJSON_Delete(body);
			reply_failure(r, 400, "Exception while reading request",
			              "The payload is not valid JSON.");
			return;
		}
		apply_fields(rec, body);
		cJSON_Delete(body);
		say("updated %s state %s", jstr(rec, "number"),
		    jstr(rec, "state"));
	} else if (p->q.method != M_GET) {
		reply_failure(r, 405, "Method not Supported",
		              "Method not supported for API");
		return;
	}
	j = cJSON_CreateObject();
	cJSON_AddItemToObject(j, "result", view(rec, p->fields));
	reply_json(r, 200, j);
}

static int
injected(const struct req *q, struct reply *r)
{
	struct rule *ru = rules_take(method_names[q->method], NULL);

	if (!ru)
		return 0;
	reply_status_failure(r, ru->status);
	if (ru->status == 429 && ru->retry_after >= 0)
		reply_header(r, "retry-after:", "%d", ru->retry_after);
	say("%s %s: injected HTTP %d", method_names[q->method], q->path,
	    ru->status);
	return 1;
}

static void
table(struct pss *p, struct reply *r)
{
	const char *rest = p->q.path + strlen(TABLE);
	const char *kind = auth_kind(&p->q);
	cJSON *rq = cJSON_CreateObject();

	cJSON_AddStringToObject(rq, "method", method_names[p->q.method]);
	cJSON_AddStringToObject(rq, "path", p->q.path);
	cJSON_AddStringToObject(rq, "query", p->query);
	cJSON_AddStringToObject(rq, "auth", kind);
	cJSON_AddItemToArray(g.requests, rq);
	if (strcmp(kind, "basic") && strcmp(kind, "bearer")) {
		reply_status_failure(r, 401);
		return;
	}
	if (injected(&p->q, r))
		return;
	/* The answer waits, but the request has already taken effect. */
	if (g.slow_count > 0 &&
	    (!g.slow_method[0] || !strcmp(g.slow_method, "*") ||
	     !strcmp(g.slow_method, method_names[p->q.method]))) {
		g.slow_count--;
		p->slow = 1;
	}
	if (!*rest && p->q.method == M_POST)
		table_create(p, r);
	else if (!*rest && p->q.method == M_GET)
		table_list(p, r);
	else if (*rest == '/' && rest[1])
		table_record(p, rest + 1, r);
	else
		reply_failure(r, 405, "Method not Supported",
		              "Method not supported for API");
}

static void
control(struct pss *p, const char *what, struct reply *r)
{
	cJSON *in = cJSON_ParseWithLength(p->q.body.p, p->q.body.len);

	if (!strcmp(what, "state")) {
		cJSON *s = cJSON_CreateObject();

		cJSON_AddItemToObject(s, "incidents",
		                      cJSON_Duplicate(g.incidents, 1));
		cJSON_AddItemToObject(s, "requests",
		                      cJSON_Duplicate(g.requests, 1));
		cJSON_AddNumberToObject(s, "slow_left", g.slow_count);
		reply_json(r, 200, s);
	} else if (!strcmp(what, "fail")) {
		/* {"method":"POST"|"GET"|"PATCH"|"*","status":N,"count":N,
		 * "retry_after":S}: the next count calls fail. */
		rules_set(in, r);
	} else if (!strcmp(what, "slow")) {
		g.slow_ms = jint(in, "ms", 3000);
		g.slow_count = jint(in, "count", 1);
		snprintf(g.slow_method, sizeof(g.slow_method), "%s",
		         jstr(in, "method") ? jstr(in, "method") : "");
		reply_json(r, 200, ok_object());
	} else if (!strcmp(what, "reset")) {
		rules_clear();
		g.slow_count = 0;
		cJSON_Delete(g.requests);
		g.requests = cJSON_CreateArray();
		reply_json(r, 200, ok_object());
	} else
		reply_error(r, 404, "unknown_control");
	cJSON_Delete(in);
}

static void
snow_begin(struct lws *wsi, struct req *q)
{
	struct pss *p = lws_container_of(q, struct pss, q);
	const char *v;

	p->slow = 0;
	v = lws_get_urlarg_by_name(wsi, "sysparm_query=", p->query,
	                           sizeof(p->query));
	if (!v)
		p->query[0] = '\0';
	else
		memmove(p->query, v, strlen(v) + 1);
	v = lws_get_urlarg_by_name(wsi, "sysparm_limit=", p->limit,
	                           sizeof(p->limit));
	if (!v)
		p->limit[0] = '\0';
	else
		memmove(p->limit, v, strlen(v) + 1);
	v = lws_get_urlarg_by_name(wsi, "sysparm_fields=", p->fields,
	                           sizeof(p->fields));
	if (!v)
		p->fields[0] = '\0';
	else
		memmove(p->fields, v, strlen(v) + 1);
}

static int
snow_route(struct lws *wsi, struct req *q, struct reply *r)
{
	struct pss *p = lws_container_of(q, struct pss, q);

	(void)wsi;
	if (q->body_over)
		reply_failure(r, 413, "Request too large", "");
	else if (!strncmp(q->path, TABLE, strlen(TABLE)) &&
	         (q->path[strlen(TABLE)] == '\0' ||
	          q->path[strlen(TABLE)] == '/'))
		table(p, r);
	else if (!strncmp(q->path, "/_control/", 10))
		control(p, q->path + 10, r);
	else
		reply_failure(r, 400, "Requested URI does not represent any "
		              "resource", "");
	return 0;
}

static int
snow_finish(struct req *q, struct reply *r)
{
	struct pss *p = lws_container_of(q, struct pss, q);

	(void)r;
	return p->slow ? g.slow_ms : 0;
}

static void
snow_start(void)
{
	char cred[256];
	size_t n;

	g.incidents = cJSON_CreateArray();
	g.requests = cJSON_CreateArray();
	snprintf(cred, sizeof(cred), "%s:%s", g.user, g.password);
	n = (size_t)snprintf(g.basic, sizeof(g.basic), "Basic ");
	if (lws_b64_encode_string(cred, (int)strlen(cred), g.basic + n,
	                          (int)(sizeof(g.basic) - n)) < 0) {
		say("credentials too long");
		exit(2);
	}
}

static void
snow_done(void)
{
	cJSON_Delete(g.incidents);
	cJSON_Delete(g.requests);
	rules_clear();
}

static const struct fh_opt snow_opts[] = {
	{ "--user", FH_STR, &g.user },
	{ "--password", FH_STR, &g.password },
	{ "--token", FH_STR, &g.token },
};

static const struct fh_ops snow_ops = {
	.usage = "usage: fake-servicenow PORTFILE [--user U] [--password P] "
	         "[--token T]\n"
	         "                       [--lifetime-s N] [--port N] "
	         "[--verbose]\n",
	.opts = snow_opts,
	.n_opts = sizeof(snow_opts) / sizeof(snow_opts[0]),
	.start = snow_start,
	.done = snow_done,
	.pss_size = sizeof(struct pss),
	.begin = snow_begin,
	.route = snow_route,
	.finish = snow_finish,
	.ws_path = "/no-websocket-here", /* ServiceNow's API has none */
};

/* There is no client mode: the self-test uses curl. */
int
main(int argc, char **argv)
{
	return fake_main("fake-servicenow", argc, argv, &snow_ops, NULL);
}

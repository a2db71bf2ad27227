/*
 * fakecontrol: what the control APIs of the fakes share: the injected
 * failure rules, dropping and pinging every socket, and the record of a
 * request body (see fakehttp.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fakehttp.h"

void
control_drop(struct reply *r)
{
	cJSON *j = ok_object();

	cJSON_AddNumberToObject(j, "dropped", conns_drop());
	reply_json(r, 200, j);
}

void
control_ping(struct reply *r, const char *payload, int skip_closing)
{
	cJSON *j = ok_object();

	cJSON_AddNumberToObject(j, "sent", conns_ping(payload, skip_closing));
	reply_json(r, 200, j);
}

cJSON *
req_body_item(const struct req *q, int *json)
{
	cJSON *body = q->body.len
	                  ? cJSON_ParseWithLength(q->body.p, q->body.len)
	                  : NULL;

	if (json)
		*json = body != NULL;
	return body ? body : cJSON_CreateString(q->body.p ? q->body.p : "");
}

void
rules_set(const cJSON *in, struct reply *r)
{
	const char *method = jstr(in, "method");
	int status = jint(in, "status", 429);
	struct rule *ru;

	if (!method || !*method || strlen(method) >= sizeof(ru->method) ||
	    status < 400 || status > 599) {
		reply_error(r, 400, "bad_rule");
		return;
	}
	for (ru = fs.rules; ru; ru = ru->next)
		if (!strcmp(ru->method, method))
			break;
	if (!ru) {
		ru = xcalloc(1, sizeof(*ru));
		snprintf(ru->method, sizeof(ru->method), "%s", method);
		ru->next = fs.rules;
		fs.rules = ru;
	}
	ru->count = jint(in, "count", 1);
	ru->retry_after = jint(in, "retry_after", 1);
	ru->status = status;
	reply_json(r, 200, ok_object());
}

struct rule *
rules_take(const char *a, const char *b)
{
	struct rule *ru;

	for (ru = fs.rules; ru; ru = ru->next) {
		if (ru->count <= 0 ||
		    (strcmp(ru->method, a) && (!b || strcmp(ru->method, b)) &&
		     strcmp(ru->method, "*")))
			continue;
		ru->count--;
		return ru;
	}
	return NULL;
}

void
rules_clear(void)
{
	struct rule *r;

	while ((r = fs.rules)) {
		fs.rules = r->next;
		free(r);
	}
}


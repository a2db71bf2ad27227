/*
 * Silences mirrored to an Alertmanager (see am_silence.h). The bot's own
 * silence is the truth; Alertmanager's copy is best effort, so a failure
 * here is reported, never fatal.
 */

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cause.h"
#include "am_silence.h"
#include "xmalloc.h"

#define AM_TIMEOUT_MS	10000

/* "2026-11-23T07:00:00.000Z" */
static void
am_time(int64_t ms, char *out, size_t len)
{
	time_t		 t = (time_t)(ms / 1000);
	struct tm	 tm;
	char		 s[32];

	gmtime_r(&t, &tm);
	strftime(s, sizeof s, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out, len, "%s.%03dZ", s, (int)(ms % 1000));
}

char *
am_silence_body(const struct matchers *m, int64_t starts_ms, int64_t ends_ms,
    const char *created_by, const char *comment)
{
	cJSON	*o = cJSON_CreateObject(), *arr, *x;
	char	 t[40], *out;
	size_t	 i;

	arr = cJSON_AddArrayToObject(o, "matchers");
	for (i = 0; i < m->n; i++) {
		x = cJSON_CreateObject();
		cJSON_AddStringToObject(x, "name", m->v[i].name);
		cJSON_AddStringToObject(x, "value", m->v[i].value);
		cJSON_AddBoolToObject(x, "isRegex", m->v[i].op == MATCH_RE ||
		    m->v[i].op == MATCH_NRE);
		cJSON_AddBoolToObject(x, "isEqual", m->v[i].op == MATCH_EQ ||
		    m->v[i].op == MATCH_RE);
		cJSON_AddItemToArray(arr, x);
	}
	am_time(starts_ms, t, sizeof t);
	cJSON_AddStringToObject(o, "startsAt", t);
	am_time(ends_ms, t, sizeof t);
	cJSON_AddStringToObject(o, "endsAt", t);
	cJSON_AddStringToObject(o, "createdBy", created_by);
	/* Alertmanager refuses a silence without a comment. */
	cJSON_AddStringToObject(o, "comment", comment != NULL &&
	    *comment != '\0' ? comment : "silenced from chat (opsbot)");
	out = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return out;
}

char *
am_silence_id(const char *answer)
{
	cJSON		*o = cJSON_Parse(answer);
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(o, "silenceID");
	char		*id = NULL;

	if (cJSON_IsString(v) && *v->valuestring != '\0')
		id = xstrdup(v->valuestring);
	cJSON_Delete(o);
	return id;
}

struct am_call *
am_call_new(const char *method, const char *api, const char *path,
    const char *body, const char *token)
{
	struct am_call	*c = xcalloc(1, sizeof *c);

	c->method = xstrdup(method);
	xasprintf(&c->url, "%s%s", api, path);
	c->body = body != NULL ? xstrdup(body) : NULL;
	if (token != NULL)
		xasprintf(&c->auth, "Authorization: Bearer %s", token);
	return c;
}

void
am_call_work(void *arg)
{
	struct am_call		*c = arg;
	const char *const	 hdrs[] = { c->auth, NULL };

	c->rc = http_request(c->method, c->url, c->auth != NULL ? hdrs :
	    hdrs + 1, c->body != NULL ? "application/json" : NULL, c->body,
	    AM_TIMEOUT_MS, &c->resp);
}

int
am_call_result(const struct am_call *c, char **cause)
{
	const char	*b = c->resp.body.data != NULL ? c->resp.body.data : "";
	int		 n;

	if (c->rc == 0 && c->resp.status >= 200 && c->resp.status < 300)
		return 0;
	if (cause == NULL)
		return -1;
	if (c->rc != 0 || c->resp.status == 0) {
		cause_set(cause, "cannot reach Alertmanager at %s: %s", c->url,
		    *c->resp.error != '\0' ? c->resp.error : "no answer");
		return -1;
	}
	/* Its error is a short text or a JSON string: the first line. */
	n = (int)strcspn(b, "\n");
	cause_set(cause, "Alertmanager (%s) answered %ld: %.*s", c->url,
	    c->resp.status, n > 200 ? 200 : n, b);
	return -1;
}

void
am_call_free(struct am_call *c)
{
	if (c == NULL)
		return;
	http_response_release(&c->resp);
	free(c->method);
	free(c->url);
	free(c->body);
	free(c->auth);
	free(c);
}

/*
 * ServiceNow's Table API on the incident table (docs/protocols.md §12),
 * from worker threads: the outbox's sender for the "servicenow" rows and
 * the read behind /ticket ID. A create first looks its correlation_id
 * up, so the row a timed-out or interrupted try made is found, not made
 * again.
 */

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cause.h"
#include "escape.h"
#include "http.h"
#include "loop.h"
#include "bot.h"
#include "ticket_int.h"
#include "xmalloc.h"

#define SNOW_TABLE	"/api/now/table/incident"
#define SNOW_FIELDS	"sys_id,number,state,short_description"

void
snow_conf_free(struct snow_conf *c)
{
	if (c == NULL)
		return;
	free(c->instance);
	free(c->auth);
	free(c->close_code);
	free(c);
}

void
snow_record_clear(struct snow_record *r)
{
	free(r->sys_id);
	free(r->number);
	free(r->state);
	free(r->short_description);
	memset(r, 0, sizeof *r);
}

char *
snow_url(const char *instance, const char *sys_id)
{
	char	*s;

	xasprintf(&s, "%s/incident.do?sys_id=%s", instance, sys_id);
	return s;
}

const char *
snow_state_name(const char *state)
{
	static const char *const names[] = { NULL, "New", "In Progress",
	    "On Hold", NULL, NULL, "Resolved", "Closed", "Canceled" };
	int	 n = state != NULL && state[0] >= '1' && state[0] <= '8' &&
		    state[1] == '\0' ? state[0] - '0' : 0;

	return n > 0 && names[n] != NULL ? names[n] :
	    (state != NULL ? state : "unknown");
}

static char *
jdup(const cJSON *o, const char *key)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) ? xstrdup(v->valuestring) : NULL;
}

static void
record_from(const cJSON *o, struct snow_record *rec)
{
	rec->sys_id = jdup(o, "sys_id");
	rec->number = jdup(o, "number");
	rec->state = jdup(o, "state");
	rec->short_description = jdup(o, "short_description");
}

/*
 * ServiceNow's error body, {"error":{"message","detail"}}, as one line
 * (bounded): what a person can act on.
 */
static char *
snow_error(const struct http_response *r)
{
	cJSON		*j = cJSON_ParseWithLength(r->body.data, r->body.len);
	const cJSON	*e = cJSON_GetObjectItemCaseSensitive(j, "error");
	const cJSON	*m = cJSON_GetObjectItemCaseSensitive(e, "message");
	const cJSON	*d = cJSON_GetObjectItemCaseSensitive(e, "detail");
	const char	*hint = "";
	char		*s;

	if (r->status == 401)
		hint = " (check tickets.servicenow's user and password, or "
		    "its token)";
	else if (r->status == 403)
		hint = " (the integration user lacks a role or ACL on the "
		    "incident table)";
	xasprintf(&s, "ServiceNow answered HTTP %ld%s%s%s%s%s", r->status,
	    cJSON_IsString(m) ? ": " : "",
	    cJSON_IsString(m) ? m->valuestring : "",
	    cJSON_IsString(d) && d->valuestring[0] != '\0' ? " — " : "",
	    cJSON_IsString(d) ? d->valuestring : "", hint);
	cJSON_Delete(j);
	return s;
}

/*
 * One API call. Returns the parsed body's "result" holder (the caller
 * deletes it) on 2xx; otherwise NULL with res filled in for the outbox:
 * a retry (network, 5xx), a hold (429) or a refusal (other 4xx).
 */
static cJSON *
snow_call(const struct snow_conf *c, const char *method, const char *url,
    const char *body, struct outbox_result *res)
{
	const char		*headers[] = { c->auth,
	    "Accept: application/json", NULL };
	struct http_response	 r;
	cJSON			*j = NULL;

	memset(res, 0, sizeof *res);
	if (http_request(method, url, headers, body != NULL ?
	    "application/json" : NULL, body, c->timeout_ms, &r) != 0) {
		res->verdict = r.bad_url ? OUTBOX_REJECTED : OUTBOX_RETRY;
		res->unsent = r.unsent;
		xasprintf(&res->error, "ServiceNow %s: %s", method, r.error);
		http_response_release(&r);
		return NULL;
	}
	if (r.status >= 200 && r.status < 300) {
		j = cJSON_ParseWithLength(r.body.data, r.body.len);
		if (j == NULL) {
			res->verdict = OUTBOX_RETRY;
			xasprintf(&res->error, "ServiceNow %s: HTTP %ld with "
			    "a body that is not JSON", method, r.status);
		}
	} else if (r.status == 429) {
		res->verdict = OUTBOX_RATE_LIMITED;
		res->retry_after_ms = r.retry_after_s > 0 ?
		    r.retry_after_s * 1000 : 1000;
		res->error = snow_error(&r);
	} else if (r.status >= 400 && r.status < 500 && r.status != 408) {
		res->verdict = OUTBOX_REJECTED;
		res->error = snow_error(&r);
	} else {
		res->verdict = OUTBOX_RETRY;
		res->error = snow_error(&r);
	}
	http_response_release(&r);
	return j;
}

/*
 * The incident whose field is value: 1 (*rec set), 0 none, -1 (res).
 * field and value never reach the URL unescaped.
 */
static int
snow_find(const struct snow_conf *c, const char *field, const char *value,
    struct snow_record *rec, struct outbox_result *res)
{
	struct buf	 url, q;
	cJSON		*j;
	const cJSON	*arr, *first;
	int		 rc;

	/* "^" joins terms of an encoded query: a value never adds one. */
	if (strchr(value, '^') != NULL) {
		memset(res, 0, sizeof *res);
		res->verdict = OUTBOX_REJECTED;
		xasprintf(&res->error, "\"^\" in %s %s", field, value);
		return -1;
	}
	buf_init(&q);
	buf_addf(&q, "%s=%s", field, value);
	buf_init(&url);
	buf_addf(&url, "%s" SNOW_TABLE "?sysparm_query=", c->instance);
	escape_url_component(&url, q.data);
	buf_adds(&url, "&sysparm_limit=1&sysparm_fields=" SNOW_FIELDS);
	j = snow_call(c, "GET", url.data, NULL, res);
	buf_release(&url);
	buf_release(&q);
	if (j == NULL)
		return -1;
	arr = cJSON_GetObjectItemCaseSensitive(j, "result");
	first = cJSON_IsArray(arr) ? cJSON_GetArrayItem(arr, 0) : NULL;
	rc = first != NULL;
	if (first != NULL)
		record_from(first, rec);
	cJSON_Delete(j);
	return rc;
}

static struct ticket_done *
done_new(struct tickets *t, const struct outbox_item *it, const cJSON *body)
{
	struct ticket_done	*d = xcalloc(1, sizeof *d);
	const cJSON		*a = cJSON_GetObjectItemCaseSensitive(body,
	    "announce");
	const cJSON		*ref = cJSON_GetObjectItemCaseSensitive(body,
	    "ref");

	d->bot = t->bot;
	d->correlation_id = xstrdup(it->channel);
	d->kind = xstrdup(it->kind);
	if (cJSON_IsString(a))
		d->announce = xstrdup(a->valuestring);
	if (cJSON_IsNumber(ref))
		d->ref = (int64_t)ref->valuedouble;
	return d;
}

/* Opens the incident, or finds the one an earlier try opened. */
static void
snow_create(const struct snow_conf *c, const struct outbox_item *it,
    const cJSON *fields, struct ticket_done *d, struct outbox_result *res)
{
	struct snow_record	 rec = { 0 };
	char			*url, *text;
	cJSON			*j;
	int			 rc;

	if ((rc = snow_find(c, "correlation_id", it->channel, &rec,
	    res)) < 0)
		return;
	if (rc == 0) {
		xasprintf(&url, "%s" SNOW_TABLE "?sysparm_fields=" SNOW_FIELDS,
		    c->instance);
		text = cJSON_PrintUnformatted(fields);
		j = snow_call(c, "POST", url, text, res);
		free(text);
		free(url);
		if (j == NULL)
			return;
		record_from(cJSON_GetObjectItemCaseSensitive(j, "result"),
		    &rec);
		cJSON_Delete(j);
	} else
		d->found = 1;
	if (rec.sys_id == NULL) {
		res->verdict = OUTBOX_RETRY;
		res->error = xstrdup("ServiceNow's answer had no sys_id");
		snow_record_clear(&rec);
		return;
	}
	res->verdict = OUTBOX_SENT;
	res->platform_id = xstrdup(rec.sys_id);
	d->url = snow_url(c->instance, rec.sys_id);
	d->sys_id = rec.sys_id;
	d->number = rec.number;
	d->state = rec.state != NULL ? rec.state : xstrdup("1");
	free(rec.short_description);
}

/* A work note, or the resolution: a PATCH of the record. */
static void
snow_update(const struct snow_conf *c, const struct outbox_item *it,
    const cJSON *fields, struct ticket_done *d, struct outbox_result *res)
{
	struct snow_record	 rec = { 0 };
	char			*url, *text;
	cJSON			*j;
	int			 rc;

	if (it->target != NULL && it->target[0] != '\0')
		rec.sys_id = xstrdup(it->target);
	else if ((rc = snow_find(c, "correlation_id", it->channel, &rec,
	    res)) <= 0) {
		if (rc == 0) {
			res->verdict = OUTBOX_REJECTED;
			xasprintf(&res->error, "no ticket with correlation_id "
			    "%s in ServiceNow", it->channel);
		}
		return;
	}
	/* A sys_id is hex; anything else never reaches the path. */
	if (strspn(rec.sys_id, "0123456789abcdefABCDEF") !=
	    strlen(rec.sys_id)) {
		res->verdict = OUTBOX_REJECTED;
		res->error = xstrdup("not a sys_id");
		snow_record_clear(&rec);
		return;
	}
	xasprintf(&url, "%s" SNOW_TABLE "/%s?sysparm_fields=" SNOW_FIELDS,
	    c->instance, rec.sys_id);
	snow_record_clear(&rec);
	text = cJSON_PrintUnformatted(fields);
	j = snow_call(c, "PATCH", url, text, res);
	free(text);
	free(url);
	if (j == NULL)
		return;
	record_from(cJSON_GetObjectItemCaseSensitive(j, "result"), &rec);
	cJSON_Delete(j);
	res->verdict = OUTBOX_SENT;
	if (rec.sys_id != NULL)
		res->platform_id = xstrdup(rec.sys_id);
	d->state = rec.state;
	rec.state = NULL;
	snow_record_clear(&rec);
}

void
snow_send(void *arg, const struct outbox_item *it, struct outbox_result *res)
{
	struct tickets		*t = arg;
	struct snow_conf	*c = tickets_conf_copy(t);
	cJSON			*body = cJSON_Parse(it->body);
	const cJSON		*fields = cJSON_GetObjectItemCaseSensitive(body,
	    "fields");
	struct ticket_done	*d;

	if (c == NULL || !cJSON_IsObject(fields)) {
		memset(res, 0, sizeof *res);
		/* Off since it was queued: it waits for tickets to be on. */
		res->verdict = c == NULL ? OUTBOX_RETRY : OUTBOX_REJECTED;
		res->unsent = c == NULL;
		res->error = xstrdup(c == NULL ? "tickets.servicenow is off" :
		    "a ticket row without fields");
		cJSON_Delete(body);
		snow_conf_free(c);
		return;
	}
	d = done_new(t, it, body);
	if (strcmp(it->kind, "create") == 0)
		snow_create(c, it, fields, d, res);
	else
		snow_update(c, it, fields, d, res);
	if (res->verdict == OUTBOX_REJECTED)
		d->error = xstrdup(res->error != NULL ? res->error : "refused");
	/*
	 * A create looks its correlation id up first and an update is a
	 * PATCH, so trying again is always safe: a long outage (5xx,
	 * timeouts) must not use up the tries that chat messages get and
	 * lose the ticket, so no try counts against max_attempts.
	 */
	if (res->verdict == OUTBOX_RETRY)
		res->unsent = 1;
	/* The loop stores what came of it and says so in chat. */
	if (res->verdict == OUTBOX_SENT || res->verdict == OUTBOX_REJECTED)
		loop_post(t->bot->loop, ticket_applied, d);
	else
		ticket_applied_free(d);
	cJSON_Delete(body);
	snow_conf_free(c);
}

int
snow_fetch(const struct snow_conf *c, const char *key,
    struct snow_record *rec, char **cause)
{
	struct outbox_result	 res;
	char			*url;
	cJSON			*j;
	int			 rc;

	cause_clear(cause);
	memset(rec, 0, sizeof *rec);
	if (strspn(key, "0123456789abcdef") == 32 && key[32] == '\0') {
		xasprintf(&url, "%s" SNOW_TABLE "/%s?sysparm_fields="
		    SNOW_FIELDS, c->instance, key);
		j = snow_call(c, "GET", url, NULL, &res);
		free(url);
		if (j != NULL) {
			record_from(cJSON_GetObjectItemCaseSensitive(j,
			    "result"), rec);
			cJSON_Delete(j);
			return 1;
		}
		rc = -1;
	} else
		rc = snow_find(c, "number", key, rec, &res);
	if (rc < 0) {
		cause_set(cause, "%s", res.error != NULL ? res.error :
		    "ServiceNow did not answer");
		free(res.error);
		free(res.platform_id);
	}
	return rc;
}

/*
 * The answer of /api/v1/query, read with cJSON: {"status": "success",
 * "data": {"resultType": "vector", "result": [{"metric": {...}, "value":
 * [ts, "v"]}]}} or {"status": "error", "errorType": ..., "error": ...}.
 * Everything is checked: a proxy's HTML page or a truncated body is a
 * cause, never a crash or a half-read answer (tests/fuzz/fuzz-promql.c).
 */

#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cause.h"
#include "promql.h"
#include "xmalloc.h"

/* A body is at most what http.c keeps; a series this many labels. */
#define PROMQL_MAX_LABELS	256

/* A sample value: [ts, "string"] as the API writes it. */
static int
promql_pair(const cJSON *pair, double *ts, double *value)
{
	const cJSON	*t, *v;
	char		*end;

	if (!cJSON_IsArray(pair) || cJSON_GetArraySize(pair) != 2)
		return -1;
	t = cJSON_GetArrayItem(pair, 0);
	v = cJSON_GetArrayItem(pair, 1);
	if (!cJSON_IsNumber(t) || !cJSON_IsString(v) ||
	    v->valuestring[0] == '\0')
		return -1;
	*ts = t->valuedouble;
	*value = strtod(v->valuestring, &end);
	return *end == '\0' ? 0 : -1;
}

static int
promql_sample_read(const cJSON *r, struct promql_sample *s, char **cause)
{
	const cJSON	*metric, *l;
	size_t		 n;

	metric = cJSON_GetObjectItemCaseSensitive(r, "metric");
	if (!cJSON_IsObject(r) || (metric != NULL && !cJSON_IsObject(metric))) {
		cause_set(cause, "a result is not {\"metric\": {...}, "
		    "\"value\": [...]}");
		return -1;
	}
	if (promql_pair(cJSON_GetObjectItemCaseSensitive(r, "value"), &s->ts,
	    &s->value) != 0) {
		cause_set(cause, "a result's value is not [time, \"number\"]");
		return -1;
	}
	n = metric != NULL ? (size_t)cJSON_GetArraySize(metric) : 0;
	if (n > PROMQL_MAX_LABELS) {
		cause_set(cause, "a series has %zu labels (at most %d read)",
		    n, PROMQL_MAX_LABELS);
		return -1;
	}
	s->labels = n > 0 ? xcalloc(n, sizeof *s->labels) : NULL;
	if (metric == NULL)
		return 0;
	cJSON_ArrayForEach(l, metric) {
		if (!cJSON_IsString(l) || l->string == NULL) {
			cause_set(cause, "label %s is not a string",
			    l->string != NULL ? l->string : "?");
			return -1;
		}
		s->labels[s->nlabels].name = xstrdup(l->string);
		s->labels[s->nlabels++].value = xstrdup(l->valuestring);
	}
	return 0;
}

static int
promql_error(const cJSON *root, char **cause)
{
	const cJSON	*type, *err;

	type = cJSON_GetObjectItemCaseSensitive(root, "errorType");
	err = cJSON_GetObjectItemCaseSensitive(root, "error");
	cause_set(cause, "%s: %s", cJSON_IsString(type) ?
	    type->valuestring : "error", cJSON_IsString(err) ?
	    err->valuestring : "(no message)");
	return -1;
}

int
promql_parse(const char *body, size_t len, struct promql_vector *out,
    char **cause)
{
	const cJSON	*status, *data, *type, *result, *r;
	cJSON		*root;
	int		 rc = -1;

	memset(out, 0, sizeof *out);
	cause_clear(cause);
	if ((root = cJSON_ParseWithLength(body, len)) == NULL ||
	    !cJSON_IsObject(root)) {
		cause_set(cause, "the answer is not a JSON object (a proxy's "
		    "page, or not the query API?)");
		goto out;
	}
	status = cJSON_GetObjectItemCaseSensitive(root, "status");
	if (!cJSON_IsString(status)) {
		cause_set(cause, "the answer has no \"status\"");
		goto out;
	}
	if (strcmp(status->valuestring, "success") != 0) {
		promql_error(root, cause);
		goto out;
	}
	data = cJSON_GetObjectItemCaseSensitive(root, "data");
	type = cJSON_GetObjectItemCaseSensitive(data, "resultType");
	result = cJSON_GetObjectItemCaseSensitive(data, "result");
	if (!cJSON_IsObject(data) || !cJSON_IsString(type)) {
		cause_set(cause, "the answer has no data.resultType");
		goto out;
	}
	if (strcmp(type->valuestring, "scalar") == 0) {
		out->v = xcalloc(1, sizeof *out->v);
		if (promql_pair(result, &out->v[0].ts, &out->v[0].value) != 0) {
			cause_set(cause, "a scalar is not [time, \"number\"]");
			goto out;
		}
		out->n = 1;
		rc = 0;
		goto out;
	}
	if (strcmp(type->valuestring, "vector") != 0) {
		cause_set(cause, "expected an instant vector, got a %.32s",
		    type->valuestring);
		goto out;
	}
	if (!cJSON_IsArray(result)) {
		cause_set(cause, "data.result is not an array");
		goto out;
	}
	out->v = xcalloc((size_t)cJSON_GetArraySize(result) + 1,
	    sizeof *out->v);
	cJSON_ArrayForEach(r, result) {
		/* Counted first: a half-read sample is freed with the rest. */
		if (promql_sample_read(r, &out->v[out->n++], cause) != 0)
			goto out;
	}
	rc = 0;
out:
	cJSON_Delete(root);
	if (rc != 0)
		promql_vector_free(out);
	return rc;
}

void
promql_vector_free(struct promql_vector *vec)
{
	size_t	 i, j;

	for (i = 0; i < vec->n; i++) {
		for (j = 0; j < vec->v[i].nlabels; j++) {
			free(vec->v[i].labels[j].name);
			free(vec->v[i].labels[j].value);
		}
		free(vec->v[i].labels);
	}
	free(vec->v);
	memset(vec, 0, sizeof *vec);
}

const char *
promql_label(const struct promql_sample *s, const char *name)
{
	size_t	 i;

	for (i = 0; i < s->nlabels; i++) {
		if (strcmp(s->labels[i].name, name) == 0)
			return s->labels[i].value;
	}
	return NULL;
}

void
promql_string_quote(struct buf *out, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\' || *s == '"')
			buf_addc(out, '\\');
		if (*s == '\n')
			buf_adds(out, "\\n");
		else
			buf_addc(out, *s);
	}
}

void
promql_regex_quote(struct buf *out, const char *s)
{
	struct buf	 re;

	buf_init(&re);
	for (; *s != '\0'; s++) {
		if (strchr("\\.+*?()|[]{}^$", *s) != NULL)
			buf_addc(&re, '\\');
		buf_addc(&re, *s);
	}
	promql_string_quote(out, re.data != NULL ? re.data : "");
	buf_release(&re);
}

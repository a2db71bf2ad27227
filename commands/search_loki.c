/*
 * Loki's query_range (docs/search.md): GET /loki/api/v1/query_range
 * ?query=LOGQL&start=NS&end=NS&limit=N&direction=backward. The answer is
 * one JSON document, {"status":"success","data":{"resultType":"streams",
 * "result":[{"stream":{labels},"values":[["<ns>","line"],...]}],
 * "stats":{...}}}, so it is kept (up to LOGS_DOC_MAX; limit bounds it
 * on Loki's side) and parsed at the end. An error is a plain-text body
 * with a 4xx or 5xx ("parse error at line 1, col 5: ...").
 */

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "search_engine.h"
#include "xmalloc.h"

/* Lines read from one answer before the cap (limit keeps it lower). */
#define LOKI_LINES_MAX	10000

static void
loki_request(const struct cfg_log_engine *le, const struct log_query *q,
    const char **method, char **url, char **body)
{
	struct buf	 b;

	*method = "GET";
	*body = NULL;
	buf_init(&b);
	buf_addf(&b, "%s/loki/api/v1/query_range?query=", le->url);
	escape_url_component(&b, q->query);
	buf_addf(&b, "&start=%lld000000&end=%lld000000&limit=%zu"
	    "&direction=backward", (long long)q->start_ms,
	    (long long)q->end_ms, q->limit);
	*url = buf_detach(&b);
}

static int
loki_feed(struct log_results *r, const char *data, size_t len)
{
	if (r->pending.len + len > LOGS_DOC_MAX) {
		r->overflow = 1;
		return 1;
	}
	buf_add(&r->pending, data, len);
	return 0;
}

/* "1733360000123456789" (ns) as ms, or 0 when it is not digits. */
static int64_t
loki_ns_to_ms(const char *s)
{
	int64_t	 v = 0;
	size_t	 n = strlen(s), i;

	if (n == 0 || n > 19 || strspn(s, "0123456789") != n)
		return 0;
	for (i = 0; i < n; i++) {
		/* 19 digits may pass INT64_MAX: not a time either. */
		if (v > (INT64_MAX - (s[i] - '0')) / 10)
			return 0;
		v = v * 10 + (s[i] - '0');
	}
	return v / 1000000;
}

/* The first line of a plain-text error, trimmed and bounded. */
static void
loki_text_error(struct log_results *r)
{
	const char	*s = r->pending.data;
	size_t		 n;

	while (*s == ' ' || *s == '\n' || *s == '\r')
		s++;
	n = strcspn(s, "\r\n");
	if (n > 300)
		n = 300;
	if (n == 0)
		search_results_error(r, "HTTP %ld", r->status);
	else
		search_results_error(r, "%.*s", (int)n, s);
}

/* Every stream's lines; kept up to the cap, sorted by the caller. */
static void
loki_streams(struct log_results *r, const cJSON *result)
{
	const cJSON	*st, *vals, *v, *ts, *line;

	cJSON_ArrayForEach(st, result) {
		vals = cJSON_GetObjectItemCaseSensitive(st, "values");
		cJSON_ArrayForEach(v, vals) {
			ts = cJSON_GetArrayItem(v, 0);
			line = cJSON_GetArrayItem(v, 1);
			if (!cJSON_IsArray(v) || !cJSON_IsString(ts) ||
			    !cJSON_IsString(line))
				continue;
			/* Over the cap: more is set, the rest is skipped. */
			if (search_results_add(r, loki_ns_to_ms(ts->valuestring),
			    line->valuestring, strlen(line->valuestring)))
				return;
		}
	}
}

static void
loki_finish(struct log_results *r)
{
	cJSON		*j;
	const cJSON	*st, *data, *rt, *result, *err;
	size_t		 max;

	if (r->overflow) {
		search_results_error(r, "the answer was over %d MiB; narrow "
		    "the query", LOGS_DOC_MAX >> 20);
		return;
	}
	j = cJSON_ParseWithLength(r->pending.data, r->pending.len);
	if (r->status >= 400 || j == NULL) {
		err = cJSON_GetObjectItemCaseSensitive(j, "error");
		if (cJSON_IsString(err))
			search_results_error(r, "%s", err->valuestring);
		else if (r->status >= 400 || r->pending.len > 0)
			loki_text_error(r);
		else
			search_results_error(r, "an empty answer");
		cJSON_Delete(j);
		return;
	}
	st = cJSON_GetObjectItemCaseSensitive(j, "status");
	data = cJSON_GetObjectItemCaseSensitive(j, "data");
	rt = cJSON_GetObjectItemCaseSensitive(data, "resultType");
	result = cJSON_GetObjectItemCaseSensitive(data, "result");
	if (!cJSON_IsString(st) || strcmp(st->valuestring, "success") != 0)
		search_results_error(r, "status \"%s\"", cJSON_IsString(st) ?
		    st->valuestring : "?");
	else if (!cJSON_IsString(rt) || strcmp(rt->valuestring, "streams") != 0)
		search_results_error(r, "a %s result, not log lines: /search "
		    "takes a log query, not a metric one", cJSON_IsString(rt) ?
		    rt->valuestring : "?");
	else if (cJSON_IsArray(result)) {
		/*
		 * Streams interleave in time: all of them (limit bounded
		 * them), newest first, then the cap.
		 */
		max = r->max;
		r->max = LOKI_LINES_MAX;
		loki_streams(r, result);
		r->max = max;
		search_results_sort(r);
		while (r->n > r->max) {
			r->more = 1;
			free(r->v[--r->n].text);
		}
	}
	cJSON_Delete(j);
	buf_release(&r->pending);
	buf_init(&r->pending);
}

static char *
loki_ui_link(const struct cfg_log_engine *le, const struct log_query *q)
{
	cJSON		*left, *queries, *one, *range, *ds;
	struct buf	 b;
	char		*s, num[32];

	if (le->ui_url == NULL)
		return NULL;
	/*
	 * Grafana Explore's "left" pane state (ExploreUrlState: datasource,
	 * queries, range; Grafana 10 and later migrate it to "panes"). The
	 * data source by UID, else Grafana opens its default one.
	 */
	left = cJSON_CreateObject();
	if (le->ui_datasource != NULL)
		cJSON_AddStringToObject(left, "datasource", le->ui_datasource);
	queries = cJSON_AddArrayToObject(left, "queries");
	one = cJSON_CreateObject();
	cJSON_AddStringToObject(one, "refId", "A");
	cJSON_AddStringToObject(one, "expr", q->query);
	if (le->ui_datasource != NULL) {
		ds = cJSON_AddObjectToObject(one, "datasource");
		cJSON_AddStringToObject(ds, "type", "loki");
		cJSON_AddStringToObject(ds, "uid", le->ui_datasource);
	}
	cJSON_AddItemToArray(queries, one);
	range = cJSON_AddObjectToObject(left, "range");
	snprintf(num, sizeof num, "%lld", (long long)q->start_ms);
	cJSON_AddStringToObject(range, "from", num);
	snprintf(num, sizeof num, "%lld", (long long)q->end_ms);
	cJSON_AddStringToObject(range, "to", num);
	s = cJSON_PrintUnformatted(left);
	cJSON_Delete(left);
	buf_init(&b);
	buf_addf(&b, "%s/explore?left=", le->ui_url);
	escape_url_component(&b, s != NULL ? s : "{}");
	free(s);
	return buf_detach(&b);
}

const struct log_engine_ops search_loki_ops = {
	.label = "Loki",
	.request = loki_request,
	.feed = loki_feed,
	.finish = loki_finish,
	.ui_link = loki_ui_link,
};

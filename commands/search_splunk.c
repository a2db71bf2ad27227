/*
 * Splunk's search/jobs/export (docs/search.md): POST with the form
 * search="search QUERY | head LIMIT", output_mode=json, earliest_time and
 * latest_time in epoch seconds. The answer streams one JSON object a line:
 * {"preview":false,"offset":N,"result":{"_time":"...","_raw":"...",...}}
 * and, for a search Splunk cannot run, {"messages":[{"type":"FATAL",
 * "text":"..."}]}. A line is parsed as soon as its newline arrives, so
 * the transfer stops once the cap is reached.
 */

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "search_engine.h"
#include "xmalloc.h"

/*
 * SPL commands that write (an index, a lookup, a file), send (mail,
 * alert actions), call out (REST endpoints of the search head, scripts,
 * databases) or run further searches built from results: what a raw
 * query of a non-admin must not reach. The bot's Splunk role is the
 * real bound (docs/search.md); this keeps an operator's typo or a
 * pasted query from deleting or mailing anything in the bot's name.
 */
static const char *const spl_risky[] = {
	"collect", "dbxoutput", "dbxquery", "delete", "dump", "map",
	"mcollect", "meventcollect", "outputcsv", "outputlookup",
	"outputtelemetry", "rest", "run", "runshellscript", "script",
	"sendalert", "sendemail", "summaryindex", "tscollect", NULL
};

/*
 * The first risky command after a "|" or "[", outside strings and
 * macros when quotes is set; *open is set when a string or macro is
 * still open at the end.
 */
static const char *
spl_risky_scan(const char *q, int quotes, int *open)
{
	char	 word[32];
	size_t	 n, i;
	int	 dq = 0, bt = 0;

	for (; *q != '\0'; q++) {
		if (quotes && dq && *q == '\\' && q[1] != '\0') {
			q++;
			continue;
		}
		if (quotes && *q == '"' && !bt)
			dq = !dq;
		else if (quotes && *q == '`' && !dq)
			bt = !bt;
		if (dq || bt || (*q != '|' && *q != '['))
			continue;
		/* A command starts after "|", and a subsearch after "[". */
		n = 1 + strspn(q + 1, " \t\r\n|");
		for (i = 0; i + 1 < sizeof word && ((q[n + i] >= 'a' &&
		    q[n + i] <= 'z') || (q[n + i] >= 'A' && q[n + i] <= 'Z') ||
		    q[n + i] == '_'); i++)
			word[i] = q[n + i] >= 'A' && q[n + i] <= 'Z' ?
			    (char)(q[n + i] - 'A' + 'a') : q[n + i];
		word[i] = '\0';
		for (i = 0; spl_risky[i] != NULL; i++)
			if (strcmp(word, spl_risky[i]) == 0)
				return spl_risky[i];
	}
	*open = dq || bt;
	return NULL;
}

const char *
search_spl_risky(const char *q)
{
	const char	*w;
	int		 open = 0;

	/*
	 * An unbalanced quote or backtick: where Splunk would end it is
	 * a guess, so every "|" counts.
	 */
	if ((w = spl_risky_scan(q, 1, &open)) != NULL || !open)
		return w;
	return spl_risky_scan(q, 0, &open);
}

/* "search " unless the query starts with a generating command ("|"). */
static void
splunk_search_text(struct buf *b, const char *query)
{
	while (*query == ' ')
		query++;
	if (*query != '|' && strncmp(query, "search ", 7) != 0)
		buf_adds(b, "search ");
	buf_adds(b, query);
}

/*
 * ms as Splunk's epoch seconds, rounded up: latest_time excludes its
 * second, and both ends move alike so the range stays --since long.
 */
static int64_t
splunk_epoch(int64_t ms)
{
	return (ms + 999) / 1000;
}

static void
splunk_request(const struct cfg_log_engine *le, const struct log_query *q,
    const char **method, char **url, char **body)
{
	struct buf	 b, s;

	*method = "POST";
	xasprintf(url, "%s/services/search/jobs/export", le->url);
	buf_init(&s);
	splunk_search_text(&s, q->query);
	/*
	 * Splunk stops the search itself once it has the lines wanted,
	 * rather than run on after the bot hung up. (Not in the UI link:
	 * there the person may want more.)
	 */
	buf_addc(&s, ' ');
	buf_addf(&s, "| head %zu", q->limit);	/* SPL's pipe, no shell's */
	buf_init(&b);
	buf_adds(&b, "search=");
	escape_url_component(&b, s.data);
	/*
	 * Epoch seconds, not "-7200s" and "now": the range the answer
	 * shows is the one searched, however long the request queued.
	 */
	buf_addf(&b, "&output_mode=json&earliest_time=%lld&latest_time=%lld",
	    (long long)splunk_epoch(q->start_ms),
	    (long long)splunk_epoch(q->end_ms));
	buf_release(&s);
	*body = buf_detach(&b);
}

/* The messages of a line: an error's text, kept once. */
static void
splunk_messages(struct log_results *r, const cJSON *msgs)
{
	const cJSON	*m, *type, *text;

	cJSON_ArrayForEach(m, msgs) {
		type = cJSON_GetObjectItemCaseSensitive(m, "type");
		text = cJSON_GetObjectItemCaseSensitive(m, "text");
		if (!cJSON_IsString(type) || !cJSON_IsString(text))
			continue;
		if (strcmp(type->valuestring, "FATAL") == 0 ||
		    strcmp(type->valuestring, "ERROR") == 0 ||
		    (r->status == 401 || r->status == 403))
			search_results_error(r, "%s", text->valuestring);
	}
}

/* One line of the answer; 1 once the cap is reached. */
static int
splunk_line(struct log_results *r, const char *line, size_t len)
{
	const cJSON	*res, *raw, *t, *prev, *msgs;
	cJSON		*j;
	int		 full = 0;

	while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == ' '))
		len--;
	if (len == 0)
		return 0;
	if ((j = cJSON_ParseWithLength(line, len)) == NULL)
		return 0;	/* not a line we know: skipped */
	msgs = cJSON_GetObjectItemCaseSensitive(j, "messages");
	if (cJSON_IsArray(msgs))
		splunk_messages(r, msgs);
	prev = cJSON_GetObjectItemCaseSensitive(j, "preview");
	res = cJSON_GetObjectItemCaseSensitive(j, "result");
	/* A preview is replaced by the final results: only those count. */
	if (cJSON_IsObject(res) && !cJSON_IsTrue(prev)) {
		raw = cJSON_GetObjectItemCaseSensitive(res, "_raw");
		t = cJSON_GetObjectItemCaseSensitive(res, "_time");
		if (cJSON_IsString(raw))
			full = search_results_add(r, search_parse_iso_time(
			    cJSON_IsString(t) ? t->valuestring : NULL),
			    raw->valuestring, strlen(raw->valuestring));
		else {
			/* A table row (stats): its fields as text. */
			char *s = cJSON_PrintUnformatted(res);

			if (s != NULL)
				full = search_results_add(r, 0, s, strlen(s));
			free(s);
		}
	}
	cJSON_Delete(j);
	return full;
}

static int
splunk_feed(struct log_results *r, const char *data, size_t len)
{
	const char	*nl, *end = data + len;
	size_t		 n;

	if (r->status >= 400) {
		/* An error's body is small: kept whole for finish. */
		if (r->pending.len + len <= LOGS_LINE_MAX)
			buf_add(&r->pending, data, len);
		return 0;
	}
	while (data < end) {
		if ((nl = memchr(data, '\n', (size_t)(end - data))) == NULL) {
			n = (size_t)(end - data);
			if (r->overflow || r->pending.len + n > LOGS_LINE_MAX)
				r->overflow = 1;	/* one line too long */
			else
				buf_add(&r->pending, data, n);
			return 0;
		}
		n = (size_t)(nl - data);
		if (r->overflow || r->pending.len + n > LOGS_LINE_MAX) {
			/* The long line is dropped, and said. */
			r->overflow = 0;
			r->skipped++;
			buf_clear(&r->pending);
		} else if (r->pending.len > 0) {
			buf_add(&r->pending, data, n);
			if (splunk_line(r, r->pending.data, r->pending.len))
				return 1;
			buf_clear(&r->pending);
		} else if (splunk_line(r, data, n))
			return 1;
		data = nl + 1;
	}
	return 0;
}

static void
splunk_finish(struct log_results *r)
{
	cJSON		*j;
	const cJSON	*msgs;

	if (r->status >= 400) {
		j = cJSON_ParseWithLength(r->pending.data, r->pending.len);
		msgs = cJSON_GetObjectItemCaseSensitive(j, "messages");
		if (cJSON_IsArray(msgs))
			splunk_messages(r, msgs);
		cJSON_Delete(j);
		if (r->error == NULL)
			search_results_error(r, "HTTP %ld", r->status);
		return;
	}
	/* The last line may come without its newline. */
	if (r->overflow)
		r->skipped++;
	else if (r->pending.len > 0)
		(void)splunk_line(r, r->pending.data, r->pending.len);
	r->overflow = 0;
	buf_clear(&r->pending);
}

static char *
splunk_ui_link(const struct cfg_log_engine *le, const struct log_query *q)
{
	struct buf	 b, s;

	if (le->ui_url == NULL)
		return NULL;
	buf_init(&s);
	splunk_search_text(&s, q->query);
	buf_init(&b);
	buf_addf(&b, "%s/app/search/search?q=", le->ui_url);
	escape_url_component(&b, s.data);
	/* The same fixed range: a link opened tomorrow shows these lines. */
	buf_addf(&b, "&earliest=%lld&latest=%lld",
	    (long long)splunk_epoch(q->start_ms),
	    (long long)splunk_epoch(q->end_ms));
	buf_release(&s);
	return buf_detach(&b);
}

const struct log_engine_ops search_splunk_ops = {
	.label = "Splunk",
	.request = splunk_request,
	.feed = splunk_feed,
	.finish = splunk_finish,
	.ui_link = splunk_ui_link,
};

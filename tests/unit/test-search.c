/*
 * Log search (/search): both engines' answer parsers fed in chunks cut
 * at every byte (a line or a document split across reads), hostile and
 * malformed lines, the cap, nanosecond and ISO time stamps, the engine
 * errors; the requests they send; the named searches' loader checks and
 * the binding of hostile values into a query.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cmd.h"
#include "config.h"
#include "redact.h"
#include "search_engine.h"
#include "test.h"
#include "xmalloc.h"

static const char splunk_answer[] =
"{\"preview\":true,\"offset\":0,\"result\":{\"_time\":\"2026-12-05T01:00:00.000+00:00\",\"_raw\":\"a preview\"}}\n"
"{\"preview\":false,\"offset\":0,\"result\":{\"_time\":\"2026-12-05T01:00:02.500+00:00\",\"_raw\":\"second \\\"q\\\"\",\"host\":\"h\"}}\r\n"
"not json at all\n"
"{\"preview\":false,\"offset\":1,\"result\":{\"_time\":\"2026-12-05T02:00:03.000+01:00\",\"_raw\":\"third\"}}\n"
"\n"
"{\"preview\":false,\"offset\":2,\"result\":{\"_time\":\"2026-12-05T01:00:09Z\",\"_raw\":\"newest\"}}\n"
"{\"preview\":false,\"offset\":3,\"result\":{\"count\":\"7\"}}";

/* The line read after an over-long one. */
static const char huge_tail[] = "\n{\"result\":{\"_raw\":\"ok\"}}\n";

/* Feeds text to ops in chunks of n bytes, then finishes; 1 if stopped. */
static int
feed_chunks(const struct log_engine_ops *ops, struct log_results *r,
    const char *text, size_t len, size_t n, long status)
{
	size_t	 off;
	int	 stopped = 0;

	r->status = status;
	for (off = 0; off < len && !stopped; off += n)
		stopped = ops->feed(r, text + off, len - off < n ? len - off : n);
	ops->finish(r);
	search_results_sort(r);
	return stopped;
}

TEST(splunk_lines_parse_across_every_chunk_boundary)
{
	struct log_results	 r;
	size_t			 n, len = strlen(splunk_answer);

	for (n = 1; n <= len; n++) {
		search_results_init(&r, 10);
		ASSERT_INT_EQ(feed_chunks(&search_splunk_ops, &r, splunk_answer,
		    len, n, 200), 0);
		ASSERT_NULL(r.error);
		ASSERT_INT_EQ(r.n, 4);
		ASSERT_INT_EQ(r.more, 0);
		/* Newest first: 01:00:09, then 01:00:03 (02:00:03+01:00). */
		ASSERT_STR_EQ(r.v[0].text, "newest");
		ASSERT_STR_EQ(r.v[1].text, "third");
		ASSERT_INT_EQ(r.v[1].ts_ms, 1796432403000LL);
		ASSERT_STR_EQ(r.v[2].text, "second \"q\"");
		ASSERT_INT_EQ(r.v[2].ts_ms, 1796432402500LL);
		/* A table row without _raw: its fields. */
		ASSERT_STR_EQ(r.v[3].text, "{\"count\":\"7\"}");
		ASSERT_INT_EQ(r.v[3].ts_ms, 0);
		search_results_free(&r);
	}
}

TEST(splunk_stops_at_the_cap)
{
	struct log_results	 r;
	struct buf		 b;
	size_t			 i;
	int			 stopped;

	buf_init(&b);
	for (i = 0; i < 1000; i++)
		buf_addf(&b, "{\"preview\":false,\"offset\":%zu,\"result\":"
		    "{\"_raw\":\"line %zu\"}}\n", i, i);
	search_results_init(&r, 3);
	r.status = 200;
	stopped = search_splunk_ops.feed(&r, b.data, b.len);
	ASSERT_INT_EQ(stopped, 1);
	ASSERT_INT_EQ(r.n, 3);
	ASSERT_INT_EQ(r.more, 1);
	ASSERT_STR_EQ(r.v[2].text, "line 2");
	search_results_free(&r);
	buf_release(&b);
}

TEST(splunk_errors_and_hostile_lines)
{
	static const char fatal[] = "{\"messages\":[{\"type\":\"INFO\",\"text\":"
	    "\"fine\"},{\"type\":\"FATAL\",\"text\":\"Error in 'search' command: "
	    "Unable to parse the search\"}]}";
	static const char unauth[] = "{\"messages\":[{\"type\":\"WARN\","
	    "\"text\":\"call not properly authenticated\"}]}";
	static const char odd[] = "{\"result\":{\"_raw\":7}}\n{\"result\":[1]}"
	    "\n[]\n{\"messages\":3}\n{\"result\":{\"_raw\":\"x\",\"_time\":"
	    "\"9999-99-99T99:99:99\"}}\n";
	struct log_results	 r;
	char			*huge;

	search_results_init(&r, 5);
	feed_chunks(&search_splunk_ops, &r, fatal, strlen(fatal), 7, 400);
	ASSERT_STR_EQ(r.error, "Error in 'search' command: Unable to parse "
	    "the search");
	search_results_free(&r);

	search_results_init(&r, 5);
	feed_chunks(&search_splunk_ops, &r, unauth, strlen(unauth), 5, 401);
	ASSERT_STR_EQ(r.error, "call not properly authenticated");
	search_results_free(&r);

	/* An error status with a body that is no JSON: the status. */
	search_results_init(&r, 5);
	feed_chunks(&search_splunk_ops, &r, "<html>", 6, 6, 503);
	ASSERT_STR_EQ(r.error, "HTTP 503");
	search_results_free(&r);

	/* A line over the bound is dropped, the next one still read. */
	/* (the next line fits the 200 bytes left: 28 with its NUL) */
	huge = xmalloc(LOGS_LINE_MAX + 200);
	memset(huge, 'x', LOGS_LINE_MAX + 100);
	memcpy(huge + LOGS_LINE_MAX + 100, huge_tail, sizeof huge_tail);
	search_results_init(&r, 5);
	feed_chunks(&search_splunk_ops, &r, huge, strlen(huge), 4096, 200);
	ASSERT_INT_EQ(r.n, 1);
	ASSERT_STR_EQ(r.v[0].text, "ok");
	search_results_free(&r);
	free(huge);

	/* Wrong types and NUL-free garbage are skipped, never kept. */
	search_results_init(&r, 5);
	feed_chunks(&search_splunk_ops, &r, odd, strlen(odd), 3, 200);
	/* _raw not a string: the row's fields; a bad time: 0. */
	ASSERT_INT_EQ(r.n, 2);
	ASSERT_INT_EQ(r.v[0].ts_ms, 0);
	search_results_free(&r);
}

static const char loki_answer[] =
"{\"status\":\"success\",\"data\":{\"resultType\":\"streams\",\"result\":["
"{\"stream\":{\"host\":\"a\"},\"values\":[[\"1796432409000000001\",\"a new\"],"
"[\"1796432401000000000\",\"a old\"]]},"
"{\"stream\":{\"host\":\"b\"},\"values\":[[\"1796432405123456789\",\"b mid\"],"
"[\"bogus\",\"b no time\"],[1,\"not a string\"],[\"1\"]]}],"
"\"stats\":{\"summary\":{}}}}";

TEST(loki_streams_merge_newest_first_across_every_chunk_boundary)
{
	struct log_results	 r;
	size_t			 n, len = strlen(loki_answer);

	for (n = 1; n <= len; n += n < 40 ? 1 : 13) {
		search_results_init(&r, 10);
		feed_chunks(&search_loki_ops, &r, loki_answer, len, n, 200);
		ASSERT_NULL(r.error);
		ASSERT_INT_EQ(r.n, 4);
		ASSERT_STR_EQ(r.v[0].text, "a new");
		ASSERT_INT_EQ(r.v[0].ts_ms, 1796432409000LL);
		ASSERT_STR_EQ(r.v[1].text, "b mid");
		ASSERT_INT_EQ(r.v[1].ts_ms, 1796432405123LL);
		ASSERT_STR_EQ(r.v[2].text, "a old");
		ASSERT_STR_EQ(r.v[3].text, "b no time");
		ASSERT_INT_EQ(r.v[3].ts_ms, 0);
		search_results_free(&r);
	}
	/* 19 digits past INT64_MAX: no time, not an overflow. */
	{
		static const char big[] = "{\"status\":\"success\",\"data\":"
		    "{\"resultType\":\"streams\",\"result\":[{\"stream\":{},"
		    "\"values\":[[\"9716432409000000001\",\"far\"]]}]}}";

		search_results_init(&r, 10);
		feed_chunks(&search_loki_ops, &r, big, strlen(big), 7, 200);
		ASSERT_INT_EQ(r.n, 1);
		ASSERT_INT_EQ(r.v[0].ts_ms, 0);
		search_results_free(&r);
	}
	/* The cap: the newest two, and "more". */
	search_results_init(&r, 2);
	feed_chunks(&search_loki_ops, &r, loki_answer, len, len, 200);
	ASSERT_INT_EQ(r.n, 2);
	ASSERT_INT_EQ(r.more, 1);
	ASSERT_STR_EQ(r.v[1].text, "b mid");
	search_results_free(&r);
}

TEST(loki_errors)
{
	static const char perr[] = "parse error at line 1, col 5: syntax "
	    "error: unexpected IDENTIFIER\nmore\n";
	static const char matrix[] = "{\"status\":\"success\",\"data\":"
	    "{\"resultType\":\"matrix\",\"result\":[]}}";
	struct log_results	 r;
	char			*big;

	search_results_init(&r, 5);
	feed_chunks(&search_loki_ops, &r, perr, strlen(perr), 9, 400);
	ASSERT_STR_EQ(r.error, "parse error at line 1, col 5: syntax error: "
	    "unexpected IDENTIFIER");
	search_results_free(&r);

	search_results_init(&r, 5);
	feed_chunks(&search_loki_ops, &r, matrix, strlen(matrix), 4, 200);
	ASSERT_CONTAINS(r.error, "a matrix result, not log lines");
	search_results_free(&r);

	search_results_init(&r, 5);
	feed_chunks(&search_loki_ops, &r, "{\"status\":\"succ", 15, 4, 200);
	ASSERT_NOT_NULL(r.error);
	search_results_free(&r);

	/* Over the document bound: stopped, said, nothing kept. */
	big = xcalloc(1, 1024 * 1024 + 1);
	memset(big, ' ', 1024 * 1024);
	search_results_init(&r, 5);
	r.status = 200;
	ASSERT_INT_EQ(search_loki_ops.feed(&r, big, 1024 * 1024), 0);
	ASSERT_INT_EQ(search_loki_ops.feed(&r, big, 1024 * 1024), 0);
	ASSERT_INT_EQ(search_loki_ops.feed(&r, big, 1024 * 1024), 0);
	ASSERT_INT_EQ(search_loki_ops.feed(&r, big, 1024 * 1024), 0);
	ASSERT_INT_EQ(search_loki_ops.feed(&r, big, 1), 1);
	search_loki_ops.finish(&r);
	ASSERT_CONTAINS(r.error, "over 4 MiB");
	search_results_free(&r);
	free(big);
}

TEST(iso_times)
{
	ASSERT_INT_EQ(search_parse_iso_time("1970-01-01T00:00:00Z"), 0);
	ASSERT_INT_EQ(search_parse_iso_time("2026-12-05T01:02:03.456+01:00"),
	    1796428923456LL);
	ASSERT_INT_EQ(search_parse_iso_time("2026-12-05T01:02:03.4-0030"),
	    1796434323400LL);
	ASSERT_INT_EQ(search_parse_iso_time("2026-12-05 01:02:03"),
	    1796432523000LL);
	ASSERT_INT_EQ(search_parse_iso_time("2026-13-05T01:02:03"), 0);
	ASSERT_INT_EQ(search_parse_iso_time("2026-12-05T01:02"), 0);
	ASSERT_INT_EQ(search_parse_iso_time("2026-12-05T01:02:03+xx"), 0);
	ASSERT_INT_EQ(search_parse_iso_time(NULL), 0);
	/*
	 * A cut-off offset, in a buffer of its exact size (as cJSON gives
	 * it): the parser read s[3] past the end (fuzz-search under ASan).
	 */
	{
		char	*cut = xstrdup("2026-12-05T01:02:03+1");

		ASSERT_INT_EQ(search_parse_iso_time(cut), 0);
		free(cut);
	}
}

TEST(requests_say_what_the_apis_document)
{
	static char		 surl[] = "http://s:8089", ui[] = "https://ui",
				 ds[] = "P8E80F9AEF21F6940";
	struct cfg_log_engine	 le;
	struct log_query	 q = { "index=prod \"a b\"&x", 1796428800000LL,
	    1796436000000LL, 21 };
	const char		*method;
	char			*url, *body;

	memset(&le, 0, sizeof le);
	le.url = surl;
	le.ui_url = ui;
	search_splunk_ops.request(&le, &q, &method, &url, &body);
	ASSERT_STR_EQ(method, "POST");
	ASSERT_STR_EQ(url, "http://s:8089/services/search/jobs/export");
	ASSERT_STR_EQ(body, "search=search%20index%3Dprod%20%22a%20b%22%26x"
	    "%20%7C%20head%2021&output_mode=json&earliest_time=1796428800&latest_time=1796436000");
	free(url);
	free(body);
	url = search_splunk_ops.ui_link(&le, &q);
	ASSERT_STR_EQ(url, "https://ui/app/search/search?q=search%20index%3D"
	    "prod%20%22a%20b%22%26x&earliest=1796428800&latest=1796436000");
	free(url);

	q.query = "{app=\"p\"} |= \"x\"";
	search_loki_ops.request(&le, &q, &method, &url, &body);
	ASSERT_STR_EQ(method, "GET");
	ASSERT_NULL(body);
	ASSERT_STR_EQ(url, "http://s:8089/loki/api/v1/query_range?query="
	    "%7Bapp%3D%22p%22%7D%20%7C%3D%20%22x%22&start=1796428800000000000"
	    "&end=1796436000000000000&limit=21&direction=backward");
	free(url);
	url = search_loki_ops.ui_link(&le, &q);
	ASSERT_CONTAINS(url, "https://ui/explore?left=%7B%22queries%22");
	free(url);
	/* The data source by UID, in the pane and in its query. */
	le.ui_datasource = ds;
	url = search_loki_ops.ui_link(&le, &q);
	ASSERT_STR_EQ(url, "https://ui/explore?left=%7B%22datasource%22%3A"
	    "%22P8E80F9AEF21F6940%22%2C%22queries%22%3A%5B%7B%22refId%22%3A"
	    "%22A%22%2C%22expr%22%3A%22%7Bapp%3D%5C%22p%5C%22%7D%20%7C%3D%20"
	    "%5C%22x%5C%22%22%2C%22datasource%22%3A%7B%22type%22%3A%22loki%22"
	    "%2C%22uid%22%3A%22P8E80F9AEF21F6940%22%7D%7D%5D%2C%22range%22%3A"
	    "%7B%22from%22%3A%221796428800000%22%2C%22to%22%3A%22"
	    "1796436000000%22%7D%7D");
	free(url);
	le.ui_url = NULL;
	ASSERT_NULL(search_loki_ops.ui_link(&le, &q));
}

TEST(splunk_long_lines_are_dropped_and_counted)
{
	static const char line[] = "{\"preview\":false,\"result\":{\"_raw\":"
	    "\"short %d\"}}\n";
	struct log_results	 r;
	struct buf		 b;
	size_t			 chunks[] = { 1000, 16384, 0 }, i;
	char			*big;

	/* A 10 MB _raw between two short lines, and one at the very end. */
	big = xmalloc(10 * 1024 * 1024 + 1);
	memset(big, 'x', 10 * 1024 * 1024);
	big[10 * 1024 * 1024] = '\0';
	buf_init(&b);
	buf_addf(&b, line, 1);
	buf_addf(&b, "{\"preview\":false,\"result\":{\"_raw\":\"%s\"}}\n", big);
	buf_addf(&b, line, 2);
	buf_addf(&b, "{\"preview\":false,\"result\":{\"_raw\":\"%s\"}}", big);
	free(big);
	chunks[2] = b.len;
	for (i = 0; i < 3; i++) {
		search_results_init(&r, 10);
		ASSERT_INT_EQ(feed_chunks(&search_splunk_ops, &r, b.data,
		    b.len, chunks[i], 200), 0);
		ASSERT_NULL(r.error);
		ASSERT_INT_EQ(r.n, 2);
		ASSERT_INT_EQ(r.skipped, 2);
		/* What is kept stays bounded by the line, not the answer. */
		ASSERT(r.pending.cap <= 2 * LOGS_LINE_MAX);
		search_results_free(&r);
	}
	buf_release(&b);
}

TEST(result_text_is_valid_utf8)
{
	static const char answer[] =
	    "{\"preview\":false,\"result\":{\"_raw\":\"a\xff b\xc3( c\xe2\x82 "
	    "\xed\xa0\x80 \xc0\xaf ok \xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"}}\n"
	    "{\"preview\":false,\"result\":{\"_raw\":\"nul\\u0000after\"}}\n";
	struct log_results	 r;

	search_results_init(&r, 10);
	ASSERT_INT_EQ(feed_chunks(&search_splunk_ops, &r, answer,
	    strlen(answer), 7, 200), 0);
	ASSERT_INT_EQ(r.n, 2);
	ASSERT_STR_EQ(r.v[0].text, "a? b?( c?? ??? ?? ok "
	    "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
	/* A NUL the JSON escaped ends the text: C strings from here on. */
	ASSERT_STR_EQ(r.v[1].text, "nul");
	search_results_free(&r);
}

TEST(result_lines_cannot_end_the_code_block)
{
	char	*s;

	/* Slack ends a code block at any ```: then <!here> would be live. */
	s = search_line_text("a ```\n<!here> @channel `x` ``", 100);
	ASSERT_STR_EQ(s, "a `\xe2\x80\x8b`\xe2\x80\x8b` <!here> @channel `x` "
	    "`\xe2\x80\x8b`");
	ASSERT(strstr(s, "``") == NULL);
	free(s);
	/* Cut after 3 characters, é counting one. */
	s = search_line_text("\xc3\xa9t\x01\x7fé", 3);
	ASSERT_STR_EQ(s, "\xc3\xa9t \xe2\x80\xa6");
	free(s);
	s = search_line_text("abc", 3);
	ASSERT_STR_EQ(s, "abc");
	free(s);
	s = search_line_text("", 3);
	ASSERT_STR_EQ(s, "");
	free(s);
}

TEST(risky_spl_is_found_outside_strings)
{
	ASSERT_NULL(search_spl_risky("index=prod ERROR | stats count by host"));
	ASSERT_NULL(search_spl_risky("index=prod \"a | delete\" | head 5"));
	ASSERT_NULL(search_spl_risky("index=prod \"\\\" | delete\""));
	ASSERT_NULL(search_spl_risky("index=prod `m(| delete)` | deleted"));
	ASSERT_STR_EQ(search_spl_risky("index=prod | delete"), "delete");
	ASSERT_STR_EQ(search_spl_risky("index=prod|DELETE"), "delete");
	ASSERT_STR_EQ(search_spl_risky("|rest /services/x"), "rest");
	ASSERT_STR_EQ(search_spl_risky("x [search y | outputlookup z]"),
	    "outputlookup");
	ASSERT_STR_EQ(search_spl_risky("x [|sendemail to=a@b]"), "sendemail");
	ASSERT_STR_EQ(search_spl_risky("x \"\\\\\" | map search=y"), "map");
	ASSERT_STR_EQ(search_spl_risky("x | eval a=1 || collect index=y"),
	    "collect");
	/* Unbalanced: where Splunk ends the string is not guessed. */
	ASSERT_STR_EQ(search_spl_risky("x ` | delete"), "delete");
	ASSERT_STR_EQ(search_spl_risky("x \"a\" \" | rest /x"), "rest");
}

#define ENGINES								\
"\"hosts\": [{\"name\": \"app1\", \"transport\": \"local\"}],"		\
"\"log_engines\": [{\"name\": \"s\", \"url\": \"http://s\"},"		\
" {\"name\": \"l\", \"kind\": \"loki\", \"url\": \"http://l\"}]"

static char *
load_errors(const char *searches)
{
	struct config	*c = NULL;
	struct buf	 errors;
	char		*text;

	xasprintf(&text, "{" ENGINES ", \"searches\": [%s]}", searches);
	buf_init(&errors);
	if (config_load_text(text, strlen(text), "t.json", &c, &errors) == 0)
		TEST_FAIL("config accepted: %s", searches);
	free(text);
	return buf_detach(&errors);
}

#define ASSERT_REFUSED(s, msg) do {					\
	char *_e = load_errors(s);					\
	ASSERT_CONTAINS(_e, msg);					\
	free(_e);							\
} while (0)

TEST(loader_checks_named_searches)
{
	ASSERT_REFUSED("{\"name\": \"a\", \"help\": \"h\", \"query\": \"x\"}",
	    "searches[0]: give engine: there are 2 log engines");
	ASSERT_REFUSED("{\"name\": \"a\", \"help\": \"h\", \"engine\": \"x\","
	    " \"query\": \"q\"}", "searches[0].engine: no log engine \"x\"");
	ASSERT_REFUSED("{\"name\": \"a\", \"help\": \"h\", \"engine\": \"s\","
	    " \"query\": \"host=\\\"{h}\\\"\", \"params\": [{\"name\": \"h\"}]}",
	    "{h} is inside double quotes");
	/*
	 * Backticks are LogQL's raw strings and SPL's macros: a value's
	 * backtick would end them. A quote inside them is no string, so a
	 * {param} after it is inside the template's own "...".
	 */
	ASSERT_REFUSED("{\"name\": \"a\", \"help\": \"h\", \"engine\": \"l\","
	    " \"query\": \"{{app=\\\"x\\\"}} |~ `{p}`\", \"params\": [{\"name\":"
	    " \"p\"}]}", "{p} is inside backticks");
	ASSERT_REFUSED("{\"name\": \"a\", \"help\": \"h\", \"engine\": \"l\","
	    " \"query\": \"x |= `\\\"` |= \\\"{p}\\\" |= `\\\"`\", \"params\":"
	    " [{\"name\": \"p\"}]}", "{p} is inside a double-quoted string");
	ASSERT_REFUSED("{\"name\": \"a\", \"help\": \"h\", \"engine\": \"l\","
	    " \"query\": \"{app=\\\"x\\\"}\"}", "write {{ for a literal {");
	ASSERT_REFUSED("{\"name\": \"a\", \"help\": \"h\", \"engine\": \"s\","
	    " \"query\": \"x {j}\", \"params\": [{\"name\": \"j\", \"type\":"
	    " \"job\"}]}", "\"job\" is for custom commands");
	ASSERT_REFUSED("{\"name\": \"a\", \"help\": \"h\", \"engine\": \"s\","
	    " \"query\": \"x\"}, {\"name\": \"a\", \"help\": \"h\", \"engine\":"
	    " \"s\", \"query\": \"y\"}", "search \"a\" is already defined");
	ASSERT_REFUSED("{\"name\": \"a\", \"help\": \"h\", \"engine\": \"s\","
	    " \"query\": \"x {n}\", \"params\": [{\"name\": \"n\", \"type\": "
	    "\"int\", \"max\": 5, \"default\": \"9\"}]}", "params[0].default:");
}

TEST(hostile_values_are_one_string_literal)
{
	static const char text[] = "{" ENGINES ", \"searches\": ["
	    "{\"name\": \"a\", \"help\": \"h\", \"engine\": \"l\","
	    " \"query\": \"{{app={app}}} |= {t} | n > {n} | d={d}\","
	    " \"params\": [{\"name\": \"app\", \"type\": \"word\", \"pattern\":"
	    " \".*\"}, {\"name\": \"n\", \"type\": \"int\"},"
	    " {\"name\": \"d\", \"type\": \"duration\"},"
	    " {\"name\": \"t\", \"type\": \"text\"}]}]}";
	const char *const words[] = { "x\"} |= \"", "5", "2m", "a\\\"", "b\x01" };
	const struct cfg_search	*s;
	struct config		*c = NULL;
	struct buf		 errors;
	char			**values = NULL, *cause = NULL, *q;

	buf_init(&errors);
	if (config_load_text(text, strlen(text), "t.json", &c, &errors) != 0)
		TEST_FAIL("%s", errors.data);
	buf_release(&errors);
	ASSERT_NOT_NULL(s = config_find_search(c, "a"));
	ASSERT_INT_EQ(config_custom_bind(c, &s->q, words, 5, &values, &cause),
	    0);
	q = search_bind_query(s, values);
	ASSERT_STR_EQ(q, "{app=\"x\\\"} |= \\\"\"} |= \"a\\\\\\\" b \" | n > 5 "
	    "| d=120");
	free(q);
	config_custom_values_free(&s->q, values);
	/* A value an int parameter refuses never reaches the query. */
	{
		const char *const bad[] = { "x", "5 or 1=1", "2m", "t" };

		ASSERT_INT_EQ(config_custom_bind(c, &s->q, bad, 4, &values,
		    &cause), -1);
		ASSERT_CONTAINS(cause, "n must be an integer");
		free(cause);
	}
	config_free(c);
}

TEST(engine_tokens_are_redacted)
{
	static const char text[] = "{\"log_engines\": [{\"name\": \"s\","
	    " \"url\": \"http://s\", \"token\": \"zq-engine-tok-981\"}]}";
	struct config	*c = NULL;
	struct buf	 errors;
	char		*out;

	buf_init(&errors);
	if (config_load_text(text, strlen(text), "t.json", &c, &errors) != 0)
		TEST_FAIL("%s", errors.data);
	buf_release(&errors);
	config_register_secrets(c);
	out = redact_text("a line with zq-engine-tok-981 in it");
	ASSERT_STR_EQ(out, "a line with [REDACTED] in it");
	free(out);
	config_free(c);
}

static const struct test tests[] = {
	TEST_ENTRY(engine_tokens_are_redacted),
	TEST_ENTRY(splunk_lines_parse_across_every_chunk_boundary),
	TEST_ENTRY(splunk_stops_at_the_cap),
	TEST_ENTRY(splunk_errors_and_hostile_lines),
	TEST_ENTRY(loki_streams_merge_newest_first_across_every_chunk_boundary),
	TEST_ENTRY(loki_errors),
	TEST_ENTRY(iso_times),
	TEST_ENTRY(requests_say_what_the_apis_document),
	TEST_ENTRY(loader_checks_named_searches),
	TEST_ENTRY(hostile_values_are_one_string_literal),
	TEST_ENTRY(risky_spl_is_found_outside_strings),
	TEST_ENTRY(splunk_long_lines_are_dropped_and_counted),
	TEST_ENTRY(result_text_is_valid_utf8),
	TEST_ENTRY(result_lines_cannot_end_the_code_block),
	TEST_END
};

int
main(int argc, char **argv)
{
	cmd_config_commands(cmd_table);
	return test_run(tests, argc, argv);
}

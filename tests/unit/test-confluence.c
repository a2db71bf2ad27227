/*
 * Confluence for /runbook: the CQL built from chat words (quotes and
 * backslashes cannot end the string or add a clause), the request URL,
 * the config's checks, and the search answer read as Confluence's
 * documented shape (content.title, content._links.webui under
 * _links.base, the excerpt's @@@hl@@@ marks).
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "config.h"
#include "runbook_confluence.h"
#include "test.h"

TEST(cql_quotes_user_input)
{
	static const char *const sp[] = { "OPS", "KT" };
	struct strlist	 spaces = { (char **)sp, 2 };
	char		*q;

	q = confluence_cql("restart payment", &spaces);
	ASSERT_STR_EQ(q, "text ~ \"restart payment\" AND space in "
	    "(\"OPS\",\"KT\") AND type = page");
	free(q);
	/* A quote would end the string and add a clause: escaped. */
	q = confluence_cql("x\" OR space = \"HR", &spaces);
	ASSERT_STR_EQ(q, "text ~ \"x\\\" OR space = \\\"HR\" AND space in "
	    "(\"OPS\",\"KT\") AND type = page");
	free(q);
	/* A trailing backslash would escape the closing quote: doubled. */
	q = confluence_cql("C:\\temp\\", NULL);
	ASSERT_STR_EQ(q, "text ~ \"C:\\\\temp\\\\\" AND type = page");
	free(q);
	q = confluence_cql("two\nlines", NULL);
	ASSERT_STR_EQ(q, "text ~ \"two lines\" AND type = page");
	free(q);
}

static struct config *
load(const char *json)
{
	struct config	*c = NULL;
	struct buf	 err;

	buf_init(&err);
	if (config_load_text(json, strlen(json), "test", &c, &err) != 0)
		TEST_FAIL("config: %s", err.data);
	buf_release(&err);
	return c;
}

static char *
refused(const char *json)
{
	struct config	*c = NULL;
	struct buf	 err;

	buf_init(&err);
	if (config_load_text(json, strlen(json), "test", &c, &err) == 0)
		TEST_FAIL("loaded but should not: %s", json);
	return buf_detach(&err);
}

TEST(config_checks)
{
	struct config	*c;
	char		*e;

	c = load("{\"runbooks\": {\"confluence\": {\"url\": "
	    "\"https://ex.atlassian.net/wiki/\", \"spaces\": [\"OPS\", "
	    "\"~jdoe\"], \"user\": \"bot@ex.com\", \"token\": \"t0k\"}}}");
	ASSERT_STR_EQ(c->runbooks.confluence_url,
	    "https://ex.atlassian.net/wiki");
	ASSERT_INT_EQ((int)c->runbooks.confluence_spaces.n, 2);
	ASSERT_INT_EQ((int)c->runbooks.confluence_timeout_s, 3);
	config_free(c);
	e = refused("{\"runbooks\": {\"confluence\": {\"url\": "
	    "\"https://w\"}}}");
	ASSERT_CONTAINS(e, "runbooks.confluence: needs token");
	ASSERT_CONTAINS(e, "runbooks.confluence: needs spaces");
	free(e);
	e = refused("{\"runbooks\": {\"confluence\": {\"url\": \"https://w\", "
	    "\"token\": \"t\", \"spaces\": [\"OPS\\\") OR (\\\"x\"]}}}");
	ASSERT_CONTAINS(e, "runbooks.confluence.spaces[0]: a space key is");
	free(e);
}

TEST(request_url)
{
	struct config			*c = load("{\"runbooks\": {"
	    "\"confluence\": {\"url\": \"http://127.0.0.1:9/wiki\", "
	    "\"spaces\": [\"OPS\"], \"token\": \"pat\", \"timeout\": "
	    "\"1s\"}}}");
	struct confluence_search	*s;

	ASSERT_NOT_NULL(s = confluence_search_new(c, "disk \"full\"", 5));
	/* Nothing listens on port 9: an error, never a crash or a hang. */
	confluence_search_run(s);
	ASSERT_NOT_NULL(confluence_search_result(s)->error);
	ASSERT_INT_EQ((int)confluence_search_result(s)->n, 0);
	confluence_search_free(s);
	config_free(c);
	c = load("{}");
	ASSERT_NULL(confluence_search_new(c, "x", 5));
	config_free(c);
}

TEST(parse_documented_shape)
{
	static const char body[] =
	    "{\"results\": ["
	    " {\"content\": {\"id\": \"98\", \"type\": \"page\", \"title\": "
	    "  \"Payment gateway restart\", \"_links\": {\"webui\": "
	    "  \"/spaces/OPS/pages/98/Payment+gateway+restart\"}},"
	    "  \"title\": \"Payment gateway restart\", \"excerpt\": \"How to "
	    "@@@hl@@@restart@@@endhl@@@ the\\ngateway\", \"url\": "
	    "  \"/spaces/OPS/pages/98\"},"
	    " {\"title\": \"no content, url only\", \"url\": \"/x/1\","
	    "  \"excerpt\": \"\"},"
	    " {\"content\": {\"type\": \"attachment\"}}"
	    "], \"start\": 0, \"limit\": 5, \"size\": 3,"
	    " \"_links\": {\"base\": \"https://ex.atlassian.net/wiki\","
	    "  \"context\": \"/wiki\"}}";
	struct confluence_result	 r;
	char				*cause = NULL;

	ASSERT_INT_EQ(confluence_parse(body, strlen(body), 5, &r, &cause), 0);
	ASSERT_INT_EQ((int)r.n, 2);
	ASSERT_STR_EQ(r.v[0].title, "Payment gateway restart");
	ASSERT_STR_EQ(r.v[0].url, "https://ex.atlassian.net/wiki/spaces/OPS/"
	    "pages/98/Payment+gateway+restart");
	ASSERT_STR_EQ(r.v[0].excerpt, "How to *restart* the gateway");
	ASSERT_STR_EQ(r.v[1].url, "https://ex.atlassian.net/wiki/x/1");
	confluence_result_release(&r);
	ASSERT_INT_EQ(confluence_parse(body, strlen(body), 1, &r, &cause), 0);
	ASSERT_INT_EQ((int)r.n, 1);
	confluence_result_release(&r);
	ASSERT_INT_EQ(confluence_parse("{\"x\": 1}", 8, 5, &r, &cause), -1);
	ASSERT_STR_EQ(cause, "no results array");
	free(cause);
	ASSERT_INT_EQ(confluence_parse("<html>", 6, 5, &r, NULL), -1);
}

static const struct test tests[] = {
	TEST_ENTRY(cql_quotes_user_input),
	TEST_ENTRY(config_checks),
	TEST_ENTRY(request_url),
	TEST_ENTRY(parse_documented_shape),
	TEST_END
};

int
main(int argc, char **argv)
{
	return test_run(tests, argc, argv);
}

/*
 * The PromQL client's pure parts (adapters/promql/promql_parse.c): the
 * query API's answers, good and hostile, the engine's own error text,
 * label quoting; and the metrics_sources config (config_metrics.c).
 */

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "config.h"
#include "fleet.h"
#include "promql.h"
#include "test.h"

static int
parse(const char *body, struct promql_vector *v, char **cause)
{
	return promql_parse(body, strlen(body), v, cause);
}

TEST(vector_with_labels_and_values)
{
	struct promql_vector	 v;
	char			*cause = NULL;

	ASSERT_INT_EQ(parse("{\"status\":\"success\",\"data\":{\"resultType\":"
	    "\"vector\",\"result\":[{\"metric\":{\"__name__\":\"up\","
	    "\"instance\":\"10.0.0.1:9100\",\"job\":\"node\"},\"value\":"
	    "[1714608000.123,\"1\"]},{\"metric\":{\"instance\":\"b\"},"
	    "\"value\":[1714608000,\"NaN\"]},{\"metric\":{},\"value\":"
	    "[1,\"+Inf\"]}]}}", &v, &cause), 0);
	ASSERT_NULL(cause);
	ASSERT_INT_EQ(v.n, 3);
	ASSERT_STR_EQ(promql_label(&v.v[0], "instance"), "10.0.0.1:9100");
	ASSERT_STR_EQ(promql_label(&v.v[0], "job"), "node");
	ASSERT_NULL(promql_label(&v.v[0], "nodename"));
	ASSERT(v.v[0].value == 1.0);
	ASSERT(v.v[0].ts > 1714608000.0);
	ASSERT(isnan(v.v[1].value));
	ASSERT(isinf(v.v[2].value));
	ASSERT_INT_EQ(v.v[2].nlabels, 0);
	promql_vector_free(&v);
	ASSERT_INT_EQ(parse("{\"status\":\"success\",\"data\":{\"resultType\":"
	    "\"vector\",\"result\":[]}}", &v, NULL), 0);
	ASSERT_INT_EQ(v.n, 0);
	promql_vector_free(&v);
	/* A scalar (count(...) of nothing is a vector; scalar() is this). */
	ASSERT_INT_EQ(parse("{\"status\":\"success\",\"data\":{\"resultType\":"
	    "\"scalar\",\"result\":[1,\"42\"]}}", &v, NULL), 0);
	ASSERT_INT_EQ(v.n, 1);
	ASSERT(v.v[0].value == 42.0);
	promql_vector_free(&v);
}

/* The engine's own words for what is wrong with a query. */
TEST(engine_error_is_the_cause)
{
	struct promql_vector	 v;
	char			*cause = NULL;

	ASSERT_INT_EQ(parse("{\"status\":\"error\",\"errorType\":\"bad_data\","
	    "\"error\":\"1:6: parse error: unexpected end of input\"}", &v,
	    &cause), -1);
	ASSERT_STR_EQ(cause, "bad_data: 1:6: parse error: unexpected end of "
	    "input");
	ASSERT_INT_EQ(v.n, 0);
	free(cause);
	ASSERT_INT_EQ(parse("{\"status\":\"error\"}", &v, &cause), -1);
	ASSERT_STR_EQ(cause, "error: (no message)");
	free(cause);
}

/* Each one refused with a cause, nothing half-read, nothing leaked. */
TEST(hostile_bodies_are_refused)
{
	static const char *const bad[] = {
		"",
		"<html><body>502 Bad Gateway</body></html>",
		"[1,2,3]",
		"{\"status\":1}",
		"{\"status\":\"success\"}",
		"{\"status\":\"success\",\"data\":[]}",
		"{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\","
		    "\"result\":[]}}",
		"{\"status\":\"success\",\"data\":{\"resultType\":\"vector\","
		    "\"result\":{}}}",
		"{\"status\":\"success\",\"data\":{\"resultType\":\"vector\","
		    "\"result\":[{\"metric\":{\"a\":\"b\"}}]}}",
		"{\"status\":\"success\",\"data\":{\"resultType\":\"vector\","
		    "\"result\":[{\"metric\":{\"a\":1},\"value\":[1,\"1\"]}]}}",
		"{\"status\":\"success\",\"data\":{\"resultType\":\"vector\","
		    "\"result\":[{\"metric\":{},\"value\":[1,1]}]}}",
		"{\"status\":\"success\",\"data\":{\"resultType\":\"vector\","
		    "\"result\":[{\"metric\":{},\"value\":[1,\"12abc\"]}]}}",
		"{\"status\":\"success\",\"data\":{\"resultType\":\"vector\","
		    "\"result\":[{\"metric\":{},\"value\":[1,\"\"]}]}}",
		"{\"status\":\"success\",\"data\":{\"resultType\":\"vector\","
		    "\"result\":[{\"metric\":{},\"value\":[\"1\",\"1\"]}]}}",
		"{\"status\":\"success\",\"data\":{\"resultType\":\"vector\","
		    "\"result\":[{\"metric\":{\"x\":\"y\"},\"value\":[1,\"2\"]},"
		    "{\"metric\":\"oops\",\"value\":[1,\"2\"]}]}}",
		"{\"status\":\"success\",\"data\":{\"resultType\":\"vector\","
		    "\"result\":[{\"metric\":{},\"value\":[1,\"2\",3]}]}}",
		"{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\","
		    "\"result\":\"7\"}}",
		"{\"status\":\"success\",\"data\":{\"resultType\":\"vector\","
		    "\"result\":[{\"metric\":{},\"value\":[1,\"2\"]}",
		NULL
	};
	struct promql_vector	 v;
	char			*cause;
	size_t			 i;

	for (i = 0; bad[i] != NULL; i++) {
		cause = NULL;
		if (parse(bad[i], &v, &cause) != -1)
			TEST_FAIL("accepted: %s", bad[i]);
		ASSERT_NOT_NULL(cause);
		ASSERT_INT_EQ(v.n, 0);
		ASSERT_NULL(v.v);
		free(cause);
		ASSERT_INT_EQ(parse(bad[i], &v, NULL), -1);
	}
	/* Not NUL-terminated: the length is the end. */
	ASSERT_INT_EQ(promql_parse("{\"status\":\"success\"}xx", 10, &v, NULL),
	    -1);
}

TEST(quoting_for_selectors)
{
	struct buf	 b;

	buf_init(&b);
	promql_string_quote(&b, "a\"b\\c");
	ASSERT_STR_EQ(b.data, "a\\\"b\\\\c");
	buf_clear(&b);
	/* 10.0.0.1 must not match 10x0y0z1: the dots are literal. */
	promql_regex_quote(&b, "10.0.0.1");
	ASSERT_STR_EQ(b.data, "10\\\\.0\\\\.0\\\\.1");
	buf_clear(&b);
	promql_regex_quote(&b, "a|b\"");
	ASSERT_STR_EQ(b.data, "a\\\\|b\\\"");
	buf_release(&b);
}

static struct config *
load(const char *text, struct buf *errors)
{
	struct config	*c = NULL;

	buf_init(errors);
	if (config_load_text(text, strlen(text), "test.json", &c, errors) != 0)
		return NULL;
	return c;
}

TEST(config_sources)
{
	struct config				*c;
	const struct cfg_metrics_source		*ms;
	struct buf				 e;

	c = load("{\"metrics_sources\": [{\"name\": \"prom\", \"url\": "
	    "\"http://127.0.0.1:9090/\", \"token\": \"s3cr3t-token\", "
	    "\"host_label\": \"nodename\", \"tag_labels\": [\"env\"], "
	    "\"hosts\": [{\"name\": \"web1\", \"match\": \"10.0.0.1\", "
	    "\"tags\": [\"prod\"]}, {\"name\": \"web2\"}]}, {\"name\": \"vm\", "
	    "\"url\": \"http://vm:8428\", \"timeout\": \"3s\"}], "
	    "\"fleet\": {\"summary_over\": 50}}", &e);
	if (c == NULL)
		TEST_FAIL("%s", e.data);
	ASSERT_INT_EQ(c->nmetrics, 2);
	ms = config_find_metrics(c, "prom");
	ASSERT_NOT_NULL(ms);
	ASSERT_STR_EQ(ms->url, "http://127.0.0.1:9090");
	ASSERT_STR_EQ(ms->token, "s3cr3t-token");
	ASSERT_STR_EQ(ms->job, "node");
	ASSERT_STR_EQ(ms->host_label, "nodename");
	ASSERT_INT_EQ(ms->timeout_s, 10);
	ASSERT_INT_EQ(ms->disk_warn_pct, 80);
	ASSERT_INT_EQ(ms->disk_crit_pct, 90);
	ASSERT_INT_EQ(ms->tag_labels.n, 1);
	ASSERT_INT_EQ(ms->nhosts, 2);
	ASSERT_STR_EQ(ms->hosts[0].match, "10.0.0.1");
	ASSERT_NULL(ms->hosts[1].match);
	ASSERT_STR_EQ(ms->hosts[0].tags.v[0], "prod");
	ASSERT_INT_EQ(config_find_metrics(c, "vm")->timeout_s, 3);
	ASSERT_NULL(config_find_metrics(c, "nope"));
	ASSERT_INT_EQ(c->fleet.summary_over, 50);
	ASSERT_INT_EQ(c->fleet.worst, 10);
	config_free(c);
	buf_release(&e);
}

TEST(config_errors_say_where_and_why)
{
	struct buf	 e;

	ASSERT_NULL(load("{\"metrics_sources\": [{\"name\": \"prom\"}, "
	    "{\"name\": \"prom\", \"url\": \"ftp://x\"}, {\"name\": \"p3\", "
	    "\"url\": \"http://x\", \"user\": \"u\"}, {\"name\": \"p4\", "
	    "\"url\": \"http://x\", \"token\": \"abcd\", \"user\": \"u\", "
	    "\"password\": \"pw\"}, {\"name\": \"p5\", \"url\": \"http://x\", "
	    "\"host_label\": \"host-name\", \"disk_warn\": 95, \"timout\": 3, "
	    "\"hosts\": [{\"name\": \"a\"}, {\"name\": \"a\"}]}]}", &e));
	ASSERT_CONTAINS(e.data, "metrics_sources[0].url");
	ASSERT_CONTAINS(e.data, "metrics_sources[1]: source \"prom\" is "
	    "already defined");
	ASSERT_CONTAINS(e.data, "metrics_sources[1].url");
	ASSERT_CONTAINS(e.data, "metrics_sources[2]: user and password go "
	    "together");
	ASSERT_CONTAINS(e.data, "metrics_sources[3]: give either token");
	ASSERT_CONTAINS(e.data, "metrics_sources[4].host_label: expected a "
	    "label name");
	ASSERT_CONTAINS(e.data, "disk_crit (90) must not be below disk_warn");
	ASSERT_CONTAINS(e.data, "timout");
	ASSERT_CONTAINS(e.data, "host \"a\" is listed twice");
	buf_release(&e);
	ASSERT_NULL(load("{\"metrics_sources\": [{\"name\": \"p\", \"url\": "
	    "\"http://x\", \"tag_labels\": [\"env\", \"the-role\", \"9x\"]}]}",
	    &e));
	ASSERT_CONTAINS(e.data, "\"the-role\" is not a label name");
	ASSERT_CONTAINS(e.data, "\"9x\" is not a label name");
	buf_release(&e);
	/* A checklist's check via metrics needs a source, and services. */
	ASSERT_NULL(load("{\"checklists\": {\"c\": {\"checks\": [{\"title\": "
	    "\"d\", \"kind\": \"disk_below\", \"via\": \"metrics\"}, "
	    "{\"title\": \"s\", \"kind\": \"services_running\", \"via\": "
	    "\"metrics\"}]}}}", &e));
	ASSERT_CONTAINS(e.data, "checklists.c.checks[0]: via \"metrics\" needs "
	    "metrics_sources");
	ASSERT_CONTAINS(e.data, "via \"metrics\" needs \"services\"");
	buf_release(&e);
	ASSERT_NULL(load("{\"metrics_sources\": {\"name\": \"x\"}}", &e));
	ASSERT_CONTAINS(e.data, "metrics_sources");
	buf_release(&e);
}

/* instance's port is cut; other labels are the name as they are. */
TEST(host_names_from_labels)
{
	static const char *const cases[][3] = {
		{ "instance", "10.0.0.1:9100", "10.0.0.1" },
		{ "instance", "web1.example.com:9100", "web1.example.com" },
		{ "instance", "[::1]:9100", "::1" },
		{ "instance", "web1", "web1" },
		{ "instance", "web1:", "web1:" },
		{ "instance", "web1:http", "web1:http" },
		{ "instance", "fe80::1", "fe80::1" },
		{ "nodename", "db1:9100", "db1:9100" },
		{ NULL, NULL, NULL }
	};
	char	*n;
	size_t	 i;

	for (i = 0; cases[i][0] != NULL; i++) {
		n = fleet_host_name(cases[i][0], cases[i][1]);
		ASSERT_STR_EQ(n, cases[i][2]);
		free(n);
	}
}

/* df's Use%: root's reserve is neither used nor available. */
TEST(disk_percent_as_df_computes_it)
{
	struct fleet_mount	 m = { NULL, NULL, 1000, 450, 500, -1, -1 };

	/* used 500, avail 450: 500 / 950 = 52.6 -> 53, as df rounds up. */
	ASSERT_INT_EQ(fleet_disk_pct(&m), 53);
	m.avail = m.free = 1000;
	ASSERT_INT_EQ(fleet_disk_pct(&m), 0);
	m.avail = m.free = 0;
	ASSERT_INT_EQ(fleet_disk_pct(&m), 100);
	/* No free_bytes (as from the fleet exporter): used is size - avail,
	 * so a full disk is still full rather than unknown (and OK). */
	m.free = -1;
	m.avail = 50;
	ASSERT_INT_EQ(fleet_disk_pct(&m), 95);
	m.free = NAN;
	ASSERT_INT_EQ(fleet_disk_pct(&m), 95);
	m.avail = -1;
	ASSERT_INT_EQ(fleet_disk_pct(&m), -1);
	m.avail = 50;
	m.free = 10;
	m.size = NAN;
	ASSERT_INT_EQ(fleet_disk_pct(&m), -1);
}

static const struct test tests[] = {
	TEST_ENTRY(host_names_from_labels),
	TEST_ENTRY(disk_percent_as_df_computes_it),
	TEST_ENTRY(vector_with_labels_and_values),
	TEST_ENTRY(engine_error_is_the_cause),
	TEST_ENTRY(hostile_bodies_are_refused),
	TEST_ENTRY(quoting_for_selectors),
	TEST_ENTRY(config_sources),
	TEST_ENTRY(config_errors_say_where_and_why),
	TEST_END
};

int
main(int argc, char **argv)
{
	return test_run(tests, argc, argv);
}

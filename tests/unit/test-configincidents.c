/*
 * incidents.auto_open in the config: rules load with their matchers,
 * tags, group_by default and channel; the mistakes are refused by path.
 */

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "config.h"
#include "labels.h"
#include "test.h"

static char *
load(const char *text, struct config **c)
{
	struct buf	 errors;

	buf_init(&errors);
	if (config_load_text(text, strlen(text), "test.json", c,
	    &errors) == 0 && errors.len == 0) {
		buf_release(&errors);
		return NULL;
	}
	return buf_detach(&errors);
}

TEST(rules_load)
{
	struct config			*c = NULL;
	const struct cfg_incident_rule	*r;
	struct labels			 l;
	char				*err;

	err = load("{\"chat\": {\"console\": {\"user\": \"o\"}},"
	    " \"incidents\": {\"auto_open\": ["
	    "  {\"match\": {\"severity\": \"critical\"}, \"match_re\":"
	    "   {\"job\": \"pay.*\"}, \"host_tags\": [\"prod\"],"
	    "   \"channel\": \"console\", \"severity\": 1, \"ticket\": true},"
	    "  {\"host_tags\": [\"db\"], \"group_by\": [\"alertname\","
	    "   \"host\"], \"channel\": \"console\", \"title\": \"DB\"}]}}", &c);
	if (err != NULL)
		TEST_FAIL("%s", err);
	ASSERT_INT_EQ(c->incidents.nauto_open, 2);
	r = &c->incidents.auto_open[0];
	ASSERT_INT_EQ(r->severity, 1);
	ASSERT_INT_EQ(r->ticket, 1);
	ASSERT_STR_EQ(r->channel, "console");
	ASSERT_INT_EQ(r->group_by.n, 1);
	ASSERT_STR_EQ(r->group_by.v[0], "alertname");
	memset(&l, 0, sizeof l);
	labels_set(&l, "severity", "critical");
	labels_set(&l, "job", "payments");
	ASSERT(matchers_match(&r->matchers, &l));
	labels_set(&l, "job", "web");
	ASSERT(!matchers_match(&r->matchers, &l));
	labels_release(&l);
	r = &c->incidents.auto_open[1];
	ASSERT_INT_EQ(r->severity, 2);
	ASSERT_STR_EQ(r->title, "DB");
	ASSERT_INT_EQ(r->ticket, 0);
	ASSERT_INT_EQ(r->group_by.n, 2);
	config_free(c);
}

TEST(mistakes_are_refused_by_path)
{
	struct config	*c = NULL;
	char		*err;

	err = load("{\"chat\": {\"console\": {\"user\": \"o\"}},"
	    " \"incidents\": {\"auto_open\": [{\"channel\": \"console\"}]}}",
	    &c);
	ASSERT_NOT_NULL(err);
	ASSERT_CONTAINS(err, "incidents.auto_open[0].match: a rule needs "
	    "match, match_re or host_tags");
	free(err);
	err = load("{\"chat\": {\"console\": {\"user\": \"o\"}},"
	    " \"incidents\": {\"auto_open\": [{\"match\": {\"a\": \"b\"},"
	    " \"severity\": 9, \"chanel\": \"x\"}]}}", &c);
	ASSERT_NOT_NULL(err);
	ASSERT_CONTAINS(err, "incidents.auto_open[0].severity");
	ASSERT_CONTAINS(err, "incidents.auto_open[0].channel");
	ASSERT_CONTAINS(err, "chanel");
	free(err);
	err = load("{\"incidents\": {\"auto_open\": {}}}", &c);
	ASSERT_NOT_NULL(err);
	ASSERT_CONTAINS(err, "incidents.auto_open");
	free(err);
}

static const struct test tests[] = {
	TEST_ENTRY(rules_load),
	TEST_ENTRY(mistakes_are_refused_by_path),
	TEST_END
};

int
main(int argc, char **argv)
{
	return test_run(tests, argc, argv);
}

/*
 * The error contract (bot/util/cause.h): every function that can fail
 * takes a `cause` that may be NULL. Each call below fails, once with a
 * cause (which must be set) and once with NULL (which must not crash).
 */

#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "alert_parse.h"
#include "buf.h"
#include "cause.h"
#include "config.h"
#include "cron.h"
#include "inventory.h"
#include "labels.h"
#include "loop.h"
#include "store.h"
#include "test.h"

TEST(helpers)
{
	char	*c = (char *)"untouched";

	cause_set(NULL, "x %d", 1);
	cause_take(NULL, strdup("freed, not leaked"));
	cause_clear(NULL);
	cause_set(&c, "port %d is taken", 80);
	ASSERT_STR_EQ(c, "port 80 is taken");
	free(c);
	cause_take(&c, strdup("given"));
	ASSERT_STR_EQ(c, "given");
	free(c);
	cause_clear(&c);
	ASSERT_NULL(c);
}

/* Runs CALL with &cause (must fail and set it), then with NULL. */
#define FAILS_BOTH_WAYS(call_with, call_null) do {			\
	char *cause = NULL;						\
	ASSERT((call_with) != 0);					\
	ASSERT_NOT_NULL(cause);						\
	free(cause);							\
	ASSERT((call_null) != 0);					\
} while (0)

TEST(util_parsers_accept_null)
{
	struct words	 w;
	struct labels	 l;
	struct matcher	 m;
	struct cron	 cr;
	int64_t		 secs;

	memset(&w, 0, sizeof w);
	FAILS_BOTH_WAYS(args_split("a \"b", 4, &w, &cause),
	    args_split("a \"b", 4, &w, NULL));
	words_free(&w);
	FAILS_BOTH_WAYS(duration_parse("5 parsecs", &secs, &cause),
	    duration_parse("5 parsecs", &secs, NULL));
	memset(&l, 0, sizeof l);
	FAILS_BOTH_WAYS(labels_from_json("[1", &l, &cause),
	    labels_from_json("[1", &l, NULL));
	labels_release(&l);
	{
		struct matchers	 ms;
		char		*c = NULL;

		/* Malformed stored JSON names where it breaks, both readers. */
		ASSERT(labels_from_json("{\"a\": 1,", &l, &c) != 0);
		ASSERT_STR_EQ(c, "invalid JSON near byte 9");
		free(c);
		c = NULL;
		ASSERT(matchers_from_json("[{]", &ms, &c) != 0);
		ASSERT_STR_EQ(c, "invalid JSON near byte 4");
		free(c);
	}
	FAILS_BOTH_WAYS(matcher_parse("", &m, &cause),
	    matcher_parse("", &m, NULL));
	FAILS_BOTH_WAYS(matcher_parse("a=\"x", &m, &cause),
	    matcher_parse("a=\"x", &m, NULL));
	FAILS_BOTH_WAYS(cron_parse("61 * * * *", &cr, &cause),
	    cron_parse("61 * * * *", &cr, NULL));
	FAILS_BOTH_WAYS(cron_tz_check("Mars/Olympus", &cause),
	    cron_tz_check("Mars/Olympus", NULL));
}

TEST(alert_parsers_accept_null)
{
	struct alert_batch	 b;

	memset(&b, 0, sizeof b);
	FAILS_BOTH_WAYS(alert_parse_alertmanager("", 0, 0, &b, &cause),
	    alert_parse_alertmanager("", 0, 0, &b, NULL));
	FAILS_BOTH_WAYS(alert_parse_grafana("{", 1, 0, &b, &cause),
	    alert_parse_grafana("{", 1, 0, &b, NULL));
	FAILS_BOTH_WAYS(alert_parse_generic("[]", 2, 0, &b, &cause),
	    alert_parse_generic("[]", 2, 0, &b, NULL));
	alert_batch_release(&b);
}

TEST(inventory_and_store_accept_null)
{
	struct config		 *c = NULL;
	struct buf		  errors;
	const struct cfg_host	**hosts = NULL;
	size_t			  n;
	static const char	  text[] = "{ \"hosts\": [ { \"name\": \"web1\", "
	    "\"transport\": \"local\" } ] }";

	buf_init(&errors);
	ASSERT_INT_EQ(config_load_text(text, sizeof text - 1, "t", &c,
	    &errors), 0);
	buf_release(&errors);
	FAILS_BOTH_WAYS(inventory_resolve(c, "web9", &hosts, &n, &cause),
	    inventory_resolve(c, "web9", &hosts, &n, NULL));
	ASSERT_NULL(inventory_host(c, "web9", NULL));
	config_free(c);
	ASSERT_NULL(store_open("/nonexistent/dir/opsbot.db", NULL));
}

TEST(loop_create_accepts_null)
{
	struct loop	*l = loop_create(0, NULL);

	ASSERT_NOT_NULL(l);
	loop_free(l);
}

static const struct test tests[] = {
	TEST_ENTRY(helpers),
	TEST_ENTRY(util_parsers_accept_null),
	TEST_ENTRY(alert_parsers_accept_null),
	TEST_ENTRY(inventory_and_store_accept_null),
	TEST_ENTRY(loop_create_accepts_null),
	TEST_END
};

int
main(int argc, char **argv)
{
	return test_run(tests, argc, argv);
}

/*
 * Checklist verdicts over several hosts (commands/checklist_verdict.c),
 * and the store queries an EOD handover reads (bot/store/store_checklists.c).
 */

#include <stdio.h>
#include <string.h>

#include "checklist_run.h"
#include "store.h"
#include "store_checklists.h"
#include "test.h"

/* A host that failed and one that is down: the failure is the verdict. */
TEST(fail_outranks_unreachable)
{
	struct check_result	 r;

	check_result_init(&r);
	check_problem(&r, CHECK_FAIL, "prod-db /: 88%% used (under 80%% "
	    "wanted)");
	check_problem(&r, CHECK_ERROR, "prod-web2: unreachable");
	check_result_finish(&r);
	ASSERT_INT_EQ(r.status, CHECK_FAIL);
	ASSERT_STR_EQ(r.detail.data, "prod-db /: 88% used (under 80% "
	    "wanted); could not check: prod-web2: unreachable");
	check_result_release(&r);

	/* The order the hosts answer in does not matter. */
	check_result_init(&r);
	check_problem(&r, CHECK_ERROR, "prod-web2: unreachable");
	check_problem(&r, CHECK_FAIL, "prod-db batch: inactive");
	check_problem(&r, CHECK_ERROR, "prod-web3: no answer in 10 s");
	check_result_finish(&r);
	ASSERT_INT_EQ(r.status, CHECK_FAIL);
	ASSERT_STR_EQ(r.detail.data, "prod-db batch: inactive; could not "
	    "check: prod-web2: unreachable; prod-web3: no answer in 10 s");
	ASSERT_CONTAINS(r.output.data, "prod-web3: no answer in 10 s\n");
	check_result_release(&r);
}

/* Only unknowns: could not check, and which hosts. */
TEST(unreachable_outranks_ok)
{
	struct check_result	 r;

	check_result_init(&r);
	check_problem(&r, CHECK_ERROR, "prod-web2: unreachable");
	check_result_finish(&r);
	ASSERT_INT_EQ(r.status, CHECK_ERROR);
	ASSERT_STR_EQ(r.detail.data, "could not check: prod-web2: "
	    "unreachable");
	check_result_release(&r);
}

/* Nothing wrong: ok, and the line is left for what the hosts saw. */
TEST(all_ok)
{
	struct check_result	 r;

	check_result_init(&r);
	check_result_finish(&r);
	ASSERT_INT_EQ(r.status, CHECK_OK);
	ASSERT_STR_EQ(r.detail.data, "");
	check_result_release(&r);
}

/* A long list of hosts is cut, not grown without end. */
TEST(line_bounded)
{
	struct check_result	 r;
	int			 i;

	check_result_init(&r);
	for (i = 0; i < 200; i++) {
		check_problem(&r, CHECK_FAIL, "host%03d /: 99%% used", i);
		check_problem(&r, CHECK_ERROR, "down%03d: unreachable", i);
	}
	check_result_finish(&r);
	ASSERT_INT_EQ(r.status, CHECK_FAIL);
	ASSERT(r.detail.len < 800);
	ASSERT_CONTAINS(r.detail.data, "could not check: down000");
	ASSERT_CONTAINS(r.output.data, "down199: unreachable\n");
	check_result_release(&r);
}

static struct store *
open_store(const char *name)
{
	static char	 path[512];
	struct store	*s;
	char		*cause = NULL;

	snprintf(path, sizeof path, "%s/%s", test_tmpdir(), name);
	s = store_open(path, &cause);
	if (s == NULL)
		TEST_FAIL("store_open: %s", cause);
	return s;
}

static void
add_run(struct store *s, const char *name, int64_t started)
{
	struct store_run_row	 r;
	char			*cause = NULL;

	memset(&r, 0, sizeof r);
	r.name = name;
	r.started_ms = started;
	r.finished_ms = started + 10;
	r.trigger = "command";
	if (store_run_add(s, &r, NULL, 0, &cause) < 0)
		TEST_FAIL("store_run_add: %s", cause);
}

static void
first_cb(void *arg, const struct store_run_row *r)
{
	*(int64_t *)arg = r->started_ms;
}

/* The morning's SOD: the first of the day, whatever order rows came in. */
TEST(first_run_of_the_day)
{
	struct store	*s = open_store("first.db");
	int64_t		 got = 0;
	char		*cause = NULL;

	add_run(s, "sod", 500);		/* yesterday */
	add_run(s, "sod", 3000);
	add_run(s, "eod", 1500);
	add_run(s, "sod", 2000);	/* stored late, ran earlier */
	ASSERT_INT_EQ(store_run_first_since(s, "sod", 1000, 9000, first_cb,
	    &got, &cause), 1);
	ASSERT_INT_EQ(got, 2000);
	/* Only runs before the EOD itself. */
	got = 0;
	ASSERT_INT_EQ(store_run_first_since(s, "sod", 1000, 2000, first_cb,
	    &got, &cause), 0);
	ASSERT_INT_EQ(got, 0);
	store_close(s);
}

static void
action_cb(void *arg, const struct store_action_row *r)
{
	struct buf	*b = arg;

	buf_addf(b, "%lld %s %s %s\n", (long long)r->ts_ms,
	    r->user_name != NULL ? r->user_name : r->user, r->command,
	    r->outcome);
}

static void
audit(struct store *s, int64_t ts, const char *cmd, const char *outcome)
{
	struct audit_entry	 e;
	char			*cause = NULL;

	memset(&e, 0, sizeof e);
	e.ts_ms = ts;
	e.platform = "slack";
	e.user_id = "U1";
	e.user_name = "alice";
	e.channel = "C1";
	e.command = cmd;
	e.outcome = outcome;
	if (store_audit_append(s, &e, &cause) != 0)
		TEST_FAIL("store_audit_append: %s", cause);
}

/* What ran counts; prompts, refusals and other commands do not. */
TEST(day_actions)
{
	struct store	*s = open_store("actions.db");
	struct buf	 b;
	char		*cause = NULL;

	audit(s, 100, "rerun JOB_A --confirm", "ok");	/* yesterday */
	audit(s, 1000, "rerun JOB_A", "unconfirmed");
	audit(s, 1001, "rerun JOB_A --confirm", "ok");
	audit(s, 1002, "restart web1 app --confirm", "denied");
	audit(s, 1003, "health prod", "ok");
	audit(s, 1004, "restart web1 app --confirm", "error");
	buf_init(&b);
	ASSERT_INT_EQ(store_day_actions(s, 1000, 10, action_cb, &b, &cause),
	    2);
	ASSERT_STR_EQ(b.data, "1001 alice rerun JOB_A --confirm ok\n"
	    "1004 alice restart web1 app --confirm error\n");
	buf_release(&b);
	store_close(s);
}

static const struct test tests[] = {
	TEST_ENTRY(first_run_of_the_day),
	TEST_ENTRY(day_actions),
	TEST_ENTRY(fail_outranks_unreachable),
	TEST_ENTRY(unreachable_outranks_ok),
	TEST_ENTRY(all_ok),
	TEST_ENTRY(line_bounded),
	TEST_END
};

int
main(int argc, char **argv)
{
	return test_run(tests, argc, argv);
}

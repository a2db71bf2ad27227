/* Checklist verdicts over several hosts (commands/checklist_verdict.c). */

#include <string.h>

#include "checklist_run.h"
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

static const struct test tests[] = {
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

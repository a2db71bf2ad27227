/* The systemd watchdog's interval: when the bot pings, and how often. */

#include "test.h"
#include "watchdog.h"

TEST(watchdog_off_without_usec)
{
	ASSERT_INT_EQ(watchdog_interval(NULL, NULL, 42), 0);
	ASSERT_INT_EQ(watchdog_interval("", "42", 42), 0);
	ASSERT_INT_EQ(watchdog_interval("0", NULL, 42), 0);
}

TEST(watchdog_half_the_interval)
{
	ASSERT_INT_EQ(watchdog_interval("30000000", "42", 42), 15000000);
	/* No WATCHDOG_PID: the variable is meant for this process. */
	ASSERT_INT_EQ(watchdog_interval("30000000", NULL, 42), 15000000);
	ASSERT_INT_EQ(watchdog_interval("30000000", "", 42), 15000000);
	ASSERT_INT_EQ(watchdog_interval("1", NULL, 42), 1);
}

TEST(watchdog_not_for_another_process)
{
	/* A child (ssh, sh) inherits the environment: it must not ping. */
	ASSERT_INT_EQ(watchdog_interval("30000000", "41", 42), 0);
	ASSERT_INT_EQ(watchdog_interval("30000000", "420", 42), 0);
}

TEST(watchdog_rejects_garbage)
{
	ASSERT_INT_EQ(watchdog_interval("30s", NULL, 42), 0);
	ASSERT_INT_EQ(watchdog_interval("-5", NULL, 42), 0);
	ASSERT_INT_EQ(watchdog_interval("99999999999999999999999", NULL, 42), 0);
	ASSERT_INT_EQ(watchdog_interval("30000000", "42x", 42), 0);
	ASSERT_INT_EQ(watchdog_interval("30000000", "-42", 42), 0);
}

static const struct test tests[] = {
	TEST_ENTRY(watchdog_off_without_usec),
	TEST_ENTRY(watchdog_half_the_interval),
	TEST_ENTRY(watchdog_not_for_another_process),
	TEST_ENTRY(watchdog_rejects_garbage),
	TEST_END
};

int
main(int argc, char **argv)
{
	return test_run(tests, argc, argv);
}

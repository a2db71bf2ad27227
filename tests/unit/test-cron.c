/*
 * Cron expressions and next-fire times (bot/util/cron.c). Expected instants were
 * worked out independently with `date -u -d ... +%s` and written in.
 */

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cron.h"
#include "test.h"

/* Parses expr, asserting success; returns the canonical form. */
static const char *
canon(const char *expr)
{
	static char	 out[512];
	struct cron	 c, again;
	char		*cause = NULL;

	if (cron_parse(expr, &c, &cause) != 0)
		TEST_FAIL("cron_parse(\"%s\") failed: %s", expr, cause);
	ASSERT_NULL(cause);
	cron_format(&c, out, sizeof out);
	/* The canonical form reads back as the same expression. */
	if (cron_parse(out, &again, &cause) != 0)
		TEST_FAIL("cron_parse(\"%s\") failed: %s", out, cause);
	ASSERT(memcmp(&c, &again, sizeof c) == 0);
	return out;
}

static void
parse_bad(const char *expr, const char *msg)
{
	struct cron	 c;
	char		*cause = NULL;

	memset(&c, 0xff, sizeof c);
	if (cron_parse(expr, &c, &cause) == 0)
		TEST_FAIL("cron_parse accepted \"%s\"", expr);
	ASSERT_STR_EQ(cause, msg);
	ASSERT_INT_EQ(c.minutes, 0);
	ASSERT_INT_EQ(c.flags, 0);
	free(cause);
}

/* The next firing of expr in tz after after_s; fails the test if none. */
static int64_t
next(const char *expr, const char *tz, int64_t after_s)
{
	struct cron	 c;
	char		*cause = NULL;
	int64_t		 t;

	if (cron_parse(expr, &c, &cause) != 0)
		TEST_FAIL("cron_parse(\"%s\") failed: %s", expr, cause);
	if (cron_next(&c, tz, after_s, &t) != 0)
		TEST_FAIL("cron_next(\"%s\", %s, %lld) found nothing", expr,
		    tz, (long long)after_s);
	if (t <= after_s)
		TEST_FAIL("cron_next went backwards: %lld <= %lld",
		    (long long)t, (long long)after_s);
	return t;
}

static int
never(const char *expr, const char *tz, int64_t after_s)
{
	struct cron	 c;
	char		*cause = NULL;
	int64_t		 t = 12345;

	if (cron_parse(expr, &c, &cause) != 0)
		TEST_FAIL("cron_parse(\"%s\") failed: %s", expr, cause);
	if (cron_next(&c, tz, after_s, &t) == 0)
		TEST_FAIL("cron_next(\"%s\") fired at %lld", expr,
		    (long long)t);
	ASSERT_INT_EQ(t, 0);
	return 1;
}

TEST(parse_basic)
{
	ASSERT_STR_EQ(canon("* * * * *"), "* * * * *");
	ASSERT_STR_EQ(canon("0 9 * * *"), "0 9 * * *");
	ASSERT_STR_EQ(canon("  0\t9  *  * *  "), "0 9 * * *");
	ASSERT_STR_EQ(canon("0 9 * * *\n"), "0 9 * * *");
	ASSERT_STR_EQ(canon("5,10,15 1-3 1,15 6 1"), "5,10,15 1-3 1,15 6 1");
	ASSERT_STR_EQ(canon("*/15 */6 * * *"), "0,15,30,45 0,6,12,18 * * *");
	ASSERT_STR_EQ(canon("10-30/10 9-17/4 * * *"), "10,20,30 9,13,17 * * *");
	ASSERT_STR_EQ(canon("50/5 22/1 * * *"), "50,55 22,23 * * *");
	ASSERT_STR_EQ(canon("0-59 0-23 * 1-12 *"), "* * * * *");
	ASSERT_STR_EQ(canon("59 23 31 12 *"), "59 23 31 12 *");
	ASSERT_STR_EQ(canon("0 0 1-31 * 0-6"), "0 0 1-31 * 0-6");
	ASSERT_STR_EQ(canon("0 0 */2 * *"), "0 0 1,3,5,7,9,11,13,15,17,19,21,"
	    "23,25,27,29,31 * *");
	ASSERT_STR_EQ(canon("1,2,3,5 * * * *"), "1-3,5 * * * *");
	ASSERT_STR_EQ(canon("0 0 30 2 *"), "0 0 30 2 *");
}

TEST(parse_names)
{
	ASSERT_STR_EQ(canon("0 9 * * mon-fri"), "0 9 * * 1-5");
	ASSERT_STR_EQ(canon("0 9 * * MON-Fri"), "0 9 * * 1-5");
	ASSERT_STR_EQ(canon("0 9 * jan,Jul,DEC sun"), "0 9 * 1,7,12 0");
	ASSERT_STR_EQ(canon("0 9 * mar-may *"), "0 9 * 3-5 *");
	ASSERT_STR_EQ(canon("0 9 * * sat-sun"), "0 9 * * 0,6");
	ASSERT_STR_EQ(canon("0 9 * * sun-sat"), "0 9 * * 0-6");
	ASSERT_STR_EQ(canon("0 9 * * 7"), "0 9 * * 0");
	ASSERT_STR_EQ(canon("0 9 * * 5-7"), "0 9 * * 0,5,6");
	ASSERT_STR_EQ(canon("0 9 * * mon/2"), "0 9 * * 1,3,5");
	ASSERT_STR_EQ(canon("0 9 * jan-dec/3 *"), "0 9 * 1,4,7,10 *");
}

TEST(parse_macros)
{
	ASSERT_STR_EQ(canon("@yearly"), "0 0 1 1 *");
	ASSERT_STR_EQ(canon("@annually"), "0 0 1 1 *");
	ASSERT_STR_EQ(canon("@monthly"), "0 0 1 * *");
	ASSERT_STR_EQ(canon("@weekly"), "0 0 * * 0");
	ASSERT_STR_EQ(canon("@daily"), "0 0 * * *");
	ASSERT_STR_EQ(canon("@midnight"), "0 0 * * *");
	ASSERT_STR_EQ(canon("@hourly"), "0 * * * *");
	ASSERT_STR_EQ(canon("  @Daily \n"), "0 0 * * *");
}

TEST(parse_star_flags)
{
	struct cron	 c;
	char		*cause = NULL;

	ASSERT_INT_EQ(cron_parse("0 9 * * *", &c, &cause), 0);
	ASSERT_INT_EQ(c.flags, CRON_DOM_STAR | CRON_DOW_STAR);
	ASSERT_INT_EQ(cron_parse("0 9 */1 * 1", &c, &cause), 0);
	ASSERT_INT_EQ(c.flags, CRON_DOM_STAR);
	ASSERT_INT_EQ(cron_parse("0 9 */2 * *", &c, &cause), 0);
	ASSERT_INT_EQ(c.flags, CRON_DOW_STAR);
	ASSERT_INT_EQ(cron_parse("0 9 1-31 * 0-6", &c, &cause), 0);
	ASSERT_INT_EQ(c.flags, 0);
	ASSERT_INT_EQ(c.minutes, 1);
	ASSERT_INT_EQ(c.hours, 1 << 9);
	ASSERT_INT_EQ(c.days, 0xfffffffe);
	ASSERT_INT_EQ(c.months, 0x1ffe);
	ASSERT_INT_EQ(c.weekdays, 0x7f);
	ASSERT_NULL(cause);
}

TEST(parse_errors)
{
	char	 big[CRON_MAX_INPUT + 2];

	parse_bad("0 25 * * *", "cron \"0 25 * * *\": hour 25 is out of "
	    "range 0-23");
	parse_bad("60 * * * *", "cron \"60 * * * *\": minute 60 is out of "
	    "range 0-59");
	parse_bad("0 0 0 * *", "cron \"0 0 0 * *\": day-of-month 0 is out "
	    "of range 1-31");
	parse_bad("0 0 32 * *", "cron \"0 0 32 * *\": day-of-month 32 is out "
	    "of range 1-31");
	parse_bad("0 0 * 13 *", "cron \"0 0 * 13 *\": month 13 is out of "
	    "range 1-12");
	parse_bad("0 0 * 0 *", "cron \"0 0 * 0 *\": month 0 is out of "
	    "range 1-12");
	parse_bad("0 0 * * 8", "cron \"0 0 * * 8\": day-of-week 8 is out of "
	    "range 0-7");
	parse_bad("0 99999999999999999999 * * *", "cron \"0 "
	    "99999999999999999999 * * *\": hour 99999999999999999999 is out "
	    "of range 0-23");
	parse_bad("1-70 * * * *", "cron \"1-70 * * * *\": minute 70 is out "
	    "of range 0-59");

	parse_bad("* * *", "cron \"* * *\": expected 5 fields (minute hour "
	    "day-of-month month day-of-week), got 3");
	parse_bad("", "cron \"\": expected 5 fields (minute hour "
	    "day-of-month month day-of-week), got 0");
	parse_bad("0 0 * * * *", "cron \"0 0 * * * *\": expected 5 fields "
	    "(minute hour day-of-month month day-of-week), got 6");
	parse_bad("0 9 * * * echo hi", "cron \"0 9 * * * echo hi\": expected "
	    "5 fields (minute hour day-of-month month day-of-week), got 7");

	parse_bad("0 9 * * mon-fry", "cron \"0 9 * * mon-fry\": day-of-week: "
	    "unknown name \"fry\"");
	parse_bad("0 9 * janu *", "cron \"0 9 * janu *\": month: unknown "
	    "name \"janu\"");
	parse_bad("0 9 * * monday", "cron \"0 9 * * monday\": day-of-week: "
	    "unknown name \"monday\"");
	parse_bad("0 9 * mon *", "cron \"0 9 * mon *\": month: unknown name "
	    "\"mon\"");
	parse_bad("ab * * * *", "cron \"ab * * * *\": minute: expected a "
	    "number, got \"ab\"");
	parse_bad("-5 * * * *", "cron \"-5 * * * *\": minute: expected a "
	    "number, got \"-5\"");
	parse_bad("0 9 * * ?", "cron \"0 9 * * ?\": day-of-week: expected a "
	    "number or a name, got \"?\"");

	parse_bad("*/0 * * * *", "cron \"*/0 * * * *\": minute: step 0 in "
	    "\"*/0\" is not allowed (the step must be at least 1)");
	parse_bad("* 1-5/0 * * *", "cron \"* 1-5/0 * * *\": hour: step 0 in "
	    "\"1-5/0\" is not allowed (the step must be at least 1)");
	parse_bad("*/90 * * * *", "cron \"*/90 * * * *\": minute: step 90 in "
	    "\"*/90\" is too large (at most 59)");
	parse_bad("*/ * * * *", "cron \"*/ * * * *\": minute: expected a step "
	    "after \"/\" in \"*/\"");

	parse_bad("5-1 * * * *", "cron \"5-1 * * * *\": minute: range \"5-1\" "
	    "is backwards (write the lower value first)");
	parse_bad("0 9 * * fri-mon", "cron \"0 9 * * fri-mon\": day-of-week: "
	    "range \"fri-mon\" is backwards (write the lower value first)");

	parse_bad("1,,2 * * * *", "cron \"1,,2 * * * *\": minute: empty item "
	    "in list \"1,,2\"");
	parse_bad(",1 * * * *", "cron \",1 * * * *\": minute: empty item in "
	    "list \",1\"");
	parse_bad("1, * * * *", "cron \"1, * * * *\": minute: empty item in "
	    "list \"1,\"");

	parse_bad("5x * * * *", "cron \"5x * * * *\": minute: unexpected "
	    "\"x\" in \"5x\"");
	parse_bad("*-5 * * * *", "cron \"*-5 * * * *\": minute: unexpected "
	    "\"-5\" in \"*-5\"");
	parse_bad("1-2-3 * * * *", "cron \"1-2-3 * * * *\": minute: "
	    "unexpected \"-3\" in \"1-2-3\"");
	parse_bad("*/5x * * * *", "cron \"*/5x * * * *\": minute: unexpected "
	    "\"x\" in \"*/5x\"");
	parse_bad("0 9 * * 1\x01", "cron \"0 9 * * 1?\": day-of-week: "
	    "unexpected \"?\" in \"1?\"");

	parse_bad("@weekdays", "cron \"@weekdays\": unknown macro "
	    "\"@weekdays\" (expected @yearly, @annually, @monthly, @weekly, "
	    "@daily, @midnight or @hourly)");
	parse_bad("@daily 5", "cron \"@daily 5\": unexpected \"5\" after "
	    "@daily");
	parse_bad("@reboot", "cron \"@reboot\": @reboot is not supported "
	    "(schedules here are times of day)");

	memset(big, ' ', sizeof big);
	big[sizeof big - 1] = '\0';
	parse_bad(big, "cron expression is too long (257 bytes; the limit is "
	    "256)");
}

TEST(next_ordinary)
{
	/* 2026-05-01 (a Friday) 10:00:30 UTC. */
	ASSERT_INT_EQ(next("* * * * *", "UTC", 1777629630), 1777629660);
	/* Strictly after: a firing exactly at after_s does not count. */
	ASSERT_INT_EQ(next("@hourly", "UTC", 1777629600), 1777633200);
	/* Weekdays 07:00 from Friday 08:00: the next is Monday 07:00. */
	ASSERT_INT_EQ(next("0 7 * * mon-fri", "UTC", 1777622400), 1777878000);
	ASSERT_INT_EQ(next("0 7 * * mon-fri", "UTC", 1777878000), 1777964400);
	/* Year rollover. */
	ASSERT_INT_EQ(next("59 23 31 12 *", "UTC", 1798761540), 1830297540);
	ASSERT_INT_EQ(next("* * * * *", "UTC", 1798761570), 1798761600);
	ASSERT_INT_EQ(next("@yearly", "UTC", 1798761540), 1798761600);
	/* The 31st skips months without one: 2026-04-01 -> 2026-05-31. */
	ASSERT_INT_EQ(next("0 0 31 * *", "UTC", 1775001600), 1780185600);
	/* Leap day, from 2026-01-01 to 2028-02-29. */
	ASSERT_INT_EQ(next("0 0 29 2 *", "UTC", 1767225600), 1835395200);
	ASSERT_INT_EQ(next("0 0 29 2 *", "Europe/London", 1767225600),
	    1835395200);
}

TEST(next_never)
{
	clock_t	 start = clock();

	ASSERT(never("0 0 30 2 *", "UTC", 1767225600));
	ASSERT(never("0 0 30 2 *", "America/New_York", 1767225600));
	ASSERT(never("0 0 31 4,6,9,11 *", "UTC", 1767225600));
	ASSERT(never("* * 31 2 *", "Europe/London", 1767225600));
	/* A bad zone or an absurd instant finds nothing either. */
	ASSERT(never("* * * * *", "Mars/Olympus_Mons", 1767225600));
	ASSERT(never("* * * * *", "UTC", INT64_MAX));
	ASSERT(never("* * * * *", "UTC", INT64_MIN));
	ASSERT((double)(clock() - start) / CLOCKS_PER_SEC < 1.0);
}

TEST(next_dom_dow)
{
	/* Both restricted: the 1st OR a Monday. From Sun 2026-02-01 10:00. */
	ASSERT_INT_EQ(next("0 9 1 * mon", "UTC", 1769940000), 1770022800);
	/* From Mon 2026-02-23 10:00: Sun 2026-03-01 (the 1st) comes first. */
	ASSERT_INT_EQ(next("0 9 1 * mon", "UTC", 1771840800), 1772355600);
	/* Day-of-week "*": only the 1st counts. */
	ASSERT_INT_EQ(next("0 9 1 * *", "UTC", 1769940000), 1772355600);
	/* Day-of-month "*": only Mondays count. */
	ASSERT_INT_EQ(next("0 9 * * mon", "UTC", 1771840800), 1772442000);
	/* "*\/1" is "*"; "1-31" is a restriction (so either matches). */
	ASSERT_INT_EQ(next("0 9 */1 * mon", "UTC", 1771840800), 1772442000);
	ASSERT_INT_EQ(next("0 9 1-31 * mon", "UTC", 1771840800), 1771923600);

	struct cron c;
	char *cause = NULL;
	ASSERT_INT_EQ(cron_parse("0 9 13 * fri", &c, &cause), 0);
	ASSERT(cron_matches_day(&c, 3, 13, 2));		/* the 13th */
	ASSERT(cron_matches_day(&c, 3, 6, 5));		/* a Friday */
	ASSERT(!cron_matches_day(&c, 3, 10, 2));
	ASSERT(!cron_matches_day(&c, 13, 13, 5));
	ASSERT(!cron_matches_day(&c, 3, 13, 7));
}

/* America/New_York: 2026-03-08 02:00 EST -> 03:00 EDT (07:00 UTC). */
TEST(dst_new_york_spring)
{
	const char	*ny = "America/New_York";

	/* 02:30 does not exist: fires once, at 03:00 EDT = 07:00 UTC. */
	ASSERT_INT_EQ(next("30 2 * * *", ny, 1772946000), 1772953200);
	ASSERT_INT_EQ(next("30 2 * * *", ny, 1772953200), 1773037800);
	/* Two times in the gap share one firing, then the next day. */
	ASSERT_INT_EQ(next("0,30 2 * * *", ny, 1772946000), 1772953200);
	ASSERT_INT_EQ(next("0,30 2 * * *", ny, 1772953200), 1773036000);
	/* 03:00 exists and is the same instant as the end of the gap. */
	ASSERT_INT_EQ(next("0 3 * * *", ny, 1772946000), 1772953200);
	/* 07:00 daily: 12:00 UTC before the change, 11:00 UTC after. */
	ASSERT_INT_EQ(next("0 7 * * *", ny, 1772755200 + 86400), 1772884800);
	ASSERT_INT_EQ(next("0 7 * * *", ny, 1772884800), 1772967600);
	/* Every 15 minutes: 01:45 EST, 03:00 EDT, 03:15 EDT. */
	ASSERT_INT_EQ(next("*/15 * * * *", ny, 1772951400), 1772952300);
	ASSERT_INT_EQ(next("*/15 * * * *", ny, 1772952300), 1772953200);
	ASSERT_INT_EQ(next("*/15 * * * *", ny, 1772953200), 1772954100);
}

/* America/New_York: 2026-11-01 02:00 EDT -> 01:00 EST (06:00 UTC). */
TEST(dst_new_york_fall)
{
	const char	*ny = "America/New_York";

	/* 01:30 happens twice: fires once, at 01:30 EDT = 05:30 UTC. */
	ASSERT_INT_EQ(next("30 1 * * *", ny, 1793505600), 1793511000);
	ASSERT_INT_EQ(next("30 1 * * *", ny, 1793511000), 1793601000);
	/* From inside the repeated hour (01:10 EST): not again that day. */
	ASSERT_INT_EQ(next("30 1 * * *", ny, 1793513400), 1793601000);
	/* 07:00 daily: 11:00 UTC before the change, 12:00 UTC after. */
	ASSERT_INT_EQ(next("0 7 * * *", ny, 1793318400 + 86400), 1793444400);
	ASSERT_INT_EQ(next("0 7 * * *", ny, 1793444400), 1793534400);
	/*
	 * Every 15 minutes: 01:45 EDT, then the repeated hour is skipped
	 * (each wall-clock minute fires once), then 02:00 EST, 02:15 EST.
	 */
	ASSERT_INT_EQ(next("*/15 * * * *", ny, 1793511000), 1793511900);
	ASSERT_INT_EQ(next("*/15 * * * *", ny, 1793511900), 1793516400);
	ASSERT_INT_EQ(next("*/15 * * * *", ny, 1793513400), 1793516400);
	ASSERT_INT_EQ(next("*/15 * * * *", ny, 1793516400), 1793517300);
}

/* Europe/London: 2026-03-29 01:00 GMT -> 02:00 BST (01:00 UTC). */
TEST(dst_london_spring)
{
	const char	*ldn = "Europe/London";

	/* 07:00 daily: 07:00 UTC on the 28th, 06:00 UTC on the 29th. */
	ASSERT_INT_EQ(next("0 7 * * *", ldn, 1774656000), 1774681200);
	ASSERT_INT_EQ(next("0 7 * * *", ldn, 1774681200), 1774764000);
	/* 01:30 does not exist: fires at 02:00 BST = 01:00 UTC. */
	ASSERT_INT_EQ(next("30 1 * * *", ldn, 1774656000 + 7200),
	    1774746000);
	ASSERT_INT_EQ(next("30 1 * * *", ldn, 1774746000), 1774830600);
}

/* Europe/London: 2026-10-25 02:00 BST -> 01:00 GMT (01:00 UTC). */
TEST(dst_london_fall)
{
	const char	*ldn = "Europe/London";

	/* 07:00 daily: 06:00 UTC on the 24th, 07:00 UTC on the 25th. */
	ASSERT_INT_EQ(next("0 7 * * *", ldn, 1792800000), 1792821600);
	ASSERT_INT_EQ(next("0 7 * * *", ldn, 1792821600), 1792911600);
	/* 01:30 happens twice: once, at 01:30 BST = 00:30 UTC. */
	ASSERT_INT_EQ(next("30 1 * * *", ldn, 1792800000 + 7200), 1792888200);
	ASSERT_INT_EQ(next("30 1 * * *", ldn, 1792888200), 1792978200);
	/* Every 15 minutes: 01:45 BST, then 02:00 GMT. */
	ASSERT_INT_EQ(next("*/15 * * * *", ldn, 1792888200), 1792889100);
	ASSERT_INT_EQ(next("*/15 * * * *", ldn, 1792889100), 1792893600);
	ASSERT_INT_EQ(next("*/15 * * * *", ldn, 1792890900), 1792893600);
}

TEST(tz_local_and_check)
{
	const char	*old = getenv("TZ");
	char		*saved = old != NULL ? strdup(old) : NULL;
	char		*cause = NULL;

	setenv("TZ", ":America/New_York", 1);
	tzset();
	ASSERT_INT_EQ(next("30 2 * * *", "local", 1772946000), 1772953200);
	ASSERT_INT_EQ(next("30 1 * * *", "local", 1793505600), 1793511000);
	/* A named zone leaves TZ as it found it. */
	ASSERT_INT_EQ(next("0 7 * * *", "Europe/London", 1774656000),
	    1774681200);
	ASSERT_STR_EQ(getenv("TZ"), ":America/New_York");
	if (saved != NULL)
		setenv("TZ", saved, 1);
	else
		unsetenv("TZ");
	tzset();
	free(saved);

	ASSERT_INT_EQ(next("0 7 * * *", "utc", 1777622400), 1777878000 -
	    2 * 86400);
	ASSERT_INT_EQ(cron_tz_check("UTC", &cause), 0);
	ASSERT_INT_EQ(cron_tz_check("local", &cause), 0);
	ASSERT_INT_EQ(cron_tz_check("Europe/London", &cause), 0);
	ASSERT_NULL(cause);
	ASSERT_INT_EQ(cron_tz_check("Europe/Lndon", &cause), -1);
	ASSERT_STR_EQ(cause, "unknown time zone \"Europe/Lndon\" (expected "
	    "\"UTC\", \"local\" or a name like \"Europe/London\")");
	free(cause);
	ASSERT_INT_EQ(cron_tz_check("../../etc/passwd", &cause), -1);
	free(cause);
	ASSERT_INT_EQ(cron_tz_check("/etc/localtime", &cause), -1);
	free(cause);
	ASSERT_INT_EQ(cron_tz_check("Europe", &cause), -1);	/* a dir */
	free(cause);
	ASSERT_INT_EQ(cron_tz_check("", &cause), -1);
	ASSERT_STR_EQ(cause, "time zone is empty (expected \"UTC\", "
	    "\"local\" or a name like \"Europe/London\")");
	free(cause);
}

TEST(business_days)
{
	const char *const holidays[] = { "2026-12-25", "2026-12-28", NULL };

	/* 2026-12-24 is a Thursday. */
	ASSERT_INT_EQ(cron_is_business_day(2026, 12, 24, 4, holidays, 3), 1);
	ASSERT_INT_EQ(cron_is_business_day(2026, 12, 25, 5, holidays, 3), 0);
	ASSERT_INT_EQ(cron_is_business_day(2026, 12, 26, 6, holidays, 3), 0);
	ASSERT_INT_EQ(cron_is_business_day(2026, 12, 27, 0, holidays, 3), 0);
	ASSERT_INT_EQ(cron_is_business_day(2026, 12, 28, 1, holidays, 3), 0);
	ASSERT_INT_EQ(cron_is_business_day(2026, 12, 29, 2, holidays, 3), 1);
	ASSERT_INT_EQ(cron_is_business_day(2026, 12, 28, 1, NULL, 0), 1);
}

/* The zone helpers the checklists use: a gap resolves to its end. */
TEST(local_time_helpers)
{
	struct tm	 tm;
	int64_t		 t;

	ASSERT_INT_EQ(cron_local_instant(2026, 3, 8, 2, 30,
	    "America/New_York", &t), 0);
	ASSERT_INT_EQ(t, 1772953200LL);		/* 03:00 EDT */
	ASSERT_INT_EQ(cron_local_instant(2026, 11, 23, 6, 0, "UTC", &t), 0);
	ASSERT_INT_EQ(t, 1795413600LL);
	ASSERT_INT_EQ(cron_localtime(1772953200LL, "America/New_York", &tm),
	    0);
	ASSERT_INT_EQ(tm.tm_hour, 3);
	ASSERT_INT_EQ(tm.tm_mday, 8);
	ASSERT_INT_EQ(cron_localtime(0, "Nowhere/Atlantis", &tm), -1);
	ASSERT_INT_EQ(cron_local_instant(2026, 1, 1, 0, 0, "Nowhere/X", &t),
	    -1);
}

static const struct test tests[] = {
	TEST_ENTRY(local_time_helpers),
	TEST_ENTRY(parse_basic),
	TEST_ENTRY(parse_names),
	TEST_ENTRY(parse_macros),
	TEST_ENTRY(parse_star_flags),
	TEST_ENTRY(parse_errors),
	TEST_ENTRY(next_ordinary),
	TEST_ENTRY(next_never),
	TEST_ENTRY(next_dom_dow),
	TEST_ENTRY(dst_new_york_spring),
	TEST_ENTRY(dst_new_york_fall),
	TEST_ENTRY(dst_london_spring),
	TEST_ENTRY(dst_london_fall),
	TEST_ENTRY(tz_local_and_check),
	TEST_ENTRY(business_days),
	TEST_END
};

int
main(int argc, char **argv)
{
	return test_run(tests, argc, argv);
}

/*
 * The scheduler with a fake clock: a schedule fires at its time in the
 * configured zone (not before, once), business days skip weekends and
 * holidays, a run missed while the bot was down runs once at start when
 * within its grace (marked late) and not when older, and a schedule that
 * can never fire stops the start.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "clock.h"
#include "config.h"
#include "scheduler.h"
#include "store.h"
#include "test.h"

static struct buf	 fired;
static struct store	*store;
static struct config	*cfg;

static void
rec_fire(void *arg, const struct cfg_schedule *sc, const char *trigger,
    int64_t due_ms)
{
	(void)arg;
	buf_addf(&fired, "%s %s %lld\n", sc->name, trigger,
	    (long long)(due_ms / 1000));
}

static struct sched *
setup(const char *name, const char *json, int64_t now_s, int fresh)
{
	struct sched	*s;
	struct buf	 err;
	char		 path[512], *cause = NULL;

	snprintf(path, sizeof path, "%s/%s.db", test_tmpdir(), name);
	if (fresh)
		remove(path);
	clock_fake_set(now_s * 1000);
	buf_release(&fired);
	buf_init(&fired);
	buf_init(&err);
	if (config_load_text(json, strlen(json), "t.json", &cfg, &err) != 0)
		TEST_FAIL("config: %s", err.data);
	buf_release(&err);
	if ((store = store_open(path, &cause)) == NULL)
		TEST_FAIL("store: %s", cause);
	if ((s = sched_start(cfg, store, NULL, rec_fire, NULL, &cause)) ==
	    NULL)
		TEST_FAIL("sched: %s", cause);
	return s;
}

static void
teardown(struct sched *s)
{
	sched_free(s);
	store_close(store);
	config_free(cfg);
	clock_use_real();
}

static void
at(struct sched *s, int64_t now_s)
{
	clock_fake_set(now_s * 1000);
	sched_tick(s);
}

/* 2026-11-23 is a Monday; London is on GMT then (UTC+0). */
#define MON_0659	1795417140LL	/* 2026-11-23 06:59:00 UTC */
#define MON_0700	1795417200LL
#define LONDON "{ \"bot\": { \"timezone\": \"Europe/London\", " \
	"\"holidays\": [\"2026-11-24\"] }, \"schedules\": [ " \
	"{ \"name\": \"sod\", \"cron\": \"0 7 * * *\", \"run\": \"/sod\", " \
	"\"channel\": \"console\", \"business_days\": true, " \
	"\"grace\": \"2h\" } ] }"

TEST(fires_at_its_time_once)
{
	struct sched	*s = setup("once", LONDON, MON_0659, 1);

	ASSERT_INT_EQ(sched_next_due(s), MON_0700 * 1000);
	/* What /status lists. */
	{
		const struct cfg_schedule	*sc;
		int64_t				 next = 0;

		ASSERT_INT_EQ(sched_count(s), 1);
		ASSERT_NOT_NULL(sc = sched_entry(s, 0, &next));
		ASSERT_STR_EQ(sc->name, "sod");
		ASSERT_INT_EQ(next, MON_0700 * 1000);
		ASSERT_NULL(sched_entry(s, 1, &next));
		ASSERT_INT_EQ(sched_count(NULL), 0);
	}
	at(s, MON_0700 - 1);
	ASSERT_STR_EQ(fired.data, "");
	at(s, MON_0700);
	ASSERT_STR_EQ(fired.data, "sod schedule 1795417200\n");
	at(s, MON_0700 + 30);
	ASSERT_STR_EQ(fired.data, "sod schedule 1795417200\n");
	/* Tuesday is a holiday; Wednesday fires. */
	ASSERT_INT_EQ(sched_next_due(s), (MON_0700 + 86400) * 1000);
	at(s, MON_0700 + 86400);
	ASSERT_STR_EQ(fired.data, "sod schedule 1795417200\n");
	at(s, MON_0700 + 2 * 86400);
	ASSERT_CONTAINS(fired.data, "sod schedule 1795590000\n");
	teardown(s);
}

TEST(weekends_are_skipped)
{
	struct sched	*s = setup("weekend", LONDON, MON_0659 + 5 * 86400,
	    1);

	at(s, MON_0700 + 5 * 86400);	/* Saturday */
	at(s, MON_0700 + 6 * 86400);	/* Sunday */
	ASSERT_STR_EQ(fired.data, "");
	at(s, MON_0700 + 7 * 86400);	/* Monday */
	ASSERT_STR_EQ(fired.data, "sod schedule 1796022000\n");
	teardown(s);
}

TEST(missed_run_within_grace_runs_late_once)
{
	struct sched	*s = setup("grace", LONDON, MON_0659, 1);

	at(s, MON_0700);
	teardown(s);
	/* Down from Monday 07:00:01 to Wednesday 08:30: within 2h of 07:00. */
	buf_release(&fired);
	s = setup("grace", LONDON, MON_0700 + 2 * 86400 + 5400, 0);
	ASSERT_STR_EQ(fired.data, "sod late 1795590000\n");
	teardown(s);
	s = setup("grace", LONDON, MON_0700 + 2 * 86400 + 5500, 0);
	ASSERT_STR_EQ(fired.data, "");		/* not twice */
	teardown(s);
}

TEST(missed_run_past_grace_is_skipped)
{
	struct sched	*s = setup("late", LONDON, MON_0659, 1);

	at(s, MON_0700);
	teardown(s);
	s = setup("late", LONDON, MON_0700 + 2 * 86400 + 3 * 3600, 0);
	ASSERT_STR_EQ(fired.data, "");
	teardown(s);
}

TEST(never_firing_schedule_stops_the_start)
{
	struct buf	 err;
	char		*cause = NULL;
	const char	*json = "{ \"schedules\": [ { \"name\": \"x\", "
	    "\"cron\": \"0 0 30 2 *\", \"run\": \"/sod\", \"channel\": "
	    "\"console\" } ] }";
	char		 path[512];

	clock_fake_set(MON_0700 * 1000);
	buf_init(&err);
	ASSERT_INT_EQ(config_load_text(json, strlen(json), "t.json", &cfg,
	    &err), 0);
	snprintf(path, sizeof path, "%s/never.db", test_tmpdir());
	store = store_open(path, &cause);
	ASSERT_NULL(sched_start(cfg, store, NULL, rec_fire, NULL, &cause));
	ASSERT_CONTAINS(cause, "schedules[0]: cron \"0 0 30 2 *\" never fires");
	free(cause);
	store_close(store);
	config_free(cfg);
	buf_release(&err);
	clock_use_real();
}

static const struct test tests[] = {
	TEST_ENTRY(fires_at_its_time_once),
	TEST_ENTRY(weekends_are_skipped),
	TEST_ENTRY(missed_run_within_grace_runs_late_once),
	TEST_ENTRY(missed_run_past_grace_is_skipped),
	TEST_ENTRY(never_firing_schedule_stops_the_start),
	TEST_END
};

int
main(int argc, char **argv)
{
	return test_run(tests, argc, argv);
}

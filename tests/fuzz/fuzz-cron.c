/*
 * libFuzzer target for cron expressions (bot/util/cron.c): the bytes are what
 * someone wrote in a schedule's "cron" key. Whatever parses must format
 * and parse back to the same struct, and its next firings, from fixed
 * instants in UTC and in America/New_York around both DST changes, must
 * move forward. In UTC each firing is checked against the expression and,
 * when near, against a minute-by-minute search. cron_next is bounded by
 * CRON_HORIZON_DAYS, so no input can hang it.
 */

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cron.h"

#define FUZZ_STEPS	3
#define FUZZ_BRUTE_S	(2 * 86400)	/* minute search this far */

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Whether c fires at UTC minute t (a multiple of 60). */
static int
fuzz_matches_utc(const struct cron *c, int64_t t)
{
	time_t		 tt = (time_t)t;
	struct tm	 tm;

	if (gmtime_r(&tt, &tm) == NULL)
		abort();
	return (c->minutes >> tm.tm_min & 1) && (c->hours >> tm.tm_hour & 1) &&
	    cron_matches_day(c, tm.tm_mon + 1, tm.tm_mday, tm.tm_wday);
}

/* Follows FUZZ_STEPS firings in tz from start; returns how many fired. */
static int
fuzz_follow(const struct cron *c, const char *tz, int64_t start)
{
	int64_t	 after = start, next, t;
	int	 i;

	for (i = 0; i < FUZZ_STEPS; i++) {
		if (cron_next(c, tz, after, &next) != 0) {
			if (next != 0)
				abort();
			break;
		}
		if (next <= after || next % 60 != 0)
			abort();
		if (strcmp(tz, "UTC") == 0) {
			if (!fuzz_matches_utc(c, next))
				abort();
			if (next - after <= FUZZ_BRUTE_S) {
				for (t = after - after % 60 + 60; t < next;
				    t += 60) {
					if (fuzz_matches_utc(c, t))
						abort();
				}
			}
		}
		after = next;
	}
	return i;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cron	 c, again;
	char		 text[CRON_MAX_INPUT + 32], out[512];
	char		*cause = NULL;
	int		 utc, ny;

	if (size > sizeof text - 1)
		size = sizeof text - 1;
	memcpy(text, data, size);
	text[size] = '\0';

	if (cron_parse(text, &c, &cause) != 0) {
		if (cause == NULL || strncmp(cause, "cron ", 5) != 0)
			abort();
		if (c.minutes != 0 || c.hours != 0 || c.flags != 0)
			abort();
		free(cause);
		return 0;
	}
	if (cause != NULL || c.minutes == 0 || c.hours == 0 ||
	    c.months == 0 || (c.days == 0 && c.weekdays == 0))
		abort();

	cron_format(&c, out, sizeof out);
	if (cron_parse(out, &again, &cause) != 0 ||
	    memcmp(&c, &again, sizeof c) != 0)
		abort();
	cron_format(&c, out, 8);	/* truncation */
	cron_format(&c, out, 0);

	/* 2026-03-07 12:00 and 2026-10-31 12:00 UTC, a day before DST. */
	utc = fuzz_follow(&c, "UTC", 1772884800);
	ny = fuzz_follow(&c, "America/New_York", 1772884800);
	if ((utc == 0) != (ny == 0))
		abort();
	(void)fuzz_follow(&c, "America/New_York", 1793448000);
	(void)fuzz_follow(&c, "Europe/London", 1792800000);
	return 0;
}

/*
 * Five-field cron expressions and the next time one fires in a time zone.
 * The scheduler uses this for the Start-of-Day and End-of-Day checklists.
 * The module allocates nothing apart from error messages: a struct cron is
 * a plain value that can be copied and needs no free.
 *
 * Syntax (as in Vixie cron): "minute hour day-of-month month day-of-week",
 * separated by spaces or tabs. Each field is a comma list of "*", "N",
 * "N-M", "*\/S", "N-M/S" or "N/S" (N up to the field's maximum, step S).
 * Months may be written jan-dec and days sun-sat (case-insensitive, also
 * in ranges: mon-fri). Day of week 0 and 7 are both Sunday, and "sun" at
 * the end of a range means 7, so "sat-sun" works. The macros @yearly
 * (@annually), @monthly, @weekly, @daily (@midnight) and @hourly stand for
 * the usual expressions.
 *
 * Days: if both day-of-month and day-of-week are restricted, a day matches
 * when either matches; if one of them is "*", only the other counts. Only
 * "*" (and "*\/1", the same set) count as unrestricted; unlike Vixie cron,
 * "*\/2" in day-of-month is a restriction like any other.
 */
#ifndef OPSBOT_CRON_H
#define OPSBOT_CRON_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define CRON_MAX_INPUT	256	/* bytes of expression text */
#define CRON_HORIZON_DAYS (5 * 366)	/* cron_next looks this far ahead */

#define CRON_DOM_STAR	0x1	/* day-of-month was "*" */
#define CRON_DOW_STAR	0x2	/* day-of-week was "*" */

struct cron {
	uint64_t	minutes;	/* bit n: minute n, 0-59 */
	uint32_t	hours;		/* bit n: hour n, 0-23 */
	uint32_t	days;		/* bit n: day of month n, 1-31 */
	uint16_t	months;		/* bit n: month n, 1-12 */
	uint8_t		weekdays;	/* bit n: weekday n, 0-6, 0 = Sunday */
	int		flags;		/* CRON_DOM_STAR | CRON_DOW_STAR */
};

/*
 * Parses expr into *out. Returns 0, or -1 and sets *cause to a message
 * naming the expression, the field and the problem, like
 * 'cron "0 25 * * *": hour 25 is out of range 0-23' (caller frees); *out
 * is then zeroed. A day that never exists (Feb 30) is accepted, as cron
 * does; cron_next reports that it never fires.
 */
int	 cron_parse(const char *expr, struct cron *out, char **cause);

/*
 * Writes c (as filled by cron_parse) in canonical five-field form, like
 * "0 9 * * 1-5", to buf, truncated to len bytes. Parsing the text gives
 * back the same struct cron.
 */
void	 cron_format(const struct cron *c, char *buf, size_t len);

/* Whether c fires on a day: month 1-12, mday 1-31, wday 0-6 (Sunday 0). */
int	 cron_matches_day(const struct cron *c, int month, int mday,
	    int wday);

/*
 * Checks a time zone for cron_next: "UTC", "local" (the process's zone) or
 * an IANA name like "Europe/London" that exists in the zoneinfo database
 * ($TZDIR or /usr/share/zoneinfo). Returns 0, or -1 and sets *cause
 * (caller frees).
 */
int	 cron_tz_check(const char *tz, char **cause);

/*
 * Sets *next_s to the first time strictly after after_s (Unix seconds) at
 * which c fires, with wall-clock times read in zone tz (see cron_tz_check).
 * Returns 0, or -1 if it does not fire within CRON_HORIZON_DAYS (Feb 30),
 * if tz is not a valid zone, or if after_s is before 1900 or past 9990.
 *
 * Daylight saving time, for each wall-clock time the expression names:
 *  - a time that does not exist because the clocks jump forward (02:30
 *    when 02:00 becomes 03:00) fires once, at the instant the gap ends
 *    (03:00 in the new offset); several such times in one gap share that
 *    one firing;
 *  - a time that happens twice because the clocks go back (01:30 when
 *    02:00 becomes 01:00) fires once, at its first occurrence. This holds
 *    for wildcard jobs too: "*\/15 * * * *" fires every 15 minutes up to
 *    the change and again from the end of the repeated hour, never twice
 *    for the same wall-clock minute.
 *
 * Thread safety: the C library converts times in one zone per process, so
 * for a named zone this sets TZ, calls tzset() and restores TZ afterwards,
 * all under a mutex. Calls to cron_next do not race each other, but any
 * other thread using localtime()/mktime() meanwhile would see the wrong
 * zone: call it from the loop thread only (the bot elsewhere uses UTC and
 * gmtime_r, which TZ does not affect). "UTC" never touches TZ. The C
 * library keeps each distinct TZ value it was given, so memory grows by
 * one short string per zone name ever used, not per call.
 */
int	 cron_next(const struct cron *c, const char *tz, int64_t after_s,
	    int64_t *next_s);

/*
 * Broken-down local time of instant s (epoch seconds) in tz, under the
 * same zone switch as cron_next. Returns 0, or -1 for an invalid zone.
 */
int	 cron_localtime(int64_t s, const char *tz, struct tm *out);
/*
 * The instant local time year-month-day hour:min first happens in tz
 * (the end of the gap on a spring-forward day). Returns 0, or -1.
 */
int	 cron_local_instant(int year, int month, int day, int hour, int min,
	    const char *tz, int64_t *out_s);

/*
 * Whether a date is a business day: not a Saturday or Sunday (wday 6, 0)
 * and not one of the nholidays holidays, each "YYYY-MM-DD". Returns 1 or 0.
 */
int	 cron_is_business_day(int year, int month, int day, int wday,
	    const char *const *holidays, size_t nholidays);

#endif

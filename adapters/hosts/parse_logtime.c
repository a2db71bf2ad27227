/* The timestamp at the start of a log line: ISO 8601 or syslog. */

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "parse_int.h"
#include "civil.h"

/* Time arithmetic of the proleptic Gregorian calendar, no time zones. */

/* The year of a day counted from 1970-01-01. */
static int64_t
year_of_days(int64_t days)
{
	int64_t	 y;
	int	 m, d;

	civil_from_days(days, &y, &m, &d);
	return y;
}

/* Broken-down time, as read. */
struct tm_read {
	int64_t	 year;
	int	 mon, day, hour, min, sec;
};

static int
tm_valid(const struct tm_read *t)
{
	return t->mon >= 1 && t->mon <= 12 && t->day >= 1 &&
	    t->day <= civil_days_in_month(t->year, t->mon) && t->hour <= 23 &&
	    t->min <= 59 && t->sec <= 60;
}

static int64_t
tm_epoch(const struct tm_read *t)
{
	return civil_days_from(t->year, t->mon, t->day) * 86400 +
	    t->hour * 3600 + t->min * 60 + t->sec;
}

/* "HH:MM:SS" at p, then optional fraction; returns the end or NULL. */
static const char *
read_hms(const char *p, struct tm_read *t)
{
	if ((t->hour = parse_two_digits(p, 23)) < 0 || p[2] != ':' ||
	    (t->min = parse_two_digits(p + 3, 59)) < 0 || p[5] != ':' ||
	    (t->sec = parse_two_digits(p + 6, 60)) < 0)
		return NULL;
	p += 8;
	if ((*p == '.' || *p == ',') && parse_is_digit((unsigned char)p[1])) {
		for (p++; parse_is_digit((unsigned char)*p); p++)
			/* the fraction is dropped */;
	}
	return p;
}

/* ISO 8601 at p: "2026-11-22T07:00:01.123Z", "... 07:00:01,5 +0100". */
static int
read_iso(const char *p, int tz_offset_s, int64_t *when)
{
	struct tm_read	 t;
	int64_t		 off = tz_offset_s;
	int		 i, oh, om = 0, sign;

	for (i = 0; i < 4; i++) {
		if (!parse_is_digit((unsigned char)p[i]))
			return -1;
	}
	t.year = (p[0] - '0') * 1000 + (p[1] - '0') * 100 +
	    (p[2] - '0') * 10 + (p[3] - '0');
	if (p[4] != '-' || (t.mon = parse_two_digits(p + 5, 12)) < 0 ||
	    p[7] != '-' || (t.day = parse_two_digits(p + 8, 31)) < 0 ||
	    (p[10] != 'T' && p[10] != 't' && p[10] != ' ') ||
	    (p = read_hms(p + 11, &t)) == NULL || !tm_valid(&t))
		return -1;
	if (*p == 'Z' || *p == 'z') {
		off = 0;
		p++;
	} else if ((*p == '+' || *p == '-') && (oh = parse_two_digits(p + 1,
	    23)) >= 0) {
		sign = *p == '-' ? -1 : 1;
		p += 3;
		if (*p == ':' && (om = parse_two_digits(p + 1, 59)) >= 0)
			p += 3;
		else if ((om = parse_two_digits(p, 59)) >= 0)
			p += 2;
		else
			om = 0;
		off = sign * (oh * 3600 + om * 60);
	} else if (p[0] == ' ' && (strncmp(p + 1, "UTC", 3) == 0 ||
	    strncmp(p + 1, "GMT", 3) == 0) &&
	    !parse_is_alnum((unsigned char)p[4])) {
		off = 0;	/* PostgreSQL: "2026-11-22 07:00:01.123 UTC" */
		p += 4;
	}
	if (parse_is_digit((unsigned char)*p))
		return -1;
	*when = tm_epoch(&t) - off;
	return 0;
}

/* "Nov 22 07:00:01" or "Nov  2 07:00:01" at p, the year from now. */
static int
read_syslog(const char *p, int64_t now, int tz_offset_s, int64_t *when)
{
	static const char months[] = "janfebmaraprmayjunjulaugsepoctnovdec";
	struct tm_read	 t;
	char		 mon[3];
	int64_t		 local, days, e;
	int		 i;

	for (i = 0; i < 3; i++) {
		if (!parse_is_alpha((unsigned char)p[i]))
			return -1;
		mon[i] = (char)(p[i] | 0x20);
	}
	for (i = 0; i < 12; i++) {
		if (memcmp(months + i * 3, mon, 3) == 0)
			break;
	}
	if (i == 12 || p[3] != ' ')
		return -1;
	t.mon = i + 1;
	p += 4;
	if (*p == ' ')
		p++;
	if (!parse_is_digit((unsigned char)*p))
		return -1;
	t.day = *p++ - '0';
	if (parse_is_digit((unsigned char)*p))
		t.day = t.day * 10 + (*p++ - '0');
	if (*p++ != ' ' || (p = read_hms(p, &t)) == NULL ||
	    parse_is_digit((unsigned char)*p))
		return -1;

	/* Years 1 to 9999 only, so nothing below can overflow. */
	if (now < -62135596800LL || now > 253402300799LL)
		return -1;
	local = now + tz_offset_s;
	days = local / 86400 - (local % 86400 < 0);
	t.year = year_of_days(days);
	/* More than a day ahead (or Feb 29 this year): last year's. */
	if (!tm_valid(&t) || (e = tm_epoch(&t) - tz_offset_s) > now + 86400) {
		t.year--;
		if (!tm_valid(&t))
			return -1;
		e = tm_epoch(&t) - tz_offset_s;
	}
	*when = e;
	return 0;
}

int
parse_log_time(const char *line, int64_t now, int tz_offset_s,
    int64_t *when)
{
	const char	*p, *q;

	*when = 0;
	if (line == NULL)
		return -1;
	p = line;
	while (parse_is_blank((unsigned char)*p))
		p++;
	if (*p == '[')
		p++;
	if (read_iso(p, tz_offset_s, when) == 0)
		return 0;
	if (read_syslog(p, now, tz_offset_s, when) == 0)
		return 0;

	/* logfmt: a ts= or time= word anywhere, maybe quoted. */
	for (p = line; *p != '\0'; p++) {
		if (p != line && !parse_is_blank((unsigned char)p[-1]))
			continue;
		if (strncmp(p, "ts=", 3) == 0)
			q = p + 3;
		else if (strncmp(p, "time=", 5) == 0)
			q = p + 5;
		else
			continue;
		if (*q == '"')
			q++;
		if (read_iso(q, tz_offset_s, when) == 0)
			return 0;
	}
	*when = 0;
	return -1;
}

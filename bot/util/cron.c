/*
 * Cron expressions and next-fire times (see cron.h). Parsing is strict and
 * explains itself; the search walks local civil days, so it never needs a
 * loop over every minute, and is bounded by CRON_HORIZON_DAYS. Fuzzed by
 * tests/fuzz/fuzz-cron.c.
 */

#include <ctype.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "cause.h"
#include "civil.h"
#include "cron.h"
#include "xmalloc.h"

#define CRON_ERR_LEN	(3 * CRON_MAX_INPUT + 128)
#define CRON_NUM_CAP	100000		/* numbers saturate here */
#define CRON_TZ_MAX	64		/* bytes of a zone name */

/* 1900-01-01 and 9990-01-01 as Unix seconds: the range cron_next takes. */
#define CRON_MIN_S	(-2208988800LL)
#define CRON_MAX_S	253086768000LL

static const char *const cron_month_names[] = {
	"jan", "feb", "mar", "apr", "may", "jun",
	"jul", "aug", "sep", "oct", "nov", "dec", NULL
};
static const char *const cron_day_names[] = {
	"sun", "mon", "tue", "wed", "thu", "fri", "sat", NULL
};

struct cron_field {
	const char		*name;
	int			 min;
	int			 max;	/* largest value accepted (7 for dow) */
	int			 last;	/* largest value "*" covers */
	int			 first_name;	/* value of names[0] */
	const char *const	*names;
};

static const struct cron_field cron_fields[5] = {
	{ "minute", 0, 59, 59, 0, NULL },
	{ "hour", 0, 23, 23, 0, NULL },
	{ "day-of-month", 1, 31, 31, 0, NULL },
	{ "month", 1, 12, 12, 1, cron_month_names },
	{ "day-of-week", 0, 7, 6, 0, cron_day_names },
};

static const struct {
	const char	*name;
	const char	*expr;
} cron_macros[] = {
	{ "@yearly", "0 0 1 1 *" },
	{ "@annually", "0 0 1 1 *" },
	{ "@monthly", "0 0 1 * *" },
	{ "@weekly", "0 0 * * 0" },
	{ "@daily", "0 0 * * *" },
	{ "@midnight", "0 0 * * *" },
	{ "@hourly", "0 * * * *" },
};

static int
cron_is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

/* Copies n bytes of s for a message: printable ASCII, others as '?'. */
static void
cron_quote(char *out, size_t len, const char *s, size_t n)
{
	size_t	 i;

	if (len == 0)
		return;
	if (n > len - 1)
		n = len - 1;
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		out[i] = (ch < 0x20 || ch >= 0x7f) ? '?' : (char)ch;
	}
	out[n] = '\0';
}

/*
 * Reads a number or a name at *pp (up to end) for field f; is_end says it
 * ends a range, where "sun" means 7. Returns 0 and the value, or -1 with
 * a message in err.
 */
static int
cron_parse_value(const struct cron_field *f, const char **pp,
    const char *end, int is_end, int *value, char *err, size_t errlen)
{
	const char	*p = *pp, *start = *pp;
	char		 text[CRON_MAX_INPUT + 1];
	long		 v = 0;
	int		 i;

	if (p < end && isdigit((unsigned char)*p)) {
		while (p < end && isdigit((unsigned char)*p)) {
			v = v * 10 + (*p++ - '0');
			if (v > CRON_NUM_CAP)
				v = CRON_NUM_CAP;
		}
		if (v < f->min || v > f->max) {
			cron_quote(text, sizeof text, start,
			    (size_t)(p - start));
			snprintf(err, errlen, "%s %s is out of range %d-%d",
			    f->name, text, f->min, f->max);
			return -1;
		}
		*value = (int)v;
		*pp = p;
		return 0;
	}
	while (p < end && isalpha((unsigned char)*p))
		p++;
	if (p == start) {
		cron_quote(text, sizeof text, start, (size_t)(end - start));
		snprintf(err, errlen, "%s: expected %s, got \"%s\"", f->name,
		    f->names != NULL ? "a number or a name" : "a number",
		    text);
		return -1;
	}
	cron_quote(text, sizeof text, start, (size_t)(p - start));
	if (f->names == NULL) {
		snprintf(err, errlen, "%s: expected a number, got \"%s\"",
		    f->name, text);
		return -1;
	}
	for (i = 0; f->names[i] != NULL; i++) {
		if (p - start == 3 && strncasecmp(start, f->names[i], 3) == 0)
			break;
	}
	if (f->names[i] == NULL) {
		snprintf(err, errlen, "%s: unknown name \"%s\"", f->name,
		    text);
		return -1;
	}
	*value = f->first_name + i;
	if (is_end && f->names == cron_day_names && *value == 0)
		*value = 7;
	*pp = p;
	return 0;
}

/* Parses one list item [p, end) of field f into *bits. */
static int
cron_parse_item(const struct cron_field *f, const char *p, const char *end,
    uint64_t *bits, char *err, size_t errlen)
{
	const char	*item = p, *num;
	char		 text[CRON_MAX_INPUT + 1];
	int		 lo, hi, step = 1, single = 0, v;
	long		 s = 0;

	if (*p == '*') {
		lo = f->min;
		hi = f->last;
		p++;
	} else {
		if (cron_parse_value(f, &p, end, 0, &lo, err, errlen) != 0)
			return -1;
		hi = lo;
		single = 1;
		if (p < end && *p == '-') {
			p++;
			if (cron_parse_value(f, &p, end, 1, &hi, err,
			    errlen) != 0)
				return -1;
			single = 0;
		}
	}
	if (p < end && *p == '/') {
		num = ++p;
		while (p < end && isdigit((unsigned char)*p)) {
			s = s * 10 + (*p++ - '0');
			if (s > CRON_NUM_CAP)
				s = CRON_NUM_CAP;
		}
		cron_quote(text, sizeof text, item, (size_t)(end - item));
		if (p == num) {
			snprintf(err, errlen, "%s: expected a step after "
			    "\"/\" in \"%s\"", f->name, text);
			return -1;
		}
		if (s == 0) {
			snprintf(err, errlen, "%s: step 0 in \"%s\" is not "
			    "allowed (the step must be at least 1)", f->name,
			    text);
			return -1;
		}
		if (s > f->last - f->min) {
			snprintf(err, errlen, "%s: step %ld in \"%s\" is too "
			    "large (at most %d)", f->name, s, text,
			    f->last - f->min);
			return -1;
		}
		step = (int)s;
		if (single)
			hi = lo > f->last ? lo : f->last;
	}
	if (p != end) {
		cron_quote(text, sizeof text, p, (size_t)(end - p));
		cron_quote(text + strlen(text) + 1,
		    sizeof text - strlen(text) - 1, item, (size_t)(end - item));
		snprintf(err, errlen, "%s: unexpected \"%s\" in \"%s\"",
		    f->name, text, text + strlen(text) + 1);
		return -1;
	}
	if (lo > hi) {
		cron_quote(text, sizeof text, item, (size_t)(end - item));
		snprintf(err, errlen, "%s: range \"%s\" is backwards (write "
		    "the lower value first)", f->name, text);
		return -1;
	}
	for (v = lo; v <= hi; v += step)
		*bits |= (uint64_t)1 << (v == 7 && f->names == cron_day_names ?
		    0 : v);
	return 0;
}

/* Parses field f, text [p, end), into *bits; *star if it was "*". */
static int
cron_parse_field(const struct cron_field *f, const char *p, const char *end,
    uint64_t *bits, int *star, char *err, size_t errlen)
{
	const char	*q;
	char		 text[CRON_MAX_INPUT + 1];
	size_t		 n = (size_t)(end - p);

	*bits = 0;
	*star = (n == 1 && *p == '*') || (n == 3 && memcmp(p, "*/1", 3) == 0);
	for (;;) {
		q = memchr(p, ',', (size_t)(end - p));
		if (q == NULL)
			q = end;
		if (q == p) {
			cron_quote(text, sizeof text, end - n, n);
			snprintf(err, errlen, "%s: empty item in list \"%s\"",
			    f->name, text);
			return -1;
		}
		if (cron_parse_item(f, p, q, bits, err, errlen) != 0)
			return -1;
		if (q == end)
			return 0;
		p = q + 1;
		if (p == end) {
			cron_quote(text, sizeof text, end - n, n);
			snprintf(err, errlen, "%s: empty item in list \"%s\"",
			    f->name, text);
			return -1;
		}
	}
}

/* Expands a macro at p (after leading space); returns its fields or NULL. */
static const char *
cron_macro(const char *p, char *err, size_t errlen)
{
	const char	*q = p, *r;
	char		 text[CRON_MAX_INPUT + 1];
	size_t		 i, n;

	while (*q != '\0' && !cron_is_space(*q))
		q++;
	n = (size_t)(q - p);
	for (r = q; cron_is_space(*r); r++)
		/* nothing */;
	cron_quote(text, sizeof text, p, n);
	for (i = 0; i < sizeof cron_macros / sizeof cron_macros[0]; i++) {
		if (strlen(cron_macros[i].name) != n ||
		    strncasecmp(p, cron_macros[i].name, n) != 0)
			continue;
		if (*r != '\0') {
			char junk[CRON_MAX_INPUT + 1];
			cron_quote(junk, sizeof junk, r, strlen(r));
			snprintf(err, errlen, "unexpected \"%s\" after %s",
			    junk, text);
			return NULL;
		}
		return cron_macros[i].expr;
	}
	if (n == 7 && strncasecmp(p, "@reboot", n) == 0)
		snprintf(err, errlen, "@reboot is not supported (schedules "
		    "here are times of day)");
	else
		snprintf(err, errlen, "unknown macro \"%s\" (expected "
		    "@yearly, @annually, @monthly, @weekly, @daily, @midnight "
		    "or @hourly)", text);
	return NULL;
}

int
cron_parse(const char *expr, struct cron *out, char **cause)
{
	const char	*p, *start[5], *end[5];
	char		 err[CRON_ERR_LEN], text[CRON_MAX_INPUT + 1];
	uint64_t	 bits[5];
	int		 star[5], n = 0, i;
	size_t		 len = strlen(expr);

	memset(out, 0, sizeof *out);
	cause_clear(cause);
	if (len > CRON_MAX_INPUT) {
		cause_set(cause, "cron expression is too long (%zu bytes; the "
		    "limit is %d)", len, CRON_MAX_INPUT);
		return -1;
	}
	cron_quote(text, sizeof text, expr, len);

	for (p = expr; cron_is_space(*p); p++)
		/* nothing */;
	if (*p == '@' && (p = cron_macro(p, err, sizeof err)) == NULL)
		goto fail;
	for (;;) {
		while (cron_is_space(*p))
			p++;
		if (*p == '\0')
			break;
		if (n < 5)
			start[n] = p;
		while (*p != '\0' && !cron_is_space(*p))
			p++;
		if (n < 5)
			end[n] = p;
		n++;
	}
	if (n != 5) {
		snprintf(err, sizeof err, "expected 5 fields (minute hour "
		    "day-of-month month day-of-week), got %d", n);
		goto fail;
	}
	for (i = 0; i < 5; i++) {
		if (cron_parse_field(&cron_fields[i], start[i], end[i],
		    &bits[i], &star[i], err, sizeof err) != 0)
			goto fail;
	}
	out->minutes = bits[0];
	out->hours = (uint32_t)bits[1];
	out->days = (uint32_t)bits[2];
	out->months = (uint16_t)bits[3];
	out->weekdays = (uint8_t)bits[4];
	out->flags = (star[2] ? CRON_DOM_STAR : 0) |
	    (star[4] ? CRON_DOW_STAR : 0);
	return 0;

fail:
	cause_set(cause, "cron \"%s\": %s", text, err);
	return -1;
}

/* Appends a field's values [min, max] in bits as "1-5,7,9" to buf. */
static void
cron_format_bits(char *buf, size_t len, uint64_t bits, int min, int max,
    int star)
{
	size_t	 off;
	int	 v, w, first = 1;

	off = strlen(buf);
	if (star) {
		snprintf(buf + off, len - off, "*");
		return;
	}
	for (v = min; v <= max; v++) {
		if (!(bits >> v & 1))
			continue;
		for (w = v; w < max && (bits >> (w + 1) & 1); w++)
			/* nothing */;
		off = strlen(buf);
		if (w - v >= 2)
			snprintf(buf + off, len - off, "%s%d-%d",
			    first ? "" : ",", v, w);
		else if (w - v == 1)
			snprintf(buf + off, len - off, "%s%d,%d",
			    first ? "" : ",", v, w);
		else
			snprintf(buf + off, len - off, "%s%d",
			    first ? "" : ",", v);
		first = 0;
		v = w;
	}
}

void
cron_format(const struct cron *c, char *buf, size_t len)
{
	uint64_t	 all_min = ((uint64_t)1 << 60) - 1;
	size_t		 off;

	if (len == 0)
		return;
	buf[0] = '\0';
	cron_format_bits(buf, len, c->minutes, 0, 59, c->minutes == all_min);
	off = strlen(buf);
	snprintf(buf + off, len - off, " ");
	cron_format_bits(buf, len, c->hours, 0, 23, c->hours == 0xffffff);
	off = strlen(buf);
	snprintf(buf + off, len - off, " ");
	cron_format_bits(buf, len, c->days, 1, 31, c->flags & CRON_DOM_STAR);
	off = strlen(buf);
	snprintf(buf + off, len - off, " ");
	cron_format_bits(buf, len, c->months, 1, 12, c->months == 0x1ffe);
	off = strlen(buf);
	snprintf(buf + off, len - off, " ");
	cron_format_bits(buf, len, c->weekdays, 0, 6, c->flags & CRON_DOW_STAR);
}

int
cron_matches_day(const struct cron *c, int month, int mday, int wday)
{
	int	 dom, dow;

	if (month < 1 || month > 12 || mday < 1 || mday > 31 || wday < 0 ||
	    wday > 6)
		return 0;
	if (!(c->months >> month & 1))
		return 0;
	dom = c->days >> mday & 1;
	dow = c->weekdays >> wday & 1;
	/* A "*" field has every bit set, so it leaves the other to decide. */
	if (c->flags & (CRON_DOM_STAR | CRON_DOW_STAR))
		return dom && dow;
	return dom || dow;
}

/* Civil calendar arithmetic (proleptic Gregorian, days since 1970). */


/* Time zones: UTC by arithmetic, others through the C library. */

enum cron_zone_kind { CRON_ZONE_UTC, CRON_ZONE_LOCAL, CRON_ZONE_NAMED };

struct cron_zone {
	enum cron_zone_kind	 kind;
	char			*saved_tz;	/* TZ before; NULL if unset */
};

static pthread_mutex_t	cron_tz_lock = PTHREAD_MUTEX_INITIALIZER;

int
cron_tz_check(const char *tz, char **cause)
{
	const char	*dir, *p;
	char		 path[4096], magic[4], text[CRON_TZ_MAX + 1];
	int		 fd, ok = 0;
	size_t		 len;

	cause_clear(cause);
	if (tz == NULL || *tz == '\0') {
		cause_set(cause, "time zone is empty (expected \"UTC\", "
		    "\"local\" or a name like \"Europe/London\")");
		return -1;
	}
	if (strcasecmp(tz, "UTC") == 0 || strcmp(tz, "local") == 0)
		return 0;
	len = strlen(tz);
	if (len <= CRON_TZ_MAX && *tz != '/' && *tz != '.' &&
	    strstr(tz, "..") == NULL) {
		for (p = tz; *p != '\0'; p++) {
			if (!isalnum((unsigned char)*p) && strchr("/_+-.",
			    *p) == NULL)
				break;
		}
		if (*p == '\0') {
			if ((dir = getenv("TZDIR")) == NULL || *dir == '\0')
				dir = "/usr/share/zoneinfo";
			snprintf(path, sizeof path, "%s/%s", dir, tz);
			if ((fd = open(path, O_RDONLY)) != -1) {
				ok = read(fd, magic, 4) == 4 &&
				    memcmp(magic, "TZif", 4) == 0;
				close(fd);
			}
		}
	}
	if (ok)
		return 0;
	cron_quote(text, sizeof text, tz, len);
	cause_set(cause, "unknown time zone \"%s%s\" (expected \"UTC\", "
	    "\"local\" or a name like \"Europe/London\")", text,
	    len > CRON_TZ_MAX ? "..." : "");
	return -1;
}

/* Switches the process to zone tz; returns 0, or -1 if it is not valid. */
static int
cron_zone_enter(struct cron_zone *z, const char *tz)
{
	const char	*old;
	char		*cause, *value;

	z->saved_tz = NULL;
	if (cron_tz_check(tz, &cause) != 0) {
		free(cause);
		return -1;
	}
	if (strcasecmp(tz, "UTC") == 0) {
		z->kind = CRON_ZONE_UTC;
		return 0;
	}
	pthread_mutex_lock(&cron_tz_lock);
	if (strcmp(tz, "local") == 0) {
		z->kind = CRON_ZONE_LOCAL;
		tzset();
		return 0;
	}
	z->kind = CRON_ZONE_NAMED;
	if ((old = getenv("TZ")) != NULL)
		z->saved_tz = xstrdup(old);
	xasprintf(&value, ":%s", tz);	/* a file, never a POSIX rule */
	setenv("TZ", value, 1);
	free(value);
	tzset();
	return 0;
}

/* Puts TZ back as it was and releases the lock. */
static void
cron_zone_leave(struct cron_zone *z)
{
	if (z->kind == CRON_ZONE_UTC)
		return;
	if (z->kind == CRON_ZONE_NAMED) {
		if (z->saved_tz != NULL)
			setenv("TZ", z->saved_tz, 1);
		else
			unsetenv("TZ");
		tzset();
		xfree(z->saved_tz);
	}
	pthread_mutex_unlock(&cron_tz_lock);
}

/* Seconds the zone is ahead of UTC at instant t. */
static int64_t
cron_zone_offset(const struct cron_zone *z, int64_t t)
{
	time_t		 tt = (time_t)t;
	struct tm	 tm;
	int64_t		 local;

	if (z->kind == CRON_ZONE_UTC)
		return 0;
	if (localtime_r(&tt, &tm) == NULL)
		return 0;
	local = civil_days_from((int64_t)tm.tm_year + 1900,
	    tm.tm_mon + 1, tm.tm_mday) * 86400 + tm.tm_hour * 3600 +
	    tm.tm_min * 60 + tm.tm_sec;
	return local - t;
}

/*
 * The instant at which local wall time wall (seconds since 1970-01-01
 * 00:00 local) first happens; if the clocks jump over it, the instant the
 * jump lands (the end of the gap).
 */
static int64_t
cron_zone_resolve(const struct cron_zone *z, int64_t wall)
{
	int64_t	 off[3], best = INT64_MAX, t, lo, hi, mid, omin, omax;
	int	 i;

	if (z->kind == CRON_ZONE_UTC)
		return wall;
	off[0] = cron_zone_offset(z, wall - 86400);
	off[1] = cron_zone_offset(z, wall);
	off[2] = cron_zone_offset(z, wall + 86400);
	omin = omax = off[0];
	for (i = 0; i < 3; i++) {
		t = wall - off[i];
		if (cron_zone_offset(z, t) == off[i] && t < best)
			best = t;
		if (off[i] < omin)
			omin = off[i];
		if (off[i] > omax)
			omax = off[i];
	}
	if (best != INT64_MAX)
		return best;

	/* A gap: find the first instant whose wall time is past it. */
	lo = wall - omax;
	hi = wall - omin;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (mid + cron_zone_offset(z, mid) > wall)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

/* The first firing on local day day (days since 1970) after after_s. */
static int
cron_next_in_day(const struct cron *c, const struct cron_zone *z,
    int64_t day, int64_t after_s, int64_t *next_s)
{
	int64_t	 base = day * 86400, t;
	int	 h, m, last_min = 59;

	while (!(c->minutes >> last_min & 1))
		last_min--;
	for (h = 0; h < 24; h++) {
		if (!(c->hours >> h & 1))
			continue;
		/* Firing times grow with wall time: skip past hours whole. */
		if (cron_zone_resolve(z, base + h * 3600 + last_min * 60) <=
		    after_s)
			continue;
		for (m = 0; m <= last_min; m++) {
			if (!(c->minutes >> m & 1))
				continue;
			t = cron_zone_resolve(z, base + h * 3600 + m * 60);
			if (t > after_s) {
				*next_s = t;
				return 0;
			}
		}
	}
	return -1;
}

int
cron_next(const struct cron *c, const char *tz, int64_t after_s,
    int64_t *next_s)
{
	struct cron_zone z;
	int64_t		 day, last, y;
	int		 m, d, wday, rv = -1;

	*next_s = 0;
	if (after_s < CRON_MIN_S || after_s > CRON_MAX_S)
		return -1;
	if ((c->minutes & (((uint64_t)1 << 60) - 1)) == 0 ||
	    (c->hours & 0xffffff) == 0 || (c->months & 0x1ffe) == 0 ||
	    ((c->days & 0xfffffffe) == 0 && (c->weekdays & 0x7f) == 0))
		return -1;
	if (cron_zone_enter(&z, tz) != 0)
		return -1;

	/* From the day before, in case a firing lands across midnight. */
	day = civil_floor_div(after_s + cron_zone_offset(&z, after_s), 86400)
	    - 1;
	for (last = day + CRON_HORIZON_DAYS + 1; day <= last; day++) {
		civil_from_days(day, &y, &m, &d);
		wday = (int)(((day + 4) % 7 + 7) % 7);	/* 1970-01-01: Thu */
		if (!cron_matches_day(c, m, d, wday))
			continue;
		if (cron_next_in_day(c, &z, day, after_s, next_s) == 0) {
			rv = 0;
			break;
		}
	}
	cron_zone_leave(&z);
	return rv;
}

int
cron_is_business_day(int year, int month, int day, int wday,
    const char *const *holidays, size_t nholidays)
{
	char	 date[32];
	size_t	 i;

	if (wday == 0 || wday == 6)
		return 0;
	snprintf(date, sizeof date, "%04d-%02d-%02d", year, month, day);
	for (i = 0; i < nholidays; i++) {
		if (holidays[i] != NULL && strcmp(holidays[i], date) == 0)
			return 0;
	}
	return 1;
}

int
cron_localtime(int64_t s, const char *tz, struct tm *out)
{
	struct cron_zone	 z;
	time_t			 t = (time_t)s;
	int			 rc;

	if (cron_zone_enter(&z, tz) != 0)
		return -1;
	if (z.kind == CRON_ZONE_UTC)
		rc = gmtime_r(&t, out) != NULL ? 0 : -1;
	else
		rc = localtime_r(&t, out) != NULL ? 0 : -1;
	cron_zone_leave(&z);
	return rc;
}

int
cron_local_instant(int year, int month, int day, int hour, int min,
    const char *tz, int64_t *out_s)
{
	struct cron_zone	 z;
	int64_t			 wall;

	if (cron_zone_enter(&z, tz) != 0)
		return -1;
	wall = civil_days_from(year, month, day) * 86400 + hour * 3600 +
	    min * 60;
	*out_s = cron_zone_resolve(&z, wall);
	cron_zone_leave(&z);
	return 0;
}

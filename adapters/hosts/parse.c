/*
 * Parsers of remote command output (see parse.h). Everything works on
 * spans of the caller's NUL-terminated text: no line is copied into a
 * fixed buffer, numbers are read by hand (no locale, no strtod), and
 * each step checks where it is before it looks at the next byte, so
 * hostile or truncated input can only be refused. Tested on captured
 * outputs by tests/unit/test-parse.c, fuzzed by tests/fuzz/fuzz-parse.c.
 */

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civil.h"
#include "parse.h"
#include "xmalloc.h"

/* A run of bytes inside the input, not NUL-terminated. */
struct span {
	const char	*p;
	size_t		 len;
};

/* Lines of the input, each without its '\n' and trailing white space. */
struct lines {
	const char	*next;	/* NULL at the end */
	size_t		 no;	/* 1-based number of the line last read */
};

/* Enough of a bad field to show in a message, made printable. */
#define EXCERPT_MAX	40
#define EXCERPT_LONG	80	/* for a whole error message */
struct excerpt {
	char	 s[EXCERPT_LONG + 4];
};

/* Largest value read from meminfo, so sums of three cannot overflow. */
#define PARSE_MEMINFO_MAX	((int64_t)1 << 60)
/* A decimal with more digits is refused rather than rounded. */
#define PARSE_DECIMAL_DIGITS	18
/* Deepest autorep box nesting accepted. */
#define PARSE_AUTOREP_DEPTH	64

static int	 fail(char **, const char *, ...)
		    __attribute__((format(printf, 2, 3)));

static int
fail(char **cause, const char *fmt, ...)
{
	va_list	 ap;

	if (cause != NULL) {
		va_start(ap, fmt);
		xvasprintf(cause, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static int
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int
is_blank(int c)
{
	return c == ' ' || c == '\t';
}

static int
is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
	    c == '\f';
}

static int
is_upper(int c)
{
	return c >= 'A' && c <= 'Z';
}

static int
is_alpha(int c)
{
	return is_upper(c) || (c >= 'a' && c <= 'z');
}

static int
is_alnum(int c)
{
	return is_digit(c) || is_alpha(c);
}

/* Runs of blanks (column padding) read as one space. */
static const char *
excerpt_max(struct excerpt *ex, const char *p, size_t len, size_t max)
{
	size_t		 i = 0, n = 0;
	unsigned char	 c;

	while (i < len && n < max) {
		c = (unsigned char)p[i++];
		if (is_blank(c)) {
			while (i < len && is_blank((unsigned char)p[i]))
				i++;
			c = ' ';
		}
		ex->s[n++] = c >= 0x20 && c < 0x7f ? (char)c : '?';
	}
	if (i < len) {
		memcpy(ex->s + n, "...", 3);
		n += 3;
	}
	ex->s[n] = '\0';
	return ex->s;
}

static const char *
excerpt(struct excerpt *ex, const char *p, size_t len)
{
	return excerpt_max(ex, p, len, EXCERPT_MAX);
}

static const char *
span_excerpt(struct excerpt *ex, const struct span *s)
{
	return excerpt(ex, s->p, s->len);
}

static int
span_eq(const struct span *s, const char *word)
{
	size_t	 n = strlen(word);

	return s->len == n && memcmp(s->p, word, n) == 0;
}

static void
lines_init(struct lines *it, const char *text)
{
	it->next = text;
	it->no = 0;
}

/* The next line, right-trimmed (so CRLF reads as LF); 0 at the end. */
static int
lines_next(struct lines *it, struct span *line)
{
	const char	*p = it->next, *nl;
	size_t		 len;

	if (p == NULL || *p == '\0')
		return 0;
	if ((nl = strchr(p, '\n')) != NULL) {
		len = (size_t)(nl - p);
		it->next = nl + 1;
	} else {
		len = strlen(p);
		it->next = NULL;
	}
	while (len > 0 && is_space((unsigned char)p[len - 1]))
		len--;
	it->no++;
	line->p = p;
	line->len = len;
	return 1;
}

/* The next run of non-blank bytes from *pp up to end; 0 if none. */
static int
field_next(const char **pp, const char *end, struct span *f)
{
	const char	*p = *pp;

	while (p < end && is_space((unsigned char)*p))
		p++;
	if (p == end)
		return 0;
	f->p = p;
	while (p < end && !is_space((unsigned char)*p))
		p++;
	f->len = (size_t)(p - f->p);
	*pp = p;
	return 1;
}

/* Splits [p, end) into fields, growing *fields; returns the count. */
static size_t
fields_split(const char *p, const char *end, struct span **fields,
    size_t *cap)
{
	struct span	 f;
	size_t		 n = 0;

	while (field_next(&p, end, &f)) {
		if (n == *cap) {
			*cap = *cap == 0 ? 16 : *cap * 2;
			*fields = xreallocarray(*fields, *cap, sizeof **fields);
		}
		(*fields)[n++] = f;
	}
	return n;
}

/* Reads digits as an int64 no larger than max; NULL or why not. */
static const char *
span_int64(const struct span *f, int64_t max, int64_t *out)
{
	int64_t	 v = 0;
	size_t	 i;
	int	 d;

	if (f->len == 0)
		return "is not a number";
	for (i = 0; i < f->len; i++) {
		if (!is_digit((unsigned char)f->p[i]))
			return "is not a number";
	}
	for (i = 0; i < f->len; i++) {
		d = f->p[i] - '0';
		if (v > (max - d) / 10)
			return "is too large";
		v = v * 10 + d;
	}
	*out = v;
	return NULL;
}

/* An optional '-' then digits, as an int; NULL or why not. */
static const char *
span_int(const struct span *f, int *out)
{
	struct span	 digits = *f;
	int64_t		 v;
	const char	*why;
	int		 neg = 0;

	if (digits.len > 0 && digits.p[0] == '-') {
		neg = 1;
		digits.p++;
		digits.len--;
	}
	if ((why = span_int64(&digits, INT_MAX, &v)) != NULL)
		return why;
	*out = neg ? -(int)v : (int)v;
	return NULL;
}

/*
 * Reads a decimal at *pp (digits, then optionally a '.', or a ',' if
 * comma_ok, and more digits) and moves *pp past it. The digits are
 * gathered as one integer and divided once, so "0.52" reads as exactly
 * the double 0.52. Returns 0 or -1 (nothing is consumed).
 */
static int
read_decimal(const char **pp, const char *end, int comma_ok, double *out)
{
	const char	*p = *pp;
	int64_t		 mant = 0;
	double		 scale = 1;
	int		 ndigits = 0;

	while (p < end && is_digit((unsigned char)*p)) {
		if (++ndigits > PARSE_DECIMAL_DIGITS)
			return -1;
		mant = mant * 10 + (*p++ - '0');
	}
	if (ndigits == 0)
		return -1;
	if (p + 1 < end && (*p == '.' || (comma_ok && *p == ',')) &&
	    is_digit((unsigned char)p[1])) {
		p++;
		while (p < end && is_digit((unsigned char)*p)) {
			if (++ndigits > PARSE_DECIMAL_DIGITS)
				return -1;
			mant = mant * 10 + (*p++ - '0');
			scale *= 10;
		}
	}
	*out = (double)mant / scale;
	*pp = p;
	return 0;
}

/* A whole field as a decimal; NULL or why not. */
static const char *
span_decimal(const struct span *f, double *out)
{
	const char	*p = f->p, *end = f->p + f->len;

	if (read_decimal(&p, end, 0, out) != 0 || p != end)
		return "is not a number";
	return NULL;
}

/* Splits the whole of text into fields; for the one-line /proc files. */
static size_t
text_fields(const char *text, struct span *f, size_t max)
{
	const char	*p = text, *end = text + strlen(text);
	struct span	 s;
	size_t		 n = 0;

	while (field_next(&p, end, &s)) {
		if (n < max)
			f[n] = s;
		n++;
	}
	return n;
}

int
parse_loadavg(const char *text, struct parse_loadavg *la, char **cause)
{
	static const char *const what[] = {
		"1-minute load", "5-minute load", "15-minute load"
	};
	struct span		 f[5];
	struct excerpt		 ex;
	double			 v[3];
	const char		*why, *p, *end;
	size_t			 n, i;
	int64_t			 x;

	memset(la, 0, sizeof *la);
	if ((n = text_fields(text, f, 5)) != 5) {
		return fail(cause, "/proc/loadavg: expected 5 fields, got %zu",
		    n);
	}
	for (i = 0; i < 3; i++) {
		if ((why = span_decimal(&f[i], &v[i])) != NULL) {
			return fail(cause, "/proc/loadavg: %s \"%s\" %s",
			    what[i], span_excerpt(&ex, &f[i]), why);
		}
	}
	p = f[3].p;
	end = f[3].p + f[3].len;
	while (p < end && is_digit((unsigned char)*p))
		p++;
	if (p == f[3].p || p == end || *p != '/' || p + 1 == end)
		p = NULL;
	else {
		for (p++; p < end && is_digit((unsigned char)*p); p++)
			/* nothing */;
	}
	if (p != end) {
		return fail(cause, "/proc/loadavg: expected running/total "
		    "tasks, got \"%s\"", span_excerpt(&ex, &f[3]));
	}
	if ((why = span_int64(&f[4], INT_MAX, &x)) != NULL) {
		return fail(cause, "/proc/loadavg: last pid \"%s\" %s",
		    span_excerpt(&ex, &f[4]), why);
	}
	la->l1 = v[0];
	la->l5 = v[1];
	la->l15 = v[2];
	return 0;
}

int
parse_proc_uptime(const char *text, double *secs, char **cause)
{
	struct span	 f[2];
	struct excerpt	 ex;
	double		 up, idle;
	const char	*why;
	size_t		 n;

	*secs = 0;
	if ((n = text_fields(text, f, 2)) != 2) {
		return fail(cause, "/proc/uptime: expected 2 fields, got %zu",
		    n);
	}
	if ((why = span_decimal(&f[0], &up)) != NULL) {
		return fail(cause, "/proc/uptime: uptime \"%s\" %s",
		    span_excerpt(&ex, &f[0]), why);
	}
	if ((why = span_decimal(&f[1], &idle)) != NULL) {
		return fail(cause, "/proc/uptime: idle time \"%s\" %s",
		    span_excerpt(&ex, &f[1]), why);
	}
	*secs = up;
	return 0;
}

/* Skips blanks; true if p then starts with word (not a longer word). */
static int
at_word(const char **pp, const char *end, const char *word)
{
	const char	*p = *pp;
	size_t		 n = strlen(word);

	while (p < end && is_blank((unsigned char)*p))
		p++;
	if ((size_t)(end - p) < n || memcmp(p, word, n) != 0)
		return 0;
	if (p + n < end && is_alnum((unsigned char)p[n]))
		return 0;
	*pp = p + n;
	return 1;
}

/* The load averages after "load average(s):" up to end. */
static int
uptime_loads(const char *p, const char *end, struct parse_loadavg *la,
    char **cause)
{
	double		 v[3];
	struct excerpt	 ex;
	int		 i;

	for (i = 0; i < 3; i++) {
		while (p < end && is_blank((unsigned char)*p))
			p++;
		if (i > 0 && p < end && *p == ',') {
			p++;
			while (p < end && is_blank((unsigned char)*p))
				p++;
		}
		/* A ',' decimal point too: LC_NUMERIC=de_DE prints "0,52". */
		if (read_decimal(&p, end, 1, &v[i]) != 0) {
			return fail(cause, "uptime: load average: expected 3 "
			    "numbers, got \"%s\"", excerpt(&ex, p,
			    (size_t)(end - p)));
		}
	}
	while (p < end && is_blank((unsigned char)*p))
		p++;
	if (p != end) {
		return fail(cause, "uptime: unexpected \"%s\" after the load "
		    "average", excerpt(&ex, p, (size_t)(end - p)));
	}
	la->l1 = v[0];
	la->l5 = v[1];
	la->l15 = v[2];
	return 0;
}

/*
 * One comma-separated part of the time up: "3 days", "2:03", "20 min",
 * and the BSD "1 hr", "30 secs". Adds it to *secs; 0 or -1.
 */
static int
uptime_part(const struct span *part, int64_t *secs)
{
	static const struct {
		const char	*unit;
		int64_t		 secs;
	} units[] = {
		{ "day", 86400 }, { "days", 86400 },
		{ "hr", 3600 }, { "hrs", 3600 },
		{ "min", 60 }, { "mins", 60 },
		{ "sec", 1 }, { "secs", 1 },
	};
	const char	*p = part->p, *end = part->p + part->len, *colon;
	struct span	 num, unit;
	int64_t		 n, h, m;
	size_t		 i;

	if (!field_next(&p, end, &num))
		return -1;
	if ((colon = memchr(num.p, ':', num.len)) != NULL) {
		struct span	 hs = { num.p, (size_t)(colon - num.p) };
		struct span	 ms = { colon + 1,
				     num.len - (size_t)(colon + 1 - num.p) };

		if (field_next(&p, end, &unit))
			return -1;
		if (span_int64(&hs, 23, &h) != NULL || ms.len != 2 ||
		    span_int64(&ms, 59, &m) != NULL)
			return -1;
		*secs += h * 3600 + m * 60;
		return 0;
	}
	if (span_int64(&num, 10000000, &n) != NULL)
		return -1;
	if (!field_next(&p, end, &unit) || field_next(&p, end, &num))
		return -1;
	for (i = 0; i < sizeof units / sizeof *units; i++) {
		if (span_eq(&unit, units[i].unit)) {
			*secs += n * units[i].secs;
			return 0;
		}
	}
	return -1;
}

/* "N user" or "N users" (procps 4.0.2 prints "0 user"). */
static int
uptime_users(const struct span *part)
{
	const char	*p = part->p, *end = part->p + part->len;
	struct span	 num, word;
	int64_t		 n;

	return field_next(&p, end, &num) &&
	    span_int64(&num, INT_MAX, &n) == NULL &&
	    field_next(&p, end, &word) &&
	    (span_eq(&word, "user") || span_eq(&word, "users")) &&
	    !field_next(&p, end, &word);
}

int
parse_uptime_cmd(const char *text, double *secs, struct parse_loadavg *la,
    char **cause)
{
	struct lines	 it;
	struct span	 line, part, extra;
	struct excerpt	 ex;
	const char	*p, *end, *comma;
	int64_t		 up = 0;
	int		 nparts = 0, users = 0, found = 0;

	*secs = 0;
	memset(la, 0, sizeof *la);
	lines_init(&it, text);
	do {
		if (!lines_next(&it, &line))
			return fail(cause, "uptime: no output");
	} while (line.len == 0);
	while (lines_next(&it, &extra)) {
		if (extra.len != 0) {
			return fail(cause, "uptime: line %zu: unexpected "
			    "\"%s\"", it.no, span_excerpt(&ex, &extra));
		}
	}

	/* " 10:22:01 up ..." (procps), "10:22  up ..." (BSD). */
	end = line.p + line.len;
	for (p = line.p; p < end; p++) {
		if ((p == line.p || is_blank((unsigned char)p[-1])) &&
		    at_word(&p, end, "up")) {
			found = 1;
			break;
		}
	}
	if (!found) {
		return fail(cause, "uptime: no \"up\" in \"%s\"",
		    span_excerpt(&ex, &line));
	}

	for (;;) {
		while (p < end && is_blank((unsigned char)*p))
			p++;
		if (at_word(&p, end, "load")) {
			if (!at_word(&p, end, "average") &&
			    !at_word(&p, end, "averages"))
				break;
			if (p == end || *p != ':')
				break;
			if (nparts == 0) {
				return fail(cause, "uptime: no time after "
				    "\"up\"");
			}
			if (uptime_loads(p + 1, end, la, cause) != 0)
				return -1;
			*secs = (double)up;
			return 0;
		}
		if (p == end)
			break;
		part.p = p;
		if ((comma = memchr(p, ',', (size_t)(end - p))) == NULL)
			comma = end;
		part.len = (size_t)(comma - p);
		if (uptime_users(&part))
			users++;
		else if (users != 0 || nparts == 4 ||
		    uptime_part(&part, &up) != 0) {
			return fail(cause, "uptime: cannot read \"%s\"",
			    span_excerpt(&ex, &part));
		} else
			nparts++;
		p = comma == end ? end : comma + 1;
	}
	return fail(cause, "uptime: no load average in \"%s\"",
	    span_excerpt(&ex, &line));
}

int
parse_meminfo(const char *text, struct parse_meminfo *mi, char **cause)
{
	enum {
		MI_TOTAL, MI_FREE, MI_AVAILABLE, MI_BUFFERS, MI_CACHED,
		MI_SWAPTOTAL, MI_SWAPFREE, MI_N
	};
	static const char *const keys[MI_N] = {
		"MemTotal", "MemFree", "MemAvailable", "Buffers", "Cached",
		"SwapTotal", "SwapFree"
	};
	static const int	 required[] = {
		MI_TOTAL, MI_FREE, MI_SWAPTOTAL, MI_SWAPFREE
	};
	struct lines	 it;
	struct span	 line, key, num, unit, extra;
	struct excerpt	 ex, kex;
	const char	*p, *end, *colon, *why;
	int64_t		 v[MI_N] = { 0 }, x;
	int		 seen[MI_N] = { 0 };
	size_t		 i;

	memset(mi, 0, sizeof *mi);
	lines_init(&it, text);
	while (lines_next(&it, &line)) {
		if (line.len == 0)
			continue;
		end = line.p + line.len;
		colon = memchr(line.p, ':', line.len);
		key.p = line.p;
		key.len = colon == NULL ? 0 : (size_t)(colon - line.p);
		for (i = 0; i < key.len; i++) {
			if (is_space((unsigned char)key.p[i]))
				break;
		}
		p = colon == NULL ? end : colon + 1;
		if (key.len == 0 || i != key.len ||
		    !field_next(&p, end, &num)) {
			return fail(cause, "/proc/meminfo: line %zu: expected "
			    "\"Key: value\", got \"%s\"", it.no,
			    span_excerpt(&ex, &line));
		}
		if ((why = span_int64(&num, PARSE_MEMINFO_MAX, &x)) != NULL) {
			return fail(cause, "/proc/meminfo: line %zu: %s \"%s\" "
			    "%s", it.no, span_excerpt(&kex, &key),
			    span_excerpt(&ex, &num), why);
		}
		if (field_next(&p, end, &unit) && !span_eq(&unit, "kB")) {
			return fail(cause, "/proc/meminfo: line %zu: unknown "
			    "unit \"%s\"", it.no, span_excerpt(&ex, &unit));
		}
		if (field_next(&p, end, &extra)) {
			return fail(cause, "/proc/meminfo: line %zu: "
			    "unexpected \"%s\"", it.no,
			    span_excerpt(&ex, &extra));
		}
		for (i = 0; i < MI_N; i++) {
			if (span_eq(&key, keys[i])) {
				v[i] = x;
				seen[i] = 1;
			}
		}
	}
	for (i = 0; i < sizeof required / sizeof *required; i++) {
		if (!seen[required[i]]) {
			return fail(cause, "/proc/meminfo: no %s",
			    keys[required[i]]);
		}
	}
	mi->total_kb = v[MI_TOTAL];
	if (seen[MI_AVAILABLE])
		mi->available_kb = v[MI_AVAILABLE];
	else {
		/* Before Linux 3.14; at most 3 << 60, so no overflow. */
		mi->available_kb = v[MI_FREE] +
		    (seen[MI_BUFFERS] ? v[MI_BUFFERS] : 0) +
		    (seen[MI_CACHED] ? v[MI_CACHED] : 0);
	}
	mi->swap_total_kb = v[MI_SWAPTOTAL];
	mi->swap_free_kb = v[MI_SWAPFREE];
	return 0;
}

/* A df number: digits, or "-" for -1. */
static const char *
df_number(const struct span *f, int64_t *out)
{
	if (span_eq(f, "-")) {
		*out = -1;
		return NULL;
	}
	return span_int64(f, INT64_MAX, out);
}

/* A df capacity: "17%" (0-100), or "-" for -1. */
static int
df_pct(const struct span *f, int *out)
{
	struct span	 digits = { f->p, f->len - 1 };
	int64_t		 v;

	if (span_eq(f, "-")) {
		*out = -1;
		return 0;
	}
	if (f->len < 2 || f->p[f->len - 1] != '%' ||
	    span_int64(&digits, 100, &v) != NULL)
		return -1;
	*out = (int)v;
	return 0;
}

/* Is fields[i] a capacity with three numbers before it? */
static int
df_numbers_at(const struct span *f, size_t i)
{
	int64_t	 v;
	int	 pct;

	return df_pct(&f[i], &pct) == 0 && df_number(&f[i - 1], &v) == NULL &&
	    df_number(&f[i - 2], &v) == NULL &&
	    df_number(&f[i - 3], &v) == NULL;
}

/*
 * The header: "Filesystem 1024-blocks Used Available Capacity Mounted
 * on" or "Filesystem Inodes IUsed IFree IUse% Mounted on". Sets *block
 * to the block size in bytes (0 for inodes).
 */
static int
df_header(const struct span *line, size_t no, int64_t *block, char **cause)
{
	struct span	 f[8], digits;
	struct excerpt	 ex;
	const char	*p = line->p, *end = line->p + line->len;
	size_t		 n = 0;

	while (n < 8 && field_next(&p, end, &f[n]))
		n++;
	if (n != 7 || !span_eq(&f[0], "Filesystem") ||
	    !span_eq(&f[5], "Mounted") || !span_eq(&f[6], "on")) {
		return fail(cause, "df: line %zu: expected the header "
		    "\"Filesystem ... Mounted on\", got \"%s\"", no,
		    span_excerpt(&ex, line));
	}
	if (span_eq(&f[1], "Inodes")) {
		*block = 0;
		return 0;
	}
	if (span_eq(&f[1], "1K-blocks")) {
		*block = 1024;
		return 0;
	}
	digits.p = f[1].p;
	digits.len = f[1].len > 7 ? f[1].len - 7 : 0;
	if (f[1].len <= 7 || memcmp(f[1].p + digits.len, "-blocks", 7) != 0 ||
	    span_int64(&digits, 1 << 30, block) != NULL || *block == 0) {
		return fail(cause, "df: line %zu: unknown size column \"%s\"",
		    no, span_excerpt(&ex, &f[1]));
	}
	return 0;
}

/* Converts a count of blocks to KiB, rounding up as df -k does. */
static int
df_scale(int64_t *v, int64_t block)
{
	if (block == 0 || block == 1024 || *v < 0)
		return 0;
	if (*v > (INT64_MAX - 1023) / block)
		return -1;
	*v = (*v * block + 1023) / 1024;
	return 0;
}

/* One row; the fields are f[0..n). */
static int
df_row(const struct span *line, size_t no, const struct span *f, size_t n,
    int64_t block, struct parse_df_row *row, char **cause)
{
	static const char *const what[] = {
		"size", "used", "available", "capacity"
	};
	struct excerpt	 ex;
	const char	*why = NULL;
	size_t		 i, j;
	int64_t		 v[3];

	if (n < 6) {
		return fail(cause, "df: line %zu: expected 6 fields, got %zu",
		    no, n);
	}
	/*
	 * The first capacity with three numbers before it and something
	 * after it: fields before are the filesystem (which may contain
	 * spaces), the rest of the line is the mount point (likewise).
	 */
	for (i = 4; i + 1 < n; i++) {
		if (df_numbers_at(f, i))
			break;
	}
	if (i + 1 == n) {
		/* Say what is wrong with the usual columns. */
		for (j = 1; j <= 3; j++) {
			if ((why = df_number(&f[j], &v[0])) != NULL)
				break;
		}
		if (why == NULL) {
			return fail(cause, "df: line %zu: capacity \"%s\" is "
			    "not a percentage", no, span_excerpt(&ex, &f[4]));
		}
		return fail(cause, "df: line %zu: %s \"%s\" %s", no,
		    what[j - 1], span_excerpt(&ex, &f[j]), why);
	}
	for (j = 0; j < 3; j++) {
		df_number(&f[i - 3 + j], &v[j]);
		if (df_scale(&v[j], block) != 0) {
			return fail(cause, "df: line %zu: %s \"%s\" is too "
			    "large", no, what[j], span_excerpt(&ex,
			    &f[i - 3 + j]));
		}
	}
	row->size = v[0];
	row->used = v[1];
	row->avail = v[2];
	df_pct(&f[i], &row->pct);
	row->fs = xstrndup(f[0].p,
	    (size_t)(f[i - 4].p + f[i - 4].len - f[0].p));
	row->mount = xstrndup(f[i + 1].p,
	    (size_t)(line->p + line->len - f[i + 1].p));
	return 0;
}

int
parse_df(const char *text, struct parse_df *df, char **cause)
{
	struct lines		 it;
	struct span		 line, *f = NULL;
	struct parse_df_row	 row;
	size_t			 cap = 0, n, alloc = 0;
	int64_t			 block = 1024;
	int			 header = 0;

	df->rows = NULL;
	df->n = 0;
	lines_init(&it, text);
	while (lines_next(&it, &line)) {
		if (line.len == 0)
			continue;
		if (!header) {
			if (df_header(&line, it.no, &block, cause) != 0)
				goto fail;
			header = 1;
			continue;
		}
		n = fields_split(line.p, line.p + line.len, &f, &cap);
		if (df_row(&line, it.no, f, n, block, &row, cause) != 0)
			goto fail;
		if (df->n == alloc) {
			alloc = alloc == 0 ? 8 : alloc * 2;
			df->rows = xreallocarray(df->rows, alloc,
			    sizeof *df->rows);
		}
		df->rows[df->n++] = row;
	}
	free(f);
	if (!header)
		return fail(cause, "df: no output");
	return 0;

fail:
	free(f);
	parse_df_free(df);
	return -1;
}

void
parse_df_free(struct parse_df *df)
{
	size_t	 i;

	if (df == NULL)
		return;
	for (i = 0; i < df->n; i++) {
		free(df->rows[i].fs);
		free(df->rows[i].mount);
	}
	free(df->rows);
	df->rows = NULL;
	df->n = 0;
}

const struct parse_df_row *
parse_df_find(const struct parse_df *df, const char *mount)
{
	size_t	 i;

	if (df == NULL || mount == NULL)
		return NULL;
	/* The last one wins: a later mount on the same point hides it. */
	for (i = df->n; i > 0; i--) {
		if (strcmp(df->rows[i - 1].mount, mount) == 0)
			return &df->rows[i - 1];
	}
	return NULL;
}

enum parse_svc
parse_systemctl_active(const char *word)
{
	static const struct {
		const char	*word;
		enum parse_svc	 svc;
	} words[] = {
		{ "active", PARSE_SVC_ACTIVE },
		{ "inactive", PARSE_SVC_INACTIVE },
		{ "failed", PARSE_SVC_FAILED },
		{ "activating", PARSE_SVC_ACTIVATING },
		{ "deactivating", PARSE_SVC_ACTIVATING },
		{ "reloading", PARSE_SVC_ACTIVATING },
		{ "refreshing", PARSE_SVC_ACTIVATING },
	};
	struct span	 w, extra;
	const char	*p, *end;
	size_t		 i;

	if (word == NULL)
		return PARSE_SVC_UNKNOWN;
	p = word;
	end = word + strlen(word);
	if (!field_next(&p, end, &w) || field_next(&p, end, &extra))
		return PARSE_SVC_UNKNOWN;
	for (i = 0; i < sizeof words / sizeof *words; i++) {
		if (span_eq(&w, words[i].word))
			return words[i].svc;
	}
	return PARSE_SVC_UNKNOWN;
}

const char *
parse_svc_name(enum parse_svc svc)
{
	switch (svc) {
	case PARSE_SVC_ACTIVE:
		return "active";
	case PARSE_SVC_INACTIVE:
		return "inactive";
	case PARSE_SVC_FAILED:
		return "failed";
	case PARSE_SVC_ACTIVATING:
		return "activating";
	case PARSE_SVC_UNKNOWN:
		break;
	}
	return "unknown";
}

/* Two digits at p as a number no larger than max, or -1. */
static int
two_digits(const char *p, int max)
{
	int	 v;

	if (!is_digit((unsigned char)p[0]) || !is_digit((unsigned char)p[1]))
		return -1;
	v = (p[0] - '0') * 10 + (p[1] - '0');
	return v <= max ? v : -1;
}

/* "MM/DD/YYYY" then "HH:MM:SS" as two fields. */
static int
autorep_date(const struct span *date, const struct span *time)
{
	const char	*d = date->p, *t = time->p;
	int		 i;

	if (date->len != 10 || time->len != 8 || d[2] != '/' || d[5] != '/' ||
	    t[2] != ':' || t[5] != ':')
		return -1;
	for (i = 6; i < 10; i++) {
		if (!is_digit((unsigned char)d[i]))
			return -1;
	}
	if (two_digits(d, 12) < 1 || two_digits(d + 3, 31) < 1 ||
	    two_digits(t, 23) < 0 || two_digits(t + 3, 59) < 0 ||
	    two_digits(t + 6, 60) < 0)
		return -1;
	return 0;
}

/* "-----" or a date and time from f[*i]; fills out[20]. */
static int
autorep_when(const struct span *f, size_t n, size_t *i, char *out)
{
	if (*i < n && span_eq(&f[*i], "-----")) {
		out[0] = '\0';
		(*i)++;
		return 0;
	}
	if (*i + 1 >= n || autorep_date(&f[*i], &f[*i + 1]) != 0)
		return -1;
	memcpy(out, f[*i].p, 10);
	out[10] = ' ';
	memcpy(out + 11, f[*i + 1].p, 8);
	out[19] = '\0';
	*i += 2;
	return 0;
}

/* "12345/1": run number and try. */
static int
autorep_run(const struct span *f)
{
	const char	*slash = memchr(f->p, '/', f->len);
	struct span	 a, b;
	int64_t		 v;

	if (slash == NULL)
		return -1;
	a.p = f->p;
	a.len = (size_t)(slash - f->p);
	b.p = slash + 1;
	b.len = f->len - a.len - 1;
	if (span_int64(&a, INT64_MAX, &v) != NULL ||
	    span_int64(&b, INT64_MAX, &v) != NULL)
		return -1;
	return 0;
}

/* What stood where a date was expected: up to two fields. */
static const char *
autorep_got(struct excerpt *ex, const struct span *f, size_t n, size_t i)
{
	if (i >= n)
		return "";
	if (i + 1 == n)
		return span_excerpt(ex, &f[i]);
	return excerpt(ex, f[i].p,
	    (size_t)(f[i + 1].p + f[i + 1].len - f[i].p));
}

static int
autorep_row(const struct span *line, size_t no, struct span **fp,
    size_t *cap, struct parse_job *job, char **cause)
{
	struct excerpt	 ex;
	struct span	*f;
	const char	*why;
	size_t		 n, i, depth = 0;

	memset(job, 0, sizeof *job);
	while (depth < line->len && line->p[depth] == ' ')
		depth++;
	if (depth > PARSE_AUTOREP_DEPTH) {
		return fail(cause, "autorep: line %zu: indented more than %d "
		    "levels", no, PARSE_AUTOREP_DEPTH);
	}
	n = fields_split(line->p, line->p + line->len, fp, cap);
	f = *fp;
	if (n < 4) {
		return fail(cause, "autorep: line %zu: expected job name, "
		    "last start, last end and status, got \"%s\"", no,
		    span_excerpt(&ex, line));
	}
	if (f[0].len >= sizeof job->name) {
		return fail(cause, "autorep: line %zu: job name \"%s\" is "
		    "longer than %zu characters", no, span_excerpt(&ex, &f[0]),
		    sizeof job->name - 1);
	}
	memcpy(job->name, f[0].p, f[0].len);
	job->depth = (int)depth;
	i = 1;
	if (autorep_when(f, n, &i, job->last_start) != 0) {
		return fail(cause, "autorep: line %zu: last start: expected "
		    "\"MM/DD/YYYY HH:MM:SS\" or \"-----\", got \"%s\"", no,
		    autorep_got(&ex, f, n, i));
	}
	if (autorep_when(f, n, &i, job->last_end) != 0) {
		return fail(cause, "autorep: line %zu: last end: expected "
		    "\"MM/DD/YYYY HH:MM:SS\" or \"-----\", got \"%s\"", no,
		    autorep_got(&ex, f, n, i));
	}
	if (i == n || f[i].len != 2 || !is_upper((unsigned char)f[i].p[0]) ||
	    !is_upper((unsigned char)f[i].p[1])) {
		return fail(cause, "autorep: line %zu: expected a status code, "
		    "got \"%s\"", no, i < n ? span_excerpt(&ex, &f[i]) : "");
	}
	memcpy(job->status, f[i].p, 2);
	job->exit_code = -1;
	if (++i == n)
		return 0;
	if (autorep_run(&f[i]) != 0) {
		return fail(cause, "autorep: line %zu: run: expected "
		    "\"RUN/NTRY\", got \"%s\"", no, span_excerpt(&ex, &f[i]));
	}
	if (++i == n)
		return 0;
	if ((why = span_int(&f[i], &job->exit_code)) != NULL) {
		return fail(cause, "autorep: line %zu: exit code \"%s\" %s", no,
		    span_excerpt(&ex, &f[i]), why);
	}
	if (++i != n) {
		return fail(cause, "autorep: line %zu: unexpected \"%s\" after "
		    "the exit code", no, span_excerpt(&ex, &f[i]));
	}
	return 0;
}

/* A line of only '_' and blanks (at least one '_'). */
static int
autorep_underline(const struct span *line)
{
	size_t	 i;
	int	 any = 0;

	for (i = 0; i < line->len; i++) {
		if (line->p[i] == '_')
			any = 1;
		else if (!is_blank((unsigned char)line->p[i]))
			return 0;
	}
	return any;
}

int
parse_autorep(const char *text, struct parse_jobs *jobs, char **cause)
{
	struct lines		 it;
	struct span		 line, *f = NULL, first;
	struct excerpt		 ex;
	struct parse_job	 job;
	const char		*p;
	size_t			 cap = 0, alloc = 0;
	int			 header = 0;

	jobs->jobs = NULL;
	jobs->n = 0;
	lines_init(&it, text);
	while (lines_next(&it, &line)) {
		p = line.p;
		if (!field_next(&p, line.p + line.len, &first))
			continue;
		if (first.p == line.p && span_eq(&first, "Job") &&
		    at_word(&p, line.p + line.len, "Name")) {
			header = 1;
			continue;
		}
		if (autorep_underline(&line))
			continue;
		/*
		 * autorep's messages: CAUAJM_I_ and _W_ are skipped; of the
		 * errors, "CAUAJM_E_50111 Invalid Job Name: X" is how it says
		 * nothing matched (an empty listing), the rest are failures.
		 */
		if (first.len > 9 && memcmp(first.p, "CAUAJM_", 7) == 0) {
			if (span_eq(&first, "CAUAJM_E_50111")) {
				header = 1;
				continue;
			}
			if (first.p[7] != 'E')
				continue;
			fail(cause, "autorep: line %zu: %s", it.no,
			    excerpt_max(&ex, first.p,
			    (size_t)(line.p + line.len - first.p),
			    EXCERPT_LONG));
			goto fail;
		}
		if (autorep_row(&line, it.no, &f, &cap, &job, cause) != 0)
			goto fail;
		if (jobs->n == alloc) {
			alloc = alloc == 0 ? 16 : alloc * 2;
			jobs->jobs = xreallocarray(jobs->jobs, alloc,
			    sizeof *jobs->jobs);
		}
		jobs->jobs[jobs->n++] = job;
	}
	free(f);
	if (!header && jobs->n == 0)
		return fail(cause, "autorep: no output");
	return 0;

fail:
	free(f);
	parse_jobs_free(jobs);
	return -1;
}

void
parse_jobs_free(struct parse_jobs *jobs)
{
	if (jobs == NULL)
		return;
	free(jobs->jobs);
	jobs->jobs = NULL;
	jobs->n = 0;
}

const char *
parse_job_status_name(const char *code)
{
	static const struct {
		const char	*code;
		const char	*name;
	} codes[] = {
		{ "AC", "activated" },
		{ "FA", "failure" },
		{ "IN", "inactive" },
		{ "NE", "on no-exec" },
		{ "OH", "on hold" },
		{ "OI", "on ice" },
		{ "PE", "pending machine" },
		{ "QU", "queue wait" },
		{ "RD", "refresh dependencies" },
		{ "RE", "restart" },
		{ "RF", "refresh filewatcher" },
		{ "RU", "running" },
		{ "RW", "resource wait" },
		{ "SP", "suspended" },
		{ "ST", "starting" },
		{ "SU", "success" },
		{ "TE", "terminated" },
		{ "WA", "wait reply" },
	};
	size_t	 i;

	if (code == NULL)
		return "unknown";
	for (i = 0; i < sizeof codes / sizeof *codes; i++) {
		if (strcmp(code, codes[i].code) == 0)
			return codes[i].name;
	}
	return "unknown";
}

int
parse_job_failed(const char *code)
{
	return code != NULL && (strcmp(code, "FA") == 0 ||
	    strcmp(code, "TE") == 0);
}

/* "[[DD-]hh:]mm:ss" */
static int
ps_etime(const struct span *f)
{
	const char	*p = f->p, *end = f->p + f->len, *dash;
	int		 groups = 0;

	if ((dash = memchr(p, '-', f->len)) != NULL) {
		if (dash == p)
			return -1;
		for (; p < dash; p++) {
			if (!is_digit((unsigned char)*p))
				return -1;
		}
		p++;
	}
	for (;;) {
		if (end - p < 2 || two_digits(p, groups == 0 && dash != NULL ?
		    23 : 59) < 0)
			return -1;
		p += 2;
		groups++;
		if (p == end)
			break;
		if (*p++ != ':' || groups == 3)
			return -1;
	}
	return groups >= 2 && (dash == NULL || groups == 3) ? 0 : -1;
}

static int
is_utf8_cont(int c)
{
	return (c & 0xc0) == 0x80;
}

/*
 * Copies s into out[size], cut to fit but not inside a UTF-8 character:
 * at most 3 bytes back, as further back it is not UTF-8 anyway.
 */
static void
copy_cut(char *out, size_t size, const char *s, size_t len)
{
	size_t	 cut;

	if (len >= size) {
		len = cut = size - 1;
		while (len > 0 && cut - len < 3 &&
		    is_utf8_cont((unsigned char)s[len]))
			len--;
		if (is_utf8_cont((unsigned char)s[len]))
			len = cut;
	}
	memcpy(out, s, len);
	out[len] = '\0';
}

static int
ps_header(const struct span *line, size_t no, char **cause)
{
	static const char *const cols[] = {
		"PID", "USER", "%CPU", "%MEM", "RSS", "ELAPSED"
	};
	struct span	 f;
	struct excerpt	 ex;
	const char	*p = line->p, *end = line->p + line->len;
	size_t		 i;

	for (i = 0; i < 6; i++) {
		if (!field_next(&p, end, &f) || !span_eq(&f, cols[i]))
			break;
	}
	if (i == 6 && field_next(&p, end, &f) && (span_eq(&f, "COMMAND") ||
	    span_eq(&f, "COMM")) && !field_next(&p, end, &f))
		return 0;
	return fail(cause, "ps: line %zu: expected the header \"PID USER %%CPU "
	    "%%MEM RSS ELAPSED COMMAND\", got \"%s\"", no,
	    span_excerpt(&ex, line));
}

static int
ps_row(const struct span *line, size_t no, struct parse_ps_row *row,
    char **cause)
{
	struct span	 f[6], rest;
	struct excerpt	 ex;
	const char	*p = line->p, *end = line->p + line->len, *why;
	int64_t		 pid;
	size_t		 n = 0;

	memset(row, 0, sizeof *row);
	while (n < 6 && field_next(&p, end, &f[n]))
		n++;
	if (n < 6 || !field_next(&p, end, &rest)) {
		p = line->p;
		for (n = 0; field_next(&p, end, &rest); n++)
			/* count */;
		return fail(cause, "ps: line %zu: expected 7 fields, got %zu",
		    no, n);
	}
	if ((why = span_int64(&f[0], INT_MAX, &pid)) != NULL) {
		return fail(cause, "ps: line %zu: pid \"%s\" %s", no,
		    span_excerpt(&ex, &f[0]), why);
	}
	row->pid = (int)pid;
	copy_cut(row->user, sizeof row->user, f[1].p, f[1].len);
	if ((why = span_decimal(&f[2], &row->cpu)) != NULL) {
		return fail(cause, "ps: line %zu: %%cpu \"%s\" %s", no,
		    span_excerpt(&ex, &f[2]), why);
	}
	if ((why = span_decimal(&f[3], &row->mem)) != NULL) {
		return fail(cause, "ps: line %zu: %%mem \"%s\" %s", no,
		    span_excerpt(&ex, &f[3]), why);
	}
	if ((why = span_int64(&f[4], INT64_MAX, &row->rss_kb)) != NULL) {
		return fail(cause, "ps: line %zu: rss \"%s\" %s", no,
		    span_excerpt(&ex, &f[4]), why);
	}
	if (f[5].len >= sizeof row->etime || ps_etime(&f[5]) != 0) {
		return fail(cause, "ps: line %zu: elapsed time \"%s\" is not "
		    "[[DD-]hh:]mm:ss", no, span_excerpt(&ex, &f[5]));
	}
	memcpy(row->etime, f[5].p, f[5].len);
	/* The command is the rest of the line, spaces and all. */
	copy_cut(row->command, sizeof row->command, rest.p,
	    (size_t)(end - rest.p));
	return 0;
}

int
parse_ps(const char *text, struct parse_ps *ps, char **cause)
{
	struct lines		 it;
	struct span		 line;
	struct parse_ps_row	 row;
	size_t			 alloc = 0;
	int			 header = 0;

	ps->rows = NULL;
	ps->n = 0;
	lines_init(&it, text);
	while (lines_next(&it, &line)) {
		if (line.len == 0)
			continue;
		if (!header) {
			if (ps_header(&line, it.no, cause) != 0)
				goto fail;
			header = 1;
			continue;
		}
		if (ps_row(&line, it.no, &row, cause) != 0)
			goto fail;
		if (ps->n == alloc) {
			alloc = alloc == 0 ? 64 : alloc * 2;
			ps->rows = xreallocarray(ps->rows, alloc,
			    sizeof *ps->rows);
		}
		ps->rows[ps->n++] = row;
	}
	if (!header)
		return fail(cause, "ps: no output");
	return 0;

fail:
	parse_ps_free(ps);
	return -1;
}

void
parse_ps_free(struct parse_ps *ps)
{
	if (ps == NULL)
		return;
	free(ps->rows);
	ps->rows = NULL;
	ps->n = 0;
}

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
	if ((t->hour = two_digits(p, 23)) < 0 || p[2] != ':' ||
	    (t->min = two_digits(p + 3, 59)) < 0 || p[5] != ':' ||
	    (t->sec = two_digits(p + 6, 60)) < 0)
		return NULL;
	p += 8;
	if ((*p == '.' || *p == ',') && is_digit((unsigned char)p[1])) {
		for (p++; is_digit((unsigned char)*p); p++)
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
		if (!is_digit((unsigned char)p[i]))
			return -1;
	}
	t.year = (p[0] - '0') * 1000 + (p[1] - '0') * 100 +
	    (p[2] - '0') * 10 + (p[3] - '0');
	if (p[4] != '-' || (t.mon = two_digits(p + 5, 12)) < 0 ||
	    p[7] != '-' || (t.day = two_digits(p + 8, 31)) < 0 ||
	    (p[10] != 'T' && p[10] != 't' && p[10] != ' ') ||
	    (p = read_hms(p + 11, &t)) == NULL || !tm_valid(&t))
		return -1;
	if (*p == 'Z' || *p == 'z') {
		off = 0;
		p++;
	} else if ((*p == '+' || *p == '-') && (oh = two_digits(p + 1,
	    23)) >= 0) {
		sign = *p == '-' ? -1 : 1;
		p += 3;
		if (*p == ':' && (om = two_digits(p + 1, 59)) >= 0)
			p += 3;
		else if ((om = two_digits(p, 59)) >= 0)
			p += 2;
		else
			om = 0;
		off = sign * (oh * 3600 + om * 60);
	} else if (p[0] == ' ' && (strncmp(p + 1, "UTC", 3) == 0 ||
	    strncmp(p + 1, "GMT", 3) == 0) && !is_alnum((unsigned char)p[4])) {
		off = 0;	/* PostgreSQL: "2026-11-22 07:00:01.123 UTC" */
		p += 4;
	}
	if (is_digit((unsigned char)*p))
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
		if (!is_alpha((unsigned char)p[i]))
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
	if (!is_digit((unsigned char)*p))
		return -1;
	t.day = *p++ - '0';
	if (is_digit((unsigned char)*p))
		t.day = t.day * 10 + (*p++ - '0');
	if (*p++ != ' ' || (p = read_hms(p, &t)) == NULL ||
	    is_digit((unsigned char)*p))
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
	while (is_blank((unsigned char)*p))
		p++;
	if (*p == '[')
		p++;
	if (read_iso(p, tz_offset_s, when) == 0)
		return 0;
	if (read_syslog(p, now, tz_offset_s, when) == 0)
		return 0;

	/* logfmt: a ts= or time= word anywhere, maybe quoted. */
	for (p = line; *p != '\0'; p++) {
		if (p != line && !is_blank((unsigned char)p[-1]))
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

/*
 * The reading primitives every parser of remote command output shares
 * (declared in parse_int.h; the parsers are parse_*.c, one per format).
 * Everything works on spans of the caller's NUL-terminated text: no line
 * is copied into a fixed buffer, numbers are read by hand (no locale, no
 * strtod), and each step checks where it is before it looks at the next
 * byte, so hostile or truncated input can only be refused. Tested on
 * captured outputs by tests/unit/test-parse.c, fuzzed by
 * tests/fuzz/fuzz-parse.c.
 */

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "parse_int.h"
#include "xmalloc.h"

/* A decimal with more digits is refused rather than rounded. */
#define PARSE_DECIMAL_DIGITS	18

int
parse_fail(char **cause, const char *fmt, ...)
{
	va_list	 ap;

	if (cause != NULL) {
		va_start(ap, fmt);
		xvasprintf(cause, fmt, ap);
		va_end(ap);
	}
	return -1;
}

int
parse_is_digit(int c)
{
	return c >= '0' && c <= '9';
}

int
parse_is_blank(int c)
{
	return c == ' ' || c == '\t';
}

int
parse_is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
	    c == '\f';
}

int
parse_is_upper(int c)
{
	return c >= 'A' && c <= 'Z';
}

int
parse_is_alpha(int c)
{
	return parse_is_upper(c) || (c >= 'a' && c <= 'z');
}

int
parse_is_alnum(int c)
{
	return parse_is_digit(c) || parse_is_alpha(c);
}

/* Runs of blanks (column padding) read as one space. */
const char *
parse_excerpt_max(struct excerpt *ex, const char *p, size_t len, size_t max)
{
	size_t		 i = 0, n = 0;
	unsigned char	 c;

	while (i < len && n < max) {
		c = (unsigned char)p[i++];
		if (parse_is_blank(c)) {
			while (i < len && parse_is_blank((unsigned char)p[i]))
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

const char *
parse_excerpt(struct excerpt *ex, const char *p, size_t len)
{
	return parse_excerpt_max(ex, p, len, EXCERPT_MAX);
}

const char *
parse_span_excerpt(struct excerpt *ex, const struct span *s)
{
	return parse_excerpt(ex, s->p, s->len);
}

int
parse_span_eq(const struct span *s, const char *word)
{
	size_t	 n = strlen(word);

	return s->len == n && memcmp(s->p, word, n) == 0;
}

void
parse_lines_init(struct lines *it, const char *text)
{
	it->next = text;
	it->no = 0;
}

/* The next line, right-trimmed (so CRLF reads as LF); 0 at the end. */
int
parse_lines_next(struct lines *it, struct span *line)
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
	while (len > 0 && parse_is_space((unsigned char)p[len - 1]))
		len--;
	it->no++;
	line->p = p;
	line->len = len;
	return 1;
}

/* The next run of non-blank bytes from *pp up to end; 0 if none. */
int
parse_field_next(const char **pp, const char *end, struct span *f)
{
	const char	*p = *pp;

	while (p < end && parse_is_space((unsigned char)*p))
		p++;
	if (p == end)
		return 0;
	f->p = p;
	while (p < end && !parse_is_space((unsigned char)*p))
		p++;
	f->len = (size_t)(p - f->p);
	*pp = p;
	return 1;
}

/* Splits [p, end) into fields, growing *fields; returns the count. */
size_t
parse_fields_split(const char *p, const char *end, struct span **fields,
    size_t *cap)
{
	struct span	 f;
	size_t		 n = 0;

	while (parse_field_next(&p, end, &f)) {
		if (n == *cap) {
			*cap = *cap == 0 ? 16 : *cap * 2;
			*fields = xreallocarray(*fields, *cap, sizeof **fields);
		}
		(*fields)[n++] = f;
	}
	return n;
}

/* Reads digits as an int64 no larger than max; NULL or why not. */
const char *
parse_span_int64(const struct span *f, int64_t max, int64_t *out)
{
	int64_t	 v = 0;
	size_t	 i;
	int	 d;

	if (f->len == 0)
		return "is not a number";
	for (i = 0; i < f->len; i++) {
		if (!parse_is_digit((unsigned char)f->p[i]))
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
const char *
parse_span_int(const struct span *f, int *out)
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
	if ((why = parse_span_int64(&digits, INT_MAX, &v)) != NULL)
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
int
parse_read_decimal(const char **pp, const char *end, int comma_ok, double *out)
{
	const char	*p = *pp;
	int64_t		 mant = 0;
	double		 scale = 1;
	int		 ndigits = 0;

	while (p < end && parse_is_digit((unsigned char)*p)) {
		if (++ndigits > PARSE_DECIMAL_DIGITS)
			return -1;
		mant = mant * 10 + (*p++ - '0');
	}
	if (ndigits == 0)
		return -1;
	if (p + 1 < end && (*p == '.' || (comma_ok && *p == ',')) &&
	    parse_is_digit((unsigned char)p[1])) {
		p++;
		while (p < end && parse_is_digit((unsigned char)*p)) {
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
const char *
parse_span_decimal(const struct span *f, double *out)
{
	const char	*p = f->p, *end = f->p + f->len;

	if (parse_read_decimal(&p, end, 0, out) != 0 || p != end)
		return "is not a number";
	return NULL;
}

/* Skips blanks; true if p then starts with word (not a longer word). */
int
parse_at_word(const char **pp, const char *end, const char *word)
{
	const char	*p = *pp;
	size_t		 n = strlen(word);

	while (p < end && parse_is_blank((unsigned char)*p))
		p++;
	if ((size_t)(end - p) < n || memcmp(p, word, n) != 0)
		return 0;
	if (p + n < end && parse_is_alnum((unsigned char)p[n]))
		return 0;
	*pp = p + n;
	return 1;
}

/* Two digits at p as a number no larger than max, or -1. */
int
parse_two_digits(const char *p, int max)
{
	int	 v;

	if (!parse_is_digit((unsigned char)p[0]) ||
	    !parse_is_digit((unsigned char)p[1]))
		return -1;
	v = (p[0] - '0') * 10 + (p[1] - '0');
	return v <= max ? v : -1;
}

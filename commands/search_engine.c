/*
 * What the log engines' parsers share (search_engine.h): the result
 * list with its cap, the engine's error, time stamps, and the binding
 * of a named search's values into its query.
 */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "search_engine.h"
#include "xmalloc.h"

const struct log_engine_ops *
search_engine_ops(const struct cfg_log_engine *le)
{
	return le->kind == LOGENG_LOKI ? &search_loki_ops : &search_splunk_ops;
}

void
search_results_init(struct log_results *r, size_t max)
{
	memset(r, 0, sizeof *r);
	r->max = max;
	buf_init(&r->pending);
}

void
search_results_free(struct log_results *r)
{
	size_t	 i;

	for (i = 0; i < r->n; i++)
		free(r->v[i].text);
	free(r->v);
	free(r->error);
	buf_release(&r->pending);
	memset(r, 0, sizeof *r);
}

/* Bytes of the well-formed UTF-8 character at s (RFC 3629), or 0. */
static size_t
utf8_char_len(const unsigned char *s)
{
	size_t	 n, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 0;
	for (i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;	/* also stops at the NUL */
	/* Overlong, surrogate and past U+10FFFF forms. */
	if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] > 0x9f) ||
	    (s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] > 0x8f))
		return 0;
	return n;
}

void
search_clean_utf8(char *s)
{
	unsigned char	*p = (unsigned char *)s;
	size_t		 n;

	while (*p != '\0') {
		if ((n = utf8_char_len(p)) == 0) {
			*p++ = '?';
			continue;
		}
		p += n;
	}
}

int
search_results_add(struct log_results *r, int64_t ts_ms, const char *text,
    size_t len)
{
	if (r->n >= r->max) {
		r->more = 1;
		return 1;
	}
	if (len > LOGS_TEXT_MAX) {
		len = LOGS_TEXT_MAX;
		/* Not in the middle of a UTF-8 character. */
		while (len > 0 && ((unsigned char)text[len] & 0xc0) == 0x80)
			len--;
	}
	if (r->n == r->cap) {
		r->cap = r->cap == 0 ? 16 : r->cap * 2;
		r->v = xreallocarray(r->v, r->cap, sizeof *r->v);
	}
	r->v[r->n].ts_ms = ts_ms;
	r->v[r->n].text = xstrndup(text, len);
	search_clean_utf8(r->v[r->n++].text);
	return 0;
}

void
search_results_error(struct log_results *r, const char *fmt, ...)
{
	va_list	 ap;
	char	*s;

	if (r->error != NULL)
		return;
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) == -1)
		s = NULL;
	va_end(ap);
	r->error = s != NULL ? s : xstrdup("(no memory for the error)");
}

char *
search_line_text(const char *text, size_t chars)
{
	const unsigned char	*p = (const unsigned char *)text;
	struct buf		 b;
	size_t			 n = 0;

	buf_init(&b);
	for (; *p != '\0'; p++) {
		if ((*p & 0xc0) != 0x80 && n++ == chars) {
			buf_adds(&b, "\xe2\x80\xa6");		/* … */
			break;
		}
		if (*p < 0x20 || *p == 0x7f)
			buf_addc(&b, ' ');
		else if (*p == '`' && p[1] == '`')
			buf_adds(&b, "`\xe2\x80\x8b");	/* U+200B */
		else
			buf_addc(&b, (char)*p);
	}
	return buf_detach(&b);
}

static int
search_line_cmp(const void *a, const void *b)
{
	const struct log_line	*x = a, *y = b;

	if (x->ts_ms != y->ts_ms)
		return x->ts_ms < y->ts_ms ? 1 : -1;
	/* Equal times keep the engine's order (pointers into one array). */
	return x < y ? -1 : x > y;
}

void
search_results_sort(struct log_results *r)
{
	if (r->n > 1)
		qsort(r->v, r->n, sizeof *r->v, search_line_cmp);
}

/* n digits at s as a number, or -1. */
static int
digits(const char *s, int n)
{
	int	 v = 0, i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
	int64_t	 era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

int64_t
search_parse_iso_time(const char *s)
{
	int	 y, mo, d, h, mi, sec, ms = 0, sign, oh, om, n;
	int64_t	 t;

	if (s == NULL || strlen(s) < 19 || s[4] != '-' || s[7] != '-' ||
	    (s[10] != 'T' && s[10] != ' ') || s[13] != ':' || s[16] != ':')
		return 0;
	y = digits(s, 4);
	mo = digits(s + 5, 2);
	d = digits(s + 8, 2);
	h = digits(s + 11, 2);
	mi = digits(s + 14, 2);
	sec = digits(s + 17, 2);
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 ||
	    h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 60)
		return 0;
	s += 19;
	if (*s == '.') {
		for (s++, n = 0; *s >= '0' && *s <= '9'; s++, n++) {
			if (n < 3)
				ms = ms * 10 + (*s - '0');
		}
		for (; n > 0 && n < 3; n++)
			ms *= 10;
	}
	t = ((days_from_civil(y, mo, d) * 24 + h) * 60 + mi) * 60 + sec;
	if (*s == '+' || *s == '-') {
		sign = *s == '-' ? -1 : 1;
		/* The hours first: s[3] is only there after two digits. */
		if ((oh = digits(s + 1, 2)) < 0)
			return 0;
		om = digits(s + (s[3] == ':' ? 4 : 3), 2);
		if (om < 0)
			return 0;
		/* Local time = UTC + offset. */
		t -= sign * (oh * 3600 + om * 60);
	} else if (*s != 'Z' && *s != '\0')
		return 0;
	return t * 1000 + ms;
}

char *
search_bind_query(const struct cfg_search *s, char *const *values)
{
	const struct cfg_cparam	*p;
	struct buf		 b;
	size_t			 i;

	buf_init(&b);
	for (i = 0; i < s->q.nparts; i++) {
		if (s->q.parts[i].param < 0) {
			buf_adds(&b, s->q.parts[i].text);
			continue;
		}
		p = &s->q.params[s->q.parts[i].param];
		/* Checked digits already (config_custom_bind): no quotes. */
		if (p->type == CPARAM_INT || p->type == CPARAM_DURATION)
			buf_adds(&b, values[s->q.parts[i].param]);
		else
			escape_query_string(&b, values[s->q.parts[i].param]);
	}
	return buf_detach(&b);
}

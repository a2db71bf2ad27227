/* Load and uptime: /proc/loadavg, /proc/uptime and the uptime(1) line. */

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "parse_int.h"

/* Splits the whole of text into fields; for the one-line /proc files. */
static size_t
text_fields(const char *text, struct span *f, size_t max)
{
	const char	*p = text, *end = text + strlen(text);
	struct span	 s;
	size_t		 n = 0;

	while (parse_field_next(&p, end, &s)) {
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
		return parse_fail(cause, "/proc/loadavg: expected 5 fields, "
		    "got %zu", n);
	}
	for (i = 0; i < 3; i++) {
		if ((why = parse_span_decimal(&f[i], &v[i])) != NULL) {
			return parse_fail(cause, "/proc/loadavg: %s \"%s\" %s",
			    what[i], parse_span_excerpt(&ex, &f[i]), why);
		}
	}
	p = f[3].p;
	end = f[3].p + f[3].len;
	while (p < end && parse_is_digit((unsigned char)*p))
		p++;
	if (p == f[3].p || p == end || *p != '/' || p + 1 == end)
		p = NULL;
	else {
		for (p++; p < end && parse_is_digit((unsigned char)*p); p++)
			/* nothing */;
	}
	if (p != end) {
		return parse_fail(cause, "/proc/loadavg: expected "
		    "running/total tasks, got \"%s\"", parse_span_excerpt(&ex,
		    &f[3]));
	}
	if ((why = parse_span_int64(&f[4], INT_MAX, &x)) != NULL) {
		return parse_fail(cause, "/proc/loadavg: last pid \"%s\" %s",
		    parse_span_excerpt(&ex, &f[4]), why);
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
		return parse_fail(cause, "/proc/uptime: expected 2 fields, got "
		    "%zu", n);
	}
	if ((why = parse_span_decimal(&f[0], &up)) != NULL) {
		return parse_fail(cause, "/proc/uptime: uptime \"%s\" %s",
		    parse_span_excerpt(&ex, &f[0]), why);
	}
	if ((why = parse_span_decimal(&f[1], &idle)) != NULL) {
		return parse_fail(cause, "/proc/uptime: idle time \"%s\" %s",
		    parse_span_excerpt(&ex, &f[1]), why);
	}
	*secs = up;
	return 0;
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
		while (p < end && parse_is_blank((unsigned char)*p))
			p++;
		if (i > 0 && p < end && *p == ',') {
			p++;
			while (p < end && parse_is_blank((unsigned char)*p))
				p++;
		}
		/* A ',' decimal point too: LC_NUMERIC=de_DE prints "0,52". */
		if (parse_read_decimal(&p, end, 1, &v[i]) != 0) {
			return parse_fail(cause, "uptime: load average: "
			    "expected 3 numbers, got \"%s\"", parse_excerpt(&ex,
			    p, (size_t)(end - p)));
		}
	}
	while (p < end && parse_is_blank((unsigned char)*p))
		p++;
	if (p != end) {
		return parse_fail(cause, "uptime: unexpected \"%s\" after the "
		    "load average", parse_excerpt(&ex, p, (size_t)(end - p)));
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

	if (!parse_field_next(&p, end, &num))
		return -1;
	if ((colon = memchr(num.p, ':', num.len)) != NULL) {
		struct span	 hs = { num.p, (size_t)(colon - num.p) };
		struct span	 ms = { colon + 1,
				     num.len - (size_t)(colon + 1 - num.p) };

		if (parse_field_next(&p, end, &unit))
			return -1;
		if (parse_span_int64(&hs, 23, &h) != NULL || ms.len != 2 ||
		    parse_span_int64(&ms, 59, &m) != NULL)
			return -1;
		*secs += h * 3600 + m * 60;
		return 0;
	}
	if (parse_span_int64(&num, 10000000, &n) != NULL)
		return -1;
	if (!parse_field_next(&p, end, &unit) ||
	    parse_field_next(&p, end, &num))
		return -1;
	for (i = 0; i < sizeof units / sizeof *units; i++) {
		if (parse_span_eq(&unit, units[i].unit)) {
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

	return parse_field_next(&p, end, &num) &&
	    parse_span_int64(&num, INT_MAX, &n) == NULL &&
	    parse_field_next(&p, end, &word) &&
	    (parse_span_eq(&word, "user") || parse_span_eq(&word, "users")) &&
	    !parse_field_next(&p, end, &word);
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
	parse_lines_init(&it, text);
	do {
		if (!parse_lines_next(&it, &line))
			return parse_fail(cause, "uptime: no output");
	} while (line.len == 0);
	while (parse_lines_next(&it, &extra)) {
		if (extra.len != 0) {
			return parse_fail(cause, "uptime: line %zu: unexpected "
			    "\"%s\"", it.no, parse_span_excerpt(&ex, &extra));
		}
	}

	/* " 10:22:01 up ..." (procps), "10:22  up ..." (BSD). */
	end = line.p + line.len;
	for (p = line.p; p < end; p++) {
		if ((p == line.p || parse_is_blank((unsigned char)p[-1])) &&
		    parse_at_word(&p, end, "up")) {
			found = 1;
			break;
		}
	}
	if (!found) {
		return parse_fail(cause, "uptime: no \"up\" in \"%s\"",
		    parse_span_excerpt(&ex, &line));
	}

	for (;;) {
		while (p < end && parse_is_blank((unsigned char)*p))
			p++;
		if (parse_at_word(&p, end, "load")) {
			if (!parse_at_word(&p, end, "average") &&
			    !parse_at_word(&p, end, "averages"))
				break;
			if (p == end || *p != ':')
				break;
			if (nparts == 0) {
				return parse_fail(cause, "uptime: no time "
				    "after \"up\"");
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
			return parse_fail(cause, "uptime: cannot read \"%s\"",
			    parse_span_excerpt(&ex, &part));
		} else
			nparts++;
		p = comma == end ? end : comma + 1;
	}
	return parse_fail(cause, "uptime: no load average in \"%s\"",
	    parse_span_excerpt(&ex, &line));
}

/* ps output (pid, elapsed time, cpu, command) for the process checks. */

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "parse_int.h"
#include "xmalloc.h"

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
			if (!parse_is_digit((unsigned char)*p))
				return -1;
		}
		p++;
	}
	for (;;) {
		if (end - p < 2 ||
		    parse_two_digits(p,
		    groups == 0 && dash != NULL ? 23 : 59) < 0)
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
		if (!parse_field_next(&p, end, &f) ||
		    !parse_span_eq(&f, cols[i]))
			break;
	}
	if (i == 6 && parse_field_next(&p, end, &f) &&
	    (parse_span_eq(&f, "COMMAND") || parse_span_eq(&f, "COMM")) &&
	    !parse_field_next(&p, end, &f))
		return 0;
	return parse_fail(cause, "ps: line %zu: expected the header \"PID USER "
	    "%%CPU %%MEM RSS ELAPSED COMMAND\", got \"%s\"", no,
	    parse_span_excerpt(&ex, line));
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
	while (n < 6 && parse_field_next(&p, end, &f[n]))
		n++;
	if (n < 6 || !parse_field_next(&p, end, &rest)) {
		p = line->p;
		for (n = 0; parse_field_next(&p, end, &rest); n++)
			/* count */;
		return parse_fail(cause, "ps: line %zu: expected 7 fields, got "
		    "%zu", no, n);
	}
	if ((why = parse_span_int64(&f[0], INT_MAX, &pid)) != NULL) {
		return parse_fail(cause, "ps: line %zu: pid \"%s\" %s", no,
		    parse_span_excerpt(&ex, &f[0]), why);
	}
	row->pid = (int)pid;
	copy_cut(row->user, sizeof row->user, f[1].p, f[1].len);
	if ((why = parse_span_decimal(&f[2], &row->cpu)) != NULL) {
		return parse_fail(cause, "ps: line %zu: %%cpu \"%s\" %s", no,
		    parse_span_excerpt(&ex, &f[2]), why);
	}
	if ((why = parse_span_decimal(&f[3], &row->mem)) != NULL) {
		return parse_fail(cause, "ps: line %zu: %%mem \"%s\" %s", no,
		    parse_span_excerpt(&ex, &f[3]), why);
	}
	if ((why = parse_span_int64(&f[4], INT64_MAX, &row->rss_kb)) != NULL) {
		return parse_fail(cause, "ps: line %zu: rss \"%s\" %s", no,
		    parse_span_excerpt(&ex, &f[4]), why);
	}
	if (f[5].len >= sizeof row->etime || ps_etime(&f[5]) != 0) {
		return parse_fail(cause, "ps: line %zu: elapsed time \"%s\" is "
		    "not [[DD-]hh:]mm:ss", no, parse_span_excerpt(&ex, &f[5]));
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
	parse_lines_init(&it, text);
	while (parse_lines_next(&it, &line)) {
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
		return parse_fail(cause, "ps: no output");
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

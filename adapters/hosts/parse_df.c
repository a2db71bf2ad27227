/* df -P output, scaled to KiB. */

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "parse_int.h"
#include "xmalloc.h"

/* A df number: digits, or "-" for -1. */
static const char *
df_number(const struct span *f, int64_t *out)
{
	if (parse_span_eq(f, "-")) {
		*out = -1;
		return NULL;
	}
	return parse_span_int64(f, INT64_MAX, out);
}

/* A df capacity: "17%" (0-100), or "-" for -1. */
static int
df_pct(const struct span *f, int *out)
{
	struct span	 digits = { f->p, f->len - 1 };
	int64_t		 v;

	if (parse_span_eq(f, "-")) {
		*out = -1;
		return 0;
	}
	if (f->len < 2 || f->p[f->len - 1] != '%' ||
	    parse_span_int64(&digits, 100, &v) != NULL)
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

	while (n < 8 && parse_field_next(&p, end, &f[n]))
		n++;
	if (n != 7 || !parse_span_eq(&f[0], "Filesystem") ||
	    !parse_span_eq(&f[5], "Mounted") || !parse_span_eq(&f[6], "on")) {
		return parse_fail(cause, "df: line %zu: expected the header "
		    "\"Filesystem ... Mounted on\", got \"%s\"", no,
		    parse_span_excerpt(&ex, line));
	}
	if (parse_span_eq(&f[1], "Inodes")) {
		*block = 0;
		return 0;
	}
	if (parse_span_eq(&f[1], "1K-blocks")) {
		*block = 1024;
		return 0;
	}
	digits.p = f[1].p;
	digits.len = f[1].len > 7 ? f[1].len - 7 : 0;
	if (f[1].len <= 7 || memcmp(f[1].p + digits.len, "-blocks", 7) != 0 ||
	    parse_span_int64(&digits, 1 << 30, block) != NULL || *block == 0) {
		return parse_fail(cause, "df: line %zu: unknown size column "
		    "\"%s\"", no, parse_span_excerpt(&ex, &f[1]));
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
		return parse_fail(cause, "df: line %zu: expected 6 fields, got "
		    "%zu", no, n);
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
			return parse_fail(cause, "df: line %zu: capacity "
			    "\"%s\" is not a percentage", no,
			    parse_span_excerpt(&ex, &f[4]));
		}
		return parse_fail(cause, "df: line %zu: %s \"%s\" %s", no,
		    what[j - 1], parse_span_excerpt(&ex, &f[j]), why);
	}
	for (j = 0; j < 3; j++) {
		df_number(&f[i - 3 + j], &v[j]);
		if (df_scale(&v[j], block) != 0) {
			return parse_fail(cause, "df: line %zu: %s \"%s\" is "
			    "too large", no, what[j], parse_span_excerpt(&ex,
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
	parse_lines_init(&it, text);
	while (parse_lines_next(&it, &line)) {
		if (line.len == 0)
			continue;
		if (!header) {
			if (df_header(&line, it.no, &block, cause) != 0)
				goto fail;
			header = 1;
			continue;
		}
		n = parse_fields_split(line.p, line.p + line.len, &f, &cap);
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
		return parse_fail(cause, "df: no output");
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

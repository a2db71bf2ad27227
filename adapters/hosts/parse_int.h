/*
 * Private to the parsers of remote command output (parse_*.c): the
 * span/line/field reading primitives they share, defined in
 * parse_util.c. Nothing outside adapters/hosts/parse_*.c includes this;
 * the public API stays parse.h.
 */
#ifndef OPSBOT_PARSE_INT_H
#define OPSBOT_PARSE_INT_H

#include <stddef.h>
#include <stdint.h>

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

/* Sets *cause (caller frees; cause may be NULL) and returns -1. */
int	 parse_fail(char **, const char *, ...)
	    __attribute__((format(printf, 2, 3)));

/* ASCII classes, locale-free on purpose. */
int	 parse_is_digit(int c);
int	 parse_is_blank(int c);
int	 parse_is_space(int c);
int	 parse_is_upper(int c);
int	 parse_is_alpha(int c);
int	 parse_is_alnum(int c);

/* Printable excerpts of input for messages; the result lives in *ex. */
const char	*parse_excerpt_max(struct excerpt *ex, const char *p,
		    size_t len, size_t max);
const char	*parse_excerpt(struct excerpt *ex, const char *p, size_t len);
const char	*parse_span_excerpt(struct excerpt *ex, const struct span *s);

int	 parse_span_eq(const struct span *s, const char *word);

/* Lines, and blank-separated fields inside [p, end). */
void	 parse_lines_init(struct lines *it, const char *text);
int	 parse_lines_next(struct lines *it, struct span *line);
int	 parse_field_next(const char **pp, const char *end, struct span *f);
/* Grows *fields (caller frees) to hold every field; returns the count. */
size_t	 parse_fields_split(const char *p, const char *end,
	    struct span **fields, size_t *cap);

/* Numbers: each returns NULL, or a static reason the field is refused. */
const char	*parse_span_int64(const struct span *f, int64_t max,
		    int64_t *out);
const char	*parse_span_int(const struct span *f, int *out);
const char	*parse_span_decimal(const struct span *f, double *out);
int	 parse_read_decimal(const char **pp, const char *end, int comma_ok,
	    double *out);

int	 parse_at_word(const char **pp, const char *end, const char *word);
int	 parse_two_digits(const char *p, int max);

#endif

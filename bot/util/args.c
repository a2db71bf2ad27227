/*
 * The tokenizer and option parser (see args.h). The input limits come
 * first so no later step ever sees hostile bytes; fuzzed by
 * tests/fuzz/fuzz-args.c.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cause.h"
#include "args.h"
#include "buf.h"
#include "xmalloc.h"

/* Length of the UTF-8 sequence at p (n bytes left), or 0 if invalid. */
static size_t
utf8_seq_len(const unsigned char *p, size_t n)
{
	size_t		 len, i;
	unsigned int	 cp;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		len = 2;
		cp = p[0] & 0x1f;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		len = 3;
		cp = p[0] & 0x0f;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		len = 4;
		cp = p[0] & 0x07;
	} else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

/* Refuses what no command may contain; returns 0 or -1 with *cause. */
static int
args_check_input(const char *text, size_t len, char **cause)
{
	const unsigned char	*p = (const unsigned char *)text;
	size_t			 i = 0, n;

	if (len > ARGS_MAX_INPUT) {
		cause_set(cause, "command is too long (%zu bytes; the limit "
		    "is %d)", len, ARGS_MAX_INPUT);
		return -1;
	}
	while (i < len) {
		if (p[i] == '\0') {
			cause_set(cause, "command contains a NUL byte at "
			    "byte %zu", i + 1);
			return -1;
		}
		if ((p[i] < 0x20 && p[i] != '\t' && p[i] != '\n' &&
		    p[i] != '\r') || p[i] == 0x7f) {
			cause_set(cause, "command contains a control "
			    "character (0x%02x) at byte %zu", p[i], i + 1);
			return -1;
		}
		if ((n = utf8_seq_len(p + i, len - i)) == 0) {
			cause_set(cause, "command is not valid UTF-8 (at "
			    "byte %zu)", i + 1);
			return -1;
		}
		i += n;
	}
	return 0;
}

/* Quote kinds: 0 none; returns the quote a character opens, if any. */
enum quote { Q_NONE, Q_SINGLE, Q_DOUBLE, Q_SMART_DOUBLE, Q_SMART_SINGLE };

static int
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int
starts_with(const char *p, const char *end, const char *s)
{
	size_t	 n = strlen(s);

	return (size_t)(end - p) >= n && memcmp(p, s, n) == 0;
}

#define LDQUO	"\xe2\x80\x9c"	/* “ */
#define RDQUO	"\xe2\x80\x9d"	/* ” */
#define LSQUO	"\xe2\x80\x98"	/* ‘ */
#define RSQUO	"\xe2\x80\x99"	/* ’ */

static void
words_push(struct words *w, struct buf *word)
{
	w->argv = xreallocarray(w->argv, (size_t)w->argc + 2,
	    sizeof *w->argv);
	w->argv[w->argc++] = buf_detach(word);
	w->argv[w->argc] = NULL;
}

int
args_split(const char *text, size_t len, struct words *w, char **cause)
{
	const char	*p = text, *end = text + len, *open_at = NULL;
	struct buf	 word;
	enum quote	 q = Q_NONE;
	int		 in_word = 0;

	w->argc = 0;
	w->argv = NULL;
	cause_clear(cause);
	if (args_check_input(text, len, cause) != 0)
		return -1;
	buf_init(&word);
	while (p < end) {
		if (q == Q_SINGLE || q == Q_SMART_SINGLE) {
			if ((q == Q_SINGLE && *p == '\'') ||
			    (q == Q_SMART_SINGLE && (starts_with(p, end, RSQUO)
			    || starts_with(p, end, LSQUO)))) {
				p += q == Q_SINGLE ? 1 : 3;
				q = Q_NONE;
			} else
				buf_addc(&word, *p++);
			continue;
		}
		if (q == Q_DOUBLE || q == Q_SMART_DOUBLE) {
			if (*p == '\\' && p + 1 < end &&
			    (p[1] == '"' || p[1] == '\\')) {
				buf_addc(&word, p[1]);
				p += 2;
			} else if (q == Q_DOUBLE && *p == '"') {
				p++;
				q = Q_NONE;
			} else if (q == Q_SMART_DOUBLE &&
			    (starts_with(p, end, RDQUO) ||
			    starts_with(p, end, LDQUO))) {
				p += 3;
				q = Q_NONE;
			} else
				buf_addc(&word, *p++);
			continue;
		}
		if (is_space(*p)) {
			if (in_word)
				words_push(w, &word);
			in_word = 0;
			p++;
			continue;
		}
		if (w->argc >= ARGS_MAX_WORDS) {
			cause_set(cause, "too many words (the limit is %d)",
			    ARGS_MAX_WORDS);
			goto fail;
		}
		in_word = 1;
		open_at = p;
		if (*p == '\'') {
			q = Q_SINGLE;
			p++;
		} else if (*p == '"') {
			q = Q_DOUBLE;
			p++;
		} else if (starts_with(p, end, LDQUO) ||
		    starts_with(p, end, RDQUO)) {
			q = Q_SMART_DOUBLE;
			p += 3;
		} else if (starts_with(p, end, LSQUO)) {
			q = Q_SMART_SINGLE;
			p += 3;
		} else if (*p == '\\' && p + 1 < end) {
			/* Escape the whole next character, UTF-8 or not. */
			size_t n = utf8_seq_len((const unsigned char *)p + 1,
			    (size_t)(end - p - 1));
			buf_add(&word, p + 1, n);
			p += 1 + n;
		} else if (*p == '\\') {
			cause_set(cause, "command ends with a lone backslash");
			goto fail;
		} else
			buf_addc(&word, *p++);
	}
	if (q != Q_NONE) {
		cause_set(cause, "unclosed quote starting at byte %zu",
		    (size_t)(open_at - text) + 1);
		goto fail;
	}
	if (in_word)
		words_push(w, &word);
	if (w->argv == NULL)
		w->argv = xcalloc(1, sizeof *w->argv);
	buf_release(&word);
	return 0;

fail:
	buf_release(&word);
	words_free(w);
	return -1;
}

void
words_free(struct words *w)
{
	int	 i;

	for (i = 0; i < w->argc; i++)
		free(w->argv[i]);
	free(w->argv);
	w->argv = NULL;
	w->argc = 0;
}

static const struct arg_option *
args_find_option(const struct arg_option *opts, const char *name,
    size_t len, size_t *index)
{
	size_t	 i;

	for (i = 0; opts != NULL && opts[i].name != NULL; i++) {
		if (strlen(opts[i].name) == len &&
		    memcmp(opts[i].name, name, len) == 0) {
			*index = i;
			return &opts[i];
		}
	}
	return NULL;
}

/* Appends "--a, --b" to b, for "unknown option" messages. */
static void
args_list_options(const struct arg_option *opts, struct buf *b)
{
	size_t	 i;

	for (i = 0; opts != NULL && opts[i].name != NULL; i++)
		buf_addf(b, "%s--%s", i == 0 ? "" : ", ", opts[i].name);
}

static int
args_parse_int(const char *s, int64_t *out)
{
	char		*end;
	long long	 v;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v > 1000000000LL)
		return -1;
	*out = v;
	return 0;
}

static int
args_set_value(const struct arg_option *opt, struct arg_value *v,
    const char *val, char **cause)
{
	char	*why = NULL;

	v->set = 1;
	v->str = val;
	switch (opt->type) {
	case ARG_BOOL:
		return 0;
	case ARG_STRING:
		return 0;
	case ARG_INT:
		if (args_parse_int(val, &v->num) != 0) {
			cause_set(cause, "option --%s: expected a whole number "
			    "0-1000000000, got \"%s\"", opt->name, val);
			return -1;
		}
		return 0;
	case ARG_DURATION:
		if (duration_parse(val, &v->num, &why) != 0) {
			cause_set(cause, "option --%s: %s", opt->name, why);
			free(why);
			return -1;
		}
		return 0;
	}
	return -1;
}

#define EMDASH	"\xe2\x80\x94"	/* — */
#define ENDASH	"\xe2\x80\x93"	/* – */

int
args_parse(const struct arg_spec *spec, const struct words *w,
    struct args *out, char **cause)
{
	const struct arg_option	*opt;
	const char		*word, *name, *eq;
	size_t			 nopts = 0, idx, namelen;
	int			 i, options_done = 0;
	struct buf		 b;

	cause_clear(cause);
	memset(out, 0, sizeof *out);
	while (spec->options != NULL && spec->options[nopts].name != NULL)
		nopts++;
	out->options = spec->options;
	out->values = xcalloc(nopts + 1, sizeof *out->values);
	out->pos = xcalloc((size_t)w->argc + 1, sizeof *out->pos);

	for (i = 1; i < w->argc; i++) {
		word = w->argv[i];
		name = NULL;
		if (!options_done && strcmp(word, "--") == 0) {
			options_done = 1;
			continue;
		}
		if (!options_done && strncmp(word, "--", 2) == 0 &&
		    word[2] != '\0')
			name = word + 2;
		else if (!options_done && (strncmp(word, EMDASH, 3) == 0 ||
		    strncmp(word, ENDASH, 3) == 0) && word[3] != '\0')
			name = word + 3;
		if (name == NULL) {
			out->pos[out->npos++] = word;
			continue;
		}
		eq = strchr(name, '=');
		namelen = eq != NULL ? (size_t)(eq - name) : strlen(name);
		opt = args_find_option(spec->options, name, namelen, &idx);
		if (opt == NULL) {
			buf_init(&b);
			buf_addf(&b, "unknown option --%.*s", (int)namelen,
			    name);
			if (nopts == 0)
				buf_adds(&b, " (this command takes no options)");
			else {
				buf_adds(&b, " (options: ");
				args_list_options(spec->options, &b);
				buf_adds(&b, ")");
			}
			cause_take(cause, buf_detach(&b));
			goto fail;
		}
		if (opt->type == ARG_BOOL) {
			if (eq != NULL) {
				cause_set(cause, "option --%s takes no value",
				    opt->name);
				goto fail;
			}
			out->values[idx].set = 1;
			continue;
		}
		if (eq == NULL && i + 1 >= w->argc) {
			cause_set(cause, "option --%s needs a value",
			    opt->name);
			goto fail;
		}
		if (args_set_value(opt, &out->values[idx],
		    eq != NULL ? eq + 1 : w->argv[++i], cause) != 0)
			goto fail;
	}
	if (out->npos < spec->min) {
		cause_set(cause, "missing argument (needs %d, got %d)",
		    spec->min, out->npos);
		goto fail;
	}
	if (spec->max >= 0 && out->npos > spec->max) {
		if (spec->max == 0)
			cause_set(cause, "unexpected argument \"%s\" (this "
			    "command takes none)", out->pos[0]);
		else
			cause_set(cause, "too many arguments (at most %d, got "
			    "%d)", spec->max, out->npos);
		goto fail;
	}
	return 0;

fail:
	args_free(out);
	return -1;
}

void
args_free(struct args *a)
{
	free(a->pos);
	free(a->values);
	memset(a, 0, sizeof *a);
}

const char *
args_pos(const struct args *a, int i)
{
	return i >= 0 && i < a->npos ? a->pos[i] : NULL;
}

static const struct arg_value *
args_value(const struct args *a, const char *name)
{
	size_t	 idx;

	if (args_find_option(a->options, name, strlen(name), &idx) == NULL)
		return NULL;
	return a->values[idx].set ? &a->values[idx] : NULL;
}

int
args_has(const struct args *a, const char *name)
{
	return args_value(a, name) != NULL;
}

const char *
args_get(const struct args *a, const char *name)
{
	const struct arg_value	*v = args_value(a, name);

	return v != NULL ? v->str : NULL;
}

int64_t
args_get_num(const struct args *a, const char *name, int64_t def)
{
	const struct arg_value	*v = args_value(a, name);

	return v != NULL ? v->num : def;
}

#define DURATION_MAX	(366LL * 86400)

int
duration_parse(const char *s, int64_t *secs, char **cause)
{
	const char	*p = s;
	int64_t		 total = 0, n, unit;

	cause_clear(cause);
	if (*p == '\0')
		goto bad;
	while (*p != '\0') {
		if (*p < '0' || *p > '9')
			goto bad;
		n = 0;
		while (*p >= '0' && *p <= '9') {
			n = n * 10 + (*p++ - '0');
			if (n > DURATION_MAX)
				goto too_long;
		}
		switch (*p) {
		case 's': unit = 1; break;
		case 'm': unit = 60; break;
		case 'h': unit = 3600; break;
		case 'd': unit = 86400; break;
		case 'w': unit = 7 * 86400; break;
		default:
			goto bad;
		}
		p++;
		total += n * unit;
		if (total > DURATION_MAX)
			goto too_long;
	}
	if (total == 0) {
		cause_set(cause, "duration \"%s\" is zero", s);
		return -1;
	}
	*secs = total;
	return 0;

too_long:
	cause_set(cause, "duration \"%s\" is too long (at most 366d)", s);
	return -1;
bad:
	cause_set(cause, "expected a duration like 30s, 15m, 2h or 1d, "
	    "got \"%s\"", s);
	return -1;
}

void
duration_format(int64_t secs, char *out, size_t len)
{
	static const struct { const char *u; int64_t s; } units[] = {
		{ "d", 86400 }, { "h", 3600 }, { "m", 60 }, { "s", 1 },
	};
	char	 part[32];
	size_t	 i, used = 0, n;

	if (len == 0)
		return;
	out[0] = '\0';
	if (secs <= 0) {
		snprintf(out, len, "0s");
		return;
	}
	for (i = 0; i < sizeof units / sizeof *units; i++) {
		if (secs < units[i].s)
			continue;
		snprintf(part, sizeof part, "%lld%s",
		    (long long)(secs / units[i].s), units[i].u);
		/* Whole parts only: "1d" rather than a cut "1d1". */
		n = strlen(part);
		if (used + n >= len)
			return;
		memcpy(out + used, part, n + 1);
		used += n;
		secs %= units[i].s;
	}
}

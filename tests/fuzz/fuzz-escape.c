/*
 * libFuzzer target for the escapers (escape.c): for any bytes, what each
 * writes is well formed in its syntax and reads back as the input. The
 * readers here are the syntaxes' own rules, written the other way round;
 * for our own "..." words the reader is the real one, args_split().
 */

#include <ctype.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "buf.h"
#include "escape.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* POSIX sh reading one word made of '...' runs and \' (shquote_buf). */
static void
check_shell(const char *s, const struct buf *q)
{
	struct buf	 back;
	size_t		 i = 0;

	buf_init(&back);
	while (i < q->len) {
		if (q->data[i] == '\\' && i + 1 < q->len &&
		    q->data[i + 1] == '\'') {
			buf_addc(&back, '\'');
			i += 2;
			continue;
		}
		if (q->data[i++] != '\'')
			abort();
		while (i < q->len && q->data[i] != '\'')
			buf_addc(&back, q->data[i++]);
		if (i++ == q->len)
			abort();	/* unterminated */
	}
	if (strcmp(back.data, s) != 0)
		abort();
	buf_release(&back);
}

/* A backslash escape of logfmt or the Prometheus text format. */
static char
unescape_one(const char *p, size_t *used)
{
	*used = 2;
	switch (p[1]) {
	case 'n':
		return '\n';
	case 'r':
		return '\r';
	case 'x':
		if (!isxdigit((unsigned char)p[2]) ||
		    !isxdigit((unsigned char)p[3]))
			abort();
		*used = 4;
		return (char)strtol((char[]){ p[2], p[3], '\0' }, NULL, 16);
	case '"':
	case '\\':
		return p[1];
	default:
		abort();
	}
}

/* Reads q (quoted: between the quotes) with escapes back; must be s. */
static void
check_backslashed(const char *s, const char *q, size_t n, int hex)
{
	struct buf	 back;
	size_t		 i, used;

	buf_init(&back);
	for (i = 0; i < n; i += used) {
		used = 1;
		if (q[i] == '\\') {
			if (!hex && (q[i + 1] == 'x' || q[i + 1] == 'r'))
				abort();
			buf_addc(&back, unescape_one(q + i, &used));
		} else if (q[i] == '"' || q[i] == '\n')
			abort();
		else
			buf_addc(&back, q[i]);
	}
	if (strcmp(back.data, s) != 0)
		abort();
	buf_release(&back);
}

static void
check_logfmt(const char *s, const struct buf *q)
{
	size_t	 i;

	if (q->len > 0 && q->data[0] == '"') {
		if (q->len < 2 || q->data[q->len - 1] != '"')
			abort();
		check_backslashed(s, q->data + 1, q->len - 2, 1);
		return;
	}
	/* Bare: not empty, nothing a reader could take for its end. */
	if (*s == '\0' || strcmp(q->data, s) != 0)
		abort();
	for (i = 0; s[i] != '\0'; i++)
		if (strchr(" =\"\\", s[i]) != NULL ||
		    (unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			abort();
}

/* &amp; &lt; &gt; are the only entities, and there is no < or >. */
static void
check_mrkdwn(const char *s, const struct buf *q)
{
	struct buf	 back;
	size_t		 i;

	buf_init(&back);
	for (i = 0; i < q->len; i++) {
		if (q->data[i] == '<' || q->data[i] == '>')
			abort();
		if (q->data[i] != '&')
			buf_addc(&back, q->data[i]);
		else if (strncmp(q->data + i, "&amp;", 5) == 0) {
			buf_addc(&back, '&');
			i += 4;
		} else if (strncmp(q->data + i, "&lt;", 4) == 0) {
			buf_addc(&back, '<');
			i += 3;
		} else if (strncmp(q->data + i, "&gt;", 4) == 0) {
			buf_addc(&back, '>');
			i += 3;
		} else
			abort();
	}
	if (strcmp(back.data, s) != 0)
		abort();
	buf_release(&back);
}

/* The fit never overruns the budget, and takes everything that fits. */
static void
check_fit(const char *s, size_t budget)
{
	struct buf	 q;
	size_t		 len = strlen(s), k;

	k = escape_slack_mrkdwn_fit(s, len, budget);
	buf_init(&q);
	escape_slack_mrkdwn(&q, s, k);
	if (k > len || q.len > budget)
		abort();
	buf_clear(&q);
	escape_slack_mrkdwn(&q, s, len);
	if (q.len <= budget && k != len)
		abort();
	buf_release(&q);
}

static void
check_urls(const char *s)
{
	struct buf	 q, back;
	size_t		 i, special = 0;

	buf_init(&q);
	escape_markdown_url(&q, s);
	for (i = 0; s[i] != '\0'; i++)
		special += strchr("()[]<> ", s[i]) != NULL;
	if (strpbrk(q.data, "()[]<> ") != NULL ||
	    q.len != strlen(s) + 2 * special)
		abort();

	buf_clear(&q);
	escape_url_component(&q, s);
	buf_init(&back);
	for (i = 0; i < q.len; i++) {
		if (isalnum((unsigned char)q.data[i]) || q.data[i] == '-' ||
		    q.data[i] == '_') {
			buf_addc(&back, q.data[i]);
			continue;
		}
		if (q.data[i] != '%' || i + 2 >= q.len ||
		    !isxdigit((unsigned char)q.data[i + 1]) ||
		    !isxdigit((unsigned char)q.data[i + 2]))
			abort();
		buf_addc(&back, (char)strtol((char[]){ q.data[i + 1],
		    q.data[i + 2], '\0' }, NULL, 16));
		i += 2;
	}
	if (strcmp(back.data, s) != 0)
		abort();
	buf_release(&back);

	/*
	 * HTML: no byte of markup survives, and decoding the five entities
	 * gives s back less the control bytes it drops.
	 */
	buf_clear(&q);
	escape_html(&q, s);
	if (q.len > 0 && strpbrk(q.data, "<>\"'") != NULL)
		abort();
	buf_init(&back);
	for (i = 0; i < q.len; i++) {
		static const char *const ent[] = { "&amp;", "&lt;", "&gt;",
		    "&quot;", "&#39;" };
		static const char chr[] = "&<>\"'";
		size_t e;

		if (q.data[i] != '&') {
			buf_addc(&back, q.data[i]);
			continue;
		}
		for (e = 0; e < 5; e++)
			if (strncmp(q.data + i, ent[e], strlen(ent[e])) == 0)
				break;
		if (e == 5)
			abort();
		buf_addc(&back, chr[e]);
		i += strlen(ent[e]) - 1;
	}
	for (i = 0, special = 0; s[i] != '\0'; i++)
		if (((unsigned char)s[i] >= 0x20 && s[i] != 0x7f) ||
		    s[i] == '\t' || s[i] == '\n' || s[i] == '\r')
			special++;
	if (back.len != special)
		abort();
	buf_release(&back);
	buf_release(&q);
}

/* What args_split() accepts of a quoted word is exactly s. */
static void
check_dquoted(const char *s, const struct buf *q)
{
	struct words	 w;
	char		*cause = NULL;

	if (args_split(q->data, q->len, &w, &cause) != 0) {
		free(cause);	/* control bytes, bad UTF-8, too long */
		return;
	}
	if (w.argc != 1 || strcmp(w.argv[0], s) != 0)
		abort();
	words_free(&w);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf	 q;
	char		*s;

	/* Escapers take C strings: the input up to its first NUL. */
	s = malloc(size + 1);
	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	buf_init(&q);

	shquote_buf(&q, s);
	check_shell(s, &q);
	buf_clear(&q);
	escape_logfmt(&q, s);
	check_logfmt(s, &q);
	buf_clear(&q);
	escape_prom_label(&q, s);
	check_backslashed(s, q.data, q.len, 0);
	buf_clear(&q);
	escape_slack_mrkdwn(&q, s, strlen(s));
	check_mrkdwn(s, &q);
	check_fit(s, size > 0 ? data[0] : 0);
	check_fit(s, size);
	check_urls(s);
	buf_clear(&q);
	escape_dquoted(&q, s);
	check_dquoted(s, &q);

	buf_release(&q);
	free(s);
	return 0;
}

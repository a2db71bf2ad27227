/*
 * The escapers (see escape.h). Each is a pure function of its input;
 * tests/unit/test-escape.c pins their output byte for byte and runs the
 * shell quoting through a real /bin/sh.
 */

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "escape.h"

/*
 * Single quotes make every byte literal except the single quote itself,
 * which is closed, escaped and reopened.
 */
void
shquote_buf(struct buf *b, const char *s)
{
	buf_addc(b, '\'');
	for (; *s != '\0'; s++) {
		if (*s == '\'')
			buf_adds(b, "'\\''");
		else
			buf_addc(b, *s);
	}
	buf_addc(b, '\'');
}

void
escape_logfmt(struct buf *out, const char *v)
{
	const char	*c;
	int		 bare = *v != '\0';

	/* Bare only when a reader cannot mistake where it ends. */
	for (c = v; *c != '\0' && bare; c++)
		if (*c == ' ' || *c == '=' || *c == '"' || *c == '\\' ||
		    (unsigned char)*c < 0x20 || *c == 0x7f)
			bare = 0;
	if (bare) {
		buf_adds(out, v);
		return;
	}
	buf_addc(out, '"');
	for (c = v; *c != '\0'; c++) {
		if (*c == '"' || *c == '\\') {
			buf_addc(out, '\\');
			buf_addc(out, *c);
		} else if (*c == '\n')
			buf_adds(out, "\\n");
		else if (*c == '\r')
			buf_adds(out, "\\r");
		else if ((unsigned char)*c < 0x20 || *c == 0x7f)
			buf_addf(out, "\\x%02x", (unsigned char)*c);
		else
			buf_addc(out, *c);
	}
	buf_addc(out, '"');
}

/* Only the two characters the reader treats as escapes are escaped. */
void
escape_dquoted(struct buf *b, const char *s)
{
	buf_addc(b, '"');
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			buf_addc(b, '\\');
		buf_addc(b, *s);
	}
	buf_addc(b, '"');
}

/* The text format's three escapes; any other byte is a literal. */
void
escape_prom_label(struct buf *out, const char *value)
{
	const char	*p;

	for (p = value; *p != '\0'; p++) {
		if (*p == '\\')
			buf_adds(out, "\\\\");
		else if (*p == '"')
			buf_adds(out, "\\\"");
		else if (*p == '\n')
			buf_adds(out, "\\n");
		else
			buf_addc(out, *p);
	}
}

void
escape_slack_mrkdwn(struct buf *b, const char *s, size_t n)
{
	size_t	 i, run;

	for (i = 0; i < n && s[i] != '\0'; i++) {
		/* The bytes that need nothing are copied a run at a time. */
		for (run = i; run < n && s[run] != '\0' && s[run] != '&' &&
		    s[run] != '<' && s[run] != '>'; run++)
			;
		buf_add(b, s + i, run - i);
		if (run == n || s[run] == '\0')
			break;
		i = run;
		if (s[i] == '&')
			buf_adds(b, "&amp;");
		else if (s[i] == '<')
			buf_adds(b, "&lt;");
		else
			buf_adds(b, "&gt;");
	}
}

/* A long line is cut, its escaping counted: "<" takes 4 of the budget. */
size_t
escape_slack_mrkdwn_fit(const char *s, size_t n, size_t budget)
{
	size_t	 i, used = 0, w, nl = 0;

	for (i = 0; i < n && s[i] != '\0'; i++) {
		w = s[i] == '&' ? 5 : (s[i] == '<' || s[i] == '>') ? 4 : 1;
		if (used + w > budget)
			break;
		used += w;
		if (s[i] == '\n')
			nl = i + 1;
	}
	if (i == n || s[i] == '\0')
		return i;
	if (nl > 0)
		return nl;
	while (i > 0 && ((unsigned char)s[i] & 0xC0) == 0x80)
		i--;
	return i;
}

void
escape_markdown_url(struct buf *b, const char *url)
{
	const char	*u;

	for (u = url; *u != '\0'; u++) {
		if (*u == '(' || *u == ')' || *u == ' ' || *u == '<' ||
		    *u == '>' || *u == '[' || *u == ']')
			buf_addf(b, "%%%02X", (unsigned char)*u);
		else
			buf_addc(b, *u);
	}
}

void
escape_url_component(struct buf *b, const char *s)
{
	const char	*p;

	for (p = s; *p != '\0'; p++) {
		if (isalnum((unsigned char)*p) || *p == '-' || *p == '_')
			buf_addc(b, *p);
		else
			buf_addf(b, "%%%02X", (unsigned char)*p);
	}
}

/*
 * Five characters, so one function serves text and quoted attributes
 * alike: no caller has to know which of them its context needs. Control
 * bytes other than tab and newline are dropped (they are not allowed in
 * HTML, and a NUL can never arrive through a C string anyway).
 */
void
escape_html(struct buf *b, const char *s)
{
	const char	*p;

	for (p = s; *p != '\0'; p++) {
		switch (*p) {
		case '&':
			buf_adds(b, "&amp;");
			break;
		case '<':
			buf_adds(b, "&lt;");
			break;
		case '>':
			buf_adds(b, "&gt;");
			break;
		case '"':
			buf_adds(b, "&quot;");
			break;
		case '\'':
			buf_adds(b, "&#39;");
			break;
		default:
			if (((unsigned char)*p < 0x20 && *p != '\t' &&
			    *p != '\n' && *p != '\r') || *p == 0x7f)
				break;
			buf_addc(b, *p);
		}
	}
}

void
escape_url_segment(struct buf *b, const char *s)
{
	const char	*p;
	int		 dots = strcmp(s, ".") == 0 || strcmp(s, "..") == 0;

	for (p = s; *p != '\0'; p++) {
		if ((isalnum((unsigned char)*p) && (unsigned char)*p < 0x80) ||
		    *p == '-' || *p == '_' || *p == '~' ||
		    (*p == '.' && !dots))
			buf_addc(b, *p);
		else
			buf_addf(b, "%%%02X", (unsigned char)*p);
	}
}

void
escape_mattermost_text(struct buf *b, const char *s)
{
	static const char *const words[] = { "here", "channel", "all" };
	const char	*p;
	size_t		 i, n;

	for (p = s; *p != '\0'; p++) {
		buf_addc(b, *p);
		if (*p != '@')
			continue;
		for (i = 0; i < sizeof words / sizeof words[0]; i++) {
			n = strlen(words[i]);
			/*
			 * Mattermost ends a word at a byte that is not a
			 * letter, digit or one of :.-_@, and drops trailing
			 * punctuation before it looks: "@here." pages too.
			 */
			if (strncasecmp(p + 1, words[i], n) == 0 &&
			    !isalnum((unsigned char)p[1 + n]) &&
			    (unsigned char)p[1 + n] < 0x80) {
				/* U+200B: "@" and "here" are two words now. */
				buf_adds(b, "\xe2\x80\x8b");
				break;
			}
		}
	}
}

void
escape_query_string(struct buf *b, const char *s)
{
	buf_addc(b, '"');
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			buf_addc(b, '\\');
		buf_addc(b, (unsigned char)*s < 0x20 || *s == 0x7f ? ' ' : *s);
	}
	buf_addc(b, '"');
}

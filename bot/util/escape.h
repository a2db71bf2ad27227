/*
 * Every escaper of the program, one per syntax it writes: a value that
 * lands in someone else's syntax (a shell, a log line, the Prometheus
 * text format, chat markup, a URL) goes through one of these and through
 * nothing hand-rolled. Each appends to a struct buf and allocates nothing
 * the caller must free beyond that buffer. JSON is not here: it is built
 * with cJSON only.
 */
#ifndef OPSBOT_ESCAPE_H
#define OPSBOT_ESCAPE_H

#include <stddef.h>

#include "buf.h"

/*
 * POSIX shell, the one function that turns a string into shell text:
 * appends s to b as one single-quoted word, 'it'\''s'. Safe for any byte
 * string without NUL (newlines, $, `, globs, invalid UTF-8). Every value
 * that reaches a shell on a host goes through it.
 */
void	 shquote_buf(struct buf *b, const char *s);

/*
 * A logfmt value: bare when a reader cannot mistake where it ends (not
 * empty; no space, =, ", \ or control byte), else double-quoted with
 * \" \\ \n \r and \xNN for other control bytes.
 */
void	 escape_logfmt(struct buf *out, const char *v);

/*
 * A double-quoted word in opsbot's own syntax, the one args_split() and
 * the label matchers read back: "..." with \" and \\ escaped, every
 * other byte kept.
 */
void	 escape_dquoted(struct buf *b, const char *s);

/* A Prometheus text-format label value (\\, \", \n), without quotes. */
void	 escape_prom_label(struct buf *out, const char *value);

/*
 * Slack mrkdwn text: &, < and > as &amp; &lt; &gt; (Slack's own control
 * characters); at most n bytes of s, stopping at a NUL.
 */
void	 escape_slack_mrkdwn(struct buf *b, const char *s, size_t n);
/*
 * How many bytes of s (n at most) fit in budget bytes once escaped by
 * escape_slack_mrkdwn, ending after a newline when one is in reach, never
 * inside a UTF-8 sequence.
 */
size_t	 escape_slack_mrkdwn_fit(const char *s, size_t n, size_t budget);

/*
 * Text on Mattermost where mentions notify (a post's message, an
 * attachment's text): @here, @channel and @all, which page a whole
 * channel, are defused with a zero-width space after the "@" (it still
 * reads "@here"); everything else is kept. A message's own mention is
 * not passed through this.
 */
void	 escape_mattermost_text(struct buf *b, const char *s);

/*
 * A Markdown link destination, [label](URL): the bytes that would end
 * the link early (( ) [ ] < > and space) percent-encoded, the rest kept.
 */
void	 escape_markdown_url(struct buf *b, const char *url);

/*
 * A URL query or path component: letters, digits, - and _ kept, every
 * other byte percent-encoded (%2F).
 */
void	 escape_url_component(struct buf *b, const char *s);
/*
 * One path segment of a URL, readable: RFC 3986's unreserved characters
 * (letters, digits, - . _ ~) kept, every other byte percent-encoded
 * ("disk full.md" -> "disk%20full.md"); "." and ".." are encoded whole,
 * so a segment never walks up a path.
 */
void	 escape_url_segment(struct buf *b, const char *s);

/*
 * HTML text or a double- or single-quoted attribute value: & < > " '
 * as entities, other control bytes than tab, CR and newline dropped,
 * UTF-8 kept. Everything the web page shows that came from hosts, alerts,
 * chat or files goes through it.
 */
void	 escape_html(struct buf *b, const char *s);

/*
 * A string literal of a log engine's query language, with its quotes:
 * SPL and LogQL both read "..." with \" and \\ escaped; a control
 * byte becomes a space (neither language needs one in a value, and a
 * newline would end an SPL search).
 */
void	 escape_query_string(struct buf *b, const char *s);

#endif

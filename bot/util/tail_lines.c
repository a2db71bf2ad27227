/*
 * The window of a live tail (see tail_lines.h). Redaction is the costly
 * step, so it is done at render time, once per line, and only for lines
 * still in the window: a flood of a million lines costs a million
 * copies, not a million regex passes.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "redact.h"
#include "tail_lines.h"
#include "xmalloc.h"

/* A line this long without a \n is shown in pieces rather than held. */
#define TAIL_PARTIAL_MAX	(TAIL_LINE_MAX * 8)
#define TAIL_ELLIPSIS		"…"

void
tail_lines_init(struct tail_lines *t, size_t keep)
{
	memset(t, 0, sizeof *t);
	t->keep = keep > 0 ? keep : 1;
	t->ring = xcalloc(t->keep, sizeof *t->ring);
	buf_init(&t->partial);
}

void
tail_lines_release(struct tail_lines *t)
{
	size_t	 i;

	for (i = 0; i < t->keep && t->ring != NULL; i++)
		free(t->ring[i].text);
	free(t->ring);
	t->ring = NULL;
	buf_release(&t->partial);
}

/* Cuts s at len bytes on a UTF-8 character boundary, adding "…". */
static char *
tail_cut(const char *s, size_t len)
{
	size_t	 n = strlen(s);
	char	*out;

	if (n <= len)
		return xstrdup(s);
	n = len;
	while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--;
	out = xmalloc(n + sizeof TAIL_ELLIPSIS);
	memcpy(out, s, n);
	memcpy(out + n, TAIL_ELLIPSIS, sizeof TAIL_ELLIPSIS);
	return out;
}

static void
tail_push(struct tail_lines *t, const char *s, size_t len)
{
	struct tail_line	*slot;
	char			*line;
	size_t			 i;

	if (len > 0 && s[len - 1] == '\r')
		len--;
	line = xstrndup(s, len > TAIL_PARTIAL_MAX ? TAIL_PARTIAL_MAX : len);
	/* Control characters would break the code block or the terminal. */
	for (i = 0; line[i] != '\0'; i++) {
		if ((unsigned char)line[i] < 0x20 && line[i] != '\t')
			line[i] = '?';
		else if (line[i] == 0x7f)
			line[i] = '?';
	}
	if (t->n == t->keep) {
		slot = &t->ring[t->head];
		/* Pushed out before any render showed it: a flood. */
		if (slot->seq > t->shown)
			t->skipped++;
		free(slot->text);
		t->head = (t->head + 1) % t->keep;
		t->n--;
	}
	slot = &t->ring[(t->head + t->n) % t->keep];
	slot->text = line;
	slot->seq = ++t->total;
	slot->clean = 0;
	t->n++;
}

void
tail_lines_feed(struct tail_lines *t, const char *data, size_t len)
{
	const char	*nl, *end = data + len;

	while (data < end) {
		nl = memchr(data, '\n', (size_t)(end - data));
		if (nl == NULL) {
			buf_add(&t->partial, data, (size_t)(end - data));
			/* A line that never ends is shown in pieces. */
			if (t->partial.len >= TAIL_PARTIAL_MAX) {
				tail_push(t, t->partial.data, t->partial.len);
				buf_clear(&t->partial);
			}
			return;
		}
		if (t->partial.len > 0) {
			buf_add(&t->partial, data, (size_t)(nl - data));
			tail_push(t, t->partial.data, t->partial.len);
			buf_clear(&t->partial);
		} else
			tail_push(t, data, (size_t)(nl - data));
		data = nl + 1;
	}
}

void
tail_lines_finish(struct tail_lines *t)
{
	if (t->partial.len > 0) {
		tail_push(t, t->partial.data, t->partial.len);
		buf_clear(&t->partial);
	}
}

int
tail_lines_changed(const struct tail_lines *t)
{
	return t->total != t->shown;
}

const char *
tail_lines_count(uint64_t n, char *out, size_t len)
{
	char	 digits[32];
	size_t	 nd, i, o = 0;

	nd = (size_t)snprintf(digits, sizeof digits, "%llu",
	    (unsigned long long)n);
	for (i = 0; i < nd && o + 2 < len; i++) {
		if (i > 0 && (nd - i) % 3 == 0)
			out[o++] = ',';
		out[o++] = digits[i];
	}
	out[o] = '\0';
	return out;
}

char *
tail_lines_render(struct tail_lines *t, size_t max_bytes)
{
	struct tail_line	*l;
	struct buf		 b;
	char			*clean, num[32];
	size_t			 i, first, used = 0, len;

	/* Room for the "… N lines skipped" line, which comes first. */
	if (max_bytes > 64)
		max_bytes -= 48;
	first = t->n;
	while (first > 0) {
		l = &t->ring[(t->head + first - 1) % t->keep];
		if (!l->clean) {
			clean = redact_text(l->text);
			free(l->text);
			l->text = tail_cut(clean, TAIL_LINE_MAX);
			free(clean);
			l->clean = 1;
		}
		len = strlen(l->text) + 1;
		/* The newest line is shown even when it alone is too long. */
		if (used + len > max_bytes && first < t->n)
			break;
		used += len;
		first--;
	}
	for (i = 0; i < first; i++) {
		l = &t->ring[(t->head + i) % t->keep];
		if (l->seq > t->shown)
			t->skipped++;
	}
	buf_init(&b);
	if (t->skipped > 0)
		buf_addf(&b, TAIL_ELLIPSIS " %s line%s skipped\n",
		    tail_lines_count(t->skipped, num, sizeof num),
		    t->skipped == 1 ? "" : "s");
	for (i = first; i < t->n; i++)
		buf_addf(&b, "%s\n", t->ring[(t->head + i) % t->keep].text);
	t->shown = t->total;
	return buf_detach(&b);
}

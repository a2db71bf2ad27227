/*
 * The lines a live /tail shows: bytes from a stream cut into lines, the
 * newest few kept, each redacted before it can be shown, and a count of
 * the lines a flood pushed out before anyone saw them. Rendered into one
 * message that is replaced in place, so only the window is kept, never
 * the stream.
 */
#ifndef OPSBOT_TAIL_LINES_H
#define OPSBOT_TAIL_LINES_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#define TAIL_LINE_MAX	400	/* bytes of one line shown, then "…" */

struct tail_line {
	char		*text;		/* owned; redacted once clean */
	uint64_t	 seq;		/* 1 for the first line seen */
	int		 clean;
};

struct tail_lines {
	struct tail_line *ring;		/* keep slots, oldest at head */
	size_t		  keep;
	size_t		  n;
	size_t		  head;
	struct buf	  partial;	/* a line still without its \n */
	uint64_t	  total;	/* complete lines seen */
	uint64_t	  shown;	/* total when last rendered */
	uint64_t	  skipped;	/* lines never shown (a flood) */
};

void	 tail_lines_init(struct tail_lines *, size_t keep);
void	 tail_lines_release(struct tail_lines *);
/* Adds stream bytes; a line ends at \n (a \r before it is dropped). */
void	 tail_lines_feed(struct tail_lines *, const char *data, size_t len);
/* The stream ended: a last line without \n counts too. */
void	 tail_lines_finish(struct tail_lines *);
/* Lines came since the last render. */
int	 tail_lines_changed(const struct tail_lines *);
/*
 * The window as text, oldest first, within max_bytes: "… 1,234 lines
 * skipped" first when lines went unseen, then the newest lines that fit
 * (each redacted, control characters shown as "?"). Lines that do not
 * fit and were never shown count as skipped. Marks everything as shown.
 * Returns "" (not NULL) for no lines; the caller frees.
 */
char	*tail_lines_render(struct tail_lines *, size_t max_bytes);
/* "1,234,567" for n into out (at least 32 bytes); returns out. */
const char *tail_lines_count(uint64_t n, char *out, size_t len);

#endif

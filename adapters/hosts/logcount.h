/*
 * Counting a log's error lines on the host. Shipping the lines back and
 * counting here cut the count at remote.output_limit (a log with 1001
 * long ERROR lines read as 758, "output cut"). The host reduces each
 * matching line to its timestamp, and runs of equal timestamps to one
 * "COUNT STAMP" line, so what comes back grows with the seconds that had
 * errors, not with the lines; the window is applied here, by the same
 * parse_log_time() as everywhere else.
 */
#ifndef OPSBOT_LOGCOUNT_H
#define OPSBOT_LOGCOUNT_H

#include <stdint.h>

#include "buf.h"

/* Stamp groups kept (the newest); about 40 bytes each. */
#define LOGCOUNT_GROUPS		1000
/* Bytes of the newest matching line brought back, as a sample. */
#define LOGCOUNT_LAST		200

struct logcount {
	int64_t	 counted;	/* matching lines stamped within the window */
	int64_t	 untimed;	/* matching lines with no timestamp */
	int64_t	 matched;	/* every matching line in the tail read */
	int	 partial;	/* older groups dropped: counted is a minimum */
	char	*last;		/* the newest matching line (cut), or NULL */
};

/*
 * Appends shell text printing the groups of path's lines that contain
 * pattern (fixed string) and the newest such line, cut to LOGCOUNT_LAST
 * bytes, or "opsbot: cannot read". Quotes everything.
 */
void	 logcount_script(struct buf *, const char *path, const char *pattern);

/*
 * Reads that output: lines stamped at or after now - window_s count.
 * Returns 0, or -1 if the text is not the script's output. Release out
 * with logcount_release either way.
 */
int	 logcount_read(const char *text, int64_t now, int tz_offset_s,
	    int64_t window_s, struct logcount *out);
void	 logcount_release(struct logcount *);

#endif

/*
 * One log line, as logfmt or as a JSON object (bot.log_format). Pure:
 * the caller has redacted every value already. Keys are fixed words
 * from the code; values are any text and are escaped here.
 */
#ifndef OPSBOT_LOG_FORMAT_H
#define OPSBOT_LOG_FORMAT_H

#include <stddef.h>

struct buf;

/*
 * Appends the line, newline included, to out:
 *   ts=... level=info comp=dispatch msg="command answered" user=U0456
 *   {"ts":"...","level":"info","comp":"dispatch","msg":"...","user":"U0456"}
 * kv holds nkv keys and values, alternating; a NULL value is "-".
 */
void	 log_format_line(struct buf *out, int json, const char *ts,
	    const char *level, const char *comp, const char *msg,
	    const char *const *kv, size_t nkv);

#endif

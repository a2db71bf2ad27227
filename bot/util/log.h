/*
 * logfmt lines, one per event (or JSON objects, bot.log_format):
 *   ts=2026-11-22T07:00:00.123Z level=info comp=store msg="opened" path=...
 * The message is free text, quoted and escaped. Registered secrets are replaced by [REDACTED] before a line
 * is written, so a token that slips into a message never reaches the log.
 */
#ifndef OPSBOT_LOG_H
#define OPSBOT_LOG_H

#include <stdio.h>

enum log_level {
	LOG_DEBUG,
	LOG_INFO,
	LOG_WARN,
	LOG_ERROR,
};

/* Returns 0 and sets *level, or -1 for an unknown name. */
int	 log_level_parse(const char *, enum log_level *);
const char *log_level_name(enum log_level);

void	 log_set_level(enum log_level);
enum log_level log_get_level(void);
/* Lines go to stderr until a file is opened; returns -1 with errno. */
int	 log_open_file(const char *path);
void	 log_use_stderr(void);
void	 log_close(void);

/* Redact this string from every later line; the log keeps a copy. */
void	 log_add_secret(const char *);
void	 log_clear_secrets(void);
/* Replaces every registered secret in s; the caller frees the result. */
char	*log_redact(const char *s);

void	 log_emit(enum log_level, const char *comp, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
/*
 * A line with machine-readable fields after the message: key, value
 * pairs ending with NULL (a NULL value is written "-"); values are
 * redacted and escaped. For lines a log shipper parses (the audit line).
 */
void	 log_fields(enum log_level, const char *comp, const char *msg, ...)
	    __attribute__((sentinel));
/* Lines as JSON objects (bot.log_format "json") instead of logfmt. */
void	 log_set_json(int on);

#define log_debug(comp, ...) do {					\
	if (log_get_level() <= LOG_DEBUG)				\
		log_emit(LOG_DEBUG, comp, __VA_ARGS__);			\
} while (0)
#define log_info(comp, ...)	log_emit(LOG_INFO, comp, __VA_ARGS__)
#define log_warn(comp, ...)	log_emit(LOG_WARN, comp, __VA_ARGS__)
#define log_error(comp, ...)	log_emit(LOG_ERROR, comp, __VA_ARGS__)

#endif

/*
 * Logging (see log.h); the line formats are in log_format.c. Lines are built whole and written with one
 * fwrite under a lock, so lines from worker threads never interleave.
 */

#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "clock.h"
#include "log.h"
#include "redact.h"
#include "log_format.h"
#include "xmalloc.h"

static pthread_mutex_t	 log_lock = PTHREAD_MUTEX_INITIALIZER;
static enum log_level	 log_level = LOG_INFO;
static FILE		*log_file;	/* NULL: stderr */
static char		**log_secrets;
static size_t		 log_nsecrets;
static int		 log_json;	/* bot.log_format "json" */

static const char *const log_level_names[] = {
	"debug", "info", "warn", "error"
};

int
log_level_parse(const char *s, enum log_level *out)
{
	size_t	 i;

	for (i = 0; i < sizeof log_level_names / sizeof *log_level_names;
	    i++) {
		if (strcmp(s, log_level_names[i]) == 0) {
			*out = (enum log_level)i;
			return 0;
		}
	}
	return -1;
}

const char *
log_level_name(enum log_level l)
{
	return log_level_names[l];
}

void
log_set_level(enum log_level l)
{
	log_level = l;
}

enum log_level
log_get_level(void)
{
	return log_level;
}

int
log_open_file(const char *path)
{
	FILE	*f;
	int	 fd;

	/* Owner-only: the log names users, hosts and commands. */
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (fd == -1)
		return -1;
	if ((f = fdopen(fd, "a")) == NULL) {
		close(fd);
		return -1;
	}
	setvbuf(f, NULL, _IOLBF, 0);
	pthread_mutex_lock(&log_lock);
	if (log_file != NULL)
		fclose(log_file);
	log_file = f;
	pthread_mutex_unlock(&log_lock);
	return 0;
}

void
log_use_stderr(void)
{
	pthread_mutex_lock(&log_lock);
	if (log_file != NULL)
		fclose(log_file);
	log_file = NULL;
	pthread_mutex_unlock(&log_lock);
}

void
log_close(void)
{
	log_use_stderr();
	log_clear_secrets();
}

void
log_add_secret(const char *s)
{
	size_t	 i;

	/* Very short strings would redact ordinary words. */
	if (s == NULL || strlen(s) < 4)
		return;
	pthread_mutex_lock(&log_lock);
	for (i = 0; i < log_nsecrets; i++) {
		if (strcmp(log_secrets[i], s) == 0)
			break;
	}
	if (i == log_nsecrets) {
		log_secrets = xreallocarray(log_secrets, log_nsecrets + 1,
		    sizeof *log_secrets);
		log_secrets[log_nsecrets++] = xstrdup(s);
	}
	pthread_mutex_unlock(&log_lock);
}

void
log_clear_secrets(void)
{
	size_t	 i;

	pthread_mutex_lock(&log_lock);
	for (i = 0; i < log_nsecrets; i++)
		free(log_secrets[i]);
	free(log_secrets);
	log_secrets = NULL;
	log_nsecrets = 0;
	pthread_mutex_unlock(&log_lock);
}

/* Call with log_lock held. */
static char *
log_redact_locked(const char *s)
{
	struct buf	 b;
	const char	*p = s;
	size_t		 i, best_len;
	const char	*best;

	buf_init(&b);
	while (*p != '\0') {
		best = NULL;
		best_len = 0;
		for (i = 0; i < log_nsecrets; i++) {
			const char *hit = strstr(p, log_secrets[i]);

			if (hit != NULL && (best == NULL || hit < best)) {
				best = hit;
				best_len = strlen(log_secrets[i]);
			}
		}
		if (best == NULL) {
			buf_adds(&b, p);
			break;
		}
		buf_add(&b, p, (size_t)(best - p));
		buf_adds(&b, "[REDACTED]");
		p = best + best_len;
	}
	return buf_detach(&b);
}

char *
log_redact(const char *s)
{
	char	*out;

	pthread_mutex_lock(&log_lock);
	out = log_redact_locked(s);
	pthread_mutex_unlock(&log_lock);
	return out;
}

void
log_set_json(int on)
{
	log_json = on;
}

#define LOG_FIELDS_MAX	16	/* key-value pairs a line may carry */

/* Redacts msg and every value, formats and writes one line. */
static void
log_write(enum log_level level, const char *comp, const char *msg,
    const char *const *kv, size_t nkv)
{
	int64_t		 now = clock_now_ms();
	time_t		 secs = (time_t)(now / 1000);
	struct tm	 tm;
	char		 stamp[40], day[32], *clean, *vals[2 * LOG_FIELDS_MAX];
	char		*pat;
	const char	*out[2 * LOG_FIELDS_MAX];
	struct buf	 line;
	size_t		 i;

	gmtime_r(&secs, &tm);
	strftime(day, sizeof day, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(stamp, sizeof stamp, "%s.%03dZ", day, (int)(now % 1000));
	if (nkv > 2 * LOG_FIELDS_MAX)
		nkv = 2 * LOG_FIELDS_MAX;
	buf_init(&line);
	/*
	 * Redact the raw text: escaping could split a secret. Patterns
	 * (password=, Bearer, URL passwords: what users type) outside the
	 * lock, registered secrets under it.
	 */
	pthread_mutex_lock(&log_lock);
	pat = redact_patterns(msg);
	clean = log_redact_locked(pat);
	free(pat);
	for (i = 0; i < nkv; i++) {
		vals[i] = NULL;
		if (i % 2 == 1 && kv[i] != NULL) {
			pat = redact_patterns(kv[i]);
			vals[i] = log_redact_locked(pat);
			free(pat);
		}
		out[i] = i % 2 == 0 ? kv[i] : vals[i];
	}
	log_format_line(&line, log_json, stamp, log_level_names[level], comp,
	    clean, out, nkv);
	fputs(line.data, log_file != NULL ? log_file : stderr);
	pthread_mutex_unlock(&log_lock);
	for (i = 0; i < nkv; i++)
		free(vals[i]);
	free(clean);
	buf_release(&line);
}

void
log_emit(enum log_level level, const char *comp, const char *fmt, ...)
{
	struct buf	 msg;
	va_list		 ap;

	if (level < log_level)
		return;
	buf_init(&msg);
	va_start(ap, fmt);
	buf_vaddf(&msg, fmt, ap);
	va_end(ap);
	log_write(level, comp, msg.data != NULL ? msg.data : "", NULL, 0);
	buf_release(&msg);
}

void
log_fields(enum log_level level, const char *comp, const char *msg, ...)
{
	const char	*kv[2 * LOG_FIELDS_MAX], *k;
	size_t		 n = 0;
	va_list		 ap;

	if (level < log_level)
		return;
	va_start(ap, msg);
	while (n + 2 <= 2 * LOG_FIELDS_MAX &&
	    (k = va_arg(ap, const char *)) != NULL) {
		kv[n++] = k;
		kv[n++] = va_arg(ap, const char *);
	}
	va_end(ap);
	log_write(level, comp, msg, kv, n);
}

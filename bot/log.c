/*
 * logfmt logging (see log.h). Lines are built whole and written with one
 * fwrite under a lock, so lines from worker threads never interleave.
 */

#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "clock.h"
#include "log.h"
#include "redact.h"
#include "xmalloc.h"

static pthread_mutex_t	 log_lock = PTHREAD_MUTEX_INITIALIZER;
static enum log_level	 log_level = LOG_INFO;
static FILE		*log_file;	/* NULL: stderr */
static char		**log_secrets;
static size_t		 log_nsecrets;

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
log_emit(enum log_level level, const char *comp, const char *fmt, ...)
{
	struct buf	 msg, line;
	va_list		 ap;
	int64_t		 now = clock_now_ms();
	time_t		 secs = (time_t)(now / 1000);
	struct tm	 tm;
	char		 stamp[32], *clean, *patterns;
	const char	*c;

	if (level < log_level)
		return;
	buf_init(&msg);
	va_start(ap, fmt);
	buf_vaddf(&msg, fmt, ap);
	va_end(ap);

	gmtime_r(&secs, &tm);
	strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
	buf_init(&line);
	buf_addf(&line, "ts=%s.%03dZ level=%s comp=%s msg=\"", stamp,
	    (int)(now % 1000), log_level_names[level], comp);

	/*
	 * Redact the raw text: escaping could split a secret. Patterns
	 * (password=, Bearer, URL passwords: what users type) outside the
	 * lock, registered secrets under it.
	 */
	patterns = redact_patterns(msg.data);
	pthread_mutex_lock(&log_lock);
	clean = log_redact_locked(patterns);
	free(patterns);
	for (c = clean; *c != '\0'; c++) {
		if (*c == '"' || *c == '\\')
			buf_addc(&line, '\\');
		if (*c == '\n')
			buf_adds(&line, "\\n");
		else if (*c == '\r')
			buf_adds(&line, "\\r");
		else if ((unsigned char)*c < 0x20 || *c == 0x7f)
			buf_addf(&line, "\\x%02x", (unsigned char)*c);
		else
			buf_addc(&line, *c);
	}
	buf_adds(&line, "\"\n");
	fputs(line.data, log_file != NULL ? log_file : stderr);
	pthread_mutex_unlock(&log_lock);
	free(clean);
	buf_release(&msg);
	buf_release(&line);
}

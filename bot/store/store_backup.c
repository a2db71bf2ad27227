/* The online copy of the store (see store_backup.h). */

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "store_backup.h"
#include "xmalloc.h"

static void	backup_cause(char **, const char *, ...)
		    __attribute__((format(printf, 2, 3)));

static void
backup_cause(char **cause, const char *fmt, ...)
{
	va_list	 ap;

	if (cause == NULL)
		return;
	va_start(ap, fmt);
	xvasprintf(cause, fmt, ap);
	va_end(ap);
}

static void
backup_sleep_ms(long ms)
{
	struct timespec	 ts = { 0, ms * 1000000L };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/*
 * The copy proper, into the empty file tmp. The source connection holds
 * one read transaction across every step: the copy is the snapshot of
 * its start, and a write of the bot between steps neither blocks on us
 * nor restarts the backup (as it would without the transaction).
 */
static int
backup_copy(const char *src, const char *tmp, int64_t *pages, char **cause)
{
	sqlite3		*from = NULL, *to = NULL;
	sqlite3_backup	*b;
	int		 rc, ret = -1;

	if (sqlite3_open_v2(src, &from, SQLITE_OPEN_READWRITE, NULL) !=
	    SQLITE_OK) {
		backup_cause(cause, "%s: %s", src, from != NULL ?
		    sqlite3_errmsg(from) : "cannot open");
		goto out;
	}
	sqlite3_busy_timeout(from, 5000);
	if (sqlite3_exec(from, "BEGIN; SELECT count(*) FROM sqlite_master",
	    NULL, NULL, NULL) != SQLITE_OK) {
		backup_cause(cause, "%s: not a readable store: %s", src,
		    sqlite3_errmsg(from));
		goto out;
	}
	if (sqlite3_open_v2(tmp, &to, SQLITE_OPEN_READWRITE, NULL) !=
	    SQLITE_OK) {
		backup_cause(cause, "%s: %s", tmp, to != NULL ?
		    sqlite3_errmsg(to) : "cannot open");
		goto out;
	}
	if ((b = sqlite3_backup_init(to, "main", from, "main")) == NULL) {
		backup_cause(cause, "%s: %s", tmp, sqlite3_errmsg(to));
		goto out;
	}
	do {
		rc = sqlite3_backup_step(b, STORE_BACKUP_PAGES);
		if (rc == SQLITE_OK || rc == SQLITE_BUSY ||
		    rc == SQLITE_LOCKED)
			backup_sleep_ms(STORE_BACKUP_SLEEP_MS);
	} while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
	if (pages != NULL)
		*pages = sqlite3_backup_pagecount(b);
	sqlite3_backup_finish(b);
	if (rc != SQLITE_DONE) {
		backup_cause(cause, "%s: backup failed: %s", tmp,
		    sqlite3_errstr(rc));
		goto out;
	}
	/* A single file that restores by copying: no -wal beside it. */
	if (sqlite3_exec(to, "PRAGMA journal_mode = DELETE", NULL, NULL,
	    NULL) != SQLITE_OK) {
		backup_cause(cause, "%s: %s", tmp, sqlite3_errmsg(to));
		goto out;
	}
	ret = 0;
out:
	if (from != NULL) {
		sqlite3_exec(from, "COMMIT", NULL, NULL, NULL);
		sqlite3_close(from);
	}
	sqlite3_close(to);
	return ret;
}

int
store_backup(const char *src, const char *dst, int force, int64_t *pages,
    char **cause)
{
	struct stat	 st;
	char		*tmp;
	int		 fd, ret = -1;

	if (stat(src, &st) != 0) {
		backup_cause(cause, "%s: %s (is the data dir right?)", src,
		    strerror(errno));
		return -1;
	}
	if (!force && lstat(dst, &st) == 0) {
		backup_cause(cause, "%s: already exists (--force replaces it)",
		    dst);
		return -1;
	}
	/* Beside dst, so the rename cannot cross file systems. */
	xasprintf(&tmp, "%s.partial-XXXXXX", dst);
	if ((fd = mkstemp(tmp)) == -1) {
		backup_cause(cause, "%s: %s", dst, strerror(errno));
		free(tmp);
		return -1;
	}
	/* mkstemp makes it 0600: the copy holds the audit trail. */
	if (fchmod(fd, 0600) != 0 || close(fd) != 0) {
		backup_cause(cause, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	if (backup_copy(src, tmp, pages, cause) != 0)
		goto out;
	/* No-clobber without force: link fails if dst appeared meanwhile. */
	if (force ? rename(tmp, dst) != 0 : link(tmp, dst) != 0) {
		backup_cause(cause, "%s: %s", dst, errno == EEXIST ?
		    "already exists (--force replaces it)" : strerror(errno));
		goto out;
	}
	ret = 0;
out:
	unlink(tmp);
	{
		/* The journal a failed copy may leave beside it. */
		char	*j;

		xasprintf(&j, "%s-journal", tmp);
		unlink(j);
		free(j);
	}
	free(tmp);
	return ret;
}

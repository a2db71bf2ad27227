/*
 * Fixing loose permissions on what the bot keeps (see fsperm.h). A data
 * dir made by hand, or a database copied in with cp, often arrives 0755
 * or 0644 (0777/0666 under a lax umask); refusing to start would only
 * send the operator to chmod, so the bot does it and says so. Another
 * user's file is refused: the bot cannot make it private.
 */
#include <sys/stat.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "cause.h"
#include "fsperm.h"
#include "log.h"
#include "xmalloc.h"

int
fsperm_private(const char *path, char **cause)
{
	struct stat	 st;
	mode_t		 mode;

	if (cause != NULL)
		cause_clear(cause);
	if (lstat(path, &st) != 0) {
		if (errno == ENOENT)
			return 0;
		if (cause != NULL)
			cause_set(cause, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode)) {
		if (cause != NULL)
			cause_set(cause, "%s must be a directory or a file, "
			    "not a link or a device", path);
		return -1;
	}
	if (st.st_uid != geteuid()) {
		if (cause != NULL)
			cause_set(cause, "%s belongs to another user (uid %u); "
			    "the bot's files must be its own", path,
			    (unsigned)st.st_uid);
		return -1;
	}
	if ((st.st_mode & 077) == 0)
		return 0;
	mode = st.st_mode & 0700;
	if (chmod(path, mode) != 0) {
		if (cause != NULL)
			cause_set(cause, "%s is mode %04o (others may read it) "
			    "and cannot be fixed: %s", path,
			    (unsigned)(st.st_mode & 07777), strerror(errno));
		return -1;
	}
	log_warn("main", "%s was mode %04o, readable or writable by others; "
	    "made it %04o", path, (unsigned)(st.st_mode & 07777),
	    (unsigned)mode);
	return 0;
}

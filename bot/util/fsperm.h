/*
 * Owner-only files and directories: what the bot keeps (the data dir,
 * the store and its WAL and shm files) holds the audit trail and chat
 * text, so nobody else may read or change it.
 */
#ifndef OPSBOT_FSPERM_H
#define OPSBOT_FSPERM_H

#include <sys/types.h>

/*
 * Makes path (if it exists) owner-only: group and other bits are
 * cleared with a warning in the log. Returns 0, or -1 and *cause (may
 * be NULL) when it belongs to another user or cannot be fixed.
 */
int	fsperm_private(const char *path, char **cause);

#endif

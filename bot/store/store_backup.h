/*
 * An online copy of the store (opsbot --backup): sqlite's backup API on a
 * connection of its own, while the bot keeps running.
 */
#ifndef OPSBOT_STORE_BACKUP_H
#define OPSBOT_STORE_BACKUP_H

#include <stdint.h>

/*
 * Copies the sqlite file at src to dst (mode 0600): one consistent
 * snapshot, STORE_BACKUP_PAGES pages at a time with a short sleep between
 * steps, so the bot's writes are never blocked (in WAL mode a reader does
 * not stop a writer). The copy is written beside dst and renamed into
 * place only when complete; an existing dst is refused unless force.
 * Returns 0 and sets *pages (may be NULL), or -1 and sets *cause (caller
 * frees; cause may be NULL).
 */
#define STORE_BACKUP_PAGES	256
#define STORE_BACKUP_SLEEP_MS	5

int	 store_backup(const char *src, const char *dst, int force,
	    int64_t *pages, char **cause);

#endif

/*
 * All persistent state: one sqlite file in WAL mode. Every SQL statement
 * of the bot lives in store.c; callers see plain structs. The schema is
 * versioned by PRAGMA user_version and migrated forward on open.
 */
#ifndef OPSBOT_STORE_H
#define OPSBOT_STORE_H

#include <stdint.h>

#define STORE_SCHEMA_VERSION	2

struct store;

/* One row of the audit trail: every command, allowed or not. */
struct audit_entry {
	int64_t		 ts_ms;		/* when it was received */
	const char	*platform;	/* console, slack, mattermost */
	const char	*user_id;
	const char	*user_name;
	const char	*channel;
	const char	*command;	/* the command line as typed */
	const char	*outcome;	/* ok, error, denied, unknown, ... */
	const char	*detail;	/* error text, or NULL */
	int64_t		 duration_ms;
};

/*
 * Opens or creates the store at path (mode 0600) and migrates it to
 * STORE_SCHEMA_VERSION. Returns NULL and sets *cause (caller frees).
 */
struct store *store_open(const char *path, char **cause);
/* Finalizes statements and closes the file; accepts NULL. */
void	 store_close(struct store *);

/* Returns 0, or -1 and sets *cause (caller frees). */
int	 store_audit_append(struct store *, const struct audit_entry *,
	    char **cause);
/* Number of audit rows, or -1 on error. */
int64_t	 store_audit_count(struct store *);

const char *store_path(const struct store *);	/* borrowed */
int	 store_schema_version(struct store *);
/* The linked sqlite version, e.g. "3.40.1". */
const char *store_library_version(void);
/* Bytes on disk: the database plus its WAL. */
int64_t	 store_size_bytes(const struct store *);

#endif

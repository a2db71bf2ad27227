/*
 * All persistent state: one sqlite file in WAL mode. Every SQL statement
 * of the bot lives in store.c; callers see plain structs. The schema is
 * versioned by PRAGMA user_version and migrated forward on open.
 *
 * Every "char **cause" of the store layer (store*.h) may be NULL: the
 * error text is then dropped and only the return value says it failed.
 */
#ifndef OPSBOT_STORE_H
#define OPSBOT_STORE_H

#include <stddef.h>
#include <stdint.h>

#define STORE_SCHEMA_VERSION	8

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
	const char	*via;		/* "typed" (NULL) or "click" */
	/* The thread it was typed in (its root's platform id), or NULL. */
	const char	*thread;
};

/*
 * Opens or creates the store at path (mode 0600) and migrates it to
 * STORE_SCHEMA_VERSION. Returns NULL and sets *cause (caller frees).
 */
struct store *store_open(const char *path, char **cause);
/* Finalizes statements and closes the file; accepts NULL. */
void	 store_close(struct store *);

/*
 * Appends a row chained to the one before it (store_chain.h): one
 * INSERT that reads the previous row's hash itself. Returns 0, or -1 and
 * sets *cause (caller frees).
 */
int	 store_audit_append(struct store *, const struct audit_entry *,
	    char **cause);
/*
 * The last audit row's id (0: none) and hash into hash (len bytes; ""
 * for a row from before the chain): the tail `--verify-audit
 * --audit-tail` checks later. 0, or -1 and *cause.
 */
int	 store_audit_tail(struct store *, int64_t *id, char *hash, size_t len,
	    char **cause);
/* Number of audit rows, or -1 on error. */
int64_t	 store_audit_count(struct store *);

/* One outbox row: a chat message to deliver, kept until it is sent. */
struct store_outbox_row {
	int64_t		 id;
	int64_t		 created_ms;
	char		*platform;	/* the adapter that sends it */
	char		*channel;	/* platform channel id or name */
	char		*kind;		/* "post", "update", "response" */
	char		*target;	/* message to update, response URL, ... */
	char		*body;		/* the platform's JSON, ready to send */
	int		 attempts;
};

/*
 * Adds a pending row, committed before it returns (so the caller may
 * send it). Returns the row id, or -1 and sets *cause.
 */
int64_t	 store_outbox_add(struct store *, const struct store_outbox_row *,
	    char **cause);
/* Called per pending row, oldest first; the callee owns the strings. */
typedef void (*store_outbox_cb)(void *arg, struct store_outbox_row *);
/* Returns the number of rows, or -1. */
int	 store_outbox_pending(struct store *, store_outbox_cb, void *arg);
/* Row id was delivered (platform_id: the platform's message id, or NULL). */
int	 store_outbox_sent(struct store *, int64_t id, const char *platform_id,
	    int64_t now_ms, char **cause);
/* One more failed attempt; the row stays pending. */
int	 store_outbox_attempt(struct store *, int64_t id, const char *error,
	    char **cause);
/* Given up: the platform refused it for good (e.g. unknown channel). */
int	 store_outbox_failed(struct store *, int64_t id, const char *error,
	    char **cause);

/* The platform's id of a delivered outbox row (caller frees), or NULL. */
char	*store_outbox_platform_id(struct store *, int64_t id);

/*
 * An explicit transaction around several writes: everything in it is
 * committed together or not at all. store_commit rolls back on failure.
 */
int	 store_begin(struct store *, char **cause);
int	 store_commit(struct store *, char **cause);
void	 store_rollback(struct store *);
/*
 * Commits tried since open (one that then fails counts too), each write
 * outside a transaction counting as one: every commit costs the WAL write
 * and the file locks, so the command path's tests count them.
 */
uint64_t store_commits(const struct store *);
/*
 * On the calling thread, whether statements wait for another writer's
 * lock (0, the default: up to 5 s) or fail at once (1); and whether the
 * last failure was that lock. For writes the loop thread can retry later.
 */
void	 store_nowait(int on);
int	 store_was_busy(struct store *);
/* WAL checkpoints the store's own thread has run (not the committers). */
uint64_t store_checkpoints(const struct store *);
/* Is an explicit transaction open (between store_begin and its end)? */
int	 store_in_transaction(struct store *);
/*
 * fn(arg, committed) runs when an explicit transaction ends: committed 1
 * after a COMMIT that held, 0 after a rollback (or a failed COMMIT). One
 * hook per store (the outbox's); NULL removes it.
 */
void	 store_on_transaction_end(struct store *,
	    void (*fn)(void *arg, int committed), void *arg);

const char *store_path(const struct store *);	/* borrowed */
int	 store_schema_version(struct store *);
/* The linked sqlite version, e.g. "3.40.1". */
const char *store_library_version(void);
/* Bytes on disk: the database plus its WAL. */
int64_t	 store_size_bytes(const struct store *);

#endif

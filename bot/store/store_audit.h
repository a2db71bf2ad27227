/*
 * Reading the audit trail back (/audit): who ran what, where, with which
 * outcome, newest first, filtered and paged by sqlite so a large trail
 * costs one indexed query per page.
 */
#ifndef OPSBOT_STORE_AUDIT_H
#define OPSBOT_STORE_AUDIT_H

#include <stdint.h>

struct store;

/* A host, its tags and "all": the words a command line may target it by. */
#define STORE_AUDIT_WORDS_MAX	8

/* Every field NULL or 0 matches every row; the set ones must all match. */
struct store_audit_filter {
	const char	*user;		/* user id, or display name (any case) */
	/* The command's name and alias, without '/': the line's first word. */
	const char	*names[2];
	/* The line names one of these as a word (e.g. "/disk web1"). */
	const char	*words[STORE_AUDIT_WORDS_MAX];
	int64_t		 since_ms;	/* rows received at or after this */
	/* Rows up to this id: later pages of the same list (rows keep coming). */
	int64_t		 upto_id;
	int		 limit;		/* rows per page; 0: 20 */
	int		 offset;	/* rows of the newer pages */
};

/* One row; the strings are valid only during the callback. */
struct store_audit_row {
	int64_t		 id;
	int64_t		 ts_ms;
	const char	*platform;
	const char	*user_id;
	const char	*user_name;	/* or NULL */
	const char	*channel;
	const char	*command;	/* as typed, secrets redacted */
	const char	*outcome;
	const char	*detail;	/* or NULL */
	int64_t		 duration_ms;
	const char	*via;		/* "typed" or "click" */
};

typedef void (*store_audit_cb)(void *arg, const struct store_audit_row *);

/*
 * Calls cb for one page of the rows f matches, newest first, and sets
 * *total (may be NULL) to how many rows match on all pages and *last_id
 * (may be NULL) to the largest id among them (0 if none), the upto_id
 * that keeps the next pages still. Returns 0, or -1 and sets *cause (may
 * be NULL; the caller frees).
 */
int	 store_audit_find(struct store *, const struct store_audit_filter *f,
	    store_audit_cb cb, void *arg, int64_t *total, int64_t *last_id,
	    char **cause);

#endif

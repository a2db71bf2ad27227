/*
 * The runbook library's index (/runbook): which Markdown files are
 * indexed (with the mtime and size a re-index compares) and their words
 * in an FTS5 table, searched ranked by bm25 with a highlighted snippet.
 */
#ifndef OPSBOT_STORE_RUNBOOKS_H
#define OPSBOT_STORE_RUNBOOKS_H

#include <stdint.h>

struct store;

/* One indexed file, or one match; strings valid only during the callback. */
struct store_runbook {
	const char	*path;
	const char	*title;
	int64_t		 mtime;
	int64_t		 size;
	const char	*snippet;	/* matches only: the body, *marked* */
};

typedef void (*store_runbook_cb)(void *arg, const struct store_runbook *);

/*
 * Replaces (or adds) the document of path. Not a transaction by itself:
 * a caller indexing several files wraps them in store_begin/store_commit.
 * Returns 0, or -1 and sets *cause (may be NULL; the caller frees).
 */
int	 store_runbook_put(struct store *, const char *path, int64_t mtime,
	    int64_t size, const char *title, const char *body, char **cause);
/* Drops the document of path (none: no error); 0, or -1 and *cause. */
int	 store_runbook_remove(struct store *, const char *path, char **cause);
/* Calls cb for each indexed file, by title; 0, or -1 and *cause. */
int	 store_runbook_files(struct store *, store_runbook_cb cb, void *arg,
	    char **cause);
/*
 * Calls cb for the best (at most limit) documents that match, best
 * first; match is an FTS5 query, normally from store_runbook_match().
 * Returns how many matched, or -1 and sets *cause (may be NULL).
 */
int	 store_runbook_search(struct store *, const char *match, int limit,
	    store_runbook_cb cb, void *arg, char **cause);
/*
 * Text typed in chat as an FTS5 query that cannot be a syntax error or an
 * operator: each word an FTS5 string ("word", its '"' doubled), joined by
 * AND (any 0) or OR (any 1). NULL when text has no word; else the caller
 * frees.
 */
char	*store_runbook_match(const char *text, int any);

#endif

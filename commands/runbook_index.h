/*
 * The runbook library's indexer: the Markdown files of runbooks.dir into
 * the store's full-text index, re-reading only the files that changed,
 * at start and on every reload (runbook_service).
 */
#ifndef OPSBOT_RUNBOOK_INDEX_H
#define OPSBOT_RUNBOOK_INDEX_H

struct store;
struct bot_service;

/* What one pass did, for the log and the tests. */
struct runbook_stats {
	int	 added;
	int	 changed;
	int	 removed;
	int	 unchanged;
	int	 skipped;	/* could not be read: kept as indexed before */
};

/* Largest part of a file indexed; a KT document is far smaller. */
#define RUNBOOK_MAX_BYTES	(1024 * 1024)

/*
 * Brings the index in step with the *.md files of dir (not its
 * subdirectories), in one transaction: new and changed files (size or
 * mtime differ) are read again, removed ones dropped. *stats may be
 * NULL. Returns 0, or -1 and sets *cause (may be NULL; the caller frees)
 * with the index unchanged.
 */
int	 runbook_index(struct store *, const char *dir,
	    struct runbook_stats *stats, char **cause);

/*
 * A document's title: its first "# " heading, else the file name less
 * ".md". The caller frees.
 */
char	*runbook_title(const char *body, const char *name);

/* Indexes runbooks.dir at start and on reload (nothing without it). */
extern const struct bot_service runbook_service;

#endif

/*
 * Confluence as a second source for /runbook (runbooks.confluence): its
 * REST search (GET {url}/rest/api/search?cql=...), asked on a worker
 * thread with a short timeout. Never a hard dependency: a Confluence
 * that is down, slow or refuses the token costs its results, never the
 * library's.
 */
#ifndef OPSBOT_RUNBOOK_CONFLUENCE_H
#define OPSBOT_RUNBOOK_CONFLUENCE_H

#include <stddef.h>

struct config;
struct strlist;

/* One page found: all owned by the result. */
struct confluence_hit {
	char	*title;
	char	*url;		/* _links.base + the page's webui path */
	char	*excerpt;	/* one line, matches *marked* */
};

struct confluence_result {
	struct confluence_hit	*v;
	size_t			 n;
	char			*error;	/* why there are none, or NULL */
};

/*
 * The CQL for words typed in chat within spaces: text ~ "WORDS" AND
 * space in ("OPS","KT") AND type = page. Inside the quotes '"' and '\'
 * are escaped with '\', so no input ends the string or adds a clause.
 * The caller frees.
 */
char	*confluence_cql(const char *words, const struct strlist *spaces);

/*
 * A search to run on a worker thread (the strings are copies: a reload
 * may retire the config meanwhile). NULL when cfg has no Confluence.
 * Free with confluence_search_free.
 */
struct confluence_search;
struct confluence_search *confluence_search_new(const struct config *cfg,
	    const char *words, int limit);
/* Worker thread: asks Confluence; the answer is in the search. */
void	 confluence_search_run(struct confluence_search *);
/* After run: the pages found, or the error (borrowed from s). */
const struct confluence_result *confluence_search_result(
	    const struct confluence_search *s);
void	 confluence_search_free(struct confluence_search *);

/*
 * Reads a search answer ({"results": [{"content": {"title", "_links":
 * {"webui"}}, "title", "excerpt", "url"}], "_links": {"base"}}) into out
 * (at most limit pages). Returns 0, or -1 and sets *cause (may be NULL;
 * the caller frees). Release out with confluence_result_release.
 */
int	 confluence_parse(const char *body, size_t len, int limit,
	    struct confluence_result *out, char **cause);
void	 confluence_result_release(struct confluence_result *);

#endif

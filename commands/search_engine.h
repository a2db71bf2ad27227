/*
 * /search's one small interface to a log engine (docs/search.md): how
 * a search becomes an HTTP request, how the answer's bytes become
 * result lines (fed chunk by chunk as they arrive, so a huge answer is
 * cut once the cap is reached rather than buffered), and the link to
 * the same search in the engine's UI. One ops table per engine kind:
 * search_splunk.c, search_loki.c. The parsers run on a worker thread and
 * touch nothing but their struct log_results.
 */
#ifndef OPSBOT_SEARCH_ENGINE_H
#define OPSBOT_SEARCH_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "config.h"

/* Bytes kept of a line that has not ended yet, or of Loki's document. */
#define LOGS_LINE_MAX	(256 * 1024)
#define LOGS_DOC_MAX	(4 * 1024 * 1024)
/* Bytes of one result's text kept (the answer trims further). */
#define LOGS_TEXT_MAX	2048

struct log_line {
	int64_t	 ts_ms;		/* epoch ms, or 0 when unknown */
	char	*text;		/* owned; not yet redacted */
};

/* What an answer gave so far; search_results_free releases it. */
struct log_results {
	struct log_line	*v;
	size_t		 n, cap;
	size_t		 max;		/* lines kept at most */
	int		 more;		/* the engine had more than max */
	char		*error;		/* the engine's error text, or NULL */
	struct buf	 pending;	/* bytes after the last newline, or doc */
	int		 overflow;	/* a line or document over its bound */
	size_t		 skipped;	/* lines over LOGS_LINE_MAX dropped */
	long		 status;	/* HTTP status, for the parsers' finish */
};

/* One search as sent: the query and its time range. */
struct log_query {
	const char	*query;		/* SPL or LogQL, parameters bound */
	int64_t		 start_ms, end_ms;
	size_t		 limit;		/* lines wanted (cap + 1: "more") */
};

struct log_engine_ops {
	const char	*label;		/* "Splunk", "Loki": in messages */
	/*
	 * The request: *method "GET"/"POST" (static), *url and *body
	 * (caller frees; body NULL for GET).
	 */
	void	(*request)(const struct cfg_log_engine *,
		    const struct log_query *, const char **method, char **url,
		    char **body);
	/* Bytes of the answer; returns 1 once nothing more is wanted. */
	int	(*feed)(struct log_results *, const char *data, size_t len);
	/* The answer is complete (status in r->status): the last of it. */
	void	(*finish)(struct log_results *);
	/* The same search in the engine's UI (caller frees), or NULL. */
	char	*(*ui_link)(const struct cfg_log_engine *,
		    const struct log_query *);
};

extern const struct log_engine_ops search_splunk_ops;
extern const struct log_engine_ops search_loki_ops;

const struct log_engine_ops *search_engine_ops(const struct cfg_log_engine *);

/*
 * search_splunk.c: the first SPL command of q, outside strings and
 * macros, that writes, sends or calls out ("delete", "outputlookup",
 * "rest", "map", ...): static text, or NULL when there is none.
 */
const char *search_spl_risky(const char *q);

/* search_engine.c */
void	 search_results_init(struct log_results *, size_t max);
void	 search_results_free(struct log_results *);
/*
 * Each byte of s that starts no well-formed UTF-8 character becomes "?",
 * in place: a log line's stray Latin-1 byte must not make the chat's
 * JSON invalid and lose the whole answer.
 */
void	 search_clean_utf8(char *s);
/*
 * Keeps a line (text copied, cut to LOGS_TEXT_MAX, made valid UTF-8);
 * 1 when now full.
 */
int	 search_results_add(struct log_results *, int64_t ts_ms,
	    const char *text, size_t len);
/* Sets r->error once (the first error wins); printf-like. */
void	 search_results_error(struct log_results *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/*
 * A result's text as one line of the answer's code block: control bytes
 * as spaces, cut after chars characters with "…", and each backtick
 * after another followed by a zero-width space, so no run of them can
 * end the chat's code block (Slack ends one at any "```") and let the
 * rest render as markup. Caller frees.
 */
char	*search_line_text(const char *text, size_t chars);
/* Newest first; a stable order among equal times. */
void	 search_results_sort(struct log_results *);
/*
 * Splunk's _time ("2026-12-05T01:02:03.456+01:00") as epoch ms, or 0
 * when it is not one.
 */
int64_t	 search_parse_iso_time(const char *);
/*
 * The named search's query with each value in place: an int or a
 * duration (seconds) bare, anything else as a quoted string literal.
 * Caller frees.
 */
char	*search_bind_query(const struct cfg_search *, char *const *values);

#endif

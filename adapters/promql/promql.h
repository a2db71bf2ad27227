/*
 * A client of a PromQL engine's HTTP API (Prometheus, Thanos, Mimir,
 * VictoriaMetrics): instant queries (POST /api/v1/query) and the parser
 * of their answers. Not the bot's own /metrics (bot/util/metrics.c): here
 * the bot asks, it is not asked. promql_query blocks (libcurl through
 * bot/util/http.c) and runs on worker threads only; promql_parse is pure.
 */
#ifndef OPSBOT_PROMQL_H
#define OPSBOT_PROMQL_H

#include <stddef.h>

#include "config.h"

struct promql_label {
	char	*name;
	char	*value;
};

/* One series of an instant vector (a scalar: one with no labels). */
struct promql_sample {
	struct promql_label	*labels;	/* as the engine sent them */
	size_t			 nlabels;
	double			 ts;		/* seconds */
	double			 value;		/* NaN and +-Inf as sent */
};

struct promql_vector {
	struct promql_sample	*v;
	size_t			 n;
};

/*
 * Reads an /api/v1/query answer (len bytes, not NUL-terminated). Returns
 * 0 and fills out (release with promql_vector_free), or -1 and sets
 * *cause (caller frees; may be NULL): the engine's own "errorType: error"
 * for status "error", or what is wrong with the body. A body of another
 * result type than vector or scalar is refused.
 */
int	 promql_parse(const char *body, size_t len, struct promql_vector *out,
	    char **cause);
void	 promql_vector_free(struct promql_vector *);
/* The value of label name in s, or NULL. */
const char *promql_label(const struct promql_sample *s, const char *name);

/*
 * Asks src's engine query at its current time. Worker thread. Returns 0
 * and fills out (release with promql_vector_free), or -1 and sets *cause
 * (caller frees; may be NULL), which names the source: "prom
 * (http://...): no answer in 10 s", "prom: 401 Unauthorized: the token
 * was refused", "prom: bad_data: parse error at char 5: ...".
 */
int	 promql_query(const struct cfg_metrics_source *src, const char *query,
	    struct promql_vector *out, char **cause);

/*
 * query's text with s as a PromQL string literal's content matching s
 * exactly in a regex (=~): RE2 metacharacters escaped, then the string's
 * own \ and ". Appended to out.
 */
void	 promql_regex_quote(struct buf *out, const char *s);
/* s as the content of a PromQL "..." string, appended to out. */
void	 promql_string_quote(struct buf *out, const char *s);

#endif

/*
 * Alert webhook bodies -> normalized alerts. Pure functions: no I/O, no
 * globals; the intake (alerts_http.c) calls them on the loop thread and
 * the fuzzers call them directly. Shapes: docs/protocols.md §7 and
 * docs/alerts.md (the generic one).
 */
#ifndef OPSBOT_ALERT_PARSE_H
#define OPSBOT_ALERT_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "labels.h"

#define ALERT_PARSE_MAX_ALERTS	5000	/* per request */

struct alert_in {
	char		 fingerprint[17];	/* given (hex) or computed */
	int		 resolved;
	struct labels	 labels;		/* alertname always set */
	struct labels	 annotations;
	int64_t		 starts_ms;		/* epoch ms; 0 = unknown */
	int64_t		 ends_ms;		/* epoch ms; 0 = unset */
	char		*url;			/* generatorURL or NULL */
};

struct alert_batch {
	const char	*source;	/* "alertmanager", "grafana", "generic" */
	char		*group_key;	/* the sender's, or NULL */
	struct alert_in	*v;
	size_t		 n;
	size_t		 truncated;	/* sender's truncatedAlerts */
};

/*
 * Each returns 0 and fills *out (release with alert_batch_release), or
 * -1 with *cause (caller frees) a one-line reason a person can act on:
 * "alerts[3].labels.severity: expected a string, got 12". On failure
 * *out holds nothing. now_ms fills starts_ms when a body has none.
 */
int	 alert_parse_alertmanager(const char *body, size_t len,
	    int64_t now_ms, struct alert_batch *out, char **cause);
int	 alert_parse_grafana(const char *body, size_t len, int64_t now_ms,
	    struct alert_batch *out, char **cause);
int	 alert_parse_generic(const char *body, size_t len, int64_t now_ms,
	    struct alert_batch *out, char **cause);
void	 alert_batch_release(struct alert_batch *);

/*
 * RFC 3339 ("2024-05-01T10:42:00.123Z", "...+02:00") -> epoch ms.
 * Go's zero time "0001-01-01T00:00:00Z" gives 0. Returns 0 or -1.
 */
int	 alert_parse_time(const char *s, int64_t *ms);

#endif /* OPSBOT_ALERT_PARSE_H */

/*
 * The bot's Prometheus metrics: one registry of counters, gauges and
 * histograms that modules bump with one call each, rendered by hand in
 * the text exposition format 0.0.4 (Debian has no C client library).
 * Every call is safe from any thread (a probe ends on a worker). Families
 * are a fixed table in metrics.c: a name not in it is ignored, so a typo
 * cannot invent a metric.
 *
 * Labels are given as name, value pairs ending with NULL:
 *   metrics_add("opsbot_commands_total", 1, "command", "health",
 *       "outcome", "ok", NULL);
 */
#ifndef OPSBOT_METRICS_H
#define OPSBOT_METRICS_H

#include "buf.h"

/* Counter: adds n (>= 0) to the series. */
void	 metrics_add(const char *family, double n, ...)
	    __attribute__((sentinel));
/* Gauge: sets the series to v. */
void	 metrics_set(const char *family, double v, ...)
	    __attribute__((sentinel));
/* Histogram: one observation of v. */
void	 metrics_observe(const char *family, double v, ...)
	    __attribute__((sentinel));
/*
 * Gauge families rebuilt at each scrape (open alerts by state): drops
 * every series of family, so one that went away is not reported stale.
 */
void	 metrics_clear(const char *family);
/* Appends the whole registry in the text format to out. */
void	 metrics_render(struct buf *out);
/* Forgets every series (tests). */
void	 metrics_reset(void);

#endif

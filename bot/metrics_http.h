/*
 * GET /metrics on the bot's listener: the registry (metrics.h) plus the
 * gauges read at scrape time from the bot's parts (outbox, alerts,
 * silences, checklists, store, process).
 */
#ifndef OPSBOT_METRICS_HTTP_H
#define OPSBOT_METRICS_HTTP_H

struct bot;
struct buf;

/* Adds the routes to bot->httpd (which must be running). */
void	 metrics_http_start(struct bot *);
/* Refreshes the scrape-time gauges and renders everything onto out. */
void	 metrics_http_collect(struct bot *, struct buf *out);

#endif

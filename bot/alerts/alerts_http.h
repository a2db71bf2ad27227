/*
 * The alert webhooks on the bot's HTTP listener (alerts_http.c). The
 * routes borrow cfg's tokens and the engine: free after the listener.
 */
#ifndef OPSBOT_ALERTS_HTTP_H
#define OPSBOT_ALERTS_HTTP_H

struct alerts;
struct alerts_http;
struct config;
struct httpd;

struct alerts_http *alerts_http_start(struct httpd *, struct alerts *,
	    const struct config *);
/* A reload: the tokens and body limit of cfg (which must outlive ah). */
void	 alerts_http_set_config(struct alerts_http *, struct httpd *,
	    const struct config *);
void	 alerts_http_free(struct alerts_http *);

#endif

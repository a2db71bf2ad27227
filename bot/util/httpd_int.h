/*
 * Inside the HTTP listener: what httpd.c (requests) and httpd_accept.c
 * (the listening socket, the connection cap, the back-off when the
 * process is out of descriptors) share. Not for other modules.
 */
#ifndef OPSBOT_HTTPD_INT_H
#define OPSBOT_HTTPD_INT_H

#include <libwebsockets.h>
#include <stdint.h>

#include "httpd.h"

#define HTTPD_ROUTES_MAX	40
#define HTTPD_LISTEN_PROTOCOL	"opsbot-listen"

struct httpd_route_entry {
	char		*method;
	char		*path;
	httpd_route_fn	 fn;
	void		*arg;
	int		 prefix;	/* path is a prefix (httpd_route_prefix) */
};

/* One open client connection, for the cap and for eviction. */
struct httpd_conn {
	struct lws	*wsi;
	int64_t		 active_ms;	/* accepted, or its last request bytes */
};

struct httpd {
	struct lws_vhost		*vhost;
	int				 port;
	struct httpd_route_entry	 routes[HTTPD_ROUTES_MAX];
	size_t				 nroutes;
	size_t				 body_max;

	/* httpd_accept.c */
	int				 listen_fd;
	struct lws			*listen_wsi;
	int				 reserve_fd;	/* spent on EMFILE */
	struct httpd_conn		*conns;
	size_t				 nconns, max_conns;
	lws_sorted_usec_list_t		 resume;	/* end of a back-off */
	int				 paused;
	int64_t				 last_warn_ms;
	unsigned long			 refused;	/* since last_warn_ms */
};

/* A bound, listening, non-blocking socket, or -1 and *cause. */
int	httpd_listen_socket(const char *address, int port, int *bound,
	    char **cause);
/* Lowers max_conns to what the descriptor limit leaves room for. */
void	httpd_fit_limit(struct httpd *);
/* Adopts the listening socket into the loop; 0, or -1 and *cause. */
int	httpd_accept_start(struct httpd *, char **cause);
/* The listening socket's callback (its own lws protocol). */
int	httpd_listen_cb(struct lws *, enum lws_callback_reasons, void *,
	    void *, size_t);
/* A connection went away (LWS_CALLBACK_WSI_DESTROY). */
void	httpd_conn_gone(struct httpd *, struct lws *);
/* A connection sent request bytes: not idle. */
void	httpd_conn_active(struct httpd *, struct lws *);
void	httpd_accept_free(struct httpd *);

#endif

/*
 * Blocking HTTP for worker threads (libcurl): Web API calls and webhook
 * deliveries. Never called on the loop thread. Each calling thread keeps
 * its own handle and idle connections (closed when the thread ends).
 */
#ifndef OPSBOT_HTTP_H
#define OPSBOT_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

struct http_response {
	long		 status;	/* 0: no response (transport error) */
	struct buf	 body;		/* capped at body_max */
	size_t		 body_max;	/* 4 MiB, or http_request_big's */
	int64_t		 retry_after_s;	/* Retry-After on 429, or -1 */
	char		 error[256];	/* transport error, or "" */
	int		 unsent;	/* no connection: nothing was sent */
	int		 bad_url;	/* the URL can never work */
};

/* Once, before any thread starts (libcurl's global init is not safe). */
void	 http_global_init(void);
void	 http_global_cleanup(void);

/*
 * POSTs body (content_type) to url with the NULL-terminated headers
 * ("Name: value"). Returns 0 when a response came back, whatever its
 * status, or -1 with r->error set. Release r with http_response_release.
 */
int	 http_post(const char *url, const char *const *headers,
	    const char *content_type, const char *body, long timeout_ms,
	    struct http_response *r);
/* The same with any method ("GET", "PUT", ...); body may be NULL. */
int	 http_request(const char *method, const char *url,
	    const char *const *headers, const char *content_type,
	    const char *body, long timeout_ms, struct http_response *r);
/*
 * The same for answers that may be large (a PromQL engine's series of a
 * whole fleet): the body is kept up to body_max bytes (0: 4 MiB) and
 * compressed transfer is asked for.
 */
int	 http_request_big(const char *method, const char *url,
	    const char *const *headers, const char *content_type,
	    const char *body, long timeout_ms, size_t body_max,
	    struct http_response *r);
void	 http_response_release(struct http_response *);

#endif

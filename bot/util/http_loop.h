/*
 * HTTP on the loop thread: libcurl's multi interface driven by the lws
 * loop (curl_multi_socket_action on the sockets' events and on a timer),
 * so a small request goes out without a hand-off to a worker thread and
 * back. The multi handle keeps libcurl's connection cache: the connection
 * of one request is reused by the next, as a worker's handle does.
 * Loop thread only.
 */
#ifndef OPSBOT_HTTP_LOOP_H
#define OPSBOT_HTTP_LOOP_H

#include "http.h"

struct http_loop;
struct loop;

/*
 * Called once per request on the loop thread: r (released by http_loop
 * after the call) as http_request fills it; cancelled 1 when the request
 * went unfinished with http_loop_free (r then says nothing).
 */
typedef void (*http_loop_done_fn)(void *arg, const struct http_response *r,
	    int cancelled);

/*
 * NULL when libcurl cannot start one, or resolves names synchronously
 * (it would block the loop). Free with http_loop_free.
 */
struct http_loop *http_loop_create(struct loop *);
/* Cancels what is in flight (each done with cancelled 1), then frees. */
void	 http_loop_free(struct http_loop *);
/*
 * Starts a POST of body (copied) to url; done(arg, ...) runs later, never
 * before this returns. Returns 0, or -1 (done never runs) when libcurl
 * cannot take it.
 */
int	 http_loop_post(struct http_loop *, const char *url,
	    const char *content_type, const char *body, long timeout_ms,
	    http_loop_done_fn done, void *arg);
/* Requests in flight (tests). */
size_t	 http_loop_pending(const struct http_loop *);

#endif

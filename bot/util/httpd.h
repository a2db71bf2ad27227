/*
 * The bot's HTTP listener: a libwebsockets server vhost on the one loop.
 * Mattermost slash commands arrive here, and later alert webhooks. Routes
 * are plain functions that answer at once on the loop thread; anything
 * slow is handed to the worker pool and answered through the outbox.
 */
#ifndef OPSBOT_HTTPD_H
#define OPSBOT_HTTPD_H

#include <stddef.h>

#include "buf.h"

struct httpd;
struct loop;

struct httpd_request {
	const char	*method;	/* "GET", "POST" */
	const char	*path;		/* without the query string */
	const char	*authorization;	/* header, or "" */
	const char	*content_type;	/* header, or "" */
	const char	*body;		/* NUL-terminated */
	size_t		 body_len;
	const char	*query;		/* "a=1&b=2" (values decoded), or "" */
	const char	*cookie;	/* header, or "" */
	const char	*peer;		/* the client's address, or "" */
	const char	*tail;		/* prefix routes: the path after it */
	void		*conn;		/* for httpd_header() */
};

struct httpd_response {
	int		 status;	/* default 200 */
	const char	*content_type;	/* default application/json */
	struct buf	 body;
	struct buf	 headers;	/* httpd_response_header(); internal */
	void		(*after)(void *, int);	/* httpd_response_after() */
	void		*after_arg;
};

typedef void (*httpd_route_fn)(void *arg, const struct httpd_request *,
	    struct httpd_response *);

/*
 * Listens on address:port (port 0: any free one). Returns NULL and sets
 * *cause if the port cannot be bound.
 */
struct httpd *httpd_start(struct loop *, const char *address, int port,
	    char **cause);
void	 httpd_free(struct httpd *);
/*
 * Routes METHOD PATH (exact) to fn, replacing an earlier route of the
 * same METHOD PATH; GET /healthz is built in.
 */
void	 httpd_route(struct httpd *, const char *method, const char *path,
	    httpd_route_fn fn, void *arg);
/*
 * Routes METHOD PREFIX... (the path starts with prefix, which ends in
 * "/"), with req->tail the rest of the path; exact routes win.
 */
void	 httpd_route_prefix(struct httpd *, const char *method,
	    const char *prefix, httpd_route_fn fn, void *arg);
int	 httpd_port(const struct httpd *);
/*
 * Copies the request header name (lower case, e.g. "x-forwarded-user")
 * to dst; 1 when present and it fit, else 0 with dst "". During the
 * route function only.
 */
int	 httpd_header(const struct httpd_request *, const char *name,
	    char *dst, size_t size);
/* Adds a header to the answer (e.g. Set-Cookie); both copied. */
void	 httpd_response_header(struct httpd_response *, const char *name,
	    const char *value);
/*
 * fn(arg, written) runs once on the loop thread when the answer has been
 * written (written 1), or when the connection went before it could be
 * (written 0, also at shutdown): work that must not hold the answer back,
 * such as a slash command's store writes. fn owns arg.
 */
void	 httpd_response_after(struct httpd_response *,
	    void (*fn)(void *arg, int written), void *arg);
/* Bodies over max bytes get 413 (default 1 MiB). */
void	 httpd_set_body_max(struct httpd *, size_t max);
/*
 * At most max open connections (default 256); at the cap the one idle
 * longest gives way, or the new one is closed. Before the first one.
 */
void	 httpd_set_max_connections(struct httpd *, size_t max);

/* Form fields ("a=1&b=x%20y"): the decoded value of name, or NULL. */
char	*httpd_form_get(const char *body, const char *name);
/*
 * 1 when a JSON text holds a NUL, raw or escaped (\u0000): cJSON ends the
 * decoded C string there, so a token "tok\u0000junk" would read as "tok".
 */
int	 httpd_json_has_nul(const char *body, size_t len);
/* Constant-time string comparison for tokens; 1 when equal. */
int	 httpd_token_equal(const char *a, const char *b);

#endif

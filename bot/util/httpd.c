/*
 * The HTTP listener (see httpd.h). lws calls HTTP for the request line
 * and headers, HTTP_BODY for each chunk and HTTP_BODY_COMPLETION at the
 * end; a request with no Content-Length gets no body callbacks at all,
 * so it is answered straight away. Bodies are capped; the answer is
 * written when the connection is writable.
 */

#include <cjson/cJSON.h>
#include <libwebsockets.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cause.h"
#include "httpd.h"
#include "httpd_int.h"
#include "log.h"
#include "loop.h"
#include "xmalloc.h"

/* Over this the request gets 431 (lws itself holds 16 KiB at most). */
#define HTTPD_HEADERS_MAX	8192

struct httpd_pss {
	char		 path[256];
	int		 is_post;
	int		 is_other;	/* neither GET nor POST */
	int		 answered;	/* one answer per connection */
	int		 early;		/* 411, 413: answer before the body */
	int		 refuse;	/* 400, 431: answer after the body */
	const char	*why;		/* for refuse */
	char		 auth[512];
	char		 ctype[128];
	char		 cookie[1024];
	char		 query[1024];
	char		 peer[64];
	struct buf	 body;
	int		 over;
	unsigned char	*resp;
	size_t		 resp_len;
	void		(*after)(void *, int);	/* httpd_response_after() */
	void		*after_arg;
};

void
httpd_response_after(struct httpd_response *resp,
    void (*fn)(void *, int), void *arg)
{
	resp->after = fn;
	resp->after_arg = arg;
}

/* The route's work for after its answer, once, cleared before it runs. */
static void
httpd_run_after(struct httpd_pss *pss, int written)
{
	void	(*fn)(void *, int) = pss->after;

	if (fn == NULL)
		return;
	pss->after = NULL;
	fn(pss->after_arg, written);
}

static void
httpd_healthz(void *arg, const struct httpd_request *req,
    struct httpd_response *resp)
{
	resp->content_type = "text/plain";
	buf_adds(&resp->body, "ok\n");
}

/* Bytes of the request's known headers (lws keeps them in one buffer). */
static size_t
httpd_headers_size(struct lws *wsi)
{
	size_t	 n = 0;
	int	 t, l;

	for (t = 0; t < (int)WSI_TOKEN_COUNT; t++) {
		if ((l = lws_hdr_total_length(wsi, (enum lws_token_indexes)t)) > 0)
			n += (size_t)l;
	}
	return n;
}

/*
 * Copies a header ("" when absent); 0 when it does not fit or holds a
 * NUL, which would make the copy a different, shorter value.
 */
static int
httpd_hdr_get(struct lws *wsi, char *dst, size_t size,
    enum lws_token_indexes t)
{
	int	 total = lws_hdr_total_length(wsi, t);

	dst[0] = '\0';
	if (total <= 0)
		return 1;
	if ((size_t)total >= size ||
	    lws_hdr_copy(wsi, dst, (int)size, t) < 0) {
		dst[0] = '\0';
		return 0;
	}
	if (strlen(dst) != (size_t)total) {
		dst[0] = '\0';
		return 0;
	}
	return 1;
}

/* {"error": why}, built with cJSON (why may hold anything). */
static void
httpd_error_body(struct buf *b, const char *why)
{
	cJSON	*j = cJSON_CreateObject();
	char	*s;

	cJSON_AddStringToObject(j, "error", why != NULL ? why : "");
	s = cJSON_PrintUnformatted(j);
	buf_adds(b, s);
	free(s);
	cJSON_Delete(j);
}

/* The longest prefix route of path; *found when one has another method. */
static struct httpd_route_entry *
httpd_prefix_find(struct httpd *h, const char *path, const char *method,
    int *found)
{
	struct httpd_route_entry	*best = NULL, *r;
	size_t				 i, n, best_n = 0;

	for (i = 0; i < h->nroutes; i++) {
		r = &h->routes[i];
		n = strlen(r->path);
		if (!r->prefix || strncmp(r->path, path, n) != 0)
			continue;
		*found = 1;
		if (strcmp(r->method, method) == 0 && n > best_n) {
			best = r;
			best_n = n;
		}
	}
	return best;
}

/*
 * The query string as "a=1&b=2" from lws's fragments (each already
 * decoded by lws); what does not fit is left out, whole arguments only.
 */
static void
httpd_query_copy(struct lws *wsi, char *dst, size_t size)
{
	char	 frag[512];
	size_t	 len = 0, n;
	int	 i, l;

	dst[0] = '\0';
	for (i = 0; i < 32; i++) {
		l = lws_hdr_copy_fragment(wsi, frag, sizeof frag,
		    WSI_TOKEN_HTTP_URI_ARGS, i);
		if (l < 0)
			break;
		n = strlen(frag);
		if (len + n + 2 > size)
			continue;
		if (len > 0)
			dst[len++] = '&';
		memcpy(dst + len, frag, n + 1);
		len += n;
	}
}

static int
httpd_answer(struct lws *wsi, struct httpd *h, struct httpd_pss *pss)
{
	unsigned char		 hdr[LWS_PRE + 1024], *start = hdr + LWS_PRE;
	unsigned char		*p = start, *end = hdr + sizeof hdr - 1;
	struct httpd_request	 req;
	struct httpd_response	 resp;
	struct httpd_route_entry *r;
	const char		*hn, *hv;
	size_t			 i, off;
	int			 found = 0;

	memset(&req, 0, sizeof req);
	req.method = pss->is_post ? "POST" : pss->is_other ? "OTHER" : "GET";
	req.path = pss->path;
	req.authorization = pss->auth;
	req.content_type = pss->ctype;
	req.body = pss->body.data != NULL ? pss->body.data : "";
	req.body_len = pss->body.len;
	req.query = pss->query;
	req.cookie = pss->cookie;
	req.peer = pss->peer;
	req.tail = "";
	req.conn = wsi;
	memset(&resp, 0, sizeof resp);
	resp.status = 200;
	resp.content_type = "application/json";
	buf_init(&resp.body);
	buf_init(&resp.headers);

	if (pss->early != 0) {
		resp.status = pss->early;
		httpd_error_body(&resp.body, pss->early == 413 ?
		    "request body too large" : "a Content-Length is required");
	} else if (pss->refuse != 0) {
		resp.status = pss->refuse;
		httpd_error_body(&resp.body, pss->why);
	} else if (pss->over) {
		resp.status = 413;
		httpd_error_body(&resp.body, "request body too large");
	} else if (pss->is_other) {
		resp.status = 405;
		httpd_error_body(&resp.body, "method not allowed");
	} else {
		for (i = 0; i < h->nroutes; i++) {
			if (h->routes[i].prefix ||
			    strcmp(h->routes[i].path, pss->path) != 0)
				continue;
			found = 1;
			if (strcmp(h->routes[i].method, req.method) == 0) {
				h->routes[i].fn(h->routes[i].arg, &req, &resp);
				break;
			}
		}
		/* No exact route: the longest prefix route. */
		if (i == h->nroutes && !found &&
		    (r = httpd_prefix_find(h, pss->path, req.method, &found))
		    != NULL) {
			req.tail = pss->path + strlen(r->path);
			r->fn(r->arg, &req, &resp);
		} else if (i == h->nroutes) {
			resp.status = found ? 405 : 404;
			httpd_error_body(&resp.body, found ?
			    "method not allowed" : "not found");
		}
	}
	log_debug("httpd", "%s %s -> %d", req.method, pss->path, resp.status);
	buf_release(&pss->body);
	pss->answered = 1;
	/* Run by the write, or by the close if the answer never goes. */
	pss->after = resp.after;
	pss->after_arg = resp.after_arg;
	/*
	 * One request per connection: no keep-alive, so no pipelining
	 * (lws 4.1 replays BODY_COMPLETION for a pipelined request).
	 */
	if (lws_add_http_common_headers(wsi, (unsigned)resp.status,
	    resp.content_type, (lws_filepos_t)resp.body.len, &p, end) ||
	    lws_add_http_header_by_name(wsi, (const unsigned char *)
	    "connection:", (const unsigned char *)"close", 5, &p, end)) {
		buf_release(&resp.body);
		buf_release(&resp.headers);
		return -1;
	}
	/* The route's own headers: "name\0value\0" pairs. */
	for (off = 0; off < resp.headers.len; off += strlen(hn) +
	    strlen(hv) + 2) {
		hn = resp.headers.data + off;
		hv = hn + strlen(hn) + 1;
		if (lws_add_http_header_by_name(wsi, (const unsigned char *)hn,
		    (const unsigned char *)hv, (int)strlen(hv), &p, end)) {
			buf_release(&resp.body);
			buf_release(&resp.headers);
			return -1;
		}
	}
	buf_release(&resp.headers);
	if (lws_finalize_write_http_header(wsi, start, &p, end)) {
		buf_release(&resp.body);
		return -1;
	}
	free(pss->resp);
	pss->resp = xmalloc(LWS_PRE + resp.body.len + 1);
	memcpy(pss->resp + LWS_PRE, resp.body.data, resp.body.len);
	pss->resp_len = resp.body.len;
	buf_release(&resp.body);
	lws_callback_on_writable(wsi);
	return 0;
}

static int
httpd_cb(struct lws *wsi, enum lws_callback_reasons reason, void *user,
    void *in, size_t len)
{
	struct httpd_pss	*pss = user;
	struct httpd		*h = lws_get_vhost_user(lws_get_vhost(wsi));
	char			 tmp[32];
	long long		 cl;
	int			 n;

	switch (reason) {
	case LWS_CALLBACK_HTTP:
		/* A second request on this connection: we said close. */
		if (pss->answered)
			return -1;
		httpd_conn_active(lws_get_opaque_user_data(wsi), wsi);
		buf_init(&pss->body);
		pss->over = 0;
		pss->answered = 0;
		pss->early = 0;
		pss->is_post = lws_hdr_total_length(wsi, WSI_TOKEN_POST_URI) >
		    0;
		pss->is_other = !pss->is_post &&
		    lws_hdr_total_length(wsi, WSI_TOKEN_GET_URI) <= 0;
		snprintf(pss->path, sizeof pss->path, "%s", in != NULL ?
		    (const char *)in : "/");
		pss->refuse = 0;
		httpd_query_copy(wsi, pss->query, sizeof pss->query);
		lws_get_peer_simple(wsi, pss->peer, sizeof pss->peer);
		if (httpd_headers_size(wsi) > HTTPD_HEADERS_MAX) {
			pss->refuse = 431;
			pss->why = "request header fields too large";
		}
		/* A NUL inside a header ends the C string early: refuse. */
		if (!httpd_hdr_get(wsi, pss->auth, sizeof pss->auth,
		    WSI_TOKEN_HTTP_AUTHORIZATION) ||
		    !httpd_hdr_get(wsi, pss->ctype, sizeof pss->ctype,
		    WSI_TOKEN_HTTP_CONTENT_TYPE)) {
			pss->refuse = 400;
			pss->why = "a header holds a NUL byte or is too long";
		}
		/* A cookie that does not fit is no cookie, not an error. */
		(void)httpd_hdr_get(wsi, pss->cookie, sizeof pss->cookie,
		    WSI_TOKEN_HTTP_COOKIE);
		/*
		 * A body is read (and dropped, when the answer does not need
		 * it) before the answer, whatever the method: answering first
		 * and closing on the unread body would cut the answer.
		 */
		if (lws_hdr_copy(wsi, tmp, sizeof tmp,
		    WSI_TOKEN_HTTP_CONTENT_LENGTH) > 0) {
			cl = strtoll(tmp, NULL, 10);
			/* lws calls back a POST's empty body, no other's. */
			if (cl <= (long long)h->body_max &&
			    (cl > 0 || pss->is_post))
				return 0;	/* the body follows */
			if (cl > (long long)h->body_max)
				pss->early = 413;
		} else if (lws_hdr_total_length(wsi,
		    WSI_TOKEN_HTTP_TRANSFER_ENCODING) > 0)
			pss->early = 411;
		return httpd_answer(wsi, h, pss);
	case LWS_CALLBACK_HTTP_BODY:
		/* Answered early (413): drop the rest until it is written. */
		if (pss->answered)
			return 0;
		httpd_conn_active(lws_get_opaque_user_data(wsi), wsi);
		/* Only POST routes read a body; others' is dropped. */
		if (!pss->is_post || pss->refuse != 0)
			return 0;
		if (!pss->over && pss->body.len + len <= h->body_max)
			buf_add(&pss->body, in, len);
		else
			pss->over = 1;
		return 0;
	case LWS_CALLBACK_HTTP_BODY_COMPLETION:
		/* Answered already (an early 413, or a replay): close. */
		if (pss->answered)
			return -1;
		return httpd_answer(wsi, h, pss);
	case LWS_CALLBACK_HTTP_WRITEABLE:
		if (pss == NULL || pss->resp == NULL)
			return 0;
		n = lws_write(wsi, pss->resp + LWS_PRE, pss->resp_len,
		    LWS_WRITE_HTTP_FINAL);
		free(pss->resp);
		pss->resp = NULL;
		/* The answer is on the wire: now what may take longer. */
		httpd_run_after(pss, n >= 0);
		/* Sent: close, as the header said. */
		return -1;
	case LWS_CALLBACK_HTTP_DROP_PROTOCOL:
	case LWS_CALLBACK_CLOSED_HTTP:
		if (pss != NULL) {
			httpd_run_after(pss, 0);
			buf_release(&pss->body);
			free(pss->resp);
			pss->resp = NULL;
		}
		return 0;
	case LWS_CALLBACK_WSI_DESTROY:
		/* Set on the connections we track; cleared by httpd_free. */
		httpd_conn_gone(lws_get_opaque_user_data(wsi), wsi);
		return 0;
	case LWS_CALLBACK_EVENT_WAIT_CANCELLED:
		return 0;
	default:
		return lws_callback_http_dummy(wsi, reason, user, in, len);
	}
}

static const struct lws_protocols httpd_protocols[] = {
	{ "http", httpd_cb, sizeof(struct httpd_pss), 0, 0, NULL, 0 },
	{ HTTPD_LISTEN_PROTOCOL, httpd_listen_cb, 0, 0, 0, NULL, 0 },
	{ NULL, NULL, 0, 0, 0, NULL, 0 }
};

struct httpd *
httpd_start(struct loop *loop, const char *address, int port, char **cause)
{
	struct lws_context_creation_info	 info;
	struct httpd				*h = xcalloc(1, sizeof *h);

	if (cause != NULL)
		cause_clear(cause);
	h->reserve_fd = -1;
	/* Our socket, not lws's: see httpd_accept.c for why. */
	if ((h->listen_fd = httpd_listen_socket(address, port, &h->port,
	    cause)) < 0) {
		free(h);
		return NULL;
	}
	memset(&info, 0, sizeof info);
	info.vhost_name = "opsbot-http";
	info.port = CONTEXT_PORT_NO_LISTEN_SERVER;
	info.protocols = httpd_protocols;
	info.user = h;
	if ((h->vhost = lws_create_vhost(loop_lws(loop), &info)) == NULL) {
		if (cause != NULL)
			cause_set(cause, "cannot create the HTTP server");
		close(h->listen_fd);
		free(h);
		return NULL;
	}
	h->body_max = 1024 * 1024;
	if (httpd_accept_start(h, cause) != 0) {
		close(h->listen_fd);
		httpd_accept_free(h);
		free(h);
		return NULL;
	}
	httpd_route(h, "GET", "/healthz", httpd_healthz, NULL);
	log_info("httpd", "listening on %s:%d", address, h->port);
	return h;
}

void
httpd_free(struct httpd *h)
{
	size_t	 i;

	if (h == NULL)
		return;
	for (i = 0; i < h->nroutes; i++) {
		free(h->routes[i].method);
		free(h->routes[i].path);
	}
	/*
	 * The vhost, the listening socket and the connections go with the
	 * lws context, later: their callbacks must not find us then.
	 */
	for (i = 0; i < h->nconns; i++)
		lws_set_opaque_user_data(h->conns[i].wsi, NULL);
	if (h->listen_wsi != NULL)
		lws_set_opaque_user_data(h->listen_wsi, NULL);
	httpd_accept_free(h);
	free(h);
}

void
httpd_route(struct httpd *h, const char *method, const char *path,
    httpd_route_fn fn, void *arg)
{
	struct httpd_route_entry	*r;
	size_t				 i;

	/* A chat adapter restarted by a reload takes its routes over. */
	for (i = 0; i < h->nroutes; i++) {
		r = &h->routes[i];
		if (!r->prefix && strcmp(r->method, method) == 0 &&
		    strcmp(r->path, path) == 0) {
			r->fn = fn;
			r->arg = arg;
			return;
		}
	}
	if (h->nroutes >= HTTPD_ROUTES_MAX) {
		log_error("httpd", "too many routes; %s %s not added", method,
		    path);
		return;
	}
	r = &h->routes[h->nroutes++];
	r->method = xstrdup(method);
	r->path = xstrdup(path);
	r->fn = fn;
	r->arg = arg;
	r->prefix = 0;
}

void
httpd_route_prefix(struct httpd *h, const char *method, const char *prefix,
    httpd_route_fn fn, void *arg)
{
	size_t	 i;

	for (i = 0; i < h->nroutes; i++) {
		if (h->routes[i].prefix && strcmp(h->routes[i].method,
		    method) == 0 && strcmp(h->routes[i].path, prefix) == 0)
			break;
	}
	if (i == h->nroutes) {
		if (h->nroutes >= HTTPD_ROUTES_MAX) {
			log_error("httpd", "too many routes; %s %s* not added",
			    method, prefix);
			return;
		}
		h->routes[i].method = xstrdup(method);
		h->routes[i].path = xstrdup(prefix);
		h->nroutes++;
	}
	h->routes[i].fn = fn;
	h->routes[i].arg = arg;
	h->routes[i].prefix = 1;
}

int
httpd_header(const struct httpd_request *req, const char *name, char *dst,
    size_t size)
{
	char	 key[128];
	int	 n;

	dst[0] = '\0';
	if (req->conn == NULL || size < 2 ||
	    snprintf(key, sizeof key, "%s:", name) >= (int)sizeof key)
		return 0;
	n = lws_hdr_custom_copy(req->conn, dst, (int)size, key,
	    (int)strlen(key));
	if (n < 0 || strlen(dst) != (size_t)n) {
		dst[0] = '\0';
		return 0;
	}
	return 1;
}

void
httpd_response_header(struct httpd_response *resp, const char *name,
    const char *value)
{
	/* lws writes the name as given: it must carry its colon. */
	buf_add(&resp->headers, name, strlen(name));
	buf_add(&resp->headers, ":", 2);
	buf_add(&resp->headers, value, strlen(value) + 1);
}

void
httpd_set_body_max(struct httpd *h, size_t max)
{
	h->body_max = max;
}

void
httpd_set_max_connections(struct httpd *h, size_t max)
{
	/* The table is sized on the first connection. */
	if (h->conns == NULL && max > 0) {
		h->max_conns = max;
		httpd_fit_limit(h);
	}
}

int
httpd_port(const struct httpd *h)
{
	return h->port;
}

static int
httpd_hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

char *
httpd_form_get(const char *body, const char *name)
{
	size_t		 n = strlen(name);
	const char	*p = body, *end;
	struct buf	 b;
	int		 hi, lo;

	while (p != NULL && *p != '\0') {
		end = strchr(p, '&');
		if (end == NULL)
			end = p + strlen(p);
		if ((size_t)(end - p) > n && strncmp(p, name, n) == 0 &&
		    p[n] == '=') {
			buf_init(&b);
			for (p += n + 1; p < end; p++) {
				if (*p == '+')
					buf_addc(&b, ' ');
				else if (*p == '%' && p + 2 < end &&
				    (hi = httpd_hex(p[1])) >= 0 &&
				    (lo = httpd_hex(p[2])) >= 0 &&
				    hi + lo != 0) {
					/*
					 * %00 stays as typed: a decoded NUL
					 * would end the C string there, so
					 * "token=tok%00junk" would compare
					 * equal to "tok".
					 */
					buf_addc(&b, (char)(hi * 16 + lo));
					p += 2;
				} else
					buf_addc(&b, *p);
			}
			return buf_detach(&b);
		}
		if ((size_t)(end - p) == n && strncmp(p, name, n) == 0)
			return xstrdup("");
		p = *end == '&' ? end + 1 : end;
	}
	return NULL;
}

int
httpd_token_equal(const char *a, const char *b)
{
	size_t		 la = strlen(a), lb = strlen(b), i;
	unsigned char	 diff = la != lb;

	/* Same work whatever the first difference. */
	for (i = 0; i < lb; i++)
		diff |= (unsigned char)(a[i < la ? i : 0] ^ b[i]);
	return diff == 0 && la > 0;
}

int
httpd_json_has_nul(const char *body, size_t len)
{
	size_t	 i;

	/*
	 * A backslash occurs only inside a JSON string, so each one starts
	 * an escape: skip what it escapes, and look at each \u for 0000.
	 */
	for (i = 0; i < len; i++) {
		if (body[i] == '\0')
			return 1;
		if (body[i] != '\\' || i + 1 >= len)
			continue;
		if (body[i + 1] == 'u' && i + 5 < len &&
		    body[i + 2] == '0' && body[i + 3] == '0' &&
		    body[i + 4] == '0' && body[i + 5] == '0')
			return 1;
		i++;
	}
	return 0;
}

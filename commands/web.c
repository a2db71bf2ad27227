/*
 * The web page's routes and who may read them (see web.h). The pages
 * are in web_*.c; this file decides access, picks the page, and adds the
 * headers every answer carries: no script may run (the page has none, so
 * the Content-Security-Policy forbids all), nothing is cached, the token
 * never travels on in a Referer.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bot.h"
#include "config.h"
#include "httpd.h"
#include "log.h"
#include "web.h"
#include "web_page.h"
#include "xmalloc.h"

/* The cookie's value in a Cookie header ("a=1; opsbot_web=T"), or NULL. */
static char *
web_cookie(const char *header)
{
	const char	*p = header;
	size_t		 n = strlen(WEB_COOKIE), len;

	while (p != NULL && *p != '\0') {
		while (*p == ' ' || *p == ';')
			p++;
		if (strncmp(p, WEB_COOKIE, n) == 0 && p[n] == '=') {
			p += n + 1;
			len = strcspn(p, ";");
			return xstrndup(p, len);
		}
		p = strchr(p, ';');
	}
	return NULL;
}

enum web_access
web_access(const struct config *c, const struct httpd_request *req,
    char *who, unsigned long size)
{
	const char	*tok = c->web.token, *peer = req->peer;
	char		*v, user[128];
	int		 ok;

	if (who != NULL && size > 0)
		who[0] = '\0';
	if (c->web.trusted_proxy != NULL) {
		/* An IPv4 peer on a dual-stack socket reads ::ffff:a.b.c.d. */
		if (strncmp(peer, "::ffff:", 7) == 0)
			peer += 7;
		if (strcmp(peer, c->web.trusted_proxy) == 0 &&
		    httpd_header(req, c->web.trusted_proxy_header, user,
		    sizeof user) && user[0] != '\0') {
			if (who != NULL)
				snprintf(who, size, "%s", user);
			return WEB_ALLOWED;
		}
	}
	if (tok == NULL || *tok == '\0')
		return WEB_DENIED;
	if (strncmp(req->authorization, "Bearer ", 7) == 0 &&
	    httpd_token_equal(req->authorization + 7, tok)) {
		if (who != NULL)
			snprintf(who, size, "bearer");
		return WEB_ALLOWED;
	}
	if ((v = web_cookie(req->cookie)) != NULL) {
		ok = httpd_token_equal(v, tok);
		free(v);
		if (ok) {
			if (who != NULL)
				snprintf(who, size, "cookie");
			return WEB_ALLOWED;
		}
	}
	if ((v = httpd_form_get(req->query, "token")) != NULL) {
		ok = httpd_token_equal(v, tok);
		free(v);
		if (ok) {
			if (who != NULL)
				snprintf(who, size, "link");
			return WEB_TOKEN_IN_URL;
		}
	}
	return WEB_DENIED;
}

static void
web_headers(struct httpd_response *resp)
{
	httpd_response_header(resp, "content-security-policy",
	    "default-src 'none'; style-src 'self'; img-src 'self'; "
	    "form-action 'none'; frame-ancestors 'none'; base-uri 'none'");
	httpd_response_header(resp, "x-content-type-options", "nosniff");
	httpd_response_header(resp, "cache-control", "no-store");
	httpd_response_header(resp, "referrer-policy", "no-referrer");
}

/*
 * A path we may echo in a Location header: printable ASCII, and never one
 * a browser reads as another host ("//evil", "/\\evil").
 */
static const char *
web_safe_path(const char *path)
{
	const char	*p;

	for (p = path; *p != '\0'; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f ||
		    *p == '\\')
			return "/";
	return path[0] == '/' && path[1] != '/' ? path : "/";
}

/* An id of digits only ("12", not "12abc" or "-1"); -1 otherwise. */
static long long
web_id(const char *s, size_t n)
{
	long long	 v = 0;
	size_t		 i;

	if (n == 0 || n > 15)
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

static int
web_dispatch(struct bot *b, const struct httpd_request *req,
    struct httpd_response *resp)
{
	const char	*p = req->path, *tail = req->tail;
	size_t		 n;
	long long	 id;

	if (strcmp(p, "/") == 0)
		return web_overview_page(b, &resp->body);
	if (strcmp(p, "/alerts") == 0)
		return web_alerts_page(b, &resp->body);
	if (strcmp(p, "/hosts") == 0)
		return web_hosts_page(b, &resp->body);
	if (strcmp(p, "/checklists") == 0)
		return web_checklists_page(b, &resp->body);
	if (strcmp(p, "/incidents") == 0)
		return web_incidents_page(b, &resp->body);
	if (strcmp(p, "/runbooks") == 0)
		return web_runbooks_page(b, &resp->body);
	if (strncmp(p, "/incidents/", 11) == 0) {
		n = strlen(tail);
		if (n > 3 && strcmp(tail + n - 3, ".md") == 0) {
			if ((id = web_id(tail, n - 3)) < 0)
				return 404;
			resp->content_type = "text/markdown; charset=utf-8";
			return web_incident_rca(b, id, &resp->body);
		}
		if ((id = web_id(tail, n)) < 0)
			return 404;
		return web_incident_page(b, id, &resp->body);
	}
	if (strncmp(p, "/runbooks/", 10) == 0) {
		resp->content_type = "text/markdown; charset=utf-8";
		return web_runbook_file(b, tail, &resp->body);
	}
	return 404;
}

static void
web_error(struct httpd_response *resp, int status, const char *what)
{
	buf_clear(&resp->body);
	resp->status = status;
	resp->content_type = "text/html; charset=utf-8";
	web_head(&resp->body, what, NULL);
	web_foot(&resp->body);
}

static void
web_route(void *arg, const struct httpd_request *req,
    struct httpd_response *resp)
{
	struct bot	*b = arg;
	char		 who[128], cookie[600];
	int		 status;

	/* Off: as if the routes were not there. */
	if (!b->cfg->web.enabled) {
		resp->status = 404;
		resp->content_type = "text/plain";
		buf_adds(&resp->body, "not found\n");
		return;
	}
	web_headers(resp);
	switch (web_access(b->cfg, req, who, sizeof who)) {
	case WEB_DENIED:
		httpd_response_header(resp, "www-authenticate",
		    "Bearer realm=\"opsbot\"");
		web_error(resp, 401, "A token is needed: open the link with "
		    "?token=\xe2\x80\xa6 once, or send Authorization: Bearer");
		return;
	case WEB_TOKEN_IN_URL:
		/*
		 * The token goes into a cookie and out of the address bar
		 * (and the history) at once.
		 */
		snprintf(cookie, sizeof cookie, "%s=%s; Path=/; HttpOnly; "
		    "SameSite=Strict", WEB_COOKIE, b->cfg->web.token);
		httpd_response_header(resp, "set-cookie", cookie);
		httpd_response_header(resp, "location",
		    web_safe_path(req->path));
		resp->status = 303;
		resp->content_type = "text/plain";
		return;
	case WEB_ALLOWED:
		break;
	}
	log_debug("web", "GET %s (%s)", req->path, who);
	if (strcmp(req->path, "/web.css") == 0) {
		resp->content_type = "text/css; charset=utf-8";
		buf_adds(&resp->body, web_css);
		return;
	}
	resp->content_type = "text/html; charset=utf-8";
	status = web_dispatch(b, req, resp);
	if (status == 404)
		web_error(resp, 404, "Not found");
	else if (status != 200)
		web_error(resp, status, "The store cannot be read; see the "
		    "bot's log");
	else
		resp->status = 200;
}

static const char *const web_paths[] = { "/", "/alerts", "/hosts",
    "/checklists", "/incidents", "/runbooks", "/web.css" };

static int
web_start(struct bot *b, char **cause)
{
	size_t	 i;

	(void)cause;
	if (b->httpd == NULL)
		return 0;
	for (i = 0; i < sizeof web_paths / sizeof web_paths[0]; i++)
		httpd_route(b->httpd, "GET", web_paths[i], web_route, b);
	httpd_route_prefix(b->httpd, "GET", "/incidents/", web_route, b);
	httpd_route_prefix(b->httpd, "GET", "/runbooks/", web_route, b);
	if (b->cfg->web.enabled)
		log_info("web", "the web page is on at the listener's /");
	return 0;
}

static void
web_free(struct bot *b)
{
	(void)b;
}

const struct bot_service web_service = {
	.name = "web",
	.start = web_start,
	.free = web_free,
};

/*
 * libcurl, blocking (see http.h). Each thread keeps one easy handle and
 * with it libcurl's connection cache: a connection per request cost more
 * CPU than anything else in a chat command's answer (connect and close on
 * every message, and a TLS handshake each against the real Slack).
 */

#include <curl/curl.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http.h"
#include "http_int.h"
#include "xmalloc.h"

#define HTTP_BODY_MAX	(4 * 1024 * 1024)
/* Idle connections a thread keeps: the Web API and a webhook host. */
#define HTTP_CONNS_KEPT	2L

static pthread_key_t	 http_key;
static pthread_once_t	 http_once = PTHREAD_ONCE_INIT;

/* A thread's handle goes (connections closed) when the thread ends. */
static void
http_handle_free(void *c)
{
	curl_easy_cleanup(c);
}

static void
http_key_make(void)
{
	if (pthread_key_create(&http_key, http_handle_free) != 0)
		abort();
}

/*
 * The calling thread's handle, with default options (http_request resets
 * them after each transfer); NULL if libcurl cannot make one. Owned by the thread (freed when it ends, or by
 * http_global_cleanup for the thread that calls it): never freed here.
 */
static CURL *
http_handle(void)
{
	CURL	*c;

	(void)pthread_once(&http_once, http_key_make);
	if ((c = pthread_getspecific(http_key)) != NULL)
		return c;
	if ((c = curl_easy_init()) == NULL)
		return NULL;
	if (pthread_setspecific(http_key, c) != 0) {
		curl_easy_cleanup(c);
		return NULL;
	}
	return c;
}

void
http_global_init(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

void
http_global_cleanup(void)
{
	CURL	*c;

	/* The other threads' handles went with them. */
	(void)pthread_once(&http_once, http_key_make);
	if ((c = pthread_getspecific(http_key)) != NULL) {
		(void)pthread_setspecific(http_key, NULL);
		curl_easy_cleanup(c);
	}
	curl_global_cleanup();
}

/*
 * A kept connection must not leak into the processes the bot starts (ssh
 * runs for minutes): close-on-exec, as every other descriptor here.
 */
int
http_sockopt_cloexec(void *arg, curl_socket_t fd, curlsocktype purpose)
{
	int	 fl;

	(void)arg;
	(void)purpose;
	if ((fl = fcntl(fd, F_GETFD)) == -1 ||
	    fcntl(fd, F_SETFD, fl | FD_CLOEXEC) == -1)
		return CURL_SOCKOPT_ERROR;
	return CURL_SOCKOPT_OK;
}

size_t
http_write_cb(char *data, size_t size, size_t n, void *arg)
{
	struct http_response	*r = arg;
	size_t			 len = size * n;

	if (r->body.len + len > r->body_max)
		return 0;	/* curl reports a write error */
	buf_add(&r->body, data, len);
	return len;
}

size_t
http_header_cb(char *data, size_t size, size_t n, void *arg)
{
	struct http_response	*r = arg;
	size_t			 len = size * n;
	char			 line[128];

	if (len < sizeof line && strncasecmp(data, "retry-after:", 12) == 0) {
		char *p = line, *end;

		memcpy(line, data + 12, len - 12);
		line[len - 12] = '\0';
		while (*p == ' ')
			p++;
		/* Seconds; an HTTP date is left to the caller's default. */
		r->retry_after_s = strtoll(p, &end, 10);
		if (end == p || (*end != '\r' && *end != '\n' && *end != '\0'))
			r->retry_after_s = -1;
	}
	return len;
}

void
http_response_init(struct http_response *r)
{
	memset(r, 0, sizeof *r);
	buf_init(&r->body);
	r->retry_after_s = -1;
	r->body_max = HTTP_BODY_MAX;
}

void
http_result(struct http_response *r, CURL *c, CURLcode rc)
{
	if (rc == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
	else {
		snprintf(r->error, sizeof r->error, "%s", curl_easy_strerror(rc));
		/* The outbox tells an outage from a message the server cuts. */
		r->unsent = rc == CURLE_COULDNT_CONNECT ||
		    rc == CURLE_COULDNT_RESOLVE_HOST ||
		    rc == CURLE_COULDNT_RESOLVE_PROXY;
		r->bad_url = rc == CURLE_URL_MALFORMAT ||
		    rc == CURLE_UNSUPPORTED_PROTOCOL;
	}
}

int
http_post(const char *url, const char *const *headers,
    const char *content_type, const char *body, long timeout_ms,
    struct http_response *r)
{
	return http_request("POST", url, headers, content_type,
	    body != NULL ? body : "", timeout_ms, r);
}

int
http_request(const char *method, const char *url, const char *const *headers,
    const char *content_type, const char *body, long timeout_ms,
    struct http_response *r)
{
	return http_request_big(method, url, headers, content_type, body,
	    timeout_ms, 0, r);
}

int
http_request_big(const char *method, const char *url,
    const char *const *headers, const char *content_type, const char *body,
    long timeout_ms, size_t body_max, struct http_response *r)
{
	CURL			*c;
	struct curl_slist	*hl = NULL;
	CURLcode		 rc;
	char			*ct;
	size_t			 i;

	http_response_init(r);
	if (body_max > 0)
		r->body_max = body_max;
	if ((c = http_handle()) == NULL) {
		snprintf(r->error, sizeof r->error, "cannot start libcurl");
		return -1;
	}
	if (content_type != NULL) {
		xasprintf(&ct, "Content-Type: %s", content_type);
		hl = curl_slist_append(hl, ct);
		free(ct);
	}
	for (i = 0; headers != NULL && headers[i] != NULL; i++)
		hl = curl_slist_append(hl, headers[i]);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
	if (strcmp(method, "GET") == 0)
		curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
	else {
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body != NULL ? body :
		    "");
	}
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, http_write_cb);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, http_header_cb);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "opsbot/" OPSBOT_VERSION);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_MAXCONNECTS, HTTP_CONNS_KEPT);
	curl_easy_setopt(c, CURLOPT_SOCKOPTFUNCTION, http_sockopt_cloexec);
	/* A big answer (a fleet's series) is worth compressing on the wire. */
	if (body_max > 0)
		curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
	rc = curl_easy_perform(c);
	http_result(r, c, rc);
	/*
	 * Options back to their defaults (the connections stay), so the
	 * handle keeps no pointer to hl or r, which are gone after this.
	 */
	curl_easy_reset(c);
	curl_slist_free_all(hl);
	return rc == CURLE_OK ? 0 : -1;
}

void
http_response_release(struct http_response *r)
{
	buf_release(&r->body);
}

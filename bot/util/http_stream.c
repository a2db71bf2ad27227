/*
 * libcurl with a write callback that feeds a sink (http_stream.h).
 * Nothing of the body is kept here: the sink decides what to keep, so
 * a huge answer costs only what the sink keeps.
 */

#include <curl/curl.h>
#include <stdio.h>
#include <string.h>

#include "http_int.h"
#include "http_stream.h"

struct hs_ctx {
	http_sink_fn			 sink;
	void				*arg;
	const struct http_stream_req	*req;
	struct http_stream_result	*r;
	CURL				*c;
};

static size_t
hs_write_cb(char *data, size_t size, size_t n, void *arg)
{
	struct hs_ctx	*h = arg;
	size_t		 len = size * n;

	if (h->r->status == 0)
		curl_easy_getinfo(h->c, CURLINFO_RESPONSE_CODE, &h->r->status);
	if (h->sink(h->arg, data, len) != 0) {
		h->r->stopped = 1;
		return 0;	/* curl ends the transfer: a write error */
	}
	return len;
}

/* Non-zero aborts the transfer (CURLE_ABORTED_BY_CALLBACK). */
static int
hs_progress_cb(void *arg, curl_off_t dltotal, curl_off_t dlnow,
    curl_off_t ultotal, curl_off_t ulnow)
{
	struct hs_ctx	*h = arg;

	(void)dltotal;
	(void)dlnow;
	(void)ultotal;
	(void)ulnow;
	if (h->req->cancel(h->req->cancel_arg)) {
		h->r->cancelled = 1;
		return 1;
	}
	return 0;
}

int
http_stream(const struct http_stream_req *req, http_sink_fn sink, void *arg,
    struct http_stream_result *r)
{
	struct hs_ctx		 h;
	struct curl_slist	*hl = NULL;
	CURLcode		 rc;
	CURL			*c;
	size_t			 i;

	memset(r, 0, sizeof *r);
	if ((c = curl_easy_init()) == NULL) {
		snprintf(r->error, sizeof r->error, "cannot start libcurl");
		return -1;
	}
	h.sink = sink;
	h.arg = arg;
	h.req = req;
	h.r = r;
	h.c = c;
	for (i = 0; req->headers != NULL && req->headers[i] != NULL; i++)
		hl = curl_slist_append(hl, req->headers[i]);
	curl_easy_setopt(c, CURLOPT_URL, req->url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
	if (strcmp(req->method, "POST") == 0)
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, req->body != NULL ?
		    req->body : "");
	else
		curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
	if (req->user != NULL) {
		curl_easy_setopt(c, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
		curl_easy_setopt(c, CURLOPT_USERNAME, req->user);
		curl_easy_setopt(c, CURLOPT_PASSWORD, req->password != NULL ?
		    req->password : "");
	}
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, req->timeout_ms);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, req->timeout_ms);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, hs_write_cb);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &h);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "opsbot/" OPSBOT_VERSION);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_SOCKOPTFUNCTION, http_sockopt_cloexec);
	curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
	if (req->cancel != NULL) {
		curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, hs_progress_cb);
		curl_easy_setopt(c, CURLOPT_XFERINFODATA, &h);
		curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	}
	rc = curl_easy_perform(c);
	if (r->status == 0)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
	curl_easy_cleanup(c);
	curl_slist_free_all(hl);
	if (rc == CURLE_OK || (rc == CURLE_WRITE_ERROR && r->stopped))
		return 0;
	r->timed_out = rc == CURLE_OPERATION_TIMEDOUT;
	snprintf(r->error, sizeof r->error, "%s", curl_easy_strerror(rc));
	return -1;
}

/*
 * libcurl's multi interface on the lws loop (see http_loop.h). libcurl
 * tells us which sockets to watch (CURLMOPT_SOCKETFUNCTION) and when to
 * wake it (CURLMOPT_TIMERFUNCTION); each watched socket is an lws raw
 * descriptor on a vhost of our own, as the listener's is
 * (httpd_accept.c). lws gets a dup of libcurl's descriptor: when libcurl
 * stops watching a socket (and may close it at once), lws closes its
 * copy in its own time, and neither closes the other's descriptor.
 */

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <libwebsockets.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "http_int.h"
#include "http_loop.h"
#include "log.h"
#include "loop.h"
#include "xmalloc.h"

#define HTTP_LOOP_PROTOCOL	"opsbot-curl"
/* Idle connections kept: a response URL host and the Web API. */
#define HTTP_LOOP_CONNS_KEPT	4L
/*
 * Transfers given to libcurl at once; the rest wait here, in order. With
 * thousands pending in libcurl each of its socket actions cost more (a
 * burst of 4,000 answers cost half as much again per answer as 1,000).
 */
#define HTTP_LOOP_ACTIVE_MAX	(2 * HTTP_LOOP_CONNS_KEPT)

struct http_xfer {
	struct http_loop	*hl;
	CURL			*easy;
	struct curl_slist	*headers;
	struct http_response	 resp;
	http_loop_done_fn	 done;
	void			*arg;
	int64_t			 queued_ms;	/* when it was asked for */
	long			 timeout_ms;
	int			 added;		/* given to libcurl */
	struct http_xfer	*prev, *next;
	struct http_xfer	*wait_next;	/* waiting, in order */
};

/* A socket libcurl asked us to watch. */
struct http_sock {
	struct http_loop	*hl;
	curl_socket_t		 fd;	/* libcurl's */
	struct lws		*wsi;	/* watching a dup of fd, or NULL */
	int			 what;	/* CURL_POLL_* */
	struct http_sock	*prev, *next;
};

struct http_loop {
	struct loop		*loop;
	struct lws_vhost	*vhost;
	CURLM			*multi;
	lws_sorted_usec_list_t	 timer;
	struct http_xfer	*xfers;		/* every one: added or waiting */
	size_t			 nxfers;
	size_t			 nactive;	/* added to libcurl */
	struct http_xfer	*wait_head, *wait_tail;
	struct http_sock	*socks;
	int			 closing;	/* http_loop_free */
};

static void
http_sock_free(struct http_loop *hl, struct http_sock *s)
{
	if (s->prev != NULL)
		s->prev->next = s->next;
	else
		hl->socks = s->next;
	if (s->next != NULL)
		s->next->prev = s->prev;
	free(s);
}

/* x is over (rc, or libcurl's result): its callback, then it goes. */
static void
http_xfer_end(struct http_loop *hl, struct http_xfer *x, CURLcode rc)
{
	http_result(&x->resp, x->easy, rc);
	if (x->added) {
		curl_multi_remove_handle(hl->multi, x->easy);
		hl->nactive--;
	}
	if (x->prev != NULL)
		x->prev->next = x->next;
	else
		hl->xfers = x->next;
	if (x->next != NULL)
		x->next->prev = x->prev;
	hl->nxfers--;
	x->done(x->arg, &x->resp, 0);
	curl_easy_cleanup(x->easy);
	curl_slist_free_all(x->headers);
	http_response_release(&x->resp);
	free(x);
}

/*
 * Gives libcurl the waiting transfers it has room for. One that waited
 * its whole timeout fails as libcurl would have failed it, unsent.
 */
static void
http_loop_admit(struct http_loop *hl)
{
	struct http_xfer	*x;

	while (hl->nactive < HTTP_LOOP_ACTIVE_MAX &&
	    (x = hl->wait_head) != NULL) {
		if ((hl->wait_head = x->wait_next) == NULL)
			hl->wait_tail = NULL;
		if (clock_mono_ms() - x->queued_ms >= x->timeout_ms) {
			http_xfer_end(hl, x, CURLE_OPERATION_TIMEDOUT);
			continue;
		}
		if (curl_multi_add_handle(hl->multi, x->easy) != CURLM_OK) {
			http_xfer_end(hl, x, CURLE_OUT_OF_MEMORY);
			continue;
		}
		x->added = 1;
		hl->nactive++;
	}
}

/* Runs the finished transfers' callbacks. */
static void
http_loop_reap(struct http_loop *hl)
{
	struct http_xfer	*x;
	CURLMsg			*m;
	int			 left;

	while ((m = curl_multi_info_read(hl->multi, &left)) != NULL) {
		if (m->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, &x);
		http_xfer_end(hl, x, m->data.result);
	}
	http_loop_admit(hl);
}

static void
http_loop_action(struct http_loop *hl, curl_socket_t fd, int ev)
{
	int	 running;

	curl_multi_socket_action(hl->multi, fd, ev, &running);
	http_loop_reap(hl);
}

static void
http_loop_timer_cb(lws_sorted_usec_list_t *sul)
{
	struct http_loop	*hl = lws_container_of(sul, struct http_loop,
	    timer);

	http_loop_action(hl, CURL_SOCKET_TIMEOUT, 0);
}

/* CURLMOPT_TIMERFUNCTION: wake libcurl in ms (-1: never). */
static int
http_loop_timer_set(CURLM *multi, long ms, void *arg)
{
	struct http_loop	*hl = arg;

	(void)multi;
	if (ms < 0)
		lws_sul_cancel(&hl->timer);
	else
		/* Never inline: libcurl may not be re-entered from here. */
		lws_sul_schedule(loop_lws(hl->loop), 0, &hl->timer,
		    http_loop_timer_cb, (lws_usec_t)ms * LWS_US_PER_MS);
	return 0;
}

/* lws stops watching s's copy (closed on its next turn). */
static void
http_sock_unwatch(struct http_sock *s)
{
	if (s->wsi == NULL)
		return;
	lws_set_opaque_user_data(s->wsi, NULL);
	lws_set_timeout(s->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
	s->wsi = NULL;
}

/* CURLMOPT_SOCKETFUNCTION: what to watch on fd now. */
static int
http_loop_sock_cb(CURL *easy, curl_socket_t fd, int what, void *arg,
    void *sockp)
{
	struct http_loop	*hl = arg;
	struct http_sock	*s = sockp;
	lws_sock_file_fd_type	 d;
	int			 dupfd;

	(void)easy;
	/* Freeing: ours are gone already. */
	if (hl->closing)
		return 0;
	if (what == CURL_POLL_REMOVE) {
		if (s != NULL) {
			http_sock_unwatch(s);
			curl_multi_assign(hl->multi, fd, NULL);
			http_sock_free(hl, s);
		}
		return 0;
	}
	if (s == NULL) {
		s = xcalloc(1, sizeof *s);
		s->hl = hl;
		s->fd = fd;
		s->next = hl->socks;
		if (hl->socks != NULL)
			hl->socks->prev = s;
		hl->socks = s;
		curl_multi_assign(hl->multi, fd, s);
	}
	if (s->wsi == NULL) {
		if ((dupfd = fcntl(fd, F_DUPFD_CLOEXEC, 0)) == -1) {
			log_warn("http", "cannot watch a connection: %s",
			    strerror(errno));
			return -1;	/* libcurl fails the transfer */
		}
		d.filefd = dupfd;
		s->wsi = lws_adopt_descriptor_vhost(hl->vhost,
		    LWS_ADOPT_RAW_FILE_DESC, d, HTTP_LOOP_PROTOCOL, NULL);
		if (s->wsi == NULL) {
			close(dupfd);
			log_warn("http", "cannot watch a connection");
			return -1;
		}
		lws_set_opaque_user_data(s->wsi, s);
	}
	s->what = what;
	lws_rx_flow_control(s->wsi, (what & CURL_POLL_IN) != 0);
	if (what & CURL_POLL_OUT)
		lws_callback_on_writable(s->wsi);
	return 0;
}

static int
http_loop_lws_cb(struct lws *wsi, enum lws_callback_reasons reason,
    void *user, void *in, size_t len)
{
	struct http_sock	*s = lws_get_opaque_user_data(wsi);

	(void)user;
	(void)in;
	(void)len;
	switch (reason) {
	case LWS_CALLBACK_RAW_RX_FILE:
		if (s != NULL)
			http_loop_action(s->hl, s->fd, CURL_CSELECT_IN);
		return 0;
	case LWS_CALLBACK_RAW_WRITEABLE_FILE:
		if (s == NULL)
			return 0;
		http_loop_action(s->hl, s->fd, CURL_CSELECT_OUT);
		/* Still wanted (s may be gone: look it up again). */
		s = lws_get_opaque_user_data(wsi);
		if (s != NULL && (s->what & CURL_POLL_OUT))
			lws_callback_on_writable(wsi);
		return 0;
	case LWS_CALLBACK_RAW_CLOSE_FILE:
		/* lws gave up the copy (a hang-up): libcurl sees for itself. */
		if (s != NULL) {
			s->wsi = NULL;
			lws_set_opaque_user_data(wsi, NULL);
			http_loop_action(s->hl, s->fd, CURL_CSELECT_IN |
			    CURL_CSELECT_ERR);
		}
		return 0;
	default:
		return 0;
	}
}

static const struct lws_protocols http_loop_protocols[] = {
	{ HTTP_LOOP_PROTOCOL, http_loop_lws_cb, 0, 0, 0, NULL, 0 },
	{ NULL, NULL, 0, 0, 0, NULL, 0 }
};

struct http_loop *
http_loop_create(struct loop *loop)
{
	struct lws_context_creation_info	 info;
	struct http_loop			*hl;

	/*
	 * A libcurl that resolves names synchronously would block the loop
	 * on DNS: then every send stays on the workers (callers fall back).
	 */
	if (!(curl_version_info(CURLVERSION_NOW)->features &
	    CURL_VERSION_ASYNCHDNS))
		return NULL;
	hl = xcalloc(1, sizeof *hl);
	hl->loop = loop;
	memset(&info, 0, sizeof info);
	info.vhost_name = "opsbot-curl";
	info.port = CONTEXT_PORT_NO_LISTEN_SERVER;
	info.protocols = http_loop_protocols;
	/* The vhost goes with the lws context. */
	if ((hl->vhost = lws_create_vhost(loop_lws(loop), &info)) == NULL ||
	    (hl->multi = curl_multi_init()) == NULL) {
		free(hl);
		return NULL;
	}
	curl_multi_setopt(hl->multi, CURLMOPT_SOCKETFUNCTION,
	    http_loop_sock_cb);
	curl_multi_setopt(hl->multi, CURLMOPT_SOCKETDATA, hl);
	curl_multi_setopt(hl->multi, CURLMOPT_TIMERFUNCTION,
	    http_loop_timer_set);
	curl_multi_setopt(hl->multi, CURLMOPT_TIMERDATA, hl);
	curl_multi_setopt(hl->multi, CURLMOPT_MAXCONNECTS,
	    HTTP_LOOP_CONNS_KEPT);
	/*
	 * A burst of answers queues in libcurl for the kept connections,
	 * as it queued for the worker threads, instead of opening (and
	 * closing) a connection each.
	 */
	curl_multi_setopt(hl->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS,
	    HTTP_LOOP_CONNS_KEPT);
	return hl;
}

void
http_loop_free(struct http_loop *hl)
{
	struct http_xfer	*x;

	if (hl == NULL)
		return;
	while ((x = hl->xfers) != NULL) {
		hl->xfers = x->next;
		if (x->added)
			curl_multi_remove_handle(hl->multi, x->easy);
		x->done(x->arg, &x->resp, 1);
		curl_easy_cleanup(x->easy);
		curl_slist_free_all(x->headers);
		http_response_release(&x->resp);
		free(x);
	}
	lws_sul_cancel(&hl->timer);
	while (hl->socks != NULL) {
		http_sock_unwatch(hl->socks);
		http_sock_free(hl, hl->socks);
	}
	/* Closes the kept connections (their callbacks see closing). */
	hl->closing = 1;
	curl_multi_cleanup(hl->multi);
	free(hl);
}

int
http_loop_post(struct http_loop *hl, const char *url,
    const char *content_type, const char *body, long timeout_ms,
    http_loop_done_fn done, void *arg)
{
	struct http_xfer	*x = xcalloc(1, sizeof *x);
	char			*ct;

	if ((x->easy = curl_easy_init()) == NULL) {
		free(x);
		return -1;
	}
	x->hl = hl;
	x->done = done;
	x->arg = arg;
	http_response_init(&x->resp);
	if (content_type != NULL) {
		xasprintf(&ct, "Content-Type: %s", content_type);
		x->headers = curl_slist_append(NULL, ct);
		free(ct);
	}
	/* As http_request asks, but POSTFIELDS copied: body may go now. */
	curl_easy_setopt(x->easy, CURLOPT_URL, url);
	curl_easy_setopt(x->easy, CURLOPT_HTTPHEADER, x->headers);
	curl_easy_setopt(x->easy, CURLOPT_COPYPOSTFIELDS, body);
	curl_easy_setopt(x->easy, CURLOPT_TIMEOUT_MS, timeout_ms);
	curl_easy_setopt(x->easy, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
	curl_easy_setopt(x->easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(x->easy, CURLOPT_WRITEFUNCTION, http_write_cb);
	curl_easy_setopt(x->easy, CURLOPT_WRITEDATA, &x->resp);
	curl_easy_setopt(x->easy, CURLOPT_HEADERFUNCTION, http_header_cb);
	curl_easy_setopt(x->easy, CURLOPT_HEADERDATA, &x->resp);
	curl_easy_setopt(x->easy, CURLOPT_USERAGENT, "opsbot/" OPSBOT_VERSION);
	curl_easy_setopt(x->easy, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(x->easy, CURLOPT_SOCKOPTFUNCTION, http_sockopt_cloexec);
	curl_easy_setopt(x->easy, CURLOPT_PRIVATE, x);
	x->queued_ms = clock_mono_ms();
	x->timeout_ms = timeout_ms;
	if (hl->nactive < HTTP_LOOP_ACTIVE_MAX && hl->wait_head == NULL) {
		if (curl_multi_add_handle(hl->multi, x->easy) != CURLM_OK) {
			curl_easy_cleanup(x->easy);
			curl_slist_free_all(x->headers);
			http_response_release(&x->resp);
			free(x);
			return -1;
		}
		x->added = 1;
		hl->nactive++;
	} else {
		/* Started when libcurl has room (http_loop_admit). */
		if (hl->wait_tail != NULL)
			hl->wait_tail->wait_next = x;
		else
			hl->wait_head = x;
		hl->wait_tail = x;
	}
	x->next = hl->xfers;
	if (hl->xfers != NULL)
		hl->xfers->prev = x;
	hl->xfers = x;
	hl->nxfers++;
	return 0;
}

size_t
http_loop_pending(const struct http_loop *hl)
{
	return hl != NULL ? hl->nxfers : 0;
}

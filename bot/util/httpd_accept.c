/*
 * The listener's front door: the listening socket is ours, not lws's,
 * because lws 4.1 answers a failed accept() (EMFILE: the process is out
 * of descriptors) by logging and returning with the socket still
 * readable, so its loop spins a core and writes thousands of log lines a
 * second. Here the socket is an lws raw descriptor; we accept, hand each
 * connection to the vhost's HTTP server (lws_adopt_socket_vhost), and:
 *   - cap the open connections (alerts.max_connections): at the cap the
 *     connection idle longest (no request bytes for 1 s or more) is
 *     dropped for the new one, else the new one is closed at once;
 *   - on EMFILE/ENFILE spend a reserved descriptor to accept and close
 *     the waiting connection (the client sees a close, not a hang), stop
 *     watching the socket for HTTPD_PAUSE_MS, and log once a second at
 *     most with the count refused since.
 */

#include <sys/resource.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cause.h"
#include "clock.h"
#include "httpd_int.h"
#include "log.h"
#include "xmalloc.h"

#define HTTPD_PAUSE_MS		250	/* no accept() after EMFILE */
#define HTTPD_WARN_EVERY_MS	1000	/* one log line at most */
#define HTTPD_IDLE_EVICT_MS	1000	/* younger ones are never evicted */
#define HTTPD_ACCEPT_BURST	64	/* accepts per wakeup: fairness */

static int	httpd_evict(struct httpd *);

static int
httpd_reserve_open(void)
{
	return open("/dev/null", O_RDONLY | O_CLOEXEC);
}

int
httpd_listen_socket(const char *address, int port, int *bound, char **cause)
{
	struct addrinfo		 hints, *res = NULL;
	struct sockaddr_storage	 ss;
	socklen_t		 sl = sizeof ss;
	char			 host[256], service[16];
	size_t			 n = strlen(address);
	int			 fd = -1, on = 1, e;

	if (cause != NULL)
		cause_clear(cause);
	/* "[::1]" as well as "::1". */
	if (n >= 2 && address[0] == '[' && address[n - 1] == ']')
		snprintf(host, sizeof host, "%.*s", (int)n - 2, address + 1);
	else
		snprintf(host, sizeof host, "%s", address);
	snprintf(service, sizeof service, "%d", port);
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE;
	if ((e = getaddrinfo(host, service, &hints, &res)) != 0) {
		if (cause != NULL)
			cause_set(cause, "cannot listen on %s:%d (%s)",
			    address, port, gai_strerror(e));
		return -1;
	}
	if ((fd = socket(res->ai_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) != 0 ||
	    bind(fd, res->ai_addr, res->ai_addrlen) != 0 ||
	    listen(fd, SOMAXCONN) != 0 ||
	    getsockname(fd, (struct sockaddr *)&ss, &sl) != 0) {
		if (cause != NULL)
			cause_set(cause, "cannot listen on %s:%d (%s; in use, "
			    "or not an address of this machine?)", address,
			    port, strerror(errno));
		if (fd >= 0)
			close(fd);
		freeaddrinfo(res);
		return -1;
	}
	freeaddrinfo(res);
	*bound = ntohs(ss.ss_family == AF_INET6 ?
	    ((struct sockaddr_in6 *)&ss)->sin6_port :
	    ((struct sockaddr_in *)&ss)->sin_port);
	return fd;
}

/*
 * The cap must leave descriptors for everything else (the store, the
 * log, chat sockets, ssh probes): a quarter of the limit, 64 at least.
 */
void
httpd_fit_limit(struct httpd *h)
{
	struct rlimit	 rl;
	size_t		 lim, spare, fit;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY)
		return;
	lim = (size_t)rl.rlim_cur;
	spare = lim / 4 > 64 ? lim / 4 : 64;
	fit = lim > spare + 4 ? lim - spare : 4;
	if (h->max_conns > fit) {
		log_warn("httpd", "at most %zu open connections, not %zu: the "
		    "process may open only %zu files (LimitNOFILE)", fit,
		    h->max_conns, lim);
		h->max_conns = fit;
	}
}

int
httpd_accept_start(struct httpd *h, char **cause)
{
	lws_sock_file_fd_type	 fd;

	if (cause != NULL)
		cause_clear(cause);
	h->reserve_fd = httpd_reserve_open();
	if (h->max_conns == 0)
		h->max_conns = 256;
	httpd_fit_limit(h);
	fd.filefd = h->listen_fd;
	h->listen_wsi = lws_adopt_descriptor_vhost(h->vhost,
	    LWS_ADOPT_RAW_FILE_DESC, fd, HTTPD_LISTEN_PROTOCOL, NULL);
	if (h->listen_wsi == NULL) {
		if (cause != NULL)
			cause_set(cause, "cannot watch the listening socket");
		return -1;
	}
	lws_set_opaque_user_data(h->listen_wsi, h);
	return 0;
}

/* Counts a refusal; logs at most once a second, with the count. */
static void
httpd_refused(struct httpd *h, const char *why)
{
	int64_t	 now = clock_mono_ms();

	h->refused++;
	if (h->last_warn_ms != 0 && now - h->last_warn_ms < HTTPD_WARN_EVERY_MS)
		return;
	log_warn("httpd", "%s: %lu connection(s) refused in the last %lld "
	    "ms (%zu open, at most %zu)", why, h->refused, h->last_warn_ms ?
	    (long long)(now - h->last_warn_ms) : 0LL, h->nconns, h->max_conns);
	h->last_warn_ms = now;
	h->refused = 0;
}

static void
httpd_resume(lws_sorted_usec_list_t *sul)
{
	struct httpd	*h = lws_container_of(sul, struct httpd, resume);

	if (h->reserve_fd < 0)
		h->reserve_fd = httpd_reserve_open();
	h->paused = 0;
	if (h->listen_wsi != NULL)
		lws_rx_flow_control(h->listen_wsi, 1);
}

/* Out of descriptors: shed one waiting client, then stop listening. */
static void
httpd_out_of_fds(struct httpd *h, int err)
{
	int	 fd;

	if (h->reserve_fd >= 0) {
		close(h->reserve_fd);
		h->reserve_fd = -1;
		if ((fd = accept(h->listen_fd, NULL, NULL)) >= 0)
			close(fd);
		h->reserve_fd = httpd_reserve_open();
	}
	httpd_refused(h, err == EMFILE ? "out of file descriptors "
	    "(raise LimitNOFILE, or lower alerts.max_connections)" :
	    "the system is out of file descriptors");
	/* Room for the next one, if a connection is only holding a slot. */
	(void)httpd_evict(h);
	h->paused = 1;
	lws_rx_flow_control(h->listen_wsi, 0);
	lws_sul_schedule(lws_get_context(h->listen_wsi), 0, &h->resume,
	    httpd_resume, HTTPD_PAUSE_MS * LWS_US_PER_MS);
}

/* At the cap: drop the connection idle longest, if one is idle enough. */
static int
httpd_evict(struct httpd *h)
{
	int64_t	 now = clock_mono_ms();
	size_t	 i, old = 0;

	for (i = 1; i < h->nconns; i++) {
		if (h->conns[i].active_ms < h->conns[old].active_ms)
			old = i;
	}
	if (h->nconns == 0 ||
	    now - h->conns[old].active_ms < HTTPD_IDLE_EVICT_MS)
		return -1;
	/* Closed on the next service pass; it leaves the table then. */
	lws_set_timeout(h->conns[old].wsi, PENDING_TIMEOUT_USER_OK,
	    LWS_TO_KILL_ASYNC);
	h->conns[old].active_ms = INT64_MAX;	/* not chosen twice */
	return 0;
}

static void
httpd_accept_one(struct httpd *h, int fd)
{
	struct lws	*wsi;

	if (h->nconns >= h->max_conns && httpd_evict(h) != 0) {
		close(fd);
		httpd_refused(h, "too many open connections");
		return;
	}
	if ((wsi = lws_adopt_socket_vhost(h->vhost, fd)) == NULL) {
		/* lws closed it. */
		httpd_refused(h, "the HTTP server could not take a connection");
		return;
	}
	if (h->conns == NULL)
		h->conns = xcalloc(h->max_conns + HTTPD_ACCEPT_BURST,
		    sizeof *h->conns);
	/* Evicted ones linger one pass: room for a burst of them. */
	if (h->nconns < h->max_conns + HTTPD_ACCEPT_BURST) {
		h->conns[h->nconns].wsi = wsi;
		h->conns[h->nconns].active_ms = clock_mono_ms();
		h->nconns++;
		/* How its callbacks find us (and not after httpd_free). */
		lws_set_opaque_user_data(wsi, h);
	}
}

int
httpd_listen_cb(struct lws *wsi, enum lws_callback_reasons reason,
    void *user, void *in, size_t len)
{
	struct httpd	*h = lws_get_opaque_user_data(wsi);
	int		 fd, n;

	(void)user;
	(void)in;
	(void)len;
	switch (reason) {
	case LWS_CALLBACK_RAW_RX_FILE:
		if (h == NULL || h->paused)
			return 0;
		for (n = 0; n < HTTPD_ACCEPT_BURST; n++) {
			fd = accept4(h->listen_fd, NULL, NULL,
			    SOCK_NONBLOCK | SOCK_CLOEXEC);
			if (fd >= 0) {
				httpd_accept_one(h, fd);
				continue;
			}
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno == EMFILE || errno == ENFILE ||
			    errno == ENOBUFS || errno == ENOMEM)
				httpd_out_of_fds(h, errno);
			else if (errno != EAGAIN && errno != EWOULDBLOCK)
				log_warn("httpd", "accept: %s", strerror(errno));
			break;
		}
		return 0;
	case LWS_CALLBACK_RAW_CLOSE_FILE:
		if (h != NULL) {
			lws_sul_cancel(&h->resume);
			h->listen_wsi = NULL;
			h->listen_fd = -1;	/* lws closed it */
		}
		return 0;
	default:
		return 0;
	}
}

static struct httpd_conn *
httpd_conn_find(struct httpd *h, struct lws *wsi)
{
	size_t	 i;

	for (i = 0; i < h->nconns; i++) {
		if (h->conns[i].wsi == wsi)
			return &h->conns[i];
	}
	return NULL;
}

void
httpd_conn_gone(struct httpd *h, struct lws *wsi)
{
	struct httpd_conn	*c;

	if (h == NULL || (c = httpd_conn_find(h, wsi)) == NULL)
		return;
	*c = h->conns[--h->nconns];
}

void
httpd_conn_active(struct httpd *h, struct lws *wsi)
{
	struct httpd_conn	*c;

	if (h != NULL && (c = httpd_conn_find(h, wsi)) != NULL &&
	    c->active_ms != INT64_MAX)
		c->active_ms = clock_mono_ms();
}

void
httpd_accept_free(struct httpd *h)
{
	if (h->listen_wsi != NULL)
		lws_sul_cancel(&h->resume);
	if (h->reserve_fd >= 0)
		close(h->reserve_fd);
	h->reserve_fd = -1;
	free(h->conns);
	h->conns = NULL;
	h->nconns = 0;
}

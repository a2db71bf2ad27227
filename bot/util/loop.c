/*
 * The lws service loop and the cross-thread post queue (see loop.h).
 * lws_cancel_service() wakes the loop; the wakeup arrives as
 * LWS_CALLBACK_EVENT_WAIT_CANCELLED, where the queue is drained.
 */

#include <libwebsockets.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "cause.h"
#include "log.h"
#include "loop.h"
#include "xmalloc.h"

struct loop_post {
	loop_fn			 fn;
	void			*arg;
	struct loop_post	*next;
};

struct loop {
	struct lws_context	*lws;
	int			 stopping;
	pthread_mutex_t		 lock;		/* guards the post queue */
	struct loop_post	*head, *tail;
	size_t			 npending;
};

/* Runs everything posted so far, in order, without holding the lock. */
static void
loop_drain(struct loop *l)
{
	struct loop_post	*p, *next;

	pthread_mutex_lock(&l->lock);
	p = l->head;
	l->head = l->tail = NULL;
	l->npending = 0;
	pthread_mutex_unlock(&l->lock);
	for (; p != NULL; p = next) {
		next = p->next;
		p->fn(p->arg);
		free(p);
	}
}

static int
loop_lws_cb(struct lws *wsi, enum lws_callback_reasons reason, void *user,
    void *in, size_t len)
{
	struct loop	*l;

	if (reason == LWS_CALLBACK_EVENT_WAIT_CANCELLED) {
		l = lws_context_user(lws_get_context(wsi));
		if (l != NULL)
			loop_drain(l);
		return 0;
	}
	return lws_callback_http_dummy(wsi, reason, user, in, len);
}

/* Hands a client connection's callbacks to its owner (loop.h). */
static int
loop_ws_cb(struct lws *wsi, enum lws_callback_reasons reason, void *user,
    void *in, size_t len)
{
	struct loop_ws	*ws = lws_get_opaque_user_data(wsi);

	if (reason == LWS_CALLBACK_EVENT_WAIT_CANCELLED)
		return 0;
	if (ws != NULL && ws->cb != NULL)
		return ws->cb(ws, wsi, (int)reason, in, len);
	return lws_callback_http_dummy(wsi, reason, user, in, len);
}

static const struct lws_protocols loop_protocols[] = {
	{ "opsbot-loop", loop_lws_cb, 0, 0, 0, NULL, 0 },
	{ LOOP_WS_PROTOCOL, loop_ws_cb, 0, 65536, 0, NULL, 0 },
	{ NULL, NULL, 0, 0, 0, NULL, 0 }
};

static void
loop_lws_log(int level, const char *line)
{
	size_t	 n = strlen(line);

	while (n > 0 && line[n - 1] == '\n')
		n--;
	if (level & LLL_ERR)
		log_error("lws", "%.*s", (int)n, line);
	else
		log_warn("lws", "%.*s", (int)n, line);
}

struct loop *
loop_create(int tls, char **cause)
{
	struct lws_context_creation_info	 info;
	struct loop				*l;

	cause_clear(cause);
	l = xcalloc(1, sizeof *l);
	pthread_mutex_init(&l->lock, NULL);
	lws_set_log_level(LLL_ERR | LLL_WARN, loop_lws_log);

	memset(&info, 0, sizeof info);
	info.port = CONTEXT_PORT_NO_LISTEN;
	info.protocols = loop_protocols;
	info.user = l;
	/*
	 * Request headers lws can hold (4 KiB by default, and it hangs up
	 * on more): room to answer 431 over httpd's own 8 KiB limit.
	 */
	info.max_http_header_data = 16384;
	/* wss:// to Slack and Mattermost; the OS CA store is loaded. */
	if (tls)
		info.options = LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
	l->lws = lws_create_context(&info);
	if (l->lws == NULL) {
		cause_set(cause, "cannot create the libwebsockets context");
		pthread_mutex_destroy(&l->lock);
		free(l);
		return NULL;
	}
	return l;
}

void
loop_free(struct loop *l)
{
	if (l == NULL)
		return;
	loop_drain(l);
	lws_context_destroy(l->lws);
	loop_drain(l);
	pthread_mutex_destroy(&l->lock);
	free(l);
}

void
loop_run(struct loop *l)
{
	l->stopping = 0;
	while (!l->stopping) {
		if (lws_service(l->lws, 0) < 0)
			break;
	}
}

void
loop_turn(struct loop *l)
{
	lws_service(l->lws, 0);
}

void
loop_stop(struct loop *l)
{
	l->stopping = 1;
	/* Make the current lws_service() return promptly. */
	lws_cancel_service(l->lws);
}

void
loop_post(struct loop *l, loop_fn fn, void *arg)
{
	struct loop_post	*p = xmalloc(sizeof *p);

	p->fn = fn;
	p->arg = arg;
	p->next = NULL;
	pthread_mutex_lock(&l->lock);
	if (l->tail != NULL)
		l->tail->next = p;
	else
		l->head = p;
	l->tail = p;
	l->npending++;
	pthread_mutex_unlock(&l->lock);
	lws_cancel_service(l->lws);
}

void
loop_run_posted(struct loop *l)
{
	loop_drain(l);
}

size_t
loop_pending(struct loop *l)
{
	size_t	 n;

	pthread_mutex_lock(&l->lock);
	n = l->npending;
	pthread_mutex_unlock(&l->lock);
	return n;
}

struct lws_context *
loop_lws(struct loop *l)
{
	return l->lws;
}

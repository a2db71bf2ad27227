/*
 * HTTP on the loop thread (bot/util/http_loop.c) against a small server
 * of the test's own on loopback: a burst larger than what libcurl is
 * given at once is answered whole and in order of asking; against a
 * server that never answers, the requests still waiting for room fail as
 * timeouts once their time is up, not a timeout later each.
 */

#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "http_loop.h"
#include "loop.h"
#include "test.h"

#define BURST	40

struct server {
	int		 fd;
	int		 port;
	int		 answer;	/* 0: accept, never answer */
	atomic_int	 stop;
	pthread_t	 thread;
};

/* One connection: each request (headers and Content-Length body) is
 * answered 200 with the body's first bytes echoed back. */
static void
serve_conn(int c)
{
	char	 buf[8192], out[256];
	size_t	 have = 0;
	ssize_t	 n;
	char	*end, *cl;
	size_t	 body, head;

	for (;;) {
		end = have > 0 ? memmem(buf, have, "\r\n\r\n", 4) : NULL;
		if (end != NULL) {
			head = (size_t)(end - buf) + 4;
			buf[head - 1] = '\0';
			cl = strcasestr(buf, "Content-Length:");
			body = cl != NULL ? strtoul(cl + 15, NULL, 10) : 0;
			if (have >= head + body) {
				snprintf(out, sizeof out, "HTTP/1.1 200 OK\r\n"
				    "Content-Length: %zu\r\n\r\n%.*s", body > 8 ?
				    (size_t)8 : body, (int)(body > 8 ? 8 : body),
				    buf + head);
				if (write(c, out, strlen(out)) < 0)
					return;
				memmove(buf, buf + head + body,
				    have - head - body);
				have -= head + body;
				continue;
			}
		}
		if (have == sizeof buf ||
		    (n = read(c, buf + have, sizeof buf - have)) <= 0)
			return;
		have += (size_t)n;
	}
}

struct conn {
	struct server	*s;
	int		 fd;
};

/* A thread a connection: libcurl keeps several open at once. */
static void *
conn_main(void *arg)
{
	struct conn	*c = arg;

	if (c->s->answer)
		serve_conn(c->fd);
	else
		while (!atomic_load(&c->s->stop))
			usleep(10000);
	close(c->fd);
	free(c);
	return NULL;
}

static void *
server_main(void *arg)
{
	struct server	*s = arg;
	struct conn	*c;
	pthread_t	 t;
	int		 fd;

	while (!atomic_load(&s->stop)) {
		if ((fd = accept(s->fd, NULL, NULL)) < 0)
			continue;
		c = malloc(sizeof *c);
		c->s = s;
		c->fd = fd;
		if (pthread_create(&t, NULL, conn_main, c) != 0) {
			close(fd);
			free(c);
			continue;
		}
		pthread_detach(t);
	}
	return NULL;
}

static void
server_start(struct server *s, int answer)
{
	struct sockaddr_in	 sa;
	socklen_t		 len = sizeof sa;

	memset(s, 0, sizeof *s);
	s->answer = answer;
	s->fd = socket(AF_INET, SOCK_STREAM, 0);
	ASSERT(s->fd >= 0);
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ASSERT_INT_EQ(bind(s->fd, (struct sockaddr *)&sa, sizeof sa), 0);
	ASSERT_INT_EQ(listen(s->fd, 64), 0);
	ASSERT_INT_EQ(getsockname(s->fd, (struct sockaddr *)&sa, &len), 0);
	s->port = ntohs(sa.sin_port);
	ASSERT_INT_EQ(pthread_create(&s->thread, NULL, server_main, s), 0);
}

static void
server_stop(struct server *s)
{
	atomic_store(&s->stop, 1);
	/* Wakes accept(). */
	shutdown(s->fd, SHUT_RDWR);
	pthread_join(s->thread, NULL);
	close(s->fd);
}

struct result {
	int	 done;
	long	 status;
	char	 body[16];
	char	 error[256];
	int	 order;
};

static int		 finished;
static struct loop	*the_loop;

static void
wake(void *arg)
{
	(void)arg;
}

static void
on_done(void *arg, const struct http_response *r, int cancelled)
{
	struct result	*res = arg;

	res->done = 1 + cancelled;
	/* A timer's work done, lws would sleep on: wake it to look. */
	loop_post(the_loop, wake, NULL);
	res->status = r->status;
	res->order = finished++;
	snprintf(res->body, sizeof res->body, "%s", r->body.data);
	snprintf(res->error, sizeof res->error, "%s", r->error);
}

/* Turns the loop until every result is in or ms pass. */
static void
turn_until_done(struct loop *l, struct result *res, int n, int64_t ms)
{
	int64_t	 end = clock_mono_ms() + ms;
	int	 i, all;

	do {
		loop_turn(l);
		for (all = 1, i = 0; i < n; i++)
			all &= res[i].done != 0;
	} while (!all && clock_mono_ms() < end);
}

TEST(a_burst_is_answered_whole)
{
	struct server		 s;
	struct result		 res[BURST];
	struct loop		*l;
	struct http_loop	*hl;
	char			*cause = NULL, url[64], body[16];
	int			 i;

	server_start(&s, 1);
	the_loop = l = loop_create(0, &cause);
	ASSERT_NOT_NULL(l);
	ASSERT_NOT_NULL(hl = http_loop_create(l));
	memset(res, 0, sizeof res);
	finished = 0;
	snprintf(url, sizeof url, "http://127.0.0.1:%d/r", s.port);
	for (i = 0; i < BURST; i++) {
		snprintf(body, sizeof body, "n%07d", i);
		ASSERT_INT_EQ(http_loop_post(hl, url, "text/plain", body, 5000,
		    on_done, &res[i]), 0);
	}
	/* Every one is tracked, started or waiting for room. */
	ASSERT_INT_EQ((int)http_loop_pending(hl), BURST);
	turn_until_done(l, res, BURST, 10000);
	for (i = 0; i < BURST; i++) {
		snprintf(body, sizeof body, "n%07d", i);
		ASSERT_INT_EQ(res[i].done, 1);
		ASSERT_INT_EQ((int)res[i].status, 200);
		ASSERT_STR_EQ(res[i].body, body);
	}
	/* The waiting ones start in the order they were asked for. */
	ASSERT(res[BURST - 1].order >= BURST - 8);
	ASSERT_INT_EQ((int)http_loop_pending(hl), 0);
	http_loop_free(hl);
	loop_free(l);
	server_stop(&s);
}

TEST(waiting_requests_time_out_on_time)
{
	struct server		 s;
	struct result		 res[BURST];
	struct loop		*l;
	struct http_loop	*hl;
	char			*cause = NULL, url[64];
	int64_t			 t0;
	int			 i;

	server_start(&s, 0);
	the_loop = l = loop_create(0, &cause);
	ASSERT_NOT_NULL(l);
	ASSERT_NOT_NULL(hl = http_loop_create(l));
	memset(res, 0, sizeof res);
	snprintf(url, sizeof url, "http://127.0.0.1:%d/r", s.port);
	t0 = clock_mono_ms();
	for (i = 0; i < BURST; i++)
		ASSERT_INT_EQ(http_loop_post(hl, url, "text/plain", "x", 300,
		    on_done, &res[i]), 0);
	turn_until_done(l, res, BURST, 10000);
	for (i = 0; i < BURST; i++) {
		ASSERT_INT_EQ(res[i].done, 1);
		ASSERT_INT_EQ((int)res[i].status, 0);
		ASSERT(strstr(res[i].error, "Timeout") != NULL);
	}
	/*
	 * Five rounds of 300 ms if each waiting one ran its own timeout
	 * after the one before; they fail when their time is up instead.
	 */
	ASSERT(clock_mono_ms() - t0 < 1200);
	http_loop_free(hl);
	loop_free(l);
	server_stop(&s);
}

static const struct test tests[] = {
	TEST_ENTRY(a_burst_is_answered_whole),
	TEST_ENTRY(waiting_requests_time_out_on_time),
	TEST_END
};

int
main(int argc, char **argv)
{
	return test_run(tests, argc, argv);
}

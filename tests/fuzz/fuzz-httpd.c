/*
 * libFuzzer target for the request path of the bot's HTTP listener
 * (bot/util/httpd.c on libwebsockets' HTTP server): the bytes are what a
 * client sends on one connection, request line, headers and body.
 *
 * One loop and one listener for the whole run; each input goes through
 * a socketpair whose one end the listener's vhost adopts as it adopts an
 * accepted connection. The loop is serviced until the listener closes
 * its end (it always does: one request per connection) or a bounded
 * number of rounds. Routes stand in for the real ones: a form (Mattermost
 * slash commands), a bearer token, a JSON body. What comes back must
 * start with a status line.
 */

#include <sys/socket.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "httpd.h"
#include "httpd_int.h"
#include "log.h"
#include "loop.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define FUZZ_ROUNDS	400

static struct loop	*fuzz_loop;
static struct httpd	*fuzz_httpd;

static void
fuzz_form(void *arg, const struct httpd_request *req,
    struct httpd_response *resp)
{
	char	*v;

	(void)arg;
	if ((v = httpd_form_get(req->body, "text")) != NULL) {
		buf_adds(&resp->body, v);
		free(v);
	}
	if (strncasecmp(req->authorization, "Bearer ", 7) == 0 &&
	    httpd_token_equal(req->authorization + 7, "fuzz-token"))
		resp->status = 202;
}

static void
fuzz_json(void *arg, const struct httpd_request *req,
    struct httpd_response *resp)
{
	(void)arg;
	if (strlen(req->body) > req->body_len)
		abort();
	buf_addf(&resp->body, "{\"n\":%zu}", req->body_len);
}

static int
fuzz_setup(void)
{
	char	*cause = NULL;

	log_set_level(LOG_ERROR);
	if ((fuzz_loop = loop_create(0, &cause)) == NULL ||
	    (fuzz_httpd = httpd_start(fuzz_loop, "127.0.0.1", 0,
	    &cause)) == NULL)
		abort();
	httpd_set_body_max(fuzz_httpd, 65536);
	httpd_route(fuzz_httpd, "POST", "/mattermost/command", fuzz_form,
	    NULL);
	httpd_route(fuzz_httpd, "POST", "/hooks/generic", fuzz_json, NULL);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int	 ready;
	char		 buf[8192], first[9];
	size_t		 off = 0, got = 0;
	ssize_t		 n;
	int		 sv[2], rounds, closed = 0;

	if (!ready)
		ready = fuzz_setup() == 0;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
		return 0;
	fcntl(sv[1], F_SETFL, O_NONBLOCK);
	if (lws_adopt_socket_vhost(fuzz_httpd->vhost, sv[0]) == NULL) {
		close(sv[1]);
		return 0;
	}
	memset(first, 0, sizeof first);
	for (rounds = 0; rounds < FUZZ_ROUNDS && !closed; rounds++) {
		if (off < size) {
			n = write(sv[1], data + off, size - off);
			if (n > 0)
				off += (size_t)n;
			else if (n < 0 && errno != EAGAIN)
				off = size;
			/* All sent: the listener sees the end of the request. */
			if (off == size)
				shutdown(sv[1], SHUT_WR);
		}
		lws_service(loop_lws(fuzz_loop), -1);
		while ((n = read(sv[1], buf, sizeof buf)) > 0) {
			if (got < 8)
				memcpy(first + got, buf, (size_t)n < 8 - got ?
				    (size_t)n : 8 - got);
			got += (size_t)n;
		}
		if (n == 0 || (n < 0 && errno != EAGAIN))
			closed = 1;
	}
	/* Whatever it answered is HTTP (1.0 to a 1.0 request). */
	if (got >= 8 && strncmp(first, "HTTP/1.", 7) != 0)
		abort();
	close(sv[1]);
	/* Let lws finish with a connection it has not closed yet. */
	for (rounds = 0; rounds < 8; rounds++)
		lws_service(loop_lws(fuzz_loop), -1);
	return 0;
}

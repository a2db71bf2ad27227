/*
 * fakeclient: the websocket client mode of the fakes, for their
 * self-tests. It connects to a ws:// URL, prints every message it
 * receives on one line of stdout (binary ones as "BINARY n", text over
 * 64 KiB as "TEXT n") and its own events as lines starting with "# ",
 * sends what it is given (optionally in fragments), and ends when the
 * socket closes or after its time. The fake adds what its protocol
 * needs through hooks.
 */
#ifndef FAKECLIENT_H
#define FAKECLIENT_H

#include <libwebsockets.h>

#include "fakeutil.h"

enum { FC_MAX_SENDS = 8 }; /* --send options */

/* One message waiting to be written. */
struct out {
	struct out *next;
	char *data;
	size_t len, off;
};

struct fake_client {
	struct lws_context *cx;
	struct lws *wsi;
	char address[256], path[1300];
	int port;
	const char *sends[FC_MAX_SENDS]; /* queued on the first connection */
	int n_sends, connects, fragment;
	struct out *head, *tail;
	struct buf rx;
	int rx_binary, closing, done, exiting, rc;
	lws_sorted_usec_list_t sul_end;
	/* The fake's hooks; each may be NULL. */
	void (*on_message)(void); /* after the print; the message in rx */
	/* ESTABLISHED (before the sends) and what fakeclient leaves alone */
	int (*on_event)(struct lws *wsi, enum lws_callback_reasons reason,
	                void *in, size_t len);
	void (*gone)(void); /* the socket is gone; default: done */
};

extern struct fake_client fcl;

struct fh_opt;
/*
 * The options after --client URL: opts, --seconds and --send (up to
 * FC_MAX_SENDS); -1 on anything else.
 */
int client_args(int argc, char **argv, const struct fh_opt *opts,
                size_t n_opts, double *seconds);
void client_queue(const char *text);
void client_out_free(void);
void client_connect(void);
/*
 * Connects to url and serves until done, a signal, or seconds; 0, or the
 * exit status when it could not start. Cancel your timers after it, then
 * client_finish() (the exit status).
 */
int client_start(const char *url, double seconds);
int client_finish(void);

#endif

/*
 * The one event loop: a libwebsockets context serviced on the main
 * thread. Every websocket, HTTP request and timer of the bot runs here,
 * and nothing here blocks. Other threads hand work back with loop_post(),
 * the only loop call that is safe off the loop thread.
 */
#ifndef OPSBOT_LOOP_H
#define OPSBOT_LOOP_H

#include <stddef.h>

struct loop;
struct lws_context;

typedef void (*loop_fn)(void *arg);

/*
 * With tls, OpenSSL is set up for wss:// clients (it costs about 4 MB and
 * 20 ms, so a console-only bot goes without). Returns NULL and sets
 * *cause (caller frees) if lws cannot start.
 */
struct loop *loop_create(int tls, char **cause);
/*
 * Runs every pending posted function, then frees the loop; the lws
 * context is destroyed. Accepts NULL.
 */
void	 loop_free(struct loop *);

/* Services events until loop_stop(); returns on the loop thread. */
void	 loop_run(struct loop *);
/* One turn: waits for the next event, timer or post, and runs it (tests). */
void	 loop_turn(struct loop *);
/* Loop thread: makes loop_run() return after the current turn. */
void	 loop_stop(struct loop *);

/*
 * Any thread: fn(arg) will run exactly once on the loop thread (or in
 * loop_free, if the loop has stopped by then).
 */
void	 loop_post(struct loop *, loop_fn, void *arg);
/* Loop thread: runs what has been posted so far (teardown). */
void	 loop_run_posted(struct loop *);
/* Any thread: pending posts (for /status). */
size_t	 loop_pending(struct loop *);

/* For timers (lws_sul) and, later, client and server connections. */
struct lws_context *loop_lws(struct loop *);

/*
 * Websocket clients: connect with local_protocol_name LOOP_WS_PROTOCOL
 * and opaque_user_data pointing at a struct loop_ws; every callback for
 * that connection goes to its cb. Returning non-zero closes it.
 */
#define LOOP_WS_PROTOCOL	"opsbot-ws"

struct lws;
struct loop_ws {
	int	(*cb)(struct loop_ws *, struct lws *, int reason, void *in,
		    size_t len);
};

#endif

/*
 * fakehttp: the libwebsockets plumbing shared by the fake chat servers.
 * One loopback port serves HTTP and a websocket from one single-threaded
 * loop. The library reads each request (method, path, the usual headers,
 * the body up to a bound), asks the fake's route hook for a reply and
 * writes it; it keeps the websocket connections with their outgoing frame
 * queues, puts incoming messages back together and hands each whole one
 * to the fake; it holds the injected-failure rules, the bad-frame record,
 * the lifetime and the port file. What a fake says stays in the fake.
 */
#ifndef FAKEHTTP_H
#define FAKEHTTP_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>
#include <libwebsockets.h>

#include "fakeutil.h"

enum {
	FH_LIFETIME_S = 600,        /* hard bound on how long a fake runs */
	FH_MAX_HTTP_BODY = 8 << 20, /* larger request bodies: body_over */
	FH_MAX_HEADERS = 6,         /* extra headers on one reply */
};

enum method { M_OTHER, M_GET, M_POST, M_PUT, M_DELETE, M_PATCH };

extern const char *const method_names[];

/* An HTTP answer being built; body is malloc'd and owned by the reply. */
struct reply {
	int status;
	const char *ctype;
	char *body;
	int n_hdr;
	struct {
		char name[40], value[256]; /* a Location URL fits */
	} hdr[FH_MAX_HEADERS];
};

void reply_set(struct reply *r, int status, const char *ctype,
               const char *body);
void reply_json(struct reply *r, int status, cJSON *j); /* takes j */
void reply_error(struct reply *r, int status, const char *code);
/* Adds "name: value" (name with its colon, lower case) to the reply. */
void reply_header(struct reply *r, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
cJSON *ok_object(void); /* {"ok":true}, the caller owns it */

/* One queued websocket message; data has LWS_PRE bytes of headroom. */
struct frame {
	struct frame *next;
	int kind;  /* LWS_WRITE_TEXT, _BINARY or _PING */
	void *tag; /* the fake's, for its ws_sent hook */
	size_t len;
	unsigned char data[];
};

/* One websocket. */
struct conn {
	struct conn *next;
	struct lws *wsi;
	int id; /* from 1, in the order they were accepted */
	struct frame *head, *tail;
	struct buf rx; /* the message being received */
	int rx_binary, rx_overflow;
	int authed;                /* the fake's: authenticated */
	int dropped;               /* shut down under lws */
	int closing, close_code;   /* close once the queue is written */
	lws_sorted_usec_list_t sul; /* the fake's own timer */
	void *user;                /* the fake's own data */
};

/*
 * One HTTP request (or websocket) on a connection. The fake's per-session
 * struct begins with it; hooks get it back as a struct req *.
 */
struct req {
	struct lws *wsi;
	struct conn *conn; /* websocket connections only */
	enum method method;
	char path[256];
	char auth[512];
	char ctype[128];
	struct buf body;
	int body_over; /* over FH_MAX_HTTP_BODY: the fake answers 413 */
	struct reply rep;
	int rep_stage; /* 1: headers next, 2: body next */
	unsigned char *resp; /* LWS_PRE headroom, then resp_len bytes */
	size_t resp_len;
	lws_sorted_usec_list_t sul_hold; /* a held answer's delay */
	int held;
};

/* Command line: PORTFILE, --verbose, --lifetime-s N, --port N, own ones. */
struct fh_opt {
	const char *name;
	enum { FH_STR, FH_INT, FH_LONG, FH_FLAG, FH_UNFLAG } type;
	void *to; /* const char **, int *, long *; flags: int * set 1 or 0 */
};
struct fh_args {
	const char *portfile;
	int port, lifetime_s, verbose;
};
struct fh_ops {
	size_t pss_size; /* the fake's per-session struct */
	/* Reads what else the fake wants of the request (query, headers). */
	void (*begin)(struct lws *wsi, struct req *q);
	/* A declared body of clen bytes: -1 cuts the connection at once. */
	int (*admit)(struct req *q, long long clen);
	/* Fills r; returns 1 when the answer comes later (fh_reply_ready). */
	int (*route)(struct lws *wsi, struct req *q, struct reply *r);
	/* Last touches before writing; returns ms to hold the answer back. */
	int (*finish)(struct req *q, struct reply *r);
	void (*http_closed)(struct req *q);
	const char *ws_path;   /* upgrades go here only (a trailing / too) */
	size_t max_ws_message; /* a larger message closes the socket (1009) */
	void (*ws_open)(struct lws *wsi, struct req *q, struct conn *c);
	void (*ws_message)(struct conn *c); /* a whole message in c->rx */
	void (*ws_sent)(struct conn *c, struct frame *f); /* written */
	void (*ws_free)(struct conn *c); /* closed; its queue still there */
	const struct lws_protocols *more; /* other protocols, or NULL */
	/* The command line and the life of the server; each may be NULL. */
	const char *usage;         /* the whole usage text, client mode too */
	const struct fh_opt *opts; /* the fake's own options */
	size_t n_opts;
	int (*args_ok)(void); /* after parsing: 0 refuses the options */
	void (*start)(void);  /* listening: make the records */
	void (*stop)(void);   /* loop over: cancel timers (lws frees them) */
	void (*done)(void);   /* the context is gone: free the rest */
};

/* The server's state the fakes share. */
struct fh_server {
	struct lws_context *cx;
	struct lws_vhost *vh;
	int port;
	int shutting_down; /* the context is going: requeue nothing */
	struct conn *conns;
	int n_conn;
	int bad_frames, pongs;
	cJSON *bad_samples; /* first bytes of the first bad frames */
	struct rule *rules;
};

extern struct fh_server fs;
/* The Content-Type of reply_json (Slack adds "; charset=utf-8"). */
extern const char *fh_json_type;

int fh_parse_args(int argc, char **argv, const struct fh_opt *opts,
                  size_t n_opts, struct fh_args *a);
/* Takes argv[*i] if it is one of opts (and its value): 1, else 0. */
int fh_take_opt(int argc, char **argv, int *i, const struct fh_opt *opts,
                size_t n_opts);
/*
 * main() of a fake called name: "--client URL ..." runs client; anything
 * else is the server's command line, served until a signal or the
 * lifetime is over (exit 0), or refused with the usage (2). A fake with
 * no client mode passes NULL: "--client" is then refused with the usage.
 */
int fake_main(const char *name, int argc, char **argv,
              const struct fh_ops *ops, int (*client)(int, char **));
int fh_usage(void); /* prints the usage; 2, the exit status */

/*
 * Listens on 127.0.0.1 (a.port, or one the kernel picks) and writes the
 * port file. fh_run() serves until a signal or the lifetime is over;
 * fh_close() destroys the context (cancel your own timers first).
 */
int fh_listen(const struct fh_ops *ops, const struct fh_args *a);
void fh_run(int lifetime_s);
void fh_close(void);

/* The reply in q->rep is complete: write it when writable. */
void fh_reply_ready(struct lws *wsi, struct req *q);

/* Websocket connections. */
struct frame *frame_new(int kind, const void *data, size_t len);
int conns_open(void);
struct conn *newest_conn(void); /* not closing, not dropped */
void conn_queue(struct conn *c, struct frame *f);
void conn_queue_text(struct conn *c, const char *s);
void conn_queue_json(struct conn *c, const cJSON *j);
void conn_drop(struct conn *c, const char *why); /* no close frame */
int conns_drop(void);                 /* every socket; how many */
int conns_ping(const char *payload, int skip_closing);
/* Records a frame the fake could not use (bad_frames, bad_samples). */
void bad_frame(const char *data, size_t len, int binary);
void fh_records_reset(void); /* bad frames and pongs */
/* POST /_control/drop and /_control/ping: every socket; how many. */
void control_drop(struct reply *r);
void control_ping(struct reply *r, const char *payload, int skip_closing);
/*
 * The request body for the state: parsed when it is JSON, else a string.
 * A new item the caller owns; *json (may be NULL) tells which it is.
 */
cJSON *req_body_item(const struct req *q, int *json);

/* Injected failures: POST /_control/ratelimit and their use. */
struct rule {
	struct rule *next;
	char method[128];
	int count;
	int retry_after; /* < 0: no Retry-After header */
	int status;
};
void rules_set(const cJSON *in, struct reply *r);
/* The rule for a (or b, or "*") with uses left, one use taken; or NULL. */
struct rule *rules_take(const char *a, const char *b);
void rules_clear(void);

#endif

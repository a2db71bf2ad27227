/*
 * fakehttp: the libwebsockets server plumbing of the fake chat servers
 * (see fakehttp.h): requests in, replies out, websocket frame queues,
 * failure rules, the loop and its lifetime.
 */
#include <sys/socket.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fakehttp.h"

enum {
	TICK_MS = 200,         /* signal and deadline check */
	MAX_BAD_SAMPLES = 20,  /* bad frames kept for the state */
	BAD_SAMPLE_LEN = 200,  /* bytes kept of each */
};

const char *const method_names[] = { "OTHER", "GET",    "POST",
	                             "PUT",   "DELETE", "PATCH" };

struct fh_server fs;
const char *fh_json_type = "application/json";

static const struct fh_ops *ops;
static int64_t deadline_us;
static lws_sorted_usec_list_t sul_tick;

/* ------------------------------------------------------------------------
 * Replies
 */

void
reply_set(struct reply *r, int status, const char *ctype, const char *body)
{
	free(r->body);
	r->status = status;
	r->ctype = ctype;
	r->body = xstrdup(body);
}

void
reply_json(struct reply *r, int status, cJSON *j)
{
	char *s = json_text(j);

	free(r->body);
	r->status = status;
	r->ctype = fh_json_type;
	r->body = s;
	cJSON_Delete(j);
}

/* Control API errors: {"ok":false,"error":code}. */
void
reply_error(struct reply *r, int status, const char *code)
{
	cJSON *j = cJSON_CreateObject();

	cJSON_AddFalseToObject(j, "ok");
	cJSON_AddStringToObject(j, "error", code);
	reply_json(r, status, j);
}

void
reply_header(struct reply *r, const char *name, const char *fmt, ...)
{
	va_list ap;

	if (r->n_hdr >= FH_MAX_HEADERS)
		return;
	snprintf(r->hdr[r->n_hdr].name, sizeof(r->hdr[0].name), "%s", name);
	va_start(ap, fmt);
	vsnprintf(r->hdr[r->n_hdr].value, sizeof(r->hdr[0].value), fmt, ap);
	va_end(ap);
	r->n_hdr++;
}

cJSON *
ok_object(void)
{
	cJSON *j = cJSON_CreateObject();

	cJSON_AddTrueToObject(j, "ok");
	return j;
}

/* ------------------------------------------------------------------------
 * HTTP requests
 */

static void
hold_over(lws_sorted_usec_list_t *sul)
{
	struct req *q = lws_container_of(sul, struct req, sul_hold);

	q->held = 0;
	lws_callback_on_writable(q->wsi);
}

void
fh_reply_ready(struct lws *wsi, struct req *q)
{
	int hold_ms = 0;

	if (!q->rep.body) {
		char code[64], *p;

		/* fake-slack: fake_slack_bug */
		snprintf(code, sizeof(code), "%s_bug", fake_name);
		for (p = code; *p; p++)
			if (*p == '-')
				*p = '_';
		reply_error(&q->rep, 500, code);
	}
	if (ops->finish)
		hold_ms = ops->finish(q, &q->rep);
	say("%s %s -> %d", method_names[q->method], q->path, q->rep.status);
	buf_free(&q->body);
	q->rep_stage = 1;
	q->wsi = wsi;
	if (hold_ms > 0) {
		q->held = 1;
		lws_sul_schedule(fs.cx, 0, &q->sul_hold, hold_over,
		                 (lws_usec_t)hold_ms * LWS_US_PER_MS);
		return;
	}
	lws_callback_on_writable(wsi);
}

static int
handle_request(struct lws *wsi, struct req *q)
{
	if (ops->route(wsi, q, &q->rep))
		return 0; /* answered later */
	fh_reply_ready(wsi, q);
	return 0;
}

/* HTTP_WRITEABLE: the headers, then the body on the next call. */
static int
write_reply(struct lws *wsi, struct req *q)
{
	unsigned char hdr[LWS_PRE + 2048], *start = hdr + LWS_PRE, *p = start;
	unsigned char *end = hdr + sizeof(hdr) - 1;
	struct reply *r = &q->rep;
	size_t n;
	int i, w;

	if (q->held)
		return 0;
	if (q->rep_stage == 1) {
		n = strlen(r->body);
		if (lws_add_http_common_headers(wsi, (unsigned)r->status,
		                                r->ctype, (lws_filepos_t)n, &p,
		                                end))
			return -1;
		for (i = 0; i < r->n_hdr; i++)
			if (lws_add_http_header_by_name(
			        wsi, (const unsigned char *)r->hdr[i].name,
			        (const unsigned char *)r->hdr[i].value,
			        (int)strlen(r->hdr[i].value), &p, end))
				return -1;
		if (lws_finalize_write_http_header(wsi, start, &p, end))
			return -1;
		free(q->resp);
		q->resp = xmalloc(LWS_PRE + n + 1);
		memcpy(q->resp + LWS_PRE, r->body, n);
		q->resp_len = n;
		free(r->body);
		memset(r, 0, sizeof(*r));
		q->rep_stage = 2;
		lws_callback_on_writable(wsi);
		return 0;
	}
	if (q->rep_stage != 2 || !q->resp)
		return 0;
	q->rep_stage = 0;
	w = lws_write(wsi, q->resp + LWS_PRE, q->resp_len,
	              LWS_WRITE_HTTP_FINAL);
	free(q->resp);
	q->resp = NULL;
	if (w < (int)q->resp_len)
		return -1;
	if (lws_http_transaction_completed(wsi))
		return -1;
	return 0;
}

static enum method
request_method(struct lws *wsi)
{
	if (lws_hdr_total_length(wsi, WSI_TOKEN_GET_URI))
		return M_GET;
	if (lws_hdr_total_length(wsi, WSI_TOKEN_POST_URI))
		return M_POST;
	if (lws_hdr_total_length(wsi, WSI_TOKEN_PUT_URI))
		return M_PUT;
	if (lws_hdr_total_length(wsi, WSI_TOKEN_DELETE_URI))
		return M_DELETE;
	if (lws_hdr_total_length(wsi, WSI_TOKEN_PATCH_URI))
		return M_PATCH;
	return M_OTHER;
}

static void
http_begin(struct lws *wsi, struct req *q, const char *path)
{
	buf_free(&q->body);
	q->body_over = 0;
	free(q->rep.body);
	memset(&q->rep, 0, sizeof(q->rep));
	q->rep_stage = 0;
	q->wsi = wsi;
	q->method = request_method(wsi);
	snprintf(q->path, sizeof(q->path), "%s", path ? path : "");
	if (lws_hdr_copy(wsi, q->auth, sizeof(q->auth),
	                 WSI_TOKEN_HTTP_AUTHORIZATION) < 0)
		q->auth[0] = '\0';
	if (lws_hdr_copy(wsi, q->ctype, sizeof(q->ctype),
	                 WSI_TOKEN_HTTP_CONTENT_TYPE) < 0)
		q->ctype[0] = '\0';
	if (ops->begin)
		ops->begin(wsi, q);
}

static void
http_closed(struct req *q)
{
	if (q->held) {
		lws_sul_cancel(&q->sul_hold);
		q->held = 0;
	}
	if (ops->http_closed)
		ops->http_closed(q);
	buf_free(&q->body);
	free(q->rep.body);
	q->rep.body = NULL;
	q->rep_stage = 0;
	free(q->resp);
	q->resp = NULL;
}

/* ------------------------------------------------------------------------
 * Websocket connections
 */

struct frame *
frame_new(int kind, const void *data, size_t len)
{
	struct frame *f = xmalloc(sizeof(*f) + LWS_PRE + len + 1);

	f->next = NULL;
	f->kind = kind;
	f->tag = NULL;
	f->len = len;
	if (data && len)
		memcpy(f->data + LWS_PRE, data, len);
	return f;
}

int
conns_open(void)
{
	struct conn *c;
	int n = 0;

	for (c = fs.conns; c; c = c->next)
		n++;
	return n;
}

struct conn *
newest_conn(void)
{
	struct conn *c, *best = NULL;

	for (c = fs.conns; c; c = c->next)
		if (!c->closing && !c->dropped && (!best || c->id > best->id))
			best = c;
	return best;
}

void
conn_queue(struct conn *c, struct frame *f)
{
	if (c->tail)
		c->tail->next = f;
	else
		c->head = f;
	c->tail = f;
	lws_callback_on_writable(c->wsi);
}

void
conn_queue_text(struct conn *c, const char *s)
{
	conn_queue(c, frame_new(LWS_WRITE_TEXT, s, strlen(s)));
}

void
conn_queue_json(struct conn *c, const cJSON *j)
{
	char *s = json_text(j);

	conn_queue_text(c, s);
	free(s);
}

void
conn_drop(struct conn *c, const char *why)
{
	lws_sockfd_type fd;

	if (c->dropped)
		return;
	say("ws %d: dropping it (%s)", c->id, why);
	c->dropped = 1;
	fd = lws_get_socket_fd(c->wsi);
	if (fd >= 0)
		shutdown(fd, SHUT_RDWR);
	lws_callback_on_writable(c->wsi);
}

int
conns_drop(void)
{
	struct conn *c;
	int n = 0;

	for (c = fs.conns; c; c = c->next)
		if (!c->dropped) {
			conn_drop(c, "control drop");
			n++;
		}
	return n;
}

int
conns_ping(const char *payload, int skip_closing)
{
	struct conn *c;
	int n = 0;

	for (c = fs.conns; c; c = c->next) {
		if (c->dropped || (skip_closing && c->closing))
			continue;
		conn_queue(c,
		           frame_new(LWS_WRITE_PING, payload, strlen(payload)));
		n++;
	}
	return n;
}

void
bad_frame(const char *data, size_t len, int binary)
{
	char sample[BAD_SAMPLE_LEN + 1];
	size_t i, n = len < BAD_SAMPLE_LEN ? len : BAD_SAMPLE_LEN;

	fs.bad_frames++;
	if (binary)
		snprintf(sample, sizeof(sample), "<binary %zu bytes>", len);
	else {
		for (i = 0; i < n; i++) {
			unsigned char ch = (unsigned char)data[i];

			sample[i] = ch >= 0x20 && ch < 0x7f ? (char)ch : '?';
		}
		sample[n] = '\0';
	}
	say("bad frame: %s", sample);
	if (cJSON_GetArraySize(fs.bad_samples) < MAX_BAD_SAMPLES)
		cJSON_AddItemToArray(fs.bad_samples, cJSON_CreateString(sample));
}

void
fh_records_reset(void)
{
	cJSON_Delete(fs.bad_samples);
	fs.bad_samples = cJSON_CreateArray();
	fs.bad_frames = 0;
	fs.pongs = 0;
}

static void
conn_open(struct lws *wsi, struct req *q)
{
	struct conn *c = xcalloc(1, sizeof(*c));

	c->wsi = wsi;
	c->id = ++fs.n_conn;
	c->close_code = LWS_CLOSE_STATUS_NORMAL;
	c->next = fs.conns;
	fs.conns = c;
	q->conn = c;
	ops->ws_open(wsi, q, c);
}

static void
conn_free(struct conn *c)
{
	struct conn **pp;
	struct frame *f;

	for (pp = &fs.conns; *pp; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	lws_sul_cancel(&c->sul);
	if (ops->ws_free)
		ops->ws_free(c);
	while ((f = c->head)) {
		c->head = f->next;
		free(f);
	}
	buf_free(&c->rx);
	free(c);
}

static int
ws_receive(struct lws *wsi, struct conn *c, const void *in, size_t len)
{
	if (!c || c->dropped)
		return 0;
	if (lws_frame_is_binary(wsi))
		c->rx_binary = 1;
	if (!c->rx_overflow &&
	    buf_add(&c->rx, in, len, ops->max_ws_message) != 0)
		c->rx_overflow = 1;
	if (!lws_is_final_fragment(wsi) || lws_remaining_packet_payload(wsi))
		return 0;
	if (c->rx_overflow) {
		fs.bad_frames++;
		say("ws %d: message over %zu bytes, closing", c->id,
		    ops->max_ws_message);
		lws_close_reason(wsi, LWS_CLOSE_STATUS_MESSAGE_TOO_LARGE,
		                 (unsigned char *)"too big", 7);
		return -1;
	}
	ops->ws_message(c);
	c->rx.len = 0;
	c->rx_binary = 0;
	return 0;
}

/* One frame of the queue; the close once it is empty and closing. */
static int
ws_writeable(struct lws *wsi, struct conn *c)
{
	struct frame *f;
	int n;

	if (!c || c->dropped)
		return 0;
	if ((f = c->head)) {
		c->head = f->next;
		if (!c->head)
			c->tail = NULL;
		n = lws_write(wsi, f->data + LWS_PRE, f->len,
		              (enum lws_write_protocol)f->kind);
		if (n < (int)f->len) {
			f->next = c->head; /* ws_free sees it unwritten */
			c->head = f;
			if (!c->tail)
				c->tail = f;
			return -1;
		}
		if (ops->ws_sent)
			ops->ws_sent(c, f);
		free(f);
		if (c->head || c->closing)
			lws_callback_on_writable(wsi);
		return 0;
	}
	if (c->closing) {
		lws_close_reason(wsi, (enum lws_close_status)c->close_code,
		                 (unsigned char *)"bye", 3);
		return -1;
	}
	return 0;
}

static int
ws_path_ok(struct lws *wsi)
{
	char tmp[256];
	size_t n = strlen(ops->ws_path);

	if (lws_hdr_copy(wsi, tmp, sizeof(tmp), WSI_TOKEN_GET_URI) < 0)
		tmp[0] = '\0';
	if (!strncmp(tmp, ops->ws_path, n) &&
	    (!tmp[n] || (tmp[n] == '/' && !tmp[n + 1])))
		return 1;
	say("ws upgrade refused: path %s", tmp);
	return 0;
}

/* ------------------------------------------------------------------------
 * The callback
 */

static int
server_cb(struct lws *wsi, enum lws_callback_reasons reason, void *user,
          void *in, size_t len)
{
	struct req *q = user;
	char tmp[64];

	switch (reason) {
	case LWS_CALLBACK_HTTP:
		http_begin(wsi, q, in);
		/*
		 * With a Content-Length, even 0, lws calls HTTP_BODY and
		 * HTTP_BODY_COMPLETION; without one it calls neither.
		 */
		if (lws_hdr_copy(wsi, tmp, sizeof(tmp),
		                 WSI_TOKEN_HTTP_CONTENT_LENGTH) > 0) {
			long long clen = strtoll(tmp, NULL, 10);

			if (ops->admit && ops->admit(q, clen) < 0)
				return -1;
			if (clen > FH_MAX_HTTP_BODY)
				q->body_over = 1;
			return 0;
		}
		return handle_request(wsi, q);

	case LWS_CALLBACK_HTTP_BODY:
		if (!q->body_over &&
		    buf_add(&q->body, in, len, FH_MAX_HTTP_BODY) != 0)
			q->body_over = 1;
		return 0;

	case LWS_CALLBACK_HTTP_BODY_COMPLETION:
		return handle_request(wsi, q);

	case LWS_CALLBACK_HTTP_WRITEABLE:
		return q ? write_reply(wsi, q) : 0;

	case LWS_CALLBACK_HTTP_DROP_PROTOCOL:
	case LWS_CALLBACK_CLOSED_HTTP:
		if (q)
			http_closed(q);
		break;

	case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION:
		return ws_path_ok(wsi) ? 0 : 1;

	case LWS_CALLBACK_ESTABLISHED:
		conn_open(wsi, q);
		break;

	case LWS_CALLBACK_RECEIVE:
		return ws_receive(wsi, q->conn, in, len);

	case LWS_CALLBACK_SERVER_WRITEABLE:
		return ws_writeable(wsi, q->conn);

	case LWS_CALLBACK_RECEIVE_PONG:
		fs.pongs++;
		break;

	case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
		if (q && q->conn)
			say("ws %d: close frame from the client", q->conn->id);
		break;

	case LWS_CALLBACK_CLOSED:
		if (q && q->conn) {
			say("ws %d closed", q->conn->id);
			conn_free(q->conn);
			q->conn = NULL;
		}
		break;

	default:
		break;
	}
	return lws_callback_http_dummy(wsi, reason, user, in, len);
}

/* ------------------------------------------------------------------------
 * Command line, listening, the loop
 */

int
fh_take_opt(int argc, char **argv, int *i, const struct fh_opt *opts,
            size_t n_opts)
{
	const char *o = argv[*i];
	size_t k;

	for (k = 0; k < n_opts; k++)
		if (!strcmp(o, opts[k].name))
			break;
	if (k == n_opts)
		return 0;
	if (opts[k].type == FH_FLAG || opts[k].type == FH_UNFLAG) {
		*(int *)opts[k].to = opts[k].type == FH_FLAG;
		return 1;
	}
	if (*i + 1 >= argc)
		return 0;
	++*i;
	if (opts[k].type == FH_STR)
		*(const char **)opts[k].to = argv[*i];
	else if (opts[k].type == FH_INT)
		*(int *)opts[k].to = atoi(argv[*i]);
	else
		*(long *)opts[k].to = atol(argv[*i]);
	return 1;
}

int
fh_parse_args(int argc, char **argv, const struct fh_opt *opts,
              size_t n_opts, struct fh_args *a)
{
	int i;

	a->portfile = NULL;
	a->port = 0;
	a->lifetime_s = FH_LIFETIME_S;
	a->verbose = 0;
	for (i = 1; i < argc; i++) {
		const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(o, "--verbose")) {
			a->verbose = 1;
			continue;
		}
		if (o[0] == '-' && o[1] == '-' && !v)
			return -1;
		if (!strcmp(o, "--lifetime-s")) {
			a->lifetime_s = atoi(argv[++i]);
			continue;
		}
		if (!strcmp(o, "--port")) {
			a->port = atoi(argv[++i]);
			continue;
		}
		if (fh_take_opt(argc, argv, &i, opts, n_opts))
			continue;
		if (o[0] == '-' || a->portfile)
			return -1;
		else
			a->portfile = o;
	}
	if (!a->portfile || a->port < 0 || a->port > 65535)
		return -1;
	if (a->lifetime_s <= 0 || a->lifetime_s > FH_LIFETIME_S)
		a->lifetime_s = FH_LIFETIME_S;
	return 0;
}

int
fh_usage(void)
{
	if (ops && ops->usage)
		fputs(ops->usage, stderr);
	return 2;
}

int
fake_main(const char *name, int argc, char **argv,
          const struct fh_ops *o, int (*client)(int, char **))
{
	struct fh_args a;

	fake_name = name;
	ops = o;
	fake_signals();
	if (argc >= 3 && !strcmp(argv[1], "--client"))
		return client != NULL ? client(argc, argv) : fh_usage();
	if (argc < 2 || fh_parse_args(argc, argv, o->opts, o->n_opts, &a) ||
	    (o->args_ok && !o->args_ok()))
		return fh_usage();
	if (fh_listen(o, &a) != 0)
		return 1;
	if (o->start)
		o->start();
	fh_run(a.lifetime_s);
	if (o->stop)
		o->stop();
	fh_close();
	if (o->done)
		o->done();
	say("exit");
	return 0;
}

static void
tick(lws_sorted_usec_list_t *sul)
{
	if (now_us() >= deadline_us && !fake_stop) {
		say("lifetime over, exiting");
		fake_stop = 1;
	}
	/* a signal between two polls is seen here; wake the poll to stop */
	if (fake_stop)
		lws_cancel_service(fs.cx);
	lws_sul_schedule(fs.cx, 0, &sul_tick, tick,
	                 (lws_usec_t)TICK_MS * LWS_US_PER_MS);
}

int
fh_listen(const struct fh_ops *o, const struct fh_args *a)
{
	static struct lws_protocols protocols[4];
	struct lws_context_creation_info info;
	size_t i;

	ops = o;
	memset(protocols, 0, sizeof(protocols));
	protocols[0].name = "http";
	protocols[0].callback = server_cb;
	protocols[0].per_session_data_size = o->pss_size;
	protocols[0].rx_buffer_size = 4096;
	for (i = 0; o->more && o->more[i].name && i + 2 < 4; i++)
		protocols[i + 1] = o->more[i];

	lws_set_log_level(a->verbose ? LLL_ERR | LLL_WARN | LLL_NOTICE
	                             : LLL_ERR,
	                  NULL);
	memset(&info, 0, sizeof(info));
	info.options =
	    LWS_SERVER_OPTION_EXPLICIT_VHOSTS | LWS_SERVER_OPTION_DISABLE_IPV6;
	info.port = a->port; /* 0: the kernel picks; read back below */
	info.iface = "127.0.0.1";
	info.vhost_name = fake_name;
	info.protocols = protocols;
	info.server_string = fake_name;
	fs.cx = lws_create_context(&info);
	if (!fs.cx) {
		fprintf(stderr, "%s: lws_create_context failed\n", fake_name);
		return -1;
	}
	fs.vh = lws_create_vhost(fs.cx, &info);
	if (!fs.vh || (fs.port = lws_get_vhost_listen_port(fs.vh)) <= 0) {
		fprintf(stderr, "%s: cannot listen on 127.0.0.1:%d\n",
		        fake_name, a->port);
		lws_context_destroy(fs.cx);
		return -1;
	}
	fs.bad_samples = cJSON_CreateArray();
	if (write_port(a->portfile, fs.port) != 0) {
		fh_close();
		return -1;
	}
	say("listening on 127.0.0.1:%d", fs.port);
	return 0;
}

void
fh_run(int lifetime_s)
{
	deadline_us = now_us() + (int64_t)lifetime_s * 1000000;
	lws_sul_schedule(fs.cx, 0, &sul_tick, tick,
	                 (lws_usec_t)TICK_MS * LWS_US_PER_MS);
	while (!fake_stop && lws_service(fs.cx, 0) >= 0)
		;
	/* lws timers die with the context: ours are cancelled first */
	fs.shutting_down = 1;
	lws_sul_cancel(&sul_tick);
}

void
fh_close(void)
{
	fs.shutting_down = 1;
	lws_context_destroy(fs.cx);
	fs.cx = NULL;
	rules_clear();
	cJSON_Delete(fs.bad_samples);
	fs.bad_samples = NULL;
}

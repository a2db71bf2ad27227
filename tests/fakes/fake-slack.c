/*
 * fake-slack: a stand-in for Slack in integration tests. One process serves,
 * on one loopback port, the Web API methods the bot calls, the response URLs
 * of slash commands, the Socket Mode websocket, and a control API through
 * which a test pushes envelopes, injects failures and reads back what the
 * bot did. Wire formats follow docs/protocols.md §1-§3.
 *
 * usage: fake-slack PORTFILE [--app-token T] [--bot-token T]
 *                   [--ack-timeout-ms N] [--lifetime-s N] [--port N]
 *                   [--ts-seconds N] [--verbose]
 *        fake-slack --client URL [--no-ack] [--ack-delay-ms N]
 *                   [--ack-min-retry N] [--ack-payload JSON] [--send TEXT]
 *                   [--fragment N] [--close-on-disconnect] [--seconds N]
 *
 * Server: binds 127.0.0.1 on an ephemeral port (or --port N, to come back
 * on the same port after a restart), writes the port and a
 * newline to PORTFILE (temporary file and rename), and serves until SIGTERM
 * or SIGINT, or for --lifetime-s seconds (600 at most). One line per request
 * and per websocket event goes to stderr. tests/fakes/README.md lists the
 * endpoints and the control API.
 *
 * Client (--client): a tiny Socket Mode client for the self-test. Prints
 * each message it receives on one line of stdout (binary ones as
 * "BINARY n", text over 64 KiB as "TEXT n") and its own events as lines
 * starting with "# ", acks envelopes, and exits when the socket closes or
 * after --seconds (default 5).
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <libwebsockets.h>

enum {
	LIFETIME_S = 600,              /* hard bound on how long we run */
	TICK_MS = 200,                 /* signal and deadline check */
	MAX_HTTP_BODY = 8 << 20,       /* larger request bodies get 413 */
	CUT_API_BODY = 1 << 20,        /* larger Web API calls: cut */
	TEXT_MAX = 40000,              /* chat.postMessage text: msg_too_long */
	SECTION_MAX = 3000,            /* Block Kit limits: invalid_blocks */
	FIELD_MAX = 2000,
	BLOCKS_MAX = 50,
	MAX_WS_MESSAGE = 1 << 20,      /* from the bot; larger closes */
	MAX_CLIENT_MESSAGE = 64 << 20, /* client mode receive cap */
	MAX_RAW_SIZE = 64 << 20,       /* /_control/raw?size= cap */
	PRINT_MAX = 64 << 10,          /* client prints longer as a size */
	RESPONSE_URL_USES = 5,         /* Slack: 5 uses per URL */
	EVENT_RETRIES = 3,             /* Slack: at most 3 redeliveries */
	CLOSE_AFTER_MS = 10000,        /* socket close after disconnect */
	MAX_BAD_SAMPLES = 20,          /* bad frames kept for the state */
	BAD_SAMPLE_LEN = 200,          /* bytes kept of each */
	MAX_SENDS = 8,                 /* client --send options */
};

#define FAKE_HOST    "fake-1"
#define APP_ID       "A0TEST"
#define TEAM_ID      "T0001"
#define BOT_USER_ID  "U0BOT"
#define BOT_ID       "B0BOT"
#define TS_SECONDS   1700000000
#define JSON_TYPE    "application/json; charset=utf-8"
#define PING_PAYLOAD "Ping from " FAKE_HOST
#define CLIENT_PCOL  "fake-slack-client"

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p) {
		fprintf(stderr, "fake-slack: out of memory\n");
		exit(1);
	}
	return p;
}

static void *
xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p) {
		fprintf(stderr, "fake-slack: out of memory\n");
		exit(1);
	}
	return p;
}

static char *
xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;

	return memcpy(xmalloc(n), s, n);
}

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
say(const char *fmt, ...)
{
	va_list ap;

	fputs("fake-slack: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* A growable byte buffer, always NUL-terminated. */
struct buf {
	char *p;
	size_t len, cap;
};

static int
buf_add(struct buf *b, const void *data, size_t n, size_t max)
{
	if (b->len + n > max)
		return -1;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 1024;
		char *p;

		while (cap < b->len + n + 1)
			cap *= 2;
		p = realloc(b->p, cap);
		if (!p)
			return -1;
		b->p = p;
		b->cap = cap;
	}
	if (n)
		memcpy(b->p + b->len, data, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

static void
buf_free(struct buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

static const char *
jstr(const cJSON *obj, const char *key)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);

	return cJSON_IsString(it) ? it->valuestring : NULL;
}

static int
jint(const cJSON *obj, const char *key, int dflt)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);

	if (cJSON_IsNumber(it))
		return it->valueint;
	if (cJSON_IsString(it) && it->valuestring[0])
		return atoi(it->valuestring);
	return dflt;
}

struct field {
	const char *key, *dflt; /* dflt NULL: only when given */
};

/*
 * A copy of in with the fields in the given order, defaults filled in,
 * then whatever else in holds.
 */
static cJSON *
merge_fields(const cJSON *in, const struct field *f, size_t n)
{
	cJSON *out = cJSON_CreateObject(), *it;
	size_t i;

	for (i = 0; i < n; i++) {
		it = cJSON_GetObjectItemCaseSensitive(in, f[i].key);
		if (it)
			cJSON_AddItemToObject(out, f[i].key,
			                      cJSON_Duplicate(it, 1));
		else if (f[i].dflt)
			cJSON_AddStringToObject(out, f[i].key, f[i].dflt);
	}
	cJSON_ArrayForEach(it, in) {
		if (it->string && !cJSON_HasObjectItem(out, it->string))
			cJSON_AddItemToObject(out, it->string,
			                      cJSON_Duplicate(it, 1));
	}
	return out;
}

static void
set_item(cJSON *obj, const char *key, cJSON *item)
{
	if (cJSON_HasObjectItem(obj, key))
		cJSON_ReplaceItemInObjectCaseSensitive(obj, key, item);
	else
		cJSON_AddItemToObject(obj, key, item);
}

static cJSON *
dup_or_null(const cJSON *it)
{
	return it ? cJSON_Duplicate(it, 1) : cJSON_CreateNull();
}

/* ------------------------------------------------------------------------
 * Server state
 */

struct envelope;

/* One queued websocket message; data has LWS_PRE bytes of headroom. */
struct frame {
	struct frame *next;
	int kind; /* LWS_WRITE_TEXT, _BINARY or _PING */
	struct envelope *env;
	size_t len;
	unsigned char data[];
};

struct conn {
	struct conn *next;
	struct lws *wsi;
	int id;
	struct frame *head, *tail;
	struct buf rx;
	int rx_binary, rx_overflow;
	int closing; /* close once the queue is written */
	int dropped;
	lws_sorted_usec_list_t sul_close;
};

enum env_kind { ENV_EVENT, ENV_SLASH, ENV_INTERACTIVE };
enum env_state { ES_QUEUED, ES_SENDING, ES_PENDING, ES_ACKED, ES_UNACKED };

static const char *const kind_names[] = { "events_api", "slash_commands",
	                                  "interactive" };
static const char *const state_names[] = { "queued", "sending", "pending",
	                                   "acked", "unacked" };

struct envelope {
	struct envelope *next;
	enum env_kind kind;
	enum env_state state;
	char id[48];
	char event_id[32];
	int retry_attempt;
	int conn_id; /* connection it was last pushed to */
	int acks;
	int64_t sent_us; /* when it was last written */
	cJSON *msg;
	lws_sorted_usec_list_t sul;
};

struct rule {
	struct rule *next;
	char method[64];
	int count;
	int retry_after; /* < 0: no Retry-After header */
	int status;
};

static struct {
	struct lws_context *cx;
	const char *app_token, *bot_token;
	int port;
	long ts_seconds; /* seconds part of every ts (--ts-seconds) */
	int ack_timeout_ms;
	int64_t deadline_us;
	int shutting_down;
	struct conn *conns;
	struct envelope *envs, *envs_tail;
	struct rule *rules;
	int reject_count;
	char reject_error[64];
	int n_conn, n_open_calls, n_ticket, n_env, n_event, n_ts, n_resp;
	int *resp_uses;
	int64_t *resp_created; /* per response URL: when it was handed out */
	char **resp_source;    /* per response URL of a click: message ts */
	int resp_cap;
	int bad_frames, pongs;
	int cuts; /* Web API calls whose connection was cut */
	char slow_method[64]; /* its answers wait slow_ms (the work is done) */
	int slow_ms, slow_count;
	cJSON *acks, *unacked, *posts, *updates, *responses, *tickets;
	cJSON *ephemerals, *replaced;
	cJSON *bad_samples, *calls;
	cJSON *last_buttons; /* newest message with buttons, for click */
	cJSON *chain;        /* slash "chain": pushed again per answer */
	int chain_left;
	int *api_ports; /* client ports seen on /api/ and /response/ */
	int n_api_ports, api_ports_cap;
	lws_sorted_usec_list_t sul_tick;
} g;

static void
records_new(void)
{
	g.acks = cJSON_CreateArray();
	g.unacked = cJSON_CreateArray();
	g.posts = cJSON_CreateArray();
	g.ephemerals = cJSON_CreateArray();
	g.replaced = cJSON_CreateArray();
	g.updates = cJSON_CreateArray();
	g.responses = cJSON_CreateArray();
	g.bad_samples = cJSON_CreateArray();
	g.calls = cJSON_CreateObject();
	g.last_buttons = NULL;
	g.bad_frames = 0;
	g.pongs = 0;
}

static void
records_free(void)
{
	cJSON_Delete(g.acks);
	cJSON_Delete(g.unacked);
	cJSON_Delete(g.posts);
	cJSON_Delete(g.ephemerals);
	cJSON_Delete(g.replaced);
	cJSON_Delete(g.updates);
	cJSON_Delete(g.responses);
	cJSON_Delete(g.bad_samples);
	cJSON_Delete(g.calls);
	cJSON_Delete(g.last_buttons);
}

static void
rules_free(void)
{
	struct rule *r;

	while ((r = g.rules)) {
		g.rules = r->next;
		free(r);
	}
	g.reject_count = 0;
}

/* Message timestamps: strictly increasing over posts and events. */
static void
next_ts(char *ts, size_t len)
{
	snprintf(ts, len, "%ld.%06d", g.ts_seconds, ++g.n_ts);
}

static int
new_response_url(char *url, size_t len)
{
	int n = ++g.n_resp;

	if (n >= g.resp_cap) {
		int cap = g.resp_cap ? g.resp_cap * 2 : 64;
		int *p = realloc(g.resp_uses, (size_t)cap * sizeof(*p));

		if (!p) {
			fprintf(stderr, "fake-slack: out of memory\n");
			exit(1);
		}
		memset(p + g.resp_cap, 0,
		       (size_t)(cap - g.resp_cap) * sizeof(*p));
		g.resp_uses = p;
		g.resp_created = realloc(g.resp_created,
		                         (size_t)cap * sizeof(int64_t));
		g.resp_source = realloc(g.resp_source,
		                        (size_t)cap * sizeof(char *));
		if (g.resp_source)
			memset(g.resp_source + g.resp_cap, 0,
			       (size_t)(cap - g.resp_cap) * sizeof(char *));
		if (!g.resp_created || !g.resp_source) {
			fprintf(stderr, "fake-slack: out of memory\n");
			exit(1);
		}
		g.resp_cap = cap;
	}
	g.resp_created[n] = now_us();
	snprintf(url, len, "http://127.0.0.1:%d/response/%d", g.port, n);
	return n;
}

/* ------------------------------------------------------------------------
 * Websocket connections and envelopes
 */

static struct frame *
frame_new(int kind, const void *data, size_t len)
{
	struct frame *f = xmalloc(sizeof(*f) + LWS_PRE + len + 1);

	f->next = NULL;
	f->kind = kind;
	f->env = NULL;
	f->len = len;
	if (data && len)
		memcpy(f->data + LWS_PRE, data, len);
	return f;
}

static int
conns_open(void)
{
	struct conn *c;
	int n = 0;

	for (c = g.conns; c; c = c->next)
		n++;
	return n;
}

/* Envelopes go to the newest connection that is not being closed. */
static struct conn *
newest_conn(void)
{
	struct conn *c, *best = NULL;

	for (c = g.conns; c; c = c->next)
		if (!c->closing && !c->dropped && (!best || c->id > best->id))
			best = c;
	return best;
}

static void
conn_queue(struct conn *c, struct frame *f)
{
	if (c->tail)
		c->tail->next = f;
	else
		c->head = f;
	c->tail = f;
	lws_callback_on_writable(c->wsi);
}

static void
conn_queue_json(struct conn *c, cJSON *j)
{
	char *s = cJSON_PrintUnformatted(j);

	conn_queue(c, frame_new(LWS_WRITE_TEXT, s, strlen(s)));
	cJSON_free(s);
}

static void env_timeout(lws_sorted_usec_list_t *sul);

/* Pushes an envelope to the newest connection, or holds it for the next. */
static void
env_send(struct envelope *e)
{
	struct conn *c = newest_conn();
	struct frame *f;
	char *s;

	if (!c) {
		e->state = ES_QUEUED;
		say("envelope %s held: no connection", e->id);
		return;
	}
	s = cJSON_PrintUnformatted(e->msg);
	f = frame_new(LWS_WRITE_TEXT, s, strlen(s));
	cJSON_free(s);
	f->env = e;
	e->state = ES_SENDING;
	e->conn_id = c->id;
	conn_queue(c, f);
	say("envelope %s (%s, retry %d) -> ws %d", e->id, kind_names[e->kind],
	    e->retry_attempt, c->id);
}

/* The frame carrying e has been written: start its ack clock. */
static void
env_sent(struct envelope *e)
{
	e->sent_us = now_us();
	if (e->state != ES_SENDING)
		return; /* acked meanwhile (a late ack of an earlier try) */
	e->state = ES_PENDING;
	lws_sul_schedule(g.cx, 0, &e->sul, env_timeout,
	                 (lws_usec_t)g.ack_timeout_ms * LWS_US_PER_MS);
}

static void
env_timeout(lws_sorted_usec_list_t *sul)
{
	struct envelope *e = lws_container_of(sul, struct envelope, sul);
	cJSON *u;

	if (e->state != ES_PENDING)
		return;
	if (e->kind == ENV_EVENT && e->retry_attempt < EVENT_RETRIES) {
		e->retry_attempt++;
		set_item(e->msg, "retry_attempt",
		         cJSON_CreateNumber(e->retry_attempt));
		set_item(e->msg, "retry_reason", cJSON_CreateString("timeout"));
		env_send(e);
		return;
	}
	e->state = ES_UNACKED;
	say("envelope %s unacked", e->id);
	u = cJSON_CreateObject();
	cJSON_AddStringToObject(u, "envelope_id", e->id);
	cJSON_AddStringToObject(u, "type", kind_names[e->kind]);
	if (e->event_id[0])
		cJSON_AddStringToObject(u, "event_id", e->event_id);
	else
		cJSON_AddNullToObject(u, "event_id");
	cJSON_AddNumberToObject(u, "retry_attempt", e->retry_attempt);
	cJSON_AddItemToArray(g.unacked, u);
}

/* Makes an envelope around payload (which it takes) and pushes it. */
static struct envelope *
env_new(enum env_kind kind, cJSON *payload, const char *event_id)
{
	struct envelope *e = xcalloc(1, sizeof(*e));
	int n = ++g.n_env;

	e->kind = kind;
	snprintf(e->id, sizeof(e->id), "%08x-5eed-4fa6-9c1e-%012x",
	         (unsigned)getpid(), (unsigned)n);
	if (event_id)
		snprintf(e->event_id, sizeof(e->event_id), "%s", event_id);
	e->msg = cJSON_CreateObject();
	cJSON_AddStringToObject(e->msg, "envelope_id", e->id);
	cJSON_AddStringToObject(e->msg, "type", kind_names[kind]);
	cJSON_AddBoolToObject(e->msg, "accepts_response_payload",
	                      kind == ENV_SLASH);
	if (kind == ENV_EVENT) {
		cJSON_AddNumberToObject(e->msg, "retry_attempt", 0);
		cJSON_AddStringToObject(e->msg, "retry_reason", "");
	}
	cJSON_AddItemToObject(e->msg, "payload", payload);
	if (g.envs_tail)
		g.envs_tail->next = e;
	else
		g.envs = e;
	g.envs_tail = e;
	env_send(e);
	return e;
}

static struct envelope *
env_find(const char *id)
{
	struct envelope *e;

	for (e = g.envs; e; e = e->next)
		if (!strcmp(e->id, id))
			return e;
	return NULL;
}

static void
conn_close_timer(lws_sorted_usec_list_t *sul)
{
	struct conn *c = lws_container_of(sul, struct conn, sul_close);

	say("ws %d: closing it (after disconnect)", c->id);
	c->closing = 1;
	lws_callback_on_writable(c->wsi);
}

static void
conn_free(struct conn *c)
{
	struct conn **pp;
	struct frame *f;

	for (pp = &g.conns; *pp; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	lws_sul_cancel(&c->sul_close);
	while ((f = c->head)) {
		c->head = f->next;
		/* never written: push it again elsewhere, or hold it */
		if (f->env && f->env->state == ES_SENDING && !g.shutting_down)
			env_send(f->env);
		free(f);
	}
	buf_free(&c->rx);
	free(c);
}

static void
bad_frame(const char *data, size_t len, int binary)
{
	char sample[BAD_SAMPLE_LEN + 1];
	size_t i, n = len < BAD_SAMPLE_LEN ? len : BAD_SAMPLE_LEN;

	g.bad_frames++;
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
	if (cJSON_GetArraySize(g.bad_samples) < MAX_BAD_SAMPLES)
		cJSON_AddItemToArray(g.bad_samples, cJSON_CreateString(sample));
}

/* A whole message from the bot: it must be an ack. */
static void
handle_ack(struct conn *c)
{
	struct envelope *e;
	cJSON *j, *id, *a;

	if (c->rx_binary) {
		bad_frame(c->rx.p, c->rx.len, 1);
		return;
	}
	j = cJSON_ParseWithLength(c->rx.p ? c->rx.p : "", c->rx.len);
	id = cJSON_IsObject(j)
	         ? cJSON_GetObjectItemCaseSensitive(j, "envelope_id")
	         : NULL;
	if (!cJSON_IsString(id) || !id->valuestring[0]) {
		bad_frame(c->rx.p ? c->rx.p : "", c->rx.len, 0);
		cJSON_Delete(j);
		return;
	}
	e = env_find(id->valuestring);
	a = cJSON_CreateObject();
	cJSON_AddStringToObject(a, "envelope_id", id->valuestring);
	cJSON_AddNumberToObject(
	    a, "latency_us",
	    e && e->sent_us ? (double)(now_us() - e->sent_us) : -1);
	cJSON_AddItemToObject(
	    a, "payload",
	    dup_or_null(cJSON_GetObjectItemCaseSensitive(j, "payload")));
	if (e) {
		cJSON_AddStringToObject(a, "type", kind_names[e->kind]);
		cJSON_AddNumberToObject(a, "retry_attempt", e->retry_attempt);
		cJSON_AddNumberToObject(a, "sent_conn", e->conn_id);
	} else {
		cJSON_AddNullToObject(a, "type");
		cJSON_AddNullToObject(a, "retry_attempt");
		cJSON_AddNullToObject(a, "sent_conn");
	}
	cJSON_AddNumberToObject(a, "conn", c->id);
	cJSON_AddBoolToObject(a, "unknown", !e);
	cJSON_AddBoolToObject(a, "duplicate", e && e->acks > 0);
	cJSON_AddBoolToObject(a, "late", e && e->state == ES_UNACKED);
	cJSON_AddItemToArray(g.acks, a);
	say("ack %s on ws %d%s", id->valuestring, c->id,
	    e ? "" : " (unknown envelope)");
	if (e) {
		e->acks++;
		if (e->state == ES_QUEUED || e->state == ES_SENDING ||
		    e->state == ES_PENDING) {
			e->state = ES_ACKED;
			lws_sul_cancel(&e->sul);
		}
	}
	cJSON_Delete(j);
}

/* ------------------------------------------------------------------------
 * HTTP: requests, replies, bodies
 */

struct pss {
	struct conn *conn; /* websocket connections only */
	struct lws *wsi;
	lws_sorted_usec_list_t sul_slow; /* a slowed answer's delay */
	int slow_armed;
	int is_post;
	char path[256];
	char auth[512];
	char ctype[128];
	char arg_size[32];
	int arg_binary;
	struct buf body;
	int body_over;
	unsigned char *resp; /* LWS_PRE headroom, then resp_len bytes */
	size_t resp_len;
};

struct reply {
	int status;
	const char *ctype;
	char *body;      /* malloc'd */
	int retry_after; /* < 0: no Retry-After header */
};

static void
reply_json(struct reply *r, int status, cJSON *j)
{
	char *s = cJSON_PrintUnformatted(j);

	r->status = status;
	r->ctype = JSON_TYPE;
	r->body = xstrdup(s);
	cJSON_free(s);
	cJSON_Delete(j);
}

static void
reply_error(struct reply *r, int status, const char *code)
{
	cJSON *j = cJSON_CreateObject();

	cJSON_AddFalseToObject(j, "ok");
	cJSON_AddStringToObject(j, "error", code);
	reply_json(r, status, j);
}

static cJSON *
ok_object(void)
{
	cJSON *j = cJSON_CreateObject();

	cJSON_AddTrueToObject(j, "ok");
	return j;
}

static int
hexval(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* Decodes s[0..n) (form encoding) into a new string. */
static char *
form_decode(const char *s, size_t n)
{
	char *out = xmalloc(n + 1), *o = out;
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] == '+')
			*o++ = ' ';
		else if (s[i] == '%' && i + 2 < n && hexval(s[i + 1]) >= 0 &&
		         hexval(s[i + 2]) >= 0) {
			*o++ = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
			i += 2;
		} else
			*o++ = s[i];
	}
	*o = '\0';
	return out;
}

/*
 * A form body as a JSON object of strings; blocks and attachments, which
 * Slack takes as JSON text in form bodies, are parsed when they parse.
 */
static cJSON *
parse_form(const char *s, size_t len)
{
	cJSON *obj = cJSON_CreateObject();
	const char *end = s + len;

	while (s < end) {
		const char *amp = memchr(s, '&', (size_t)(end - s));
		const char *eq;
		char *k, *v;

		if (!amp)
			amp = end;
		eq = memchr(s, '=', (size_t)(amp - s));
		if (!eq)
			eq = amp;
		k = form_decode(s, (size_t)(eq - s));
		v = eq < amp ? form_decode(eq + 1, (size_t)(amp - eq - 1))
		             : xstrdup("");
		if (*k && !cJSON_HasObjectItem(obj, k)) {
			cJSON *parsed = NULL;

			if (!strcmp(k, "blocks") || !strcmp(k, "attachments"))
				parsed = cJSON_Parse(v);
			cJSON_AddItemToObject(
			    obj, k, parsed ? parsed : cJSON_CreateString(v));
		}
		free(k);
		free(v);
		s = amp + 1;
	}
	return obj;
}

/* The request body as an object; NULL when it is bad JSON. */
static cJSON *
parse_body(const struct pss *pss)
{
	cJSON *j;

	if (!pss->body.len)
		return cJSON_CreateObject();
	if (strcasestr(pss->ctype, "x-www-form-urlencoded"))
		return parse_form(pss->body.p, pss->body.len);
	j = cJSON_ParseWithLength(pss->body.p, pss->body.len);
	if (cJSON_IsObject(j))
		return j;
	cJSON_Delete(j);
	if (strcasestr(pss->ctype, "json"))
		return NULL;
	return parse_form(pss->body.p, pss->body.len);
}

/*
 * Checks "Authorization: Bearer <want>". On failure fills r as Slack would:
 * not_authed without a token, not_allowed_token_type for the other kind
 * of token, invalid_auth otherwise.
 */
static int
token_ok(const struct pss *pss, const char *want, const char *other,
         struct reply *r)
{
	const char *t = pss->auth;

	if (strncasecmp(t, "Bearer ", 7) != 0 || !t[7]) {
		reply_error(r, 200, "not_authed");
		return 0;
	}
	t += 7;
	while (*t == ' ')
		t++;
	if (!strcmp(t, want))
		return 1;
	reply_error(r, 200,
	            !strcmp(t, other) ? "not_allowed_token_type"
	                              : "invalid_auth");
	return 0;
}

/* Consumes a failure rule for method, if one is armed. */
static int
rate_limited(const char *method, struct reply *r)
{
	struct rule *ru;

	for (ru = g.rules; ru; ru = ru->next) {
		if (ru->count <= 0 ||
		    (strcmp(ru->method, method) && strcmp(ru->method, "*")))
			continue;
		ru->count--;
		if (ru->status && ru->status != 429) {
			char body[64];

			snprintf(body, sizeof(body),
			         "%d fake-slack: server error\n", ru->status);
			r->status = ru->status;
			r->ctype = "text/plain; charset=utf-8";
			r->body = xstrdup(body);
		} else {
			reply_error(r, 429, "ratelimited");
			r->retry_after = ru->retry_after;
		}
		say("%s: injected HTTP %d", method, r->status);
		return 1;
	}
	return 0;
}

static const struct channel {
	const char *id, *name;
	int member;
} channels[] = {
	{ "C0OPS", "ops", 1 },
	{ "C0ALERTS", "ops-alerts", 1 },
	{ "C0RANDOM", "random", 0 },
};

/*
 * "C0OPS", "ops" and "#ops" all name the same channel. DM ids (D...) and
 * user ids (U..., W...: Slack opens the DM) are accepted as they are.
 */
static const char *
resolve_channel(const char *s, int *member)
{
	size_t i;

	if (*s == '#')
		s++;
	for (i = 0; i < sizeof(channels) / sizeof(channels[0]); i++)
		if (!strcmp(s, channels[i].id) ||
		    !strcmp(s, channels[i].name)) {
			*member = channels[i].member;
			return channels[i].id;
		}
	if ((s[0] == 'D' || s[0] == 'U' || s[0] == 'W') && s[1] &&
	    strspn(s + 1, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") ==
	        strlen(s + 1)) {
		*member = 1;
		return s;
	}
	return NULL;
}

/* Within Block Kit's limits (50 blocks, section 3,000, field 2,000)? */
static int
blocks_fit(const cJSON *blocks)
{
	const cJSON *b, *f;
	const char *t;

	if (cJSON_GetArraySize(blocks) > BLOCKS_MAX)
		return 0;
	cJSON_ArrayForEach(b, blocks) {
		t = jstr(cJSON_GetObjectItemCaseSensitive(b, "text"), "text");
		if (t && strlen(t) > SECTION_MAX)
			return 0;
		cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(b,
		                                                  "fields")) {
			t = jstr(f, "text");
			if (t && strlen(t) > FIELD_MAX)
				return 0;
		}
	}
	return 1;
}

/* blocks as given, or parsed from JSON text; -1 when invalid. */
static int
get_blocks(const cJSON *body, cJSON **out)
{
	const cJSON *b = cJSON_GetObjectItemCaseSensitive(body, "blocks");

	*out = NULL;
	if (!b || cJSON_IsNull(b))
		return 0;
	if (cJSON_IsString(b)) {
		*out = cJSON_Parse(b->valuestring);
		if (!cJSON_IsArray(*out)) {
			cJSON_Delete(*out);
			*out = NULL;
			return -1;
		}
		return 0;
	}
	if (!cJSON_IsArray(b) || !blocks_fit(b))
		return -1;
	*out = cJSON_Duplicate(b, 1);
	return 0;
}

static cJSON *
bot_message(const char *text, const char *ts, const cJSON *thread_ts,
            const cJSON *blocks)
{
	cJSON *m = cJSON_CreateObject();

	cJSON_AddStringToObject(m, "type", "message");
	cJSON_AddStringToObject(m, "bot_id", BOT_ID);
	cJSON_AddStringToObject(m, "user", BOT_USER_ID);
	cJSON_AddStringToObject(m, "text", text);
	cJSON_AddStringToObject(m, "ts", ts);
	if (thread_ts)
		cJSON_AddItemToObject(m, "thread_ts",
		                      cJSON_Duplicate(thread_ts, 1));
	if (blocks)
		cJSON_AddItemToObject(m, "blocks", cJSON_Duplicate(blocks, 1));
	return m;
}

/*
 * Remembers the newest message the bot sent with an actions block (a
 * post, an ephemeral, an update or a response URL answer), so that
 * /_control/click can press one of its buttons.
 */
static void
note_buttons(const cJSON *blocks, const char *channel, const char *ts,
             const char *response_url, int ephemeral)
{
	const cJSON *b;
	cJSON *els = NULL, *n;

	if (cJSON_IsString(blocks)) /* form bodies carry blocks as text */
		return;
	cJSON_ArrayForEach(b, blocks) {
		const char *t = jstr(b, "type");

		if (t && !strcmp(t, "actions"))
			els = cJSON_GetObjectItemCaseSensitive(b, "elements");
	}
	if (!cJSON_IsArray(els) || !cJSON_GetArraySize(els))
		return;
	n = cJSON_CreateObject();
	cJSON_AddItemToObject(n, "elements", cJSON_Duplicate(els, 1));
	cJSON_AddItemToObject(n, "blocks", cJSON_Duplicate(blocks, 1));
	cJSON_AddStringToObject(n, "channel", channel ? channel : "");
	cJSON_AddStringToObject(n, "ts", ts ? ts : "");
	if (response_url)
		cJSON_AddStringToObject(n, "response_url", response_url);
	cJSON_AddBoolToObject(n, "is_ephemeral", ephemeral);
	cJSON_Delete(g.last_buttons);
	g.last_buttons = n;
}

static void
api_post_message(const cJSON *body, struct reply *r)
{
	const char *chan = jstr(body, "channel"), *text = jstr(body, "text");
	const cJSON *thread =
	    cJSON_GetObjectItemCaseSensitive(body, "thread_ts");
	const char *id;
	cJSON *blocks, *rec, *j;
	char ts[32];
	int member = 0;

	if (thread && cJSON_IsNull(thread))
		thread = NULL;
	if (!chan || !*chan || !(id = resolve_channel(chan, &member))) {
		reply_error(r, 200, "channel_not_found");
		return;
	}
	if (!member) {
		reply_error(r, 200, "not_in_channel");
		return;
	}
	if (get_blocks(body, &blocks) != 0) {
		reply_error(r, 200, "invalid_blocks");
		return;
	}
	if ((!text || !*text) && !blocks) {
		reply_error(r, 200, "no_text");
		return;
	}
	if (text && strlen(text) > TEXT_MAX) {
		cJSON_Delete(blocks);
		reply_error(r, 200, "msg_too_long");
		return;
	}
	if (!text)
		text = "";
	next_ts(ts, sizeof(ts));
	rec = cJSON_CreateObject();
	cJSON_AddStringToObject(rec, "channel", id);
	cJSON_AddStringToObject(rec, "text", text);
	cJSON_AddItemToObject(rec, "thread_ts", dup_or_null(thread));
	cJSON_AddStringToObject(rec, "ts", ts);
	cJSON_AddItemToObject(rec, "blocks", dup_or_null(blocks));
	if (cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(body, "metadata")))
		cJSON_AddItemToObject(
		    rec, "metadata",
		    dup_or_null(cJSON_GetObjectItemCaseSensitive(body,
		                                                 "metadata")));
	cJSON_AddItemToArray(g.posts, rec);
	note_buttons(blocks, id, ts, NULL, 0);

	j = ok_object();
	cJSON_AddStringToObject(j, "channel", id);
	cJSON_AddStringToObject(j, "ts", ts);
	cJSON_AddItemToObject(j, "message",
	                      bot_message(text, ts, thread, blocks));
	cJSON_Delete(blocks);
	reply_json(r, 200, j);
}

/* chat.postEphemeral: like a post, seen by one user, never stored. */
static void
api_post_ephemeral(const cJSON *body, struct reply *r)
{
	const char *chan = jstr(body, "channel"), *user = jstr(body, "user");
	const char *id;
	cJSON *rec, *j;
	char ts[32];
	int member = 0;

	if (!chan || !*chan || !(id = resolve_channel(chan, &member))) {
		reply_error(r, 200, "channel_not_found");
		return;
	}
	if (!user || !*user) {
		reply_error(r, 200, "user_not_in_channel");
		return;
	}
	next_ts(ts, sizeof(ts));
	rec = cJSON_CreateObject();
	cJSON_AddStringToObject(rec, "channel", id);
	cJSON_AddStringToObject(rec, "user", user);
	cJSON_AddStringToObject(rec, "text", jstr(body, "text") ?
	                                         jstr(body, "text") : "");
	cJSON_AddItemToObject(
	    rec, "thread_ts",
	    dup_or_null(cJSON_GetObjectItemCaseSensitive(body, "thread_ts")));
	{
		cJSON *blocks;

		if (get_blocks(body, &blocks) == 0) {
			cJSON_AddItemToObject(rec, "blocks", dup_or_null(blocks));
			note_buttons(blocks, id, ts, NULL, 1);
			cJSON_Delete(blocks);
		}
	}
	cJSON_AddItemToArray(g.ephemerals, rec);
	j = ok_object();
	cJSON_AddStringToObject(j, "message_ts", ts);
	reply_json(r, 200, j);
}

static void
api_update(const cJSON *body, struct reply *r)
{
	const char *chan = jstr(body, "channel"), *ts = jstr(body, "ts");
	const char *text = jstr(body, "text"), *id;
	cJSON *blocks, *p, *rec, *j;
	int member = 0, found = 0;

	if (!chan || !*chan || !(id = resolve_channel(chan, &member))) {
		reply_error(r, 200, "channel_not_found");
		return;
	}
	cJSON_ArrayForEach(p, g.posts) {
		const char *pc = jstr(p, "channel"), *pt = jstr(p, "ts");

		if (ts && pc && pt && !strcmp(pc, id) && !strcmp(pt, ts))
			found = 1;
	}
	if (!found) {
		reply_error(r, 200, "message_not_found");
		return;
	}
	if (get_blocks(body, &blocks) != 0) {
		reply_error(r, 200, "invalid_blocks");
		return;
	}
	if ((!text || !*text) && !blocks) {
		reply_error(r, 200, "no_text");
		return;
	}
	if (!text)
		text = "";
	rec = cJSON_CreateObject();
	cJSON_AddStringToObject(rec, "channel", id);
	cJSON_AddStringToObject(rec, "ts", ts);
	cJSON_AddStringToObject(rec, "text", text);
	cJSON_AddItemToObject(rec, "blocks", dup_or_null(blocks));
	cJSON_AddItemToArray(g.updates, rec);
	note_buttons(blocks, id, ts, NULL, 0);

	j = ok_object();
	cJSON_AddStringToObject(j, "channel", id);
	cJSON_AddStringToObject(j, "ts", ts);
	cJSON_AddStringToObject(j, "text", text);
	cJSON_AddItemToObject(j, "message",
	                      bot_message(text, ts, NULL, blocks));
	cJSON_Delete(blocks);
	reply_json(r, 200, j);
}

static void
api_connections_open(const struct pss *pss, struct reply *r)
{
	char url[160];
	cJSON *j;

	if (!token_ok(pss, g.app_token, g.bot_token, r))
		return;
	if (g.reject_count > 0) {
		g.reject_count--;
		reply_error(r, 200, g.reject_error);
		return;
	}
	snprintf(url, sizeof(url),
	         "ws://127.0.0.1:%d/link/?ticket=t%d&app_id=" APP_ID, g.port,
	         ++g.n_ticket);
	j = ok_object();
	cJSON_AddStringToObject(j, "url", url);
	reply_json(r, 200, j);
}

static void
api_auth_test(struct reply *r)
{
	cJSON *j = ok_object();

	cJSON_AddStringToObject(j, "url", "https://acme.slack.com/");
	cJSON_AddStringToObject(j, "team", "Acme");
	cJSON_AddStringToObject(j, "user", "opsbot");
	cJSON_AddStringToObject(j, "team_id", TEAM_ID);
	cJSON_AddStringToObject(j, "user_id", BOT_USER_ID);
	cJSON_AddStringToObject(j, "bot_id", BOT_ID);
	reply_json(r, 200, j);
}

static void
api_conversations_list(struct reply *r)
{
	cJSON *j = ok_object(), *list = cJSON_AddArrayToObject(j, "channels");
	cJSON *meta;
	size_t i;

	for (i = 0; i < sizeof(channels) / sizeof(channels[0]); i++) {
		cJSON *c = cJSON_CreateObject();

		cJSON_AddStringToObject(c, "id", channels[i].id);
		cJSON_AddStringToObject(c, "name", channels[i].name);
		cJSON_AddBoolToObject(c, "is_member", channels[i].member);
		cJSON_AddItemToArray(list, c);
	}
	meta = cJSON_AddObjectToObject(j, "response_metadata");
	cJSON_AddStringToObject(meta, "next_cursor", "");
	reply_json(r, 200, j);
}

/*
 * conversations.history (top-level messages, newest first) and
 * conversations.replies (a thread: its parent, then replies, oldest
 * first) of the bot's posts, from oldest (exclusive unless inclusive),
 * with each message's metadata only under include_all_metadata. One page.
 */
static void
api_conversations_read(const cJSON *body, int replies, struct reply *r)
{
	const char *chan = jstr(body, "channel"), *thread = jstr(body, "ts");
	const char *oldest = jstr(body, "oldest"), *id;
	const cJSON *meta_on = cJSON_GetObjectItem(body, "include_all_metadata");
	int all_meta = cJSON_IsTrue(meta_on) ||
	               (cJSON_IsString(meta_on) &&
	                !strcmp(meta_on->valuestring, "true"));
	int inclusive = cJSON_IsTrue(cJSON_GetObjectItem(body, "inclusive"));
	cJSON *j, *list, *p, *m, *meta;
	int member = 0;

	if (!chan || !*chan || !(id = resolve_channel(chan, &member))) {
		reply_error(r, 200, "channel_not_found");
		return;
	}
	if (replies && (!thread || !*thread)) {
		reply_error(r, 200, "thread_not_found");
		return;
	}
	j = ok_object();
	list = cJSON_AddArrayToObject(j, "messages");
	cJSON_ArrayForEach(p, g.posts) {
		const char *pc = jstr(p, "channel"), *pt = jstr(p, "ts");
		const char *tt = jstr(p, "thread_ts");
		double d;

		if (!pc || !pt || strcmp(pc, id))
			continue;
		d = strtod(pt, NULL) - (oldest ? strtod(oldest, NULL) : 0);
		if (oldest && (d < 0 || (d == 0 && !inclusive)))
			continue;
		if (replies ? strcmp(pt, thread) && (!tt || strcmp(tt, thread))
		            : tt && strcmp(tt, pt))
			continue;
		m = bot_message(jstr(p, "text") ? jstr(p, "text") : "", pt,
		                cJSON_GetObjectItem(p, "thread_ts"), NULL);
		meta = cJSON_GetObjectItemCaseSensitive(p, "metadata");
		if (all_meta && cJSON_IsObject(meta))
			cJSON_AddItemToObject(m, "metadata",
			                      cJSON_Duplicate(meta, 1));
		if (replies)
			cJSON_AddItemToArray(list, m);
		else
			cJSON_InsertItemInArray(list, 0, m);
	}
	cJSON_AddFalseToObject(j, "has_more");
	cJSON_AddStringToObject(
	    cJSON_AddObjectToObject(j, "response_metadata"), "next_cursor", "");
	reply_json(r, 200, j);
}

static void
api(const struct pss *pss, const char *method, struct reply *r)
{
	cJSON *body, *n = cJSON_GetObjectItemCaseSensitive(g.calls, method);

	if (n)
		cJSON_SetNumberValue(n, n->valuedouble + 1);
	else if (*method)
		cJSON_AddNumberToObject(g.calls, method, 1);
	if (!strcmp(method, "apps.connections.open"))
		g.n_open_calls++;
	if (rate_limited(method, r))
		return;
	body = parse_body(pss);
	if (!body) {
		reply_error(r, 200, "invalid_json");
		return;
	}
	if (!strcmp(method, "apps.connections.open"))
		api_connections_open(pss, r);
	else if (strcmp(method, "auth.test") &&
	         strcmp(method, "conversations.list") &&
	         strcmp(method, "chat.postMessage") &&
	         strcmp(method, "chat.postEphemeral") &&
	         strcmp(method, "conversations.history") &&
	         strcmp(method, "conversations.replies") &&
	         strcmp(method, "chat.update"))
		reply_error(r, 200, "unknown_method");
	else if (!token_ok(pss, g.bot_token, g.app_token, r))
		; /* r is filled */
	else if (!strcmp(method, "auth.test"))
		api_auth_test(r);
	else if (!strcmp(method, "conversations.list"))
		api_conversations_list(r);
	else if (!strcmp(method, "chat.postMessage"))
		api_post_message(body, r);
	else if (!strcmp(method, "chat.postEphemeral"))
		api_post_ephemeral(body, r);
	else if (!strncmp(method, "conversations.", 14))
		api_conversations_read(body, !strcmp(method,
		                                     "conversations.replies"), r);
	else
		api_update(body, r);
	cJSON_Delete(body);
}

static void control_slash_one(const cJSON *in, struct reply *r, int last);

static void
response_url(const struct pss *pss, const char *rest, struct reply *r)
{
	char url[96];
	cJSON *rec, *body;
	int n;

	if (!*rest || strspn(rest, "0123456789") != strlen(rest) ||
	    (n = atoi(rest)) < 1 || n > g.n_resp) {
		reply_error(r, 404, "invalid_url");
		return;
	}
	if (rate_limited("response_url", r))
		return;
	if (++g.resp_uses[n] > RESPONSE_URL_USES) {
		reply_error(r, 404, "used_url");
		return;
	}
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/response/%d", g.port,
	         n);
	rec = cJSON_CreateObject();
	cJSON_AddStringToObject(rec, "url", url);
	body = pss->body.len ? cJSON_ParseWithLength(pss->body.p, pss->body.len)
	                     : NULL;
	cJSON_AddItemToObject(
	    rec, "body",
	    body ? body : cJSON_CreateString(pss->body.p ? pss->body.p : ""));
	if (body && g.resp_source[n] &&
	    cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(body,
	                                                  "replace_original"))) {
		/*
		 * A click's response URL with replace_original: the clicked
		 * message takes the new content (buttons and all), so its old
		 * buttons can no longer be pressed.
		 */
		cJSON *rep = cJSON_CreateObject();

		cJSON_AddStringToObject(rep, "ts", g.resp_source[n]);
		cJSON_AddItemToObject(rep, "body", cJSON_Duplicate(body, 1));
		cJSON_AddItemToArray(g.replaced, rep);
		if (g.last_buttons && jstr(g.last_buttons, "ts") &&
		    !strcmp(jstr(g.last_buttons, "ts"), g.resp_source[n])) {
			cJSON_Delete(g.last_buttons);
			g.last_buttons = NULL;
		}
		note_buttons(cJSON_GetObjectItemCaseSensitive(body, "blocks"),
		             NULL, g.resp_source[n], url, 0);
	} else if (body) {
		const char *rt = jstr(body, "response_type");
		char ts[32];

		/* The new message's ts, which a click on it will carry. */
		next_ts(ts, sizeof(ts));
		note_buttons(cJSON_GetObjectItemCaseSensitive(body, "blocks"),
		             NULL, ts, url, !rt || strcmp(rt, "in_channel"));
	}
	/* Round trip: from the slash command's push to its answer. */
	cJSON_AddNumberToObject(rec, "rtt_us",
	                        (double)(now_us() - g.resp_created[n]));
	cJSON_AddItemToArray(g.responses, rec);
	reply_json(r, 200, ok_object());
	if (g.chain_left > 0 && g.chain) {
		g.chain_left--;
		control_slash_one(g.chain, NULL, 0);
	}
}

/* ------------------------------------------------------------------------
 * Control API
 */

static cJSON *
state_json(void)
{
	cJSON *s = cJSON_CreateObject(), *envs;
	struct envelope *e;

	cJSON_AddNumberToObject(s, "connections_open", conns_open());
	cJSON_AddNumberToObject(s, "connections_total", g.n_conn);
	cJSON_AddNumberToObject(s, "connections_open_calls", g.n_open_calls);
	cJSON_AddItemToObject(s, "acks", cJSON_Duplicate(g.acks, 1));
	cJSON_AddItemToObject(s, "unacked", cJSON_Duplicate(g.unacked, 1));
	cJSON_AddNumberToObject(s, "bad_frames", g.bad_frames);
	cJSON_AddItemToObject(s, "bad_frame_samples",
	                      cJSON_Duplicate(g.bad_samples, 1));
	cJSON_AddItemToObject(s, "posts", cJSON_Duplicate(g.posts, 1));
	cJSON_AddItemToObject(s, "ephemerals",
	                      cJSON_Duplicate(g.ephemerals, 1));
	cJSON_AddItemToObject(s, "replaced", cJSON_Duplicate(g.replaced, 1));
	cJSON_AddItemToObject(s, "updates", cJSON_Duplicate(g.updates, 1));
	cJSON_AddItemToObject(s, "responses", cJSON_Duplicate(g.responses, 1));
	cJSON_AddNumberToObject(s, "pongs", g.pongs);
	cJSON_AddItemToObject(s, "tickets", cJSON_Duplicate(g.tickets, 1));
	cJSON_AddItemToObject(s, "api_calls", cJSON_Duplicate(g.calls, 1));
	envs = cJSON_AddArrayToObject(s, "envelopes");
	for (e = g.envs; e; e = e->next) {
		cJSON *o = cJSON_CreateObject();

		cJSON_AddStringToObject(o, "envelope_id", e->id);
		cJSON_AddStringToObject(o, "type", kind_names[e->kind]);
		if (e->event_id[0])
			cJSON_AddStringToObject(o, "event_id", e->event_id);
		else
			cJSON_AddNullToObject(o, "event_id");
		cJSON_AddNumberToObject(o, "retry_attempt", e->retry_attempt);
		cJSON_AddStringToObject(o, "state", state_names[e->state]);
		cJSON_AddNumberToObject(o, "conn", e->conn_id);
		cJSON_AddItemToArray(envs, o);
	}
	cJSON_AddNumberToObject(s, "cut_requests", g.cuts);
	return s;
}

static void
reply_pushed(struct reply *r, const struct envelope *e, cJSON *j)
{
	cJSON_AddStringToObject(j, "envelope_id", e->id);
	cJSON_AddBoolToObject(j, "queued", e->state == ES_QUEUED);
	reply_json(r, 200, j);
}

/*
 * "count": N pushes N slash commands at once (benchmarks); with
 * "chain":true one at a time instead, the next as soon as a response URL
 * is answered, so a sequential benchmark has no driver in its loop.
 */
static void
control_slash(const cJSON *in, struct reply *r)
{
	const cJSON *c = cJSON_GetObjectItemCaseSensitive(in, "count");
	int i, count = cJSON_IsNumber(c) ? (int)c->valuedouble : 1;

	if (count < 1 || count > 100000)
		count = 1;
	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(in, "chain"))) {
		cJSON_Delete(g.chain);
		g.chain = cJSON_Duplicate(in, 1);
		g.chain_left = count - 1;
		count = 1;
	}
	for (i = 0; i < count; i++)
		control_slash_one(in, r, i == count - 1);
}

static void
control_slash_one(const cJSON *in, struct reply *r, int last)
{
	struct envelope *e;
	char url[96], trigger[64];
	cJSON *pl, *j;
	int n;

	n = new_response_url(url, sizeof(url));
	snprintf(trigger, sizeof(trigger), "1%010d.73847492%d.fake%08x", n,
	         n % 10, (unsigned)n);
	{
		const struct field f[] = {
			{ "token", "fake-verification-token" },
			{ "team_id", TEAM_ID },
			{ "team_domain", "acme" },
			{ "channel_id", "C0OPS" },
			{ "channel_name", "ops" },
			{ "user_id", "U0456" },
			{ "user_name", "jdoe" },
			{ "command", "/opsbot" },
			{ "text", "health prod-db" },
			{ "api_app_id", APP_ID },
			{ "is_enterprise_install", "false" },
			{ "response_url", url },
			{ "trigger_id", trigger },
		};

		pl = merge_fields(in, f, sizeof(f) / sizeof(f[0]));
	}
	e = env_new(ENV_SLASH, pl, NULL);
	if (!last)
		return;
	j = cJSON_CreateObject();
	cJSON_AddItemToObject(
	    j, "response_url",
	    dup_or_null(cJSON_GetObjectItemCaseSensitive(pl, "response_url")));
	cJSON_AddItemToObject(
	    j, "trigger_id",
	    dup_or_null(cJSON_GetObjectItemCaseSensitive(pl, "trigger_id")));
	reply_pushed(r, e, j);
}

static void
control_event(const cJSON *in, struct reply *r)
{
	const char *type = jstr(in, "type"), *given_ts = jstr(in, "ts");
	int bot = cJSON_HasObjectItem(in, "bot_id");
	cJSON *ev, *pl, *auth, *au, *j;
	struct envelope *e;
	char ts[32], event_id[32], ctx[32], msgid[48];
	int n = ++g.n_event;

	snprintf(event_id, sizeof(event_id), "Ev%d", n);
	snprintf(ctx, sizeof(ctx), "4-fake-%d", n);
	snprintf(msgid, sizeof(msgid), "f0582a78-0000-4000-8000-%012x",
	         (unsigned)n);
	next_ts(ts, sizeof(ts));
	if (!type)
		type = "app_mention";
	{
		const struct field f[] = {
			{ "type", type },
			{ "user", bot ? NULL : "U0456" },
			{ "bot_id", NULL },
			{ "subtype", NULL },
			{ "text", "<@" BOT_USER_ID "> health" },
			{ "ts", ts },
			{ "channel", "C0OPS" },
			{ "event_ts", given_ts ? given_ts : ts },
			{ "channel_type",
			  !strcmp(type, "message") ? "channel" : NULL },
			{ "thread_ts", NULL },
			{ "team", TEAM_ID },
			{ "client_msg_id", bot ? NULL : msgid },
		};

		ev = merge_fields(in, f, sizeof(f) / sizeof(f[0]));
	}

	pl = cJSON_CreateObject();
	cJSON_AddStringToObject(pl, "token", "fake-verification-token");
	cJSON_AddStringToObject(pl, "team_id", TEAM_ID);
	cJSON_AddStringToObject(pl, "api_app_id", APP_ID);
	cJSON_AddStringToObject(pl, "type", "event_callback");
	cJSON_AddStringToObject(pl, "event_id", event_id);
	cJSON_AddNumberToObject(pl, "event_time", TS_SECONDS + n);
	auth = cJSON_AddArrayToObject(pl, "authorizations");
	au = cJSON_CreateObject();
	cJSON_AddNullToObject(au, "enterprise_id");
	cJSON_AddStringToObject(au, "team_id", TEAM_ID);
	cJSON_AddStringToObject(au, "user_id", BOT_USER_ID);
	cJSON_AddTrueToObject(au, "is_bot");
	cJSON_AddFalseToObject(au, "is_enterprise_install");
	cJSON_AddItemToArray(auth, au);
	cJSON_AddFalseToObject(pl, "is_ext_shared_channel");
	cJSON_AddStringToObject(pl, "event_context", ctx);
	cJSON_AddItemToObject(pl, "event", ev);

	e = env_new(ENV_EVENT, pl, event_id);
	j = cJSON_CreateObject();
	cJSON_AddStringToObject(j, "event_id", event_id);
	cJSON_AddItemToObject(
	    j, "ts", dup_or_null(cJSON_GetObjectItemCaseSensitive(ev, "ts")));
	reply_pushed(r, e, j);
}

static void
control_interactive(const cJSON *in, struct reply *r)
{
	cJSON *pl = cJSON_Duplicate(in, 1), *j;
	const char *type = jstr(pl, "type");
	struct envelope *e;
	char url[96];

	if ((!type || !strcmp(type, "block_actions")) &&
	    !cJSON_HasObjectItem(pl, "response_url")) {
		new_response_url(url, sizeof(url));
		cJSON_AddStringToObject(pl, "response_url", url);
	}
	e = env_new(ENV_INTERACTIVE, pl, NULL);
	j = cJSON_CreateObject();
	if (jstr(pl, "response_url"))
		cJSON_AddStringToObject(j, "response_url",
		                        jstr(pl, "response_url"));
	reply_pushed(r, e, j);
}

/*
 * POST /_control/click: a person presses a button. The button is the one
 * with "action_id" (default: the first) on the newest message the bot
 * sent with buttons, unless "value" is given. Pushes a block_actions
 * interactive envelope (docs/protocols.md §3.6) with a fresh response_url.
 */
static void
control_click(const cJSON *in, struct reply *r)
{
	const char *want = jstr(in, "action_id"), *value = jstr(in, "value");
	const char *user = jstr(in, "user"), *uname = jstr(in, "user_name");
	const char *chan = jstr(in, "channel");
	const char *chname = jstr(in, "channel_name");
	const cJSON *btn = NULL, *el, *lb = g.last_buttons;
	cJSON *pl, *o, *acts, *a, *t, *j;
	struct envelope *e;
	char url[96], trigger[64], ts[32], action_ts[40];
	int n;

	if (!value) {
		cJSON_ArrayForEach(el, cJSON_GetObjectItemCaseSensitive(
		                           lb, "elements")) {
			const char *aid = jstr(el, "action_id");

			if (!want || (aid && !strcmp(aid, want))) {
				btn = el;
				break;
			}
		}
		if (!btn) {
			reply_error(r, 404, "no_button");
			return;
		}
		value = jstr(btn, "value");
	}
	if (!user)
		user = "U0456";
	if (!uname)
		uname = "jdoe";
	if (!chan)
		chan = lb && jstr(lb, "channel") && *jstr(lb, "channel")
		           ? jstr(lb, "channel")
		           : "C0OPS";
	if (!chname)
		chname = !strcmp(chan, "C0OPS") ? "ops" : chan;
	n = new_response_url(url, sizeof(url));
	snprintf(trigger, sizeof(trigger), "1%010d.73847492%d.click%04x", n,
	         n % 10, (unsigned)n & 0xffff);
	if (lb && jstr(lb, "ts") && *jstr(lb, "ts"))
		snprintf(ts, sizeof(ts), "%s", jstr(lb, "ts"));
	else
		next_ts(ts, sizeof(ts));
	next_ts(action_ts, sizeof(action_ts));
	free(g.resp_source[n]);
	g.resp_source[n] = strdup(ts);

	pl = cJSON_CreateObject();
	cJSON_AddStringToObject(pl, "type", "block_actions");
	o = cJSON_AddObjectToObject(pl, "team");
	cJSON_AddStringToObject(o, "id", TEAM_ID);
	cJSON_AddStringToObject(o, "domain", "acme");
	o = cJSON_AddObjectToObject(pl, "user");
	cJSON_AddStringToObject(o, "id", user);
	cJSON_AddStringToObject(o, "username", uname);
	cJSON_AddStringToObject(o, "name", uname);
	cJSON_AddStringToObject(o, "team_id", TEAM_ID);
	cJSON_AddStringToObject(pl, "api_app_id", APP_ID);
	cJSON_AddStringToObject(pl, "token", "fake-verification-token");
	o = cJSON_AddObjectToObject(pl, "container");
	cJSON_AddStringToObject(o, "type", "message");
	cJSON_AddStringToObject(o, "message_ts", ts);
	cJSON_AddStringToObject(o, "channel_id", chan);
	cJSON_AddBoolToObject(o, "is_ephemeral",
	                      lb && cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(
	                                lb, "is_ephemeral")));
	cJSON_AddStringToObject(pl, "trigger_id", trigger);
	o = cJSON_AddObjectToObject(pl, "channel");
	cJSON_AddStringToObject(o, "id", chan);
	cJSON_AddStringToObject(o, "name", chname);
	o = cJSON_AddObjectToObject(pl, "message");
	cJSON_AddStringToObject(o, "type", "message");
	cJSON_AddStringToObject(o, "bot_id", BOT_ID);
	cJSON_AddStringToObject(o, "ts", ts);
	cJSON_AddStringToObject(o, "text", "");
	cJSON_AddItemToObject(
	    o, "blocks",
	    lb ? cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(lb, "blocks"),
	                         1)
	       : cJSON_CreateArray());
	cJSON_AddStringToObject(pl, "response_url", url);
	acts = cJSON_AddArrayToObject(pl, "actions");
	a = cJSON_CreateObject();
	cJSON_AddStringToObject(a, "type", "button");
	cJSON_AddStringToObject(a, "action_id",
	                        btn && jstr(btn, "action_id")
	                            ? jstr(btn, "action_id")
	                            : (want ? want : "button"));
	cJSON_AddStringToObject(a, "block_id", "actions");
	t = cJSON_AddObjectToObject(a, "text");
	cJSON_AddStringToObject(t, "type", "plain_text");
	cJSON_AddStringToObject(
	    t, "text",
	    btn && jstr(cJSON_GetObjectItemCaseSensitive(btn, "text"), "text")
	        ? jstr(cJSON_GetObjectItemCaseSensitive(btn, "text"), "text")
	        : "Button");
	if (value)
		cJSON_AddStringToObject(a, "value", value);
	if (btn && jstr(btn, "style"))
		cJSON_AddStringToObject(a, "style", jstr(btn, "style"));
	cJSON_AddStringToObject(a, "action_ts", action_ts);
	cJSON_AddItemToArray(acts, a);
	o = cJSON_AddObjectToObject(pl, "state");
	cJSON_AddItemToObject(o, "values", cJSON_CreateObject());
	cJSON_AddNullToObject(pl, "enterprise");
	cJSON_AddFalseToObject(pl, "is_enterprise_install");

	e = env_new(ENV_INTERACTIVE, pl, NULL);
	j = cJSON_CreateObject();
	cJSON_AddStringToObject(j, "response_url", url);
	cJSON_AddStringToObject(j, "trigger_id", trigger);
	if (value)
		cJSON_AddStringToObject(j, "value", value);
	else
		cJSON_AddNullToObject(j, "value");
	reply_pushed(r, e, j);
}

static void
reply_no_connection(struct reply *r)
{
	reply_error(r, 409, "no_connection");
}

static void
control_raw(const struct pss *pss, struct reply *r)
{
	struct conn *c = newest_conn();
	struct frame *f;
	cJSON *j;

	if (!c) {
		reply_no_connection(r);
		return;
	}
	if (pss->arg_size[0]) {
		long n = strtol(pss->arg_size, NULL, 10);

		if (n < 2 || n > MAX_RAW_SIZE) {
			reply_error(r, 400, "bad_size");
			return;
		}
		f = frame_new(LWS_WRITE_TEXT, NULL, (size_t)n);
		memset(f->data + LWS_PRE, 'x', (size_t)n);
		f->data[LWS_PRE] = '"';
		f->data[LWS_PRE + n - 1] = '"';
	} else
		f = frame_new(pss->arg_binary ? LWS_WRITE_BINARY
		                              : LWS_WRITE_TEXT,
		              pss->body.p, pss->body.len);
	j = ok_object();
	cJSON_AddNumberToObject(j, "conn", c->id);
	cJSON_AddNumberToObject(j, "bytes", (double)f->len);
	conn_queue(c, f);
	reply_json(r, 200, j);
}

static void
control_disconnect(const cJSON *in, struct reply *r)
{
	const char *reason = jstr(in, "reason");
	int after = jint(in, "close_after_ms", CLOSE_AFTER_MS);
	struct conn *c = newest_conn();
	cJSON *m, *d, *j;

	if (!c) {
		reply_no_connection(r);
		return;
	}
	m = cJSON_CreateObject();
	cJSON_AddStringToObject(m, "type", "disconnect");
	cJSON_AddStringToObject(m, "reason",
	                        reason ? reason : "refresh_requested");
	d = cJSON_AddObjectToObject(m, "debug_info");
	cJSON_AddStringToObject(d, "host", FAKE_HOST);
	conn_queue_json(c, m);
	cJSON_Delete(m);
	if (after >= 0)
		lws_sul_schedule(g.cx, 0, &c->sul_close, conn_close_timer,
		                 (lws_usec_t)after * LWS_US_PER_MS);
	j = ok_object();
	cJSON_AddNumberToObject(j, "conn", c->id);
	reply_json(r, 200, j);
}

/* Shuts the sockets down under lws: the peer sees no close frame. */
static void
control_drop(struct reply *r)
{
	struct conn *c;
	cJSON *j;
	int n = 0;

	for (c = g.conns; c; c = c->next) {
		lws_sockfd_type fd;

		if (c->dropped)
			continue;
		c->dropped = 1;
		fd = lws_get_socket_fd(c->wsi);
		if (fd >= 0)
			shutdown(fd, SHUT_RDWR);
		lws_callback_on_writable(c->wsi);
		n++;
	}
	j = ok_object();
	cJSON_AddNumberToObject(j, "dropped", n);
	reply_json(r, 200, j);
}

static void
control_ping(struct reply *r)
{
	struct conn *c;
	cJSON *j;
	int n = 0;

	for (c = g.conns; c; c = c->next) {
		if (c->dropped)
			continue;
		conn_queue(c, frame_new(LWS_WRITE_PING, PING_PAYLOAD,
		                        strlen(PING_PAYLOAD)));
		n++;
	}
	j = ok_object();
	cJSON_AddNumberToObject(j, "sent", n);
	reply_json(r, 200, j);
}

static void
control_ratelimit(const cJSON *in, struct reply *r)
{
	const char *method = jstr(in, "method");
	int status = jint(in, "status", 429);
	struct rule *ru;

	if (!method || !*method || strlen(method) >= sizeof(ru->method) ||
	    status < 400 || status > 599) {
		reply_error(r, 400, "bad_rule");
		return;
	}
	for (ru = g.rules; ru; ru = ru->next)
		if (!strcmp(ru->method, method))
			break;
	if (!ru) {
		ru = xcalloc(1, sizeof(*ru));
		snprintf(ru->method, sizeof(ru->method), "%s", method);
		ru->next = g.rules;
		g.rules = ru;
	}
	ru->count = jint(in, "count", 1);
	ru->retry_after = jint(in, "retry_after", 1);
	ru->status = status;
	reply_json(r, 200, ok_object());
}

/* The next count answers of method wait delay_ms; the work is done. */
static void
control_slow(const cJSON *in, struct reply *r)
{
	const char *method = jstr(in, "method");

	snprintf(g.slow_method, sizeof(g.slow_method), "%s",
	         method ? method : "chat.postMessage");
	g.slow_ms = jint(in, "delay_ms", 2000);
	g.slow_count = jint(in, "count", 1000000);
	reply_json(r, 200, ok_object());
}

static void
control_reject(const cJSON *in, struct reply *r)
{
	const char *err = jstr(in, "error");

	g.reject_count = jint(in, "count", 1);
	snprintf(g.reject_error, sizeof(g.reject_error), "%s",
	         err && *err ? err : "internal_error");
	reply_json(r, 200, ok_object());
}

/*
 * POST /_control/tokens {"bot_token": T}: the workspace rotated the bot
 * token; from now on only T is accepted (the old one gets invalid_auth,
 * as a revoked token does).
 */
static void
control_tokens(const cJSON *in, struct reply *r)
{
	static char bot[256];
	const char *t = jstr(in, "bot_token");

	if (!t || !*t || strlen(t) >= sizeof(bot)) {
		reply_error(r, 400, "invalid_arguments");
		return;
	}
	snprintf(bot, sizeof(bot), "%s", t);
	g.bot_token = bot;
	reply_json(r, 200, ok_object());
}

static void
control(const struct pss *pss, const char *what, struct reply *r)
{
	cJSON *in;

	if (!strcmp(what, "state")) {
		reply_json(r, 200, state_json());
		return;
	}
	if (!strcmp(what, "counts")) {
		/* Cheap to poll: sizes only (benchmarks wait on these). */
		cJSON *c = cJSON_CreateObject();

		cJSON_AddNumberToObject(c, "acks", cJSON_GetArraySize(g.acks));
		cJSON_AddNumberToObject(c, "responses",
		                        cJSON_GetArraySize(g.responses));
		cJSON_AddNumberToObject(c, "posts", cJSON_GetArraySize(g.posts));
		cJSON_AddNumberToObject(c, "connections_open", conns_open());
		cJSON_AddNumberToObject(c, "api_connections", g.n_api_ports);
		reply_json(r, 200, c);
		return;
	}
	if (!strcmp(what, "raw")) {
		control_raw(pss, r);
		return;
	}
	in = pss->body.len ? cJSON_ParseWithLength(pss->body.p, pss->body.len)
	                   : cJSON_CreateObject();
	if (!cJSON_IsObject(in)) {
		cJSON_Delete(in);
		reply_error(r, 400, "invalid_json");
		return;
	}
	if (!strcmp(what, "slash"))
		control_slash(in, r);
	else if (!strcmp(what, "event"))
		control_event(in, r);
	else if (!strcmp(what, "interactive"))
		control_interactive(in, r);
	else if (!strcmp(what, "click"))
		control_click(in, r);
	else if (!strcmp(what, "disconnect"))
		control_disconnect(in, r);
	else if (!strcmp(what, "drop"))
		control_drop(r);
	else if (!strcmp(what, "ping"))
		control_ping(r);
	else if (!strcmp(what, "ratelimit"))
		control_ratelimit(in, r);
	else if (!strcmp(what, "reject_connections"))
		control_reject(in, r);
	else if (!strcmp(what, "slow"))
		control_slow(in, r);
	else if (!strcmp(what, "tokens"))
		control_tokens(in, r);
	else if (!strcmp(what, "reset")) {
		records_free();
		records_new();
		rules_free();
		g.slow_count = 0;
		g.chain_left = 0;
		reply_json(r, 200, ok_object());
	} else
		reply_error(r, 404, "unknown_control");
	cJSON_Delete(in);
}

static void
route(const struct pss *pss, struct reply *r)
{
	const char *p = pss->path;

	if (pss->body_over)
		reply_error(r, 413, "request_too_large");
	else if (!strncmp(p, "/api/", 5))
		api(pss, p + 5, r);
	else if (!strncmp(p, "/response/", 10))
		response_url(pss, p + 10, r);
	else if (!strncmp(p, "/_control/", 10))
		control(pss, p + 10, r);
	else
		reply_error(r, 404, "not_found");
}

static void
slow_due(lws_sorted_usec_list_t *sul)
{
	struct pss *pss = lws_container_of(sul, struct pss, sul_slow);

	pss->slow_armed = 0;
	lws_callback_on_writable(pss->wsi);
}

/* Answers the request: headers now, the body when writable. */
static int
handle_request(struct lws *wsi, struct pss *pss)
{
	unsigned char hdr[LWS_PRE + 1024], *start = hdr + LWS_PRE, *p = start;
	unsigned char *end = hdr + sizeof(hdr) - 1;
	struct reply r = { 0, NULL, NULL, -1 };
	size_t n;

	route(pss, &r);
	if (!r.body)
		reply_error(&r, 500, "fake_slack_bug");
	say("%s %s -> %d", pss->is_post ? "POST" : "GET", pss->path, r.status);
	buf_free(&pss->body);
	n = strlen(r.body);
	if (lws_add_http_common_headers(wsi, (unsigned)r.status, r.ctype,
	                                (lws_filepos_t)n, &p, end))
		goto fail;
	if (r.retry_after >= 0) {
		char ra[16];
		int l = snprintf(ra, sizeof(ra), "%d", r.retry_after);

		if (lws_add_http_header_by_name(
		        wsi, (const unsigned char *)"retry-after:",
		        (const unsigned char *)ra, l, &p, end))
			goto fail;
	}
	if (lws_finalize_write_http_header(wsi, start, &p, end))
		goto fail;
	free(pss->resp);
	pss->resp = xmalloc(LWS_PRE + n + 1);
	memcpy(pss->resp + LWS_PRE, r.body, n);
	pss->resp_len = n;
	free(r.body);
	if (g.slow_count > 0 && !strncmp(pss->path, "/api/", 5) &&
	    !strcmp(pss->path + 5, g.slow_method)) {
		g.slow_count--;
		pss->wsi = wsi;
		pss->slow_armed = 1;
		lws_sul_schedule(g.cx, 0, &pss->sul_slow, slow_due,
		                 (lws_usec_t)g.slow_ms * LWS_US_PER_MS);
		return 0;
	}
	lws_callback_on_writable(wsi);
	return 0;
fail:
	free(r.body);
	return -1;
}

/*
 * Counts the client's connections to the Web API and response URLs by
 * their source port: a client that keeps its connections makes few.
 */
static void
note_api_connection(struct lws *wsi)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	int i, port;

	if (getpeername(lws_get_socket_fd(wsi), (struct sockaddr *)&ss, &sl))
		return;
	port = ss.ss_family == AF_INET6
	           ? ntohs(((struct sockaddr_in6 *)&ss)->sin6_port)
	           : ntohs(((struct sockaddr_in *)&ss)->sin_port);
	for (i = 0; i < g.n_api_ports; i++)
		if (g.api_ports[i] == port)
			return;
	if (g.n_api_ports == g.api_ports_cap) {
		g.api_ports_cap = g.api_ports_cap ? 2 * g.api_ports_cap : 64;
		g.api_ports = realloc(g.api_ports,
		                      g.api_ports_cap * sizeof(*g.api_ports));
		if (!g.api_ports) {
			fprintf(stderr, "fake-slack: out of memory\n");
			exit(1);
		}
	}
	g.api_ports[g.n_api_ports++] = port;
}

static void
http_begin(struct lws *wsi, struct pss *pss, const char *path)
{
	char tmp[64];
	const char *v;

	buf_free(&pss->body);
	pss->body_over = 0;
	pss->is_post = lws_hdr_total_length(wsi, WSI_TOKEN_POST_URI) > 0;
	snprintf(pss->path, sizeof(pss->path), "%s", path ? path : "");
	if (!strncmp(pss->path, "/api/", 5) ||
	    !strncmp(pss->path, "/response/", 10))
		note_api_connection(wsi);
	if (lws_hdr_copy(wsi, pss->auth, sizeof(pss->auth),
	                 WSI_TOKEN_HTTP_AUTHORIZATION) < 0)
		pss->auth[0] = '\0';
	if (lws_hdr_copy(wsi, pss->ctype, sizeof(pss->ctype),
	                 WSI_TOKEN_HTTP_CONTENT_TYPE) < 0)
		pss->ctype[0] = '\0';
	v = lws_get_urlarg_by_name(wsi, "size=", tmp, sizeof(tmp));
	snprintf(pss->arg_size, sizeof(pss->arg_size), "%s", v ? v : "");
	v = lws_get_urlarg_by_name(wsi, "binary=", tmp, sizeof(tmp));
	pss->arg_binary = v && strcmp(v, "0") != 0;
}

static int
server_cb(struct lws *wsi, enum lws_callback_reasons reason, void *user,
          void *in, size_t len)
{
	struct pss *pss = user;
	struct conn *c;
	char tmp[256];
	int n;

	switch (reason) {
	case LWS_CALLBACK_HTTP:
		http_begin(wsi, pss, in);
		/*
		 * With a Content-Length, even 0, lws calls HTTP_BODY and
		 * HTTP_BODY_COMPLETION; without one it calls neither.
		 */
		if (lws_hdr_copy(wsi, tmp, sizeof(tmp),
		                 WSI_TOKEN_HTTP_CONTENT_LENGTH) > 0) {
			if (strtoll(tmp, NULL, 10) > CUT_API_BODY &&
			    !strncmp(pss->path, "/api/", 5)) {
				/* As Slack's front end did to a 1.5 MB post. */
				g.cuts++;
				say("POST %s: %s bytes, cutting the connection",
				    pss->path, tmp);
				return -1;
			}
			if (strtoll(tmp, NULL, 10) > MAX_HTTP_BODY)
				pss->body_over = 1;
			return 0;
		}
		return handle_request(wsi, pss);

	case LWS_CALLBACK_HTTP_BODY:
		if (!pss->body_over &&
		    buf_add(&pss->body, in, len, MAX_HTTP_BODY) != 0)
			pss->body_over = 1;
		return 0;

	case LWS_CALLBACK_HTTP_BODY_COMPLETION:
		return handle_request(wsi, pss);

	case LWS_CALLBACK_HTTP_WRITEABLE:
		if (!pss || !pss->resp)
			return 0;
		n = lws_write(wsi, pss->resp + LWS_PRE, pss->resp_len,
		              LWS_WRITE_HTTP_FINAL);
		free(pss->resp);
		pss->resp = NULL;
		if (n < (int)pss->resp_len)
			return -1;
		if (lws_http_transaction_completed(wsi))
			return -1;
		return 0;

	case LWS_CALLBACK_HTTP_DROP_PROTOCOL:
	case LWS_CALLBACK_CLOSED_HTTP:
		if (pss && pss->slow_armed) {
			lws_sul_cancel(&pss->sul_slow);
			pss->slow_armed = 0;
		}
		if (pss) {
			buf_free(&pss->body);
			free(pss->resp);
			pss->resp = NULL;
		}
		break;

	case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION:
		if (lws_hdr_copy(wsi, tmp, sizeof(tmp), WSI_TOKEN_GET_URI) <
		        0 ||
		    (strcmp(tmp, "/link/") && strcmp(tmp, "/link"))) {
			say("ws upgrade refused: path %s", tmp);
			return 1;
		}
		return 0;

	case LWS_CALLBACK_ESTABLISHED: {
		const char *t =
		    lws_get_urlarg_by_name(wsi, "ticket=", tmp, sizeof(tmp));
		struct envelope *e;
		cJSON *h, *d, *ci;

		c = xcalloc(1, sizeof(*c));
		c->wsi = wsi;
		c->id = ++g.n_conn;
		c->next = g.conns;
		g.conns = c;
		pss->conn = c;
		cJSON_AddItemToArray(g.tickets, t ? cJSON_CreateString(t)
		                                  : cJSON_CreateNull());
		say("ws %d open (ticket %s), %d open", c->id, t ? t : "-",
		    conns_open());
		h = cJSON_CreateObject();
		cJSON_AddStringToObject(h, "type", "hello");
		cJSON_AddNumberToObject(h, "num_connections", conns_open());
		d = cJSON_AddObjectToObject(h, "debug_info");
		cJSON_AddStringToObject(d, "host", FAKE_HOST);
		cJSON_AddNumberToObject(d, "approximate_connection_time",
		                        18060);
		ci = cJSON_AddObjectToObject(h, "connection_info");
		cJSON_AddStringToObject(ci, "app_id", APP_ID);
		conn_queue_json(c, h);
		cJSON_Delete(h);
		for (e = g.envs; e; e = e->next)
			if (e->state == ES_QUEUED)
				env_send(e);
		break;
	}

	case LWS_CALLBACK_RECEIVE:
		c = pss->conn;
		if (!c)
			break;
		if (lws_frame_is_binary(wsi))
			c->rx_binary = 1;
		if (!c->rx_overflow &&
		    buf_add(&c->rx, in, len, MAX_WS_MESSAGE) != 0)
			c->rx_overflow = 1;
		if (!lws_is_final_fragment(wsi) ||
		    lws_remaining_packet_payload(wsi))
			break;
		if (c->rx_overflow) {
			g.bad_frames++;
			say("ws %d: message over %d bytes, closing", c->id,
			    MAX_WS_MESSAGE);
			lws_close_reason(wsi,
			                 LWS_CLOSE_STATUS_MESSAGE_TOO_LARGE,
			                 (unsigned char *)"too big", 7);
			return -1;
		}
		handle_ack(c);
		c->rx.len = 0;
		c->rx_binary = 0;
		break;

	case LWS_CALLBACK_SERVER_WRITEABLE: {
		struct frame *f;

		c = pss->conn;
		if (!c || c->dropped)
			break;
		if ((f = c->head)) {
			c->head = f->next;
			if (!c->head)
				c->tail = NULL;
			n = lws_write(wsi, f->data + LWS_PRE, f->len,
			              (enum lws_write_protocol)f->kind);
			if (n < (int)f->len) {
				f->next = c->head; /* conn_free resends it */
				c->head = f;
				if (!c->tail)
					c->tail = f;
				return -1;
			}
			if (f->env)
				env_sent(f->env);
			free(f);
			if (c->head || c->closing)
				lws_callback_on_writable(wsi);
			break;
		}
		if (c->closing) {
			lws_close_reason(wsi, LWS_CLOSE_STATUS_NORMAL,
			                 (unsigned char *)"bye", 3);
			return -1;
		}
		break;
	}

	case LWS_CALLBACK_RECEIVE_PONG:
		g.pongs++;
		break;

	case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
		if (pss && pss->conn)
			say("ws %d: close frame from the client",
			    pss->conn->id);
		break;

	case LWS_CALLBACK_CLOSED:
		if (pss && pss->conn) {
			say("ws %d closed", pss->conn->id);
			conn_free(pss->conn);
			pss->conn = NULL;
		}
		break;

	default:
		break;
	}
	return lws_callback_http_dummy(wsi, reason, user, in, len);
}

static void
tick(lws_sorted_usec_list_t *sul)
{
	if (now_us() >= g.deadline_us && !stop) {
		say("lifetime over, exiting");
		stop = 1;
	}
	/* a signal between two polls is seen here; wake the poll to stop */
	if (stop)
		lws_cancel_service(g.cx);
	lws_sul_schedule(g.cx, 0, &g.sul_tick, tick,
	                 (lws_usec_t)TICK_MS * LWS_US_PER_MS);
}

static int
write_port(const char *path, int port)
{
	char tmp[4096];
	FILE *f;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp)) {
		fprintf(stderr, "fake-slack: path too long: %s\n", path);
		return -1;
	}
	f = fopen(tmp, "w");
	if (!f) {
		fprintf(stderr, "fake-slack: %s: %s\n", tmp, strerror(errno));
		return -1;
	}
	fprintf(f, "%d\n", port);
	if (fclose(f) != 0 || rename(tmp, path) != 0) {
		fprintf(stderr, "fake-slack: %s: %s\n", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

static int
usage(void)
{
	fprintf(stderr,
	        "usage: fake-slack PORTFILE [--app-token T] [--bot-token T]\n"
	        "                  [--ack-timeout-ms N] [--lifetime-s N] "
	        "[--port N]\n"
	        "                  [--ts-seconds N] [--verbose]\n"
	        "       fake-slack --client URL [--no-ack] [--ack-delay-ms N]\n"
	        "                  [--ack-min-retry N] [--ack-payload JSON] "
	        "[--send TEXT]\n"
	        "                  [--fragment N] [--close-on-disconnect] "
	        "[--seconds N]\n");
	return 2;
}

static int
server_main(int argc, char **argv)
{
	static const struct lws_protocols protocols[] = {
		{ "http", server_cb, sizeof(struct pss), 4096, 0, NULL, 0 },
		{ NULL, NULL, 0, 0, 0, NULL, 0 }
	};
	struct lws_context_creation_info info;
	const char *portfile = NULL;
	struct lws_vhost *vh;
	struct envelope *e;
	int lifetime = LIFETIME_S, verbose = 0, port = 0, i;

	g.ts_seconds = TS_SECONDS;
	g.app_token = "xapp-test";
	g.bot_token = "xoxb-test";
	g.ack_timeout_ms = 3000;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--verbose"))
			verbose = 1;
		else if (a[0] == '-' && a[1] == '-' && !v)
			return usage();
		else if (!strcmp(a, "--app-token"))
			g.app_token = argv[++i];
		else if (!strcmp(a, "--bot-token"))
			g.bot_token = argv[++i];
		else if (!strcmp(a, "--ack-timeout-ms"))
			g.ack_timeout_ms = atoi(argv[++i]);
		else if (!strcmp(a, "--lifetime-s"))
			lifetime = atoi(argv[++i]);
		else if (!strcmp(a, "--port"))
			port = atoi(argv[++i]);
		else if (!strcmp(a, "--ts-seconds"))
			g.ts_seconds = atol(argv[++i]);
		else if (a[0] == '-' || portfile)
			return usage();
		else
			portfile = a;
	}
	if (!portfile || g.ack_timeout_ms <= 0 || port < 0 || port > 65535 ||
	    g.ts_seconds <= 0)
		return usage();
	if (lifetime <= 0 || lifetime > LIFETIME_S)
		lifetime = LIFETIME_S;

	lws_set_log_level(verbose ? LLL_ERR | LLL_WARN | LLL_NOTICE : LLL_ERR,
	                  NULL);
	memset(&info, 0, sizeof(info));
	info.options =
	    LWS_SERVER_OPTION_EXPLICIT_VHOSTS | LWS_SERVER_OPTION_DISABLE_IPV6;
	info.port = port; /* 0: the kernel picks; read back below */
	info.iface = "127.0.0.1";
	info.vhost_name = "fake-slack";
	info.protocols = protocols;
	info.server_string = "fake-slack";
	g.cx = lws_create_context(&info);
	if (!g.cx) {
		fprintf(stderr, "fake-slack: lws_create_context failed\n");
		return 1;
	}
	vh = lws_create_vhost(g.cx, &info);
	if (!vh || (g.port = lws_get_vhost_listen_port(vh)) <= 0) {
		fprintf(stderr, "fake-slack: cannot listen on 127.0.0.1:%d\n",
		        port);
		lws_context_destroy(g.cx);
		return 1;
	}
	records_new();
	g.tickets = cJSON_CreateArray();
	if (write_port(portfile, g.port) != 0) {
		lws_context_destroy(g.cx);
		return 1;
	}
	say("listening on 127.0.0.1:%d", g.port);

	g.deadline_us = now_us() + (int64_t)lifetime * 1000000;
	lws_sul_schedule(g.cx, 0, &g.sul_tick, tick,
	                 (lws_usec_t)TICK_MS * LWS_US_PER_MS);
	while (!stop && lws_service(g.cx, 0) >= 0)
		;

	/* lws timers die with the context: cancel ours first */
	g.shutting_down = 1;
	lws_sul_cancel(&g.sul_tick);
	for (e = g.envs; e; e = e->next)
		lws_sul_cancel(&e->sul);
	lws_context_destroy(g.cx);
	while ((e = g.envs)) {
		g.envs = e->next;
		cJSON_Delete(e->msg);
		free(e);
	}
	records_free();
	rules_free();
	cJSON_Delete(g.tickets);
	free(g.resp_uses);
	free(g.resp_created);
	say("exit");
	return 0;
}

/* ------------------------------------------------------------------------
 * Client mode: a minimal Socket Mode client for the self-test
 */

struct out {
	struct out *next;
	char *data;
	size_t len, off;
};

struct pending_ack {
	struct pending_ack *next;
	lws_sorted_usec_list_t sul;
	char *text;
};

static struct {
	struct lws_context *cx;
	struct lws *wsi;
	int ack, ack_delay_ms, ack_min_retry, close_on_disconnect, fragment;
	cJSON *ack_payload;
	const char *sends[MAX_SENDS];
	int n_sends;
	struct out *head, *tail;
	struct pending_ack *acks;
	struct buf rx;
	int rx_binary, closing, done, exiting, rc;
	lws_sorted_usec_list_t sul_end;
} cl;

static void
client_queue(const char *text)
{
	struct out *o = xcalloc(1, sizeof(*o));

	o->data = xstrdup(text);
	o->len = strlen(text);
	if (cl.tail)
		cl.tail->next = o;
	else
		cl.head = o;
	cl.tail = o;
	if (cl.wsi)
		lws_callback_on_writable(cl.wsi);
}

static void
client_ack_due(lws_sorted_usec_list_t *sul)
{
	struct pending_ack *p = lws_container_of(sul, struct pending_ack, sul);
	struct pending_ack **pp;

	for (pp = &cl.acks; *pp; pp = &(*pp)->next)
		if (*pp == p) {
			*pp = p->next;
			break;
		}
	client_queue(p->text);
	free(p->text);
	free(p);
}

static void
client_message(void)
{
	const char *text = cl.rx.p ? cl.rx.p : "";
	const char *type, *eid;
	cJSON *j, *a;
	size_t i;

	if (cl.rx_binary)
		printf("BINARY %zu\n", cl.rx.len);
	else if (cl.rx.len > PRINT_MAX)
		printf("TEXT %zu\n", cl.rx.len);
	else {
		for (i = 0; i < cl.rx.len; i++)
			putchar(text[i] == '\n' || text[i] == '\r' ? ' '
			                                           : text[i]);
		putchar('\n');
	}
	fflush(stdout);
	if (cl.rx_binary)
		return;
	j = cJSON_ParseWithLength(text, cl.rx.len);
	if (!cJSON_IsObject(j)) {
		cJSON_Delete(j);
		return;
	}
	type = jstr(j, "type");
	eid = jstr(j, "envelope_id");
	if (eid && cl.ack && jint(j, "retry_attempt", 0) >= cl.ack_min_retry) {
		char *s;

		a = cJSON_CreateObject();
		cJSON_AddStringToObject(a, "envelope_id", eid);
		if (cl.ack_payload &&
		    cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(
		        j, "accepts_response_payload")))
			cJSON_AddItemToObject(
			    a, "payload", cJSON_Duplicate(cl.ack_payload, 1));
		s = cJSON_PrintUnformatted(a);
		cJSON_Delete(a);
		if (cl.ack_delay_ms > 0) {
			struct pending_ack *p = xcalloc(1, sizeof(*p));

			p->text = xstrdup(s);
			p->next = cl.acks;
			cl.acks = p;
			lws_sul_schedule(cl.cx, 0, &p->sul, client_ack_due,
			                 (lws_usec_t)cl.ack_delay_ms *
			                     LWS_US_PER_MS);
		} else
			client_queue(s);
		cJSON_free(s);
	}
	if (type && !strcmp(type, "disconnect") && cl.close_on_disconnect &&
	    cl.wsi) {
		cl.closing = 1;
		lws_callback_on_writable(cl.wsi);
	}
	cJSON_Delete(j);
}

static int
client_writeable(struct lws *wsi)
{
	struct out *o = cl.head;
	unsigned char *b;
	size_t chunk;
	int n, flags;

	if (!o) {
		if (cl.closing) {
			printf("# closing\n");
			fflush(stdout);
			lws_close_reason(wsi, LWS_CLOSE_STATUS_NORMAL,
			                 (unsigned char *)"bye", 3);
			return -1;
		}
		return 0;
	}
	chunk = o->len - o->off;
	if (cl.fragment > 0 && chunk > (size_t)cl.fragment)
		chunk = (size_t)cl.fragment;
	b = xmalloc(LWS_PRE + chunk + 1);
	memcpy(b + LWS_PRE, o->data + o->off, chunk);
	flags = lws_write_ws_flags(LWS_WRITE_TEXT, o->off == 0,
	                           o->off + chunk == o->len);
	n = lws_write(wsi, b + LWS_PRE, chunk, (enum lws_write_protocol)flags);
	free(b);
	if (n < (int)chunk)
		return -1;
	o->off += chunk;
	if (o->off == o->len) {
		cl.head = o->next;
		if (!cl.head)
			cl.tail = NULL;
		free(o->data);
		free(o);
	}
	if (cl.head || cl.closing)
		lws_callback_on_writable(wsi);
	return 0;
}

static int
client_cb(struct lws *wsi, enum lws_callback_reasons reason, void *user,
          void *in, size_t len)
{
	int i;

	switch (reason) {
	case LWS_CALLBACK_CLIENT_ESTABLISHED:
		cl.wsi = wsi;
		printf("# connected\n");
		fflush(stdout);
		for (i = 0; i < cl.n_sends; i++)
			client_queue(cl.sends[i]);
		if (cl.head)
			lws_callback_on_writable(wsi);
		break;

	case LWS_CALLBACK_CLIENT_RECEIVE:
		if (lws_frame_is_binary(wsi))
			cl.rx_binary = 1;
		if (buf_add(&cl.rx, in, len, MAX_CLIENT_MESSAGE) != 0) {
			printf("# message too big\n");
			return -1;
		}
		if (!lws_is_final_fragment(wsi) ||
		    lws_remaining_packet_payload(wsi))
			break;
		client_message();
		cl.rx.len = 0;
		cl.rx_binary = 0;
		break;

	case LWS_CALLBACK_CLIENT_WRITEABLE:
		return client_writeable(wsi);

	case LWS_CALLBACK_CLIENT_RECEIVE_PONG:
		printf("# pong\n");
		fflush(stdout);
		break;

	case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE: {
		const unsigned char *p = in;

		printf("# close-frame %d\n", len >= 2 ? p[0] << 8 | p[1] : 0);
		fflush(stdout);
		break;
	}

	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
		printf("# error %s\n", in ? (const char *)in : "(none)");
		fflush(stdout);
		cl.wsi = NULL;
		cl.done = 1;
		cl.rc = 1;
		break;

	case LWS_CALLBACK_CLIENT_CLOSED:
		if (!cl.exiting) {
			printf("# closed\n");
			fflush(stdout);
		}
		cl.wsi = NULL;
		cl.done = 1;
		break;

	default:
		break;
	}
	return lws_callback_http_dummy(wsi, reason, user, in, len);
}

static void
client_end(lws_sorted_usec_list_t *sul)
{
	cl.done = 1;
	lws_cancel_service(cl.cx); /* else the next poll waits on */
}

static int
client_main(int argc, char **argv)
{
	static const struct lws_protocols protocols[] = {
		{ CLIENT_PCOL, client_cb, 0, 4096, 0, NULL, 0 },
		{ NULL, NULL, 0, 0, 0, NULL, 0 }
	};
	struct lws_context_creation_info info;
	struct lws_client_connect_info ci;
	const char *url = argv[2], *prot, *ads, *path;
	char urlbuf[1024], pathbuf[1100];
	double seconds = 5;
	struct pending_ack *p;
	struct out *o;
	int port, i;

	cl.ack = 1;
	for (i = 3; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--ack"))
			cl.ack = 1;
		else if (!strcmp(a, "--no-ack"))
			cl.ack = 0;
		else if (!strcmp(a, "--close-on-disconnect"))
			cl.close_on_disconnect = 1;
		else if (!v)
			return usage();
		else if (!strcmp(a, "--ack-delay-ms"))
			cl.ack_delay_ms = atoi(argv[++i]);
		else if (!strcmp(a, "--ack-min-retry"))
			cl.ack_min_retry = atoi(argv[++i]);
		else if (!strcmp(a, "--fragment"))
			cl.fragment = atoi(argv[++i]);
		else if (!strcmp(a, "--seconds"))
			seconds = atof(argv[++i]);
		else if (!strcmp(a, "--send") && cl.n_sends < MAX_SENDS)
			cl.sends[cl.n_sends++] = argv[++i];
		else if (!strcmp(a, "--ack-payload")) {
			cJSON_Delete(cl.ack_payload);
			cl.ack_payload = cJSON_Parse(argv[++i]);
			if (!cl.ack_payload) {
				fprintf(stderr, "fake-slack: bad JSON: %s\n",
				        argv[i]);
				return 2;
			}
		} else
			return usage();
	}
	if (seconds <= 0 || seconds > LIFETIME_S)
		seconds = LIFETIME_S;

	snprintf(urlbuf, sizeof(urlbuf), "%s", url);
	if (lws_parse_uri(urlbuf, &prot, &ads, &port, &path) ||
	    strcmp(prot, "ws")) {
		fprintf(stderr, "fake-slack: want a ws:// URL: %s\n", url);
		cJSON_Delete(cl.ack_payload);
		return 2;
	}
	snprintf(pathbuf, sizeof(pathbuf), "/%s", path);
	setvbuf(stdout, NULL, _IOLBF, 0);

	lws_set_log_level(LLL_ERR, NULL);
	memset(&info, 0, sizeof(info));
	info.port = CONTEXT_PORT_NO_LISTEN;
	info.protocols = protocols;
	cl.cx = lws_create_context(&info);
	if (!cl.cx) {
		fprintf(stderr, "fake-slack: lws_create_context failed\n");
		cJSON_Delete(cl.ack_payload);
		return 1;
	}
	memset(&ci, 0, sizeof(ci));
	ci.context = cl.cx;
	ci.address = ads;
	ci.port = port;
	ci.path = pathbuf;
	ci.host = ads;
	ci.ssl_connection = 0;
	ci.local_protocol_name = CLIENT_PCOL;
	ci.pwsi = &cl.wsi;
	if (!lws_client_connect_via_info(&ci)) {
		printf("# error connect\n");
		cl.rc = 1;
		cl.done = 1;
	}
	lws_sul_schedule(cl.cx, 0, &cl.sul_end, client_end,
	                 (lws_usec_t)(seconds * LWS_US_PER_SEC));
	while (!cl.done && !stop && lws_service(cl.cx, 0) >= 0)
		;

	cl.exiting = 1;
	lws_sul_cancel(&cl.sul_end);
	for (p = cl.acks; p; p = p->next)
		lws_sul_cancel(&p->sul);
	lws_context_destroy(cl.cx);
	while ((p = cl.acks)) {
		cl.acks = p->next;
		free(p->text);
		free(p);
	}
	while ((o = cl.head)) {
		cl.head = o->next;
		free(o->data);
		free(o);
	}
	buf_free(&cl.rx);
	cJSON_Delete(cl.ack_payload);
	printf("# end\n");
	return cl.rc;
}

int
main(int argc, char **argv)
{
	struct sigaction act;

	memset(&act, 0, sizeof(act));
	act.sa_handler = on_signal; /* no SA_RESTART: poll returns EINTR */
	sigemptyset(&act.sa_mask);
	sigaction(SIGTERM, &act, NULL);
	sigaction(SIGINT, &act, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (argc >= 3 && !strcmp(argv[1], "--client"))
		return client_main(argc, argv);
	if (argc < 2)
		return usage();
	return server_main(argc, argv);
}

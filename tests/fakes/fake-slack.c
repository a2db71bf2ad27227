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
 * and per websocket event goes to stderr. fakehttp.c holds the plumbing it
 * shares with fake-mattermost; tests/fakes/README.md lists the endpoints and
 * the control API.
 *
 * Client (--client): a tiny Socket Mode client for the self-test. Prints
 * each message it receives on one line of stdout (binary ones as
 * "BINARY n", text over 64 KiB as "TEXT n") and its own events as lines
 * starting with "# ", acks envelopes, and exits when the socket closes or
 * after --seconds (default 5).
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fake-slack.h"

struct slack g = {
	.app_token = "xapp-test",
	.bot_token = "xoxb-test",
	.ts_seconds = TS_SECONDS,
	.ack_timeout_ms = 3000,
};

const char *const kind_names[] = { "events_api", "slash_commands",
	                           "interactive" };
const char *const state_names[] = { "queued", "sending", "pending", "acked",
	                            "unacked" };
const char *const form_json_keys[] = { "blocks", "attachments", NULL };

/*
 * A copy of in with the fields in the given order, defaults filled in,
 * then whatever else in holds.
 */
cJSON *
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

/* ------------------------------------------------------------------------
 * Server state
 */

void
records_new(void)
{
	g.acks = cJSON_CreateArray();
	g.unacked = cJSON_CreateArray();
	g.posts = cJSON_CreateArray();
	g.ephemerals = cJSON_CreateArray();
	g.replaced = cJSON_CreateArray();
	g.updates = cJSON_CreateArray();
	g.responses = cJSON_CreateArray();
	g.calls = cJSON_CreateObject();
	g.last_buttons = NULL;
	fh_records_reset();
}

void
records_free(void)
{
	cJSON_Delete(g.acks);
	cJSON_Delete(g.unacked);
	cJSON_Delete(g.posts);
	cJSON_Delete(g.ephemerals);
	cJSON_Delete(g.replaced);
	cJSON_Delete(g.updates);
	cJSON_Delete(g.responses);
	cJSON_Delete(g.calls);
	cJSON_Delete(g.last_buttons);
}

/* Message timestamps: strictly increasing over posts and events. */
void
next_ts(char *ts, size_t len)
{
	snprintf(ts, len, "%ld.%06d", g.ts_seconds, ++g.n_ts);
}

int
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
	snprintf(url, len, "http://127.0.0.1:%d/response/%d", fs.port, n);
	return n;
}

/* ------------------------------------------------------------------------
 * Envelopes and acks
 */

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
	f->tag = e;
	e->state = ES_SENDING;
	e->conn_id = c->id;
	conn_queue(c, f);
	say("envelope %s (%s, retry %d) -> ws %d", e->id, kind_names[e->kind],
	    e->retry_attempt, c->id);
}

static void env_timeout(lws_sorted_usec_list_t *sul);

/* The frame carrying e has been written: start its ack clock. */
static void
env_sent(struct envelope *e)
{
	e->sent_us = now_us();
	if (e->state != ES_SENDING)
		return; /* acked meanwhile (a late ack of an earlier try) */
	e->state = ES_PENDING;
	lws_sul_schedule(fs.cx, 0, &e->sul, env_timeout,
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
struct envelope *
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
	e->prev = g.envs_tail;
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

	/* Newest first: an ack is for a recent envelope, and a long run
	 * (a benchmark's thousands) must not make each ack slower. */
	for (e = g.envs_tail; e; e = e->prev)
		if (!strcmp(e->id, id))
			return e;
	return NULL;
}

void
conn_close_timer(lws_sorted_usec_list_t *sul)
{
	struct conn *c = lws_container_of(sul, struct conn, sul);

	say("ws %d: closing it (after disconnect)", c->id);
	c->closing = 1;
	lws_callback_on_writable(c->wsi);
}

/*
 * A slash command's ack with a payload that says something: Slack shows
 * it as the command's answer, as if posted to its response URL.
 */
static void
ack_answer(const struct envelope *e, const cJSON *payload)
{
	const cJSON *pl = cJSON_GetObjectItemCaseSensitive(e->msg, "payload");
	const char *url = jstr(pl, "response_url"), *slash;
	int n;

	if (!cJSON_IsObject(payload) || !url ||
	    (!cJSON_HasObjectItem(payload, "text") &&
	     !cJSON_HasObjectItem(payload, "blocks")) ||
	    !(slash = strrchr(url, '/')) || (n = atoi(slash + 1)) < 1 ||
	    n > g.n_resp)
		return;
	note_response(url, n, cJSON_Duplicate(payload, 1), 1, "ack");
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
	if (e && e->kind == ENV_SLASH)
		ack_answer(e, cJSON_GetObjectItemCaseSensitive(j, "payload"));
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
 * The server's hooks into fakehttp
 */

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
slack_begin(struct lws *wsi, struct req *q)
{
	struct pss *pss = lws_container_of(q, struct pss, q);
	char tmp[64];
	const char *v;

	v = lws_get_urlarg_by_name(wsi, "size=", tmp, sizeof(tmp));
	snprintf(pss->arg_size, sizeof(pss->arg_size), "%s", v ? v : "");
	v = lws_get_urlarg_by_name(wsi, "binary=", tmp, sizeof(tmp));
	pss->arg_binary = v && strcmp(v, "0") != 0;
	if (!strncmp(q->path, "/api/", 5) || !strncmp(q->path, "/response/", 10))
		note_api_connection(wsi);
}

static int
slack_admit(struct req *q, long long clen)
{
	if (clen > CUT_API_BODY && !strncmp(q->path, "/api/", 5)) {
		/* As Slack's front end did to a 1.5 MB post. */
		g.cuts++;
		say("POST %s: %lld bytes, cutting the connection", q->path,
		    clen);
		return -1;
	}
	return 0;
}

static int
slack_route(struct lws *wsi, struct req *q, struct reply *r)
{
	const struct pss *pss = lws_container_of(q, struct pss, q);
	const char *p = q->path;

	if (q->body_over)
		reply_error(r, 413, "request_too_large");
	else if (!strncmp(p, "/api/", 5))
		api(pss, p + 5, r);
	else if (!strncmp(p, "/response/", 10))
		response_url(pss, p + 10, r);
	else if (!strncmp(p, "/_control/", 10))
		control(pss, p + 10, r);
	else
		reply_error(r, 404, "not_found");
	return 0;
}

/* A slowed Web API method: its answer waits (POST /_control/slow). */
static int
slack_finish(struct req *q, struct reply *r)
{
	if (g.slow_count > 0 && !strncmp(q->path, "/api/", 5) &&
	    !strcmp(q->path + 5, g.slow_method)) {
		g.slow_count--;
		return g.slow_ms;
	}
	return 0;
}

/* A new socket: the hello, then the envelopes held for it. */
static void
slack_ws_open(struct lws *wsi, struct req *q, struct conn *c)
{
	char tmp[256];
	const char *t =
	    lws_get_urlarg_by_name(wsi, "ticket=", tmp, sizeof(tmp));
	struct envelope *e;
	cJSON *h, *d, *ci;

	cJSON_AddItemToArray(g.tickets, t ? cJSON_CreateString(t)
	                                  : cJSON_CreateNull());
	say("ws %d open (ticket %s), %d open", c->id, t ? t : "-",
	    conns_open());
	h = cJSON_CreateObject();
	cJSON_AddStringToObject(h, "type", "hello");
	cJSON_AddNumberToObject(h, "num_connections", conns_open());
	d = cJSON_AddObjectToObject(h, "debug_info");
	cJSON_AddStringToObject(d, "host", FAKE_HOST);
	cJSON_AddNumberToObject(d, "approximate_connection_time", 18060);
	ci = cJSON_AddObjectToObject(h, "connection_info");
	cJSON_AddStringToObject(ci, "app_id", APP_ID);
	conn_queue_json(c, h);
	cJSON_Delete(h);
	for (e = g.envs; e; e = e->next)
		if (e->state == ES_QUEUED)
			env_send(e);
}

static void
slack_ws_sent(struct conn *c, struct frame *f)
{
	if (f->tag)
		env_sent(f->tag);
}

/* Envelopes never written go to another socket, or wait for one. */
static void
slack_ws_free(struct conn *c)
{
	struct frame *f;

	for (f = c->head; f; f = f->next) {
		struct envelope *e = f->tag;

		if (e && e->state == ES_SENDING && !fs.shutting_down)
			env_send(e);
	}
}

static int
slack_args_ok(void)
{
	return g.ack_timeout_ms > 0 && g.ts_seconds > 0;
}

static void
slack_start(void)
{
	fh_json_type = "application/json; charset=utf-8";
	records_new();
	g.tickets = cJSON_CreateArray();
}

/* lws timers die with the context: cancel ours first. */
static void
slack_stop(void)
{
	struct envelope *e;

	for (e = g.envs; e; e = e->next)
		lws_sul_cancel(&e->sul);
}

static void
slack_done(void)
{
	struct envelope *e;

	while ((e = g.envs)) {
		g.envs = e->next;
		cJSON_Delete(e->msg);
		free(e);
	}
	records_free();
	cJSON_Delete(g.tickets);
	free(g.resp_uses);
	free(g.resp_created);
	cJSON_Delete(g.chain);
	free(g.api_ports);
}

static const struct fh_opt slack_opts[] = {
	{ "--app-token", FH_STR, &g.app_token },
	{ "--bot-token", FH_STR, &g.bot_token },
	{ "--ack-timeout-ms", FH_INT, &g.ack_timeout_ms },
	{ "--ts-seconds", FH_LONG, &g.ts_seconds },
};

static const struct fh_ops slack_ops = {
	.usage =
	    "usage: fake-slack PORTFILE [--app-token T] [--bot-token T]\n"
	    "                  [--ack-timeout-ms N] [--lifetime-s N] [--port N]\n"
	    "                  [--ts-seconds N] [--verbose]\n"
	    "       fake-slack --client URL [--no-ack] [--ack-delay-ms N]\n"
	    "                  [--ack-min-retry N] [--ack-payload JSON] "
	    "[--send TEXT]\n"
	    "                  [--fragment N] [--close-on-disconnect] "
	    "[--seconds N]\n",
	.opts = slack_opts,
	.n_opts = sizeof(slack_opts) / sizeof(slack_opts[0]),
	.args_ok = slack_args_ok,
	.start = slack_start,
	.stop = slack_stop,
	.done = slack_done,
	.pss_size = sizeof(struct pss),
	.begin = slack_begin,
	.admit = slack_admit,
	.route = slack_route,
	.finish = slack_finish,
	.ws_path = "/link",
	.max_ws_message = MAX_WS_MESSAGE,
	.ws_open = slack_ws_open,
	.ws_message = handle_ack,
	.ws_sent = slack_ws_sent,
	.ws_free = slack_ws_free,
};

int
main(int argc, char **argv)
{
	return fake_main("fake-slack", argc, argv, &slack_ops, client_main);
}

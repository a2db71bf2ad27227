/*
 * fake-mattermost: a stand-in for a Mattermost server in integration tests.
 * One process serves, on one loopback port, the REST calls the bot makes
 * under /api/v4, the websocket at /api/v4/websocket (hello, posted events,
 * replies to the bot's requests, lossless resume), the response URLs of
 * slash commands (/hooks/commands/ID), and a control API through which a
 * test pushes posts, delivers slash commands to the bot, injects failures
 * and reads back what the bot did. Wire formats follow docs/protocols.md
 * §4 and §5.
 *
 * usage: fake-mattermost PORTFILE [--token T] [--lifetime-s N]
 *                        [--auth-timeout-ms N] [--port N] [--verbose]
 *        fake-mattermost --client URL [--token T] [--scheme Bearer|Token]
 *                        [--challenge T] [--send TEXT]... [--resume]
 *                        [--resume-delay-ms N] [--seconds N]
 *
 * Server: binds 127.0.0.1 on an ephemeral port (or --port N, to come back
 * on the same port after a restart), writes the port and a
 * newline to PORTFILE (temporary file and rename), and serves until SIGTERM
 * or SIGINT, or for --lifetime-s seconds (600 at most). One line per request
 * and per websocket event goes to stderr. Single-threaded: everything runs
 * on the libwebsockets service loop, including the HTTP client that
 * delivers slash commands. tests/fakes/README.md lists the endpoints and the
 * control API.
 *
 * Client (--client): a tiny Mattermost websocket client for the self-test.
 * Prints each message it receives on one line of stdout (binary ones as
 * "BINARY n", text over 64 KiB as "TEXT n") and its own events as lines
 * starting with "# ", checks the event sequence, can authenticate by header
 * or by challenge, and can resume once with connection_id/sequence_number.
 */
#include <sys/socket.h>

#include <errno.h>
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
	MAX_WS_MESSAGE = 8 << 10,      /* Mattermost: SocketMaxMessageSizeKb */
	MAX_CLIENT_MESSAGE = 64 << 20, /* client mode receive cap */
	PRINT_MAX = 64 << 10,          /* client prints longer as a size */
	KEEP_EVENTS = 128,             /* Mattermost: deadQueueSize */
	MAX_SESSIONS = 64,             /* connection ids kept */
	AUTH_TIMEOUT_MS = 5000,        /* Mattermost: authCheckInterval */
	HOOK_USES = 5,                 /* uses per response URL */
	HOOK_LIFETIME_S = 30 * 60,     /* response URL lifetime */
	SLASH_TIMEOUT_MS = 5000,       /* slash delivery bound */
	MAX_SLASH_ANSWER = 1 << 20,    /* bot's answer kept up to this */
	MAX_MESSAGE_RUNES = 16383,     /* Mattermost: PostMessageMaxRunesV2 */
	PENDING_TTL_MS = 30000,        /* Mattermost: PendingPostIDsCacheTTL */
	MAX_SENDS = 8,                 /* client --send options */
	MAX_BAD_SAMPLES = 20,          /* bad frames kept for the state */
	BAD_SAMPLE_LEN = 200,          /* bytes kept of each */
};

#define BOT_USER_ID    "botuserid00000000000000000"
#define BOT_USERNAME   "opsbot"
#define JDOE_ID        "user0jdoe00000000000000000"
#define TEAM_ID        "teamacme000000000000000000"
#define TEAM_NAME      "acme"
#define CHAN_PROD      "chanopsprod000000000000000"
#define CHAN_ALERTS    "chanopsalerts0000000000000"
#define CHAN_QUIET     "chanopsquiet00000000000000" /* bot not a member */
#define SERVER_VERSION "9.11.0.12345.fakeconfighash.false"
#define FAKE_HOST      "fake-mm-1"
#define JSON_TYPE      "application/json"
#define PING_PAYLOAD   "ping from " FAKE_HOST
#define SLASH_PCOL     "fake-mm-slash"
#define CLIENT_PCOL    "fake-mattermost-client"
#define WS_PATH        "/api/v4/websocket"

_Static_assert(sizeof(BOT_USER_ID) == 27, "ids are 26 chars");
_Static_assert(sizeof(JDOE_ID) == 27, "ids are 26 chars");
_Static_assert(sizeof(TEAM_ID) == 27, "ids are 26 chars");
_Static_assert(sizeof(CHAN_PROD) == 27, "ids are 26 chars");
_Static_assert(sizeof(CHAN_ALERTS) == 27, "ids are 26 chars");
_Static_assert(sizeof(CHAN_QUIET) == 27, "ids are 26 chars");

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

/* Wall clock, epoch milliseconds (Mattermost's create_at). */
static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
oom(void)
{
	fprintf(stderr, "fake-mattermost: out of memory\n");
	exit(1);
}

static void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		oom();
	return p;
}

static void *
xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		oom();
	return p;
}

static void *
xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		oom();
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

	fputs("fake-mattermost: ", stderr);
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
buf_str(struct buf *b, const char *s)
{
	if (buf_add(b, s, strlen(s), (size_t)-1 / 2) != 0)
		oom();
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

static int
jbool(const cJSON *obj, const char *key, int dflt)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);

	if (cJSON_IsBool(it))
		return cJSON_IsTrue(it);
	return dflt;
}

static cJSON *
dup_or_null(const cJSON *it)
{
	return it ? cJSON_Duplicate(it, 1) : cJSON_CreateNull();
}

/* cJSON text of j in a malloc'd string (the caller frees). */
static char *
json_text(const cJSON *j)
{
	char *s = cJSON_PrintUnformatted(j), *out;

	if (!s)
		oom();
	out = xstrdup(s);
	cJSON_free(s);
	return out;
}

/* A Mattermost id: 26 characters of [a-z0-9]. */
static int
valid_id(const char *s)
{
	return strlen(s) == 26 &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789") == 26;
}

static size_t
utf8_runes(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

/* ------------------------------------------------------------------------
 * Server state
 */

/* One queued websocket message; data has LWS_PRE bytes of headroom. */
struct frame {
	struct frame *next;
	int kind; /* LWS_WRITE_TEXT, _BINARY or _PING */
	size_t len;
	unsigned char data[];
};

struct session;

/* One websocket. */
struct conn {
	struct conn *next;
	struct lws *wsi;
	int id;
	struct frame *head, *tail;
	struct buf rx;
	int rx_binary, rx_overflow;
	int authed;
	int dropped;
	int closing, close_code;
	struct session *sess;
	lws_sorted_usec_list_t sul_auth;
};

/*
 * A Mattermost connection id with its event numbering and the last
 * KEEP_EVENTS events (the server's dead queue). It outlives its socket so
 * that a client can resume it.
 */
struct session {
	struct session *next;
	char id[27];
	int64_t next_seq;
	char *ring[KEEP_EVENTS]; /* event seq s in ring[s % KEEP_EVENTS] */
	struct conn *conn;       /* open socket, or NULL */
};

struct post {
	char id[27], channel_id[80], root_id[80], user_id[80];
	char *message, *type, *pending_id;
	cJSON *props;
	int64_t create_at, update_at, edit_at;
};

struct rule {
	struct rule *next;
	char method[128];
	int count;
	int retry_after; /* < 0: no Retry-After header */
	int status;
};

struct hook {
	int64_t created_us;
	int uses;
};

struct pss;

/* One slash command delivered to the bot over HTTP. */
struct slash_job {
	struct slash_job *next;
	int id;
	struct lws *wsi;      /* HTTP client connection, NULL once closed */
	struct lws *waiter;   /* control request waiting for the result */
	struct pss *waiter_pss;
	int is_post, body_sent, done, closed;
	int is_click; /* a button click: JSON body, no auth, click_results */
	int connecting; /* inside lws_client_connect_via_info(): keep j */
	char host[64], path[2048], auth[600];
	int port;
	char *form;
	struct buf answer;
	int status;
	char ctype[128];
	int64_t t0_us;
	cJSON *rec; /* the slash_results entry */
	lws_sorted_usec_list_t sul;
};

static struct {
	struct lws_context *cx;
	struct lws_vhost *vh;
	const char *token;
	int port;
	int auth_timeout_ms;
	int64_t deadline_us;
	int shutting_down;
	struct conn *conns;
	struct session *sessions;
	int n_sessions;
	struct post **posts;
	int n_posts, cap_posts;
	int64_t last_ms;
	struct hook *hooks;
	int n_hooks, cap_hooks;
	struct slash_job *jobs;
	int n_jobs;
	struct rule *rules;
	int n_conn, n_sess, n_cmd, n_trigger;
	/* records (cleared by reset) */
	int auth_header, auth_challenge, auth_failed, auth_timeouts;
	int replayed, resumes, pongs, app_pings, bad_frames;
	cJSON *rec_posts, *patches, *responses, *slash_results, *calls;
	cJSON *ephemerals, *click_results;
	cJSON *last_buttons; /* newest bot message with buttons */
	int no_ephemeral; /* the bot lacks create_post_ephemeral */
	int lose_posts;   /* creates whose answer is lost (504) */
	int deduped;      /* creates answered from pending_post_id */
	cJSON *actions, *bad_samples;
	/* server state (kept by reset) */
	cJSON *commands, *dms;
	cJSON *dead_buttons; /* buttons the click route cannot reach */
	lws_sorted_usec_list_t sul_tick;
} g;

static void
records_new(void)
{
	g.rec_posts = cJSON_CreateArray();
	g.patches = cJSON_CreateArray();
	g.responses = cJSON_CreateArray();
	g.slash_results = cJSON_CreateArray();
	g.ephemerals = cJSON_CreateArray();
	g.click_results = cJSON_CreateArray();
	g.last_buttons = NULL;
	g.no_ephemeral = 0;
	g.lose_posts = g.deduped = 0;
	g.calls = cJSON_CreateObject();
	g.actions = cJSON_CreateObject();
	g.bad_samples = cJSON_CreateArray();
	g.replayed = g.resumes = g.pongs = g.app_pings = g.bad_frames = 0;
	g.auth_failed = g.auth_timeouts = 0;
}

static void
records_free(void)
{
	cJSON_Delete(g.rec_posts);
	cJSON_Delete(g.patches);
	cJSON_Delete(g.responses);
	cJSON_Delete(g.slash_results);
	cJSON_Delete(g.ephemerals);
	cJSON_Delete(g.click_results);
	cJSON_Delete(g.last_buttons);
	cJSON_Delete(g.calls);
	cJSON_Delete(g.actions);
	cJSON_Delete(g.bad_samples);
}

static void
rules_free(void)
{
	struct rule *r;

	while ((r = g.rules)) {
		g.rules = r->next;
		free(r);
	}
}

static void
count_in(cJSON *obj, const char *key)
{
	cJSON *n = cJSON_GetObjectItemCaseSensitive(obj, key);

	if (n)
		cJSON_SetNumberValue(n, n->valuedouble + 1);
	else
		cJSON_AddNumberToObject(obj, key, 1);
}

/* Epoch ms, strictly increasing over all posts and edits. */
static int64_t
next_ms(void)
{
	int64_t t = now_ms();

	if (t <= g.last_ms)
		t = g.last_ms + 1;
	g.last_ms = t;
	return t;
}

/* ------------------------------------------------------------------------
 * Teams, channels, direct messages
 */

static struct channel {
	const char *id, *name, *display;
	int bot_member; /* _control/membership changes it */
} channels[] = {
	{ CHAN_PROD, "ops-prod", "Ops Prod", 1 },
	{ CHAN_ALERTS, "ops-alerts", "Ops Alerts", 1 },
	{ CHAN_QUIET, "ops-quiet", "Ops Quiet", 0 },
};

#define N_CHANNELS (sizeof(channels) / sizeof(channels[0]))

static struct channel *
channel_by_id(const char *id)
{
	size_t i;

	for (i = 0; i < N_CHANNELS; i++)
		if (!strcmp(id, channels[i].id))
			return &channels[i];
	return NULL;
}

/* Direct message channels: any id starting with "dm". */
static int
is_dm(const char *id)
{
	size_t n = strlen(id);

	return n > 2 && n < 64 && !strncmp(id, "dm", 2);
}

/* "<user a>__<user b>", the ids in order, as Mattermost names DMs. */
static void
dm_name(const char *chan_id, char *out, size_t len)
{
	const char *other = jstr(g.dms, chan_id);

	if (!other)
		other = JDOE_ID;
	if (strcmp(BOT_USER_ID, other) < 0)
		snprintf(out, len, "%s__%s", BOT_USER_ID, other);
	else
		snprintf(out, len, "%s__%s", other, BOT_USER_ID);
}

static cJSON *
channel_json(const struct channel *c)
{
	cJSON *j = cJSON_CreateObject();

	cJSON_AddStringToObject(j, "id", c->id);
	cJSON_AddNumberToObject(j, "create_at", 1700000000000.0);
	cJSON_AddNumberToObject(j, "update_at", 1700000000000.0);
	cJSON_AddNumberToObject(j, "delete_at", 0);
	cJSON_AddStringToObject(j, "team_id", TEAM_ID);
	cJSON_AddStringToObject(j, "type", "O");
	cJSON_AddStringToObject(j, "display_name", c->display);
	cJSON_AddStringToObject(j, "name", c->name);
	cJSON_AddStringToObject(j, "header", "");
	cJSON_AddStringToObject(j, "purpose", "");
	cJSON_AddNumberToObject(j, "last_post_at", 0);
	cJSON_AddNumberToObject(j, "total_msg_count", 0);
	cJSON_AddStringToObject(j, "creator_id", "");
	return j;
}

/* ------------------------------------------------------------------------
 * Posts
 */

static struct post *
post_new(void)
{
	struct post *p = xcalloc(1, sizeof(*p));

	if (g.n_posts == g.cap_posts) {
		g.cap_posts = g.cap_posts ? g.cap_posts * 2 : 64;
		g.posts = xrealloc(g.posts,
		                   (size_t)g.cap_posts * sizeof(*g.posts));
	}
	g.posts[g.n_posts++] = p;
	snprintf(p->id, sizeof(p->id), "post%022d", g.n_posts);
	p->create_at = p->update_at = next_ms();
	return p;
}

static struct post *
post_find(const char *id)
{
	long n;

	if (strlen(id) != 26 || strncmp(id, "post", 4) ||
	    strspn(id + 4, "0123456789") != 22)
		return NULL;
	n = strtol(id + 4, NULL, 10);
	if (n < 1 || n > g.n_posts)
		return NULL;
	return g.posts[n - 1];
}

static void
posts_free(void)
{
	int i;

	for (i = 0; i < g.n_posts; i++) {
		free(g.posts[i]->message);
		free(g.posts[i]->type);
		free(g.posts[i]->pending_id);
		cJSON_Delete(g.posts[i]->props);
		free(g.posts[i]);
	}
	free(g.posts);
}

static cJSON *
post_json(const struct post *p)
{
	cJSON *j = cJSON_CreateObject();

	cJSON_AddStringToObject(j, "id", p->id);
	cJSON_AddNumberToObject(j, "create_at", (double)p->create_at);
	cJSON_AddNumberToObject(j, "update_at", (double)p->update_at);
	cJSON_AddNumberToObject(j, "edit_at", (double)p->edit_at);
	cJSON_AddNumberToObject(j, "delete_at", 0);
	cJSON_AddFalseToObject(j, "is_pinned");
	cJSON_AddStringToObject(j, "user_id", p->user_id);
	cJSON_AddStringToObject(j, "channel_id", p->channel_id);
	cJSON_AddStringToObject(j, "root_id", p->root_id);
	cJSON_AddStringToObject(j, "original_id", "");
	cJSON_AddStringToObject(j, "message", p->message);
	cJSON_AddStringToObject(j, "type", p->type ? p->type : "");
	cJSON_AddItemToObject(j, "props", p->props
	                                      ? cJSON_Duplicate(p->props, 1)
	                                      : cJSON_CreateObject());
	cJSON_AddStringToObject(j, "hashtags", "");
	cJSON_AddItemToObject(j, "file_ids", cJSON_CreateArray());
	cJSON_AddStringToObject(j, "pending_post_id",
	                        p->pending_id ? p->pending_id : "");
	cJSON_AddNumberToObject(j, "reply_count", 0);
	cJSON_AddItemToObject(j, "metadata", cJSON_CreateObject());
	return j;
}

/* Does the message mention @opsbot (not @opsbot2, not a@opsbot)? */
static int
mentions_bot(const char *msg)
{
	static const char word[] = "@" BOT_USERNAME;
	const char *p = msg;

	while ((p = strstr(p, word))) {
		char before = p > msg ? p[-1] : ' ';
		char after = p[sizeof(word) - 1];

		p += sizeof(word) - 1;
		if ((before >= 'a' && before <= 'z') ||
		    (before >= 'A' && before <= 'Z') ||
		    (before >= '0' && before <= '9') || before == '_')
			continue;
		if ((after >= 'a' && after <= 'z') ||
		    (after >= 'A' && after <= 'Z') ||
		    (after >= '0' && after <= '9') || after == '_' ||
		    after == '-' ||
		    (after == '.' && p[1] && p[1] != ' ' && p[1] != '\n'))
			continue;
		return 1;
	}
	return 0;
}

/* ------------------------------------------------------------------------
 * Websocket connections, sessions and events
 */

static struct frame *
frame_new(int kind, const void *data, size_t len)
{
	struct frame *f = xmalloc(sizeof(*f) + LWS_PRE + len + 1);

	f->next = NULL;
	f->kind = kind;
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
conn_queue_text(struct conn *c, const char *s)
{
	conn_queue(c, frame_new(LWS_WRITE_TEXT, s, strlen(s)));
}

static void
conn_queue_json(struct conn *c, cJSON *j)
{
	char *s = json_text(j);

	conn_queue_text(c, s);
	free(s);
}

/* Closes the socket under lws: the peer sees no close frame. */
static void
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

static cJSON *
broadcast_new(const char *user_id, const char *channel_id, const char *team_id)
{
	cJSON *b = cJSON_CreateObject();

	cJSON_AddNullToObject(b, "omit_users");
	cJSON_AddStringToObject(b, "user_id", user_id);
	cJSON_AddStringToObject(b, "channel_id", channel_id);
	cJSON_AddStringToObject(b, "team_id", team_id);
	cJSON_AddStringToObject(b, "connection_id", "");
	cJSON_AddStringToObject(b, "omit_connection_id", "");
	return b;
}

static int64_t
session_first_kept(const struct session *s)
{
	return s->next_seq > KEEP_EVENTS ? s->next_seq - KEEP_EVENTS : 0;
}

/*
 * Numbers an event for session s, keeps it for replay and sends it if the
 * session has a socket. Returns its seq.
 */
static int64_t
session_emit(struct session *s, const char *event, const cJSON *data,
             const cJSON *bc)
{
	int64_t seq = s->next_seq++;
	int slot = (int)(seq % KEEP_EVENTS);
	cJSON *e = cJSON_CreateObject();

	cJSON_AddStringToObject(e, "event", event);
	cJSON_AddItemToObject(e, "data", cJSON_Duplicate(data, 1));
	cJSON_AddItemToObject(e, "broadcast", cJSON_Duplicate(bc, 1));
	cJSON_AddNumberToObject(e, "seq", (double)seq);
	free(s->ring[slot]);
	s->ring[slot] = json_text(e);
	cJSON_Delete(e);
	if (s->conn && !s->conn->dropped && !s->conn->closing)
		conn_queue_text(s->conn, s->ring[slot]);
	return seq;
}

static void
session_free(struct session *s)
{
	int i;

	for (i = 0; i < KEEP_EVENTS; i++)
		free(s->ring[i]);
	free(s);
}

static void
session_unlink(struct session *s)
{
	struct session **pp;

	for (pp = &g.sessions; *pp; pp = &(*pp)->next)
		if (*pp == s) {
			*pp = s->next;
			g.n_sessions--;
			break;
		}
	if (s->conn)
		s->conn->sess = NULL;
	session_free(s);
}

static struct session *
session_find(const char *id)
{
	struct session *s;

	for (s = g.sessions; s; s = s->next)
		if (!strcmp(s->id, id))
			return s;
	return NULL;
}

/* A fresh connection id for c, announced by a hello with seq 0. */
static void
session_new(struct conn *c)
{
	struct session *s = xcalloc(1, sizeof(*s)), *old, *it;
	cJSON *d, *bc;

	/* keep at most MAX_SESSIONS: forget the oldest one without socket */
	if (g.n_sessions >= MAX_SESSIONS) {
		old = NULL;
		for (it = g.sessions; it; it = it->next)
			if (!it->conn)
				old = it;
		if (old)
			session_unlink(old);
	}
	snprintf(s->id, sizeof(s->id), "cn%08x%016d",
	         (unsigned)((unsigned)getpid() * 2654435761u) & 0xffffffffu,
	         ++g.n_sess);
	s->next = g.sessions;
	g.sessions = s;
	g.n_sessions++;
	s->conn = c;
	c->sess = s;
	d = cJSON_CreateObject();
	cJSON_AddStringToObject(d, "server_version", SERVER_VERSION);
	cJSON_AddStringToObject(d, "connection_id", s->id);
	cJSON_AddStringToObject(d, "server_hostname", FAKE_HOST);
	bc = broadcast_new(BOT_USER_ID, "", "");
	session_emit(s, "hello", d, bc);
	cJSON_Delete(d);
	cJSON_Delete(bc);
	say("ws %d: connection id %s, hello", c->id, s->id);
}

/*
 * Resumes session s on c from seq n: replays what was kept from n on.
 * The caller checked that n is in range.
 */
static void
session_resume(struct session *s, struct conn *c, int64_t n)
{
	struct session **pp;
	int64_t seq;
	int count = 0;

	/* the most recently attached session comes first */
	for (pp = &g.sessions; *pp; pp = &(*pp)->next)
		if (*pp == s) {
			*pp = s->next;
			break;
		}
	s->next = g.sessions;
	g.sessions = s;
	s->conn = c;
	c->sess = s;
	for (seq = n; seq < s->next_seq; seq++) {
		conn_queue_text(c, s->ring[seq % KEEP_EVENTS]);
		count++;
	}
	g.replayed += count;
	g.resumes++;
	say("ws %d: resumed %s from seq %lld, %d replayed", c->id, s->id,
	    (long long)n, count);
}

/*
 * Sends an event to every session of the bot, open or waiting for a
 * resume. Returns the seq it got in the newest session, or -1; seqs (if
 * not NULL) gets connection id -> seq for all of them.
 */
static int64_t
broadcast_event(const char *event, const cJSON *data, const cJSON *bc,
                int *delivered, int *queued, cJSON *seqs)
{
	struct session *s;
	int64_t newest = -1, seq;

	*delivered = *queued = 0;
	for (s = g.sessions; s; s = s->next) {
		seq = session_emit(s, event, data, bc);
		if (seqs)
			cJSON_AddNumberToObject(seqs, s->id, (double)seq);
		if (newest < 0)
			newest = seq; /* the list is newest first */
		if (s->conn && !s->conn->dropped)
			++*delivered;
		else
			++*queued;
	}
	return newest;
}

/* The posted event of p (data.post is the Post as a JSON string). */
static int64_t
emit_posted(const struct post *p, const char *sender, const char *chan_type,
            const char *chan_name, const char *chan_display,
            const char *team_id, const cJSON *mentions, int set_online,
            int *delivered, int *queued, cJSON *seqs)
{
	cJSON *d = cJSON_CreateObject(), *pj = post_json(p), *bc;
	char *ps = json_text(pj);
	int64_t seq;

	cJSON_AddStringToObject(d, "channel_display_name", chan_display);
	cJSON_AddStringToObject(d, "channel_name", chan_name);
	cJSON_AddStringToObject(d, "channel_type", chan_type);
	cJSON_AddStringToObject(d, "post", ps);
	cJSON_AddStringToObject(d, "sender_name", sender);
	cJSON_AddBoolToObject(d, "set_online", set_online);
	cJSON_AddStringToObject(d, "team_id", team_id);
	if (mentions) {
		char *ms = json_text(mentions);

		cJSON_AddStringToObject(d, "mentions", ms);
		free(ms);
	}
	bc = broadcast_new("", p->channel_id, "");
	seq = broadcast_event("posted", d, bc, delivered, queued, seqs);
	say("posted %s in %s -> seq %lld (%d open, %d kept)", p->id,
	    p->channel_id, (long long)seq, *delivered, *queued);
	free(ps);
	cJSON_Delete(pj);
	cJSON_Delete(d);
	cJSON_Delete(bc);
	return seq;
}

/* Channel fields for an event about channel id. */
static void
channel_fields(const char *id, const char **type, const char **name,
               const char **display, const char **team, char *dmbuf,
               size_t dmlen)
{
	const struct channel *c = channel_by_id(id);

	if (c) {
		*type = "O";
		*name = c->name;
		*display = c->display;
		*team = TEAM_ID;
	} else if (is_dm(id)) {
		dm_name(id, dmbuf, dmlen);
		*type = "D";
		*name = dmbuf;
		*display = "";
		*team = "";
	} else {
		*type = "O";
		*name = "";
		*display = "";
		*team = TEAM_ID;
	}
}

static void
conn_auth_timeout(lws_sorted_usec_list_t *sul)
{
	struct conn *c = lws_container_of(sul, struct conn, sul_auth);

	if (c->authed || c->dropped)
		return;
	g.auth_timeouts++;
	conn_drop(c, "not authenticated in time");
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
	lws_sul_cancel(&c->sul_auth);
	if (c->sess)
		c->sess->conn = NULL; /* kept for a resume */
	while ((f = c->head)) {
		c->head = f->next;
		free(f);
	}
	buf_free(&c->rx);
	free(c);
}

static void
ws_reply(struct conn *c, const char *status, double seq, cJSON *data)
{
	cJSON *r = cJSON_CreateObject();

	cJSON_AddStringToObject(r, "status", status);
	cJSON_AddNumberToObject(r, "seq_reply", seq);
	if (data)
		cJSON_AddItemToObject(r, "data", data);
	conn_queue_json(c, r);
	cJSON_Delete(r);
}

static void
ws_fail(struct conn *c, double seq, const char *id, int code)
{
	cJSON *r = cJSON_CreateObject(), *e;

	cJSON_AddStringToObject(r, "status", "FAIL");
	cJSON_AddNumberToObject(r, "seq_reply", seq);
	e = cJSON_AddObjectToObject(r, "error");
	cJSON_AddStringToObject(e, "id", id);
	cJSON_AddStringToObject(e, "message", id);
	cJSON_AddStringToObject(e, "detailed_error", "");
	cJSON_AddStringToObject(e, "request_id", "");
	cJSON_AddNumberToObject(e, "status_code", code);
	conn_queue_json(c, r);
	cJSON_Delete(r);
}

static void
bad_frame(struct conn *c, const char *why)
{
	char sample[BAD_SAMPLE_LEN + 1];
	size_t i, n = c->rx.len < BAD_SAMPLE_LEN ? c->rx.len : BAD_SAMPLE_LEN;

	g.bad_frames++;
	if (c->rx_binary)
		snprintf(sample, sizeof(sample), "<binary %zu bytes>",
		         c->rx.len);
	else {
		for (i = 0; i < n; i++) {
			unsigned char ch = (unsigned char)c->rx.p[i];

			sample[i] = ch >= 0x20 && ch < 0x7f ? (char)ch : '?';
		}
		sample[n] = '\0';
	}
	if (cJSON_GetArraySize(g.bad_samples) < MAX_BAD_SAMPLES)
		cJSON_AddItemToArray(g.bad_samples, cJSON_CreateString(sample));
	/* Mattermost closes the socket when a request does not decode. */
	conn_drop(c, why);
}

/* A whole message from the bot: a WebSocketRequest. */
static void
handle_ws_request(struct conn *c)
{
	const char *action, *tok;
	const cJSON *seqj, *data;
	cJSON *j, *d;
	double seq;

	if (c->rx_binary) {
		bad_frame(c, "binary frame");
		return;
	}
	j = cJSON_ParseWithLength(c->rx.p ? c->rx.p : "", c->rx.len);
	if (!cJSON_IsObject(j)) {
		cJSON_Delete(j);
		bad_frame(c, "frame is not a JSON object");
		return;
	}
	action = jstr(j, "action");
	seqj = cJSON_GetObjectItemCaseSensitive(j, "seq");
	seq = cJSON_IsNumber(seqj) ? seqj->valuedouble : 0;
	say("ws %d: request seq %g action %s", c->id, seq,
	    action ? action : "(none)");
	if (!action || !*action) {
		ws_fail(c, seq, "api.web_socket_router.no_action.app_error",
		        400);
	} else if (seq <= 0) {
		ws_fail(c, seq, "api.web_socket_router.bad_seq.app_error",
		        400);
	} else if (!strcmp(action, "authentication_challenge")) {
		if (c->authed)
			; /* Mattermost ignores it: no reply */
		else {
			data = cJSON_GetObjectItemCaseSensitive(j, "data");
			tok = jstr(data, "token");
			if (!tok || strcmp(tok, g.token)) {
				g.auth_failed++;
				conn_drop(c, "bad token in the challenge");
			} else {
				c->authed = 1;
				g.auth_challenge++;
				lws_sul_cancel(&c->sul_auth);
				ws_reply(c, "OK", seq, NULL);
				session_new(c);
			}
		}
	} else if (!c->authed) {
		ws_fail(c, seq,
		        "api.web_socket_router.not_authenticated.app_error",
		        401);
	} else {
		count_in(g.actions, action);
		if (!strcmp(action, "ping")) {
			g.app_pings++;
			d = cJSON_CreateObject();
			cJSON_AddStringToObject(d, "text", "pong");
			cJSON_AddStringToObject(d, "version", SERVER_VERSION);
			cJSON_AddNumberToObject(d, "server_time",
			                        (double)now_ms());
			cJSON_AddStringToObject(d, "node_id", "");
			ws_reply(c, "OK", seq, d);
		} else
			ws_reply(c, "OK", seq, NULL);
	}
	cJSON_Delete(j);
}

/* ------------------------------------------------------------------------
 * HTTP: requests, replies, bodies
 */

enum method { M_OTHER, M_GET, M_POST, M_PUT, M_DELETE, M_PATCH };

static const char *const method_names[] = { "OTHER", "GET",    "POST",
	                                    "PUT",   "DELETE", "PATCH" };

struct reply {
	int status;
	const char *ctype;
	char *body;      /* malloc'd */
	int retry_after; /* < 0: no Retry-After header */
	int ratelimit;   /* add X-Ratelimit-* headers */
};

struct pss {
	struct conn *conn; /* websocket connections only */
	enum method method;
	char path[256];
	char auth[512];
	char ctype[128];
	char accept[128];
	char access_token[128];
	char team_q[128]; /* ?team_id= */
	int arg_binary, arg_status, set_online;
	struct buf body;
	int body_over;
	struct reply rep;
	int rep_stage; /* 1: headers next, 2: body next */
	struct slash_job *wait;
	unsigned char *resp; /* LWS_PRE headroom, then resp_len bytes */
	size_t resp_len;
};

static void
reply_set(struct reply *r, int status, const char *ctype, const char *body)
{
	free(r->body);
	r->status = status;
	r->ctype = ctype;
	r->body = xstrdup(body);
}

static void
reply_json(struct reply *r, int status, cJSON *j)
{
	char *s = json_text(j);

	free(r->body);
	r->status = status;
	r->ctype = JSON_TYPE;
	r->body = s;
	cJSON_Delete(j);
}

/* A Mattermost AppError. */
static void
reply_app_error(struct reply *r, int status, const char *id, const char *msg)
{
	cJSON *j = cJSON_CreateObject();

	cJSON_AddStringToObject(j, "id", id);
	cJSON_AddStringToObject(j, "message", msg);
	cJSON_AddStringToObject(j, "detailed_error", "");
	cJSON_AddStringToObject(j, "request_id", "r1");
	cJSON_AddNumberToObject(j, "status_code", status);
	reply_json(r, status, j);
}

/* Control API errors, as in fake-slack. */
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

/* A form body as a JSON object of strings. */
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
		if (*k && !cJSON_HasObjectItem(obj, k))
			cJSON_AddStringToObject(obj, k, v);
		free(k);
		free(v);
		s = amp + 1;
	}
	return obj;
}

/* Appends s form-encoded (Go's url.QueryEscape: space as +). */
static void
form_encode(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	char tmp[4];

	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' ||
		    ch == '.' || ch == '~') {
			tmp[0] = (char)ch;
			tmp[1] = '\0';
		} else if (ch == ' ') {
			tmp[0] = '+';
			tmp[1] = '\0';
		} else {
			tmp[0] = '%';
			tmp[1] = hex[ch >> 4];
			tmp[2] = hex[ch & 15];
			tmp[3] = '\0';
		}
		buf_str(b, tmp);
	}
}

/* The token of "Authorization: Bearer|Token <t>" or ?access_token=. */
static const char *
request_token(const char *auth, const char *query_token)
{
	const char *t = NULL;

	if (!strncasecmp(auth, "bearer ", 7))
		t = auth + 7;
	else if (!strncasecmp(auth, "token ", 6))
		t = auth + 6;
	if (t) {
		while (*t == ' ')
			t++;
		return t;
	}
	if (query_token && *query_token)
		return query_token;
	return NULL;
}

static int
token_ok(const struct pss *pss, struct reply *r)
{
	const char *t = request_token(pss->auth, pss->access_token);

	if (t && !strcmp(t, g.token))
		return 1;
	reply_app_error(r, 401, "api.context.session_expired.app_error",
	                "Invalid or expired session, please login again.");
	return 0;
}

/* Consumes a failure rule for this request, if one is armed. */
static int
rate_limited(const char *route, const char *literal, struct reply *r)
{
	struct rule *ru;

	for (ru = g.rules; ru; ru = ru->next) {
		if (ru->count <= 0 ||
		    (strcmp(ru->method, route) && strcmp(ru->method, literal) &&
		     strcmp(ru->method, "*")))
			continue;
		ru->count--;
		if (ru->status && ru->status != 429) {
			char body[80];

			snprintf(body, sizeof(body),
			         "%d fake-mattermost: server error\n",
			         ru->status);
			reply_set(r, ru->status, "text/plain; charset=utf-8",
			          body);
		} else {
			reply_set(r, 429, "text/plain; charset=utf-8",
			          "limit exceeded\n");
			r->retry_after = ru->retry_after;
			r->ratelimit = 1;
		}
		say("%s: injected HTTP %d", route, r->status);
		return 1;
	}
	return 0;
}

/* The body as a JSON value of the wanted type, or NULL. */
static cJSON *
body_json(const struct pss *pss, int want_array)
{
	cJSON *j;

	if (!pss->body.len)
		return NULL;
	j = cJSON_ParseWithLength(pss->body.p, pss->body.len);
	if (want_array ? cJSON_IsArray(j) : cJSON_IsObject(j))
		return j;
	cJSON_Delete(j);
	return NULL;
}

static void
reply_bad_body(struct reply *r, const char *what)
{
	char msg[128];

	snprintf(msg, sizeof(msg), "Invalid or missing %s in request body.",
	         what);
	reply_app_error(r, 400, "api.context.invalid_body_param.app_error",
	                msg);
}

static void
api_users_me(struct reply *r)
{
	cJSON *j = cJSON_CreateObject();

	cJSON_AddStringToObject(j, "id", BOT_USER_ID);
	cJSON_AddStringToObject(j, "username", BOT_USERNAME);
	cJSON_AddTrueToObject(j, "is_bot");
	reply_json(r, 200, j);
}

/* GET /api/v4/users/me/teams: the bot is in one team. */
static void
api_my_teams(struct reply *r)
{
	cJSON *a = cJSON_CreateArray(), *t = cJSON_CreateObject();

	cJSON_AddStringToObject(t, "id", TEAM_ID);
	cJSON_AddStringToObject(t, "name", TEAM_NAME);
	cJSON_AddStringToObject(t, "display_name", "Acme");
	cJSON_AddStringToObject(t, "type", "O");
	cJSON_AddItemToArray(a, t);
	reply_json(r, 200, a);
}

/* GET /api/v4/channels/{id}/members/me: 404 when the bot is not in it. */
static void
api_channel_member(const char *id, struct reply *r)
{
	const struct channel *c = channel_by_id(id);
	cJSON *j;

	if (!c && !is_dm(id)) {
		reply_app_error(r, 404, "app.channel.get.existing.app_error",
		                "Unable to find the existing channel.");
		return;
	}
	if (c && !c->bot_member) {
		reply_app_error(r, 404, "app.channel.get_member.missing.app_error",
		                "No channel member found for that user ID and "
		                "channel ID.");
		return;
	}
	j = cJSON_CreateObject();
	cJSON_AddStringToObject(j, "channel_id", id);
	cJSON_AddStringToObject(j, "user_id", BOT_USER_ID);
	cJSON_AddStringToObject(j, "roles", "channel_user");
	reply_json(r, 200, j);
}

static void
api_channel_by_name(const char *team, int by_id, const char *name,
                    struct reply *r)
{
	size_t i;

	if (strcmp(team, by_id ? TEAM_ID : TEAM_NAME)) {
		if (by_id)
			reply_app_error(r, 404,
			                "app.channel.get_by_name.missing.app_error",
			                "Unable to find the existing channel.");
		else
			reply_app_error(r, 404,
			                "app.team.get_by_name.missing.app_error",
			                "Unable to find the existing team.");
		return;
	}
	for (i = 0; i < N_CHANNELS; i++)
		if (!strcmp(name, channels[i].name)) {
			reply_json(r, 200, channel_json(&channels[i]));
			return;
		}
	reply_app_error(r, 404, "app.channel.get_by_name.missing.app_error",
	                "Unable to find the existing channel.");
}

/*
 * Mattermost routes a click through POST /api/v4/posts/{post_id}/actions/
 * {action_id:[A-Za-z0-9]+} (server/channels/api4/post_action.go): an id
 * with anything else never matches the route, and the click gets the
 * router's 404 without reaching the integration.
 */
static int
action_id_routable(const char *id)
{
	return id && *id &&
	       strspn(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	                  "0123456789") == strlen(id);
}

/*
 * Remembers the newest bot message whose attachments have buttons (a
 * post, an ephemeral post or a response URL answer), for /_control/click,
 * and every button the click route could never reach (dead_buttons).
 */
static void
note_buttons(const cJSON *attachments, const char *post_id,
             const char *channel_id)
{
	const cJSON *att, *acts = NULL, *b;
	cJSON *n;

	cJSON_ArrayForEach(att, attachments) {
		const cJSON *a = cJSON_GetObjectItemCaseSensitive(att, "actions");

		cJSON_ArrayForEach(b, a) {
			if (action_id_routable(jstr(b, "id")))
				continue;
			n = cJSON_CreateObject();
			cJSON_AddStringToObject(n, "post_id",
			                        post_id ? post_id : "");
			cJSON_AddItemToObject(n, "id", dup_or_null(
			    cJSON_GetObjectItemCaseSensitive(b, "id")));
			cJSON_AddItemToArray(g.dead_buttons, n);
		}
		if (!acts && cJSON_IsArray(a) && cJSON_GetArraySize(a) > 0)
			acts = a;
	}
	if (!acts)
		return;
	n = cJSON_CreateObject();
	cJSON_AddStringToObject(n, "post_id", post_id ? post_id : "");
	cJSON_AddStringToObject(n, "channel_id", channel_id ? channel_id : "");
	cJSON_AddItemToObject(n, "actions", cJSON_Duplicate(acts, 1));
	cJSON_Delete(g.last_buttons);
	g.last_buttons = n;
}

/*
 * The 403 of a missing permission, as the server's SetPermissionError
 * shapes it: the permission is named only in detailed_error.
 */
static void
reply_permission_error(struct reply *r, const char *permission)
{
	cJSON *j = cJSON_CreateObject();
	char det[160];

	snprintf(det, sizeof(det), "userId=%s, permission=%s", BOT_USER_ID,
	         permission);
	cJSON_AddStringToObject(j, "id", "api.context.permissions.app_error");
	cJSON_AddStringToObject(j, "message",
	                        "You do not have the appropriate permissions.");
	cJSON_AddStringToObject(j, "detailed_error", det);
	cJSON_AddStringToObject(j, "request_id", "r1");
	cJSON_AddNumberToObject(j, "status_code", 403);
	reply_json(r, 403, j);
}

/* POST /api/v4/posts/ephemeral: {user_id, post:{channel_id,...}}. */
static void
api_ephemeral_post(const struct pss *pss, struct reply *r)
{
	cJSON *in, *rec;
	const cJSON *post;

	/* A system permission bot accounts often lack (api4/post.go). */
	if (g.no_ephemeral) {
		reply_permission_error(r, "create_post_ephemeral");
		return;
	}
	in = body_json(pss, 0);

	post = in ? cJSON_GetObjectItemCaseSensitive(in, "post") : NULL;
	if (!in || !cJSON_IsObject(post) || !jstr(in, "user_id") ||
	    !jstr(post, "channel_id")) {
		cJSON_Delete(in);
		reply_bad_body(r, "post");
		return;
	}
	rec = cJSON_CreateObject();
	cJSON_AddStringToObject(rec, "user_id", jstr(in, "user_id"));
	cJSON_AddItemToObject(rec, "post", cJSON_Duplicate(post, 1));
	cJSON_AddItemToArray(g.ephemerals, rec);
	{
		char eid[27];

		snprintf(eid, sizeof(eid), "ephemeral%017d",
		         cJSON_GetArraySize(g.ephemerals));
		note_buttons(cJSON_GetObjectItemCaseSensitive(
		                 cJSON_GetObjectItemCaseSensitive(post, "props"),
		                 "attachments"),
		             eid, jstr(post, "channel_id"));
	}
	reply_json(r, 201, cJSON_Duplicate(post, 1));
	cJSON_Delete(in);
}

static void
api_create_post(const struct pss *pss, struct reply *r)
{
	cJSON *in = body_json(pss, 0), *rec, *mention = NULL;
	const cJSON *props;
	const char *chan, *msg, *root, *pending, *type, *name, *disp, *team;
	const struct post *rp;
	struct post *p;
	char dmbuf[80];
	int delivered, queued;

	if (!in) {
		reply_bad_body(r, "post");
		return;
	}
	chan = jstr(in, "channel_id");
	msg = jstr(in, "message");
	root = jstr(in, "root_id");
	pending = jstr(in, "pending_post_id");
	props = cJSON_GetObjectItemCaseSensitive(in, "props");
	if (!chan || !*chan) {
		reply_app_error(r, 400, "api.context.invalid_param.app_error",
		                "Invalid or missing channel_id in request "
		                "body.");
		goto out;
	}
	if (!channel_by_id(chan) && !is_dm(chan)) {
		reply_app_error(r, 403, "api.context.permissions.app_error",
		                "You do not have the appropriate permissions.");
		goto out;
	}
	if (channel_by_id(chan) && !channel_by_id(chan)->bot_member) {
		reply_permission_error(r, "create_post");
		goto out;
	}
	if (!msg)
		msg = "";
	if (utf8_runes(msg) > MAX_MESSAGE_RUNES) {
		reply_app_error(r, 400, "model.post.is_valid.message_length."
		                        "app_error",
		                "Invalid Message property length.");
		goto out;
	}
	if (props && !cJSON_IsObject(props) && !cJSON_IsNull(props)) {
		reply_bad_body(r, "post");
		goto out;
	}
	if (root && *root &&
	    (!(rp = post_find(root)) || strcmp(rp->channel_id, chan))) {
		reply_app_error(r, 400, "api.post.create_post.root_id.app_error",
		                "Invalid RootId parameter.");
		goto out;
	}
	/*
	 * deduplicateCreatePost (app/post.go): a pending_post_id seen in
	 * the last 30 s gets the post made then, 201, and nothing new.
	 */
	if (pending && *pending) {
		int i;

		for (i = g.n_posts - 1; i >= 0; i--) {
			struct post *q = g.posts[i];

			if (q->pending_id && !strcmp(q->pending_id, pending) &&
			    now_ms() - q->create_at < PENDING_TTL_MS) {
				g.deduped++;
				reply_json(r, 201, post_json(q));
				goto out;
			}
		}
	}
	p = post_new();
	snprintf(p->channel_id, sizeof(p->channel_id), "%s", chan);
	snprintf(p->root_id, sizeof(p->root_id), "%s", root ? root : "");
	snprintf(p->user_id, sizeof(p->user_id), "%s", BOT_USER_ID);
	p->message = xstrdup(msg);
	p->props = cJSON_IsObject(props) ? cJSON_Duplicate(props, 1) : NULL;
	p->pending_id = pending ? xstrdup(pending) : NULL;

	rec = cJSON_CreateObject();
	cJSON_AddStringToObject(rec, "id", p->id);
	cJSON_AddStringToObject(rec, "channel_id", p->channel_id);
	cJSON_AddStringToObject(rec, "root_id", p->root_id);
	cJSON_AddStringToObject(rec, "message", p->message);
	cJSON_AddItemToObject(rec, "props", dup_or_null(p->props));
	cJSON_AddNumberToObject(rec, "create_at", (double)p->create_at);
	cJSON_AddStringToObject(rec, "pending_post_id",
	                        p->pending_id ? p->pending_id : "");
	cJSON_AddItemToArray(g.rec_posts, rec);
	note_buttons(cJSON_GetObjectItemCaseSensitive(p->props, "attachments"),
	             p->id, p->channel_id);

	reply_json(r, 201, post_json(p));
	/* Mattermost sends the bot its own post too. */
	channel_fields(chan, &type, &name, &disp, &team, dmbuf, sizeof(dmbuf));
	if (!strcmp(type, "D")) { /* the other member is mentioned */
		mention = cJSON_CreateArray();
		cJSON_AddItemToArray(mention, cJSON_CreateString(JDOE_ID));
	}
	emit_posted(p, "@" BOT_USERNAME, type, name, disp, team, mention,
	            pss->set_online, &delivered, &queued, NULL);
	cJSON_Delete(mention);
	if (g.lose_posts > 0) {
		/* Made, but the answer is lost on the way (a proxy's 504). */
		g.lose_posts--;
		reply_set(r, 504, "text/plain", "gateway timeout");
	}
out:
	cJSON_Delete(in);
}

static void
api_patch_post(const struct pss *pss, const char *id, struct reply *r)
{
	cJSON *in = body_json(pss, 0), *rec, *d, *pj, *bc;
	const cJSON *props;
	const char *msg;
	struct post *p = post_find(id);
	char *ps;
	int delivered, queued;

	if (!in) {
		reply_bad_body(r, "patch");
		return;
	}
	if (!p) {
		reply_app_error(r, 404, "app.post.get.app_error",
		                "Unable to get the post.");
		goto out;
	}
	if (strcmp(p->user_id, BOT_USER_ID)) {
		reply_app_error(r, 403, "api.context.permissions.app_error",
		                "You do not have the appropriate permissions.");
		goto out;
	}
	msg = jstr(in, "message");
	props = cJSON_GetObjectItemCaseSensitive(in, "props");
	if (msg && utf8_runes(msg) > MAX_MESSAGE_RUNES) {
		reply_app_error(r, 400, "model.post.is_valid.message_length."
		                        "app_error",
		                "Invalid Message property length.");
		goto out;
	}
	if (msg) {
		free(p->message);
		p->message = xstrdup(msg);
	}
	if (cJSON_IsObject(props)) {
		cJSON_Delete(p->props);
		p->props = cJSON_Duplicate(props, 1);
		note_buttons(cJSON_GetObjectItemCaseSensitive(props,
		                                              "attachments"),
		             p->id, p->channel_id);
	}
	p->edit_at = p->update_at = next_ms();

	rec = cJSON_CreateObject();
	cJSON_AddStringToObject(rec, "id", p->id);
	cJSON_AddItemToObject(rec, "message", msg ? cJSON_CreateString(msg)
	                                          : cJSON_CreateNull());
	cJSON_AddItemToObject(rec, "props", dup_or_null(props));
	cJSON_AddItemToArray(g.patches, rec);

	pj = post_json(p);
	ps = json_text(pj);
	reply_json(r, 200, pj);
	/* post_edited: one more event the bot must ignore */
	d = cJSON_CreateObject();
	cJSON_AddStringToObject(d, "post", ps);
	bc = broadcast_new("", p->channel_id, "");
	broadcast_event("post_edited", d, bc, &delivered, &queued, NULL);
	cJSON_Delete(d);
	cJSON_Delete(bc);
	free(ps);
out:
	cJSON_Delete(in);
}

static void
api_create_command(const struct pss *pss, struct reply *r)
{
	cJSON *in = body_json(pss, 0), *cmd, *it;
	const char *team, *trigger, *url, *method;
	char id[27], tok[27];
	int64_t t;

	if (!in) {
		reply_bad_body(r, "command");
		return;
	}
	team = jstr(in, "team_id");
	trigger = jstr(in, "trigger");
	url = jstr(in, "url");
	method = jstr(in, "method");
	if (!team || strcmp(team, TEAM_ID)) {
		reply_app_error(r, 403, "api.context.permissions.app_error",
		                "You do not have the appropriate permissions.");
		goto out;
	}
	if (!trigger || !*trigger || strlen(trigger) > 128 ||
	    trigger[0] == '/' || strchr(trigger, ' ')) {
		reply_app_error(r, 400, "model.command.is_valid.trigger.app_error",
		                "Invalid trigger.");
		goto out;
	}
	if (!url || (strncmp(url, "http://", 7) && strncmp(url, "https://", 8))
	    || strlen(url) > 1024) {
		reply_app_error(r, 400, "model.command.is_valid.url.app_error",
		                "Invalid URL.");
		goto out;
	}
	if (!method || (strcmp(method, "P") && strcmp(method, "G"))) {
		reply_app_error(r, 400, "model.command.is_valid.method.app_error",
		                "Invalid Method.");
		goto out;
	}
	cJSON_ArrayForEach(it, g.commands) {
		const char *tr = jstr(it, "trigger");

		if (tr && !strcasecmp(tr, trigger)) {
			reply_app_error(r, 400,
			                "api.command.duplicate_trigger.app_error",
			                "This trigger word is already in use. "
			                "Please choose another word.");
			goto out;
		}
	}
	g.n_cmd++;
	snprintf(id, sizeof(id), "cmd%023d", g.n_cmd);
	snprintf(tok, sizeof(tok), "tok%08x%015d",
	         (unsigned)((unsigned)getpid() * 40503u) & 0xffffffffu,
	         g.n_cmd);
	t = next_ms();
	cmd = cJSON_CreateObject();
	cJSON_AddStringToObject(cmd, "id", id);
	cJSON_AddStringToObject(cmd, "token", tok);
	cJSON_AddNumberToObject(cmd, "create_at", (double)t);
	cJSON_AddNumberToObject(cmd, "update_at", (double)t);
	cJSON_AddNumberToObject(cmd, "delete_at", 0);
	cJSON_AddStringToObject(cmd, "creator_id", BOT_USER_ID);
	cJSON_AddStringToObject(cmd, "team_id", team);
	{
		char low[130];
		size_t i;

		for (i = 0; trigger[i] && i < sizeof(low) - 1; i++)
			low[i] = (char)(trigger[i] >= 'A' && trigger[i] <= 'Z'
			                    ? trigger[i] - 'A' + 'a'
			                    : trigger[i]);
		low[i] = '\0';
		cJSON_AddStringToObject(cmd, "trigger", low);
	}
	cJSON_AddStringToObject(cmd, "method", method);
	cJSON_AddStringToObject(cmd, "url", url);
	{
		static const char *const keys[] = {
			"username",          "icon_url",
			"auto_complete_desc", "auto_complete_hint",
			"display_name",      "description",
		};
		size_t i;

		for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
			const char *v = jstr(in, keys[i]);

			cJSON_AddStringToObject(cmd, keys[i], v ? v : "");
		}
	}
	cJSON_AddBoolToObject(cmd, "auto_complete",
	                      jbool(in, "auto_complete", 0));
	cJSON_AddItemToArray(g.commands, cJSON_Duplicate(cmd, 1));
	say("command /%s registered -> %s (%s)", jstr(cmd, "trigger"), url,
	    method);
	reply_json(r, 201, cmd);
out:
	cJSON_Delete(in);
}

/* GET /api/v4/commands?team_id=..&custom_only=true: the team's commands. */
static void
api_list_commands(const struct pss *pss, struct reply *r)
{
	cJSON *list;
	const cJSON *it;

	if (!pss->team_q[0]) {
		reply_app_error(r, 400, "api.context.invalid_param.app_error",
		                "Invalid or missing team_id parameter.");
		return;
	}
	if (strcmp(pss->team_q, TEAM_ID)) {
		reply_app_error(r, 403, "api.context.permissions.app_error",
		                "You do not have the appropriate permissions.");
		return;
	}
	list = cJSON_CreateArray();
	cJSON_ArrayForEach(it, g.commands) {
		const char *t = jstr(it, "team_id"), *who = jstr(it, "creator_id");

		/* Without manage_others_slash_commands: only one's own. */
		if (t && !strcmp(t, pss->team_q) && who &&
		    !strcmp(who, BOT_USER_ID))
			cJSON_AddItemToArray(list, cJSON_Duplicate(it, 1));
	}
	reply_json(r, 200, list);
}

/* PUT /api/v4/commands/{id}: the whole Command, as GET gave it. */
static void
api_update_command(const struct pss *pss, const char *id, struct reply *r)
{
	cJSON *in = body_json(pss, 0), *cmd = NULL, *it;
	const char *trigger, *url, *method, *bid;
	int64_t t;
	size_t i;

	cJSON_ArrayForEach(it, g.commands) {
		if (jstr(it, "id") && !strcmp(jstr(it, "id"), id))
			cmd = it;
	}
	if (!cmd) {
		cJSON_Delete(in);
		reply_app_error(r, 404, "app.command.getcommand.app_error",
		                "Unable to get the command.");
		return;
	}
	if (!in) {
		reply_bad_body(r, "command");
		return;
	}
	if (!jstr(cmd, "creator_id") ||
	    strcmp(jstr(cmd, "creator_id"), BOT_USER_ID)) {
		reply_permission_error(r, "manage_others_slash_commands");
		goto out;
	}
	bid = jstr(in, "id");
	trigger = jstr(in, "trigger");
	url = jstr(in, "url");
	method = jstr(in, "method");
	if ((bid && strcmp(bid, id)) ||
	    (jstr(in, "team_id") && strcmp(jstr(in, "team_id"), TEAM_ID))) {
		reply_app_error(r, 400, "api.command.update.app_error",
		                "Invalid command id or team.");
		goto out;
	}
	if (!trigger || !*trigger || strlen(trigger) > 128 ||
	    trigger[0] == '/' || strchr(trigger, ' ')) {
		reply_app_error(r, 400, "model.command.is_valid.trigger.app_error",
		                "Invalid trigger.");
		goto out;
	}
	if (!url || (strncmp(url, "http://", 7) && strncmp(url, "https://", 8))
	    || strlen(url) > 1024) {
		reply_app_error(r, 400, "model.command.is_valid.url.app_error",
		                "Invalid URL.");
		goto out;
	}
	if (!method || (strcmp(method, "P") && strcmp(method, "G"))) {
		reply_app_error(r, 400, "model.command.is_valid.method.app_error",
		                "Invalid Method.");
		goto out;
	}
	cJSON_ArrayForEach(it, g.commands) {
		const char *tr = jstr(it, "trigger");

		if (it != cmd && tr && !strcasecmp(tr, trigger)) {
			reply_app_error(r, 400,
			                "api.command.duplicate_trigger.app_error",
			                "This trigger word is already in use. "
			                "Please choose another word.");
			goto out;
		}
	}
	{
		char low[130];

		for (i = 0; trigger[i] && i < sizeof(low) - 1; i++)
			low[i] = (char)(trigger[i] >= 'A' && trigger[i] <= 'Z'
			                    ? trigger[i] - 'A' + 'a'
			                    : trigger[i]);
		low[i] = '\0';
		cJSON_ReplaceItemInObjectCaseSensitive(cmd, "trigger",
		                                       cJSON_CreateString(low));
	}
	cJSON_ReplaceItemInObjectCaseSensitive(cmd, "url",
	                                       cJSON_CreateString(url));
	cJSON_ReplaceItemInObjectCaseSensitive(cmd, "method",
	                                       cJSON_CreateString(method));
	{
		static const char *const keys[] = {
			"username",          "icon_url",
			"auto_complete_desc", "auto_complete_hint",
			"display_name",      "description",
		};

		for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
			const char *v = jstr(in, keys[i]);

			if (v)
				cJSON_ReplaceItemInObjectCaseSensitive(
				    cmd, keys[i], cJSON_CreateString(v));
		}
	}
	if (cJSON_HasObjectItem(in, "auto_complete"))
		cJSON_ReplaceItemInObjectCaseSensitive(
		    cmd, "auto_complete",
		    cJSON_CreateBool(jbool(in, "auto_complete", 0)));
	t = next_ms();
	cJSON_ReplaceItemInObjectCaseSensitive(cmd, "update_at",
	                                       cJSON_CreateNumber((double)t));
	say("command /%s updated -> %s (%s)", jstr(cmd, "trigger"), url,
	    method);
	reply_json(r, 200, cJSON_Duplicate(cmd, 1));
out:
	cJSON_Delete(in);
}

static void
api_direct_channel(const struct pss *pss, struct reply *r)
{
	cJSON *in = body_json(pss, 1), *j, *it;
	const char *other = NULL;
	char id[27], name[80];

	if (!in || cJSON_GetArraySize(in) != 2) {
		cJSON_Delete(in);
		reply_bad_body(r, "user ids");
		return;
	}
	cJSON_ArrayForEach(it, in) {
		if (!cJSON_IsString(it) || !valid_id(it->valuestring)) {
			cJSON_Delete(in);
			reply_bad_body(r, "user ids");
			return;
		}
		if (strcmp(it->valuestring, BOT_USER_ID))
			other = it->valuestring;
	}
	if (!other)
		other = BOT_USER_ID; /* a DM with oneself */
	snprintf(id, sizeof(id), "dm%.24s", other);
	if (!cJSON_HasObjectItem(g.dms, id))
		cJSON_AddStringToObject(g.dms, id, other);
	dm_name(id, name, sizeof(name));
	j = cJSON_CreateObject();
	cJSON_AddStringToObject(j, "id", id);
	cJSON_AddNumberToObject(j, "create_at", 1700000000000.0);
	cJSON_AddNumberToObject(j, "update_at", 1700000000000.0);
	cJSON_AddNumberToObject(j, "delete_at", 0);
	cJSON_AddStringToObject(j, "team_id", "");
	cJSON_AddStringToObject(j, "type", "D");
	cJSON_AddStringToObject(j, "display_name", "");
	cJSON_AddStringToObject(j, "name", name);
	cJSON_AddStringToObject(j, "creator_id", "");
	cJSON_Delete(in);
	reply_json(r, 201, j);
}

static void
reply_not_found(struct reply *r)
{
	reply_app_error(r, 404, "api.context.404.app_error",
	                "Sorry, we could not find the page.");
}

/* Is p exactly prefix + one non-empty segment + suffix? seg gets it. */
static int
match_seg(const char *p, const char *prefix, const char *suffix, char *seg,
          size_t seglen)
{
	size_t pl = strlen(prefix), n;

	if (strncmp(p, prefix, pl))
		return 0;
	p += pl;
	n = strcspn(p, "/");
	if (!n || n >= seglen || strcmp(p + n, suffix))
		return 0;
	memcpy(seg, p, n);
	seg[n] = '\0';
	return 1;
}

static void
api(const struct pss *pss, struct reply *r)
{
	const char *p = pss->path, *route = NULL;
	char a[128], b[128], literal[300];
	int m = pss->method, by_id = 0;

	a[0] = b[0] = '\0';
	if (m == M_GET && !strcmp(p, "/api/v4/users/me"))
		route = "GET /api/v4/users/me";
	else if (m == M_GET && !strcmp(p, "/api/v4/users/me/teams"))
		route = "GET /api/v4/users/me/teams";
	else if (m == M_GET &&
	         match_seg(p, "/api/v4/channels/", "/members/me", a, sizeof(a)))
		route = "GET /api/v4/channels/{id}/members/me";
	else if (m == M_GET && !strncmp(p, "/api/v4/teams/name/", 19) &&
	         sscanf(p + 19, "%127[^/]/channels/name/%127[^/]", a, b) == 2 &&
	         !strchr(strstr(p, "/channels/name/") + 15, '/'))
		route = "GET /api/v4/teams/name/{team}/channels/name/{channel}";
	else if (m == M_GET && !strncmp(p, "/api/v4/teams/", 14) &&
	         sscanf(p + 14, "%127[^/]/channels/name/%127[^/]", a, b) == 2 &&
	         strcmp(a, "name") &&
	         !strchr(strstr(p, "/channels/name/") + 15, '/')) {
		route = "GET /api/v4/teams/{team_id}/channels/name/{channel}";
		by_id = 1;
	} else if (m == M_POST && !strcmp(p, "/api/v4/posts"))
		route = "POST /api/v4/posts";
	else if (m == M_POST && !strcmp(p, "/api/v4/posts/ephemeral"))
		route = "POST /api/v4/posts/ephemeral";
	else if (m == M_PUT &&
	         match_seg(p, "/api/v4/posts/", "/patch", a, sizeof(a)))
		route = "PUT /api/v4/posts/{id}/patch";
	else if (m == M_POST && !strcmp(p, "/api/v4/commands"))
		route = "POST /api/v4/commands";
	else if (m == M_GET && !strcmp(p, "/api/v4/commands"))
		route = "GET /api/v4/commands";
	else if (m == M_PUT &&
	         match_seg(p, "/api/v4/commands/", "", a, sizeof(a)))
		route = "PUT /api/v4/commands/{id}";
	else if (m == M_POST && !strcmp(p, "/api/v4/channels/direct"))
		route = "POST /api/v4/channels/direct";

	snprintf(literal, sizeof(literal), "%s %s", method_names[m], p);
	count_in(g.calls, route ? route : literal);
	if (rate_limited(route ? route : literal, literal, r))
		return;
	if (!route) {
		if (!strcmp(p, WS_PATH) || !strcmp(p, WS_PATH "/"))
			reply_app_error(r, 400,
			                "api.web_socket.connect.upgrade.app_error",
			                "Failed to upgrade websocket connection.");
		else
			reply_not_found(r);
		return;
	}
	if (!token_ok(pss, r))
		return;
	if (!strcmp(route, "GET /api/v4/users/me"))
		api_users_me(r);
	else if (!strcmp(route, "GET /api/v4/users/me/teams"))
		api_my_teams(r);
	else if (!strcmp(route, "GET /api/v4/channels/{id}/members/me"))
		api_channel_member(a, r);
	else if (!strncmp(route, "GET /api/v4/teams/", 18))
		api_channel_by_name(a, by_id, b, r);
	else if (!strcmp(route, "POST /api/v4/posts"))
		api_create_post(pss, r);
	else if (!strcmp(route, "POST /api/v4/posts/ephemeral"))
		api_ephemeral_post(pss, r);
	else if (!strcmp(route, "PUT /api/v4/posts/{id}/patch"))
		api_patch_post(pss, a, r);
	else if (!strcmp(route, "POST /api/v4/commands"))
		api_create_command(pss, r);
	else if (!strcmp(route, "GET /api/v4/commands"))
		api_list_commands(pss, r);
	else if (!strcmp(route, "PUT /api/v4/commands/{id}"))
		api_update_command(pss, a, r);
	else
		api_direct_channel(pss, r);
}

/* ------------------------------------------------------------------------
 * Response URLs: /hooks/commands/<id>
 */

static void
new_hook(char *url, size_t len, char *id, size_t idlen)
{
	int n = ++g.n_hooks;

	if (n >= g.cap_hooks) {
		int cap = g.cap_hooks ? g.cap_hooks * 2 : 64;

		g.hooks = xrealloc(g.hooks, (size_t)cap * sizeof(*g.hooks));
		memset(g.hooks + g.cap_hooks, 0,
		       (size_t)(cap - g.cap_hooks) * sizeof(*g.hooks));
		g.cap_hooks = cap;
	}
	g.hooks[n].created_us = now_us();
	g.hooks[n].uses = 0;
	snprintf(id, idlen, "hook%022d", n);
	snprintf(url, len, "http://127.0.0.1:%d/hooks/commands/%s", g.port,
	         id);
}

static void
hook_request(const struct pss *pss, struct reply *r)
{
	const char *id = pss->path + 16; /* after /hooks/commands/ */
	char literal[300];
	cJSON *rec, *body;
	long n = -1;

	snprintf(literal, sizeof(literal), "%s %s", method_names[pss->method],
	         pss->path);
	count_in(g.calls, "POST /hooks/commands/{id}");
	if (rate_limited("POST /hooks/commands/{id}", literal, r))
		return;
	if (pss->method != M_POST) {
		reply_not_found(r);
		return;
	}
	if (strlen(id) == 26 && !strncmp(id, "hook", 4) &&
	    strspn(id + 4, "0123456789") == 22)
		n = strtol(id + 4, NULL, 10);
	if (n < 1 || n > g.n_hooks ||
	    now_us() - g.hooks[n].created_us >
	        (int64_t)HOOK_LIFETIME_S * 1000000 ||
	    ++g.hooks[n].uses > HOOK_USES) {
		reply_app_error(r, 400, "web.command_webhook.invalid.app_error",
		                "Invalid webhook.");
		return;
	}
	rec = cJSON_CreateObject();
	{
		char url[300];

		snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", g.port,
		         pss->path);
		cJSON_AddStringToObject(rec, "url", url);
	}
	body = pss->body.len ? cJSON_ParseWithLength(pss->body.p, pss->body.len)
	                     : NULL;
	cJSON_AddItemToObject(
	    rec, "body",
	    body ? body : cJSON_CreateString(pss->body.p ? pss->body.p : ""));
	cJSON_AddStringToObject(rec, "content_type", pss->ctype);
	if (body)
		note_buttons(cJSON_GetObjectItemCaseSensitive(body, "attachments"),
		             "", NULL);
	cJSON_AddNumberToObject(rec, "rtt_us",
	                        (double)(now_us() - g.hooks[n].created_us));
	cJSON_AddItemToArray(g.responses, rec);
	reply_set(r, 200, "text/plain", "ok");
}

/* ------------------------------------------------------------------------
 * Slash commands: the fake POSTs (or GETs) the command to the bot
 */

static void reply_ready(struct lws *wsi, struct pss *pss);

static void
job_free(struct slash_job *j)
{
	struct slash_job **pp;

	for (pp = &g.jobs; *pp; pp = &(*pp)->next)
		if (*pp == j) {
			*pp = j->next;
			break;
		}
	lws_sul_cancel(&j->sul);
	free(j->form);
	buf_free(&j->answer);
	cJSON_Delete(j->rec);
	free(j);
}

/* Records the outcome once; answers the waiting control request. */
static void
job_finish(struct slash_job *j, const char *err)
{
	cJSON *body, *rec;

	if (j->done)
		return;
	j->done = 1;
	lws_sul_cancel(&j->sul);
	rec = j->rec;
	cJSON_AddNumberToObject(rec, "status", err ? 0 : j->status);
	cJSON_AddStringToObject(rec, "content_type", j->ctype);
	body = j->answer.len ? cJSON_ParseWithLength(j->answer.p, j->answer.len)
	                     : NULL;
	cJSON_AddItemToObject(rec, "body",
	                      body ? body
	                           : cJSON_CreateString(j->answer.p ? j->answer.p
	                                                            : ""));
	cJSON_AddItemToObject(rec, "error", err ? cJSON_CreateString(err)
	                                        : cJSON_CreateNull());
	cJSON_AddNumberToObject(rec, "elapsed_ms",
	                        (double)((now_us() - j->t0_us) / 1000));
	cJSON_AddItemToArray(j->is_click ? g.click_results : g.slash_results,
	                     cJSON_Duplicate(rec, 1));
	say("%s %d -> %s %d%s%s", j->is_click ? "click" : "slash", j->id,
	    jstr(rec, "url"),
	    err ? 0 : j->status, err ? " " : "", err ? err : "");
	if (j->waiter && !g.shutting_down) {
		struct pss *w = j->waiter_pss;

		w->wait = NULL;
		reply_json(&w->rep, 200, cJSON_Duplicate(rec, 1));
		reply_ready(j->waiter, w);
		j->waiter = NULL;
		j->waiter_pss = NULL;
	}
	if (j->closed && !j->connecting)
		job_free(j);
}

static void
job_timeout(lws_sorted_usec_list_t *sul)
{
	struct slash_job *j = lws_container_of(sul, struct slash_job, sul);
	struct lws *wsi = j->wsi;

	if (wsi) {
		/* the close callback frees j once it is done */
		lws_set_opaque_user_data(wsi, NULL);
		j->wsi = NULL;
		j->closed = 1;
		lws_set_timeout(wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
	} else
		j->closed = 1;
	job_finish(j, "timeout");
}

static void
job_detach(struct lws *wsi, struct slash_job *j)
{
	lws_set_opaque_user_data(wsi, NULL);
	j->wsi = NULL;
	j->closed = 1;
	if (j->done && !j->connecting)
		job_free(j);
}

static int
slash_cb(struct lws *wsi, enum lws_callback_reasons reason, void *user,
         void *in, size_t len)
{
	struct slash_job *j = lws_get_opaque_user_data(wsi);

	switch (reason) {
	case LWS_CALLBACK_CLIENT_APPEND_HANDSHAKE_HEADER: {
		unsigned char **p = (unsigned char **)in, *end = (*p) + len;
		char cl[24];

		if (!j)
			return -1;
		if (j->auth[0] &&
		    lws_add_http_header_by_token(
		        wsi, WSI_TOKEN_HTTP_AUTHORIZATION,
		        (unsigned char *)j->auth, (int)strlen(j->auth), p, end))
			return -1;
		if (lws_add_http_header_by_token(
		        wsi, WSI_TOKEN_HTTP_ACCEPT,
		        (unsigned char *)"application/json", 16, p, end))
			return -1;
		if (!j->is_post)
			break;
		snprintf(cl, sizeof(cl), "%zu", strlen(j->form));
		if (lws_add_http_header_by_token(
		        wsi, WSI_TOKEN_HTTP_CONTENT_TYPE,
		        (unsigned char *)(j->is_click
		                              ? "application/json"
		                              : "application/x-www-form-urlencoded"),
		        j->is_click ? 16 : 33, p, end) ||
		    lws_add_http_header_by_token(
		        wsi, WSI_TOKEN_HTTP_CONTENT_LENGTH,
		        (unsigned char *)cl, (int)strlen(cl), p, end))
			return -1;
		lws_client_http_body_pending(wsi, 1);
		lws_callback_on_writable(wsi);
		break;
	}

	case LWS_CALLBACK_CLIENT_HTTP_WRITEABLE: {
		size_t n;
		unsigned char *b;
		int w;

		if (!j || !j->is_post || j->body_sent)
			break;
		n = strlen(j->form);
		b = xmalloc(LWS_PRE + n + 1);
		memcpy(b + LWS_PRE, j->form, n);
		w = lws_write(wsi, b + LWS_PRE, n, LWS_WRITE_HTTP_FINAL);
		free(b);
		if (w < (int)n)
			return -1;
		j->body_sent = 1;
		lws_client_http_body_pending(wsi, 0);
		break;
	}

	case LWS_CALLBACK_ESTABLISHED_CLIENT_HTTP:
		if (j) {
			j->status = (int)lws_http_client_http_response(wsi);
			if (lws_hdr_copy(wsi, j->ctype, sizeof(j->ctype),
			                 WSI_TOKEN_HTTP_CONTENT_TYPE) < 0)
				j->ctype[0] = '\0';
		}
		break;

	case LWS_CALLBACK_RECEIVE_CLIENT_HTTP: {
		char buffer[4096 + LWS_PRE], *px = buffer + LWS_PRE;
		int lenx = (int)sizeof(buffer) - LWS_PRE;

		if (lws_http_client_read(wsi, &px, &lenx) < 0)
			return -1;
		return 0;
	}

	case LWS_CALLBACK_RECEIVE_CLIENT_HTTP_READ:
		if (j && !j->done)
			buf_add(&j->answer, in, len, MAX_SLASH_ANSWER);
		return 0;

	case LWS_CALLBACK_COMPLETED_CLIENT_HTTP:
		if (j && !g.shutting_down)
			job_finish(j, NULL);
		break;

	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
		if (j) {
			char err[200];

			snprintf(err, sizeof(err), "connect: %s",
			         in ? (const char *)in : "failed");
			if (!g.shutting_down)
				job_finish(j, err);
			job_detach(wsi, j);
		}
		break;

	case LWS_CALLBACK_CLOSED_CLIENT_HTTP:
		if (j) {
			if (!g.shutting_down)
				job_finish(j, "closed before the answer");
			job_detach(wsi, j);
		}
		break;

	default:
		break;
	}
	return lws_callback_http_dummy(wsi, reason, user, in, len);
}

static int
cmp_keys(const void *a, const void *b)
{
	return strcmp((*(cJSON *const *)a)->string,
	              (*(cJSON *const *)b)->string);
}

/* The fields form-encoded, keys sorted as Go's url.Values.Encode. */
static char *
encode_fields(const cJSON *fields)
{
	const cJSON *it;
	cJSON **items;
	struct buf b = { 0 };
	int n = 0, i;

	items = xcalloc((size_t)cJSON_GetArraySize(fields) + 1,
	                sizeof(*items));
	cJSON_ArrayForEach(it, fields) items[n++] = (cJSON *)it;
	qsort(items, (size_t)n, sizeof(*items), cmp_keys);
	buf_str(&b, "");
	for (i = 0; i < n; i++) {
		if (i)
			buf_str(&b, "&");
		form_encode(&b, items[i]->string);
		buf_str(&b, "=");
		form_encode(&b, items[i]->valuestring);
	}
	free(items);
	return b.p;
}

/*
 * Connects j's HTTP client and sends it. With wait, the control request
 * (wsi, pss) is answered with the result later and 1 is returned;
 * otherwise r gets pending (owned) at once.
 */
static int
job_launch(struct lws *wsi, struct pss *pss, struct slash_job *j, int wait,
           struct reply *r, cJSON *pending)
{
	struct lws_client_connect_info ci;
	struct lws *cwsi;
	char host[80];

	j->next = g.jobs;
	g.jobs = j;
	memset(&ci, 0, sizeof(ci));
	snprintf(host, sizeof(host), "%s:%d", j->host, j->port);
	ci.context = g.cx;
	ci.vhost = g.vh;
	ci.address = j->host;
	ci.port = j->port;
	ci.path = j->path;
	ci.host = host;
	ci.method = j->is_post ? "POST" : "GET";
	ci.alpn = "http/1.1";
	ci.ssl_connection = 0;
	ci.local_protocol_name = SLASH_PCOL;
	ci.opaque_user_data = j;
	lws_sul_schedule(g.cx, 0, &j->sul, job_timeout,
	                 (lws_usec_t)SLASH_TIMEOUT_MS * LWS_US_PER_MS);
	/*
	 * No ci.pwsi: lws never holds a pointer into j. A connection error
	 * can be reported from inside the call; j->connecting keeps j alive
	 * until it returns.
	 */
	j->connecting = 1;
	cwsi = lws_client_connect_via_info(&ci);
	j->connecting = 0;
	if (!cwsi || j->closed) {
		j->wsi = NULL;
		j->closed = 1;
		job_finish(j, "connect: failed"); /* no-op if already done */
	} else
		j->wsi = cwsi;
	if (j->done) {
		cJSON_Delete(pending);
		reply_json(r, 200, cJSON_Duplicate(j->rec, 1));
		if (j->closed)
			job_free(j);
		return 0;
	}
	if (wait) {
		cJSON_Delete(pending);
		j->waiter = wsi;
		j->waiter_pss = pss;
		pss->wait = j;
		return 1;
	}
	reply_json(r, 200, pending);
	return 0;
}

static const cJSON *
command_by_trigger(const char *command)
{
	const cJSON *it;

	if (*command == '/')
		command++;
	cJSON_ArrayForEach(it, g.commands) {
		const char *tr = jstr(it, "trigger");

		if (tr && !strcasecmp(tr, command))
			return it;
	}
	return NULL;
}

/*
 * POST /_control/slash. Returns 1 when the answer waits for the bot.
 */
static int
control_slash(struct lws *wsi, struct pss *pss, const cJSON *in,
              struct reply *r)
{
	static const char *const own[] = { "url", "method", "authorization",
		                           "wait" };
	const char *command = jstr(in, "command"), *url, *method, *tok;
	const char *prot, *ads, *path;
	const cJSON *cmd, *it;
	struct slash_job *j;
	char hookurl[160], hookid[32], trig[64], ubuf[1100];
	cJSON *fields, *rec;
	int port, wait = jbool(in, "wait", 1);
	size_t i;

	if (!command)
		command = "/opsbot";
	cmd = command_by_trigger(command);
	url = jstr(in, "url");
	if (!url && cmd)
		url = jstr(cmd, "url");
	method = jstr(in, "method");
	if (!method)
		method = cmd && jstr(cmd, "method") ? jstr(cmd, "method") : "P";
	tok = jstr(in, "token");
	if (!tok)
		tok = cmd && jstr(cmd, "token") ? jstr(cmd, "token")
		                                : "fake-command-token";
	if (!url) {
		reply_error(r, 400, "no_url");
		return 0;
	}
	if (strlen(url) >= sizeof(ubuf) - 1) {
		reply_error(r, 400, "bad_url");
		return 0;
	}
	snprintf(ubuf, sizeof(ubuf), "%s", url);
	if (lws_parse_uri(ubuf, &prot, &ads, &port, &path) ||
	    strcmp(prot, "http") ||
	    (strcmp(ads, "127.0.0.1") && strcmp(ads, "localhost"))) {
		reply_error(r, 400, "url_must_be_http_127.0.0.1");
		return 0;
	}
	if (strcmp(method, "P") && strcmp(method, "G")) {
		reply_error(r, 400, "method_must_be_P_or_G");
		return 0;
	}

	new_hook(hookurl, sizeof(hookurl), hookid, sizeof(hookid));
	snprintf(trig, sizeof(trig), "trig%022d", ++g.n_trigger);
	fields = cJSON_CreateObject();
	{
		const struct {
			const char *key, *dflt;
		} f[] = {
			{ "token", tok },
			{ "team_id", TEAM_ID },
			{ "team_domain", TEAM_NAME },
			{ "channel_id", CHAN_PROD },
			{ "channel_name", "ops-prod" },
			{ "user_id", JDOE_ID },
			{ "user_name", "jdoe" },
			{ "command", command },
			{ "text", "status" },
			{ "response_url", hookurl },
			{ "trigger_id", trig },
		};

		for (i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
			const char *v = jstr(in, f[i].key);

			cJSON_AddStringToObject(fields, f[i].key,
			                        v ? v : f[i].dflt);
		}
	}
	/* any other key the test passes becomes one more form field */
	cJSON_ArrayForEach(it, in) {
		int skip = 0;

		for (i = 0; i < sizeof(own) / sizeof(own[0]); i++)
			if (!strcmp(it->string, own[i]))
				skip = 1;
		if (skip || cJSON_HasObjectItem(fields, it->string))
			continue;
		if (cJSON_IsString(it))
			cJSON_AddStringToObject(fields, it->string,
			                        it->valuestring);
		else {
			char *s = json_text(it);

			cJSON_AddStringToObject(fields, it->string, s);
			free(s);
		}
	}

	j = xcalloc(1, sizeof(*j));
	j->id = ++g.n_jobs;
	j->is_post = !strcmp(method, "P");
	j->port = port;
	j->t0_us = now_us();
	snprintf(j->host, sizeof(j->host), "%s", ads);
	j->form = encode_fields(fields);
	if (j->is_post)
		snprintf(j->path, sizeof(j->path), "/%s", path);
	else
		snprintf(j->path, sizeof(j->path), "/%s%s%s", path,
		         strchr(path, '?') ? "&" : "?", j->form);
	it = cJSON_GetObjectItemCaseSensitive(in, "authorization");
	if (cJSON_IsString(it))
		snprintf(j->auth, sizeof(j->auth), "%s", it->valuestring);
	else
		snprintf(j->auth, sizeof(j->auth), "Token %s", tok);

	rec = cJSON_CreateObject();
	cJSON_AddNumberToObject(rec, "id", j->id);
	cJSON_AddStringToObject(rec, "url", url);
	cJSON_AddStringToObject(rec, "method", j->is_post ? "POST" : "GET");
	cJSON_AddStringToObject(rec, "command", jstr(fields, "command"));
	cJSON_AddStringToObject(rec, "text", jstr(fields, "text"));
	cJSON_AddStringToObject(rec, "token", jstr(fields, "token"));
	cJSON_AddStringToObject(rec, "response_url", hookurl);
	cJSON_AddStringToObject(rec, "trigger_id", jstr(fields, "trigger_id"));
	j->rec = rec;
	cJSON_Delete(fields);
	{
		cJSON *a = cJSON_CreateObject();

		cJSON_AddNumberToObject(a, "id", j->id);
		cJSON_AddStringToObject(a, "response_url", hookurl);
		cJSON_AddStringToObject(a, "trigger_id", trig);
		cJSON_AddTrueToObject(a, "pending");
		say("slash %d: %s %s to %s", j->id, jstr(rec, "command"),
		    jstr(rec, "text"), url);
		return job_launch(wsi, pss, j, wait, r, a);
	}
}

/*
 * POST /_control/click: a person presses a button the bot posted. The
 * post is "post_id" (a stored post) or the newest bot message with
 * buttons; the button is "action_id" (its id) or the first. The fake
 * POSTs the docs/protocols.md §5.4 JSON to the button's integration.url with
 * its context exactly as stored ("url" and "context" override them, to
 * forge a click). Returns 1 when the answer waits for the bot.
 */
static int
control_click(struct lws *wsi, struct pss *pss, const cJSON *in,
              struct reply *r)
{
	const char *post_id = jstr(in, "post_id"), *want = jstr(in, "action_id");
	const char *url, *chan, *prot, *ads, *path, *type, *cname, *disp, *team;
	const cJSON *acts = NULL, *act = NULL, *it, *ctx, *integ;
	const struct post *p;
	struct slash_job *j;
	char ubuf[1100], trig[64], dmbuf[80];
	cJSON *body, *rec;
	int port;

	if (post_id) {
		if (!(p = post_find(post_id))) {
			reply_error(r, 404, "no_such_post");
			return 0;
		}
		cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(
		                           p->props, "attachments")) {
			const cJSON *a =
			    cJSON_GetObjectItemCaseSensitive(it, "actions");

			if (!acts && cJSON_IsArray(a))
				acts = a;
		}
		chan = p->channel_id;
	} else {
		acts = cJSON_GetObjectItemCaseSensitive(g.last_buttons,
		                                        "actions");
		post_id = jstr(g.last_buttons, "post_id");
		chan = jstr(g.last_buttons, "channel_id");
	}
	cJSON_ArrayForEach(it, acts) {
		const char *id = jstr(it, "id");

		if (!act && (!want || (id && !strcmp(id, want))))
			act = it;
	}
	if (!act) {
		reply_error(r, 404, "no_button");
		return 0;
	}
	if (!action_id_routable(jstr(act, "id"))) {
		/* What the clicker's client gets; the bot hears nothing. */
		rec = cJSON_CreateObject();
		cJSON_AddNumberToObject(rec, "id", ++g.n_jobs);
		cJSON_AddStringToObject(rec, "post_id", post_id ? post_id : "");
		cJSON_AddItemToObject(rec, "action_id", dup_or_null(
		    cJSON_GetObjectItemCaseSensitive(act, "id")));
		cJSON_AddNumberToObject(rec, "status", 404);
		cJSON_AddStringToObject(rec, "error",
		                        "api.context.404.app_error: no route "
		                        "for this action id ([A-Za-z0-9]+)");
		cJSON_AddItemToArray(g.click_results, cJSON_Duplicate(rec, 1));
		say("click %d: id %s is not routable: 404", g.n_jobs,
		    jstr(act, "id") ? jstr(act, "id") : "(none)");
		reply_json(r, 200, rec);
		return 0;
	}
	integ = cJSON_GetObjectItemCaseSensitive(act, "integration");
	url = jstr(in, "url") ? jstr(in, "url") : jstr(integ, "url");
	ctx = cJSON_HasObjectItem(in, "context")
	          ? cJSON_GetObjectItemCaseSensitive(in, "context")
	          : cJSON_GetObjectItemCaseSensitive(integ, "context");
	if (!url || strlen(url) >= sizeof(ubuf) - 1) {
		reply_error(r, 400, "no_url");
		return 0;
	}
	snprintf(ubuf, sizeof(ubuf), "%s", url);
	if (lws_parse_uri(ubuf, &prot, &ads, &port, &path) ||
	    strcmp(prot, "http") ||
	    (strcmp(ads, "127.0.0.1") && strcmp(ads, "localhost"))) {
		reply_error(r, 400, "url_must_be_http_127.0.0.1");
		return 0;
	}
	if (jstr(in, "channel_id"))
		chan = jstr(in, "channel_id");
	if (!chan || !*chan)
		chan = CHAN_PROD;
	channel_fields(chan, &type, &cname, &disp, &team, dmbuf, sizeof(dmbuf));
	snprintf(trig, sizeof(trig), "trig%022d", ++g.n_trigger);

	body = cJSON_CreateObject();
	cJSON_AddStringToObject(body, "user_id", jstr(in, "user_id")
	                                             ? jstr(in, "user_id")
	                                             : JDOE_ID);
	cJSON_AddStringToObject(body, "user_name", jstr(in, "user_name")
	                                               ? jstr(in, "user_name")
	                                               : "jdoe");
	cJSON_AddStringToObject(body, "channel_id", chan);
	cJSON_AddStringToObject(body, "channel_name", cname);
	cJSON_AddStringToObject(body, "team_id", TEAM_ID);
	cJSON_AddStringToObject(body, "team_domain", TEAM_NAME);
	cJSON_AddStringToObject(body, "post_id", post_id ? post_id : "");
	cJSON_AddStringToObject(body, "trigger_id", trig);
	cJSON_AddStringToObject(body, "type", "button");
	cJSON_AddStringToObject(body, "data_source", "");
	cJSON_AddItemToObject(body, "context",
	                      ctx ? cJSON_Duplicate(ctx, 1) : cJSON_CreateNull());

	j = xcalloc(1, sizeof(*j));
	j->id = ++g.n_jobs;
	j->is_post = 1;
	j->is_click = 1;
	j->port = port;
	j->t0_us = now_us();
	snprintf(j->host, sizeof(j->host), "%s", ads);
	snprintf(j->path, sizeof(j->path), "/%s", path);
	j->form = json_text(body);
	j->auth[0] = '\0'; /* Mattermost sends no token with a click */

	rec = cJSON_CreateObject();
	cJSON_AddNumberToObject(rec, "id", j->id);
	cJSON_AddStringToObject(rec, "url", url);
	cJSON_AddStringToObject(rec, "post_id", post_id ? post_id : "");
	cJSON_AddItemToObject(rec, "action_id",
	                      dup_or_null(cJSON_GetObjectItemCaseSensitive(act,
	                                                                   "id")));
	cJSON_AddItemToObject(rec, "request", body);
	j->rec = rec;
	say("click %d: %s on %s to %s", j->id,
	    jstr(act, "id") ? jstr(act, "id") : "?", post_id ? post_id : "-",
	    url);
	{
		cJSON *a = cJSON_CreateObject();

		cJSON_AddNumberToObject(a, "id", j->id);
		cJSON_AddTrueToObject(a, "pending");
		return job_launch(wsi, pss, j, jbool(in, "wait", 1), r, a);
	}
}

/*
 * POST (or GET) /_control/echo: a stand-in slash command receiver, so the
 * self-test can deliver a command to this very fake. Answers ?status=N
 * (200 by default) with the request it got.
 */
static void
control_echo(struct lws *wsi, const struct pss *pss, struct reply *r)
{
	cJSON *j = cJSON_CreateObject(), *req, *form;
	char frag[2048];
	const char *cmd, *text;
	char t[600];
	int i;

	if (pss->method == M_POST)
		form = parse_form(pss->body.p ? pss->body.p : "", pss->body.len);
	else {
		form = cJSON_CreateObject();
		for (i = 0; lws_hdr_copy_fragment(wsi, frag, sizeof(frag),
		                                  WSI_TOKEN_HTTP_URI_ARGS,
		                                  i) >= 0;
		     i++) {
			char *eq = strchr(frag, '=');

			if (!eq || eq == frag)
				continue;
			*eq = '\0';
			if (!cJSON_HasObjectItem(form, frag))
				cJSON_AddStringToObject(form, frag, eq + 1);
		}
	}
	cmd = jstr(form, "command");
	text = jstr(form, "text");
	snprintf(t, sizeof(t), "echo: %s %s", cmd ? cmd : "", text ? text : "");
	cJSON_AddStringToObject(j, "response_type", "ephemeral");
	cJSON_AddStringToObject(j, "text", t);
	req = cJSON_AddObjectToObject(j, "request");
	cJSON_AddStringToObject(req, "method", method_names[pss->method]);
	cJSON_AddStringToObject(req, "authorization", pss->auth);
	cJSON_AddStringToObject(req, "content_type", pss->ctype);
	cJSON_AddStringToObject(req, "accept", pss->accept);
	cJSON_AddItemToObject(req, "form", form);
	reply_json(r, pss->arg_status >= 100 && pss->arg_status <= 599
	                  ? pss->arg_status
	                  : 200,
	           j);
}

/* ------------------------------------------------------------------------
 * Control API
 */

static cJSON *
sessions_json(void)
{
	cJSON *a = cJSON_CreateArray();
	struct session *s;

	for (s = g.sessions; s; s = s->next) {
		cJSON *o = cJSON_CreateObject();

		cJSON_AddStringToObject(o, "connection_id", s->id);
		cJSON_AddNumberToObject(o, "next_seq", (double)s->next_seq);
		cJSON_AddNumberToObject(o, "first_kept",
		                        (double)session_first_kept(s));
		cJSON_AddBoolToObject(o, "open", s->conn && !s->conn->dropped);
		cJSON_AddNumberToObject(o, "conn", s->conn ? s->conn->id : 0);
		cJSON_AddItemToArray(a, o);
	}
	return a;
}

static cJSON *
state_json(void)
{
	cJSON *s = cJSON_CreateObject();

	cJSON_AddNumberToObject(s, "connections_open", conns_open());
	cJSON_AddNumberToObject(s, "connections_total", g.n_conn);
	cJSON_AddNumberToObject(s, "auth_header", g.auth_header);
	cJSON_AddNumberToObject(s, "auth_challenge", g.auth_challenge);
	cJSON_AddNumberToObject(s, "replayed", g.replayed);
	cJSON_AddNumberToObject(s, "deduped", g.deduped);
	cJSON_AddItemToObject(s, "posts", cJSON_Duplicate(g.rec_posts, 1));
	cJSON_AddItemToObject(s, "ephemerals",
	                      cJSON_Duplicate(g.ephemerals, 1));
	cJSON_AddItemToObject(s, "patches", cJSON_Duplicate(g.patches, 1));
	cJSON_AddItemToObject(s, "responses", cJSON_Duplicate(g.responses, 1));
	cJSON_AddItemToObject(s, "slash_results",
	                      cJSON_Duplicate(g.slash_results, 1));
	cJSON_AddItemToObject(s, "click_results",
	                      cJSON_Duplicate(g.click_results, 1));
	cJSON_AddNumberToObject(s, "pongs", g.pongs);
	cJSON_AddNumberToObject(s, "app_pings", g.app_pings);
	cJSON_AddItemToObject(s, "commands_registered",
	                      cJSON_Duplicate(g.commands, 1));
	cJSON_AddItemToObject(s, "dead_buttons",
	                      cJSON_Duplicate(g.dead_buttons, 1));
	cJSON_AddNumberToObject(s, "auth_failed", g.auth_failed);
	cJSON_AddNumberToObject(s, "auth_timeouts", g.auth_timeouts);
	cJSON_AddNumberToObject(s, "resumes", g.resumes);
	cJSON_AddNumberToObject(s, "bad_frames", g.bad_frames);
	cJSON_AddItemToObject(s, "bad_frame_samples",
	                      cJSON_Duplicate(g.bad_samples, 1));
	cJSON_AddItemToObject(s, "ws_actions", cJSON_Duplicate(g.actions, 1));
	cJSON_AddItemToObject(s, "api_calls", cJSON_Duplicate(g.calls, 1));
	cJSON_AddItemToObject(s, "sessions", sessions_json());
	return s;
}

static cJSON *
counts_json(void)
{
	cJSON *c = cJSON_CreateObject();

	cJSON_AddNumberToObject(c, "posts", cJSON_GetArraySize(g.rec_posts));
	cJSON_AddNumberToObject(c, "patches", cJSON_GetArraySize(g.patches));
	cJSON_AddNumberToObject(c, "responses",
	                        cJSON_GetArraySize(g.responses));
	cJSON_AddNumberToObject(c, "slash_results",
	                        cJSON_GetArraySize(g.slash_results));
	cJSON_AddNumberToObject(c, "click_results",
	                        cJSON_GetArraySize(g.click_results));
	cJSON_AddNumberToObject(c, "commands_registered",
	                        cJSON_GetArraySize(g.commands));
	cJSON_AddNumberToObject(c, "connections_open", conns_open());
	cJSON_AddNumberToObject(c, "sessions", g.n_sessions);
	cJSON_AddNumberToObject(c, "app_pings", g.app_pings);
	cJSON_AddNumberToObject(c, "pongs", g.pongs);
	cJSON_AddNumberToObject(c, "bad_frames", g.bad_frames);
	return c;
}

/* POST /_control/post: a user's post, pushed as a posted event. */
static void
control_post(const cJSON *in, struct reply *r)
{
	const char *chan = jstr(in, "channel_id"), *user = jstr(in, "user_id");
	const char *uname = jstr(in, "user_name"), *msg = jstr(in, "message");
	const char *root = jstr(in, "root_id"), *type, *name, *disp, *team;
	const cJSON *props = cJSON_GetObjectItemCaseSensitive(in, "props");
	const cJSON *ment = cJSON_GetObjectItemCaseSensitive(in, "mentions");
	cJSON *mentions = NULL, *j, *seqs;
	struct post *p;
	char dmbuf[80], sender[80];
	int delivered, queued;
	int64_t seq;

	if (!chan)
		chan = CHAN_PROD;
	if (!user)
		user = JDOE_ID;
	if (!uname)
		uname = !strcmp(user, BOT_USER_ID) ? BOT_USERNAME : "jdoe";
	if (!msg)
		msg = "@" BOT_USERNAME " health db";
	channel_fields(chan, &type, &name, &disp, &team, dmbuf, sizeof(dmbuf));
	if (jstr(in, "channel_type"))
		type = jstr(in, "channel_type");
	if (jstr(in, "channel_name"))
		name = jstr(in, "channel_name");
	if (jstr(in, "channel_display_name"))
		disp = jstr(in, "channel_display_name");
	if (jstr(in, "team_id"))
		team = jstr(in, "team_id");
	snprintf(sender, sizeof(sender), "@%s", uname);
	if (jstr(in, "sender_name"))
		snprintf(sender, sizeof(sender), "%s", jstr(in, "sender_name"));

	p = post_new();
	snprintf(p->channel_id, sizeof(p->channel_id), "%s", chan);
	snprintf(p->root_id, sizeof(p->root_id), "%s", root ? root : "");
	snprintf(p->user_id, sizeof(p->user_id), "%s", user);
	p->message = xstrdup(msg);
	p->type = jstr(in, "type") ? xstrdup(jstr(in, "type")) : NULL;
	p->props = cJSON_IsObject(props) ? cJSON_Duplicate(props, 1) : NULL;

	if (cJSON_IsArray(ment))
		mentions = cJSON_Duplicate(ment, 1);
	else if (!cJSON_IsNull(ment) && strcmp(user, BOT_USER_ID) &&
	         (mentions_bot(msg) || !strcmp(type, "D"))) {
		mentions = cJSON_CreateArray();
		cJSON_AddItemToArray(mentions, cJSON_CreateString(BOT_USER_ID));
	}
	seqs = cJSON_CreateObject();
	seq = emit_posted(p, sender, type, name, disp, team, mentions,
	                  jbool(in, "set_online", 1), &delivered, &queued,
	                  seqs);
	cJSON_Delete(mentions);
	j = cJSON_CreateObject();
	cJSON_AddStringToObject(j, "post_id", p->id);
	cJSON_AddNumberToObject(j, "seq", (double)seq);
	cJSON_AddStringToObject(j, "connection_id",
	                        g.sessions ? g.sessions->id : "");
	cJSON_AddNumberToObject(j, "delivered", delivered);
	cJSON_AddNumberToObject(j, "queued", queued);
	cJSON_AddNumberToObject(j, "create_at", (double)p->create_at);
	cJSON_AddItemToObject(j, "seqs", seqs);
	reply_json(r, 200, j);
}

/* POST /_control/event: any event, e.g. typing or status_change. */
static void
control_event(const cJSON *in, struct reply *r)
{
	const char *event = jstr(in, "event");
	const cJSON *data = cJSON_GetObjectItemCaseSensitive(in, "data");
	const cJSON *bcin = cJSON_GetObjectItemCaseSensitive(in, "broadcast");
	cJSON *bc, *d, *j, *seqs;
	int delivered, queued;
	int64_t seq;

	if (!event || !*event) {
		reply_error(r, 400, "no_event");
		return;
	}
	d = cJSON_IsObject(data) ? cJSON_Duplicate(data, 1)
	                         : cJSON_CreateObject();
	bc = cJSON_IsObject(bcin) ? cJSON_Duplicate(bcin, 1)
	                          : broadcast_new("", "", "");
	seqs = cJSON_CreateObject();
	seq = broadcast_event(event, d, bc, &delivered, &queued, seqs);
	cJSON_Delete(d);
	cJSON_Delete(bc);
	j = cJSON_CreateObject();
	cJSON_AddNumberToObject(j, "seq", (double)seq);
	cJSON_AddStringToObject(j, "connection_id",
	                        g.sessions ? g.sessions->id : "");
	cJSON_AddNumberToObject(j, "delivered", delivered);
	cJSON_AddNumberToObject(j, "queued", queued);
	cJSON_AddItemToObject(j, "seqs", seqs);
	reply_json(r, 200, j);
}

/* The newest open socket, authenticated or not. */
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
control_raw(const struct pss *pss, struct reply *r)
{
	struct conn *c = newest_conn();
	cJSON *j;

	if (!c) {
		reply_error(r, 409, "no_connection");
		return;
	}
	conn_queue(c, frame_new(pss->arg_binary ? LWS_WRITE_BINARY
	                                        : LWS_WRITE_TEXT,
	                        pss->body.p, pss->body.len));
	j = ok_object();
	cJSON_AddNumberToObject(j, "conn", c->id);
	cJSON_AddNumberToObject(j, "bytes", (double)pss->body.len);
	reply_json(r, 200, j);
}

static void
control_drop(struct reply *r)
{
	struct conn *c;
	cJSON *j;
	int n = 0;

	for (c = g.conns; c; c = c->next)
		if (!c->dropped) {
			conn_drop(c, "control drop");
			n++;
		}
	j = ok_object();
	cJSON_AddNumberToObject(j, "dropped", n);
	reply_json(r, 200, j);
}

/* Closes every socket with a close frame (default 1001, going away). */
static void
control_close(const cJSON *in, struct reply *r)
{
	struct conn *c;
	cJSON *j;
	int n = 0, code = jint(in, "code", 1001);

	for (c = g.conns; c; c = c->next)
		if (!c->dropped && !c->closing) {
			c->closing = 1;
			c->close_code = code;
			lws_callback_on_writable(c->wsi);
			n++;
		}
	j = ok_object();
	cJSON_AddNumberToObject(j, "closed", n);
	reply_json(r, 200, j);
}

static void
control_ping(struct reply *r)
{
	struct conn *c;
	cJSON *j;
	int n = 0;

	for (c = g.conns; c; c = c->next) {
		if (c->dropped || c->closing)
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

/* Forgets the connection ids that have no socket (a server restart). */
static void
control_forget(struct reply *r)
{
	struct session *s, *next;
	cJSON *j;
	int n = 0;

	for (s = g.sessions; s; s = next) {
		next = s->next;
		if (!s->conn) {
			session_unlink(s);
			n++;
		}
	}
	j = ok_object();
	cJSON_AddNumberToObject(j, "forgotten", n);
	reply_json(r, 200, j);
}

/* Returns 1 when the answer is deferred. */
static int
control(struct lws *wsi, struct pss *pss, const char *what, struct reply *r)
{
	cJSON *in;
	int deferred = 0;

	if (!strcmp(what, "state")) {
		reply_json(r, 200, state_json());
		return 0;
	}
	if (!strcmp(what, "counts")) {
		reply_json(r, 200, counts_json());
		return 0;
	}
	if (!strcmp(what, "raw")) {
		control_raw(pss, r);
		return 0;
	}
	if (!strcmp(what, "echo")) {
		control_echo(wsi, pss, r);
		return 0;
	}
	in = pss->body.len ? cJSON_ParseWithLength(pss->body.p, pss->body.len)
	                   : cJSON_CreateObject();
	if (!cJSON_IsObject(in)) {
		cJSON_Delete(in);
		reply_error(r, 400, "invalid_json");
		return 0;
	}
	if (!strcmp(what, "post"))
		control_post(in, r);
	else if (!strcmp(what, "event"))
		control_event(in, r);
	else if (!strcmp(what, "slash"))
		deferred = control_slash(wsi, pss, in, r);
	else if (!strcmp(what, "click"))
		deferred = control_click(wsi, pss, in, r);
	else if (!strcmp(what, "drop"))
		control_drop(r);
	else if (!strcmp(what, "close"))
		control_close(in, r);
	else if (!strcmp(what, "ping"))
		control_ping(r);
	else if (!strcmp(what, "ratelimit"))
		control_ratelimit(in, r);
	else if (!strcmp(what, "forget"))
		control_forget(r);
	else if (!strcmp(what, "command")) {
		/*
		 * {"trigger","creator_id","url"}: a command another user
		 * registered in the team; the bot can neither see nor change
		 * it. Kept by reset, like every registered command.
		 */
		cJSON *cmd = cJSON_CreateObject(), *j;
		char cid[32], tok[32];

		snprintf(cid, sizeof(cid), "cmdother%018d", ++g.n_cmd);
		snprintf(tok, sizeof(tok), "tokother%018d", g.n_cmd);
		cJSON_AddStringToObject(cmd, "id", cid);
		cJSON_AddStringToObject(cmd, "token", tok);
		cJSON_AddStringToObject(cmd, "creator_id",
		                        jstr(in, "creator_id") ? jstr(in, "creator_id")
		                                               : JDOE_ID);
		cJSON_AddStringToObject(cmd, "team_id", TEAM_ID);
		cJSON_AddStringToObject(cmd, "trigger", jstr(in, "trigger")
		                                            ? jstr(in, "trigger")
		                                            : "opsbot");
		cJSON_AddStringToObject(cmd, "url", jstr(in, "url")
		                                        ? jstr(in, "url")
		                                        : "http://127.0.0.1:9/other");
		cJSON_AddStringToObject(cmd, "method", "P");
		cJSON_AddItemToArray(g.commands, cmd);
		j = ok_object();
		cJSON_AddStringToObject(j, "id", cid);
		reply_json(r, 200, j);
	} else if (!strcmp(what, "lose")) {
		/* {"count":1}: the next creates are made, answered 504. */
		g.lose_posts = jint(in, "count", 1);
		reply_json(r, 200, ok_object());
	} else if (!strcmp(what, "membership")) {
		/* {"channel":"ops-alerts","member":false}: kick the bot. */
		const char *name = jstr(in, "channel");
		size_t i;

		for (i = 0; name && i < N_CHANNELS; i++)
			if (!strcmp(channels[i].name, name))
				channels[i].bot_member = jbool(in, "member", 1);
		reply_json(r, 200, ok_object());
	} else if (!strcmp(what, "permissions")) {
		/* {"create_post_ephemeral": false}: the bot account lacks it. */
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(
		    in, "create_post_ephemeral");

		if (cJSON_IsBool(v))
			g.no_ephemeral = cJSON_IsFalse(v);
		reply_json(r, 200, ok_object());
	}
	else if (!strcmp(what, "reset")) {
		records_free();
		records_new();
		rules_free();
		reply_json(r, 200, ok_object());
	} else
		reply_error(r, 404, "unknown_control");
	cJSON_Delete(in);
	return deferred;
}

static int
route(struct lws *wsi, struct pss *pss, struct reply *r)
{
	const char *p = pss->path;

	if (pss->body_over)
		reply_app_error(r, 413, "api.context.request_too_large",
		                "Request body too large.");
	else if (!strncmp(p, "/api/v4/", 8))
		api(pss, r);
	else if (!strncmp(p, "/hooks/commands/", 16))
		hook_request(pss, r);
	else if (!strncmp(p, "/_control/", 10))
		return control(wsi, pss, p + 10, r);
	else
		reply_not_found(r);
	return 0;
}

/* The reply in pss->rep is complete: write it when writable. */
static void
reply_ready(struct lws *wsi, struct pss *pss)
{
	if (!pss->rep.body)
		reply_error(&pss->rep, 500, "fake_mattermost_bug");
	say("%s %s -> %d", method_names[pss->method], pss->path,
	    pss->rep.status);
	buf_free(&pss->body);
	pss->rep_stage = 1;
	lws_callback_on_writable(wsi);
}

static int
handle_request(struct lws *wsi, struct pss *pss)
{
	pss->rep.retry_after = -1;
	if (route(wsi, pss, &pss->rep))
		return 0; /* answered later (slash wait) */
	reply_ready(wsi, pss);
	return 0;
}

/* HTTP_WRITEABLE: the headers, then the body on the next call. */
static int
write_reply(struct lws *wsi, struct pss *pss)
{
	unsigned char hdr[LWS_PRE + 2048], *start = hdr + LWS_PRE, *p = start;
	unsigned char *end = hdr + sizeof(hdr) - 1;
	struct reply *r = &pss->rep;
	size_t n;
	int w;

	if (pss->rep_stage == 1) {
		n = strlen(r->body);
		if (lws_add_http_common_headers(wsi, (unsigned)r->status,
		                                r->ctype, (lws_filepos_t)n, &p,
		                                end))
			return -1;
		if (r->retry_after >= 0) {
			char ra[16];
			int l = snprintf(ra, sizeof(ra), "%d", r->retry_after);

			if (lws_add_http_header_by_name(
			        wsi, (const unsigned char *)"retry-after:",
			        (const unsigned char *)ra, l, &p, end))
				return -1;
		}
		if (r->ratelimit) {
			char reset[24];
			int l = snprintf(reset, sizeof(reset), "%d",
			                 r->retry_after > 0 ? r->retry_after
			                                    : 1);

			if (lws_add_http_header_by_name(
			        wsi,
			        (const unsigned char *)"x-ratelimit-limit:",
			        (const unsigned char *)"10", 2, &p, end) ||
			    lws_add_http_header_by_name(
			        wsi,
			        (const unsigned char *)"x-ratelimit-remaining:",
			        (const unsigned char *)"0", 1, &p, end) ||
			    lws_add_http_header_by_name(
			        wsi,
			        (const unsigned char *)"x-ratelimit-reset:",
			        (const unsigned char *)reset, l, &p, end))
				return -1;
		}
		if (lws_add_http_header_by_name(
		        wsi, (const unsigned char *)"x-request-id:",
		        (const unsigned char *)"r1", 2, &p, end))
			return -1;
		if (lws_finalize_write_http_header(wsi, start, &p, end))
			return -1;
		free(pss->resp);
		pss->resp = xmalloc(LWS_PRE + n + 1);
		memcpy(pss->resp + LWS_PRE, r->body, n);
		pss->resp_len = n;
		free(r->body);
		memset(r, 0, sizeof(*r));
		pss->rep_stage = 2;
		lws_callback_on_writable(wsi);
		return 0;
	}
	if (pss->rep_stage != 2 || !pss->resp)
		return 0;
	pss->rep_stage = 0;
	w = lws_write(wsi, pss->resp + LWS_PRE, pss->resp_len,
	              LWS_WRITE_HTTP_FINAL);
	free(pss->resp);
	pss->resp = NULL;
	if (w < (int)pss->resp_len)
		return -1;
	if (lws_http_transaction_completed(wsi))
		return -1;
	return 0;
}

static void
http_begin(struct lws *wsi, struct pss *pss, const char *path)
{
	char tmp[1024]; /* big enough for any query fragment, see above */
	const char *v;

	buf_free(&pss->body);
	pss->body_over = 0;
	free(pss->rep.body);
	memset(&pss->rep, 0, sizeof(pss->rep));
	pss->rep_stage = 0;
	if (lws_hdr_total_length(wsi, WSI_TOKEN_GET_URI))
		pss->method = M_GET;
	else if (lws_hdr_total_length(wsi, WSI_TOKEN_POST_URI))
		pss->method = M_POST;
	else if (lws_hdr_total_length(wsi, WSI_TOKEN_PUT_URI))
		pss->method = M_PUT;
	else if (lws_hdr_total_length(wsi, WSI_TOKEN_DELETE_URI))
		pss->method = M_DELETE;
	else if (lws_hdr_total_length(wsi, WSI_TOKEN_PATCH_URI))
		pss->method = M_PATCH;
	else
		pss->method = M_OTHER;
	snprintf(pss->path, sizeof(pss->path), "%s", path ? path : "");
	if (lws_hdr_copy(wsi, pss->auth, sizeof(pss->auth),
	                 WSI_TOKEN_HTTP_AUTHORIZATION) < 0)
		pss->auth[0] = '\0';
	if (lws_hdr_copy(wsi, pss->ctype, sizeof(pss->ctype),
	                 WSI_TOKEN_HTTP_CONTENT_TYPE) < 0)
		pss->ctype[0] = '\0';
	if (lws_hdr_copy(wsi, pss->accept, sizeof(pss->accept),
	                 WSI_TOKEN_HTTP_ACCEPT) < 0)
		pss->accept[0] = '\0';
	v = lws_get_urlarg_by_name(wsi, "access_token=", tmp, sizeof(tmp));
	snprintf(pss->access_token, sizeof(pss->access_token), "%s",
	         v ? v : "");
	v = lws_get_urlarg_by_name(wsi, "binary=", tmp, sizeof(tmp));
	pss->arg_binary = v && strcmp(v, "0") != 0;
	v = lws_get_urlarg_by_name(wsi, "status=", tmp, sizeof(tmp));
	pss->arg_status = v ? atoi(v) : 0;
	v = lws_get_urlarg_by_name(wsi, "set_online=", tmp, sizeof(tmp));
	pss->set_online = !v || strcmp(v, "false") != 0;
	v = lws_get_urlarg_by_name(wsi, "team_id=", tmp, sizeof(tmp));
	snprintf(pss->team_q, sizeof(pss->team_q), "%s", v ? v : "");
}

/* The websocket upgrade: authenticate, then resume or say hello. */
static void
ws_established(struct lws *wsi, struct pss *pss)
{
	/*
	 * lws_get_urlarg_by_name() copies each query fragment into the
	 * buffer and gives up at the first one that does not fit: size the
	 * buffers for any fragment, not just the one wanted.
	 */
	char auth[512], qtok[1024], qcid[1024], qseq[1024];
	const char *tok, *cid, *seqs;
	struct session *s;
	struct conn *c;

	c = xcalloc(1, sizeof(*c));
	c->wsi = wsi;
	c->id = ++g.n_conn;
	c->next = g.conns;
	g.conns = c;
	pss->conn = c;
	if (lws_hdr_copy(wsi, auth, sizeof(auth),
	                 WSI_TOKEN_HTTP_AUTHORIZATION) < 0)
		auth[0] = '\0';
	tok = request_token(auth, lws_get_urlarg_by_name(
	                              wsi, "access_token=", qtok, sizeof(qtok)));
	cid = lws_get_urlarg_by_name(wsi, "connection_id=", qcid, sizeof(qcid));
	seqs = lws_get_urlarg_by_name(wsi, "sequence_number=", qseq,
	                              sizeof(qseq));
	say("ws %d open (%s%s%s), %d open", c->id,
	    tok ? "token at upgrade" : "no token",
	    cid && *cid ? ", connection_id " : "", cid && *cid ? cid : "",
	    conns_open());
	if (!tok || strcmp(tok, g.token)) {
		/* Mattermost upgrades anyway; the challenge can still come */
		lws_sul_schedule(g.cx, 0, &c->sul_auth, conn_auth_timeout,
		                 (lws_usec_t)g.auth_timeout_ms * LWS_US_PER_MS);
		return;
	}
	c->authed = 1;
	g.auth_header++;
	if (cid && *cid) {
		char *end = NULL;
		long long n;

		if (!valid_id(cid)) {
			conn_drop(c, "invalid connection_id");
			return;
		}
		s = session_find(cid);
		if (s && s->conn && s->conn->dropped) {
			/* dropped by us, lws has not closed it yet */
			s->conn->sess = NULL;
			s->conn = NULL;
		}
		/* only a connection id without a socket can be resumed */
		if (s && !s->conn) {
			if (seqs)
				n = strtoll(seqs, &end, 10);
			if (!seqs || !*seqs || !end || *end || n < 0) {
				conn_drop(c, "connection_id without a valid "
				             "sequence_number");
				return;
			}
			if (n >= session_first_kept(s) && n <= s->next_seq) {
				session_resume(s, c, n);
				return;
			}
			say("ws %d: seq %lld of %s is gone (kept %lld..%lld)",
			    c->id, n, cid, (long long)session_first_kept(s),
			    (long long)s->next_seq - 1);
			session_unlink(s); /* it gets a new id */
		}
	}
	session_new(c);
}

static int
server_cb(struct lws *wsi, enum lws_callback_reasons reason, void *user,
          void *in, size_t len)
{
	struct pss *pss = user;
	struct conn *c;
	char tmp[256];

	switch (reason) {
	case LWS_CALLBACK_HTTP:
		http_begin(wsi, pss, in);
		/*
		 * With a Content-Length, even 0, lws calls HTTP_BODY and
		 * HTTP_BODY_COMPLETION; without one it calls neither.
		 */
		if (lws_hdr_copy(wsi, tmp, sizeof(tmp),
		                 WSI_TOKEN_HTTP_CONTENT_LENGTH) > 0) {
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
		if (!pss)
			return 0;
		return write_reply(wsi, pss);

	case LWS_CALLBACK_HTTP_DROP_PROTOCOL:
	case LWS_CALLBACK_CLOSED_HTTP:
		if (pss) {
			if (pss->wait) { /* the slash result has nobody to go to */
				pss->wait->waiter = NULL;
				pss->wait->waiter_pss = NULL;
				pss->wait = NULL;
			}
			buf_free(&pss->body);
			free(pss->rep.body);
			pss->rep.body = NULL;
			pss->rep_stage = 0;
			free(pss->resp);
			pss->resp = NULL;
		}
		break;

	case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION:
		if (lws_hdr_copy(wsi, tmp, sizeof(tmp), WSI_TOKEN_GET_URI) <
		        0 ||
		    (strcmp(tmp, WS_PATH) && strcmp(tmp, WS_PATH "/"))) {
			say("ws upgrade refused: path %s", tmp);
			return 1;
		}
		return 0;

	case LWS_CALLBACK_ESTABLISHED:
		ws_established(wsi, pss);
		break;

	case LWS_CALLBACK_RECEIVE:
		c = pss->conn;
		if (!c || c->dropped)
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
		handle_ws_request(c);
		c->rx.len = 0;
		c->rx_binary = 0;
		break;

	case LWS_CALLBACK_SERVER_WRITEABLE: {
		struct frame *f;
		int n;

		c = pss->conn;
		if (!c || c->dropped)
			break;
		if ((f = c->head)) {
			size_t flen = f->len;

			c->head = f->next;
			if (!c->head)
				c->tail = NULL;
			n = lws_write(wsi, f->data + LWS_PRE, f->len,
			              (enum lws_write_protocol)f->kind);
			free(f);
			if (n < (int)flen)
				return -1;
			if (c->head || c->closing)
				lws_callback_on_writable(wsi);
			break;
		}
		if (c->closing) {
			lws_close_reason(wsi,
			                 (enum lws_close_status)c->close_code,
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
		fprintf(stderr, "fake-mattermost: path too long: %s\n", path);
		return -1;
	}
	f = fopen(tmp, "w");
	if (!f) {
		fprintf(stderr, "fake-mattermost: %s: %s\n", tmp,
		        strerror(errno));
		return -1;
	}
	fprintf(f, "%d\n", port);
	if (fclose(f) != 0 || rename(tmp, path) != 0) {
		fprintf(stderr, "fake-mattermost: %s: %s\n", path,
		        strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

static int
usage(void)
{
	fprintf(stderr,
	        "usage: fake-mattermost PORTFILE [--token T] [--lifetime-s N]\n"
	        "                       [--auth-timeout-ms N] [--port N] "
	        "[--verbose]\n"
	        "       fake-mattermost --client URL [--token T] "
	        "[--scheme Bearer|Token]\n"
	        "                       [--challenge T] [--send TEXT]... "
	        "[--resume]\n"
	        "                       [--resume-delay-ms N] [--seconds N]\n");
	return 2;
}

static int
server_main(int argc, char **argv)
{
	static const struct lws_protocols protocols[] = {
		{ "http", server_cb, sizeof(struct pss), 4096, 0, NULL, 0 },
		{ SLASH_PCOL, slash_cb, 0, 4096, 0, NULL, 0 },
		{ NULL, NULL, 0, 0, 0, NULL, 0 }
	};
	struct lws_context_creation_info info;
	const char *portfile = NULL;
	struct slash_job *j;
	struct session *s;
	int lifetime = LIFETIME_S, verbose = 0, port = 0, i;

	g.token = "tok-bot";
	g.auth_timeout_ms = AUTH_TIMEOUT_MS;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--verbose"))
			verbose = 1;
		else if (a[0] == '-' && a[1] == '-' && !v)
			return usage();
		else if (!strcmp(a, "--token"))
			g.token = argv[++i];
		else if (!strcmp(a, "--lifetime-s"))
			lifetime = atoi(argv[++i]);
		else if (!strcmp(a, "--auth-timeout-ms"))
			g.auth_timeout_ms = atoi(argv[++i]);
		else if (!strcmp(a, "--port"))
			port = atoi(argv[++i]);
		else if (a[0] == '-' || portfile)
			return usage();
		else
			portfile = a;
	}
	if (!portfile || !*g.token || g.auth_timeout_ms <= 0 || port < 0 ||
	    port > 65535)
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
	info.vhost_name = "fake-mattermost";
	info.protocols = protocols;
	info.server_string = "fake-mattermost";
	g.cx = lws_create_context(&info);
	if (!g.cx) {
		fprintf(stderr, "fake-mattermost: lws_create_context failed\n");
		return 1;
	}
	g.vh = lws_create_vhost(g.cx, &info);
	if (!g.vh || (g.port = lws_get_vhost_listen_port(g.vh)) <= 0) {
		fprintf(stderr, "fake-mattermost: cannot listen on 127.0.0.1\n");
		lws_context_destroy(g.cx);
		return 1;
	}
	records_new();
	g.commands = cJSON_CreateArray();
	g.dms = cJSON_CreateObject();
	g.dead_buttons = cJSON_CreateArray();
	if (write_port(portfile, g.port) != 0) {
		lws_context_destroy(g.cx);
		records_free();
		cJSON_Delete(g.commands);
		cJSON_Delete(g.dead_buttons);
		cJSON_Delete(g.dms);
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
	for (j = g.jobs; j; j = j->next)
		lws_sul_cancel(&j->sul);
	lws_context_destroy(g.cx);
	while ((j = g.jobs)) {
		g.jobs = j->next;
		free(j->form);
		buf_free(&j->answer);
		cJSON_Delete(j->rec);
		free(j);
	}
	while ((s = g.sessions)) {
		g.sessions = s->next;
		session_free(s);
	}
	posts_free();
	free(g.hooks);
	records_free();
	rules_free();
	cJSON_Delete(g.commands);
	cJSON_Delete(g.dead_buttons);
	cJSON_Delete(g.dms);
	say("exit");
	return 0;
}

/* ------------------------------------------------------------------------
 * Client mode: a minimal Mattermost websocket client for the self-test
 */

struct out {
	struct out *next;
	char *data;
	size_t len;
};

static struct {
	struct lws_context *cx;
	struct lws *wsi;
	const char *token, *scheme, *challenge;
	const char *sends[MAX_SENDS];
	int n_sends, connects;
	int resume, resume_delay_ms, resumed;
	char address[256], base[1024], path[1300];
	int port;
	char cid[80];
	long long expect;
	struct out *head, *tail;
	struct buf rx;
	int rx_binary, done, exiting, rc;
	lws_sorted_usec_list_t sul_end, sul_resume;
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
client_out_free(void)
{
	struct out *o;

	while ((o = cl.head)) {
		cl.head = o->next;
		free(o->data);
		free(o);
	}
	cl.tail = NULL;
}

/* Prints a message and follows the event sequence. */
static void
client_message(void)
{
	const char *text = cl.rx.p ? cl.rx.p : "";
	const cJSON *seqj;
	const char *event;
	cJSON *j;
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
	if (cl.rx_binary)
		return;
	j = cJSON_ParseWithLength(text, cl.rx.len);
	event = jstr(j, "event");
	seqj = cJSON_GetObjectItemCaseSensitive(j, "seq");
	if (event && cJSON_IsNumber(seqj)) {
		long long seq = (long long)seqj->valuedouble;

		if (!strcmp(event, "hello")) {
			const char *id = jstr(
			    cJSON_GetObjectItemCaseSensitive(j, "data"),
			    "connection_id");

			snprintf(cl.cid, sizeof(cl.cid), "%s", id ? id : "");
			if (seq != 0)
				printf("# seq-gap expected 0 got %lld\n", seq);
		} else if (seq != cl.expect)
			printf("# seq-gap expected %lld got %lld\n", cl.expect,
			       seq);
		cl.expect = seq + 1;
	}
	cJSON_Delete(j);
}

static int
client_writeable(struct lws *wsi)
{
	struct out *o = cl.head;
	unsigned char *b;
	int n;

	if (!o)
		return 0;
	b = xmalloc(LWS_PRE + o->len + 1);
	memcpy(b + LWS_PRE, o->data, o->len);
	n = lws_write(wsi, b + LWS_PRE, o->len, LWS_WRITE_TEXT);
	free(b);
	if (n < (int)o->len)
		return -1;
	cl.head = o->next;
	if (!cl.head)
		cl.tail = NULL;
	free(o->data);
	free(o);
	if (cl.head)
		lws_callback_on_writable(wsi);
	return 0;
}

static void client_connect(void);

static void
client_resume(lws_sorted_usec_list_t *sul)
{
	snprintf(cl.path, sizeof(cl.path),
	         "%s?connection_id=%s&sequence_number=%lld", cl.base, cl.cid,
	         cl.expect);
	printf("# resume %s\n", cl.path);
	client_connect();
}

/* The socket is gone: resume once if asked to, else finish. */
static void
client_gone(void)
{
	cl.wsi = NULL;
	client_out_free();
	if (!cl.exiting && cl.resume && !cl.resumed && cl.cid[0]) {
		cl.resumed = 1;
		lws_sul_schedule(cl.cx, 0, &cl.sul_resume, client_resume,
		                 (lws_usec_t)cl.resume_delay_ms *
		                     LWS_US_PER_MS);
		return;
	}
	cl.done = 1;
}

static int
client_cb(struct lws *wsi, enum lws_callback_reasons reason, void *user,
          void *in, size_t len)
{
	int i;

	switch (reason) {
	case LWS_CALLBACK_CLIENT_APPEND_HANDSHAKE_HEADER:
		if (cl.token) {
			unsigned char **p = (unsigned char **)in;
			char v[600];
			int n = snprintf(v, sizeof(v), "%s %s", cl.scheme,
			                 cl.token);

			if (lws_add_http_header_by_name(
			        wsi, (const unsigned char *)"authorization:",
			        (unsigned char *)v, n, p, *p + len))
				return -1;
		}
		break;

	case LWS_CALLBACK_CLIENT_ESTABLISHED:
		cl.wsi = wsi;
		printf("# connected\n");
		if (cl.challenge) {
			cJSON *c = cJSON_CreateObject(), *d;
			char *s;

			cJSON_AddNumberToObject(c, "seq", 1);
			cJSON_AddStringToObject(c, "action",
			                        "authentication_challenge");
			d = cJSON_AddObjectToObject(c, "data");
			cJSON_AddStringToObject(d, "token", cl.challenge);
			s = json_text(c);
			client_queue(s);
			free(s);
			cJSON_Delete(c);
		}
		if (cl.connects++ == 0)
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
		break;

	case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE: {
		const unsigned char *p = in;

		printf("# close-frame %d\n", len >= 2 ? p[0] << 8 | p[1] : 0);
		break;
	}

	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
		printf("# error %s\n", in ? (const char *)in : "(none)");
		if (!cl.connects)
			cl.rc = 1;
		client_gone();
		break;

	case LWS_CALLBACK_CLIENT_CLOSED:
		if (!cl.exiting)
			printf("# closed\n");
		client_gone();
		break;

	default:
		break;
	}
	return lws_callback_http_dummy(wsi, reason, user, in, len);
}

static void
client_connect(void)
{
	struct lws_client_connect_info ci;

	memset(&ci, 0, sizeof(ci));
	ci.context = cl.cx;
	ci.address = cl.address;
	ci.port = cl.port;
	ci.path = cl.path;
	ci.host = cl.address;
	ci.ssl_connection = 0;
	ci.local_protocol_name = CLIENT_PCOL;
	ci.pwsi = &cl.wsi;
	if (!lws_client_connect_via_info(&ci) && !cl.done) {
		printf("# error connect\n");
		if (!cl.connects)
			cl.rc = 1;
		cl.done = 1;
	}
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
	const char *url = argv[2], *prot, *ads, *path;
	char urlbuf[1024];
	double seconds = 5;
	int i;

	cl.scheme = "Bearer";
	cl.resume_delay_ms = 300;
	for (i = 3; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--resume"))
			cl.resume = 1;
		else if (!v)
			return usage();
		else if (!strcmp(a, "--token"))
			cl.token = argv[++i];
		else if (!strcmp(a, "--scheme"))
			cl.scheme = argv[++i];
		else if (!strcmp(a, "--challenge"))
			cl.challenge = argv[++i];
		else if (!strcmp(a, "--resume-delay-ms"))
			cl.resume_delay_ms = atoi(argv[++i]);
		else if (!strcmp(a, "--seconds"))
			seconds = atof(argv[++i]);
		else if (!strcmp(a, "--send") && cl.n_sends < MAX_SENDS)
			cl.sends[cl.n_sends++] = argv[++i];
		else
			return usage();
	}
	if (seconds <= 0 || seconds > LIFETIME_S)
		seconds = LIFETIME_S;
	if (cl.resume_delay_ms < 0)
		cl.resume_delay_ms = 0;

	snprintf(urlbuf, sizeof(urlbuf), "%s", url);
	if (lws_parse_uri(urlbuf, &prot, &ads, &cl.port, &path) ||
	    strcmp(prot, "ws")) {
		fprintf(stderr, "fake-mattermost: want a ws:// URL: %s\n", url);
		return 2;
	}
	snprintf(cl.address, sizeof(cl.address), "%s", ads);
	snprintf(cl.path, sizeof(cl.path), "/%s", path);
	/* a resume replaces the query */
	snprintf(cl.base, sizeof(cl.base), "/%s", path);
	cl.base[strcspn(cl.base, "?")] = '\0';
	setvbuf(stdout, NULL, _IOLBF, 0);

	lws_set_log_level(LLL_ERR, NULL);
	memset(&info, 0, sizeof(info));
	info.port = CONTEXT_PORT_NO_LISTEN;
	info.protocols = protocols;
	cl.cx = lws_create_context(&info);
	if (!cl.cx) {
		fprintf(stderr, "fake-mattermost: lws_create_context failed\n");
		return 1;
	}
	client_connect();
	lws_sul_schedule(cl.cx, 0, &cl.sul_end, client_end,
	                 (lws_usec_t)(seconds * LWS_US_PER_SEC));
	while (!cl.done && !stop && lws_service(cl.cx, 0) >= 0)
		;

	cl.exiting = 1;
	lws_sul_cancel(&cl.sul_end);
	lws_sul_cancel(&cl.sul_resume);
	lws_context_destroy(cl.cx);
	client_out_free();
	buf_free(&cl.rx);
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

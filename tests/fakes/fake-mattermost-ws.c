/*
 * fake-mattermost: the websocket: connection ids (sessions) with their
 * numbered events and resumes, authentication, and the requests the bot
 * sends on it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake-mattermost.h"

cJSON *
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

int64_t
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

void
session_free(struct session *s)
{
	int i;

	for (i = 0; i < KEEP_EVENTS; i++)
		free(s->ring[i]);
	free(s);
}

void
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
		s->conn->user = NULL;
	session_free(s);
}

static struct session *
session_find(const char *id)
{
	struct session *s = g.sessions;

	while (s && strcmp(s->id, id))
		s = s->next;
	return s;
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
	c->user = s;
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
	c->user = s;
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
int64_t
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
int64_t
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
void
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
	struct conn *c = lws_container_of(sul, struct conn, sul);

	if (c->authed || c->dropped)
		return;
	g.auth_timeouts++;
	conn_drop(c, "not authenticated in time");
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

/* A request that does not decode: recorded, and the socket dropped. */
static void
ws_bad(struct conn *c, const char *why)
{
	bad_frame(c->rx.p ? c->rx.p : "", c->rx.len, c->rx_binary);
	/* Mattermost closes the socket when a request does not decode. */
	conn_drop(c, why);
}

/* The socket is gone; its connection id is kept for a resume. */
void
ws_free(struct conn *c)
{
	struct session *s = c->user;

	if (s)
		s->conn = NULL;
}

/* A whole message from the bot: a WebSocketRequest. */
void
handle_ws_request(struct conn *c)
{
	const char *action, *tok;
	const cJSON *seqj, *data;
	cJSON *j, *d;
	double seq;

	if (c->rx_binary) {
		ws_bad(c, "binary frame");
		return;
	}
	j = cJSON_ParseWithLength(c->rx.p ? c->rx.p : "", c->rx.len);
	if (!cJSON_IsObject(j)) {
		cJSON_Delete(j);
		ws_bad(c, "frame is not a JSON object");
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
				lws_sul_cancel(&c->sul);
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

/* The websocket upgrade: authenticate, then resume or say hello. */
void
ws_open(struct lws *wsi, struct req *q, struct conn *c)
{
	/*
	 * lws_get_urlarg_by_name() copies each query fragment into the
	 * buffer and gives up at the first one that does not fit: size the
	 * buffers for any fragment, not just the one wanted.
	 */
	char auth[512], qtok[1024], qcid[1024], qseq[1024];
	const char *tok, *cid, *seqs;
	struct session *s;

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
		lws_sul_schedule(fs.cx, 0, &c->sul, conn_auth_timeout,
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
			s->conn->user = NULL;
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


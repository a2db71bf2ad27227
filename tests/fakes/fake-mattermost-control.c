/*
 * fake-mattermost: the control API, what the test talks to: it posts as
 * a user, pushes events, injects failures and reads back what the bot did.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake-mattermost.h"

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
	cJSON_AddNumberToObject(s, "connections_total", fs.n_conn);
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
	cJSON_AddNumberToObject(s, "pongs", fs.pongs);
	cJSON_AddNumberToObject(s, "app_pings", g.app_pings);
	cJSON_AddItemToObject(s, "commands_registered",
	                      cJSON_Duplicate(g.commands, 1));
	cJSON_AddItemToObject(s, "dead_buttons",
	                      cJSON_Duplicate(g.dead_buttons, 1));
	cJSON_AddNumberToObject(s, "auth_failed", g.auth_failed);
	cJSON_AddNumberToObject(s, "auth_timeouts", g.auth_timeouts);
	cJSON_AddNumberToObject(s, "resumes", g.resumes);
	cJSON_AddNumberToObject(s, "bad_frames", fs.bad_frames);
	cJSON_AddItemToObject(s, "bad_frame_samples",
	                      cJSON_Duplicate(fs.bad_samples, 1));
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
	cJSON_AddNumberToObject(c, "pongs", fs.pongs);
	cJSON_AddNumberToObject(c, "bad_frames", fs.bad_frames);
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
	                        pss->q.body.p, pss->q.body.len));
	j = ok_object();
	cJSON_AddNumberToObject(j, "conn", c->id);
	cJSON_AddNumberToObject(j, "bytes", (double)pss->q.body.len);
	reply_json(r, 200, j);
}

/* Closes every socket with a close frame (default 1001, going away). */
static void
control_close(const cJSON *in, struct reply *r)
{
	struct conn *c;
	cJSON *j;
	int n = 0, code = jint(in, "code", 1001);

	for (c = fs.conns; c; c = c->next)
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
int
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
	in = pss->q.body.len ? cJSON_ParseWithLength(pss->q.body.p, pss->q.body.len)
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
		control_ping(r, PING_PAYLOAD, 1);
	else if (!strcmp(what, "ratelimit"))
		rules_set(in, r);
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
	} else if (!strcmp(what, "slow")) {
		/* {"delay_ms":5000,"count":N}: creates made, answered late. */
		g.slow_ms = jint(in, "delay_ms", 2000);
		g.slow_posts = jint(in, "count", 1000000);
		reply_json(r, 200, ok_object());
	} else if (!strcmp(what, "lose")) {
		/* {"count":1}: the next creates are made, answered 504. */
		g.lose_posts = jint(in, "count", 1);
		reply_json(r, 200, ok_object());
	} else if (!strcmp(what, "membership")) {
		/* {"channel":"ops-alerts","member":false}: kick the bot. */
		const char *name = jstr(in, "channel");
		size_t i;

		for (i = 0; name && i < n_channels; i++)
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
		rules_clear();
		reply_json(r, 200, ok_object());
	} else
		reply_error(r, 404, "unknown_control");
	cJSON_Delete(in);
	return deferred;
}


/*
 * fake-slack: the control API, what the test talks to: it pushes
 * envelopes, injects failures and reads back what the bot did.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake-slack.h"

static cJSON *
state_json(void)
{
	cJSON *s = cJSON_CreateObject(), *envs;
	struct envelope *e;

	cJSON_AddNumberToObject(s, "connections_open", conns_open());
	cJSON_AddNumberToObject(s, "connections_total", fs.n_conn);
	cJSON_AddNumberToObject(s, "connections_open_calls", g.n_open_calls);
	cJSON_AddItemToObject(s, "acks", cJSON_Duplicate(g.acks, 1));
	cJSON_AddItemToObject(s, "unacked", cJSON_Duplicate(g.unacked, 1));
	cJSON_AddNumberToObject(s, "bad_frames", fs.bad_frames);
	cJSON_AddItemToObject(s, "bad_frame_samples",
	                      cJSON_Duplicate(fs.bad_samples, 1));
	cJSON_AddItemToObject(s, "posts", cJSON_Duplicate(g.posts, 1));
	cJSON_AddItemToObject(s, "ephemerals",
	                      cJSON_Duplicate(g.ephemerals, 1));
	cJSON_AddItemToObject(s, "replaced", cJSON_Duplicate(g.replaced, 1));
	cJSON_AddItemToObject(s, "updates", cJSON_Duplicate(g.updates, 1));
	cJSON_AddItemToObject(s, "responses", cJSON_Duplicate(g.responses, 1));
	cJSON_AddNumberToObject(s, "pongs", fs.pongs);
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
 * "chain":true one at a time instead, the next as soon as one is answered
 * (on its response URL or in its ack), so a sequential benchmark has no
 * driver in its loop.
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

void
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
control_raw(const struct pss *pss, struct reply *r)
{
	struct conn *c = newest_conn();
	struct frame *f;
	cJSON *j;

	if (!c) {
		reply_error(r, 409, "no_connection");
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
		              pss->q.body.p, pss->q.body.len);
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
		reply_error(r, 409, "no_connection");
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
		lws_sul_schedule(fs.cx, 0, &c->sul, conn_close_timer,
		                 (lws_usec_t)after * LWS_US_PER_MS);
	j = ok_object();
	cJSON_AddNumberToObject(j, "conn", c->id);
	reply_json(r, 200, j);
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

void
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
	in = pss->q.body.len ? cJSON_ParseWithLength(pss->q.body.p, pss->q.body.len)
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
		control_ping(r, PING_PAYLOAD, 0);
	else if (!strcmp(what, "ratelimit"))
		rules_set(in, r);
	else if (!strcmp(what, "reject_connections"))
		control_reject(in, r);
	else if (!strcmp(what, "slow"))
		control_slow(in, r);
	else if (!strcmp(what, "tokens"))
		control_tokens(in, r);
	else if (!strcmp(what, "reset")) {
		records_free();
		records_new();
		rules_clear();
		g.reject_count = 0;
		g.slow_count = 0;
		g.chain_left = 0;
		reply_json(r, 200, ok_object());
	} else
		reply_error(r, 404, "unknown_control");
	cJSON_Delete(in);
}


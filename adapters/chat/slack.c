/*
 * Slack over Socket Mode (docs/protocols.md §1-§3). A Web API
 * call (apps.connections.open, on a worker) gives a wss URL; the socket
 * lives on the loop. Every envelope is acked first, on the loop thread,
 * before its command runs (the ack frame is written, then the command is
 * dispatched from the same writable callback). Retried deliveries are
 * recognised by event_id / envelope_id and run once. A button click
 * (block_actions) runs the button's value as a command line, as the
 * person who clicked, answered on the click's response_url. On a disconnect
 * notice a new socket is opened before the old one goes; on any loss the
 * adapter reconnects with exponential backoff and jitter, with a fresh
 * URL each time. Answers go through the outbox: a slash command's via its
 * response_url, everything else with chat.postMessage.
 */

#include <cjson/cJSON.h>
#include <libwebsockets.h>
#include <stdlib.h>
#include <string.h>

#include "bot.h"
#include "chat.h"
#include "chatlink.h"
#include "clock.h"
#include "http.h"
#include "log.h"
#include "loop.h"
#include "outbox.h"
#include "slack_fallback.h"
#include "slack_live.h"
#include "slack_posted.h"
#include "workers.h"
#include "xmalloc.h"

#define SLACK_RX_MAX		(1024 * 1024)	/* one JSON message */
#define SLACK_DEDUP		1024		/* keys remembered */
#define SLACK_DEDUP_MS		(15 * 60 * 1000)
#define SLACK_HTTP_TIMEOUT_MS	10000

/* lws pings after 15 s without proof of life and hangs up at 30 s. */
static const lws_retry_bo_t slack_idle = {
	.secs_since_valid_ping = 15,
	.secs_since_valid_hangup = 30,
};

/* A command waiting for its ack to be written (a click may hold more). */
struct slack_cmd {
	char			*user_id;
	char			*user_name;
	char			*channel;
	char			*channel_name;
	char			*reply_to;
	char			*text;
	char			*source_id;	/* a click: message ts */
	int			 click;
	struct slack_cmd	*next;
};

struct slack_frame {
	char			*data;
	size_t			 len;
	char			 key[96];	/* dedup key, remembered once sent */
	struct slack_cmd	*cmd;		/* dispatched once written */
	struct slack_frame	*next;
};

struct slack_conn {
	struct loop_ws		 ws;		/* first: loop.c calls ws.cb */
	struct slack		*sl;
	struct lws		*wsi;
	struct buf		 rx;
	int			 rx_overflow;
	struct slack_frame	*txq, *txq_tail;
	struct slack_frame	*ready, *ready_tail;	/* acked, to run */
	int			 hello;
	int			 retiring;	/* replaced; close after hello */
	int			 close_drained;	/* close once its acks are out */
	struct slack_conn	*next;
};

struct slack_seen {
	char	 key[96];
	int64_t	 at;
};

#define SLACK_CHANNELS_MAX	64

struct slack {
	struct chat		*chat;
	struct bot		*bot;
	const char		*api_url;	/* borrowed from the config */
	const char		*app_token;
	const char		*bot_token;
	char			 bot_user_id[32];
	char			 bot_id[32];
	struct slack_conn	*conns;
	int			 opening;	/* a URL fetch is under way */
	int			 stopping;
	unsigned short		 retry_count;
	lws_sorted_usec_list_t	 retry_sul;
	int			 retry_armed;
	int			 unidentified;	/* API down at start */
	struct slack_seen	 seen[SLACK_DEDUP];
	size_t			 seen_next;
	uint64_t		 envelopes, duplicates, connects, clicks;
	/* Alert channels named in the config, resolved at start. */
	struct {
		char	*name;		/* "#ops-alerts" */
		char	*id;		/* "C0ALERTS" */
	}			 chans[SLACK_CHANNELS_MAX];
	size_t			 nchans;
};

static void	slack_open(struct slack *);
static void	slack_schedule_retry(struct slack *);
static int	slack_identify_late(struct slack *);
static char	*slack_body_with_ts(const char *, const char *, const char *);

/* ------------------------------------------------------------- Web API */

/*
 * One Web API call with the given token (blocking; start-up or workers).
 * Returns the parsed JSON (caller frees), or NULL with *cause.
 */
static cJSON *
slack_api(const char *api_url, const char *token, const char *method,
    const char *body, struct http_response *r, char **cause)
{
	char		*url, *auth;
	const char	*headers[2];
	cJSON		*json;

	xasprintf(&url, "%s%s", api_url, method);
	xasprintf(&auth, "Authorization: Bearer %s", token);
	headers[0] = auth;
	headers[1] = NULL;
	*cause = NULL;
	if (http_post(url, headers, "application/json; charset=utf-8",
	    body != NULL ? body : "{}", SLACK_HTTP_TIMEOUT_MS, r) != 0) {
		xasprintf(cause, "%s: %s", method, r->error);
		json = NULL;
	} else if (r->status != 200) {
		xasprintf(cause, "%s: HTTP %ld", method, r->status);
		json = NULL;
	} else if ((json = cJSON_Parse(r->body.data)) == NULL ||
	    !cJSON_IsObject(json)) {
		xasprintf(cause, "%s: the answer is not JSON", method);
		cJSON_Delete(json);
		json = NULL;
	}
	explicit_bzero(auth, strlen(auth));
	free(auth);
	free(url);
	return json;
}

static const char *
slack_json_str(const cJSON *o, const char *key)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int
slack_json_ok(const cJSON *o)
{
	return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "ok"));
}

/* Errors after which retrying cannot help (docs/protocols.md §1.1). */
static int
slack_error_is_fatal(const char *err)
{
	static const char *const fatal[] = { "not_authed", "invalid_auth",
	    "account_inactive", "user_removed_from_team", "team_disabled",
	    "token_revoked", "link_disabled", NULL };
	size_t	 i;

	for (i = 0; err != NULL && fatal[i] != NULL; i++) {
		if (strcmp(err, fatal[i]) == 0)
			return 1;
	}
	return 0;
}

/* ------------------------------------------------------------- outbox */

/* Sends one outbox row: chat.postMessage, chat.update or a response URL. */
static void
slack_send(void *arg, const struct outbox_item *it, struct outbox_result *r)
{
	struct slack		*sl = arg;
	struct http_response	 resp;
	cJSON			*json = NULL;
	const char		*err, *ts;
	char			*cause = NULL;
	int			 response = strcmp(it->kind, "response") == 0;
	int			 update = strcmp(it->kind, "update") == 0;
	char			*body = NULL;

	if ((update || strcmp(it->kind, "thread") == 0) && it->target != NULL)
		body = slack_body_with_ts(it->body, update ? "ts" :
		    "thread_ts", it->target);
	if ((strcmp(it->kind, "post") == 0 || strcmp(it->kind, "thread") ==
	    0) && it->id > 0 && slack_posted_before(sl->api_url, sl->bot_token,
	    it, &body, r))
		return;
	if (response) {
		/* Where to go if the URL is gone stays with us. */
		body = slack_fallback_strip(it->body);
		http_post(it->target, NULL, "application/json; charset=utf-8",
		    body, SLACK_HTTP_TIMEOUT_MS, &resp);
	} else
		json = slack_api(sl->api_url, sl->bot_token,
		    update ? "chat.update" :
		    strcmp(it->kind, "ephemeral") == 0 ? "chat.postEphemeral" :
		    "chat.postMessage", body != NULL ? body : it->body, &resp,
		    &cause);
	free(body);
	if (resp.status == 429) {
		r->verdict = OUTBOX_RATE_LIMITED;
		/* Without the header, wait as Slack's Python SDK does. */
		r->retry_after_ms = (resp.retry_after_s >= 0 ?
		    resp.retry_after_s : 30) * 1000;
	} else if (resp.status == 0 && resp.bad_url) {
		r->verdict = OUTBOX_REJECTED;
		xasprintf(&r->error, "unusable URL (%s)", resp.error);
	} else if (resp.status == 0 || resp.status >= 500) {
		r->verdict = OUTBOX_RETRY;
		r->unsent = resp.unsent;
		xasprintf(&r->error, "%s", resp.status == 0 ? resp.error :
		    "HTTP 5xx");
	} else if (!response && resp.status != 200) {
		/* 4xx, JSON or not: the request itself is wrong. */
		r->verdict = OUTBOX_REJECTED;
		r->error = cause;
		cause = NULL;
	} else if (response && resp.status == 404) {
		/* Used up (5 uses) or expired (30 min): the channel, then. */
		slack_fallback_post(sl->api_url, sl->bot_token, it->body,
		    "response URL: HTTP 404 (used up or expired)", r);
	} else if (response) {
		/* A response URL answers "ok" (or JSON); 404: used up. */
		r->verdict = resp.status == 200 ? OUTBOX_SENT :
		    OUTBOX_REJECTED;
		if (resp.status != 200)
			xasprintf(&r->error, "response URL: HTTP %ld",
			    resp.status);
	} else if (json == NULL) {
		r->verdict = OUTBOX_RETRY;
		r->error = cause;
		cause = NULL;
	} else if (slack_json_ok(json)) {
		r->verdict = OUTBOX_SENT;
		if ((ts = slack_json_str(json, "ts")) != NULL ||
		    (ts = slack_json_str(json, "message_ts")) != NULL)
			r->platform_id = xstrdup(ts);
	} else {
		err = slack_json_str(json, "error");
		r->error = xstrdup(err != NULL ? err : "unknown error");
		if (err != NULL && strcmp(err, "ratelimited") == 0) {
			r->verdict = OUTBOX_RATE_LIMITED;
			r->retry_after_ms = 30000;
		} else if (err != NULL && (strcmp(err, "internal_error") == 0 ||
		    strcmp(err, "fatal_error") == 0 ||
		    strcmp(err, "service_unavailable") == 0 ||
		    strcmp(err, "request_timeout") == 0))
			r->verdict = OUTBOX_RETRY;
		else
			r->verdict = OUTBOX_REJECTED;
	}
	free(cause);
	cJSON_Delete(json);
	http_response_release(&resp);
}

static void
slack_reply(struct chat *c, const struct chat_origin *o,
    const struct message *m)
{
	struct slack	*sl = c->priv;
	cJSON		*body = cJSON_CreateObject();
	char		*json, *cause = NULL;
	const char	*kind = "post", *target = NULL;

	message_render_slack(m, body);
	if (o->reply_to != NULL && strncmp(o->reply_to, "url:", 4) == 0) {
		/* A slash command: its response URL, seen in the channel. */
		kind = "response";
		target = o->reply_to + 4;
		cJSON_AddStringToObject(body, "response_type", m->ephemeral ?
		    "ephemeral" : "in_channel");
		/*
		 * A click's response URL would otherwise leave it to Slack
		 * whether the clicked message is replaced: say it each time.
		 */
		if (o->click)
			cJSON_AddBoolToObject(body, "replace_original",
			    m->replace);
		slack_fallback_add(body, o->channel, o->user_id,
		    o->reply_to != NULL && strncmp(o->reply_to, "ts:", 3) ==
		    0 ? o->reply_to + 3 : NULL);
	} else {
		cJSON_AddStringToObject(body, "channel", o->channel);
		if (o->reply_to != NULL && strncmp(o->reply_to, "ts:", 3) == 0)
			cJSON_AddStringToObject(body, "thread_ts",
			    o->reply_to + 3);
		cJSON_AddBoolToObject(body, "unfurl_links", 0);
		/* Only the person who asked sees it (chat.postEphemeral). */
		if (m->ephemeral && o->user_id != NULL) {
			kind = "ephemeral";
			cJSON_AddStringToObject(body, "user", o->user_id);
		}
	}
	json = cJSON_PrintUnformatted(body);
	/*
	 * A response URL is not paced like chat.postMessage: it queues on
	 * its own (order per URL), so it never waits behind channel posts.
	 */
	if (outbox_enqueue(sl->bot->outbox, "slack", target != NULL ? target :
	    o->channel, kind, target, json, &cause) < 0) {
		log_error("slack", "cannot queue a reply: %s", cause);
		slack_fallback_direct(sl->bot->outbox, o, m, cause, kind,
		    target);
		free(cause);
	}
	free(json);
	cJSON_Delete(body);
}

static int64_t
slack_reply_live(struct chat *c, const struct chat_origin *o, int64_t ref,
    const struct message *m)
{
	struct slack	*sl = c->priv;

	return slack_live_enqueue(sl->bot->outbox, o, ref, m);
}

/* --------------------------------------------------------- connections */

static void
slack_cmd_free(struct slack_cmd *cmd)
{
	struct slack_cmd	*next;

	for (; cmd != NULL; cmd = next) {
		next = cmd->next;
		free(cmd->user_id);
		free(cmd->user_name);
		free(cmd->channel);
		free(cmd->channel_name);
		free(cmd->reply_to);
		free(cmd->text);
		free(cmd->source_id);
		free(cmd);
	}
}

static void
slack_frames_free(struct slack_frame *f)
{
	struct slack_frame	*next;

	for (; f != NULL; f = next) {
		next = f->next;
		free(f->data);
		slack_cmd_free(f->cmd);
		free(f);
	}
}

static void
slack_conn_free(struct slack_conn *conn)
{
	slack_frames_free(conn->txq);
	slack_frames_free(conn->ready);
	buf_release(&conn->rx);
	free(conn);
}

static void
slack_queue(struct slack_conn *conn, char *data, const char *key,
    struct slack_cmd *cmd)
{
	struct slack_frame	*f = xcalloc(1, sizeof *f);

	f->data = data;
	f->len = strlen(data);
	f->cmd = cmd;
	snprintf(f->key, sizeof f->key, "%s", key != NULL ? key : "");
	if (conn->txq_tail != NULL)
		conn->txq_tail->next = f;
	else
		conn->txq = f;
	conn->txq_tail = f;
	if (conn->wsi != NULL)
		lws_callback_on_writable(conn->wsi);
}

static void
slack_dispatch(struct slack *sl, struct slack_cmd *cmd)
{
	struct chat_msg	 m;

	for (; cmd != NULL; cmd = cmd->next) {
		memset(&m, 0, sizeof m);
		m.user_id = cmd->user_id;
		m.user_name = cmd->user_name;
		m.channel = cmd->channel;
		m.channel_name = cmd->channel_name;
		m.reply_to = cmd->reply_to;
		m.text = cmd->text;
		m.len = strlen(cmd->text);
		m.click = cmd->click;
		m.source_id = cmd->source_id;
		bot_handle_message(sl->bot, sl->chat, &m);
	}
}

/* Has this delivery been acked before (within SLACK_DEDUP_MS)? */
static int
slack_seen(struct slack *sl, const char *key)
{
	int64_t	 now = clock_mono_ms();
	size_t	 i;

	for (i = 0; i < SLACK_DEDUP; i++) {
		if (sl->seen[i].key[0] != '\0' &&
		    now - sl->seen[i].at < SLACK_DEDUP_MS &&
		    strcmp(sl->seen[i].key, key) == 0)
			return 1;
	}
	return 0;
}

/*
 * Remembers a delivery once its ack is on the wire: one that is lost
 * unacked with its socket will be redelivered, and must run then.
 */
static void
slack_seen_add(struct slack *sl, const char *key)
{
	if (*key == '\0' || slack_seen(sl, key))
		return;
	snprintf(sl->seen[sl->seen_next].key, sizeof sl->seen[0].key, "%s",
	    key);
	sl->seen[sl->seen_next].at = clock_mono_ms();
	sl->seen_next = (sl->seen_next + 1) % SLACK_DEDUP;
}

static char *
slack_dup(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

/* "/opsbot health db" -> "health db"; "/health db" -> "health db". */
static struct slack_cmd *
slack_from_slash(struct slack *sl, const cJSON *p)
{
	struct slack_cmd	*cmd = xcalloc(1, sizeof *cmd);
	const char		*command = slack_json_str(p, "command");
	const char		*text = slack_json_str(p, "text");
	const char		*url = slack_json_str(p, "response_url");
	const char		*chname = slack_json_str(p, "channel_name");

	if (text == NULL)
		text = "";
	if (command == NULL || strcmp(command,
	    sl->bot->cfg->chat.slack_command) == 0)
		cmd->text = xstrdup(text);
	else
		xasprintf(&cmd->text, "%s %s", command + (command[0] == '/'),
		    text);
	cmd->user_id = slack_dup(slack_json_str(p, "user_id"));
	cmd->user_name = slack_dup(slack_json_str(p, "user_name"));
	cmd->channel = slack_dup(slack_json_str(p, "channel_id"));
	if (chname != NULL)
		xasprintf(&cmd->channel_name, "#%s", chname);
	if (url != NULL)
		xasprintf(&cmd->reply_to, "url:%s", url);
	return cmd;
}

/* Slack's escapes back to text, and our own mention removed. */
static char *
slack_event_text(struct slack *sl, const char *text)
{
	struct buf	 b;
	char		 mention[48];
	const char	*p = text;
	size_t		 n;

	snprintf(mention, sizeof mention, "<@%s>", sl->bot_user_id);
	n = strlen(mention);
	buf_init(&b);
	while (*p != '\0') {
		if (sl->bot_user_id[0] != '\0' && strncmp(p, mention, n) == 0)
			p += n;
		else if (strncmp(p, "&amp;", 5) == 0) {
			buf_addc(&b, '&');
			p += 5;
		} else if (strncmp(p, "&lt;", 4) == 0) {
			buf_addc(&b, '<');
			p += 4;
		} else if (strncmp(p, "&gt;", 4) == 0) {
			buf_addc(&b, '>');
			p += 4;
		} else
			buf_addc(&b, *p++);
	}
	return buf_detach(&b);
}

/* An app_mention, or a direct message: a command for us, or NULL. */
static struct slack_cmd *
slack_from_event(struct slack *sl, const cJSON *ev)
{
	struct slack_cmd	*cmd;
	const char		*type = slack_json_str(ev, "type");
	const char		*user = slack_json_str(ev, "user");
	const char		*text = slack_json_str(ev, "text");
	const char		*ctype = slack_json_str(ev, "channel_type");
	const char		*thread = slack_json_str(ev, "thread_ts");
	const char		*ts = slack_json_str(ev, "ts");

	if (type == NULL || user == NULL || text == NULL)
		return NULL;
	/* Never our own messages, edits or other bots: no loops. */
	if (cJSON_HasObjectItem(ev, "bot_id") ||
	    cJSON_HasObjectItem(ev, "subtype") ||
	    strcmp(user, sl->bot_user_id) == 0)
		return NULL;
	if (strcmp(type, "app_mention") != 0 && !(strcmp(type, "message") ==
	    0 && ctype != NULL && strcmp(ctype, "im") == 0))
		return NULL;
	cmd = xcalloc(1, sizeof *cmd);
	cmd->text = slack_event_text(sl, text);
	cmd->user_id = xstrdup(user);
	cmd->channel = slack_dup(slack_json_str(ev, "channel"));
	if (cmd->channel == NULL) {
		slack_cmd_free(cmd);
		return NULL;
	}
	/* A mention is answered in its thread; a DM in the conversation. */
	if (strcmp(type, "app_mention") == 0 && (thread != NULL || ts != NULL))
		xasprintf(&cmd->reply_to, "ts:%s", thread != NULL ? thread :
		    ts);
	return cmd;
}

/*
 * A button click (block_actions, docs/protocols.md §3.6): each action's value
 * is a command line, run as the person who clicked, answered on the
 * click's response_url. Other interactive payloads are only logged.
 */
static struct slack_cmd *
slack_from_interactive(struct slack *sl, const cJSON *p)
{
	struct slack_cmd	*head = NULL, **tail = &head, *cmd;
	const char		*type = slack_json_str(p, "type");
	const cJSON		*user, *chan, *cont, *act;
	const char		*uid, *uname, *cid, *cname, *url, *value;

	if (type == NULL || strcmp(type, "block_actions") != 0) {
		log_info("slack", "ignored an interactive payload of type %s",
		    type != NULL ? type : "(none)");
		return NULL;
	}
	user = cJSON_GetObjectItemCaseSensitive(p, "user");
	chan = cJSON_GetObjectItemCaseSensitive(p, "channel");
	cont = cJSON_GetObjectItemCaseSensitive(p, "container");
	uid = slack_json_str(user, "id");
	uname = slack_json_str(user, "username");
	if (uname == NULL)
		uname = slack_json_str(user, "name");
	cid = slack_json_str(chan, "id");
	if (cid == NULL)
		cid = slack_json_str(cont, "channel_id");
	cname = slack_json_str(chan, "name");
	url = slack_json_str(p, "response_url");
	/* Modals and the Home tab have no channel to answer in. */
	if (uid == NULL || cid == NULL || url == NULL) {
		log_warn("slack", "ignored a button click without user, channel "
		    "or response_url");
		return NULL;
	}
	cJSON_ArrayForEach(act, cJSON_GetObjectItemCaseSensitive(p,
	    "actions")) {
		if ((value = slack_json_str(act, "value")) == NULL ||
		    *value == '\0') {
			log_info("slack", "ignored a click on %s without a value",
			    slack_json_str(act, "action_id") != NULL ?
			    slack_json_str(act, "action_id") : "(no action_id)");
			continue;
		}
		cmd = xcalloc(1, sizeof *cmd);
		cmd->user_id = xstrdup(uid);
		cmd->user_name = slack_dup(uname);
		cmd->channel = xstrdup(cid);
		if (cname != NULL)
			xasprintf(&cmd->channel_name, "#%s", cname);
		xasprintf(&cmd->reply_to, "url:%s", url);
		cmd->text = xstrdup(value);
		cmd->click = 1;
		cmd->source_id = slack_dup(slack_json_str(cont, "message_ts"));
		sl->clicks++;
		log_info("slack", "button %s clicked by %s",
		    slack_json_str(act, "action_id") != NULL ?
		    slack_json_str(act, "action_id") : "?", uid);
		*tail = cmd;
		tail = &cmd->next;
	}
	return head;
}

static void
slack_on_disconnect(struct slack_conn *conn, const cJSON *msg)
{
	struct slack	*sl = conn->sl;
	const char	*reason = slack_json_str(msg, "reason");

	log_info("slack", "disconnect notice: %s", reason != NULL ? reason :
	    "(no reason)");
	if (reason != NULL && strcmp(reason, "link_disabled") == 0) {
		sl->stopping = 1;
		bot_fatal(sl->bot, 4, "slack: Socket Mode is disabled for this "
		    "app (link_disabled); turn it on under Socket Mode in the "
		    "app's settings");
		return;
	}
	conn->retiring = 1;
	/* Over the socket limit: opening at once would only loop. */
	if (reason != NULL && strcmp(reason, "too_many_websockets") == 0) {
		slack_schedule_retry(sl);
		return;
	}
	/* Open the replacement first; this one goes after its hello. */
	slack_open(sl);
}

/* One complete JSON message from Slack. */
static void
slack_on_message(struct slack_conn *conn, const char *text, size_t len)
{
	struct slack		*sl = conn->sl;
	struct slack_cmd	*cmd = NULL;
	struct slack_conn	*c;
	cJSON			*msg, *payload, *ack;
	const char		*type, *eid, *event_id;
	char			 key[96];

	if ((msg = cJSON_ParseWithLength(text, len)) == NULL ||
	    !cJSON_IsObject(msg)) {
		log_warn("slack", "ignored a frame that is not a JSON object "
		    "(%zu bytes)", len);
		cJSON_Delete(msg);
		return;
	}
	type = slack_json_str(msg, "type");
	eid = slack_json_str(msg, "envelope_id");
	payload = cJSON_GetObjectItemCaseSensitive(msg, "payload");
	if (type != NULL && strcmp(type, "hello") == 0) {
		conn->hello = 1;
		sl->retry_count = 0;
		sl->connects++;
		log_info("slack", "connected (hello)");
		chatlink_state("slack", 1);
		/* The replaced sockets go once their acks are out. */
		for (c = sl->conns; c != NULL; c = c->next) {
			if (c == conn || !c->retiring || c->wsi == NULL)
				continue;
			if (c->txq == NULL)
				lws_set_timeout(c->wsi,
				    PENDING_TIMEOUT_CLOSE_SEND, LWS_TO_KILL_ASYNC);
			else
				c->close_drained = 1;
		}
	} else if (type != NULL && strcmp(type, "disconnect") == 0)
		slack_on_disconnect(conn, msg);
	else if (eid == NULL)
		log_warn("slack", "ignored a message of type %s without an "
		    "envelope_id", type != NULL ? type : "(none)");
	else {
		sl->envelopes++;
		event_id = cJSON_IsObject(payload) ?
		    slack_json_str(payload, "event_id") : NULL;
		/* Retries keep event_id; slash commands have envelope_id. */
		snprintf(key, sizeof key, "%s", event_id != NULL ? event_id :
		    eid);
		if (slack_seen(sl, key)) {
			sl->duplicates++;
			log_info("slack", "redelivery of %s acked, not run "
			    "again", key);
		} else if (type != NULL && strcmp(type, "slash_commands") == 0 &&
		    cJSON_IsObject(payload))
			cmd = slack_from_slash(sl, payload);
		else if (type != NULL && strcmp(type, "events_api") == 0 &&
		    cJSON_IsObject(payload))
			cmd = slack_from_event(sl,
			    cJSON_GetObjectItemCaseSensitive(payload, "event"));
		else if (type != NULL && strcmp(type, "interactive") == 0 &&
		    cJSON_IsObject(payload))
			cmd = slack_from_interactive(sl, payload);
		else
			log_info("slack", "acked an envelope of type %s with "
			    "nothing to run", type != NULL ? type : "(none)");
		ack = cJSON_CreateObject();
		cJSON_AddStringToObject(ack, "envelope_id", eid);
		/* Only a slash command's ack may carry a response. */
		if (cmd != NULL && strcmp(type, "slash_commands") == 0 &&
		    cmd->reply_to != NULL &&
		    strncmp(cmd->reply_to, "url:", 4) == 0 &&
		    bot_command_is_slow(sl->bot, cmd->text)) {
			cJSON *p = cJSON_AddObjectToObject(ack, "payload");

			cJSON_AddStringToObject(p, "text", "working on it…");
		}
		/* The command runs once its ack is on the wire. */
		slack_queue(conn, cJSON_PrintUnformatted(ack), key, cmd);
		cJSON_Delete(ack);
	}
	cJSON_Delete(msg);
}

static void
slack_retry_cb(lws_sorted_usec_list_t *sul)
{
	struct slack	*sl = lws_container_of(sul, struct slack, retry_sul);

	sl->retry_armed = 0;
	slack_open(sl);
}

/* After a loss or a failed attempt: try again, later each time. */
static void
slack_schedule_retry(struct slack *sl)
{
	unsigned int	 ms;

	if (sl->stopping || sl->retry_armed || sl->opening)
		return;
	ms = chat_backoff_ms(&sl->retry_count);
	log_info("slack", "reconnecting in %u ms", ms);
	lws_sul_schedule(loop_lws(sl->bot->loop), 0, &sl->retry_sul,
	    slack_retry_cb, (lws_usec_t)ms * LWS_US_PER_MS);
	sl->retry_armed = 1;
}

static void
slack_conn_unlink(struct slack_conn *conn)
{
	struct slack_conn	**pp;

	for (pp = &conn->sl->conns; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == conn) {
			*pp = conn->next;
			return;
		}
	}
}

static int
slack_live_conns(const struct slack *sl)
{
	const struct slack_conn	*c;
	int			 n = 0;

	for (c = sl->conns; c != NULL; c = c->next) {
		if (!c->retiring)
			n++;
	}
	return n;
}

/* Runs the commands whose acks have been written. */
static void
slack_run_ready(struct slack_conn *conn)
{
	struct slack_frame	*f;

	while ((f = conn->ready) != NULL) {
		conn->ready = f->next;
		if (conn->ready == NULL)
			conn->ready_tail = NULL;
		if (f->cmd != NULL && !conn->sl->stopping)
			slack_dispatch(conn->sl, f->cmd);
		slack_cmd_free(f->cmd);
		free(f);
	}
}

static int
slack_ws_cb(struct loop_ws *ws, struct lws *wsi, int reason, void *in,
    size_t len)
{
	struct slack_conn	*conn = (struct slack_conn *)ws;
	struct slack		*sl = conn->sl;
	struct slack_frame	*f;
	unsigned char		*out;
	int			 n;

	switch (reason) {
	case LWS_CALLBACK_CLIENT_ESTABLISHED:
		log_debug("slack", "websocket open; waiting for hello");
		return 0;
	case LWS_CALLBACK_CLIENT_RECEIVE_PONG:
		chatlink_inbound("slack");
		return 0;
	case LWS_CALLBACK_CLIENT_RECEIVE:
		chatlink_inbound("slack");
		switch (chat_ws_collect(wsi, &conn->rx, &conn->rx_overflow, in,
		    len, SLACK_RX_MAX)) {
		case 1:
			slack_on_message(conn, conn->rx.data, conn->rx.len);
			buf_clear(&conn->rx);
			break;
		case -1:
			log_warn("slack", "ignored a binary frame or a message "
			    "over %d bytes", SLACK_RX_MAX);
			break;
		}
		return 0;
	case LWS_CALLBACK_CLIENT_WRITEABLE:
		if ((f = conn->txq) == NULL)
			return 0;
		out = xmalloc(LWS_PRE + f->len);
		memcpy(out + LWS_PRE, f->data, f->len);
		n = lws_write(wsi, out + LWS_PRE, f->len, LWS_WRITE_TEXT);
		free(out);
		if (n < (int)f->len)
			return -1;
		conn->txq = f->next;
		if (conn->txq == NULL)
			conn->txq_tail = NULL;
		slack_seen_add(sl, f->key);
		free(f->data);
		f->data = NULL;
		f->next = NULL;
		if (conn->ready_tail != NULL)
			conn->ready_tail->next = f;
		else
			conn->ready = f;
		conn->ready_tail = f;
		/*
		 * Every queued ack goes out before any command runs, so a
		 * burst of envelopes is acked in microseconds, not after the
		 * commands ahead of it.
		 */
		if (conn->txq != NULL) {
			lws_callback_on_writable(wsi);
			return 0;
		}
		slack_run_ready(conn);
		return conn->close_drained ? -1 : 0;
	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
		log_warn("slack", "cannot connect: %s", in != NULL ?
		    (const char *)in : "unknown error");
		/* FALLTHROUGH */
	case LWS_CALLBACK_CLIENT_CLOSED:
		if (reason == LWS_CALLBACK_CLIENT_CLOSED)
			log_info("slack", "websocket closed%s", conn->retiring ?
			    " (replaced)" : "");
		/* Acked already: Slack will not send these again. */
		slack_run_ready(conn);
		lws_set_opaque_user_data(wsi, NULL);
		slack_conn_unlink(conn);
		slack_conn_free(conn);
		/*
		 * A stopped adapter's last close says nothing of the link: a
		 * reload may have started its successor, already up.
		 */
		if (slack_live_conns(sl) == 0 && !sl->stopping) {
			chatlink_state("slack", 0);
			slack_schedule_retry(sl);
		}
		return 0;
	default:
		return 0;
	}
}

/* Loop thread: connect to a URL from apps.connections.open. */
static void
slack_connect(struct slack *sl, const char *url)
{
	struct slack_conn		*conn;
	const char			*proto, *addr, *path;
	char				*copy = xstrdup(url), fullpath[2048];
	int				 port;

	if (lws_parse_uri(copy, &proto, &addr, &port, &path) != 0 ||
	    (strcmp(proto, "wss") != 0 && strcmp(proto, "ws") != 0)) {
		log_error("slack", "apps.connections.open gave an unusable URL");
		free(copy);
		slack_schedule_retry(sl);
		return;
	}
	/* lws_parse_uri drops the path's leading "/". */
	snprintf(fullpath, sizeof fullpath, "/%s", path);
	conn = xcalloc(1, sizeof *conn);
	conn->ws.cb = slack_ws_cb;
	conn->sl = sl;
	buf_init(&conn->rx);
	conn->next = sl->conns;
	sl->conns = conn;

	if (chat_ws_connect(sl->bot->loop, strcmp(proto, "wss") == 0, addr,
	    port, fullpath, &conn->ws, &slack_idle, &conn->wsi) != 0) {
		/* CONNECTION_ERROR already freed conn if it ran; else here. */
		struct slack_conn *c;

		for (c = sl->conns; c != NULL && c != conn; c = c->next)
			;
		if (c != NULL) {
			slack_conn_unlink(conn);
			slack_conn_free(conn);
		}
		log_warn("slack", "cannot start a connection to %s", addr);
		slack_schedule_retry(sl);
	}
	free(copy);
}

/* apps.connections.open, on a worker. */
struct slack_open_job {
	struct slack	*sl;
	char		*url;
	char		*error;
	int		 fatal;
};

static void
slack_open_work(void *arg)
{
	struct slack_open_job	*j = arg;
	struct http_response	 r;
	cJSON			*json;
	const char		*url, *err;
	char			*cause = NULL;

	json = slack_api(j->sl->api_url, j->sl->app_token,
	    "apps.connections.open", NULL, &r, &cause);
	if (json == NULL)
		j->error = cause;
	else if (slack_json_ok(json) && (url = slack_json_str(json, "url")) !=
	    NULL)
		j->url = xstrdup(url);
	else {
		err = slack_json_str(json, "error");
		j->error = xstrdup(err != NULL ? err : "no url");
		j->fatal = slack_error_is_fatal(err);
	}
	cJSON_Delete(json);
	http_response_release(&r);
}

static void
slack_open_done(void *arg, enum workers_status st)
{
	struct slack_open_job	*j = arg;
	struct slack		*sl = j->sl;
	char			*why;

	sl->opening = 0;
	if (st == WORKERS_DONE && !sl->stopping) {
		if (j->url != NULL) {
			if (!sl->unidentified || slack_identify_late(sl) == 0)
				slack_connect(sl, j->url);
		}
		else if (j->fatal) {
			sl->stopping = 1;
			xasprintf(&why, "slack: the app token was refused "
			    "(apps.connections.open: %s)", j->error);
			bot_fatal(sl->bot, 4, why);
			free(why);
		} else {
			log_warn("slack", "apps.connections.open failed: %s",
			    j->error);
			slack_schedule_retry(sl);
		}
	}
	free(j->url);
	free(j->error);
	free(j);
}

static void
slack_open(struct slack *sl)
{
	struct slack_open_job	*j;

	if (sl->opening || sl->stopping)
		return;
	j = xcalloc(1, sizeof *j);
	j->sl = sl;
	sl->opening = 1;
	if (workers_submit(sl->bot->workers, slack_open_work, slack_open_done,
	    j) != 0) {
		sl->opening = 0;
		free(j);
	}
}

/* --------------------------------------------------------------- ops */

/*
 * Resolves a channel named in the config ("#ops-alerts") with
 * conversations.list. Returns its id (caller frees), or NULL and *cause:
 * unknown, or the bot is not a member (it could not post there).
 */
static char *
slack_resolve_channel(struct slack *sl, const char *name, char **cause)
{
	struct http_response	 r;
	cJSON			*json, *ch, *req;
	const cJSON		*list, *meta;
	const char		*cursor_v, *want = name + (name[0] == '#');
	char			*body, *cursor = xstrdup(""), *id = NULL;
	int			 found = 0, pages;

	*cause = NULL;
	for (pages = 0; pages < 50 && !found; pages++) {
		/* Built with cJSON: the cursor is Slack's text, not ours. */
		req = cJSON_CreateObject();
		cJSON_AddStringToObject(req, "types",
		    "public_channel,private_channel");
		cJSON_AddBoolToObject(req, "exclude_archived", 1);
		cJSON_AddNumberToObject(req, "limit", 1000);
		if (*cursor != '\0')
			cJSON_AddStringToObject(req, "cursor", cursor);
		body = cJSON_PrintUnformatted(req);
		cJSON_Delete(req);
		json = slack_api(sl->api_url, sl->bot_token,
		    "conversations.list", body, &r, cause);
		free(body);
		http_response_release(&r);
		if (json == NULL)
			break;
		if (!slack_json_ok(json)) {
			xasprintf(cause, "conversations.list: %s",
			    slack_json_str(json, "error") != NULL ?
			    slack_json_str(json, "error") : "?");
			cJSON_Delete(json);
			break;
		}
		list = cJSON_GetObjectItemCaseSensitive(json, "channels");
		cJSON_ArrayForEach(ch, list) {
			if (slack_json_str(ch, "name") == NULL ||
			    strcmp(slack_json_str(ch, "name"), want) != 0)
				continue;
			found = 1;
			if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(ch,
			    "is_member")))
				xasprintf(cause, "the bot is not a member of "
				    "#%s; invite it there (/invite @%s)", want,
				    "opsbot");
			else
				id = slack_dup(slack_json_str(ch, "id"));
			break;
		}
		meta = cJSON_GetObjectItemCaseSensitive(json,
		    "response_metadata");
		cursor_v = slack_json_str(meta, "next_cursor");
		free(cursor);
		cursor = xstrdup(cursor_v != NULL ? cursor_v : "");
		cJSON_Delete(json);
		if (*cursor == '\0')
			break;
	}
	free(cursor);
	if (!found && *cause == NULL)
		xasprintf(cause, "unknown channel #%s", want);
	return id;
}

/*
 * Resolves the Slack channels of a route and its children ("slack:#x")
 * to ids once, at start: an unknown channel, or one without the bot,
 * stops the start with the route that names it.
 */
static int
slack_resolve_route(struct slack *sl, const struct cfg_route *r,
    char **cause)
{
	const char	*name;
	char		*why, *id;
	size_t		 i, j;

	for (i = 0; i < r->channels.n; i++) {
		if (strncmp(r->channels.v[i], "slack:", 6) != 0)
			continue;
		name = r->channels.v[i] + 6;
		for (j = 0; j < sl->nchans; j++) {
			if (strcmp(sl->chans[j].name, name) == 0)
				break;
		}
		if (j < sl->nchans || sl->nchans == SLACK_CHANNELS_MAX)
			continue;
		if (name[0] != '#') {
			/* An id already: Slack says at the first post. */
			id = xstrdup(name);
		} else if ((id = slack_resolve_channel(sl, name, &why)) ==
		    NULL) {
			if (r == &sl->bot->cfg->alerts.route &&
			    sl->bot->cfg->alerts.route_from_default)
				xasprintf(cause, "slack: alerts.default_channel "
				    "%s: %s", name, why);
			else
				xasprintf(cause, "slack: %s.channels: %s: %s",
				    r->path, name, why);
			free(why);
			return -1;
		} else
			log_info("slack", "%s is %s", name, id);
		sl->chans[sl->nchans].name = xstrdup(name);
		sl->chans[sl->nchans++].id = id;
	}
	for (i = 0; i < r->nroutes; i++) {
		if (slack_resolve_route(sl, &r->routes[i], cause) != 0)
			return -1;
	}
	return 0;
}

/*
 * Alerts and reports (chat_ops.post): a new message, an update of the
 * message of outbox row ref (chat.update needs its ts, filled in when it
 * is sent), or a reply in its thread.
 */
static int64_t
slack_post(struct chat *c, const char *channel, const char *kind,
    int64_t ref, const struct message *m, char **cause)
{
	struct slack	*sl = c->priv;
	cJSON		*body = cJSON_CreateObject();
	char		*json, target[32];
	const char	*id = channel;
	size_t		 i;
	int64_t		 row;

	for (i = 0; i < sl->nchans; i++) {
		if (strcmp(sl->chans[i].name, channel) == 0)
			id = sl->chans[i].id;
	}
	message_render_slack(m, body);
	cJSON_AddStringToObject(body, "channel", id);
	cJSON_AddBoolToObject(body, "unfurl_links", 0);
	json = cJSON_PrintUnformatted(body);
	cJSON_Delete(body);
	snprintf(target, sizeof target, "ref:%lld", (long long)ref);
	row = outbox_enqueue(sl->bot->outbox, "slack", id, kind,
	    strcmp(kind, "post") == 0 ? NULL : target, json, cause);
	free(json);
	return row;
}

/*
 * An update or a thread reply gets the ts of the message it is about
 * (resolved by the outbox from "ref:N"): body + ts or thread_ts.
 */
static char *
slack_body_with_ts(const char *body, const char *key, const char *ts)
{
	cJSON	*json = cJSON_Parse(body);
	char	*out;

	if (json == NULL)
		return xstrdup(body);
	cJSON_DeleteItemFromObjectCaseSensitive(json, key);
	cJSON_AddStringToObject(json, key, ts);
	out = cJSON_PrintUnformatted(json);
	cJSON_Delete(json);
	return out;
}

enum slack_id {
	SLACK_ID_OK,
	SLACK_ID_DOWN,		/* no answer, or 5xx: retry */
	SLACK_ID_REFUSED,	/* the bot token: a person must fix it */
	SLACK_ID_BAD,		/* a channel, a wrong URL: the config */
};

/*
 * auth.test (who the bot is) and the config's channels: at start, or once
 * the Web API answers when it did not then. Sets *cause unless OK.
 */
static enum slack_id
slack_identify(struct slack *sl, char **cause)
{
	struct http_response	 r;
	cJSON			*json;
	const char		*v;
	long			 status;

	json = slack_api(sl->api_url, sl->bot_token, "auth.test", NULL, &r,
	    cause);
	status = r.status;
	http_response_release(&r);
	if (json == NULL) {
		char *why = *cause;

		if (status == 401 || status == 403) {
			xasprintf(cause, "slack: the bot token was refused "
			    "(auth.test: HTTP %ld); check chat.slack.bot_token "
			    "(xoxb-...)", status);
			free(why);
			return SLACK_ID_REFUSED;
		}
		xasprintf(cause, "slack: cannot reach the Web API at %s (%s)",
		    sl->api_url, why);
		free(why);
		return status == 0 || status >= 500 ? SLACK_ID_DOWN :
		    SLACK_ID_BAD;
	}
	if (!slack_json_ok(json)) {
		v = slack_json_str(json, "error");
		xasprintf(cause, "slack: the bot token was refused (auth.test: "
		    "%s); check chat.slack.bot_token (xoxb-...)",
		    v != NULL ? v : "?");
		cJSON_Delete(json);
		return SLACK_ID_REFUSED;
	}
	if ((v = slack_json_str(json, "user_id")) != NULL)
		snprintf(sl->bot_user_id, sizeof sl->bot_user_id, "%s", v);
	if ((v = slack_json_str(json, "bot_id")) != NULL)
		snprintf(sl->bot_id, sizeof sl->bot_id, "%s", v);
	log_info("slack", "bot token ok: user %s, team %s", sl->bot_user_id,
	    (v = slack_json_str(json, "team")) != NULL ? v : "?");
	cJSON_Delete(json);

	/* Channels named in the config must exist and have the bot in. */
	if (slack_resolve_route(sl, &sl->bot->cfg->alerts.route, cause) != 0)
		return SLACK_ID_BAD;
	return SLACK_ID_OK;
}

/*
 * Slack was down at start and apps.connections.open just answered: who
 * the bot is and the channels, now. Returns 0 to go on connecting.
 */
static int
slack_identify_late(struct slack *sl)
{
	enum slack_id	 id;
	char		*cause = NULL;

	if ((id = slack_identify(sl, &cause)) == SLACK_ID_OK) {
		sl->unidentified = 0;
		return 0;
	}
	if (id == SLACK_ID_DOWN) {
		log_warn("slack", "%s", cause);
		slack_schedule_retry(sl);
	} else {
		sl->stopping = 1;
		bot_fatal(sl->bot, id == SLACK_ID_REFUSED ? 4 : 3, cause);
	}
	free(cause);
	return -1;
}

static int
slack_start(struct chat *c, char **cause)
{
	const struct config	*cfg = c->bot->cfg;
	struct slack		*sl = xcalloc(1, sizeof *sl);
	enum slack_id		 id;

	c->priv = sl;
	sl->chat = c;
	sl->bot = c->bot;
	sl->api_url = cfg->chat.slack_api_url;
	sl->app_token = cfg->chat.slack_app_token;
	sl->bot_token = cfg->chat.slack_bot_token;

	/*
	 * A refused token or a wrong channel stops the start; Slack being
	 * down does not: alerts are still taken, posts wait in the outbox,
	 * and the link is retried with backoff.
	 */
	if ((id = slack_identify(sl, cause)) == SLACK_ID_DOWN) {
		log_warn("slack", "%s; starting without Slack: posts wait in "
		    "the outbox and the link is retried", *cause);
		free(*cause);
		*cause = NULL;
		sl->unidentified = 1;
	} else if (id != SLACK_ID_OK)
		return -1;
	outbox_register(sl->bot->outbox, "slack", slack_send, sl);
	slack_open(sl);
	return 0;
}

static void
slack_stop(struct chat *c)
{
	struct slack		*sl = c->priv;
	struct slack_conn	*conn;

	if (sl == NULL)
		return;
	sl->stopping = 1;
	if (sl->retry_armed) {
		lws_sul_cancel(&sl->retry_sul);
		sl->retry_armed = 0;
	}
	for (conn = sl->conns; conn != NULL; conn = conn->next) {
		if (conn->wsi != NULL)
			lws_set_timeout(conn->wsi, PENDING_TIMEOUT_CLOSE_SEND,
			    LWS_TO_KILL_ASYNC);
	}
}

static void
slack_describe(struct chat *c, struct buf *b)
{
	struct slack		*sl = c->priv;
	struct slack_conn	*conn;
	int			 up = 0;

	if (sl == NULL) {
		buf_adds(b, "not started");
		return;
	}
	for (conn = sl->conns; conn != NULL; conn = conn->next)
		up += conn->hello;
	buf_addf(b, "%s; %llu connect(s), %llu envelope(s), %llu "
	    "redelivered, %llu click(s)", up > 0 ? "connected" :
	    sl->stopping ? "stopped" : sl->unidentified ? "unreachable since "
	    "start, retrying" : "reconnecting",
	    (unsigned long long)sl->connects,
	    (unsigned long long)sl->envelopes,
	    (unsigned long long)sl->duplicates,
	    (unsigned long long)sl->clicks);
}

static void
slack_free(struct chat *c)
{
	struct slack		*sl = c->priv;
	struct slack_conn	*conn, *next;

	if (sl == NULL)
		return;
	/* The loop is gone by now: connections are just memory. */
	for (conn = sl->conns; conn != NULL; conn = next) {
		next = conn->next;
		slack_conn_free(conn);
	}
	while (sl->nchans > 0) {
		sl->nchans--;
		free(sl->chans[sl->nchans].name);
		free(sl->chans[sl->nchans].id);
	}
	free(sl);
	c->priv = NULL;
}

const struct chat_ops chat_slack_ops = {
	.name = "slack",
	.start = slack_start,
	.stop = slack_stop,
	.reply = slack_reply,
	.reply_live = slack_reply_live,
	.post = slack_post,
	.describe = slack_describe,
	.free = slack_free,
};

/*
 * Mattermost over its WebSocket API (docs/protocols.md §4). The
 * token is checked with /users/me at start; the socket authenticates with
 * an Authorization header on the upgrade, which is what lets a reconnect
 * resume: the bot asks for connection_id and the next sequence number, and
 * the server replays what was missed. A gap in the sequence forces a
 * reconnect. The bot answers posts that mention it, direct messages, and
 * posts starting with chat.mattermost.prefix; answers go through the
 * outbox as POST /api/v4/posts, in the thread of the post.
 *
 * Buttons (mattermost_actions.c; docs/protocols.md §5.4) carry
 * integration.url (the bot's listener, POST /mattermost/action) and a
 * context {"command": the command line, "token": a secret kept in
 * DATA_DIR}; a click runs the command as the person who clicked. With chat.mattermost.register_*, the bot registers
 * (or repairs) its slash command at start and uses its token (docs/protocols.md §5.3).
 */

#include <sys/stat.h>

#include <cjson/cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <libwebsockets.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "bot.h"
#include "chat.h"
#include "chatlink.h"
#include "clock.h"
#include "http.h"
#include "httpd.h"
#include "log.h"
#include "loop.h"
#include "mattermost_live.h"
#include "mattermost_int.h"
#include "outbox.h"
#include "xmalloc.h"

#define MM_RX_MAX		(1024 * 1024)
#define MM_TEXT_MAX		15000	/* the server allows 16383 */
#define MM_HEALTHY_MS		5000	/* up this long: backoff starts over */

/* The server pings every 60 s; we check the link after 30 s idle. */
static const lws_retry_bo_t mm_idle = {
	.secs_since_valid_ping = 30,
	.secs_since_valid_hangup = 60,
};


/* -------------------------------------------------------------- REST */

char *
mm_auth_header(const char *token)
{
	char	*h;

	xasprintf(&h, "Authorization: Bearer %s", token);
	return h;
}

void
mm_auth_free(char *h)
{
	explicit_bzero(h, strlen(h));
	free(h);
}

char *
mm_http_why(const struct http_response *r)
{
	cJSON		*j = cJSON_Parse(r->body.data != NULL ? r->body.data : "");
	const char	*msg = mm_str(j, "message");
	char		*why;

	if (r->status == 0)
		xasprintf(&why, "%s", r->error);
	else
		xasprintf(&why, "HTTP %ld%s%s", r->status, msg != NULL ? ": " :
		    "", msg != NULL ? msg : "");
	cJSON_Delete(j);
	return why;
}

long
mm_rest(struct mattermost *mm, const char *method, const char *path,
    const char *body, struct http_response *r)
{
	const char	*headers[2];
	char		*url, *auth = mm_auth_header(mm->token);

	xasprintf(&url, "%s%s", mm->url, path);
	headers[0] = auth;
	headers[1] = NULL;
	http_request(method, url, headers, body != NULL ? "application/json" :
	    NULL, body, MM_HTTP_TIMEOUT_MS, r);
	mm_auth_free(auth);
	free(url);
	return r->status;
}

/* Sends one outbox row: POST /api/v4/posts. Worker thread. */
static void
mm_send(void *arg, const struct outbox_item *it, struct outbox_result *r)
{
	struct mattermost	*mm = arg;
	struct http_response	 resp;
	const char		*headers[2];
	cJSON			*json;
	const cJSON		*id;
	char			*url, *auth = mm_auth_header(mm->token);

	char			*body = NULL;
	int			 update = strcmp(it->kind, "update") == 0;

	/* A slash command's answer goes to its response URL, no auth. */
	if (strcmp(it->kind, "response") == 0) {
		url = xstrdup(it->target);
		body = mm_response_body(it->body);
	}
	else if (update && it->target != NULL)
		/* The target is the post id the outbox resolved. */
		xasprintf(&url, "%s/api/v4/posts/%s/patch", mm->url,
		    it->target);
	else
		xasprintf(&url, "%s/api/v4/posts%s", mm->url,
		    strcmp(it->kind, "ephemeral") == 0 ? "/ephemeral" : "");
	/*
	 * A create carries pending_post_id, the same for every attempt of
	 * this row (also after a restart), so that a retry after a lost
	 * answer does not post twice: the server returns the post it made.
	 */
	if ((strcmp(it->kind, "post") == 0 || strcmp(it->kind, "thread") ==
	    0) && (json = cJSON_Parse(it->body)) != NULL) {
		char	 pending[96];

		if (strcmp(it->kind, "thread") == 0 && it->target != NULL) {
			cJSON_DeleteItemFromObjectCaseSensitive(json,
			    "root_id");
			cJSON_AddStringToObject(json, "root_id", it->target);
		}
		snprintf(pending, sizeof pending, "%s:opsbot%lld", mm->user_id,
		    (long long)it->id);
		cJSON_DeleteItemFromObjectCaseSensitive(json,
		    "pending_post_id");
		cJSON_AddStringToObject(json, "pending_post_id", pending);
		body = cJSON_PrintUnformatted(json);
		cJSON_Delete(json);
	}
	headers[0] = auth;
	headers[1] = NULL;
	if (update)
		http_request("PUT", url, headers, "application/json",
		    it->body, MM_HTTP_TIMEOUT_MS, &resp);
	else
		http_post(url, strcmp(it->kind, "response") == 0 ? NULL :
		    headers, "application/json", body != NULL ? body :
		    it->body, MM_HTTP_TIMEOUT_MS, &resp);
	mm_auth_free(auth);
	free(url);
	free(body);
	/* No create_post_ephemeral: the asker must still hear it. */
	if (resp.status == 403 && strcmp(it->kind, "ephemeral") == 0) {
		struct http_response	 fb;

		memset(&fb, 0, sizeof fb);
		if (mm_private_fallback(mm, it->body, &resp, &fb) == 0 ||
		    fb.status != 0 || fb.error[0] != '\0') {
			/* Its outcome is the row's (a 5xx is retried). */
			http_response_release(&resp);
			resp = fb;
		} else
			http_response_release(&fb);
	}
	/* The response URL is gone (expired, used up): the channel. */
	if (resp.status >= 400 && resp.status < 500 && resp.status != 429 &&
	    strcmp(it->kind, "response") == 0) {
		struct http_response	 fb;

		memset(&fb, 0, sizeof fb);
		if (mm_response_fallback(mm, it->body, &fb) == 0 ||
		    fb.status != 0) {
			http_response_release(&resp);
			resp = fb;
		} else
			http_response_release(&fb);
	}
	if (resp.status == 201 || resp.status == 200) {
		r->verdict = OUTBOX_SENT;
		json = cJSON_Parse(resp.body.data);
		id = cJSON_GetObjectItemCaseSensitive(json, "id");
		if (cJSON_IsString(id))
			r->platform_id = xstrdup(id->valuestring);
		cJSON_Delete(json);
	} else if (resp.status == 429) {
		r->verdict = OUTBOX_RATE_LIMITED;
		r->retry_after_ms = (resp.retry_after_s >= 0 ?
		    resp.retry_after_s : 1) * 1000;
	} else if (resp.status == 0 || resp.status >= 500) {
		r->verdict = OUTBOX_RETRY;
		/* No server at all: an outage, not counted as an attempt. */
		r->unsent = resp.unsent;
		xasprintf(&r->error, "%s", resp.status == 0 ? resp.error :
		    "HTTP 5xx");
	} else {
		r->verdict = OUTBOX_REJECTED;
		/* Say which channel, by the name the config gave it. */
		if (resp.status == 403 && (strcmp(it->kind, "post") == 0 ||
		    strcmp(it->kind, "thread") == 0))
			r->error = mm_channel_refused(mm, mm_channel_id(mm,
			    it->channel), &resp);
		else
			r->error = mm_http_why(&resp);
	}
	http_response_release(&resp);
}

/*
 * Alerts and reports (chat_ops.post): a new post in a channel (an id),
 * a patch of the post of outbox row ref, or a reply in its thread; the
 * post id is filled in by the outbox when it is sent.
 */
static int64_t
mm_post(struct chat *c, const char *channel, const char *kind, int64_t ref,
    const struct message *m, char **cause)
{
	struct mattermost	*mm = c->priv;
	const struct message_mm_actions act = { .url = mm->actions_url,
		.token = mm->action_token };
	cJSON			*body = cJSON_CreateObject();
	char			*json, target[32];
	int64_t			 row;

	if (strcmp(kind, "update") != 0)
		cJSON_AddStringToObject(body, "channel_id",
		    mm_channel_id(mm, channel));
	message_render_mattermost(m, body, 0, &act);
	json = cJSON_PrintUnformatted(body);
	cJSON_Delete(body);
	snprintf(target, sizeof target, "ref:%lld", (long long)ref);
	row = outbox_enqueue(mm->bot->outbox, "mattermost", channel, kind,
	    strcmp(kind, "post") == 0 ? NULL : target, json, cause);
	free(json);
	return row;
}

static void	mm_reply_to(struct mattermost *, const struct chat_origin *,
		    const struct message *, int);

static void
mm_reply(struct chat *c, const struct chat_origin *o, const struct message *m)
{
	mm_reply_to(c->priv, o, m, 0);
}

/*
 * Renders m for origin o and queues it; direct: sends it once without the
 * outbox (the store could not take it: a full disk), nothing kept.
 */
static void
mm_reply_to(struct mattermost *mm, const struct chat_origin *o,
    const struct message *m, int direct)
{
	cJSON			*body = cJSON_CreateObject();
	struct message		 cut = *m;
	const struct message_mm_actions act = { .url = mm->actions_url,
		.token = mm->action_token };
	const char		*target = NULL, *where, *kind;
	char			*json, *cause = NULL, *code = NULL;
	int			 ephemeral = 0;

	/* Posts hold 16383 characters: keep the head of a long block. */
	if (m->code != NULL && strlen(m->code) > MM_TEXT_MAX) {
		xasprintf(&code, "%.*s\n… (cut; too long for one post)",
		    MM_TEXT_MAX, m->code);
		cut.code = code;
	}
	if (o->reply_to != NULL && strncmp(o->reply_to, "url:", 4) == 0) {
		target = o->reply_to + 4;
		cJSON_AddStringToObject(body, "response_type", m->ephemeral ?
		    "ephemeral" : "in_channel");
		message_render_mattermost(&cut, body, 1, &act);
		/* Where it goes if the URL is gone by the time it is sent. */
		if (o->channel != NULL) {
			cJSON *fb = cJSON_AddObjectToObject(body,
			    MM_FALLBACK_KEY);

			cJSON_AddStringToObject(fb, "channel_id", o->channel);
			if (o->user_id != NULL)
				cJSON_AddStringToObject(fb, "user_id",
				    o->user_id);
		}
	} else if (m->replace && o->source_id != NULL) {
		/* A used Confirm prompt: patch the clicked post in place. */
		message_render_mattermost(&cut, body, 0, &act);
		target = o->source_id;
	} else {
		cJSON_AddStringToObject(body, "channel_id", o->channel);
		if (o->reply_to != NULL)
			cJSON_AddStringToObject(body, "root_id", o->reply_to);
		message_render_mattermost(&cut, body, 0, &act);
		/* Only the person who asked sees it: posts/ephemeral. */
		if (m->ephemeral && o->user_id != NULL) {
			cJSON *wrap = cJSON_CreateObject();

			cJSON_AddStringToObject(wrap, "user_id", o->user_id);
			cJSON_AddItemToObject(wrap, "post", body);
			body = wrap;
			ephemeral = 1;
		}
	}
	json = cJSON_PrintUnformatted(body);
	where = target != NULL && target != o->source_id ? target : o->channel;
	kind = target == NULL ? (ephemeral ? "ephemeral" : "post") :
	    target == o->source_id ? "update" : "response";
	if (direct) {
		if (outbox_send_direct(mm->bot->outbox, "mattermost", where,
		    kind, target, json) != 0)
			log_error("mattermost", "cannot answer directly either");
	} else if (outbox_enqueue(mm->bot->outbox, "mattermost", where, kind,
	    target, json, &cause) < 0) {
		/* A response URL queues on its own, not behind channel posts. */
		struct message	 e;
		char		*title;

		log_error("mattermost", "cannot queue a reply: %s", cause);
		/* Still answered, once, saying why (a full disk). */
		chat_store_failed(m, cause, &e, &title);
		mm_reply_to(mm, o, &e, 1);
		free(title);
		free(cause);
	}
	free(json);
	free(code);
	cJSON_Delete(body);
}

static int64_t
mm_reply_live(struct chat *c, const struct chat_origin *o, int64_t ref,
    const struct message *m)
{
	struct mattermost	*mm = c->priv;

	return mattermost_live_enqueue(mm->bot->outbox, o, ref, m);
}

/* ------------------------------------------------------------ events */

const char *
mm_str(const cJSON *o, const char *key)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int
mm_seen(struct mattermost *mm, const char *post_id)
{
	size_t	 i;

	for (i = 0; i < MM_SEEN; i++) {
		if (strcmp(mm->seen[i], post_id) == 0)
			return 1;
	}
	snprintf(mm->seen[mm->seen_next], sizeof mm->seen[0], "%s", post_id);
	mm->seen_next = (mm->seen_next + 1) % MM_SEEN;
	return 0;
}

/*
 * The command in a message, or NULL if it is not for us: "@opsbot health
 * db" (anywhere), "!health db", or anything in a direct message.
 */
static char *
mm_command_text(struct mattermost *mm, const char *msg, int direct)
{
	size_t	 plen = strlen(mm->prefix);
	char	*text;

	if ((text = mm_mention_strip(msg, mm->username)) != NULL)
		return text;
	if (plen > 0 && strncmp(msg, mm->prefix, plen) == 0)
		return xstrdup(msg + plen);
	return direct ? xstrdup(msg) : NULL;
}

static void
mm_on_posted(struct mattermost *mm, const cJSON *data)
{
	const char	*post_json = mm_str(data, "post");
	const char	*ctype = mm_str(data, "channel_type");
	const char	*cname = mm_str(data, "channel_name");
	const char	*sender = mm_str(data, "sender_name");
	const char	*id, *user, *channel, *root, *message, *type;
	struct chat_msg	 m;
	cJSON		*post;
	char		*text, *chname = NULL;
	int		 direct = ctype != NULL && strcmp(ctype, "D") == 0;

	/* The post is JSON inside a JSON string: parse it again. */
	if (post_json == NULL || (post = cJSON_Parse(post_json)) == NULL) {
		log_warn("mattermost", "ignored a posted event without a "
		    "readable post");
		return;
	}
	id = mm_str(post, "id");
	user = mm_str(post, "user_id");
	channel = mm_str(post, "channel_id");
	root = mm_str(post, "root_id");
	message = mm_str(post, "message");
	type = mm_str(post, "type");
	/* Not our own posts, not system messages, never twice. */
	if (id == NULL || user == NULL || channel == NULL || message == NULL ||
	    strcmp(user, mm->user_id) == 0 || (type != NULL && *type != '\0') ||
	    mm_seen(mm, id) ||
	    (text = mm_command_text(mm, message, direct)) == NULL) {
		cJSON_Delete(post);
		return;
	}
	mm->posts++;
	if (cname != NULL)
		xasprintf(&chname, "#%s", cname);
	memset(&m, 0, sizeof m);
	m.user_id = user;
	m.user_name = sender != NULL && sender[0] == '@' ? sender + 1 : sender;
	m.channel = channel;
	m.channel_name = chname;
	/* Answer in the thread: its root, or the post itself. */
	m.reply_to = direct ? NULL : root != NULL && *root != '\0' ? root : id;
	m.text = text;
	m.len = strlen(text);
	bot_handle_message(mm->bot, mm->chat, &m);
	free(text);
	free(chname);
	cJSON_Delete(post);
}

static void	mm_connect(struct mattermost *);

/*
 * A resumed socket gets no hello, and a quiet one no event either: what
 * proves it healthy is staying up. Then the next loss backs off from
 * 1 s again, not from where a string of earlier losses left it.
 */
static void
mm_healthy_cb(lws_sorted_usec_list_t *sul)
{
	struct mattermost *mm = lws_container_of(sul, struct mattermost,
	    healthy_sul);

	if (mm->connected && mm->wsi != NULL && mm->retry_count != 0) {
		log_info("mattermost", "connection %s up for %d s: reconnect "
		    "backoff starts over", mm->connection_id,
		    MM_HEALTHY_MS / 1000);
		mm->retry_count = 0;
	}
}

static void
mm_retry_cb(lws_sorted_usec_list_t *sul)
{
	struct mattermost *mm = lws_container_of(sul, struct mattermost,
	    retry_sul);

	mm->retry_armed = 0;
	mm_connect(mm);
}

static void
mm_schedule_retry(struct mattermost *mm)
{
	unsigned int	 ms;

	if (mm->stopping || mm->retry_armed)
		return;
	ms = chat_backoff_ms(&mm->retry_count);
	log_info("mattermost", "reconnecting in %u ms", ms);
	lws_sul_schedule(loop_lws(mm->bot->loop), 0, &mm->retry_sul,
	    mm_retry_cb, (lws_usec_t)ms * LWS_US_PER_MS);
	mm->retry_armed = 1;
}

/* One complete JSON message from the server. */
static void
mm_on_message(struct mattermost *mm, const char *text, size_t len)
{
	cJSON		*msg;
	const cJSON	*seq, *data;
	const char	*event, *cid;

	if ((msg = cJSON_ParseWithLength(text, len)) == NULL ||
	    !cJSON_IsObject(msg)) {
		log_warn("mattermost", "ignored a frame that is not a JSON "
		    "object (%zu bytes)", len);
		cJSON_Delete(msg);
		return;
	}
	/* Replies to our own requests carry seq_reply: nothing to do. */
	if (cJSON_HasObjectItem(msg, "seq_reply") ||
	    (event = mm_str(msg, "event")) == NULL) {
		cJSON_Delete(msg);
		return;
	}
	seq = cJSON_GetObjectItemCaseSensitive(msg, "seq");
	data = cJSON_GetObjectItemCaseSensitive(msg, "data");
	if (strcmp(event, "hello") == 0) {
		cid = mm_str(data, "connection_id");
		if (mm->next_seq >= 0 && cid != NULL &&
		    strcmp(cid, mm->connection_id) != 0)
			log_warn("mattermost", "the server could not resume the "
			    "old connection; events in between may be missed");
		if (cid != NULL)
			snprintf(mm->connection_id, sizeof mm->connection_id,
			    "%s", cid);
		mm->next_seq = 1;
		mm->connected = 1;
		mm->resuming = 0;
		mm->retry_count = 0;
		mm->connects++;
		chatlink_state("mattermost", 1);
		log_info("mattermost", "connected (hello, connection %s)",
		    mm->connection_id);
		cJSON_Delete(msg);
		return;
	}
	if (cJSON_IsNumber(seq) && mm->next_seq >= 0) {
		/* Range first: casting a huge or NaN double is undefined. */
		if (!(seq->valuedouble >= 0 && seq->valuedouble < 9e15) ||
		    (int64_t)seq->valuedouble != mm->next_seq) {
			/* A gap: reconnect and ask for what was missed. */
			mm->gaps++;
			log_warn("mattermost", "event seq %.0f, expected %lld; "
			    "reconnecting to resume", seq->valuedouble,
			    (long long)mm->next_seq);
			cJSON_Delete(msg);
			if (mm->wsi != NULL)
				lws_set_timeout(mm->wsi,
				    PENDING_TIMEOUT_CLOSE_SEND,
				    LWS_TO_KILL_ASYNC);
			return;
		}
		/* A resumed socket replays without a new hello. */
		if (mm->resuming) {
			mm->resuming = 0;
			mm->retry_count = 0;
			mm->resumes++;
			log_info("mattermost", "resumed connection %s at seq "
			    "%lld", mm->connection_id,
			    (long long)mm->next_seq);
		}
		mm->next_seq++;
	}
	if (strcmp(event, "posted") == 0 && cJSON_IsObject(data))
		mm_on_posted(mm, data);
	cJSON_Delete(msg);
}

static int
mm_ws_cb(struct loop_ws *ws, struct lws *wsi, int reason, void *in,
    size_t len)
{
	struct mattermost	*mm = (struct mattermost *)ws;
	unsigned char		**p, *end;
	char			*auth;

	switch (reason) {
	case LWS_CALLBACK_CLIENT_APPEND_HANDSHAKE_HEADER:
		/* Header auth: the session exists at upgrade, so resume works. */
		p = (unsigned char **)in;
		end = *p + len;
		xasprintf(&auth, "Bearer %s", mm->token);
		if (lws_add_http_header_by_name(wsi,
		    (const unsigned char *)"authorization:",
		    (const unsigned char *)auth, (int)strlen(auth), p, end))
			len = 0;
		mm_auth_free(auth);
		return len == 0 ? -1 : 0;
	case LWS_CALLBACK_CLIENT_ESTABLISHED:
		/* Header auth: up now; a resume sends no new hello. */
		log_debug("mattermost", "websocket open");
		if (mm->next_seq >= 0) {
			mm->connected = 1;
			mm->resuming = 1;
			chatlink_state("mattermost", 1);
		}
		lws_sul_schedule(loop_lws(mm->bot->loop), 0, &mm->healthy_sul,
		    mm_healthy_cb, (lws_usec_t)MM_HEALTHY_MS * LWS_US_PER_MS);
		return 0;
	case LWS_CALLBACK_CLIENT_RECEIVE_PONG:
		chatlink_inbound("mattermost");
		return 0;
	case LWS_CALLBACK_CLIENT_RECEIVE:
		chatlink_inbound("mattermost");
		switch (chat_ws_collect(wsi, &mm->rx, &mm->rx_overflow, in, len,
		    MM_RX_MAX)) {
		case 1:
			mm_on_message(mm, mm->rx.data, mm->rx.len);
			buf_clear(&mm->rx);
			break;
		case -1:
			log_warn("mattermost", "ignored a binary or oversized "
			    "frame");
			break;
		}
		return 0;
	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
		log_warn("mattermost", "cannot connect: %s", in != NULL ?
		    (const char *)in : "unknown error");
		/* FALLTHROUGH */
	case LWS_CALLBACK_CLIENT_CLOSED:
		lws_sul_cancel(&mm->healthy_sul);
		mm->wsi = NULL;
		mm->connected = 0;
		/* As Slack's: a reload's successor may already be up. */
		if (!mm->stopping)
			chatlink_state("mattermost", 0);
		lws_set_opaque_user_data(wsi, NULL);
		mm_schedule_retry(mm);
		return 0;
	default:
		return 0;
	}
}

static void
mm_connect(struct mattermost *mm)
{
	const char			*proto, *addr, *path;
	char				*copy, fullpath[1024];
	int				 port;

	if (mm->stopping || mm->wsi != NULL)
		return;
	copy = xstrdup(mm->url);
	if (lws_parse_uri(copy, &proto, &addr, &port, &path) != 0) {
		log_error("mattermost", "cannot read the URL %s", mm->url);
		free(copy);
		return;
	}
	/* lws gives "/" for a URL without a path: not "///api/...". */
	while (*path == '/')
		path++;
	/* Resume where we were, if the server still has it (docs/protocols.md §4.6). */
	if (mm->next_seq >= 0 && mm->connection_id[0] != '\0')
		snprintf(fullpath, sizeof fullpath, "/%s%sapi/v4/websocket?"
		    "connection_id=%s&sequence_number=%lld", path,
		    *path != '\0' ? "/" : "", mm->connection_id,
		    (long long)mm->next_seq);
	else
		snprintf(fullpath, sizeof fullpath, "/%s%sapi/v4/websocket",
		    path, *path != '\0' ? "/" : "");
	if (chat_ws_connect(mm->bot->loop, strcmp(proto, "https") == 0, addr,
	    port, fullpath, &mm->ws, &mm_idle, &mm->wsi) != 0) {
		mm->wsi = NULL;
		mm_schedule_retry(mm);
	}
	free(copy);
}

/* --------------------------------------------------------------- ops */

static int
mm_start(struct chat *c, char **cause)
{
	const struct config	*cfg = c->bot->cfg;
	struct mattermost	*mm = xcalloc(1, sizeof *mm);
	struct http_response	 r;
	struct outbox_limits	 lim;
	const char		*headers[2];
	char			*url, *auth;
	cJSON			*me;
	const char		*v;

	c->priv = mm;
	mm->ws.cb = mm_ws_cb;
	mm->chat = c;
	mm->bot = c->bot;
	mm->url = cfg->chat.mattermost_url;
	mm->token = cfg->chat.mattermost_token;
	mm->prefix = cfg->chat.mattermost_prefix;
	mm->next_seq = -1;
	buf_init(&mm->rx);

	xasprintf(&url, "%s/api/v4/users/me", mm->url);
	auth = mm_auth_header(mm->token);
	headers[0] = auth;
	headers[1] = NULL;
	http_request("GET", url, headers, NULL, NULL, MM_HTTP_TIMEOUT_MS, &r);
	mm_auth_free(auth);
	free(url);
	if (r.status == 0)
		xasprintf(cause, "mattermost: cannot reach %s (%s)", mm->url,
		    r.error);
	else if (r.status == 401 || r.status == 403)
		xasprintf(cause, "mattermost: the token was refused "
		    "(users/me: HTTP %ld)", r.status);
	else if (r.status != 200)
		xasprintf(cause, "mattermost: users/me: HTTP %ld", r.status);
	if (r.status != 200) {
		http_response_release(&r);
		return -1;
	}
	me = cJSON_Parse(r.body.data);
	http_response_release(&r);
	if ((v = mm_str(me, "id")) == NULL) {
		xasprintf(cause, "mattermost: users/me did not say who we are");
		cJSON_Delete(me);
		return -1;
	}
	snprintf(mm->user_id, sizeof mm->user_id, "%s", v);
	if ((v = mm_str(me, "username")) != NULL)
		snprintf(mm->username, sizeof mm->username, "%s", v);
	cJSON_Delete(me);
	log_info("mattermost", "token ok: @%s", mm->username);
	mm_commands_start(mm);
	/* Channels named in the config must exist and have the bot in. */
	if (mm_channels_start(mm, cause) != 0)
		return -1;
	if ((mm->actions_url = mm_actions_url(mm)) != NULL) {
		if (mm_action_secret(mm, cause) != 0)
			return -1;
		log_add_secret(mm->action_token);
		log_info("mattermost", "buttons call %s", mm->actions_url);
	} else
		log_info("mattermost", "no buttons: the HTTP listener is off "
		    "(see chat.mattermost.actions_url)");
	lim.rate_per_s = cfg->chat.mattermost_outbox_rate;
	lim.burst = cfg->chat.mattermost_outbox_burst;
	lim.backoff_max_ms = 0;
	outbox_set_limits(mm->bot->outbox, "mattermost", &lim);
	outbox_register(mm->bot->outbox, "mattermost", mm_send, mm);
	if (mm->bot->httpd != NULL) {
		httpd_route(mm->bot->httpd, "POST", "/mattermost/command",
		    mm_slash, mm);
		httpd_route(mm->bot->httpd, "POST", "/mattermost/action",
		    mm_action, mm);
	}
	mm_connect(mm);
	return 0;
}

static void
mm_stop(struct chat *c)
{
	struct mattermost	*mm = c->priv;

	if (mm == NULL)
		return;
	mm->stopping = 1;
	lws_sul_cancel(&mm->healthy_sul);
	if (mm->retry_armed) {
		lws_sul_cancel(&mm->retry_sul);
		mm->retry_armed = 0;
	}
	if (mm->wsi != NULL)
		lws_set_timeout(mm->wsi, PENDING_TIMEOUT_CLOSE_SEND,
		    LWS_TO_KILL_ASYNC);
}

static void
mm_describe(struct chat *c, struct buf *b)
{
	struct mattermost	*mm = c->priv;

	if (mm == NULL) {
		buf_adds(b, "not started");
		return;
	}
	buf_addf(b, "%s; %llu connect(s), %llu resume(s), %llu gap(s), %llu "
	    "command post(s), %llu click(s)", mm->connected ? "connected" :
	    mm->stopping ? "stopped" : "reconnecting",
	    (unsigned long long)mm->connects,
	    (unsigned long long)mm->resumes, (unsigned long long)mm->gaps,
	    (unsigned long long)mm->posts, (unsigned long long)mm->clicks);
	if (mm->register_error != NULL)
		buf_addf(b, "; slash commands: %s", mm->register_error);
}

static void
mm_free(struct chat *c)
{
	struct mattermost	*mm = c->priv;

	if (mm == NULL)
		return;
	buf_release(&mm->rx);
	mm_commands_free(mm);
	mm_channels_free(mm);
	free(mm->actions_url);
	explicit_bzero(mm->action_token, sizeof mm->action_token);
	free(mm);
	c->priv = NULL;
}

const struct chat_ops chat_mattermost_ops = {
	.name = "mattermost",
	.start = mm_start,
	.stop = mm_stop,
	.reply = mm_reply,
	.reply_live = mm_reply_live,
	.post = mm_post,
	.cmd_prefix = mm_cmd_prefix,
	.describe = mm_describe,
	.free = mm_free,
};

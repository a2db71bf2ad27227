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
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "adapters.h"
#include "bot.h"
#include "chat.h"
#include "chat_fallback.h"
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

#define MM_TEXT_MAX		15000	/* the server allows 16383 */

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

const char *
mm_str(const cJSON *o, const char *key)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
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
	const char		*headers[2], *cid;
	cJSON			*json;
	const cJSON		*id;
	char			*url, *auth;

	char			*body = NULL;
	int			 update = strcmp(it->kind, "update") == 0;

	/*
	 * Down since start: who the bot is (pending_post_id) and where the
	 * routes' channels are come first. Not an attempt: it was not sent.
	 */
	if (atomic_load(&mm->unidentified)) {
		r->verdict = OUTBOX_RETRY;
		r->unsent = 1;
		r->error = xstrdup("Mattermost unreachable since start");
		return;
	}
	auth = mm_auth_header(mm->token);

	/* A slash command's answer goes to its response URL, no auth. */
	if (strcmp(it->kind, "response") == 0) {
		url = xstrdup(it->target);
		body = chat_fallback_strip(it->body);
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

		/* Queued before the route's channel was resolved: now. */
		if ((cid = mm_str(json, "channel_id")) != NULL &&
		    it->channel != NULL && strcmp(cid, it->channel) == 0) {
			cid = mm_channel_id(mm, it->channel);
			cJSON_DeleteItemFromObjectCaseSensitive(json,
			    "channel_id");
			cJSON_AddStringToObject(json, "channel_id", cid);
		}
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
	if (it->loop_status != 0 && strcmp(it->kind, "response") == 0) {
		/* The loop thread's try got this answer: no second POST. */
		memset(&resp, 0, sizeof resp);
		buf_init(&resp.body);
		resp.retry_after_s = -1;
		resp.status = it->loop_status;
	} else if (update)
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
	} else if (outbox_http_failure(&resp, r, 1))
		;
	else {
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
	const char		*thread = NULL;
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
		/* The command runs before its HTTP answer: that carries it. */
		if (!direct && chat_capture_wants(mm->capture, o, m)) {
			chat_capture_keep(mm->capture, body);
			free(code);
			return;
		}
		if (!direct)
			chat_capture_flush(mm->capture, o, &mm_fallback_keys,
			    mm->bot->outbox, "mattermost");
		/* Where it goes if the URL is gone by the time it is sent. */
		chat_fallback_add(body, &mm_fallback_keys, o->channel,
		    o->user_id, NULL);
	} else if (m->replace && o->source_id != NULL) {
		/* A used Confirm prompt: patch the clicked post in place. */
		message_render_mattermost(&cut, body, 0, &act);
		target = o->source_id;
	} else {
		cJSON_AddStringToObject(body, "channel_id", o->channel);
		/* "ref:ROW": the outbox sets root_id once that row is sent. */
		if (o->reply_to != NULL && strncmp(o->reply_to, "ref:", 4) == 0)
			thread = o->reply_to;
		else if (o->reply_to != NULL)
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
	if (thread != NULL && !ephemeral && !direct) {
		/* Under an alert's message, queued behind it in its channel. */
		kind = "thread";
		target = thread;
	}
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

	chat_capture_flush(mm->capture, o, &mm_fallback_keys, mm->bot->outbox,
	    "mattermost");
	return mattermost_live_enqueue(mm->bot->outbox, o, ref, m);
}

/* --------------------------------------------------------------- ops */

static int
mm_start(struct chat *c, char **cause)
{
	const struct config	*cfg = c->bot->cfg;
	struct mattermost	*mm = xcalloc(1, sizeof *mm);
	struct outbox_limits	 lim;
	enum mm_id		 id;

	c->priv = mm;
	mm->ws.cb = mm_ws_cb;
	mm->chat = c;
	mm->bot = c->bot;
	mm->url = cfg->chat.mattermost_url;
	mm->token = cfg->chat.mattermost_token;
	mm->prefix = cfg->chat.mattermost_prefix;
	mm->next_seq = -1;
	buf_init(&mm->rx);
	mm_commands_start(mm);

	/*
	 * A refused token or a wrong channel stops the start; the server
	 * being down does not: alerts are still taken, posts wait in the
	 * outbox, and the link is retried with backoff (mm_connect).
	 */
	if ((id = mm_identify(mm, cause)) != MM_ID_OK && id != MM_ID_DOWN)
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
	outbox_register_start(mm->bot->outbox, "mattermost", mm_send_start);
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
	    "command post(s), %llu click(s), %llu answered at once",
	    mm->connected ? "connected" : mm->stopping ? "stopped" :
	    atomic_load(&mm->unidentified) ?
	    "unreachable since start, retrying" : "reconnecting",
	    (unsigned long long)mm->connects,
	    (unsigned long long)mm->resumes, (unsigned long long)mm->gaps,
	    (unsigned long long)mm->posts, (unsigned long long)mm->clicks,
	    (unsigned long long)mm->answered_at_once);
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

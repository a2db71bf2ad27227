/*
 * Slack over Socket Mode (docs/protocols.md §1-§3). A Web API
 * call (apps.connections.open, on a worker) gives a wss URL; the socket
 * lives on the loop. Every envelope is acked on the loop thread. A slash
 * command that touches no host runs first, and an answer it gives at
 * once rides its ack; every other command runs once its ack is written
 * (dispatched from the same writable callback). Retried deliveries are
 * recognised by event_id / envelope_id and run once. A button click
 * (block_actions) runs the button's value as a command line, as the
 * person who clicked, answered on the click's response_url. On a disconnect
 * notice a new socket is opened before the old one goes; on any loss the
 * adapter reconnects with exponential backoff and jitter, with a fresh
 * URL each time. Other answers go through the outbox: a slash command's
 * via its response_url, everything else with chat.postMessage.
 */

#include <cjson/cJSON.h>
#include <libwebsockets.h>
#include <stdlib.h>
#include <string.h>

#include "adapters.h"
#include "cause.h"
#include "bot.h"
#include "chat.h"
#include "log.h"
#include "outbox.h"
#include "slack_fallback.h"
#include "slack_int.h"
#include "slack_live.h"
#include "xmalloc.h"

/* --------------------------------------------------------------- ops */

static void
slack_reply(struct chat *c, const struct chat_origin *o,
    const struct message *m)
{
	struct slack	*sl = c->priv;
	cJSON		*body = cJSON_CreateObject();
	char		*json, *cause = NULL;
	const char	*kind = "post", *target = NULL, *queue = NULL;
	size_t		 i;

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
		if (chat_capture_wants(sl->capture, o, m)) {
			chat_capture_keep(sl->capture, body);
			return;
		}
		chat_capture_flush(sl->capture, o, &slack_fallback_keys,
		    sl->bot->outbox, "slack");
		chat_fallback_add(body, &slack_fallback_keys, o->channel,
		    o->user_id, o->reply_to != NULL && strncmp(o->reply_to,
		    "ts:", 3) == 0 ? o->reply_to + 3 : NULL);
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
		} else if (o->reply_to != NULL &&
		    strncmp(o->reply_to, "ref:", 4) == 0) {
			/*
			 * Under a message the bot posted (an alert's), whose
			 * ts the outbox knows once it is sent: queued behind
			 * it, in its channel's queue, as slack_post does.
			 */
			kind = "thread";
			target = o->reply_to;
			queue = o->channel;
			for (i = 0; i < sl->nchans; i++) {
				if (strcmp(sl->chans[i].name, o->channel) == 0)
					queue = sl->chans[i].id;
			}
		}
	}
	json = cJSON_PrintUnformatted(body);
	/*
	 * A response URL is not paced like chat.postMessage: it queues on
	 * its own (order per URL), so it never waits behind channel posts.
	 */
	if (queue == NULL)
		queue = target != NULL ? target : o->channel;
	if (outbox_enqueue(sl->bot->outbox, "slack", queue, kind, target,
	    json, &cause) < 0) {
		log_error("slack", "cannot queue a reply: %s", cause);
		/* Sent at once, with no row to be under: in the channel. */
		if (strcmp(kind, "thread") == 0)
			slack_fallback_direct(sl->bot->outbox, o, m, cause,
			    "post", NULL);
		else
			slack_fallback_direct(sl->bot->outbox, o, m, cause,
			    kind, target);
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

	chat_capture_flush(sl->capture, o, &slack_fallback_keys, sl->bot->outbox,
	    "slack");
	return slack_live_enqueue(sl->bot->outbox, o, ref, m);
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
static int
slack_start(struct chat *c, char **cause)
{
	const struct config	*cfg = c->bot->cfg;
	struct slack		*sl = xcalloc(1, sizeof *sl);
	enum slack_id		 id;
	char			*why = NULL;

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
	if ((id = slack_identify(sl, &why)) == SLACK_ID_DOWN) {
		log_warn("slack", "%s; starting without Slack: posts wait in "
		    "the outbox and the link is retried", why);
		free(why);
		sl->unidentified = 1;
	} else if (id != SLACK_ID_OK) {
		cause_take(cause, why);
		return -1;
	}
	outbox_register(sl->bot->outbox, "slack", slack_send, sl);
	outbox_register_start(sl->bot->outbox, "slack", slack_send_start);
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
	    "redelivered, %llu click(s), %llu answered in the ack",
	    up > 0 ? "connected" : sl->stopping ? "stopped" :
	    sl->unidentified ? "unreachable since start, retrying" :
	    "reconnecting",
	    (unsigned long long)sl->connects,
	    (unsigned long long)sl->envelopes,
	    (unsigned long long)sl->duplicates,
	    (unsigned long long)sl->clicks,
	    (unsigned long long)sl->ack_answers);
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

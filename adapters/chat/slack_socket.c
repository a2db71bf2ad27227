/*
 * The Slack adapter's Socket Mode connections (docs/protocols.md §2): a
 * URL from apps.connections.open (on a worker), the websocket on the loop,
 * acks written before their commands run, a replacement opened before a
 * retiring socket goes, and reconnection with backoff.
 */

#include <cjson/cJSON.h>
#include <libwebsockets.h>
#include <stdlib.h>
#include <string.h>

#include "bot.h"
#include "chat.h"
#include "chatlink.h"
#include "log.h"
#include "loop.h"
#include "slack_int.h"
#include "workers.h"
#include "xmalloc.h"

/* lws pings after 15 s without proof of life and hangs up at 30 s. */
static const lws_retry_bo_t slack_idle = {
	.secs_since_valid_ping = 15,
	.secs_since_valid_hangup = 30,
};

/* --------------------------------------------------------- connections */

void
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
		free(cmd->thread);
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

void
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

/*
 * A slash command that only reads (or will be refused) runs before its
 * ack, and its first answer, when it comes at once, is the ack's payload
 * (docs/protocols.md §2.2): no response URL call, no outbox row. Slack
 * shows a lost ack as a failed command, so the asker knows to repeat it;
 * what answers later (a service's command) goes through the outbox.
 * Returns the payload (the caller adds it to the ack), or NULL.
 */
static cJSON *
slack_answer_in_ack(struct slack *sl, struct slack_cmd *cmd)
{
	struct chat_capture	 cap;

	memset(&cap, 0, sizeof cap);
	cap.reply_to = cmd->reply_to;
	sl->capture = &cap;
	/* Its audit row after the ack (written in slack_ws_cb). */
	bot_defer_writes(sl->bot, 1);
	slack_dispatch(sl, cmd);
	bot_defer_writes(sl->bot, 0);
	sl->capture = NULL;
	if (cap.payload != NULL)
		sl->ack_answers++;
	return cap.payload;
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
		    strncmp(cmd->reply_to, "url:", 4) == 0) {
			cJSON	*p = NULL;

			if (bot_command_is_slow(sl->bot, cmd->text)) {
				p = cJSON_AddObjectToObject(ack, "payload");
				cJSON_AddStringToObject(p, "text",
				    "working on it…");
			} else if (sl->bot->cfg->chat.slack_answer_in_ack &&
			    !sl->stopping && cmd->next == NULL &&
			    bot_command_runs_before_ack(sl->bot, cmd->text)) {
				p = slack_answer_in_ack(sl, cmd);
				slack_cmd_free(cmd);
				cmd = NULL;
				if (p != NULL)
					cJSON_AddItemToObject(ack, "payload",
					    p);
			}
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
void
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
		/* The acks are out: the audit rows their answers held back. */
		bot_write_deferred(sl->bot);
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

void
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

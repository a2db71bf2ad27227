/*
 * The Mattermost adapter's websocket (docs/protocols.md §4): connect with
 * header auth, resume with connection_id and the next sequence number, a
 * gap forces a reconnect, backoff that starts over once a socket has
 * stayed up, and "posted" events turned into commands for the bot.
 */

#include <cjson/cJSON.h>
#include <libwebsockets.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "bot.h"
#include "chat.h"
#include "chatlink.h"
#include "log.h"
#include "loop.h"
#include "mattermost_int.h"
#include "xmalloc.h"

#define MM_RX_MAX		(1024 * 1024)
#define MM_HEALTHY_MS		5000	/* up this long: backoff starts over */

/* The server pings every 60 s; we check the link after 30 s idle. */
static const lws_retry_bo_t mm_idle = {
	.secs_since_valid_ping = 30,
	.secs_since_valid_hangup = 60,
};


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

/* Hands a person's plain reply in a thread to the core (not a command). */
static void
mm_thread_reply(struct mattermost *mm, const char *user, const char *sender,
    const char *channel, const char *cname, const char *root,
    const char *message)
{
	struct chat_msg	 m;
	char		*chname = NULL;

	if (cname != NULL)
		xasprintf(&chname, "#%s", cname);
	memset(&m, 0, sizeof m);
	m.user_id = user;
	m.user_name = sender != NULL && sender[0] == '@' ? sender + 1 : sender;
	m.channel = channel;
	m.channel_name = chname;
	m.thread = root;
	m.text = message;
	m.len = strlen(message);
	bot_handle_thread_reply(mm->bot, mm->chat, &m);
	free(chname);
}

/* Posted by another bot or an incoming webhook (Mattermost's props). */
static int
mm_post_from_bot(const cJSON *post)
{
	static const char *const keys[] = { "from_bot", "from_webhook" };
	const cJSON	*props = cJSON_GetObjectItemCaseSensitive(post, "props");
	const cJSON	*v;
	size_t		 i;

	for (i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		v = cJSON_GetObjectItemCaseSensitive(props, keys[i]);
		if (cJSON_IsTrue(v) || (cJSON_IsString(v) &&
		    strcmp(v->valuestring, "true") == 0))
			return 1;
	}
	return 0;
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
	    mm_seen(mm, id)) {
		cJSON_Delete(post);
		return;
	}
	if (root != NULL && *root == '\0')
		root = NULL;
	if ((text = mm_command_text(mm, message, direct)) == NULL) {
		/*
		 * A plain reply in a channel thread: the core may keep it
		 * (an incident's note), unless another bot or a webhook
		 * posted it (props.from_bot / from_webhook, "true").
		 */
		if (root != NULL && !direct && !mm_post_from_bot(post))
			mm_thread_reply(mm, user, sender, channel, cname, root,
			    message);
		cJSON_Delete(post);
		return;
	}
	mm->posts++;
	if (cname != NULL)
		xasprintf(&chname, "#%s", cname);
	memset(&m, 0, sizeof m);
	m.thread = root;
	m.user_id = user;
	m.user_name = sender != NULL && sender[0] == '@' ? sender + 1 : sender;
	m.channel = channel;
	m.channel_name = chname;
	/* Answer in the thread: its root, or the post itself. */
	m.reply_to = direct ? NULL : root != NULL ? root : id;
	m.text = text;
	m.len = strlen(text);
	bot_handle_message(mm->bot, mm->chat, &m);
	free(text);
	free(chname);
	cJSON_Delete(post);
}

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

void
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

int
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

void
mm_connect(struct mattermost *mm)
{
	const char			*proto, *addr, *path;
	char				*copy, fullpath[1024];
	int				 port;

	if (mm->stopping || mm->wsi != NULL)
		return;
	/* Down at start: who the bot is comes first (on a worker). */
	if (atomic_load(&mm->unidentified)) {
		mm_identify_late(mm);
		return;
	}
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

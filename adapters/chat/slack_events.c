/*
 * The Slack adapter's envelopes (docs/protocols.md §2-§3): a slash
 * command, a message event or a button click turned into the commands to
 * run, the deliveries already acked (run once), and the hand-over to the
 * bot once an ack is on the wire.
 */

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "bot.h"
#include "clock.h"
#include "log.h"
#include "slack_int.h"
#include "xmalloc.h"

void
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
		m.thread = cmd->thread;
		if (cmd->plain)
			bot_handle_thread_reply(sl->bot, sl->chat, &m);
		else
			bot_handle_message(sl->bot, sl->chat, &m);
	}
}

/* FNV-1a: a key's hash, compared before the key itself. */
static uint32_t
slack_seen_hash(const char *key)
{
	uint32_t	 h = 2166136261u;

	for (; *key != '\0'; key++)
		h = (h ^ (unsigned char)*key) * 16777619u;
	return h;
}

/*
 * Has this delivery been acked before (within SLACK_DEDUP_MS)? Every
 * envelope asks twice: the keys are chained by hash bucket, so a lookup
 * reads the one or two slots of its bucket, not all 1,024.
 */
static int
slack_seen_hashed(struct slack *sl, const char *key, uint32_t h)
{
	unsigned int	 j;

	for (j = sl->seen_bucket[h & (SLACK_DEDUP_BUCKETS - 1)]; j != 0;
	    j = sl->seen_chain[j - 1]) {
		if (sl->seen_hash[j - 1] == h &&
		    clock_mono_ms() - sl->seen[j - 1].at < SLACK_DEDUP_MS &&
		    strcmp(sl->seen[j - 1].key, key) == 0)
			return 1;
	}
	return 0;
}

int
slack_seen(struct slack *sl, const char *key)
{
	return slack_seen_hashed(sl, key, slack_seen_hash(key));
}

/* Slot i leaves its bucket's chain (it is about to be reused). */
static void
slack_seen_unlink(struct slack *sl, size_t i)
{
	uint16_t	*pp;

	pp = &sl->seen_bucket[sl->seen_hash[i] & (SLACK_DEDUP_BUCKETS - 1)];
	while (*pp != 0 && *pp != i + 1)
		pp = &sl->seen_chain[*pp - 1];
	if (*pp != 0)
		*pp = sl->seen_chain[i];
}

/*
 * Remembers a delivery once its ack is on the wire: one that is lost
 * unacked with its socket will be redelivered, and must run then.
 */
void
slack_seen_add(struct slack *sl, const char *key)
{
	uint32_t	 h = slack_seen_hash(key);
	size_t		 i = sl->seen_next;
	uint16_t	*head;

	if (*key == '\0' || slack_seen_hashed(sl, key, h))
		return;
	if (sl->seen[i].key[0] != '\0')
		slack_seen_unlink(sl, i);
	snprintf(sl->seen[i].key, sizeof sl->seen[0].key, "%s", key);
	sl->seen_hash[i] = h;
	sl->seen[i].at = clock_mono_ms();
	head = &sl->seen_bucket[h & (SLACK_DEDUP_BUCKETS - 1)];
	sl->seen_chain[i] = *head;
	*head = (uint16_t)(i + 1);
	sl->seen_next = (i + 1) % SLACK_DEDUP;
}

/* "/opsbot health db" -> "health db"; "/health db" -> "health db". */
struct slack_cmd *
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

/*
 * A person's reply in a channel thread that does not mention us (a
 * mention comes again as app_mention): no command, but the core may keep
 * it (an incident's thread makes it a note).
 */
static int
slack_thread_reply(struct slack *sl, const char *type, const char *ctype,
    const char *thread, const char *ts, const char *text)
{
	char	 mention[48];

	if (strcmp(type, "message") != 0 || thread == NULL || ts == NULL ||
	    strcmp(thread, ts) == 0 || (ctype != NULL && strcmp(ctype, "im") ==
	    0))
		return 0;
	snprintf(mention, sizeof mention, "<@%s>", sl->bot_user_id);
	return sl->bot_user_id[0] == '\0' || strstr(text, mention) == NULL;
}

/*
 * An app_mention, a direct message, or a plain reply in a channel thread
 * (slack_thread_reply): a message for us, or NULL.
 */
struct slack_cmd *
slack_from_event(struct slack *sl, const cJSON *ev)
{
	struct slack_cmd	*cmd;
	const char		*type = slack_json_str(ev, "type");
	const char		*user = slack_json_str(ev, "user");
	const char		*text = slack_json_str(ev, "text");
	const char		*ctype = slack_json_str(ev, "channel_type");
	const char		*thread = slack_json_str(ev, "thread_ts");
	const char		*ts = slack_json_str(ev, "ts");
	int			 plain;

	if (type == NULL || user == NULL || text == NULL)
		return NULL;
	/* Never our own messages, edits or other bots: no loops. */
	if (cJSON_HasObjectItem(ev, "bot_id") ||
	    cJSON_HasObjectItem(ev, "subtype") ||
	    strcmp(user, sl->bot_user_id) == 0)
		return NULL;
	plain = slack_thread_reply(sl, type, ctype, thread, ts, text);
	if (!plain && strcmp(type, "app_mention") != 0 && !(strcmp(type,
	    "message") == 0 && ctype != NULL && strcmp(ctype, "im") == 0))
		return NULL;
	cmd = xcalloc(1, sizeof *cmd);
	cmd->plain = plain;
	/* Only a reply has a thread: a thread's root is not in one. */
	if (thread != NULL && (ts == NULL || strcmp(thread, ts) != 0))
		cmd->thread = xstrdup(thread);
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
struct slack_cmd *
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

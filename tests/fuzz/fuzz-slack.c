/*
 * libFuzzer target for what Slack sends over Socket Mode
 * (adapters/chat/slack_events.c): the envelope (hello, disconnect,
 * slash_commands, events_api, interactive) and its payloads, block_actions
 * clicks above all. The bytes are one websocket message.
 *
 * slack_events.c is included, not linked, so its parsers (slack_from_
 * slash, slack_from_event, slack_from_interactive, the static
 * slack_event_text) run
 * without a network, a socket or a bot; the envelope is routed here as
 * slack_on_message routes it. What comes out must be whole: every
 * command has text, a user and a channel, and a click answers on a
 * response URL. Everything is freed.
 */

#include "../../adapters/chat/slack_events.c"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
fuzz_check(const struct slack_cmd *cmd, int click)
{
	for (; cmd != NULL; cmd = cmd->next) {
		if (cmd->text == NULL)
			abort();
		if (click && (cmd->user_id == NULL || cmd->channel == NULL ||
		    cmd->reply_to == NULL || strncmp(cmd->reply_to, "url:",
		    4) != 0 || !cmd->click || *cmd->text == '\0'))
			abort();
		if (cmd->channel_name != NULL && cmd->channel_name[0] != '#')
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct config	 cfg;
	static struct bot	 bot;
	struct slack		 sl;
	struct slack_cmd	*cmd = NULL;
	cJSON			*msg, *payload;
	const char		*type;
	char			*text;
	int			 click = 0;

	log_set_level(LOG_ERROR);
	cfg.chat.slack_command = (char *)"/opsbot";
	bot.cfg = &cfg;
	memset(&sl, 0, sizeof sl);
	sl.bot = &bot;
	snprintf(sl.bot_user_id, sizeof sl.bot_user_id, "U0BOT");

	if ((msg = cJSON_ParseWithLength((const char *)data, size)) == NULL)
		return 0;
	type = slack_json_str(msg, "type");
	payload = cJSON_GetObjectItemCaseSensitive(msg, "payload");
	if (type != NULL && cJSON_IsObject(payload)) {
		if (strcmp(type, "slash_commands") == 0)
			cmd = slack_from_slash(&sl, payload);
		else if (strcmp(type, "events_api") == 0)
			cmd = slack_from_event(&sl,
			    cJSON_GetObjectItemCaseSensitive(payload, "event"));
		else if (strcmp(type, "interactive") == 0) {
			cmd = slack_from_interactive(&sl, payload);
			click = 1;
		}
	}
	fuzz_check(cmd, click);
	slack_cmd_free(cmd);
	/* Every payload shape through each parser: they must not trust it. */
	if (cJSON_IsObject(msg)) {
		slack_cmd_free(slack_from_event(&sl, msg));
		cmd = slack_from_interactive(&sl, msg);
		fuzz_check(cmd, 1);
		slack_cmd_free(cmd);
		slack_cmd_free(slack_from_slash(&sl, msg));
	}
	if ((type = slack_json_str(msg, "text")) != NULL) {
		text = slack_event_text(&sl, type);
		if (strlen(text) > strlen(type))
			abort();
		free(text);
	}
	cJSON_Delete(msg);
	return 0;
}

/*
 * The Slack app manifest (see slack_manifest.h). The schema is Slack's
 * app manifest reference (api.slack.com/reference/manifests):
 * display_information, features.bot_user and slash_commands,
 * oauth_config.scopes.bot, settings (event_subscriptions, interactivity,
 * socket_mode_enabled).
 */

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cmd.h"
#include "config.h"
#include "slack_manifest.h"
#include "xmalloc.h"

/*
 * Every Web API method slack.c calls (test-slackmanifest fails when the
 * code calls one that is not here). apps.connections.open uses the
 * app-level token, whose scope (connections:write) is chosen when that
 * token is made, not in the manifest; auth.test needs no scope.
 */
const struct slack_method_scope slack_method_scopes[] = {
	{ "chat.postMessage", "chat:write", "answers and alert posts" },
	{ "chat.update", "chat:write", "progressive answers, alert groups" },
	{ "chat.postEphemeral", "chat:write", "private refusals" },
	{ "conversations.list", "channels:read,groups:read",
	    "channel names (#ops) to ids, public and private" },
	{ "conversations.history", "channels:history,groups:history",
	    "was a post already made before a crash? (outbox row metadata)" },
	{ "conversations.replies", "channels:history,groups:history",
	    "the same for a post in a thread" },
	{ "auth.test", "", "the bot's own id and name at start" },
	{ "apps.connections.open", "", "the Socket Mode URL (app token)" },
	{ NULL, NULL, NULL },
};

/* Scopes the events and the slash command need (no method call). */
static const char *const manifest_event_scopes[] = {
	"app_mentions:read",	/* app_mention: "@opsbot health db" */
	"im:history",		/* message.im: commands in a DM */
	"commands",		/* the slash command */
	/* message.channels, message.groups: replies in incident threads */
	"channels:history",
	"groups:history",
	NULL,
};

static const char *const manifest_events[] = {
	"app_mention", "message.im", "message.channels", "message.groups",
	NULL,
};

/* Slack's limit for a slash command's usage hint. */
#define MANIFEST_HINT_MAX	1000

static void
manifest_add_scope(cJSON *arr, const char *scope)
{
	const cJSON	*it;

	cJSON_ArrayForEach(it, arr) {
		if (strcmp(it->valuestring, scope) == 0)
			return;
	}
	cJSON_AddItemToArray(arr, cJSON_CreateString(scope));
}

static cJSON *
manifest_scopes(void)
{
	cJSON		*arr = cJSON_CreateArray();
	const struct slack_method_scope *m;
	const char	*const *e;
	char		*copy, *tok, *save;

	for (m = slack_method_scopes; m->method != NULL; m++) {
		copy = xstrdup(m->scopes);
		for (tok = strtok_r(copy, ",", &save); tok != NULL;
		    tok = strtok_r(NULL, ",", &save))
			manifest_add_scope(arr, tok);
		free(copy);
	}
	for (e = manifest_event_scopes; *e != NULL; e++)
		manifest_add_scope(arr, *e);
	return arr;
}

/* The one slash command: "/opsbot health db" runs /health db. */
static cJSON *
manifest_command(const struct config *cfg,
    const struct cmd_entry *const *table)
{
	cJSON		*cmd = cJSON_CreateObject();
	struct buf	 desc, hint;
	const char	*syn;
	size_t		 i, n;

	buf_init(&desc);
	buf_init(&hint);
	buf_adds(&desc, "Production support: ");
	for (i = 0; table[i] != NULL; i++) {
		buf_addf(&desc, "%s%s", i > 0 ? ", " : "", table[i]->name);
		/* "health TARGET | ...": whole entries, as many as fit. */
		syn = table[i]->synopsis;
		n = strlen(table[i]->name) + strlen(syn) + 4;
		if (hint.len + n <= MANIFEST_HINT_MAX)
			buf_addf(&hint, "%s%s%s%s", i > 0 ? " | " : "",
			    table[i]->name, *syn != '\0' ? " " : "", syn);
	}
	cJSON_AddStringToObject(cmd, "command", cfg->chat.slack_command);
	cJSON_AddStringToObject(cmd, "description", desc.data);
	cJSON_AddStringToObject(cmd, "usage_hint", hint.data);
	cJSON_AddBoolToObject(cmd, "should_escape", 0);
	buf_release(&desc);
	buf_release(&hint);
	return cmd;
}

char *
slack_manifest(const struct config *cfg, const struct cmd_entry *const *table)
{
	cJSON		*root = cJSON_CreateObject(), *o, *f, *s, *arr;
	const char	*const *e;
	char		*out;

	o = cJSON_AddObjectToObject(root, "display_information");
	cJSON_AddStringToObject(o, "name", cfg->bot.name);
	cJSON_AddStringToObject(o, "description", "Chat-ops for production "
	    "support: host health, logs, jobs, alerts and the SOD/EOD "
	    "checklists.");
	f = cJSON_AddObjectToObject(root, "features");
	o = cJSON_AddObjectToObject(f, "bot_user");
	cJSON_AddStringToObject(o, "display_name", cfg->bot.name);
	cJSON_AddBoolToObject(o, "always_online", 1);
	arr = cJSON_AddArrayToObject(f, "slash_commands");
	cJSON_AddItemToArray(arr, manifest_command(cfg, table));
	o = cJSON_AddObjectToObject(root, "oauth_config");
	o = cJSON_AddObjectToObject(o, "scopes");
	cJSON_AddItemToObject(o, "bot", manifest_scopes());
	s = cJSON_AddObjectToObject(root, "settings");
	o = cJSON_AddObjectToObject(s, "event_subscriptions");
	arr = cJSON_AddArrayToObject(o, "bot_events");
	for (e = manifest_events; *e != NULL; e++)
		cJSON_AddItemToArray(arr, cJSON_CreateString(*e));
	o = cJSON_AddObjectToObject(s, "interactivity");
	cJSON_AddBoolToObject(o, "is_enabled", 1);
	cJSON_AddBoolToObject(s, "org_deploy_enabled", 0);
	cJSON_AddBoolToObject(s, "socket_mode_enabled", 1);
	cJSON_AddBoolToObject(s, "token_rotation_enabled", 0);
	out = cJSON_Print(root);
	cJSON_Delete(root);
	/* Only out of memory; xmalloc's policy is to stop there too. */
	if (out == NULL)
		abort();
	return out;
}

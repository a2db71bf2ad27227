/*
 * opsbot --slack-manifest: valid JSON in Slack's manifest shape, the one
 * slash command with every command of the table, Socket Mode and
 * interactivity on, the events the adapter reads; and every Slack Web API
 * method the adapter's source calls is in slack_method_scopes, whose
 * scopes are all in the manifest (a new call without its scope fails
 * here, not in a team's workspace).
 */

#include <cjson/cJSON.h>
#include <dirent.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cmd.h"
#include "config.h"
#include "slack_manifest.h"
#include "test.h"

#define CHAT_DIR	OPSBOT_SOURCE_DIR "/adapters/chat"

static cJSON *
manifest(void)
{
	struct config	*c = NULL;
	struct buf	 errors;
	cJSON		*j;
	char		*text;

	buf_init(&errors);
	if (config_load_default(&c, &errors) != 0)
		TEST_FAIL("config: %s", errors.data);
	buf_release(&errors);
	text = slack_manifest(c, cmd_table);
	config_free(c);
	if ((j = cJSON_Parse(text)) == NULL)
		TEST_FAIL("not JSON: %s", text);
	free(text);
	return j;
}

static const cJSON *
at(const cJSON *j, const char *path)
{
	char	 key[64];
	const char *dot;

	while (j != NULL && *path != '\0') {
		dot = strchr(path, '.');
		snprintf(key, sizeof key, "%.*s", dot != NULL ?
		    (int)(dot - path) : (int)strlen(path), path);
		j = cJSON_GetObjectItemCaseSensitive(j, key);
		path = dot != NULL ? dot + 1 : "";
	}
	if (j == NULL)
		TEST_FAIL("manifest has no %s", path);
	return j;
}

static int
has_string(const cJSON *arr, const char *s)
{
	const cJSON	*it;

	cJSON_ArrayForEach(it, arr) {
		if (cJSON_IsString(it) && strcmp(it->valuestring, s) == 0)
			return 1;
	}
	return 0;
}

TEST(manifest_shape)
{
	cJSON		*j = manifest();
	const cJSON	*cmds, *cmd, *events;
	const char	*desc;
	size_t		 i;

	ASSERT_STR_EQ(at(j, "display_information.name")->valuestring,
	    "opsbot");
	ASSERT_STR_EQ(at(j, "features.bot_user.display_name")->valuestring,
	    "opsbot");
	cmds = at(j, "features.slash_commands");
	ASSERT_INT_EQ(cJSON_GetArraySize(cmds), 1);
	cmd = cJSON_GetArrayItem(cmds, 0);
	ASSERT_STR_EQ(at(cmd, "command")->valuestring, "/opsbot");
	desc = at(cmd, "description")->valuestring;
	for (i = 0; cmd_table[i] != NULL; i++)
		ASSERT_CONTAINS(desc, cmd_table[i]->name);
	ASSERT_CONTAINS(at(cmd, "usage_hint")->valuestring, "health TARGET");
	ASSERT(strlen(at(cmd, "usage_hint")->valuestring) <= 1000);
	ASSERT(cJSON_IsTrue(at(j, "settings.socket_mode_enabled")));
	ASSERT(cJSON_IsTrue(at(j, "settings.interactivity.is_enabled")));
	events = at(j, "settings.event_subscriptions.bot_events");
	ASSERT(has_string(events, "app_mention"));
	ASSERT(has_string(events, "message.im"));
	/* Plain replies in an incident's thread become its notes. */
	ASSERT(has_string(events, "message.channels"));
	ASSERT(has_string(events, "message.groups"));
	cJSON_Delete(j);
}

/* The methods table: known, and each of its scopes in the manifest. */
static const struct slack_method_scope *
method_find(const char *name)
{
	const struct slack_method_scope *m;

	for (m = slack_method_scopes; m->method != NULL; m++) {
		if (strcmp(m->method, name) == 0)
			return m;
	}
	return NULL;
}

TEST(manifest_has_every_scope_of_the_table)
{
	cJSON		*j = manifest();
	const cJSON	*bot = at(j, "oauth_config.scopes.bot");
	const struct slack_method_scope *m;
	char		*copy, *tok, *save;

	for (m = slack_method_scopes; m->method != NULL; m++) {
		ASSERT_NOT_NULL(m->scopes);
		copy = strdup(m->scopes);
		for (tok = strtok_r(copy, ",", &save); tok != NULL;
		    tok = strtok_r(NULL, ",", &save)) {
			if (!has_string(bot, tok))
				TEST_FAIL("%s needs %s, not in the manifest",
				    m->method, tok);
		}
		free(copy);
	}
	/* What the events and the command need. */
	ASSERT(has_string(bot, "app_mentions:read"));
	ASSERT(has_string(bot, "im:history"));
	ASSERT(has_string(bot, "channels:history"));
	ASSERT(has_string(bot, "groups:history"));
	ASSERT(has_string(bot, "commands"));
	cJSON_Delete(j);
}

/*
 * Every string literal in adapters/chat/slack*.c that is a Web API
 * method name ("chat.postMessage", "conversations.list") is in the table.
 */
TEST(every_method_the_code_calls_has_its_scope)
{
	static const char re_text[] = "\"((chat|conversations|auth|apps|"
	    "users|reactions|views|files|team|pins|bots|im|mpim|channels|"
	    "groups|usergroups|dnd|emoji|bookmarks|reminders|search|stars)"
	    "\\.[a-zA-Z.]+)\"";
	DIR		*d;
	struct dirent	*e;
	regex_t		 re;
	regmatch_t	 m[2];
	char		 path[1024], name[128], *text, *p;
	FILE		*f;
	long		 len;
	int		 files = 0, calls = 0;

	ASSERT_INT_EQ(regcomp(&re, re_text, REG_EXTENDED), 0);
	ASSERT_NOT_NULL(d = opendir(CHAT_DIR));
	while ((e = readdir(d)) != NULL) {
		if (strncmp(e->d_name, "slack", 5) != 0 ||
		    strcmp(e->d_name, "slack_manifest.c") == 0 ||
		    strstr(e->d_name, ".c") == NULL)
			continue;
		snprintf(path, sizeof path, "%s/%s", CHAT_DIR, e->d_name);
		ASSERT_NOT_NULL(f = fopen(path, "r"));
		fseek(f, 0, SEEK_END);
		len = ftell(f);
		rewind(f);
		text = calloc(1, (size_t)len + 1);
		ASSERT_INT_EQ(fread(text, 1, (size_t)len, f), (size_t)len);
		fclose(f);
		files++;
		for (p = text; regexec(&re, p, 2, m, 0) == 0; p += m[0].rm_eo) {
			snprintf(name, sizeof name, "%.*s",
			    (int)(m[1].rm_eo - m[1].rm_so), p + m[1].rm_so);
			/* #include "chat.h" is a header, not a method. */
			if (strcmp(name + strlen(name) - 2, ".h") == 0)
				continue;
			calls++;
			if (method_find(name) == NULL)
				TEST_FAIL("%s calls %s, which is not in "
				    "slack_method_scopes (add it, with scopes)",
				    e->d_name, name);
		}
		free(text);
	}
	closedir(d);
	regfree(&re);
	ASSERT(files >= 1);
	/* postMessage, update, postEphemeral, conversations.list, ... */
	ASSERT(calls >= 5);
}

static const struct test tests[] = {
	TEST_ENTRY(manifest_shape),
	TEST_ENTRY(manifest_has_every_scope_of_the_table),
	TEST_ENTRY(every_method_the_code_calls_has_its_scope),
	TEST_END
};

int
main(int argc, char **argv)
{
	return test_run(tests, argc, argv);
}

/*
 * Custom commands in a running bot (recording chat, a local host): the
 * Confirm button of one that changes things runs it once, with the line
 * the prompt showed; a reload rebuilds the command table, so a changed
 * command runs its new line, a removed one is unknown, and a button
 * made before the reload still finds its command by name.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alerts_service.h"
#include "bot.h"
#include "config.h"
#include "custom.h"
#include "log.h"
#include "loop.h"
#include "recchat.h"
#include "reload.h"
#include "test.h"
#include "xmalloc.h"

static struct chat_ops	 rec_ops;
static struct bot	*bot;
static struct chat	*chat;

static const char config_text[] =
"{\"bot\": {\"data_dir\": \"%1$s/data\", \"worker_threads\": 2,"
"          \"shutdown_grace\": \"1s\"},"
" \"alerts\": {\"listen\": \"127.0.0.1:0\"},"
" \"chat\": {\"console\": {\"enabled\": false}},"
" \"users\": [{\"name\": \"ada\", \"id\": \"UA\", \"roles\": [\"admin\"]}],"
" \"hosts\": [{\"name\": \"here\", \"transport\": \"local\"}],"
" \"custom_commands\": ["
"  {\"name\": \"mark\", \"help\": \"Marks.\", \"hosts\": [\"all\"],"
"   \"confirm\": true, \"run\": \"echo %2$s{tag} >>%1$s/marks\","
"   \"params\": [{\"name\": \"host\", \"type\": \"host\"},"
"    {\"name\": \"tag\", \"type\": \"word\", \"pattern\": \"[a-z0-9]+\"}]}"
"  %3$s]}";

/* Writes the config (the mark's prefix, more commands) to DIR/t.json. */
static const char *
write_config(const char *prefix, const char *more)
{
	static char	 path[1024];
	char		*json;
	FILE		*f;

	snprintf(path, sizeof path, "%s/t.json", test_tmpdir());
	xasprintf(&json, config_text, test_tmpdir(), prefix, more);
	if ((f = fopen(path, "w")) == NULL)
		TEST_FAIL("cannot write %s", path);
	fputs(json, f);
	fclose(f);
	free(json);
	return path;
}

static void
start_bot(void)
{
	struct config		*c;
	struct buf		 errors;
	const struct cmd_entry	**table;
	const char		*path = write_config("v1-", "");
	char			*cause = NULL;

	buf_init(&errors);
	if (config_load_file(path, &c, &errors) != 0)
		TEST_FAIL("config: %s", errors.data);
	buf_release(&errors);
	table = custom_table(c);
	bot = bot_create(c, table, &cause);
	if (bot == NULL)
		TEST_FAIL("bot_create: %s", cause);
	bot_set_table_fns(bot, table, custom_table, custom_table_free);
	bot->config_path = xstrdup(path);
	bot->log_level_fixed = 1;	/* the reloads keep the test quiet */
	recchat_ops(&rec_ops, "console");
	chat = chat_create(&rec_ops, bot);
	bot_add_chat(bot, chat);
	bot_add_service(bot, &alerts_service);
	if (bot_start(bot, &cause) != 0)
		TEST_FAIL("bot_start: %s", cause);
}

/* Runs a line (or clicks a button) as ada; waits for the answer. */
static const char *
talk(const char *text, int click)
{
	static char	*last;
	struct chat_msg	 m = { .user_id = "UA", .user_name = "ada",
	    .channel = "console", .text = text, .len = strlen(text),
	    .click = click };
	int		 i;

	buf_release(&recchat.replies);
	bot_handle_message(bot, chat, &m);
	for (i = 0; i < 100000 && recchat.replies.len == 0; i++)
		loop_turn(bot->loop);
	free(last);
	last = xstrdup(recchat.replies.len > 0 ? recchat.replies.data :
	    "(no answer)");
	return last;
}

/* What the mark command wrote so far. */
static char *
marks(void)
{
	static char	 text[4096];
	char		 path[1024];
	FILE		*f;
	size_t		 n;

	snprintf(path, sizeof path, "%s/marks", test_tmpdir());
	text[0] = '\0';
	if ((f = fopen(path, "r")) == NULL)
		return text;
	n = fread(text, 1, sizeof text - 1, f);
	text[n] = '\0';
	fclose(f);
	return text;
}

TEST(confirm_button_runs_a_custom_command_once)
{
	char		 value[256], line[512];
	const char	*out;

	start_bot();
	out = talk("/mark here a1", 0);
	snprintf(line, sizeof line, "Confirm runs: echo v1-'a1' >>%s/marks",
	    test_tmpdir());
	ASSERT_CONTAINS(out, "Run /mark on here?");
	ASSERT_CONTAINS(out, line);
	snprintf(value, sizeof value, "%s", recchat.last_button);
	ASSERT_CONTAINS(value, "confirm:");
	ASSERT_STR_EQ(marks(), "");
	/* A bad value gets no button. */
	recchat.last_button[0] = '\0';
	ASSERT_CONTAINS(talk("/mark here 'a;b'", 0), "tag must match "
	    "[a-z0-9]+, got 'a;b'");
	ASSERT_STR_EQ(recchat.last_button, "");

	out = talk(value, 1);
	ASSERT_CONTAINS(out, "Confirmed by @ada at ");
	ASSERT_CONTAINS(out, "here: exit 0");
	ASSERT_STR_EQ(marks(), "v1-a1\n");
	ASSERT_CONTAINS(talk(value, 1), "already done by @ada at ");
	ASSERT_STR_EQ(marks(), "v1-a1\n");

	/* A prompt made before a reload runs the command as it is now. */
	talk("/mark here b2", 0);
	snprintf(value, sizeof value, "%s", recchat.last_button);
	write_config("v2-", ", {\"name\": \"extra\", \"help\": \"More.\","
	    " \"hosts\": [\"here\"], \"run\": \"echo more\"}");
	ASSERT_INT_EQ(bot_reload(bot), 0);
	ASSERT_CONTAINS(talk(value, 1), "here: exit 0");
	ASSERT_STR_EQ(marks(), "v1-a1\nv2-b2\n");
	ASSERT_CONTAINS(talk("/extra", 0), "more");
	ASSERT_CONTAINS(talk("/help", 0), "/extra");

	/* Removed by the next reload: unknown, and gone from /help. */
	write_config("v3-", "");
	ASSERT_INT_EQ(bot_reload(bot), 0);
	ASSERT_CONTAINS(talk("/extra", 0), "unknown command /extra");
	ASSERT(strstr(talk("/help", 0), "/extra") == NULL);
	ASSERT_CONTAINS(talk("/mark here c3 --confirm", 0), "here: exit 0");
	ASSERT_STR_EQ(marks(), "v1-a1\nv2-b2\nv3-c3\n");

	bot_request_stop(bot, "test over");
	bot_run(bot);
	bot_free(bot);
	bot = NULL;
}

static const struct test tests[] = {
	TEST_ENTRY(confirm_button_runs_a_custom_command_once),
	TEST_END
};

int
main(int argc, char **argv)
{
	log_set_level(LOG_ERROR);
	cmd_config_commands(cmd_table);
	return test_run(tests, argc, argv);
}

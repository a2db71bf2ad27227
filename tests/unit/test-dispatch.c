/*
 * The dispatcher end to end inside one process: a real bot (store, loop,
 * workers) with a recording chat adapter and a table of test commands,
 * so every refusal, the pending path and graceful shutdown are checked
 * with their replies and their audit rows.
 */

#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alerts_service.h"
#include "bot.h"
#include "clock.h"
#include "log.h"
#include "outbox.h"
#include "recchat.h"
#include "store.h"
#include "store_chain.h"
#include "test.h"
#include "workers.h"
#include "xmalloc.h"

extern const struct cmd_entry cmd_help_entry;
extern const struct cmd_entry cmd_status_entry;
extern const struct cmd_entry cmd_whoami_entry;

/* ------------------------------------------------ a recording adapter */

static struct chat_ops	 rec_ops;	/* recchat's, taken for Slack */
static atomic_int	 release_slow;
static int		 boom_runs;

/* A cancelled /slow lets its worker go. */
static void
note_cancel(const char *text)
{
	if (strstr(text, "was cancelled") != NULL)
		atomic_store(&release_slow, 1);
}

/* ----------------------------------------------------- test commands */

static enum cmd_result
echo_exec(struct cmd_ctx *ctx)
{
	int64_t	 n = args_get_num(&ctx->args, "times", 1), i;
	int	 p;

	for (i = 0; i < n; i++) {
		for (p = 0; p < ctx->args.npos; p++)
			cmd_reply(ctx, "%s%s", p == 0 ? "" : " ",
			    args_pos(&ctx->args, p));
	}
	return CMD_DONE;
}

static const struct arg_option echo_options[] = {
	{ "times", ARG_INT, "repeat" },
	{ NULL, 0, NULL },
};

static const struct cmd_entry echo_entry = {
	.name = "echo", .synopsis = "TEXT... [--times N]",
	.help = "Says it back.", .args = { echo_options, 1, -1 },
	.min_role = ROLE_VIEWER, .exec = echo_exec,
};

static enum cmd_result
fail_exec(struct cmd_ctx *ctx)
{
	cmd_error(ctx, "it broke");
	return CMD_ERROR;
}

static const struct cmd_entry fail_entry = {
	.name = "fail", .synopsis = "", .help = "Always fails.",
	.args = { NULL, 0, 0 }, .min_role = ROLE_VIEWER, .exec = fail_exec,
};

static enum cmd_result
boom_exec(struct cmd_ctx *ctx)
{
	boom_runs++;
	cmd_reply(ctx, "boom done");
	return CMD_DONE;
}

static const struct arg_option boom_options[] = {
	{ "confirm", ARG_BOOL, "go ahead" },
	{ NULL, 0, NULL },
};

static const struct cmd_entry boom_entry = {
	.name = "boom", .synopsis = "[--confirm]", .help = "Changes things.",
	.args = { boom_options, 0, 0 }, .min_role = ROLE_OPERATOR,
	.flags = CMD_NEEDS_CONFIRM, .exec = boom_exec,
};

struct slow_job {
	struct cmd_ctx	*ctx;
	int64_t		 ms;
};

static void
slow_work(void *arg)
{
	struct slow_job	*j = arg;
	int64_t		 i;

	for (i = 0; i < j->ms && !atomic_load(&release_slow); i++)
		usleep(1000);
}

static void
slow_done(void *arg, enum workers_status st)
{
	struct slow_job	*j = arg;

	if (st == WORKERS_DONE)
		cmd_reply(j->ctx, "slept %lld ms", (long long)j->ms);
	else
		cmd_error(j->ctx, "never started");
	cmd_finish(j->ctx);
	free(j);
}

static enum cmd_result
slow_exec(struct cmd_ctx *ctx)
{
	struct slow_job	*j = xcalloc(1, sizeof *j);

	j->ctx = ctx;
	j->ms = args_get_num(&ctx->args, "ms", 10);
	if (workers_submit(ctx->bot->workers, slow_work, slow_done, j) != 0) {
		free(j);
		cmd_error(ctx, "busy");
		return CMD_ERROR;
	}
	return CMD_PENDING;
}

static const struct arg_option slow_options[] = {
	{ "ms", ARG_INT, "how long" },
	{ NULL, 0, NULL },
};

static const struct cmd_entry slow_entry = {
	.name = "slow", .synopsis = "[--ms N]", .help = "Takes a while.",
	.args = { slow_options, 0, 0 }, .min_role = ROLE_VIEWER,
	.flags = CMD_TOUCHES_HOSTS, .exec = slow_exec,
};

static const struct cmd_entry *const table[] = { &cmd_help_entry,
    &cmd_status_entry, &cmd_whoami_entry, &echo_entry, &fail_entry,
    &boom_entry, &slow_entry, NULL };

/* ------------------------------------------------------------ harness */

static struct bot	*bot;
static struct chat	*chat;
static char		 db[512];

static const char base_config[] =
"{\"bot\": {\"data_dir\": \"%s/%s\", \"shutdown_grace\": \"1s\","
"         \"worker_threads\": 2},"
" \"alerts\": {\"listen\": \"127.0.0.1:0\"},"
" \"chat\": {\"console\": {\"enabled\": false},"
"          \"slack\": {\"enabled\": false,"
"                      \"bot_token\": \"xoxb-test-secret-1\"}},"
" \"users\": ["
"   {\"name\": \"vera\", \"id\": \"UV\", \"roles\": [\"viewer\"]},"
"   {\"name\": \"otto\", \"id\": \"UO\", \"roles\": [\"operator\"]},"
"   {\"name\": \"ada\", \"id\": \"UA\", \"roles\": [\"admin\"]}],"
" \"commands\": {"
"   \"status\": {\"channels\": [\"#ops\"]},"
"   \"whoami\": {\"enabled\": false}}}";

static void
start_bot(const char *name)
{
	struct config	*c;
	struct buf	 errors;
	char		*json, *cause = NULL;

	xasprintf(&json, base_config, test_tmpdir(), name);
	buf_init(&errors);
	if (config_load_text(json, strlen(json), "t.json", &c, &errors) != 0)
		TEST_FAIL("config: %s", errors.data);
	free(json);
	buf_release(&errors);
	config_register_secrets(c);
	snprintf(db, sizeof db, "%s/%s/opsbot.db", test_tmpdir(), name);
	bot = bot_create(c, table, &cause);
	if (bot == NULL)
		TEST_FAIL("bot_create: %s", cause);
	recchat_ops(&rec_ops, "slack");
	recchat.on_reply = note_cancel;
	chat = chat_create(&rec_ops, bot);
	bot_add_chat(bot, chat);
	bot_add_service(bot, &alerts_service);
	if (bot_start(bot, &cause) != 0)
		TEST_FAIL("bot_start: %s", cause);
	buf_release(&recchat.replies);
	atomic_store(&release_slow, 0);
}

static void
stop_bot(void)
{
	if (!bot->stopping)
		bot_request_stop(bot, "test over");
	bot_run(bot);
	bot_free(bot);
	bot = NULL;
}

/* Says text as user in channel; returns the replies since last call. */
static const char *
say(const char *user, const char *channel, const char *text)
{
	static char		*last;
	/* As the adapters do: a channel has an id and, here, a "#name". */
	struct chat_msg		 m = { .user_id = user, .channel = channel,
	    .channel_name = channel != NULL && channel[0] == '#' ? channel :
	    NULL, .text = text, .len = strlen(text) };

	buf_release(&recchat.replies);
	bot_handle_message(bot, chat, &m);
	free(last);
	last = xstrdup(recchat.replies.data);
	return last;
}

/* A click by user in channel on a button whose value is value. */
static const char *
click(const char *user, const char *name, const char *channel,
    const char *value)
{
	static char		*last;
	struct chat_msg		 m = { .user_id = user, .user_name = name,
	    .channel = channel, .text = value, .len = strlen(value),
	    .click = 1 };

	buf_release(&recchat.replies);
	bot_handle_message(bot, chat, &m);
	free(last);
	last = xstrdup(recchat.replies.data);
	return last;
}

/* The audit column col of the newest row. */
static char *
last_audit(const char *col)
{
	static char	 out[8192];
	sqlite3		*d;
	sqlite3_stmt	*st;
	char		 sql[256];

	out[0] = '\0';
	snprintf(sql, sizeof sql, "SELECT ifnull(%s, 'NULL') FROM audit "
	    "ORDER BY id DESC LIMIT 1", col);
	ASSERT_INT_EQ(sqlite3_open(db, &d), SQLITE_OK);
	ASSERT_INT_EQ(sqlite3_prepare_v2(d, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		snprintf(out, sizeof out, "%s", sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	sqlite3_close(d);
	return out;
}

static long long
audit_rows(void)
{
	sqlite3		*d;
	sqlite3_stmt	*st;
	long long	 n = -1;

	ASSERT_INT_EQ(sqlite3_open(db, &d), SQLITE_OK);
	sqlite3_prepare_v2(d, "SELECT count(*) FROM audit", -1, &st, NULL);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(d);
	return n;
}

/* -------------------------------------------------------------- tests */

TEST(runs_a_command)
{
	start_bot("runs");
	ASSERT_STR_EQ(say("UV", "#ops", "/echo hello \"big world\""),
	    "hello big world");
	ASSERT_STR_EQ(last_audit("outcome"), "ok");
	ASSERT_STR_EQ(last_audit("command"), "/echo hello \"big world\"");
	ASSERT_STR_EQ(last_audit("platform"), "slack");
	ASSERT_STR_EQ(last_audit("user"), "UV");
	ASSERT_STR_EQ(last_audit("channel"), "#ops");
	ASSERT_STR_EQ(last_audit("detail"), "NULL");
	/* Without the slash too, and options in either form. */
	ASSERT_STR_EQ(say("UV", "#ops", "echo a --times 2"), "aa");
	ASSERT_STR_EQ(say("UV", "#ops", "echo b --times=3"), "bbb");
	ASSERT_INT_EQ(audit_rows(), 3);
	stop_bot();
}

TEST(unknown_commands)
{
	start_bot("unknown");
	ASSERT_STR_EQ(say("UV", "#ops", "/stauts"), "unknown command /stauts "
	    "— did you mean /status?");
	ASSERT_STR_EQ(last_audit("outcome"), "unknown");
	ASSERT_STR_EQ(last_audit("detail"), "unknown command /stauts — did "
	    "you mean /status?");
	ASSERT_STR_EQ(say("UV", "#ops", "/deploy prod"), "unknown command "
	    "/deploy — type /help for the list");
	ASSERT_STR_EQ(last_audit("outcome"), "unknown");
	stop_bot();
}

TEST(roles_are_enforced)
{
	start_bot("roles");
	ASSERT_STR_EQ(say("UV", "#ops", "/boom --confirm"), "/boom needs role "
	    "operator or admin; you have viewer");
	ASSERT_STR_EQ(last_audit("outcome"), "denied");
	ASSERT_STR_EQ(say("UX", "#ops", "/echo hi"), "/echo needs role "
	    "viewer, operator or admin; you have no role (an admin can add "
	    "you under \"users\" in the config)");
	ASSERT_STR_EQ(last_audit("outcome"), "denied");
	ASSERT_STR_EQ(last_audit("user"), "UX");
	/* A stranger may still ask for help. */
	ASSERT_CONTAINS(say("UX", "#ops", "/help"), "/echo TEXT... [--times "
	    "N]");
	ASSERT_STR_EQ(last_audit("outcome"), "ok");
	ASSERT_STR_EQ(say("UO", "#ops", "/boom --confirm"), "boom done");
	stop_bot();
}

TEST(channel_and_disabled)
{
	start_bot("channel");
	ASSERT_STR_EQ(say("UA", "#random", "/status"), "/status is not "
	    "allowed in this channel (#random)");
	ASSERT_STR_EQ(last_audit("outcome"), "denied");
	ASSERT_CONTAINS(say("UA", "#ops", "/status"), "schema v8");
	ASSERT_STR_EQ(last_audit("outcome"), "ok");
	ASSERT_STR_EQ(say("UA", "#ops", "/whoami"), "/whoami is disabled in "
	    "this bot's config");
	ASSERT_STR_EQ(last_audit("outcome"), "disabled");
	stop_bot();
}

TEST(bad_input)
{
	char	 big[5001];

	start_bot("badinput");
	ASSERT_STR_EQ(say("UV", "#ops", "/echo x --times lots"), "option "
	    "--times: expected a whole number 0-1000000000, got \"lots\"\n"
	    "usage: /echo TEXT... [--times N]");
	ASSERT_STR_EQ(last_audit("outcome"), "bad_input");
	ASSERT_STR_EQ(say("UV", "#ops", "/echo"), "missing argument (needs 1, "
	    "got 0)\nusage: /echo TEXT... [--times N]");
	ASSERT_STR_EQ(say("UV", "#ops", "/echo 'open"), "error: unclosed "
	    "quote starting at byte 7");
	memset(big, 'x', 5000);
	big[5000] = '\0';
	ASSERT_STR_EQ(say("UV", "#ops", big), "error: command is too long "
	    "(5000 bytes; the limit is 4096)");
	ASSERT_STR_EQ(last_audit("outcome"), "bad_input");
	ASSERT_INT_EQ(strlen(last_audit("command")), 1024 +
	    strlen("... (5000 bytes)"));
	/* A blank line is not a command: no reply, no row. */
	ASSERT_INT_EQ(audit_rows(), 4);
	ASSERT_STR_EQ(say("UV", "#ops", "   "), "");
	ASSERT_INT_EQ(audit_rows(), 4);
	stop_bot();
}

TEST(confirmation_and_errors)
{
	start_bot("confirm");
	ASSERT_STR_EQ(say("UA", "#ops", "/boom"), "/boom changes things on "
	    "production.\nPress Confirm within 10m (it works once), or repeat "
	    "it with --confirm to go ahead.");
	ASSERT_STR_EQ(last_audit("outcome"), "unconfirmed");
	/* The prompt is the channel's, and its button is a token. */
	ASSERT_INT_EQ(recchat.last_ephemeral, 0);
	ASSERT_CONTAINS(recchat.last_button, "confirm:");
	ASSERT_STR_EQ(say("UA", "#ops", "/boom --confirm"), "boom done");
	ASSERT_STR_EQ(say("UA", "#ops", "/fail"), "it broke");
	ASSERT_STR_EQ(last_audit("outcome"), "error");
	ASSERT_STR_EQ(last_audit("detail"), "it broke");
	stop_bot();
}

/*
 * A Confirm button works once: the first click runs the command and
 * replaces the prompt; a second click, even after a restart of the bot,
 * is told who did it; an old-style button that carries --confirm itself
 * is refused; an expired one says so.
 */
TEST(confirm_button_single_use)
{
	char	 value[256], when[64];

	clock_use_real();
	start_bot("single");
	boom_runs = 0;
	say("UA", "#ops", "/boom");
	snprintf(value, sizeof value, "%s", recchat.last_button);
	ASSERT_CONTAINS(value, "confirm:");
	ASSERT_INT_EQ(boom_runs, 0);
	/* A click in another channel does not run it. */
	ASSERT_CONTAINS(click("UO", "otto", "#dev", value),
	    "belongs to another channel");
	ASSERT_INT_EQ(boom_runs, 0);
	ASSERT_CONTAINS(click("UO", "otto", "#ops", value),
	    "Confirmed by @otto at ");
	ASSERT_CONTAINS(recchat.replies.data, "boom done");
	ASSERT_INT_EQ(boom_runs, 1);
	ASSERT_INT_EQ(recchat.last_replace, 1);
	ASSERT_STR_EQ(last_audit("via"), "click");
	ASSERT_STR_EQ(last_audit("command"), "/boom --confirm");
	ASSERT_STR_EQ(last_audit("user"), "UO");
	/* The second click: private, names the first, runs nothing. */
	ASSERT_CONTAINS(click("UA", "ada", "#ops", value),
	    "already done by @otto at ");
	ASSERT_INT_EQ(boom_runs, 1);
	ASSERT_INT_EQ(recchat.last_replace, 0);
	ASSERT_INT_EQ(recchat.last_ephemeral, 1);
	ASSERT_STR_EQ(last_audit("outcome"), "refused");
	stop_bot();

	/* The token is in the store: a restarted bot knows it was used. */
	start_bot("single");
	ASSERT_CONTAINS(click("UA", "ada", "#ops", value),
	    "already done by @otto at ");
	ASSERT_CONTAINS(click("UA", "ada", "#ops", value), "(ok)");
	ASSERT_INT_EQ(boom_runs, 1);
	/* A button that carries --confirm itself is not single-use. */
	ASSERT_CONTAINS(click("UA", "ada", "#ops", "boom --confirm"),
	    "without a single-use confirmation");
	ASSERT_INT_EQ(boom_runs, 1);
	/* Typing --confirm still works, and is audited as typed. */
	ASSERT_STR_EQ(say("UA", "#ops", "/boom --confirm"), "boom done");
	ASSERT_STR_EQ(last_audit("via"), "typed");
	ASSERT_INT_EQ(boom_runs, 2);
	ASSERT_CONTAINS(click("UA", "ada", "#ops", "confirm:0123"),
	    "not known to this bot");
	stop_bot();

	/* Ten minutes later the button has expired. */
	clock_fake_set(1796400000000LL);
	start_bot("expiry");
	say("UA", "#ops", "/boom");
	snprintf(value, sizeof value, "%s", recchat.last_button);
	clock_fake_advance(601 * 1000);
	snprintf(when, sizeof when, "expired at ");
	ASSERT_CONTAINS(click("UA", "ada", "#ops", value), when);
	ASSERT_INT_EQ(boom_runs, 2);
	stop_bot();
	clock_use_real();
}

TEST(secrets_never_echo)
{
	start_bot("secrets");
	ASSERT_STR_EQ(say("UV", "#ops", "/echo token=xoxb-test-secret-1"),
	    "token=[REDACTED]");
	ASSERT_STR_EQ(last_audit("command"), "/echo token=[REDACTED]");
	/* Error details echo the input: redacted too. */
	ASSERT_STR_EQ(say("UV", "#ops", "/status xoxb-test-secret-1"),
	    "unexpected argument \"[REDACTED]\" (this command takes none)\n"
	    "usage: /status");
	ASSERT_STR_EQ(last_audit("detail"), "unexpected argument "
	    "\"[REDACTED]\" (this command takes none) usage: /status");
	stop_bot();
	log_clear_secrets();
}

TEST(typed_secrets_never_echo)
{
	/* Never registered: what a user types by mistake. */
	start_bot("typed-secrets");
	ASSERT_STR_EQ(say("UV", "#ops", "/echo password=hunter2 "
	    "postgres://app:S3cret@db/x token=tok-1 xoxb-1-2-3"),
	    "password=[REDACTED] postgres://app:[REDACTED]@db/x "
	    "token=[REDACTED] [REDACTED]");
	ASSERT_STR_EQ(last_audit("command"), "/echo password=[REDACTED] "
	    "postgres://app:[REDACTED]@db/x token=[REDACTED] [REDACTED]");
	/* An error reply echoing the input, and its audit detail. */
	ASSERT_STR_EQ(say("UV", "#ops", "/status mysql://root:pw1@h"),
	    "unexpected argument \"mysql://root:[REDACTED]@h\" (this command "
	    "takes none)\nusage: /status");
	ASSERT_CONTAINS(last_audit("detail"), "mysql://root:[REDACTED]@h");
	stop_bot();
}

TEST(pending_command_completes)
{
	start_bot("pending");
	ASSERT_STR_EQ(say("UV", "#ops", "/slow --ms 30"), "");
	ASSERT_INT_EQ(bot->ninflight, 1);
	ASSERT_INT_EQ(audit_rows(), 0);
	/* Stopping waits for it: the answer arrives, then the loop ends. */
	bot_request_stop(bot, "test");
	ASSERT_STR_EQ(say("UV", "#ops", "/echo late"), "opsbot is shutting "
	    "down; try again in a minute");
	ASSERT_STR_EQ(last_audit("outcome"), "refused");
	buf_release(&recchat.replies);
	bot_run(bot);
	ASSERT_STR_EQ(recchat.replies.data, "slept 30 ms");
	ASSERT_STR_EQ(last_audit("outcome"), "ok");
	ASSERT_STR_EQ(last_audit("command"), "/slow --ms 30");
	ASSERT(atoi(last_audit("duration_ms")) >= 30);
	ASSERT_INT_EQ(bot->ninflight, 0);
	stop_bot();
}

TEST(shutdown_cancels_after_grace)
{
	int64_t	 t0;

	start_bot("grace");
	ASSERT_STR_EQ(say("UV", "#ops", "/slow --ms 20000"), "");
	t0 = clock_mono_ms();
	bot_request_stop(bot, "test");
	bot_run(bot);
	/* The grace is 1 s; the job would have taken 20 s. */
	ASSERT(clock_mono_ms() - t0 < 10000);
	ASSERT_STR_EQ(recchat.replies.data,
	    "opsbot is shutting down; /slow was "
	    "cancelled before it finished");
	ASSERT_STR_EQ(last_audit("outcome"), "cancelled");
	ASSERT_INT_EQ(audit_rows(), 1);
	stop_bot();
	/* The late completion freed its ctx and answered nothing more. */
	ASSERT_STR_EQ(recchat.replies.data,
	    "opsbot is shutting down; /slow was "
	    "cancelled before it finished");
}

TEST(help_is_generated)
{
	const char	*r;

	start_bot("help");
	r = say("UV", "#ops", "/help");
	ASSERT_CONTAINS(r, "opsbot commands (/help COMMAND for details):");
	ASSERT_CONTAINS(r, "/help [COMMAND]");
	ASSERT_CONTAINS(r, "/slow [--ms N]");
	ASSERT_CONTAINS(r, "Changes things. (needs operator or admin)");
	ASSERT(strstr(r, "Says it back. (needs") == NULL);
	ASSERT_STR_EQ(say("UV", "#ops", "/help boom"), "usage: /boom "
	    "[--confirm]\nChanges things.\n  --confirm      go ahead\n"
	    "changes things: needs --confirm\nwho may run it: operator or "
	    "admin (you may not)");
	ASSERT_CONTAINS(say("UV", "#ops", "/help /slow"), "runs on inventory "
	    "hosts");
	ASSERT_STR_EQ(say("UV", "#ops", "/help eho"), "unknown command /eho — "
	    "did you mean /echo?");
	ASSERT_STR_EQ(last_audit("outcome"), "error");
	stop_bot();
}

/* /help, /whoami and refusals reach only the asker; not the scheduler's. */
TEST(private_by_default)
{
	start_bot("private");
	say("UV", "#ops", "/help");
	ASSERT_INT_EQ(recchat.last_ephemeral, 1);
	say("UV", "#ops", "/echo hi");
	ASSERT_INT_EQ(recchat.last_ephemeral, 0);
	say("UV", "#ops", "/stauts");
	ASSERT_INT_EQ(recchat.last_ephemeral, 1);
	say("UV", "#ops", "/fail");
	ASSERT_INT_EQ(recchat.last_ephemeral, 0);
	/* Nobody to show it to: a schedule's answers go to its channel. */
	say("scheduler", "#ops", "/help");
	ASSERT_INT_EQ(recchat.last_ephemeral, 0);
	stop_bot();
}

/* As the Slack and Mattermost adapters answer: through the outbox. */
static void
reply_to_outbox(const char *text)
{
	char	*cause = NULL;

	if (outbox_enqueue(bot->outbox, "slack", "#ops", "post", NULL, text,
	    &cause) < 0)
		TEST_FAIL("enqueue: %s", cause);
}

static long long
outbox_rows(void)
{
	sqlite3		*d;
	sqlite3_stmt	*st;
	long long	 n = -1;

	ASSERT_INT_EQ(sqlite3_open(db, &d), SQLITE_OK);
	sqlite3_prepare_v2(d, "SELECT count(*) FROM outbox WHERE body = 'hi'",
	    -1, &st, NULL);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(d);
	return n;
}

/*
 * A command's answer (its outbox row) and its audit row are written in
 * one transaction: one commit per command, the largest cost of a trivial
 * one being each commit's WAL write and file locks. Both rows are there.
 */
TEST(answer_and_audit_in_one_commit)
{
	uint64_t	 c0;

	start_bot("group");
	recchat.on_reply = reply_to_outbox;
	c0 = store_commits(bot->store);
	ASSERT_STR_EQ(say("UV", "#ops", "/echo hi"), "hi");
	ASSERT_INT_EQ((int)(store_commits(bot->store) - c0), 1);
	ASSERT_INT_EQ(audit_rows(), 1);
	ASSERT_INT_EQ(outbox_rows(), 1);
	ASSERT_INT_EQ((int)outbox_pending(bot->outbox), 1);
	/* A refusal is answered and audited the same way. */
	c0 = store_commits(bot->store);
	say("UX", "#ops", "/echo hi");
	ASSERT_INT_EQ((int)(store_commits(bot->store) - c0), 1);
	ASSERT_INT_EQ(audit_rows(), 2);
	recchat.on_reply = note_cancel;
	stop_bot();
}

/*
 * An answer given in an acknowledgement: the audit rows wait in memory
 * while deferred (the store may be held by another writer, and the ack
 * must not wait for it), in order, and are written with their chain.
 * Which commands may run before their ack: readers and refusals.
 */
TEST(deferred_audit_rows)
{
	struct store_audit_verdict	 v;
	char				*cause = NULL;

	start_bot("defer");
	ASSERT(bot_command_runs_before_ack(bot, "whoami"));
	ASSERT(bot_command_runs_before_ack(bot, "/help echo"));
	ASSERT(bot_command_runs_before_ack(bot, "no-such-command x"));
	ASSERT(bot_command_runs_before_ack(bot, ""));
	ASSERT(!bot_command_runs_before_ack(bot, "echo hi"));
	ASSERT(!bot_command_runs_before_ack(bot, "slow"));
	ASSERT_INT_EQ(audit_rows(), 0);
	bot_defer_writes(bot, 1);
	ASSERT_STR_EQ(say("UV", "#ops", "echo first"), "first");
	ASSERT_STR_EQ(say("UV", "#ops", "echo second"), "second");
	bot_defer_writes(bot, 0);
	ASSERT_INT_EQ(audit_rows(), 0);
	bot_write_deferred(bot);
	ASSERT_INT_EQ(audit_rows(), 2);
	ASSERT_STR_EQ(last_audit("command"), "echo second");
	ASSERT_STR_EQ(last_audit("user"), "UV");
	/* Nothing waits now: a second write is a no-op. */
	bot_write_deferred(bot);
	ASSERT_INT_EQ(audit_rows(), 2);
	memset(&v, 0, sizeof v);
	ASSERT_INT_EQ(store_audit_verify(db, NULL, &v, &cause), 0);
	ASSERT_INT_EQ(v.broken, 0);
	ASSERT_INT_EQ((int)v.checked, 2);
	free(v.what);
	/*
	 * Another writer holds the store: the loop's write fails at once,
	 * not after 5 s, and the rows wait (in order) for it to let go.
	 */
	{
		sqlite3		*other;
		int64_t		 t0;

		ASSERT_INT_EQ(sqlite3_open(db, &other), SQLITE_OK);
		ASSERT_INT_EQ(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL,
		    NULL, NULL), SQLITE_OK);
		bot_defer_writes(bot, 1);
		say("UV", "#ops", "echo held1");
		say("UV", "#ops", "echo held2");
		bot_defer_writes(bot, 0);
		t0 = clock_mono_ms();
		bot_write_deferred(bot);
		ASSERT(clock_mono_ms() - t0 < 1000);
		ASSERT_INT_EQ(audit_rows(), 2);
		ASSERT_INT_EQ(sqlite3_exec(other, "COMMIT", NULL, NULL, NULL),
		    SQLITE_OK);
		sqlite3_close(other);
		bot_write_deferred(bot);
		ASSERT_INT_EQ(audit_rows(), 4);
		ASSERT_STR_EQ(last_audit("command"), "echo held2");
	}
	/* One left waiting at exit is written then, not lost. */
	bot_defer_writes(bot, 1);
	say("UV", "#ops", "echo third");
	bot_defer_writes(bot, 0);
	stop_bot();
	ASSERT_INT_EQ(audit_rows(), 5);
}

static const struct test tests[] = {
	TEST_ENTRY(private_by_default),
	TEST_ENTRY(runs_a_command),
	TEST_ENTRY(unknown_commands),
	TEST_ENTRY(roles_are_enforced),
	TEST_ENTRY(channel_and_disabled),
	TEST_ENTRY(bad_input),
	TEST_ENTRY(confirmation_and_errors),
	TEST_ENTRY(confirm_button_single_use),
	TEST_ENTRY(secrets_never_echo),
	TEST_ENTRY(typed_secrets_never_echo),
	TEST_ENTRY(pending_command_completes),
	TEST_ENTRY(shutdown_cancels_after_grace),
	TEST_ENTRY(help_is_generated),
	TEST_ENTRY(answer_and_audit_in_one_commit),
	TEST_ENTRY(deferred_audit_rows),
	TEST_END
};

int
main(int argc, char **argv)
{
	log_set_level(LOG_ERROR);
	return test_run(tests, argc, argv);
}

/*
 * The config's scalar keys as data, in the manner of tmux's
 * options_table[]: one row per key says its type, bounds, default, where
 * it is stored, its environment variable and the first words of its
 * meaning in docs/config.md. One loader reads every section through the
 * rows (type errors, bounds, defaults, unknown keys with a suggestion),
 * one function frees their strings (config_load.c), and unit/configdocs
 * checks the docs' key tables against them. What one key cannot say about itself (a
 * default that depends on another section, a check across keys) stays in
 * the section's hand-written loader in config.c.
 *
 * A row's place in its section is also its place in the "known keys"
 * list of an unknown-key error, so rows keep the order users read.
 */

#include <sys/stat.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "channel.h"
#include "config_int.h"
#include "log.h"
#include "xmalloc.h"

#define F(field)	offsetof(struct config, field)
#define DAY		(24.0 * 3600)

/* ------------------------------------------------------------- checks */

/* A zone name as the C library reads it: from /usr/share/zoneinfo. */
static void
check_timezone(struct cfg_ctx *ctx, const char *path, char **value)
{
	const char	*tz = *value;
	char		 file[PATH_MAX];
	struct stat	 st;

	if (strcmp(tz, "UTC") == 0 || strcmp(tz, "local") == 0)
		return;
	snprintf(file, sizeof file, "/usr/share/zoneinfo/%s", tz);
	if (tz[0] != '/' && strstr(tz, "..") == NULL &&
	    stat(file, &st) == 0 && S_ISREG(st.st_mode))
		return;
	cfg_error(ctx, path, "unknown time zone \"%s\" (expected a name like "
	    "\"Europe/London\" from /usr/share/zoneinfo, \"UTC\" or "
	    "\"local\")", tz);
}

static void
check_slash(struct cfg_ctx *ctx, const char *path, char **value)
{
	if ((*value)[0] != '/')
		cfg_error(ctx, path, "a slash command starts with \"/\", got "
		    "\"%s\"", *value);
}

static void
check_url(struct cfg_ctx *ctx, const char *path, char **value)
{
	if (!cfg_has_prefix(*value, "https://") &&
	    !cfg_has_prefix(*value, "http://"))
		cfg_error(ctx, path, "expected an http:// or https:// URL, got "
		    "\"%s\"", *value);
}

/* One form, no trailing "/", so that paths append cleanly. */
static void
strip_slashes(char *s)
{
	size_t	 n = strlen(s);

	while (n > 0 && s[n - 1] == '/')
		s[--n] = '\0';
}

void
cfg_key_base_url(struct cfg_ctx *ctx, const char *path, char **value)
{
	strip_slashes(*value);
	check_url(ctx, path, value);
}

static void
check_register_url(struct cfg_ctx *ctx, const char *path, char **value)
{
	if (!cfg_has_prefix(*value, "https://") &&
	    !cfg_has_prefix(*value, "http://"))
		cfg_error(ctx, path, "expected the http:// or https:// URL "
		    "Mattermost calls, e.g. \"https://bot.example:9097/"
		    "mattermost/command\", got \"%s\"", *value);
}

static void
check_am_url(struct cfg_ctx *ctx, const char *path, char **value)
{
	if (strncmp(*value, "http://", 7) != 0 &&
	    strncmp(*value, "https://", 8) != 0)
		cfg_error(ctx, path, "expected an http:// or https:// URL like "
		    "\"http://127.0.0.1:9093\", got \"%s\"", *value);
	strip_slashes(*value);
}

/* The one channel parser (channel.h), so no form is silently ignored. */
void
cfg_key_channel(struct cfg_ctx *ctx, const char *path, char **value)
{
	struct chan_spec	 cs;
	char			*why;

	if (chan_parse(*value, &cs, &why) != 0) {
		cfg_error(ctx, path, "%s", why);
		free(why);
	}
}

static void
check_slack_app_token(struct cfg_ctx *ctx, const char *path, char **value)
{
	if (!cfg_has_prefix(*value, "xapp-"))
		cfg_error(ctx, path, "an app-level token starts with \"xapp-\" "
		    "(Basic Information > App-Level Tokens, scope "
		    "connections:write)");
}

static void
check_slack_bot_token(struct cfg_ctx *ctx, const char *path, char **value)
{
	if (!cfg_has_prefix(*value, "xoxb-"))
		cfg_error(ctx, path, "a bot token starts with \"xoxb-\" (OAuth & "
		    "Permissions > Bot User OAuth Token)");
}

/* --------------------------------------------------------------- rows */

static const char *const log_levels[] = { "debug", "info", "warn", "error",
    NULL };
static const char *const log_formats[] = { "logfmt", "json", NULL };
static const char *const key_checking[] = { "yes", "accept-new", "no",
    NULL };

static const struct cfg_key root_keys[] = {
	{ .key = "bot", .type = CFG_OBJECT, .offset = CFG_NOFIELD },
	{ .key = "chat", .type = CFG_OBJECT, .offset = CFG_NOFIELD },
	{ .key = "roles", .type = CFG_OBJECT, .offset = CFG_NOFIELD },
	{ .key = "users", .type = CFG_OBJECT, .offset = CFG_NOFIELD },
	{ .key = "hosts", .type = CFG_OBJECT, .offset = CFG_NOFIELD },
	{ .key = "remote", .type = CFG_OBJECT, .offset = CFG_NOFIELD },
	{ .key = "alerts", .type = CFG_OBJECT, .offset = CFG_NOFIELD },
	{ .key = "schedules", .type = CFG_OBJECT, .offset = CFG_NOFIELD },
	{ .key = "commands", .type = CFG_OBJECT, .offset = CFG_NOFIELD },
	{ .key = "checklists", .type = CFG_OBJECT, .offset = CFG_NOFIELD },
	{ .key = "retention", .type = CFG_OBJECT, .offset = CFG_NOFIELD },
	{ .key = "runbooks", .type = CFG_OBJECT, .offset = CFG_NOFIELD },
	{ .key = "web", .type = CFG_OBJECT, .offset = CFG_NOFIELD },
	{ .key = "incidents", .type = CFG_OBJECT, .offset = CFG_NOFIELD },
	{ .key = "custom_commands", .type = CFG_OBJECT, .offset = CFG_NOFIELD },
	{ .key = "tickets", .type = CFG_OBJECT, .offset = CFG_NOFIELD },
	{ .key = "log_engines", .type = CFG_OBJECT, .offset = CFG_NOFIELD },
	{ .key = "searches", .type = CFG_OBJECT, .offset = CFG_NOFIELD },
	{ .key = "tail", .type = CFG_OBJECT, .offset = CFG_NOFIELD },
	{ .key = "metrics_sources", .type = CFG_OBJECT, .offset = CFG_NOFIELD },
	{ .key = "fleet", .type = CFG_OBJECT, .offset = CFG_NOFIELD },
};

static const struct cfg_key bot_keys[] = {
	{ .key = "name", .type = CFG_STRING, .offset = F(bot.name),
	  .def_str = "opsbot", .flags = CFG_F_NAME,
	  .doc = "The bot's name, shown in the console banner." },
	{ .key = "timezone", .type = CFG_STRING, .offset = F(bot.timezone),
	  .def_str = "UTC", .check = check_timezone,
	  .doc = "The zone schedules run in and checklist times" },
	{ .key = "data_dir", .type = CFG_STRING, .offset = F(bot.data_dir),
	  .def_str = "./opsbot-data", .flags = CFG_F_NONEMPTY,
	  .doc = "Directory of the sqlite store (`opsbot.db`)" },
	{ .key = "log_level", .type = CFG_ENUM, .offset = F(bot.log_level),
	  .words = log_levels, .def = LOG_INFO,
	  .doc = "The least severe level written to the log." },
	{ .key = "log_file", .type = CFG_STRING, .offset = F(bot.log_file),
	  .doc = "The log file, opened for appending at start" },
	{ .key = "worker_threads", .type = CFG_INT,
	  .offset = F(bot.worker_threads), .min = 1, .max = 64, .def = 4,
	  .doc = "Threads that run blocking work" },
	{ .key = "shutdown_grace", .type = CFG_DURATION,
	  .offset = F(bot.shutdown_grace_s), .def = 10,
	  .doc = "On SIGINT/SIGTERM (or end of console input), how long "
	  "commands already running may take to finish" },
	{ .key = "confirm_timeout", .type = CFG_DURATION,
	  .offset = F(bot.confirm_timeout_s), .def = 600,
	  .doc = "How long the Confirm button of a command that changes "
	  "production (`/rerun`, `/restart`) stays usable." },
	{ .key = "holidays", .type = CFG_OBJECT, .offset = CFG_NOFIELD,
	  .doc = "Days that schedules with `business_days` skip." },
	{ .key = "log_format", .type = CFG_ENUM, .offset = F(bot.log_json),
	  .words = log_formats, .def = 0,
	  .doc = "The shape of a log line" },
	{ .key = "ready_link_silence", .type = CFG_DURATION,
	  .offset = F(bot.ready_link_silence_s), .def = 120,
	  .doc = "`GET /readyz` answers 503 when an enabled chat link" },
	{ .key = "ready_outbox_age", .type = CFG_DURATION,
	  .offset = F(bot.ready_outbox_age_s), .def = 300,
	  .doc = "`GET /readyz` answers 503 when the oldest undelivered chat "
	  "message is older than this." },
};

static const struct cfg_key chat_keys[] = {
	{ .key = "console", .type = CFG_OBJECT, .offset = CFG_NOFIELD },
	{ .key = "slack", .type = CFG_OBJECT, .offset = CFG_NOFIELD },
	{ .key = "mattermost", .type = CFG_OBJECT, .offset = CFG_NOFIELD },
	{ .key = "outbox", .type = CFG_OBJECT, .offset = CFG_NOFIELD },
};

/* Slack allows about one message a second per channel. */
static const struct cfg_key outbox_keys[] = {
	{ .key = "rate", .type = CFG_DOUBLE, .offset = F(chat.outbox_rate),
	  .min = 0.01, .max = 1000, .def = 1,
	  .what = "a number of messages per second",
	  .doc = "Sustained messages per second per channel" },
	{ .key = "burst", .type = CFG_INT, .offset = F(chat.outbox_burst),
	  .min = 1, .max = 100, .def = 3,
	  .doc = "Messages a quiet channel may send at once" },
	{ .key = "max_backoff", .type = CFG_DURATION,
	  .offset = F(chat.outbox_max_backoff_s), .def = 300,
	  .doc = "Longest wait between retries after a 5xx or network error" },
	/* 10 tries reach past 8 minutes with the default backoff. */
	{ .key = "max_attempts", .type = CFG_INT,
	  .offset = F(chat.outbox_max_attempts), .min = 1, .max = 1000,
	  .def = 10,
	  .doc = "Tries that reached the server" },
};

static const struct cfg_key console_keys[] = {
	{ .key = "enabled", .type = CFG_BOOL, .offset = F(chat.console_enabled),
	  .flags = CFG_F_HAND,
	  .doc_default = "`true`, unless Slack or Mattermost is enabled",
	  .doc = "Talk on this terminal." },
	{ .key = "prompt", .type = CFG_STRING,
	  .offset = F(chat.console_prompt), .def_str = "opsbot> ",
	  .doc = "Printed before each line when stdin and stdout are a "
	  "terminal." },
	{ .key = "user", .type = CFG_STRING, .offset = F(chat.console_user),
	  .flags = CFG_F_NAME,
	  .doc_default = "the login name of the user running the bot",
	  .doc = "Who console messages come from" },
};

/* As Slack's own SDKs do: the environment alone may enable it. */
static const struct cfg_key slack_keys[] = {
	{ .key = "enabled", .type = CFG_BOOL, .offset = F(chat.slack_enabled),
	  .flags = CFG_F_HAND,
	  .doc_default = "`true` if the section exists or both env tokens are "
	  "set",
	  .doc = "Connect to Slack." },
	{ .key = "app_token", .type = CFG_SECRET,
	  .offset = F(chat.slack_app_token), .env = "SLACK_APP_TOKEN",
	  .check = check_slack_app_token, .doc_default = "`$SLACK_APP_TOKEN`",
	  .doc = "App-level token" },
	{ .key = "bot_token", .type = CFG_SECRET,
	  .offset = F(chat.slack_bot_token), .env = "SLACK_BOT_TOKEN",
	  .check = check_slack_bot_token, .doc_default = "`$SLACK_BOT_TOKEN`",
	  .doc = "Bot token" },
	{ .key = "api_url", .type = CFG_STRING, .offset = F(chat.slack_api_url),
	  .def_str = "https://slack.com/api/", .env = "SLACK_API_URL",
	  .flags = CFG_F_ENV_OVER, .check = check_url,
	  .doc = "Web API base URL." },
	{ .key = "command", .type = CFG_STRING, .offset = F(chat.slack_command),
	  .def_str = "/opsbot", .check = check_slash,
	  .doc = "The slash command whose text is a whole opsbot command" },
	{ .key = "answer_in_ack", .type = CFG_BOOL,
	  .offset = F(chat.slack_answer_in_ack), .def = 1,
	  .doc = "A slash command that only reads (`/whoami`, `/help`, "
	  "`/status`, `/alerts`, `/silences`, `/audit`) or is refused runs as "
	  "its envelope arrives, and its answer is the ack's payload" },
};

static const struct cfg_key mm_keys[] = {
	{ .key = "enabled", .type = CFG_BOOL,
	  .offset = F(chat.mattermost_enabled), .flags = CFG_F_HAND,
	  .doc_default = "`true` if the section exists or both env variables "
	  "are set",
	  .doc = "Connect to Mattermost." },
	{ .key = "url", .type = CFG_STRING, .offset = F(chat.mattermost_url),
	  .env = "MATTERMOST_URL", .check = cfg_key_base_url,
	  .doc_default = "`$MATTERMOST_URL`",
	  .doc = "The server's base URL" },
	{ .key = "token", .type = CFG_SECRET,
	  .offset = F(chat.mattermost_token), .env = "MATTERMOST_TOKEN",
	  .doc_default = "`$MATTERMOST_TOKEN`",
	  .doc = "The bot account's access token." },
	{ .key = "prefix", .type = CFG_STRING,
	  .offset = F(chat.mattermost_prefix), .def_str = "!",
	  .doc = "Messages starting with it are commands" },
	{ .key = "command", .type = CFG_STRING,
	  .offset = F(chat.mattermost_command), .def_str = "/opsbot",
	  .check = check_slash,
	  .doc = "The slash command whose text is a whole opsbot command" },
	/* Set: Mattermost's slash commands call the bot's HTTP listener. */
	{ .key = "command_token", .type = CFG_SECRET,
	  .offset = F(chat.mattermost_command_token),
	  .doc = "The token Mattermost generated for `command`" },
	{ .key = "answer_in_response", .type = CFG_BOOL,
	  .offset = F(chat.mattermost_answer_in_response), .def = 1,
	  .doc = "A slash command that only reads (`/opsbot whoami`, `help`, "
	  "`status`, `alerts`, `silences`, `audit`) or is refused runs before "
	  "the bot answers Mattermost's request" },
	/* Buttons: where Mattermost posts a click (default: the listener). */
	{ .key = "actions_url", .type = CFG_STRING,
	  .offset = F(chat.mattermost_actions_url), .check = check_url,
	  .doc_default = "`http://` + `alerts.listen`",
	  .doc = "Where Mattermost sends button clicks" },
	/* Both set: the bot registers its slash commands at start. */
	{ .key = "register_team_id", .type = CFG_STRING,
	  .offset = F(chat.mattermost_register_team_id),
	  .doc = "The team (id) in which the bot registers its slash command "
	  "at start." },
	{ .key = "register_url", .type = CFG_STRING,
	  .offset = F(chat.mattermost_register_url),
	  .check = check_register_url,
	  .doc = "The URL Mattermost must call for the slash commands" },
	{ .key = "commands", .type = CFG_OBJECT, .offset = CFG_NOFIELD,
	  .doc = "Slash commands of their own" },
	/* Mattermost takes far more than Slack's one a second a channel. */
	{ .key = "outbox_rate", .type = CFG_DOUBLE,
	  .offset = F(chat.mattermost_outbox_rate), .min = 0.01, .max = 1000,
	  .def = 10, .what = "a number of messages per second",
	  .doc = "Messages per second per channel the [outbox](#chatoutbox) "
	  "sends to Mattermost" },
	{ .key = "outbox_burst", .type = CFG_INT,
	  .offset = F(chat.mattermost_outbox_burst), .min = 1, .max = 100,
	  .def = 20,
	  .doc = "How many may go at once before `outbox_rate` applies." },
};

static const struct cfg_key alerts_keys[] = {
	{ .key = "listen", .type = CFG_STRING, .offset = CFG_NOFIELD,
	  .flags = CFG_F_HAND, .env = "OPSBOT_ALERTS_LISTEN",
	  .doc_default = "`\"127.0.0.1:9097\"` (or `$OPSBOT_ALERTS_LISTEN`)",
	  .doc = "The bot's HTTP listener, always on" },
	{ .key = "default_channel", .type = CFG_STRING,
	  .offset = F(alerts.default_channel), .check = cfg_key_channel,
	  .doc = "Where alerts go when `route.channels` is not set" },
	{ .key = "max_body_bytes", .type = CFG_SIZE,
	  .offset = F(alerts.max_body_bytes), .min = 1024,
	  .max = 64 * 1024 * 1024, .def = 4 * 1024 * 1024,
	  .doc = "Bigger webhook bodies are refused with 413 before they are "
	  "read." },
	{ .key = "token", .type = CFG_SECRET, .offset = CFG_NOFIELD,
	  .flags = CFG_F_HAND,
	  .doc = "The bearer token every webhook must send" },
	{ .key = "alertmanager_token", .type = CFG_SECRET,
	  .offset = F(alerts.alertmanager_token), .doc_default = "`token`",
	  .doc = "A token for one source only" },
	{ .key = "grafana_token", .type = CFG_SECRET,
	  .offset = F(alerts.grafana_token), .doc_default = "`token`",
	  .doc = "A token for one source only" },
	{ .key = "generic_token", .type = CFG_SECRET,
	  .offset = F(alerts.generic_token), .doc_default = "`token`",
	  .doc = "A token for one source only" },
	{ .key = "route", .type = CFG_OBJECT, .offset = CFG_NOFIELD,
	  .doc = "The routing tree" },
	{ .key = "backlog_merge", .type = CFG_INT,
	  .offset = F(alerts.backlog_merge), .min = 2, .max = 100000,
	  .def = 20,
	  .doc = "When this many messages already wait in a channel's outbox" },
	{ .key = "checks", .type = CFG_OBJECT, .offset = CFG_NOFIELD,
	  .doc = "The bot's own checks of the inventory hosts." },
	/* Where /silence mirrors silences: no "/" at the end. */
	{ .key = "alertmanager_api_url", .type = CFG_STRING,
	  .offset = F(alerts.alertmanager_api_url), .check = check_am_url,
	  .doc = "The API of the Alertmanager that sends alerts to "
	  "`/hooks/alertmanager`" },
	{ .key = "alertmanager_api_token", .type = CFG_SECRET,
	  .offset = F(alerts.alertmanager_api_token),
	  .doc = "Sent as `Authorization: Bearer TOKEN` to "
	  "`alertmanager_api_url`" },
	{ .key = "max_connections", .type = CFG_INT,
	  .offset = F(alerts.max_connections), .min = 4, .max = 100000,
	  .def = 256,
	  .doc = "Connections open on the listener at once." },
};

static const struct cfg_key checks_keys[] = {
	{ .key = "enabled", .type = CFG_BOOL,
	  .offset = F(alerts.checks_enabled), .def = 1,
	  .doc = "Off: no own checks." },
	{ .key = "interval", .type = CFG_DURATION,
	  .offset = F(alerts.checks_interval_s), .def = 60, .min = 1,
	  .doc = "How often." },
	{ .key = "fire_after", .type = CFG_INT,
	  .offset = F(alerts.checks_fire_after), .min = 1, .max = 100,
	  .def = 3,
	  .doc = "Consecutive bad rounds before an alert fires" },
	{ .key = "resolve_after", .type = CFG_INT,
	  .offset = F(alerts.checks_resolve_after), .min = 1, .max = 100,
	  .def = 2,
	  .doc = "Consecutive good rounds before it resolves." },
	{ .key = "log_errors", .type = CFG_INT,
	  .offset = F(alerts.checks_log_errors), .min = 1, .max = 1000000,
	  .def = 10,
	  .doc = "Error lines (`remote.error_pattern`) in a named log" },
};

static const struct cfg_key remote_keys[] = {
	{ .key = "timeout", .type = CFG_DURATION, .offset = F(remote.timeout_s),
	  .def = 10,
	  .doc = "Hard deadline for each probe" },
	{ .key = "output_limit", .type = CFG_INT,
	  .offset = F(remote.output_limit), .min = 1024,
	  .max = 16 * 1024 * 1024, .def = 64 * 1024,
	  .doc = "Bytes of a probe's standard output kept" },
	{ .key = "concurrency", .type = CFG_INT,
	  .offset = F(remote.concurrency), .min = 1, .max = 256, .def = 32,
	  .doc = "How many hosts one command probes at once" },
	/* The default never exceeds a short timeout: loaded by hand. */
	{ .key = "connect_timeout", .type = CFG_DURATION,
	  .offset = F(remote.connect_timeout_s), .flags = CFG_F_HAND,
	  .doc_default = "`\"5s\"`, or `timeout` when that is shorter",
	  .doc = "ssh's `ConnectTimeout`." },
	{ .key = "ssh_command", .type = CFG_STRING,
	  .offset = F(remote.ssh_command), .def_str = "ssh",
	  .flags = CFG_F_NONEMPTY,
	  .doc = "The ssh client" },
	{ .key = "ssh_config", .type = CFG_STRING,
	  .offset = F(remote.ssh_config),
	  .doc = "An ssh configuration file passed as `-F FILE`." },
	{ .key = "host_key_checking", .type = CFG_ENUM,
	  .offset = F(remote.host_key_checking), .words = key_checking,
	  .def = HOST_KEYS_STRICT,
	  .doc = "ssh's `StrictHostKeyChecking`." },
	{ .key = "known_hosts", .type = CFG_STRING,
	  .offset = F(remote.known_hosts),
	  .doc = "The known_hosts file (`UserKnownHostsFile`)." },
	{ .key = "reuse_connections", .type = CFG_BOOL,
	  .offset = F(remote.reuse_connections), .def = 1,
	  .doc = "Keep one ssh connection per host open" },
	{ .key = "control_persist", .type = CFG_DURATION,
	  .offset = F(remote.control_persist_s), .def = 60,
	  .doc = "ssh's `ControlPersist`" },
	{ .key = "log_window", .type = CFG_DURATION,
	  .offset = F(remote.log_window_s), .def = 15 * 60,
	  .doc = "`/health` counts, in each of a host's `logs`" },
	{ .key = "error_pattern", .type = CFG_STRING,
	  .offset = F(remote.error_pattern), .def_str = "ERROR",
	  .flags = CFG_F_NONEMPTY,
	  .doc = "What an error line contains" },
};

static const struct cfg_key retention_keys[] = {
	{ .key = "audit", .type = CFG_AGE, .offset = F(retention.audit_s),
	  .def = 365 * DAY,
	  .doc = "Audit rows (every command, allowed or not)" },
	{ .key = "alerts", .type = CFG_AGE, .offset = F(retention.alerts_s),
	  .def = 90 * DAY,
	  .doc = "Resolved alerts and their timelines" },
	{ .key = "checklists", .type = CFG_AGE,
	  .offset = F(retention.checklists_s), .def = 90 * DAY,
	  .doc = "Checklist runs and their results" },
	{ .key = "outbox", .type = CFG_AGE, .offset = F(retention.outbox_s),
	  .def = 30 * DAY,
	  .doc = "Chat messages delivered (or refused for good)" },
	{ .key = "confirmations", .type = CFG_AGE,
	  .offset = F(retention.confirmations_s), .def = 30 * DAY,
	  .doc = "Confirm buttons used or expired" },
	{ .key = "disk_samples", .type = CFG_AGE,
	  .offset = F(retention.disk_samples_s), .def = 30 * DAY,
	  .doc = "Disk use samples drawn as sparklines on the web page" },
};

/* Each of schedules[]: when the cron says, run a command, post where. */
#define S(field)	offsetof(struct cfg_schedule, field)
static const struct cfg_key schedule_keys[] = {
	{ .key = "name", .type = CFG_STRING, .offset = S(name),
	  .flags = CFG_F_REQUIRED | CFG_F_NAME, .doc_default = "required",
	  .doc = "The schedule's name" },
	{ .key = "cron", .type = CFG_STRING, .offset = S(cron),
	  .flags = CFG_F_REQUIRED, .doc_default = "required",
	  .doc = "When to run" },
	{ .key = "run", .type = CFG_STRING, .offset = S(run),
	  .flags = CFG_F_REQUIRED, .doc_default = "required",
	  .doc = "The command, as a user would type it." },
	{ .key = "channel", .type = CFG_STRING, .offset = S(channel),
	  .flags = CFG_F_REQUIRED, .check = cfg_key_channel,
	  .doc_default = "required",
	  .doc = "Where the result is posted." },
	{ .key = "enabled", .type = CFG_BOOL, .offset = S(enabled), .def = 1,
	  .doc = "`false` keeps the schedule in the file without running it." },
	{ .key = "business_days", .type = CFG_BOOL, .offset = S(business_days),
	  .doc = "Skip Saturdays, Sundays and the dates in `bot.holidays`." },
	{ .key = "grace", .type = CFG_DURATION, .offset = S(grace_s),
	  .def = 3600,
	  .doc = "A run missed while the bot was down" },
};
#undef S

/* hosts[].jobs: an AutoSys client, and the jobs the bot may touch. */
#define J(field)	offsetof(struct cfg_jobs, field)
static const struct cfg_key jobs_keys[] = {
	{ .key = "autorep", .type = CFG_STRING, .offset = J(autorep),
	  .def_str = "autorep", .flags = CFG_F_NONEMPTY,
	  .doc = "The `autorep` command on the host" },
	{ .key = "sendevent", .type = CFG_STRING, .offset = J(sendevent),
	  .def_str = "sendevent", .flags = CFG_F_NONEMPTY,
	  .doc = "The `sendevent` command on the host." },
	{ .key = "names", .type = CFG_OBJECT, .offset = CFG_NOFIELD,
	  .doc_default = "required",
	  .doc = "The jobs the bot may look at" },
};
#undef J

static void
check_absolute(struct cfg_ctx *ctx, const char *path, char **value)
{
	if ((*value)[0] != '/')
		cfg_error(ctx, path, "\"%s\" must be an absolute path", *value);
}

/* Each of hosts[].mounts: a file system /health and /disk watch. */
#define M(field)	offsetof(struct cfg_mount, field)
static const struct cfg_key mount_keys[] = {
	{ .key = "path", .type = CFG_STRING, .offset = M(path),
	  .flags = CFG_F_REQUIRED, .check = check_absolute,
	  .doc_default = "required",
	  .doc = "The mount point." },
	{ .key = "warn", .type = CFG_INT, .offset = M(warn_pct), .min = 1,
	  .max = 100, .def = 80,
	  .doc = "Disk usage, in percent, that counts as a warning." },
	{ .key = "crit", .type = CFG_INT, .offset = M(crit_pct), .min = 1,
	  .max = 100, .def = 90,
	  .doc = "Disk usage, in percent, that counts as critical." },
};
#undef M

/* commands.NAME: one command's switch and where it may run. */
#define C(field)	offsetof(struct cfg_command, field)
static const struct cfg_key command_keys[] = {
	{ .key = "enabled", .type = CFG_BOOL, .offset = C(enabled), .def = 1,
	  .doc = "`false` turns the command off for everyone" },
	{ .key = "channels", .type = CFG_OBJECT, .offset = CFG_NOFIELD,
	  .doc = "When not empty, the only channels the command may run in" },
};
#undef C

/* Each of hosts[]: what users call it and how the bot reaches it. */
static const char *const transports[] = { "local", "ssh", "fixture", NULL };
#define H(field)	offsetof(struct cfg_host, field)
static const struct cfg_key host_keys[] = {
	{ .key = "name", .type = CFG_STRING, .offset = H(name),
	  .flags = CFG_F_REQUIRED | CFG_F_NAME, .doc_default = "required",
	  .doc = "What users type to mean this host." },
	{ .key = "transport", .type = CFG_ENUM, .offset = H(transport),
	  .words = transports, .def = HOST_SSH,
	  .doc = "`local`: commands run on the bot's own machine" },
	/* Its default is the host's name: loaded by hand. */
	{ .key = "address", .type = CFG_STRING, .offset = H(address),
	  .flags = CFG_F_HAND, .doc_default = "the host's `name`",
	  .doc = "Host name, IP address or `ssh_config` alias to connect to." },
	/* 0: not given, ssh_config decides. */
	{ .key = "port", .type = CFG_INT, .offset = H(port), .min = 1,
	  .max = 65535, .def = 0, .doc_default = "none",
	  .doc = "ssh port (`-p`)." },
	{ .key = "user", .type = CFG_STRING, .offset = H(user),
	  .doc = "ssh login user (`-l`)." },
	{ .key = "identity_file", .type = CFG_STRING,
	  .offset = H(identity_file),
	  .doc = "Private key file for ssh" },
	{ .key = "fixture", .type = CFG_STRING, .offset = H(fixture),
	  .doc = "A directory of captured output" },
	{ .key = "tags", .type = CFG_OBJECT, .offset = CFG_NOFIELD,
	  .doc = "Labels for picking groups of hosts" },
	{ .key = "logs", .type = CFG_OBJECT, .offset = CFG_NOFIELD,
	  .doc = "Log files users may read with `/logs HOST NAME`" },
	{ .key = "services", .type = CFG_OBJECT, .offset = CFG_NOFIELD,
	  .doc = "What `/health` checks and `/restart` may restart." },
	/* Documented in its own section, hosts[].commands. */
	{ .key = "commands", .type = CFG_OBJECT, .offset = CFG_NOFIELD },
	{ .key = "mounts", .type = CFG_OBJECT, .offset = CFG_NOFIELD,
	  .doc = "File systems `/health` and `/disk` watch." },
	{ .key = "jobs", .type = CFG_OBJECT, .offset = CFG_NOFIELD,
	  .doc = "An AutoSys client on this host" },
};
#undef H

/* Each of hosts[].services written as an object. */
#define V(field)	offsetof(struct cfg_service, field)
static const struct cfg_key service_keys[] = {
	{ .key = "name", .type = CFG_STRING, .offset = V(name),
	  .flags = CFG_F_REQUIRED | CFG_F_NAME, .doc_default = "required",
	  .doc = "What users type" },
	{ .key = "unit", .type = CFG_STRING, .offset = V(unit),
	  .flags = CFG_F_NONEMPTY,
	  .doc = "A systemd unit." },
	{ .key = "process", .type = CFG_STRING, .offset = V(process),
	  .flags = CFG_F_NONEMPTY,
	  .doc = "A process name, matched with `pgrep -x -- PROCESS`" },
	{ .key = "restart", .type = CFG_STRING, .offset = V(restart),
	  .flags = CFG_F_NONEMPTY,
	  .doc = "A shell command that `/restart` runs on the host" },
};
#undef V


/* Each of users[]: a rule giving roles to users of a platform. */
static const char *const platforms[] = { "console", "slack", "mattermost",
    "*", NULL };
#define U(field)	offsetof(struct cfg_user, field)
static const struct cfg_key user_keys[] = {
	{ .key = "name", .type = CFG_STRING, .offset = U(name),
	  .flags = CFG_F_REQUIRED, .doc_default = "required",
	  .doc = "A label for the rule" },
	{ .key = "platform", .type = CFG_WORD, .offset = U(platform),
	  .words = platforms, .def = 3,
	  .doc = "The platform the rule applies to." },
	{ .key = "id", .type = CFG_STRING, .offset = U(id),
	  .doc = "`\"*\"`: every user of that platform" },
	{ .key = "roles", .type = CFG_OBJECT, .offset = CFG_NOFIELD,
	  .doc_default = "required",
	  .doc = "The roles this rule gives." },
};
#undef U

#define SECTION(p, rows)	{ p, rows, sizeof rows / sizeof rows[0], 0 }
#define ELEMENT(p, rows)	{ p, rows, sizeof rows / sizeof rows[0], 1 }

static const struct cfg_section s_root = SECTION("", root_keys);
static const struct cfg_section s_bot = SECTION("bot", bot_keys);
static const struct cfg_section s_chat = SECTION("chat", chat_keys);
static const struct cfg_section s_outbox = SECTION("chat.outbox",
    outbox_keys);
static const struct cfg_section s_console = SECTION("chat.console",
    console_keys);
static const struct cfg_section s_slack = SECTION("chat.slack", slack_keys);
static const struct cfg_section s_mm = SECTION("chat.mattermost", mm_keys);
static const struct cfg_section s_alerts = SECTION("alerts", alerts_keys);
static const struct cfg_section s_checks = SECTION("alerts.checks",
    checks_keys);
static const struct cfg_section s_remote = SECTION("remote", remote_keys);
static const struct cfg_section s_retention = SECTION("retention",
    retention_keys);
const struct cfg_section cfg_schedule_section = ELEMENT("schedules",
    schedule_keys);
const struct cfg_section cfg_jobs_section = ELEMENT("hosts[].jobs",
    jobs_keys);
const struct cfg_section cfg_mount_section = ELEMENT("hosts[].mounts",
    mount_keys);
const struct cfg_section cfg_command_section = ELEMENT("commands",
    command_keys);
const struct cfg_section cfg_host_section = ELEMENT("hosts", host_keys);
const struct cfg_section cfg_service_section = ELEMENT("hosts[].services",
    service_keys);
const struct cfg_section cfg_user_section = ELEMENT("users", user_keys);

const struct cfg_section *const cfg_sections[] = { &s_root, &s_bot,
    &s_chat, &s_outbox, &s_console, &s_slack, &s_mm, &s_alerts, &s_checks,
    &s_remote, &s_retention, &cfg_runbooks_section, &cfg_confluence_section, &cfg_web_section,
    &cfg_incidents_section, &cfg_incident_rule_section, &cfg_tickets_section, &cfg_servicenow_section,
    &cfg_schedule_section, &cfg_jobs_section,
    &cfg_mount_section, &cfg_command_section, &cfg_host_section,
    &cfg_service_section, &cfg_user_section, &cfg_custom_section,
    &cfg_cparam_section, &cfg_log_engine_section, &cfg_search_section,
    &cfg_tail_section, &cfg_metrics_section, &cfg_mhost_section,
    &cfg_fleet_section, NULL };

const struct cfg_section *
cfg_section_find(const char *path)
{
	size_t	 i;

	for (i = 0; cfg_sections[i] != NULL; i++) {
		if (strcmp(cfg_sections[i]->path, path) == 0)
			return cfg_sections[i];
	}
	return NULL;
}

/*
 * The config loader (see config.h). JSON with // and block comments; every
 * string may use ${ENV_VAR}; a secret key "x" may instead be "x_file",
 * read from a file that only its owner can read. Unknown keys are errors
 * with a suggestion, and all problems are reported, not just the first.
 * This file reads the text and walks the sections in order; the scalar
 * keys are rows of config_table.c, and each kind of array has its file
 * (config_hosts.c, config_users.c, config_routes.c, config_commands.c,
 * config_checklists.c). cJSON stays inside config/.
 */

#include <sys/stat.h>

#include <cjson/cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "buf.h"
#include "config_int.h"
#include "xmalloc.h"

/* ---------------------------------------------------------------- bot */

static void
cfg_load_bot(struct cfg_ctx *ctx, const cJSON *root, struct config *c)
{
	const cJSON	*bot = cfg_object(ctx, root, "", "bot");
	char		*p, *ip, tail;
	size_t		 i;
	int		 y, m, d;

	cfg_load_section(ctx, bot, "bot", c);
	cfg_strlist(ctx, bot, "bot", "holidays", &c->bot.holidays);
	for (i = 0; i < c->bot.holidays.n; i++) {
		if (sscanf(c->bot.holidays.v[i], "%4d-%2d-%2d%c", &y, &m, &d,
		    &tail) != 3 || m < 1 || m > 12 || d < 1 || d > 31 ||
		    strlen(c->bot.holidays.v[i]) != 10) {
			p = cfg_path_key("bot", "holidays");
			ip = cfg_path_index(p, (int)i);
			cfg_error(ctx, ip, "expected a date like \"2026-12-25\", "
			    "got \"%s\"", c->bot.holidays.v[i]);
			free(ip);
			free(p);
		}
	}
}

/*
 * chat.mattermost.commands: [{"trigger": "health", "token": ...}], the
 * slash commands of their own (Mattermost gives each its own token). The
 * token may be left out when the bot registers them (register_*).
 */
static void
cfg_mm_commands(struct cfg_ctx *ctx, const cJSON *mm, struct config *c)
{
	static const char *const keys[] = { "trigger", "token", "token_file",
	    NULL };
	const cJSON	*arr = cfg_array(ctx, mm, "commands",
			    "an array of {\"trigger\", \"token\"}"), *it;
	struct cfg_mm_command *mc;
	char		 path[64], *t;
	size_t		 i, n = 0;

	c->chat.mattermost_commands = xcalloc((size_t)cJSON_GetArraySize(arr)
	    + 1, sizeof *c->chat.mattermost_commands);
	cJSON_ArrayForEach(it, arr) {
		snprintf(path, sizeof path, "chat.mattermost.commands[%zu]", n);
		mc = &c->chat.mattermost_commands[n++];
		if (!cJSON_IsObject(it)) {
			cfg_type_error(ctx, path, "an object {\"trigger\", "
			    "\"token\"}", it);
			continue;
		}
		cfg_check_keys(ctx, it, path, keys);
		if (cfg_string(ctx, it, path, "trigger", &mc->trigger) != 1) {
			cfg_error(ctx, path, "needs a trigger, e.g. "
			    "\"health\" for /health");
			continue;
		}
		t = mc->trigger + (mc->trigger[0] == '/');
		memmove(mc->trigger, t, strlen(t) + 1);
		if (*t == '\0' || strlen(t) > 128 || strpbrk(t, " /\t") != NULL)
			cfg_error(ctx, path, "a trigger is 1-128 characters "
			    "without spaces or \"/\", got \"%s\"", t);
		for (i = 0; i + 1 < n; i++) {
			if (c->chat.mattermost_commands[i].trigger != NULL &&
			    strcasecmp(c->chat.mattermost_commands[i].trigger,
			    t) == 0)
				cfg_error(ctx, path, "trigger \"%s\" is listed "
				    "twice", t);
		}
		if (strcasecmp(t, c->chat.mattermost_command + 1) == 0)
			cfg_error(ctx, path, "trigger \"%s\" is already "
			    "chat.mattermost.command", t);
		mc->token = cfg_secret(ctx, it, path, "token");
		if (mc->token == NULL &&
		    c->chat.mattermost_register_url == NULL)
			cfg_error(ctx, path, "/%s needs the token Mattermost "
			    "gave it (token or token_file), or register_team_id "
			    "and register_url to register it", t);
	}
	c->chat.mattermost_ncommands = n;
}

/* --------------------------------------------------------------- chat */

/* Is the environment variable set and not empty? */
static int
cfg_env_set(const char *name)
{
	const char	*v = getenv(name);

	return v != NULL && *v != '\0';
}

static void
cfg_load_chat(struct cfg_ctx *ctx, const cJSON *root, struct config *c)
{
	const cJSON	*chat = cfg_object(ctx, root, "", "chat");
	const cJSON	*con = cfg_object(ctx, chat, "chat", "console");
	const cJSON	*slack = cfg_object(ctx, chat, "chat", "slack");
	const cJSON	*mm = cfg_object(ctx, chat, "chat", "mattermost");
	const cJSON	*ob = cfg_object(ctx, chat, "chat", "outbox");

	cfg_load_section(ctx, chat, "chat", c);
	cfg_load_section(ctx, ob, "chat.outbox", c);

	cfg_load_section(ctx, slack, "chat.slack", c);
	/* As Slack's own SDKs do: the environment alone enables it. */
	cfg_bool(ctx, slack, "chat.slack", "enabled", slack != NULL ||
	    (cfg_env_set("SLACK_APP_TOKEN") && cfg_env_set("SLACK_BOT_TOKEN")),
	    &c->chat.slack_enabled);
	if (c->chat.slack_enabled && (c->chat.slack_app_token == NULL ||
	    c->chat.slack_bot_token == NULL))
		cfg_error(ctx, "chat.slack", "Slack needs app_token (xapp-...) "
		    "and bot_token (xoxb-...): set them here, as *_file, or in "
		    "SLACK_APP_TOKEN and SLACK_BOT_TOKEN");

	cfg_load_section(ctx, mm, "chat.mattermost", c);
	cfg_bool(ctx, mm, "chat.mattermost", "enabled", mm != NULL ||
	    (cfg_env_set("MATTERMOST_URL") && cfg_env_set("MATTERMOST_TOKEN")),
	    &c->chat.mattermost_enabled);
	cfg_mm_commands(ctx, mm, c);
	if ((c->chat.mattermost_register_team_id == NULL) !=
	    (c->chat.mattermost_register_url == NULL))
		cfg_error(ctx, "chat.mattermost", "registering the slash "
		    "command needs both register_team_id and register_url");
	if (c->chat.mattermost_enabled && (c->chat.mattermost_url == NULL ||
	    c->chat.mattermost_token == NULL))
		cfg_error(ctx, "chat.mattermost", "Mattermost needs url and "
		    "token (a bot access token): set them here, token_file, or "
		    "MATTERMOST_URL and MATTERMOST_TOKEN");

	cfg_load_section(ctx, con, "chat.console", c);
	/* With no chat platform on, the console is the conversation. */
	cfg_bool(ctx, con, "chat.console", "enabled",
	    !c->chat.slack_enabled && !c->chat.mattermost_enabled,
	    &c->chat.console_enabled);
}

/* ------------------------------------------------------------- remote */

static void
cfg_load_remote(struct cfg_ctx *ctx, const cJSON *root, struct config *c)
{
	const cJSON		*r = cfg_object(ctx, root, "", "remote");
	struct cfg_remote	*rc = &c->remote;

	cfg_load_section(ctx, r, "remote", c);
	/* The default connect timeout never exceeds a short timeout. */
	cfg_duration(ctx, r, "remote", "connect_timeout",
	    rc->timeout_s < 5 ? rc->timeout_s : 5, &rc->connect_timeout_s);
	if (rc->timeout_s > 3600)
		cfg_error(ctx, "remote.timeout", "at most 1h; a probe that "
		    "long would hold a worker");
	if (rc->connect_timeout_s > rc->timeout_s)
		cfg_error(ctx, "remote.connect_timeout", "must not be longer "
		    "than remote.timeout");
}

/* --------------------------------------------------------------- root */

/*
 * Blanks out // and block comments outside strings, keeping newlines, so
 * cJSON's error offsets still map to the original line and column.
 * Returns 0, or -1 with *offset at an unterminated comment.
 */
static int
cfg_strip_comments(char *s, size_t len, size_t *offset)
{
	size_t	 i = 0, start;
	int	 in_str = 0;

	while (i < len) {
		if (in_str) {
			if (s[i] == '\\' && i + 1 < len)
				i++;
			else if (s[i] == '"')
				in_str = 0;
			i++;
			continue;
		}
		if (s[i] == '"') {
			in_str = 1;
			i++;
		} else if (s[i] == '/' && i + 1 < len && s[i + 1] == '/') {
			while (i < len && s[i] != '\n')
				s[i++] = ' ';
		} else if (s[i] == '/' && i + 1 < len && s[i + 1] == '*') {
			start = i;
			s[i++] = ' ';
			s[i++] = ' ';
			while (i < len && !(s[i] == '*' && i + 1 < len &&
			    s[i + 1] == '/')) {
				if (s[i] != '\n')
					s[i] = ' ';
				i++;
			}
			if (i >= len) {
				*offset = start;
				return -1;
			}
			s[i++] = ' ';
			s[i++] = ' ';
		} else
			i++;
	}
	return 0;
}

static void
cfg_offset_to_place(const char *s, size_t off, char *out, size_t len)
{
	size_t	 i, line = 1, col = 1;

	for (i = 0; i < off && s[i] != '\0'; i++) {
		if (s[i] == '\n') {
			line++;
			col = 1;
		} else
			col++;
	}
	snprintf(out, len, "line %zu, column %zu", line, col);
}

int
config_load_text(const char *text, size_t len, const char *name,
    struct config **out, struct buf *errors)
{
	struct cfg_ctx	 ctx = { errors, 0, 0, 0 };
	struct config	*c;
	cJSON		*root;
	const char	*end = NULL;
	char		*copy, place[64];
	size_t		 off;

	*out = NULL;
	if (len > CONFIG_MAX_SIZE) {
		cfg_error(&ctx, name, "file is larger than 4 MiB");
		return -1;
	}
	if (memchr(text, '\0', len) != NULL) {
		cfg_error(&ctx, name, "file contains a NUL byte; is it JSON?");
		return -1;
	}
	copy = xstrndup(text, len);
	if (cfg_strip_comments(copy, len, &off) != 0) {
		cfg_offset_to_place(text, off, place, sizeof place);
		cfg_error(&ctx, place, "comment is never closed (missing */)");
		free(copy);
		return -1;
	}
	root = cJSON_ParseWithOpts(copy, &end, 1);
	if (root == NULL) {
		off = end != NULL ? (size_t)(end - copy) : 0;
		cfg_offset_to_place(text, off, place, sizeof place);
		cfg_error(&ctx, place, "invalid JSON here (check for a "
		    "missing comma, quote or bracket)");
		free(copy);
		return -1;
	}
	free(copy);
	if (!cJSON_IsObject(root)) {
		cfg_type_error(&ctx, "(top level)", "an object {...}", root);
		cJSON_Delete(root);
		return -1;
	}

	c = xcalloc(1, sizeof *c);
	c->source = xstrdup(name);
	cfg_load_section(&ctx, root, "", c);
	cfg_load_bot(&ctx, root, c);
	cfg_load_chat(&ctx, root, c);
	ctx.slack_on = c->chat.slack_enabled;
	ctx.mattermost_on = c->chat.mattermost_enabled;
	cfg_load_alerts(&ctx, root, c);
	/* Before roles, commands and schedules: they may name them. */
	cfg_load_custom(&ctx, root, c);
	cfg_load_roles(&ctx, root, c);
	cfg_check_roles(&ctx, c);
	cfg_load_users(&ctx, root, c);
	cfg_load_hosts(&ctx, root, c);
	cfg_load_remote(&ctx, root, c);
	cfg_load_metrics(&ctx, root, c);
	cfg_check_custom(&ctx, c);
	cfg_load_search(&ctx, root, c);
	cfg_load_commands(&ctx, root, c);
	cfg_load_schedules(&ctx, root, c);
	cfg_load_checklists(&ctx, root, c);
	cfg_check_checklists(&ctx, c);
	cfg_load_section(&ctx, cfg_object(&ctx, root, "", "retention"),
	    "retention", c);
	cfg_load_runbooks(&ctx, root, c);
	cfg_load_section(&ctx, cfg_object(&ctx, root, "", "web"), "web", c);
	if (c->web.enabled && c->web.token == NULL &&
	    c->web.trusted_proxy == NULL)
		cfg_error(&ctx, "web", "web.enabled needs web.token (or "
		    "$OPSBOT_WEB_TOKEN) or web.trusted_proxy: the page is "
		    "never open to anyone who can reach the listener");
	cfg_load_section(&ctx, cfg_object(&ctx, root, "", "tail"), "tail", c);
	if (c->tail.default_s > c->tail.max_s)
		cfg_error(&ctx, "tail.default_duration", "is longer than "
		    "tail.max_duration (%llds > %llds)",
		    (long long)c->tail.default_s, (long long)c->tail.max_s);
	cfg_load_incidents(&ctx, root, c);
	cfg_load_tickets(&ctx, root, c);
	cfg_check_remediate(&ctx, c);
	cJSON_Delete(root);

	if (ctx.nerrors != 0) {
		config_free(c);
		return -1;
	}
	*out = c;
	return 0;
}

int
config_load_file(const char *path, struct config **out, struct buf *errors)
{
	struct cfg_ctx	 ctx = { errors, 0, 0, 0 };
	struct buf	 text;
	char		 chunk[8192];
	ssize_t		 n;
	int		 fd, rc;

	*out = NULL;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		cfg_error(&ctx, path, "cannot open: %s", strerror(errno));
		return -1;
	}
	buf_init(&text);
	while ((n = read(fd, chunk, sizeof chunk)) > 0) {
		buf_add(&text, chunk, (size_t)n);
		if (text.len > CONFIG_MAX_SIZE)
			break;
	}
	close(fd);
	if (n < 0) {
		cfg_error(&ctx, path, "cannot read: %s", strerror(errno));
		buf_release(&text);
		return -1;
	}
	rc = config_load_text(text.data, text.len, path, out, errors);
	buf_release(&text);
	return rc;
}

int
config_load_default(struct config **out, struct buf *errors)
{
	return config_load_text(config_default_json,
	    strlen(config_default_json), "(embedded default)", out, errors);
}

void
config_register_secrets(const struct config *c)
{
	size_t	 i;

	cfg_secrets_sections(c);
	cfg_search_secrets(c);
	cfg_metrics_secrets(c);
	for (i = 0; i < c->chat.mattermost_ncommands; i++)
		log_add_secret(c->chat.mattermost_commands[i].token);
}

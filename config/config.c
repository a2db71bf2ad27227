/*
 * The config loader (see config.h). JSON with // and block comments; every
 * string may use ${ENV_VAR}; a secret key "x" may instead be "x_file",
 * read from a file that only its owner can read. Unknown keys are errors
 * with a suggestion, and all problems are reported, not just the first.
 * cJSON stays inside this file.
 */

#include <sys/stat.h>

#include <cjson/cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdio.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "args.h"
#include "buf.h"
#include "cmd.h"
#include "config_int.h"
#include "channel.h"
#include "cron.h"
#include "suggest.h"
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

/* ------------------------------------------------------------- alerts */

/*
 * A channel in any key (routes, schedules, default_channel, commands):
 * one parser for all of them (channel.h), so a form that can never match
 * is refused here rather than silently ignored.
 */
static void
cfg_check_channel(struct cfg_ctx *ctx, const char *path, const char *r)
{
	struct chan_spec	 cs;
	char			*why;

	if (chan_parse(r, &cs, &why) != 0) {
		cfg_error(ctx, path, "%s", why);
		free(why);
	}
}

/* Channels without a platform go to each chat platform that is on. */
static void
cfg_expand_receivers(struct cfg_ctx *ctx, struct strlist *l)
{
	char	**v = xcalloc(1, sizeof *v);
	size_t	  n = 0, i;

	for (i = 0; i < l->n; i++)
		chan_receivers(l->v[i], ctx->slack_on, ctx->mattermost_on, &v,
		    &n);
	strlist_free(l);
	l->v = v;
	l->n = n;
}

/* Each entry of an allowlist (path.channels[i]) through the parser. */
static void
cfg_check_channels(struct cfg_ctx *ctx, const char *path,
    const struct strlist *l)
{
	char	*kp = cfg_path_key(path, "channels"), *ip;
	size_t	 i;

	for (i = 0; i < l->n; i++) {
		ip = cfg_path_index(kp, (int)i);
		cfg_check_channel(ctx, ip, l->v[i]);
		free(ip);
	}
	free(kp);
}

/* A schedule posts to one place: its platform must be clear. */
static void
cfg_schedule_receiver(struct cfg_ctx *ctx, const char *path,
    struct cfg_schedule *sc)
{
	char	**v = NULL;
	size_t	  n = 0, i;

	chan_receivers(sc->channel, ctx->slack_on, ctx->mattermost_on, &v, &n);
	if (n > 1)
		cfg_error(ctx, path, "\"%s\" is a channel on both Slack and "
		    "Mattermost; say which: \"slack:%s\" or \"mattermost:%s\"",
		    sc->channel, sc->channel, sc->channel);
	else if (n == 1) {
		free(sc->channel);
		sc->channel = v[0];
		v[0] = NULL;
	}
	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void
cfg_route_matchers(struct cfg_ctx *ctx, const cJSON *obj, const char *path,
    const char *key, enum matcher_op op, struct cfg_route *r)
{
	const cJSON	*m = cfg_object(ctx, obj, path, key), *v;
	char		*p, *vp, *err = NULL;

	if (m == NULL)
		return;
	p = cfg_path_key(path, key);
	cJSON_ArrayForEach(v, m) {
		vp = cfg_path_key(p, v->string);
		if (!cJSON_IsString(v))
			cfg_type_error(ctx, vp, "a string", v);
		else if (matchers_add(&r->matchers, v->string, op,
		    v->valuestring, &err) != 0) {
			cfg_error(ctx, vp, "%s", err);
			free(err);
			err = NULL;
		}
		free(vp);
	}
	free(p);
}

/* Loads route r from obj; parent (or NULL for the root) gives defaults. */
static void
cfg_load_route(struct cfg_ctx *ctx, const cJSON *obj, const char *path,
    const struct cfg_route *parent, struct cfg_route *r, int depth)
{
	static const char *const keys[] = { "match", "match_re", "channels",
	    "group_by", "group_wait", "group_interval", "repeat_interval",
	    "mention", "continue", "routes", NULL };
	const cJSON	*kids, *kid;
	char		*p;
	int		 n;

	r->path = xstrdup(path);
	cfg_check_keys(ctx, obj, path, keys);
	cfg_route_matchers(ctx, obj, path, "match", MATCH_EQ, r);
	cfg_route_matchers(ctx, obj, path, "match_re", MATCH_RE, r);
	if (parent == NULL && r->matchers.n != 0)
		cfg_error(ctx, path, "the root route matches every alert; "
		    "put match/match_re on its routes");
	if (cJSON_GetObjectItemCaseSensitive(obj, "channels") != NULL) {
		cfg_strlist(ctx, obj, path, "channels", &r->channels);
		cfg_check_channels(ctx, path, &r->channels);
		cfg_expand_receivers(ctx, &r->channels);
	} else if (parent != NULL)
		cfg_strlist_copy(&r->channels, &parent->channels);
	if (cJSON_GetObjectItemCaseSensitive(obj, "group_by") != NULL)
		cfg_strlist(ctx, obj, path, "group_by", &r->group_by);
	else if (parent != NULL)
		cfg_strlist_copy(&r->group_by, &parent->group_by);
	else {
		r->group_by.v = xcalloc(2, sizeof *r->group_by.v);
		r->group_by.v[r->group_by.n++] = xstrdup("alertname");
	}
	cfg_duration(ctx, obj, path, "group_wait", parent != NULL ?
	    parent->group_wait_s : 30, &r->group_wait_s);
	cfg_duration(ctx, obj, path, "group_interval", parent != NULL ?
	    parent->group_interval_s : 300, &r->group_interval_s);
	cfg_duration(ctx, obj, path, "repeat_interval", parent != NULL ?
	    parent->repeat_interval_s : 4 * 3600, &r->repeat_interval_s);
	if (r->group_interval_s < 1) {
		p = cfg_path_key(path, "group_interval");
		cfg_error(ctx, p, "must be at least 1s");
		free(p);
	}
	cfg_string_def(ctx, obj, path, "mention", parent != NULL ?
	    parent->mention : NULL, &r->mention);
	cfg_bool(ctx, obj, path, "continue", 0, &r->cont);
	kids = cJSON_GetObjectItemCaseSensitive(obj, "routes");
	if (kids != NULL && !cJSON_IsArray(kids)) {
		p = cfg_path_key(path, "routes");
		cfg_type_error(ctx, p, "an array of routes", kids);
		free(p);
		return;
	}
	if (kids == NULL)
		return;
	if (depth >= 8) {
		p = cfg_path_key(path, "routes");
		cfg_error(ctx, p, "routes nest at most 8 deep");
		free(p);
		return;
	}
	r->routes = xcalloc((size_t)cJSON_GetArraySize(kids) + 1,
	    sizeof *r->routes);
	n = 0;
	cJSON_ArrayForEach(kid, kids) {
		char *rp = cfg_path_key(path, "routes");

		p = cfg_path_index(rp, n++);
		free(rp);
		if (!cJSON_IsObject(kid))
			cfg_type_error(ctx, p, "an object", kid);
		else
			cfg_load_route(ctx, kid, p, r, &r->routes[r->nroutes++],
			    depth + 1);
		free(p);
	}
}

static void
cfg_route_free(struct cfg_route *r)
{
	size_t	 i;

	for (i = 0; i < r->nroutes; i++)
		cfg_route_free(&r->routes[i]);
	free(r->routes);
	free(r->path);
	matchers_release(&r->matchers);
	strlist_free(&r->channels);
	strlist_free(&r->group_by);
	free(r->mention);
	memset(r, 0, sizeof *r);
}

/* Children without channels of their own take the root's defaults. */
static void
cfg_route_fill_channels(struct cfg_route *r, const struct strlist *l)
{
	size_t	 i;

	if (r->channels.n == 0) {
		strlist_free(&r->channels);
		cfg_strlist_copy(&r->channels, l);
	}
	for (i = 0; i < r->nroutes; i++)
		cfg_route_fill_channels(&r->routes[i], l);
}

/* Is the listener reachable from this machine only? */
static int
cfg_is_loopback(const char *address)
{
	return strcmp(address, "localhost") == 0 ||
	    strncmp(address, "127.", 4) == 0 || strcmp(address, "::1") == 0;
}

static void
cfg_load_alerts(struct cfg_ctx *ctx, const cJSON *root, struct config *c)
{
	const cJSON	*al = cfg_object(ctx, root, "", "alerts"), *route, *ck;
	char		*listen = NULL, *colon, *end, *token;
	long		 port;
	const char	*dc;

	cfg_load_section(ctx, al, "alerts", c);
	/* The environment may move the default (tests, containers). */
	cfg_string_def(ctx, al, "alerts", "listen",
	    getenv("OPSBOT_ALERTS_LISTEN") != NULL &&
	    *getenv("OPSBOT_ALERTS_LISTEN") != '\0' ?
	    getenv("OPSBOT_ALERTS_LISTEN") : "127.0.0.1:9097", &listen);
	colon = strrchr(listen, ':');
	port = colon != NULL ? strtol(colon + 1, &end, 10) : 0;
	if (colon == NULL || colon == listen || *end != '\0' ||
	    strspn(colon + 1, "0123456789") != strlen(colon + 1) ||
	    colon[1] == '\0' || port < 0 || port > 65535)
		cfg_error(ctx, "alerts.listen", "expected ADDRESS:PORT like "
		    "\"127.0.0.1:9097\", got \"%s\"", listen);
	else {
		c->alerts.listen_address = xstrndup(listen,
		    (size_t)(colon - listen));
		c->alerts.listen_port = (int)port;
	}
	free(listen);

	/* One token for every source, unless a source has its own. */
	token = cfg_secret(ctx, al, "alerts", "token");
	if (token != NULL) {
		if (c->alerts.alertmanager_token == NULL)
			c->alerts.alertmanager_token = xstrdup(token);
		if (c->alerts.grafana_token == NULL)
			c->alerts.grafana_token = xstrdup(token);
		if (c->alerts.generic_token == NULL)
			c->alerts.generic_token = xstrdup(token);
		free(token);
	}
	/* Open webhooks are fine on loopback only. */
	if (c->alerts.listen_address != NULL &&
	    !cfg_is_loopback(c->alerts.listen_address) &&
	    (c->alerts.alertmanager_token == NULL ||
	    c->alerts.grafana_token == NULL ||
	    c->alerts.generic_token == NULL))
		cfg_error(ctx, "alerts", "the listener is on %s, reachable "
		    "from other machines: set alerts.token (or token_file, or "
		    "one per source) so webhooks must authenticate",
		    c->alerts.listen_address);

	ck = cfg_object(ctx, al, "alerts", "checks");
	cfg_load_section(ctx, ck, "alerts.checks", c);

	route = cfg_object(ctx, al, "alerts", "route");
	cfg_load_route(ctx, route, "alerts.route", NULL, &c->alerts.route, 0);
	/*
	 * Without channels on the root, alerts go to default_channel on
	 * every chat platform that is on, and to the console when it is.
	 */
	if (cJSON_GetObjectItemCaseSensitive(route, "channels") == NULL) {
		struct strlist	*l = &c->alerts.route.channels;
		size_t		 i;

		free(l->v);
		l->v = xcalloc(1, sizeof *l->v);
		l->n = 0;
		c->alerts.route_from_default = 1;
		dc = c->alerts.default_channel;
		if (dc != NULL && (c->chat.slack_enabled ||
		    c->chat.mattermost_enabled))
			chan_receivers(dc, c->chat.slack_enabled,
			    c->chat.mattermost_enabled, &l->v, &l->n);
		if (c->chat.console_enabled && !config_strlist_has(l,
		    "console")) {
			l->v = xreallocarray(l->v, l->n + 2, sizeof *l->v);
			l->v[l->n++] = xstrdup("console");
			l->v[l->n] = NULL;
		}
		/* Children inherited the empty list: give them this one. */
		for (i = 0; i < c->alerts.route.nroutes; i++)
			cfg_route_fill_channels(&c->alerts.route.routes[i], l);
	}
}

/* -------------------------------------------------------------- roles */

static const char *const cfg_builtin_roles[] = { "viewer", "operator",
    "admin", NULL };

static const char **
cfg_command_names(void)
{
	const char	**names;
	size_t		  n = 0, i;

	while (cmd_table[n] != NULL)
		n++;
	names = xcalloc(n + 1, sizeof *names);
	for (i = 0; i < n; i++)
		names[i] = cmd_table[i]->name;
	return names;
}

static int
cfg_is_command(const char *name)
{
	size_t	 i;

	for (i = 0; cmd_table[i] != NULL; i++) {
		if (strcmp(cmd_table[i]->name, name) == 0)
			return 1;
	}
	return 0;
}

static void
cfg_load_roles(struct cfg_ctx *ctx, const cJSON *root, struct config *c)
{
	static const char *const keys[] = { "commands", "inherits", NULL };
	const cJSON	*roles = cfg_object(ctx, root, "", "roles"), *r;
	const char	**cmds = cfg_command_names();
	struct cfg_role	*role;
	char		*p, *ip;
	size_t		 i;

	cfg_check_keys(ctx, roles, "roles", NULL);
	c->roles = xcalloc((size_t)cJSON_GetArraySize(roles) + 1,
	    sizeof *c->roles);
	cJSON_ArrayForEach(r, roles) {
		p = cfg_path_key("roles", r->string);
		role = &c->roles[c->nroles++];
		role->name = xstrdup(r->string);
		if (!cfg_is_name(r->string))
			cfg_error(ctx, p, "\"%s\" is not a valid role name",
			    r->string);
		if (!cJSON_IsObject(r)) {
			cfg_type_error(ctx, p, "an object with \"commands\"",
			    r);
			free(p);
			continue;
		}
		cfg_check_keys(ctx, r, p, keys);
		cfg_strlist(ctx, r, p, "commands", &role->commands);
		cfg_strlist(ctx, r, p, "inherits", &role->inherits);
		for (i = 0; i < role->commands.n; i++) {
			if (strcmp(role->commands.v[i], "*") == 0 ||
			    cfg_is_command(role->commands.v[i]))
				continue;
			xasprintf(&ip, "%s.commands[%zu]", p, i);
			cfg_unknown_name(ctx, ip, "command",
			    role->commands.v[i], cmds);
			free(ip);
		}
		free(p);
	}
	free(cmds);
}

static int
cfg_is_role(const struct config *c, const char *name)
{
	size_t	 i;

	for (i = 0; i < c->nroles; i++) {
		if (strcmp(c->roles[i].name, name) == 0)
			return 1;
	}
	for (i = 0; cfg_builtin_roles[i] != NULL; i++) {
		if (strcmp(cfg_builtin_roles[i], name) == 0)
			return 1;
	}
	return 0;
}

/* Every role name known: the config's and the built-in ones. */
static const char **
cfg_role_names(const struct config *c)
{
	const char	**names;
	size_t		  i, n = 0;

	names = xcalloc(c->nroles + 4, sizeof *names);
	for (i = 0; cfg_builtin_roles[i] != NULL; i++)
		names[n++] = cfg_builtin_roles[i];
	for (i = 0; i < c->nroles; i++)
		names[n++] = c->roles[i].name;
	return names;
}

static void
cfg_check_role_refs(struct cfg_ctx *ctx, const char *path,
    const struct strlist *l, const struct config *c)
{
	const char	**known;
	char		 *ip;
	size_t		  i;

	for (i = 0; i < l->n; i++) {
		if (cfg_is_role(c, l->v[i]))
			continue;
		known = cfg_role_names(c);
		xasprintf(&ip, "%s[%zu]", path, i);
		cfg_unknown_name(ctx, ip, "role", l->v[i], known);
		free(ip);
		free(known);
	}
}

/*
 * Inheritance must end: a role may not reach itself. Each role is visited
 * once (seen and stack hold nroles entries), so a wide or deep hierarchy,
 * or one naming the same role many times, costs no more than its size.
 */
static int
cfg_role_reaches_self(const struct config *c, const char *name,
    unsigned char *seen, size_t *stack)
{
	const struct strlist	*inh;
	size_t			 top = 0, j, k;

	memset(seen, 0, c->nroles);
	for (k = 0; k < c->nroles; k++) {
		if (strcmp(c->roles[k].name, name) == 0) {
			seen[k] = 1;
			stack[top++] = k;
		}
	}
	while (top > 0) {
		inh = &c->roles[stack[--top]].inherits;
		for (j = 0; j < inh->n; j++) {
			if (strcmp(inh->v[j], name) == 0)
				return 1;
			for (k = 0; k < c->nroles; k++) {
				if (!seen[k] &&
				    strcmp(c->roles[k].name, inh->v[j]) == 0) {
					seen[k] = 1;
					stack[top++] = k;
				}
			}
		}
	}
	return 0;
}

static void
cfg_check_roles(struct cfg_ctx *ctx, const struct config *c)
{
	unsigned char	*seen = xcalloc(c->nroles + 1, 1);
	size_t		*stack = xcalloc(c->nroles + 1, sizeof *stack);
	size_t		 i;
	char		*p;

	for (i = 0; i < c->nroles; i++) {
		xasprintf(&p, "roles.%s.inherits", c->roles[i].name);
		cfg_check_role_refs(ctx, p, &c->roles[i].inherits, c);
		if (cfg_role_reaches_self(c, c->roles[i].name, seen, stack))
			cfg_error(ctx, p, "role \"%s\" inherits from itself",
			    c->roles[i].name);
		free(p);
	}
	free(stack);
	free(seen);
}

/* -------------------------------------------------------------- users */

static void
cfg_load_users(struct cfg_ctx *ctx, const cJSON *root, struct config *c)
{
	static const char *const keys[] = { "name", "platform", "id", "roles",
	    NULL };
	static const char *const platforms[] = { "console", "slack",
	    "mattermost", "*", NULL };
	const cJSON	*users = cfg_array(ctx, root, "users", "an array of "
	    "users"), *u;
	struct cfg_user	*user;
	char		*p, *rp;
	int		 i = 0;

	c->users = xcalloc((size_t)cJSON_GetArraySize(users) + 1,
	    sizeof *c->users);
	cJSON_ArrayForEach(u, users) {
		p = cfg_path_index("users", i++);
		if (!cJSON_IsObject(u)) {
			cfg_type_error(ctx, p, "an object", u);
			free(p);
			continue;
		}
		user = &c->users[c->nusers++];
		cfg_check_keys(ctx, u, p, keys);
		user->name = cfg_string_req(ctx, u, p, "name");
		user->platform = xstrdup(platforms[cfg_enum(ctx, u, p,
		    "platform", platforms, 3)]);
		cfg_string_def(ctx, u, p, "id", NULL, &user->id);
		cfg_strlist(ctx, u, p, "roles", &user->roles);
		rp = cfg_path_key(p, "roles");
		if (user->roles.n == 0)
			cfg_error(ctx, rp, "a user needs at least one role "
			    "(built-in: viewer, operator, admin)");
		cfg_check_role_refs(ctx, rp, &user->roles, c);
		free(rp);
		free(p);
	}
}

/* -------------------------------------------------------------- hosts */

static void
cfg_load_mounts(struct cfg_ctx *ctx, const cJSON *h, const char *path,
    struct cfg_host *host)
{
	static const char *const keys[] = { "path", "warn", "crit", NULL };
	const cJSON		*mounts = cJSON_GetObjectItemCaseSensitive(h,
	    "mounts"), *m;
	struct cfg_mount	*mt;
	char			*p, *mp;
	int			 i = 0;

	if (mounts == NULL)
		return;
	p = cfg_path_key(path, "mounts");
	if (!cJSON_IsArray(mounts)) {
		cfg_type_error(ctx, p, "an array of mounts", mounts);
		free(p);
		return;
	}
	host->mounts = xcalloc((size_t)cJSON_GetArraySize(mounts) + 1,
	    sizeof *host->mounts);
	cJSON_ArrayForEach(m, mounts) {
		mp = cfg_path_index(p, i++);
		if (!cJSON_IsObject(m)) {
			cfg_type_error(ctx, mp, "an object like "
			    "{\"path\": \"/\"}", m);
			free(mp);
			continue;
		}
		mt = &host->mounts[host->nmounts++];
		cfg_check_keys(ctx, m, mp, keys);
		mt->path = cfg_string_req(ctx, m, mp, "path");
		if (mt->path != NULL && mt->path[0] != '/') {
			char *pp = cfg_path_key(mp, "path");

			cfg_error(ctx, pp, "\"%s\" must be an absolute path",
			    mt->path);
			free(pp);
		}
		cfg_int(ctx, m, mp, "warn", 1, 100, 80, &mt->warn_pct);
		cfg_int(ctx, m, mp, "crit", 1, 100, 90, &mt->crit_pct);
		if (mt->crit_pct < mt->warn_pct)
			cfg_error(ctx, mp, "crit (%d) must not be below warn "
			    "(%d)", mt->crit_pct, mt->warn_pct);
		free(mp);
	}
	free(p);
}

static void
cfg_load_logs(struct cfg_ctx *ctx, const cJSON *h, const char *path,
    struct cfg_host *host)
{
	const cJSON	*logs = cfg_object(ctx, h, path, "logs"), *l;
	char		*p, *lp;

	p = cfg_path_key(path, "logs");
	cfg_check_keys(ctx, logs, p, NULL);
	free(p);
	host->logs = xcalloc((size_t)cJSON_GetArraySize(logs) + 1,
	    sizeof *host->logs);
	cJSON_ArrayForEach(l, logs) {
		xasprintf(&p, "%s.logs.%s", path, l->string);
		if (!cfg_is_name(l->string))
			cfg_error(ctx, p, "\"%s\" is not a valid log name",
			    l->string);
		/* Like every string, the path may use ${NAME}. */
		lp = NULL;
		if (!cJSON_IsString(l))
			cfg_type_error(ctx, p, "an absolute path", l);
		else if ((lp = cfg_expand(ctx, p, l->valuestring)) != NULL &&
		    lp[0] != '/')
			cfg_error(ctx, p, "expected an absolute path, got "
			    "\"%s\"", lp);
		else if (lp != NULL) {
			host->logs[host->nlogs].name = xstrdup(l->string);
			host->logs[host->nlogs++].path = lp;
			lp = NULL;
		}
		free(lp);
		free(p);
	}
}

/*
 * services: ["nginx.service", {"name": "payments", "unit": "pay.service"},
 * {"name": "opsbot", "process": "opsbot", "restart": "..."}]. A plain
 * string is a systemd unit, named without its ".service" suffix.
 */
static void
cfg_load_services(struct cfg_ctx *ctx, const cJSON *h, const char *path,
    struct cfg_host *host)
{
	static const char *const keys[] = { "name", "unit", "process",
	    "restart", NULL };
	const cJSON		*svcs = cJSON_GetObjectItemCaseSensitive(h,
	    "services"), *v;
	struct cfg_service	*sv;
	char			*p, *sp, *dot;
	size_t			 j;
	int			 i = 0;

	if (svcs == NULL)
		return;
	p = cfg_path_key(path, "services");
	if (!cJSON_IsArray(svcs)) {
		cfg_type_error(ctx, p, "an array of services", svcs);
		free(p);
		return;
	}
	host->services = xcalloc((size_t)cJSON_GetArraySize(svcs) + 1,
	    sizeof *host->services);
	cJSON_ArrayForEach(v, svcs) {
		sp = cfg_path_index(p, i++);
		sv = &host->services[host->nservices];
		if (cJSON_IsString(v) && v->valuestring[0] != '\0') {
			sv->unit = cfg_expand(ctx, sp, v->valuestring);
			if (sv->unit == NULL) {
				free(sp);
				continue;
			}
			sv->name = xstrdup(sv->unit);
			if ((dot = strrchr(sv->name, '.')) != NULL &&
			    strcmp(dot, ".service") == 0)
				*dot = '\0';
		} else if (cJSON_IsObject(v)) {
			cfg_check_keys(ctx, v, sp, keys);
			sv->name = cfg_string_req(ctx, v, sp, "name");
			cfg_string_def(ctx, v, sp, "unit", NULL, &sv->unit);
			cfg_string_def(ctx, v, sp, "process", NULL, &sv->process);
			cfg_string_def(ctx, v, sp, "restart", NULL, &sv->restart);
			if (sv->unit == NULL && sv->process == NULL)
				cfg_error(ctx, sp, "give the service \"unit\" "
				    "(a systemd unit) or \"process\" (a process "
				    "name)");
			else if (sv->unit != NULL && sv->process != NULL)
				cfg_error(ctx, sp, "give the service \"unit\" "
				    "or \"process\", not both");
			cfg_no_empty(ctx, sp, "unit", sv->unit);
			cfg_no_empty(ctx, sp, "process", sv->process);
			cfg_no_empty(ctx, sp, "restart", sv->restart);
			if (sv->process != NULL && strlen(sv->process) > 15)
				cfg_error(ctx, sp, "process \"%s\" is longer "
				    "than 15 characters, the most the kernel "
				    "keeps of a process name", sv->process);
		} else {
			cfg_type_error(ctx, sp, "a unit name or an object "
			    "like {\"name\": ..., \"unit\": ...}", v);
			free(sp);
			continue;
		}
		host->nservices++;
		cfg_check_name(ctx, sp, "name", sv->name);
		for (j = 0; sv->name != NULL && j + 1 < host->nservices; j++) {
			if (host->services[j].name != NULL &&
			    strcmp(host->services[j].name, sv->name) == 0)
				cfg_error(ctx, sp, "service \"%s\" is already "
				    "defined at %s[%zu]", sv->name, p, j);
		}
		free(sp);
	}
	free(p);
}

/* jobs: {"autorep": PATH, "sendevent": PATH, "names": [...]}. */
/* hosts[].commands: {"pending_tx": "psql -tAc 'select ...'"}. */
static void
cfg_load_hcommands(struct cfg_ctx *ctx, const cJSON *h, const char *path,
    struct cfg_host *host)
{
	const cJSON	*cmds = cfg_object(ctx, h, path, "commands"), *v;
	char		*p, *vp;

	if (cmds == NULL)
		return;
	p = cfg_path_key(path, "commands");
	host->commands = xcalloc((size_t)cJSON_GetArraySize(cmds) + 1,
	    sizeof *host->commands);
	cJSON_ArrayForEach(v, cmds) {
		vp = cfg_path_key(p, v->string);
		if (!cJSON_IsString(v) || v->valuestring[0] == '\0')
			cfg_type_error(ctx, vp, "a command line", v);
		else if (!cfg_is_name(v->string))
			cfg_error(ctx, vp, "command names are letters, digits, "
			    "'.', '_' and '-'");
		else {
			host->commands[host->ncommands].name =
			    xstrdup(v->string);
			host->commands[host->ncommands++].line =
			    xstrdup(v->valuestring);
		}
		free(vp);
	}
	free(p);
}

static void
cfg_load_jobs(struct cfg_ctx *ctx, const cJSON *h, const char *path,
    struct cfg_host *host)
{
	static const char *const keys[] = { "autorep", "sendevent", "names",
	    NULL };
	const cJSON	*jobs = cfg_object(ctx, h, path, "jobs");
	char		*p;

	if (jobs == NULL)
		return;
	p = cfg_path_key(path, "jobs");
	host->jobs = xcalloc(1, sizeof *host->jobs);
	cfg_check_keys(ctx, jobs, p, keys);
	cfg_string_def(ctx, jobs, p, "autorep", "autorep",
	    &host->jobs->autorep);
	cfg_string_def(ctx, jobs, p, "sendevent", "sendevent",
	    &host->jobs->sendevent);
	cfg_no_empty(ctx, p, "autorep", host->jobs->autorep);
	cfg_no_empty(ctx, p, "sendevent", host->jobs->sendevent);
	cfg_strlist(ctx, jobs, p, "names", &host->jobs->names);
	if (host->jobs->names.n == 0)
		cfg_error(ctx, p, "list the jobs the bot may look at in "
		    "\"names\" (names or globs like \"EOD_*\")");
	free(p);
}

static void
cfg_load_hosts(struct cfg_ctx *ctx, const cJSON *root, struct config *c)
{
	static const char *const keys[] = { "name", "transport", "address",
	    "port", "user", "identity_file", "fixture", "tags", "logs",
	    "services", "commands", "mounts", "jobs", NULL };
	static const char *const transports[] = { "local", "ssh", "fixture",
	    NULL };
	const cJSON	*hosts = cfg_array(ctx, root, "hosts", "an array of "
	    "hosts"), *h;
	struct cfg_host	*host;
	char		*p, *np;
	size_t		 j;
	int		 i = 0;

	c->hosts = xcalloc((size_t)cJSON_GetArraySize(hosts) + 1,
	    sizeof *c->hosts);
	cJSON_ArrayForEach(h, hosts) {
		p = cfg_path_index("hosts", i++);
		if (!cJSON_IsObject(h)) {
			cfg_type_error(ctx, p, "an object", h);
			free(p);
			continue;
		}
		host = &c->hosts[c->nhosts++];
		cfg_check_keys(ctx, h, p, keys);
		host->name = cfg_string_req(ctx, h, p, "name");
		cfg_check_name(ctx, p, "name", host->name);
		for (j = 0; host->name != NULL && j + 1 < c->nhosts; j++) {
			if (c->hosts[j].name == NULL ||
			    strcmp(c->hosts[j].name, host->name) != 0)
				continue;
			np = cfg_path_key(p, "name");
			cfg_error(ctx, np, "host \"%s\" is already defined at "
			    "hosts[%zu]", host->name, j);
			free(np);
		}
		host->transport = (enum host_transport)cfg_enum(ctx, h, p,
		    "transport", transports, HOST_SSH);
		cfg_string_def(ctx, h, p, "address", host->name,
		    &host->address);
		cfg_int(ctx, h, p, "port", 1, 65535, 0, &host->port);
		cfg_string_def(ctx, h, p, "user", NULL, &host->user);
		cfg_string_def(ctx, h, p, "identity_file", NULL,
		    &host->identity_file);
		if (host->transport == HOST_LOCAL &&
		    (cJSON_HasObjectItem(h, "address") ||
		    cJSON_HasObjectItem(h, "port") ||
		    cJSON_HasObjectItem(h, "user") ||
		    cJSON_HasObjectItem(h, "identity_file")))
			cfg_error(ctx, p, "address, port, user and "
			    "identity_file are for ssh hosts; this one has "
			    "transport \"local\"");
		cfg_string_def(ctx, h, p, "fixture", NULL, &host->fixture);
		if ((host->transport == HOST_FIXTURE) != (host->fixture !=
		    NULL))
			cfg_error(ctx, p, "transport \"fixture\" and the "
			    "\"fixture\" directory go together: the "
			    "directory of captured output the host replays");
		cfg_strlist(ctx, h, p, "tags", &host->tags);
		for (j = 0; j < host->tags.n; j++)
			cfg_check_name(ctx, p, "tags", host->tags.v[j]);
		cfg_load_logs(ctx, h, p, host);
		cfg_load_services(ctx, h, p, host);
		cfg_load_jobs(ctx, h, p, host);
		cfg_load_hcommands(ctx, h, p, host);
		cfg_load_mounts(ctx, h, p, host);
		free(p);
	}
}

/* ----------------------------------------------------------- commands */

static void
cfg_load_commands(struct cfg_ctx *ctx, const cJSON *root, struct config *c)
{
	static const char *const keys[] = { "enabled", "channels", NULL };
	const cJSON		*cmds = cfg_object(ctx, root, "", "commands");
	const cJSON		*e;
	const char		**names = cfg_command_names();
	struct cfg_command	*cc;
	char			*p;

	cfg_check_keys(ctx, cmds, "commands", NULL);
	c->commands = xcalloc((size_t)cJSON_GetArraySize(cmds) + 1,
	    sizeof *c->commands);
	cJSON_ArrayForEach(e, cmds) {
		p = cfg_path_key("commands", e->string);
		if (!cfg_is_command(e->string))
			cfg_unknown_name(ctx, p, "command", e->string, names);
		if (!cJSON_IsObject(e)) {
			cfg_type_error(ctx, p, "an object", e);
			free(p);
			continue;
		}
		cc = &c->commands[c->ncommands++];
		cc->name = xstrdup(e->string);
		cfg_check_keys(ctx, e, p, keys);
		cfg_bool(ctx, e, p, "enabled", 1, &cc->enabled);
		cfg_strlist(ctx, e, p, "channels", &cc->channels);
		cfg_check_channels(ctx, p, &cc->channels);
		free(p);
	}
	free(names);
}

/* ---------------------------------------------------------- schedules */

static void
cfg_load_schedules(struct cfg_ctx *ctx, const cJSON *root, struct config *c)
{
	static const char *const keys[] = { "name", "cron", "run", "channel",
	    "enabled", "business_days", "grace", NULL };
	const cJSON		*scheds = cfg_array(ctx, root, "schedules",
	    "an array of schedules"), *s;
	struct cfg_schedule	*sc;
	char			*p;
	size_t			 j;
	int			 i = 0;

	c->schedules = xcalloc((size_t)cJSON_GetArraySize(scheds) + 1,
	    sizeof *c->schedules);
	cJSON_ArrayForEach(s, scheds) {
		p = cfg_path_index("schedules", i++);
		if (!cJSON_IsObject(s)) {
			cfg_type_error(ctx, p, "an object", s);
			free(p);
			continue;
		}
		sc = &c->schedules[c->nschedules++];
		cfg_check_keys(ctx, s, p, keys);
		sc->name = cfg_string_req(ctx, s, p, "name");
		cfg_check_name(ctx, p, "name", sc->name);
		for (j = 0; sc->name != NULL && j + 1 < c->nschedules; j++) {
			if (c->schedules[j].name != NULL &&
			    strcmp(c->schedules[j].name, sc->name) == 0)
				cfg_error(ctx, p, "schedule \"%s\" is already "
				    "defined at schedules[%zu]", sc->name, j);
		}
		sc->cron = cfg_string_req(ctx, s, p, "cron");
		sc->run = cfg_string_req(ctx, s, p, "run");
		sc->channel = cfg_string_req(ctx, s, p, "channel");
		cfg_bool(ctx, s, p, "enabled", 1, &sc->enabled);
		cfg_bool(ctx, s, p, "business_days", 0, &sc->business_days);
		cfg_duration(ctx, s, p, "grace", 3600, &sc->grace_s);
		if (sc->channel != NULL) {
			char *cp = cfg_path_key(p, "channel");

			cfg_check_channel(ctx, cp, sc->channel);
			cfg_schedule_receiver(ctx, cp, sc);
			free(cp);
		}
		if (sc->cron != NULL) {
			struct cron	 cr;
			char		*why = NULL;

			if (cron_parse(sc->cron, &cr, &why) != 0) {
				cfg_error(ctx, p, "%s", why);
				free(why);
			}
		}
		free(p);
	}
}

/* --------------------------------------------------------- checklists */

static const char *const check_kinds[] = { "services_running",
    "no_open_alerts", "jobs_status", "file_fresh", "disk_below",
    "command_ok", NULL };

const char *
check_kind_name(enum check_kind k)
{
	return check_kinds[k];
}

static void
cfg_check_free(struct cfg_check *ck)
{
	free(ck->title);
	free(ck->target);
	strlist_free(&ck->services);
	free(ck->severity);
	strlist_free(&ck->jobs);
	free(ck->status);
	free(ck->path);
	free(ck->log);
	strlist_free(&ck->mounts);
	free(ck->command);
	free(ck->expect);
}

/* "07:30" -> 450 (minutes after midnight); -1 when absent or bad. */
static int
cfg_clock_time(struct cfg_ctx *ctx, const cJSON *obj, const char *path,
    const char *key)
{
	char	*s = NULL, *p, tail;
	int	 h, m, out = -1;

	if (cfg_string(ctx, obj, path, key, &s) != 1)
		return -1;
	if (sscanf(s, "%2d:%2d%c", &h, &m, &tail) == 2 && strlen(s) == 5 &&
	    h >= 0 && h < 24 && m >= 0 && m < 60)
		out = h * 60 + m;
	else {
		p = cfg_path_key(path, key);
		cfg_error(ctx, p, "expected a time of day like \"06:30\" (in "
		    "bot.timezone), got \"%s\"", s);
		free(p);
	}
	free(s);
	return out;
}

/* Keys a check of this kind may have (title and kind for all). */
static const char *const *
cfg_check_keys_for(enum check_kind k)
{
	static const char *const svc[] = { "title", "kind", "hosts",
	    "services", NULL };
	static const char *const alerts[] = { "title", "kind", "severity",
	    NULL };
	static const char *const jobs[] = { "title", "kind", "hosts", "jobs",
	    "status", "ended_after", NULL };
	static const char *const file[] = { "title", "kind", "hosts", "path",
	    "log", "max_age", "newer_than", NULL };
	static const char *const disk[] = { "title", "kind", "hosts",
	    "mounts", "max_pct", NULL };
	static const char *const cmd[] = { "title", "kind", "hosts",
	    "command", "expect", NULL };
	static const char *const *const all[] = { svc, alerts, jobs, file,
	    disk, cmd };

	return all[k];
}

static void
cfg_load_check(struct cfg_ctx *ctx, const cJSON *o, const char *p,
    struct cfg_check *ck)
{
	char	*err = NULL;
	int	 k;
	regex_t	 re;

	k = cfg_enum(ctx, o, p, "kind", check_kinds, -1);
	if (cJSON_GetObjectItemCaseSensitive(o, "kind") == NULL)
		cfg_error(ctx, p, "a check needs a kind: one of "
		    "services_running, no_open_alerts, jobs_status, "
		    "file_fresh, disk_below, command_ok");
	if (k < 0)
		return;
	ck->kind = (enum check_kind)k;
	cfg_check_keys(ctx, o, p, cfg_check_keys_for(ck->kind));
	ck->title = cfg_string_req(ctx, o, p, "title");
	ck->ended_after = ck->newer_than = -1;
	if (ck->kind != CHECK_NO_OPEN_ALERTS)
		cfg_string_def(ctx, o, p, "hosts", "all", &ck->target);
	switch (ck->kind) {
	case CHECK_SERVICES_RUNNING:
		cfg_strlist(ctx, o, p, "services", &ck->services);
		break;
	case CHECK_NO_OPEN_ALERTS:
		cfg_string_def(ctx, o, p, "severity", "critical",
		    &ck->severity);
		if (strcmp(ck->severity, "critical") != 0 &&
		    strcmp(ck->severity, "warning") != 0 &&
		    strcmp(ck->severity, "info") != 0) {
			char *sp = cfg_path_key(p, "severity");

			cfg_error(ctx, sp, "expected \"critical\", "
			    "\"warning\" or \"info\", got \"%s\"",
			    ck->severity);
			free(sp);
		}
		break;
	case CHECK_JOBS_STATUS:
		cfg_strlist(ctx, o, p, "jobs", &ck->jobs);
		if (ck->jobs.n == 0)
			cfg_error(ctx, p, "list the jobs to check in \"jobs\" "
			    "(names or globs like \"EOD_*\")");
		cfg_string_def(ctx, o, p, "status", "SU", &ck->status);
		ck->ended_after = cfg_clock_time(ctx, o, p, "ended_after");
		break;
	case CHECK_FILE_FRESH:
		cfg_string_def(ctx, o, p, "path", NULL, &ck->path);
		cfg_string_def(ctx, o, p, "log", NULL, &ck->log);
		if ((ck->path == NULL) == (ck->log == NULL))
			cfg_error(ctx, p, "give either \"path\" (a file or "
			    "glob) or \"log\" (a log named on the host)");
		if (ck->path != NULL && ck->path[0] != '/')
			cfg_error(ctx, p, "path \"%s\" must be absolute",
			    ck->path);
		cfg_duration(ctx, o, p, "max_age", 0, &ck->max_age_s);
		ck->newer_than = cfg_clock_time(ctx, o, p, "newer_than");
		if ((ck->max_age_s == 0) == (ck->newer_than < 0))
			cfg_error(ctx, p, "give either \"max_age\" (like "
			    "\"12h\") or \"newer_than\" (like \"06:00\")");
		break;
	case CHECK_DISK_BELOW:
		cfg_strlist(ctx, o, p, "mounts", &ck->mounts);
		cfg_int(ctx, o, p, "max_pct", 1, 100, 0, &ck->max_pct);
		break;
	case CHECK_COMMAND_OK:
		ck->command = cfg_string_req(ctx, o, p, "command");
		cfg_string_def(ctx, o, p, "expect", NULL, &ck->expect);
		if (ck->expect != NULL) {
			if (regcomp(&re, ck->expect, REG_EXTENDED | REG_NOSUB)
			    != 0)
				cfg_error(ctx, p, "expect \"%s\" is not a valid "
				    "regular expression", ck->expect);
			else
				regfree(&re);
		}
		break;
	}
	free(err);
}

/*
 * "checklists": {"sod": {"title": "SOD", "mention": "@oncall",
 * "checks": [...]}, ...}. Host targets, services, logs and commands are
 * checked against the inventory once hosts are loaded.
 */
static void
cfg_load_checklists(struct cfg_ctx *ctx, const cJSON *root,
    struct config *c)
{
	static const char *const keys[] = { "title", "mention", "checks",
	    "compare_with", "handover", NULL };
	const cJSON		*cls = cfg_object(ctx, root, "", "checklists");
	const cJSON		*cl, *checks, *o;
	struct cfg_checklist	*l;
	char			*p, *cp, *ip, *up;
	int			 i;

	if (cls == NULL)
		return;
	c->checklists = xcalloc((size_t)cJSON_GetArraySize(cls) + 1,
	    sizeof *c->checklists);
	cJSON_ArrayForEach(cl, cls) {
		p = cfg_path_key("checklists", cl->string);
		if (!cJSON_IsObject(cl)) {
			cfg_type_error(ctx, p, "an object", cl);
			free(p);
			continue;
		}
		cfg_check_name(ctx, "checklists", cl->string, cl->string);
		l = &c->checklists[c->nchecklists++];
		l->name = xstrdup(cl->string);
		cfg_check_keys(ctx, cl, p, keys);
		up = xstrdup(cl->string);
		for (cp = up; *cp != '\0'; cp++)
			*cp = (char)toupper((unsigned char)*cp);
		cfg_string_def(ctx, cl, p, "title", up, &l->title);
		free(up);
		cfg_string_def(ctx, cl, p, "mention", NULL, &l->mention);
		cfg_string_def(ctx, cl, p, "compare_with", NULL,
		    &l->compare_with);
		cfg_bool(ctx, cl, p, "handover", 0, &l->handover);
		checks = cJSON_GetObjectItemCaseSensitive(cl, "checks");
		cp = cfg_path_key(p, "checks");
		if (!cJSON_IsArray(checks) || cJSON_GetArraySize(checks) == 0)
			cfg_error(ctx, cp, "a checklist needs a non-empty "
			    "array of checks");
		else {
			l->checks = xcalloc((size_t)cJSON_GetArraySize(checks),
			    sizeof *l->checks);
			i = 0;
			cJSON_ArrayForEach(o, checks) {
				ip = cfg_path_index(cp, i++);
				if (!cJSON_IsObject(o))
					cfg_type_error(ctx, ip, "an object", o);
				else
					cfg_load_check(ctx, o, ip,
					    &l->checks[l->nchecks++]);
				free(ip);
			}
		}
		free(cp);
		free(p);
	}
}

/*
 * What a checklist names must exist: hosts, services and commands in the
 * inventory, and the checklist it compares with.
 */
static void
cfg_check_checklists(struct cfg_ctx *ctx, const struct config *c)
{
	size_t			 i, j, k, h;
	const struct cfg_check	*ck;
	const struct cfg_host	*host;
	const char		**names;
	char			*p;
	int			 found;

	names = xcalloc(c->nchecklists + 1, sizeof *names);
	for (i = 0; i < c->nchecklists; i++)
		names[i] = c->checklists[i].name;
	for (i = 0; i < c->nchecklists; i++) {
		if (c->checklists[i].compare_with != NULL &&
		    config_find_checklist(c, c->checklists[i].compare_with) ==
		    NULL) {
			xasprintf(&p, "checklists.%s.compare_with",
			    c->checklists[i].name);
			cfg_unknown_name(ctx, p, "checklist",
			    c->checklists[i].compare_with, names);
			free(p);
		}
		for (j = 0; j < c->checklists[i].nchecks; j++) {
			ck = &c->checklists[i].checks[j];
			if (ck->target == NULL)
				continue;
			xasprintf(&p, "checklists.%s.checks[%zu]",
			    c->checklists[i].name, j);
			found = 0;
			for (h = 0; h < c->nhosts; h++) {
				host = &c->hosts[h];
				if (strcmp(ck->target, "all") != 0 &&
				    strcmp(ck->target, host->name) != 0 &&
				    !config_strlist_has(&host->tags,
				    ck->target))
					continue;
				found++;
				for (k = 0; k < ck->services.n; k++) {
					if (config_find_service(host,
					    ck->services.v[k]) == NULL)
						cfg_error(ctx, p, "host %s has "
						    "no service \"%s\"",
						    host->name,
						    ck->services.v[k]);
				}
				if (ck->command != NULL &&
				    config_find_hcommand(host, ck->command) ==
				    NULL)
					cfg_error(ctx, p, "host %s has no command "
					    "\"%s\" (hosts[].commands)",
					    host->name, ck->command);
				if (ck->kind == CHECK_JOBS_STATUS &&
				    host->jobs == NULL)
					cfg_error(ctx, p, "host %s has no jobs "
					    "source (hosts[].jobs)", host->name);
			}
			if (!found)
				cfg_error(ctx, p, "hosts \"%s\" is not a host, "
				    "a tag or \"all\"", ck->target);
			free(p);
		}
	}
	free(names);
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
	cfg_load_roles(&ctx, root, c);
	cfg_check_roles(&ctx, c);
	cfg_load_users(&ctx, root, c);
	cfg_load_hosts(&ctx, root, c);
	cfg_load_remote(&ctx, root, c);
	cfg_load_commands(&ctx, root, c);
	cfg_load_schedules(&ctx, root, c);
	cfg_load_checklists(&ctx, root, c);
	cfg_check_checklists(&ctx, c);
	cfg_load_section(&ctx, cfg_object(&ctx, root, "", "retention"),
	    "retention", c);
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
config_free(struct config *c)
{
	size_t	 i, j;

	if (c == NULL)
		return;
	free(c->source);
	/* Every string a row of config_table.c names. */
	cfg_free_sections(c);
	for (i = 0; i < c->chat.mattermost_ncommands; i++) {
		free(c->chat.mattermost_commands[i].trigger);
		free(c->chat.mattermost_commands[i].token);
	}
	free(c->chat.mattermost_commands);
	free(c->alerts.listen_address);
	cfg_route_free(&c->alerts.route);
	for (i = 0; i < c->nroles; i++) {
		free(c->roles[i].name);
		strlist_free(&c->roles[i].commands);
		strlist_free(&c->roles[i].inherits);
	}
	free(c->roles);
	for (i = 0; i < c->nusers; i++) {
		free(c->users[i].name);
		free(c->users[i].platform);
		free(c->users[i].id);
		strlist_free(&c->users[i].roles);
	}
	free(c->users);
	for (i = 0; i < c->nhosts; i++) {
		struct cfg_host *h = &c->hosts[i];

		free(h->name);
		free(h->address);
		free(h->user);
		free(h->identity_file);
		free(h->fixture);
		strlist_free(&h->tags);
		for (j = 0; j < h->nlogs; j++) {
			free(h->logs[j].name);
			free(h->logs[j].path);
		}
		free(h->logs);
		for (j = 0; j < h->nservices; j++) {
			free(h->services[j].name);
			free(h->services[j].unit);
			free(h->services[j].process);
			free(h->services[j].restart);
		}
		free(h->services);
		if (h->jobs != NULL) {
			free(h->jobs->autorep);
			free(h->jobs->sendevent);
			strlist_free(&h->jobs->names);
			free(h->jobs);
		}
		for (j = 0; j < h->nmounts; j++)
			free(h->mounts[j].path);
		free(h->mounts);
		for (j = 0; j < h->ncommands; j++) {
			free(h->commands[j].name);
			free(h->commands[j].line);
		}
		free(h->commands);
	}
	free(c->hosts);
	for (i = 0; i < c->ncommands; i++) {
		free(c->commands[i].name);
		strlist_free(&c->commands[i].channels);
	}
	free(c->commands);
	for (i = 0; i < c->nschedules; i++) {
		free(c->schedules[i].name);
		free(c->schedules[i].cron);
		free(c->schedules[i].run);
		free(c->schedules[i].channel);
	}
	free(c->schedules);
	for (i = 0; i < c->nchecklists; i++) {
		struct cfg_checklist *cl = &c->checklists[i];

		free(cl->name);
		free(cl->title);
		free(cl->mention);
		free(cl->compare_with);
		for (j = 0; j < cl->nchecks; j++)
			cfg_check_free(&cl->checks[j]);
		free(cl->checks);
	}
	free(c->checklists);
	strlist_free(&c->bot.holidays);
	free(c);
}

const struct cfg_checklist *
config_find_checklist(const struct config *c, const char *name)
{
	size_t	 i;

	for (i = 0; i < c->nchecklists; i++) {
		if (strcmp(c->checklists[i].name, name) == 0)
			return &c->checklists[i];
	}
	return NULL;
}

const struct cfg_hcommand *
config_find_hcommand(const struct cfg_host *h, const char *name)
{
	size_t	 i;

	for (i = 0; i < h->ncommands; i++) {
		if (strcmp(h->commands[i].name, name) == 0)
			return &h->commands[i];
	}
	return NULL;
}

const struct cfg_host *
config_find_host(const struct config *c, const char *name)
{
	size_t	 i;

	for (i = 0; i < c->nhosts; i++) {
		if (c->hosts[i].name != NULL &&
		    strcmp(c->hosts[i].name, name) == 0)
			return &c->hosts[i];
	}
	return NULL;
}

const struct cfg_command *
config_find_command(const struct config *c, const char *name)
{
	size_t	 i;

	for (i = 0; i < c->ncommands; i++) {
		if (strcmp(c->commands[i].name, name) == 0)
			return &c->commands[i];
	}
	return NULL;
}

void
config_register_secrets(const struct config *c)
{
	size_t	 i;

	cfg_secrets_sections(c);
	for (i = 0; i < c->chat.mattermost_ncommands; i++)
		log_add_secret(c->chat.mattermost_commands[i].token);
}


const struct cfg_service *
config_find_service(const struct cfg_host *h, const char *name)
{
	size_t	 i;

	for (i = 0; i < h->nservices; i++) {
		if (h->services[i].name != NULL &&
		    strcmp(h->services[i].name, name) == 0)
			return &h->services[i];
	}
	return NULL;
}

const struct cfg_log *
config_find_log(const struct cfg_host *h, const char *name)
{
	size_t	 i;

	for (i = 0; i < h->nlogs; i++) {
		if (strcmp(h->logs[i].name, name) == 0)
			return &h->logs[i];
	}
	return NULL;
}

int
config_job_allowed(const struct cfg_jobs *j, const char *job)
{
	size_t	 i;

	if (j == NULL)
		return 0;
	for (i = 0; i < j->names.n; i++) {
		if (fnmatch(j->names.v[i], job, 0) == 0)
			return 1;
	}
	return 0;
}

/* The mount point of the filesystem holding path (absolute). */
static char *
cfg_mount_of(const char *path)
{
	struct stat	 st, up;
	char		*cur = xstrdup(path), *slash;

	if (stat(cur, &st) != 0)
		return cur;
	for (;;) {
		slash = strrchr(cur, '/');
		if (slash == NULL || slash == cur) {
			/* Reached "/": check whether "/" is the same fs. */
			if (stat("/", &up) == 0 && up.st_dev == st.st_dev) {
				free(cur);
				return xstrdup("/");
			}
			return cur;
		}
		*slash = '\0';
		if (stat(cur, &up) != 0 || up.st_dev != st.st_dev) {
			*slash = '/';
			return cur;
		}
	}
}

int
config_complete_default(struct config *c, char **cause)
{
	struct cfg_host	*h;
	char		*dir, *mnt;
	size_t		 i;

	*cause = NULL;
	if ((h = (struct cfg_host *)config_find_host(c, "localhost")) == NULL)
		return 0;
	if ((dir = realpath(c->bot.data_dir, NULL)) == NULL) {
		xasprintf(cause, "cannot resolve data_dir %s: %s",
		    c->bot.data_dir, strerror(errno));
		return -1;
	}
	if (config_find_log(h, "opsbot") == NULL) {
		h->logs = xreallocarray(h->logs, h->nlogs + 1, sizeof *h->logs);
		h->logs[h->nlogs].name = xstrdup("opsbot");
		xasprintf(&h->logs[h->nlogs].path, "%s/opsbot.log", dir);
		h->nlogs++;
	}
	mnt = cfg_mount_of(dir);
	for (i = 0; i < h->nmounts; i++) {
		if (strcmp(h->mounts[i].path, mnt) == 0)
			break;
	}
	if (i == h->nmounts) {
		h->mounts = xreallocarray(h->mounts, h->nmounts + 1,
		    sizeof *h->mounts);
		h->mounts[h->nmounts].path = mnt;
		h->mounts[h->nmounts].warn_pct = 80;
		h->mounts[h->nmounts].crit_pct = 90;
		h->nmounts++;
	} else
		free(mnt);
	free(dir);
	return 0;
}

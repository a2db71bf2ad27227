/*
 * alerts: the listener, the webhook tokens and the routing tree, and the
 * channel checks every key that names a channel goes through.
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

#include "channel.h"
#include "config_int.h"
#include "labels.h"
#include "xmalloc.h"

/* ------------------------------------------------------------- alerts */

/*
 * A channel in any key (routes, schedules, default_channel, commands):
 * one parser for all of them (channel.h), so a form that can never match
 * is refused here rather than silently ignored.
 */
void
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
void
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
void
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
	    "mention", "continue", "ticket", "routes", "remediate",
	    "remediate_auto", "remediate_every", NULL };
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
	/* Not inherited: a fix belongs to the alerts it was written for. */
	cfg_string_def(ctx, obj, path, "remediate", NULL, &r->remediate);
	cfg_bool(ctx, obj, path, "remediate_auto", 0, &r->remediate_auto);
	cfg_duration(ctx, obj, path, "remediate_every", 1800,
	    &r->remediate_every_s);
	if (r->remediate_auto && r->remediate == NULL)
		cfg_error(ctx, path, "remediate_auto needs remediate: the "
		    "command line to run");
	cfg_bool(ctx, obj, path, "ticket", parent != NULL ? parent->ticket : 0,
	    &r->ticket);
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

void
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
	free(r->remediate);
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

void
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

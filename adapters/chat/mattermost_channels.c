/*
 * Channels named in alert routes and schedules ("mattermost:~ops-alerts",
 * "mattermost:acme/~ops-alerts", or an id), resolved to ids once at
 * start, as Slack's are: an unknown channel, or one the bot is not in (it
 * could not post there), stops the start with the route that names it.
 * The names are kept so that a later refusal can say which channel it was.
 */

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "cause.h"
#include "bot.h"
#include "config.h"
#include "http.h"
#include "log.h"
#include "mattermost_int.h"
#include "xmalloc.h"

#define MM_CHANNELS_MAX	64

/* A Mattermost id: 26 characters of [a-z0-9]. */
static int
mm_is_id(const char *s)
{
	return strlen(s) == 26 && strspn(s, "abcdefghijklmnopqrstuvwxyz"
	    "0123456789") == 26;
}

/*
 * The team to look a bare ~name up in: the bot's only team, or with
 * several, register_team_id. Returns "id:<team id>" (caller frees), or
 * NULL and *cause.
 */
static char *
mm_default_team(struct mattermost *mm, char **cause)
{
	const char		*tid = mm->bot->cfg->chat.mattermost_register_team_id;
	struct http_response	 r;
	cJSON			*teams = NULL;
	char			*out = NULL, *why;
	int			 n;

	if (mm_rest(mm, "GET", "/api/v4/users/me/teams", NULL, &r) == 200)
		teams = cJSON_Parse(r.body.data);
	if (!cJSON_IsArray(teams)) {
		why = mm_http_why(&r);
		cause_set(cause, "cannot list the bot's teams (%s)", why);
		free(why);
	} else if ((n = cJSON_GetArraySize(teams)) == 1 &&
	    mm_str(cJSON_GetArrayItem(teams, 0), "id") != NULL)
		xasprintf(&out, "id:%s", mm_str(cJSON_GetArrayItem(teams, 0),
		    "id"));
	else if (tid != NULL)
		xasprintf(&out, "id:%s", tid);
	else
		cause_set(cause, "the bot is in %d teams; name the team, e.g. "
		    "mattermost:TEAM/~channel", n);
	cJSON_Delete(teams);
	http_response_release(&r);
	return out;
}

/*
 * Resolves one receiver (what follows "mattermost:") to a channel id the
 * bot is a member of. Returns the id (caller frees), or NULL and *cause.
 */
static char *
mm_resolve_channel(struct mattermost *mm, const char *spec, char **cause)
{
	const char		*slash = strchr(spec, '/'), *name;
	struct http_response	 r;
	char			*team = NULL, *id = NULL, path[512], *why;
	cJSON			*ch = NULL;
	long			 st;

	cause_clear(cause);
	name = slash != NULL ? slash + 1 : spec;
	name += *name == '~' || *name == '#';
	if (slash == NULL && mm_is_id(spec))
		id = xstrdup(spec);
	else {
		if (slash != NULL)
			xasprintf(&team, "name:%.*s", (int)(slash - spec), spec);
		else if ((team = mm_default_team(mm, cause)) == NULL)
			return NULL;
		if (strncmp(team, "name:", 5) == 0)
			snprintf(path, sizeof path, "/api/v4/teams/name/%s/"
			    "channels/name/%s", team + 5, name);
		else
			snprintf(path, sizeof path, "/api/v4/teams/%s/channels/"
			    "name/%s", team + 3, name);
		st = mm_rest(mm, "GET", path, NULL, &r);
		if (st == 200 && (ch = cJSON_Parse(r.body.data)) != NULL &&
		    mm_str(ch, "id") != NULL)
			id = xstrdup(mm_str(ch, "id"));
		else if (st == 404)
			cause_set(cause, "unknown channel ~%s (or a private one "
			    "without the bot)", name);
		else {
			why = mm_http_why(&r);
			cause_set(cause, "cannot look up ~%s (%s)", name, why);
			free(why);
		}
		cJSON_Delete(ch);
		http_response_release(&r);
		free(team);
		if (id == NULL)
			return NULL;
	}
	/* Being able to see a public channel is not being able to post. */
	snprintf(path, sizeof path, "/api/v4/channels/%s/members/me", id);
	st = mm_rest(mm, "GET", path, NULL, &r);
	if (st != 200) {
		why = mm_http_why(&r);
		if (st == 404 || st == 403)
			cause_set(cause, "the bot is not a member of %s%s; add "
			    "it (/invite @%s in that channel)", slash != NULL ||
			    !mm_is_id(spec) ? "~" : "channel ", slash != NULL ||
			    !mm_is_id(spec) ? name : spec, mm->username);
		else
			cause_set(cause, "cannot check the bot's membership of "
			    "%s (%s)", spec, why);
		free(why);
		free(id);
		id = NULL;
	}
	http_response_release(&r);
	return id;
}

/*
 * Resolves receiver r ("mattermost:..."; others are skipped) once; where
 * names the config place for an error. Returns -1 with *cause.
 */
static int
mm_resolve_one(struct mattermost *mm, const char *r, const char *where,
    char **cause)
{
	const char	*spec;
	char		*why, *id;
	size_t		 j;

	if (r == NULL || strncmp(r, "mattermost:", 11) != 0)
		return 0;
	spec = r + 11;
	for (j = 0; j < mm->nchans; j++) {
		if (strcmp(mm->chans[j].name, spec) == 0)
			return 0;
	}
	if (mm->nchans == MM_CHANNELS_MAX)
		return 0;
	if ((id = mm_resolve_channel(mm, spec, &why)) == NULL) {
		if (cause != NULL)
			cause_set(cause, "mattermost: %s: %s: %s", where, spec,
			    why);
		free(why);
		return -1;
	}
	if (strcmp(id, spec) != 0)
		log_info("mattermost", "%s is %s", spec, id);
	mm->chans[mm->nchans].name = xstrdup(spec);
	mm->chans[mm->nchans++].id = id;
	return 0;
}

/* The route tree's "mattermost:" receivers, depth first. */
static int
mm_resolve_route(struct mattermost *mm, const struct cfg_route *rt,
    char **cause)
{
	const struct config	*cfg = mm->bot->cfg;
	char			*where;
	size_t			 i;
	int			 rc;

	for (i = 0; i < rt->channels.n; i++) {
		if (rt == &cfg->alerts.route && cfg->alerts.route_from_default)
			xasprintf(&where, "alerts.default_channel");
		else
			xasprintf(&where, "%s.channels", rt->path);
		rc = mm_resolve_one(mm, rt->channels.v[i], where, cause);
		free(where);
		if (rc != 0)
			return -1;
	}
	for (i = 0; i < rt->nroutes; i++) {
		if (mm_resolve_route(mm, &rt->routes[i], cause) != 0)
			return -1;
	}
	return 0;
}

int
mm_channels_start(struct mattermost *mm, char **cause)
{
	const struct config	*cfg = mm->bot->cfg;
	char			 where[64];
	size_t			 i;

	mm->chans = xcalloc(MM_CHANNELS_MAX, sizeof *mm->chans);
	if (mm_resolve_route(mm, &cfg->alerts.route, cause) != 0)
		return -1;
	/* Scheduled reports post to a channel too. */
	for (i = 0; i < cfg->nschedules; i++) {
		snprintf(where, sizeof where, "schedules[%zu].channel", i);
		if (mm_resolve_one(mm, cfg->schedules[i].channel, where,
		    cause) != 0)
			return -1;
	}
	return 0;
}

const char *
mm_channel_id(const struct mattermost *mm, const char *spec)
{
	size_t	 i;

	for (i = 0; i < mm->nchans; i++) {
		if (strcmp(mm->chans[i].name, spec) == 0)
			return mm->chans[i].id;
	}
	return spec;
}

char *
mm_channel_refused(const struct mattermost *mm, const char *id,
    const struct http_response *r)
{
	const char	*name = NULL;
	char		*why = mm_http_why(r), *out;
	size_t		 i;

	for (i = 0; i < mm->nchans; i++) {
		if (strcmp(mm->chans[i].id, id) == 0)
			name = mm->chans[i].name;
	}
	if (name != NULL) {
		name = strchr(name, '/') != NULL ? strchr(name, '/') + 1 :
		    name;
		name += *name == '~' || *name == '#';
		xasprintf(&out, "the bot is not a member of ~%s (%s)", name,
		    why);
	} else
		xasprintf(&out, "the bot may not post in channel %s; is it a "
		    "member? (%s)", id, why);
	free(why);
	return out;
}

void
mm_channels_free(struct mattermost *mm)
{
	size_t	 i;

	for (i = 0; i < mm->nchans; i++) {
		free(mm->chans[i].name);
		free(mm->chans[i].id);
	}
	free(mm->chans);
	mm->chans = NULL;
	mm->nchans = 0;
}

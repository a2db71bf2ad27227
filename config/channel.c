/*
 * Channel names in the config (see channel.h). Pure string work: no
 * platform is asked anything here; the adapters resolve names to ids at
 * start. What this refuses is what could never match or be posted to,
 * such as a bare "ops", which today silently locks everyone out of a
 * command whose allowlist names it.
 */

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "cause.h"
#include "channel.h"
#include "xmalloc.h"

#define CHAN_NAME_MAX	80	/* Slack's limit; Mattermost's is 64 */
#define MM_ID_LEN	26

static const char *const chan_platforms[] = { "slack", "mattermost",
    "console", NULL };

/* Lower-case letters, digits, '.', '_', '-': what both platforms allow. */
static int
chan_name_ok(const char *s, size_t n)
{
	size_t	 i;

	if (n == 0 || n > CHAN_NAME_MAX)
		return 0;
	for (i = 0; i < n; i++) {
		if (!islower((unsigned char)s[i]) &&
		    !isdigit((unsigned char)s[i]) && strchr("._-", s[i]) ==
		    NULL)
			return 0;
	}
	return 1;
}

/* Slack: C (channel), G (private, older) or D (DM), then A-Z and 0-9. */
static int
chan_slack_id(const char *s)
{
	size_t	 i, n = strlen(s);

	if (n < 3 || strchr("CGD", s[0]) == NULL)
		return 0;
	for (i = 1; i < n; i++) {
		if (!isupper((unsigned char)s[i]) &&
		    !isdigit((unsigned char)s[i]))
			return 0;
	}
	return 1;
}

/* Mattermost ids are 26 lower-case letters and digits. */
static int
chan_mm_id(const char *s)
{
	size_t	 i;

	if (strlen(s) != MM_ID_LEN)
		return 0;
	for (i = 0; i < MM_ID_LEN; i++) {
		if (!islower((unsigned char)s[i]) &&
		    !isdigit((unsigned char)s[i]))
			return 0;
	}
	return 1;
}

/* s in lower case if that makes a valid name, else NULL; caller frees. */
static char *
chan_lower_name(const char *s)
{
	char	*l = xstrdup(s), *p;

	for (p = l; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	if (!chan_name_ok(l, strlen(l))) {
		free(l);
		return NULL;
	}
	return l;
}

static int
chan_fail(char **cause, const char *text, const char *why,
    const char *prefix, char sigil, const char *suggest)
{
	if (cause == NULL)
		return -1;
	if (suggest != NULL)
		cause_set(cause, "\"%s\" can never match: %s (did you mean "
		    "\"%s%s%c%s\"?)", text, why, prefix != NULL ? prefix : "",
		    prefix != NULL ? ":" : "", sigil, suggest);
	else
		cause_set(cause, "\"%s\" can never match: %s", text, why);
	return -1;
}

/* A name after its sigil; the platform must allow that sigil. */
static int
chan_parse_name(const char *text, const char *prefix, const char *body,
    struct chan_spec *cs, char **cause)
{
	char	 sigil = body[0];
	char	*l;
	int	 rc;

	if (sigil == '~' && prefix != NULL && strcmp(prefix, "slack") == 0)
		return chan_fail(cause, text, "\"~\" names a Mattermost "
		    "channel", prefix, '#', body + 1);
	if (!chan_name_ok(body + 1, strlen(body + 1))) {
		l = chan_lower_name(body + 1);
		rc = chan_fail(cause, text, l != NULL ? "channel names are "
		    "lower case" : "a channel name is 1-80 lower-case "
		    "letters, digits, '.', '_' or '-'", prefix, sigil, l);
		free(l);
		return rc;
	}
	cs->kind = CHAN_NAME;
	cs->sigil = sigil;
	if (sigil == '~')
		cs->platform = "mattermost";
	cs->body = body + 1;
	return 0;
}

int
chan_parse(const char *text, struct chan_spec *cs, char **cause)
{
	const char	*colon, *body = text;
	char		 pfx[16];
	const char	*prefix = NULL;
	char		*l;
	size_t		 i;
	int		 rc;

	if (cause != NULL)
		cause_clear(cause);
	memset(cs, 0, sizeof *cs);
	if ((colon = strchr(text, ':')) != NULL) {
		if ((size_t)(colon - text) < sizeof pfx) {
			memcpy(pfx, text, (size_t)(colon - text));
			pfx[colon - text] = '\0';
			for (i = 0; chan_platforms[i] != NULL; i++) {
				if (strcmp(pfx, chan_platforms[i]) == 0)
					prefix = chan_platforms[i];
			}
		}
		if (prefix == NULL)
			return chan_fail(cause, text, "the platform before "
			    "\":\" is slack, mattermost or console", NULL, 0,
			    NULL);
		body = colon + 1;
		cs->platform = prefix;
	}
	if (*body == '\0')
		return chan_fail(cause, text, "no channel is named", NULL, 0,
		    NULL);
	if (strcmp(body, "console") == 0 || (prefix != NULL &&
	    strcmp(prefix, "console") == 0)) {
		if (strcmp(body, "console") != 0 || (prefix != NULL &&
		    strcmp(prefix, "console") != 0)) {
			if (cause != NULL)
				cause_set(cause, "\"%s\" can never match: the "
				    "console's only channel is \"console\"",
				    text);
			return -1;
		}
		cs->platform = "console";
		cs->kind = CHAN_CONSOLE;
		cs->body = "console";
		return 0;
	}
	if (body[0] == '#' || body[0] == '~')
		return chan_parse_name(text, prefix, body, cs, cause);
	/* "TEAM/~name": a Mattermost channel of one team of several. */
	if ((l = strstr(body, "/~")) != NULL && l > body &&
	    (prefix == NULL || strcmp(prefix, "mattermost") == 0)) {
		for (i = 0; body + i < l; i++) {
			if (!islower((unsigned char)body[i]) &&
			    !isdigit((unsigned char)body[i]) && body[i] != '-')
				return chan_fail(cause, text, "a Mattermost "
				    "team name is lower-case letters, digits "
				    "and '-'", NULL, 0, NULL);
		}
		if ((rc = chan_parse_name(text, "mattermost", l + 1, cs,
		    cause)) != 0)
			return rc;
		cs->body = body;
		return 0;
	}
	if (chan_slack_id(body)) {
		if (prefix != NULL && strcmp(prefix, "slack") != 0)
			return chan_fail(cause, text, "that is a Slack "
			    "channel id", "slack", 0, NULL);
		cs->platform = "slack";
		cs->kind = CHAN_ID;
		cs->body = body;
		return 0;
	}
	if (chan_mm_id(body)) {
		if (prefix != NULL && strcmp(prefix, "mattermost") != 0)
			return chan_fail(cause, text, "that is a Mattermost "
			    "channel id", NULL, 0, NULL);
		cs->platform = "mattermost";
		cs->kind = CHAN_ID;
		cs->body = body;
		return 0;
	}
	/* A bare word: almost always a name without its "#". */
	l = chan_lower_name(body);
	rc = chan_fail(cause, text, "a channel name starts with \"#\"",
	    prefix, '#', l);
	free(l);
	return rc;
}

/* The name part of a message's channel name ("#ops" -> "ops"). */
static const char *
chan_bare(const char *name)
{
	return name[0] == '#' || name[0] == '~' || name[0] == '@' ? name + 1 :
	    name;
}

int
chan_matches(const struct chan_spec *cs, const char *platform,
    const char *id, const char *name)
{
	if (cs->platform != NULL && (platform == NULL ||
	    strcmp(cs->platform, platform) != 0))
		return 0;
	switch (cs->kind) {
	case CHAN_CONSOLE:
		return platform != NULL && strcmp(platform, "console") == 0;
	case CHAN_ID:
		return id != NULL && strcmp(cs->body, id) == 0;
	case CHAN_NAME:
		return name != NULL && strcmp(cs->body, chan_bare(name)) == 0;
	}
	return 0;
}

static void
chan_append(char ***v, size_t *n, char *s)
{
	*v = xreallocarray(*v, *n + 2, sizeof **v);
	(*v)[(*n)++] = s;
	(*v)[*n] = NULL;
}

void
chan_receivers(const char *text, int slack_on, int mattermost_on,
    char ***v, size_t *n)
{
	struct chan_spec	 cs;
	char			*r;

	if (chan_parse(text, &cs, NULL) != 0) {
		chan_append(v, n, xstrdup(text));
		return;
	}
	if (cs.kind == CHAN_CONSOLE) {
		chan_append(v, n, xstrdup("console"));
		return;
	}
	/* Its platform is written or implied by the id or "~". */
	if (cs.platform != NULL) {
		if (strchr(text, ':') != NULL)
			r = xstrdup(text);
		else
			xasprintf(&r, "%s:%s", cs.platform, text);
		chan_append(v, n, r);
		return;
	}
	/* With no platform on, it goes nowhere; posting says so then. */
	if (!slack_on && !mattermost_on)
		chan_append(v, n, xstrdup(text));
	if (slack_on) {
		xasprintf(&r, "slack:%s", text);
		chan_append(v, n, r);
	}
	if (mattermost_on) {
		xasprintf(&r, "mattermost:%s", text);
		chan_append(v, n, r);
	}
}

/*
 * The one way to name a channel in the config: alerts.default_channel,
 * alerts routes' channels, schedules[].channel and commands.*.channels
 * all go through chan_parse(), so a form that works in one key works in
 * every other, and a form that can never match is refused at load.
 *
 *   #name              a channel by name (Slack or Mattermost)
 *   ~name              a channel by name, Mattermost's spelling
 *   C0123ABCD          a Slack channel id (C, G or D, then A-Z 0-9)
 *   26 letters/digits  a Mattermost channel id (lower case)
 *   console            the console
 *
 * Each may be prefixed "slack:", "mattermost:" (or "console:console"),
 * which limits it to that platform.
 */
#ifndef OPSBOT_CHANNEL_H
#define OPSBOT_CHANNEL_H

#include <stddef.h>

enum chan_kind {
	CHAN_CONSOLE,		/* "console" */
	CHAN_NAME,		/* "#name" or "~name" */
	CHAN_ID,		/* a platform's channel id */
};

/* A parsed channel; body points into the parsed text. */
struct chan_spec {
	const char	*platform;	/* "slack", "mattermost", "console",
					   or NULL: any platform */
	enum chan_kind	 kind;
	const char	*body;		/* the name without its sigil, or the
					   id; "console" for CHAN_CONSOLE */
	char		 sigil;		/* '#' or '~' for CHAN_NAME, else 0 */
};

/*
 * Parses text. Returns 0, or -1 and sets *cause (caller frees; cause may
 * be NULL) to why it can never match, with a "did you mean" when one is
 * likely ("ops" -> "#ops").
 */
int	 chan_parse(const char *text, struct chan_spec *, char **cause);

/*
 * Does a message's channel match spec? platform is the message's
 * ("slack", ...), id its channel id, name its channel name ("#ops", or
 * NULL when the platform gave none).
 */
int	 chan_matches(const struct chan_spec *, const char *platform,
	    const char *id, const char *name);

/*
 * The receivers ("platform:channel") text stands for, given the chat
 * platforms that are on: a channel without a platform goes to each of
 * Slack and Mattermost that is on. Appends them to *v (an array of n
 * strings, NULL-terminated, grown here; the caller frees each and v).
 * Text that does not parse is appended as it is.
 */
void	 chan_receivers(const char *text, int slack_on, int mattermost_on,
	    char ***v, size_t *n);

#endif

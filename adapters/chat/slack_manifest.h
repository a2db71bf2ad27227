/*
 * The Slack app manifest (opsbot --slack-manifest): what to paste into
 * "Create an app > From a manifest" so the app has the bot's slash
 * command, Socket Mode, interactivity, its events and exactly the scopes
 * of the Web API methods the bot calls (slack_method_scopes).
 */
#ifndef OPSBOT_SLACK_MANIFEST_H
#define OPSBOT_SLACK_MANIFEST_H

struct config;
struct cmd_entry;

/* Each Web API method the bot calls, and the bot scopes it needs. */
struct slack_method_scope {
	const char	*method;	/* "chat.postMessage" */
	const char	*scopes;	/* "a:b,c:d", or "" */
	const char	*why;		/* what the bot calls it for */
};
/* NULL-method terminated; the one place a new method call is declared. */
extern const struct slack_method_scope slack_method_scopes[];

/*
 * The manifest as pretty JSON for cfg (its bot name and slash command)
 * and the command table. Returns a string the caller frees.
 */
char	*slack_manifest(const struct config *cfg,
	    const struct cmd_entry *const *table);

#endif

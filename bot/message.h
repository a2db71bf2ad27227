/*
 * A message built once in a neutral form (title, status colour, text, a
 * monospace block, fields, buttons) and rendered per platform: Slack
 * Block Kit, Mattermost attachments, plain text for the console. Strings
 * are borrowed; nothing here allocates but the renderers' results.
 */
#ifndef OPSBOT_MESSAGE_H
#define OPSBOT_MESSAGE_H

#include <stddef.h>

struct cJSON;

enum message_status {
	MESSAGE_PLAIN,		/* no colour */
	MESSAGE_OK,
	MESSAGE_WARN,
	MESSAGE_CRIT,
	MESSAGE_INFO,
};

#define MESSAGE_MAX_FIELDS	10	/* Slack: at most 10 per section */
#define MESSAGE_MAX_BUTTONS	5

struct message_field {
	const char	*title;
	const char	*value;
};

/*
 * A button's value is a command line ("rerun nightly --confirm"): a click
 * runs it as the person who clicked, through the normal dispatch path.
 * A link button (url set) only opens its http(s) url and runs nothing:
 * a Slack url button; Mattermost has none, so it becomes a markdown link
 * in the attachment; plain text shows "Label: url".
 */
struct message_button {
	const char	*action;	/* "confirm": Slack action_id; MM id
					   after message_mm_action_id() */
	const char	*label;		/* "Confirm" (<= 75 chars) */
	const char	*value;		/* the command line a click runs */
	int		 danger;
	const char	*url;		/* a link button, or NULL */
};

/*
 * Where Mattermost sends a click (docs/protocols.md §5.4): integration.url, and
 * the secret put in integration.context.token next to the command. With
 * no url the buttons are left out.
 */
struct message_mm_actions {
	const char	*url;
	const char	*token;
};

struct message {
	const char		*title;		/* or NULL */
	enum message_status	 status;
	const char		*text;		/* plain text, or NULL */
	const char		*code;		/* monospace block, or NULL */
	struct message_field	 fields[MESSAGE_MAX_FIELDS];
	size_t			 nfields;
	struct message_button	 buttons[MESSAGE_MAX_BUTTONS];
	size_t			 nbuttons;
	int			 ephemeral;	/* only for the person asking */
	/*
	 * Who to page, e.g. a route's "<!subteam^S0ONCALL>" or "@oncall":
	 * sent live, outside any code block, where the platform notifies
	 * (Slack: the text and first section; Mattermost: the post's
	 * message, not an attachment). Only the platform's mention forms
	 * are live; anything else in it is escaped like other text.
	 */
	const char		*mention;
	/*
	 * The answer to a click that takes the clicked message's place
	 * (a used Confirm prompt), so its buttons cannot be pressed again.
	 */
	int			 replace;
};

/* "#2EB67D" style colour for a status, or NULL for MESSAGE_PLAIN. */
const char *message_color(enum message_status);
const char *message_status_word(enum message_status);	/* "CRIT" */

/*
 * Appends mention to b for Slack: special mentions (<!subteam^ID>,
 * <!subteam^ID|@name>, <@U123>, <!here>, <!channel>, <!everyone>) as
 * they are, everything else escaped (&, <, >).
 */
struct buf;
void	 message_slack_mention(struct buf *b, const char *mention);

/* Plain text (the console, and every platform's fallback); caller frees. */
char	*message_render_text(const struct message *);
/* Adds "text" (fallback) and "blocks" to a chat.postMessage-style body. */
void	 message_render_slack(const struct message *, struct cJSON *body);
/*
 * Adds the Mattermost form: key ("message" for a post, "text" for a slash
 * command response) with the title, and props.attachments (or, for a
 * response, attachments) carrying colour, text, fields and buttons. The
 * buttons need act (with a url); act NULL leaves them out.
 */
/*
 * The id button i gets on Mattermost: its action with only [A-Za-z0-9]
 * kept, made unique within the message ("alert_ack" -> "alertack"), so
 * that the server's click route accepts and finds it. out holds at most
 * len bytes (MESSAGE_MM_ID_MAX is enough for any action).
 */
#define MESSAGE_MM_ID_MAX	64
void	 message_mm_action_id(const struct message *, size_t i, char *out,
	    size_t len);
void	 message_render_mattermost(const struct message *, struct cJSON *body,
	    int response, const struct message_mm_actions *act);

#endif

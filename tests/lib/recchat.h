/*
 * recchat: a recording chat adapter for unit tests. It starts at once and
 * keeps what the bot says instead of sending it: every reply's rendered
 * text is appended to recchat.replies ("\n--\n" between two), and the
 * newest message's button, replace and ephemeral flags are kept.
 */
#ifndef RECCHAT_H
#define RECCHAT_H

#include "bot.h"

struct recchat {
	struct buf	 replies;	/* buf_release() between steps */
	char		 last_button[256];	/* value of the first button */
	int		 last_replace;	/* replaced the clicked message */
	int		 last_ephemeral;
	/* Called with each reply's text after it is recorded; may be NULL. */
	void		(*on_reply)(const char *text);
};

extern struct recchat recchat;

/*
 * Fills ops with the recording adapter under name ("console", "slack":
 * what the bot takes it for). ops must outlive the chat made from it.
 */
void	recchat_ops(struct chat_ops *ops, const char *name);

#endif

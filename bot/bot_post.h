/* Posting on the bot's own account (alerts, scheduled summaries). */
#ifndef OPSBOT_BOT_POST_H
#define OPSBOT_BOT_POST_H

#include <stddef.h>
#include <stdint.h>

struct bot;
struct chat;
struct message;
/*
 * The chat adapter a receiver names ("slack:#ops" -> slack, channel
 * "#ops"; "console"), or NULL if that platform is not on.
 */
struct chat *bot_chat_for(struct bot *, const char *receiver,
	    const char **channel);
/*
 * Posts m on the bot's own account to receiver ("slack:#ops",
 * "mattermost:ID", "console"): see chat_ops.post for kind and ref.
 * Returns the outbox row (0: none kept), or -1 and *cause.
 */
int64_t	 bot_post(struct bot *, const char *receiver, const char *kind,
	    int64_t ref, const struct message *, char **cause);
/* Messages waiting in the outbox for receiver ("slack:#ops"), or 0. */
size_t	 bot_backlog(struct bot *, const char *receiver);

#endif

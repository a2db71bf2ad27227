/* The alert engine's sink in the running bot: its chat adapters. */
#ifndef OPSBOT_ALERTS_POST_H
#define OPSBOT_ALERTS_POST_H

#include "alerts.h"

struct bot;
struct chat;

void	 alerts_sink_for_bot(struct bot *, struct alerts_sink *);
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

#endif

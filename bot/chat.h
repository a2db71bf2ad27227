/*
 * A chat platform behind a small vtable. An adapter turns its platform's
 * events into struct chat_msg and calls bot_handle_message(); the core
 * answers through ->reply with the origin it was given. Several adapters
 * run in one process; the console is one of them.
 */
#ifndef OPSBOT_CHAT_H
#define OPSBOT_CHAT_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "message.h"

struct bot;
struct chat;

/* An incoming message, borrowed for the duration of the call. */
struct chat_msg {
	const char	*user_id;
	const char	*user_name;	/* display name, or NULL */
	const char	*channel;	/* where answers go (an id) */
	const char	*channel_name;	/* for allowlists, e.g. "#ops"; or NULL */
	const char	*reply_to;	/* adapter's own routing, or NULL */
	const char	*text;		/* not necessarily NUL-terminated */
	size_t		 len;
	int		 click;		/* a button's value, not typed */
	const char	*source_id;	/* clicked message's platform id */
	/*
	 * The thread it was typed in: its root's platform id (Slack
	 * thread_ts, Mattermost root_id), or NULL outside a thread.
	 */
	const char	*thread;
};

/* Where an answer goes: a copy the core owns (chat_origin_*). */
struct chat_origin {
	char	*platform;
	char	*user_id;
	char	*user_name;
	char	*channel;
	char	*reply_to;	/* e.g. Slack's response_url or thread ts */
	char	*source_id;	/* a click: the message clicked, or NULL */
	char	*thread;	/* chat_msg.thread, or NULL */
	int	 click;
};

struct chat_ops {
	const char	*name;		/* "console", "slack", ... */

	/* Begins intake; returns -1 and sets *cause (caller frees). */
	int	(*start)(struct chat *, char **cause);
	/* Stops intake; idempotent; no messages arrive after it returns. */
	void	(*stop)(struct chat *);
	/* Delivers a message to origin, rendered its way; loop thread. */
	void	(*reply)(struct chat *, const struct chat_origin *,
		    const struct message *);
	/*
	 * Posts m to a channel on the bot's own account (alerts, reports):
	 * kind "post" is a new message; "update" rewrites, and "thread"
	 * replies under, the message of outbox row ref. Returns the outbox
	 * row id (0 where there is no outbox, like the console), or -1 and
	 * *cause. NULL: the platform cannot post on its own.
	 */
	int64_t	(*post)(struct chat *, const char *channel, const char *kind,
		    int64_t ref, const struct message *, char **cause);
	/*
	 * An answer that grows in place (a fan-out still waiting for slow
	 * hosts): ref 0 delivers m to origin as reply does and returns a
	 * handle (> 0); a later call with that handle replaces the same
	 * message with m. Returns -1 if it cannot (then the core falls back
	 * to one reply at the end). NULL: the platform has no such thing
	 * (the console prints the final answer only).
	 */
	int64_t	(*reply_live)(struct chat *, const struct chat_origin *,
		    int64_t ref, const struct message *);
	/*
	 * What a person types before command name on this platform, for help
	 * and error texts: "/opsbot " on Mattermost, where /help and /status
	 * are the server's own and only some commands have their own slash
	 * command. NULL means "/".
	 */
	const char *(*cmd_prefix)(struct chat *, const char *name);
	/* One line of state for /status, e.g. "connected". */
	void	(*describe)(struct chat *, struct buf *);
	/* Frees priv; called after stop. */
	void	(*free)(struct chat *);
};

struct chat {
	const struct chat_ops	*ops;
	struct bot		*bot;
	void			*priv;		/* the adapter's own state */
};

/* Returns a new chat (free with chat_free) for ops, bound to bot. */
struct chat *chat_create(const struct chat_ops *, struct bot *);
void	 chat_free(struct chat *);

/*
 * Shared by the websocket adapters. The reconnect delay: 1, 2, 4, 8, 16,
 * then 30 s, +-20 % jitter; advances *count (reset it after a hello).
 */
unsigned int chat_backoff_ms(unsigned short *count);
/*
 * Collects one websocket message from its fragments into rx (at most max
 * bytes; binary frames refused). Returns 1 when rx holds a whole text
 * message, -1 when a whole message was refused, 0 while more is to come.
 */
/*
 * Starts a websocket client connection on the loop whose callbacks go to
 * owner (loop.h). pwsi is set as soon as lws has a connection, and
 * cleared by the owner on close. Returns 0, or -1 if lws refused at once
 * (the owner's callbacks may already have seen CONNECTION_ERROR).
 */
/*
 * The answer to send directly when the store cannot take it (disk full):
 * m with its title replaced by "the bot cannot write its store: WHY" (the
 * store's own reason, from cause) and no buttons (their tokens could not
 * be stored). *title holds that title; the caller frees it.
 */
struct message;
void	 chat_store_failed(const struct message *m, const char *cause,
	    struct message *out, char **title);

struct loop;
struct loop_ws;
struct lws;
struct lws_retry_bo;
int	 chat_ws_connect(struct loop *, int tls, const char *address, int port,
	    const char *path, struct loop_ws *owner,
	    const struct lws_retry_bo *idle, struct lws **pwsi);
struct lws;
int	 chat_ws_collect(struct lws *, struct buf *rx, int *refused,
	    const void *in, size_t len, size_t max);

void	 chat_origin_set(struct chat_origin *, const char *platform,
	    const struct chat_msg *);
void	 chat_origin_release(struct chat_origin *);

#endif

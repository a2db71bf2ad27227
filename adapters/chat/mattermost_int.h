/*
 * The Mattermost adapter's private state and the helpers its files share:
 * mattermost.c (REST, posts, the chat_ops), mattermost_socket.c
 * (websocket, events), mattermost_actions.c (buttons) and
 * mattermost_commands.c (slash commands: registration, per-trigger
 * tokens, delivery).
 */
#ifndef OPSBOT_MATTERMOST_INT_H
#define OPSBOT_MATTERMOST_INT_H

#include <stdatomic.h>
#include <stdint.h>

#include <libwebsockets.h>

#include "buf.h"
#include "chat_capture.h"
#include "loop.h"

struct cJSON;
struct chat_fallback_keys;
struct http_response;
struct httpd_request;
struct httpd_response;

#define MM_SEEN			256
#define MM_SECRET_BYTES		32	/* the button secret, hex in a file */
#define MM_HTTP_TIMEOUT_MS	10000

/*
 * One slash command the bot answers: chat.mattermost.command (main: its
 * text is the whole command line) or one of chat.mattermost.commands
 * ("/health prod" runs "health prod"), with the token Mattermost gave it.
 */
struct mm_trigger {
	char	*trigger;	/* "opsbot", "health": no "/" */
	char	*token;		/* configured or registered; NULL: none yet */
	int	 main;
};

struct mattermost {
	struct loop_ws		 ws;		/* first: loop.c calls ws.cb */
	struct chat		*chat;
	struct bot		*bot;
	const char		*url;		/* borrowed from the config */
	const char		*token;
	const char		*prefix;
	char			 user_id[32];
	char			 username[64];
	struct lws		*wsi;
	struct buf		 rx;
	int			 rx_overflow;
	char			 connection_id[64];
	int64_t			 next_seq;	/* -1: no hello yet */
	int			 connected;
	int			 resuming;	/* socket up, no event yet */
	int			 stopping;
	/* users/me not answered yet (down at start); read by senders. */
	atomic_int		 unidentified;
	int			 identifying;	/* users/me on a worker */
	unsigned short		 retry_count;
	lws_sorted_usec_list_t	 retry_sul;
	int			 retry_armed;
	lws_sorted_usec_list_t	 healthy_sul;	/* resets retry_count */
	char			 seen[MM_SEEN][32];	/* post ids */
	size_t			 seen_next;
	struct mm_trigger	*triggers;	/* [0] is the main one */
	size_t			 ntriggers;
	char			*register_error; /* for /status, or NULL */
	struct mm_chan {				/* alert routes' */
		char	*name;		/* as configured: "~ops-alerts" */
		char	*id;
	}			*chans;
	size_t			 nchans;
	char			*actions_url;	/* buttons; NULL: none */
	char			 action_token[MM_SECRET_BYTES * 2 + 1];
	uint64_t		 posts, connects, resumes, gaps, clicks;
	uint64_t		 answered_at_once;	/* in the HTTP answer */
	struct chat_capture	*capture;	/* loop thread, or NULL */
};

/* A string member of o, or NULL. */
const char *mm_str(const struct cJSON *o, const char *key);
/* "Authorization: Bearer T" (free with mm_auth_free, which wipes it). */
char	*mm_auth_header(const char *token);
void	 mm_auth_free(char *);
/* One REST call with the bot's token; returns the status (0: none). */
long	 mm_rest(struct mattermost *, const char *method, const char *path,
	    const char *body, struct http_response *);
/* "HTTP 403: <AppError message>" for errors; caller frees. */
char	*mm_http_why(const struct http_response *);

/*
 * mattermost_socket.c (loop thread). mm_ws_cb is mm->ws.cb; mm_connect
 * opens the socket (resuming when it can) or schedules a retry.
 */
int	 mm_ws_cb(struct loop_ws *, struct lws *, int reason, void *in,
	    size_t len);
void	 mm_connect(struct mattermost *);
/* Tries mm_connect again later, later each time. */
void	 mm_schedule_retry(struct mattermost *);

/*
 * mattermost_identify.c. mm_identify (start): users/me, then slash
 * commands and channels. MM_ID_DOWN (no answer, 5xx) is logged and leaves
 * mm->unidentified set: mm_connect then calls mm_identify_late (loop
 * thread), which asks again on a worker and connects once it answers.
 * Otherwise *cause (may be NULL) unless MM_ID_OK.
 */
enum mm_id {
	MM_ID_OK,
	MM_ID_DOWN,		/* no answer, or 5xx: retry */
	MM_ID_REFUSED,		/* the token: a person must fix it */
	MM_ID_BAD,		/* a channel, a wrong URL: the config */
};
enum mm_id mm_identify(struct mattermost *, char **cause);
void	 mm_identify_late(struct mattermost *);

/*
 * mattermost_actions.c. POST /mattermost/action (httpd route; arg is the
 * mattermost): a button click, run as the person who clicked.
 */
void	 mm_action(void *arg, const struct httpd_request *,
	    struct httpd_response *);
/*
 * Fills mm->action_token from DATA_DIR/mattermost-actions.key, or makes
 * one and keeps it there; -1 with *cause only when there is none at all.
 */
int	 mm_action_secret(struct mattermost *, char **cause);
/* Where buttons send clicks (caller frees), or NULL: no buttons. */
char	*mm_actions_url(struct mattermost *);

/*
 * mattermost_commands.c. mm_commands_start builds mm->triggers from the
 * config (at start, before the server is asked anything, so that the
 * slash route always has them); mm_commands_register, with register_*,
 * registers (or repairs) each once users/me has answered and takes its
 * token. A trigger that cannot be registered is logged and kept in
 * mm->register_error for /status; it is not fatal (mentions, buttons and
 * alerts go on).
 */
void	 mm_commands_start(struct mattermost *);
void	 mm_commands_register(struct mattermost *);
void	 mm_commands_free(struct mattermost *);
/* POST /mattermost/command (httpd route; arg is the mattermost). */
void	 mm_slash(void *arg, const struct httpd_request *,
	    struct httpd_response *);
/*
 * mattermost_private.c. Delivers an ephemeral outbox body ({"user_id",
 * "post"}) that posts/ephemeral refused (refused) as a thread reply, or
 * a direct message; r (zeroed by the caller, who releases it) gets the
 * answer of the post, untouched when none was tried. Worker thread.
 * Returns 0 when it was posted.
 */
/*
 * Where a slash command's answer goes when its response URL is gone (the
 * channel and the asker), kept in the queued body (chat_fallback.h, with
 * these names); mm_response_fallback posts it in the channel instead.
 */
extern const struct chat_fallback_keys mm_fallback_keys;
int	 mm_response_fallback(struct mattermost *, const char *body,
	    struct http_response *);
int	 mm_private_fallback(struct mattermost *, const char *body,
	    const struct http_response *refused, struct http_response *r);
/*
 * mattermost_channels.c. Resolves the channels of "mattermost:" alert
 * routes (~name, TEAM/~name or an id) and checks the bot is in each;
 * returns -1 with *cause (may be NULL) naming the route otherwise.
 */
int	 mm_channels_start(struct mattermost *, char **cause);
void	 mm_channels_free(struct mattermost *);
/* The id for a receiver as configured (itself when not resolved). */
const char *mm_channel_id(const struct mattermost *, const char *spec);
/* "the bot is not a member of ~alerts (HTTP 403: ...)"; caller frees. */
char	*mm_channel_refused(const struct mattermost *, const char *id,
	    const struct http_response *);
/*
 * mattermost_mention.c. msg without its first mention of username (any
 * case, trailing punctuation dropped), or NULL if it has none; caller
 * frees.
 */
char	*mm_mention_strip(const char *msg, const char *username);
/* chat_ops.cmd_prefix: "/opsbot " unless name has its own trigger. */
const char *mm_cmd_prefix(struct chat *, const char *name);
/*
 * mattermost_start.c: the outbox's loop-thread send (outbox_start_fn),
 * a slash command's answer on its response URL.
 */
struct http_loop;
struct outbox_item;
struct outbox_result;
int	 mm_send_start(void *, struct http_loop *, const struct outbox_item *,
	    struct outbox_result *, void (*)(void *, int), void *);

#endif

/*
 * Private to the Slack adapter (slack.c, slack_web.c, slack_socket.c,
 * slack_events.c): the adapter's state and the calls between its parts.
 * Nothing outside adapters/chat/slack*.c includes it.
 */

#ifndef OPSBOT_SLACK_INT_H
#define OPSBOT_SLACK_INT_H

#include <cjson/cJSON.h>
#include <libwebsockets.h>
#include <stdint.h>

#include "buf.h"
#include "chat.h"
#include "chat_capture.h"
#include "http.h"
#include "loop.h"
#include "outbox.h"

#define SLACK_RX_MAX		(1024 * 1024)	/* one JSON message */
#define SLACK_DEDUP		1024		/* keys remembered */
#define SLACK_DEDUP_MS		(15 * 60 * 1000)
#define SLACK_DEDUP_BUCKETS	2048		/* a power of two */
#define SLACK_HTTP_TIMEOUT_MS	10000


/* A command waiting for its ack to be written (a click may hold more). */
struct slack_cmd {
	char			*user_id;
	char			*user_name;
	char			*channel;
	char			*channel_name;
	char			*reply_to;
	char			*text;
	char			*source_id;	/* a click: message ts */
	char			*thread;	/* thread_ts typed in, or NULL */
	int			 click;
	int			 plain;		/* a thread reply, not a command */
	struct slack_cmd	*next;
};

struct slack_frame {
	char			*data;
	size_t			 len;
	char			 key[96];	/* dedup key, remembered once sent */
	struct slack_cmd	*cmd;		/* dispatched once written */
	struct slack_frame	*next;
};

struct slack_conn {
	struct loop_ws		 ws;		/* first: loop.c calls ws.cb */
	struct slack		*sl;
	struct lws		*wsi;
	struct buf		 rx;
	int			 rx_overflow;
	struct slack_frame	*txq, *txq_tail;
	struct slack_frame	*ready, *ready_tail;	/* acked, to run */
	int			 hello;
	int			 retiring;	/* replaced; close after hello */
	int			 close_drained;	/* close once its acks are out */
	struct slack_conn	*next;
};

struct slack_seen {
	char	 key[96];
	int64_t	 at;
};

#define SLACK_CHANNELS_MAX	64

struct slack {
	struct chat		*chat;
	struct bot		*bot;
	const char		*api_url;	/* borrowed from the config */
	const char		*app_token;
	const char		*bot_token;
	char			 bot_user_id[32];
	char			 bot_id[32];
	struct slack_conn	*conns;
	int			 opening;	/* a URL fetch is under way */
	int			 stopping;
	unsigned short		 retry_count;
	lws_sorted_usec_list_t	 retry_sul;
	int			 retry_armed;
	int			 unidentified;	/* API down at start */
	struct slack_seen	 seen[SLACK_DEDUP];
	uint32_t		 seen_hash[SLACK_DEDUP];	/* seen[i].key's */
	/* Slot + 1 of a bucket's first key, and of each key's next. */
	uint16_t		 seen_bucket[SLACK_DEDUP_BUCKETS];
	uint16_t		 seen_chain[SLACK_DEDUP];
	size_t			 seen_next;
	uint64_t		 envelopes, duplicates, connects, clicks;
	uint64_t		 ack_answers;	/* answers that rode an ack */
	struct chat_capture	*capture;	/* loop thread, or NULL */
	/* Alert channels named in the config, resolved at start. */
	struct {
		char	*name;		/* "#ops-alerts" */
		char	*id;		/* "C0ALERTS" */
	}			 chans[SLACK_CHANNELS_MAX];
	size_t			 nchans;
};

enum slack_id {
	SLACK_ID_OK,
	SLACK_ID_DOWN,		/* no answer, or 5xx: retry */
	SLACK_ID_REFUSED,	/* the bot token: a person must fix it */
	SLACK_ID_BAD,		/* a channel, a wrong URL: the config */
};

/* slack_web.c: the Web API (blocking: start-up or workers). */
/* Returns the parsed JSON (caller frees), or NULL with *cause. */
cJSON		*slack_api(const char *, const char *, const char *,
		    const char *, struct http_response *, char **);
const char	*slack_json_str(const cJSON *, const char *);
int		 slack_json_ok(const cJSON *);
int		 slack_error_is_fatal(const char *);
/* The outbox's loop-thread send: response URLs (slack_web.c). */
int		 slack_send_start(void *, struct http_loop *,
		    const struct outbox_item *, struct outbox_result *,
		    void (*)(void *, int), void *);
void		 slack_send(void *, const struct outbox_item *,
		    struct outbox_result *);
enum slack_id	 slack_identify(struct slack *, char **);
int		 slack_identify_late(struct slack *);
/* A copy of s (caller frees), or NULL for NULL. */
char		*slack_dup(const char *);

/* slack_socket.c: the Socket Mode connections, on the loop thread. */
void		 slack_open(struct slack *);
void		 slack_schedule_retry(struct slack *);
void		 slack_cmd_free(struct slack_cmd *);
void		 slack_conn_free(struct slack_conn *);

/* slack_events.c: envelopes to commands (caller frees with slack_cmd_free). */
void		 slack_dispatch(struct slack *, struct slack_cmd *);
int		 slack_seen(struct slack *, const char *);
void		 slack_seen_add(struct slack *, const char *);
struct slack_cmd *slack_from_slash(struct slack *, const cJSON *);
struct slack_cmd *slack_from_event(struct slack *, const cJSON *);
struct slack_cmd *slack_from_interactive(struct slack *, const cJSON *);

#endif

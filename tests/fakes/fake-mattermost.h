/*
 * fake-mattermost: what its files share (see fake-mattermost.c). Not a
 * library: the private header of one program.
 */
#ifndef FAKE_MATTERMOST_H
#define FAKE_MATTERMOST_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>
#include <libwebsockets.h>

#include "fakehttp.h"

enum {
	MAX_WS_MESSAGE = 8 << 10,   /* Mattermost: SocketMaxMessageSizeKb */
	KEEP_EVENTS = 128,          /* Mattermost: deadQueueSize */
	MAX_SESSIONS = 64,          /* connection ids kept */
	AUTH_TIMEOUT_MS = 5000,     /* Mattermost: authCheckInterval */
	HOOK_USES = 5,              /* uses per response URL */
	HOOK_LIFETIME_S = 30 * 60,  /* response URL lifetime */
	SLASH_TIMEOUT_MS = 5000,    /* slash delivery bound */
	MAX_SLASH_ANSWER = 1 << 20, /* bot's answer kept up to this */
	MAX_MESSAGE_RUNES = 16383,  /* Mattermost: PostMessageMaxRunesV2 */
	PENDING_TTL_MS = 30000,     /* Mattermost: PendingPostIDsCacheTTL */
};

#define BOT_USER_ID    "botuserid00000000000000000"
#define BOT_USERNAME   "opsbot"
#define JDOE_ID        "user0jdoe00000000000000000"
#define TEAM_ID        "teamacme000000000000000000"
#define TEAM_NAME      "acme"
#define CHAN_PROD      "chanopsprod000000000000000"
#define CHAN_ALERTS    "chanopsalerts0000000000000"
#define CHAN_QUIET     "chanopsquiet00000000000000" /* bot not a member */
#define SERVER_VERSION "9.11.0.12345.fakeconfighash.false"
#define FAKE_HOST      "fake-mm-1"
#define JSON_TYPE      "application/json"
#define PING_PAYLOAD   "ping from " FAKE_HOST
#define SLASH_PCOL     "fake-mm-slash"
#define WS_PATH        "/api/v4/websocket"

_Static_assert(sizeof(BOT_USER_ID) == 27, "ids are 26 chars");
_Static_assert(sizeof(JDOE_ID) == 27, "ids are 26 chars");
_Static_assert(sizeof(TEAM_ID) == 27, "ids are 26 chars");
_Static_assert(sizeof(CHAN_PROD) == 27, "ids are 26 chars");
_Static_assert(sizeof(CHAN_ALERTS) == 27, "ids are 26 chars");
_Static_assert(sizeof(CHAN_QUIET) == 27, "ids are 26 chars");

/*
 * A Mattermost connection id with its event numbering and the last
 * KEEP_EVENTS events (the server's dead queue). It outlives its socket so
 * that a client can resume it. Its socket's conn->user points back to it.
 */
struct session {
	struct session *next;
	char id[27];
	int64_t next_seq;
	char *ring[KEEP_EVENTS]; /* event seq s in ring[s % KEEP_EVENTS] */
	struct conn *conn;       /* open socket, or NULL */
};

struct post {
	char id[27], channel_id[80], root_id[80], user_id[80];
	char *message, *type, *pending_id;
	cJSON *props;
	int64_t create_at, update_at, edit_at;
};

struct hook {
	int64_t created_us;
	int uses;
};

struct pss;

/* One slash command delivered to the bot over HTTP. */
struct slash_job {
	struct slash_job *next;
	int id;
	struct lws *wsi;      /* HTTP client connection, NULL once closed */
	struct lws *waiter;   /* control request waiting for the result */
	struct pss *waiter_pss;
	int is_post, body_sent, done, closed;
	int is_click; /* a button click: JSON body, no auth, click_results */
	int connecting; /* inside lws_client_connect_via_info(): keep j */
	char host[64], path[2048], auth[600];
	int port;
	char *form;
	struct buf answer;
	int status;
	char ctype[128];
	int64_t t0_us;
	cJSON *rec; /* the slash_results entry */
	lws_sorted_usec_list_t sul;
};

struct channel {
	const char *id, *name, *display;
	int bot_member; /* _control/membership changes it */
};

extern struct channel channels[];
extern const size_t n_channels;

/* The fake's state; fakehttp's fs holds the sockets and the rules. */
struct mattermost {
	const char *token;
	int auth_timeout_ms;
	struct session *sessions;
	int n_sessions;
	struct post **posts;
	int n_posts, cap_posts;
	int64_t last_ms;
	struct hook *hooks;
	int n_hooks, cap_hooks;
	struct slash_job *jobs;
	int n_jobs;
	int n_sess, n_cmd, n_trigger;
	/* records (cleared by reset) */
	int auth_header, auth_challenge, auth_failed, auth_timeouts;
	int replayed, resumes, app_pings;
	cJSON *rec_posts, *patches, *responses, *slash_results, *calls;
	cJSON *ephemerals, *click_results;
	cJSON *last_buttons; /* newest bot message with buttons */
	int no_ephemeral; /* the bot lacks create_post_ephemeral */
	int lose_posts;   /* creates whose answer is lost (504) */
	int slow_posts, slow_ms; /* creates answered slow_ms late */
	int deduped;      /* creates answered from pending_post_id */
	cJSON *actions;
	/* server state (kept by reset) */
	cJSON *commands, *dms;
	cJSON *dead_buttons; /* buttons the click route cannot reach */
};

extern struct mattermost g;

/* A request: fakehttp's part, then what this fake reads of it. */
struct pss {
	struct req q;
	char accept[128];
	char access_token[128];
	char team_q[128]; /* ?team_id= */
	int arg_binary, arg_status, set_online;
	struct slash_job *wait; /* the slash result this request waits for */
};

/* fake-mattermost.c */
int valid_id(const char *s);
size_t utf8_runes(const char *s);
void records_new(void);
void records_free(void);
int64_t next_ms(void);
struct channel *channel_by_id(const char *id);
int is_dm(const char *id);
void dm_name(const char *chan_id, char *out, size_t len);
cJSON *channel_json(const struct channel *c);
struct post *post_new(void);
struct post *post_find(const char *id);
cJSON *post_json(const struct post *p);
int mentions_bot(const char *msg);

/* fake-mattermost-ws.c */
cJSON *broadcast_new(const char *user_id, const char *channel_id,
                     const char *team_id);
int64_t session_first_kept(const struct session *s);
void session_free(struct session *s);
void session_unlink(struct session *s);
int64_t broadcast_event(const char *event, const cJSON *data, const cJSON *bc,
                        int *delivered, int *queued, cJSON *seqs);
int64_t emit_posted(const struct post *p, const char *sender,
                    const char *chan_type, const char *chan_name,
                    const char *chan_display, const char *team_id,
                    const cJSON *mentions, int set_online, int *delivered,
                    int *queued, cJSON *seqs);
void channel_fields(const char *id, const char **type, const char **name,
                    const char **display, const char **team, char *dmbuf,
                    size_t dmlen);
void ws_free(struct conn *c);
void handle_ws_request(struct conn *c);
void ws_open(struct lws *wsi, struct req *q, struct conn *c);

/* fake-mattermost-api.c */
void reply_app_error(struct reply *r, int status, const char *id,
                     const char *msg);
void form_encode(struct buf *b, const char *s);
const char *request_token(const char *auth, const char *query_token);
cJSON *body_json(const struct pss *pss, int want_array);
void reply_bad_body(struct reply *r, const char *what);
void reply_not_found(struct reply *r);
void api(const struct pss *pss, struct reply *r);
void new_hook(char *url, size_t len, char *id, size_t idlen);
void hook_request(const struct pss *pss, struct reply *r);

/* fake-mattermost-posts.c */
int action_id_routable(const char *id);
void note_buttons(const cJSON *attachments, const char *post_id,
                  const char *channel_id);
void reply_permission_error(struct reply *r, const char *permission);
void api_ephemeral_post(const struct pss *pss, struct reply *r);
void api_create_post(const struct pss *pss, struct reply *r);
void api_patch_post(const struct pss *pss, const char *id, struct reply *r);

/* fake-mattermost-slash.c */
int slash_cb(struct lws *wsi, enum lws_callback_reasons reason, void *user,
             void *in, size_t len);
int control_slash(struct lws *wsi, struct pss *pss, const cJSON *in,
                  struct reply *r);
int control_click(struct lws *wsi, struct pss *pss, const cJSON *in,
                  struct reply *r);
void control_echo(struct lws *wsi, const struct pss *pss, struct reply *r);

/* fake-mattermost-control.c */
int control(struct lws *wsi, struct pss *pss, const char *what,
            struct reply *r);

/* fake-mattermost-client.c */
int client_main(int argc, char **argv);

#endif

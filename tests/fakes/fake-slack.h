/*
 * fake-slack: what its files share (see fake-slack.c). Not a library:
 * the private header of one program.
 */
#ifndef FAKE_SLACK_H
#define FAKE_SLACK_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>
#include <libwebsockets.h>

#include "fakehttp.h"

enum {
	CUT_API_BODY = 1 << 20,   /* larger Web API calls: cut */
	TEXT_MAX = 40000,         /* chat.postMessage text: msg_too_long */
	SECTION_MAX = 3000,       /* Block Kit limits: invalid_blocks */
	FIELD_MAX = 2000,
	BLOCKS_MAX = 50,
	MAX_WS_MESSAGE = 1 << 20, /* from the bot; larger closes */
	MAX_RAW_SIZE = 64 << 20,  /* /_control/raw?size= cap */
	RESPONSE_URL_USES = 5,    /* Slack: 5 uses per URL */
	EVENT_RETRIES = 3,        /* Slack: at most 3 redeliveries */
	CLOSE_AFTER_MS = 10000,   /* socket close after disconnect */
};

#define FAKE_HOST    "fake-1"
#define APP_ID       "A0TEST"
#define TEAM_ID      "T0001"
#define BOT_USER_ID  "U0BOT"
#define BOT_ID       "B0BOT"
#define TS_SECONDS   1700000000
#define PING_PAYLOAD "Ping from " FAKE_HOST

struct field {
	const char *key, *dflt; /* dflt NULL: only when given */
};

enum env_kind { ENV_EVENT, ENV_SLASH, ENV_INTERACTIVE };
enum env_state { ES_QUEUED, ES_SENDING, ES_PENDING, ES_ACKED, ES_UNACKED };

extern const char *const kind_names[];
extern const char *const state_names[];
/* Form keys Slack takes as JSON text (blocks in a form body). */
extern const char *const form_json_keys[];

struct envelope {
	struct envelope *next, *prev;
	enum env_kind kind;
	enum env_state state;
	char id[48];
	char event_id[32];
	int retry_attempt;
	int conn_id; /* connection it was last pushed to */
	int acks;
	int64_t sent_us; /* when it was last written */
	cJSON *msg;
	lws_sorted_usec_list_t sul;
};

/* The fake's state; fakehttp's fs holds the sockets and the rules. */
struct slack {
	const char *app_token, *bot_token;
	long ts_seconds; /* seconds part of every ts (--ts-seconds) */
	int ack_timeout_ms;
	struct envelope *envs, *envs_tail;
	int reject_count;
	char reject_error[64];
	int n_open_calls, n_ticket, n_env, n_event, n_ts, n_resp;
	int *resp_uses;
	int64_t *resp_created; /* per response URL: when it was handed out */
	char **resp_source;    /* per response URL of a click: message ts */
	int resp_cap;
	int cuts; /* Web API calls whose connection was cut */
	char slow_method[64]; /* its answers wait slow_ms (the work is done) */
	int slow_ms, slow_count;
	cJSON *acks, *unacked, *posts, *updates, *responses, *tickets;
	cJSON *ephemerals, *replaced;
	cJSON *calls;
	cJSON *last_buttons; /* newest message with buttons, for click */
	cJSON *chain;        /* slash "chain": pushed again per answer */
	int chain_left;
	int *api_ports; /* client ports seen on /api/ and /response/ */
	int n_api_ports, api_ports_cap;
};

extern struct slack g;

/* Pushes one slash command as /_control/slash describes (r may be NULL). */
void control_slash_one(const cJSON *in, struct reply *r, int last);

/* A request: fakehttp's part, then the query arguments the fake reads. */
struct pss {
	struct req q;
	char arg_size[32];
	int arg_binary;
};

/* fake-slack.c */
cJSON *merge_fields(const cJSON *in, const struct field *f, size_t n);
void records_new(void);
void records_free(void);
void next_ts(char *ts, size_t len);
int new_response_url(char *url, size_t len);
struct envelope *env_new(enum env_kind kind, cJSON *payload,
                         const char *event_id);
void conn_close_timer(lws_sorted_usec_list_t *sul);

/* fake-slack-api.c */
void api(const struct pss *pss, const char *method, struct reply *r);
void response_url(const struct pss *pss, const char *rest, struct reply *r);
void note_response(const char *url, int n, cJSON *body, int json,
                   const char *via);

/* fake-slack-control.c */
void control(const struct pss *pss, const char *what, struct reply *r);

/* fake-slack-client.c */
int client_main(int argc, char **argv);

#endif

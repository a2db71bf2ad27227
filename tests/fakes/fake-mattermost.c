/*
 * fake-mattermost: a stand-in for a Mattermost server in integration tests.
 * One process serves, on one loopback port, the REST calls the bot makes
 * under /api/v4, the websocket at /api/v4/websocket (hello, posted events,
 * replies to the bot's requests, lossless resume), the response URLs of
 * slash commands (/hooks/commands/ID), and a control API through which a
 * test pushes posts, delivers slash commands to the bot, injects failures
 * and reads back what the bot did. Wire formats follow docs/protocols.md
 * §4 and §5.
 *
 * usage: fake-mattermost PORTFILE [--token T] [--lifetime-s N]
 *                        [--auth-timeout-ms N] [--port N] [--verbose]
 *        fake-mattermost --client URL [--token T] [--scheme Bearer|Token]
 *                        [--challenge T] [--send TEXT]... [--resume]
 *                        [--resume-delay-ms N] [--seconds N]
 *
 * Server: binds 127.0.0.1 on an ephemeral port (or --port N), writes the
 * port and a newline to PORTFILE (temporary file and rename), and serves until SIGTERM
 * or SIGINT, or for --lifetime-s seconds (600 at most). One line per request
 * and per websocket event goes to stderr. Single-threaded: everything runs
 * on the libwebsockets service loop, including the HTTP client that
 * delivers slash commands. fakehttp.c holds the plumbing it shares with
 * fake-slack; tests/fakes/README.md lists the endpoints and the control API.
 *
 * Client (--client): a tiny Mattermost websocket client for the self-test.
 * Prints each message it receives on one line of stdout (binary ones as
 * "BINARY n", text over 64 KiB as "TEXT n") and its own events as lines
 * starting with "# ", checks the event sequence, can authenticate by header
 * or by challenge, and can resume once with connection_id/sequence_number.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake-mattermost.h"

struct mattermost g = {
	.token = "tok-bot",
	.auth_timeout_ms = AUTH_TIMEOUT_MS,
};

/* A Mattermost id: 26 characters of [a-z0-9]. */
int
valid_id(const char *s)
{
	return strlen(s) == 26 &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789") == 26;
}

size_t
utf8_runes(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

/* ------------------------------------------------------------------------
 * Server state
 */

void
records_new(void)
{
	g.rec_posts = cJSON_CreateArray();
	g.patches = cJSON_CreateArray();
	g.responses = cJSON_CreateArray();
	g.slash_results = cJSON_CreateArray();
	g.ephemerals = cJSON_CreateArray();
	g.click_results = cJSON_CreateArray();
	g.last_buttons = NULL;
	g.no_ephemeral = 0;
	g.lose_posts = g.deduped = 0;
	g.slow_posts = g.slow_ms = 0;
	g.calls = cJSON_CreateObject();
	g.actions = cJSON_CreateObject();
	g.replayed = g.resumes = g.app_pings = 0;
	fh_records_reset();
	g.auth_failed = g.auth_timeouts = 0;
}

void
records_free(void)
{
	cJSON_Delete(g.rec_posts);
	cJSON_Delete(g.patches);
	cJSON_Delete(g.responses);
	cJSON_Delete(g.slash_results);
	cJSON_Delete(g.ephemerals);
	cJSON_Delete(g.click_results);
	cJSON_Delete(g.last_buttons);
	cJSON_Delete(g.calls);
	cJSON_Delete(g.actions);
}

/* Epoch ms, strictly increasing over all posts and edits. */
int64_t
next_ms(void)
{
	int64_t t = now_ms();

	if (t <= g.last_ms)
		t = g.last_ms + 1;
	g.last_ms = t;
	return t;
}

/* ------------------------------------------------------------------------
 * Teams, channels, direct messages
 */

struct channel channels[] = {
	{ CHAN_PROD, "ops-prod", "Ops Prod", 1 },
	{ CHAN_ALERTS, "ops-alerts", "Ops Alerts", 1 },
	{ CHAN_QUIET, "ops-quiet", "Ops Quiet", 0 },
};

const size_t n_channels = sizeof(channels) / sizeof(channels[0]);

struct channel *
channel_by_id(const char *id)
{
	size_t i;

	for (i = 0; i < n_channels; i++)
		if (!strcmp(id, channels[i].id))
			return &channels[i];
	return NULL;
}

/* Direct message channels: any id starting with "dm". */
int
is_dm(const char *id)
{
	size_t n = strlen(id);

	return n > 2 && n < 64 && !strncmp(id, "dm", 2);
}

/* "<user a>__<user b>", the ids in order, as Mattermost names DMs. */
void
dm_name(const char *chan_id, char *out, size_t len)
{
	const char *other = jstr(g.dms, chan_id);

	if (!other)
		other = JDOE_ID;
	if (strcmp(BOT_USER_ID, other) < 0)
		snprintf(out, len, "%s__%s", BOT_USER_ID, other);
	else
		snprintf(out, len, "%s__%s", other, BOT_USER_ID);
}

cJSON *
channel_json(const struct channel *c)
{
	cJSON *j = cJSON_CreateObject();

	cJSON_AddStringToObject(j, "id", c->id);
	cJSON_AddNumberToObject(j, "create_at", 1700000000000.0);
	cJSON_AddNumberToObject(j, "update_at", 1700000000000.0);
	cJSON_AddNumberToObject(j, "delete_at", 0);
	cJSON_AddStringToObject(j, "team_id", TEAM_ID);
	cJSON_AddStringToObject(j, "type", "O");
	cJSON_AddStringToObject(j, "display_name", c->display);
	cJSON_AddStringToObject(j, "name", c->name);
	cJSON_AddStringToObject(j, "header", "");
	cJSON_AddStringToObject(j, "purpose", "");
	cJSON_AddNumberToObject(j, "last_post_at", 0);
	cJSON_AddNumberToObject(j, "total_msg_count", 0);
	cJSON_AddStringToObject(j, "creator_id", "");
	return j;
}

/* ------------------------------------------------------------------------
 * Posts
 */

struct post *
post_new(void)
{
	struct post *p = xcalloc(1, sizeof(*p));

	if (g.n_posts == g.cap_posts) {
		g.cap_posts = g.cap_posts ? g.cap_posts * 2 : 64;
		g.posts = xrealloc(g.posts,
		                   (size_t)g.cap_posts * sizeof(*g.posts));
	}
	g.posts[g.n_posts++] = p;
	snprintf(p->id, sizeof(p->id), "post%022d", g.n_posts);
	p->create_at = p->update_at = next_ms();
	return p;
}

struct post *
post_find(const char *id)
{
	long n;

	if (strlen(id) != 26 || strncmp(id, "post", 4) ||
	    strspn(id + 4, "0123456789") != 22)
		return NULL;
	n = strtol(id + 4, NULL, 10);
	if (n < 1 || n > g.n_posts)
		return NULL;
	return g.posts[n - 1];
}

static void
posts_free(void)
{
	int i;

	for (i = 0; i < g.n_posts; i++) {
		free(g.posts[i]->message);
		free(g.posts[i]->type);
		free(g.posts[i]->pending_id);
		cJSON_Delete(g.posts[i]->props);
		free(g.posts[i]);
	}
	free(g.posts);
}

cJSON *
post_json(const struct post *p)
{
	cJSON *j = cJSON_CreateObject();

	cJSON_AddStringToObject(j, "id", p->id);
	cJSON_AddNumberToObject(j, "create_at", (double)p->create_at);
	cJSON_AddNumberToObject(j, "update_at", (double)p->update_at);
	cJSON_AddNumberToObject(j, "edit_at", (double)p->edit_at);
	cJSON_AddNumberToObject(j, "delete_at", 0);
	cJSON_AddFalseToObject(j, "is_pinned");
	cJSON_AddStringToObject(j, "user_id", p->user_id);
	cJSON_AddStringToObject(j, "channel_id", p->channel_id);
	cJSON_AddStringToObject(j, "root_id", p->root_id);
	cJSON_AddStringToObject(j, "original_id", "");
	cJSON_AddStringToObject(j, "message", p->message);
	cJSON_AddStringToObject(j, "type", p->type ? p->type : "");
	cJSON_AddItemToObject(j, "props", p->props
	                                      ? cJSON_Duplicate(p->props, 1)
	                                      : cJSON_CreateObject());
	cJSON_AddStringToObject(j, "hashtags", "");
	cJSON_AddItemToObject(j, "file_ids", cJSON_CreateArray());
	cJSON_AddStringToObject(j, "pending_post_id",
	                        p->pending_id ? p->pending_id : "");
	cJSON_AddNumberToObject(j, "reply_count", 0);
	cJSON_AddItemToObject(j, "metadata", cJSON_CreateObject());
	return j;
}

/* Does the message mention @opsbot (not @opsbot2, not a@opsbot)? */
int
mentions_bot(const char *msg)
{
	static const char word[] = "@" BOT_USERNAME;
	const char *p = msg;

	while ((p = strstr(p, word))) {
		char before = p > msg ? p[-1] : ' ';
		char after = p[sizeof(word) - 1];

		p += sizeof(word) - 1;
		if ((before >= 'a' && before <= 'z') ||
		    (before >= 'A' && before <= 'Z') ||
		    (before >= '0' && before <= '9') || before == '_')
			continue;
		if ((after >= 'a' && after <= 'z') ||
		    (after >= 'A' && after <= 'Z') ||
		    (after >= '0' && after <= '9') || after == '_' ||
		    after == '-' ||
		    (after == '.' && p[1] && p[1] != ' ' && p[1] != '\n'))
			continue;
		return 1;
	}
	return 0;
}

/* ------------------------------------------------------------------------
 * The server's hooks into fakehttp
 */

static void
mm_begin(struct lws *wsi, struct req *q)
{
	struct pss *pss = lws_container_of(q, struct pss, q);
	char tmp[1024]; /* big enough for any query fragment, see ws_open */
	const char *v;

	pss->wait = NULL;
	if (lws_hdr_copy(wsi, pss->accept, sizeof(pss->accept),
	                 WSI_TOKEN_HTTP_ACCEPT) < 0)
		pss->accept[0] = '\0';
	v = lws_get_urlarg_by_name(wsi, "access_token=", tmp, sizeof(tmp));
	snprintf(pss->access_token, sizeof(pss->access_token), "%s",
	         v ? v : "");
	v = lws_get_urlarg_by_name(wsi, "binary=", tmp, sizeof(tmp));
	pss->arg_binary = v && strcmp(v, "0") != 0;
	v = lws_get_urlarg_by_name(wsi, "status=", tmp, sizeof(tmp));
	pss->arg_status = v ? atoi(v) : 0;
	v = lws_get_urlarg_by_name(wsi, "set_online=", tmp, sizeof(tmp));
	pss->set_online = !v || strcmp(v, "false") != 0;
	v = lws_get_urlarg_by_name(wsi, "team_id=", tmp, sizeof(tmp));
	snprintf(pss->team_q, sizeof(pss->team_q), "%s", v ? v : "");
}

static int
mm_route(struct lws *wsi, struct req *q, struct reply *r)
{
	struct pss *pss = lws_container_of(q, struct pss, q);
	const char *p = q->path;

	if (q->body_over)
		reply_app_error(r, 413, "api.context.request_too_large",
		                "Request body too large.");
	else if (!strncmp(p, "/api/v4/", 8))
		api(pss, r);
	else if (!strncmp(p, "/hooks/commands/", 16))
		hook_request(pss, r);
	else if (!strncmp(p, "/_control/", 10))
		return control(wsi, pss, p + 10, r);
	else
		reply_not_found(r);
	return 0;
}

/*
 * Every answer carries the request id its AppError bodies name. A slowed
 * create (_control/slow) was made at once; only its answer waits, so a
 * test can kill the bot while it waits.
 */
static int
mm_finish(struct req *q, struct reply *r)
{
	reply_header(r, "x-request-id:", "r1");
	if (g.slow_posts > 0 && q->method == M_POST &&
	    !strncmp(q->path, "/api/v4/posts", 13) &&
	    (q->path[13] == '\0' || q->path[13] == '?')) {
		g.slow_posts--;
		return g.slow_ms;
	}
	return 0;
}

static void
mm_http_closed(struct req *q)
{
	struct pss *pss = lws_container_of(q, struct pss, q);

	if (pss->wait) { /* the slash result has nobody to go to */
		pss->wait->waiter = NULL;
		pss->wait->waiter_pss = NULL;
		pss->wait = NULL;
	}
}

static const struct lws_protocols mm_protocols[] = {
	{ SLASH_PCOL, slash_cb, 0, 4096, 0, NULL, 0 },
	{ NULL, NULL, 0, 0, 0, NULL, 0 }
};

static int
mm_args_ok(void)
{
	return *g.token && g.auth_timeout_ms > 0;
}

static void
mm_start(void)
{
	records_new();
	g.commands = cJSON_CreateArray();
	g.dms = cJSON_CreateObject();
	g.dead_buttons = cJSON_CreateArray();
}

/* lws timers die with the context: cancel ours first. */
static void
mm_stop(void)
{
	struct slash_job *j;

	for (j = g.jobs; j; j = j->next)
		lws_sul_cancel(&j->sul);
}

static void
mm_done(void)
{
	struct slash_job *j;
	struct session *s;

	while ((j = g.jobs)) {
		g.jobs = j->next;
		free(j->form);
		buf_free(&j->answer);
		cJSON_Delete(j->rec);
		free(j);
	}
	while ((s = g.sessions)) {
		g.sessions = s->next;
		session_free(s);
	}
	posts_free();
	free(g.hooks);
	records_free();
	cJSON_Delete(g.commands);
	cJSON_Delete(g.dead_buttons);
	cJSON_Delete(g.dms);
}

static const struct fh_opt mm_opts[] = {
	{ "--token", FH_STR, &g.token },
	{ "--auth-timeout-ms", FH_INT, &g.auth_timeout_ms },
};

static const struct fh_ops mm_ops = {
	.usage =
	    "usage: fake-mattermost PORTFILE [--token T] [--lifetime-s N]\n"
	    "                       [--auth-timeout-ms N] [--port N] "
	    "[--verbose]\n"
	    "       fake-mattermost --client URL [--token T] "
	    "[--scheme Bearer|Token]\n"
	    "                       [--challenge T] [--send TEXT]... "
	    "[--resume]\n"
	    "                       [--resume-delay-ms N] [--seconds N]\n",
	.opts = mm_opts,
	.n_opts = sizeof(mm_opts) / sizeof(mm_opts[0]),
	.args_ok = mm_args_ok,
	.start = mm_start,
	.stop = mm_stop,
	.done = mm_done,
	.pss_size = sizeof(struct pss),
	.begin = mm_begin,
	.route = mm_route,
	.finish = mm_finish,
	.http_closed = mm_http_closed,
	.ws_path = WS_PATH,
	.max_ws_message = MAX_WS_MESSAGE,
	.ws_open = ws_open,
	.ws_message = handle_ws_request,
	.ws_free = ws_free,
	.more = mm_protocols,
};

int
main(int argc, char **argv)
{
	return fake_main("fake-mattermost", argc, argv, &mm_ops, client_main);
}

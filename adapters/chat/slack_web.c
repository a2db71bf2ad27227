/*
 * The Slack adapter's Web API client (docs/protocols.md §1): one blocking
 * call with its token, the outbox's sender (chat.postMessage,
 * chat.update, chat.postEphemeral, response URLs, with 429 and Slack's
 * retryable errors told apart), and who the bot is and where its channels
 * are (auth.test, conversations.list) at start or once Slack answers.
 */

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "cause.h"
#include "bot.h"
#include "http.h"
#include "http_loop.h"
#include "log.h"
#include "outbox.h"
#include "slack_fallback.h"
#include "slack_int.h"
#include "slack_posted.h"
#include "xmalloc.h"

/* A 429 without Retry-After waits this long, as Slack's Python SDK does. */
#define SLACK_RETRY_AFTER_S	30

static char	*slack_body_with_ts(const char *, const char *, const char *);

/* ------------------------------------------------------------- Web API */

/*
 * One Web API call with the given token (blocking; start-up or workers).
 * Returns the parsed JSON (caller frees), or NULL with *cause.
 */
cJSON *
slack_api(const char *api_url, const char *token, const char *method,
    const char *body, struct http_response *r, char **cause)
{
	char		*url, *auth;
	const char	*headers[2];
	cJSON		*json;

	xasprintf(&url, "%s%s", api_url, method);
	xasprintf(&auth, "Authorization: Bearer %s", token);
	headers[0] = auth;
	headers[1] = NULL;
	cause_clear(cause);
	if (http_post(url, headers, "application/json; charset=utf-8",
	    body != NULL ? body : "{}", SLACK_HTTP_TIMEOUT_MS, r) != 0) {
		cause_set(cause, "%s: %s", method, r->error);
		json = NULL;
	} else if (r->status != 200) {
		cause_set(cause, "%s: HTTP %ld", method, r->status);
		json = NULL;
	} else if ((json = cJSON_Parse(r->body.data)) == NULL ||
	    !cJSON_IsObject(json)) {
		cause_set(cause, "%s: the answer is not JSON", method);
		cJSON_Delete(json);
		json = NULL;
	}
	explicit_bzero(auth, strlen(auth));
	free(auth);
	free(url);
	return json;
}

const char *
slack_json_str(const cJSON *o, const char *key)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

int
slack_json_ok(const cJSON *o)
{
	return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "ok"));
}

/* Errors after which retrying cannot help (docs/protocols.md §1.1). */
int
slack_error_is_fatal(const char *err)
{
	static const char *const fatal[] = { "not_authed", "invalid_auth",
	    "account_inactive", "user_removed_from_team", "team_disabled",
	    "token_revoked", "link_disabled", NULL };
	size_t	 i;

	for (i = 0; err != NULL && fatal[i] != NULL; i++) {
		if (strcmp(err, fatal[i]) == 0)
			return 1;
	}
	return 0;
}

/* ------------------------------------------------------------- outbox */

/*
 * A response URL's answer as a result, on a worker or on the loop
 * thread; 0, or 1 for a 404 (used up or expired), which the caller
 * handles. The outcomes shared with the Web API's are told first.
 */
static int
slack_response_verdict(const struct http_response *resp,
    struct outbox_result *r)
{
	/* Without Retry-After, a 429 waits as Slack's Python SDK does. */
	if (outbox_http_failure(resp, r, SLACK_RETRY_AFTER_S))
		;
	else if (resp->status == 404)
		return 1;
	else {
		/* A response URL answers "ok" (or JSON). */
		r->verdict = resp->status == 200 ? OUTBOX_SENT :
		    OUTBOX_REJECTED;
		if (resp->status != 200)
			xasprintf(&r->error, "response URL: HTTP %ld",
			    resp->status);
	}
	return 0;
}

/* A response URL's answer sent from the loop thread (slack_send_start). */
struct slack_start_job {
	struct outbox_result	*r;
	void			(*done)(void *, int);
	void			*done_arg;
};

static void
slack_start_done(void *arg, const struct http_response *resp, int cancelled)
{
	struct slack_start_job	*j = arg;

	/* A 404 goes to the channel: the Web API, on a worker. */
	if (!cancelled && slack_response_verdict(resp, j->r))
		j->r->blocking = 404;
	j->done(j->done_arg, cancelled);
	free(j);
}

/*
 * outbox_start_fn: a response URL's answer is one POST, sent from the
 * loop thread; everything else (posts with their lookup, updates,
 * ephemerals) stays with slack_send on a worker.
 */
int
slack_send_start(void *arg, struct http_loop *http,
    const struct outbox_item *it, struct outbox_result *r,
    void (*done)(void *, int), void *done_arg)
{
	struct slack_start_job	*j;
	char			*body;
	int			 rc;

	(void)arg;
	if (strcmp(it->kind, "response") != 0 || it->target == NULL)
		return 0;
	j = xcalloc(1, sizeof *j);
	j->r = r;
	j->done = done;
	j->done_arg = done_arg;
	/* Where to go if the URL is gone stays with us. */
	body = chat_fallback_strip(it->body);
	rc = http_loop_post(http, it->target,
	    "application/json; charset=utf-8", body, SLACK_HTTP_TIMEOUT_MS,
	    slack_start_done, j);
	free(body);
	if (rc != 0) {
		free(j);
		return 0;
	}
	return 1;
}

/* Sends one outbox row: chat.postMessage, chat.update or a response URL. */
void
slack_send(void *arg, const struct outbox_item *it, struct outbox_result *r)
{
	struct slack		*sl = arg;
	struct http_response	 resp;
	cJSON			*json = NULL;
	const char		*err, *ts;
	char			*cause = NULL;
	int			 response = strcmp(it->kind, "response") == 0;
	int			 update = strcmp(it->kind, "update") == 0;
	char			*body = NULL;

	if ((update || strcmp(it->kind, "thread") == 0) && it->target != NULL)
		body = slack_body_with_ts(it->body, update ? "ts" :
		    "thread_ts", it->target);
	if ((strcmp(it->kind, "post") == 0 || strcmp(it->kind, "thread") ==
	    0) && it->id > 0 && slack_posted_before(sl->api_url, sl->bot_token,
	    it, &body, r))
		return;
	if (response && it->loop_status == 404) {
		/* The loop thread's try found the URL used up: not again. */
		memset(&resp, 0, sizeof resp);
		buf_init(&resp.body);
		resp.status = 404;
	} else if (response) {
		/* Where to go if the URL is gone stays with us. */
		body = chat_fallback_strip(it->body);
		http_post(it->target, NULL, "application/json; charset=utf-8",
		    body, SLACK_HTTP_TIMEOUT_MS, &resp);
	} else
		json = slack_api(sl->api_url, sl->bot_token,
		    update ? "chat.update" :
		    strcmp(it->kind, "ephemeral") == 0 ? "chat.postEphemeral" :
		    "chat.postMessage", body != NULL ? body : it->body, &resp,
		    &cause);
	free(body);
	if (response) {
		if (slack_response_verdict(&resp, r))
			/* Used up (5 uses) or expired (30 min): the channel. */
			slack_fallback_post(sl->api_url, sl->bot_token,
			    it->body, "response URL: HTTP 404 (used up or "
			    "expired)", r);
	} else if (outbox_http_failure(&resp, r, SLACK_RETRY_AFTER_S))
		;
	else if (resp.status != 200) {
		/* 4xx, JSON or not: the request itself is wrong. */
		r->verdict = OUTBOX_REJECTED;
		r->error = cause;
		cause = NULL;
	} else if (json == NULL) {
		r->verdict = OUTBOX_RETRY;
		r->error = cause;
		cause = NULL;
	} else if (slack_json_ok(json)) {
		r->verdict = OUTBOX_SENT;
		if ((ts = slack_json_str(json, "ts")) != NULL ||
		    (ts = slack_json_str(json, "message_ts")) != NULL)
			r->platform_id = xstrdup(ts);
	} else {
		err = slack_json_str(json, "error");
		r->error = xstrdup(err != NULL ? err : "unknown error");
		if (err != NULL && strcmp(err, "ratelimited") == 0) {
			r->verdict = OUTBOX_RATE_LIMITED;
			r->retry_after_ms = 30000;
		} else if (err != NULL && (strcmp(err, "internal_error") == 0 ||
		    strcmp(err, "fatal_error") == 0 ||
		    strcmp(err, "service_unavailable") == 0 ||
		    strcmp(err, "request_timeout") == 0))
			r->verdict = OUTBOX_RETRY;
		else
			r->verdict = OUTBOX_REJECTED;
	}
	free(cause);
	cJSON_Delete(json);
	http_response_release(&resp);
}

/* ------------------------------------------------------ identity */

/*
 * Resolves a channel named in the config ("#ops-alerts") with
 * conversations.list. Returns its id (caller frees), or NULL and *cause:
 * unknown, or the bot is not a member (it could not post there).
 */
static char *
slack_resolve_channel(struct slack *sl, const char *name, char **cause)
{
	struct http_response	 r;
	cJSON			*json, *ch, *req;
	const cJSON		*list, *meta;
	const char		*cursor_v, *want = name + (name[0] == '#');
	char			*body, *cursor = xstrdup(""), *id = NULL;
	int			 found = 0, failed = 0, pages;

	cause_clear(cause);
	for (pages = 0; pages < 50 && !found && !failed; pages++) {
		/* Built with cJSON: the cursor is Slack's text, not ours. */
		req = cJSON_CreateObject();
		cJSON_AddStringToObject(req, "types",
		    "public_channel,private_channel");
		cJSON_AddBoolToObject(req, "exclude_archived", 1);
		cJSON_AddNumberToObject(req, "limit", 1000);
		if (*cursor != '\0')
			cJSON_AddStringToObject(req, "cursor", cursor);
		body = cJSON_PrintUnformatted(req);
		cJSON_Delete(req);
		json = slack_api(sl->api_url, sl->bot_token,
		    "conversations.list", body, &r, cause);
		free(body);
		http_response_release(&r);
		if (json == NULL) {
			failed = 1;
			break;
		}
		if (!slack_json_ok(json)) {
			cause_set(cause, "conversations.list: %s",
			    slack_json_str(json, "error") != NULL ?
			    slack_json_str(json, "error") : "?");
			cJSON_Delete(json);
			failed = 1;
			break;
		}
		list = cJSON_GetObjectItemCaseSensitive(json, "channels");
		cJSON_ArrayForEach(ch, list) {
			if (slack_json_str(ch, "name") == NULL ||
			    strcmp(slack_json_str(ch, "name"), want) != 0)
				continue;
			found = 1;
			if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(ch,
			    "is_member")))
				cause_set(cause, "the bot is not a member of "
				    "#%s; invite it there (/invite @%s)", want,
				    "opsbot");
			else
				id = slack_dup(slack_json_str(ch, "id"));
			break;
		}
		meta = cJSON_GetObjectItemCaseSensitive(json,
		    "response_metadata");
		cursor_v = slack_json_str(meta, "next_cursor");
		free(cursor);
		cursor = xstrdup(cursor_v != NULL ? cursor_v : "");
		cJSON_Delete(json);
		if (*cursor == '\0')
			break;
	}
	free(cursor);
	if (!found && !failed)
		cause_set(cause, "unknown channel #%s", want);
	return id;
}

/*
 * Resolves the Slack channels of a route and its children ("slack:#x")
 * to ids once, at start: an unknown channel, or one without the bot,
 * stops the start with the route that names it.
 */
static int
slack_resolve_route(struct slack *sl, const struct cfg_route *r,
    char **cause)
{
	const char	*name;
	char		*why, *id;
	size_t		 i, j;

	for (i = 0; i < r->channels.n; i++) {
		if (strncmp(r->channels.v[i], "slack:", 6) != 0)
			continue;
		name = r->channels.v[i] + 6;
		for (j = 0; j < sl->nchans; j++) {
			if (strcmp(sl->chans[j].name, name) == 0)
				break;
		}
		if (j < sl->nchans || sl->nchans == SLACK_CHANNELS_MAX)
			continue;
		if (name[0] != '#') {
			/* An id already: Slack says at the first post. */
			id = xstrdup(name);
		} else if ((id = slack_resolve_channel(sl, name, &why)) ==
		    NULL) {
			if (r == &sl->bot->cfg->alerts.route &&
			    sl->bot->cfg->alerts.route_from_default)
				cause_set(cause, "slack: alerts.default_channel "
				    "%s: %s", name, why);
			else
				cause_set(cause, "slack: %s.channels: %s: %s",
				    r->path, name, why);
			free(why);
			return -1;
		} else
			log_info("slack", "%s is %s", name, id);
		sl->chans[sl->nchans].name = xstrdup(name);
		sl->chans[sl->nchans++].id = id;
	}
	for (i = 0; i < r->nroutes; i++) {
		if (slack_resolve_route(sl, &r->routes[i], cause) != 0)
			return -1;
	}
	return 0;
}


/*
 * An update or a thread reply gets the ts of the message it is about
 * (resolved by the outbox from "ref:N"): body + ts or thread_ts.
 */
static char *
slack_body_with_ts(const char *body, const char *key, const char *ts)
{
	cJSON	*json = cJSON_Parse(body);
	char	*out;

	if (json == NULL)
		return xstrdup(body);
	cJSON_DeleteItemFromObjectCaseSensitive(json, key);
	cJSON_AddStringToObject(json, key, ts);
	out = cJSON_PrintUnformatted(json);
	cJSON_Delete(json);
	return out;
}
/*
 * auth.test (who the bot is) and the config's channels: at start, or once
 * the Web API answers when it did not then. Sets *cause unless OK.
 */
enum slack_id
slack_identify(struct slack *sl, char **cause)
{
	struct http_response	 r;
	cJSON			*json;
	const char		*v;
	char			*why = NULL;
	long			 status;

	json = slack_api(sl->api_url, sl->bot_token, "auth.test", NULL, &r,
	    &why);
	status = r.status;
	http_response_release(&r);
	if (json == NULL) {
		if (status == 401 || status == 403) {
			cause_set(cause, "slack: the bot token was refused "
			    "(auth.test: HTTP %ld); check chat.slack.bot_token "
			    "(xoxb-...)", status);
			free(why);
			return SLACK_ID_REFUSED;
		}
		cause_set(cause, "slack: cannot reach the Web API at %s (%s)",
		    sl->api_url, why);
		free(why);
		return status == 0 || status >= 500 ? SLACK_ID_DOWN :
		    SLACK_ID_BAD;
	}
	if (!slack_json_ok(json)) {
		v = slack_json_str(json, "error");
		cause_set(cause, "slack: the bot token was refused (auth.test: "
		    "%s); check chat.slack.bot_token (xoxb-...)",
		    v != NULL ? v : "?");
		cJSON_Delete(json);
		return SLACK_ID_REFUSED;
	}
	if ((v = slack_json_str(json, "user_id")) != NULL)
		snprintf(sl->bot_user_id, sizeof sl->bot_user_id, "%s", v);
	if ((v = slack_json_str(json, "bot_id")) != NULL)
		snprintf(sl->bot_id, sizeof sl->bot_id, "%s", v);
	log_info("slack", "bot token ok: user %s, team %s", sl->bot_user_id,
	    (v = slack_json_str(json, "team")) != NULL ? v : "?");
	cJSON_Delete(json);

	/* Channels named in the config must exist and have the bot in. */
	if (slack_resolve_route(sl, &sl->bot->cfg->alerts.route, cause) != 0)
		return SLACK_ID_BAD;
	return SLACK_ID_OK;
}

/*
 * Slack was down at start and apps.connections.open just answered: who
 * the bot is and the channels, now. Returns 0 to go on connecting.
 */
int
slack_identify_late(struct slack *sl)
{
	enum slack_id	 id;
	char		*cause = NULL;

	if ((id = slack_identify(sl, &cause)) == SLACK_ID_OK) {
		sl->unidentified = 0;
		return 0;
	}
	if (id == SLACK_ID_DOWN) {
		log_warn("slack", "%s", cause);
		slack_schedule_retry(sl);
	} else {
		sl->stopping = 1;
		bot_fatal(sl->bot, id == SLACK_ID_REFUSED ? 4 : 3, cause);
	}
	free(cause);
	return -1;
}

char *
slack_dup(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

/*
 * fake-slack: the Web API methods and the response URLs, what the bot
 * talks to (tests/fakes/README.md lists them).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fake-slack.h"

/* The request body as an object; NULL when it is bad JSON. */
static cJSON *
parse_body(const struct pss *pss)
{
	cJSON *j;

	if (!pss->q.body.len)
		return cJSON_CreateObject();
	if (strcasestr(pss->q.ctype, "x-www-form-urlencoded"))
		return parse_form(pss->q.body.p, pss->q.body.len, form_json_keys);
	j = cJSON_ParseWithLength(pss->q.body.p, pss->q.body.len);
	if (cJSON_IsObject(j))
		return j;
	cJSON_Delete(j);
	if (strcasestr(pss->q.ctype, "json"))
		return NULL;
	return parse_form(pss->q.body.p, pss->q.body.len, form_json_keys);
}

/*
 * Checks "Authorization: Bearer <want>". On failure fills r as Slack would:
 * not_authed without a token, not_allowed_token_type for the other kind
 * of token, invalid_auth otherwise.
 */
static int
token_ok(const struct pss *pss, const char *want, const char *other,
         struct reply *r)
{
	const char *t = pss->q.auth;

	if (strncasecmp(t, "Bearer ", 7) != 0 || !t[7]) {
		reply_error(r, 200, "not_authed");
		return 0;
	}
	t += 7;
	while (*t == ' ')
		t++;
	if (!strcmp(t, want))
		return 1;
	reply_error(r, 200,
	            !strcmp(t, other) ? "not_allowed_token_type"
	                              : "invalid_auth");
	return 0;
}

/* Consumes a failure rule for method, if one is armed. */
static int
rate_limited(const char *method, struct reply *r)
{
	struct rule *ru = rules_take(method, NULL);

	if (!ru)
		return 0;
	if (ru->status && ru->status != 429) {
		char body[64];

		snprintf(body, sizeof(body), "%d fake-slack: server error\n",
		         ru->status);
		reply_set(r, ru->status, "text/plain; charset=utf-8", body);
	} else {
		reply_error(r, 429, "ratelimited");
		if (ru->retry_after >= 0)
			reply_header(r, "retry-after:", "%d", ru->retry_after);
	}
	say("%s: injected HTTP %d", method, r->status);
	return 1;
}

static const struct channel {
	const char *id, *name;
	int member;
} channels[] = {
	{ "C0OPS", "ops", 1 },
	{ "C0ALERTS", "ops-alerts", 1 },
	{ "C0RANDOM", "random", 0 },
};

/*
 * "C0OPS", "ops" and "#ops" all name the same channel. DM ids (D...) and
 * user ids (U..., W...: Slack opens the DM) are accepted as they are.
 */
static const char *
resolve_channel(const char *s, int *member)
{
	size_t i;

	if (*s == '#')
		s++;
	for (i = 0; i < sizeof(channels) / sizeof(channels[0]); i++)
		if (!strcmp(s, channels[i].id) ||
		    !strcmp(s, channels[i].name)) {
			*member = channels[i].member;
			return channels[i].id;
		}
	if ((s[0] == 'D' || s[0] == 'U' || s[0] == 'W') && s[1] &&
	    strspn(s + 1, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") ==
	        strlen(s + 1)) {
		*member = 1;
		return s;
	}
	return NULL;
}

/* Within Block Kit's limits (50 blocks, section 3,000, field 2,000)? */
static int
blocks_fit(const cJSON *blocks)
{
	const cJSON *b, *f;
	const char *t;

	if (cJSON_GetArraySize(blocks) > BLOCKS_MAX)
		return 0;
	cJSON_ArrayForEach(b, blocks) {
		t = jstr(cJSON_GetObjectItemCaseSensitive(b, "text"), "text");
		if (t && strlen(t) > SECTION_MAX)
			return 0;
		cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(b,
		                                                  "fields")) {
			t = jstr(f, "text");
			if (t && strlen(t) > FIELD_MAX)
				return 0;
		}
	}
	return 1;
}

/* blocks as given, or parsed from JSON text; -1 when invalid. */
static int
get_blocks(const cJSON *body, cJSON **out)
{
	const cJSON *b = cJSON_GetObjectItemCaseSensitive(body, "blocks");

	*out = NULL;
	if (!b || cJSON_IsNull(b))
		return 0;
	if (cJSON_IsString(b)) {
		*out = cJSON_Parse(b->valuestring);
		if (!cJSON_IsArray(*out)) {
			cJSON_Delete(*out);
			*out = NULL;
			return -1;
		}
		return 0;
	}
	if (!cJSON_IsArray(b) || !blocks_fit(b))
		return -1;
	*out = cJSON_Duplicate(b, 1);
	return 0;
}

static cJSON *
bot_message(const char *text, const char *ts, const cJSON *thread_ts,
            const cJSON *blocks)
{
	cJSON *m = cJSON_CreateObject();

	cJSON_AddStringToObject(m, "type", "message");
	cJSON_AddStringToObject(m, "bot_id", BOT_ID);
	cJSON_AddStringToObject(m, "user", BOT_USER_ID);
	cJSON_AddStringToObject(m, "text", text);
	cJSON_AddStringToObject(m, "ts", ts);
	if (thread_ts)
		cJSON_AddItemToObject(m, "thread_ts",
		                      cJSON_Duplicate(thread_ts, 1));
	if (blocks)
		cJSON_AddItemToObject(m, "blocks", cJSON_Duplicate(blocks, 1));
	return m;
}

/*
 * Remembers the newest message the bot sent with an actions block (a
 * post, an ephemeral, an update or a response URL answer), so that
 * /_control/click can press one of its buttons.
 */
static void
note_buttons(const cJSON *blocks, const char *channel, const char *ts,
             const char *response_url, int ephemeral)
{
	const cJSON *b;
	cJSON *els = NULL, *n;

	if (cJSON_IsString(blocks)) /* form bodies carry blocks as text */
		return;
	cJSON_ArrayForEach(b, blocks) {
		const char *t = jstr(b, "type");

		if (t && !strcmp(t, "actions"))
			els = cJSON_GetObjectItemCaseSensitive(b, "elements");
	}
	if (!cJSON_IsArray(els) || !cJSON_GetArraySize(els))
		return;
	n = cJSON_CreateObject();
	cJSON_AddItemToObject(n, "elements", cJSON_Duplicate(els, 1));
	cJSON_AddItemToObject(n, "blocks", cJSON_Duplicate(blocks, 1));
	cJSON_AddStringToObject(n, "channel", channel ? channel : "");
	cJSON_AddStringToObject(n, "ts", ts ? ts : "");
	if (response_url)
		cJSON_AddStringToObject(n, "response_url", response_url);
	cJSON_AddBoolToObject(n, "is_ephemeral", ephemeral);
	cJSON_Delete(g.last_buttons);
	g.last_buttons = n;
}

static void
api_post_message(const cJSON *body, struct reply *r)
{
	const char *chan = jstr(body, "channel"), *text = jstr(body, "text");
	const cJSON *thread =
	    cJSON_GetObjectItemCaseSensitive(body, "thread_ts");
	const char *id;
	cJSON *blocks, *rec, *j;
	char ts[32];
	int member = 0;

	if (thread && cJSON_IsNull(thread))
		thread = NULL;
	if (!chan || !*chan || !(id = resolve_channel(chan, &member))) {
		reply_error(r, 200, "channel_not_found");
		return;
	}
	if (!member) {
		reply_error(r, 200, "not_in_channel");
		return;
	}
	if (get_blocks(body, &blocks) != 0) {
		reply_error(r, 200, "invalid_blocks");
		return;
	}
	if ((!text || !*text) && !blocks) {
		reply_error(r, 200, "no_text");
		return;
	}
	if (text && strlen(text) > TEXT_MAX) {
		cJSON_Delete(blocks);
		reply_error(r, 200, "msg_too_long");
		return;
	}
	if (!text)
		text = "";
	next_ts(ts, sizeof(ts));
	rec = cJSON_CreateObject();
	cJSON_AddStringToObject(rec, "channel", id);
	cJSON_AddStringToObject(rec, "text", text);
	cJSON_AddItemToObject(rec, "thread_ts", dup_or_null(thread));
	cJSON_AddStringToObject(rec, "ts", ts);
	cJSON_AddItemToObject(rec, "blocks", dup_or_null(blocks));
	if (cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(body, "metadata")))
		cJSON_AddItemToObject(
		    rec, "metadata",
		    dup_or_null(cJSON_GetObjectItemCaseSensitive(body,
		                                                 "metadata")));
	cJSON_AddItemToArray(g.posts, rec);
	note_buttons(blocks, id, ts, NULL, 0);

	j = ok_object();
	cJSON_AddStringToObject(j, "channel", id);
	cJSON_AddStringToObject(j, "ts", ts);
	cJSON_AddItemToObject(j, "message",
	                      bot_message(text, ts, thread, blocks));
	cJSON_Delete(blocks);
	reply_json(r, 200, j);
}

/* chat.postEphemeral: like a post, seen by one user, never stored. */
static void
api_post_ephemeral(const cJSON *body, struct reply *r)
{
	const char *chan = jstr(body, "channel"), *user = jstr(body, "user");
	const char *id;
	cJSON *rec, *j;
	char ts[32];
	int member = 0;

	if (!chan || !*chan || !(id = resolve_channel(chan, &member))) {
		reply_error(r, 200, "channel_not_found");
		return;
	}
	if (!user || !*user) {
		reply_error(r, 200, "user_not_in_channel");
		return;
	}
	next_ts(ts, sizeof(ts));
	rec = cJSON_CreateObject();
	cJSON_AddStringToObject(rec, "channel", id);
	cJSON_AddStringToObject(rec, "user", user);
	cJSON_AddStringToObject(rec, "text", jstr(body, "text") ?
	                                         jstr(body, "text") : "");
	cJSON_AddItemToObject(
	    rec, "thread_ts",
	    dup_or_null(cJSON_GetObjectItemCaseSensitive(body, "thread_ts")));
	{
		cJSON *blocks;

		if (get_blocks(body, &blocks) == 0) {
			cJSON_AddItemToObject(rec, "blocks", dup_or_null(blocks));
			note_buttons(blocks, id, ts, NULL, 1);
			cJSON_Delete(blocks);
		}
	}
	cJSON_AddItemToArray(g.ephemerals, rec);
	j = ok_object();
	cJSON_AddStringToObject(j, "message_ts", ts);
	reply_json(r, 200, j);
}

static void
api_update(const cJSON *body, struct reply *r)
{
	const char *chan = jstr(body, "channel"), *ts = jstr(body, "ts");
	const char *text = jstr(body, "text"), *id;
	cJSON *blocks, *p, *rec, *j;
	int member = 0, found = 0;

	if (!chan || !*chan || !(id = resolve_channel(chan, &member))) {
		reply_error(r, 200, "channel_not_found");
		return;
	}
	cJSON_ArrayForEach(p, g.posts) {
		const char *pc = jstr(p, "channel"), *pt = jstr(p, "ts");

		if (ts && pc && pt && !strcmp(pc, id) && !strcmp(pt, ts))
			found = 1;
	}
	if (!found) {
		reply_error(r, 200, "message_not_found");
		return;
	}
	if (get_blocks(body, &blocks) != 0) {
		reply_error(r, 200, "invalid_blocks");
		return;
	}
	if ((!text || !*text) && !blocks) {
		reply_error(r, 200, "no_text");
		return;
	}
	if (!text)
		text = "";
	rec = cJSON_CreateObject();
	cJSON_AddStringToObject(rec, "channel", id);
	cJSON_AddStringToObject(rec, "ts", ts);
	cJSON_AddStringToObject(rec, "text", text);
	cJSON_AddItemToObject(rec, "blocks", dup_or_null(blocks));
	cJSON_AddItemToArray(g.updates, rec);
	note_buttons(blocks, id, ts, NULL, 0);

	j = ok_object();
	cJSON_AddStringToObject(j, "channel", id);
	cJSON_AddStringToObject(j, "ts", ts);
	cJSON_AddStringToObject(j, "text", text);
	cJSON_AddItemToObject(j, "message",
	                      bot_message(text, ts, NULL, blocks));
	cJSON_Delete(blocks);
	reply_json(r, 200, j);
}

static void
api_connections_open(const struct pss *pss, struct reply *r)
{
	char url[160];
	cJSON *j;

	if (!token_ok(pss, g.app_token, g.bot_token, r))
		return;
	if (g.reject_count > 0) {
		g.reject_count--;
		reply_error(r, 200, g.reject_error);
		return;
	}
	snprintf(url, sizeof(url),
	         "ws://127.0.0.1:%d/link/?ticket=t%d&app_id=" APP_ID, fs.port,
	         ++g.n_ticket);
	j = ok_object();
	cJSON_AddStringToObject(j, "url", url);
	reply_json(r, 200, j);
}

static void
api_auth_test(struct reply *r)
{
	cJSON *j = ok_object();

	cJSON_AddStringToObject(j, "url", "https://acme.slack.com/");
	cJSON_AddStringToObject(j, "team", "Acme");
	cJSON_AddStringToObject(j, "user", "opsbot");
	cJSON_AddStringToObject(j, "team_id", TEAM_ID);
	cJSON_AddStringToObject(j, "user_id", BOT_USER_ID);
	cJSON_AddStringToObject(j, "bot_id", BOT_ID);
	reply_json(r, 200, j);
}

static void
api_conversations_list(struct reply *r)
{
	cJSON *j = ok_object(), *list = cJSON_AddArrayToObject(j, "channels");
	cJSON *meta;
	size_t i;

	for (i = 0; i < sizeof(channels) / sizeof(channels[0]); i++) {
		cJSON *c = cJSON_CreateObject();

		cJSON_AddStringToObject(c, "id", channels[i].id);
		cJSON_AddStringToObject(c, "name", channels[i].name);
		cJSON_AddBoolToObject(c, "is_member", channels[i].member);
		cJSON_AddItemToArray(list, c);
	}
	meta = cJSON_AddObjectToObject(j, "response_metadata");
	cJSON_AddStringToObject(meta, "next_cursor", "");
	reply_json(r, 200, j);
}

/*
 * conversations.history (top-level messages, newest first) and
 * conversations.replies (a thread: its parent, then replies, oldest
 * first) of the bot's posts, from oldest (exclusive unless inclusive),
 * with each message's metadata only under include_all_metadata. One page.
 */
static void
api_conversations_read(const cJSON *body, int replies, struct reply *r)
{
	const char *chan = jstr(body, "channel"), *thread = jstr(body, "ts");
	const char *oldest = jstr(body, "oldest"), *id;
	const cJSON *meta_on = cJSON_GetObjectItem(body, "include_all_metadata");
	int all_meta = cJSON_IsTrue(meta_on) ||
	               (cJSON_IsString(meta_on) &&
	                !strcmp(meta_on->valuestring, "true"));
	int inclusive = cJSON_IsTrue(cJSON_GetObjectItem(body, "inclusive"));
	cJSON *j, *list, *p, *m, *meta;
	int member = 0;

	if (!chan || !*chan || !(id = resolve_channel(chan, &member))) {
		reply_error(r, 200, "channel_not_found");
		return;
	}
	if (replies && (!thread || !*thread)) {
		reply_error(r, 200, "thread_not_found");
		return;
	}
	j = ok_object();
	list = cJSON_AddArrayToObject(j, "messages");
	cJSON_ArrayForEach(p, g.posts) {
		const char *pc = jstr(p, "channel"), *pt = jstr(p, "ts");
		const char *tt = jstr(p, "thread_ts");
		double d;

		if (!pc || !pt || strcmp(pc, id))
			continue;
		d = strtod(pt, NULL) - (oldest ? strtod(oldest, NULL) : 0);
		if (oldest && (d < 0 || (d == 0 && !inclusive)))
			continue;
		if (replies ? strcmp(pt, thread) && (!tt || strcmp(tt, thread))
		            : tt && strcmp(tt, pt))
			continue;
		m = bot_message(jstr(p, "text") ? jstr(p, "text") : "", pt,
		                cJSON_GetObjectItem(p, "thread_ts"), NULL);
		meta = cJSON_GetObjectItemCaseSensitive(p, "metadata");
		if (all_meta && cJSON_IsObject(meta))
			cJSON_AddItemToObject(m, "metadata",
			                      cJSON_Duplicate(meta, 1));
		if (replies)
			cJSON_AddItemToArray(list, m);
		else
			cJSON_InsertItemInArray(list, 0, m);
	}
	cJSON_AddFalseToObject(j, "has_more");
	cJSON_AddStringToObject(
	    cJSON_AddObjectToObject(j, "response_metadata"), "next_cursor", "");
	reply_json(r, 200, j);
}

void
api(const struct pss *pss, const char *method, struct reply *r)
{
	cJSON *body, *n = cJSON_GetObjectItemCaseSensitive(g.calls, method);

	if (n)
		cJSON_SetNumberValue(n, n->valuedouble + 1);
	else if (*method)
		cJSON_AddNumberToObject(g.calls, method, 1);
	if (!strcmp(method, "apps.connections.open"))
		g.n_open_calls++;
	if (rate_limited(method, r))
		return;
	body = parse_body(pss);
	if (!body) {
		reply_error(r, 200, "invalid_json");
		return;
	}
	if (!strcmp(method, "apps.connections.open"))
		api_connections_open(pss, r);
	else if (strcmp(method, "auth.test") &&
	         strcmp(method, "conversations.list") &&
	         strcmp(method, "chat.postMessage") &&
	         strcmp(method, "chat.postEphemeral") &&
	         strcmp(method, "conversations.history") &&
	         strcmp(method, "conversations.replies") &&
	         strcmp(method, "chat.update"))
		reply_error(r, 200, "unknown_method");
	else if (!token_ok(pss, g.bot_token, g.app_token, r))
		; /* r is filled */
	else if (!strcmp(method, "auth.test"))
		api_auth_test(r);
	else if (!strcmp(method, "conversations.list"))
		api_conversations_list(r);
	else if (!strcmp(method, "chat.postMessage"))
		api_post_message(body, r);
	else if (!strcmp(method, "chat.postEphemeral"))
		api_post_ephemeral(body, r);
	else if (!strncmp(method, "conversations.", 14))
		api_conversations_read(body, !strcmp(method,
		                                     "conversations.replies"), r);
	else
		api_update(body, r);
	cJSON_Delete(body);
}

/*
 * An answer to slash command n (its response URL url): posted to the URL,
 * or carried by the command's ack ("via" says which). Takes body.
 */
void
note_response(const char *url, int n, cJSON *body, int json, const char *via)
{
	cJSON *rec;

	rec = cJSON_CreateObject();
	cJSON_AddStringToObject(rec, "url", url);
	cJSON_AddStringToObject(rec, "via", via);
	cJSON_AddItemToObject(rec, "body", body);
	if (!json)
		body = NULL;
	if (body && g.resp_source[n] &&
	    cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(body,
	                                                  "replace_original"))) {
		/*
		 * A click's response URL with replace_original: the clicked
		 * message takes the new content (buttons and all), so its old
		 * buttons can no longer be pressed.
		 */
		cJSON *rep = cJSON_CreateObject();

		cJSON_AddStringToObject(rep, "ts", g.resp_source[n]);
		cJSON_AddItemToObject(rep, "body", cJSON_Duplicate(body, 1));
		cJSON_AddItemToArray(g.replaced, rep);
		if (g.last_buttons && jstr(g.last_buttons, "ts") &&
		    !strcmp(jstr(g.last_buttons, "ts"), g.resp_source[n])) {
			cJSON_Delete(g.last_buttons);
			g.last_buttons = NULL;
		}
		note_buttons(cJSON_GetObjectItemCaseSensitive(body, "blocks"),
		             NULL, g.resp_source[n], url, 0);
	} else if (body) {
		const char *rt = jstr(body, "response_type");
		char ts[32];

		/* The new message's ts, which a click on it will carry. */
		next_ts(ts, sizeof(ts));
		note_buttons(cJSON_GetObjectItemCaseSensitive(body, "blocks"),
		             NULL, ts, url, !rt || strcmp(rt, "in_channel"));
	}
	/* Round trip: from the slash command's push to its answer. */
	cJSON_AddNumberToObject(rec, "rtt_us",
	                        (double)(now_us() - g.resp_created[n]));
	/* When, on the fake's clock: a run's span is its first push to its
	 * last answer. */
	cJSON_AddNumberToObject(rec, "at_us", (double)now_us());
	cJSON_AddItemToArray(g.responses, rec);
	/* "chain": the next command once this one is answered. */
	if (g.chain_left > 0 && g.chain) {
		g.chain_left--;
		control_slash_one(g.chain, NULL, 0);
	}
}

void
response_url(const struct pss *pss, const char *rest, struct reply *r)
{
	char url[96];
	cJSON *body;
	int n, json;

	if (!*rest || strspn(rest, "0123456789") != strlen(rest) ||
	    (n = atoi(rest)) < 1 || n > g.n_resp) {
		reply_error(r, 404, "invalid_url");
		return;
	}
	if (rate_limited("response_url", r))
		return;
	if (++g.resp_uses[n] > RESPONSE_URL_USES) {
		reply_error(r, 404, "used_url");
		return;
	}
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/response/%d", fs.port,
	         n);
	body = req_body_item(&pss->q, &json);
	reply_json(r, 200, ok_object());
	note_response(url, n, body, json, "response_url");
}


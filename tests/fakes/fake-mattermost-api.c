/*
 * fake-mattermost: the REST API v4 routes the bot calls (posts are in
 * fake-mattermost-posts.c) and the response URLs of slash commands.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fake-mattermost.h"

/* A Mattermost AppError. */
void
reply_app_error(struct reply *r, int status, const char *id, const char *msg)
{
	cJSON *j = cJSON_CreateObject();

	cJSON_AddStringToObject(j, "id", id);
	cJSON_AddStringToObject(j, "message", msg);
	cJSON_AddStringToObject(j, "detailed_error", "");
	cJSON_AddStringToObject(j, "request_id", "r1");
	cJSON_AddNumberToObject(j, "status_code", status);
	reply_json(r, status, j);
}

/* Appends s form-encoded (Go's url.QueryEscape: space as +). */
void
form_encode(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	char tmp[4];

	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' ||
		    ch == '.' || ch == '~') {
			tmp[0] = (char)ch;
			tmp[1] = '\0';
		} else if (ch == ' ') {
			tmp[0] = '+';
			tmp[1] = '\0';
		} else {
			tmp[0] = '%';
			tmp[1] = hex[ch >> 4];
			tmp[2] = hex[ch & 15];
			tmp[3] = '\0';
		}
		buf_str(b, tmp);
	}
}

/* The token of "Authorization: Bearer|Token <t>" or ?access_token=. */
const char *
request_token(const char *auth, const char *query_token)
{
	const char *t = NULL;

	if (!strncasecmp(auth, "bearer ", 7))
		t = auth + 7;
	else if (!strncasecmp(auth, "token ", 6))
		t = auth + 6;
	if (t) {
		while (*t == ' ')
			t++;
		return t;
	}
	if (query_token && *query_token)
		return query_token;
	return NULL;
}

static int
token_ok(const struct pss *pss, struct reply *r)
{
	const char *t = request_token(pss->q.auth, pss->access_token);

	if (t && !strcmp(t, g.token))
		return 1;
	reply_app_error(r, 401, "api.context.session_expired.app_error",
	                "Invalid or expired session, please login again.");
	return 0;
}

/* Consumes a failure rule for this request, if one is armed. */
static int
rate_limited(const char *route, const char *literal, struct reply *r)
{
	struct rule *ru = rules_take(route, literal);

	if (!ru)
		return 0;
	if (ru->status && ru->status != 429) {
		char body[80];

		snprintf(body, sizeof(body),
		         "%d fake-mattermost: server error\n", ru->status);
		reply_set(r, ru->status, "text/plain; charset=utf-8", body);
	} else {
		reply_set(r, 429, "text/plain; charset=utf-8",
		          "limit exceeded\n");
		if (ru->retry_after >= 0)
			reply_header(r, "retry-after:", "%d", ru->retry_after);
		reply_header(r, "x-ratelimit-limit:", "10");
		reply_header(r, "x-ratelimit-remaining:", "0");
		reply_header(r, "x-ratelimit-reset:", "%d",
		             ru->retry_after > 0 ? ru->retry_after : 1);
	}
	say("%s: injected HTTP %d", route, r->status);
	return 1;
}

/* The body as a JSON value of the wanted type, or NULL. */
cJSON *
body_json(const struct pss *pss, int want_array)
{
	cJSON *j;

	if (!pss->q.body.len)
		return NULL;
	j = cJSON_ParseWithLength(pss->q.body.p, pss->q.body.len);
	if (want_array ? cJSON_IsArray(j) : cJSON_IsObject(j))
		return j;
	cJSON_Delete(j);
	return NULL;
}

void
reply_bad_body(struct reply *r, const char *what)
{
	char msg[128];

	snprintf(msg, sizeof(msg), "Invalid or missing %s in request body.",
	         what);
	reply_app_error(r, 400, "api.context.invalid_body_param.app_error",
	                msg);
}

static void
api_users_me(struct reply *r)
{
	cJSON *j = cJSON_CreateObject();

	cJSON_AddStringToObject(j, "id", BOT_USER_ID);
	cJSON_AddStringToObject(j, "username", BOT_USERNAME);
	cJSON_AddTrueToObject(j, "is_bot");
	reply_json(r, 200, j);
}

/* GET /api/v4/users/me/teams: the bot is in one team. */
static void
api_my_teams(struct reply *r)
{
	cJSON *a = cJSON_CreateArray(), *t = cJSON_CreateObject();

	cJSON_AddStringToObject(t, "id", TEAM_ID);
	cJSON_AddStringToObject(t, "name", TEAM_NAME);
	cJSON_AddStringToObject(t, "display_name", "Acme");
	cJSON_AddStringToObject(t, "type", "O");
	cJSON_AddItemToArray(a, t);
	reply_json(r, 200, a);
}

/* GET /api/v4/channels/{id}/members/me: 404 when the bot is not in it. */
static void
api_channel_member(const char *id, struct reply *r)
{
	const struct channel *c = channel_by_id(id);
	cJSON *j;

	if (!c && !is_dm(id)) {
		reply_app_error(r, 404, "app.channel.get.existing.app_error",
		                "Unable to find the existing channel.");
		return;
	}
	if (c && !c->bot_member) {
		reply_app_error(r, 404, "app.channel.get_member.missing.app_error",
		                "No channel member found for that user ID and "
		                "channel ID.");
		return;
	}
	j = cJSON_CreateObject();
	cJSON_AddStringToObject(j, "channel_id", id);
	cJSON_AddStringToObject(j, "user_id", BOT_USER_ID);
	cJSON_AddStringToObject(j, "roles", "channel_user");
	reply_json(r, 200, j);
}

static void
api_channel_by_name(const char *team, int by_id, const char *name,
                    struct reply *r)
{
	size_t i;

	if (strcmp(team, by_id ? TEAM_ID : TEAM_NAME)) {
		if (by_id)
			reply_app_error(r, 404,
			                "app.channel.get_by_name.missing.app_error",
			                "Unable to find the existing channel.");
		else
			reply_app_error(r, 404,
			                "app.team.get_by_name.missing.app_error",
			                "Unable to find the existing team.");
		return;
	}
	for (i = 0; i < n_channels; i++)
		if (!strcmp(name, channels[i].name)) {
			reply_json(r, 200, channel_json(&channels[i]));
			return;
		}
	reply_app_error(r, 404, "app.channel.get_by_name.missing.app_error",
	                "Unable to find the existing channel.");
}

static void
api_create_command(const struct pss *pss, struct reply *r)
{
	cJSON *in = body_json(pss, 0), *cmd, *it;
	const char *team, *trigger, *url, *method;
	char id[27], tok[27];
	int64_t t;

	if (!in) {
		reply_bad_body(r, "command");
		return;
	}
	team = jstr(in, "team_id");
	trigger = jstr(in, "trigger");
	url = jstr(in, "url");
	method = jstr(in, "method");
	if (!team || strcmp(team, TEAM_ID)) {
		reply_app_error(r, 403, "api.context.permissions.app_error",
		                "You do not have the appropriate permissions.");
		goto out;
	}
	if (!trigger || !*trigger || strlen(trigger) > 128 ||
	    trigger[0] == '/' || strchr(trigger, ' ')) {
		reply_app_error(r, 400, "model.command.is_valid.trigger.app_error",
		                "Invalid trigger.");
		goto out;
	}
	if (!url || (strncmp(url, "http://", 7) && strncmp(url, "https://", 8))
	    || strlen(url) > 1024) {
		reply_app_error(r, 400, "model.command.is_valid.url.app_error",
		                "Invalid URL.");
		goto out;
	}
	if (!method || (strcmp(method, "P") && strcmp(method, "G"))) {
		reply_app_error(r, 400, "model.command.is_valid.method.app_error",
		                "Invalid Method.");
		goto out;
	}
	cJSON_ArrayForEach(it, g.commands) {
		const char *tr = jstr(it, "trigger");

		if (tr && !strcasecmp(tr, trigger)) {
			reply_app_error(r, 400,
			                "api.command.duplicate_trigger.app_error",
			                "This trigger word is already in use. "
			                "Please choose another word.");
			goto out;
		}
	}
	g.n_cmd++;
	snprintf(id, sizeof(id), "cmd%023d", g.n_cmd);
	snprintf(tok, sizeof(tok), "tok%08x%015d",
	         (unsigned)((unsigned)getpid() * 40503u) & 0xffffffffu,
	         g.n_cmd);
	t = next_ms();
	cmd = cJSON_CreateObject();
	cJSON_AddStringToObject(cmd, "id", id);
	cJSON_AddStringToObject(cmd, "token", tok);
	cJSON_AddNumberToObject(cmd, "create_at", (double)t);
	cJSON_AddNumberToObject(cmd, "update_at", (double)t);
	cJSON_AddNumberToObject(cmd, "delete_at", 0);
	cJSON_AddStringToObject(cmd, "creator_id", BOT_USER_ID);
	cJSON_AddStringToObject(cmd, "team_id", team);
	{
		char low[130];
		size_t i;

		for (i = 0; trigger[i] && i < sizeof(low) - 1; i++)
			low[i] = (char)(trigger[i] >= 'A' && trigger[i] <= 'Z'
			                    ? trigger[i] - 'A' + 'a'
			                    : trigger[i]);
		low[i] = '\0';
		cJSON_AddStringToObject(cmd, "trigger", low);
	}
	cJSON_AddStringToObject(cmd, "method", method);
	cJSON_AddStringToObject(cmd, "url", url);
	{
		static const char *const keys[] = {
			"username",          "icon_url",
			"auto_complete_desc", "auto_complete_hint",
			"display_name",      "description",
		};
		size_t i;

		for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
			const char *v = jstr(in, keys[i]);

			cJSON_AddStringToObject(cmd, keys[i], v ? v : "");
		}
	}
	cJSON_AddBoolToObject(cmd, "auto_complete",
	                      jbool(in, "auto_complete", 0));
	cJSON_AddItemToArray(g.commands, cJSON_Duplicate(cmd, 1));
	say("command /%s registered -> %s (%s)", jstr(cmd, "trigger"), url,
	    method);
	reply_json(r, 201, cmd);
out:
	cJSON_Delete(in);
}

/* GET /api/v4/commands?team_id=..&custom_only=true: the team's commands. */
static void
api_list_commands(const struct pss *pss, struct reply *r)
{
	cJSON *list;
	const cJSON *it;

	if (!pss->team_q[0]) {
		reply_app_error(r, 400, "api.context.invalid_param.app_error",
		                "Invalid or missing team_id parameter.");
		return;
	}
	if (strcmp(pss->team_q, TEAM_ID)) {
		reply_app_error(r, 403, "api.context.permissions.app_error",
		                "You do not have the appropriate permissions.");
		return;
	}
	list = cJSON_CreateArray();
	cJSON_ArrayForEach(it, g.commands) {
		const char *t = jstr(it, "team_id"), *who = jstr(it, "creator_id");

		/* Without manage_others_slash_commands: only one's own. */
		if (t && !strcmp(t, pss->team_q) && who &&
		    !strcmp(who, BOT_USER_ID))
			cJSON_AddItemToArray(list, cJSON_Duplicate(it, 1));
	}
	reply_json(r, 200, list);
}

/* PUT /api/v4/commands/{id}: the whole Command, as GET gave it. */
static void
api_update_command(const struct pss *pss, const char *id, struct reply *r)
{
	cJSON *in = body_json(pss, 0), *cmd = NULL, *it;
	const char *trigger, *url, *method, *bid;
	int64_t t;
	size_t i;

	cJSON_ArrayForEach(it, g.commands) {
		if (jstr(it, "id") && !strcmp(jstr(it, "id"), id))
			cmd = it;
	}
	if (!cmd) {
		cJSON_Delete(in);
		reply_app_error(r, 404, "app.command.getcommand.app_error",
		                "Unable to get the command.");
		return;
	}
	if (!in) {
		reply_bad_body(r, "command");
		return;
	}
	if (!jstr(cmd, "creator_id") ||
	    strcmp(jstr(cmd, "creator_id"), BOT_USER_ID)) {
		reply_permission_error(r, "manage_others_slash_commands");
		goto out;
	}
	bid = jstr(in, "id");
	trigger = jstr(in, "trigger");
	url = jstr(in, "url");
	method = jstr(in, "method");
	if ((bid && strcmp(bid, id)) ||
	    (jstr(in, "team_id") && strcmp(jstr(in, "team_id"), TEAM_ID))) {
		reply_app_error(r, 400, "api.command.update.app_error",
		                "Invalid command id or team.");
		goto out;
	}
	if (!trigger || !*trigger || strlen(trigger) > 128 ||
	    trigger[0] == '/' || strchr(trigger, ' ')) {
		reply_app_error(r, 400, "model.command.is_valid.trigger.app_error",
		                "Invalid trigger.");
		goto out;
	}
	if (!url || (strncmp(url, "http://", 7) && strncmp(url, "https://", 8))
	    || strlen(url) > 1024) {
		reply_app_error(r, 400, "model.command.is_valid.url.app_error",
		                "Invalid URL.");
		goto out;
	}
	if (!method || (strcmp(method, "P") && strcmp(method, "G"))) {
		reply_app_error(r, 400, "model.command.is_valid.method.app_error",
		                "Invalid Method.");
		goto out;
	}
	cJSON_ArrayForEach(it, g.commands) {
		const char *tr = jstr(it, "trigger");

		if (it != cmd && tr && !strcasecmp(tr, trigger)) {
			reply_app_error(r, 400,
			                "api.command.duplicate_trigger.app_error",
			                "This trigger word is already in use. "
			                "Please choose another word.");
			goto out;
		}
	}
	{
		char low[130];

		for (i = 0; trigger[i] && i < sizeof(low) - 1; i++)
			low[i] = (char)(trigger[i] >= 'A' && trigger[i] <= 'Z'
			                    ? trigger[i] - 'A' + 'a'
			                    : trigger[i]);
		low[i] = '\0';
		cJSON_ReplaceItemInObjectCaseSensitive(cmd, "trigger",
		                                       cJSON_CreateString(low));
	}
	cJSON_ReplaceItemInObjectCaseSensitive(cmd, "url",
	                                       cJSON_CreateString(url));
	cJSON_ReplaceItemInObjectCaseSensitive(cmd, "method",
	                                       cJSON_CreateString(method));
	{
		static const char *const keys[] = {
			"username",          "icon_url",
			"auto_complete_desc", "auto_complete_hint",
			"display_name",      "description",
		};

		for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
			const char *v = jstr(in, keys[i]);

			if (v)
				cJSON_ReplaceItemInObjectCaseSensitive(
				    cmd, keys[i], cJSON_CreateString(v));
		}
	}
	if (cJSON_HasObjectItem(in, "auto_complete"))
		cJSON_ReplaceItemInObjectCaseSensitive(
		    cmd, "auto_complete",
		    cJSON_CreateBool(jbool(in, "auto_complete", 0)));
	t = next_ms();
	cJSON_ReplaceItemInObjectCaseSensitive(cmd, "update_at",
	                                       cJSON_CreateNumber((double)t));
	say("command /%s updated -> %s (%s)", jstr(cmd, "trigger"), url,
	    method);
	reply_json(r, 200, cJSON_Duplicate(cmd, 1));
out:
	cJSON_Delete(in);
}

static void
api_direct_channel(const struct pss *pss, struct reply *r)
{
	cJSON *in = body_json(pss, 1), *j, *it;
	const char *other = NULL;
	char id[27], name[80];

	if (!in || cJSON_GetArraySize(in) != 2) {
		cJSON_Delete(in);
		reply_bad_body(r, "user ids");
		return;
	}
	cJSON_ArrayForEach(it, in) {
		if (!cJSON_IsString(it) || !valid_id(it->valuestring)) {
			cJSON_Delete(in);
			reply_bad_body(r, "user ids");
			return;
		}
		if (strcmp(it->valuestring, BOT_USER_ID))
			other = it->valuestring;
	}
	if (!other)
		other = BOT_USER_ID; /* a DM with oneself */
	snprintf(id, sizeof(id), "dm%.24s", other);
	if (!cJSON_HasObjectItem(g.dms, id))
		cJSON_AddStringToObject(g.dms, id, other);
	dm_name(id, name, sizeof(name));
	j = cJSON_CreateObject();
	cJSON_AddStringToObject(j, "id", id);
	cJSON_AddNumberToObject(j, "create_at", 1700000000000.0);
	cJSON_AddNumberToObject(j, "update_at", 1700000000000.0);
	cJSON_AddNumberToObject(j, "delete_at", 0);
	cJSON_AddStringToObject(j, "team_id", "");
	cJSON_AddStringToObject(j, "type", "D");
	cJSON_AddStringToObject(j, "display_name", "");
	cJSON_AddStringToObject(j, "name", name);
	cJSON_AddStringToObject(j, "creator_id", "");
	cJSON_Delete(in);
	reply_json(r, 201, j);
}

void
reply_not_found(struct reply *r)
{
	reply_app_error(r, 404, "api.context.404.app_error",
	                "Sorry, we could not find the page.");
}

/* Is p exactly prefix + one non-empty segment + suffix? seg gets it. */
static int
match_seg(const char *p, const char *prefix, const char *suffix, char *seg,
          size_t seglen)
{
	size_t pl = strlen(prefix), n;

	if (strncmp(p, prefix, pl))
		return 0;
	p += pl;
	n = strcspn(p, "/");
	if (!n || n >= seglen || strcmp(p + n, suffix))
		return 0;
	memcpy(seg, p, n);
	seg[n] = '\0';
	return 1;
}

void
api(const struct pss *pss, struct reply *r)
{
	const char *p = pss->q.path, *route = NULL;
	char a[128], b[128], literal[300];
	int m = pss->q.method, by_id = 0;

	a[0] = b[0] = '\0';
	if (m == M_GET && !strcmp(p, "/api/v4/users/me"))
		route = "GET /api/v4/users/me";
	else if (m == M_GET && !strcmp(p, "/api/v4/users/me/teams"))
		route = "GET /api/v4/users/me/teams";
	else if (m == M_GET &&
	         match_seg(p, "/api/v4/channels/", "/members/me", a, sizeof(a)))
		route = "GET /api/v4/channels/{id}/members/me";
	else if (m == M_GET && !strncmp(p, "/api/v4/teams/name/", 19) &&
	         sscanf(p + 19, "%127[^/]/channels/name/%127[^/]", a, b) == 2 &&
	         !strchr(strstr(p, "/channels/name/") + 15, '/'))
		route = "GET /api/v4/teams/name/{team}/channels/name/{channel}";
	else if (m == M_GET && !strncmp(p, "/api/v4/teams/", 14) &&
	         sscanf(p + 14, "%127[^/]/channels/name/%127[^/]", a, b) == 2 &&
	         strcmp(a, "name") &&
	         !strchr(strstr(p, "/channels/name/") + 15, '/')) {
		route = "GET /api/v4/teams/{team_id}/channels/name/{channel}";
		by_id = 1;
	} else if (m == M_POST && !strcmp(p, "/api/v4/posts"))
		route = "POST /api/v4/posts";
	else if (m == M_POST && !strcmp(p, "/api/v4/posts/ephemeral"))
		route = "POST /api/v4/posts/ephemeral";
	else if (m == M_PUT &&
	         match_seg(p, "/api/v4/posts/", "/patch", a, sizeof(a)))
		route = "PUT /api/v4/posts/{id}/patch";
	else if (m == M_POST && !strcmp(p, "/api/v4/commands"))
		route = "POST /api/v4/commands";
	else if (m == M_GET && !strcmp(p, "/api/v4/commands"))
		route = "GET /api/v4/commands";
	else if (m == M_PUT &&
	         match_seg(p, "/api/v4/commands/", "", a, sizeof(a)))
		route = "PUT /api/v4/commands/{id}";
	else if (m == M_POST && !strcmp(p, "/api/v4/channels/direct"))
		route = "POST /api/v4/channels/direct";

	snprintf(literal, sizeof(literal), "%s %s", method_names[m], p);
	count_in(g.calls, route ? route : literal);
	if (rate_limited(route ? route : literal, literal, r))
		return;
	if (!route) {
		if (!strcmp(p, WS_PATH) || !strcmp(p, WS_PATH "/"))
			reply_app_error(r, 400,
			                "api.web_socket.connect.upgrade.app_error",
			                "Failed to upgrade websocket connection.");
		else
			reply_not_found(r);
		return;
	}
	if (!token_ok(pss, r))
		return;
	if (!strcmp(route, "GET /api/v4/users/me"))
		api_users_me(r);
	else if (!strcmp(route, "GET /api/v4/users/me/teams"))
		api_my_teams(r);
	else if (!strcmp(route, "GET /api/v4/channels/{id}/members/me"))
		api_channel_member(a, r);
	else if (!strncmp(route, "GET /api/v4/teams/", 18))
		api_channel_by_name(a, by_id, b, r);
	else if (!strcmp(route, "POST /api/v4/posts"))
		api_create_post(pss, r);
	else if (!strcmp(route, "POST /api/v4/posts/ephemeral"))
		api_ephemeral_post(pss, r);
	else if (!strcmp(route, "PUT /api/v4/posts/{id}/patch"))
		api_patch_post(pss, a, r);
	else if (!strcmp(route, "POST /api/v4/commands"))
		api_create_command(pss, r);
	else if (!strcmp(route, "GET /api/v4/commands"))
		api_list_commands(pss, r);
	else if (!strcmp(route, "PUT /api/v4/commands/{id}"))
		api_update_command(pss, a, r);
	else
		api_direct_channel(pss, r);
}

/* ------------------------------------------------------------------------
 * Response URLs: /hooks/commands/<id>
 */

void
new_hook(char *url, size_t len, char *id, size_t idlen)
{
	int n = ++g.n_hooks;

	if (n >= g.cap_hooks) {
		int cap = g.cap_hooks ? g.cap_hooks * 2 : 64;

		g.hooks = xrealloc(g.hooks, (size_t)cap * sizeof(*g.hooks));
		memset(g.hooks + g.cap_hooks, 0,
		       (size_t)(cap - g.cap_hooks) * sizeof(*g.hooks));
		g.cap_hooks = cap;
	}
	g.hooks[n].created_us = now_us();
	g.hooks[n].uses = 0;
	snprintf(id, idlen, "hook%022d", n);
	snprintf(url, len, "http://127.0.0.1:%d/hooks/commands/%s", fs.port,
	         id);
}

void
hook_request(const struct pss *pss, struct reply *r)
{
	const char *id = pss->q.path + 16; /* after /hooks/commands/ */
	char literal[300];
	cJSON *rec, *body;
	long n = -1;
	int json;

	snprintf(literal, sizeof(literal), "%s %s", method_names[pss->q.method],
	         pss->q.path);
	count_in(g.calls, "POST /hooks/commands/{id}");
	if (rate_limited("POST /hooks/commands/{id}", literal, r))
		return;
	if (pss->q.method != M_POST) {
		reply_not_found(r);
		return;
	}
	if (strlen(id) == 26 && !strncmp(id, "hook", 4) &&
	    strspn(id + 4, "0123456789") == 22)
		n = strtol(id + 4, NULL, 10);
	if (n < 1 || n > g.n_hooks ||
	    now_us() - g.hooks[n].created_us >
	        (int64_t)HOOK_LIFETIME_S * 1000000 ||
	    ++g.hooks[n].uses > HOOK_USES) {
		reply_app_error(r, 400, "web.command_webhook.invalid.app_error",
		                "Invalid webhook.");
		return;
	}
	rec = cJSON_CreateObject();
	{
		char url[300];

		snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", fs.port,
		         pss->q.path);
		cJSON_AddStringToObject(rec, "url", url);
		cJSON_AddStringToObject(rec, "via", "response_url");
	}
	body = req_body_item(&pss->q, &json);
	cJSON_AddItemToObject(rec, "body", body);
	cJSON_AddStringToObject(rec, "content_type", pss->q.ctype);
	if (json)
		note_buttons(cJSON_GetObjectItemCaseSensitive(body, "attachments"),
		             "", NULL);
	cJSON_AddNumberToObject(rec, "rtt_us",
	                        (double)(now_us() - g.hooks[n].created_us));
	cJSON_AddItemToArray(g.responses, rec);
	reply_set(r, 200, "text/plain", "ok");
}


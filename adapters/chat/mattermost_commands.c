/*
 * Mattermost slash commands (docs/protocols.md §5). Mattermost
 * gives each custom slash command its own token, so the bot keeps one
 * token per trigger: chat.mattermost.command ("/opsbot health prod"), and
 * any chat.mattermost.commands of their own ("/health prod"). With
 * register_*, each trigger is registered (or repaired) at start and its
 * token taken from Mattermost's answer.
 */

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cause.h"
#include "bot.h"
#include "chat.h"
#include "escape.h"
#include "http.h"
#include "httpd.h"
#include "log.h"
#include "mattermost_int.h"
#include "xmalloc.h"

/* The trigger a slash command came in on ("/health" -> "health"), or NULL. */
static struct mm_trigger *
mm_trigger_find(struct mattermost *mm, const char *command)
{
	size_t	 i;

	if (command == NULL)
		return NULL;
	if (*command == '/')
		command++;
	for (i = 0; i < mm->ntriggers; i++) {
		if (strcasecmp(mm->triggers[i].trigger, command) == 0)
			return &mm->triggers[i];
	}
	return NULL;
}

const char *
mm_cmd_prefix(struct chat *c, const char *name)
{
	struct mattermost	*mm = c->priv;
	static char		 main_prefix[160];
	size_t			 i;

	if (mm == NULL || mm->ntriggers == 0)
		return NULL;
	for (i = 1; i < mm->ntriggers; i++) {
		if (strcasecmp(mm->triggers[i].trigger, name) == 0 &&
		    mm->triggers[i].token != NULL)
			return "/";
	}
	/* /help and /status are the server's own: go through ours. */
	if (mm->triggers[0].token != NULL) {
		snprintf(main_prefix, sizeof main_prefix, "/%s ",
		    mm->triggers[0].trigger);
		return main_prefix;
	}
	/* No slash command works: the prefix, or a mention. */
	if (mm->prefix != NULL && *mm->prefix != '\0')
		return mm->prefix;
	snprintf(main_prefix, sizeof main_prefix, "@%s ", mm->username);
	return main_prefix;
}

/* The command that has trigger in a GET /commands list, or NULL. */
static cJSON *
mm_command_in(cJSON *list, const char *trigger)
{
	cJSON	*it;

	cJSON_ArrayForEach(it, list) {
		if (mm_str(it, "trigger") != NULL &&
		    strcasecmp(mm_str(it, "trigger"), trigger) == 0)
			return it;
	}
	return NULL;
}

/*
 * Why Mattermost refused step for /trigger, in words that name the real
 * cause: a trigger another user owns (duplicate, or theirs to change),
 * or the permission the AppError names (detailed_error "permission=...").
 */
static char *
mm_register_why(const struct http_response *r, const char *step,
    const char *trigger, const char *team)
{
	cJSON		*j = cJSON_Parse(r->body.data != NULL ? r->body.data : "");
	const char	*id = mm_str(j, "id"), *det = mm_str(j, "detailed_error");
	const char	*perm = det != NULL ? strstr(det, "permission=") : NULL;
	char		*why = mm_http_why(r), *out;
	int		 plen = 0;

	if (perm != NULL) {
		perm += strlen("permission=");
		plen = (int)strcspn(perm, ", ");
	}
	if (id != NULL && strcmp(id, "api.command.duplicate_trigger.app_error")
	    == 0)
		xasprintf(&out, "mattermost: cannot %s /%s in team %s (%s): "
		    "another command already uses the trigger, one the bot "
		    "cannot see, so another user's; choose another trigger "
		    "(chat.mattermost.command or commands[]) or have that "
		    "command removed", step, trigger, team, why);
	else if (perm != NULL && plen > 0)
		xasprintf(&out, "mattermost: cannot %s /%s in team %s (%s): "
		    "the bot account lacks the permission %.*s on that team%s",
		    step, trigger, team, why, plen, perm,
		    strncmp(perm, "manage_others", 13) == 0 ? " (the command "
		    "belongs to another user)" : "");
	else if (r->status == 403 && strcmp(step, "update the slash "
	    "command's url") == 0)
		xasprintf(&out, "mattermost: cannot %s /%s in team %s (%s): "
		    "the command belongs to another user; the bot account "
		    "needs manage_others_slash_commands to change it", step,
		    trigger, team, why);
	else if (r->status == 401 || r->status == 403)
		xasprintf(&out, "mattermost: cannot %s /%s in team %s (%s); "
		    "the bot account needs the permission "
		    "manage_own_slash_commands on that team (System Console > "
		    "Integrations > Bot Accounts, or a role that has it)", step,
		    trigger, team, why);
	else
		xasprintf(&out, "mattermost: cannot %s /%s in team %s (%s)",
		    step, trigger, team, why);
	free(why);
	cJSON_Delete(j);
	return out;
}

/* A new Command for trigger (docs/protocols.md §5.3); caller frees. */
static char *
mm_command_body(const struct mm_trigger *t, const char *team,
    const char *url)
{
	cJSON	*cmd = cJSON_CreateObject();
	char	*body, *desc;

	cJSON_AddStringToObject(cmd, "team_id", team);
	cJSON_AddStringToObject(cmd, "trigger", t->trigger);
	cJSON_AddStringToObject(cmd, "url", url);
	cJSON_AddStringToObject(cmd, "method", "P");
	cJSON_AddStringToObject(cmd, "username", "");
	cJSON_AddStringToObject(cmd, "icon_url", "");
	cJSON_AddBoolToObject(cmd, "auto_complete", 1);
	if (t->main)
		xasprintf(&desc, "Run an opsbot command (try: help)");
	else
		xasprintf(&desc, "opsbot %s (try: /%s help)", t->trigger,
		    t->trigger);
	cJSON_AddStringToObject(cmd, "auto_complete_desc", desc);
	cJSON_AddStringToObject(cmd, "auto_complete_hint", t->main ?
	    "COMMAND [ARGS]" : "[ARGS]");
	cJSON_AddStringToObject(cmd, "display_name", t->main ? "opsbot" :
	    t->trigger);
	cJSON_AddStringToObject(cmd, "description", "Chat-ops commands");
	body = cJSON_PrintUnformatted(cmd);
	cJSON_Delete(cmd);
	free(desc);
	return body;
}

/*
 * Makes sure trigger t is registered in the team, calling register_url
 * (docs/protocols.md §5.3), and takes its token: our command in list is reused,
 * its url fixed if needed; otherwise it is created. Returns -1 with *cause.
 */
static int
mm_register_one(struct mattermost *mm, cJSON *list, struct mm_trigger *t,
    char **cause)
{
	const struct config	*cfg = mm->bot->cfg;
	const char		*team = cfg->chat.mattermost_register_team_id;
	const char		*want = cfg->chat.mattermost_register_url;
	const char		*tok, *step, *id;
	struct http_response	 r;
	cJSON			*found = mm_command_in(list, t->trigger);
	cJSON			*cmd = NULL;
	char			*body, path[200];
	long			 st;

	if (found != NULL && mm_str(found, "url") != NULL &&
	    strcmp(mm_str(found, "url"), want) == 0) {
		cmd = cJSON_Duplicate(found, 1);
		log_info("mattermost", "slash command /%s is registered (%s)",
		    t->trigger, want);
	} else if (found != NULL && (id = mm_str(found, "id")) != NULL) {
		/* An old url of ours: point it at us. */
		cmd = cJSON_Duplicate(found, 1);
		cJSON_ReplaceItemInObjectCaseSensitive(cmd, "url",
		    cJSON_CreateString(want));
		body = cJSON_PrintUnformatted(cmd);
		cJSON_Delete(cmd);
		snprintf(path, sizeof path, "/api/v4/commands/%s", id);
		step = "update the slash command's url";
		st = mm_rest(mm, "PUT", path, body, &r);
		free(body);
		cmd = st == 200 ? cJSON_Parse(r.body.data) : NULL;
		if (!cJSON_IsObject(cmd))
			goto fail;
		http_response_release(&r);
		log_info("mattermost", "slash command /%s now calls %s",
		    t->trigger, want);
	} else {
		body = mm_command_body(t, team, want);
		step = "create the slash command";
		st = mm_rest(mm, "POST", "/api/v4/commands", body, &r);
		free(body);
		cmd = st == 201 || st == 200 ? cJSON_Parse(r.body.data) : NULL;
		if (!cJSON_IsObject(cmd))
			goto fail;
		http_response_release(&r);
		log_info("mattermost", "registered slash command /%s -> %s",
		    t->trigger, want);
	}
	if ((tok = mm_str(cmd, "token")) == NULL || *tok == '\0') {
		if (cause != NULL)
			cause_set(cause, "mattermost: the slash command /%s has "
			    "no token in Mattermost's answer", t->trigger);
		cJSON_Delete(cmd);
		return -1;
	}
	if (t->token != NULL && strcmp(t->token, tok) != 0)
		log_info("mattermost", "the registered token of /%s replaces "
		    "the configured one", t->trigger);
	if (t->token != NULL)
		explicit_bzero(t->token, strlen(t->token));
	free(t->token);
	t->token = xstrdup(tok);
	log_add_secret(t->token);
	cJSON_Delete(cmd);
	return 0;
fail:
	cause_take(cause, mm_register_why(&r, step, t->trigger, team));
	http_response_release(&r);
	cJSON_Delete(cmd);
	return -1;
}

/* GET /api/v4/commands?team_id=T&custom_only=true, or NULL and *cause. */
static cJSON *
mm_command_list(struct mattermost *mm, char **cause)
{
	const char		*team = mm->bot->cfg->chat.mattermost_register_team_id;
	struct http_response	 r;
	struct buf		 path;
	cJSON			*list = NULL;

	/* Team ids are [a-z0-9]; escape anything else all the same. */
	buf_init(&path);
	buf_adds(&path, "/api/v4/commands?team_id=");
	escape_url_component(&path, team);
	buf_adds(&path, "&custom_only=true");
	if (mm_rest(mm, "GET", path.data, NULL, &r) == 200)
		list = cJSON_Parse(r.body.data);
	buf_release(&path);
	if (!cJSON_IsArray(list)) {
		cJSON_Delete(list);
		list = NULL;
		cause_take(cause, mm_register_why(&r, "list the team's "
		    "slash commands for", mm->bot->cfg->chat.mattermost_command
		    + 1, team));
	}
	http_response_release(&r);
	return list;
}

/* Logs a registration failure and keeps it for /status. */
static void
mm_register_failed(struct mattermost *mm, char *cause)
{
	char	*all;

	log_error("mattermost", "%s; the bot runs on without it (mentions, "
	    "direct messages, buttons and alerts are unaffected)", cause);
	if (mm->register_error == NULL)
		mm->register_error = cause;
	else {
		xasprintf(&all, "%s; %s", mm->register_error, cause);
		free(mm->register_error);
		free(cause);
		mm->register_error = all;
	}
}

void
mm_commands_start(struct mattermost *mm)
{
	const struct config	*cfg = mm->bot->cfg;
	const char		*tok;
	size_t			 i, n = cfg->chat.mattermost_ncommands;

	mm->triggers = xcalloc(n + 1, sizeof *mm->triggers);
	mm->triggers[0].trigger = xstrdup(cfg->chat.mattermost_command + 1);
	mm->triggers[0].main = 1;
	if (cfg->chat.mattermost_command_token != NULL)
		mm->triggers[0].token =
		    xstrdup(cfg->chat.mattermost_command_token);
	for (i = 0; i < n; i++) {
		mm->triggers[i + 1].trigger =
		    xstrdup(cfg->chat.mattermost_commands[i].trigger);
		tok = cfg->chat.mattermost_commands[i].token;
		mm->triggers[i + 1].token = tok != NULL ? xstrdup(tok) : NULL;
	}
	mm->ntriggers = n + 1;
}

void
mm_commands_register(struct mattermost *mm)
{
	const struct config	*cfg = mm->bot->cfg;
	char			*cause = NULL;
	cJSON			*list;
	size_t			 i;

	if (cfg->chat.mattermost_register_team_id == NULL ||
	    cfg->chat.mattermost_register_url == NULL)
		return;
	/*
	 * A slash command is one way in among several: a refusal here (a
	 * trigger another user owns, a missing permission) must not take
	 * the rest of the bot down with it.
	 */
	if ((list = mm_command_list(mm, &cause)) == NULL) {
		mm_register_failed(mm, cause);
		return;
	}
	for (i = 0; i < mm->ntriggers; i++) {
		cause = NULL;
		if (mm_register_one(mm, list, &mm->triggers[i], &cause) != 0)
			mm_register_failed(mm, cause);
	}
	cJSON_Delete(list);
}

void
mm_commands_free(struct mattermost *mm)
{
	size_t	 i;

	for (i = 0; i < mm->ntriggers; i++) {
		free(mm->triggers[i].trigger);
		if (mm->triggers[i].token != NULL) {
			explicit_bzero(mm->triggers[i].token,
			    strlen(mm->triggers[i].token));
			free(mm->triggers[i].token);
		}
	}
	free(mm->triggers);
	mm->triggers = NULL;
	mm->ntriggers = 0;
	free(mm->register_error);
	mm->register_error = NULL;
}

/* The listener's answer: {"response_type":"ephemeral","text":text}. */
static void
mm_slash_answer(struct httpd_response *resp, int status, const char *text)
{
	cJSON	*j = cJSON_CreateObject();
	char	*s;

	resp->status = status;
	cJSON_AddStringToObject(j, "response_type", "ephemeral");
	cJSON_AddStringToObject(j, "text", text);
	s = cJSON_PrintUnformatted(j);
	buf_adds(&resp->body, s);
	free(s);
	cJSON_Delete(j);
}

/* Whether token (the form's, or "Authorization: Token ...") is want's. */
static int
mm_slash_token_ok(const struct httpd_request *req, const char *token,
    const char *want)
{
	if (want == NULL)
		return 0;
	if (token != NULL && httpd_token_equal(token, want))
		return 1;
	return strncasecmp(req->authorization, "Token ", 6) == 0 &&
	    httpd_token_equal(req->authorization + 6, want);
}

/* A slash command taken, run once its 200 is written. */
struct mm_slash_job {
	struct mattermost	*mm;
	char			*text;
	char			*user;
	char			*uname;		/* or NULL */
	char			*chan;
	char			*chname;	/* or NULL */
	char			*reply_to;
};

/* Runs j's command as the bot's message. */
static void
mm_slash_handle(const struct mm_slash_job *j)
{
	struct chat_msg		 m;

	memset(&m, 0, sizeof m);
	m.user_id = j->user;
	m.user_name = j->uname;
	m.channel = j->chan;
	m.channel_name = j->chname;
	m.reply_to = j->reply_to;
	m.text = j->text;
	m.len = strlen(j->text);
	bot_handle_message(j->mm->bot, j->mm->chat, &m);
}

static void
mm_slash_job_free(struct mm_slash_job *j)
{
	free(j->text);
	free(j->user);
	free(j->uname);
	free(j->chan);
	free(j->chname);
	free(j->reply_to);
	free(j);
}

/*
 * httpd's after-answer hook: the command's store writes (its outbox row
 * and audit row) and any other work come after the 200, so Mattermost
 * hears "taken" at once whatever the command costs (a busy store waits
 * up to its busy timeout). Frees j.
 */
static void
mm_slash_run(void *arg, int written)
{
	struct mm_slash_job	*j = arg;

	/* Taken even if the 200 was lost: the answer goes to response_url. */
	(void)written;
	if (!j->mm->stopping)
		mm_slash_handle(j);
	mm_slash_job_free(j);
}

/* httpd's after-answer hook of an answer given at once: its audit row. */
static void
mm_slash_written(void *arg, int written)
{
	(void)written;
	bot_write_deferred(arg);
}

/*
 * A command that only reads (or is refused) runs now, before the answer
 * to Mattermost's request, and its first answer is that answer's body
 * (docs/protocols.md §5.2): no response URL call, no outbox row. Its
 * audit row waits until the answer is written, so a store another writer
 * holds never delays it. 1 if it answered (j is the caller's still).
 */
static int
mm_slash_at_once(struct mattermost *mm, struct httpd_response *resp,
    const struct mm_slash_job *j)
{
	struct chat_capture	 cap;
	char			*json;

	if (!mm->bot->cfg->chat.mattermost_answer_in_response ||
	    mm->stopping || !bot_command_runs_before_ack(mm->bot, j->text))
		return 0;
	memset(&cap, 0, sizeof cap);
	cap.reply_to = j->reply_to;
	mm->capture = &cap;
	bot_defer_writes(mm->bot, 1);
	mm_slash_handle(j);
	bot_defer_writes(mm->bot, 0);
	mm->capture = NULL;
	if (cap.payload != NULL) {
		resp->status = 200;
		mm->answered_at_once++;
		json = cJSON_PrintUnformatted(cap.payload);
		buf_adds(&resp->body, json);
		free(json);
		cJSON_Delete(cap.payload);
	} else
		mm_slash_answer(resp, 200, "");
	httpd_response_after(resp, mm_slash_written, mm->bot);
	return 1;
}

/*
 * POST /mattermost/command (docs/protocols.md §5.1-§5.2): the token must be the
 * one of the trigger the command came in on (compared in constant time);
 * a trigger the bot does not list takes the main command's token, as
 * before there were several. The answer comes later on response_url,
 * through the outbox; the 200 here only says the command was taken.
 */
void
mm_slash(void *arg, const struct httpd_request *req,
    struct httpd_response *resp)
{
	struct mattermost	*mm = arg;
	char			*token = httpd_form_get(req->body, "token");
	char			*command = httpd_form_get(req->body, "command");
	char			*args = httpd_form_get(req->body, "text");
	char			*user = httpd_form_get(req->body, "user_id");
	char			*uname = httpd_form_get(req->body, "user_name");
	char			*chan = httpd_form_get(req->body, "channel_id");
	char			*cname = httpd_form_get(req->body, "channel_name");
	char			*url = httpd_form_get(req->body, "response_url");
	struct mm_trigger	*t = mm_trigger_find(mm, command);
	char			*text;
	const char		*a = args != NULL ? args : "";
	struct mm_slash_job	*j;

	if (t == NULL)
		t = &mm->triggers[0];
	if (!mm_slash_token_ok(req, token, t->token)) {
		log_warn("mattermost", "refused a slash command /%s with a "
		    "wrong token", t->trigger);
		mm_slash_answer(resp, 401, "opsbot: this command's token is "
		    "not the one configured");
		goto out;
	}
	if (user == NULL || chan == NULL || url == NULL) {
		mm_slash_answer(resp, 400, "opsbot: user_id, channel_id and "
		    "response_url are required");
		goto out;
	}
	while (*a == ' ')
		a++;
	if (t->main && command != NULL && mm_trigger_find(mm, command) == t)
		/* "/opsbot" alone is a request for help. */
		text = xstrdup(*a != '\0' ? a : "help");
	else if (command == NULL)
		text = xstrdup(a);
	else
		xasprintf(&text, "%s %s", command + (command[0] == '/'), a);
	j = xcalloc(1, sizeof *j);
	j->mm = mm;
	j->text = text;
	j->user = user;
	j->uname = uname;
	j->chan = chan;
	if (cname != NULL)
		xasprintf(&j->chname, "#%s", cname);
	xasprintf(&j->reply_to, "url:%s", url);
	user = uname = chan = NULL;	/* j's now */
	if (mm_slash_at_once(mm, resp, j)) {
		mm_slash_job_free(j);
		goto out;
	}
	mm_slash_answer(resp, 200, bot_command_is_slow(mm->bot, text) ?
	    "working on it…" : "");
	httpd_response_after(resp, mm_slash_run, j);
out:
	free(token);
	free(command);
	free(args);
	free(user);
	free(uname);
	free(chan);
	free(cname);
	free(url);
}

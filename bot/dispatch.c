/*
 * The path of every command, whatever adapter it came from (redis
 * processCommand order): refuse while stopping -> split -> find ->
 * enabled? -> role -> channel -> options -> confirmation -> exec. Every
 * outcome, refusals included, is answered and written to the audit trail.
 */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bot.h"
#include "clock.h"
#include "confirm.h"
#include "dispatch_later.h"
#include "log.h"
#include "redact.h"
#include "metrics.h"
#include "outbox.h"
#include "store.h"
#include "xmalloc.h"

#define DISPATCH_AUDIT_MAX	1024	/* bytes of command line kept */
#define DISPATCH_BUTTON_MAX	1900	/* a Confirm button's command line */
#define DISPATCH_LIVE_MAX	3	/* partial answers before the final */

/* The line as it goes into the audit trail: bounded, no control bytes. */
static char *
dispatch_sanitize(const char *text, size_t len)
{
	struct buf	 b;
	size_t		 i, n;
	char		*clean;

	/* Control bytes (and NULs) first, redaction, then the cut. */
	buf_init(&b);
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];

		if (c == '\n' || c == '\r' || c == '\t')
			buf_addc(&b, ' ');
		else
			buf_addc(&b, c < 0x20 || c == 0x7f ? '?' : (char)c);
	}
	/* What users type too: password=, Bearer, URL passwords. */
	clean = redact_text(b.data);
	buf_release(&b);
	if ((n = strlen(clean)) > DISPATCH_AUDIT_MAX) {
		/* Cut on a UTF-8 character boundary. */
		n = DISPATCH_AUDIT_MAX;
		while (n > 0 && ((unsigned char)clean[n] & 0xc0) == 0x80)
			n--;
		buf_init(&b);
		buf_add(&b, clean, n);
		buf_addf(&b, "... (%zu bytes)", len);
		free(clean);
		clean = buf_detach(&b);
	}
	return clean;
}

void
cmd_reply(struct cmd_ctx *ctx, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	buf_vaddf(&ctx->reply, fmt, ap);
	va_end(ap);
}

void
cmd_status(struct cmd_ctx *ctx, enum message_status st)
{
	ctx->status = st;
}

void
cmd_mention(struct cmd_ctx *ctx, const char *mention)
{
	free(ctx->mention);
	ctx->mention = mention != NULL ? xstrdup(mention) : NULL;
}

void
cmd_title(struct cmd_ctx *ctx, enum message_status st, const char *fmt, ...)
{
	va_list	 ap;

	free(ctx->title);
	va_start(ap, fmt);
	xvasprintf(&ctx->title, fmt, ap);
	va_end(ap);
	ctx->status = st;
}

const char *
cmd_prefix(const struct cmd_ctx *ctx, const char *name)
{
	const char	*p = NULL;

	if (ctx->chat != NULL && ctx->chat->ops->cmd_prefix != NULL)
		p = ctx->chat->ops->cmd_prefix(ctx->chat, name);
	return p != NULL ? p : "/";
}

void
cmd_private(struct cmd_ctx *ctx)
{
	ctx->private_answer = 1;
}

void
cmd_button(struct cmd_ctx *ctx, const char *action, const char *label,
    const char *value, int danger)
{
	struct cmd_button	*btn;

	if (ctx->nbuttons == MESSAGE_MAX_BUTTONS)
		return;
	btn = &ctx->buttons[ctx->nbuttons++];
	btn->action = xstrdup(action);
	btn->label = xstrdup(label);
	btn->value = xstrdup(value);
	btn->danger = danger;
}

void
cmd_link(struct cmd_ctx *ctx, const char *action, const char *label,
    const char *url)
{
	struct cmd_button	*btn;

	if (ctx->nbuttons == MESSAGE_MAX_BUTTONS)
		return;
	btn = &ctx->buttons[ctx->nbuttons++];
	btn->action = xstrdup(action);
	btn->label = xstrdup(label);
	btn->url = xstrdup(url);
}

void
cmd_error(struct cmd_ctx *ctx, const char *fmt, ...)
{
	va_list	 ap;
	size_t	 start = ctx->reply.len;

	va_start(ap, fmt);
	buf_vaddf(&ctx->reply, fmt, ap);
	va_end(ap);
	if (ctx->outcome == NULL || strcmp(ctx->outcome, "ok") == 0)
		ctx->outcome = "error";
	if (ctx->detail == NULL)
		ctx->detail = xstrdup(ctx->reply.data + start);
}

void
cmd_refuse(struct cmd_ctx *ctx, const char *fmt, ...)
{
	va_list	 ap;
	size_t	 start = ctx->reply.len;

	va_start(ap, fmt);
	buf_vaddf(&ctx->reply, fmt, ap);
	va_end(ap);
	if (ctx->outcome == NULL || strcmp(ctx->outcome, "ok") == 0)
		ctx->outcome = "error";
	if (ctx->detail == NULL)
		ctx->detail = xstrdup(ctx->reply.data + start);
	ctx->private_answer = 1;
}

/*
 * Only the asker sees it: a refusal, a private command (/help, /whoami)
 * or cmd_refuse(). Never for the scheduler, which is nobody to show it
 * to: its answers go to the schedule's channel.
 */
static int
dispatch_is_private(const struct cmd_ctx *ctx)
{
	const char	*o = ctx->outcome;

	if (ctx->origin.user_id != NULL &&
	    strcmp(ctx->origin.user_id, "scheduler") == 0)
		return 0;
	if (ctx->private_answer || (ctx->entry != NULL &&
	    (ctx->entry->flags & CMD_PRIVATE)))
		return 1;
	/*
	 * A refusal concerns only the person who asked. A prompt to confirm
	 * is seen by the channel: the change is the team's, and whoever
	 * presses Confirm is named when it is done.
	 */
	return o != NULL && strcmp(o, "ok") != 0 && strcmp(o, "error") != 0 &&
	    strcmp(o, "unconfirmed") != 0 && strcmp(o, "cancelled") != 0;
}

static void
dispatch_audit(struct cmd_ctx *ctx)
{
	struct audit_entry	 e;
	char			*cause = NULL, *detail;

	memset(&e, 0, sizeof e);
	e.ts_ms = ctx->received_ms;
	e.platform = ctx->origin.platform;
	e.user_id = ctx->origin.user_id != NULL ? ctx->origin.user_id : "";
	e.user_name = ctx->origin.user_name;
	e.channel = ctx->origin.channel != NULL ? ctx->origin.channel : "";
	e.command = ctx->line;
	e.outcome = ctx->outcome != NULL ? ctx->outcome : "ok";
	/* The detail echoes user input: same bounds and redaction. */
	detail = ctx->detail != NULL ? dispatch_sanitize(ctx->detail,
	    strlen(ctx->detail)) : NULL;
	e.detail = detail;
	e.duration_ms = clock_mono_ms() - ctx->started_mono;
	e.via = ctx->origin.click ? "click" : "typed";
	e.thread = ctx->origin.thread;
	if (ctx->bot->defer_writes) {
		dispatch_later_audit(ctx->bot, &e);
		free(detail);
		return;
	}
	/* Rows an ack held back go first: the chain keeps their order. */
	dispatch_later_flush(ctx->bot);
	if (store_audit_append(ctx->bot->store, &e, &cause) != 0) {
		log_error("audit", "%s", cause);
		free(cause);
	}
	free(detail);
}

/*
 * A prompt (->preview, or the generic one) that went well gets its
 * single-use Confirm button; the command is "unconfirmed" in the audit.
 */
static void
dispatch_offer(struct cmd_ctx *ctx)
{
	char	 ttl[32];

	ctx->outcome = "unconfirmed";
	if (confirm_offer(ctx) != 0) {
		cmd_reply(ctx, "%sRepeat it with --confirm to go ahead.",
		    ctx->reply.len > 0 ? "\n" : "");
		return;
	}
	duration_format(ctx->bot->cfg->bot.confirm_timeout_s, ttl,
	    sizeof ttl);
	cmd_reply(ctx, "%sPress Confirm within %s (it works once), or repeat "
	    "it with --confirm to go ahead.", ctx->reply.len > 0 ? "\n" : "",
	    ttl);
}

/*
 * The answer so far as a message; *text and *title are its redacted
 * strings (caller frees both).
 */
static void
dispatch_render(const struct cmd_ctx *ctx, struct message *msg, char **text,
    char **title)
{
	size_t	 i;

	/*
	 * No secret reaches a channel: registered ones, and those a user
	 * typed and an error reply echoes (password=, URLs).
	 */
	*text = redact_text(ctx->reply.data);
	*title = ctx->title != NULL ? redact_text(ctx->title) : NULL;
	memset(msg, 0, sizeof *msg);
	msg->title = *title;
	msg->status = ctx->status;
	msg->mention = ctx->mention;
	msg->ephemeral = dispatch_is_private(ctx);
	msg->code = **text != '\0' ? *text : NULL;
	for (i = 0; i < ctx->nbuttons; i++) {
		msg->buttons[i].action = ctx->buttons[i].action;
		msg->buttons[i].label = ctx->buttons[i].label;
		msg->buttons[i].value = ctx->buttons[i].value;
		msg->buttons[i].danger = ctx->buttons[i].danger;
		msg->buttons[i].url = ctx->buttons[i].url;
	}
	msg->nbuttons = ctx->nbuttons;
}

int
cmd_can_progress(const struct cmd_ctx *ctx)
{
	/*
	 * Slack's response URL takes 5 messages: the partial ones leave
	 * room for the final answer (and one to spare).
	 */
	return ctx->chat->ops->reply_live != NULL && !ctx->answered &&
	    !ctx->cancelled && !dispatch_is_private(ctx) &&
	    ctx->live_sent < DISPATCH_LIVE_MAX && ctx->live_ref >= 0;
}

void
cmd_progress(struct cmd_ctx *ctx)
{
	struct message	 msg;
	char		*text, *title;
	int64_t		 ref;

	if (cmd_can_progress(ctx) &&
	    (ctx->reply.len > 0 || ctx->title != NULL)) {
		dispatch_render(ctx, &msg, &text, &title);
		ref = ctx->chat->ops->reply_live(ctx->chat, &ctx->origin,
		    ctx->live_ref, &msg);
		/* -1: no updates after all; the end still answers once. */
		ctx->live_ref = ref > 0 ? ref : -1;
		ctx->live_sent++;
		free(title);
		free(text);
	}
	buf_clear(&ctx->reply);
	free(ctx->title);
	ctx->title = NULL;
	ctx->status = MESSAGE_PLAIN;
}

/* One command answered: its counter and its time (metrics.h). */
static void
dispatch_metrics(const struct cmd_ctx *ctx)
{
	const char	*name = ctx->entry != NULL ? ctx->entry->name : "unknown";

	metrics_add("opsbot_commands_total", 1, "command", name, "outcome",
	    ctx->outcome != NULL ? ctx->outcome : "ok", NULL);
	metrics_observe("opsbot_command_duration_seconds",
	    (double)(clock_mono_ms() - ctx->started_mono) / 1000.0, "command",
	    name, NULL);
}

/* The answer to chat: in place of a partial answer on show, or anew. */
static void
dispatch_send(struct cmd_ctx *ctx, const struct message *msg)
{
	if (ctx->live_ref <= 0 || ctx->chat->ops->reply_live == NULL ||
	    msg->ephemeral || ctx->chat->ops->reply_live(ctx->chat,
	    &ctx->origin, ctx->live_ref, msg) <= 0)
		ctx->chat->ops->reply(ctx->chat, &ctx->origin, msg);
}

/*
 * The answer's outbox row, the audit row and the outbox's waiting "sent"
 * marks in one transaction: one commit a command instead of three (each
 * commit is a WAL write and several file locks, the largest cost of a
 * trivial command). 1 if this opened the transaction; *dropped is the
 * outbox's rolled-back count before it.
 */
static int
dispatch_group_begin(struct cmd_ctx *ctx, uint64_t *dropped)
{
	struct store	*s = ctx->bot->store;
	char		*cause = NULL;

	*dropped = 0;
	/* Deferred: nothing to group, and BEGIN would wait on the store. */
	if (s == NULL || ctx->bot->outbox == NULL || ctx->bot->defer_writes ||
	    store_in_transaction(s))
		return 0;
	if (store_begin(s, &cause) != 0) {
		/* Each write then commits alone, as it would have. */
		log_debug("dispatch", "answer without a transaction: %s",
		    cause);
		free(cause);
		return 0;
	}
	*dropped = outbox_rolled_back(ctx->bot->outbox);
	outbox_flush(ctx->bot->outbox);
	return 1;
}

/* Commits the group: 1 if it held, 0 if it rolled back (logged). */
static int
dispatch_group_commit(struct cmd_ctx *ctx)
{
	char	*cause = NULL;

	if (store_commit(ctx->bot->store, &cause) == 0)
		return 1;
	log_error("dispatch", "cannot commit the answer with its audit row: "
	    "%s; writing each alone", cause);
	free(cause);
	return 0;
}

void
cmd_answer(struct cmd_ctx *ctx)
{
	struct message	 msg;
	struct buf	 note;
	char		*text, *title, ms[24];
	uint64_t	 dropped, commits;
	int		 alone, answer, group;

	if (ctx->answered)
		return;
	ctx->answered = 1;
	if (ctx->previewing && !ctx->cancelled && ctx->outcome != NULL &&
	    strcmp(ctx->outcome, "ok") == 0)
		dispatch_offer(ctx);
	buf_init(&note);
	if (ctx->confirm_claimed && !ctx->cancelled)
		confirm_note(ctx, &note);
	text = title = NULL;
	answer = ctx->reply.len > 0 || ctx->title != NULL;
	if (answer) {
		dispatch_render(ctx, &msg, &text, &title);
		msg.text = note.len > 0 ? note.data : NULL;
		/* The used prompt is replaced: its button cannot be pressed. */
		msg.replace = ctx->confirm_claimed;
	}
	group = dispatch_group_begin(ctx, &dropped);
	if (answer)
		dispatch_send(ctx, &msg);
	commits = group ? store_commits(ctx->bot->store) : 0;
	dispatch_audit(ctx);
	/* Committed alone: sqlite had rolled the group back by itself. */
	alone = group && store_commits(ctx->bot->store) != commits;
	if (group && !dispatch_group_commit(ctx)) {
		/*
		 * Rolled back. The answer again only if the outbox dropped it
		 * (a console answer was printed): a full disk fails the
		 * COMMIT, not the INSERT, and alone the answer then goes out
		 * directly with the store's reason. The audit row again unless
		 * it committed alone.
		 */
		if (answer && outbox_rolled_back(ctx->bot->outbox) != dropped)
			dispatch_send(ctx, &msg);
		if (!alone)
			dispatch_audit(ctx);
	}
	free(title);
	free(text);
	buf_release(&note);
	ctx->bot->handled++;
	dispatch_metrics(ctx);
	snprintf(ms, sizeof ms, "%lld",
	    (long long)(clock_mono_ms() - ctx->started_mono));
	/* Fields, not text in msg: log shippers index them. */
	log_fields(LOG_INFO, "dispatch", "command answered", "platform",
	    ctx->origin.platform, "user", ctx->origin.user_id, "channel",
	    ctx->origin.channel, "command", ctx->entry != NULL ?
	    ctx->entry->name : NULL, "outcome", ctx->outcome != NULL ?
	    ctx->outcome : "ok", "via", ctx->origin.click ? "click" : "typed",
	    "ms", ms, NULL);
}

static void
dispatch_free(struct cmd_ctx *ctx)
{
	size_t	 i;

	for (i = 0; i < ctx->nbuttons; i++) {
		free(ctx->buttons[i].action);
		free(ctx->buttons[i].label);
		free(ctx->buttons[i].value);
		free(ctx->buttons[i].url);
	}
	chat_origin_release(&ctx->origin);
	args_free(&ctx->args);
	words_free(&ctx->words);
	buf_release(&ctx->reply);
	free(ctx->line);
	free(ctx->detail);
	free(ctx->title);
	free(ctx->mention);
	free(ctx->confirm_token);
	free(ctx->confirm_line);
	free(ctx);
}

void
cmd_finish(struct cmd_ctx *ctx)
{
	struct bot	*b = ctx->bot;

	if (!ctx->cancelled) {
		TAILQ_REMOVE(&b->inflight, ctx, entry_link);
		b->ninflight--;
	}
	cmd_answer(ctx);
	dispatch_free(ctx);
	bot_check_drained(b);
}

/* Refuses with a reply and an audit row; ends the command. */
static void dispatch_refuse(struct cmd_ctx *, const char *outcome,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void
dispatch_refuse(struct cmd_ctx *ctx, const char *outcome, const char *fmt,
    ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	buf_vaddf(&ctx->reply, fmt, ap);
	va_end(ap);
	ctx->outcome = outcome;
	ctx->detail = xstrdup(ctx->reply.data);
	cmd_answer(ctx);
	dispatch_free(ctx);
}

/*
 * The line a Confirm button will run (without --confirm): trailing space
 * cut; NULL when it is too long to keep or holds a NUL. Caller frees.
 */
static char *
dispatch_confirm_line(const struct chat_msg *m)
{
	size_t	 n = m->len;
	char	*line;

	while (n > 0 && (m->text[n - 1] == ' ' || m->text[n - 1] == '\n' ||
	    m->text[n - 1] == '\t' || m->text[n - 1] == '\r'))
		n--;
	if (n == 0 || n > DISPATCH_BUTTON_MAX || memchr(m->text, '\0', n))
		return NULL;
	line = xmalloc(n + 1);
	memcpy(line, m->text, n);
	line[n] = '\0';
	return line;
}

static void dispatch_message(struct cmd_ctx *, const struct chat_msg *);

void
bot_handle_message(struct bot *b, struct chat *chat,
    const struct chat_msg *m)
{
	struct cmd_ctx	*ctx;
	struct chat_msg	 conf;
	char		*line = NULL, *why = NULL;
	int		 rc;

	ctx = xcalloc(1, sizeof *ctx);
	ctx->bot = b;
	ctx->chat = chat;
	ctx->received_ms = clock_now_ms();
	ctx->started_mono = clock_mono_ms();
	chat_origin_set(&ctx->origin, chat->ops->name, m);
	ctx->line = dispatch_sanitize(m->text, m->len);
	buf_init(&ctx->reply);

	if (b->stopping) {
		dispatch_refuse(ctx, "refused", "opsbot is shutting down; "
		    "try again in a minute");
		return;
	}
	/* A Confirm button: its token stands for the line it runs. */
	if (m->click && (rc = confirm_lookup(ctx, m->text, m->len, &line,
	    &why)) != 0) {
		if (rc < 0) {
			dispatch_refuse(ctx, "refused", "%s", why);
			free(why);
			return;
		}
		conf = *m;
		conf.text = line;
		conf.len = strlen(line);
		free(ctx->line);
		ctx->line = dispatch_sanitize(conf.text, conf.len);
		dispatch_message(ctx, &conf);
		free(line);
		return;
	}
	dispatch_message(ctx, m);
}

static void
dispatch_message(struct cmd_ctx *ctx, const struct chat_msg *m)
{
	struct bot			*b = ctx->bot;
	struct chat			*chat = ctx->chat;
	const struct cmd_entry		*e;
	const struct cfg_command	*cc;
	const char			*name, *hint;
	char				*cause = NULL;
	struct buf			 roles;
	enum cmd_result			 rc;

	if (args_split(m->text, m->len, &ctx->words, &cause) != 0) {
		dispatch_refuse(ctx, "bad_input", "error: %s", cause);
		free(cause);
		return;
	}
	if (ctx->words.argc == 0) {
		/* A blank line is not a command; nothing to audit. */
		dispatch_free(ctx);
		return;
	}
	name = ctx->words.argv[0];
	if (*name == '/')
		name++;
	e = cmd_find(b->cmds, name);
	if (e == NULL) {
		hint = cmd_suggest(b->cmds, name);
		if (hint != NULL)
			dispatch_refuse(ctx, "unknown", "unknown command %s%s "
			    "— did you mean %s%s?", cmd_prefix(ctx, name), name,
			    cmd_prefix(ctx, hint), hint);
		else
			dispatch_refuse(ctx, "unknown", "unknown command %s%s "
			    "— type %shelp for the list", cmd_prefix(ctx, name),
			    name, cmd_prefix(ctx, "help"));
		return;
	}
	ctx->entry = e;

	cc = config_find_command(b->cfg, e->name);
	if (cc != NULL && !cc->enabled) {
		dispatch_refuse(ctx, "disabled", "%s%s is disabled in this "
		    "bot's config", cmd_prefix(ctx, e->name), e->name);
		return;
	}
	rbac_user_roles(b->rbac, chat->ops->name, m->user_id, m->user_name,
	    &ctx->user);
	if (!rbac_allows(b->rbac, &ctx->user, e)) {
		buf_init(&roles);
		rbac_roles_granting(b->rbac, e, &roles);
		buf_adds(&roles, "; you have ");
		rbac_user_describe(&ctx->user, &roles);
		dispatch_refuse(ctx, "denied", "%s%s needs role %s",
		    cmd_prefix(ctx, e->name), e->name, roles.data);
		buf_release(&roles);
		return;
	}
	if (!rbac_channel_allows(b->rbac, e, chat->ops->name, m->channel,
	    m->channel_name)) {
		dispatch_refuse(ctx, "denied", "%s%s is not allowed in this "
		    "channel (%s)", cmd_prefix(ctx, e->name), e->name,
		    m->channel_name != NULL ?
		    m->channel_name : m->channel != NULL ? m->channel : "none");
		return;
	}
	if (args_parse(&e->args, &ctx->words, &ctx->args, &cause) != 0) {
		dispatch_refuse(ctx, "bad_input", "%s\nusage: %s%s%s%s", cause,
		    cmd_prefix(ctx, e->name), e->name,
		    *e->synopsis != '\0' ? " " : "", e->synopsis);
		free(cause);
		return;
	}
	if ((e->flags & CMD_NEEDS_CONFIRM) && !args_has(&ctx->args,
	    "confirm")) {
		/* Say what would happen; the answer carries the button. */
		ctx->confirm_line = dispatch_confirm_line(m);
		ctx->previewing = 1;
		if (e->preview == NULL) {
			ctx->outcome = "ok";
			cmd_reply(ctx, "%s%s changes things on production.",
			    cmd_prefix(ctx, e->name), e->name);
			cmd_answer(ctx);
			dispatch_free(ctx);
			return;
		}
	} else if ((e->flags & CMD_NEEDS_CONFIRM) && m->click &&
	    ctx->confirm_token == NULL) {
		/* A button that runs a change must be a single-use one. */
		dispatch_refuse(ctx, "refused", "this button would run %s%s "
		    "without a single-use confirmation; type the command "
		    "again", cmd_prefix(ctx, e->name), e->name);
		return;
	}
	if (ctx->confirm_token != NULL && confirm_claim(ctx, &cause) != 0) {
		/* Not ours to replace: the prompt belongs to the winner. */
		free(ctx->confirm_token);
		ctx->confirm_token = NULL;
		dispatch_refuse(ctx, "refused", "%s", cause);
		free(cause);
		return;
	}
	ctx->confirm_claimed = ctx->confirm_token != NULL;

	TAILQ_INSERT_TAIL(&b->inflight, ctx, entry_link);
	b->ninflight++;
	ctx->outcome = "ok";
	rc = ctx->previewing ? e->preview(ctx) : e->exec(ctx);
	if (rc != CMD_PENDING)
		cmd_finish(ctx);
}

const struct cmd_entry *
dispatch_entry_of(const struct bot *b, const char *text)
{
	char	 name[64];
	size_t	 n;

	while (*text == ' ' || *text == '/')
		text++;
	n = strcspn(text, " \t\n");
	if (n == 0 || n >= sizeof name)
		return NULL;
	memcpy(name, text, n);
	name[n] = '\0';
	return cmd_find(b->cmds, name);
}

int
bot_command_is_slow(const struct bot *b, const char *text)
{
	const struct cmd_entry	*e = dispatch_entry_of(b, text);

	return e != NULL && (e->flags & CMD_TOUCHES_HOSTS);
}

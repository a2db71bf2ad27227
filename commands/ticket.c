/*
 * /ticket: ServiceNow incidents (docs/tickets.md). "/ticket create TEXT"
 * queues the opening through the outbox (ticket.h) and answers at once;
 * the number and link follow in the channel when ServiceNow gave them,
 * however long an outage delays it. "/ticket ID" reads the ticket's
 * state from ServiceNow on a worker; "/ticket" lists the recent ones
 * from the store.
 */

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "alerts.h"
#include "bot.h"
#include "buf.h"
#include "config.h"
#include "cron.h"
#include "incidents_int.h"
#include "store_tickets.h"
#include "ticket.h"
#include "workers.h"
#include "xmalloc.h"

#define TICKET_LIST_MAX	10

static enum cmd_result cmd_ticket_exec(struct cmd_ctx *);

static const struct arg_option ticket_options[] = {
	{ "category", ARG_STRING, "access, data or application (create)" },
	{ NULL, 0, NULL },
};

const struct cmd_entry cmd_ticket_entry = {
	.name = "ticket",
	.alias = NULL,
	.synopsis = "[create [--category C] TEXT | alert ID | incident [ID] | ID]",
	.help = "Opens a ServiceNow incident with the text (create) or for "
	    "an alert's group (alert) or an incident (incident, implied in "
	    "its thread; both also a Create ticket button), shows one "
	    "ticket's state as ServiceNow has it now, or lists the recent "
	    "tickets.",
	.args = { .options = ticket_options, .min = 0, .max = -1 },
	.min_role = ROLE_OPERATOR,
	.flags = 0,
	.exec = cmd_ticket_exec,
};

static void
ticket_line(void *arg, const struct store_ticket *t)
{
	struct cmd_ctx	*ctx = arg;
	struct tm	 tm;
	char		 when[32];

	cron_localtime(t->created / 1000, ctx->bot->cfg->bot.timezone, &tm);
	strftime(when, sizeof when, "%a %d %b %H:%M", &tm);
	cmd_reply(ctx, "\n%s  %s  %s  %s  (%s, by %s, %s)",
	    t->number != NULL ? t->number : "(pending)",
	    t->sys_id != NULL ? snow_state_name(t->state) : t->state,
	    t->short_description, t->url != NULL ? t->url : "",
	    t->correlation_id, t->created_by, when);
	if (t->last_error != NULL)
		cmd_reply(ctx, "\n    last error: %s", t->last_error);
}

static enum cmd_result
ticket_list(struct cmd_ctx *ctx)
{
	char	*cause = NULL;
	int	 n;

	cmd_title(ctx, MESSAGE_INFO, "Tickets");
	if ((n = store_ticket_recent(ctx->bot->store, TICKET_LIST_MAX,
	    ticket_line, ctx, &cause)) < 0) {
		cmd_error(ctx, "%s", cause);
		free(cause);
		return CMD_ERROR;
	}
	if (n == 0)
		cmd_reply(ctx, "no tickets yet; open one with /ticket create "
		    "TEXT");
	return CMD_DONE;
}

/* Where a command came from, as bot_post names it; caller frees. */
static char *
origin_receiver(const struct chat_origin *o)
{
	char	*r;

	if (strcmp(o->platform, "console") == 0)
		return xstrdup("console");
	xasprintf(&r, "%s:%s", o->platform, o->channel);
	return r;
}

static enum cmd_result
ticket_create(struct cmd_ctx *ctx)
{
	const char		*cat = args_get(&ctx->args, "category");
	const struct chat_origin *o = &ctx->origin;
	struct ticket_open	 t = { 0 };
	struct buf		 text;
	char			*corr, *receiver, *cause = NULL, *p;
	int			 i, created;
	int64_t			 id;

	if (cat != NULL && strcmp(cat, "access") != 0 &&
	    strcmp(cat, "data") != 0 && strcmp(cat, "application") != 0) {
		cmd_error(ctx, "unknown category '%s' (access, data or "
		    "application)", cat);
		return CMD_ERROR;
	}
	if (ctx->args.npos < 2) {
		cmd_error(ctx, "say what the ticket is about: /ticket create "
		    "TEXT");
		return CMD_ERROR;
	}
	buf_init(&text);
	for (i = 1; i < ctx->args.npos; i++) {
		if (i > 1)
			buf_addc(&text, ' ');
		buf_adds(&text, args_pos(&ctx->args, i));
	}
	/* This request's own key: a retry of it finds its ticket. */
	xasprintf(&corr, "chat:%s:%lld:%.40s", o->platform,
	    (long long)ctx->received_ms, o->user_id != NULL ? o->user_id :
	    "-");
	/* Plain characters only: it is a term of ServiceNow queries. */
	for (p = corr; *p != '\0'; p++) {
		if (!isalnum((unsigned char)*p) && strchr(":._-", *p) == NULL)
			*p = '_';
	}
	receiver = origin_receiver(o);
	t.correlation_id = corr;
	t.source = "chat";
	t.short_description = text.data;
	xasprintf((char **)&t.description, "Opened from %s by %s with "
	    "opsbot.\n\n%s", o->platform, o->user_name != NULL ?
	    o->user_name : o->user_id, text.data);
	t.category = cat;
	t.created_by = o->user_name != NULL ? o->user_name : o->user_id;
	t.announce = receiver;
	id = ticket_for(ctx->bot, &t, &created, &cause);
	free((char *)t.description);
	free(receiver);
	buf_release(&text);
	if (id < 0) {
		cmd_error(ctx, "cannot open a ticket: %s", cause);
		free(cause);
		free(corr);
		return CMD_ERROR;
	}
	cmd_reply(ctx, "Opening a ServiceNow ticket (#%lld, %s); its number "
	    "and link follow here once ServiceNow has answered.",
	    (long long)id, corr);
	free(corr);
	return CMD_DONE;
}

/* The row's number, for the answer to a second click. */
static void
ticket_number_cb(void *arg, const struct store_ticket *t)
{
	char	**number = arg;

	free(*number);
	*number = xstrdup(t->number != NULL ? t->number : "(being opened)");
}

/* /ticket alert ID: the Create ticket button of an alert message. */
static enum cmd_result
ticket_alert(struct cmd_ctx *ctx)
{
	const char		*arg = args_pos(&ctx->args, 1);
	struct alerts_ticket	 at;
	struct ticket_open	 t = { 0 };
	char			*end, *cause = NULL, *number = NULL;
	char			*receiver = NULL;
	long long		 id;
	int			 created;

	id = arg != NULL ? strtoll(arg, &end, 10) : 0;
	if (arg == NULL || *end != '\0' || id <= 0 || ctx->args.npos != 2) {
		cmd_error(ctx, "usage: /ticket alert ALERT_ID");
		return CMD_ERROR;
	}
	if (ctx->bot->alerts == NULL || alerts_ticket_request(ctx->bot->alerts,
	    id, &at, &cause) != 0) {
		cmd_refuse(ctx, "%s", cause != NULL ? cause : "alerts are off");
		free(cause);
		return CMD_ERROR;
	}
	t.correlation_id = at.correlation_id;
	t.source = "alert";
	t.source_id = at.correlation_id;
	t.short_description = at.title;
	t.description = at.text;
	t.created_by = ctx->origin.user_name != NULL ? ctx->origin.user_name :
	    ctx->origin.user_id;
	t.announce = at.receiver;
	t.ref = at.ref;
	/* No alert message to reply under (the console): where asked. */
	if (t.announce == NULL || t.ref == 0) {
		t.ref = 0;
		t.announce = ctx->bot->cfg->tickets.channel;
		if (t.announce == NULL)
			t.announce = receiver = origin_receiver(&ctx->origin);
	}
	if (ticket_for(ctx->bot, &t, &created, &cause) < 0) {
		cmd_error(ctx, "cannot open a ticket: %s", cause);
		free(cause);
		alerts_ticket_release(&at);
		free(receiver);
		return CMD_ERROR;
	}
	if (created)
		cmd_reply(ctx, "Opening a ServiceNow ticket for alert #%lld's "
		    "group; its number and link follow under the alert.", id);
	else {
		store_ticket_get(ctx->bot->store, at.correlation_id,
		    ticket_number_cb, &number, NULL);
		cmd_reply(ctx, "Alert #%lld's group already has ticket %s.", id,
		    number != NULL ? number : "?");
		free(number);
	}
	alerts_ticket_release(&at);
	free(receiver);
	return CMD_DONE;
}

/*
 * /ticket incident [ID]: the incident's ticket (its Create ticket
 * button); typed in the incident's thread the id is implied.
 */
static enum cmd_result
ticket_incident(struct cmd_ctx *ctx)
{
	const char		*arg = args_pos(&ctx->args, 1);
	struct incident_info	 inc;
	char			 corr[64], *end, *cause = NULL, *number = NULL;
	long long		 id = 0;
	int			 created, rc;

	if (ctx->args.npos > 2 || (arg != NULL && ((id = strtoll(arg, &end,
	    10)) <= 0 || *end != '\0'))) {
		cmd_error(ctx, "usage: /ticket incident [INCIDENT_ID]");
		return CMD_ERROR;
	}
	if (arg == NULL) {
		rc = incident_info_by_thread(ctx->bot->store,
		    ctx->origin.platform, ctx->origin.channel,
		    ctx->origin.thread, &inc, &cause);
		if (rc != 1) {
			cmd_refuse(ctx, "%s", rc < 0 ? cause : "which incident? "
			    "/ticket incident ID, or type it in its thread");
			free(cause);
			return CMD_ERROR;
		}
		id = inc.id;
		incident_info_release(&inc);
	}
	if (incident_ticket_open(ctx->bot, id, ctx->origin.user_name != NULL ?
	    ctx->origin.user_name : ctx->origin.user_id, &created,
	    &cause) < 0) {
		cmd_error(ctx, "cannot open a ticket: %s", cause);
		free(cause);
		return CMD_ERROR;
	}
	if (created) {
		cmd_reply(ctx, "Opening a ServiceNow ticket for incident #%lld; "
		    "its number and link follow in the incident's thread.", id);
		return CMD_DONE;
	}
	incident_ticket_corr(id, corr, sizeof corr);
	store_ticket_get(ctx->bot->store, corr, ticket_number_cb, &number,
	    NULL);
	cmd_reply(ctx, "Incident #%lld already has ticket %s.", id,
	    number != NULL ? number : "?");
	free(number);
	return CMD_DONE;
}

/* /ticket ID: the store's row, then ServiceNow's word on its state. */
struct ticket_fetch {
	struct cmd_ctx		*ctx;
	struct snow_conf	*conf;
	char			*key;		/* sys_id or number */
	char			*correlation_id;
	struct snow_record	 rec;
	int			 rc;
	char			*cause;
};

static void
ticket_fetch_free(struct ticket_fetch *f)
{
	snow_conf_free(f->conf);
	snow_record_clear(&f->rec);
	free(f->key);
	free(f->correlation_id);
	free(f->cause);
	free(f);
}

static void
ticket_fetch_work(void *arg)
{
	struct ticket_fetch	*f = arg;

	f->rc = snow_fetch(f->conf, f->key, &f->rec, &f->cause);
}

static void
ticket_row_cb(void *arg, const struct store_ticket *t)
{
	struct ticket_fetch	*f = arg;

	f->correlation_id = xstrdup(t->correlation_id);
	f->key = xstrdup(t->sys_id != NULL ? t->sys_id : t->number != NULL ?
	    t->number : "");
	cmd_reply(f->ctx, "%s — %s\n%s", t->number != NULL ? t->number :
	    "(not opened yet)", t->short_description, t->url != NULL ?
	    t->url : "");
	if (t->sys_id == NULL)
		cmd_reply(f->ctx, "\nstate: %s%s%s", t->state,
		    t->last_error != NULL ? " — " : "", t->last_error != NULL ?
		    t->last_error : "");
}

static void
ticket_fetch_done(void *arg, enum workers_status st)
{
	struct ticket_fetch	*f = arg;
	struct cmd_ctx		*ctx = f->ctx;
	char			*cause = NULL;

	if (ctx->cancelled)
		goto out;
	if (st != WORKERS_DONE)
		cmd_reply(ctx, "\nstate: not read (opsbot is shutting down)");
	else if (f->rc < 0) {
		cmd_reply(ctx, "\nstate: not read: %s", f->cause);
		cmd_status(ctx, MESSAGE_WARN);
	} else if (f->rc == 0) {
		cmd_reply(ctx, "\nstate: ServiceNow has no such ticket");
		cmd_status(ctx, MESSAGE_WARN);
	} else {
		cmd_reply(ctx, "\nstate: %s (from ServiceNow)",
		    snow_state_name(f->rec.state));
		if (f->correlation_id != NULL && store_ticket_set(
		    ctx->bot->store, f->correlation_id, f->rec.state, NULL,
		    NULL, NULL, NULL, &cause) != 0) {
			cmd_reply(ctx, "\n(not stored: %s)", cause);
			free(cause);
		}
	}
out:
	/* Cancelled at shutdown too: cmd_finish frees ctx without answering. */
	cmd_finish(ctx);
	ticket_fetch_free(f);
}

static enum cmd_result
ticket_show(struct cmd_ctx *ctx, const char *key)
{
	struct ticket_fetch	*f = xcalloc(1, sizeof *f);
	char			*cause = NULL;
	int			 n;

	f->ctx = ctx;
	cmd_title(ctx, MESSAGE_INFO, "Ticket %s", key);
	if ((n = store_ticket_get(ctx->bot->store, key, ticket_row_cb, f,
	    &cause)) < 0) {
		cmd_error(ctx, "%s", cause);
		free(cause);
		ticket_fetch_free(f);
		return CMD_ERROR;
	}
	if (n == 0) {
		/* Not one of ours, but ServiceNow may know the number. */
		if (strncasecmp(key, "INC", 3) != 0 || strspn(key,
		    "0123456789INCinc") != strlen(key)) {
			ticket_fetch_free(f);
			cmd_refuse(ctx, "no ticket '%s' (try /ticket for the "
			    "list)", key);
			return CMD_ERROR;
		}
		f->key = xstrdup(key);
		cmd_reply(ctx, "%s (not opened by opsbot)", key);
	}
	if (f->key[0] == '\0' || (f->conf = tickets_conf(ctx->bot)) == NULL) {
		ticket_fetch_free(f);
		return CMD_DONE;
	}
	if (workers_submit(ctx->bot->workers, ticket_fetch_work,
	    ticket_fetch_done, f) != 0) {
		ticket_fetch_free(f);
		return CMD_DONE;
	}
	return CMD_PENDING;
}

static enum cmd_result
cmd_ticket_exec(struct cmd_ctx *ctx)
{
	const char	*first = args_pos(&ctx->args, 0);

	if (first == NULL)
		return ticket_list(ctx);
	if (!tickets_enabled(ctx->bot)) {
		cmd_error(ctx, "tickets are off: set tickets.servicenow."
		    "instance (docs/tickets.md)");
		return CMD_ERROR;
	}
	if (strcmp(first, "create") == 0)
		return ticket_create(ctx);
	if (strcmp(first, "alert") == 0)
		return ticket_alert(ctx);
	if (strcmp(first, "incident") == 0)
		return ticket_incident(ctx);
	if (ctx->args.npos > 1) {
		cmd_error(ctx, "one ticket at a time: /ticket ID|NUMBER");
		return CMD_ERROR;
	}
	return ticket_show(ctx, first);
}

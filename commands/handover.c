/*
 * /handover [--since DURATION]: the shift digest for the next engineer,
 * in one message: open incidents; open alerts and who acknowledged them;
 * what fired and resolved during the shift; reruns and restarts (who, how
 * it ended); checklist lines still failing in each checklist's latest
 * run; tickets opened. The shift is --since, else since the last
 * /handover that went well (within a day), else the last 12 hours. It
 * reads only the store, on the loop thread, so it can be scheduled like a
 * checklist (schedules[].run "/handover"). Unlike the EOD's day (which a
 * checklist run carries), it needs no checklist and no hosts.
 */

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bot.h"
#include "buf.h"
#include "clock.h"
#include "config.h"
#include "args.h"
#include "cron.h"
#include "store_checklists.h"
#include "store_handover.h"
#include "xmalloc.h"

#define HANDOVER_DEFAULT_S	(12 * 3600)
#define HANDOVER_LAST_S		(24 * 3600)	/* how far back "the last" */
#define HANDOVER_ROWS		200	/* rows read per section */
#define HANDOVER_LIST		10	/* lines shown per section */

static enum cmd_result cmd_handover_exec(struct cmd_ctx *);

static const struct arg_option cmd_handover_options[] = {
	{ "since", ARG_DURATION, "the shift is the last DURATION (default: since the last /handover, or 12h)" },
	{ NULL, 0, NULL }
};

const struct cmd_entry cmd_handover_entry = {
	.name = "handover",
	.alias = NULL,
	.synopsis = "[--since DURATION]",
	.help = "Shows the shift digest for the next engineer: open incidents, open alerts with who acknowledged them, what fired and resolved, reruns and restarts, checklist lines still failing and tickets opened, since the last handover (or 12 hours).",
	.args = { .options = cmd_handover_options, .min = 0, .max = 0 },
	.min_role = ROLE_VIEWER,
	.flags = 0,
	.exec = cmd_handover_exec,
};

/* One alert's shift, in the order its first event came. */
struct ho_alert {
	int64_t		 id;
	char		*name;		/* "DbDown on db1" */
	char		*state;		/* now */
	struct buf	 story;		/* "fired 09:12, resolved 10:20" */
};

struct ho {
	struct cmd_ctx	*ctx;
	const char	*tz;
	int64_t		 since_ms;
	int64_t		 today_ms;	/* local midnight: times show the day
					   before it */
	struct buf	 sec;		/* the section being built */
	int		 n;		/* its lines */
	struct ho_alert	*alerts;
	size_t		 nalerts;
	int		 fired, resolved;
};

/* "13:31", or "Thu 03 13:31" before today, in the bot's zone. */
static void
ho_time(const struct ho *h, int64_t ms, char *out, size_t len)
{
	struct tm	 tm;

	cron_localtime(ms / 1000, h->tz, &tm);
	strftime(out, len, ms >= h->today_ms ? "%H:%M" : "%a %d %H:%M", &tm);
}

/* A line of the current section, unless HANDOVER_LIST are shown. */
static struct buf *
ho_line(struct ho *h)
{
	if (h->n++ >= HANDOVER_LIST)
		return NULL;
	buf_adds(&h->sec, "• ");
	return &h->sec;
}

/* Ends a section: its heading with the count, its lines, "and N more". */
static void
ho_section(struct ho *h, const char *heading, const char *none)
{
	if (h->n == 0)
		cmd_reply(h->ctx, "%s: %s\n", heading, none);
	else {
		cmd_reply(h->ctx, "%s: %d\n%s", heading, h->n, h->sec.data);
		if (h->n > HANDOVER_LIST)
			cmd_reply(h->ctx, "• and %d more\n", h->n -
			    HANDOVER_LIST);
	}
	buf_clear(&h->sec);
	h->n = 0;
}

static void
ho_incident_cb(void *arg, const struct store_incident_row *r)
{
	struct ho	*h = arg;
	struct buf	*b;
	char		 at[32];

	if ((b = ho_line(h)) == NULL)
		return;
	ho_time(h, r->opened_ms, at, sizeof at);
	buf_addf(b, "#%lld %s (sev %d), open since %s by %s", (long long)r->id,
	    r->title, r->severity, at, r->opened_by);
	if (r->status != NULL && *r->status != '\0')
		buf_addf(b, "; status: %s", r->status);
	buf_addc(b, '\n');
}

static void
ho_open_alert_cb(void *arg, const struct store_open_alert_row *r)
{
	struct ho	*h = arg;
	struct buf	*b;
	char		 at[32];

	if ((b = ho_line(h)) == NULL)
		return;
	ho_time(h, r->first_seen_ms, at, sizeof at);
	buf_addf(b, "#%lld %s%s%s (%s), open since %s: ", (long long)r->id,
	    r->alertname, *r->host != '\0' ? " on " : "", r->host,
	    r->severity, at);
	if (strcmp(r->state, "acknowledged") != 0)
		buf_addf(b, "%s, ", r->state);
	if (r->acked_by != NULL && *r->acked_by != '\0')
		buf_addf(b, "acknowledged by %s\n", r->acked_by);
	else
		buf_adds(b, "nobody has acknowledged it\n");
}

/* The alert's entry, added if new (owned by h). */
static struct ho_alert *
ho_alert_get(struct ho *h, const struct store_day_event_row *r)
{
	struct ho_alert	*a;
	size_t		 i;

	for (i = 0; i < h->nalerts; i++) {
		if (h->alerts[i].id == r->alert_id)
			return &h->alerts[i];
	}
	h->alerts = xreallocarray(h->alerts, h->nalerts + 1,
	    sizeof *h->alerts);
	a = &h->alerts[h->nalerts++];
	a->id = r->alert_id;
	xasprintf(&a->name, "%s%s%s", r->alertname, *r->host != '\0' ?
	    " on " : "", r->host);
	a->state = xstrdup(r->state);
	buf_init(&a->story);
	return a;
}

static void
ho_event_cb(void *arg, const struct store_day_event_row *r)
{
	struct ho	*h = arg;
	struct ho_alert	*a = ho_alert_get(h, r);
	char		 at[32];

	ho_time(h, r->at_ms, at, sizeof at);
	if (a->story.len > 0)
		buf_adds(&a->story, ", ");
	if (strncmp(r->what, "fired", 5) == 0) {
		h->fired++;
		buf_addf(&a->story, "%s %s", r->what, at);
	} else if (strcmp(r->what, "resolved") == 0) {
		h->resolved++;
		buf_addf(&a->story, "resolved %s", at);
	} else
		buf_addf(&a->story, "%s by %s %s", r->what, r->who, at);
}

/*
 * Is the line a rerun or a restart ("/rerun JOB", "rerun JOB", "/opsbot
 * restart HOST SVC")? The store's filter is a coarse LIKE: "/audit
 * rerun" is not one.
 */
static int
ho_is_action(const struct ho *h, const char *line)
{
	const char	*w = line + strspn(line, " /");
	size_t		 n = strcspn(w, " ");
	char		 first[32];

	if ((n == 5 && strncmp(w, "rerun", 5) == 0) ||
	    (n == 7 && strncmp(w, "restart", 7) == 0))
		return 1;
	/* The first word may be the bot's trigger or a mention. */
	if (n < sizeof first) {
		memcpy(first, w, n);
		first[n] = '\0';
		if (cmd_find(h->ctx->bot->cmds, first) != NULL)
			return 0;
	}
	w += n;
	w += strspn(w, " /");
	n = strcspn(w, " ");
	return (n == 5 && strncmp(w, "rerun", 5) == 0) ||
	    (n == 7 && strncmp(w, "restart", 7) == 0);
}

static void
ho_action_cb(void *arg, const struct store_action_row *r)
{
	struct ho	*h = arg;
	struct buf	*b;
	char		 at[32];

	if (!ho_is_action(h, r->command) || (b = ho_line(h)) == NULL)
		return;
	ho_time(h, r->ts_ms, at, sizeof at);
	buf_addf(b, "%s %s%s: %s — %s", at, r->user_name != NULL &&
	    *r->user_name != '\0' ? "@" : "", r->user_name != NULL &&
	    *r->user_name != '\0' ? r->user_name : r->user, r->command,
	    r->outcome);
	if (r->detail != NULL && *r->detail != '\0' &&
	    strcmp(r->outcome, "ok") != 0)
		buf_addf(b, ": %.120s", r->detail);
	buf_addc(b, '\n');
}

static void
ho_failing_cb(void *arg, const struct store_failing_row *r)
{
	struct ho			*h = arg;
	const struct cfg_checklist	*cl;
	struct buf			*b;
	char				 at[32];

	if ((b = ho_line(h)) == NULL)
		return;
	cl = config_find_checklist(h->ctx->bot->cfg, r->checklist);
	ho_time(h, r->started_ms, at, sizeof at);
	buf_addf(b, "%s (run %s): %s — %s", cl != NULL ? cl->title :
	    r->checklist, at, r->title, strcmp(r->status, "fail") == 0 ?
	    "failed" : "could not check");
	if (r->detail != NULL && *r->detail != '\0')
		buf_addf(b, ": %.120s", r->detail);
	buf_addc(b, '\n');
}

static void
ho_ticket_cb(void *arg, const struct store_ticket_row *r)
{
	struct ho	*h = arg;
	struct buf	*b;
	char		 at[32];

	if ((b = ho_line(h)) == NULL)
		return;
	ho_time(h, r->created_ms, at, sizeof at);
	buf_addf(b, "%s %s (%s), opened %s by %s%s%s\n", r->number != NULL ?
	    r->number : "(not yet created)", r->short_description, r->state,
	    at, r->created_by, r->url != NULL ? " " : "", r->url != NULL ?
	    r->url : "");
}

/* A store error: said in the section, the rest of the digest goes on. */
static void
ho_store_error(struct ho *h, const char *heading, char **cause)
{
	cmd_reply(h->ctx, "%s: cannot read the store: %s\n", heading, *cause);
	cmd_status(h->ctx, MESSAGE_WARN);
	free(*cause);
	*cause = NULL;
	buf_clear(&h->sec);
	h->n = 0;
}

/* The shift: --since, the last handover within a day, or 12 hours. */
static int64_t
ho_since(struct cmd_ctx *ctx, const char **how)
{
	int64_t	 now = clock_now_ms(), secs, last = 0;
	char	*cause = NULL;

	secs = args_get_num(&ctx->args, "since", 0);
	if (secs > 0) {
		*how = "";
		return now - secs * 1000;
	}
	if (store_handover_last(ctx->bot->store, now - HANDOVER_LAST_S * 1000,
	    &last, &cause) != 0)
		free(cause);
	if (last > 0) {
		*how = " (the last handover)";
		return last;
	}
	*how = "";
	return now - HANDOVER_DEFAULT_S * 1000;
}

static enum cmd_result
cmd_handover_exec(struct cmd_ctx *ctx)
{
	struct ho	 h;
	struct tm	 tm;
	int64_t		 midnight_s, now = clock_now_ms();
	const char	*how;
	char		*cause = NULL, from[64], span[32];
	size_t		 i;

	memset(&h, 0, sizeof h);
	h.ctx = ctx;
	h.tz = ctx->bot->cfg->bot.timezone;
	buf_init(&h.sec);
	h.since_ms = ho_since(ctx, &how);
	cron_localtime(now / 1000, h.tz, &tm);
	if (cron_local_instant(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
	    0, 0, h.tz, &midnight_s) != 0)
		midnight_s = now / 1000 - 86400;
	h.today_ms = midnight_s * 1000;
	cron_localtime(h.since_ms / 1000, h.tz, &tm);
	strftime(from, sizeof from, "%a %d %b %H:%M", &tm);
	duration_format((now - h.since_ms) / 1000, span, sizeof span);
	cmd_title(ctx, MESSAGE_INFO, "Handover: the shift since %s%s, %s",
	    from, how, span);

	if (store_handover_incidents(ctx->bot->store, HANDOVER_ROWS,
	    ho_incident_cb, &h, &cause) < 0)
		ho_store_error(&h, "Open incidents", &cause);
	else
		ho_section(&h, "Open incidents", "none");
	if (store_open_alerts(ctx->bot->store, HANDOVER_ROWS,
	    ho_open_alert_cb, &h, &cause) < 0)
		ho_store_error(&h, "Open alerts", &cause);
	else
		ho_section(&h, "Open alerts", "none");

	if (store_day_alert_events(ctx->bot->store, h.since_ms,
	    HANDOVER_ROWS, ho_event_cb, &h, &cause) < 0)
		ho_store_error(&h, "During the shift", &cause);
	else {
		cmd_reply(ctx, "During the shift: %d fired, %d resolved%s\n",
		    h.fired, h.resolved, h.nalerts == 0 ? " (no alert "
		    "events)" : "");
		for (i = 0; i < h.nalerts && i < HANDOVER_LIST; i++)
			cmd_reply(ctx, "• #%lld %s: %s%s%s\n",
			    (long long)h.alerts[i].id, h.alerts[i].name,
			    h.alerts[i].story.data, strcmp(h.alerts[i].state,
			    "resolved") != 0 ? "; now " : "",
			    strcmp(h.alerts[i].state, "resolved") != 0 ?
			    h.alerts[i].state : "");
		if (h.nalerts > HANDOVER_LIST)
			cmd_reply(ctx, "• and %zu more (/alerts)\n",
			    h.nalerts - HANDOVER_LIST);
	}
	if (store_day_actions(ctx->bot->store, h.since_ms, HANDOVER_ROWS,
	    ho_action_cb, &h, &cause) < 0)
		ho_store_error(&h, "Reruns and restarts", &cause);
	else
		ho_section(&h, "Reruns and restarts", "none");
	if (store_handover_failing(ctx->bot->store, HANDOVER_ROWS,
	    ho_failing_cb, &h, &cause) < 0)
		ho_store_error(&h, "Checklist lines still failing", &cause);
	else
		ho_section(&h, "Checklist lines still failing", "none");
	if (store_handover_tickets(ctx->bot->store, h.since_ms, HANDOVER_ROWS,
	    ho_ticket_cb, &h, &cause) < 0)
		ho_store_error(&h, "Tickets opened", &cause);
	else
		ho_section(&h, "Tickets opened", "none");

	for (i = 0; i < h.nalerts; i++) {
		free(h.alerts[i].name);
		free(h.alerts[i].state);
		buf_release(&h.alerts[i].story);
	}
	free(h.alerts);
	buf_release(&h.sec);
	return CMD_DONE;
}

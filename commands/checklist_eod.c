/*
 * The end of the day as a handover (a checklist with "compare_with" and
 * "handover", e.g. the embedded eod). The next shift reads one message:
 * each check against that day's first run of the other checklist (the
 * morning's SOD), with what people did about it, so "✓ Ledger export
 * done" cannot hide that it failed at 08:00 and was rerun at 13:31; then
 * the day: alerts fired, acknowledged and still open, and every rerun and
 * restart with who ran it and how it ended. Everything comes from the
 * store (checklist runs, alerts, alert_events, audit), read on the loop
 * thread once per run.
 */

#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cause.h"
#include "args.h"
#include "bot.h"
#include "checklist_run.h"
#include "config.h"
#include "cron.h"
#include "inventory.h"
#include "log.h"
#include "store_checklists.h"
#include "xmalloc.h"

#define EOD_ROWS_MAX	200	/* events or actions read for a day */
#define EOD_LIST_MAX	8	/* lines listed per section: a post stays short */
#define EOD_PER_CHECK	3	/* actions named on one check's line */

/* A rerun or restart of the day, read from its audit row. */
struct eod_action {
	int64_t		 ts_ms;
	char		*who;		/* "@alice" */
	int		 restart;	/* else a rerun */
	char		*job;		/* rerun JOB */
	char		*host;		/* restart HOST SERVICE */
	char		*service;
	char		*outcome;
	char		*detail;	/* or NULL */
};

/* One alert's day, in the order its first event came. */
struct eod_alert {
	int64_t		 id;
	char		*name;		/* "DbDown on db1" */
	char		*state;		/* now */
	struct buf	 story;		/* "fired 09:12, acknowledged by ..." */
	int		 fired;
	int		 acked;
};

struct eod {
	struct checklist_run	*run;
	const char		*tz;
	int64_t			 midnight_ms;
	/* The compared run. */
	int64_t			 prev_id;
	int64_t			 prev_started_ms;
	char			**prev_status;	/* per check; NULL: absent */
	struct eod_action	*actions;
	size_t			 nactions;
	struct eod_alert	*alerts;
	size_t			 nalerts;
	int			 nopen;
	int			 nopen_older;	/* open since before today */
	int			 nevents;	/* read; EOD_ROWS_MAX: cut */
	struct buf		 open;		/* open before today */
};

/* "13:31" (or "Dec 03 13:31" on another day) in the bot's zone. */
static void
eod_time(const struct eod *e, int64_t ms, char *out, size_t len)
{
	struct tm	 tm;

	cron_localtime(ms / 1000, e->tz, &tm);
	strftime(out, len, ms >= e->midnight_ms ? "%H:%M" : "%b %d %H:%M",
	    &tm);
}

static void
eod_prev_run_cb(void *arg, const struct store_run_row *r)
{
	struct eod	*e = arg;

	e->prev_id = r->id;
	e->prev_started_ms = r->started_ms;
}

static void
eod_prev_result_cb(void *arg, const struct store_result_row *r)
{
	struct eod	*e = arg;
	size_t		 i;

	for (i = 0; i < e->run->cl->nchecks; i++) {
		if (e->prev_status[i] == NULL &&
		    strcmp(e->run->cl->checks[i].title, r->title) == 0) {
			e->prev_status[i] = xstrdup(r->status);
			return;
		}
	}
}

/*
 * Reads an audit line ("rerun JOB --confirm", "/restart HOST SVC",
 * "opsbot rerun JOB" from a mention) into a, whose strings the caller
 * frees (eod_free); 0, or -1 (nothing allocated) if it is not a rerun
 * or a restart after all.
 */
static int
eod_action_parse(const char *line, struct eod_action *a)
{
	struct words	 w;
	const char	*pos[2] = { NULL, NULL };
	const char	*cmd;
	char		*cause = NULL;
	int		 i, npos = 0, rc = -1;

	if (args_split(line, strlen(line), &w, &cause) != 0) {
		free(cause);
		return -1;
	}
	if (w.argc == 0)
		goto out;
	/*
	 * A slash command's text ("rerun JOB"), or a line that starts
	 * with the bot's trigger or a mention ("/opsbot rerun JOB").
	 */
	i = 0;
	cmd = w.argv[0] + (w.argv[0][0] == '/');
	if (strcmp(cmd, "rerun") != 0 && strcmp(cmd, "restart") != 0 &&
	    w.argc > 1)
		cmd = w.argv[++i] + (w.argv[1][0] == '/');
	for (i++; i < w.argc && npos < 2; i++) {
		if (strncmp(w.argv[i], "--", 2) != 0)
			pos[npos++] = w.argv[i];
	}
	if (strcmp(cmd, "rerun") == 0 && npos >= 1) {
		a->job = xstrdup(pos[0]);
		rc = 0;
	} else if (strcmp(cmd, "restart") == 0 && npos == 2) {
		a->restart = 1;
		a->host = xstrdup(pos[0]);
		a->service = xstrdup(pos[1]);
		rc = 0;
	}
out:
	words_free(&w);
	return rc;
}

static void
eod_action_cb(void *arg, const struct store_action_row *r)
{
	struct eod		*e = arg;
	struct eod_action	 a;

	memset(&a, 0, sizeof a);
	if (eod_action_parse(r->command, &a) != 0)
		return;
	a.ts_ms = r->ts_ms;
	if (r->user_name != NULL && *r->user_name != '\0')
		xasprintf(&a.who, "@%s", r->user_name);
	else
		a.who = xstrdup(r->user != NULL ? r->user : "?");
	a.outcome = xstrdup(r->outcome);
	a.detail = r->detail != NULL && *r->detail != '\0' ?
	    xstrdup(r->detail) : NULL;
	e->actions = xreallocarray(e->actions, e->nactions + 1,
	    sizeof *e->actions);
	e->actions[e->nactions++] = a;
}

/* The alert's entry, added if new (owned by e, freed by eod_free). */
static struct eod_alert *
eod_alert_get(struct eod *e, const struct store_day_event_row *r)
{
	struct eod_alert	*a;
	size_t			 i;

	for (i = 0; i < e->nalerts; i++) {
		if (e->alerts[i].id == r->alert_id)
			return &e->alerts[i];
	}
	e->alerts = xreallocarray(e->alerts, e->nalerts + 1,
	    sizeof *e->alerts);
	a = &e->alerts[e->nalerts++];
	memset(a, 0, sizeof *a);
	a->id = r->alert_id;
	xasprintf(&a->name, "%s%s%s", r->alertname, *r->host != '\0' ?
	    " on " : "", r->host);
	a->state = xstrdup(r->state);
	buf_init(&a->story);
	return a;
}

static void
eod_event_cb(void *arg, const struct store_day_event_row *r)
{
	struct eod		*e = arg;
	struct eod_alert	*a = eod_alert_get(e, r);
	char			 at[32];

	eod_time(e, r->at_ms, at, sizeof at);
	if (a->story.len > 0)
		buf_adds(&a->story, ", ");
	if (strncmp(r->what, "fired", 5) == 0) {
		a->fired = 1;
		buf_addf(&a->story, "%s %s", r->what, at);
	} else if (strcmp(r->what, "acknowledged") == 0) {
		a->acked = 1;
		buf_addf(&a->story, "acknowledged by %s %s", r->who, at);
	} else if (strcmp(r->what, "resolved") == 0)
		buf_addf(&a->story, "resolved %s", at);
	else
		buf_addf(&a->story, "%s by %s %s", r->what, r->who, at);
}

static void
eod_open_cb(void *arg, const struct store_open_alert_row *r)
{
	struct eod	*e = arg;
	char		 since[32];
	size_t		 i;

	e->nopen++;
	for (i = 0; i < e->nalerts; i++) {
		if (e->alerts[i].id == r->id)
			return;		/* told with the day's events */
	}
	if (++e->nopen_older > EOD_LIST_MAX)
		return;
	eod_time(e, r->first_seen_ms, since, sizeof since);
	buf_addf(&e->open, "• #%lld %s%s%s: %s since %s%s%s\n",
	    (long long)r->id, r->alertname, *r->host != '\0' ? " on " : "",
	    r->host, r->state, since, r->acked_by != NULL ? ", by " : "",
	    r->acked_by != NULL ? r->acked_by : "");
}

/* Does an action touch what check ck looks at? */
static int
eod_action_matches(const struct config *cfg, const struct cfg_check *ck,
    const struct eod_action *a)
{
	const struct cfg_host	**hosts;
	size_t			 i, n;
	char			*cause = NULL;
	int			 hit = 0;

	if (!a->restart && ck->kind == CHECK_JOBS_STATUS) {
		for (i = 0; i < ck->jobs.n; i++) {
			if (fnmatch(ck->jobs.v[i], a->job, 0) == 0)
				return 1;
		}
		return 0;
	}
	if (!a->restart || ck->kind != CHECK_SERVICES_RUNNING ||
	    ck->target == NULL)
		return 0;
	if (ck->services.n != 0 && !config_strlist_has(&ck->services,
	    a->service))
		return 0;
	if (inventory_resolve(cfg, ck->target, &hosts, &n, &cause) != 0) {
		free(cause);
		return 0;
	}
	for (i = 0; i < n && !hit; i++)
		hit = strcmp(hosts[i]->name, a->host) == 0;
	free(hosts);
	return hit;
}

/*
 * Marks check i's line with what the compared run said and what was
 * done about it: "failed at SOD 08:00, rerun by @alice 13:31 (ok)".
 */
static void
eod_annotate(struct eod *e, const char *prev_title, size_t i)
{
	struct check_result	*r = &e->run->results[i];
	const struct cfg_check	*ck = &e->run->cl->checks[i];
	const char		*was = e->prev_status[i];
	char			 at[32];
	size_t			 k;
	int			 named = 0;

	if (was == NULL)
		return;
	if (strcmp(was, "ok") == 0 && r->status == CHECK_OK)
		return;
	eod_time(e, e->prev_started_ms, at, sizeof at);
	if (r->detail.len > 0)
		buf_adds(&r->detail, "; ");
	buf_addf(&r->detail, "%s at %s %s", strcmp(was, "ok") == 0 ? "ok" :
	    strcmp(was, "fail") == 0 ? "failed" : "could not check",
	    prev_title, at);
	for (k = 0; k < e->nactions; k++) {
		const struct eod_action *a = &e->actions[k];

		if (a->ts_ms < e->prev_started_ms ||
		    !eod_action_matches(e->run->bot->cfg, ck, a))
			continue;
		if (named++ == EOD_PER_CHECK) {
			buf_adds(&r->detail, ", and more");
			break;
		}
		eod_time(e, a->ts_ms, at, sizeof at);
		if (a->restart)
			buf_addf(&r->detail, ", restarted on %s by %s %s (%s)",
			    a->host, a->who, at, a->outcome);
		else
			buf_addf(&r->detail, ", rerun by %s %s (%s)", a->who,
			    at, a->outcome);
	}
}

/* "Since SOD 08:00: fixed: A, B; new: C." */
static void
eod_compare(struct eod *e, const char *prev_title, struct buf *out)
{
	const struct checklist_run	*run = e->run;
	struct buf			 fixed, news;
	char				 at[32];
	size_t				 i;
	int				 was_ok, now_ok;

	if (e->prev_id == 0) {
		buf_addf(out, "No %s today to compare with.\n", prev_title);
		return;
	}
	buf_init(&fixed);
	buf_init(&news);
	for (i = 0; i < run->cl->nchecks; i++) {
		if (e->prev_status[i] == NULL)
			continue;
		was_ok = strcmp(e->prev_status[i], "ok") == 0;
		now_ok = run->results[i].status == CHECK_OK;
		if (!was_ok && now_ok)
			buf_addf(&fixed, "%s%s", fixed.len > 0 ? ", " : "",
			    run->cl->checks[i].title);
		else if (was_ok && !now_ok)
			buf_addf(&news, "%s%s", news.len > 0 ? ", " : "",
			    run->cl->checks[i].title);
	}
	eod_time(e, e->prev_started_ms, at, sizeof at);
	if (fixed.len == 0 && news.len == 0)
		buf_addf(out, "Since %s %s: no check changed.\n", prev_title,
		    at);
	else
		buf_addf(out, "Since %s %s:%s%s%s%s%s.\n", prev_title, at,
		    fixed.len > 0 ? " fixed: " : "", fixed.data,
		    fixed.len > 0 && news.len > 0 ? ";" : "",
		    news.len > 0 ? " new: " : "", news.data);
	buf_release(&fixed);
	buf_release(&news);
}

/* The day: alerts, then reruns and restarts. */
static void
eod_day(struct eod *e, struct buf *out)
{
	size_t	 i;
	int	 fired = 0, acked = 0;
	char	 at[32];

	for (i = 0; i < e->nalerts; i++) {
		fired += e->alerts[i].fired;
		acked += e->alerts[i].acked;
	}
	buf_addf(out, "\nThe day, for the handover:\nAlerts: %d fired, %d "
	    "acknowledged, %d still open%s\n", fired, acked, e->nopen,
	    e->nevents >= EOD_ROWS_MAX ? " (from the day's first "
	    "events only; /alerts has the rest)" : "");
	for (i = 0; i < e->nalerts && i < EOD_LIST_MAX; i++) {
		const struct eod_alert *a = &e->alerts[i];

		buf_addf(out, "• #%lld %s: %s%s%s\n", (long long)a->id,
		    a->name, a->story.data, strcmp(a->state, "resolved") !=
		    0 ? "; still " : "", strcmp(a->state, "resolved") != 0 ?
		    a->state : "");
	}
	if (e->nalerts > EOD_LIST_MAX)
		buf_addf(out, "• and %zu more (/alerts)\n", e->nalerts -
		    EOD_LIST_MAX);
	buf_add(out, e->open.data, e->open.len);
	if (e->nopen_older > EOD_LIST_MAX)
		buf_addf(out, "• and %d more open since before today "
		    "(/alerts open)\n", e->nopen_older - EOD_LIST_MAX);
	if (e->nactions == 0) {
		buf_adds(out, "Reruns and restarts: none\n");
		return;
	}
	buf_addf(out, "Reruns and restarts: %zu\n", e->nactions);
	for (i = 0; i < e->nactions && i < EOD_LIST_MAX; i++) {
		const struct eod_action *a = &e->actions[i];

		eod_time(e, a->ts_ms, at, sizeof at);
		if (a->restart)
			buf_addf(out, "• %s restart %s %s by %s: %s", at,
			    a->host, a->service, a->who, a->outcome);
		else
			buf_addf(out, "• %s rerun %s by %s: %s", at, a->job,
			    a->who, a->outcome);
		if (a->detail != NULL && strcmp(a->outcome, "ok") != 0)
			buf_addf(out, " — %.120s", a->detail);
		buf_addc(out, '\n');
	}
	if (e->nactions > EOD_LIST_MAX)
		buf_addf(out, "• and %zu more\n", e->nactions - EOD_LIST_MAX);
}

static void
eod_free(struct eod *e)
{
	size_t	 i;

	for (i = 0; i < e->run->cl->nchecks; i++)
		free(e->prev_status[i]);
	free(e->prev_status);
	for (i = 0; i < e->nactions; i++) {
		free(e->actions[i].who);
		free(e->actions[i].job);
		free(e->actions[i].host);
		free(e->actions[i].service);
		free(e->actions[i].outcome);
		free(e->actions[i].detail);
	}
	free(e->actions);
	for (i = 0; i < e->nalerts; i++) {
		free(e->alerts[i].name);
		free(e->alerts[i].state);
		buf_release(&e->alerts[i].story);
	}
	free(e->alerts);
	buf_release(&e->open);
}

/* Logs a store error of the handover; the summary goes on without it. */
static void
eod_store_error(const struct checklist_run *run, char **cause)
{
	log_error("checklist", "%s: handover: %s", run->cl->name, *cause);
	free(*cause);
	cause_clear(cause);
}

void
checklist_eod(struct checklist_run *run, struct buf *out)
{
	const struct cfg_checklist	*cl = run->cl;
	const struct cfg_checklist	*prev;
	struct store			*st = run->bot->store;
	struct eod			 e;
	struct tm			 tm;
	int64_t				 midnight_s;
	const char			*prev_title;
	char				*cause = NULL;
	size_t				 i;

	if (cl->compare_with == NULL && !cl->handover)
		return;
	memset(&e, 0, sizeof e);
	e.run = run;
	e.tz = run->bot->cfg->bot.timezone;
	buf_init(&e.open);
	e.prev_status = xcalloc(cl->nchecks, sizeof *e.prev_status);
	/* "That day": local midnight of the run's start in bot.timezone. */
	cron_localtime(run->started_ms / 1000, e.tz, &tm);
	if (cron_local_instant(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
	    0, 0, e.tz, &midnight_s) != 0)
		midnight_s = run->started_ms / 1000 - 86400;
	e.midnight_ms = midnight_s * 1000;

	if (store_day_actions(st, e.midnight_ms, EOD_ROWS_MAX, eod_action_cb,
	    &e, &cause) < 0)
		eod_store_error(run, &cause);
	if (cl->compare_with != NULL) {
		prev = config_find_checklist(run->bot->cfg, cl->compare_with);
		prev_title = prev != NULL ? prev->title : cl->compare_with;
		/* The day's first run: what the morning found. */
		if (store_run_first_since(st, cl->compare_with, e.midnight_ms,
		    run->started_ms, eod_prev_run_cb, &e, &cause) < 0)
			eod_store_error(run, &cause);
		if (e.prev_id > 0 && store_run_results(st, e.prev_id,
		    eod_prev_result_cb, &e, &cause) < 0)
			eod_store_error(run, &cause);
		for (i = 0; i < cl->nchecks; i++)
			eod_annotate(&e, prev_title, i);
		eod_compare(&e, prev_title, out);
	}
	if (cl->handover) {
		if ((e.nevents = store_day_alert_events(st, e.midnight_ms,
		    EOD_ROWS_MAX, eod_event_cb, &e, &cause)) < 0)
			eod_store_error(run, &cause);
		if (store_open_alerts(st, EOD_ROWS_MAX, eod_open_cb, &e,
		    &cause) < 0)
			eod_store_error(run, &cause);
		eod_day(&e, out);
	}
	eod_free(&e);
}

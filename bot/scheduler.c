/*
 * The scheduler (see scheduler.h). Each enabled schedule knows its next due
 * time; one lws_sul timer is armed for the earliest. When it fires, every
 * schedule due by now runs once (a suspended machine waking up late does
 * not replay each missed minute), is recorded in the store, and moves to
 * its next time after now.
 */

#include <libwebsockets.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cause.h"
#include "clock.h"
#include "config.h"
#include "cron.h"
#include "log.h"
#include "loop.h"
#include "scheduler.h"
#include "store.h"
#include "store_checklists.h"
#include "xmalloc.h"

struct sched_entry {
	const struct cfg_schedule	*cfg;
	struct cron			 cron;
	int64_t				 next_s;	/* -1: never again */
};

struct sched {
	const struct config	*cfg;
	struct store		*store;
	struct loop		*loop;
	sched_fire_fn		 fire;
	void			*arg;
	struct sched_entry	*v;
	size_t			 n;
	lws_sorted_usec_list_t	 timer;
	int			 timer_armed;
};

static void	sched_arm(struct sched *);

/* Is the due day (in bot.timezone) a business day? */
static int
sched_business_day(const struct sched *s, int64_t due_s)
{
	struct tm	 tm;

	if (cron_localtime(due_s, s->cfg->bot.timezone, &tm) != 0)
		return 1;
	return cron_is_business_day(tm.tm_year + 1900, tm.tm_mon + 1,
	    tm.tm_mday, tm.tm_wday,
	    (const char *const *)s->cfg->bot.holidays.v,
	    s->cfg->bot.holidays.n);
}

static void
sched_run(struct sched *s, struct sched_entry *e, int64_t due_s,
    const char *trigger)
{
	char	*cause = NULL;

	if (store_schedule_ran(s->store, e->cfg->name, due_s * 1000,
	    clock_now_ms(), &cause) != 0) {
		log_error("sched", "%s: %s", e->cfg->name, cause);
		free(cause);
	}
	if (e->cfg->business_days && !sched_business_day(s, due_s)) {
		log_info("sched", "%s: skipped, not a business day",
		    e->cfg->name);
		return;
	}
	log_info("sched", "%s: running %s%s", e->cfg->name, e->cfg->run,
	    strcmp(trigger, "late") == 0 ? " (late: missed while the bot "
	    "was down)" : "");
	s->fire(s->arg, e->cfg, trigger, due_s * 1000);
}

static void
sched_advance(struct sched *s, struct sched_entry *e, int64_t after_s)
{
	if (cron_next(&e->cron, s->cfg->bot.timezone, after_s,
	    &e->next_s) != 0) {
		log_warn("sched", "%s: \"%s\" never fires again",
		    e->cfg->name, e->cfg->cron);
		e->next_s = -1;
	}
}

/* A run missed while the bot was down: once, if within the grace. */
static void
sched_catch_up(struct sched *s, struct sched_entry *e, int64_t now_s)
{
	int64_t	 last_ms, t, missed = -1;
	char	*cause = NULL;
	int	 guard;

	if (store_schedule_last(s->store, e->cfg->name, &last_ms,
	    &cause) != 0) {
		log_error("sched", "%s: %s", e->cfg->name, cause);
		free(cause);
		return;
	}
	if (last_ms == 0) {
		/* Never ran: start counting from now, not from 1970. */
		if (store_schedule_ran(s->store, e->cfg->name, now_s * 1000,
		    now_s * 1000, &cause) != 0) {
			log_error("sched", "%s: %s", e->cfg->name, cause);
			free(cause);
		}
		return;
	}
	t = last_ms / 1000;
	for (guard = 0; guard < 100000; guard++) {
		if (cron_next(&e->cron, s->cfg->bot.timezone, t, &t) != 0 ||
		    t > now_s)
			break;
		missed = t;
	}
	if (missed < 0)
		return;
	if (now_s - missed <= e->cfg->grace_s)
		sched_run(s, e, missed, "late");
	else {
		log_warn("sched", "%s: missed its run while the bot was down, "
		    "more than its grace ago; not run", e->cfg->name);
		if (store_schedule_ran(s->store, e->cfg->name, missed * 1000,
		    now_s * 1000, &cause) != 0) {
			log_error("sched", "%s: %s", e->cfg->name, cause);
			free(cause);
		}
	}
}

struct sched *
sched_start(const struct config *cfg, struct store *store,
    struct loop *loop, sched_fire_fn fire, void *arg, char **cause)
{
	struct sched		*s = xcalloc(1, sizeof *s);
	struct sched_entry	*e;
	int64_t			 now_s = clock_now_ms() / 1000;
	size_t			 i;
	char			*why = NULL;

	s->cfg = cfg;
	s->store = store;
	s->loop = loop;
	s->fire = fire;
	s->arg = arg;
	s->v = xcalloc(cfg->nschedules + 1, sizeof *s->v);
	if (cron_tz_check(cfg->bot.timezone, &why) != 0) {
		cause_set(cause, "bot.timezone: %s", why);
		free(why);
		sched_free(s);
		return NULL;
	}
	for (i = 0; i < cfg->nschedules; i++) {
		if (!cfg->schedules[i].enabled)
			continue;
		e = &s->v[s->n];
		e->cfg = &cfg->schedules[i];
		if (cron_parse(e->cfg->cron, &e->cron, &why) != 0) {
			cause_set(cause, "schedules[%zu]: %s", i, why);
			free(why);
			sched_free(s);
			return NULL;
		}
		if (cron_next(&e->cron, cfg->bot.timezone, now_s,
		    &e->next_s) != 0) {
			cause_set(cause, "schedules[%zu]: cron \"%s\" never "
			    "fires (a date that does not exist, like 30 "
			    "February?)", i, e->cfg->cron);
			sched_free(s);
			return NULL;
		}
		s->n++;
	}
	for (i = 0; i < s->n; i++) {
		sched_catch_up(s, &s->v[i], now_s);
		sched_advance(s, &s->v[i], now_s);
	}
	if (s->n > 0)
		log_info("sched", "%zu schedule(s) in %s", s->n,
		    cfg->bot.timezone);
	sched_arm(s);
	return s;
}

void
sched_free(struct sched *s)
{
	if (s == NULL)
		return;
	if (s->timer_armed)
		lws_sul_cancel(&s->timer);
	free(s->v);
	free(s);
}

void
sched_tick(struct sched *s)
{
	int64_t	 now_s = clock_now_ms() / 1000, due;
	size_t	 i;

	for (i = 0; i < s->n; i++) {
		struct sched_entry *e = &s->v[i];

		if (e->next_s < 0 || e->next_s > now_s)
			continue;
		due = e->next_s;
		sched_advance(s, e, now_s);
		sched_run(s, e, due, "schedule");
	}
}

int64_t
sched_next_due(const struct sched *s)
{
	int64_t	 due = -1;
	size_t	 i;

	for (i = 0; i < s->n; i++) {
		if (s->v[i].next_s >= 0 && (due < 0 || s->v[i].next_s < due))
			due = s->v[i].next_s;
	}
	return due < 0 ? -1 : due * 1000;
}

static void
sched_timer_cb(lws_sorted_usec_list_t *sul)
{
	struct sched	*s = lws_container_of(sul, struct sched, timer);

	s->timer_armed = 0;
	sched_tick(s);
	sched_arm(s);
}

static void
sched_arm(struct sched *s)
{
	int64_t	 due = sched_next_due(s), now = clock_now_ms();

	if (s->loop == NULL || due < 0)
		return;
	if (s->timer_armed)
		lws_sul_cancel(&s->timer);
	/* lws timers are relative: wake a little after the due second. */
	lws_sul_schedule(loop_lws(s->loop), 0, &s->timer, sched_timer_cb,
	    (due > now ? due - now + 5 : 5) * LWS_US_PER_MS);
	s->timer_armed = 1;
}

size_t
sched_count(const struct sched *s)
{
	return s != NULL ? s->n : 0;
}

const struct cfg_schedule *
sched_entry(const struct sched *s, size_t i, int64_t *next_ms)
{
	if (s == NULL || i >= s->n)
		return NULL;
	*next_ms = s->v[i].next_s >= 0 ? s->v[i].next_s * 1000 : -1;
	return s->v[i].cfg;
}

/*
 * The scheduler (scheduler.c): config schedules (cron, in bot.timezone) fire
 * on one timer armed for the next due time. A schedule may skip weekends
 * and bot.holidays. A run missed while the bot was down runs once at
 * start if it is still within the schedule's grace, marked late. Time is
 * clock_now_ms(): tests advance a fake clock and call sched_tick().
 */
#ifndef OPSBOT_SCHEDULER_H
#define OPSBOT_SCHEDULER_H

#include <stddef.h>
#include <stdint.h>

struct cfg_schedule;
struct config;
struct loop;
struct sched;
struct store;

/* What a due schedule does; trigger is "schedule" or "late". */
typedef void (*sched_fire_fn)(void *arg, const struct cfg_schedule *,
	    const char *trigger, int64_t due_ms);

/*
 * Parses every enabled schedule's cron (a bad one fails the start with
 * its place), runs missed ones within their grace (through fire), and
 * arms the timer (loop may be NULL in tests). NULL and *cause on error.
 */
struct sched *sched_start(const struct config *, struct store *,
	    struct loop *, sched_fire_fn fire, void *arg, char **cause);
void	 sched_free(struct sched *);
/* Fires what is due now. */
void	 sched_tick(struct sched *);
/* When the next schedule is due (clock_now_ms), or -1. */
int64_t	 sched_next_due(const struct sched *);
/* For /status: how many enabled schedules, and each one's next run. */
size_t	 sched_count(const struct sched *);
/* Schedule i's config (borrowed) and next run in ms, or -1: never again. */
const struct cfg_schedule *sched_entry(const struct sched *, size_t i,
	    int64_t *next_ms);

#endif

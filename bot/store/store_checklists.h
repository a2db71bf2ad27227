/*
 * Checklist runs and their results, and when each schedule last ran
 * (store_checklists.c). Strings cross borrowed for the call.
 */
#ifndef OPSBOT_STORE_CHECKLISTS_H
#define OPSBOT_STORE_CHECKLISTS_H

#include <stdint.h>

struct store;

struct store_run_row {
	int64_t		 id;
	const char	*name;		/* "sod" */
	int64_t		 started_ms;
	int64_t		 finished_ms;
	const char	*trigger;	/* "command", "schedule", "late" */
	int		 passed;
	int		 total;
};

struct store_result_row {
	int		 idx;
	const char	*title;
	const char	*kind;
	const char	*status;	/* "ok", "fail", "error" */
	const char	*detail;
	const char	*output;	/* or NULL */
};

/* A run with its results, in one transaction; its id, or -1 and *cause. */
int64_t	 store_run_add(struct store *, const struct store_run_row *,
	    const struct store_result_row *, int nresults, char **cause);
typedef void (*store_run_cb)(void *arg, const struct store_run_row *);
typedef void (*store_result_cb)(void *arg, const struct store_result_row *);
/*
 * The last n runs of a checklist, newest first (name NULL: of any).
 * Returns how many, or -1.
 */
int	 store_runs_recent(struct store *, const char *name, int n,
	    store_run_cb, void *arg, char **cause);
/* One run's results in order; how many, or -1. */
int	 store_run_results(struct store *, int64_t run_id, store_result_cb,
	    void *arg, char **cause);

/*
 * The first run of a checklist that started in [since_ms, before_ms)
 * (the morning's SOD for an EOD); 1 if found (cb called), 0, or -1.
 */
int	 store_run_first_since(struct store *, const char *name,
	    int64_t since_ms, int64_t before_ms, store_run_cb, void *arg,
	    char **cause);

/* What happened to an alert during a day, with the alert as it is now. */
struct store_day_event_row {
	int64_t		 alert_id;
	int64_t		 at_ms;
	const char	*who;		/* source or "@alice" */
	const char	*what;		/* "fired", "acknowledged", ... */
	const char	*alertname;
	const char	*host;
	const char	*severity;
	const char	*state;		/* now: "firing", "resolved", ... */
};
typedef void (*store_day_event_cb)(void *arg,
	    const struct store_day_event_row *);
/*
 * Alert events (fired, acknowledged, resolved, silenced) since since_ms,
 * oldest first, at most limit; how many, or -1 and *cause.
 */
int	 store_day_alert_events(struct store *, int64_t since_ms, int limit,
	    store_day_event_cb, void *arg, char **cause);

/* An alert not resolved yet. */
struct store_open_alert_row {
	int64_t		 id;
	const char	*alertname;
	const char	*host;
	const char	*severity;
	const char	*state;		/* "firing", "acknowledged", "silenced" */
	const char	*acked_by;	/* or NULL */
	int64_t		 first_seen_ms;
};
typedef void (*store_open_alert_cb)(void *arg,
	    const struct store_open_alert_row *);
/* Alerts still open, oldest first, at most limit; how many, or -1. */
int	 store_open_alerts(struct store *, int limit, store_open_alert_cb,
	    void *arg, char **cause);

/* A command that changed something (/rerun, /restart), from the audit. */
struct store_action_row {
	int64_t		 ts_ms;
	const char	*user;		/* platform id */
	const char	*user_name;	/* or NULL */
	const char	*command;	/* the line as typed or clicked */
	const char	*outcome;	/* "ok", "error", "cancelled" */
	const char	*detail;	/* or NULL */
};
typedef void (*store_action_cb)(void *arg, const struct store_action_row *);
/*
 * Audit rows since since_ms that ran a rerun or restart (not prompts or
 * refusals), oldest first, at most limit; how many, or -1 and *cause.
 */
int	 store_day_actions(struct store *, int64_t since_ms, int limit,
	    store_action_cb, void *arg, char **cause);

/* When schedule name last fired (its due time), or 0 if never; -1 error. */
int	 store_schedule_last(struct store *, const char *name,
	    int64_t *last_due_ms, char **cause);
int	 store_schedule_ran(struct store *, const char *name,
	    int64_t due_ms, int64_t ran_ms, char **cause);

#endif

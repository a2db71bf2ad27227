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

/* When schedule name last fired (its due time), or 0 if never; -1 error. */
int	 store_schedule_last(struct store *, const char *name,
	    int64_t *last_due_ms, char **cause);
int	 store_schedule_ran(struct store *, const char *name,
	    int64_t due_ms, int64_t ran_ms, char **cause);

#endif

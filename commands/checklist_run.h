/*
 * Running a checklist (SOD, EOD, ...): every check at once, each host's
 * part a probe on the worker pool with the remote deadline, then the
 * verdicts, the stored run, and the summary message (checklist_run.c).
 * A check that cannot run is a failure with its cause, never a pass.
 */
#ifndef OPSBOT_CHECKLIST_RUN_H
#define OPSBOT_CHECKLIST_RUN_H

#include <stdatomic.h>
#include <stdint.h>

#include "buf.h"
#include "message.h"
#include "runbook_link.h"

struct bot;
struct cfg_checklist;

enum check_status {
	CHECK_OK,
	CHECK_FAIL,		/* ran; the answer is no */
	CHECK_ERROR,		/* could not run: unreachable, timeout... */
};

struct check_result {
	enum check_status	 status;
	struct buf		 detail;	/* one line */
	struct buf		 output;	/* long output, for the thread */
	struct buf		 unchecked;	/* hosts not checked, until finish */
};

/* checklist_verdict.c: one check's verdict over its hosts. */
void	 check_result_init(struct check_result *);
void	 check_result_release(struct check_result *);
/*
 * Adds one problem: CHECK_FAIL (a host answered no) or CHECK_ERROR (it
 * could not be checked). The status becomes the worst known: a failure
 * outranks could-not-check, which outranks ok.
 */
void	 check_problem(struct check_result *, enum check_status,
	    const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/*
 * Ends a result: its line is the failures, then "could not check: "
 * and the hosts (and causes) that could not be checked.
 */
void	 check_result_finish(struct check_result *);

struct cfg_check;
struct probe;
/* checklist_script.c: adds check ck's section to probe p's script. */
void	 check_script(struct probe *, const struct cfg_check *);
/* The file a file_fresh check looks at on p's host (borrowed), or NULL. */
const char *check_file_path(const struct probe *, const struct cfg_check *);

struct checklist_run;
typedef void (*checklist_done_fn)(struct checklist_run *, void *arg);

struct checklist_run {
	struct bot			*bot;
	const struct cfg_checklist	*cl;
	const char			*trigger;	/* static */
	int64_t				 started_ms;
	int64_t				 finished_ms;
	int64_t				 run_id;	/* stored; -1 if not */
	struct check_result		*results;
	int				 passed;
	/* The summary, once done: headline, lines, details, comparison. */
	struct buf			 title;
	struct buf			 text;
	struct buf			 details;
	enum message_status		 status;
	/* The failed checks' runbooks (checklist_runbooks), once each. */
	struct runbook_link		 runbooks[MESSAGE_MAX_BUTTONS];
	size_t				 nrunbooks;
	/* internal */
	struct probe			*probes;
	size_t				 nprobes;
	size_t				*probe_check;
	atomic_uchar			*answered;	/* per probe, set by
							   the worker */
	checklist_done_fn		 done;
	void				*arg;
	struct checklist_fleet		*fleet;	/* checks via metrics */
};

/*
 * checklist_metrics.c: the checks with "via": "metrics" (disk_below),
 * answered from the metrics sources instead of a probe. wanted: does cl
 * have any; query: on the worker, each such check's target asked;
 * verdicts: on the loop thread, into run->results; free: accepts a run
 * without any.
 */
int	 checklist_metrics_wanted(const struct cfg_checklist *);
void	 checklist_metrics_query(struct checklist_run *);
void	 checklist_metrics_verdicts(struct checklist_run *);
void	 checklist_metrics_free(struct checklist_run *);

/*
 * checklist_eod.c: for a checklist with compare_with or handover, before
 * the run is stored: marks each check's line against that day's first
 * run of compare_with ("failed at SOD 08:00, rerun by @alice 13:31
 * (ok)"), and writes to out the comparison and the day's alerts, reruns
 * and restarts. Store errors are logged; the summary goes on.
 */
void	 checklist_eod(struct checklist_run *, struct buf *out);

/*
 * checklist_runbook.c: the runbooks.map runbooks of run's failed checks
 * (by their services, jobs and hosts) into run->runbooks, before the
 * summary is shown; freed with the run (checklist_runbooks_release).
 */
void	 checklist_runbooks(struct checklist_run *);
void	 checklist_runbooks_release(struct checklist_run *);

/*
 * Starts a run; done is called on the loop thread with the summary
 * ready (the run is freed after it returns). Returns 0, or -1 and
 * *cause if the pool refused (shutting down).
 */
int	 checklist_start(struct bot *, const struct cfg_checklist *,
	    const char *trigger, checklist_done_fn done, void *arg,
	    char **cause);
/*
 * The same, and *runp is the run while it goes on (until done returns),
 * for checklist_progress.
 */
int	 checklist_start_run(struct bot *, const struct cfg_checklist *,
	    const char *trigger, checklist_done_fn done, void *arg,
	    struct checklist_run **runp, char **cause);
/*
 * Loop thread, while run goes on: "3 of 4 host checks answered;
 * waiting: nfs1 (Disks)" into out. Returns how many are still waiting.
 */
size_t	 checklist_progress(const struct checklist_run *, struct buf *out);
/* Posts summary + details (in its thread) to a receiver; 0 or -1. */
int	 checklist_post(const struct checklist_run *, const char *receiver,
	    char **cause);
/* The summary as a message (strings borrowed from run). */
void	 checklist_message(const struct checklist_run *, struct message *);
/* Who the run pages: the checklist's mention when a check failed. */
const char *checklist_mention(const struct checklist_run *);

#endif

/*
 * A fixed pool of threads for blocking work (ssh probes, Web API calls,
 * checklist steps). The libuv contract: when workers_submit() fails the
 * done callback never runs; when it succeeds, done runs exactly once, on
 * the loop thread, with WORKERS_DONE or, if the job never started,
 * WORKERS_CANCELLED.
 */
#ifndef OPSBOT_WORKERS_H
#define OPSBOT_WORKERS_H

#include <stddef.h>
#include <stdint.h>

struct loop;
struct workers;

enum workers_status {
	WORKERS_DONE,
	WORKERS_CANCELLED,
};

typedef void (*workers_work_cb)(void *arg);	/* on a worker thread */
typedef void (*workers_done_cb)(void *arg, enum workers_status);

/* Starts n threads (1-64) that post completions to loop. */
struct workers *workers_create(int n, struct loop *);

/*
 * Has a shutdown begun? For a long job (a log search) to give up early
 * instead of holding the bot's exit until its own deadline. Any thread.
 */
int	 workers_stopping(struct workers *);

/* Returns 0, or -1 when the pool is shutting down (done will not run). */
int	 workers_submit(struct workers *, workers_work_cb, workers_done_cb,
	    void *arg);

size_t	 workers_queued(struct workers *);	/* waiting for a thread */
size_t	 workers_running(struct workers *);
int	 workers_threads(struct workers *);

/*
 * Stops intake and cancels every job not yet started, then waits up to
 * timeout_ms for running ones. Returns how many are still running; when
 * 0, the threads have been joined. Loop thread.
 */
size_t	 workers_shutdown(struct workers *, int64_t timeout_ms);
/* Frees the pool after a shutdown that returned 0; accepts NULL. */
void	 workers_free(struct workers *);

#endif

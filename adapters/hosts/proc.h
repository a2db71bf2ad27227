/*
 * Runs child processes from an argv (never a shell of ours), many at a
 * time from one thread: each in its own process group, its output
 * captured up to a cap, and the whole group killed at its deadline.
 * Used from worker threads; blocks until every process has ended.
 */
#ifndef OPSBOT_PROC_H
#define OPSBOT_PROC_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

struct proc {
	/* In: set by the caller. */
	char		**argv;		/* NULL-terminated; owned (proc_release) */
	const char	*input;		/* written to stdin, or NULL */
	int64_t		 timeout_ms;	/* hard deadline from its start */
	size_t		 output_cap;	/* bytes of stdout kept */

	/* Out: set by proc_run_many. */
	struct buf	 out;		/* stdout, at most output_cap bytes */
	struct buf	 err;		/* stderr, at most 8 KiB */
	int		 started;	/* spawned */
	int		 spawn_errno;	/* why it could not start */
	int		 exit_code;	/* 0-255, or -1 if killed by a signal */
	int		 signal;	/* the signal, when killed */
	int		 timed_out;	/* killed at the deadline */
	int		 truncated;	/* stdout went over output_cap */
	int64_t		 elapsed_ms;
};

/* Takes ownership of argv (a NULL-terminated array of strings). */
void	 proc_init(struct proc *, char **argv, int64_t timeout_ms,
	    size_t output_cap);
void	 proc_release(struct proc *);

/*
 * Runs procs[0..n), at most concurrency at a time, in order. Returns
 * when all have ended. Never fails as a whole: a process that cannot be
 * spawned has started = 0 and spawn_errno set.
 */
void	 proc_run_many(struct proc *procs, size_t n, int concurrency);
/*
 * The same, calling done(arg, i) on this thread as soon as procs[i] has
 * ended (output read, reaped), so a caller can show early answers while
 * a slow host is still running. procs[i] is not touched after that.
 */
void	 proc_run_many_watch(struct proc *procs, size_t n, int concurrency,
	    void (*done)(void *arg, size_t i), void *arg);

/* Writes the last non-empty line of p->err (or "") into out; returns out. */
const char *proc_last_err_line(const struct proc *, char *out, size_t len);

#endif

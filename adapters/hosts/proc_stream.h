/*
 * A child process whose output is read while it runs (a live /tail),
 * not at its end like proc_run_many. Nothing here blocks: the owner
 * reads from a timer on the loop thread. The child's stdin is a pipe the
 * owner holds open for its whole life, so the child (a remote script)
 * can see the owner go: EOF on stdin when stopped, or when the bot dies.
 */
#ifndef OPSBOT_PROC_STREAM_H
#define OPSBOT_PROC_STREAM_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

#include "proc.h"

struct proc_stream {
	/*
	 * argv, err (stderr, at most 8 KiB), exit_code, signal, started,
	 * spawn_errno and elapsed_ms, so host_explain can read a failed
	 * stream like a finished run.
	 */
	struct proc	 p;
	pid_t		 pid;
	int		 in_fd;
	int		 out_fd;
	int		 err_fd;
	int		 reaped;
	int64_t		 start_ms;
};

/*
 * Starts argv (ownership passes, also on failure). Returns 0, or -1 with
 * ps->p.spawn_errno set; either way release with proc_stream_release.
 */
int	 proc_stream_start(struct proc_stream *, char **argv);
/*
 * Appends what stdout holds now to out, at most max bytes (the rest
 * waits in the pipe); drains stderr. Returns the bytes added, or -1 once
 * stdout is at its end and nothing is left.
 */
ssize_t	 proc_stream_read(struct proc_stream *, struct buf *out, size_t max);
/* Has the child exited (reaped now if so)? */
int	 proc_stream_exited(struct proc_stream *);
/*
 * Ends the child: closes its stdin (the polite way: a script waiting on
 * it cleans up), sends SIGTERM to its group, waits up to grace_ms, then
 * SIGKILLs the group. Returns once it is reaped. Idempotent.
 */
void	 proc_stream_stop(struct proc_stream *, int64_t grace_ms);
/*
 * The first half of a stop, without waiting: closes stdin and sends
 * SIGTERM to the group, so several streams end in parallel before each
 * proc_stream_stop reaps its own.
 */
void	 proc_stream_hangup(struct proc_stream *);
/* Stops (without grace) if still running, then frees. */
void	 proc_stream_release(struct proc_stream *);

#endif

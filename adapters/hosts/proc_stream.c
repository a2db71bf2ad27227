/*
 * Streaming child processes (see proc_stream.h). Spawned like the batch
 * runner's (proc_spawn_pipes), read without blocking; ended by closing
 * stdin, then signals to the whole process group.
 */

#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "proc_int.h"
#include "proc_stream.h"

#define PROC_STREAM_ERR_CAP	8192
#define PROC_STREAM_CHUNK	16384

static int64_t
ps_now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
ps_close(int *fd)
{
	if (*fd != -1) {
		close(*fd);
		*fd = -1;
	}
}

int
proc_stream_start(struct proc_stream *ps, char **argv)
{
	int	 rc;

	memset(ps, 0, sizeof *ps);
	proc_init(&ps->p, argv, 0, 0);
	ps->in_fd = ps->out_fd = ps->err_fd = -1;
	ps->reaped = 1;		/* nothing to reap until it starts */
	rc = proc_spawn_pipes(argv, 1, &ps->pid, &ps->in_fd, &ps->out_fd,
	    &ps->err_fd);
	if (rc != 0) {
		ps->p.spawn_errno = rc;
		return -1;
	}
	ps->reaped = 0;
	ps->p.started = 1;
	ps->start_ms = ps_now_ms();
	fcntl(ps->out_fd, F_SETFL, O_NONBLOCK);
	fcntl(ps->err_fd, F_SETFL, O_NONBLOCK);
	return 0;
}

/* Reads fd until it would block or cap is reached; -1 at its end. */
static ssize_t
ps_drain(int *fd, struct buf *b, size_t max, size_t keep)
{
	char	 chunk[PROC_STREAM_CHUNK];
	ssize_t	 n, got = 0;
	size_t	 want, room;

	while (*fd != -1 && (size_t)got < max) {
		want = max - (size_t)got < sizeof chunk ?
		    max - (size_t)got : sizeof chunk;
		n = read(*fd, chunk, want);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			break;
		if (n <= 0) {
			ps_close(fd);
			return got > 0 ? got : -1;
		}
		/* stderr keeps its first keep bytes: the cause is there. */
		room = b->len >= keep ? 0 : keep - b->len;
		buf_add(b, chunk, (size_t)n < room ? (size_t)n : room);
		got += n;
	}
	return *fd == -1 && got == 0 ? -1 : got;
}

ssize_t
proc_stream_read(struct proc_stream *ps, struct buf *out, size_t max)
{
	if (ps->err_fd != -1)
		ps_drain(&ps->err_fd, &ps->p.err, PROC_STREAM_ERR_CAP,
		    PROC_STREAM_ERR_CAP);
	if (ps->out_fd == -1)
		return -1;
	return ps_drain(&ps->out_fd, out, max, (size_t)-1);
}

static void
ps_reap(struct proc_stream *ps, int flags)
{
	int	 status;
	pid_t	 r;

	if (ps->reaped)
		return;
	do
		r = waitpid(ps->pid, &status, flags);
	while (r == -1 && errno == EINTR);
	if (r != ps->pid)
		return;
	ps->reaped = 1;
	ps->p.elapsed_ms = ps_now_ms() - ps->start_ms;
	if (WIFEXITED(status))
		ps->p.exit_code = WEXITSTATUS(status);
	else if (WIFSIGNALED(status)) {
		ps->p.exit_code = -1;
		ps->p.signal = WTERMSIG(status);
	}
}

int
proc_stream_exited(struct proc_stream *ps)
{
	ps_reap(ps, WNOHANG);
	return ps->reaped;
}

void
proc_stream_hangup(struct proc_stream *ps)
{
	ps_close(&ps->in_fd);
	/*
	 * The group: a local shell's tail and grep too. For ssh, the
	 * client's end closes the session, and the remote script ends on
	 * its stdin's EOF (see adapters/hosts/follow.c).
	 */
	if (!ps->reaped)
		kill(-ps->pid, SIGTERM);
}

void
proc_stream_stop(struct proc_stream *ps, int64_t grace_ms)
{
	int64_t	 until;

	proc_stream_hangup(ps);
	if (!ps->reaped) {
		until = ps_now_ms() + grace_ms;
		for (;;) {
			ps_reap(ps, WNOHANG);
			if (ps->reaped || ps_now_ms() >= until)
				break;
			usleep(10000);
		}
		if (!ps->reaped) {
			kill(-ps->pid, SIGKILL);
			kill(ps->pid, SIGKILL);
			ps_reap(ps, 0);
		}
	}
	/* What is left in stderr says why, e.g. an ssh error. */
	if (ps->err_fd != -1)
		ps_drain(&ps->err_fd, &ps->p.err, PROC_STREAM_ERR_CAP,
		    PROC_STREAM_ERR_CAP);
	ps_close(&ps->out_fd);
	ps_close(&ps->err_fd);
}

void
proc_stream_release(struct proc_stream *ps)
{
	proc_stream_stop(ps, 0);
	proc_release(&ps->p);
}

/*
 * The process runner (see proc.h). One poll() loop watches every running
 * child's stdout, stderr and (through a pidfd) its exit, so a fan-out to
 * a hundred hosts needs one thread, not a hundred. Children get a clean
 * signal state: the bot blocks SIGINT/SIGTERM and ignores SIGPIPE, and
 * both would otherwise be inherited across exec.
 */

#include <sys/syscall.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "proc.h"
#include "proc_int.h"
#include "xmalloc.h"

#define PROC_ERR_CAP		8192
#define PROC_LINGER_MS		200	/* pipes held by grandchildren */

extern char **environ;

struct proc_slot {
	struct proc	*p;
	pid_t		 pid;
	int		 pidfd;		/* -1: poll for exit with WNOHANG */
	int		 out_fd;
	int		 err_fd;
	int		 in_fd;
	size_t		 in_off;
	int64_t		 start;
	int64_t		 deadline;
	int		 reaped;
	int		 killed;
};

static int64_t
proc_now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
proc_init(struct proc *p, char **argv, int64_t timeout_ms, size_t output_cap)
{
	memset(p, 0, sizeof *p);
	p->argv = argv;
	p->timeout_ms = timeout_ms;
	p->output_cap = output_cap;
	p->exit_code = -1;
	buf_init(&p->out);
	buf_init(&p->err);
}

void
proc_release(struct proc *p)
{
	size_t	 i;

	for (i = 0; p->argv != NULL && p->argv[i] != NULL; i++)
		free(p->argv[i]);
	free(p->argv);
	p->argv = NULL;
	buf_release(&p->out);
	buf_release(&p->err);
}

static void
proc_close(int *fd)
{
	if (*fd != -1) {
		close(*fd);
		*fd = -1;
	}
}

int
proc_spawn_pipes(char *const *argv, int stdin_pipe, pid_t *pid, int *in_fd,
    int *out_fd, int *err_fd)
{
	posix_spawn_file_actions_t	 fa;
	posix_spawnattr_t		 attr;
	sigset_t			 none, def;
	int				 out[2] = { -1, -1 }, err[2] = { -1, -1 };
	int				 in[2] = { -1, -1 }, rc;

	*in_fd = *out_fd = *err_fd = -1;
	if (pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0 ||
	    (stdin_pipe && pipe2(in, O_CLOEXEC) != 0)) {
		rc = errno;
		goto fail;
	}
	posix_spawn_file_actions_init(&fa);
	if (stdin_pipe)
		posix_spawn_file_actions_adddup2(&fa, in[0], STDIN_FILENO);
	else
		posix_spawn_file_actions_addopen(&fa, STDIN_FILENO,
		    "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, out[1], STDOUT_FILENO);
	posix_spawn_file_actions_adddup2(&fa, err[1], STDERR_FILENO);

	posix_spawnattr_init(&attr);
	sigemptyset(&none);
	sigemptyset(&def);
	sigaddset(&def, SIGPIPE);
	sigaddset(&def, SIGINT);
	sigaddset(&def, SIGTERM);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &def);
	/* Its own group, so a deadline kills what it started too. */
	posix_spawnattr_setpgroup(&attr, 0);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP |
	    POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

	rc = posix_spawnp(pid, argv[0], &fa, &attr, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	if (rc != 0)
		goto fail;
	close(out[1]);
	close(err[1]);
	*out_fd = out[0];
	*err_fd = err[0];
	if (stdin_pipe) {
		close(in[0]);
		*in_fd = in[1];
		fcntl(*in_fd, F_SETFL, O_NONBLOCK);
	}
	return 0;

fail:
	proc_close(&out[0]);
	proc_close(&out[1]);
	proc_close(&err[0]);
	proc_close(&err[1]);
	proc_close(&in[0]);
	proc_close(&in[1]);
	return rc;
}

/* Starts s->p; returns 0, or -1 with spawn_errno set. */
static int
proc_spawn(struct proc_slot *s)
{
	int	 rc;

	s->pidfd = -1;
	rc = proc_spawn_pipes(s->p->argv, s->p->input != NULL, &s->pid,
	    &s->in_fd, &s->out_fd, &s->err_fd);
	if (rc != 0) {
		s->p->spawn_errno = rc;
		return -1;
	}
	s->p->started = 1;
	s->pidfd = (int)syscall(SYS_pidfd_open, s->pid, 0);
	s->start = proc_now_ms();
	s->deadline = s->start + s->p->timeout_ms;
	return 0;
}

/* Reads what fd has into b, keeping at most cap bytes. */
static void
proc_read(int *fd, struct buf *b, size_t cap, int *truncated)
{
	char	 chunk[16384];
	ssize_t	 n;
	size_t	 keep;

	n = read(*fd, chunk, sizeof chunk);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		proc_close(fd);
		return;
	}
	keep = b->len >= cap ? 0 : cap - b->len;
	if ((size_t)n > keep && truncated != NULL)
		*truncated = 1;
	buf_add(b, chunk, (size_t)n < keep ? (size_t)n : keep);
}

static void
proc_write_input(struct proc_slot *s)
{
	const char	*in = s->p->input;
	size_t		 len = strlen(in);
	ssize_t		 n;

	n = write(s->in_fd, in + s->in_off, len - s->in_off);
	if (n > 0)
		s->in_off += (size_t)n;
	if ((n < 0 && errno != EAGAIN && errno != EINTR) || s->in_off >= len)
		proc_close(&s->in_fd);
}

static void
proc_reap(struct proc_slot *s, int flags)
{
	int	 status;
	pid_t	 r;

	if (s->reaped)
		return;
	do
		r = waitpid(s->pid, &status, flags);
	while (r == -1 && errno == EINTR);
	if (r != s->pid)
		return;
	s->reaped = 1;
	s->p->elapsed_ms = proc_now_ms() - s->start;
	if (WIFEXITED(status))
		s->p->exit_code = WEXITSTATUS(status);
	else if (WIFSIGNALED(status)) {
		s->p->exit_code = -1;
		s->p->signal = WTERMSIG(status);
	}
	proc_close(&s->pidfd);
	proc_close(&s->in_fd);
	/* Output still open is held by something it left behind. */
	if (s->deadline > proc_now_ms() + PROC_LINGER_MS)
		s->deadline = proc_now_ms() + PROC_LINGER_MS;
}

static int
proc_slot_done(const struct proc_slot *s)
{
	return s->reaped && s->out_fd == -1 && s->err_fd == -1;
}

void
proc_run_many(struct proc *procs, size_t n, int concurrency)
{
	proc_run_many_watch(procs, n, concurrency, NULL, NULL);
}

void
proc_run_many_watch(struct proc *procs, size_t n, int concurrency,
    void (*done)(void *arg, size_t i), void *arg)
{
	struct proc_slot	*slots;
	struct pollfd		*pfd;
	struct proc_slot	**owner;
	size_t			 next = 0, nactive = 0, i, nfds;
	int64_t			 now, wait_ms;

	if (concurrency < 1)
		concurrency = 1;
	slots = xcalloc((size_t)concurrency, sizeof *slots);
	pfd = xcalloc((size_t)concurrency * 4, sizeof *pfd);
	owner = xcalloc((size_t)concurrency * 4, sizeof *owner);

	for (;;) {
		/* Fill free slots in order. */
		for (i = 0; i < (size_t)concurrency && next < n; i++) {
			if (slots[i].p != NULL)
				continue;
			memset(&slots[i], 0, sizeof slots[i]);
			slots[i].p = &procs[next++];
			if (proc_spawn(&slots[i]) != 0) {
				/* Ended before it began: its answer is known. */
				if (done != NULL)
					done(arg, (size_t)(slots[i].p - procs));
				slots[i].p = NULL;
			} else
				nactive++;
		}
		if (nactive == 0 && next >= n)
			break;
		if (nactive == 0)
			continue;

		now = proc_now_ms();
		wait_ms = 60000;
		nfds = 0;
		for (i = 0; i < (size_t)concurrency; i++) {
			struct proc_slot *s = &slots[i];

			if (s->p == NULL)
				continue;
			if (s->deadline - now < wait_ms)
				wait_ms = s->deadline - now;
			if (!s->reaped && s->pidfd == -1 && wait_ms > 10)
				wait_ms = 10;	/* no pidfd: poll for exit */
#define PROC_WATCH(f, ev) do {						\
	if ((f) != -1) {						\
		pfd[nfds].fd = (f);					\
		pfd[nfds].events = (ev);				\
		pfd[nfds].revents = 0;					\
		owner[nfds++] = s;					\
	}								\
} while (0)
			PROC_WATCH(s->out_fd, POLLIN);
			PROC_WATCH(s->err_fd, POLLIN);
			PROC_WATCH(s->in_fd, POLLOUT);
			if (!s->reaped)
				PROC_WATCH(s->pidfd, POLLIN);
#undef PROC_WATCH
		}
		if (wait_ms < 0)
			wait_ms = 0;
		if (poll(pfd, nfds, (int)wait_ms) < 0 && errno != EINTR)
			break;

		for (i = 0; i < nfds; i++) {
			struct proc_slot *s = owner[i];

			if (pfd[i].revents == 0)
				continue;
			if (pfd[i].fd == s->out_fd)
				proc_read(&s->out_fd, &s->p->out,
				    s->p->output_cap, &s->p->truncated);
			else if (pfd[i].fd == s->err_fd)
				proc_read(&s->err_fd, &s->p->err,
				    PROC_ERR_CAP, NULL);
			else if (pfd[i].fd == s->in_fd)
				proc_write_input(s);
		}

		now = proc_now_ms();
		for (i = 0; i < (size_t)concurrency; i++) {
			struct proc_slot *s = &slots[i];

			if (s->p == NULL)
				continue;
			proc_reap(s, WNOHANG);
			if (!s->reaped && now >= s->deadline && !s->killed) {
				s->killed = 1;
				s->p->timed_out = 1;
				kill(-s->pid, SIGKILL);
				kill(s->pid, SIGKILL);
				proc_reap(s, 0);
			}
			if (s->reaped && now >= s->deadline) {
				proc_close(&s->out_fd);
				proc_close(&s->err_fd);
			}
			if (proc_slot_done(s)) {
				if (done != NULL)
					done(arg, (size_t)(s->p - procs));
				s->p = NULL;
				nactive--;
			}
		}
	}
	free(owner);
	free(pfd);
	free(slots);
}

const char *
proc_last_err_line(const struct proc *p, char *out, size_t len)
{
	const char	*s = p->err.data, *end = s + p->err.len, *start;
	size_t		 n;

	while (end > s && (end[-1] == '\n' || end[-1] == '\r' ||
	    end[-1] == ' '))
		end--;
	start = end;
	while (start > s && start[-1] != '\n')
		start--;
	n = (size_t)(end - start);
	if (n >= len)
		n = len - 1;
	memcpy(out, start, n);
	out[n] = '\0';
	return out;
}

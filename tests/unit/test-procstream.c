/* The streaming process runner: output while it runs, stop, exit. */

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "proc_stream.h"
#include "test.h"
#include "xmalloc.h"

static char **
sh_argv(const char *script)
{
	char	**argv = xcalloc(4, sizeof *argv);

	argv[0] = xstrdup("/bin/sh");
	argv[1] = xstrdup("-c");
	argv[2] = xstrdup(script);
	return argv;
}

static int64_t
mono_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Has pid ended? Gone, or a zombie its new parent (init, or a
 * subreaper) has not reaped yet; waits up to 5 s for the signal to land.
 */
static int
gone(pid_t pid)
{
	char	 path[64], stat[256], *p;
	FILE	*f;
	int64_t	 until = mono_ms() + 5000;
	size_t	 n;

	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	for (;;) {
		if ((f = fopen(path, "r")) == NULL)
			return 1;
		n = fread(stat, 1, sizeof stat - 1, f);
		fclose(f);
		stat[n] = '\0';
		if ((p = strrchr(stat, ')')) != NULL && p[1] == ' ' &&
		    (p[2] == 'Z' || p[2] == 'X'))
			return 1;
		if (mono_ms() >= until)
			return 0;
		usleep(10000);
	}
}

/* Reads until out holds want (or 10 s pass, loaded machines included). */
static int
read_until(struct proc_stream *ps, struct buf *out, const char *want)
{
	int64_t	 until = mono_ms() + 10000;

	while (strstr(out->data, want) == NULL && mono_ms() < until) {
		if (proc_stream_read(ps, out, 1 << 20) < 0)
			break;
		usleep(5000);
	}
	return strstr(out->data, want) != NULL ? 0 : -1;
}

TEST(stream_reads_while_running_and_stop_ends_the_group)
{
	struct proc_stream	 ps;
	struct buf		 out;
	pid_t			 sleeper;

	buf_init(&out);
	/* A grandchild in the group, then a wait on stdin that never ends
	 * by itself. */
	ASSERT_INT_EQ(proc_stream_start(&ps, sh_argv(
	    "sleep 60 & echo \"pid $!\"; echo one; echo two; "
	    "cat >/dev/null; sleep 60")), 0);
	ASSERT_INT_EQ(read_until(&ps, &out, "two\n"), 0);
	ASSERT_CONTAINS(out.data, "one\ntwo\n");
	ASSERT(!proc_stream_exited(&ps));
	/* Nothing more to read: 0, not the end. */
	ASSERT_INT_EQ(proc_stream_read(&ps, &out, 1 << 20), 0);
	sleeper = (pid_t)atoi(strstr(out.data, "pid ") + 4);
	ASSERT(sleeper > 0);
	proc_stream_stop(&ps, 2000);
	ASSERT(ps.reaped);
	ASSERT_INT_EQ(ps.in_fd, -1);
	/* The whole group went, the grandchild too. */
	ASSERT(gone(sleeper));
	proc_stream_stop(&ps, 0);	/* idempotent */
	proc_stream_release(&ps);
	buf_release(&out);
}

TEST(stream_stdin_eof_is_seen_by_the_child)
{
	struct proc_stream	 ps;
	struct buf		 out;
	int64_t			 until;

	buf_init(&out);
	/* The remote tail's contract: the script ends on stdin's EOF. */
	ASSERT_INT_EQ(proc_stream_start(&ps, sh_argv(
	    "trap '' TERM; echo ready; cat >/dev/null; echo eof")), 0);
	ASSERT_INT_EQ(read_until(&ps, &out, "ready\n"), 0);
	close(ps.in_fd);
	ps.in_fd = -1;
	ASSERT_INT_EQ(read_until(&ps, &out, "eof\n"), 0);
	until = mono_ms() + 10000;
	while (!proc_stream_exited(&ps) && mono_ms() < until)
		usleep(5000);
	ASSERT(ps.reaped);
	ASSERT_INT_EQ(ps.p.exit_code, 0);
	proc_stream_release(&ps);
	buf_release(&out);
}

TEST(stream_child_that_ends_by_itself)
{
	struct proc_stream	 ps;
	struct buf		 out;
	int64_t			 until = mono_ms() + 10000;
	ssize_t			 n = 0;

	buf_init(&out);
	ASSERT_INT_EQ(proc_stream_start(&ps, sh_argv(
	    "echo last; echo oops >&2; exit 3")), 0);
	while (mono_ms() < until &&
	    (n = proc_stream_read(&ps, &out, 1 << 20)) >= 0)
		usleep(5000);
	ASSERT_INT_EQ(n, -1);
	ASSERT_STR_EQ(out.data, "last\n");
	while (!proc_stream_exited(&ps) && mono_ms() < until)
		usleep(5000);
	ASSERT_INT_EQ(ps.p.exit_code, 3);
	proc_stream_stop(&ps, 0);
	ASSERT_CONTAINS(ps.p.err.data, "oops");
	proc_stream_release(&ps);
	buf_release(&out);
}

TEST(stream_read_respects_max)
{
	struct proc_stream	 ps;
	struct buf		 out;

	buf_init(&out);
	ASSERT_INT_EQ(proc_stream_start(&ps, sh_argv(
	    "i=0; while [ $i -lt 2000 ]; do echo 0123456789; i=$((i+1)); "
	    "done; cat >/dev/null")), 0);
	ASSERT_INT_EQ(read_until(&ps, &out, "0123456789\n"), 0);
	buf_clear(&out);
	usleep(200000);
	ASSERT(proc_stream_read(&ps, &out, 100) <= 100);
	ASSERT(out.len <= 100);
	proc_stream_release(&ps);
	ASSERT(ps.reaped);
	buf_release(&out);
}

TEST(stream_hangup_ends_several_at_once)
{
	struct proc_stream	 ps[3];
	struct buf		 out;
	int64_t			 t0;
	size_t			 i;

	buf_init(&out);
	for (i = 0; i < 3; i++) {
		ASSERT_INT_EQ(proc_stream_start(&ps[i], sh_argv(
		    "echo up; sleep 60")), 0);
		buf_clear(&out);
		ASSERT_INT_EQ(read_until(&ps[i], &out, "up\n"), 0);
	}
	t0 = mono_ms();
	for (i = 0; i < 3; i++)
		proc_stream_hangup(&ps[i]);
	for (i = 0; i < 3; i++) {
		proc_stream_stop(&ps[i], 5000);
		ASSERT(ps[i].reaped);
		ASSERT_INT_EQ(ps[i].p.signal, SIGTERM);
	}
	/* SIGTERM did it, not the grace's SIGKILL. */
	ASSERT(mono_ms() - t0 < 5000);
	for (i = 0; i < 3; i++)
		proc_stream_release(&ps[i]);
	buf_release(&out);
}

TEST(stream_spawn_failure)
{
	struct proc_stream	 ps;
	char			**argv = xcalloc(2, sizeof *argv);

	argv[0] = xstrdup("/nonexistent/opsbot-no-such-program");
	ASSERT_INT_EQ(proc_stream_start(&ps, argv), -1);
	ASSERT(ps.p.spawn_errno != 0);
	ASSERT(!ps.p.started);
	proc_stream_release(&ps);
}

static const struct test tests[] = {
	TEST_ENTRY(stream_reads_while_running_and_stop_ends_the_group),
	TEST_ENTRY(stream_stdin_eof_is_seen_by_the_child),
	TEST_ENTRY(stream_child_that_ends_by_itself),
	TEST_ENTRY(stream_read_respects_max),
	TEST_ENTRY(stream_hangup_ends_several_at_once),
	TEST_ENTRY(stream_spawn_failure),
	TEST_END
};

int
main(int argc, char **argv)
{
	return test_run(tests, argc, argv);
}

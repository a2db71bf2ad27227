/*
 * /tail's remote script and argv: hostile patterns stay one literal grep
 * argument, the script ends on stdin's EOF, ssh gets a connection of its
 * own, fixture hosts cannot be followed.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "follow.h"
#include "proc_stream.h"
#include "test.h"
#include "xmalloc.h"

static int64_t
mono_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static char	name_box[] = "box", name_web1[] = "web1";
static char	addr_web1[] = "web1.example", ssh_cmd[] = "ssh";
static char	fixture_dir[] = "/tmp";

static void
local_host(struct cfg_host *h)
{
	memset(h, 0, sizeof *h);
	h->name = name_box;
	h->transport = HOST_LOCAL;
}

/* Runs the follow script locally over a log; returns its output. */
static char *
follow_local(const char *path, const char *pattern, int regex,
    const char *want)
{
	struct cfg_host		 h;
	struct cfg_remote	 r;
	struct host_env		 env;
	struct proc_stream	 ps;
	struct buf		 s, out;
	int64_t			 until = mono_ms() + 10000;

	local_host(&h);
	memset(&r, 0, sizeof r);
	env.remote = &r;
	env.control_dir = NULL;
	buf_init(&s);
	buf_init(&out);
	follow_script(&s, path, pattern, regex);
	ASSERT_INT_EQ(proc_stream_start(&ps, follow_argv(&h, &env, s.data)),
	    0);
	while (strstr(out.data, want) == NULL && mono_ms() < until) {
		if (proc_stream_read(&ps, &out, 1 << 20) < 0)
			break;
		usleep(5000);
	}
	/* The end of stdin alone ends it: no signal needed. */
	close(ps.in_fd);
	ps.in_fd = -1;
	while (!proc_stream_exited(&ps) && mono_ms() < until)
		usleep(5000);
	ASSERT(ps.reaped);
	proc_stream_release(&ps);
	buf_release(&s);
	return buf_detach(&out);
}

TEST(hostile_pattern_is_one_literal_argument)
{
	char		 dir[] = "/tmp/ob-follow.XXXXXX", path[256], mark[256];
	const char	*hostile = "$(touch MARK)'\";`touch MARK` | x";
	char		*pat, *out;
	FILE		*f;

	ASSERT_NOT_NULL(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/app log's.log", dir);
	snprintf(mark, sizeof mark, "%s/MARK", dir);
	ASSERT_INT_EQ(chdir(dir), 0);
	pat = xstrdup(hostile);
	f = fopen(path, "w");
	ASSERT_NOT_NULL(f);
	fprintf(f, "plain line\nliteral %s here\nanother\n", hostile);
	fclose(f);
	out = follow_local(path, pat, 0, "here\n");
	ASSERT_STR_EQ(out, "literal $(touch MARK)'\";`touch MARK` | x here\n");
	ASSERT(access(mark, F_OK) != 0);
	free(out);

	/* --regex: grep -E, still one argument. */
	out = follow_local(path, "^(plain|another)", 1, "another\n");
	ASSERT_STR_EQ(out, "plain line\nanother\n");
	free(out);
	/* No pattern: the log's last lines. */
	out = follow_local(path, NULL, 0, "another\n");
	ASSERT_CONTAINS(out, "plain line\nliteral");
	free(out);
	free(pat);
	ASSERT_INT_EQ(chdir("/"), 0);
	unlink(path);
	rmdir(dir);
}

TEST(unreadable_log_exits_3)
{
	struct buf	 s;

	buf_init(&s);
	follow_script(&s, "/nonexistent/x.log", NULL, 0);
	ASSERT_CONTAINS(s.data, "exit 3");
	ASSERT_CONTAINS(s.data, "tail -n 10 -F -- '/nonexistent/x.log'");
	ASSERT_CONTAINS(s.data, "cat >/dev/null\nkill 0\n");
	buf_release(&s);
}

TEST(ssh_gets_its_own_connection_and_fixtures_none)
{
	struct cfg_host		 h;
	struct cfg_remote	 r;
	struct host_env		 env;
	char			**argv;
	size_t			 i, cp = 0, dash = 0;

	memset(&h, 0, sizeof h);
	h.name = name_web1;
	h.transport = HOST_SSH;
	h.address = addr_web1;
	memset(&r, 0, sizeof r);
	r.ssh_command = ssh_cmd;
	r.timeout_s = 10;
	r.connect_timeout_s = 5;
	r.reuse_connections = 1;
	env.remote = &r;
	env.control_dir = "/tmp/ctl";
	argv = follow_argv(&h, &env, "true");
	ASSERT_NOT_NULL(argv);
	for (i = 0; argv[i] != NULL; i++) {
		ASSERT(strstr(argv[i], "ControlMaster") == NULL);
		if (strcmp(argv[i], "-oControlPath=none") == 0)
			cp = i;
		if (strcmp(argv[i], "--") == 0)
			dash = i;
	}
	ASSERT(cp > 0 && dash == cp + 1);
	ASSERT_STR_EQ(argv[dash + 1], "web1.example");
	ASSERT_STR_EQ(argv[dash + 2], "true");
	ASSERT_NULL(argv[dash + 3]);
	for (i = 0; argv[i] != NULL; i++)
		free(argv[i]);
	free(argv);

	h.transport = HOST_FIXTURE;
	h.fixture = fixture_dir;
	ASSERT_NULL(follow_argv(&h, &env, "true"));
}

static const struct test tests[] = {
	TEST_ENTRY(hostile_pattern_is_one_literal_argument),
	TEST_ENTRY(unreadable_log_exits_3),
	TEST_ENTRY(ssh_gets_its_own_connection_and_fixtures_none),
	TEST_END
};

int
main(int argc, char **argv)
{
	return test_run(tests, argc, argv);
}

/*
 * The remote layer without a network: the process runner (deadlines,
 * process groups, output caps), probe sections and their nonces, failure
 * explanations, target resolution and secret redaction. The shell quoting
 * is tested in test-escape.c.
 */

#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "cpusample.h"
#include "escape.h"
#include "health.h"
#include "hosts.h"
#include "inventory.h"
#include "logcount.h"
#include "parse.h"
#include "probe.h"
#include "proc.h"
#include "redact.h"
#include "test.h"
#include "xmalloc.h"

static char **
argv3(const char *a, const char *b, const char *c)
{
	char	**v = xcalloc(4, sizeof *v);

	v[0] = xstrdup(a);
	v[1] = b != NULL ? xstrdup(b) : NULL;
	v[2] = b != NULL && c != NULL ? xstrdup(c) : NULL;
	return v;
}

static int64_t
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

TEST(proc_captures_and_exits)
{
	struct proc	 p[3];

	proc_init(&p[0], argv3("/bin/sh", "-c", "echo out; echo err >&2; "
	    "exit 3"), 5000, 1024);
	proc_init(&p[1], argv3("/nonexistent/tool", NULL, NULL), 5000, 1024);
	proc_init(&p[2], argv3("/bin/sh", "-c", "kill -TERM $$"), 5000,
	    1024);
	proc_run_many(p, 3, 2);
	ASSERT(p[0].started);
	ASSERT_STR_EQ(p[0].out.data, "out\n");
	ASSERT_STR_EQ(p[0].err.data, "err\n");
	ASSERT_INT_EQ(p[0].exit_code, 3);
	ASSERT(!p[0].timed_out);
	ASSERT(!p[1].started);
	ASSERT_INT_EQ(p[1].spawn_errno, 2);	/* ENOENT */
	ASSERT_INT_EQ(p[2].exit_code, -1);
	ASSERT_INT_EQ(p[2].signal, SIGTERM);
	proc_release(&p[0]);
	proc_release(&p[1]);
	proc_release(&p[2]);
}

static int
is_zombie(int pid)
{
	char	 path[64], state = '?';
	FILE	*f;

	snprintf(path, sizeof path, "/proc/%d/stat", pid);
	if ((f = fopen(path, "r")) == NULL)
		return 1;
	if (fscanf(f, "%*d (%*[^)]) %c", &state) != 1)
		state = '?';
	fclose(f);
	return state == 'Z';
}

TEST(proc_deadline_kills_the_group)
{
	struct proc	 p;
	int64_t		 t0 = now_ms();
	char		 pidfile[256], cmd[512];
	FILE		*f;
	int		 child = 0;

	/* The shell starts a grandchild; both must die at the deadline. */
	snprintf(pidfile, sizeof pidfile, "%s/grandchild.pid", test_tmpdir());
	snprintf(cmd, sizeof cmd, "sleep 30 & echo $! > %s; wait", pidfile);
	proc_init(&p, argv3("/bin/sh", "-c", cmd), 300, 1024);
	proc_run_many(&p, 1, 1);
	ASSERT(p.timed_out);
	ASSERT(now_ms() - t0 < 5000);
	f = fopen(pidfile, "r");
	ASSERT_NOT_NULL(f);
	ASSERT_INT_EQ(fscanf(f, "%d", &child), 1);
	fclose(f);
	usleep(100 * 1000);
	/* Gone, or a zombie waiting for an init that may not reap. */
	ASSERT(kill(child, 0) != 0 || is_zombie(child));
	proc_release(&p);
}

TEST(proc_runs_many_in_parallel)
{
	struct proc	 p[20];
	int64_t		 t0 = now_ms();
	size_t		 i;

	for (i = 0; i < 20; i++)
		proc_init(&p[i], argv3("/bin/sh", "-c", "sleep 0.3; echo ok"),
		    5000, 64);
	proc_run_many(p, 20, 20);
	/* Twenty 0.3 s sleeps at once take about 0.3 s, not 6 s. */
	ASSERT(now_ms() - t0 < 2500);
	for (i = 0; i < 20; i++) {
		ASSERT_STR_EQ(p[i].out.data, "ok\n");
		proc_release(&p[i]);
	}
}

TEST(proc_caps_output)
{
	struct proc	 p;

	proc_init(&p, argv3("/bin/sh", "-c", "head -c 200000 /dev/zero | "
	    "tr '\\0' x; echo"), 5000, 1000);
	proc_run_many(&p, 1, 1);
	ASSERT_INT_EQ(p.exit_code, 0);
	ASSERT_INT_EQ(p.out.len, 1000);
	ASSERT(p.truncated);
	proc_release(&p);
}

TEST(proc_input_and_closed_stdout)
{
	struct proc	 p[2];
	int64_t		 t0 = now_ms();

	proc_init(&p[0], argv3("/bin/cat", NULL, NULL), 5000, 1024);
	p[0].input = "fed through stdin\n";
	/* Closes its output early but keeps running: wait for the exit. */
	proc_init(&p[1], argv3("/bin/sh", "-c", "exec >&- 2>&-; sleep 0.2; "
	    "exit 4"), 5000, 1024);
	proc_run_many(p, 2, 2);
	ASSERT_STR_EQ(p[0].out.data, "fed through stdin\n");
	ASSERT_INT_EQ(p[1].exit_code, 4);
	ASSERT(now_ms() - t0 < 3000);
	proc_release(&p[0]);
	proc_release(&p[1]);
}

static struct cfg_remote	 remote = {
	.timeout_s = 5, .output_limit = 65536, .concurrency = 4,
	.connect_timeout_s = 2, .ssh_command = (char *)"ssh",
	.control_persist_s = 60, .log_window_s = 900, .reuse_connections = 1,
	.error_pattern = (char *)"ERROR",
};

static struct cfg_host	 local_host = { .name = (char *)"here",
    .transport = HOST_LOCAL };

TEST(probe_sections_and_nonce)
{
	struct probe	 p;
	struct host_env	 env = { &remote, NULL };
	struct buf	 sec;

	probe_init(&p, &local_host);
	ASSERT_INT_EQ(strlen(p.nonce), 16);
	probe_section_begin(&p, "a");
	buf_adds(&p.script, "echo one; echo two\n");
	probe_section_begin(&p, "empty");
	probe_section_begin(&p, "b");
	/* A forged marker without the nonce is just text. */
	buf_adds(&p.script, "echo '@@opsbot:0000000000000000:a'\n");
	probes_run(&p, 1, &env);
	ASSERT_NULL(p.failure);
	buf_init(&sec);
	ASSERT_INT_EQ(probe_section(&p, "a", &sec), 0);
	ASSERT_STR_EQ(sec.data, "one\ntwo\n");
	ASSERT_INT_EQ(probe_section(&p, "empty", &sec), 0);
	ASSERT_STR_EQ(sec.data, "");
	ASSERT_INT_EQ(probe_section(&p, "b", &sec), 0);
	ASSERT_STR_EQ(sec.data, "@@opsbot:0000000000000000:a\n");
	ASSERT_INT_EQ(probe_section(&p, "missing", &sec), -1);
	buf_release(&sec);
	probe_release(&p);
}

/*
 * Each section carries its own status, and the run as a whole succeeds:
 * a stopped unit in the last section (systemctl is-active exits 3) is
 * that section's answer, not an unreachable host.
 */
TEST(probe_section_status_is_per_section)
{
	struct probe	 p;
	struct host_env	 env = { &remote, NULL };
	struct buf	 sec;

	probe_init(&p, &local_host);
	probe_section_begin(&p, "first");
	buf_adds(&p.script, "echo yes; false\n");
	probe_section_begin(&p, "ok");
	buf_adds(&p.script, "true\n");
	/* Output without a final newline cannot hide the next marker. */
	probe_section_begin(&p, "nonl");
	buf_adds(&p.script, "printf x\n");
	probe_section_begin(&p, "svc:app");
	buf_adds(&p.script, "echo inactive; (exit 3)\n");
	probes_run(&p, 1, &env);
	ASSERT_NULL(p.failure);
	ASSERT_INT_EQ(p.proc.exit_code, 0);
	ASSERT_INT_EQ(probe_section_status(&p, "first"), 1);
	ASSERT_INT_EQ(probe_section_status(&p, "ok"), 0);
	ASSERT_INT_EQ(probe_section_status(&p, "svc:app"), 3);
	ASSERT_INT_EQ(probe_section_status(&p, "missing"), -1);
	buf_init(&sec);
	ASSERT_INT_EQ(probe_section(&p, "first", &sec), 0);
	ASSERT_STR_EQ(sec.data, "yes\n");
	ASSERT_INT_EQ(probe_section(&p, "svc:app", &sec), 0);
	ASSERT_STR_EQ(sec.data, "inactive\n");
	ASSERT_INT_EQ(probe_section(&p, "nonl", &sec), 0);
	ASSERT_STR_EQ(sec.data, "x");
	ASSERT_INT_EQ(probe_section_status(&p, "nonl"), 0);
	buf_release(&sec);
	ASSERT_NULL(probe_unfinished(&p));
	probe_release(&p);
}

/* A host that answered and then blocked in one section says which. */
TEST(probe_hung_section_is_named)
{
	struct cfg_remote	 quick = remote;
	struct host_env		 env = { &quick, NULL };
	struct probe		 p[2];
	char			*stuck;

	quick.timeout_s = 1;
	probe_init(&p[0], &local_host);
	probe_section_begin(&p[0], "loadavg");
	buf_adds(&p[0].script, "echo 0.1\n");
	probe_section_begin(&p[0], "df");
	buf_adds(&p[0].script, "sleep 30\n");
	probe_section_begin(&p[0], "after");
	buf_adds(&p[0].script, "echo never\n");
	probe_init(&p[1], &local_host);
	probe_section_begin(&p[1], "svc:app");
	buf_adds(&p[1].script, "sleep 30\n");
	probes_run(p, 2, &env);
	ASSERT_STR_EQ(p[0].failure, "connected, but `df` did not finish in "
	    "1 s");
	stuck = probe_unfinished(&p[0]);
	ASSERT_STR_EQ(stuck, "df");
	free(stuck);
	ASSERT_INT_EQ(probe_section_status(&p[0], "loadavg"), 0);
	ASSERT_STR_EQ(p[1].failure, "connected, but the check of service app "
	    "did not finish in 1 s");
	probe_release(&p[0]);
	probe_release(&p[1]);
}

/*
 * Error lines are counted on the host: 1001 long ERROR lines (far more
 * than remote.output_limit if shipped back) count as 1001, other stamp
 * formats as parse_log_time() reads them, and the answer stays small.
 */
TEST(logcount_counts_on_the_host)
{
	struct proc	 p;
	struct buf	 script;
	struct logcount	 lc;
	char		 path[512], iso[32], sys[32], old[32], pad[301];
	char		**argv;
	time_t		 now = time(NULL), t;
	struct tm	 tm;
	FILE		*f;
	int		 i;

	memset(pad, 'x', sizeof pad - 1);
	pad[sizeof pad - 1] = '\0';
	snprintf(path, sizeof path, "%s/app's log", test_tmpdir());
	if ((f = fopen(path, "w")) == NULL)
		TEST_FAIL("cannot write %s", path);
	t = now - 60;
	gmtime_r(&t, &tm);
	strftime(iso, sizeof iso, "%Y-%m-%dT%H:%M:%S", &tm);
	strftime(sys, sizeof sys, "%b %e %H:%M:%S", &tm);
	t = now - 7200;
	gmtime_r(&t, &tm);
	strftime(old, sizeof old, "%Y-%m-%d %H:%M:%S", &tm);
	fprintf(f, "%s,000 ERROR old failure\n", old);
	for (i = 0; i < 1001; i++)
		fprintf(f, "%s.%03dZ ERROR request %d failed %s\n", iso, i, i,
		    pad);
	fprintf(f, "%s.5Z INFO fine\n", iso);
	fprintf(f, "%s host app[1]: ERROR syslog style\n", sys);
	fprintf(f, "level=error ts=\"%s.25+00:00\" msg=\"ERROR logfmt\"\n",
	    iso);
	fprintf(f, "ERROR with no time at all\n");
	fclose(f);

	buf_init(&script);
	logcount_script(&script, path, "ERROR");
	argv = xcalloc(4, sizeof *argv);
	argv[0] = xstrdup("/bin/sh");
	argv[1] = xstrdup("-c");
	argv[2] = xstrdup(script.data);
	proc_init(&p, argv, 10000, 65536);
	proc_run_many(&p, 1, 1);
	ASSERT_INT_EQ(p.exit_code, 0);
	ASSERT(!p.truncated);
	ASSERT(p.out.len < 512);	/* groups, not 300 KiB of lines */
	ASSERT_INT_EQ(logcount_read(p.out.data, (int64_t)now, 0, 900, &lc),
	    0);
	ASSERT_INT_EQ(lc.matched, 1005);
	ASSERT_INT_EQ(lc.counted, 1003);
	ASSERT_INT_EQ(lc.untimed, 1);
	ASSERT_INT_EQ(lc.partial, 0);
	/* The newest matching line comes back as a sample. */
	ASSERT_STR_EQ(lc.last, "ERROR with no time at all");
	logcount_release(&lc);
	proc_release(&p);
	buf_release(&script);

	/* An unreadable log says so; output that is not ours is refused. */
	buf_init(&script);
	snprintf(path, sizeof path, "%s/missing.log", test_tmpdir());
	logcount_script(&script, path, "ERROR");
	argv = xcalloc(4, sizeof *argv);
	argv[0] = xstrdup("/bin/sh");
	argv[1] = xstrdup("-c");
	argv[2] = xstrdup(script.data);
	proc_init(&p, argv, 10000, 65536);
	proc_run_many(&p, 1, 1);
	ASSERT_STR_EQ(p.out.data, "opsbot: cannot read\n");
	proc_release(&p);
	buf_release(&script);
	ASSERT_INT_EQ(logcount_read("matched 3\n2 x\n", 0, 0, 900, &lc), 0);
	ASSERT_INT_EQ(lc.untimed, 2);
	ASSERT_INT_EQ(lc.partial, 1);
	ASSERT_NULL(lc.last);
	/* A sample cut inside a UTF-8 character, with a control byte. */
	ASSERT_INT_EQ(logcount_read("matched 1\nlast ERROR \x1b[1m\xc3\xa9t\xc3"
	    "\n1 \n", 0, 0, 900, &lc), 0);
	ASSERT_STR_EQ(lc.last, "ERROR ?[1m\xc3\xa9t");
	logcount_release(&lc);
	ASSERT_INT_EQ(logcount_read("matched 3\n2 x", 0, 0, 900, &lc), -1);
	ASSERT_INT_EQ(logcount_read("ERROR boom\n", 0, 0, 900, &lc), -1);
}

/*
 * /top's sample: a process spinning now is listed with the CPU it uses
 * now (a fresh process is not ranked by a lifetime average), and the
 * probe's own shell is never listed. The machine may be busy with other
 * work, so the test asks for "listed and busy", not "first".
 */
TEST(cpusample_sees_current_cpu)
{
	struct proc	 p;
	struct buf	 script;
	char		**argv, *line, *nl;
	pid_t		 busy, self = -1;
	int		 found = 0, st;
	long		 pid;
	double		 pct;

	if ((busy = fork()) == 0) {
		execl("/bin/sh", "sh", "-c", "while :; do :; done", (char *)NULL);
		_exit(127);
	}
	ASSERT(busy > 0);
	buf_init(&script);
	buf_adds(&script, "echo $$\n");
	cpusample_script(&script, 10);
	argv = xcalloc(4, sizeof *argv);
	argv[0] = xstrdup("/bin/sh");
	argv[1] = xstrdup("-c");
	argv[2] = xstrdup(script.data);
	proc_init(&p, argv, 10000, 65536);
	proc_run_many(&p, 1, 1);
	kill(busy, SIGKILL);
	waitpid(busy, &st, 0);
	ASSERT_INT_EQ(p.exit_code, 0);
	for (line = p.out.data; (nl = strchr(line, '\n')) != NULL;
	    line = nl + 1) {
		if (self == -1) {
			self = (pid_t)strtol(line, NULL, 10);
			continue;
		}
		if (sscanf(line, "%ld %lf", &pid, &pct) != 2)
			TEST_FAIL("bad sample line: %s", line);
		ASSERT(pid != self);
		if (pid == busy) {
			found = 1;
			ASSERT(pct >= 5.0);
		}
	}
	ASSERT(found);
	proc_release(&p);
	buf_release(&script);
}

/* The sample replaces ps's %CPU and orders the rows by it. */
/*
 * The sshd processes carrying the probe are its ancestors: the session's
 * (its parent) and, with privilege separation or a shared connection,
 * theirs. A busy grandparent stands in for them here: never listed.
 */
TEST(cpusample_leaves_out_the_probes_ancestors)
{
	struct proc	 p;
	struct buf	 script, outer;
	char		**argv, *line, *nl, flag[1024];
	long		 pid, top = -1, self = -1;
	double		 pct;
	int		 n = 0;

	snprintf(flag, sizeof flag, "%s/cpusample-done", test_tmpdir());
	buf_init(&script);
	buf_adds(&script, "echo $$\n");
	cpusample_script(&script, 50);
	buf_init(&outer);
	buf_adds(&outer, "F=");
	shquote_buf(&outer, flag);
	buf_adds(&outer, "; S=");
	shquote_buf(&outer, script.data);
	buf_adds(&outer, "; export F S; echo $$; sh -c 'sh -c \"$S\"; "
	    ": > \"$F\"' & while [ ! -e \"$F\" ]; do :; done; wait\n");
	argv = xcalloc(4, sizeof *argv);
	argv[0] = xstrdup("/bin/sh");
	argv[1] = xstrdup("-c");
	argv[2] = xstrdup(outer.data);
	proc_init(&p, argv, 20000, 65536);
	proc_run_many(&p, 1, 1);
	ASSERT_INT_EQ(p.exit_code, 0);
	for (line = p.out.data; (nl = strchr(line, '\n')) != NULL;
	    line = nl + 1) {
		if (top == -1) {
			top = strtol(line, NULL, 10);
			continue;
		}
		if (self == -1) {
			self = strtol(line, NULL, 10);
			continue;
		}
		if (sscanf(line, "%ld %lf", &pid, &pct) != 2)
			TEST_FAIL("bad sample line: %s", line);
		n++;
		if (pid == top)
			TEST_FAIL("the probe's busy grandparent %ld is listed "
			    "at %.1f%%", pid, pct);
		ASSERT(pid != self);
	}
	ASSERT(top > 0 && self > 0 && n > 0);
	proc_release(&p);
	buf_release(&script);
	buf_release(&outer);
}

TEST(cpusample_applies_to_ps_rows)
{
	struct parse_ps_row	 rows[3];
	struct parse_ps		 ps = { rows, 3 };

	memset(rows, 0, sizeof rows);
	rows[0].pid = 10;	/* the new ssh session: ps says 50% */
	rows[0].cpu = 50.0;
	rows[1].pid = 20;	/* an old busy loop: ps says 3% */
	rows[1].cpu = 3.0;
	rows[2].pid = 30;
	ASSERT_INT_EQ(cpusample_apply("20 99.0\n30 1.5\n10 0.0\n", &ps), 0);
	ASSERT_INT_EQ(rows[0].pid, 20);
	ASSERT(rows[0].cpu == 99.0);
	ASSERT_INT_EQ(rows[1].pid, 30);
	ASSERT_INT_EQ(rows[2].pid, 10);
	ASSERT(rows[2].cpu == 0.0);
	ASSERT_INT_EQ(cpusample_apply("20 x\n", &ps), -1);
	ASSERT_INT_EQ(cpusample_apply("", &ps), 0);
}

/*
 * What the bot's own checks see for a host whose last section is a
 * stopped unit (systemctl is-active exits 3): ServiceDown's finding, not
 * HostUnreachable's.
 */
TEST(stopped_service_is_not_unreachable)
{
	struct cfg_service	 svc = { .name = (char *)"batch",
				    .unit = (char *)"batch.service" };
	struct cfg_host		 h = { .name = (char *)"here",
				    .transport = HOST_LOCAL, .services = &svc,
				    .nservices = 1 };
	struct host_env		 env = { &remote, NULL };
	struct health_findings	 f;
	struct probe		 p;
	char			 dir[512], path[600], *old, *newpath;
	FILE			*fp;
	size_t			 i;
	int			 found;

	/* A systemctl that says what systemd says of a stopped unit. */
	snprintf(dir, sizeof dir, "%s/bin", test_tmpdir());
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		TEST_FAIL("cannot create %s", dir);
	snprintf(path, sizeof path, "%s/systemctl", dir);
	if ((fp = fopen(path, "w")) == NULL)
		TEST_FAIL("cannot write %s", path);
	fputs("#!/bin/sh\necho inactive\nexit 3\n", fp);
	fclose(fp);
	ASSERT_INT_EQ(chmod(path, 0755), 0);
	old = xstrdup(getenv("PATH") != NULL ? getenv("PATH") : "/bin");
	xasprintf(&newpath, "%s:%s", dir, old);
	setenv("PATH", newpath, 1);

	probe_init(&p, &h);
	health_script(&p, &remote);
	probes_run(&p, 1, &env);
	setenv("PATH", old, 1);
	ASSERT_NULL(p.failure);
	ASSERT_INT_EQ(probe_section_status(&p, "svc:batch"), 3);
	health_findings(&p, &remote, 1, &f);
	ASSERT_INT_EQ(f.state, REMOTE_CRIT);
	/* (A loaded test machine may add a "load" finding: not ours.) */
	for (i = 0, found = 0; i < f.n; i++) {
		ASSERT(strcmp(f.v[i].key, "reachable") != 0);
		if (strcmp(f.v[i].key, "service:batch") == 0) {
			ASSERT_STR_EQ(f.v[i].text, "service batch: inactive");
			found = 1;
		}
	}
	ASSERT(found);
	health_findings_release(&f);
	probe_release(&p);
	free(old);
	free(newpath);
}

/* A finished proc with the given exit code and stderr, for explain(). */
static void
fake_proc(struct proc *p, int code, const char *err)
{
	proc_init(p, argv3("ssh", NULL, NULL), 1000, 1024);
	p->started = 1;
	p->exit_code = code;
	buf_adds(&p->err, err);
}

static void
explains(const struct cfg_host *h, int code, const char *err,
    const char *want)
{
	struct proc	 p;
	char		*why;

	fake_proc(&p, code, err);
	why = host_explain(h, &p, 10);
	if (want == NULL)
		ASSERT_NULL(why);
	else
		ASSERT_STR_EQ(why, want);
	free(why);
	proc_release(&p);
}

TEST(failures_are_explained)
{
	struct cfg_host	 ssh = { .name = (char *)"db", .transport = HOST_SSH };
	struct proc	 p;
	char		*why;

	explains(&ssh, 0, "", NULL);
	explains(&ssh, 255, "ssh: connect to host 127.0.0.1 port 1: "
	    "Connection refused\r\n", "unreachable (connection refused)");
	explains(&ssh, 255, "Connection timed out during banner exchange\n"
	    "Connection to UNKNOWN port 65535 timed out\n",
	    "unreachable (connection timed out)");
	explains(&ssh, 255, "ssh: Could not resolve hostname nope: Name or "
	    "service not known\n", "unreachable (unknown host name)");
	explains(&ssh, 255, "root@127.0.0.1: Permission denied (publickey).\n",
	    "auth refused: the host did not accept the bot's ssh key");
	explains(&ssh, 255, "No ED25519 host key is known for [127.0.0.1]:2222 "
	    "and you have requested strict checking.\nHost key verification "
	    "failed.\n", "host key not trusted: add the host's key to "
	    "known_hosts (ssh-keyscan, then verify it)");
	explains(&ssh, 255, "@@@@@\n@    WARNING: REMOTE HOST IDENTIFICATION "
	    "HAS CHANGED!     @\nHost key verification failed.\n",
	    "host key mismatch: the host's key changed; verify it, then "
	    "update known_hosts");
	explains(&ssh, 255, "kex_exchange_identification: weird\n",
	    "ssh failed: kex_exchange_identification: weird");
	explains(&ssh, 127, "bash: line 1: autorep: command not found\n",
	    "command not found: bash: line 1: autorep: command not found");
	explains(&ssh, 2, "df: /nope: No such file or directory\n\n",
	    "exit 2: df: /nope: No such file or directory");
	explains(&local_host, 255, "Connection refused", "exit 255: "
	    "Connection refused");
	fake_proc(&p, -1, "");
	p.timed_out = 1;
	why = host_explain(&ssh, &p, 10);
	ASSERT_STR_EQ(why, "no answer in 10 s");
	free(why);
	proc_release(&p);
}

TEST(ssh_argv_is_complete)
{
	struct cfg_host	 h = { .name = (char *)"db", .transport = HOST_SSH,
	    .address = (char *)"db.example", .port = 2222,
	    .user = (char *)"ops", .identity_file = (char *)"/k" };
	struct host_env	 env = { &remote, "/data/ssh" };
	char		**v = host_ssh_ops.argv(&h, &env, "echo hi");
	struct buf	 all;
	size_t		 i;

	buf_init(&all);
	for (i = 0; v[i] != NULL; i++)
		buf_addf(&all, "%s|", v[i]);
	ASSERT_STR_EQ(all.data, "ssh|-T|-oBatchMode=yes|-oConnectTimeout=2|"
	    "-oServerAliveInterval=2|-oServerAliveCountMax=2|"
	    "-oStrictHostKeyChecking=yes|-oLogLevel=ERROR|"
	    "-oControlMaster=auto|-oControlPath=/data/ssh/%C|"
	    "-oControlPersist=60|-p2222|-lops|-i/k|-oIdentitiesOnly=yes|--|"
	    "db.example|echo hi|");
	for (i = 0; v[i] != NULL; i++)
		free(v[i]);
	free(v);
	buf_release(&all);
}

TEST(inventory_targets)
{
	static const char json[] = "{\"hosts\": ["
	    "{\"name\": \"prod-db\", \"tags\": [\"prod\", \"db\"]},"
	    "{\"name\": \"prod-app\", \"tags\": [\"prod\"]},"
	    "{\"name\": \"test-app\", \"tags\": [\"test\"]}]}";
	struct config		*c;
	struct buf		 errors;
	const struct cfg_host	**hs;
	size_t			 n;
	char			*cause;

	buf_init(&errors);
	ASSERT_INT_EQ(config_load_text(json, strlen(json), "t", &c, &errors),
	    0);
	ASSERT_INT_EQ(inventory_resolve(c, "prod", &hs, &n, &cause), 0);
	ASSERT_INT_EQ(n, 2);
	ASSERT_STR_EQ(hs[0]->name, "prod-db");
	ASSERT_STR_EQ(hs[1]->name, "prod-app");
	free(hs);
	ASSERT_INT_EQ(inventory_resolve(c, "all", &hs, &n, &cause), 0);
	ASSERT_INT_EQ(n, 3);
	free(hs);
	ASSERT_INT_EQ(inventory_resolve(c, "test-app", &hs, &n, &cause), 0);
	ASSERT_INT_EQ(n, 1);
	free(hs);
	ASSERT_INT_EQ(inventory_resolve(c, "prod-dbb", &hs, &n, &cause), -1);
	ASSERT_STR_EQ(cause, "unknown host or group prod-dbb — did you mean "
	    "prod-db? known: prod-db, prod-app, test-app; groups: prod, db, "
	    "test; or all");
	free(cause);
	ASSERT_NULL(inventory_host(c, "prod-ap", &cause));
	ASSERT_STR_EQ(cause, "unknown host prod-ap — did you mean prod-app? "
	    "known: prod-db, prod-app, test-app");
	free(cause);
	/* A group is not a host where one host is needed. */
	ASSERT_NULL(inventory_host(c, "test", &cause));
	ASSERT_STR_EQ(cause, "unknown host test; known: prod-db, prod-app, "
	    "test-app");
	free(cause);
	config_free(c);
	buf_release(&errors);
}

TEST(redaction)
{
	static const char *const cases[][2] = {
		{ "login ok user=bob password=hunter2 from 10.0.0.1",
		  "login ok user=bob password=[REDACTED] from 10.0.0.1" },
		{ "{\"token\": \"abc.def\", \"n\": 1}",
		  "{\"token\": \"[REDACTED]\", \"n\": 1}" },
		{ "Authorization: Basic dXNlcjpwYXNz\nnext line",
		  "Authorization: [REDACTED]\nnext line" },
		{ "curl -H 'X: Bearer eyJhbGciOi.x.y' ok",
		  "curl -H 'X: Bearer [REDACTED]' ok" },
		{ "posting with xoxb-1234-5678-abcdef done",
		  "posting with [REDACTED] done" },
		{ "DB_PASSWORD=s3cr3t;api_key: k-123",
		  "DB_PASSWORD=[REDACTED];api_key: [REDACTED]" },
		{ "tokens=5 passwordless login, no secrets here",
		  "tokens=[REDACTED] passwordless login, no secrets here" },
		{ "nothing to hide", "nothing to hide" },
		/* What users type: URL passwords, headers, Slack tokens. */
		{ "psql postgres://app:S3cr3t!@db-01:5432/prod now",
		  "psql postgres://app:[REDACTED]@db-01:5432/prod now" },
		{ "see https://ops:pw@grafana.example/d/x and http://a:b@c",
		  "see https://ops:[REDACTED]@grafana.example/d/x and "
		  "http://a:[REDACTED]@c" },
		{ "https://grafana.example:3000/d/x user@host a://b",
		  "https://grafana.example:3000/d/x user@host a://b" },
		{ "redis://:onlypass@cache/0", "redis://:[REDACTED]@cache/0" },
		{ "-H 'Authorization: Bearer abc.def' x",
		  "-H 'Authorization: [REDACTED]" },
		{ "refused: a wrong bearer token", "refused: a wrong bearer token" },
		{ "Bearer abcdefghijkl", "Bearer [REDACTED]" },
		{ "/run deploy token=tok-42 --confirm",
		  "/run deploy token=[REDACTED] --confirm" },
		{ "key xoxp-1-2-3 and xapp-1-A-b", "key [REDACTED] and [REDACTED]" },
		{ "password=", "password=" },
		/* After a run of bytes that begin nothing, in either case. */
		{ "1234 ...= (TOKEN=abc ) [Secret: x9 ]",
		  "1234 ...= (TOKEN=[REDACTED] ) [Secret: [REDACTED] ]" },
		{ "mytoken=1 9Password=2 _pwd=3 XAPP-1 -xapp-2",
		  "mytoken=1 9Password=2 _pwd=[REDACTED] XAPP-1 -[REDACTED]" },
		{ "99 CLIENT_SECRET=z; 7 Credentials: q; (bearer ABCDEFGH )",
		  "99 CLIENT_SECRET=[REDACTED]; 7 Credentials: [REDACTED]; "
		  "(bearer [REDACTED] )" },
	};
	size_t	 i;
	char	*got;

	for (i = 0; i < sizeof cases / sizeof *cases; i++) {
		got = redact_text(cases[i][0]);
		ASSERT_STR_EQ(got, cases[i][1]);
		free(got);
	}
}

static const struct test tests[] = {
	TEST_ENTRY(proc_captures_and_exits),
	TEST_ENTRY(proc_deadline_kills_the_group),
	TEST_ENTRY(proc_runs_many_in_parallel),
	TEST_ENTRY(proc_caps_output),
	TEST_ENTRY(proc_input_and_closed_stdout),
	TEST_ENTRY(probe_sections_and_nonce),
	TEST_ENTRY(probe_section_status_is_per_section),
	TEST_ENTRY(probe_hung_section_is_named),
	TEST_ENTRY(stopped_service_is_not_unreachable),
	TEST_ENTRY(logcount_counts_on_the_host),
	TEST_ENTRY(cpusample_sees_current_cpu),
	TEST_ENTRY(cpusample_leaves_out_the_probes_ancestors),
	TEST_ENTRY(cpusample_applies_to_ps_rows),
	TEST_ENTRY(failures_are_explained),
	TEST_ENTRY(ssh_argv_is_complete),
	TEST_ENTRY(inventory_targets),
	TEST_ENTRY(redaction),
	TEST_END
};

int
main(int argc, char **argv)
{
	return test_run(tests, argc, argv);
}

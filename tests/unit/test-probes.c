/*
 * The probe kinds (adapters/hosts/probes.h) on this machine: each kind's
 * script runs under /bin/sh on the local transport and its reader turns
 * the section into findings, so a kind's script and its parser are
 * tested together, as the commands use them.
 */

#include <sys/stat.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "hosts.h"
#include "probes.h"
#include "test.h"
#include "xmalloc.h"

static struct cfg_remote	 remote = {
	.timeout_s = 10, .output_limit = 1 << 20, .concurrency = 1,
	.connect_timeout_s = 2, .ssh_command = (char *)"ssh",
	.control_persist_s = 60, .log_window_s = 900, .reuse_connections = 1,
	.error_pattern = (char *)"ERROR",
};

static struct cfg_host	 here = { .name = (char *)"here",
    .transport = HOST_LOCAL };

/* Runs p on this machine; it must have run. */
static void
run(struct probe *p)
{
	struct host_env	 env = { &remote, NULL };

	probes_run(p, 1, &env);
	ASSERT_NULL(p->failure);
}

TEST(system_kind_reads_load_memory_and_cpus)
{
	struct probe		 p;
	struct parse_loadavg	 la;
	struct parse_meminfo	 mem;
	double			 up = -1;
	int64_t			 now = 0;
	int			 tz = 99999;

	probe_init(&p, &here);
	probe_now_script(&p);
	probe_system_script(&p);
	run(&p);
	ASSERT_INT_EQ(probe_now_read(&p, &now, &tz), 0);
	ASSERT(now > 1700000000 && tz > -86400 && tz < 86400);
	ASSERT(probe_cpus_read(&p) >= 1);
	ASSERT_INT_EQ(probe_uptime_read(&p, &up), 0);
	ASSERT(up > 0);
	ASSERT_INT_EQ(probe_loadavg_read(&p, &la, NULL), 0);
	ASSERT_INT_EQ(probe_memory_read(&p, &mem, NULL), 0);
	ASSERT(mem.total_kb > 0);
	probe_release(&p);
	ASSERT_INT_EQ(probe_count_cpus("0-3,8,10-11\n"), 7);
	ASSERT_INT_EQ(probe_count_cpus("0\n"), 1);
	ASSERT_INT_EQ(probe_count_cpus("garbage"), 0);
}

TEST(disks_kind_reads_the_mounts_asked)
{
	struct probe		 p;
	struct parse_df		 df;
	char			*v[] = { (char *)"/" };
	struct strlist		 paths = { v, 1 };
	char			*cause = NULL;

	probe_init(&p, &here);
	probe_disks_script(&p, "df", &paths, 0);
	probe_disks_script(&p, "dfi", NULL, 1);	/* no mounts: "/" */
	run(&p);
	ASSERT_INT_EQ(probe_disks_read(&p, "df", &df, &cause), 0);
	ASSERT_NOT_NULL(parse_df_find(&df, "/"));
	parse_df_free(&df);
	ASSERT_INT_EQ(probe_disks_read(&p, "dfi", &df, &cause), 0);
	ASSERT_NOT_NULL(parse_df_find(&df, "/"));
	parse_df_free(&df);
	ASSERT_INT_EQ(probe_disks_read(&p, "missing", &df, NULL), -1);
	probe_release(&p);
}

TEST(services_kind_reads_the_first_line)
{
	struct probe		 p;
	struct cfg_service	 gone = { .name = (char *)"gone",
	    .process = (char *)"opsbot-no-such-process" };
	struct cfg_service	 sh = { .name = (char *)"sh",
	    .process = (char *)"make-believe'; echo active; '" };
	struct buf		 line;
	enum parse_svc		 st;

	probe_init(&p, &here);
	probe_service_script(&p, NULL, &gone);
	/* A hostile name is one word for pgrep, never code. */
	probe_service_script(&p, "check", &sh);
	run(&p);
	buf_init(&line);
	ASSERT_INT_EQ(probe_service_read(&p, NULL, "gone", &line, &st), 0);
	ASSERT_STR_EQ(line.data, "inactive");
	ASSERT_INT_EQ(st, PARSE_SVC_INACTIVE);
	ASSERT_INT_EQ(probe_service_read(&p, "check", NULL, &line, &st), 0);
	ASSERT_STR_EQ(line.data, "inactive");
	ASSERT_INT_EQ(probe_service_read(&p, NULL, "other", &line, &st), -1);
	ASSERT_STR_EQ(line.data, "");
	buf_release(&line);
	probe_release(&p);
}

TEST(logs_kind_tails_counts_and_refuses)
{
	struct probe		 p;
	struct probe_tail	 t = { .lines = 2 };
	struct cfg_log		 log = { .name = (char *)"app" };
	struct cfg_log		 none = { .name = (char *)"none",
	    .path = (char *)"/nonexistent/opsbot.log" };
	struct logcount		 lc;
	struct host_env		 env = { &remote, NULL };
	struct buf		 out;
	int64_t			 now;
	int			 tz;

	log.path = xstrdup(test_write_file("app.log", "one ERROR a\ntwo\n"
	    "three ERROR b\nfour\n", 0644));
	t.path = log.path;
	t.pattern = "ERROR";
	probe_init(&p, &here);
	probe_now_script(&p);
	probe_logcount_script(&p, &log, "ERROR");
	probe_logcount_script(&p, &none, "ERROR");
	probe_tail_script(&p, &t);
	run(&p);
	buf_init(&out);
	ASSERT_INT_EQ(probe_tail_read(&p, &out), 0);
	ASSERT_STR_EQ(out.data, "one ERROR a\nthree ERROR b\n");
	ASSERT_INT_EQ(probe_now_read(&p, &now, &tz), 0);
	ASSERT_INT_EQ(probe_logcount_read(&p, &log, now, tz, 900, &lc),
	    PROBE_LOG_READ);
	ASSERT_INT_EQ(lc.untimed, 2);
	logcount_release(&lc);
	ASSERT_INT_EQ(probe_logcount_read(&p, &none, now, tz, 900, &lc),
	    PROBE_LOG_UNREADABLE);
	probe_release(&p);

	/* An unreadable log ends /logs' script with status 3. */
	t.path = none.path;
	t.pattern = NULL;
	probe_init(&p, &here);
	probe_tail_script(&p, &t);
	probes_run(&p, 1, &env);
	ASSERT_NOT_NULL(p.failure);
	ASSERT_INT_EQ(p.proc.exit_code, 3);
	probe_release(&p);
	buf_release(&out);
	free(log.path);
}

TEST(files_kind_finds_the_newest)
{
	struct probe	 p;
	struct timespec	 old[2] = { { 1000000000, 0 }, { 1000000000, 0 } };
	char		 glob[512], name[256];
	int64_t		 mt;
	const char	*path;

	/* b is newer: a's time is set well back. */
	path = test_write_file("a.out", "a\n", 0644);
	ASSERT_INT_EQ(utimensat(AT_FDCWD, path, old, 0), 0);
	path = test_write_file("b.out", "b\n", 0644);
	snprintf(name, sizeof name, "%s", path);
	snprintf(glob, sizeof glob, "%s/*.out", test_tmpdir());
	probe_init(&p, &here);
	probe_files_script(&p, glob);
	run(&p);
	ASSERT_INT_EQ(probe_files_newest(&p, &mt, glob, sizeof glob), 1);
	ASSERT_STR_EQ(glob, name);
	ASSERT(mt > 1000000000);
	probe_release(&p);

	probe_init(&p, &here);
	snprintf(glob, sizeof glob, "%s/*.none", test_tmpdir());
	probe_files_script(&p, glob);
	run(&p);
	ASSERT_INT_EQ(probe_files_newest(&p, &mt, name, sizeof name), 0);
	ASSERT_INT_EQ(probe_files_newest(&p, &mt, name, 0), 0);
	probe_release(&p);
}

TEST(autosys_kind_queries_and_reads)
{
	struct probe		 p;
	struct cfg_jobs		 jobs;
	struct cfg_host		 h = here;
	struct parse_jobs	 pj;
	struct host_env		 env = { &remote, NULL };
	char			*fixture, *script, *q;

	xasprintf(&fixture, "%s/remote/autorep-j.txt", OPSBOT_FIXTURES);
	/* An autorep that answers only the patterns expected. */
	xasprintf(&script, "#!/bin/sh\ncase \"$1 $2\" in\n"
	    "'-j EOD_%%'|'-j EOD_LOAD') cat '%s';;\n*) exit 9;;\nesac\n",
	    fixture);
	memset(&jobs, 0, sizeof jobs);
	jobs.autorep = xstrdup(test_write_file("autorep", script, 0755));
	jobs.sendevent = (char *)"false";
	h.jobs = &jobs;
	probe_init(&p, &h);
	probe_autorep_script(&p, "q:0", "EOD_*");
	probe_autorep_script(&p, "q:1", "EOD_LOAD");
	run(&p);
	ASSERT_INT_EQ(probe_autorep_read(&p, "q:0", &pj, NULL), 0);
	ASSERT(pj.n >= 1);
	parse_jobs_free(&pj);
	ASSERT_INT_EQ(probe_autorep_read(&p, "q:1", &pj, NULL), 0);
	ASSERT(pj.n >= 1);
	ASSERT_STR_EQ(pj.jobs[0].name, "EOD_LOAD");
	ASSERT_STR_EQ(pj.jobs[0].status, "SU");
	parse_jobs_free(&pj);
	ASSERT_INT_EQ(probe_autorep_read(&p, "q:2", &pj, NULL), -1);
	probe_release(&p);

	q = probe_autosys_pattern("EOD_[AB]?*");
	ASSERT_STR_EQ(q, "EOD___%");
	free(q);

	/* sendevent failing ends the script: no status after it. */
	probe_init(&p, &h);
	probe_sendevent_script(&p, "EOD_LOAD");
	probe_autorep_script(&p, "status", "EOD_LOAD");
	probes_run(&p, 1, &env);
	ASSERT_NOT_NULL(p.failure);
	ASSERT_INT_EQ(probe_autorep_read(&p, "status", &pj, NULL), -1);
	probe_release(&p);
	free(jobs.autorep);
	free(script);
	free(fixture);
}

TEST(command_kind_keeps_output_and_status)
{
	struct probe		 p;
	struct cfg_hcommand	 c = { .name = (char *)"q",
	    .line = (char *)"printf 'a\\nb\\n\\n'; echo err >&2; exit 4" };
	struct buf		 out;
	int			 rc = -1;

	probe_init(&p, &here);
	probe_command_script(&p, &c);
	run(&p);
	buf_init(&out);
	ASSERT_INT_EQ(probe_command_read(&p, &out, &rc), 0);
	ASSERT_INT_EQ(rc, 4);
	ASSERT_STR_EQ(out.data, "a\nb\n\nerr");
	ASSERT_INT_EQ((int)out.len, 8);
	probe_release(&p);

	/* No command (not in the inventory): an empty section, no rc. */
	probe_init(&p, &here);
	probe_command_script(&p, NULL);
	run(&p);
	ASSERT_INT_EQ(probe_command_read(&p, &out, &rc), -1);
	probe_release(&p);
	buf_release(&out);
}

TEST(processes_kind_by_memory)
{
	struct probe	 p;
	struct parse_ps	 ps;
	char		*cause = NULL;

	probe_init(&p, &here);
	probe_top_script(&p, 3, 1);
	run(&p);
	ASSERT_INT_EQ(probe_top_read(&p, 1, &ps, &cause), PROBE_TOP_READ);
	ASSERT(ps.n >= 1 && ps.n <= 3);
	parse_ps_free(&ps);
	/* By CPU, without the sample: said so, nothing to free. */
	ASSERT_INT_EQ(probe_top_read(&p, 0, &ps, &cause), PROBE_TOP_NO_SAMPLE);
	probe_release(&p);
}

/* Each section a kind writes has its row; stuck ones are named. */
TEST(kind_table_names_every_section)
{
	static const char *const sections[] = { "now", "cpus", "loadavg",
	    "uptime", "meminfo", "df", "dfi", "svc:app", "restart", "check",
	    "log:app", "log", "files", "q:0", "q:12", "status", "sendevent",
	    "cpu", "ps", "cmd", NULL };
	const struct probe_kind	*k;
	const char		*rest;
	char			*label;
	size_t			 i;

	for (i = 0; sections[i] != NULL; i++) {
		if (probe_kind_of(sections[i], NULL) == NULL)
			TEST_FAIL("no kind writes section %s", sections[i]);
	}
	ASSERT_NULL(probe_kind_of("nosuch", NULL));
	ASSERT_NULL(probe_kind_of("svc", NULL));
	k = probe_kind_of("svc:web:8080", &rest);
	ASSERT_STR_EQ(k->name, "services");
	ASSERT_STR_EQ(rest, "web:8080");
	ASSERT_STR_EQ(probe_kind_of("dfi", NULL)->name, "disks");
	ASSERT_STR_EQ(probe_kind_of("log", NULL)->name, "tail");
	label = probe_kind_label("svc:app");
	ASSERT_STR_EQ(label, "the check of service app");
	free(label);
	label = probe_kind_label("log:nginx");
	ASSERT_STR_EQ(label, "the scan of log nginx");
	free(label);
	label = probe_kind_label("df");
	ASSERT_STR_EQ(label, "`df`");
	free(label);
	label = probe_kind_label("unknown");
	ASSERT_STR_EQ(label, "`unknown`");
	free(label);
}

/* p's script without its marker lines (they carry the random nonce). */
static char *
script_text(const struct probe *p)
{
	struct buf	 out;
	const char	*line, *nl;

	buf_init(&out);
	for (line = p->script.data; *line != '\0'; line = nl) {
		nl = strchr(line, '\n');
		nl = nl != NULL ? nl + 1 : line + strlen(line);
		if (strstr(line, PROBE_MARK) == NULL ||
		    strstr(line, PROBE_MARK) > nl)
			buf_add(&out, line, (size_t)(nl - line));
	}
	return buf_detach(&out);
}

/*
 * The scripts are the ones the commands wrote before the kinds held
 * them, byte for byte (captured outputs and real hosts answer them).
 */
TEST(scripts_are_unchanged)
{
	struct probe		 p;
	struct cfg_mount	 mounts[] = { { .path = (char *)"/var" },
	    { .path = (char *)"/data it's" } };
	struct cfg_service	 unit = { .name = (char *)"app",
	    .unit = (char *)"app.service" };
	struct cfg_service	 proc = { .name = (char *)"batch",
	    .process = (char *)"batchd" };
	struct cfg_jobs		 jobs = { .autorep = (char *)"autorep",
	    .sendevent = (char *)"/opt/sendevent" };
	struct cfg_hcommand	 c = { .name = (char *)"q",
	    .line = (char *)"queue --count" };
	struct probe_tail	 t = { .path = "/var/log/app.log",
	    .pattern = "ERR", .lines = 20 };
	struct cfg_host		 h = here;
	char			*text;

	h.mounts = mounts;
	h.nmounts = 2;
	h.jobs = &jobs;
	probe_init(&p, &h);
	probe_disks_script(&p, "df", NULL, 0);
	probe_disks_script(&p, "dfi", NULL, 1);
	probe_service_script(&p, NULL, &unit);
	probe_service_script(&p, NULL, &proc);
	probe_autorep_script(&p, "q:0", "EOD_*");
	probe_sendevent_script(&p, "EOD_LOAD");
	probe_command_script(&p, &c);
	probe_tail_script(&p, &t);
	probe_restart_script(&p, &unit, 2);
	text = script_text(&p);
	ASSERT_STR_EQ(text, "LC_ALL=C; export LC_ALL\n"
	    "df -P -- '/var' '/data it'\\''s' 2>/dev/null\n"
	    "df -P -i -- '/var' '/data it'\\''s' 2>/dev/null\n"
	    "systemctl is-active -- 'app.service' 2>/dev/null\n"
	    "if pgrep -x -- 'batchd' >/dev/null; then echo active; "
	    "else echo inactive; fi\n"
	    "'autorep' -j 'EOD_%' 2>&1 || true\n"
	    "'/opt/sendevent' -E FORCE_STARTJOB -J 'EOD_LOAD' || exit $?\n"
	    "( queue --count\n) 2>&1 </dev/null; printf "
	    "'\\nopsbot-rc=%d\\n' \"$?\"\n"
	    "if [ ! -r '/var/log/app.log' ]; then echo \"opsbot: cannot "
	    "read\" '/var/log/app.log' >&2; exit 3; fi\n"
	    "tail -c 8388608 -- '/var/log/app.log' | grep -F -e 'ERR' | "
	    "tail -n 20; true\n"
	    "systemctl restart -- 'app.service'\n"
	    "rc=$?; if [ $rc -ne 0 ]; then exit $rc; fi\nsleep 2\n"
	    "systemctl is-active -- 'app.service' 2>/dev/null\n");
	free(text);
	probe_release(&p);
}

static const struct test tests[] = {
	TEST_ENTRY(scripts_are_unchanged),
	TEST_ENTRY(kind_table_names_every_section),
	TEST_ENTRY(system_kind_reads_load_memory_and_cpus),
	TEST_ENTRY(disks_kind_reads_the_mounts_asked),
	TEST_ENTRY(services_kind_reads_the_first_line),
	TEST_ENTRY(logs_kind_tails_counts_and_refuses),
	TEST_ENTRY(files_kind_finds_the_newest),
	TEST_ENTRY(autosys_kind_queries_and_reads),
	TEST_ENTRY(command_kind_keeps_output_and_status),
	TEST_ENTRY(processes_kind_by_memory),
	TEST_END
};

int
main(int argc, char **argv)
{
	return test_run(tests, argc, argv);
}

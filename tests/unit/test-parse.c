/*
 * The parsers of remote command output (adapters/hosts/parse_*.c), on the
 * captured and hand-made outputs in tests/fixtures/remote/: exact values
 * for the good ones, exact messages for the bad ones.
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "parse.h"
#include "test.h"

#define REMOTE_DIR	OPSBOT_FIXTURES "/remote"

#define ASSERT_DBL_EQ(a, b) do {					\
	double _a = (a), _b = (b);					\
	if (_a != _b)							\
		TEST_FAIL("%s == %s: %.17g != %.17g", #a, #b, _a, _b);	\
} while (0)

/* The fixture's bytes (up to a NUL, as the parsers see them). */
static char *
fixture(const char *name)
{
	char		 path[512];
	FILE		*f;
	struct buf	 b;
	char		 chunk[512];
	size_t		 n;

	snprintf(path, sizeof path, "%s/%s", REMOTE_DIR, name);
	if ((f = fopen(path, "rb")) == NULL)
		TEST_FAIL("cannot open %s", path);
	buf_init(&b);
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_add(&b, chunk, n);
	fclose(f);
	return buf_detach(&b);
}

enum kind {
	K_LOADAVG,
	K_PROC_UPTIME,
	K_UPTIME,
	K_MEMINFO,
	K_DF,
	K_AUTOREP,
	K_PS,
};

/*
 * Runs one parser on text. On failure asserts the outputs are empty and
 * returns the cause (caller frees); on success frees what was parsed and
 * returns NULL.
 */
static char *
run(enum kind k, const char *text)
{
	struct parse_loadavg	 la;
	struct parse_meminfo	 mi;
	struct parse_df		 df;
	struct parse_jobs	 jobs;
	struct parse_ps		 ps;
	double			 secs;
	char			*cause = NULL;
	int			 rc = -1;

	switch (k) {
	case K_LOADAVG:
		rc = parse_loadavg(text, &la, &cause);
		if (rc != 0)
			ASSERT(la.l1 == 0 && la.l5 == 0 && la.l15 == 0);
		break;
	case K_PROC_UPTIME:
		rc = parse_proc_uptime(text, &secs, &cause);
		if (rc != 0)
			ASSERT(secs == 0);
		break;
	case K_UPTIME:
		rc = parse_uptime_cmd(text, &secs, &la, &cause);
		if (rc != 0) {
			ASSERT(secs == 0);
			ASSERT(la.l1 == 0 && la.l5 == 0 && la.l15 == 0);
		}
		break;
	case K_MEMINFO:
		rc = parse_meminfo(text, &mi, &cause);
		if (rc != 0) {
			ASSERT(mi.total_kb == 0 && mi.available_kb == 0);
			ASSERT(mi.swap_total_kb == 0 && mi.swap_free_kb == 0);
		}
		break;
	case K_DF:
		rc = parse_df(text, &df, &cause);
		if (rc != 0) {
			ASSERT_NULL(df.rows);
			ASSERT_INT_EQ(df.n, 0);
		}
		parse_df_free(&df);
		break;
	case K_AUTOREP:
		rc = parse_autorep(text, &jobs, &cause);
		if (rc != 0) {
			ASSERT_NULL(jobs.jobs);
			ASSERT_INT_EQ(jobs.n, 0);
		}
		parse_jobs_free(&jobs);
		break;
	case K_PS:
		rc = parse_ps(text, &ps, &cause);
		if (rc != 0) {
			ASSERT_NULL(ps.rows);
			ASSERT_INT_EQ(ps.n, 0);
		}
		parse_ps_free(&ps);
		break;
	}
	if (rc == 0) {
		ASSERT_NULL(cause);
		return NULL;
	}
	ASSERT_INT_EQ(rc, -1);
	ASSERT_NOT_NULL(cause);
	return cause;
}

/* Every bad fixture, with the exact message its parser gives. */
static const struct bad {
	enum kind	 kind;
	const char	*file;
	const char	*cause;
} bad[] = {
	{ K_LOADAVG, "loadavg-truncated.txt",
	  "/proc/loadavg: expected 5 fields, got 2" },
	{ K_LOADAVG, "loadavg-bad-number.txt",
	  "/proc/loadavg: 5-minute load \"0.7x3\" is not a number" },
	{ K_LOADAVG, "loadavg-bad-tasks.txt",
	  "/proc/loadavg: expected running/total tasks, got \"92\"" },
	{ K_LOADAVG, "empty.txt", "/proc/loadavg: expected 5 fields, got 0" },
	{ K_LOADAVG, "meminfo.txt",
	  "/proc/loadavg: expected 5 fields, got 158" },

	{ K_PROC_UPTIME, "proc-uptime-truncated.txt",
	  "/proc/uptime: expected 2 fields, got 1" },
	{ K_PROC_UPTIME, "proc-uptime-bad-number.txt",
	  "/proc/uptime: idle time \"idle\" is not a number" },
	{ K_PROC_UPTIME, "loadavg.txt",
	  "/proc/uptime: expected 2 fields, got 5" },
	{ K_PROC_UPTIME, "empty.txt", "/proc/uptime: expected 2 fields, "
	  "got 0" },

	{ K_UPTIME, "uptime-truncated.txt", "uptime: no load average in "
	  "\" 10:22:01 up 3 days, 2:03, 1 user, load ...\"" },
	{ K_UPTIME, "uptime-not-found.txt", "uptime: no \"up\" in \"bash: "
	  "line 1: uptime: command not found\"" },
	{ K_UPTIME, "uptime-bad-unit.txt",
	  "uptime: cannot read \"3 fortnights\"" },
	{ K_UPTIME, "empty.txt", "uptime: no output" },
	{ K_UPTIME, "loadavg.txt",
	  "uptime: no \"up\" in \"0.43 0.73 0.67 1/92 24097\"" },

	{ K_MEMINFO, "meminfo-truncated.txt", "/proc/meminfo: line 4: "
	  "expected \"Key: value\", got \"Buffer\"" },
	{ K_MEMINFO, "meminfo-cut-number.txt", "/proc/meminfo: no SwapTotal" },
	{ K_MEMINFO, "meminfo-no-total.txt", "/proc/meminfo: no MemTotal" },
	{ K_MEMINFO, "meminfo-bad-number.txt", "/proc/meminfo: line 2: "
	  "MemFree \"2388S824\" is not a number" },
	{ K_MEMINFO, "meminfo-bad-unit.txt",
	  "/proc/meminfo: line 4: unknown unit \"MB\"" },
	{ K_MEMINFO, "empty.txt", "/proc/meminfo: no MemTotal" },
	{ K_MEMINFO, "df-P.txt", "/proc/meminfo: line 1: expected \"Key: "
	  "value\", got \"Filesystem 1024-blocks Used Available Ca...\"" },

	{ K_DF, "df-truncated.txt",
	  "df: line 4: expected 6 fields, got 3" },
	{ K_DF, "df-missing-column.txt",
	  "df: line 3: expected 6 fields, got 5" },
	{ K_DF, "df-bad-number.txt",
	  "df: line 3: size \"2642l2084\" is not a number" },
	{ K_DF, "df-bad-capacity.txt",
	  "df: line 2: capacity \"170%\" is not a percentage" },
	{ K_DF, "df-human.txt", "df: line 1: unknown size column \"Size\"" },
	{ K_DF, "df-error.txt", "df: line 1: expected the header "
	  "\"Filesystem ... Mounted on\", got \"df: /mnt/gone: No such file "
	  "or directory\"" },
	{ K_DF, "empty.txt", "df: no output" },
	{ K_DF, "ps.txt", "df: line 1: expected the header \"Filesystem ... "
	  "Mounted on\", got \" PID USER %CPU %MEM RSS ELAPSED COMMAND\"" },

	{ K_AUTOREP, "autorep-garbage.txt", "autorep: line 6: last start: "
	  "expected \"MM/DD/YYYY HH:MM:SS\" or \"-----\", got \"autorep: "
	  "warning:\"" },
	{ K_AUTOREP, "autorep-truncated.txt", "autorep: line 6: expected job "
	  "name, last start, last end and status, got \"EOD_REPORTS "
	  "11/21/2026 22:1\"" },
	{ K_AUTOREP, "autorep-bad-date.txt", "autorep: line 5: last start: "
	  "expected \"MM/DD/YYYY HH:MM:SS\" or \"-----\", got \"13/21/2026 "
	  "22:00:01\"" },
	{ K_AUTOREP, "autorep-server-down.txt", "autorep: line 1: "
	  "CAUAJM_E_10062 Failed to get initial configuration from AutoSys "
	  "Application Serv..." },
	{ K_AUTOREP, "autorep-long-name.txt", "autorep: line 5: job name "
	  "\"XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX...\" is longer than 64 "
	  "characters" },
	{ K_AUTOREP, "autorep-extra.txt",
	  "autorep: line 5: unexpected \"oops\" after the exit code" },
	{ K_AUTOREP, "empty.txt", "autorep: no output" },
	{ K_AUTOREP, "df-P.txt", "autorep: line 1: last start: expected "
	  "\"MM/DD/YYYY HH:MM:SS\" or \"-----\", got \"1024-blocks Used\"" },

	{ K_PS, "ps-truncated.txt", "ps: line 5: expected 7 fields, got 5" },
	{ K_PS, "ps-bad-etime.txt", "ps: line 3: elapsed time \"41-3:12:09\" "
	  "is not [[DD-]hh:]mm:ss" },
	{ K_PS, "ps-bad-pid.txt", "ps: line 2: pid \"x1\" is not a number" },
	{ K_PS, "ps-error.txt", "ps: line 1: expected the header \"PID USER "
	  "%CPU %MEM RSS ELAPSED COMMAND\", got \"error: unknown "
	  "user-defined format speci...\"" },
	{ K_PS, "empty.txt", "ps: no output" },
};

TEST(bad_fixtures)
{
	size_t	 i;
	char	*text, *cause;

	for (i = 0; i < sizeof bad / sizeof *bad; i++) {
		text = fixture(bad[i].file);
		cause = run(bad[i].kind, text);
		free(text);
		if (cause == NULL)
			TEST_FAIL("%s: accepted", bad[i].file);
		if (strcmp(cause, bad[i].cause) != 0) {
			TEST_FAIL("%s:\n    got:      \"%s\"\n    expected: "
			    "\"%s\"", bad[i].file, cause, bad[i].cause);
		}
		free(cause);
	}
}

/* Binary junk: every parser refuses it, with a printable message. */
TEST(junk)
{
	static const enum kind	 kinds[] = {
		K_LOADAVG, K_PROC_UPTIME, K_UPTIME, K_MEMINFO, K_DF,
		K_AUTOREP, K_PS
	};
	/* '?' stands for each unprintable byte ("\?" dodges trigraphs). */
	static const char *const causes[] = {
		"/proc/loadavg: expected 5 fields, got 3",
		"/proc/uptime: expected 2 fields, got 3",
		"uptime: line 2: unexpected \"\?\?d\?\?,p\?\?\?;\?]Mg\?C"
		    "\?\?\?\?\?y\?IW$\?\?e\?\?\?_\?\?\?p\?:...\"",
		"/proc/meminfo: line 1: expected \"Key: value\", got "
		    "\"\?\?\?=\?c\?\?\"",
		"df: line 1: expected the header \"Filesystem ... Mounted "
		    "on\", got \"\?\?\?=\?c\?\?\"",
		"autorep: line 1: expected job name, last start, last end and "
		    "status, got \"\?\?\?=\?c\?\?\"",
		"ps: line 1: expected the header \"PID USER %CPU %MEM RSS "
		    "ELAPSED COMMAND\", got \"\?\?\?=\?c\?\?\"",
	};
	char	*text = fixture("junk.bin"), *cause;
	size_t	 i;

	ASSERT_INT_EQ(strlen(text), 200);	/* up to the NUL */
	for (i = 0; i < sizeof kinds / sizeof *kinds; i++) {
		cause = run(kinds[i], text);
		ASSERT_NOT_NULL(cause);
		ASSERT_STR_EQ(cause, causes[i]);
		free(cause);
	}
	free(text);
}

/* Repeats s to fill about n bytes after prefix. */
static char *
repeat(const char *prefix, const char *s, size_t n)
{
	struct buf	 b;

	buf_init(&b);
	buf_adds(&b, prefix);
	while (b.len < n)
		buf_adds(&b, s);
	return buf_detach(&b);
}

/* A megabyte on one line: read in one pass, refused or cut to fit. */
TEST(long_lines)
{
	static const char	 df_head[] = "Filesystem 1024-blocks Used "
	    "Available Capacity Mounted on\n";
	static const char	 ps_head[] = "PID USER %CPU %MEM RSS ELAPSED "
	    "COMMAND\n";
	struct parse_df		 df;
	struct parse_ps		 ps;
	char			*text, *cause = NULL;
	int64_t			 when;

	text = repeat("", "x", 1 << 20);
	cause = run(K_LOADAVG, text);
	ASSERT_STR_EQ(cause, "/proc/loadavg: expected 5 fields, got 1");
	free(cause);
	cause = run(K_UPTIME, text);
	ASSERT_STR_EQ(cause, "uptime: no \"up\" in "
	    "\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...\"");
	free(cause);
	cause = run(K_MEMINFO, text);
	ASSERT_STR_EQ(cause, "/proc/meminfo: line 1: expected \"Key: value\", "
	    "got \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...\"");
	free(cause);
	cause = run(K_AUTOREP, text);
	ASSERT_STR_EQ(cause, "autorep: line 1: expected job name, last "
	    "start, last end and status, got "
	    "\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...\"");
	free(cause);
	ASSERT_INT_EQ(parse_log_time(text, 0, 0, &when), -1);
	free(text);

	text = repeat("", "1 ", 1 << 20);
	cause = run(K_PROC_UPTIME, text);
	ASSERT_STR_EQ(cause, "/proc/uptime: expected 2 fields, got 524288");
	free(cause);
	free(text);

	text = repeat(df_head, "1 ", 1 << 20);
	cause = run(K_DF, text);
	ASSERT_STR_EQ(cause, "df: line 2: capacity \"1\" is not a "
	    "percentage");
	free(cause);
	free(text);

	/* A mount point of a megabyte, spaces and all. */
	text = repeat(df_head, "/a b", 1 << 20);
	memcpy(text + sizeof df_head - 1, "fs 1 1 1 1% /", 13);
	ASSERT_INT_EQ(parse_df(text, &df, &cause), 0);
	ASSERT_INT_EQ(df.n, 1);
	ASSERT_STR_EQ(df.rows[0].fs, "fs");
	ASSERT_INT_EQ(strlen(df.rows[0].mount),
	    strlen(text) - (sizeof df_head - 1) - 12);
	parse_df_free(&df);
	free(text);

	text = repeat(ps_head, "y ", 1 << 20);
	memcpy(text + sizeof ps_head - 1, "1 root 0.0 0.0 1 00:01 ", 23);
	ASSERT_INT_EQ(parse_ps(text, &ps, &cause), 0);
	ASSERT_INT_EQ(ps.n, 1);
	ASSERT_INT_EQ(strlen(ps.rows[0].command), 63);
	parse_ps_free(&ps);
	free(text);

	text = repeat("", " ts=ts=", 1 << 20);
	ASSERT_INT_EQ(parse_log_time(text, 0, 0, &when), -1);
	free(text);
}

TEST(loadavg)
{
	struct parse_loadavg	 la;
	char			*text = fixture("loadavg.txt");
	char			*cause = NULL;

	/* Captured: "0.43 0.73 0.67 1/92 24097". */
	ASSERT_INT_EQ(parse_loadavg(text, &la, &cause), 0);
	ASSERT_NULL(cause);
	ASSERT_DBL_EQ(la.l1, 0.43);
	ASSERT_DBL_EQ(la.l5, 0.73);
	ASSERT_DBL_EQ(la.l15, 0.67);
	free(text);

	ASSERT_INT_EQ(parse_loadavg("12.00 105.5 0 12/3456 4194304",
	    &la, &cause), 0);
	ASSERT_DBL_EQ(la.l1, 12);
	ASSERT_DBL_EQ(la.l5, 105.5);
	ASSERT_DBL_EQ(la.l15, 0);
	ASSERT_INT_EQ(parse_loadavg("0.1 0.2 0.3 1/2 3 4", &la, &cause), -1);
	ASSERT_STR_EQ(cause, "/proc/loadavg: expected 5 fields, got 6");
	free(cause);
	ASSERT_INT_EQ(parse_loadavg("0.1 .2 0.3 1/2 3", &la, &cause), -1);
	ASSERT_STR_EQ(cause, "/proc/loadavg: 5-minute load \".2\" is not a "
	    "number");
	free(cause);
	ASSERT_INT_EQ(parse_loadavg("0.1 0.2 0.3 1/ 3", &la, &cause), -1);
	ASSERT_STR_EQ(cause, "/proc/loadavg: expected running/total tasks, "
	    "got \"1/\"");
	free(cause);
	ASSERT_INT_EQ(parse_loadavg("0.1 0.2 0.3 1/2 -3", &la, &cause), -1);
	ASSERT_STR_EQ(cause, "/proc/loadavg: last pid \"-3\" is not a "
	    "number");
	free(cause);
	/* A digit too many is refused rather than rounded. */
	ASSERT_INT_EQ(parse_loadavg("1234567890.123456789 0 0 1/1 1", &la,
	    &cause), -1);
	ASSERT_STR_EQ(cause, "/proc/loadavg: 1-minute load "
	    "\"1234567890.123456789\" is not a number");
	free(cause);
}

TEST(proc_uptime)
{
	char	*text = fixture("proc-uptime.txt"), *cause = NULL;
	double	 secs = -1;

	/* Captured: "1988.35 2790.89". */
	ASSERT_INT_EQ(parse_proc_uptime(text, &secs, &cause), 0);
	ASSERT_DBL_EQ(secs, 1988.35);
	free(text);
	ASSERT_INT_EQ(parse_proc_uptime("350735.47 234388.90\r\n", &secs,
	    &cause), 0);
	ASSERT_DBL_EQ(secs, 350735.47);
	ASSERT_INT_EQ(parse_proc_uptime("-1 0", &secs, &cause), -1);
	ASSERT_STR_EQ(cause, "/proc/uptime: uptime \"-1\" is not a number");
	free(cause);
}

TEST(uptime_cmd)
{
	static const struct {
		const char	*file;
		double		 secs, l1, l5, l15;
	} t[] = {
		/* Captured: " 00:54:29 up 33 min,  0 user,  load ...". */
		{ "uptime-min.txt", 33 * 60, 0.43, 0.73, 0.67 },
		{ "uptime-hours.txt", 3600 + 2 * 60, 0, 0.01, 0.05 },
		{ "uptime-days.txt", 3 * 86400 + 2 * 3600 + 3 * 60,
		  0, 0.01, 0.05 },
		{ "uptime-day-min.txt", 86400 + 20 * 60, 1.52, 1.2, 0.98 },
		{ "uptime-days-zero-min.txt", 12 * 86400, 7, 6.5, 6.25 },
		{ "uptime-macos.txt", 12 * 86400, 1.2, 1.3, 1.4 },
		{ "uptime-freebsd.txt", 3 * 86400 + 2 * 3600, 0.1, 0.2, 0.3 },
		{ "uptime-busybox.txt", 5 * 60, 0, 0.01, 0.05 },
		{ "uptime-de.txt", 400 * 86400 + 23 * 3600 + 59 * 60,
		  0.44, 0.88, 0.7 },
	};
	struct parse_loadavg	 la;
	double			 secs;
	char			*text, *cause = NULL;
	size_t			 i;

	for (i = 0; i < sizeof t / sizeof *t; i++) {
		text = fixture(t[i].file);
		if (parse_uptime_cmd(text, &secs, &la, &cause) != 0)
			TEST_FAIL("%s: %s", t[i].file, cause);
		free(text);
		if (secs != t[i].secs || la.l1 != t[i].l1 ||
		    la.l5 != t[i].l5 || la.l15 != t[i].l15) {
			TEST_FAIL("%s: got %g %g %g %g, expected %g %g %g %g",
			    t[i].file, secs, la.l1, la.l5, la.l15, t[i].secs,
			    t[i].l1, t[i].l5, t[i].l15);
		}
	}

	ASSERT_INT_EQ(parse_uptime_cmd("up 1 sec, load average: 1 2 3", &secs,
	    &la, &cause), 0);
	ASSERT_DBL_EQ(secs, 1);
	ASSERT_DBL_EQ(la.l15, 3);
	ASSERT_INT_EQ(parse_uptime_cmd("9:01AM  up 1 hr, 2 users, load "
	    "averages: 0.52, 0.58, 0.59\n\n", &secs, &la, &cause), 0);
	ASSERT_DBL_EQ(secs, 3600);
	ASSERT_DBL_EQ(la.l1, 0.52);
	ASSERT_INT_EQ(parse_uptime_cmd("up 1 hr, load average: 1 2 3\nup 1 hr",
	    &secs, &la, &cause), -1);
	ASSERT_STR_EQ(cause, "uptime: line 2: unexpected \"up 1 hr\"");
	free(cause);
	ASSERT_INT_EQ(parse_uptime_cmd(" 10:22:01 up 5 min,  1 user,  load "
	    "average: 0.00, 0.01", &secs, &la, &cause), -1);
	ASSERT_STR_EQ(cause, "uptime: load average: expected 3 numbers, "
	    "got \"\"");
	free(cause);
	ASSERT_INT_EQ(parse_uptime_cmd(" 10:22:01 up 5 min,  1 user,  load "
	    "average: 0.00, 0.01, 0.05, 9", &secs, &la, &cause), -1);
	ASSERT_STR_EQ(cause, "uptime: unexpected \", 9\" after the load "
	    "average");
	free(cause);
	ASSERT_INT_EQ(parse_uptime_cmd(" 10:22:01 up  1 user,  load "
	    "average: 0.00, 0.01, 0.05", &secs, &la, &cause), -1);
	ASSERT_STR_EQ(cause, "uptime: no time after \"up\"");
	free(cause);
	ASSERT_INT_EQ(parse_uptime_cmd(" 10:22:01 up 1:60,  load average: "
	    "0.00, 0.01, 0.05", &secs, &la, &cause), -1);
	ASSERT_STR_EQ(cause, "uptime: cannot read \"1:60\"");
	free(cause);
	/* The time up comes before the users. */
	ASSERT_INT_EQ(parse_uptime_cmd(" 10:22:01 up 1 user, 5 min, load "
	    "average: 0.00, 0.01, 0.05", &secs, &la, &cause), -1);
	ASSERT_STR_EQ(cause, "uptime: cannot read \"5 min\"");
	free(cause);
	ASSERT_INT_EQ(parse_uptime_cmd("up 1 day, 1 day, 1 day, 1 day, 1 day, "
	    "load average: 0 0 0", &secs, &la, &cause), -1);
	ASSERT_STR_EQ(cause, "uptime: cannot read \"1 day\"");
	free(cause);
}

TEST(meminfo)
{
	static const struct {
		const char		*file;
		struct parse_meminfo	 mi;
	} t[] = {
		/* Captured on this machine (no swap). */
		{ "meminfo.txt", { 24683656, 24319796, 0, 0 } },
		/* No MemAvailable: MemFree + Buffers + Cached. */
		{ "meminfo-old-kernel.txt",
		  { 8061064, 412368 + 236548 + 5120432, 4194300, 4151228 } },
		{ "meminfo-crlf.txt",
		  { 8061064, 412368 + 236548 + 5120432, 4194300, 4151228 } },
	};
	struct parse_meminfo	 mi;
	char			*text, *cause = NULL;
	size_t			 i;

	for (i = 0; i < sizeof t / sizeof *t; i++) {
		text = fixture(t[i].file);
		if (parse_meminfo(text, &mi, &cause) != 0)
			TEST_FAIL("%s: %s", t[i].file, cause);
		free(text);
		ASSERT_INT_EQ(mi.total_kb, t[i].mi.total_kb);
		ASSERT_INT_EQ(mi.available_kb, t[i].mi.available_kb);
		ASSERT_INT_EQ(mi.swap_total_kb, t[i].mi.swap_total_kb);
		ASSERT_INT_EQ(mi.swap_free_kb, t[i].mi.swap_free_kb);
	}

	ASSERT_INT_EQ(parse_meminfo("MemTotal: 1 kB\nMemFree: 2 kB\n"
	    "SwapTotal: 3 kB\nSwapFree: 4 kB extra\n", &mi, &cause), -1);
	ASSERT_STR_EQ(cause, "/proc/meminfo: line 4: unexpected \"extra\"");
	free(cause);
	ASSERT_INT_EQ(parse_meminfo("MemTotal: 99999999999999999999 kB\n",
	    &mi, &cause), -1);
	ASSERT_STR_EQ(cause, "/proc/meminfo: line 1: MemTotal "
	    "\"99999999999999999999\" is too large");
	free(cause);
	ASSERT_INT_EQ(parse_meminfo("MemTotal:\n", &mi, &cause), -1);
	ASSERT_STR_EQ(cause, "/proc/meminfo: line 1: expected \"Key: "
	    "value\", got \"MemTotal:\"");
	free(cause);
	/* Tabs and runs of blanks show as one space. */
	ASSERT_INT_EQ(parse_meminfo("no\tcolon  \t here\n", &mi, &cause), -1);
	ASSERT_STR_EQ(cause, "/proc/meminfo: line 1: expected \"Key: "
	    "value\", got \"no colon here\"");
	free(cause);
	ASSERT_INT_EQ(parse_meminfo(": 5\n", &mi, &cause), -1);
	ASSERT_STR_EQ(cause, "/proc/meminfo: line 1: expected \"Key: "
	    "value\", got \": 5\"");
	free(cause);
}

struct df_expect {
	const char	*fs, *mount;
	int64_t		 size, used, avail;
	int		 pct;
};

static void
df_check(const char *file, const struct df_expect *e, size_t n)
{
	struct parse_df	 df;
	char		*text = fixture(file), *cause = NULL;
	size_t		 i;

	if (parse_df(text, &df, &cause) != 0)
		TEST_FAIL("%s: %s", file, cause);
	free(text);
	ASSERT_INT_EQ(df.n, n);
	for (i = 0; i < n; i++) {
		ASSERT_STR_EQ(df.rows[i].fs, e[i].fs);
		ASSERT_STR_EQ(df.rows[i].mount, e[i].mount);
		ASSERT_INT_EQ(df.rows[i].size, e[i].size);
		ASSERT_INT_EQ(df.rows[i].used, e[i].used);
		ASSERT_INT_EQ(df.rows[i].avail, e[i].avail);
		ASSERT_INT_EQ(df.rows[i].pct, e[i].pct);
	}
	parse_df_free(&df);
	ASSERT_NULL(df.rows);
	ASSERT_INT_EQ(df.n, 0);
}

TEST(df_blocks)
{
	/* Captured df -P. */
	static const struct df_expect e[] = {
		{ "devtmpfs", "/dev", 12334432, 0, 12334432, 0 },
		{ "tmpfs", "/dev/shm", 24683656, 0, 24683656, 0 },
		{ "/dev/vda", "/", 264212084, 16903480, 83433708, 17 },
		{ "tmpfs", "/sys/fs/cgroup", 12341828, 0, 12341828, 0 },
	};

	df_check("df-P.txt", e, sizeof e / sizeof *e);
}

TEST(df_inodes)
{
	/* Captured df -P -i. */
	static const struct df_expect e[] = {
		{ "devtmpfs", "/dev", 3083608, 114, 3083494, 1 },
		{ "tmpfs", "/dev/shm", 3085457, 1, 3085456, 1 },
		{ "/dev/vda", "/", 16777216, 414613, 16362603, 3 },
		{ "tmpfs", "/sys/fs/cgroup", 3085457, 11, 3085446, 1 },
	};
	/* vfat has no inodes; btrfs shows "-". */
	static const struct df_expect dash[] = {
		{ "/dev/nvme0n1p2", "/", 6094848, 612345, 5482503, 11 },
		{ "/dev/nvme0n1p1", "/boot/efi", 0, 0, 0, -1 },
		{ "tmpfs", "/run/user/1000", 2023410, 1, 2023409, 1 },
		{ "/dev/sdc1", "/srv/btrfs", -1, -1, -1, -1 },
	};

	df_check("df-P-i.txt", e, sizeof e / sizeof *e);
	df_check("df-P-i-dash.txt", dash, sizeof dash / sizeof *dash);
}

TEST(df_spaces)
{
	static const struct df_expect e[] = {
		{ "/dev/mapper/vg0-root", "/", 51290592, 21409952, 27242816,
		  45 },
		{ "/dev/sdb1", "/media/alice/My Passport", 976283616,
		  512000000, 464283616, 53 },
		{ "//nas/Team Share", "/mnt/team share", 2147483648LL,
		  1073741824, 1073741824, 50 },
	};

	df_check("df-spaces.txt", e, sizeof e / sizeof *e);
}

TEST(df_512_blocks)
{
	/* macOS df -P: 512-byte blocks, rounded up to KiB. */
	static const struct df_expect e[] = {
		{ "/dev/disk3s1s1", "/", 482797652, 9807344, 217193236, 5 },
		{ "devfs", "/dev", 207, 207, 0, 100 },
		{ "/dev/disk3s5", "/System/Volumes/Data", 482797652,
		  253006264, 217193236, 54 },
		{ "map auto_home", "/System/Volumes/Data/home", 0, 0, 0, 100 },
	};

	df_check("df-512.txt", e, sizeof e / sizeof *e);
}

TEST(df_header_only_and_find)
{
	struct parse_df			 df;
	const struct parse_df_row	*r;
	char				*text, *cause = NULL;

	text = fixture("df-header-only.txt");
	ASSERT_INT_EQ(parse_df(text, &df, &cause), 0);
	ASSERT_INT_EQ(df.n, 0);
	ASSERT_NULL(parse_df_find(&df, "/"));
	parse_df_free(&df);
	free(text);

	/* A later mount on the same point hides the earlier one. */
	ASSERT_INT_EQ(parse_df("Filesystem 1024-blocks Used Available "
	    "Capacity Mounted on\r\n/dev/sda1 100 10 90 10% /srv\r\n"
	    "/dev/sdb1 200 100 100 50% /srv\r\n/dev/sdc1 300 0 300 0% /\r\n",
	    &df, &cause), 0);
	ASSERT_INT_EQ(df.n, 3);
	ASSERT_NOT_NULL(r = parse_df_find(&df, "/srv"));
	ASSERT_STR_EQ(r->fs, "/dev/sdb1");
	ASSERT_NOT_NULL(r = parse_df_find(&df, "/"));
	ASSERT_INT_EQ(r->size, 300);
	ASSERT_NULL(parse_df_find(&df, "/sr"));
	ASSERT_NULL(parse_df_find(&df, NULL));
	ASSERT_NULL(parse_df_find(NULL, "/"));
	parse_df_free(&df);
	parse_df_free(&df);	/* twice is fine */

	ASSERT_INT_EQ(parse_df("Filesystem 1024-blocks Used Available "
	    "Capacity Mounted on\n/dev/sda1 99999999999999999999 1 1 1% /\n",
	    &df, &cause), -1);
	ASSERT_STR_EQ(cause, "df: line 2: size \"99999999999999999999\" is "
	    "too large");
	free(cause);
	ASSERT_INT_EQ(parse_df("Filesystem 4096-blocks Used Available "
	    "Capacity Mounted on\n/dev/sda1 4611686018427387904 1 1 1% /\n",
	    &df, &cause), -1);
	ASSERT_STR_EQ(cause, "df: line 2: size \"4611686018427387904\" is too "
	    "large");
	free(cause);
	ASSERT_INT_EQ(parse_df("Filesystem 1024-blocks Used Available "
	    "Capacity Mounted on here\n", &df, &cause), -1);
	ASSERT_STR_EQ(cause, "df: line 1: expected the header \"Filesystem "
	    "... Mounted on\", got \"Filesystem 1024-blocks Used Available "
	    "Ca...\"");
	free(cause);
	ASSERT_INT_EQ(parse_df("\n\nFilesystem 0-blocks Used Available "
	    "Capacity Mounted on\n", &df, &cause), -1);
	ASSERT_STR_EQ(cause, "df: line 3: unknown size column \"0-blocks\"");
	free(cause);
	ASSERT_INT_EQ(parse_df("Filesystem 1024-blocks Used Available "
	    "Capacity Mounted on\n/dev/sda1 1 1 1 1%\n", &df, &cause), -1);
	ASSERT_STR_EQ(cause, "df: line 2: expected 6 fields, got 5");
	free(cause);
	ASSERT_INT_EQ(parse_df("Filesystem 1024-blocks Used Available "
	    "Capacity Mounted on\n/dev/sda1 1 -1 1 1% /\n", &df, &cause), -1);
	ASSERT_STR_EQ(cause, "df: line 2: used \"-1\" is not a number");
	free(cause);
}

static void
job_check(const struct parse_job *j, const char *name, const char *start,
    const char *end, const char *status, int exit_code, int depth)
{
	ASSERT_STR_EQ(j->name, name);
	ASSERT_STR_EQ(j->last_start, start);
	ASSERT_STR_EQ(j->last_end, end);
	ASSERT_STR_EQ(j->status, status);
	ASSERT_INT_EQ(j->exit_code, exit_code);
	ASSERT_INT_EQ(j->depth, depth);
}

static struct parse_jobs
jobs_ok(const char *file, size_t n)
{
	struct parse_jobs	 jobs;
	char			*text = fixture(file), *cause = NULL;

	if (parse_autorep(text, &jobs, &cause) != 0)
		TEST_FAIL("%s: %s", file, cause);
	free(text);
	ASSERT_INT_EQ(jobs.n, n);
	return jobs;
}

TEST(autorep_one)
{
	struct parse_jobs	 jobs;

	jobs = jobs_ok("autorep-j.txt", 1);
	job_check(&jobs.jobs[0], "EOD_LOAD", "11/21/2026 22:00:01",
	    "11/21/2026 22:14:37", "SU", 0, 0);
	parse_jobs_free(&jobs);

	/* The example in parse.h. */
	jobs = jobs_ok("autorep-narrow.txt", 3);
	job_check(&jobs.jobs[0], "EOD_LOAD", "11/21/2026 22:00:01",
	    "11/21/2026 22:14:37", "SU", 0, 0);
	job_check(&jobs.jobs[1], "EOD_REPORTS", "11/21/2026 22:15:00", "",
	    "RU", -1, 0);
	job_check(&jobs.jobs[2], "EOD_CHILD", "", "", "IN", -1, 1);
	parse_jobs_free(&jobs);

	jobs = jobs_ok("autorep-header-only.txt", 0);
	ASSERT_NULL(jobs.jobs);
	parse_jobs_free(&jobs);

	/* "Invalid Job Name" is autorep saying nothing matched. */
	jobs = jobs_ok("autorep-invalid-job.txt", 0);
	parse_jobs_free(&jobs);
}

TEST(autorep_box)
{
	struct parse_jobs	 jobs = jobs_ok("autorep-box.txt", 9);
	const struct parse_job	*j = jobs.jobs;

	job_check(&j[0], "EOD_BOX", "11/21/2026 22:00:00",
	    "11/21/2026 22:41:09", "FA", -1, 0);
	job_check(&j[1], "EOD_EXTRACT", "11/21/2026 22:00:01",
	    "11/21/2026 22:14:37", "SU", 0, 1);
	job_check(&j[2], "EOD_TRANSFORM_BOX", "11/21/2026 22:14:38",
	    "11/21/2026 22:41:09", "FA", -1, 1);
	job_check(&j[3], "EOD_TRANSFORM_FX", "11/21/2026 22:14:39",
	    "11/21/2026 22:20:02", "SU", 0, 2);
	job_check(&j[4], "EOD_TRANSFORM_EQ", "11/21/2026 22:14:39",
	    "11/21/2026 22:41:08", "FA", 1, 2);
	job_check(&j[5], "EOD_TRANSFORM_KILLED", "11/21/2026 22:14:39",
	    "11/21/2026 22:30:00", "TE", -656, 2);
	job_check(&j[6], "EOD_LOAD", "11/20/2026 22:15:00",
	    "11/20/2026 22:31:45", "IN", 0, 1);
	job_check(&j[7], "EOD_REPORTS", "", "", "OI", -1, 1);
	job_check(&j[8], "EOD_NOTIFY", "", "", "IN", -1, 1);
	parse_jobs_free(&jobs);
	ASSERT_NULL(jobs.jobs);
	ASSERT_INT_EQ(jobs.n, 0);
}

TEST(autorep_states_and_crlf)
{
	struct parse_jobs	 jobs = jobs_ok("autorep-states.txt", 5);
	const struct parse_job	*j = jobs.jobs;

	job_check(&j[0], "FEED_INTRADAY", "11/22/2026 07:00:01", "", "RU", -1,
	    0);
	job_check(&j[1], "FEED_WAIT_FILE", "11/22/2026 06:00:00", "", "AC",
	    -1, 0);
	job_check(&j[2], "FEED_HELD", "11/21/2026 07:00:01",
	    "11/21/2026 07:02:11", "OH", 0, 0);
	job_check(&j[3], "FEED_PENDING", "11/22/2026 07:05:00", "", "PE", -1,
	    0);
	job_check(&j[4], "FEED_QUEUED", "", "", "QU", 1, 0);
	parse_jobs_free(&jobs);

	jobs = jobs_ok("autorep-crlf.txt", 2);
	job_check(&jobs.jobs[0], "WIN_BACKUP", "11/21/2026 23:00:00",
	    "11/21/2026 23:40:12", "SU", 0, 0);
	job_check(&jobs.jobs[1], "WIN_BACKUP_VERIFY", "", "", "IN", -1, 1);
	parse_jobs_free(&jobs);
}

TEST(autorep_rows)
{
	struct parse_jobs	 jobs;
	char			*cause = NULL;

	/* Informational CAUAJM lines are skipped, errors are not. */
	ASSERT_INT_EQ(parse_autorep("CAUAJM_I_50000 Note\nJOB ----- ----- "
	    "SU 1/1 0\n", &jobs, &cause), 0);
	ASSERT_INT_EQ(jobs.n, 1);
	parse_jobs_free(&jobs);
	ASSERT_INT_EQ(parse_autorep("Job Name Last Start\n__ __\n"
	    "CAUAJM_E_10655 Lost connection\n", &jobs, &cause), -1);
	ASSERT_STR_EQ(cause, "autorep: line 3: CAUAJM_E_10655 Lost "
	    "connection");
	free(cause);
	ASSERT_INT_EQ(parse_autorep("JOB ----- -----\n", &jobs, &cause), -1);
	ASSERT_STR_EQ(cause, "autorep: line 1: expected job name, last "
	    "start, last end and status, got \"JOB ----- -----\"");
	free(cause);
	ASSERT_INT_EQ(parse_autorep("JOB ----- ----- su\n", &jobs, &cause),
	    -1);
	ASSERT_STR_EQ(cause, "autorep: line 1: expected a status code, got "
	    "\"su\"");
	free(cause);
	ASSERT_INT_EQ(parse_autorep("JOB 11/21/2026 22:00:01 ----- 12/01/2026 "
	    "\n", &jobs, &cause), -1);
	ASSERT_STR_EQ(cause, "autorep: line 1: expected a status code, got "
	    "\"12/01/2026\"");
	free(cause);
	ASSERT_INT_EQ(parse_autorep("JOB ----- 11/31/2026 25:00:00 SU\n",
	    &jobs, &cause), -1);
	ASSERT_STR_EQ(cause, "autorep: line 1: last end: expected "
	    "\"MM/DD/YYYY HH:MM:SS\" or \"-----\", got "
	    "\"11/31/2026 25:00:00\"");
	free(cause);
	ASSERT_INT_EQ(parse_autorep("JOB ----- ----- SU 12 0\n", &jobs,
	    &cause), -1);
	ASSERT_STR_EQ(cause, "autorep: line 1: run: expected \"RUN/NTRY\", "
	    "got \"12\"");
	free(cause);
	ASSERT_INT_EQ(parse_autorep("JOB ----- ----- SU 12/1 x\n", &jobs,
	    &cause), -1);
	ASSERT_STR_EQ(cause, "autorep: line 1: exit code \"x\" is not a "
	    "number");
	free(cause);
}

TEST(job_status_names)
{
	static const struct {
		const char	*code, *name;
		int		 failed;
	} t[] = {
		{ "SU", "success", 0 },
		{ "FA", "failure", 1 },
		{ "TE", "terminated", 1 },
		{ "RU", "running", 0 },
		{ "ST", "starting", 0 },
		{ "AC", "activated", 0 },
		{ "IN", "inactive", 0 },
		{ "OI", "on ice", 0 },
		{ "OH", "on hold", 0 },
		{ "QU", "queue wait", 0 },
		{ "RE", "restart", 0 },
		{ "PE", "pending machine", 0 },
		{ "RW", "resource wait", 0 },
		{ "WA", "wait reply", 0 },
		{ "RD", "refresh dependencies", 0 },
		{ "RF", "refresh filewatcher", 0 },
		{ "NE", "on no-exec", 0 },
		{ "SP", "suspended", 0 },
		{ "XX", "unknown", 0 },
		{ "su", "unknown", 0 },
		{ "FAX", "unknown", 0 },
		{ "", "unknown", 0 },
	};
	size_t	 i;

	for (i = 0; i < sizeof t / sizeof *t; i++) {
		ASSERT_STR_EQ(parse_job_status_name(t[i].code), t[i].name);
		ASSERT_INT_EQ(parse_job_failed(t[i].code), t[i].failed);
	}
	ASSERT_STR_EQ(parse_job_status_name(NULL), "unknown");
	ASSERT_INT_EQ(parse_job_failed(NULL), 0);
}

TEST(systemctl)
{
	/* systemctl is-active, one line per unit asked about. */
	static const enum parse_svc	 expect[] = {
		PARSE_SVC_ACTIVE, PARSE_SVC_ACTIVE, PARSE_SVC_FAILED,
		PARSE_SVC_ACTIVATING, PARSE_SVC_INACTIVE,
		PARSE_SVC_ACTIVATING, PARSE_SVC_ACTIVATING, PARSE_SVC_UNKNOWN,
	};
	char	*text = fixture("systemctl-is-active.txt"), *line, *save;
	size_t	 i = 0;

	for (line = strtok_r(text, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		ASSERT(i < sizeof expect / sizeof *expect);
		ASSERT_INT_EQ(parse_systemctl_active(line), expect[i]);
		i++;
	}
	ASSERT_INT_EQ(i, sizeof expect / sizeof *expect);
	free(text);

	ASSERT_INT_EQ(parse_systemctl_active(" active\r\n"), PARSE_SVC_ACTIVE);
	ASSERT_INT_EQ(parse_systemctl_active("Active"), PARSE_SVC_UNKNOWN);
	ASSERT_INT_EQ(parse_systemctl_active("active extra"),
	    PARSE_SVC_UNKNOWN);
	ASSERT_INT_EQ(parse_systemctl_active("activ"), PARSE_SVC_UNKNOWN);
	ASSERT_INT_EQ(parse_systemctl_active(""), PARSE_SVC_UNKNOWN);
	ASSERT_INT_EQ(parse_systemctl_active(NULL), PARSE_SVC_UNKNOWN);

	ASSERT_STR_EQ(parse_svc_name(PARSE_SVC_ACTIVE), "active");
	ASSERT_STR_EQ(parse_svc_name(PARSE_SVC_INACTIVE), "inactive");
	ASSERT_STR_EQ(parse_svc_name(PARSE_SVC_FAILED), "failed");
	ASSERT_STR_EQ(parse_svc_name(PARSE_SVC_ACTIVATING), "activating");
	ASSERT_STR_EQ(parse_svc_name(PARSE_SVC_UNKNOWN), "unknown");
	ASSERT_STR_EQ(parse_svc_name((enum parse_svc)5), "unknown");
}

static void
ps_check(const struct parse_ps_row *r, int pid, const char *user,
    double cpu, double mem, int64_t rss, const char *etime,
    const char *command)
{
	ASSERT_INT_EQ(r->pid, pid);
	ASSERT_STR_EQ(r->user, user);
	ASSERT_DBL_EQ(r->cpu, cpu);
	ASSERT_DBL_EQ(r->mem, mem);
	ASSERT_INT_EQ(r->rss_kb, rss);
	ASSERT_STR_EQ(r->etime, etime);
	ASSERT_STR_EQ(r->command, command);
}

TEST(ps)
{
	struct parse_ps	 ps;
	char		*text = fixture("ps.txt"), *cause = NULL;

	if (parse_ps(text, &ps, &cause) != 0)
		TEST_FAIL("%s", cause);
	free(text);
	ASSERT_INT_EQ(ps.n, 14);
	ps_check(&ps.rows[0], 1, "root", 0, 0.1, 12544, "41-03:12:09",
	    "systemd");
	ps_check(&ps.rows[3], 401, "systemd+", 0, 0, 7012, "41-03:12:04",
	    "systemd-timesyn");
	ps_check(&ps.rows[5], 702, "postgres", 0.1, 1.3, 215400,
	    "41-03:11:57", "postgres");
	ps_check(&ps.rows[8], 22310, "opsbot", 0.4, 0.2, 35620, "3-02:01:17",
	    "opsbot");
	ps_check(&ps.rows[9], 48211, "alice", 0, 0, 5380, "02:13:40", "bash");
	ps_check(&ps.rows[10], 48377, "alice", 101, 3.1, 508812, "01:02:03",
	    "Web Content");
	ps_check(&ps.rows[11], 51002, "root", 0, 0, 0, "00:07",
	    "kworker/u8:2-events_unbound");
	ps_check(&ps.rows[12], 51113, "alice", 0, 0, 0, "00:41",
	    "sleep <defunct>");
	ps_check(&ps.rows[13], 51120, "root", 0, 0, 4312, "00:00", "ps");
	parse_ps_free(&ps);
	ASSERT_NULL(ps.rows);

	/* Cut to 63 bytes, before the 'é' that would straddle the end. */
	text = fixture("ps-long-command.txt");
	ASSERT_INT_EQ(parse_ps(text, &ps, &cause), 0);
	free(text);
	ASSERT_INT_EQ(ps.n, 1);
	ASSERT_INT_EQ(strlen(ps.rows[0].command), 62);
	ASSERT_INT_EQ(strspn(ps.rows[0].command, "x"), 62);
	parse_ps_free(&ps);

	/* Not UTF-8: cut at 63 bytes all the same. */
	text = repeat("PID USER %CPU %MEM RSS ELAPSED COMMAND\n"
	    "1 root 0.0 0.0 1 00:01 ", "\xbf", 200);
	ASSERT_INT_EQ(parse_ps(text, &ps, &cause), 0);
	free(text);
	ASSERT_INT_EQ(strlen(ps.rows[0].command), 63);
	parse_ps_free(&ps);

	/* Header only: no processes, but not an error. */
	ASSERT_INT_EQ(parse_ps("PID USER %CPU %MEM RSS ELAPSED COMM\n", &ps,
	    &cause), 0);
	ASSERT_INT_EQ(ps.n, 0);
	parse_ps_free(&ps);

	ASSERT_INT_EQ(parse_ps("PID USER %CPU %MEM RSS ELAPSED COMMAND\n"
	    "1 root 0.0 0.0 1 60:00 init\n", &ps, &cause), -1);
	ASSERT_STR_EQ(cause, "ps: line 2: elapsed time \"60:00\" is not "
	    "[[DD-]hh:]mm:ss");
	free(cause);
	ASSERT_INT_EQ(parse_ps("PID USER %CPU %MEM RSS ELAPSED COMMAND\n"
	    "1 root 0.0 x 1 00:00 init\n", &ps, &cause), -1);
	ASSERT_STR_EQ(cause, "ps: line 2: %mem \"x\" is not a number");
	free(cause);
	ASSERT_INT_EQ(parse_ps("PID USER %CPU %MEM RSS ELAPSED COMMAND\n"
	    "1 root 0.0 0.0 1k 00:00 init\n", &ps, &cause), -1);
	ASSERT_STR_EQ(cause, "ps: line 2: rss \"1k\" is not a number");
	free(cause);
	ASSERT_INT_EQ(parse_ps("PID USER %CPU %MEM RSS ELAPSED COMMAND\n"
	    "1 root 0.0 0.0 1 1-00:00 init\n", &ps, &cause), -1);
	ASSERT_STR_EQ(cause, "ps: line 2: elapsed time \"1-00:00\" is not "
	    "[[DD-]hh:]mm:ss");
	free(cause);
}

TEST(log_time)
{
	static const struct {
		const char	*line;
		int64_t		 now;
		int		 tz;
		int		 rc;
		int64_t		 when;
	} t[] = {
		/* 2026-11-22T07:00:01Z is 1795330801. */
		{ "2026-11-22T07:00:01.123Z level=info", 0, 3600, 0,
		  1795330801 },
		{ "2026-11-22t07:00:01z", 0, 0, 0, 1795330801 },
		{ "2026-11-22 07:00:01,123 INFO app: started", 0, 3600, 0,
		  1795330801 - 3600 },
		{ "2026-11-22 07:00:01 started", 0, -18000, 0,
		  1795330801 + 18000 },
		{ "2026-11-22T07:00:01+01:00 x", 0, 0, 0, 1795330801 - 3600 },
		{ "2026-11-22T07:00:01+0530 x", 0, 0, 0, 1795311001 },
		{ "2026-11-22T07:00:01.5-05:00", 0, 0, 0, 1795348801 },
		{ "2026-11-22T07:00:01+01", 0, 0, 0, 1795330801 - 3600 },
		{ "[2026-11-22 07:00:01] ERROR x", 0, 0, 0, 1795330801 },
		{ "  2026-11-22T07:00:01Z", 0, 0, 0, 1795330801 },
		{ "2026-11-22 07:00:01.123 UTC [1234] LOG:  checkpoint", 0,
		  3600, 0, 1795330801 },
		{ "2026-11-22 07:00:01 CET [1234] LOG:", 0, 3600, 0,
		  1795330801 - 3600 },
		{ "2000-02-29T00:00:00Z", 0, 0, 0, 951782400 },
		{ "1969-12-31T23:59:59Z", 0, 0, 0, -1 },

		/* logfmt, anywhere in the line, maybe quoted. */
		{ "ts=2026-11-22T00:00:00.123Z level=info comp=store msg=x",
		  0, 3600, 0, 1795305600 },
		{ "level=warn time=\"2026-11-22 07:00:01\" msg=\"x\"", 0,
		  7200, 0, 1795330801 - 7200 },
		{ "level=warn ts=bad ts=2026-11-22T07:00:01Z", 0, 0, 0,
		  1795330801 },
		{ "level=warn runtime=2026-11-22T07:00:01Z", 0, 0, -1, 0 },
		{ "level=warn ts=", 0, 0, -1, 0 },

		/* syslog: now is 2026-11-22T12:00:00Z. */
		{ "Nov 22 07:00:01 web1 sshd[812]: Accepted publickey",
		  1795348800, 0, 0, 1795330801 },
		{ "Nov 22 07:00:01 web1 cron", 1795348800, 3600, 0,
		  1795330801 - 3600 },
		{ "nov 22 07:00:01 web1", 1795348800, 0, 0, 1795330801 },
		{ "Nov  2 07:00:01 web1", 1795348800, 0, 0, 1793602801 },
		{ "Nov 2 07:00:01 web1", 1795348800, 0, 0, 1793602801 },
		{ "[Nov 22 07:00:01] web1", 1795348800, 0, 0, 1795330801 },
		/* Up to a day ahead is clock skew; more is last year. */
		{ "Nov 23 07:00:01 web1", 1795348800, 0, 0,
		  1795330801 + 86400 },
		{ "Nov 24 07:00:01 web1", 1795348800, 0, 0, 1763967601 },
		/* Read on 2027-01-01T00:00:30Z: last year's Dec 31. */
		{ "Dec 31 23:59:59 web1", 1798761630, 0, 0, 1798761599 },
		/* Feb 29 read in 2025 is 2024's; in 2026 it cannot be. */
		{ "Feb 29 12:00:00 web1", 1736467200, 0, 0, 1709208000 },
		{ "Feb 29 12:00:00 web1", 1772323200, 0, -1, 0 },

		/* No time. */
		{ "", 0, 0, -1, 0 },
		{ "hello world", 0, 0, -1, 0 },
		{ "2026-13-01T00:00:00Z", 0, 0, -1, 0 },
		{ "2026-02-30 00:00:00", 0, 0, -1, 0 },
		{ "2026-11-22T24:00:00Z", 0, 0, -1, 0 },
		{ "2026-11-22T07:00:011", 0, 0, -1, 0 },
		{ "2026-11-22T07:00", 0, 0, -1, 0 },
		{ "2026-11-22", 0, 0, -1, 0 },
		{ "2026-11-22T07:00:01+01:000", 0, 0, -1, 0 },
		{ "Foo 22 07:00:01 web1", 1795348800, 0, -1, 0 },
		{ "Nov 32 07:00:01 web1", 1795348800, 0, -1, 0 },
		{ "Nov 22 7:00:01 web1", 1795348800, 0, -1, 0 },
		{ "Nov 22 07:00:01 web1", INT64_MAX, 0, -1, 0 },
	};
	int64_t	 when;
	size_t	 i;
	int	 rc;

	for (i = 0; i < sizeof t / sizeof *t; i++) {
		when = 42;
		rc = parse_log_time(t[i].line, t[i].now, t[i].tz, &when);
		if (rc != t[i].rc || when != t[i].when) {
			TEST_FAIL("\"%s\": got %d %lld, expected %d %lld",
			    t[i].line, rc, (long long)when, t[i].rc,
			    (long long)t[i].when);
		}
	}
	ASSERT_INT_EQ(parse_log_time(NULL, 0, 0, &when), -1);
}

static const struct test tests[] = {
	TEST_ENTRY(bad_fixtures),
	TEST_ENTRY(junk),
	TEST_ENTRY(long_lines),
	TEST_ENTRY(loadavg),
	TEST_ENTRY(proc_uptime),
	TEST_ENTRY(uptime_cmd),
	TEST_ENTRY(meminfo),
	TEST_ENTRY(df_blocks),
	TEST_ENTRY(df_inodes),
	TEST_ENTRY(df_spaces),
	TEST_ENTRY(df_512_blocks),
	TEST_ENTRY(df_header_only_and_find),
	TEST_ENTRY(autorep_one),
	TEST_ENTRY(autorep_box),
	TEST_ENTRY(autorep_states_and_crlf),
	TEST_ENTRY(autorep_rows),
	TEST_ENTRY(job_status_names),
	TEST_ENTRY(systemctl),
	TEST_ENTRY(ps),
	TEST_ENTRY(log_time),
	TEST_END
};

int
main(int argc, char **argv)
{
	return test_run(tests, argc, argv);
}

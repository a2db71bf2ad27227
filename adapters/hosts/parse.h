/*
 * Parsers of remote command output: pure functions from text to structs,
 * no I/O, so each is tested on captured real outputs (tests/fixtures/
 * remote/) including malformed and truncated ones, and fuzzed. Every
 * parser returns 0, or -1 and sets *cause (caller frees) saying what it
 * could not read, e.g. "df: line 3: expected 6 fields, got 4".
 */
#ifndef OPSBOT_PARSE_H
#define OPSBOT_PARSE_H

#include <stddef.h>
#include <stdint.h>

/* /proc/loadavg: "0.52 0.58 0.59 1/467 12345". */
struct parse_loadavg {
	double	 l1, l5, l15;
};
int	 parse_loadavg(const char *text, struct parse_loadavg *, char **cause);

/* /proc/uptime: "350735.47 234388.90" -> seconds up. */
int	 parse_proc_uptime(const char *text, double *secs, char **cause);

/*
 * The uptime(1) line: " 10:22:01 up 3 days,  2:03,  1 user,  load
 * average: 0.00, 0.01, 0.05" (also "up 5 min", "up 1 day, 20 min",
 * "N users", no users part). Fills secs (minute precision) and loads.
 */
int	 parse_uptime_cmd(const char *text, double *secs,
	    struct parse_loadavg *, char **cause);

/* /proc/meminfo, in KiB. available falls back to free+buffers+cached. */
struct parse_meminfo {
	int64_t	 total_kb;
	int64_t	 available_kb;
	int64_t	 swap_total_kb;
	int64_t	 swap_free_kb;
};
int	 parse_meminfo(const char *text, struct parse_meminfo *, char **cause);

/*
 * df -P (blocks in 1024-byte units) or df -P -i (inodes): a header line,
 * then "FS SIZE USED AVAIL CAPACITY% MOUNT". A row is read around its
 * first "N%" field preceded by three numbers, so spaces in the filesystem
 * name or the mount point are fine. "-" numbers (some inode columns) read
 * as -1.
 */
struct parse_df_row {
	char	*fs;		/* owned */
	char	*mount;		/* owned */
	int64_t	 size;		/* KiB, or inodes */
	int64_t	 used;
	int64_t	 avail;
	int	 pct;		/* 0-100, or -1 for "-" */
};
struct parse_df {
	struct parse_df_row	*rows;
	size_t			 n;
};
int	 parse_df(const char *text, struct parse_df *, char **cause);
void	 parse_df_free(struct parse_df *);
/* The row whose mount equals mount, or NULL. */
const struct parse_df_row *parse_df_find(const struct parse_df *,
	    const char *mount);

/* systemctl is-active: one word per unit. */
enum parse_svc {
	PARSE_SVC_ACTIVE,
	PARSE_SVC_INACTIVE,
	PARSE_SVC_FAILED,
	PARSE_SVC_ACTIVATING,	/* activating, reloading, deactivating */
	PARSE_SVC_UNKNOWN,	/* "unknown" or anything else */
};
enum parse_svc parse_systemctl_active(const char *word);
const char *parse_svc_name(enum parse_svc);

/*
 * autorep -j NAME (or -J, or a pattern) listing:
 *
 * Job Name                Last Start           Last End             ST Run/Ntry Pri/Xit
 * ____________________   ____________________ ____________________ __ ________ _______
 * EOD_LOAD               11/21/2026 22:00:01  11/21/2026 22:14:37  SU 12345/1  0
 * EOD_REPORTS            11/21/2026 22:15:00  -----                RU 12346/1
 *  EOD_CHILD             -----                -----                IN 0/0
 *
 * Box children are indented. "-----" means never. Blank lines and the
 * banner/underline lines are skipped.
 */
struct parse_job {
	char	 name[65];
	char	 last_start[20];	/* "MM/DD/YYYY HH:MM:SS" or "" */
	char	 last_end[20];
	char	 status[3];		/* SU FA TE RU ST AC IN OI OH ... */
	int	 exit_code;		/* -1 when not shown */
	int	 depth;			/* 0 top level, 1 box child, ... */
};
struct parse_jobs {
	struct parse_job	*jobs;
	size_t			 n;
};
int	 parse_autorep(const char *text, struct parse_jobs *, char **cause);
void	 parse_jobs_free(struct parse_jobs *);
/* "SU" -> "success", "FA" -> "failure", ...; unknown codes: "unknown". */
const char *parse_job_status_name(const char *code);
/* Is the status a failure (FA, TE)? */
int	 parse_job_failed(const char *code);

/*
 * ps -eo pid,user,pcpu,pmem,rss,etime,comm (header, then rows); comm
 * may contain spaces (it is the last column).
 */
struct parse_ps_row {
	int	 pid;
	char	 user[33];
	double	 cpu;		/* % */
	double	 mem;		/* % */
	int64_t	 rss_kb;
	char	 etime[24];
	char	 command[64];	/* cut to fit */
};
struct parse_ps {
	struct parse_ps_row	*rows;
	size_t			 n;
};
int	 parse_ps(const char *text, struct parse_ps *, char **cause);
void	 parse_ps_free(struct parse_ps *);

/*
 * The time at the start of a log line, as seconds since the epoch:
 * ISO 8601 ("2026-11-22T07:00:01.123Z", "2026-11-22 07:00:01,123",
 * with an optional offset), logfmt "ts=..." anywhere in the line, and
 * syslog ("Nov 22 07:00:01", year taken from now). Times without an
 * offset are in the host's zone, given as tz_offset_s east of UTC.
 * Returns 0, or -1 when the line has no time it can read.
 */
int	 parse_log_time(const char *line, int64_t now, int tz_offset_s,
	    int64_t *when);

#endif

/*
 * libFuzzer target for the parsers of remote command output
 * (adapters/hosts/parse_*.c): the bytes are what a host sent back. Every
 * parser runs on the same NUL-terminated copy; what each returns must be
 * consistent (a cause exactly when it fails, empty outputs on failure,
 * strings terminated, values in range), and everything is freed.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* How many lines are tried as log lines and systemctl words. */
#define FUZZ_LINES_MAX	64

static void
fuzz_result(int rc, char *cause)
{
	if (rc == 0 ? cause != NULL : rc != -1 || cause == NULL)
		abort();
	if (cause != NULL && strlen(cause) == 0)
		abort();
	free(cause);
}

static void
fuzz_loads(const char *text)
{
	struct parse_loadavg	 la;
	double			 secs;
	char			*cause = NULL;
	int			 rc;

	rc = parse_loadavg(text, &la, &cause);
	if (rc != 0 && (la.l1 != 0 || la.l5 != 0 || la.l15 != 0))
		abort();
	if (la.l1 < 0 || la.l5 < 0 || la.l15 < 0)
		abort();
	fuzz_result(rc, cause);

	cause = NULL;
	rc = parse_proc_uptime(text, &secs, &cause);
	if ((rc != 0 && secs != 0) || secs < 0)
		abort();
	fuzz_result(rc, cause);

	cause = NULL;
	rc = parse_uptime_cmd(text, &secs, &la, &cause);
	if (rc != 0 && (secs != 0 || la.l1 != 0 || la.l5 != 0 ||
	    la.l15 != 0))
		abort();
	if (secs < 0 || la.l1 < 0 || la.l5 < 0 || la.l15 < 0)
		abort();
	fuzz_result(rc, cause);
}

static void
fuzz_meminfo(const char *text)
{
	struct parse_meminfo	 mi;
	char			*cause = NULL;
	int			 rc;

	rc = parse_meminfo(text, &mi, &cause);
	if (rc != 0 && (mi.total_kb != 0 || mi.available_kb != 0 ||
	    mi.swap_total_kb != 0 || mi.swap_free_kb != 0))
		abort();
	if (mi.total_kb < 0 || mi.available_kb < 0 || mi.swap_total_kb < 0 ||
	    mi.swap_free_kb < 0)
		abort();
	fuzz_result(rc, cause);
}

static void
fuzz_df(const char *text)
{
	struct parse_df			 df;
	const struct parse_df_row	*r;
	char				*cause = NULL;
	size_t				 i;
	int				 rc;

	rc = parse_df(text, &df, &cause);
	if (rc != 0 && (df.rows != NULL || df.n != 0))
		abort();
	for (i = 0; i < df.n; i++) {
		r = &df.rows[i];
		if (r->fs == NULL || r->mount == NULL || *r->fs == '\0' ||
		    *r->mount == '\0')
			abort();
		if (r->size < -1 || r->used < -1 || r->avail < -1 ||
		    r->pct < -1 || r->pct > 100)
			abort();
		if (parse_df_find(&df, r->mount) == NULL)
			abort();
	}
	(void)parse_df_find(&df, "/");
	parse_df_free(&df);
	if (df.rows != NULL || df.n != 0)
		abort();
	fuzz_result(rc, cause);
}

static void
fuzz_autorep(const char *text)
{
	struct parse_jobs	 jobs;
	const struct parse_job	*j;
	char			*cause = NULL;
	size_t			 i;
	int			 rc;

	rc = parse_autorep(text, &jobs, &cause);
	if (rc != 0 && (jobs.jobs != NULL || jobs.n != 0))
		abort();
	for (i = 0; i < jobs.n; i++) {
		j = &jobs.jobs[i];
		if (memchr(j->name, '\0', sizeof j->name) == NULL ||
		    j->name[0] == '\0' || j->depth < 0)
			abort();
		if (strnlen(j->last_start, sizeof j->last_start) % 19 != 0 ||
		    strnlen(j->last_end, sizeof j->last_end) % 19 != 0)
			abort();
		if (strnlen(j->status, sizeof j->status) != 2)
			abort();
		(void)parse_job_status_name(j->status);
		(void)parse_job_failed(j->status);
	}
	parse_jobs_free(&jobs);
	fuzz_result(rc, cause);
}

static void
fuzz_ps(const char *text)
{
	struct parse_ps			 ps;
	const struct parse_ps_row	*r;
	char				*cause = NULL;
	size_t				 i;
	int				 rc;

	rc = parse_ps(text, &ps, &cause);
	if (rc != 0 && (ps.rows != NULL || ps.n != 0))
		abort();
	for (i = 0; i < ps.n; i++) {
		r = &ps.rows[i];
		if (memchr(r->user, '\0', sizeof r->user) == NULL ||
		    memchr(r->etime, '\0', sizeof r->etime) == NULL ||
		    memchr(r->command, '\0', sizeof r->command) == NULL)
			abort();
		if (r->pid < 0 || r->cpu < 0 || r->mem < 0 || r->rss_kb < 0 ||
		    r->command[0] == '\0')
			abort();
	}
	parse_ps_free(&ps);
	fuzz_result(rc, cause);
}

/* Each line as a log line (now and zone from the input) and a word. */
static void
fuzz_lines(char *text, const uint8_t *data, size_t size)
{
	static const int64_t	 nows[] = {
		0, 1795348800, 1798761630, -62135596800LL, 253402300799LL,
		INT64_MIN, INT64_MAX
	};
	int64_t			 when, now = 0;
	int			 tz = 0, n;
	size_t			 i;
	char			*line, *nl;

	for (i = 0; i < size && i < 8; i++)
		now = (int64_t)((uint64_t)now << 8 | data[i]);
	for (i = 8; i < size && i < 12; i++)
		tz = (int)((unsigned)tz << 8 | data[i]);

	for (line = text, n = 0; line != NULL && n < FUZZ_LINES_MAX; n++) {
		if ((nl = strchr(line, '\n')) != NULL)
			*nl = '\0';
		for (i = 0; i < sizeof nows / sizeof *nows; i++) {
			if (parse_log_time(line, nows[i], 3600, &when) != 0 &&
			    when != 0)
				abort();
		}
		/* Any now and zone, even absurd ones, must not overflow. */
		(void)parse_log_time(line, now, tz, &when);
		(void)parse_log_time(line, now, -50400, &when);
		if (parse_systemctl_active(line) > PARSE_SVC_UNKNOWN)
			abort();
		(void)parse_svc_name(parse_systemctl_active(line));
		(void)parse_job_status_name(line);
		(void)parse_job_failed(line);
		line = nl == NULL ? NULL : nl + 1;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*text;

	if ((text = malloc(size + 1)) == NULL)
		return 0;
	if (size > 0)
		memcpy(text, data, size);
	text[size] = '\0';

	fuzz_loads(text);
	fuzz_meminfo(text);
	fuzz_df(text);
	fuzz_autorep(text);
	fuzz_ps(text);
	fuzz_lines(text, data, size);	/* last: it cuts text into lines */

	free(text);
	return 0;
}

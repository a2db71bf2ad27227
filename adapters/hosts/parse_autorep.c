/* AutoSys autorep -J output: jobs, their status and last run. */

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "parse_int.h"
#include "xmalloc.h"

/* Deepest autorep box nesting accepted. */
#define PARSE_AUTOREP_DEPTH	64

/* "MM/DD/YYYY" then "HH:MM:SS" as two fields. */
static int
autorep_date(const struct span *date, const struct span *time)
{
	const char	*d = date->p, *t = time->p;
	int		 i;

	if (date->len != 10 || time->len != 8 || d[2] != '/' || d[5] != '/' ||
	    t[2] != ':' || t[5] != ':')
		return -1;
	for (i = 6; i < 10; i++) {
		if (!parse_is_digit((unsigned char)d[i]))
			return -1;
	}
	if (parse_two_digits(d, 12) < 1 || parse_two_digits(d + 3, 31) < 1 ||
	    parse_two_digits(t, 23) < 0 || parse_two_digits(t + 3, 59) < 0 ||
	    parse_two_digits(t + 6, 60) < 0)
		return -1;
	return 0;
}

/* "-----" or a date and time from f[*i]; fills out[20]. */
static int
autorep_when(const struct span *f, size_t n, size_t *i, char *out)
{
	if (*i < n && parse_span_eq(&f[*i], "-----")) {
		out[0] = '\0';
		(*i)++;
		return 0;
	}
	if (*i + 1 >= n || autorep_date(&f[*i], &f[*i + 1]) != 0)
		return -1;
	memcpy(out, f[*i].p, 10);
	out[10] = ' ';
	memcpy(out + 11, f[*i + 1].p, 8);
	out[19] = '\0';
	*i += 2;
	return 0;
}

/* "12345/1": run number and try. */
static int
autorep_run(const struct span *f)
{
	const char	*slash = memchr(f->p, '/', f->len);
	struct span	 a, b;
	int64_t		 v;

	if (slash == NULL)
		return -1;
	a.p = f->p;
	a.len = (size_t)(slash - f->p);
	b.p = slash + 1;
	b.len = f->len - a.len - 1;
	if (parse_span_int64(&a, INT64_MAX, &v) != NULL ||
	    parse_span_int64(&b, INT64_MAX, &v) != NULL)
		return -1;
	return 0;
}

/* What stood where a date was expected: up to two fields. */
static const char *
autorep_got(struct excerpt *ex, const struct span *f, size_t n, size_t i)
{
	if (i >= n)
		return "";
	if (i + 1 == n)
		return parse_span_excerpt(ex, &f[i]);
	return parse_excerpt(ex, f[i].p,
	    (size_t)(f[i + 1].p + f[i + 1].len - f[i].p));
}

static int
autorep_row(const struct span *line, size_t no, struct span **fp,
    size_t *cap, struct parse_job *job, char **cause)
{
	struct excerpt	 ex;
	struct span	*f;
	const char	*why;
	size_t		 n, i, depth = 0;

	memset(job, 0, sizeof *job);
	while (depth < line->len && line->p[depth] == ' ')
		depth++;
	if (depth > PARSE_AUTOREP_DEPTH) {
		return parse_fail(cause, "autorep: line %zu: indented more "
		    "than %d levels", no, PARSE_AUTOREP_DEPTH);
	}
	n = parse_fields_split(line->p, line->p + line->len, fp, cap);
	f = *fp;
	if (n < 4) {
		return parse_fail(cause, "autorep: line %zu: expected job "
		    "name, last start, last end and status, got \"%s\"", no,
		    parse_span_excerpt(&ex, line));
	}
	if (f[0].len >= sizeof job->name) {
		return parse_fail(cause, "autorep: line %zu: job name \"%s\" "
		    "is longer than %zu characters", no, parse_span_excerpt(&ex,
		    &f[0]), sizeof job->name - 1);
	}
	memcpy(job->name, f[0].p, f[0].len);
	job->depth = (int)depth;
	i = 1;
	if (autorep_when(f, n, &i, job->last_start) != 0) {
		return parse_fail(cause, "autorep: line %zu: last start: "
		    "expected \"MM/DD/YYYY HH:MM:SS\" or \"-----\", got \"%s\"",
		    no, autorep_got(&ex, f, n, i));
	}
	if (autorep_when(f, n, &i, job->last_end) != 0) {
		return parse_fail(cause, "autorep: line %zu: last end: "
		    "expected \"MM/DD/YYYY HH:MM:SS\" or \"-----\", got \"%s\"",
		    no, autorep_got(&ex, f, n, i));
	}
	if (i == n || f[i].len != 2 ||
	    !parse_is_upper((unsigned char)f[i].p[0]) ||
	    !parse_is_upper((unsigned char)f[i].p[1])) {
		return parse_fail(cause, "autorep: line %zu: expected a status "
		    "code, got \"%s\"", no, i < n ? parse_span_excerpt(&ex,
		    &f[i]) : "");
	}
	memcpy(job->status, f[i].p, 2);
	job->exit_code = -1;
	if (++i == n)
		return 0;
	if (autorep_run(&f[i]) != 0) {
		return parse_fail(cause, "autorep: line %zu: run: expected "
		    "\"RUN/NTRY\", got \"%s\"", no, parse_span_excerpt(&ex,
		    &f[i]));
	}
	if (++i == n)
		return 0;
	if ((why = parse_span_int(&f[i], &job->exit_code)) != NULL) {
		return parse_fail(cause, "autorep: line %zu: exit code \"%s\" "
		    "%s", no, parse_span_excerpt(&ex, &f[i]), why);
	}
	if (++i != n) {
		return parse_fail(cause, "autorep: line %zu: unexpected \"%s\" "
		    "after the exit code", no, parse_span_excerpt(&ex, &f[i]));
	}
	return 0;
}

/* A line of only '_' and blanks (at least one '_'). */
static int
autorep_underline(const struct span *line)
{
	size_t	 i;
	int	 any = 0;

	for (i = 0; i < line->len; i++) {
		if (line->p[i] == '_')
			any = 1;
		else if (!parse_is_blank((unsigned char)line->p[i]))
			return 0;
	}
	return any;
}

int
parse_autorep(const char *text, struct parse_jobs *jobs, char **cause)
{
	struct lines		 it;
	struct span		 line, *f = NULL, first;
	struct excerpt		 ex;
	struct parse_job	 job;
	const char		*p;
	size_t			 cap = 0, alloc = 0;
	int			 header = 0;

	jobs->jobs = NULL;
	jobs->n = 0;
	parse_lines_init(&it, text);
	while (parse_lines_next(&it, &line)) {
		p = line.p;
		if (!parse_field_next(&p, line.p + line.len, &first))
			continue;
		if (first.p == line.p && parse_span_eq(&first, "Job") &&
		    parse_at_word(&p, line.p + line.len, "Name")) {
			header = 1;
			continue;
		}
		if (autorep_underline(&line))
			continue;
		/*
		 * autorep's messages: CAUAJM_I_ and _W_ are skipped; of the
		 * errors, "CAUAJM_E_50111 Invalid Job Name: X" is how it says
		 * nothing matched (an empty listing), the rest are failures.
		 */
		if (first.len > 9 && memcmp(first.p, "CAUAJM_", 7) == 0) {
			if (parse_span_eq(&first, "CAUAJM_E_50111")) {
				header = 1;
				continue;
			}
			if (first.p[7] != 'E')
				continue;
			parse_fail(cause, "autorep: line %zu: %s", it.no,
			    parse_excerpt_max(&ex, first.p,
			    (size_t)(line.p + line.len - first.p),
			    EXCERPT_LONG));
			goto fail;
		}
		if (autorep_row(&line, it.no, &f, &cap, &job, cause) != 0)
			goto fail;
		if (jobs->n == alloc) {
			alloc = alloc == 0 ? 16 : alloc * 2;
			jobs->jobs = xreallocarray(jobs->jobs, alloc,
			    sizeof *jobs->jobs);
		}
		jobs->jobs[jobs->n++] = job;
	}
	free(f);
	if (!header && jobs->n == 0)
		return parse_fail(cause, "autorep: no output");
	return 0;

fail:
	free(f);
	parse_jobs_free(jobs);
	return -1;
}

void
parse_jobs_free(struct parse_jobs *jobs)
{
	if (jobs == NULL)
		return;
	free(jobs->jobs);
	jobs->jobs = NULL;
	jobs->n = 0;
}

const char *
parse_job_status_name(const char *code)
{
	static const struct {
		const char	*code;
		const char	*name;
	} codes[] = {
		{ "AC", "activated" },
		{ "FA", "failure" },
		{ "IN", "inactive" },
		{ "NE", "on no-exec" },
		{ "OH", "on hold" },
		{ "OI", "on ice" },
		{ "PE", "pending machine" },
		{ "QU", "queue wait" },
		{ "RD", "refresh dependencies" },
		{ "RE", "restart" },
		{ "RF", "refresh filewatcher" },
		{ "RU", "running" },
		{ "RW", "resource wait" },
		{ "SP", "suspended" },
		{ "ST", "starting" },
		{ "SU", "success" },
		{ "TE", "terminated" },
		{ "WA", "wait reply" },
	};
	size_t	 i;

	if (code == NULL)
		return "unknown";
	for (i = 0; i < sizeof codes / sizeof *codes; i++) {
		if (strcmp(code, codes[i].code) == 0)
			return codes[i].name;
	}
	return "unknown";
}

int
parse_job_failed(const char *code)
{
	return code != NULL && (strcmp(code, "FA") == 0 ||
	    strcmp(code, "TE") == 0);
}

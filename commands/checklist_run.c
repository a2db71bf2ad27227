/*
 * Running a checklist (see checklist_run.h). One probe per (check, host)
 * so each check keeps its own answer; probes_run runs them in parallel
 * under the remote deadline. Verdicts are read on the loop thread.
 */

#include <fnmatch.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cause.h"
#include "alerts.h"
#include "bot_post.h"
#include "bot.h"
#include "checklist_run.h"
#include "clock.h"
#include "cron.h"
#include "inventory.h"
#include "log.h"
#include "loop.h"
#include "parse.h"
#include "probe.h"
#include "probes.h"
#include "remote.h"
#include "store_checklists.h"
#include "workers.h"
#include "xmalloc.h"

#define CHECK_OUTPUT_MAX	3000	/* bytes of a check's thread detail */

/* ----------------------------------------------------------- verdicts */

static void
verdict_services(const struct probe *p, const struct cfg_check *ck,
    struct check_result *r, struct buf *sec)
{
	const struct cfg_host	*h = p->host;
	size_t			 i, n = ck->services.n != 0 ? ck->services.n :
				    h->nservices;
	const char		*name;
	enum parse_svc		 st;

	for (i = 0; i < n; i++) {
		name = ck->services.n != 0 ? ck->services.v[i] :
		    h->services[i].name;
		if (probe_service_read(p, NULL, name, sec, &st) != 0) {
			check_problem(r, CHECK_ERROR, "%s %s: not checked "
			    "(output cut short)", h->name, name);
			continue;
		}
		if (st != PARSE_SVC_ACTIVE)
			check_problem(r, CHECK_FAIL, "%s %s: %s", h->name, name,
			    *sec->data != '\0' ? sec->data : "no answer");
	}
}

/* "11/21/2026 22:14:37" -> 202611212214 (comparable); -1 if not a date. */
static int64_t
job_stamp(const char *s)
{
	int	 mo, d, y, h, mi, se;

	if (sscanf(s, "%d/%d/%d %d:%d:%d", &mo, &d, &y, &h, &mi, &se) != 6)
		return -1;
	return (((int64_t)y * 100 + mo) * 100 + d) * 10000 + h * 100 + mi;
}

static void
verdict_jobs(const struct probe *p, const struct cfg_check *ck,
    struct check_result *r, struct buf *sec, int64_t threshold)
{
	struct parse_jobs	 jobs;
	char			 secname[32], *cause = NULL;
	size_t			 q, i;
	int64_t			 end;

	for (q = 0; q < ck->jobs.n; q++) {
		snprintf(secname, sizeof secname, "q:%zu", q);
		if (probe_autorep_read(p, secname, &jobs, &cause) != 0) {
			check_problem(r, CHECK_ERROR, "%s: cannot read autorep "
			    "for %s%s%s", p->host->name, ck->jobs.v[q],
			    cause != NULL ? ": " : "", cause != NULL ? cause :
			    "");
			free(cause);
			cause = NULL;
			continue;
		}
		if (jobs.n == 0)
			check_problem(r, CHECK_FAIL, "%s: no job matches %s",
			    p->host->name, ck->jobs.v[q]);
		for (i = 0; i < jobs.n; i++) {
			const struct parse_job *j = &jobs.jobs[i];

			if (fnmatch(ck->jobs.v[q], j->name, 0) != 0)
				continue;
			if (strcmp(j->status, ck->status) != 0) {
				check_problem(r, CHECK_FAIL, "%s %s (%s), "
				    "expected %s; last end %s", j->name,
				    j->status, parse_job_status_name(j->status),
				    ck->status, *j->last_end != '\0' ?
				    j->last_end : "never");
				continue;
			}
			end = job_stamp(j->last_end);
			if (threshold > 0 && end < threshold)
				check_problem(r, CHECK_FAIL, "%s ended %s, before "
				    "%02d:%02d today", j->name, *j->last_end !=
				    '\0' ? j->last_end : "never",
				    ck->ended_after / 60, ck->ended_after % 60);
		}
		parse_jobs_free(&jobs);
	}
}

static void
verdict_file(const struct probe *p, const struct cfg_check *ck,
    struct check_result *r, int64_t newer_than_s)
{
	const char	*path = check_file_path(p, ck);
	char		 newest_name[256];
	int64_t		 now, newest;
	int		 tz, found;
	char		 age[32], max[32];

	if (path == NULL) {
		check_problem(r, CHECK_ERROR, "%s has no log \"%s\"",
		    p->host->name, ck->log);
		return;
	}
	if (probe_now_read(p, &now, &tz) != 0 || (found =
	    probe_files_newest(p, &newest, newest_name,
	    sizeof newest_name)) < 0) {
		check_problem(r, CHECK_ERROR, "%s: cannot read the answer",
		    p->host->name);
		return;
	}
	if (found == 0) {
		check_problem(r, CHECK_FAIL, "%s: no file matches %s",
		    p->host->name, path);
		return;
	}
	duration_format(now - newest > 0 ? now - newest : 0, age, sizeof age);
	if (ck->max_age_s > 0 && now - newest > ck->max_age_s) {
		duration_format(ck->max_age_s, max, sizeof max);
		check_problem(r, CHECK_FAIL, "%s: %s is %s old (at most %s)",
		    p->host->name, newest_name, age, max);
	} else if (ck->newer_than >= 0 && newest < newer_than_s)
		check_problem(r, CHECK_FAIL, "%s: %s is from before %02d:%02d "
		    "today (%s old)", p->host->name, newest_name,
		    ck->newer_than / 60, ck->newer_than % 60, age);
	else {
		buf_addf(&r->output, "%s: %s, %s old\n", p->host->name,
		    newest_name, age);
	}
}

static void
verdict_disk(const struct probe *p, const struct cfg_check *ck,
    struct check_result *r)
{
	const struct cfg_host		*h = p->host;
	struct parse_df			 df;
	const struct parse_df_row	*row;
	const struct cfg_mount		*m;
	char				*cause = NULL;
	const char			*path;
	size_t				 i, n;
	int				 limit;

	if (probe_disks_read(p, "df", &df, &cause) != 0) {
		check_problem(r, CHECK_ERROR, "%s: cannot read df%s%s", h->name,
		    cause != NULL ? ": " : "", cause != NULL ? cause : "");
		free(cause);
		return;
	}
	n = ck->mounts.n != 0 ? ck->mounts.n : h->nmounts != 0 ?
	    h->nmounts : 1;
	for (i = 0; i < n; i++) {
		path = ck->mounts.n != 0 ? ck->mounts.v[i] : h->nmounts != 0 ?
		    h->mounts[i].path : "/";
		m = NULL;
		for (size_t j = 0; j < h->nmounts; j++) {
			if (strcmp(h->mounts[j].path, path) == 0)
				m = &h->mounts[j];
		}
		limit = ck->max_pct > 0 ? ck->max_pct : m != NULL ?
		    m->warn_pct : 80;
		if ((row = parse_df_find(&df, path)) == NULL)
			check_problem(r, CHECK_FAIL, "%s %s: not mounted",
			    h->name, path);
		else if (row->pct >= limit)
			check_problem(r, CHECK_FAIL, "%s %s: %d%% used (under "
			    "%d%% wanted)", h->name, path, row->pct, limit);
		else
			buf_addf(&r->output, "%s %s: %d%%\n", h->name, path,
			    row->pct);
	}
	parse_df_free(&df);
}

static void
verdict_command(const struct probe *p, const struct cfg_check *ck,
    struct check_result *r, struct buf *sec)
{
	char		*last, *out;
	int		 rc;
	regex_t		 re;

	if (probe_command_read(p, sec, &rc) != 0) {
		check_problem(r, CHECK_ERROR, "%s: %s did not finish "
		    "(output cut short?)", p->host->name, ck->command);
		return;
	}
	out = sec->data;
	if (rc != 0) {
		last = strrchr(out, '\n');
		check_problem(r, CHECK_FAIL, "%s: %s exited %d%s%.120s",
		    p->host->name, ck->command, rc, *out != '\0' ? ": " : "",
		    last != NULL ? last + 1 : out);
	} else if (ck->expect != NULL &&
	    regcomp(&re, ck->expect, REG_EXTENDED | REG_NOSUB |
	    REG_NEWLINE) == 0) {
		if (regexec(&re, out, 0, NULL, 0) != 0)
			check_problem(r, CHECK_FAIL, "%s: %s printed \"%.80s\", "
			    "which does not match %s", p->host->name,
			    ck->command, out, ck->expect);
		regfree(&re);
	}
	/* First line: what a pass shows ("web1 $ queue: 0"). */
	buf_addf(&r->output, "%s $ %s: %.*s\n%.1000s\n", p->host->name,
	    ck->command, (int)(strcspn(out, "\n") > 80 ? 80 :
	    strcspn(out, "\n")), out, out);
}

static void
verdict_alerts(struct bot *b, const struct cfg_check *ck,
    struct check_result *r)
{
	const struct alert	*a;
	int			 want = alert_severity_rank(ck->severity);

	if (b->alerts == NULL) {
		check_problem(r, CHECK_ERROR, "alerts are not running");
		return;
	}
	for (a = alerts_first(b->alerts); a != NULL; a = a->next) {
		if (a->state != ALERT_FIRING ||
		    alert_severity_rank(labels_get(&a->labels,
		    "severity")) > want)
			continue;
		check_problem(r, CHECK_FAIL, "#%lld %s%s%s", (long long)a->id,
		    labels_get(&a->labels, "alertname"),
		    labels_get(&a->labels, "host") != NULL ? " on " : "",
		    labels_get(&a->labels, "host") != NULL ?
		    labels_get(&a->labels, "host") : "");
	}
}

/* ---------------------------------------------------------- the run */

static void
run_free(struct checklist_run *run)
{
	size_t	 i;

	for (i = 0; i < run->cl->nchecks; i++)
		check_result_release(&run->results[i]);
	free(run->results);
	for (i = 0; i < run->nprobes; i++)
		probe_release(&run->probes[i]);
	free(run->probes);
	free(run->probe_check);
	free(run->answered);
	buf_release(&run->title);
	buf_release(&run->text);
	buf_release(&run->details);
	checklist_runbooks_release(run);
	checklist_metrics_free(run);
	free(run);
}

static const char *
status_word(enum check_status s)
{
	return s == CHECK_OK ? "ok" : s == CHECK_FAIL ? "fail" : "error";
}

struct prev_state {
	struct store	*store;
	int64_t		 skip_id;
	int64_t		 id;
	int64_t		 started_ms;
};

static void
prev_run_cb(void *arg, const struct store_run_row *r)
{
	struct prev_state	*ps = arg;

	if (ps->id == 0 && r->id != ps->skip_id) {
		ps->id = r->id;
		ps->started_ms = r->started_ms;
	}
}

struct prev_results {
	const struct checklist_run	*run;
	struct buf			*news;
	struct buf			*fixed;
};

static void
prev_result_cb(void *arg, const struct store_result_row *r)
{
	struct prev_results		*pr = arg;
	const struct checklist_run	*run = pr->run;
	size_t				 i;
	int				 was_ok = strcmp(r->status, "ok") == 0;

	for (i = 0; i < run->cl->nchecks; i++) {
		if (strcmp(run->cl->checks[i].title, r->title) != 0)
			continue;
		if (was_ok && run->results[i].status != CHECK_OK)
			buf_addf(pr->news, "%s%s", pr->news->len > 0 ? ", " :
			    "", r->title);
		else if (!was_ok && run->results[i].status == CHECK_OK)
			buf_addf(pr->fixed, "%s%s", pr->fixed->len > 0 ?
			    ", " : "", r->title);
	}
}

/* Stores the run, then writes its summary (title, lines, details). */
static void
run_summarize(struct checklist_run *run)
{
	struct bot		*b = run->bot;
	const char		*tz = b->cfg->bot.timezone;
	struct store_run_row	 rr;
	struct store_result_row	*res;
	struct prev_state	 ps;
	struct prev_results	 pr;
	struct buf		 news, fixed, handover;
	struct tm		 tm;
	char			 when[64], *cause = NULL;
	size_t			 i, n = run->cl->nchecks;
	int			 pass;

	run->passed = 0;
	for (i = 0; i < n; i++) {
		struct check_result *r = &run->results[i];

		check_result_finish(r);
		run->passed += r->status == CHECK_OK;
		/* A pass says what it saw: the first line of its output. */
		if (r->status == CHECK_OK && r->detail.len == 0 &&
		    r->output.len > 0)
			buf_addf(&r->detail, "%.*s", (int)strcspn(
			    r->output.data, "\n") > 120 ? 120 :
			    (int)strcspn(r->output.data, "\n"),
			    r->output.data);
	}
	/* An EOD's lines say what the morning found; stored with them. */
	buf_init(&handover);
	checklist_eod(run, &handover);
	res = xcalloc(n, sizeof *res);
	for (i = 0; i < n; i++) {
		res[i].idx = (int)i;
		res[i].title = run->cl->checks[i].title;
		res[i].kind = check_kind_name(run->cl->checks[i].kind);
		res[i].status = status_word(run->results[i].status);
		res[i].detail = run->results[i].detail.data;
		res[i].output = run->results[i].output.len > 0 ?
		    run->results[i].output.data : NULL;
	}
	memset(&rr, 0, sizeof rr);
	rr.name = run->cl->name;
	rr.started_ms = run->started_ms;
	rr.finished_ms = run->finished_ms;
	rr.trigger = run->trigger;
	rr.passed = run->passed;
	rr.total = (int)n;
	run->run_id = store_run_add(b->store, &rr, res, (int)n, &cause);
	if (run->run_id < 0) {
		log_error("checklist", "%s: cannot store the run: %s",
		    run->cl->name, cause);
		free(cause);
		cause = NULL;
	}
	free(res);

	cron_localtime(run->started_ms / 1000, tz, &tm);
	strftime(when, sizeof when, "%a %d %b %H:%M", &tm);
	buf_addf(&run->title, "%s — %s — %d/%zu OK%s", run->cl->title, when,
	    run->passed, n, strcmp(run->trigger, "late") == 0 ?
	    " (ran late)" : "");
	run->status = run->passed == (int)n ? MESSAGE_OK : MESSAGE_CRIT;
	/* Failures first, with their cause; then what passed. */
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < n; i++) {
			const struct check_result *r = &run->results[i];

			if ((r->status == CHECK_OK) != (pass == 1))
				continue;
			buf_addf(&run->text, "%s %s%s%s\n",
			    r->status == CHECK_OK ? "✓" : r->status ==
			    CHECK_FAIL ? "✗" : "⚠", run->cl->checks[i].title,
			    r->detail.len > 0 ? " — " : "", r->detail.data);
			if (r->status != CHECK_OK && r->output.len > 0)
				buf_addf(&run->details, "%s:\n%.*s\n",
				    run->cl->checks[i].title,
				    (int)(r->output.len < CHECK_OUTPUT_MAX ?
				    r->output.len : CHECK_OUTPUT_MAX),
				    r->output.data);
		}
	}
	checklist_runbooks(run);
	/* Against the run before: what broke, what got fixed. */
	memset(&ps, 0, sizeof ps);
	ps.skip_id = run->run_id;
	if (store_runs_recent(b->store, run->cl->name, 2, prev_run_cb, &ps,
	    &cause) < 0) {
		free(cause);
		cause = NULL;
	}
	if (ps.id > 0) {
		buf_init(&news);
		buf_init(&fixed);
		pr.run = run;
		pr.news = &news;
		pr.fixed = &fixed;
		if (store_run_results(b->store, ps.id, prev_result_cb, &pr,
		    &cause) < 0) {
			free(cause);
			cause = NULL;
		}
		cron_localtime(ps.started_ms / 1000, tz, &tm);
		strftime(when, sizeof when, "%a %d %b %H:%M", &tm);
		if (news.len > 0)
			buf_addf(&run->text, "New since the last run (%s): "
			    "%s\n", when, news.data);
		if (fixed.len > 0)
			buf_addf(&run->text, "Fixed since the last run (%s): "
			    "%s\n", when, fixed.data);
		if (news.len == 0 && fixed.len == 0)
			buf_addf(&run->text, "Same as the last run (%s).\n",
			    when);
		buf_release(&news);
		buf_release(&fixed);
	}
	buf_add(&run->text, handover.data, handover.len);
	buf_release(&handover);
}

/* Worker thread: probe i is complete (for checklist_progress). */
static void
run_probe_done(void *arg, size_t i)
{
	struct checklist_run	*run = arg;

	atomic_store(&run->answered[i], 1);
}

static void
run_work(void *arg)
{
	struct checklist_run	*run = arg;
	struct host_env		 env;

	env.remote = &run->bot->cfg->remote;
	env.control_dir = run->bot->ssh_dir;
	if (run->nprobes > 0)
		probes_run_watch(run->probes, run->nprobes, &env,
		    run_probe_done, run);
	checklist_metrics_query(run);
}

size_t
checklist_progress(const struct checklist_run *run, struct buf *out)
{
	size_t	 k, done = 0, shown = 0;

	for (k = 0; k < run->nprobes; k++)
		done += atomic_load(&run->answered[k]) != 0;
	buf_addf(out, "%zu of %zu host check(s) answered", done,
	    run->nprobes);
	for (k = 0; k < run->nprobes; k++) {
		if (atomic_load(&run->answered[k]))
			continue;
		if (shown++ == 8) {
			buf_addf(out, ", …");
			break;
		}
		buf_addf(out, "%s %s (%s)", shown == 1 ? "; waiting:" : ",",
		    run->probes[k].host->name,
		    run->cl->checks[run->probe_check[k]].title);
	}
	buf_addc(out, '\n');
	return run->nprobes - done;
}

/* Loop thread: the verdicts, the summary, then the caller. */
static void
run_finish(struct checklist_run *run)
{
	struct bot		*b = run->bot;
	const char		*tz = b->cfg->bot.timezone;
	const struct cfg_check	*ck;
	struct buf		 sec;
	struct tm		 today;
	int64_t			 jobs_threshold = 0, newer_s = 0;
	size_t			 k, i;

	buf_init(&sec);
	cron_localtime(clock_now_ms() / 1000, tz, &today);
	for (k = 0; k < run->nprobes; k++) {
		const struct probe *p = &run->probes[k];

		i = run->probe_check[k];
		ck = &run->cl->checks[i];
		if (p->failure != NULL) {
			check_problem(&run->results[i], CHECK_ERROR, "%s: %s",
			    p->host->name, p->failure);
			continue;
		}
		switch (ck->kind) {
		case CHECK_SERVICES_RUNNING:
			verdict_services(p, ck, &run->results[i], &sec);
			break;
		case CHECK_JOBS_STATUS:
			jobs_threshold = ck->ended_after < 0 ? 0 :
			    (((int64_t)today.tm_year + 1900) * 100 +
			    today.tm_mon + 1) * 1000000 +
			    (int64_t)today.tm_mday * 10000 +
			    ck->ended_after / 60 * 100 + ck->ended_after % 60;
			verdict_jobs(p, ck, &run->results[i], &sec,
			    jobs_threshold);
			break;
		case CHECK_FILE_FRESH:
			if (ck->newer_than >= 0) {
				cron_local_instant(today.tm_year + 1900,
				    today.tm_mon + 1, today.tm_mday,
				    ck->newer_than / 60, ck->newer_than % 60,
				    tz, &newer_s);
			}
			verdict_file(p, ck, &run->results[i], newer_s);
			break;
		case CHECK_DISK_BELOW:
			verdict_disk(p, ck, &run->results[i]);
			break;
		case CHECK_COMMAND_OK:
			verdict_command(p, ck, &run->results[i], &sec);
			break;
		case CHECK_NO_OPEN_ALERTS:
			break;
		}
	}
	buf_release(&sec);
	checklist_metrics_verdicts(run);
	for (i = 0; i < run->cl->nchecks; i++) {
		ck = &run->cl->checks[i];
		if (ck->kind == CHECK_NO_OPEN_ALERTS)
			verdict_alerts(b, ck, &run->results[i]);
	}
	run->finished_ms = clock_now_ms();
	run_summarize(run);
	run->done(run, run->arg);
	run_free(run);
}

static void
run_done(void *arg, enum workers_status st)
{
	struct checklist_run	*run = arg;
	size_t			 k;

	if (st != WORKERS_DONE) {
		for (k = 0; k < run->nprobes; k++) {
			if (run->probes[k].failure == NULL)
				run->probes[k].failure = xstrdup("cancelled: "
				    "opsbot is shutting down");
		}
	}
	run_finish(run);
}

static void
run_now(void *arg)
{
	run_finish(arg);
}

int
checklist_start(struct bot *b, const struct cfg_checklist *cl,
    const char *trigger, checklist_done_fn done, void *arg, char **cause)
{
	return checklist_start_run(b, cl, trigger, done, arg, NULL, cause);
}

int
checklist_start_run(struct bot *b, const struct cfg_checklist *cl,
    const char *trigger, checklist_done_fn done, void *arg,
    struct checklist_run **runp, char **cause)
{
	struct checklist_run	*run = xcalloc(1, sizeof *run);
	const struct cfg_host	**hosts;
	const struct cfg_check	*ck;
	char			*why = NULL;
	size_t			 i, h, nhosts, k = 0;

	run->bot = b;
	run->cl = cl;
	run->trigger = trigger;
	run->started_ms = clock_now_ms();
	run->run_id = -1;
	run->done = done;
	run->arg = arg;
	buf_init(&run->title);
	buf_init(&run->text);
	buf_init(&run->details);
	run->results = xcalloc(cl->nchecks, sizeof *run->results);
	for (i = 0; i < cl->nchecks; i++)
		check_result_init(&run->results[i]);
	for (i = 0; i < cl->nchecks; i++) {
		ck = &cl->checks[i];
		if (ck->target == NULL || ck->via_metrics)
			continue;
		if (inventory_resolve(b->cfg, ck->target, &hosts, &nhosts,
		    &why) != 0) {
			check_problem(&run->results[i], CHECK_ERROR, "%s", why);
			free(why);
			why = NULL;
			continue;
		}
		run->probes = xreallocarray(run->probes, run->nprobes + nhosts,
		    sizeof *run->probes);
		run->probe_check = xreallocarray(run->probe_check,
		    run->nprobes + nhosts, sizeof *run->probe_check);
		for (h = 0; h < nhosts; h++) {
			k = run->nprobes++;
			probe_init(&run->probes[k], hosts[h]);
			run->probe_check[k] = i;
			check_script(&run->probes[k], ck);
		}
		free(hosts);
	}
	run->answered = xcalloc(run->nprobes + 1, sizeof *run->answered);
	if (runp != NULL)
		*runp = run;
	if (run->nprobes == 0 && !checklist_metrics_wanted(cl)) {
		loop_post(b->loop, run_now, run);
		return 0;
	}
	if (workers_submit(b->workers, run_work, run_done, run) != 0) {
		cause_set(cause, "cannot run %s now: opsbot is shutting down",
		    cl->name);
		if (runp != NULL)
			*runp = NULL;
		run_free(run);
		return -1;
	}
	return 0;
}

void
checklist_message(const struct checklist_run *run, struct message *m)
{
	size_t	 i;

	memset(m, 0, sizeof *m);
	m->title = run->title.data;
	m->text = run->text.data;
	m->status = run->status;
	m->mention = checklist_mention(run);
	for (i = 0; i < run->nrunbooks; i++)
		runbook_message_button(m, &run->runbooks[i]);
}

const char *
checklist_mention(const struct checklist_run *run)
{
	return run->passed != (int)run->cl->nchecks ? run->cl->mention : NULL;
}

/*
 * Posts the summary to receiver and its details as a reply in its
 * thread (scheduled runs). Returns 0, or -1 and *cause.
 */
int
checklist_post(const struct checklist_run *run, const char *receiver,
    char **cause)
{
	struct message	 m, d;
	int64_t		 id;

	checklist_message(run, &m);
	if ((id = bot_post(run->bot, receiver, "post", 0, &m, cause)) < 0)
		return -1;
	if (run->details.len == 0)
		return 0;
	memset(&d, 0, sizeof d);
	d.title = "Details";
	d.code = run->details.data;
	d.status = run->status;
	if (bot_post(run->bot, receiver, id > 0 ? "thread" : "post", id, &d,
	    cause) < 0)
		return -1;
	return 0;
}

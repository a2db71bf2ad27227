/* Probes: scripts with nonce-marked sections, run in parallel. */

#include <sys/random.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe.h"
#include "probes.h"
#include "escape.h"
#include "xmalloc.h"


void
probe_init(struct probe *p, const struct cfg_host *h)
{
	unsigned char	 rnd[8];
	size_t		 i;

	memset(p, 0, sizeof *p);
	p->host = h;
	if (getrandom(rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd) {
		for (i = 0; i < sizeof rnd; i++)
			rnd[i] = (unsigned char)random();
	}
	for (i = 0; i < sizeof rnd; i++)
		snprintf(p->nonce + i * 2, 3, "%02x", rnd[i]);
	buf_init(&p->script);
	/* Untranslated output (df headers, dates) whatever the host's LANG. */
	buf_adds(&p->script, "LC_ALL=C; export LC_ALL\n");
	proc_init(&p->proc, NULL, 0, 0);
}

void
probe_release(struct probe *p)
{
	buf_release(&p->script);
	proc_release(&p->proc);
	free(p->failure);
	p->failure = NULL;
	free(p->open);
	p->open = NULL;
}

/*
 * The trailer of the open section: its name and the status it ended
 * with, on a line of its own even after output without a final newline
 * (the newline it adds is not part of the section; probe_section).
 */
static void
probe_section_end(struct probe *p)
{
	char	*mark;

	if (p->open == NULL)
		return;
	xasprintf(&mark, PROBE_MARK "%s:/%s:", p->nonce, p->open);
	buf_adds(&p->script, "printf '\\n%s%d\\n' ");
	shquote_buf(&p->script, mark);
	buf_adds(&p->script, " \"$?\"\n");
	free(mark);
	free(p->open);
	p->open = NULL;
}

void
probe_section_begin(struct probe *p, const char *name)
{
	char	*mark;

	probe_section_end(p);
	xasprintf(&mark, PROBE_MARK "%s:%s", p->nonce, name);
	buf_adds(&p->script, "printf '%s\\n' ");
	shquote_buf(&p->script, mark);
	buf_adds(&p->script, "\n");
	free(mark);
	p->open = xstrdup(name);
}

void
probe_end(struct probe *p)
{
	if (p->ended)
		return;
	probe_section_end(p);
	buf_adds(&p->script, "exit 0\n");
	p->ended = 1;
}

/*
 * Why a run failed. A deadline hit after the host printed a section
 * marker is not "no answer": ssh connected and authenticated, and then a
 * command blocked (a hung NFS mount under df is the classic case).
 */
static char *
probe_explain(struct probe *p, int64_t timeout_s)
{
	char	*why, *stuck, *label;

	if (p->proc.timed_out && p->proc.started &&
	    (stuck = probe_unfinished(p)) != NULL) {
		p->connected = 1;
		label = probe_kind_label(stuck);
		xasprintf(&why, "connected, but %s did not finish in %lld s",
		    label, (long long)timeout_s);
		free(label);
		free(stuck);
		return why;
	}
	return host_explain(p->host, &p->proc, timeout_s);
}

/* What probes_run_watch's per-process callback needs. */
struct probes_batch {
	struct probe		*v;
	struct proc		*procs;
	const struct host_env	*env;
	void			(*done)(void *, size_t);
	void			*arg;
};

/* One process ended: its probe is complete now. */
static void
probes_one_done(void *arg, size_t i)
{
	struct probes_batch	*b = arg;
	struct probe		*p = &b->v[i];

	proc_release(&p->proc);
	p->proc = b->procs[i];
	memset(&b->procs[i], 0, sizeof b->procs[i]);
	free(p->failure);
	p->failure = probe_explain(p, b->env->remote->timeout_s);
	if (b->done != NULL)
		b->done(b->arg, i);
}

void
probes_run_watch(struct probe *v, size_t n, const struct host_env *env,
    void (*done)(void *, size_t), void *arg)
{
	struct probes_batch	 b = { v, NULL, env, done, arg };
	size_t			 i;

	b.procs = xcalloc(n + 1, sizeof *b.procs);
	for (i = 0; i < n; i++) {
		probe_end(&v[i]);
		proc_init(&b.procs[i], host_ops_for(v[i].host)->argv(v[i].host,
		    env, v[i].script.data), env->remote->timeout_s * 1000,
		    (size_t)env->remote->output_limit);
	}
	proc_run_many_watch(b.procs, n, env->remote->concurrency,
	    probes_one_done, &b);
	free(b.procs);
}

void
probes_run(struct probe *v, size_t n, const struct host_env *env)
{
	probes_run_watch(v, n, env, NULL, NULL);
}

int
probe_section(const struct probe *p, const char *name, struct buf *out)
{
	const char	*text = p->proc.out.data, *start, *end, *next;
	char		*mark;
	size_t		 mlen;

	buf_clear(out);
	xasprintf(&mark, PROBE_MARK "%s:%s\n", p->nonce, name);
	mlen = strlen(mark);
	/* A marker counts only at the start of a line. */
	for (start = text; (start = strstr(start, mark)) != NULL;
	    start += mlen) {
		if (start == text || start[-1] == '\n')
			break;
	}
	free(mark);
	if (start == NULL)
		return -1;
	start += mlen;
	/*
	 * The section ends where the next marker line begins: its trailer,
	 * whose leading newline is the probe's own, or (a script that
	 * stopped early) nothing.
	 */
	xasprintf(&mark, "\n" PROBE_MARK "%s:", p->nonce);
	mlen = strlen(mark);
	next = strstr(start - 1, mark);
	free(mark);
	if (next == NULL)
		end = text + p->proc.out.len;
	else
		end = next[mlen] == '/' && next >= start ? next : next + 1;
	buf_add(out, start, (size_t)(end - start));
	return 0;
}

/* Finds "MARK<nonce>:<tail>" at the start of a line of the output. */
static const char *
probe_find_line(const struct probe *p, const char *tail)
{
	const char	*text = p->proc.out.data, *at;
	char		*mark;
	size_t		 mlen;

	xasprintf(&mark, PROBE_MARK "%s:%s", p->nonce, tail);
	mlen = strlen(mark);
	for (at = text; (at = strstr(at, mark)) != NULL; at += mlen) {
		if (at == text || at[-1] == '\n')
			break;
	}
	free(mark);
	return at != NULL ? at + mlen : NULL;
}

int
probe_section_status(const struct probe *p, const char *name)
{
	const char	*at;
	char		*tail, *end;
	long		 st;

	xasprintf(&tail, "/%s:", name);
	at = probe_find_line(p, tail);
	free(tail);
	if (at == NULL || *at < '0' || *at > '9')
		return -1;
	st = strtol(at, &end, 10);
	if (*end != '\n' || st > 255)
		return -1;
	return (int)st;
}

char *
probe_unfinished(const struct probe *p)
{
	const char	*text = p->proc.out.data, *line, *nl, *name;
	char		*mark, *open = NULL;
	size_t		 mlen;

	xasprintf(&mark, PROBE_MARK "%s:", p->nonce);
	mlen = strlen(mark);
	for (line = text; line != NULL && *line != '\0'; line = nl) {
		nl = strchr(line, '\n');
		if (nl == NULL)
			break;		/* a marker line always ends in \n */
		nl++;
		if (strncmp(line, mark, mlen) != 0)
			continue;
		name = line + mlen;
		free(open);
		open = NULL;
		/* A start marker opens a section; a trailer ("/x:0") ends it. */
		if (*name != '/')
			open = xstrndup(name, (size_t)(nl - 1 - name));
	}
	free(mark);
	return open;
}

/* Probes: scripts with nonce-marked sections, run in parallel. */

#include <sys/random.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe.h"
#include "shquote.h"
#include "xmalloc.h"

#define PROBE_MARK	"@@opsbot:"

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
}

void
probe_section_begin(struct probe *p, const char *name)
{
	char	*mark;

	xasprintf(&mark, PROBE_MARK "%s:%s", p->nonce, name);
	buf_adds(&p->script, "printf '%s\\n' ");
	shquote_buf(&p->script, mark);
	buf_adds(&p->script, "\n");
	free(mark);
}

void
probes_run(struct probe *v, size_t n, const struct host_env *env)
{
	struct proc	*procs = xcalloc(n + 1, sizeof *procs);
	size_t		 i;

	for (i = 0; i < n; i++) {
		proc_init(&procs[i], host_ops_for(v[i].host)->argv(v[i].host,
		    env, v[i].script.data), env->remote->timeout_s * 1000,
		    (size_t)env->remote->output_limit);
	}
	proc_run_many(procs, n, env->remote->concurrency);
	for (i = 0; i < n; i++) {
		proc_release(&v[i].proc);
		v[i].proc = procs[i];
		free(v[i].failure);
		v[i].failure = host_explain(v[i].host, &v[i].proc,
		    env->remote->timeout_s);
	}
	free(procs);
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
	/* The section ends where the next marker line begins. */
	xasprintf(&mark, "\n" PROBE_MARK "%s:", p->nonce);
	next = strstr(start - 1, mark);
	free(mark);
	end = next != NULL ? next + 1 : text + p->proc.out.len;
	buf_add(out, start, (size_t)(end - start));
	return 0;
}

/* Current CPU per process, sampled on the host (see cpusample.h). */

#include <stdlib.h>
#include <string.h>

#include "cpusample.h"
#include "escape.h"

/*
 * One snapshot: "W U UPTIME", then "W <contents of /proc/PID/stat>" per
 * process. Builtins only, so taking it adds no processes to it.
 */
static const char cpusample_snap[] =
    "opsbot_snap() { read -r u _ < /proc/uptime; printf 'U %s %s\\n' "
    "\"$1\" \"$u\"; for f in /proc/[0-9]*/stat; do read -r l < \"$f\" && "
    "printf '%s %s\\n' \"$1\" \"$l\"; done; }\n";

/*
 * POSIX awk. After "(comm) " a stat line has state, ppid, pgrp, ...,
 * utime and stime at 12 and 13. comm may hold spaces and parentheses,
 * hence the greedy match up to the last ") ". The probe's processes share
 * its process group (a non-interactive shell does no job control); its
 * ancestors are the sshd processes carrying it (the session's, and with
 * privilege separation or a shared connection, their parents too): all
 * of them are the probe's own work, never a finding.
 */
static const char cpusample_awk[] =
    "$1 == \"U\" { up[$2] = $3; next }\n"
    "{\n"
    "  w = $1; pid = $2; s = $0\n"
    "  sub(/^[^ ]+ [^ ]+ \\(.*\\) /, \"\", s)\n"
    "  split(s, f, \" \")\n"
    "  par[pid] = f[2]\n"
    "  if (f[3] == me) next\n"
    "  t = f[12] + f[13]\n"
    "  if (w == \"A\") a[pid] = t\n"
    "  else if (pid in a) d[pid] = t - a[pid]\n"
    "}\n"
    "END {\n"
    "  for (x = pp; x > 1 && !(x in anc); x = par[x] + 0) anc[x] = 1\n"
    "  el = up[\"B\"] - up[\"A\"]; if (el <= 0) el = 1\n"
    "  for (pid in d) if (!(pid in anc))\n"
    "    printf \"%s %.1f\\n\", pid, d[pid] * 100 / (hz * el)\n"
    "}\n";

void
cpusample_script(struct buf *s, int n)
{
	buf_adds(s, cpusample_snap);
	buf_adds(s, "opsbot_top=$({ opsbot_snap A; sleep 1; opsbot_snap B; } "
	    "2>/dev/null | awk -v me=$$ -v pp=$PPID -v hz=\"$(getconf "
	    "CLK_TCK 2>/dev/null || echo 100)\" ");
	shquote_buf(s, cpusample_awk);
	buf_addf(s, " | sort -k2,2 -rn -k1,1n | head -n %d)\n", n);
	buf_adds(s, "opsbot_top_pids=$(printf '%s\\n' \"$opsbot_top\" | "
	    "awk '{ printf \"%s%s\", c, $1; c = \",\" }')\n"
	    "printf '%s\\n' \"$opsbot_top\"\n");
}

static int
cpusample_cmp(const void *a, const void *b)
{
	const struct parse_ps_row	*x = a, *y = b;

	if (x->cpu != y->cpu)
		return x->cpu > y->cpu ? -1 : 1;
	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

int
cpusample_apply(const char *sample, struct parse_ps *ps)
{
	const char	*p = sample;
	char		*end;
	long		 pid;
	double		 pct;
	size_t		 i;

	for (i = 0; i < ps->n; i++)
		ps->rows[i].cpu = 0;
	while (*p != '\0') {
		if (*p == '\n') {
			p++;
			continue;
		}
		pid = strtol(p, &end, 10);
		if (end == p || *end != ' ' || pid <= 0)
			return -1;
		p = end + 1;
		pct = strtod(p, &end);
		if (end == p || (*end != '\n' && *end != '\0') || pct < 0)
			return -1;
		p = end;
		for (i = 0; i < ps->n; i++) {
			if (ps->rows[i].pid == pid)
				ps->rows[i].cpu = pct;
		}
	}
	qsort(ps->rows, ps->n, sizeof *ps->rows, cpusample_cmp);
	return 0;
}

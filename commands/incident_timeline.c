/*
 * The timeline's order and the RCA draft's Markdown (incident_timeline.h).
 * Times are UTC: an RCA is read by people in other time zones, later.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "incident_timeline.h"
#include "xmalloc.h"

void
timeline_init(struct timeline *tl)
{
	memset(tl, 0, sizeof *tl);
}

/*
 * A copy on one line, without the spaces around it (a mention's line
 * starts with the one left of "@opsbot"): a row never breaks the list.
 */
static char *
timeline_flat(const char *s)
{
	char	*c, *p;
	size_t	 n;

	if (s == NULL)
		s = "";
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	c = xstrdup(s);
	for (p = c; *p != '\0'; p++) {
		if (*p == '\n' || *p == '\r' || *p == '\t')
			*p = ' ';
	}
	n = strlen(c);
	while (n > 0 && c[n - 1] == ' ')
		c[--n] = '\0';
	return c;
}

void
timeline_add(struct timeline *tl, int64_t at_ms, enum tl_kind kind,
    const char *who, const char *what, int failed)
{
	struct tl_entry	*e;

	if (tl->n == tl->cap) {
		tl->cap = tl->cap == 0 ? 32 : tl->cap * 2;
		tl->v = xreallocarray(tl->v, tl->cap, sizeof *tl->v);
	}
	e = &tl->v[tl->n];
	e->at_ms = at_ms;
	e->kind = kind;
	e->who = timeline_flat(who);
	e->what = timeline_flat(what);
	e->failed = failed;
	e->seq = tl->n++;
}

static int
timeline_cmp(const void *a, const void *b)
{
	const struct tl_entry	*x = a, *y = b;

	if (x->at_ms != y->at_ms)
		return x->at_ms < y->at_ms ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

void
timeline_sort(struct timeline *tl)
{
	if (tl->n > 1)
		qsort(tl->v, tl->n, sizeof *tl->v, timeline_cmp);
}

void
timeline_free(struct timeline *tl)
{
	size_t	 i;

	for (i = 0; i < tl->n; i++) {
		free(tl->v[i].who);
		free(tl->v[i].what);
	}
	free(tl->v);
	timeline_init(tl);
}

/* The command's name: the first word without its '/'. */
static size_t
timeline_cmd_name(const char *command, const char **name)
{
	while (*command == ' ' || *command == '/')
		command++;
	*name = command;
	return strcspn(command, " \t");
}

int
timeline_command_shown(const char *command, const char *outcome)
{
	const char	*name;
	size_t		 n;

	if (command == NULL || outcome == NULL)
		return 0;
	if (strcmp(outcome, "unknown") == 0 ||
	    strcmp(outcome, "bad_input") == 0)
		return 0;
	n = timeline_cmd_name(command, &name);
	return !((n == 8 && strncmp(name, "incident", 8) == 0) ||
	    (n == 3 && strncmp(name, "rca", 3) == 0));
}

void
timeline_when(int64_t ms, char *out, size_t len)
{
	time_t		 t = (time_t)(ms / 1000);
	struct tm	 tm;

	gmtime_r(&t, &tm);
	strftime(out, len, "%Y-%m-%d %H:%M:%S UTC", &tm);
}

static void
rca_duration(struct buf *b, int64_t ms)
{
	int64_t	 m = ms / 60000;

	if (ms < 0)
		m = 0;
	if (m >= 60)
		buf_addf(b, "%lldh%02lldm", (long long)(m / 60),
		    (long long)(m % 60));
	else
		buf_addf(b, "%lldm", (long long)m);
}

static const char *
rca_kind_word(enum tl_kind k)
{
	switch (k) {
	case TL_ALERT:
		return "alert";
	case TL_COMMAND:
		return "command";
	case TL_CHECKLIST:
		return "checklist";
	case TL_NOTE:
		break;
	}
	return "note";
}

/* "What was done and by whom": each person's commands, in order. */
static void
rca_actions(struct buf *b, const struct timeline *tl)
{
	size_t	 i, j;
	int	 any = 0, first;

	for (i = 0; i < tl->n; i++) {
		if (tl->v[i].kind != TL_COMMAND)
			continue;
		/* Each person once, at their first command. */
		for (j = 0; j < i; j++) {
			if (tl->v[j].kind == TL_COMMAND &&
			    strcmp(tl->v[j].who, tl->v[i].who) == 0)
				break;
		}
		if (j < i)
			continue;
		buf_addf(b, "- **%s**: ", tl->v[i].who);
		first = 1;
		for (j = i; j < tl->n; j++) {
			if (tl->v[j].kind != TL_COMMAND ||
			    strcmp(tl->v[j].who, tl->v[i].who) != 0)
				continue;
			buf_addf(b, "%s`%s`", first ? "" : ", ", tl->v[j].what);
			first = 0;
		}
		buf_adds(b, "\n");
		any = 1;
	}
	if (!any)
		buf_adds(b, "- No commands were run in the incident's channel "
		    "during it.\n");
}

static void
rca_followups(struct buf *b, const struct rca_input *in)
{
	const struct timeline	*tl = in->tl;
	size_t			 i;

	for (i = 0; i < in->nopen_alerts; i++)
		buf_addf(b, "- [ ] Alert %s is still open.\n",
		    in->open_alerts[i]);
	for (i = 0; i < tl->n; i++) {
		if (tl->v[i].kind == TL_COMMAND && tl->v[i].failed)
			buf_addf(b, "- [ ] `%s` by %s did not succeed: "
			    "follow up.\n", tl->v[i].what, tl->v[i].who);
		else if (tl->v[i].kind == TL_CHECKLIST && tl->v[i].failed)
			buf_addf(b, "- [ ] Checklist: %s.\n", tl->v[i].what);
	}
	buf_adds(b, "- [ ] _to fill_\n");
}

char *
rca_render(const struct rca_input *in)
{
	struct buf	 b;
	char		 when[64];
	int64_t		 start, end;
	size_t		 i;

	buf_init(&b);
	buf_addf(&b, "# RCA%s: incident #%lld: %s\n\n", in->open ?
	    " (draft, incident still open)" : " draft", (long long)in->id,
	    in->title);

	buf_adds(&b, "## Summary\n\n");
	timeline_when(in->opened_ms, when, sizeof when);
	buf_addf(&b, "- Severity: SEV%d\n- Opened: %s by %s\n", in->severity,
	    when, in->opened_by);
	if (in->closed_ms > 0) {
		timeline_when(in->closed_ms, when, sizeof when);
		buf_addf(&b, "- Closed: %s by %s\n", when,
		    in->closed_by != NULL ? in->closed_by : "someone");
	}
	if (in->status != NULL)
		buf_addf(&b, "- Last status: %s\n", in->status);
	buf_addf(&b, "- Resolution: %s\n", in->resolution != NULL &&
	    *in->resolution != '\0' ? in->resolution : "_to fill_");
	if (in->nalerts == 0)
		buf_adds(&b, "- Linked alerts: none\n");
	else {
		buf_adds(&b, "- Linked alerts:\n");
		for (i = 0; i < in->nalerts; i++)
			buf_addf(&b, "  - %s\n", in->alerts[i]);
	}

	/* From the first alert to its resolution, else the incident's own. */
	start = in->impact_start_ms > 0 ? in->impact_start_ms : in->opened_ms;
	end = in->impact_end_ms > 0 ? in->impact_end_ms : in->closed_ms;
	buf_adds(&b, "\n## Impact window\n\n");
	timeline_when(start, when, sizeof when);
	buf_addf(&b, "- From: %s (%s)\n", when, in->impact_start_ms > 0 ?
	    "first linked alert fired" : "incident opened");
	if (end > 0) {
		timeline_when(end, when, sizeof when);
		buf_addf(&b, "- To: %s (%s)\n- Duration: ", when,
		    in->impact_end_ms > 0 ? "alerts resolved" :
		    "incident closed");
		rca_duration(&b, end - start);
		buf_adds(&b, "\n");
	} else {
		buf_adds(&b, "- To: ongoing\n- Duration so far: ");
		rca_duration(&b, in->now_ms - start);
		buf_adds(&b, "\n");
	}

	buf_adds(&b, "\n## Timeline\n\n");
	if (in->tl->n == 0)
		buf_adds(&b, "- (nothing recorded)\n");
	for (i = 0; i < in->tl->n; i++) {
		const struct tl_entry *e = &in->tl->v[i];

		timeline_when(e->at_ms, when, sizeof when);
		buf_addf(&b, "- %.19s · %s · **%s** · %s%s\n", when,
		    rca_kind_word(e->kind), e->who, e->what,
		    e->failed ? " (failed)" : "");
	}

	buf_adds(&b, "\n## What was done, and by whom\n\n");
	rca_actions(&b, in->tl);
	buf_adds(&b, "\n## Root cause\n\nRoot cause: _to fill_\n");
	buf_adds(&b, "\n## Corrective actions\n\nCorrective actions: _to fill_"
	    "\n");
	buf_adds(&b, "\n## Follow-ups\n\n");
	rca_followups(&b, in);
	return buf_detach(&b);
}

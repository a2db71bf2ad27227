/*
 * The RCA draft from the store (incident_rca in incidents.h): the
 * incident, its linked alerts and their events, the commands run in its
 * channel or thread while it was open, checklist runs finished then, and
 * its notes, into the pure timeline (incident_timeline.c). Also how the
 * draft goes to chat.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bot.h"
#include "buf.h"
#include "cause.h"
#include "clock.h"
#include "incident_timeline.h"
#include "incidents.h"
#include "incidents_int.h"
#include "redact.h"
#include "store_alerts.h"
#include "store_incidents.h"
#include "xmalloc.h"

#define RCA_NOTE_MAX		2000	/* bytes of one note kept */
#define RCA_COMMANDS_MAX	500
#define RCA_EVENTS_MAX		200	/* per linked alert */
#define RCA_RUNS_MAX		100
/*
 * One chat message of the draft: under Mattermost's 16,383 runes and 45
 * Slack sections of 2,900 bytes, with room for the escaping of < and &.
 */
#define RCA_POST_CHUNK		12000

/* Up to max bytes of p, ended after a newline where there is one. */
static size_t
rca_cut(const char *p, size_t max)
{
	size_t	 n = max;

	while (n > 0 && p[n - 1] != '\n')
		n--;
	return n > 0 ? n : max;
}

struct rca_collect {
	struct store		*store;
	struct store_incident_row row;	/* strings owned (rca_row_cb) */
	struct timeline		 tl;
	char			**alerts, **open_alerts;
	size_t			 nalerts, nopen;
	int64_t			*alert_ids;
	size_t			 nids;
	/* User id -> name, from the notes: audit rows of events lack it. */
	char			**ids, **names;
	size_t			 nnames;
	int64_t			 first_start, last_resolved;
	int			 all_resolved;
	int			 found;
};

static char *
rca_dup(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

static void
rca_row_cb(void *arg, const struct store_incident_row *r)
{
	struct rca_collect	*c = arg;

	c->row = *r;
	c->row.title = rca_dup(r->title);
	c->row.status = rca_dup(r->status);
	c->row.platform = rca_dup(r->platform);
	c->row.channel = rca_dup(r->channel);
	c->row.thread = rca_dup(r->thread);
	c->row.opened_by = rca_dup(r->opened_by_name != NULL ?
	    r->opened_by_name : r->opened_by);
	c->row.closed_by = rca_dup(r->closed_by_name != NULL ?
	    r->closed_by_name : r->closed_by);
	c->row.resolution = rca_dup(r->resolution);
	c->row.rca = rca_dup(r->rca);
	c->row.state = rca_dup(r->state);
	c->row.opened_by_name = c->row.closed_by_name = c->row.source = NULL;
	c->found = 1;
}

static void
rca_row_free(struct store_incident_row *r)
{
	free((char *)r->title);
	free((char *)r->status);
	free((char *)r->platform);
	free((char *)r->channel);
	free((char *)r->thread);
	free((char *)r->opened_by);
	free((char *)r->closed_by);
	free((char *)r->resolution);
	free((char *)r->rca);
	free((char *)r->state);
}

static void
rca_alert_id_cb(void *arg, int64_t alert_id, int64_t linked_ms,
    const char *linked_by)
{
	struct rca_collect	*c = arg;

	(void)linked_ms;
	(void)linked_by;
	c->alert_ids = xreallocarray(c->alert_ids, c->nids + 1,
	    sizeof *c->alert_ids);
	c->alert_ids[c->nids++] = alert_id;
}

static void
rca_alert_cb(void *arg, const struct store_alert_row *a)
{
	struct rca_collect	*c = arg;
	char			*line;

	xasprintf(&line, "#%lld %s on %s (%s, %s)", (long long)a->id,
	    a->alertname, a->host, a->severity, a->state);
	c->alerts = xreallocarray(c->alerts, c->nalerts + 1,
	    sizeof *c->alerts);
	c->alerts[c->nalerts++] = line;
	if (strcmp(a->state, "resolved") != 0) {
		c->all_resolved = 0;
		c->open_alerts = xreallocarray(c->open_alerts, c->nopen + 1,
		    sizeof *c->open_alerts);
		c->open_alerts[c->nopen++] = xstrdup(line);
	}
	if (a->starts_ms > 0 && (c->first_start == 0 ||
	    a->starts_ms < c->first_start))
		c->first_start = a->starts_ms;
}

struct rca_event_arg {
	struct rca_collect	*c;
	int64_t			 alert_id;
};

static void
rca_event_cb(void *arg, const struct store_event_row *e)
{
	struct rca_event_arg	*ea = arg;
	char			*what;

	xasprintf(&what, "#%lld %s%s%s", (long long)ea->alert_id, e->what,
	    e->why != NULL ? ": " : "", e->why != NULL ? e->why : "");
	timeline_add(&ea->c->tl, e->at_ms, TL_ALERT, e->who, what, 0);
	free(what);
	if (strcmp(e->what, "resolved") == 0 && e->at_ms > ea->c->last_resolved)
		ea->c->last_resolved = e->at_ms;
}

static void
rca_cmd_cb(void *arg, const struct store_incident_cmd_row *r)
{
	struct rca_collect	*c = arg;
	const char		*who = r->user_name != NULL &&
				    *r->user_name != '\0' ? r->user_name :
				    r->user;
	char			*what;
	int			 failed;
	size_t			 i;

	for (i = 0; who == r->user && i < c->nnames; i++) {
		if (strcmp(c->ids[i], r->user) == 0)
			who = c->names[i];
	}

	if (!timeline_command_shown(r->command, r->outcome))
		return;
	failed = strcmp(r->outcome, "ok") != 0 &&
	    strcmp(r->outcome, "unconfirmed") != 0;
	/* A prompt is not the change: say it waited for a Confirm. */
	if (strcmp(r->outcome, "unconfirmed") == 0)
		xasprintf(&what, "%s (asked to confirm)", r->command);
	else if (failed)
		xasprintf(&what, "%s (%s%s%s)", r->command, r->outcome,
		    r->detail != NULL ? ": " : "", r->detail != NULL ?
		    r->detail : "");
	else
		what = xstrdup(r->command);
	timeline_add(&c->tl, r->ts_ms, TL_COMMAND, who, what, failed);
	free(what);
}

static void
rca_run_cb(void *arg, const struct store_incident_run_row *r)
{
	struct rca_collect	*c = arg;
	char			*what;

	xasprintf(&what, "%s: %d/%d passed%s%s", r->name, r->passed, r->total,
	    r->failed != NULL ? "; failing: " : "", r->failed != NULL ?
	    r->failed : "");
	timeline_add(&c->tl, r->finished_ms, TL_CHECKLIST, r->trigger, what,
	    r->passed < r->total);
	free(what);
}

static void
rca_note_cb(void *arg, const struct store_incident_note_row *n)
{
	struct rca_collect	*c = arg;
	const char		*who = n->who_name != NULL ? n->who_name :
				    n->who;
	char			*what;

	if (strcmp(n->kind, "note") == 0)
		what = xstrdup(n->text);
	else if (strcmp(n->kind, "open") == 0)
		xasprintf(&what, "opened the incident: %s", n->text);
	else if (strcmp(n->kind, "close") == 0)
		xasprintf(&what, "closed the incident%s%s", *n->text != '\0' ?
		    ": " : "", n->text);
	else if (strcmp(n->kind, "link") == 0)
		xasprintf(&what, "linked alert %s", n->text);
	else
		xasprintf(&what, "%s: %s", n->kind, n->text);
	timeline_add(&c->tl, n->at_ms, TL_NOTE, who, what, 0);
	free(what);
	if (n->who_name != NULL && *n->who != '\0') {
		c->ids = xreallocarray(c->ids, c->nnames + 1, sizeof *c->ids);
		c->names = xreallocarray(c->names, c->nnames + 1,
		    sizeof *c->names);
		c->ids[c->nnames] = xstrdup(n->who);
		c->names[c->nnames++] = xstrdup(n->who_name);
	}
}

static void
rca_collect_free(struct rca_collect *c)
{
	size_t	 i;

	rca_row_free(&c->row);
	timeline_free(&c->tl);
	for (i = 0; i < c->nalerts; i++)
		free(c->alerts[i]);
	for (i = 0; i < c->nopen; i++)
		free(c->open_alerts[i]);
	free(c->alerts);
	free(c->open_alerts);
	free(c->alert_ids);
	for (i = 0; i < c->nnames; i++) {
		free(c->ids[i]);
		free(c->names[i]);
	}
	free(c->ids);
	free(c->names);
}

int
incident_rca_build(struct store *s, int64_t id, int64_t now_ms,
    const struct incident_closing *closing, char **md, char **cause)
{
	struct rca_collect	 c;
	struct rca_event_arg	 ea;
	struct rca_input	 in;
	int64_t			 until;
	size_t			 i;
	int			 rc = -1;

	memset(&c, 0, sizeof c);
	timeline_init(&c.tl);
	c.all_resolved = 1;
	*md = NULL;
	if ((rc = store_incident_get(s, id, rca_row_cb, &c, cause)) <= 0) {
		if (rc == 0)
			cause_set(cause, "no incident #%lld", (long long)id);
		rc = -1;
		goto out;
	}
	rc = -1;
	if (closing != NULL) {
		c.row.closed_ms = closing->at_ms;
		free((char *)c.row.closed_by);
		c.row.closed_by = rca_dup(closing->by);
		free((char *)c.row.resolution);
		c.row.resolution = rca_dup(closing->resolution);
	}
	until = c.row.closed_ms > 0 ? c.row.closed_ms : now_ms;
	if (store_incident_alerts(s, id, rca_alert_id_cb, &c, cause) < 0)
		goto out;
	ea.c = &c;
	for (i = 0; i < c.nids; i++) {
		ea.alert_id = c.alert_ids[i];
		if (store_alert_by_id(s, c.alert_ids[i], rca_alert_cb, &c,
		    cause) < 0 ||
		    store_alert_events(s, c.alert_ids[i], RCA_EVENTS_MAX,
		    rca_event_cb, &ea, cause) < 0)
			goto out;
	}
	/* Notes first: they name the people the audit rows only id. */
	if (store_incident_notes(s, id, rca_note_cb, &c, cause) < 0 ||
	    store_incident_commands(s, c.row.platform, c.row.channel,
	    c.row.thread, c.row.opened_ms, until, RCA_COMMANDS_MAX, rca_cmd_cb,
	    &c, cause) < 0 ||
	    store_incident_runs(s, c.row.opened_ms, until, RCA_RUNS_MAX,
	    rca_run_cb, &c, cause) < 0)
		goto out;
	timeline_sort(&c.tl);

	memset(&in, 0, sizeof in);
	in.id = id;
	in.title = c.row.title;
	in.severity = c.row.severity;
	in.open = c.row.closed_ms == 0;
	in.status = c.row.status;
	in.opened_by = c.row.opened_by;
	in.opened_ms = c.row.opened_ms;
	in.impact_start_ms = c.first_start;
	in.impact_end_ms = c.nids > 0 && c.all_resolved ? c.last_resolved : 0;
	in.closed_ms = c.row.closed_ms;
	in.closed_by = c.row.closed_by;
	in.resolution = c.row.resolution;
	in.alerts = (const char *const *)c.alerts;
	in.nalerts = c.nalerts;
	in.open_alerts = (const char *const *)c.open_alerts;
	in.nopen_alerts = c.nopen;
	in.tl = &c.tl;
	in.now_ms = now_ms;
	*md = rca_render(&in);
	rc = 0;
out:
	rca_collect_free(&c);
	return rc;
}

int
incident_rca_compute(struct store *s, int64_t id, int64_t now_ms, char **md,
    char **cause)
{
	return incident_rca_build(s, id, now_ms, NULL, md, cause);
}

static void
rca_kept_cb(void *arg, const struct store_incident_row *r)
{
	char	**kept = arg;

	*kept = r->rca != NULL ? xstrdup(r->rca) : NULL;
}

int
incident_rca(struct store *s, int64_t id, char **md, char **cause)
{
	char	*kept = NULL;
	int	 rc;

	*md = NULL;
	if ((rc = store_incident_get(s, id, rca_kept_cb, &kept, cause)) <= 0) {
		if (rc == 0)
			cause_set(cause, "no incident #%lld", (long long)id);
		return -1;
	}
	if (kept != NULL) {
		*md = kept;
		return 0;
	}
	return incident_rca_compute(s, id, clock_now_ms(), md, cause);
}

char *
incident_note_text(const char *text, size_t len)
{
	struct buf	 b;
	size_t		 i;
	char		*raw, *out;

	buf_init(&b);
	for (i = 0; i < len && b.len < RCA_NOTE_MAX; i++) {
		unsigned char ch = (unsigned char)text[i];

		if (ch == '\n' || ch == '\t')
			buf_addc(&b, ' ');
		else if (ch >= 0x20 && ch != 0x7f)
			buf_addc(&b, (char)ch);
	}
	while (b.len > 0 && b.data[b.len - 1] == ' ')
		b.data[--b.len] = '\0';
	raw = buf_detach(&b);
	out = redact_text(raw);
	free(raw);
	return out;
}

/*
 * The draft as code-block messages in the thread, split at line ends.
 * Not a file: Slack's upload (files.getUploadURLExternal, the upload,
 * files.completeUploadExternal) is three calls outside the outbox, which
 * would lose the draft in an outage; a message in the outbox does not,
 * and the full text stays in the store (/rca, the web page).
 */
int
incident_post_rca(struct bot *b, int64_t id, const char *md, char **cause)
{
	const char	*p = md, *end;
	char		*chunk, head[96];
	size_t		 n, total = 0, part = 0;
	struct message	 m;
	int		 rc = 0;

	for (end = md; *end != '\0'; total++) {
		n = strlen(end);
		end += n > RCA_POST_CHUNK ? rca_cut(end, RCA_POST_CHUNK) : n;
	}
	while (rc == 0 && *p != '\0') {
		n = strlen(p);
		if (n > RCA_POST_CHUNK)
			n = rca_cut(p, RCA_POST_CHUNK);
		chunk = xstrndup(p, n);
		p += n;
		memset(&m, 0, sizeof m);
		if (total > 1)
			snprintf(head, sizeof head, "RCA draft, incident #%lld "
			    "(%zu/%zu)", (long long)id, ++part, total);
		else
			snprintf(head, sizeof head, "RCA draft, incident #%lld",
			    (long long)id);
		m.title = head;
		m.status = MESSAGE_INFO;
		m.code = chunk;
		rc = incident_post_message(b, id, &m, cause);
		free(chunk);
	}
	return rc;
}

/*
 * How a group of alerts looks in chat (see alerts_int.h). An engineer
 * should be able to act from the message alone: what is wrong (summary,
 * description), how bad (severity, with its own mark), since when, and
 * where to go (runbook, source, dashboard). The long texts and URLs stay
 * in the store and are read here, one row per alert shown.
 */

#include <stdlib.h>
#include <string.h>

#include "alerts_int.h"
#include "clock.h"
#include "config.h"
#include "escape.h"
#include "runbook_link.h"
#include "store_alerts.h"
#include "xmalloc.h"

#define RENDER_SHOW_MAX		20	/* alerts listed in one message */
/*
 * Slack puts title and text in one section of at most 3,000 characters
 * (escaping grows them): past this many bytes, alerts are only counted.
 */
#define RENDER_TEXT_BUDGET	2000
#define RENDER_SUMMARY_MAX	160
#define RENDER_DESC_MAX		240
#define RENDER_URL_MAX		1500

enum { LINK_RUNBOOK, LINK_SOURCE, LINK_DASHBOARD, LINK_MAX };

static const struct {
	const char	*action;	/* alphanumeric: Mattermost ids */
	const char	*label;
} render_links[LINK_MAX] = {
	{ "alertrunbook", "Runbook" },
	{ "alertsource", "Source" },
	{ "alertdashboard", "Dashboard" },
};

/* A command button: alphanumeric too (docs/protocols.md §5.5). */
#define TICKET_ACTION	"alertticket"

int
alert_visible(const struct alert *a)
{
	return a->state == ALERT_FIRING || a->state == ALERT_ACKED;
}

const char *
alert_label(const struct alert *a, const char *name)
{
	const char	*v = labels_get(&a->labels, name);

	return v != NULL ? v : "";
}

void
alert_host(const struct labels *l, char *out, size_t len)
{
	const char	*v = labels_get(l, "host");
	const char	*colon;

	if (v == NULL && (v = labels_get(l, "instance")) != NULL &&
	    (colon = strrchr(v, ':')) != NULL && strchr(v, ']') == NULL) {
		snprintf(out, len, "%.*s", (int)(colon - v), v);
		return;
	}
	snprintf(out, len, "%s", v != NULL ? v : "");
}

int
alert_severity_rank(const char *s)
{
	if (s == NULL)
		return 2;
	if (strcmp(s, "critical") == 0 || strcmp(s, "page") == 0)
		return 0;
	if (strcmp(s, "warning") == 0 || strcmp(s, "warn") == 0)
		return 1;
	return 2;
}

/* What one alert's row in the store adds to its line (caller releases). */
struct render_extra {
	struct labels	 ann;
	char		*url;
};

static void
render_extra_cb(void *arg, const struct store_alert_row *r)
{
	struct render_extra	*ex = arg;
	char			*err = NULL;

	if (labels_from_json(r->annotations, &ex->ann, &err) != 0) {
		free(err);
		memset(&ex->ann, 0, sizeof ex->ann);
	}
	free(ex->url);
	ex->url = r->url != NULL ? xstrdup(r->url) : NULL;
}

static void
render_extra_release(struct render_extra *ex)
{
	labels_release(&ex->ann);
	free(ex->url);
	memset(ex, 0, sizeof *ex);
}

/*
 * A URL safe to put in a button: http(s), printable ASCII without
 * spaces or quotes. Slack refuses a whole message for one bad url, so an
 * odd one is left out rather than risk the alert never showing.
 */
static int
render_url_ok(const char *u)
{
	size_t	 n;

	if (u == NULL || (strncmp(u, "https://", 8) != 0 &&
	    strncmp(u, "http://", 7) != 0))
		return 0;
	for (n = 0; u[n] != '\0'; n++) {
		if (u[n] <= ' ' || u[n] >= 0x7f || u[n] == '"' ||
		    u[n] == '<' || u[n] == '>' || u[n] == '|')
			return 0;
	}
	return n <= RENDER_URL_MAX;
}

static const char *
render_annotation(const struct labels *ann, const char *a, const char *b)
{
	const char	*v = labels_get(ann, a);

	if (v == NULL && b != NULL)
		v = labels_get(ann, b);
	return v;
}

/*
 * Adds s on one line, at most max bytes (cut at a character boundary,
 * with "…"): descriptions are often paragraphs.
 */
static void
render_add_short(struct buf *b, const char *s, size_t max)
{
	size_t	 n = strlen(s), i;

	if (n > max) {
		n = max;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	for (i = 0; i < n; i++)
		buf_addc(b, s[i] == '\n' || s[i] == '\r' || s[i] == '\t' ?
		    ' ' : s[i]);
	if (n < strlen(s))
		buf_adds(b, "…");
}

/* "45s", "12m", "3h 5m", "2d 4h". */
static void
render_duration(struct buf *b, int64_t ms)
{
	int64_t	 s = ms > 0 ? ms / 1000 : 0;

	if (s < 60)
		buf_addf(b, "%llds", (long long)s);
	else if (s < 3600)
		buf_addf(b, "%lldm", (long long)(s / 60));
	else if (s < 86400)
		buf_addf(b, "%lldh %lldm", (long long)(s / 3600),
		    (long long)(s % 3600 / 60));
	else
		buf_addf(b, "%lldd %lldh", (long long)(s / 86400),
		    (long long)(s % 86400 / 3600));
}

/*
 * The mark in front of an alert: its severity while open (a critical and
 * a warning never look alike, even without colour), else its state.
 */
static const char *
render_mark(const struct alert *a)
{
	if (a->state == ALERT_RESOLVED)
		return "✅";
	if (a->state == ALERT_SILENCED)
		return "🔕";
	switch (alert_severity_rank(alert_label(a, "severity"))) {
	case 0:
		return "🔴";
	case 1:
		return "🟠";
	}
	return "🔵";
}

int64_t
alert_since_ms(const struct alert *a, int64_t now_ms)
{
	int64_t	 since = a->starts_ms != 0 ? a->starts_ms : a->first_seen_ms;

	return since > now_ms ? now_ms : since;
}

/*
 * One alert:
 *   🔴 #12 DiskFull on db-01 · CRITICAL · firing for 12m
 *      Disk almost full
 *      /var is 95% used and grows 2 GB an hour
 */
static void
render_alert(struct buf *b, const struct alert *a,
    const struct render_extra *ex)
{
	const char	*sev = alert_label(a, "severity");
	const char	*sum, *desc;
	char		 host[128];
	int64_t		 since = alert_since_ms(a, clock_now_ms());
	size_t		 i;

	alert_host(&a->labels, host, sizeof host);
	buf_addf(b, "%s #%lld %s", render_mark(a), (long long)a->id,
	    alert_label(a, "alertname"));
	if (*host != '\0')
		buf_addf(b, " on %s", host);
	buf_adds(b, " · ");
	if (*sev == '\0')
		buf_adds(b, "NO SEVERITY");
	for (i = 0; sev[i] != '\0' && i < 24; i++)
		buf_addc(b, sev[i] >= 'a' && sev[i] <= 'z' ?
		    (char)(sev[i] - 'a' + 'A') : sev[i]);
	buf_adds(b, " · ");
	switch (a->state) {
	case ALERT_FIRING:
		break;
	case ALERT_ACKED:
		buf_addf(b, "acknowledged by %s · ", a->acked_by != NULL ?
		    a->acked_by : "?");
		break;
	case ALERT_SILENCED:
		buf_addf(b, "silenced (#%lld) · ", (long long)a->silence_id);
		break;
	case ALERT_RESOLVED:
		buf_adds(b, "resolved after ");
		render_duration(b, (a->ends_ms != 0 ? a->ends_ms :
		    clock_now_ms()) - since);
		buf_addc(b, '\n');
		break;
	}
	if (a->state != ALERT_RESOLVED) {
		buf_adds(b, "firing for ");
		render_duration(b, clock_now_ms() - since);
		buf_addc(b, '\n');
	}
	sum = render_annotation(&ex->ann, "summary", NULL);
	if (sum == NULL)
		sum = a->summary;
	desc = render_annotation(&ex->ann, "description", "message");
	if (sum != NULL && *sum != '\0') {
		buf_adds(b, "      ");
		render_add_short(b, sum, RENDER_SUMMARY_MAX);
		buf_addc(b, '\n');
	}
	if (desc != NULL && *desc != '\0' && (sum == NULL ||
	    strcmp(sum, desc) != 0)) {
		buf_adds(b, "      ");
		render_add_short(b, desc, RENDER_DESC_MAX);
		buf_addc(b, '\n');
	}
}

/*
 * runbooks.map's runbook for a, when its own annotation gives none: a
 * URL (or the web page's) into the runbook slot, a library file without
 * a page into the command the button runs.
 */
static void
render_mapped_runbook(struct group_msg *gm, const struct config *cfg,
    const struct alert *a)
{
	const struct cfg_runbook_map	*m;
	struct runbook_subject		 s;
	struct runbook_link		 l;
	char				 host[256];

	if (cfg == NULL || gm->links[LINK_RUNBOOK] != NULL ||
	    gm->rb_command != NULL)
		return;
	alert_host(&a->labels, host, sizeof host);
	memset(&s, 0, sizeof s);
	s.alertname = labels_get(&a->labels, "alertname");
	s.service = labels_get(&a->labels, "service");
	s.job = labels_get(&a->labels, "job");
	s.host = host;
	if ((m = runbook_find(cfg, &s, NULL)) == NULL)
		return;
	runbook_link_make(cfg, m->runbook, NULL, &l);
	if (l.url != NULL && render_url_ok(l.url)) {
		gm->links[LINK_RUNBOOK] = l.url;
		l.url = NULL;
	} else if (l.command != NULL) {
		gm->rb_command = l.command;
		gm->rb_label = l.label;
		l.command = l.label = NULL;
	}
	runbook_link_release(&l);
}

/* Keeps the first usable link of each kind, in the order alerts show. */
static void
render_take_links(struct group_msg *gm, const struct config *cfg,
    const struct alert *a, const struct render_extra *ex)
{
	const char	*v[LINK_MAX];
	int		 i;

	v[LINK_RUNBOOK] = render_annotation(&ex->ann, "runbook_url",
	    "runbook");
	if (!render_url_ok(v[LINK_RUNBOOK]))
		render_mapped_runbook(gm, cfg, a);
	v[LINK_SOURCE] = ex->url;
	v[LINK_DASHBOARD] = render_annotation(&ex->ann, "dashboard_url",
	    "dashboard");
	for (i = 0; i < LINK_MAX; i++) {
		if (gm->links[i] == NULL && render_url_ok(v[i]))
			gm->links[i] = xstrdup(v[i]);
	}
}

/* Firing first, then acknowledged, silenced, resolved; worst first; by id. */
static int
render_cmp(const void *x, const void *y)
{
	const struct alert	*a = *(const struct alert *const *)x;
	const struct alert	*b = *(const struct alert *const *)y;
	int			 ra, rb;

	if (a->state != b->state)
		return (int)a->state - (int)b->state;
	ra = alert_severity_rank(alert_label(a, "severity"));
	rb = alert_severity_rank(alert_label(b, "severity"));
	if (ra != rb)
		return ra - rb;
	return a->id < b->id ? -1 : a->id > b->id;
}

/* The alerts of g in the order chat shows them; returns how many. */
static size_t
render_order(const struct agroup *g, const struct alert **out)
{
	size_t	 i;

	for (i = 0; i < g->n; i++)
		out[i] = g->members[i].alert;
	qsort(out, g->n, sizeof *out, render_cmp);
	return g->n;
}

static void
render_title(const struct agroup *g, struct group_msg *gm, size_t nopen,
    size_t nres)
{
	size_t	 i;

	if (nopen > 0)
		buf_addf(&gm->title, "[FIRING:%zu] ", nopen);
	else if (nres == g->n)
		buf_adds(&gm->title, "[RESOLVED] ");
	else
		buf_adds(&gm->title, "[SILENCED] ");
	/* "DiskFull · db-01": the values say it; the names are noise. */
	for (i = 0; i < g->glabels.n && i < 4; i++)
		buf_addf(&gm->title, "%s%s", i == 0 ? "" : " · ",
		    *g->glabels.v[i].value != '\0' ? g->glabels.v[i].value :
		    "-");
	if (g->glabels.n == 0)
		buf_adds(&gm->title, "alerts");
}

/* Acknowledge (the firing ones), Silence 1h, Remediate, then the links. */
static void
render_buttons(const struct agroup *g, struct group_msg *gm, size_t nfiring,
    size_t nopen, int ticket_button)
{
	struct message	*m = &gm->m;
	size_t		 i, n;

	if (nfiring > 0) {
		buf_adds(&gm->ack, "ack");
		for (i = 0, n = 0; i < g->n && n < 50; i++) {
			if (g->members[i].alert->state == ALERT_FIRING) {
				buf_addf(&gm->ack, " %lld",
				    (long long)g->members[i].alert->id);
				n++;
			}
		}
		m->buttons[m->nbuttons].action = "alert_ack";
		m->buttons[m->nbuttons].label = "Acknowledge";
		m->buttons[m->nbuttons].value = gm->ack.data;
		m->nbuttons++;
	}
	if (nopen > 0 && g->glabels.n > 0) {
		buf_adds(&gm->sil, "silence");
		for (i = 0; i < g->glabels.n; i++) {
			buf_addf(&gm->sil, " %s=", g->glabels.v[i].name);
			escape_dquoted(&gm->sil, g->glabels.v[i].value);
		}
		buf_adds(&gm->sil, " 1h from the button");
		m->buttons[m->nbuttons].action = "alert_silence";
		m->buttons[m->nbuttons].label = "Silence 1h";
		m->buttons[m->nbuttons].value = gm->sil.data;
		m->nbuttons++;
	}
	/* The route's fix, for a person to run (and confirm) with a click. */
	for (i = 0; nfiring > 0 && g->route->remediate != NULL && i < g->n;
	    i++) {
		if (g->members[i].alert->state != ALERT_FIRING)
			continue;
		if (alerts_remedy_line(g->route, g->members[i].alert,
		    &gm->fix) == 0) {
			m->buttons[m->nbuttons].action = "alert_remediate";
			m->buttons[m->nbuttons].label = "Remediate…";
			m->buttons[m->nbuttons].value = gm->fix.data;
			m->nbuttons++;
			buf_addf(&gm->text, "Proposed: %s (the button shows "
			    "what it runs first)\n", gm->fix.data);
			m->text = gm->text.data;
		}
		break;
	}
	/* A route that opens tickets by itself needs no button. */
	if (ticket_button && nopen > 0 && !g->route->ticket && g->n > 0) {
		buf_addf(&gm->tkt, "ticket alert %lld",
		    (long long)g->members[0].alert->id);
		m->buttons[m->nbuttons].action = TICKET_ACTION;
		m->buttons[m->nbuttons].label = "Create ticket";
		m->buttons[m->nbuttons].value = gm->tkt.data;
		m->nbuttons++;
	}
	for (i = 0; i < LINK_MAX && m->nbuttons < MESSAGE_MAX_BUTTONS; i++) {
		if (i == LINK_RUNBOOK && gm->links[i] == NULL &&
		    gm->rb_command != NULL) {
			m->buttons[m->nbuttons].action = render_links[i].action;
			m->buttons[m->nbuttons].label = gm->rb_label;
			m->buttons[m->nbuttons].value = gm->rb_command;
			m->nbuttons++;
			continue;
		}
		if (gm->links[i] == NULL)
			continue;
		m->buttons[m->nbuttons].action = render_links[i].action;
		m->buttons[m->nbuttons].label = render_links[i].label;
		m->buttons[m->nbuttons].url = gm->links[i];
		m->nbuttons++;
	}
}

void
group_render(struct store *store, const struct config *cfg,
    const struct agroup *g, int ticket_button, struct group_msg *gm)
{
	const struct alert	**order;
	struct render_extra	 ex;
	size_t			 i, n, nfiring = 0, nacked = 0, nres = 0;
	size_t			 nshown = 0;
	int			 worst = 3, rank;
	const char		*mention = g->route->mention;

	memset(gm, 0, sizeof *gm);
	buf_init(&gm->title);
	buf_init(&gm->text);
	buf_init(&gm->ack);
	buf_init(&gm->sil);
	buf_init(&gm->fix);
	buf_init(&gm->tkt);
	for (i = 0; i < g->n; i++) {
		const struct alert *a = g->members[i].alert;

		if (a->state == ALERT_FIRING)
			nfiring++;
		else if (a->state == ALERT_ACKED)
			nacked++;
		else if (a->state == ALERT_RESOLVED)
			nres++;
		rank = alert_severity_rank(alert_label(a, "severity"));
		if (alert_visible(a) && rank < worst)
			worst = rank;
	}
	render_title(g, gm, nfiring + nacked, nres);
	gm->m.title = gm->title.data;
	gm->m.status = nfiring + nacked == 0 ? (nres == g->n ? MESSAGE_OK :
	    MESSAGE_INFO) : worst == 0 ? MESSAGE_CRIT : worst == 1 ?
	    MESSAGE_WARN : MESSAGE_INFO;
	if (mention != NULL && worst == 0 && nfiring > 0)
		gm->m.mention = mention;	/* live: it must page */

	order = xreallocarray(NULL, g->n > 0 ? g->n : 1, sizeof *order);
	n = render_order(g, order);
	for (i = 0; i < n; i++) {
		if (nshown >= RENDER_SHOW_MAX ||
		    gm->text.len >= RENDER_TEXT_BUDGET)
			break;
		memset(&ex, 0, sizeof ex);
		/* A store error costs the details, not the message. */
		if (store != NULL)
			store_alert_by_id(store, order[i]->id,
			    render_extra_cb, &ex, NULL);
		render_alert(&gm->text, order[i], &ex);
		render_take_links(gm, cfg, order[i], &ex);
		render_extra_release(&ex);
		nshown++;
	}
	if (nshown < n)
		buf_addf(&gm->text, "… and %zu more (/alerts lists them)\n",
		    n - nshown);
	free(order);
	gm->m.text = gm->text.data;
	render_buttons(g, gm, nfiring, nfiring + nacked, ticket_button);
}

void
group_msg_release(struct group_msg *gm)
{
	int	 i;

	buf_release(&gm->title);
	buf_release(&gm->text);
	buf_release(&gm->ack);
	buf_release(&gm->sil);
	buf_release(&gm->fix);
	buf_release(&gm->tkt);
	for (i = 0; i < LINK_MAX; i++)
		free(gm->links[i]);
	free(gm->rb_label);
	free(gm->rb_command);
	memset(gm, 0, sizeof *gm);
}

int
group_render_changes(const struct agroup *g, struct buf *text)
{
	static const char *const heads[] = { "Firing", "Acknowledged",
	    "Silenced", "Resolved" };
	size_t		 i;
	int		 st, n = 0, any;
	struct alert	*a;

	for (st = 0; st < 4; st++) {
		any = 0;
		for (i = 0; i < g->n; i++) {
			a = g->members[i].alert;
			if ((int)a->state != st || g->members[i].shown == st)
				continue;
			if (!any)
				buf_addf(text, "%s:", heads[st]);
			if (any < RENDER_SHOW_MAX)
				buf_addf(text, " #%lld", (long long)a->id);
			any++;
			n++;
		}
		if (any > RENDER_SHOW_MAX)
			buf_addf(text, " (+%d)", any - RENDER_SHOW_MAX);
		if (any && st == ALERT_ACKED) {
			for (i = 0; i < g->n; i++) {
				a = g->members[i].alert;
				if (a->state == ALERT_ACKED &&
				    g->members[i].shown != ALERT_ACKED) {
					buf_addf(text, " by %s", a->acked_by);
					break;
				}
			}
		}
		if (any)
			buf_addc(text, '\n');
	}
	return n;
}

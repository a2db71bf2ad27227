/*
 * The alert engine (see alerts.h). The store is the truth; memory holds
 * the alerts that are not resolved (or whose resolution chat has not seen
 * yet), the groups that show them, the open notes (which chat message
 * shows which group) and the active silences. A batch is written in one
 * transaction first and applied to memory only once committed, so a
 * failed commit leaves nothing behind.
 */

#include <libwebsockets.h>
#include <stdlib.h>
#include <string.h>

#include "alerts.h"
#include "alerts_int.h"
#include "buf.h"
#include "clock.h"
#include "config.h"
#include "log.h"
#include "loop.h"
#include "store.h"
#include "store_alerts.h"
#include "xmalloc.h"

#define ALERTS_HASH		4096	/* fingerprint buckets */
#define ALERTS_DIGEST_RETRY_MS	2000	/* how often a digest looks */
#define ALERTS_DIGEST_NAMES	8

/* Alerts held back from a backed-up receiver, posted as one summary. */
struct adigest {
	char		*receiver;
	size_t		 ngroups;
	size_t		 nalerts;
	size_t		 ncritical;
	struct {
		char	*name;
		size_t	 n;
	}		 names[ALERTS_DIGEST_NAMES];
	size_t		 nnames;
	struct adigest	*next;
};

struct alerts {
	const struct config	*cfg;
	struct store		*store;
	struct loop		*loop;
	struct alerts_sink	 sink;
	struct alert		*hash[ALERTS_HASH];
	struct alert		*head, *tail;	/* by id */
	struct alert		**byid;		/* the same, an array */
	size_t			 count, cap;
	struct agroup		*groups;
	struct silence		*silences;
	struct adigest		*digests;
	lws_sorted_usec_list_t	 timer;
	int			 timer_armed;
};

static void	alerts_schedule(struct alerts *);
static void	alerts_collect(struct alerts *);

static const char *const alert_state_names[] = { "firing", "acknowledged",
    "silenced", "resolved" };

const char *
alert_state_name(enum alert_state s)
{
	return alert_state_names[s];
}

static int
alert_state_parse(const char *s)
{
	int	 i;

	for (i = 0; s != NULL && i < 4; i++) {
		if (strcmp(s, alert_state_names[i]) == 0)
			return i;
	}
	return -1;
}

/*
 * What chat shows of the annotations (caller frees; NULL if none): the
 * rest stays in the store, which keeps an open alert small in memory.
 */
static char *
alert_summary_of(const struct labels *ann)
{
	const char	*v;

	if ((v = labels_get(ann, "summary")) != NULL ||
	    (v = labels_get(ann, "description")) != NULL ||
	    (v = labels_get(ann, "message")) != NULL)
		return xstrdup(v);
	return NULL;
}

/* Sources are a handful of words: one copy each, for the process. */
static const char *
alert_source_intern(const char *s)
{
	static const char *const known[] = { "alertmanager", "grafana",
	    "generic", "opsbot" };
	size_t	 i;

	for (i = 0; i < sizeof known / sizeof known[0]; i++) {
		if (strcmp(known[i], s) == 0)
			return known[i];
	}
	return "other";
}

/* ------------------------------------------------------------ memory */

static unsigned int
alerts_bucket(const char *fp)
{
	return (unsigned int)strtoull(fp + 10, NULL, 16) % ALERTS_HASH;
}

static struct alert *
alerts_by_fp(const struct alerts *al, const char *fp)
{
	struct alert	*a;

	for (a = al->hash[alerts_bucket(fp)]; a != NULL; a = a->hnext) {
		if (strcmp(a->fp, fp) == 0)
			return a;
	}
	return NULL;
}

/* Where in al->byid an alert with this id goes: after those <= id. */
static size_t
alerts_byid_pos(const struct alerts *al, int64_t id)
{
	size_t	 lo = 0, hi = al->count, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (al->byid[mid]->id <= id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * Links a new alert in, keeping the list in id order. An alert that
 * fires again comes back with its old id: the array finds its place
 * without walking the list.
 */
static void
alerts_link(struct alerts *al, struct alert *a)
{
	struct alert	*at;
	unsigned int	 b = alerts_bucket(a->fp);
	size_t		 pos;

	a->hnext = al->hash[b];
	al->hash[b] = a;
	if (al->count == al->cap) {
		al->cap = al->cap == 0 ? 64 : al->cap * 2;
		al->byid = xreallocarray(al->byid, al->cap, sizeof *al->byid);
	}
	pos = alerts_byid_pos(al, a->id);
	memmove(&al->byid[pos + 1], &al->byid[pos],
	    (al->count - pos) * sizeof *al->byid);
	al->byid[pos] = a;
	at = pos > 0 ? al->byid[pos - 1] : NULL;
	a->prev = at;
	a->next = at != NULL ? at->next : al->head;
	if (a->next != NULL)
		a->next->prev = a;
	else
		al->tail = a;
	if (at != NULL)
		at->next = a;
	else
		al->head = a;
	al->count++;
}

static void
alert_free(struct alert *a)
{
	labels_release(&a->labels);
	free(a->summary);
	free(a->acked_by);
	free(a->acked_ref);
	free(a);
}

static void
alerts_unlink(struct alerts *al, struct alert *a)
{
	struct alert	**pp = &al->hash[alerts_bucket(a->fp)];
	size_t		 pos = alerts_byid_pos(al, a->id);

	while (*pp != a)
		pp = &(*pp)->hnext;
	*pp = a->hnext;
	while (al->byid[--pos] != a)
		;
	memmove(&al->byid[pos], &al->byid[pos + 1],
	    (al->count - pos - 1) * sizeof *al->byid);
	if (a->prev != NULL)
		a->prev->next = a->next;
	else
		al->head = a->next;
	if (a->next != NULL)
		a->next->prev = a->prev;
	else
		al->tail = a->prev;
	al->count--;
	alert_free(a);
}

/* ----------------------------------------------------------- routing */

/*
 * Alertmanager's walk: a node that matches tries its children in order;
 * the first child that matches takes the alert (and the next ones too
 * if it says continue); when no child does, the node itself does.
 */
static int
alerts_route_walk(const struct cfg_route *r, const struct labels *l,
    const struct cfg_route **out, int max, int *n)
{
	size_t	 i;
	int	 taken = 0;

	if (!matchers_match(&r->matchers, l))
		return 0;
	for (i = 0; i < r->nroutes; i++) {
		if (alerts_route_walk(&r->routes[i], l, out, max, n)) {
			taken = 1;
			if (!r->routes[i].cont)
				break;
		}
	}
	if (!taken && *n < max)
		out[(*n)++] = r;
	return 1;
}

static char *
alerts_group_key(const struct cfg_route *r, const struct labels *l,
    struct labels *glabels)
{
	struct buf	 b;
	size_t		 i;
	char		*text;

	memset(glabels, 0, sizeof *glabels);
	for (i = 0; i < r->group_by.n; i++) {
		if (strcmp(r->group_by.v[i], "...") == 0) {
			labels_release(glabels);
			labels_copy(glabels, l);
			break;
		}
		labels_set(glabels, r->group_by.v[i],
		    labels_get(l, r->group_by.v[i]) != NULL ?
		    labels_get(l, r->group_by.v[i]) : "");
	}
	text = labels_to_text(glabels);
	buf_init(&b);
	buf_addf(&b, "%s{%s}", r->path, text);
	free(text);
	return buf_detach(&b);
}

static struct agroup *
alerts_group_find(struct alerts *al, const char *key)
{
	struct agroup	*g;

	for (g = al->groups; g != NULL; g = g->next) {
		if (strcmp(g->key, key) == 0)
			return g;
	}
	return NULL;
}

static void
group_add_member(struct agroup *g, struct alert *a, int shown)
{
	size_t	 i;

	for (i = 0; i < g->n; i++) {
		if (g->members[i].alert == a)
			return;
	}
	if (g->n == g->cap) {
		g->cap = g->cap == 0 ? 8 : g->cap * 2;
		g->members = xreallocarray(g->members, g->cap,
		    sizeof *g->members);
	}
	g->members[g->n].alert = a;
	g->members[g->n].shown = shown;
	g->n++;
	if (a->ngroups < ALERT_MAX_GROUPS)
		a->groups[a->ngroups++] = g;
}

/* Something in g changed: flush after group_wait, or group_interval. */
static void
group_touch(struct agroup *g, int64_t now, int at_once)
{
	int64_t	 due;

	if (at_once)
		due = now;
	else if (g->last_flush == 0)
		due = now + g->route->group_wait_s * 1000;
	else {
		due = g->last_flush + g->route->group_interval_s * 1000;
		if (due < now)
			due = now;
	}
	if (g->due == 0 || due < g->due)
		g->due = due;
}

/* Puts a (new to memory) alert into the groups of the routes it takes. */
static void
alerts_route(struct alerts *al, struct alert *a, int shown)
{
	const struct cfg_route	*routes[ALERT_MAX_GROUPS];
	struct agroup		*g;
	struct labels		 gl;
	char			*key;
	int			 n = 0, i;

	alerts_route_walk(&al->cfg->alerts.route, &a->labels, routes,
	    ALERT_MAX_GROUPS, &n);
	for (i = 0; i < n; i++) {
		if (routes[i]->channels.n == 0)
			continue;
		key = alerts_group_key(routes[i], &a->labels, &gl);
		if ((g = alerts_group_find(al, key)) == NULL) {
			g = xcalloc(1, sizeof *g);
			g->key = key;
			g->route = routes[i];
			g->glabels = gl;
			g->next = al->groups;
			al->groups = g;
		} else {
			free(key);
			labels_release(&gl);
		}
		group_add_member(g, a, shown);
	}
}

static void
alerts_touch_groups(struct alerts *al, struct alert *a, int at_once)
{
	int64_t	 now = clock_now_ms();
	int	 i;

	for (i = 0; i < a->ngroups; i++)
		group_touch(a->groups[i], now, at_once);
}

static void
note_free(struct anote *n)
{
	free(n->receiver);
	free(n);
}

static void
group_free(struct agroup *g)
{
	struct anote	*n;

	while ((n = g->notes) != NULL) {
		g->notes = n->next;
		note_free(n);
	}
	free(g->key);
	labels_release(&g->glabels);
	free(g->members);
	free(g);
}

static void
group_drop_member(struct agroup *g, size_t i)
{
	struct alert	*a = g->members[i].alert;
	int		 j;

	for (j = 0; j < a->ngroups; j++) {
		if (a->groups[j] == g) {
			a->groups[j] = a->groups[--a->ngroups];
			break;
		}
	}
	g->members[i] = g->members[--g->n];
}

/* --------------------------------------------------------- silences */

static const struct silence *
alerts_silenced_by(const struct alerts *al, const struct labels *l)
{
	const struct silence	*s;
	int64_t			 now = clock_now_ms();

	for (s = al->silences; s != NULL; s = s->next) {
		if (s->ends_ms > now && matchers_match(&s->matchers, l))
			return s;
	}
	return NULL;
}

static void
silence_free(struct silence *s)
{
	matchers_release(&s->matchers);
	free(s->author);
	free(s->reason);
	free(s->remote_url);
	free(s->remote_id);
	free(s);
}

/* ------------------------------------------------------------- store */

static int
alerts_put(struct alerts *al, const struct alert *a, int shown,
    int64_t *id, char **cause)
{
	struct store_alert_row	 r;
	char			*labels = labels_to_json(&a->labels);
	char			 host[256];
	int64_t			 got;

	alert_host(&a->labels, host, sizeof host);
	memset(&r, 0, sizeof r);
	r.fingerprint = a->fp;
	r.source = a->source;
	r.alertname = alert_label(a, "alertname");
	r.severity = alert_label(a, "severity");
	r.host = host;
	r.labels = labels;
	/* NULL keeps what the store has (memory holds no annotations). */
	r.annotations = a->annotations;
	r.url = a->url;
	r.state = alert_state_name(a->state);
	r.shown = shown >= 0 ? alert_state_name((enum alert_state)shown) :
	    NULL;
	r.starts_ms = a->starts_ms;
	r.ends_ms = a->ends_ms;
	r.first_seen_ms = a->first_seen_ms;
	r.last_seen_ms = a->last_seen_ms;
	r.received = a->received;
	r.acked_by = a->acked_by;
	r.silence_id = a->silence_id;
	got = store_alert_put(al->store, &r, cause);
	free(labels);
	if (got < 0)
		return -1;
	if (id != NULL)
		*id = got;
	return 0;
}

/* The state chat has seen of a, over all its groups (the least). */
static int
alert_shown(const struct alert *a)
{
	size_t	 i;
	int	 j, shown = -2;

	for (j = 0; j < a->ngroups; j++) {
		for (i = 0; i < a->groups[j]->n; i++) {
			if (a->groups[j]->members[i].alert == a &&
			    (shown == -2 || a->groups[j]->members[i].shown !=
			    (int)a->state))
				shown = a->groups[j]->members[i].shown;
		}
	}
	return shown == -2 ? (int)a->state : shown;
}

/* ----------------------------------------------------------- loading */

struct alerts_load {
	struct alerts	*al;
	int		 errors;
};

static void
alerts_load_alert(void *arg, const struct store_alert_row *r)
{
	struct alerts_load	*ld = arg;
	struct alert		*a = xcalloc(1, sizeof *a);
	struct labels		 ann = { NULL, 0 };
	char			*err = NULL;
	int			 st = alert_state_parse(r->state);

	a->id = r->id;
	snprintf(a->fp, sizeof a->fp, "%s", r->fingerprint);
	a->source = alert_source_intern(r->source);
	if (labels_from_json(r->labels, &a->labels, &err) != 0 ||
	    labels_from_json(r->annotations, &ann, &err) != 0 || st < 0) {
		log_warn("alerts", "alert #%lld in the store is unreadable "
		    "(%s); skipped", (long long)r->id, err != NULL ? err :
		    "bad state");
		free(err);
		alert_free(a);
		ld->errors++;
		return;
	}
	a->summary = alert_summary_of(&ann);
	labels_release(&ann);
	a->state = (enum alert_state)st;
	a->starts_ms = r->starts_ms;
	a->ends_ms = r->ends_ms;
	a->first_seen_ms = r->first_seen_ms;
	a->last_seen_ms = r->last_seen_ms;
	a->received = r->received;
	a->acked_by = r->acked_by != NULL ? xstrdup(r->acked_by) : NULL;
	a->silence_id = r->silence_id;
	alerts_link(ld->al, a);
	alerts_route(ld->al, a, alert_state_parse(r->shown));
	if (alert_state_parse(r->shown) != (int)a->state)
		alerts_touch_groups(ld->al, a, 0);
}

static void
alerts_load_silence(void *arg, const struct store_silence_row *r)
{
	struct alerts_load	*ld = arg;
	struct silence		*s = xcalloc(1, sizeof *s);
	char			*err = NULL;

	s->id = r->id;
	if (matchers_from_json(r->matchers, &s->matchers, &err) != 0) {
		log_warn("alerts", "silence #%lld is unreadable (%s); skipped",
		    (long long)r->id, err);
		free(err);
		free(s);
		ld->errors++;
		return;
	}
	s->created_ms = r->created_ms;
	s->ends_ms = r->ends_ms;
	s->author = xstrdup(r->author);
	s->reason = xstrdup(r->reason != NULL ? r->reason : "");
	if (r->remote_url != NULL && r->remote_id != NULL) {
		s->remote_url = xstrdup(r->remote_url);
		s->remote_id = xstrdup(r->remote_id);
	}
	s->next = ld->al->silences;
	ld->al->silences = s;
}

static void
alerts_load_note(void *arg, const struct store_note_row *r)
{
	struct alerts_load	*ld = arg;
	struct agroup		*g = alerts_group_find(ld->al, r->group_key);
	struct anote		*n;

	/* A note whose alerts are all gone stays as it last was. */
	if (g == NULL)
		return;
	n = xcalloc(1, sizeof *n);
	n->id = r->id;
	n->receiver = xstrdup(r->receiver);
	n->outbox_id = r->outbox_id;
	n->repeated_ms = r->repeated_ms;
	n->next = g->notes;
	g->notes = n;
	/* Flushed before: later changes wait group_interval, not wait. */
	if (g->last_flush == 0)
		g->last_flush = r->created_ms;
}

struct alerts *
alerts_create(const struct config *cfg, struct store *store,
    struct loop *loop, const struct alerts_sink *sink, char **cause)
{
	struct alerts		*al = xcalloc(1, sizeof *al);
	struct alerts_load	 ld = { al, 0 };

	al->cfg = cfg;
	al->store = store;
	al->loop = loop;
	al->sink = *sink;
	if (store_silences_load(store, alerts_load_silence, &ld, cause) < 0 ||
	    store_alerts_load_active(store, alerts_load_alert, &ld,
	    cause) < 0 ||
	    store_alerts_load_shown(store, alerts_load_alert, &ld,
	    cause) < 0 ||
	    store_notes_load_open(store, alerts_load_note, &ld, cause) < 0) {
		alerts_free(al);
		return NULL;
	}
	/* Resolved alerts whose group is over anyway go at once. */
	alerts_collect(al);
	log_info("alerts", "%zu open alert(s), %s silence(s) loaded",
	    al->count, al->silences != NULL ? "some" : "no");
	alerts_schedule(al);
	return al;
}

void
alerts_set_config(struct alerts *al, const struct config *cfg)
{
	if (al != NULL)
		al->cfg = cfg;
}

void
alerts_free(struct alerts *al)
{
	struct agroup	*g;
	struct silence	*s;
	struct adigest	*d;
	size_t		 i;

	if (al == NULL)
		return;
	if (al->timer_armed)
		lws_sul_cancel(&al->timer);
	while ((g = al->groups) != NULL) {
		al->groups = g->next;
		group_free(g);
	}
	while (al->tail != NULL)
		alerts_unlink(al, al->tail);
	free(al->byid);
	while ((s = al->silences) != NULL) {
		al->silences = s->next;
		silence_free(s);
	}
	while ((d = al->digests) != NULL) {
		al->digests = d->next;
		for (i = 0; i < d->nnames; i++)
			free(d->names[i].name);
		free(d->receiver);
		free(d);
	}
	free(al);
}

/* ------------------------------------------------------------ intake */

/* What one incoming alert does, decided before the commit. */
struct alerts_plan {
	const struct alert_in	*in;
	struct alert		*a;		/* in memory, or NULL */
	int64_t			 id;
	enum alert_state	 state;
	int64_t			 silence_id;
	int64_t			 received;	/* deliveries, this one too */
	const char		*event;		/* or NULL: a repeat */
	int			 skip;		/* a later one has this fp */
	int			 forget;	/* resolved, never seen firing */
};

/*
 * When an alert started: a sender without a start time (generic, own
 * checks) stamps each delivery "now", which must not reset how long an
 * open alert has been firing.
 */
static int64_t
alert_start(const struct alert *a, const struct alert_in *in)
{
	if (a != NULL && a->state != ALERT_RESOLVED && a->starts_ms != 0 &&
	    a->starts_ms < in->starts_ms)
		return a->starts_ms;
	return in->starts_ms;
}

static void
alert_fill(struct alert *a, const struct alert_in *in, const char *source)
{
	a->source = alert_source_intern(source);
	/* A repeat carries the same labels (same fingerprint): keep them. */
	if (!labels_equal(&a->labels, &in->labels)) {
		labels_release(&a->labels);
		labels_copy(&a->labels, &in->labels);
	}
	free(a->summary);
	a->summary = alert_summary_of(&in->annotations);
	a->starts_ms = alert_start(a, in);
	a->ends_ms = in->ends_ms;
}

int
alerts_ingest(struct alerts *al, const struct alert_batch *b, char **cause)
{
	struct alerts_plan	*plan;
	struct alert		 tmp, *a;
	const struct silence	*s;
	int64_t			 now = clock_now_ms();
	size_t			 i, j;
	int			 shown;

	if (b->n == 0)
		return 0;
	plan = xcalloc(b->n, sizeof *plan);
	if (store_begin(al->store, cause) != 0) {
		free(plan);
		return -1;
	}
	for (i = 0; i < b->n; i++) {
		struct alerts_plan *p = &plan[i];
		int64_t received = 0;
		int known, rc;

		p->in = &b->v[i];
		/* One alert twice in a batch: the last word counts. */
		for (j = i + 1; j < b->n; j++) {
			if (strcmp(b->v[j].fingerprint, p->in->fingerprint) == 0)
				p->skip = 1;
		}
		if (p->skip)
			continue;
		p->a = a = alerts_by_fp(al, p->in->fingerprint);
		p->silence_id = a != NULL ? a->silence_id : 0;
		if (p->in->resolved) {
			p->state = ALERT_RESOLVED;
			if (a == NULL) {
				/* Resolved long ago, or never seen: count it. */
				p->forget = 1;
				if (store_alert_known(al->store,
				    p->in->fingerprint, &p->id, &received,
				    cause) < 0)
					goto fail;
			} else if (a->state != ALERT_RESOLVED)
				p->event = "resolved";
		} else if (a != NULL && a->state != ALERT_RESOLVED)
			p->state = a->state;
		else {
			s = alerts_silenced_by(al, &p->in->labels);
			p->state = s != NULL ? ALERT_SILENCED : ALERT_FIRING;
			p->silence_id = s != NULL ? s->id : 0;
			known = a != NULL;
			if (a == NULL && (known = store_alert_known(al->store,
			    p->in->fingerprint, &p->id, &received,
			    cause)) < 0)
				goto fail;
			p->event = known ? (s != NULL ?
			    "fired again (silenced)" : "fired again") :
			    s != NULL ? "fired (silenced)" : "fired";
		}

		/* The row as it will be, written now; memory follows. */
		memset(&tmp, 0, sizeof tmp);
		memcpy(tmp.fp, p->in->fingerprint, sizeof tmp.fp);
		tmp.source = b->source;
		tmp.labels = p->in->labels;
		tmp.annotations = labels_to_json(&p->in->annotations);
		tmp.url = p->in->url != NULL ? p->in->url : "";
		tmp.state = p->state;
		tmp.starts_ms = alert_start(a, p->in);
		tmp.ends_ms = p->in->ends_ms != 0 ? p->in->ends_ms :
		    p->in->resolved ? now : 0;
		tmp.first_seen_ms = a != NULL ? a->first_seen_ms : now;
		tmp.last_seen_ms = now;
		tmp.received = a != NULL ? a->received + 1 : received + 1;
		tmp.acked_by = a != NULL && p->state == ALERT_ACKED ?
		    a->acked_by : NULL;
		tmp.silence_id = p->silence_id;
		shown = p->forget ? ALERT_RESOLVED : a != NULL ?
		    alert_shown(a) : -1;
		p->received = tmp.received;
		rc = alerts_put(al, &tmp, shown, &p->id, cause);
		free(tmp.annotations);
		if (rc != 0 ||
		    (p->event != NULL && store_alert_event(al->store, p->id,
		    now, b->source, p->event, NULL, cause) != 0))
			goto fail;
	}
	if (store_commit(al->store, cause) != 0)
		goto fail_committed;

	for (i = 0; i < b->n; i++) {
		struct alerts_plan *p = &plan[i];
		int refired;

		if (p->skip || p->forget)
			continue;
		if ((a = p->a) == NULL) {
			a = xcalloc(1, sizeof *a);
			a->id = p->id;
			memcpy(a->fp, p->in->fingerprint, sizeof a->fp);
			a->first_seen_ms = now;
			alert_fill(a, p->in, b->source);
			a->state = p->state;
			a->received = p->received - 1;
			alerts_link(al, a);
			alerts_route(al, a, -1);
		} else {
			refired = a->state == ALERT_RESOLVED &&
			    p->state != ALERT_RESOLVED;
			alert_fill(a, p->in, b->source);
			if (refired) {
				free(a->acked_by);
				a->acked_by = NULL;
			}
			a->state = p->state;
		}
		a->silence_id = p->silence_id;
		a->last_seen_ms = now;
		a->received++;
		if (p->state == ALERT_RESOLVED && a->ends_ms == 0)
			a->ends_ms = now;
		if (p->event != NULL)
			alerts_touch_groups(al, a, 0);
		if (a->ngroups == 0 && a->state == ALERT_RESOLVED)
			alerts_unlink(al, a);
	}
	free(plan);
	alerts_schedule(al);
	return 0;

fail:
	store_rollback(al->store);
fail_committed:
	free(plan);
	return -1;
}

/* ------------------------------------------------- actions from chat */

static struct alert *
alerts_find_mut(const struct alerts *al, int64_t id)
{
	struct alert	*a;

	for (a = al->head; a != NULL; a = a->next) {
		if (a->id == id)
			return a;
	}
	return NULL;
}

const struct alert *
alerts_find(const struct alerts *al, int64_t id)
{
	return alerts_find_mut(al, id);
}

const struct alert *
alerts_first(const struct alerts *al)
{
	return al->head;
}

const struct silence *
alerts_silences(const struct alerts *al)
{
	return al->silences;
}

size_t
alerts_count(const struct alerts *al)
{
	return al->count;
}

/* Writes a person's change of one alert with its event; 0 or -1. */
static int
alerts_change(struct alerts *al, struct alert *a, enum alert_state state,
    const char *who, const char *what, const char *why, char **cause)
{
	enum alert_state	 old = a->state;
	char			*old_by = a->acked_by;
	int64_t			 now = clock_now_ms();

	a->state = state;
	if (state == ALERT_ACKED)
		a->acked_by = xstrdup(who);
	if (state == ALERT_RESOLVED)
		a->ends_ms = now;
	if (store_begin(al->store, cause) != 0 ||
	    alerts_put(al, a, alert_shown(a), NULL, cause) != 0 ||
	    store_alert_event(al->store, a->id, now, who, what, why,
	    cause) != 0 || store_commit(al->store, cause) != 0) {
		store_rollback(al->store);
		if (state == ALERT_ACKED)
			free(a->acked_by);
		a->acked_by = old_by;
		a->state = old;
		return -1;
	}
	if (state == ALERT_ACKED)
		free(old_by);
	alerts_touch_groups(al, a, 1);
	alerts_schedule(al);
	return 0;
}

int
alerts_ack(struct alerts *al, int64_t id, const char *who,
    const char *who_ref, const char *note, char **cause)
{
	struct alert	*a = alerts_find_mut(al, id);

	if (a == NULL || a->state == ALERT_RESOLVED) {
		xasprintf(cause, "alert #%lld is not open (see /alerts)",
		    (long long)id);
		return -1;
	}
	if (a->state == ALERT_ACKED) {
		xasprintf(cause, "alert #%lld was already acknowledged by %s",
		    (long long)id, a->acked_by != NULL ? a->acked_by : "?");
		return -1;
	}
	if (alerts_change(al, a, ALERT_ACKED, who, "acknowledged", note,
	    cause) != 0)
		return -1;
	free(a->acked_ref);
	a->acked_ref = who_ref != NULL ? xstrdup(who_ref) : NULL;
	return 0;
}

int
alerts_resolve(struct alerts *al, int64_t id, const char *who,
    const char *who_ref, const char *note, char **cause)
{
	struct alert	*a = alerts_find_mut(al, id);

	if (a == NULL || a->state == ALERT_RESOLVED) {
		xasprintf(cause, "alert #%lld is not open (see /alerts)",
		    (long long)id);
		return -1;
	}
	return alerts_change(al, a, ALERT_RESOLVED, who, "resolved by hand",
	    note, cause);
}

int64_t
alerts_silence(struct alerts *al, struct matchers *m, int64_t duration_s,
    const char *who, const char *reason, size_t *nsilenced, char **cause)
{
	struct silence		*s = xcalloc(1, sizeof *s);
	struct store_silence_row r;
	struct alert		*a;
	char			*json = matchers_to_json(m), *err = NULL;
	int64_t			 now = clock_now_ms();
	size_t			 n = 0;

	s->matchers = *m;
	memset(m, 0, sizeof *m);
	s->created_ms = now;
	s->ends_ms = now + duration_s * 1000;
	s->author = xstrdup(who);
	s->reason = xstrdup(reason != NULL ? reason : "");
	memset(&r, 0, sizeof r);
	r.matchers = json;
	r.created_ms = now;
	r.ends_ms = s->ends_ms;
	r.author = who;
	r.reason = s->reason;
	if (store_begin(al->store, cause) != 0 ||
	    (s->id = store_silence_add(al->store, &r, cause)) < 0)
		goto fail;
	for (a = al->head; a != NULL; a = a->next) {
		if (!alert_visible(a) || !matchers_match(&s->matchers,
		    &a->labels))
			continue;
		if (store_alert_event(al->store, a->id, now, who, "silenced",
		    s->reason, cause) != 0)
			goto fail;
		n++;
	}
	if (store_commit(al->store, cause) != 0)
		goto fail;
	free(json);
	/* Committed: now memory, and the rows' state with it. */
	for (a = al->head; a != NULL; a = a->next) {
		if (!alert_visible(a) || !matchers_match(&s->matchers,
		    &a->labels))
			continue;
		a->state = ALERT_SILENCED;
		a->silence_id = s->id;
		if (alerts_put(al, a, alert_shown(a), NULL, &err) != 0) {
			log_warn("alerts", "silence #%lld: %s", (long long)s->id,
			    err);
			free(err);
			err = NULL;
		}
		alerts_touch_groups(al, a, 1);
	}
	s->next = al->silences;
	al->silences = s;
	*nsilenced = n;
	alerts_schedule(al);
	return s->id;
fail:
	store_rollback(al->store);
	free(json);
	silence_free(s);
	return -1;
}

/* Ends silence s (expired or lifted): its alerts fire again. */
static int
alerts_silence_end(struct alerts *al, struct silence *s, const char *who,
    char **cause)
{
	struct silence	**pp = &al->silences;
	struct alert	*a;
	int64_t		 now = clock_now_ms();
	const struct silence *other;
	char		*err = NULL;

	if (store_silence_end(al->store, s->id, now, cause) != 0)
		return -1;
	while (*pp != s)
		pp = &(*pp)->next;
	*pp = s->next;
	for (a = al->head; a != NULL; a = a->next) {
		if (a->state != ALERT_SILENCED || a->silence_id != s->id)
			continue;
		other = alerts_silenced_by(al, &a->labels);
		a->state = other != NULL ? ALERT_SILENCED : ALERT_FIRING;
		a->silence_id = other != NULL ? other->id : 0;
		/* The silence has ended: a row that fails is logged, no more. */
		if (store_alert_event(al->store, a->id, now, who,
		    other != NULL ? "silenced (another silence)" :
		    "silence ended", NULL, &err) != 0 ||
		    alerts_put(al, a, alert_shown(a), NULL, &err) != 0) {
			log_error("alerts", "alert #%lld: %s",
			    (long long)a->id, err);
			free(err);
			err = NULL;
		}
		alerts_touch_groups(al, a, 1);
	}
	log_info("alerts", "silence #%lld ended (%s)", (long long)s->id, who);
	silence_free(s);
	return 0;
}

int
alerts_unsilence(struct alerts *al, int64_t id, const char *who,
    char **cause)
{
	struct silence	*s;

	for (s = al->silences; s != NULL; s = s->next) {
		if (s->id == id)
			break;
	}
	if (s == NULL) {
		xasprintf(cause, "no active silence #%lld (see /silences)",
		    (long long)id);
		return -1;
	}
	if (alerts_silence_end(al, s, who, cause) != 0)
		return -1;
	alerts_schedule(al);
	return 0;
}

int
alerts_silence_remote(struct alerts *al, int64_t id, const char *url,
    const char *remote_id, char **cause)
{
	struct silence	*s;

	for (s = al->silences; s != NULL && s->id != id; s = s->next)
		;
	if (s == NULL) {
		if (cause != NULL)
			xasprintf(cause, "silence #%lld is no longer active",
			    (long long)id);
		return -1;
	}
	if (store_silence_remote(al->store, id, url, remote_id, cause) != 0)
		return -1;
	free(s->remote_url);
	free(s->remote_id);
	s->remote_url = xstrdup(url);
	s->remote_id = xstrdup(remote_id);
	return 0;
}

/* --------------------------------------------------------- flushing */

static struct anote *
group_note(struct agroup *g, const char *receiver)
{
	struct anote	*n;

	for (n = g->notes; n != NULL; n = n->next) {
		if (strcmp(n->receiver, receiver) == 0)
			return n;
	}
	return NULL;
}

static void
group_note_remove(struct agroup *g, struct anote *n)
{
	struct anote	**pp = &g->notes;

	while (*pp != n)
		pp = &(*pp)->next;
	*pp = n->next;
	note_free(n);
}

static struct adigest *
alerts_digest(struct alerts *al, const char *receiver)
{
	struct adigest	*d;

	for (d = al->digests; d != NULL; d = d->next) {
		if (strcmp(d->receiver, receiver) == 0)
			return d;
	}
	d = xcalloc(1, sizeof *d);
	d->receiver = xstrdup(receiver);
	d->next = al->digests;
	al->digests = d;
	return d;
}

static void
digest_add(struct adigest *d, const struct agroup *g)
{
	const char	*name;
	size_t		 i, j;

	d->ngroups++;
	for (i = 0; i < g->n; i++) {
		if (!alert_visible(g->members[i].alert))
			continue;
		d->nalerts++;
		if (alert_severity_rank(alert_label(g->members[i].alert,
		    "severity")) == 0)
			d->ncritical++;
		name = alert_label(g->members[i].alert, "alertname");
		for (j = 0; j < d->nnames; j++) {
			if (strcmp(d->names[j].name, name) == 0)
				break;
		}
		if (j == d->nnames && d->nnames < ALERTS_DIGEST_NAMES)
			d->names[d->nnames++].name = xstrdup(name);
		if (j < d->nnames)
			d->names[j].n++;
	}
}

static int
alerts_post(struct alerts *al, const char *receiver, const char *kind,
    int64_t ref, const struct message *m, int64_t *id)
{
	char	*cause = NULL;
	int64_t	 got;

	got = al->sink.post(al->sink.arg, receiver, kind, ref, m, &cause);
	if (got < 0) {
		log_error("alerts", "cannot post to %s: %s", receiver, cause);
		free(cause);
		return -1;
	}
	if (id != NULL)
		*id = got;
	return 0;
}

/*
 * Who a thread note about a new acknowledgement pages on receiver rcv
 * ("slack:#ops"): the person who acknowledged, mentioned the way that
 * platform mentions (<@U0456> on Slack, @alice on Mattermost) when they
 * acted on the same platform; NULL otherwise. Written into buf.
 */
static const char *
group_ack_mention(const struct agroup *g, const char *rcv, char *buf,
    size_t len)
{
	const struct alert	*a;
	const char		*colon;
	size_t			 i, n = strcspn(rcv, ":");

	for (i = 0; i < g->n; i++) {
		a = g->members[i].alert;
		if (a->state != ALERT_ACKED || g->members[i].shown ==
		    ALERT_ACKED || a->acked_ref == NULL ||
		    (colon = strchr(a->acked_ref, ':')) == NULL ||
		    (size_t)(colon - a->acked_ref) != n ||
		    strncmp(a->acked_ref, rcv, n) != 0)
			continue;
		if (strncmp(rcv, "slack:", 6) == 0)
			snprintf(buf, len, "<@%s>", colon + 1);
		else if (a->acked_by != NULL && a->acked_by[0] == '@')
			snprintf(buf, len, "%s", a->acked_by);
		else
			continue;
		return buf;
	}
	return NULL;
}

/* Shows g's changes on each of its receivers. */
static void
group_flush(struct alerts *al, struct agroup *g, int64_t now)
{
	struct message	 note;
	struct group_msg gm;
	struct buf	 changes;
	struct anote	*n;
	struct store_note_row nr;
	const char	*rcv;
	char		*cause = NULL;
	size_t		 i, visible = 0, silenced = 0;
	int64_t		 id;
	int		 nchanges;
	char		 mention[160];

	g->due = 0;
	g->last_flush = now;
	for (i = 0; i < g->n; i++) {
		if (alert_visible(g->members[i].alert))
			visible++;
		else if (g->members[i].alert->state == ALERT_SILENCED)
			silenced++;
	}
	buf_init(&changes);
	group_render(al->store, g, &gm);
	nchanges = group_render_changes(g, &changes);
	memset(&note, 0, sizeof note);
	note.text = changes.data;
	note.status = gm.m.status;

	if (store_begin(al->store, &cause) != 0) {
		log_error("alerts", "cannot show group %s: %s", g->key, cause);
		free(cause);
		g->due = now + 5000;
		goto out;
	}
	for (i = 0; i < g->route->channels.n; i++) {
		rcv = g->route->channels.v[i];
		n = group_note(g, rcv);
		if (n == NULL) {
			if (visible == 0)
				continue;
			if (al->sink.backlog != NULL &&
			    al->sink.backlog(al->sink.arg, rcv) >=
			    (size_t)al->cfg->alerts.backlog_merge) {
				digest_add(alerts_digest(al, rcv), g);
				continue;
			}
			if (alerts_post(al, rcv, "post", 0, &gm.m, &id) != 0 ||
			    id == 0)
				continue;
			n = xcalloc(1, sizeof *n);
			n->receiver = xstrdup(rcv);
			n->outbox_id = id;
			n->repeated_ms = now;
			memset(&nr, 0, sizeof nr);
			nr.group_key = g->key;
			nr.receiver = rcv;
			nr.outbox_id = id;
			nr.created_ms = now;
			nr.repeated_ms = now;
			if ((n->id = store_note_add(al->store, &nr,
			    &cause)) < 0) {
				log_error("alerts", "%s", cause);
				free(cause);
				cause = NULL;
			}
			n->next = g->notes;
			g->notes = n;
			continue;
		}
		alerts_post(al, rcv, "update", n->outbox_id, &gm.m, NULL);
		if (nchanges > 0) {
			note.mention = group_ack_mention(g, rcv, mention,
			    sizeof mention);
			alerts_post(al, rcv, "thread", n->outbox_id, &note,
			    NULL);
		}
		if (visible == 0 && silenced == 0) {
			/* Left open, it shows again after a restart: log it. */
			if (store_note_close(al->store, n->id, &cause) != 0) {
				log_error("alerts", "%s", cause);
				free(cause);
				cause = NULL;
			}
			group_note_remove(g, n);
		}
	}
	/* Chat has seen it all now (or will: the outbox holds it). */
	for (i = 0; i < g->n; i++)
		g->members[i].shown = (int)g->members[i].alert->state;
	for (i = 0; i < g->n; i++) {
		struct alert *a = g->members[i].alert;

		if (alerts_put(al, a, alert_shown(a), NULL, &cause) != 0) {
			log_error("alerts", "%s", cause);
			free(cause);
			cause = NULL;
		}
	}
	if (store_commit(al->store, &cause) != 0) {
		log_error("alerts", "cannot record group %s: %s", g->key,
		    cause);
		free(cause);
	}
out:
	group_msg_release(&gm);
	buf_release(&changes);
}

/* Every alert of g is resolved, and chat has seen it so. */
static int
group_done(const struct agroup *g)
{
	size_t	 i;

	for (i = 0; i < g->n; i++) {
		if (g->members[i].alert->state != ALERT_RESOLVED ||
		    g->members[i].shown != ALERT_RESOLVED)
			return 0;
	}
	return 1;
}

/*
 * Drops the alerts of groups that are over, and groups left with
 * nothing. A resolved alert stays in its group while the group is open,
 * so the group's message keeps listing it to the end.
 */
static void
alerts_collect(struct alerts *al)
{
	struct agroup	**pp = &al->groups, *g;
	struct alert	*a, *next;
	size_t		 i;

	for (g = al->groups; g != NULL; g = g->next) {
		if (!group_done(g))
			continue;
		for (i = 0; i < g->n; ) {
			a = g->members[i].alert;
			if (a->state == ALERT_RESOLVED &&
			    g->members[i].shown == ALERT_RESOLVED)
				group_drop_member(g, i);
			else
				i++;
		}
	}
	for (a = al->head; a != NULL; a = next) {
		next = a->next;
		if (a->state == ALERT_RESOLVED && a->ngroups == 0)
			alerts_unlink(al, a);
	}
	while ((g = *pp) != NULL) {
		if (g->n == 0 && g->due == 0) {
			*pp = g->next;
			group_free(g);
		} else
			pp = &g->next;
	}
}

/* Reminds of alerts still firing and not acknowledged. */
static void
group_remind(struct alerts *al, struct agroup *g, int64_t now)
{
	struct anote	*n;
	struct message	 m;
	struct buf	 text;
	size_t		 i, nfiring = 0;
	int64_t		 every = g->route->repeat_interval_s * 1000;
	char		*cause = NULL;

	for (i = 0; i < g->n; i++) {
		if (g->members[i].alert->state == ALERT_FIRING)
			nfiring++;
	}
	if (nfiring == 0 || every <= 0)
		return;
	for (n = g->notes; n != NULL; n = n->next) {
		if (now - n->repeated_ms < every)
			continue;
		buf_init(&text);
		buf_addf(&text, "Still firing, not acknowledged:");
		for (i = 0; i < g->n; i++) {
			if (g->members[i].alert->state == ALERT_FIRING)
				buf_addf(&text, " #%lld",
				    (long long)g->members[i].alert->id);
		}
		memset(&m, 0, sizeof m);
		m.mention = g->route->mention;
		m.text = text.data;
		m.status = MESSAGE_WARN;
		alerts_post(al, n->receiver, "thread", n->outbox_id, &m, NULL);
		n->repeated_ms = now;
		if (store_note_repeated(al->store, n->id, now, &cause) != 0) {
			log_error("alerts", "%s", cause);
			free(cause);
			cause = NULL;
		}
		buf_release(&text);
	}
}

static int64_t
group_remind_due(const struct agroup *g)
{
	const struct anote	*n;
	size_t			 i;
	int64_t			 due = -1;

	for (i = 0; i < g->n; i++) {
		if (g->members[i].alert->state == ALERT_FIRING)
			break;
	}
	if (i == g->n || g->route->repeat_interval_s <= 0)
		return -1;
	for (n = g->notes; n != NULL; n = n->next) {
		int64_t t = n->repeated_ms + g->route->repeat_interval_s * 1000;

		if (due < 0 || t < due)
			due = t;
	}
	return due;
}

/* Posts the summaries of receivers whose backlog has gone down. */
static void
alerts_digests(struct alerts *al)
{
	struct adigest	**pp = &al->digests, *d;
	struct message	 m;
	struct buf	 title, text;
	size_t		 i;

	while ((d = *pp) != NULL) {
		if (al->sink.backlog != NULL && al->sink.backlog(al->sink.arg,
		    d->receiver) >= (size_t)al->cfg->alerts.backlog_merge / 2) {
			pp = &d->next;
			continue;
		}
		buf_init(&title);
		buf_init(&text);
		buf_addf(&title, "%zu alert(s) in %zu group(s) arrived while "
		    "this channel was backed up", d->nalerts, d->ngroups);
		for (i = 0; i < d->nnames; i++)
			buf_addf(&text, "%s%s ×%zu", i == 0 ? "" : ", ",
			    d->names[i].name, d->names[i].n);
		buf_addf(&text, "\n%zu critical. /alerts lists them; /ack "
		    "and /silence work on them as usual.", d->ncritical);
		memset(&m, 0, sizeof m);
		m.title = title.data;
		m.text = text.data;
		m.status = d->ncritical > 0 ? MESSAGE_CRIT : MESSAGE_WARN;
		if (alerts_post(al, d->receiver, "post", 0, &m, NULL) == 0) {
			*pp = d->next;
			for (i = 0; i < d->nnames; i++)
				free(d->names[i].name);
			free(d->receiver);
			free(d);
		} else
			pp = &d->next;
		buf_release(&title);
		buf_release(&text);
	}
}

void
alerts_tick(struct alerts *al)
{
	struct agroup	*g;
	struct silence	*s, *next;
	int64_t		 now = clock_now_ms();
	char		*cause = NULL;

	for (s = al->silences; s != NULL; s = next) {
		next = s->next;
		if (s->ends_ms <= now &&
		    alerts_silence_end(al, s, "expiry", &cause) != 0) {
			log_error("alerts", "cannot end silence #%lld: %s",
			    (long long)s->id, cause);
			free(cause);
			cause = NULL;
		}
	}
	for (g = al->groups; g != NULL; g = g->next) {
		if (g->due != 0 && g->due <= now)
			group_flush(al, g, now);
		group_remind(al, g, now);
	}
	alerts_digests(al);
	alerts_collect(al);
}

int64_t
alerts_next_due(const struct alerts *al)
{
	const struct agroup	*g;
	const struct silence	*s;
	int64_t			 due = -1, t;

#define EARLIER(x) do { if ((x) >= 0 && (due < 0 || (x) < due)) due = (x); } while (0)
	for (g = al->groups; g != NULL; g = g->next) {
		if (g->due != 0)
			EARLIER(g->due);
		t = group_remind_due(g);
		EARLIER(t);
	}
	for (s = al->silences; s != NULL; s = s->next)
		EARLIER(s->ends_ms);
	if (al->digests != NULL)
		EARLIER(clock_now_ms() + ALERTS_DIGEST_RETRY_MS);
#undef EARLIER
	return due;
}

static void
alerts_timer_cb(lws_sorted_usec_list_t *sul)
{
	struct alerts	*al = lws_container_of(sul, struct alerts, timer);

	al->timer_armed = 0;
	alerts_tick(al);
	alerts_schedule(al);
}

/* Arms the timer for the next thing to do (not a poll). */
static void
alerts_schedule(struct alerts *al)
{
	int64_t	 due = alerts_next_due(al), now = clock_now_ms();

	if (al->loop == NULL)
		return;
	if (al->timer_armed) {
		lws_sul_cancel(&al->timer);
		al->timer_armed = 0;
	}
	if (due < 0)
		return;
	lws_sul_schedule(loop_lws(al->loop), 0, &al->timer, alerts_timer_cb,
	    (due > now ? due - now : 0) * LWS_US_PER_MS);
	al->timer_armed = 1;
}

/*
 * The alert engine (see alerts.h). The store is the truth; memory holds
 * the alerts that are not resolved (or whose resolution chat has not seen
 * yet), the groups that show them, the open notes (which chat message
 * shows which group) and the active silences. A batch is written in one
 * transaction first and applied to memory only once committed, so a
 * failed commit leaves nothing behind.
 *
 * This file holds that memory, its rows in the store and the loading at
 * start; the parts of the engine that act on it are alerts_intake.c,
 * alerts_route.c, alerts_silence.c, alerts_actions.c and alerts_flush.c
 * (shared declarations in alerts_int.h).
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
char *
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
const char *
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

struct alert *
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
void
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

void
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

/* ------------------------------------------------------------- store */

int
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
int
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
	alerts_remedy_free(al);
	while ((s = al->silences) != NULL) {
		al->silences = s->next;
		alerts_silence_free(s);
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

void
alerts_set_fired_hook(struct alerts *al, alerts_fired_fn fn, void *arg)
{
	al->fired = fn;
	al->fired_arg = arg;
}

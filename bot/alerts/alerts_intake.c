/*
 * Intake of the alert engine (see alerts.h): a batch from a webhook is
 * planned, written to the store in one transaction, and applied to
 * memory only once committed, so a failed commit leaves nothing behind.
 */

#include <stdlib.h>
#include <string.h>

#include "alerts.h"
#include "alerts_int.h"
#include "clock.h"
#include "store.h"
#include "store_alerts.h"
#include "xmalloc.h"

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
		/* "fired" and "fired again"; not "... (silenced)". */
		if (al->fired != NULL && p->event != NULL &&
		    a->state == ALERT_FIRING && strncmp(p->event, "fired",
		    5) == 0)
			al->fired(al->fired_arg, a);
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

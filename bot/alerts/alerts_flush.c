/*
 * Flushing in the alert engine (see alerts_int.h): on its timer the
 * engine posts or updates each due group's message, reminds, sends the
 * digest held back from a backed-up receiver, ends expired silences and
 * forgets what chat has seen resolved. Only the next due time is timed;
 * nothing polls.
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
	alerts_note_free(n);
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
	int		 nchanges, resolved = 0;
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
	group_render(al->store, al->cfg, g, al->sink.ticket != NULL &&
	    al->cfg->tickets.instance != NULL, &gm);
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
			if (alerts_post(al, rcv, "post", 0, &gm.m, &id) != 0)
				continue;
			/* Also where nothing is kept (the console): id 0. */
			group_ticket_posted(al, g, &gm, rcv, id);
			if (id == 0)
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
	/* Chat saw it open, and every alert has resolved since. */
	for (i = 0; i < g->n; i++) {
		if (g->members[i].shown == ALERT_FIRING ||
		    g->members[i].shown == ALERT_ACKED)
			resolved = 1;
		if (g->members[i].alert->state != ALERT_RESOLVED)
			break;
	}
	if (resolved && i == g->n)
		group_ticket_resolved(al, g, &gm);
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
	/* After the commit: the command it runs writes its own audit row. */
	alerts_remedy_auto(al, g, now, alerts_post);
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
void
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
void
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

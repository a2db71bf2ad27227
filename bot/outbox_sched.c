/*
 * The outbox's queues and its scheduler (see outbox_int.h). Each response
 * URL is a queue of its own, so a burst of N commands makes N queues: a
 * pass that walked every queue with strcmp, as this once did, made the
 * burst cost O(N^2). Here a queue is found by hash, a pass walks only the
 * queues with something to send that is not already on its way, and the
 * idle queues wait on a list sorted by when they may be forgotten.
 */

#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "loop.h"
#include "outbox_int.h"
#include "store.h"
#include "workers.h"
#include "xmalloc.h"

#define OB_BUCKETS_MIN	64

/* FNV-1a over "platform\0channel". */
static uint32_t
ob_hash(const char *platform, const char *channel)
{
	uint32_t	 h = 2166136261u;
	const char	*p;

	for (p = platform; *p != '\0'; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	h *= 16777619u;
	for (p = channel; *p != '\0'; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	return h;
}

static void
ob_index_grow(struct outbox *ob)
{
	size_t			 n = ob->nbuckets > 0 ? ob->nbuckets * 2 :
	    OB_BUCKETS_MIN, i;
	struct ob_channel	**b = xcalloc(n, sizeof *b), *ch, *next;

	for (i = 0; i < ob->nbuckets; i++) {
		for (ch = ob->buckets[i]; ch != NULL; ch = next) {
			next = ch->hnext;
			ch->hnext = b[ch->hash & (n - 1)];
			b[ch->hash & (n - 1)] = ch;
		}
	}
	free(ob->buckets);
	ob->buckets = b;
	ob->nbuckets = n;
}

struct ob_channel *
ob_channel_find(struct outbox *ob, const char *platform, const char *channel)
{
	uint32_t		 h = ob_hash(platform, channel);
	struct ob_channel	*ch;

	if (ob->nbuckets == 0)
		return NULL;
	for (ch = ob->buckets[h & (ob->nbuckets - 1)]; ch != NULL;
	    ch = ch->hnext) {
		if (ch->hash == h && strcmp(ch->channel, channel) == 0 &&
		    strcmp(ch->platform, platform) == 0)
			return ch;
	}
	return NULL;
}

/*
 * When an idle queue's bucket is full again (and any pause over): from
 * then on it would start afresh anyway, so it is forgotten.
 */
static int64_t
ob_forget_at(const struct ob_channel *ch)
{
	int64_t	 t = ch->refilled, ms;
	double	 need;

	if (ch->tokens < ch->burst) {
		need = (ch->burst - ch->tokens) * 1000.0 / ch->rate;
		ms = (int64_t)need;
		t += (double)ms < need ? ms + 1 : ms;	/* rounded up */
	}
	return t > ch->paused_until ? t : ch->paused_until;
}

static void
ob_unlist(struct outbox *ob, struct ob_channel *ch)
{
	if (ch->where == OB_ACTIVE)
		TAILQ_REMOVE(&ob->active, ch, qlink);
	else if (ch->where == OB_IDLE)
		TAILQ_REMOVE(&ob->idle, ch, qlink);
	ch->where = OB_FLIGHT;
}

/*
 * Sorted inserts, searched from the tail: a queue usually goes behind
 * the others (made last; idle last, with the same pacing as the rest).
 */
static void
ob_list_active(struct outbox *ob, struct ob_channel *ch)
{
	struct ob_channel	*o;

	for (o = TAILQ_LAST(&ob->active, ob_channels); o != NULL &&
	    o->seq > ch->seq; o = TAILQ_PREV(o, ob_channels, qlink))
		;
	if (o == NULL)
		TAILQ_INSERT_HEAD(&ob->active, ch, qlink);
	else
		TAILQ_INSERT_AFTER(&ob->active, o, ch, qlink);
	ch->where = OB_ACTIVE;
}

static void
ob_list_idle(struct outbox *ob, struct ob_channel *ch)
{
	struct ob_channel	*o;

	ch->forget_at = ob_forget_at(ch);
	for (o = TAILQ_LAST(&ob->idle, ob_channels); o != NULL &&
	    o->forget_at > ch->forget_at; o = TAILQ_PREV(o, ob_channels, qlink))
		;
	if (o == NULL)
		TAILQ_INSERT_HEAD(&ob->idle, ch, qlink);
	else
		TAILQ_INSERT_AFTER(&ob->idle, o, ch, qlink);
	ch->where = OB_IDLE;
}

void
ob_channel_settle(struct outbox *ob, struct ob_channel *ch)
{
	ob_unlist(ob, ch);
	if (ch->in_flight)
		return;
	if (TAILQ_EMPTY(&ch->items))
		ob_list_idle(ob, ch);
	else
		ob_list_active(ob, ch);
}

struct ob_channel *
ob_channel_get(struct outbox *ob, const char *platform, const char *channel)
{
	struct ob_channel	*ch;
	size_t			 i;

	if ((ch = ob_channel_find(ob, platform, channel)) != NULL)
		return ch;
	if (ob->nchannels >= ob->nbuckets)
		ob_index_grow(ob);
	ch = xcalloc(1, sizeof *ch);
	ch->platform = xstrdup(platform);
	ch->channel = xstrdup(channel);
	TAILQ_INIT(&ch->items);
	ob_channel_pace(ob, ch);
	ch->tokens = ch->burst;
	ch->refilled = clock_mono_ms();
	ch->seq = ob->next_seq++;
	ch->hash = ob_hash(platform, channel);
	i = ch->hash & (ob->nbuckets - 1);
	ch->hnext = ob->buckets[i];
	ob->buckets[i] = ch;
	ob->nchannels++;
	TAILQ_INSERT_TAIL(&ob->all, ch, all);
	/*
	 * On no list until its first message settles it (ob_queue, always
	 * next): put on the idle list now, a full bucket's forget time would
	 * sort it before every queue used in the last second, a walk over
	 * all of them per command.
	 */
	ch->where = OB_FLIGHT;
	return ch;
}

static void
ob_channel_free(struct outbox *ob, struct ob_channel *ch)
{
	struct ob_channel	**pp;
	struct ob_item		*it;

	for (pp = &ob->buckets[ch->hash & (ob->nbuckets - 1)]; *pp != ch;
	    pp = &(*pp)->hnext)
		;
	*pp = ch->hnext;
	ob_unlist(ob, ch);
	TAILQ_REMOVE(&ob->all, ch, all);
	ob->nchannels--;
	while ((it = TAILQ_FIRST(&ch->items)) != NULL) {
		TAILQ_REMOVE(&ch->items, it, link);
		ob_item_free(it);
	}
	free(ch->platform);
	free(ch->channel);
	free(ch);
}

void
ob_channels_free(struct outbox *ob)
{
	struct ob_channel	*ch;

	while ((ch = TAILQ_FIRST(&ob->all)) != NULL)
		ob_channel_free(ob, ch);
	free(ob->buckets);
	ob->buckets = NULL;
	ob->nbuckets = 0;
}

/*
 * Forgets idle channels whose bucket has refilled: they would start
 * afresh anyway, and one-off queues (a response URL each) must not pile
 * up. The idle list is sorted by that time, so this stops at the first
 * that must stay.
 */
static void
ob_sweep(struct outbox *ob, int64_t now)
{
	struct ob_channel	*ch;

	while ((ch = TAILQ_FIRST(&ob->idle)) != NULL && ch->forget_at <= now)
		ob_channel_free(ob, ch);
}

/* Refills ch's bucket; returns when one token will be there (or now). */
static int64_t
ob_refill(struct ob_channel *ch, int64_t now)
{
	double	 per_ms = ch->rate / 1000.0;

	ch->tokens += (double)(now - ch->refilled) * per_ms;
	if (ch->tokens > ch->burst)
		ch->tokens = ch->burst;
	ch->refilled = now;
	if (ch->tokens >= 1)
		return now;
	return now + (int64_t)((1 - ch->tokens) / per_ms) + 1;
}

/* When ch's head may go (mono ms), or -1 if nothing can go. */
static int64_t
ob_channel_due(struct outbox *ob, struct ob_channel *ch, int64_t now)
{
	struct ob_item	*it = TAILQ_FIRST(&ch->items);
	int64_t		 due, t;

	if (ch->sender == NULL)
		ch->sender = ob_sender_for(ob, ch->platform);
	if (it == NULL || ch->in_flight || ch->sender == NULL)
		return -1;
	due = it->due;
	if (ch->paused_until > due)
		due = ch->paused_until;
	t = ob_refill(ch, now);
	return t > due ? t : due;
}

void
outbox_schedule(struct outbox *ob)
{
	struct ob_channel	*ch, *next_ch;
	struct ob_job		*job;
	int64_t			 now, due, next = -1;

	now = clock_mono_ms();
	ob_sweep(ob, now);
	for (ch = TAILQ_FIRST(&ob->active); ch != NULL; ch = next_ch) {
		next_ch = TAILQ_NEXT(ch, qlink);
		if ((due = ob_channel_due(ob, ch, now)) < 0)
			continue;
		if (due > now) {
			if (next < 0 || due < next)
				next = due;
			continue;
		}
		/* Deliveries are marked before anything else is tried. */
		outbox_flush(ob);
		ch->tokens -= 1;
		ch->in_flight = 1;
		ob_unlist(ob, ch);
		job = xcalloc(1, sizeof *job);
		job->ob = ob;
		job->ch = ch;
		job->item = TAILQ_FIRST(&ch->items);
		job->sender = ch->sender;
		if (job->item->target != NULL &&
		    strncmp(job->item->target, "ref:", 4) == 0)
			job->ref_id = store_outbox_platform_id(ob->store,
			    strtoll(job->item->target + 4, NULL, 10));
		/* On the loop thread if its sender can (outbox_start.c). */
		if (ob_job_start(job)) {
			now = clock_mono_ms();
			continue;
		}
		if (ob->workers == NULL) {
			/* Inline (tests): the result applies before we go on. */
			ob_job_work(job);
			ob_complete(job);
			return;
		}
		if (workers_submit(ob->workers, ob_job_work, ob_job_done,
		    job) != 0) {
			/* Shutting down: leave it pending in the store. */
			ch->in_flight = 0;
			ch->tokens += 1;
			ob_channel_settle(ob, ch);
			free(job->ref_id);
			free(job);
			return;
		}
		now = clock_mono_ms();
	}
	/* Nothing tried: the marks can wait for company (outbox_marks.c). */
	ob_marks_later(ob);
	if (ob->loop == NULL || next < 0)
		return;
	lws_sul_schedule(loop_lws(ob->loop), 0, &ob->timer, ob_timer_cb,
	    (next - now) * LWS_US_PER_MS);
	ob->timer_armed = 1;
}

void
ob_timer_cb(lws_sorted_usec_list_t *sul)
{
	struct outbox	*ob = lws_container_of(sul, struct outbox, timer);

	ob->timer_armed = 0;
	outbox_schedule(ob);
}

void
outbox_kick(struct outbox *ob)
{
	outbox_schedule(ob);
}

int64_t
outbox_next_due(struct outbox *ob)
{
	struct ob_channel	*ch;
	int64_t			 now = clock_mono_ms(), due, next = -1;

	/* Idle and in-flight queues have nothing that can go. */
	TAILQ_FOREACH(ch, &ob->active, qlink) {
		if ((due = ob_channel_due(ob, ch, now)) >= 0 &&
		    (next < 0 || due < next))
			next = due;
	}
	return next;
}

size_t
outbox_deliverable(struct outbox *ob)
{
	struct ob_channel	*ch;
	size_t			 n = 0;

	TAILQ_FOREACH(ch, &ob->all, all) {
		if (ch->sender == NULL)
			ch->sender = ob_sender_for(ob, ch->platform);
		if (ch->sender != NULL)
			n += ch->nitems;
	}
	return n;
}

size_t
outbox_backlog(struct outbox *ob, const char *platform, const char *channel)
{
	struct ob_channel	*ch = ob_channel_find(ob, platform, channel);

	return ch != NULL ? ch->nitems : 0;
}

size_t
outbox_channels(struct outbox *ob)
{
	return ob->nchannels;
}

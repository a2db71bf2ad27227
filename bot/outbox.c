/*
 * The outbox (see outbox.h). The store is the truth; in memory there is a
 * queue per (platform, channel) with its token bucket and pause, and at
 * most one message in flight per channel, so order holds. Time comes from
 * clock_mono_ms(), so tests drive pacing and backoff with a fake clock.
 */

#include <sys/queue.h>

#include <libwebsockets.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#include "cause.h"
#include "clock.h"
#include "http_loop.h"
#include "log.h"
#include "loop.h"
#include "metrics.h"
#include "outbox.h"
#include "outbox_int.h"
#include "store.h"
#include "workers.h"
#include "xmalloc.h"

#define OUTBOX_BACKOFF_BASE_MS	1000
/* Messages queued at once that make a drain worth a malloc_trim. */
#define OUTBOX_TRIM_AFTER	256

static void	ob_queue(struct outbox *, struct ob_item *);

/* Sends once the caller has returned (inline when there is no loop). */
static void
ob_soon(struct outbox *ob)
{
	if (ob->loop != NULL) {
		lws_sul_schedule(loop_lws(ob->loop), 0, &ob->timer,
		    ob_timer_cb, 0);
		ob->timer_armed = 1;
	} else
		outbox_kick(ob);
}

/* The store's transaction ended: the staged messages go, or vanish. */
static void
ob_txn_end(void *arg, int committed)
{
	struct outbox	*ob = arg;
	struct ob_item	*it;
	int		 n = 0, queued = 0;

	ob_marks_txn_end(ob, committed);
	while ((it = TAILQ_FIRST(&ob->staged)) != NULL) {
		TAILQ_REMOVE(&ob->staged, it, link);
		if (committed) {
			ob_queue(ob, it);
			queued++;
		} else {
			ob_item_free(it);
			n++;
		}
	}
	ob->rolled_back += n;
	if (n > 0)
		log_warn("outbox", "%d message(s) not sent: the store "
		    "transaction that wrote them was rolled back", n);
	/*
	 * Only when it queued something: the sent marks' own commit runs
	 * inside a scheduling pass, which must not start another.
	 */
	else if (queued > 0)
		ob_soon(ob);
}

struct outbox *
outbox_create(struct store *store, struct loop *loop, struct workers *w,
    const struct outbox_limits *limits)
{
	struct outbox	*ob = xcalloc(1, sizeof *ob);

	ob->store = store;
	ob->loop = loop;
	ob->workers = w;
	ob->limits = *limits;
	TAILQ_INIT(&ob->staged);
	TAILQ_INIT(&ob->all);
	TAILQ_INIT(&ob->active);
	TAILQ_INIT(&ob->idle);
	if (store != NULL)
		store_on_transaction_end(store, ob_txn_end, ob);
	if (ob->limits.rate_per_s <= 0)
		ob->limits.rate_per_s = 1;
	if (ob->limits.burst < 1)
		ob->limits.burst = 1;
	if (ob->limits.backoff_max_ms < OUTBOX_BACKOFF_BASE_MS)
		ob->limits.backoff_max_ms = OUTBOX_BACKOFF_BASE_MS;
	if (ob->limits.max_attempts < 1)
		ob->limits.max_attempts = OUTBOX_MAX_ATTEMPTS;
	return ob;
}

void
ob_item_free(struct ob_item *it)
{
	free(it->platform);
	free(it->channel);
	free(it->kind);
	free(it->target);
	free(it->body);
	free(it);
}

void
outbox_free(struct outbox *ob)
{
	struct ob_sender	*s, *sn;
	struct ob_item		*it;

	if (ob == NULL)
		return;
	/* Sends on the loop thread end unfinished: their rows stay pending. */
	http_loop_free(ob->http);
	/* The last deliveries' marks, before the store closes. */
	outbox_flush(ob);
	ob_marks_free(ob);
	if (ob->store != NULL)
		store_on_transaction_end(ob->store, NULL, NULL);
	while ((it = TAILQ_FIRST(&ob->staged)) != NULL) {
		TAILQ_REMOVE(&ob->staged, it, link);
		ob_item_free(it);
	}
	if (ob->timer_armed)
		lws_sul_cancel(&ob->timer);
	ob_channels_free(ob);
	for (s = ob->senders; s != NULL; s = sn) {
		sn = s->next;
		free(s->platform);
		free(s);
	}
	while (ob->paces != NULL) {
		struct ob_pace	*p = ob->paces;

		ob->paces = p->next;
		free(p->platform);
		free(p);
	}
	free(ob);
}

void
outbox_register(struct outbox *ob, const char *platform, outbox_send_fn send,
    void *arg)
{
	struct ob_sender	*s = xcalloc(1, sizeof *s);
	struct ob_channel	*ch;

	s->platform = xstrdup(platform);
	s->send = send;
	s->arg = arg;
	/* The series exists at 0 from the start, so increase() sees a 1. */
	metrics_add("opsbot_outbox_failed_total", 0, "platform", platform,
	    NULL);
	s->next = ob->senders;
	ob->senders = s;
	/* The queues look their sender up again: the newest one sends. */
	TAILQ_FOREACH(ch, &ob->all, all)
		ch->sender = NULL;
	outbox_kick(ob);
}

/* Sets ch's rate and burst: its platform's own, or the defaults. */
void
ob_channel_pace(const struct outbox *ob, struct ob_channel *ch)
{
	const struct ob_pace	*p;

	ch->rate = ob->limits.rate_per_s;
	ch->burst = ob->limits.burst;
	for (p = ob->paces; p != NULL; p = p->next) {
		if (strcmp(p->platform, ch->platform) == 0) {
			ch->rate = p->rate;
			ch->burst = p->burst;
		}
	}
}

void
outbox_set_limits(struct outbox *ob, const char *platform,
    const struct outbox_limits *lim)
{
	struct ob_pace		*p = xcalloc(1, sizeof *p);
	struct ob_channel	*ch;

	p->platform = xstrdup(platform);
	p->rate = lim->rate_per_s > 0 ? lim->rate_per_s : 1;
	p->burst = lim->burst >= 1 ? lim->burst : 1;
	p->next = ob->paces;
	ob->paces = p;
	TAILQ_FOREACH(ch, &ob->all, all) {
		if (strcmp(ch->platform, platform) == 0) {
			ob_channel_pace(ob, ch);
			if (ch->tokens > ch->burst)
				ch->tokens = ch->burst;
			/* An idle one is forgotten at its new pace. */
			ob_channel_settle(ob, ch);
		}
	}
}

struct ob_sender *
ob_sender_for(struct outbox *ob, const char *platform)
{
	struct ob_sender	*s;

	for (s = ob->senders; s != NULL; s = s->next) {
		if (strcmp(s->platform, platform) == 0)
			return s;
	}
	return NULL;
}

static void
ob_queue(struct outbox *ob, struct ob_item *it)
{
	struct ob_channel	*ch = ob_channel_get(ob, it->platform,
	    it->channel);

	it->due = clock_mono_ms();
	TAILQ_INSERT_TAIL(&ch->items, it, link);
	ch->nitems++;
	if (ch->nitems == 1)
		ob_channel_settle(ob, ch);
	if (++ob->pending > ob->peak)
		ob->peak = ob->pending;
}

static char *
ob_dup(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

int64_t
outbox_enqueue(struct outbox *ob, const char *platform, const char *channel,
    const char *kind, const char *target, const char *body, char **cause)
{
	struct store_outbox_row	 row;
	struct ob_item		*it;
	int64_t			 id;

	memset(&row, 0, sizeof row);
	row.created_ms = clock_now_ms();
	row.platform = (char *)platform;
	row.channel = (char *)channel;
	row.kind = (char *)kind;
	row.target = (char *)target;
	row.body = (char *)body;
	if ((id = store_outbox_add(ob->store, &row, cause)) < 0)
		return -1;
	it = xcalloc(1, sizeof *it);
	it->id = id;
	it->created_ms = row.created_ms;
	it->platform = xstrdup(platform);
	it->channel = xstrdup(channel);
	it->kind = xstrdup(kind);
	it->target = ob_dup(target);
	it->body = xstrdup(body);
	if (store_in_transaction(ob->store)) {
		TAILQ_INSERT_TAIL(&ob->staged, it, link);
		return id;
	}
	ob_queue(ob, it);
	/*
	 * Not sent from here: the caller may be inside a transaction (an
	 * alert group's message is written with its note and the alerts'
	 * shown state), and a message must not reach chat before its row
	 * is committed: a crash in between would post it again after the
	 * restart. The loop kicks the outbox once the caller has returned.
	 */
	ob_soon(ob);
	return id;
}

static void
ob_load_row(void *arg, struct store_outbox_row *r)
{
	struct outbox	*ob = arg;
	struct ob_item	*it = xcalloc(1, sizeof *it);

	it->id = r->id;
	it->platform = r->platform;
	it->channel = r->channel;
	it->kind = r->kind;
	it->target = r->target;
	it->body = r->body;
	it->attempts = r->attempts;
	it->created_ms = r->created_ms;
	/*
	 * One send is in flight per channel, so only a channel's first row
	 * can have been on its way when the bot died; a row tried before may
	 * have arrived too.
	 */
	it->maybe_sent = r->attempts > 0 || TAILQ_EMPTY(&ob_channel_get(ob,
	    it->platform, it->channel)->items);
	ob_queue(ob, it);
}

int
outbox_load(struct outbox *ob, char **cause)
{
	int	 n;

	cause_clear(cause);
	if ((n = store_outbox_pending(ob->store, ob_load_row, ob)) < 0) {
		cause_set(cause, "cannot read the outbox from the store");
		return -1;
	}
	if (n > 0)
		log_info("outbox", "%d message(s) from before the restart are "
		    "still to be delivered", n);
	outbox_kick(ob);
	return 0;
}

/* Exponential backoff with +-20 % jitter, capped. */
static int64_t
ob_backoff_ms(const struct outbox *ob, int attempts)
{
	int64_t	 ms = OUTBOX_BACKOFF_BASE_MS;
	int	 i;

	for (i = 1; i < attempts && ms < ob->limits.backoff_max_ms; i++)
		ms *= 2;
	if (ms > ob->limits.backoff_max_ms)
		ms = ob->limits.backoff_max_ms;
	return ms * (80 + random() % 41) / 100;
}

/*
 * For logs: where a message goes. A URL (a response URL) carries its
 * credential in the path, so it is shown shortened to its scheme and host
 * ("https://hooks.slack.com/…"), and only in the first line about the
 * message: a message retried for hours must not repeat it in every line.
 * Later lines say "(response URL)".
 */
static const char *
ob_where(const struct ob_channel *ch, struct ob_item *it, char *buf,
    size_t len)
{
	const char	*sep = strstr(ch->channel, "://"), *host, *at;
	size_t		 n;

	if (sep == NULL)
		return ch->channel;
	if (it == NULL || it->url_logged)
		return "(response URL)";
	it->url_logged = 1;
	host = sep + 3;
	n = strcspn(host, "/?#");
	/* user:password@ is a credential too. */
	while ((at = memchr(host, '@', n)) != NULL) {
		n -= (size_t)(at + 1 - host);
		host = at + 1;
	}
	snprintf(buf, len, "(response URL %.*s://%.*s/…)",
	    (int)(sep - ch->channel < 16 ? sep - ch->channel : 16), ch->channel,
	    (int)(n < 64 ? n : 64), host);
	return buf;
}

static void
ob_store_error(const char *what, char *cause)
{
	log_error("outbox", "%s: %s", what, cause);
	free(cause);
}

/*
 * A message that will never be delivered: marked failed with its cause,
 * counted, and taken off its queue so the messages behind it go on.
 */
static void
ob_give_up(struct outbox *ob, struct ob_channel *ch, struct ob_item *it,
    const char *why)
{
	char	*cause = NULL, where[128];

	log_error("outbox", "%s %s: message %lld refused for good: %s",
	    ch->platform, ob_where(ch, it, where, sizeof where),
	    (long long)it->id,
	    why != NULL ? why : "?");
	if (store_outbox_failed(ob->store, it->id, why, &cause) != 0)
		ob_store_error("cannot mark a message failed", cause);
	ob->failed++;
	metrics_add("opsbot_outbox_failed_total", 1, "platform", ch->platform,
	    NULL);
	TAILQ_REMOVE(&ch->items, it, link);
	ch->nitems--;
	ob->pending--;
	ob_item_free(it);
}

/* Loop thread: apply one attempt's result, then schedule again. */
void
ob_complete(struct ob_job *job)
{
	struct outbox		*ob = job->ob;
	struct ob_channel	*ch = job->ch;
	struct ob_item		*it = job->item;
	struct outbox_result	*r = &job->result;
	int64_t			 now = clock_mono_ms();
	char			*cause = NULL, where[128];

	ch->in_flight = 0;
	it->tries++;
	if (!(r->verdict == OUTBOX_RETRY && r->unsent))
		it->attempts++;
	switch (r->verdict) {
	case OUTBOX_SENT:
		/*
		 * Recorded before anything else is tried (outbox_schedule
		 * writes the marks first): never sent twice.
		 */
		ob_mark_sent(ob, it->id, r->platform_id, clock_now_ms());
		r->platform_id = NULL;
		TAILQ_REMOVE(&ch->items, it, link);
		ch->nitems--;
		ob->pending--;
		ob_item_free(it);
		/*
		 * A burst is over: give its memory back to the system. Only
		 * after a big one: malloc_trim walks the whole heap, which
		 * cost more than the rest of a lone command's answer.
		 */
		if (ob->pending == 0 && ob->peak >= OUTBOX_TRIM_AFTER) {
			malloc_trim(0);
			ob->peak = 0;
		}
		break;
	case OUTBOX_RATE_LIMITED:
		metrics_add("opsbot_chat_rate_limited_total", 1, "platform",
		    ch->platform, NULL);
		ch->paused_until = now + (r->retry_after_ms > 0 ?
		    r->retry_after_ms : 1000);
		log_warn("outbox", "%s %s: rate limited; holding the channel "
		    "%lld ms", ch->platform, ob_where(ch, it, where,
		    sizeof where),
		    (long long)(ch->paused_until - now));
		if (store_outbox_attempt(ob->store, it->id, "rate limited",
		    &cause) != 0)
			ob_store_error("cannot record an attempt", cause);
		break;
	case OUTBOX_RETRY:
		if (!r->unsent && it->attempts >= ob->limits.max_attempts) {
			xasprintf(&cause, "%s (after %d attempts)",
			    r->error != NULL ? r->error : "?", it->attempts);
			ob_give_up(ob, ch, it, cause);
			free(cause);
			break;
		}
		it->due = now + ob_backoff_ms(ob, it->tries);
		/* Once per message at warn: an outage is not a log flood. */
		log_emit(it->tries == 1 ? LOG_WARN : LOG_DEBUG, "outbox",
		    "%s %s: message %lld not delivered (%s); attempt %d of %d, "
		    "next in %lld ms", ch->platform, ob_where(ch, it, where,
		    sizeof where),
		    (long long)it->id, r->error != NULL ? r->error : "?",
		    it->attempts, ob->limits.max_attempts,
		    (long long)(it->due - now));
		if (!r->unsent)
			it->maybe_sent = 1;
		if (!r->unsent && store_outbox_attempt(ob->store, it->id,
		    r->error, &cause) != 0)
			ob_store_error("cannot record an attempt", cause);
		break;
	case OUTBOX_REJECTED:
		ob_give_up(ob, ch, it, r->error);
		break;
	}
	free(r->platform_id);
	free(r->error);
	free(job->ref_id);
	free(job);
	ob_channel_settle(ob, ch);
	/*
	 * The next pass once this loop turn's other results are in, so
	 * their marks are written together (inline without a loop).
	 */
	ob_soon(ob);
	if (ob->progress != NULL)
		ob->progress(ob->progress_arg);
}

void
ob_job_work(void *arg)
{
	struct ob_job		*job = arg;
	struct ob_item		*it = job->item;
	struct outbox_item	 view = { it->id, it->platform, it->channel,
	    it->kind, it->target, it->body, it->attempts, it->maybe_sent,
	    it->created_ms, job->loop_status };

	/*
	 * An update or a thread reply names the message it is about by its
	 * outbox row; the platform's id was resolved on the loop thread.
	 */
	if (it->target != NULL && strncmp(it->target, "ref:", 4) == 0) {
		if (job->ref_id == NULL) {
			job->result.verdict = OUTBOX_REJECTED;
			job->result.error = xstrdup("the message it refers to "
			    "was never delivered");
			return;
		}
		view.target = job->ref_id;
	}
	job->sender->send(job->sender->arg, &view, &job->result);
}

void
ob_job_done(void *arg, enum workers_status st)
{
	struct ob_job	*job = arg;

	if (st == WORKERS_CANCELLED) {
		/* Shutting down: the row stays pending for the next start. */
		job->result.verdict = OUTBOX_RETRY;
		job->result.error = xstrdup("cancelled at shutdown");
	}
	ob_complete(job);
}

size_t
outbox_pending(struct outbox *ob)
{
	return ob->pending;
}

void
outbox_on_progress(struct outbox *ob, void (*fn)(void *), void *arg)
{
	ob->progress = fn;
	ob->progress_arg = arg;
}

uint64_t
outbox_rolled_back(struct outbox *ob)
{
	return ob->rolled_back;
}

uint64_t
outbox_failed(struct outbox *ob)
{
	return ob->failed;
}

int
outbox_sender(struct outbox *ob, const char *platform, outbox_send_fn *fn,
    void **arg)
{
	struct ob_sender	*s = ob_sender_for(ob, platform);

	if (s == NULL)
		return -1;
	*fn = s->send;
	*arg = s->arg;
	return 0;
}

struct workers *
outbox_workers(struct outbox *ob)
{
	return ob->workers;
}

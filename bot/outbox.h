/*
 * Every outgoing chat message goes through the outbox: written to sqlite
 * before the first attempt, then delivered per channel in order, paced by
 * a token bucket, held back for a channel that answered 429 for as long
 * as Retry-After says, retried with exponential backoff and jitter after
 * 5xx and network errors, and marked sent with the platform's message id.
 * A restart or a chat outage delays messages; it never drops them.
 */
#ifndef OPSBOT_OUTBOX_H
#define OPSBOT_OUTBOX_H

#include <stddef.h>
#include <stdint.h>

struct loop;
struct outbox;
struct store;
struct workers;

/* What one delivery attempt came to. */
enum outbox_verdict {
	OUTBOX_SENT,		/* delivered; platform_id may be set */
	OUTBOX_RETRY,		/* 5xx, network: back off, try again */
	OUTBOX_RATE_LIMITED,	/* 429: hold the channel retry_after_ms */
	OUTBOX_REJECTED,	/* for good (unknown channel, bad token) */
};

struct outbox_result {
	enum outbox_verdict	 verdict;
	int64_t			 retry_after_ms;
	char			*platform_id;	/* set by the sender; outbox frees */
	char			*error;		/* set by the sender; outbox frees */
	/*
	 * RETRY only: nothing reached the server (no connection, no DNS),
	 * so the try neither counts towards max_attempts nor can have
	 * posted: a chat outage delays messages, it never fails them.
	 */
	int			 unsent;
	/*
	 * From a send started on the loop thread (outbox_start_fn), non-zero:
	 * the message needs the blocking sender after all (Slack's used-up
	 * response URL goes to the channel through the Web API), which
	 * tries it at once on a worker and is handed this value as
	 * outbox_item.loop_status; nothing else in the result counts.
	 */
	int			 blocking;
};

struct http_response;
/*
 * A sender's common reading of a failed HTTP call: 429 (paced by its
 * Retry-After, else retry_after_default_s), a malformed URL (rejected),
 * no server or a 5xx (retried; unsent when nothing was sent). Returns 1
 * when it set r's verdict, 0 for a status the sender reads itself (2xx,
 * other 4xx).
 */
int	 outbox_http_failure(const struct http_response *,
	    struct outbox_result *r, int retry_after_default_s);

/* One message as a sender sees it; borrowed for the call. */
struct outbox_item {
	int64_t		 id;
	const char	*platform;
	const char	*channel;
	const char	*kind;
	const char	*target;
	const char	*body;
	int		 attempts;	/* before this one */
	/*
	 * An earlier try may have reached the platform without its answer
	 * reaching us (a timeout, a cut connection, a crash while it was in
	 * flight): a sender that can look for the message it already posted
	 * does so before posting again.
	 */
	int		 maybe_sent;
	int64_t		 created_ms;	/* wall clock, when it was queued */
	/* The loop thread's try's outbox_result.blocking, or 0. */
	int		 loop_status;
};

/* A platform's delivery. Blocking; runs on a worker thread. */
typedef void (*outbox_send_fn)(void *arg, const struct outbox_item *,
	    struct outbox_result *);

struct http_loop;

/*
 * A platform's send on the loop thread, for a message one request can
 * deliver (a response URL): no hand-off to a worker and back. Returns 1
 * when it started the send: it fills r, then calls done(done_arg,
 * cancelled) later on the loop thread (cancelled 1: the outbox is being
 * freed and r says nothing). Returns 0 to leave the message to the
 * blocking sender on a worker.
 */
typedef int (*outbox_start_fn)(void *arg, struct http_loop *,
	    const struct outbox_item *, struct outbox_result *,
	    void (*done)(void *done_arg, int cancelled), void *done_arg);

struct outbox_limits {
	double		 rate_per_s;	/* sustained messages per channel */
	int		 burst;		/* bucket size */
	int64_t		 backoff_max_ms;
	/*
	 * Tries that reached the server (5xx, a cut connection, ...) before
	 * a message fails for good, so that one that can never be delivered
	 * does not hold its channel's queue; 0: OUTBOX_MAX_ATTEMPTS.
	 */
	int		 max_attempts;
};

#define OUTBOX_MAX_ATTEMPTS	10

/*
 * With workers NULL, sends run inline on the calling thread (tests with a
 * fake clock); otherwise on the pool, completing on the loop thread.
 */
struct outbox *outbox_create(struct store *, struct loop *,
	    struct workers *, const struct outbox_limits *);
void	 outbox_free(struct outbox *);

/* Routes a platform's messages to send; arg is passed back. */
void	 outbox_register(struct outbox *, const char *platform,
	    outbox_send_fn send, void *arg);
/*
 * Adds a start function to platform's newest sender (after
 * outbox_register): messages it takes go out on the loop thread.
 */
void	 outbox_register_start(struct outbox *, const char *platform,
	    outbox_start_fn start);
/*
 * Paces platform's channels with lim's rate and burst instead of the
 * outbox's defaults: what a platform tolerates differs (Slack about one
 * message a second per channel, Mattermost far more).
 */
void	 outbox_set_limits(struct outbox *, const char *platform,
	    const struct outbox_limits *);
/* Queues what the store still holds as pending (after a restart). */
int	 outbox_load(struct outbox *, char **cause);

/*
 * Stores a message (committed before return), then schedules it. Returns
 * the row id, or -1 and sets *cause: nothing was queued.
 */
int64_t	 outbox_enqueue(struct outbox *, const char *platform,
	    const char *channel, const char *kind, const char *target,
	    const char *body, char **cause);

/*
 * Best effort, for when the store cannot take a message (disk full), so
 * that a command is still answered: one try through the platform's
 * sender, on a worker; nothing stored, nothing retried, the result only
 * logged. Returns 0 once the try is started, -1 with no sender for it.
 */
int	 outbox_send_direct(struct outbox *, const char *platform,
	    const char *channel, const char *kind, const char *target,
	    const char *body);

/*
 * Writes the "sent" marks of deliveries that came back since the outbox
 * last tried a send (it writes them in one transaction before it tries
 * anything). Inside an open store transaction they are written in it, so
 * a command's answer, its audit row and the marks waiting cost one commit.
 */
void	 outbox_flush(struct outbox *);
/*
 * Messages enqueued inside a store transaction that then rolled back, so
 * were dropped unsent, since start: a caller that must answer anyway
 * compares it before and after its transaction.
 */
uint64_t outbox_rolled_back(struct outbox *);

/* Sends what is due now; the outbox also calls it from its timer. */
void	 outbox_kick(struct outbox *);
/* When the next message becomes due (clock_mono_ms), or -1 if none. */
int64_t	 outbox_next_due(struct outbox *);

size_t	 outbox_pending(struct outbox *);	/* not yet delivered */
/*
 * Messages a registered sender can still deliver (rows for a platform that
 * is not on wait for a later start and are not counted): at shutdown the
 * bot waits for this to reach 0, within its grace period.
 */
size_t	 outbox_deliverable(struct outbox *);
/* fn(arg) runs on the loop thread after every delivery attempt. */
void	 outbox_on_progress(struct outbox *, void (*fn)(void *), void *arg);
size_t	 outbox_channels(struct outbox *);
/* Messages given up since start (refused, or max_attempts reached). */
uint64_t outbox_failed(struct outbox *);
/* Messages not yet delivered to one channel. */
size_t	 outbox_backlog(struct outbox *, const char *platform,
	    const char *channel);

#endif

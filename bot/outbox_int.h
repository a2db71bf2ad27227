/*
 * The outbox's own structures, shared by its files: outbox.c (enqueue,
 * results, the store), outbox_sched.c (the queues' index and the
 * scheduler) and outbox_direct.c (direct sends). Not for other modules.
 */
#ifndef OPSBOT_OUTBOX_INT_H
#define OPSBOT_OUTBOX_INT_H

#include <sys/queue.h>

#include <libwebsockets.h>
#include <stdint.h>

#include "outbox.h"

#include "workers.h"

struct ob_item {
	int64_t			 id;
	char			*platform;
	char			*channel;
	char			*kind;
	char			*target;
	char			*body;
	int			 attempts;	/* counted, as stored */
	int			 tries;		/* since loaded: backoff */
	int			 maybe_sent;	/* see outbox_item */
	int			 url_logged;	/* its URL was logged once */
	int64_t			 created_ms;
	int64_t			 due;		/* mono ms */
	TAILQ_ENTRY(ob_item)	 link;
};
TAILQ_HEAD(ob_items, ob_item);

/* Where a queue is in the scheduler (outbox_sched.c). */
enum ob_where {
	OB_IDLE,	/* nothing queued: on the idle list, to be forgotten */
	OB_ACTIVE,	/* something queued: on the active list */
	OB_FLIGHT	/* its head is being sent (or it is new): on no list */
};

struct ob_sender;

struct ob_channel {
	char			*platform;
	char			*channel;
	struct ob_items		 items;
	size_t			 nitems;
	double			 rate;		/* per s: the platform's */
	int			 burst;
	double			 tokens;
	int64_t			 refilled;	/* mono ms */
	int64_t			 paused_until;
	int			 in_flight;
	struct ob_sender	*sender;	/* once registered */
	/* The index (outbox_sched.c). */
	uint64_t		 seq;		/* creation order: priority */
	uint32_t		 hash;
	struct ob_channel	*hnext;		/* same hash bucket */
	enum ob_where		 where;
	int64_t			 forget_at;	/* idle: bucket full again */
	TAILQ_ENTRY(ob_channel)	 qlink;		/* active or idle list */
	TAILQ_ENTRY(ob_channel)	 all;		/* every queue */
};
TAILQ_HEAD(ob_channels, ob_channel);

struct ob_sender {
	char			*platform;
	outbox_send_fn		 send;
	outbox_start_fn		 start;		/* or NULL */
	void			*arg;
	struct ob_sender	*next;
};

/* A platform's own pacing (outbox_set_limits). */
struct ob_pace {
	char			*platform;
	double			 rate;
	int			 burst;
	struct ob_pace		*next;
};

/* A delivery not yet marked sent in the store (outbox_marks.c). */
struct ob_mark {
	int64_t			 id;
	char			*platform_id;	/* or NULL; owned */
	int64_t			 at_ms;		/* wall clock */
};

struct outbox {
	struct store		*store;
	struct loop		*loop;
	struct workers		*workers;
	struct outbox_limits	 limits;
	/*
	 * The queues, one per (platform, channel); a response URL is a
	 * queue of its own, so a burst of commands makes as many. Found by
	 * hash; the scheduler walks only the active ones (in creation
	 * order, as the single list it replaces did), and the idle ones are
	 * forgotten in the order their buckets fill up, so no pass costs
	 * more than the queues it can move.
	 */
	struct ob_channel	**buckets;
	size_t			 nbuckets;
	size_t			 nchannels;
	uint64_t		 next_seq;
	struct ob_channels	 all;
	struct ob_channels	 active;
	struct ob_channels	 idle;
	struct ob_sender	*senders;
	struct ob_pace		*paces;
	size_t			 pending;
	size_t			 peak;		/* most pending since a trim */
	/*
	 * Enqueued inside a store transaction: kept out of the queues until
	 * it commits, dropped if it rolls back, so a message whose row never
	 * committed never reaches chat (and cannot be posted twice).
	 */
	struct ob_items		 staged;
	uint64_t		 failed;	/* given up since start */
	uint64_t		 rolled_back;	/* staged, then dropped */
	/*
	 * Deliveries to mark sent, written together before the outbox tries
	 * anything else (outbox_marks.c); the first marks_in_txn of them
	 * are written in a transaction still open.
	 */
	struct ob_mark		*marks;
	size_t			 nmarks, marks_cap, marks_in_txn;
	lws_sorted_usec_list_t	 marks_timer;	/* ob_marks_later */
	int			 marks_armed;
	lws_sorted_usec_list_t	 timer;
	int			 timer_armed;
	void			(*progress)(void *);
	void			*progress_arg;
	/* Sends on the loop thread (outbox_start_fn), made at first use. */
	struct http_loop	*http;
};

/* A send in flight: the item stays queued, this carries the result. */
struct ob_job {
	struct outbox		*ob;
	struct ob_channel	*ch;
	struct ob_item		*item;
	struct ob_sender	*sender;
	char			*ref_id;	/* "ref:N" resolved, or NULL */
	int			 loop_status;	/* result.blocking of its start */
	struct outbox_result	 result;
};

/* The sender registered for platform: 0, or -1 when there is none. */
int		 outbox_sender(struct outbox *, const char *platform,
		    outbox_send_fn *fn, void **arg);
/* The pool sends run on, or NULL (inline: tests). */
struct workers	*outbox_workers(struct outbox *);

/* outbox.c, for the scheduler. */
struct ob_sender *ob_sender_for(struct outbox *, const char *platform);
void		 ob_channel_pace(const struct outbox *, struct ob_channel *);
void		 ob_job_work(void *);
void		 ob_job_done(void *, enum workers_status);
void		 ob_complete(struct ob_job *);
/* Starts job on the loop thread if its sender can: 1, else 0. */
int		 ob_job_start(struct ob_job *);

/* outbox_sched.c. */
/*
 * The queue for (platform, channel), made if there is none; a new one is
 * on no list until a message is queued on it.
 */
struct ob_channel *ob_channel_get(struct outbox *, const char *platform,
		    const char *channel);
/* The queue for (platform, channel), or NULL. */
struct ob_channel *ob_channel_find(struct outbox *, const char *platform,
		    const char *channel);
/* ch's queue or flight changed: puts it on the list it now belongs to. */
void		 ob_channel_settle(struct outbox *, struct ob_channel *);
/* Frees every queue and its items, and the index. */
void		 ob_channels_free(struct outbox *);
void		 outbox_schedule(struct outbox *);
void		 ob_timer_cb(lws_sorted_usec_list_t *);
void		 ob_item_free(struct ob_item *);

/* outbox_marks.c: takes platform_id (or NULL). */
void	 ob_mark_sent(struct outbox *, int64_t id, char *platform_id,
	    int64_t at_ms);
/*
 * Nothing to send now: the marks wait for the next command's transaction
 * or for OB_MARKS_WAIT_MS, whichever comes first (at once without a loop).
 */
void	 ob_marks_later(struct outbox *);
/* The store transaction the marks were written in ended. */
void	 ob_marks_txn_end(struct outbox *, int committed);
void	 ob_marks_free(struct outbox *);

#endif

/*
 * The alert engine: every alert from every source (webhooks, the bot's
 * own checks) is stored by fingerprint, moves firing -> acknowledged ->
 * resolved (or silenced), with each transition on its timeline, and is
 * shown in chat through the routing tree: grouped by labels, posted once
 * per group and channel, updated in place as it changes, reminded while
 * unacknowledged, merged into a summary when a channel is backed up.
 *
 * Everything runs on the loop thread. Time is clock_now_ms(), so tests
 * drive group_wait, repeat_interval and silence expiry with a fake clock
 * and alerts_tick().
 */
#ifndef OPSBOT_ALERTS_H
#define OPSBOT_ALERTS_H

#include <stddef.h>
#include <stdint.h>

#include "alert_parse.h"
#include "labels.h"
#include "message.h"

struct alerts;
struct cfg_route;
struct config;
struct loop;
struct store;

enum alert_state {
	ALERT_FIRING,
	ALERT_ACKED,
	ALERT_SILENCED,
	ALERT_RESOLVED,
};

#define ALERT_MAX_GROUPS	4	/* routes one alert may reach */

struct agroup;

struct alert {
	int64_t		 id;		/* "#42" in chat */
	char		 fp[17];
	const char	*source;	/* static: "alertmanager", ... */
	struct labels	 labels;
	/*
	 * Only on the way to the store (NULL in memory: the store keeps
	 * its annotations and URL; an open alert stays small).
	 */
	char		*annotations;	/* JSON */
	const char	*url;
	char		*summary;	/* what chat shows, or NULL */
	enum alert_state state;
	int64_t		 starts_ms, ends_ms;
	int64_t		 first_seen_ms, last_seen_ms;
	int64_t		 received;
	char		*acked_by;
	char		*acked_ref;	/* "slack:U0456": who, to mention */
	int64_t		 silence_id;
	struct agroup	*groups[ALERT_MAX_GROUPS];
	int		 ngroups;
	int		 shown;		/* state chat last saw; -1: none */
	struct alert	*hnext;		/* fingerprint hash chain */
	struct alert	*next;		/* all alerts, by id */
	struct alert	*prev;
};

struct silence {
	int64_t		 id;
	struct matchers	 matchers;
	int64_t		 created_ms;
	int64_t		 ends_ms;
	char		*author;
	char		*reason;
	char		*remote_url;	/* its Alertmanager copy, or NULL */
	char		*remote_id;
	struct silence	*next;
};

/*
 * Where the engine's messages go (alerts_post.c in the bot; a recorder
 * in tests). kind: "post" (a new message), "update" (rewrite the message
 * of outbox row ref in place) or "thread" (a reply under row ref).
 * Returns the outbox row id (0 when the receiver has no outbox, like the
 * console), or -1 and *cause.
 */
/*
 * What the engine asks of ServiceNow tickets (alerts_ticket.c): a ticket
 * for a group (a route with ticket: true, or the Create ticket button),
 * a work note (an acknowledgement), the resolution (the group resolved).
 * Strings borrowed for the call.
 */
enum alerts_ticket_what {
	ALERTS_TICKET_OPEN,
	ALERTS_TICKET_NOTE,
	ALERTS_TICKET_RESOLVE,
};
struct alerts_ticket {
	enum alerts_ticket_what	 what;
	const char		*correlation_id;	/* "alert:HEX" */
	const char		*title;		/* OPEN: short description */
	const char		*text;		/* description, note, notes */
	const char		*receiver;	/* OPEN: where to announce */
	int64_t			 ref;		/* its message's outbox row */
};

struct alerts_sink {
	int64_t	(*post)(void *arg, const char *receiver, const char *kind,
		    int64_t ref, const struct message *, char **cause);
	/* Messages still waiting for this receiver's channel. */
	size_t	(*backlog)(void *arg, const char *receiver);
	void	*arg;
	/*
	 * Runs a command line as the user "remediation", answered in
	 * receiver's channel, in the thread of the message of outbox row
	 * ref (a route's remediate_auto); may be NULL.
	 */
	void	(*run)(void *arg, const char *receiver, int64_t ref,
		    const char *line);
	/* Tickets (may be NULL: off); on the loop thread. */
	void	(*ticket)(void *arg, const struct alerts_ticket *);
};

/*
 * Loads open alerts, silences and notes from the store. loop may be NULL
 * (tests call alerts_tick). Returns NULL and *cause.
 */
struct alerts *alerts_create(const struct config *, struct store *,
	    struct loop *, const struct alerts_sink *, char **cause);
void	 alerts_free(struct alerts *);

/*
 * Stores a batch in one transaction, then applies it. Returns 0 when
 * committed; -1 and *cause when the store failed, and then nothing of
 * the batch was stored or applied (the sender should retry: 503).
 */
int	 alerts_ingest(struct alerts *, const struct alert_batch *,
	    char **cause);

/*
 * Person-facing actions; -1 and *cause (a sentence for chat). who is how
 * chat shows the person ("@alice"); who_ref, "PLATFORM:USER_ID" or NULL,
 * lets the thread note mention them for real on that platform.
 */
int	 alerts_ack(struct alerts *, int64_t id, const char *who,
	    const char *who_ref, const char *note, char **cause);
int	 alerts_resolve(struct alerts *, int64_t id, const char *who,
	    const char *who_ref, const char *note, char **cause);
/*
 * A ticket for alert id's group (the Create ticket button): fills t
 * (what OPEN) with strings that live until alerts_ticket_release;
 * 0, or -1 and *cause.
 */
int	 alerts_ticket_request(struct alerts *, int64_t id,
	    struct alerts_ticket *t, char **cause);
void	 alerts_ticket_release(struct alerts_ticket *);
/*
 * Silences alerts matching m (ownership of m's contents passes to the
 * engine) for duration_s. Returns the silence id (*nsilenced: alerts it
 * covers now), or -1 and *cause.
 */
int64_t	 alerts_silence(struct alerts *, struct matchers *m,
	    int64_t duration_s, const char *who, const char *reason,
	    size_t *nsilenced, char **cause);
int	 alerts_unsilence(struct alerts *, int64_t id, const char *who,
	    char **cause);
/*
 * Records that active silence id was copied to the Alertmanager at url
 * as remote_id (store and memory); 0, or -1 and *cause.
 */
int	 alerts_silence_remote(struct alerts *, int64_t id, const char *url,
	    const char *remote_id, char **cause);

/*
 * A reload: new alerts route on cfg (which must outlive the engine);
 * groups already open keep the route they were made by (the old config
 * stays alive, see reload.c).
 */
void	 alerts_set_config(struct alerts *, const struct config *);
/*
 * Called on the loop thread, after the store has it, for each alert that
 * starts firing (new, or again after it resolved; not silenced ones): the
 * incidents' auto_open rules hook in here (main.c). a is borrowed for
 * the call. One hook; NULL removes it.
 */
typedef void (*alerts_fired_fn)(void *arg, const struct alert *a);
void	 alerts_set_fired_hook(struct alerts *, alerts_fired_fn, void *arg);
/* Flushes due groups, reminders and digests; ends expired silences. */
void	 alerts_tick(struct alerts *);
/* When alerts_tick has work next (clock_now_ms), or -1. */
int64_t	 alerts_next_due(const struct alerts *);

/* Lookups for commands; borrowed, valid until the next engine call. */
const struct alert *alerts_find(const struct alerts *, int64_t id);
/*
 * When an alert began, for "firing for": its sender's startsAt, or when
 * the bot first saw it; never in the future (a sender's skewed clock).
 */
int64_t	 alert_since_ms(const struct alert *, int64_t now_ms);
const struct alert *alerts_first(const struct alerts *);	/* by id */
const struct silence *alerts_silences(const struct alerts *);
const char *alert_state_name(enum alert_state);
/* 0 critical (or page), 1 warning (or warn), 2 anything else or NULL. */
int	 alert_severity_rank(const char *severity);
size_t	 alerts_count(const struct alerts *);	/* in memory */
/* The host an alert is about: label host, else instance without port. */
void	 alert_host(const struct labels *, char *out, size_t len);

#endif /* OPSBOT_ALERTS_H */

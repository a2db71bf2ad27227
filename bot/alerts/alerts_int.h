/*
 * Inside the alert engine: the engine's state and the groups it keeps
 * (alerts.c: memory, store, loading), and the functions its parts share:
 * routing and grouping (alerts_route.c), silences (alerts_silence.c),
 * intake (alerts_intake.c), actions from chat (alerts_actions.c),
 * flushing on the timer (alerts_flush.c) and how a group is rendered
 * for chat (alerts_render.c). Not for use outside bot/alerts*.c.
 */
#ifndef OPSBOT_ALERTS_INT_H
#define OPSBOT_ALERTS_INT_H

#include <libwebsockets.h>
#include <stddef.h>
#include <stdint.h>

#include "alerts.h"
#include "buf.h"
#include "message.h"

struct store;

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
	alerts_fired_fn		 fired;		/* alerts_set_fired_hook */
	void			*fired_arg;
	struct aremedy		*remedies;	/* auto runs, per route and host */
};

/* When a route's fix last ran on a host by itself (alerts_remedy.c). */
struct aremedy {
	char		*key;		/* route path, "\n", host */
	int64_t		 ran_ms;
	struct aremedy	*next;
};

/* An alert's place in a group, with what that group's message shows. */
struct amember {
	struct alert	*alert;
	int		 shown;		/* enum alert_state, or -1 */
};

/* A chat message that shows a group on one receiver. */
struct anote {
	int64_t		 id;
	char		*receiver;
	int64_t		 outbox_id;
	int64_t		 repeated_ms;
	struct anote	*next;
};

struct agroup {
	char			*key;		/* route path + label values */
	const struct cfg_route	*route;
	struct labels		 glabels;
	struct amember		*members;
	size_t			 n, cap;
	int64_t			 due;		/* flush at; 0: nothing to do */
	int64_t			 last_flush;
	struct anote		*notes;
	struct agroup		*next;
};

/* a->state is FIRING or ACKED: chat shows it as open. */
int	 alert_visible(const struct alert *);
/* A label's value, "" when absent (borrowed from a). */
const char *alert_label(const struct alert *, const char *name);

/*
 * A group's message and the buffers its strings point into: fill with
 * group_render, free with group_msg_release.
 */
struct group_msg {
	struct message	 m;
	struct buf	 title, text, ack, sil, fix, tkt;
	char		*links[3];	/* runbook, source, dashboard */
	/* runbooks.map's library file, no web page: a button runs /runbook */
	char		*rb_label, *rb_command;
};

/*
 * Renders g as it stands: one entry per alert (severity, how long it has
 * fired, summary, description; worst first), Acknowledge and Silence
 * buttons, and link buttons read from the store (annotations and source
 * URL are not kept in memory). A store error only loses the links. An
 * alert without a runbook_url annotation gets the runbook cfg's
 * runbooks.map gives it (cfg may be NULL: none).
 */
void	 group_render(struct store *, const struct config *,
	    const struct agroup *, int ticket_button, struct group_msg *);
void	 group_msg_release(struct group_msg *);
/*
 * alerts_remedy.c: r's remediate line with a's labels in it, each value
 * one quoted chat word, appended to out. Returns 0, or -1 when r has
 * none or a label it names is missing (nothing to propose).
 */
int	 alerts_remedy_line(const struct cfg_route *, const struct alert *,
	    struct buf *out);
/*
 * After g was shown: runs its route's fix by itself (remediate_auto) for
 * its first firing alert, at most once per remediate_every per host,
 * and says so in the group's threads. post posts a thread note.
 */
void	 alerts_remedy_auto(struct alerts *, struct agroup *, int64_t now,
	    int (*post)(struct alerts *, const char *receiver, const char *kind,
	    int64_t ref, const struct message *, int64_t *id));
void	 alerts_remedy_free(struct alerts *);
/* The thread note of what changed since chat last saw g; its count. */
int	 group_render_changes(const struct agroup *, struct buf *text);

/* alerts_ticket.c: what a group asks of tickets (sink.ticket). */
/* The group's correlation id in ServiceNow, "alert:" and 16 hex digits. */
void	 group_ticket_id(const struct agroup *, char out[32]);
/* The group's first message went to rcv as outbox row ref. */
void	 group_ticket_posted(struct alerts *, const struct agroup *,
	    const struct group_msg *, const char *rcv, int64_t ref);
/* Every alert of the group is resolved and shown so. */
void	 group_ticket_resolved(struct alerts *, const struct agroup *,
	    const struct group_msg *);
/* a was acknowledged by who: a work note on its groups' tickets. */
void	 alert_ticket_acked(struct alerts *, const struct alert *,
	    const char *who);

/* alerts.c: memory and the store. */
/* What chat shows of the annotations (caller frees; NULL if none). */
char	*alert_summary_of(const struct labels *ann);
/* Sources are a handful of words: one static copy each. */
const char *alert_source_intern(const char *s);
/* The alert in memory with this fingerprint, or NULL. */
struct alert *alerts_by_fp(const struct alerts *, const char *fp);
/* Links a new alert in (al owns it), keeping the list in id order. */
void	 alerts_link(struct alerts *, struct alert *);
/* Unlinks a and frees it. */
void	 alerts_unlink(struct alerts *, struct alert *);
/* Writes a (shown: what chat has seen, or -1) to the store; *id its id. */
int	 alerts_put(struct alerts *, const struct alert *, int shown,
	    int64_t *id, char **cause);
/* The state chat has seen of a, over all its groups (the least). */
int	 alert_shown(const struct alert *);

/* alerts_route.c: routing and grouping. */
struct agroup *alerts_group_find(struct alerts *, const char *key);
/* Puts a (new to memory) alert into the groups of the routes it takes. */
void	 alerts_route(struct alerts *, struct alert *, int shown);
/* Marks a's groups due (at_once: now, else after group_wait/interval). */
void	 alerts_touch_groups(struct alerts *, struct alert *, int at_once);
void	 alerts_note_free(struct anote *);
/* Frees g, its notes and its member array (not the alerts). */
void	 group_free(struct agroup *);
/* Removes member i from g (and g from that alert's groups). */
void	 group_drop_member(struct agroup *, size_t i);

/* alerts_silence.c */
/* The active silence that holds labels l, or NULL. */
const struct silence *alerts_silenced_by(const struct alerts *,
	    const struct labels *l);
void	 alerts_silence_free(struct silence *);
/* Ends silence s (expired or lifted): its alerts fire again. */
int	 alerts_silence_end(struct alerts *, struct silence *, const char *who,
	    char **cause);

/* alerts_flush.c: the timer. */
/* Drops the alerts of groups that are over, and empty groups. */
void	 alerts_collect(struct alerts *);
/* Arms the timer for the next thing to do (not a poll). */
void	 alerts_schedule(struct alerts *);

#endif /* OPSBOT_ALERTS_INT_H */

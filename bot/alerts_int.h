/*
 * Inside the alert engine: the groups it keeps (alerts.c) and how one is
 * rendered for chat (alerts_render.c). Not for use outside bot/alerts*.c.
 */
#ifndef OPSBOT_ALERTS_INT_H
#define OPSBOT_ALERTS_INT_H

#include <stddef.h>
#include <stdint.h>

#include "alerts.h"
#include "buf.h"
#include "message.h"

struct store;

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
/* The host an alert is about: label host, else instance without port. */
void	 alert_host(const struct labels *, char *out, size_t len);

/*
 * A group's message and the buffers its strings point into: fill with
 * group_render, free with group_msg_release.
 */
struct group_msg {
	struct message	 m;
	struct buf	 title, text, ack, sil;
	char		*links[3];	/* runbook, source, dashboard */
};

/*
 * Renders g as it stands: one entry per alert (severity, how long it has
 * fired, summary, description; worst first), Acknowledge and Silence
 * buttons, and link buttons read from the store (annotations and source
 * URL are not kept in memory). A store error only loses the links.
 */
void	 group_render(struct store *, const struct agroup *,
	    struct group_msg *);
void	 group_msg_release(struct group_msg *);
/* The thread note of what changed since chat last saw g; its count. */
int	 group_render_changes(const struct agroup *, struct buf *text);

#endif /* OPSBOT_ALERTS_INT_H */

/*
 * Shared by ticket.c (the loop side: the queue, the table, chat) and
 * ticket_snow.c (the worker side: ServiceNow's API). Not for others.
 */
#ifndef OPSBOT_TICKET_INT_H
#define OPSBOT_TICKET_INT_H

#include <pthread.h>

#include "outbox.h"
#include "ticket.h"

struct tickets {
	struct bot		*bot;
	/* The settings the sender reads on workers; swapped on reload. */
	pthread_mutex_t		 lock;
	struct snow_conf	*conf;
};

/*
 * What one sent row came to, handed from the worker to the loop
 * (ticket_applied): the row's new state and where to announce it.
 */
struct ticket_done {
	struct bot	*bot;
	char		*correlation_id;
	char		*kind;		/* "create", "update" */
	char		*state;		/* to store, or NULL */
	char		*sys_id, *number, *url;
	char		*error;		/* refused for good, or NULL */
	char		*announce;
	int64_t		 ref;
	int		 found;		/* create: it was there already */
};

/* The outbox's sender for "servicenow"; worker thread. */
void	 snow_send(void *arg, const struct outbox_item *,
	    struct outbox_result *);
/* Loop thread: stores d and says it in chat; frees d. */
void	 ticket_applied(void *d);
void	 ticket_applied_free(struct ticket_done *);
/* A copy of t's settings (under its lock), or NULL. */
struct snow_conf *tickets_conf_copy(struct tickets *);

#endif

/*
 * The tickets table (schema v8): one row per correlation_id, the key
 * ServiceNow holds too, so no path (a retry, a restart, a second click)
 * opens a second ticket for the same thing.
 */
#ifndef OPSBOT_STORE_TICKETS_H
#define OPSBOT_STORE_TICKETS_H

#include <stdint.h>

struct store;

/* A row; every string borrowed (NULL: SQL NULL) for the call. */
struct store_ticket {
	int64_t		 id;
	const char	*correlation_id;
	const char	*source;	/* "chat", "alert", "incident" */
	const char	*source_id;	/* the alert group's key, ... */
	const char	*short_description;
	const char	*category;
	const char	*state;		/* pending, open, resolved, failed, or
					   ServiceNow's state number */
	const char	*sys_id;
	const char	*number;
	const char	*url;
	const char	*platform;	/* where it was asked for */
	const char	*channel;
	const char	*created_by;
	const char	*last_error;
	int64_t		 created;	/* ms since epoch */
	int64_t		 updated;
};

typedef void (*store_ticket_cb)(void *arg, const struct store_ticket *);

/*
 * Adds t (id, state, updated ignored: a new row is "pending") unless its
 * correlation_id has one: 1 added, 0 already there, -1 and *cause.
 */
int	 store_ticket_add(struct store *, const struct store_ticket *t,
	    char **cause);
/*
 * The row whose correlation_id, number, sys_id or id is key, to cb:
 * 1 found, 0 not, -1 and *cause.
 */
int	 store_ticket_get(struct store *, const char *key, store_ticket_cb cb,
	    void *arg, char **cause);
/*
 * What ServiceNow said of correlation_id's ticket: each of state, sys_id,
 * number and url that is not NULL replaces the stored one; last_error is
 * stored as given (NULL clears it). 0, or -1 and *cause.
 */
int	 store_ticket_set(struct store *, const char *correlation_id,
	    const char *state, const char *sys_id, const char *number,
	    const char *url, const char *last_error, char **cause);
/* The newest limit rows, newest first, to cb: how many, or -1. */
int	 store_ticket_recent(struct store *, int limit, store_ticket_cb cb,
	    void *arg, char **cause);

#endif

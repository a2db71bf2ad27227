/*
 * ServiceNow tickets (docs/tickets.md). Every ticket operation (open, work
 * note, resolve) is a row of the durable outbox on the platform
 * "servicenow", queued per correlation_id so that a ticket's operations
 * go in order, retried with backoff through an outage and held back as
 * long as a 429's Retry-After says. Before opening, the sender looks the
 * correlation_id up in ServiceNow, so a retry after a timeout or a
 * restart finds the ticket the first try made instead of opening another;
 * the tickets table keeps one row per correlation_id (sys_id, number,
 * link, state). Loop thread, except where a function says otherwise.
 */
#ifndef OPSBOT_TICKET_H
#define OPSBOT_TICKET_H

#include <stdint.h>

struct bot;
struct bot_service;
struct tickets;

/* The outbox platform of ticket operations (not a chat). */
#define TICKET_PLATFORM	"servicenow"

/* The service main.c adds: sets bot->tickets when tickets are on. */
extern const struct bot_service tickets_service;

/* What opening a ticket needs; every string borrowed for the call. */
struct ticket_open {
	const char	*correlation_id;	/* "alert:KEY", "incident:N",
						   "chat:..."; <= 100 bytes */
	const char	*source;		/* "alert", "incident", "chat" */
	const char	*source_id;		/* or NULL */
	const char	*short_description;
	const char	*description;		/* or NULL */
	const char	*category;		/* or NULL: the config's */
	const char	*created_by;
	/*
	 * Where the number and link are posted once ServiceNow gave them
	 * ("slack:C0OPS", "console"), or NULL; with ref > 0, as a thread
	 * reply under that outbox row's message.
	 */
	const char	*announce;
	int64_t		 ref;
};

/* 1 when tickets.servicenow is configured (and the service started). */
int	 tickets_enabled(struct bot *);
/*
 * Opens a ticket for o->correlation_id unless one is open or being
 * opened: returns the tickets row id and sets *created (may be NULL) to
 * 1 when this call queued the opening; -1 and *cause when tickets are
 * off or the store failed. A ticket whose opening failed for good (a
 * 401) is queued again.
 */
int64_t	 ticket_for(struct bot *, const struct ticket_open *o, int *created,
	    char **cause);
/*
 * Queues text as a work note on correlation_id's ticket: 1 queued, 0
 * there is no ticket for it (nothing to do), -1 and *cause.
 */
int	 ticket_note(struct bot *, const char *correlation_id,
	    const char *text, char **cause);
/*
 * Queues resolving correlation_id's ticket (state 6, the config's close
 * code, text as close notes and a work note): 1, 0 or -1 as ticket_note.
 */
int	 ticket_resolve(struct bot *, const char *correlation_id,
	    const char *text, char **cause);

/* ------------------------------------------------------------------ */
/* ServiceNow's API itself (ticket_snow.c); blocking: worker threads. */

/* A copy of the settings a call needs; snow_conf_free releases it. */
struct snow_conf {
	char	*instance;	/* no trailing "/" */
	char	*auth;		/* "Authorization: Basic ..." or "Bearer" */
	long	 timeout_ms;
	char	*close_code;
};

/* One incident as the bot reads it; strings owned (snow_record_clear). */
struct snow_record {
	char	*sys_id;
	char	*number;
	char	*state;		/* "1".."8" */
	char	*short_description;
};

/* The settings now (a copy the caller frees), or NULL when off. Loop. */
struct snow_conf *tickets_conf(struct bot *);
void	 snow_conf_free(struct snow_conf *);
void	 snow_record_clear(struct snow_record *);
/* The incident's form in ServiceNow's UI; caller frees. */
char	*snow_url(const char *instance, const char *sys_id);
/* "New", "In Progress", ... for a state number; never NULL. */
const char *snow_state_name(const char *state);
/*
 * Reads one incident by sys_id or number (INC...): 1 found (*rec set),
 * 0 none, -1 and *cause (what ServiceNow or the network said).
 */
int	 snow_fetch(const struct snow_conf *, const char *key,
	    struct snow_record *rec, char **cause);

#endif

/*
 * What /handover reads beyond the alerts and actions the EOD already
 * reads (store_checklists.h): open incidents, tickets opened in the
 * shift, each checklist's latest run's failing lines, and when the last
 * handover ran. Strings are borrowed for the callback.
 */
#ifndef OPSBOT_STORE_HANDOVER_H
#define OPSBOT_STORE_HANDOVER_H

#include <stdint.h>

struct store;

struct store_incident_row {
	int64_t		 id;
	const char	*title;
	int		 severity;
	const char	*status;	/* the last /incident status, or NULL */
	int64_t		 opened_ms;
	const char	*opened_by;	/* display name, else id */
};
typedef void (*store_incident_cb)(void *arg,
	    const struct store_incident_row *);
/* Open incidents, oldest first, at most limit; how many, or -1. */
int	 store_handover_incidents(struct store *, int limit,
	    store_incident_cb, void *arg, char **cause);

struct store_ticket_row {
	const char	*number;	/* "INC0010001", or NULL while pending */
	const char	*short_description;
	const char	*state;
	const char	*url;		/* or NULL */
	int64_t		 created_ms;
	const char	*created_by;
};
typedef void (*store_ticket_cb)(void *arg, const struct store_ticket_row *);
/* Tickets created since since_ms, oldest first; how many, or -1. */
int	 store_handover_tickets(struct store *, int64_t since_ms, int limit,
	    store_ticket_cb, void *arg, char **cause);

/* A line that did not pass in its checklist's latest run. */
struct store_failing_row {
	const char	*checklist;	/* "sod" */
	int64_t		 started_ms;	/* of that run */
	const char	*title;
	const char	*status;	/* "fail", "error" */
	const char	*detail;
};
typedef void (*store_failing_cb)(void *arg, const struct store_failing_row *);
/*
 * For each checklist name, its latest run's lines that are not "ok", by
 * name and line; how many, or -1.
 */
int	 store_handover_failing(struct store *, int limit, store_failing_cb,
	    void *arg, char **cause);

/*
 * When the last /handover that went well was asked for, since since_ms
 * (0 if none then); 0, or -1 and *cause.
 */
int	 store_handover_last(struct store *, int64_t since_ms, int64_t *at_ms,
	    char **cause);

#endif

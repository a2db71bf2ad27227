/*
 * Incidents (store_incidents.c): the incident rows of schema v8, their
 * notes (kind: open, note, status, link, close), the alerts linked to
 * them, and the reads the timeline needs beyond them (the audit rows of
 * the incident's channel, checklist runs). Rows cross as plain structs
 * whose strings are borrowed for the callback.
 */
#ifndef OPSBOT_STORE_INCIDENTS_H
#define OPSBOT_STORE_INCIDENTS_H

#include <stdint.h>

struct store;

struct store_incident_row {
	int64_t		 id;		/* 0 on open */
	const char	*title;
	int		 severity;	/* 1 (worst) .. 5 */
	const char	*state;		/* "open", "closed" */
	const char	*status;	/* the last /incident status, or NULL */
	const char	*platform;	/* "slack", "mattermost", "console" */
	const char	*channel;	/* the platform's channel id */
	int64_t		 outbox_id;	/* the root post, or 0 */
	const char	*thread;	/* the root post's platform id, or NULL */
	int64_t		 opened_ms;
	const char	*opened_by;	/* user id, or "alert" */
	const char	*opened_by_name;
	const char	*source;	/* "chat" or "alert" */
	int64_t		 closed_ms;	/* 0 while open */
	const char	*closed_by;
	const char	*closed_by_name;
	const char	*resolution;
	const char	*rca;		/* the draft kept on close, or NULL */
};

typedef void (*store_incident_cb)(void *arg,
	    const struct store_incident_row *);

/* Inserts an open incident; its id, or -1 and *cause. */
int64_t	 store_incident_open(struct store *, const struct store_incident_row *,
	    char **cause);
/*
 * Records the incident's root post (the outbox row that carries it), and
 * takes the channel as that row names it (an id, where a name was given).
 */
int	 store_incident_set_post(struct store *, int64_t id, int64_t outbox_id,
	    char **cause);
/* One incident by id: 1 (cb called), 0 unknown, -1 and *cause. */
int	 store_incident_get(struct store *, int64_t id, store_incident_cb,
	    void *arg, char **cause);
/*
 * The open incident whose root post is thread in that channel: 1 (cb
 * called), 0 none, -1. The root's platform id is known once the outbox
 * delivered it; the first lookup that finds it through the outbox keeps
 * it in incidents.thread, so the row outlives the outbox's retention.
 */
int	 store_incident_by_thread(struct store *, const char *platform,
	    const char *channel, const char *thread, store_incident_cb,
	    void *arg, char **cause);
/*
 * Open incidents, oldest first; platform and channel NULL: everywhere.
 * Returns how many, or -1 and *cause.
 */
int	 store_incidents_open(struct store *, const char *platform,
	    const char *channel, store_incident_cb, void *arg, char **cause);
/* The open incident an alert is linked to: 1 (*id set), 0, -1. */
int	 store_incident_of_alert(struct store *, int64_t alert_id,
	    int64_t *id, char **cause);

/* Adds a note of kind ("note", "status", ...); its id, or -1 and *cause. */
int64_t	 store_incident_note(struct store *, int64_t id, int64_t at_ms,
	    const char *who, const char *who_name, const char *kind,
	    const char *text, char **cause);
/* Sets the incident's current status line. */
int	 store_incident_status(struct store *, int64_t id, const char *status,
	    char **cause);
/* Links an alert: 1 linked now, 0 it already was, -1 and *cause. */
int	 store_incident_link(struct store *, int64_t id, int64_t alert_id,
	    int64_t at_ms, const char *by, char **cause);
/*
 * Closes an open incident with its resolution (may be NULL) and RCA
 * draft: 1 closed now, 0 it was not open, -1 and *cause.
 */
int	 store_incident_close(struct store *, int64_t id, int64_t at_ms,
	    const char *by, const char *by_name, const char *resolution,
	    const char *rca, char **cause);

struct store_incident_note_row {
	int64_t		 at_ms;
	const char	*who;
	const char	*who_name;	/* or NULL */
	const char	*kind;
	const char	*text;
};
typedef void (*store_incident_note_cb)(void *arg,
	    const struct store_incident_note_row *);
/* The incident's notes, oldest first; how many, or -1. */
int	 store_incident_notes(struct store *, int64_t id,
	    store_incident_note_cb, void *arg, char **cause);

typedef void (*store_incident_alert_cb)(void *arg, int64_t alert_id,
	    int64_t linked_ms, const char *linked_by);
/* The alerts linked to the incident, in the order linked; how many, -1. */
int	 store_incident_alerts(struct store *, int64_t id,
	    store_incident_alert_cb, void *arg, char **cause);

/* An audit row the timeline shows (strings borrowed for the callback). */
struct store_incident_cmd_row {
	int64_t		 ts_ms;
	const char	*user;
	const char	*user_name;	/* or NULL */
	const char	*command;	/* as typed, secrets redacted */
	const char	*outcome;
	const char	*detail;	/* or NULL */
	const char	*via;		/* "typed" or "click" */
};
typedef void (*store_incident_cmd_cb)(void *arg,
	    const struct store_incident_cmd_row *);
/*
 * Commands typed in thread (NULL: none) or anywhere in the channel of
 * platform during [since_ms, until_ms], oldest first, at most limit.
 * Returns how many, or -1.
 */
int	 store_incident_commands(struct store *, const char *platform,
	    const char *channel, const char *thread, int64_t since_ms,
	    int64_t until_ms, int limit, store_incident_cmd_cb, void *arg,
	    char **cause);

/* A checklist run that finished in a window. */
struct store_incident_run_row {
	int64_t		 id;
	const char	*name;
	int64_t		 finished_ms;
	const char	*trigger;
	int		 passed;
	int		 total;
	/* The titles of the lines that did not pass, "; "-joined, or NULL. */
	const char	*failed;
};
typedef void (*store_incident_run_cb)(void *arg,
	    const struct store_incident_run_row *);
/* Checklist runs finished in [since_ms, until_ms], oldest first; n, -1. */
int	 store_incident_runs(struct store *, int64_t since_ms, int64_t until_ms,
	    int limit, store_incident_run_cb, void *arg, char **cause);

#endif

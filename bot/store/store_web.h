/*
 * The read-only web page's reads (commands/web_*.c): open alerts,
 * checklist runs by day, incidents with their notes and linked alerts.
 * Every string handed to a callback is valid during that call only.
 */
#ifndef OPSBOT_STORE_WEB_H
#define OPSBOT_STORE_WEB_H

#include <stdint.h>

struct store;

struct store_web_alert {
	int64_t		 id;
	const char	*alertname;
	const char	*severity;
	const char	*host;
	const char	*state;		/* firing, acknowledged, silenced */
	const char	*labels;	/* the stored JSON object */
	int64_t		 starts_at;	/* ms */
	const char	*acked_by;	/* or NULL */
};
typedef void (*store_web_alert_cb)(void *, const struct store_web_alert *);

/* Every alert not resolved, most severe first then oldest; 0 or -1. */
int	 store_web_alerts(struct store *, store_web_alert_cb, void *,
	    char **cause);

struct store_web_run {
	int64_t		 id;
	const char	*name;
	int64_t		 started;	/* ms */
	int		 passed;
	int		 total;
};
typedef void (*store_web_run_cb)(void *, const struct store_web_run *);

/* Checklist runs started since since_ms, oldest first; 0 or -1. */
int	 store_web_runs(struct store *, int64_t since_ms, store_web_run_cb,
	    void *, char **cause);

struct store_web_incident {
	int64_t		 id;
	const char	*title;
	int		 severity;
	const char	*state;		/* open, closed */
	const char	*status;	/* or NULL */
	int64_t		 opened;
	const char	*opened_by;	/* the name, else the id */
	int64_t		 closed;	/* 0: open */
	const char	*resolution;	/* or NULL */
	const char	*rca;		/* or NULL */
};
typedef void (*store_web_incident_cb)(void *,
	    const struct store_web_incident *);

/* The newest limit incidents, open ones first; 0 or -1. */
int	 store_web_incidents(struct store *, int limit, store_web_incident_cb,
	    void *, char **cause);
/* Incident id: 1 with cb called, 0 when there is none, or -1. */
int	 store_web_incident(struct store *, int64_t id, store_web_incident_cb,
	    void *, char **cause);

/*
 * One line of an incident's timeline: a note (kind open, note, status,
 * link, close, reopen) or, with kind "alert", a linked alert's firing
 * (text its alertname, who its host) and, with kind "resolved", its end.
 */
struct store_web_entry {
	int64_t		 at;
	const char	*kind;
	const char	*who;
	const char	*text;
	int64_t		 alert_id;	/* alert lines; else 0 */
	const char	*severity;	/* alert lines; else NULL */
};
typedef void (*store_web_entry_cb)(void *, const struct store_web_entry *);

/* Incident id's timeline, oldest first; 0 or -1. */
int	 store_web_timeline(struct store *, int64_t id, store_web_entry_cb,
	    void *, char **cause);

#endif

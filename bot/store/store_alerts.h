/*
 * The alert tables (store_alerts.c): alerts by fingerprint, their event
 * timeline, silences, and alert_notes (which chat message shows which
 * alert group, for updates in place). Rows cross as plain structs whose
 * strings are borrowed for the call.
 */
#ifndef OPSBOT_STORE_ALERTS_H
#define OPSBOT_STORE_ALERTS_H

#include <stdint.h>

struct store;

struct store_alert_row {
	int64_t		 id;		/* 0 on a first put */
	const char	*fingerprint;
	const char	*source;
	const char	*alertname;
	const char	*severity;
	const char	*host;
	const char	*labels;	/* JSON object */
	const char	*annotations;	/* JSON object; NULL: keep the stored */
	const char	*url;		/* "": none; NULL: keep the stored */
	const char	*state;		/* firing, acknowledged, silenced, resolved */
	const char	*shown;		/* the state chat last saw, or NULL */
	int64_t		 starts_ms;
	int64_t		 ends_ms;
	int64_t		 first_seen_ms;
	int64_t		 last_seen_ms;
	int64_t		 received;	/* deliveries of this alert */
	const char	*acked_by;	/* or NULL */
	int64_t		 silence_id;	/* 0: none */
};

/* Inserts or updates by fingerprint; returns the row id, or -1, *cause. */
int64_t	 store_alert_put(struct store *, const struct store_alert_row *,
	    char **cause);
/* Appends to an alert's timeline (who: a person, "alertmanager", ...). */
int	 store_alert_event(struct store *, int64_t alert_id, int64_t at_ms,
	    const char *who, const char *what, const char *why, char **cause);
typedef void (*store_alert_cb)(void *arg, const struct store_alert_row *);
/* Alerts not resolved, or whose last change chat has not seen yet. */
int	 store_alerts_load_active(struct store *, store_alert_cb, void *arg,
	    char **cause);
/*
 * Resolved alerts chat has seen resolved since the oldest open note was
 * posted (at most 5,000): their groups' messages still list them.
 */
int	 store_alerts_load_shown(struct store *, store_alert_cb, void *arg,
	    char **cause);
/* Every alert by id (also resolved ones); 1 found, 0 not, -1 error. */
int	 store_alert_by_id(struct store *, int64_t id, store_alert_cb,
	    void *arg, char **cause);
int64_t	 store_alert_count(struct store *);	/* rows, or -1 */
/*
 * An alert not in memory (new, or resolved long ago): 1 and its id and
 * deliveries so far if the store knows it, 0 if not, -1 on error.
 */
int	 store_alert_known(struct store *, const char *fingerprint,
	    int64_t *id, int64_t *received, char **cause);

struct store_event_row {
	int64_t		 at_ms;
	const char	*who;
	const char	*what;
	const char	*why;		/* or NULL */
};
typedef void (*store_event_cb)(void *arg, const struct store_event_row *);
/* An alert's timeline, oldest first (at most limit rows). */
int	 store_alert_events(struct store *, int64_t alert_id, int limit,
	    store_event_cb, void *arg, char **cause);

struct store_silence_row {
	int64_t		 id;
	const char	*matchers;	/* JSON (matchers_to_json) */
	int64_t		 created_ms;
	int64_t		 ends_ms;
	const char	*author;
	const char	*reason;
	/* Its copy in an Alertmanager (API base URL, silenceID), or NULL. */
	const char	*remote_url;
	const char	*remote_id;
};
int64_t	 store_silence_add(struct store *, const struct store_silence_row *,
	    char **cause);
/* Records where a silence was mirrored (see store_silence_row). */
int	 store_silence_remote(struct store *, int64_t id,
	    const char *remote_url, const char *remote_id, char **cause);
/* Ends a silence now (expired or lifted). */
int	 store_silence_end(struct store *, int64_t id, int64_t at_ms,
	    char **cause);
typedef void (*store_silence_cb)(void *arg, const struct store_silence_row *);
/* Silences not ended (the caller ends those already past ends_ms). */
int	 store_silences_load(struct store *, store_silence_cb, void *arg,
	    char **cause);

struct store_note_row {
	int64_t		 id;
	const char	*group_key;
	const char	*receiver;	/* "slack:#ops" */
	int64_t		 outbox_id;	/* the post that shows the group */
	int64_t		 created_ms;
	int64_t		 repeated_ms;	/* last reminder */
};
int64_t	 store_note_add(struct store *, const struct store_note_row *,
	    char **cause);
int	 store_note_close(struct store *, int64_t id, char **cause);
int	 store_note_repeated(struct store *, int64_t id, int64_t at_ms,
	    char **cause);
typedef void (*store_note_cb)(void *arg, const struct store_note_row *);
int	 store_notes_load_open(struct store *, store_note_cb, void *arg,
	    char **cause);

#endif

/*
 * Incidents: one per problem, opened in a channel (its root post's
 * thread is the incident's), with notes, status lines, linked alerts, a
 * timeline built from what the bot already stores, and an RCA draft on
 * close. The store keeps everything (store_incidents.h); this layer adds
 * the chat side: every change is also a short line in the thread.
 *
 * Everything runs on the loop thread.
 */
#ifndef OPSBOT_INCIDENTS_H
#define OPSBOT_INCIDENTS_H

#include <stdint.h>

struct bot;
struct chat;
struct chat_msg;
struct store;

#define INCIDENT_SEVERITY_DEFAULT	3	/* 1 (worst) .. 5 */

/* Who acts: ids for the store, the name for people (either may be NULL). */
struct incident_actor {
	const char	*user_id;	/* or "alert" for the engine */
	const char	*user_name;
};

/*
 * Opens an incident in platform's channel and posts its root message
 * there (its thread becomes the incident's). source: "chat" or "alert".
 * Returns the id, or -1 and *cause (may be NULL; caller frees). A post
 * that fails leaves the incident open, without a thread (logged).
 */
int64_t	 incident_open(struct bot *, const char *platform,
	    const char *channel, const char *title, int severity,
	    const struct incident_actor *, const char *source, char **cause);
/*
 * Adds a note of kind ("note", "status", "link") and posts line (NULL:
 * none) in the incident's thread. 0, or -1 and *cause.
 */
int	 incident_note(struct bot *, int64_t id, const struct incident_actor *,
	    const char *kind, const char *text, const char *line,
	    char **cause);
/* Links alert_id: 1 linked now, 0 already was, -1 and *cause. */
int	 incident_link(struct bot *, int64_t id, int64_t alert_id,
	    const struct incident_actor *, char **cause);
/*
 * Closes an open incident: computes and keeps the RCA draft, posts it in
 * the thread. 1 closed, 0 it was not open, -1 and *cause.
 */
int	 incident_close(struct bot *, int64_t id, const struct incident_actor *,
	    const char *resolution, char **cause);
/*
 * Posts text in the incident's thread (a new post where it has none).
 * 0, or -1 and *cause.
 */
int	 incident_post_line(struct bot *, int64_t id, const char *text,
	    char **cause);

/*
 * "This incident changed" (kind: "open", "note", "status", "link",
 * "close"), by who: the one place a follower hooks in. Logs it, and
 * when the incident has a ticket (incident_ticket.c), notes, status
 * lines and links become its work notes and the close resolves it.
 */
void	 incident_changed(struct bot *, int64_t id,
	    const struct incident_actor *who, const char *kind,
	    const char *text);

/*
 * The bot_set_thread_fn handler: a plain reply in an open incident's
 * thread becomes a note (who, when); other threads are not ours.
 */
void	 incident_thread_reply(struct bot *, struct chat *,
	    const struct chat_msg *);

/*
 * The alert engine's fired hook (alerts_set_fired_hook; arg: the bot):
 * the first incidents.auto_open rule the alert matches opens an incident
 * (or links the alert to the open one of its group).
 */
struct alert;
void	 incident_auto_fired(void *bot, const struct alert *);

/*
 * The RCA draft of incident id as Markdown: the one kept on close, or,
 * while it is open, computed now. 0 and *md (caller frees), or -1 and
 * *cause (may be NULL; caller frees).
 */
int	 incident_rca(struct store *, int64_t id, char **md, char **cause);
/* The same, always computed from the store as it is now. */
int	 incident_rca_compute(struct store *, int64_t id, int64_t now_ms,
	    char **md, char **cause);

#endif

/* Shared by the incident files of commands/ (incidents.c, incident*.c). */
#ifndef OPSBOT_INCIDENTS_INT_H
#define OPSBOT_INCIDENTS_INT_H

#include <stddef.h>
#include <stdint.h>

struct bot;
struct incident_actor;
struct store;

/* An incident's row, the parts the chat side needs; strings owned. */
struct incident_info {
	int64_t	 id;
	char	*title;
	int	 severity;
	int	 open;
	char	*platform;
	char	*channel;
	int64_t	 outbox_id;
	char	*thread;
	int64_t	 opened_ms;
};

/* 0, or -1 and *cause ("no incident #N"); release it after. */
int	 incident_info_load(struct store *, int64_t id, struct incident_info *,
	    char **cause);
/* The open incident of that thread: 1, 0 (none), -1 and *cause. */
int	 incident_info_by_thread(struct store *, const char *platform,
	    const char *channel, const char *thread, struct incident_info *,
	    char **cause);
void	 incident_info_release(struct incident_info *);

/*
 * The actor of a message: its name, or the config's name for the user
 * id (Slack events carry only the id); borrowed from the arguments and
 * the config.
 */
void	 incident_actor_set(struct bot *, const char *platform,
	    const char *user_id, const char *user_name,
	    struct incident_actor *);
/* How chat names the actor: the name, else the id (borrowed). */
const char *incident_actor_name(const struct incident_actor *);
/*
 * A note as typed in chat, to keep: bounded, control bytes dropped,
 * secrets redacted; the caller frees it.
 */
char	*incident_note_text(const char *text, size_t len);
struct message;
/* Posts m in the incident's thread (a new post without one); 0 or -1. */
int	 incident_post_message(struct bot *, int64_t id, const struct message *,
	    char **cause);

/* A close being written: the draft shows it before the row does. */
struct incident_closing {
	int64_t		 at_ms;
	const char	*by;
	const char	*resolution;	/* or NULL */
};
int	 incident_rca_build(struct store *, int64_t id, int64_t now_ms,
	    const struct incident_closing *, char **md, char **cause);

/* Posts the RCA draft md in the incident's thread, split to fit. */
int	 incident_post_rca(struct bot *, int64_t id, const char *md,
	    char **cause);

/* The action id of the root message's Create ticket button. */
#define INCIDENT_TICKET_ACTION	"incidentticket"

/* The strings a root message points into; incident_root_release. */
struct incident_root {
	char	*head;
	char	*sev;
	char	*text;
	char	*tkt;
};
/*
 * Fills m as incident id's root message (its strings in r): the title,
 * severity and status, and with tickets on a Create ticket button that
 * runs "ticket incident ID".
 */
void	 incident_root_render(struct message *m, struct incident_root *r,
	    int64_t id, const char *title, int severity, const char *by,
	    int tickets);
void	 incident_root_release(struct incident_root *);

/* "incident:ID", the correlation id of the incident's ticket. */
void	 incident_ticket_corr(int64_t id, char *out, size_t len);
/*
 * Opens (or finds) the ticket of open incident id, announced under its
 * root message: the tickets row id and *created (may be NULL) as
 * ticket_for; -1 and *cause (may be NULL; caller frees) when the
 * incident is unknown or closed, tickets are off or the store failed.
 */
int64_t	 incident_ticket_open(struct bot *, int64_t id, const char *by,
	    int *created, char **cause);

#endif

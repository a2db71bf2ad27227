/*
 * An incident's timeline and its RCA draft, as pure functions over plain
 * data (incident_timeline.c): the store reads that fill them live in
 * incident_rca.c, so the ordering, filtering and the Markdown are
 * unit-tested without a store.
 */
#ifndef OPSBOT_INCIDENT_TIMELINE_H
#define OPSBOT_INCIDENT_TIMELINE_H

#include <stddef.h>
#include <stdint.h>

struct buf;

enum tl_kind {
	TL_ALERT,	/* a linked alert fired, was acked, silenced, resolved */
	TL_COMMAND,	/* a command run in the incident's channel or thread */
	TL_CHECKLIST,	/* a checklist run that finished during it */
	TL_NOTE,	/* a note, status, link, open or close */
};

struct tl_entry {
	int64_t		 at_ms;
	enum tl_kind	 kind;
	char		*who;		/* a person, or a source; owned */
	char		*what;		/* one line; owned */
	int		 failed;	/* a command that did not succeed */
	size_t		 seq;		/* the order added: ties keep it */
};

struct timeline {
	struct tl_entry	*v;
	size_t		 n, cap;
};

void	 timeline_init(struct timeline *);
/* Copies who and what (NULL: ""); newlines in what become spaces. */
void	 timeline_add(struct timeline *, int64_t at_ms, enum tl_kind,
	    const char *who, const char *what, int failed);
/* Oldest first; entries at the same time keep the order they were added. */
void	 timeline_sort(struct timeline *);
void	 timeline_free(struct timeline *);

/*
 * Is an audit row's command worth a line? The incident's own commands
 * (/incident, /rca) are already its notes, and a line nobody could run
 * (unknown, bad input) says nothing about the incident.
 */
int	 timeline_command_shown(const char *command, const char *outcome);

/* What the RCA draft is made of; strings borrowed. */
struct rca_input {
	int64_t			 id;
	const char		*title;
	int			 severity;
	int			 open;		/* still open: a live draft */
	const char		*status;	/* last status line, or NULL */
	const char		*opened_by;
	int64_t			 opened_ms;
	/* First linked alert's start, or 0 (then the opening starts it). */
	int64_t			 impact_start_ms;
	/* Resolution of the last linked alert, or 0 (then the close). */
	int64_t			 impact_end_ms;
	int64_t			 closed_ms;	/* 0 while open */
	const char		*closed_by;
	const char		*resolution;
	/* One line per linked alert ("#12 DiskFull on db1 (critical)"). */
	const char *const	*alerts;
	size_t			 nalerts;
	/* Linked alerts not resolved yet, for the follow-ups. */
	const char *const	*open_alerts;
	size_t			 nopen_alerts;
	const struct timeline	*tl;		/* sorted */
	int64_t			 now_ms;	/* for an open incident */
};

/* The RCA draft as Markdown; the caller frees it. */
char	*rca_render(const struct rca_input *);
/* "2026-12-04 21:08:44 UTC" for ms into out. */
void	 timeline_when(int64_t ms, char *out, size_t len);

#endif

/*
 * /health's probe and its reading, shared with the bot's own periodic
 * checks (commands/checks.c), which turn findings into alerts.
 */
#ifndef OPSBOT_COMMANDS_HEALTH_H
#define OPSBOT_COMMANDS_HEALTH_H

#include <stddef.h>

#include "remote.h"

struct health_finding {
	char			*key;	/* "disk:/var", "service:app", ... */
	enum remote_state	 state;	/* WARN, CRIT or UNREACHABLE */
	char			*text;	/* "disk /var: 93% used (...)" */
};

struct health_findings {
	struct health_finding	*v;
	size_t			 n;
	enum remote_state	 state;	/* the host's overall state */
	char			*summary; /* its /health line */
};

/* Appends every check of /health for p's host to p's script. */
void	 health_script(struct probe *, const struct cfg_remote *);
/*
 * Reads a finished probe: fills out (release with
 * health_findings_release). A log counts as a finding from log_errors
 * error lines in the window on; an unreachable host is one finding,
 * key "reachable".
 */
void	 health_findings(const struct probe *, const struct cfg_remote *,
	    int log_errors, struct health_findings *out);
void	 health_findings_release(struct health_findings *);

#endif

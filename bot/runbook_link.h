/*
 * Runbooks where problems show: the runbook a problem has (the first
 * runbooks.map entry that matches it, config.h) and the "Runbook" button
 * that leads there. A URL runbook is a link button as written; a file of
 * the library is a link to the web page's /runbooks/FILE when
 * runbooks.base_url is set, else a button with the file's name that runs
 * "/runbook FILE" (the library's own answer, with its path).
 */
#ifndef OPSBOT_RUNBOOK_LINK_H
#define OPSBOT_RUNBOOK_LINK_H

struct config;
struct cfg_runbook_map;
struct cmd_ctx;
struct message;

/* What a problem is about; any field may be NULL. */
struct runbook_subject {
	const char	*alertname;
	const char	*service;
	const char	*job;
	const char	*host;		/* matched through its hosts[].tags */
	const char	*tag;		/* a tag itself (a checklist's hosts) */
};

/*
 * The first runbooks.map entry that matches one of s's fields (a glob,
 * fnmatch), or NULL. *what (may be NULL) is the field's value that
 * matched: the service, job, ... a button names. Borrowed from cfg / s.
 */
const struct cfg_runbook_map *runbook_find(const struct config *,
	    const struct runbook_subject *s, const char **what);

struct runbook_link {
	char	*url;		/* a link button, or NULL */
	char	*label;		/* "Runbook", "Runbook: payment-gw" */
	char	*command;	/* url NULL: what a click runs */
};

/*
 * The link to runbook (a map entry's runbook), labelled "Runbook" or,
 * with what, "Runbook: WHAT"; a library file without a base URL is named
 * in the label instead ("Runbook: disk-full.md"). Release out with
 * runbook_link_release (it owns its strings).
 */
void	 runbook_link_make(const struct config *, const char *runbook,
	    const char *what, struct runbook_link *out);
void	 runbook_link_release(struct runbook_link *);

/*
 * Adds the runbook of s (if any) to the answer as a button, once per
 * link (two failed services with one runbook make one button), while
 * buttons are left. Returns 1 if s has a runbook, else 0.
 */
int	 cmd_runbook(struct cmd_ctx *, const struct runbook_subject *s);
/* Adds l to the answer as cmd_runbook does (once, while room is left). */
void	 cmd_runbook_link(struct cmd_ctx *, const struct runbook_link *l);
/* Does l lead where a button with this url or command line does? */
int	 runbook_link_same(const struct runbook_link *l, const char *url,
	    const char *command);
/*
 * The same for a message built by hand (a posted checklist): the
 * button's strings point into l, which must outlive m.
 */
void	 runbook_message_button(struct message *m,
	    const struct runbook_link *l);

#endif

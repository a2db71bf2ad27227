/*
 * The runbooks of a checklist's failed lines (checklist_run.h): a failed
 * "Services up" line links to its services' runbook, a jobs line to its
 * jobs', any line to its hosts' (by tag), as runbooks.map says.
 */

#include <string.h>

#include "bot.h"
#include "checklist_run.h"
#include "config.h"

/* Adds the runbook of s to run's, once each, while slots are left. */
static void
runbooks_add(struct checklist_run *run, const struct runbook_subject *s)
{
	const struct config		*cfg = run->bot->cfg;
	const struct cfg_runbook_map	*m;
	struct runbook_link		 l;
	const char			*what = NULL;
	size_t				 i;

	if (run->nrunbooks == MESSAGE_MAX_BUTTONS ||
	    (m = runbook_find(cfg, s, &what)) == NULL)
		return;
	runbook_link_make(cfg, m->runbook, what, &l);
	for (i = 0; i < run->nrunbooks; i++) {
		if (runbook_link_same(&l, run->runbooks[i].url,
		    run->runbooks[i].command)) {
			runbook_link_release(&l);
			return;
		}
	}
	run->runbooks[run->nrunbooks++] = l;
}

void
checklist_runbooks(struct checklist_run *run)
{
	const struct cfg_check	*ck;
	struct runbook_subject	 s;
	size_t			 i, j;

	for (i = 0; i < run->cl->nchecks; i++) {
		if (run->results[i].status == CHECK_OK)
			continue;
		ck = &run->cl->checks[i];
		for (j = 0; j < ck->services.n; j++) {
			memset(&s, 0, sizeof s);
			s.service = ck->services.v[j];
			runbooks_add(run, &s);
		}
		for (j = 0; j < ck->jobs.n; j++) {
			memset(&s, 0, sizeof s);
			s.job = ck->jobs.v[j];
			runbooks_add(run, &s);
		}
		/* The line's hosts: a host's name or a tag. */
		memset(&s, 0, sizeof s);
		s.host = ck->target;
		s.tag = ck->target;
		runbooks_add(run, &s);
	}
}

void
checklist_runbooks_release(struct checklist_run *run)
{
	size_t	 i;

	for (i = 0; i < run->nrunbooks; i++)
		runbook_link_release(&run->runbooks[i]);
	run->nrunbooks = 0;
}

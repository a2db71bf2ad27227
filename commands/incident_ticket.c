/*
 * An incident's ServiceNow ticket (docs/tickets.md): one per incident,
 * its correlation id "incident:ID", so a second request, a second click
 * or a restart finds the ticket instead of opening another. Once it is
 * there it follows the incident: notes, status lines and links become
 * its work notes, and the close resolves it with the resolution.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bot.h"
#include "cause.h"
#include "incidents.h"
#include "incidents_int.h"
#include "log.h"
#include "store_incidents.h"
#include "ticket.h"
#include "xmalloc.h"

void
incident_ticket_corr(int64_t id, char *out, size_t len)
{
	snprintf(out, len, "incident:%lld", (long long)id);
}

/* What opening needs of the incident's row; strings owned. */
struct incident_tkt_row {
	int	 found;
	int	 open;
	char	*title;
	int	 severity;
	char	*status;
	char	*opened_by;
	char	*receiver;	/* "platform:channel" */
	int64_t	 outbox_id;
};

static void
incident_tkt_cb(void *arg, const struct store_incident_row *r)
{
	struct incident_tkt_row	*t = arg;

	t->found = 1;
	t->open = r->state != NULL && strcmp(r->state, "open") == 0;
	t->title = xstrdup(r->title != NULL ? r->title : "");
	t->severity = r->severity;
	t->status = r->status != NULL ? xstrdup(r->status) : NULL;
	t->opened_by = xstrdup(r->opened_by_name != NULL ? r->opened_by_name :
	    r->opened_by != NULL ? r->opened_by : "someone");
	xasprintf(&t->receiver, "%s:%s", r->platform, r->channel);
	t->outbox_id = r->outbox_id;
}

static void
incident_tkt_release(struct incident_tkt_row *t)
{
	free(t->title);
	free(t->status);
	free(t->opened_by);
	free(t->receiver);
}

int64_t
incident_ticket_open(struct bot *b, int64_t id, const char *by,
    int *created, char **cause)
{
	struct incident_tkt_row	 t;
	struct ticket_open	 o;
	char			 corr[64], *desc, src[32];
	int64_t			 row;

	memset(&t, 0, sizeof t);
	if (store_incident_get(b->store, id, incident_tkt_cb, &t, cause) < 0)
		return -1;
	if (!t.found) {
		cause_set(cause, "no incident #%lld", (long long)id);
		return -1;
	}
	if (!t.open) {
		cause_set(cause, "incident #%lld is closed", (long long)id);
		incident_tkt_release(&t);
		return -1;
	}
	incident_ticket_corr(id, corr, sizeof corr);
	snprintf(src, sizeof src, "%lld", (long long)id);
	xasprintf(&desc, "Incident #%lld, opened in opsbot.\n\nSeverity: "
	    "SEV%d\nOpened by: %s\nStatus: %s", (long long)id, t.severity,
	    t.opened_by, t.status != NULL ? t.status : "open");
	memset(&o, 0, sizeof o);
	o.correlation_id = corr;
	o.source = "incident";
	o.source_id = src;
	o.short_description = t.title;
	o.description = desc;
	o.created_by = by;
	/* The number and link go under the incident's root message. */
	o.announce = t.receiver;
	o.ref = t.outbox_id;
	row = ticket_for(b, &o, created, cause);
	free(desc);
	incident_tkt_release(&t);
	return row;
}

void
incident_changed(struct bot *b, int64_t id, const struct incident_actor *who,
    const char *kind, const char *text)
{
	const char	*name = incident_actor_name(who);
	char		 corr[64], *note = NULL, *cause = NULL;
	int		 rc;

	log_info("incident", "#%lld %s%s%s", (long long)id, kind,
	    text != NULL ? ": " : "", text != NULL ? text : "");
	/* The open itself: the ticket, if any, is made from the row. */
	if (!tickets_enabled(b) || strcmp(kind, "open") == 0)
		return;
	incident_ticket_corr(id, corr, sizeof corr);
	if (strcmp(kind, "close") == 0) {
		/* ServiceNow's close notes are the resolution as typed. */
		if (text == NULL || *text == '\0')
			xasprintf(&note, "Incident closed in opsbot by %s", name);
		rc = ticket_resolve(b, corr, note != NULL ? note : text, &cause);
	} else {
		if (strcmp(kind, "link") == 0)
			xasprintf(&note, "Alert %s linked by %s", text != NULL ?
			    text : "?", name);
		else
			xasprintf(&note, "%s by %s: %s", strcmp(kind, "status")
			    == 0 ? "Status" : "Note", name, text != NULL ?
			    text : "");
		/* 0: the incident has no ticket, nothing to follow. */
		rc = ticket_note(b, corr, note, &cause);
	}
	if (rc < 0) {
		log_warn("incident", "#%lld: ticket %s: %s", (long long)id,
		    kind, cause != NULL ? cause : "?");
		free(cause);
	}
	free(note);
}

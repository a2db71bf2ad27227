/*
 * What an alert group asks of ServiceNow tickets, through the sink (the
 * engine names no ticket code): a route with ticket: true opens one when
 * the group's first message is posted, the Create ticket button asks for
 * one (alerts_ticket_request), an acknowledgement adds a work note and
 * the group's resolution resolves it. The correlation id is a hash of
 * the group's key, the same after a restart and when the group fires
 * again, so none of these ever opens a second ticket.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alerts.h"
#include "alerts_int.h"
#include "buf.h"
#include "cause.h"
#include "config.h"
#include "xmalloc.h"

void
group_ticket_id(const struct agroup *g, char out[32])
{
	uint64_t		 h = 0xcbf29ce484222325ULL;	/* FNV-1a */
	const unsigned char	*p;

	for (p = (const unsigned char *)g->key; *p != '\0'; p++) {
		h ^= *p;
		h *= 0x100000001b3ULL;
	}
	snprintf(out, 32, "alert:%016llx", (unsigned long long)h);
}

/* The description: what the group's message says, as plain text. */
static char *
group_ticket_text(const struct agroup *g, const struct group_msg *gm)
{
	char	*s;

	xasprintf(&s, "Opened by opsbot for the alert group %s.\n\n%s\n%s",
	    g->key, gm->title.data, gm->text.data);
	return s;
}

void
group_ticket_posted(struct alerts *al, const struct agroup *g,
    const struct group_msg *gm, const char *rcv, int64_t ref)
{
	struct alerts_ticket	 t;
	char			 id[32], *text;

	if (al->sink.ticket == NULL || !g->route->ticket)
		return;
	group_ticket_id(g, id);
	text = group_ticket_text(g, gm);
	memset(&t, 0, sizeof t);
	t.what = ALERTS_TICKET_OPEN;
	t.correlation_id = id;
	t.title = gm->title.data;
	t.text = text;
	t.receiver = rcv;
	t.ref = ref;
	al->sink.ticket(al->sink.arg, &t);
	free(text);
}

void
group_ticket_resolved(struct alerts *al, const struct agroup *g,
    const struct group_msg *gm)
{
	struct alerts_ticket	 t;
	char			 id[32], *text;

	if (al->sink.ticket == NULL)
		return;
	group_ticket_id(g, id);
	xasprintf(&text, "Every alert of the group resolved: %s",
	    gm->title.data);
	memset(&t, 0, sizeof t);
	t.what = ALERTS_TICKET_RESOLVE;
	t.correlation_id = id;
	t.text = text;
	al->sink.ticket(al->sink.arg, &t);
	free(text);
}

void
alert_ticket_acked(struct alerts *al, const struct alert *a, const char *who)
{
	struct alerts_ticket	 t;
	char			 id[32], *text;
	int			 i;

	if (al->sink.ticket == NULL)
		return;
	xasprintf(&text, "Alert #%lld (%s) acknowledged by %s in chat.",
	    (long long)a->id, a->summary != NULL ? a->summary :
	    alert_label(a, "alertname"), who);
	for (i = 0; i < a->ngroups; i++) {
		group_ticket_id(a->groups[i], id);
		memset(&t, 0, sizeof t);
		t.what = ALERTS_TICKET_NOTE;
		t.correlation_id = id;
		t.text = text;
		al->sink.ticket(al->sink.arg, &t);
	}
	free(text);
}

int
alerts_ticket_request(struct alerts *al, int64_t id, struct alerts_ticket *t,
    char **cause)
{
	const struct alert	*a = alerts_find(al, id);
	const struct agroup	*g;
	const struct anote	*n;
	struct group_msg	 gm;
	char			 cid[32];

	memset(t, 0, sizeof *t);
	if (a == NULL || a->ngroups == 0) {
		cause_set(cause, "alert #%lld is not open (see /alerts)",
		    (long long)id);
		return -1;
	}
	g = a->groups[0];
	group_ticket_id(g, cid);
	group_render(al->store, al->cfg, g, 0, &gm);
	t->what = ALERTS_TICKET_OPEN;
	t->correlation_id = xstrdup(cid);
	t->title = xstrdup(gm.title.data);
	t->text = group_ticket_text(g, &gm);
	/* Announced under the group's first message, where it was asked. */
	for (n = g->notes; n != NULL && n->next != NULL; n = n->next)
		;
	if (n != NULL) {
		t->receiver = xstrdup(n->receiver);
		t->ref = n->outbox_id;
	}
	group_msg_release(&gm);
	return 0;
}

void
alerts_ticket_release(struct alerts_ticket *t)
{
	free((char *)t->correlation_id);
	free((char *)t->title);
	free((char *)t->text);
	free((char *)t->receiver);
	memset(t, 0, sizeof *t);
}

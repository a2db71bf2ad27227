/*
 * Alerts that open an incident by themselves (incidents.auto_open): the
 * alert engine's fired hook (main.c wires it) finds the first rule the
 * alert matches, then links the alert to the open incident of the same
 * group (the rule's group_by labels, on an auto-opened incident of that
 * rule's channel) or opens one. A re-fire of an alert already linked to
 * an open incident does nothing, so a flapping alert is one incident.
 */

#include <stdlib.h>
#include <string.h>

#include "alerts.h"
#include "bot.h"
#include "config.h"
#include "incidents.h"
#include "incidents_int.h"
#include "labels.h"
#include "log.h"
#include "store_alerts.h"
#include "store_incidents.h"
#include "ticket.h"
#include "xmalloc.h"

/* Does a host of the inventory by that name have one of the tags? */
static int
incident_auto_tagged(const struct config *cfg, const char *host,
    const struct strlist *tags)
{
	size_t	 i, j, k;

	for (i = 0; i < cfg->nhosts; i++) {
		if (strcmp(cfg->hosts[i].name, host) != 0)
			continue;
		for (j = 0; j < cfg->hosts[i].tags.n; j++) {
			for (k = 0; k < tags->n; k++) {
				if (strcmp(cfg->hosts[i].tags.v[j],
				    tags->v[k]) == 0)
					return 1;
			}
		}
	}
	return 0;
}

static const struct cfg_incident_rule *
incident_auto_rule(const struct config *cfg, const struct alert *a)
{
	const struct cfg_incident_rule	*r;
	char				 host[256];
	size_t				 i;

	alert_host(&a->labels, host, sizeof host);
	for (i = 0; i < cfg->incidents.nauto_open; i++) {
		r = &cfg->incidents.auto_open[i];
		if (!matchers_match(&r->matchers, &a->labels))
			continue;
		if (r->host_tags.n > 0 && !incident_auto_tagged(cfg, host,
		    &r->host_tags))
			continue;
		return r;
	}
	return NULL;
}

/* Finding an open incident of the same group. */
struct incident_auto_find {
	struct bot			*bot;
	const struct cfg_incident_rule	*rule;
	const struct alert		*alert;
	int64_t				 found;
	int64_t				*cands;
	size_t				 ncands;
};

static void
incident_auto_cand_cb(void *arg, const struct store_incident_row *r)
{
	struct incident_auto_find	*f = arg;

	if (r->source == NULL || strcmp(r->source, "alert") != 0)
		return;
	f->cands = xreallocarray(f->cands, f->ncands + 1, sizeof *f->cands);
	f->cands[f->ncands++] = r->id;
}

/* An alert's labels, as stored, equal a's on every group_by label? */
static void
incident_auto_alert_cb(void *arg, const struct store_alert_row *row)
{
	struct incident_auto_find	*f = arg;
	struct labels			 l;
	const char			*x, *y;
	size_t				 i;

	memset(&l, 0, sizeof l);
	if (labels_from_json(row->labels, &l, NULL) != 0)
		return;
	for (i = 0; i < f->rule->group_by.n; i++) {
		x = labels_get(&l, f->rule->group_by.v[i]);
		y = labels_get(&f->alert->labels, f->rule->group_by.v[i]);
		if (strcmp(x != NULL ? x : "", y != NULL ? y : "") != 0)
			break;
	}
	if (i == f->rule->group_by.n)
		f->found = -1;	/* a match: the caller takes the candidate */
	labels_release(&l);
}

struct incident_auto_ids {
	int64_t	*v;
	size_t	 n;
};

static void
incident_auto_id_cb(void *arg, int64_t alert_id, int64_t linked_ms,
    const char *by)
{
	struct incident_auto_ids	*ids = arg;

	(void)linked_ms;
	(void)by;
	ids->v = xreallocarray(ids->v, ids->n + 1, sizeof *ids->v);
	ids->v[ids->n++] = alert_id;
}

static int64_t
incident_auto_same_group(struct incident_auto_find *f, const char *platform,
    const char *channel)
{
	struct incident_auto_ids	 ids;
	size_t				 i, j;
	int64_t				 id = 0;

	(void)store_incidents_open(f->bot->store, platform, NULL,
	    incident_auto_cand_cb, f, NULL);
	(void)channel;
	for (i = 0; i < f->ncands && id == 0; i++) {
		memset(&ids, 0, sizeof ids);
		(void)store_incident_alerts(f->bot->store, f->cands[i],
		    incident_auto_id_cb, &ids, NULL);
		for (j = 0; j < ids.n && id == 0; j++) {
			f->found = 0;
			(void)store_alert_by_id(f->bot->store, ids.v[j],
			    incident_auto_alert_cb, f, NULL);
			if (f->found == -1)
				id = f->cands[i];
		}
		free(ids.v);
	}
	free(f->cands);
	return id;
}

void
incident_auto_fired(void *arg, const struct alert *a)
{
	struct bot			*b = arg;
	const struct cfg_incident_rule	*r = incident_auto_rule(b->cfg, a);
	struct incident_auto_find	 f;
	struct incident_actor		 who = { "alert", "opsbot" };
	const char			*colon, *name;
	char				*platform, *title = NULL, *cause = NULL;
	char				 host[256];
	int64_t				 id = 0;

	if (r == NULL || r->channel == NULL)
		return;
	/* Already in an open incident: a re-fire, nothing new. */
	if (store_incident_of_alert(b->store, a->id, &id, NULL) != 0)
		return;
	colon = strchr(r->channel, ':');
	platform = colon != NULL ? xstrndup(r->channel,
	    (size_t)(colon - r->channel)) : xstrdup(r->channel);
	memset(&f, 0, sizeof f);
	f.bot = b;
	f.rule = r;
	f.alert = a;
	id = incident_auto_same_group(&f, platform, colon != NULL ? colon + 1 :
	    r->channel);
	if (id == 0) {
		alert_host(&a->labels, host, sizeof host);
		name = labels_get(&a->labels, "alertname");
		if (r->title != NULL)
			title = xstrdup(r->title);
		else
			xasprintf(&title, "%s on %s", name != NULL ? name :
			    "alert", *host != '\0' ? host : "?");
		id = incident_open(b, platform, colon != NULL ? colon + 1 :
		    r->channel, title, r->severity, &who, "alert", &cause);
		if (id > 0)
			log_info("incident", "#%lld opened by alert #%lld",
			    (long long)id, (long long)a->id);
		/* Only with the open: a joining alert's incident has its own. */
		if (id > 0 && r->ticket && tickets_enabled(b) &&
		    incident_ticket_open(b, id, "opsbot", NULL, &cause) < 0) {
			log_warn("incident", "#%lld: cannot open its ticket: %s",
			    (long long)id, cause);
			free(cause);
			cause = NULL;
		}
	}
	if (id > 0 && incident_link(b, id, a->id, &who, &cause) < 0)
		id = -1;
	if (id < 0) {
		log_warn("incident", "alert #%lld: cannot open or link an "
		    "incident: %s", (long long)a->id, cause);
		free(cause);
	}
	free(title);
	free(platform);
}

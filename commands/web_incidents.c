/*
 * Incidents on the web page: the list (/incidents), one incident with
 * its timeline of notes and linked alerts (/incidents/ID), and its RCA
 * draft as the Markdown stored on close (/incidents/ID.md).
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bot.h"
#include "clock.h"
#include "config.h"
#include "store_web.h"
#include "web_page.h"

struct web_inc {
	struct buf	*out;
	const char	*tz;
	int64_t		 now;
	size_t		 n;
	struct buf	 rca;		/* web_incident_page: after the timeline */
	int64_t		 id;
};

static void
web_incident_row(void *arg, const struct store_web_incident *i)
{
	struct web_inc	*w = arg;
	struct buf	*b = w->out;

	w->n++;
	buf_addf(b, "<tr><td><a href=\"/incidents/%lld\">#%lld</a></td>"
	    "<td>SEV%d</td><td><a href=\"/incidents/%lld\">", (long long)i->id,
	    (long long)i->id, i->severity, (long long)i->id);
	web_text(b, i->title);
	buf_addf(b, "</a></td><td><span class=\"tag %s\">",
	    web_state_class(i->state));
	web_text(b, i->state);
	buf_adds(b, "</span></td><td>");
	web_text(b, i->status);
	buf_adds(b, "</td><td>");
	web_time(b, w->tz, i->opened);
	buf_adds(b, "</td><td>");
	web_text(b, i->opened_by);
	buf_adds(b, "</td><td>");
	if (i->closed > 0)
		web_time(b, w->tz, i->closed);
	buf_adds(b, "</td></tr>\n");
}

int
web_incidents_page(struct bot *bot, struct buf *out)
{
	struct web_inc	 w;
	struct buf	 rows;

	memset(&w, 0, sizeof w);
	buf_init(&rows);
	w.out = &rows;
	w.tz = bot->cfg->bot.timezone;
	web_head(out, "Incidents", "/incidents");
	(void)store_web_incidents(bot->store, 200, web_incident_row, &w,
	    NULL);
	if (w.n == 0)
		buf_adds(out, "<p id=\"none\">No incidents.</p>\n");
	else {
		buf_adds(out, "<table id=\"incidents\"><tr><th>ID</th>"
		    "<th>Severity</th><th>Title</th><th>State</th>"
		    "<th>Status</th><th>Opened</th><th>By</th><th>Closed</th>"
		    "</tr>\n");
		buf_add(out, rows.data, rows.len);
		buf_adds(out, "</table>\n");
	}
	buf_release(&rows);
	web_foot(out);
	return 200;
}

static void
web_entry(void *arg, const struct store_web_entry *e)
{
	struct web_inc	*w = arg;
	struct buf	*b = w->out;

	w->n++;
	buf_adds(b, "<li><span class=\"muted\">");
	web_time(b, w->tz, e->at);
	buf_adds(b, "</span> ");
	if (strcmp(e->kind, "alert") == 0 || strcmp(e->kind, "resolved") == 0) {
		buf_addf(b, "<span class=\"tag %s\">%s</span> alert #%lld ",
		    strcmp(e->kind, "alert") == 0 ? "crit" : "ok",
		    strcmp(e->kind, "alert") == 0 ? "fired" : "resolved",
		    (long long)e->alert_id);
		web_text(b, e->text);
		buf_adds(b, " on ");
		web_text(b, e->who);
	} else {
		buf_adds(b, "<b>");
		web_text(b, e->kind);
		buf_adds(b, "</b> ");
		web_text(b, e->who);
		buf_adds(b, ": ");
		web_text(b, e->text);
	}
	buf_adds(b, "</li>\n");
}

static void
web_incident_head(void *arg, const struct store_web_incident *i)
{
	struct web_inc	*w = arg;
	struct buf	*b = w->out;
	char		 title[64];

	snprintf(title, sizeof title, "Incident #%lld", (long long)i->id);
	web_head(b, title, "/incidents");
	buf_adds(b, "<table id=\"incident\"><tr><th>Title</th><td>");
	web_text(b, i->title);
	buf_addf(b, "</td></tr><tr><th>Severity</th><td>SEV%d</td></tr>"
	    "<tr><th>State</th><td><span class=\"tag %s\">",
	    i->severity, web_state_class(i->state));
	web_text(b, i->state);
	buf_adds(b, "</span></td></tr><tr><th>Status</th><td>");
	web_text(b, i->status);
	buf_adds(b, "</td></tr><tr><th>Opened</th><td>");
	web_time(b, w->tz, i->opened);
	buf_adds(b, " by ");
	web_text(b, i->opened_by);
	buf_adds(b, "</td></tr>");
	if (i->closed > 0) {
		buf_adds(b, "<tr><th>Closed</th><td>");
		web_time(b, w->tz, i->closed);
		buf_adds(b, "</td></tr><tr><th>Resolution</th><td>");
		web_text(b, i->resolution);
		buf_adds(b, "</td></tr>");
	}
	buf_adds(b, "</table>\n");
	w->id = i->id;
	if (i->rca != NULL && *i->rca != '\0')
		web_text(&w->rca, i->rca);
}

int
web_incident_page(struct bot *bot, int64_t id, struct buf *out)
{
	struct web_inc	 w;
	struct buf	 page;
	int		 rc;

	memset(&w, 0, sizeof w);
	buf_init(&page);
	buf_init(&w.rca);
	w.out = &page;
	w.tz = bot->cfg->bot.timezone;
	if ((rc = store_web_incident(bot->store, id, web_incident_head, &w,
	    NULL)) != 1) {
		buf_release(&page);
		buf_release(&w.rca);
		return rc == 0 ? 404 : 500;
	}
	buf_adds(&page, "<h2>Timeline</h2><ol class=\"timeline\" "
	    "id=\"timeline\">\n");
	(void)store_web_timeline(bot->store, id, web_entry, &w, NULL);
	buf_adds(&page, "</ol>\n");
	/* The draft (already escaped) after what it was drafted from. */
	if (w.rca.len > 0) {
		buf_addf(&page, "<h2>RCA draft</h2><p><a id=\"rca-link\" "
		    "href=\"/incidents/%lld.md\">Markdown</a></p><pre id=\"rca\">",
		    (long long)w.id);
		buf_add(&page, w.rca.data, w.rca.len);
		buf_adds(&page, "</pre>\n");
	}
	buf_release(&w.rca);
	web_foot(&page);
	buf_add(out, page.data, page.len);
	buf_release(&page);
	return 200;
}

static void
web_rca(void *arg, const struct store_web_incident *i)
{
	struct buf	*b = arg;

	if (i->rca != NULL)
		buf_adds(b, i->rca);
}

int
web_incident_rca(struct bot *bot, int64_t id, struct buf *out)
{
	struct buf	 md;
	int		 rc;

	buf_init(&md);
	rc = store_web_incident(bot->store, id, web_rca, &md, NULL);
	if (rc != 1 || md.len == 0) {
		buf_release(&md);
		return rc < 0 ? 500 : 404;
	}
	buf_add(out, md.data, md.len);
	buf_release(&md);
	return 200;
}

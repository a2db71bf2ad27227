/*
 * The overview (/) and the open alerts (/alerts) of the web page: what
 * is wrong now, with state, age, who acknowledged and the labels, every
 * one of them escaped (labels come from whoever can send a webhook).
 */

#include <stdlib.h>
#include <string.h>

#include "bot.h"
#include "clock.h"
#include "config.h"
#include "labels.h"
#include "store_hosts.h"
#include "store_web.h"
#include "web_page.h"

struct web_alerts {
	struct buf	*out;
	int64_t		 now;
	const char	*tz;
	size_t		 n;
	size_t		 by_state[4];	/* firing, acknowledged, silenced, ? */
};

static void
web_alert_row(void *arg, const struct store_web_alert *a)
{
	struct web_alerts	*w = arg;
	struct buf		*b = w->out;
	struct labels		 l = { NULL, 0 };
	size_t			 i;

	w->n++;
	if (b == NULL) {
		/* Counting only, for the overview. */
		i = a->state == NULL ? 3 : strcmp(a->state, "firing") == 0 ? 0 :
		    strcmp(a->state, "acknowledged") == 0 ? 1 :
		    strcmp(a->state, "silenced") == 0 ? 2 : 3;
		w->by_state[i]++;
		return;
	}
	buf_addf(b, "<tr><td>%lld</td><td><span class=\"tag %s\">",
	    (long long)a->id, web_state_class(a->severity));
	web_text(b, a->severity);
	buf_adds(b, "</span></td><td>");
	web_text(b, a->alertname);
	buf_adds(b, "</td><td>");
	web_text(b, a->host);
	buf_addf(b, "</td><td><span class=\"tag %s\">",
	    web_state_class(a->state));
	web_text(b, a->state);
	buf_adds(b, "</span></td><td title=\"");
	web_time(b, w->tz, a->starts_at);
	buf_adds(b, "\">");
	web_age(b, w->now, a->starts_at);
	buf_adds(b, "</td><td>");
	if (a->acked_by != NULL)
		web_text(b, a->acked_by);
	else
		buf_adds(b, "<span class=\"muted\">\xe2\x80\x94</span>");
	buf_adds(b, "</td><td class=\"labels\">");
	if (a->labels != NULL && labels_from_json(a->labels, &l, NULL) == 0) {
		for (i = 0; i < l.n; i++) {
			if (i > 0)
				buf_adds(b, "<br>");
			web_text(b, l.v[i].name);
			buf_addc(b, '=');
			web_text(b, l.v[i].value);
		}
		labels_release(&l);
	}
	buf_adds(b, "</td></tr>\n");
}

int
web_alerts_page(struct bot *bot, struct buf *out)
{
	struct web_alerts	 w;
	struct buf		 rows;

	memset(&w, 0, sizeof w);
	buf_init(&rows);
	w.out = &rows;
	w.now = clock_now_ms();
	w.tz = bot->cfg->bot.timezone;
	web_head(out, "Open alerts", "/alerts");
	if (store_web_alerts(bot->store, web_alert_row, &w, NULL) != 0)
		buf_adds(out, "<p class=\"crit\">The store cannot be read; "
		    "see the bot's log.</p>\n");
	if (w.n == 0)
		buf_adds(out, "<p id=\"none\">No open alerts.</p>\n");
	else {
		buf_adds(out, "<table id=\"alerts\"><tr><th>ID</th>"
		    "<th>Severity</th><th>Alert</th><th>Host</th><th>State</th>"
		    "<th>Age</th><th>Acknowledged by</th><th>Labels</th></tr>\n");
		buf_add(out, rows.data, rows.len);
		buf_adds(out, "</table>\n");
	}
	buf_release(&rows);
	web_foot(out);
	return 200;
}

static void
web_count_incident(void *arg, const struct store_web_incident *i)
{
	size_t	*n = arg;

	if (strcmp(i->state, "open") == 0)
		n[0]++;
}

static void
web_card(struct buf *b, const char *href, const char *cls, size_t n,
    const char *what)
{
	buf_addf(b, "<a class=\"card\" href=\"%s\"><div class=\"n %s\">%zu"
	    "</div>%s</a>\n", href, cls, n, what);
}

int
web_overview_page(struct bot *bot, struct buf *out)
{
	struct web_alerts	 w;
	size_t			 incidents[1] = { 0 }, hosts[4] = { 0 }, i;
	char			*state, *summary;
	int64_t			 at;
	const char		*cls;

	memset(&w, 0, sizeof w);
	(void)store_web_alerts(bot->store, web_alert_row, &w, NULL);
	(void)store_web_incidents(bot->store, 500, web_count_incident,
	    incidents, NULL);
	for (i = 0; i < bot->cfg->nhosts; i++) {
		if (store_host_state_get(bot->store, bot->cfg->hosts[i].name,
		    &at, &state, &summary, NULL) != 1) {
			hosts[3]++;
			continue;
		}
		cls = web_state_class(state);
		hosts[strcmp(cls, "ok") == 0 ? 0 : strcmp(cls, "warn") == 0 ?
		    1 : strcmp(cls, "crit") == 0 ? 2 : 3]++;
		free(state);
		free(summary);
	}
	web_head(out, "Overview", "/");
	buf_adds(out, "<h2>Alerts</h2><div class=\"cards\" id=\"alerts\">\n");
	web_card(out, "/alerts", w.by_state[0] ? "crit" : "", w.by_state[0],
	    "firing");
	web_card(out, "/alerts", "", w.by_state[1], "acknowledged");
	web_card(out, "/alerts", "", w.by_state[2], "silenced");
	buf_adds(out, "</div><h2>Hosts</h2><div class=\"cards\" "
	    "id=\"hosts\">\n");
	web_card(out, "/hosts", "", hosts[0], "OK");
	web_card(out, "/hosts", hosts[1] ? "warn" : "", hosts[1], "WARN");
	web_card(out, "/hosts", hosts[2] ? "crit" : "", hosts[2],
	    "CRIT or unreachable");
	web_card(out, "/hosts", "", hosts[3], "not probed yet");
	buf_adds(out, "</div><h2>Incidents</h2><div class=\"cards\" "
	    "id=\"incidents\">\n");
	web_card(out, "/incidents", incidents[0] ? "crit" : "", incidents[0],
	    "open");
	buf_adds(out, "</div>\n");
	web_foot(out);
	return 200;
}

/*
 * The hosts of the web page (/hosts): each inventory host's last known
 * state from /health and the own checks (host_state), and per mount a
 * sparkline of its disk use over the last week (disk_samples), drawn as
 * inline SVG so the page needs no script and no image route.
 */

#include <stdlib.h>
#include <string.h>

#include "bot.h"
#include "clock.h"
#include "config.h"
#include "store_hosts.h"
#include "web_page.h"
#include "xmalloc.h"

#define SPARK_W		120
#define SPARK_H		24
#define SPARK_DAYS	7
#define SPARK_POINTS	400	/* at most, per mount: the newest */

struct spark {
	char	*mount;
	int	*pct;
	size_t	 n;
};

struct sparks {
	struct spark	*v;
	size_t		 n;
};

static void
web_sample(void *arg, const struct store_disk_sample *d)
{
	struct sparks	*s = arg;
	struct spark	*sp;

	if (s->n == 0 || strcmp(s->v[s->n - 1].mount, d->mount) != 0) {
		s->v = xreallocarray(s->v, s->n + 1, sizeof *s->v);
		sp = &s->v[s->n++];
		sp->mount = xstrdup(d->mount);
		sp->pct = NULL;
		sp->n = 0;
	}
	sp = &s->v[s->n - 1];
	/* Samples come oldest first: past the cap, drop the oldest. */
	if (sp->n == SPARK_POINTS) {
		memmove(sp->pct, sp->pct + 1, (sp->n - 1) * sizeof *sp->pct);
		sp->n--;
	}
	sp->pct = xreallocarray(sp->pct, sp->n + 1, sizeof *sp->pct);
	sp->pct[sp->n++] = d->used_pct < 0 ? 0 : d->used_pct > 100 ? 100 :
	    d->used_pct;
}

/* One polyline, 0 % at the bottom, 100 % at the top. */
static void
web_spark(struct buf *b, const struct spark *sp)
{
	size_t	 i;
	double	 x;

	buf_addf(b, "<svg class=\"spark\" width=\"%d\" height=\"%d\" "
	    "viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"disk use of ",
	    SPARK_W, SPARK_H, SPARK_W, SPARK_H);
	web_text(b, sp->mount);
	buf_adds(b, "\"><polyline fill=\"none\" stroke=\"#2f6fd6\" "
	    "stroke-width=\"1.5\" points=\"");
	for (i = 0; i < sp->n; i++) {
		x = sp->n == 1 ? 0 : (double)i * SPARK_W / (double)(sp->n - 1);
		buf_addf(b, "%s%.1f,%.1f", i > 0 ? " " : "", x,
		    SPARK_H - 1 - (double)sp->pct[i] * (SPARK_H - 2) / 100.0);
	}
	if (sp->n == 1)
		buf_addf(b, " %d,%.1f", SPARK_W, SPARK_H - 1 -
		    (double)sp->pct[0] * (SPARK_H - 2) / 100.0);
	buf_adds(b, "\"/></svg>");
}

static void
web_host(struct bot *bot, const struct cfg_host *h, int64_t now,
    struct buf *b)
{
	struct sparks	 s = { NULL, 0 };
	char		*state = NULL, *summary = NULL;
	int64_t		 at = 0;
	size_t		 i;
	int		 known;

	known = store_host_state_get(bot->store, h->name, &at, &state,
	    &summary, NULL) == 1;
	buf_adds(b, "<tr><td class=\"host\">");
	web_text(b, h->name);
	for (i = 0; i < h->tags.n; i++) {
		buf_adds(b, " <span class=\"muted\">#");
		web_text(b, h->tags.v[i]);
		buf_adds(b, "</span>");
	}
	buf_addf(b, "</td><td><span class=\"tag %s\">",
	    web_state_class(known ? state : NULL));
	web_text(b, known ? state : "unknown");
	buf_adds(b, "</span></td><td>");
	if (known) {
		web_age(b, now, at);
		buf_adds(b, " ago</td><td>");
		web_text(b, summary);
	} else
		buf_adds(b, "never</td><td class=\"muted\">not probed since "
		    "the store began");
	buf_adds(b, "</td><td>");
	(void)store_disk_samples(bot->store, h->name,
	    now - SPARK_DAYS * 24 * 3600 * 1000LL, web_sample, &s, NULL);
	for (i = 0; i < s.n; i++) {
		buf_adds(b, "<div class=\"disk\">");
		web_spark(b, &s.v[i]);
		buf_addf(b, " <b>%d%%</b> ", s.v[i].pct[s.v[i].n - 1]);
		web_text(b, s.v[i].mount);
		buf_adds(b, "</div>");
		free(s.v[i].mount);
		free(s.v[i].pct);
	}
	free(s.v);
	buf_adds(b, "</td></tr>\n");
	free(state);
	free(summary);
}

/* The hosts known from the metrics sources: host_state rows not in hosts[]. */
struct web_others {
	struct bot	*bot;
	struct buf	*b;
	int64_t		 now;
	size_t		 n;
};

static void
web_other(void *arg, const struct store_host_state *h)
{
	struct web_others	*o = arg;

	if (config_find_host(o->bot->cfg, h->host) != NULL)
		return;
	if (o->n++ == 0)
		buf_adds(o->b, "<h2>Other hosts</h2>\n<p class=\"muted\">From "
		    "the metrics sources (or no longer in the inventory), as "
		    "/health and the own checks last saw them, worst first.</p>\n"
		    "<table id=\"others\"><tr><th>Host</th><th>State</th>"
		    "<th>Checked</th><th>Last answer</th></tr>\n");
	buf_adds(o->b, "<tr><td class=\"host\">");
	web_text(o->b, h->host);
	buf_addf(o->b, "</td><td><span class=\"tag %s\">",
	    web_state_class(h->state));
	web_text(o->b, h->state);
	buf_adds(o->b, "</span></td><td>");
	web_age(o->b, o->now, h->at_ms);
	buf_adds(o->b, " ago</td><td>");
	web_text(o->b, h->summary);
	buf_adds(o->b, "</td></tr>\n");
}

int
web_hosts_page(struct bot *bot, struct buf *out)
{
	struct web_others	 others;
	int64_t			 now = clock_now_ms();
	size_t			 i;

	web_head(out, "Hosts", "/hosts");
	if (bot->cfg->nhosts == 0)
		buf_adds(out, "<p id=\"none\">No hosts in the inventory.</p>\n");
	else {
		buf_adds(out, "<table id=\"hosts\"><tr><th>Host</th>"
		    "<th>State</th><th>Checked</th><th>Last probe</th>"
		    "<th>Disk use, last 7 days</th></tr>\n");
		for (i = 0; i < bot->cfg->nhosts; i++)
			web_host(bot, &bot->cfg->hosts[i], now, out);
		buf_adds(out, "</table>\n");
	}
	others.bot = bot;
	others.b = out;
	others.now = now;
	others.n = 0;
	(void)store_host_states(bot->store, web_other, &others, NULL);
	if (others.n > 0)
		buf_adds(out, "</table>\n");
	web_foot(out);
	return 200;
}

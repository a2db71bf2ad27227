/*
 * The checklist grid of the web page (/checklists): a row per checklist
 * (SOD, EOD, ...), a column per day of the last two weeks in the bot's
 * zone; a day's cell is its last run: green when every check passed,
 * red when one failed, grey when the checklist did not run that day.
 */

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bot.h"
#include "civil.h"
#include "clock.h"
#include "config.h"
#include "cron.h"
#include "store_web.h"
#include "web_page.h"
#include "xmalloc.h"

#define GRID_DAYS	14

struct grid_row {
	char	*name;
	int	 passed[GRID_DAYS];	/* the day's last run; -1: none */
	int	 total[GRID_DAYS];
	int64_t	 run[GRID_DAYS];
};

struct grid {
	struct grid_row	*v;
	size_t		 n;
	int64_t		 today;		/* days since 1970-01-01, local */
	const char	*tz;
};

static int64_t
grid_day(const char *tz, int64_t ms)
{
	struct tm	 tm;
	time_t		 t = (time_t)(ms / 1000);

	if (cron_localtime(ms / 1000, tz, &tm) != 0)
		gmtime_r(&t, &tm);
	return civil_days_from(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

static struct grid_row *
grid_find(struct grid *g, const char *name)
{
	struct grid_row	*r;
	size_t		 i;

	for (i = 0; i < g->n; i++)
		if (strcmp(g->v[i].name, name) == 0)
			return &g->v[i];
	g->v = xreallocarray(g->v, g->n + 1, sizeof *g->v);
	r = &g->v[g->n++];
	r->name = xstrdup(name);
	for (i = 0; i < GRID_DAYS; i++) {
		r->passed[i] = -1;
		r->total[i] = 0;
		r->run[i] = 0;
	}
	return r;
}

static void
grid_run(void *arg, const struct store_web_run *run)
{
	struct grid	*g = arg;
	struct grid_row	*r = grid_find(g, run->name);
	int64_t		 back = g->today - grid_day(g->tz, run->started);
	int		 col;

	if (back < 0 || back >= GRID_DAYS)
		return;
	/* Runs come oldest first: the day's last run wins. */
	col = GRID_DAYS - 1 - (int)back;
	r->passed[col] = run->passed;
	r->total[col] = run->total;
	r->run[col] = run->id;
}

int
web_checklists_page(struct bot *bot, struct buf *out)
{
	struct grid	 g;
	int64_t		 now = clock_now_ms(), y;
	size_t		 i;
	int		 d, m, day;

	memset(&g, 0, sizeof g);
	g.tz = bot->cfg->bot.timezone;
	g.today = grid_day(g.tz, now);
	for (i = 0; i < bot->cfg->nchecklists; i++)
		(void)grid_find(&g, bot->cfg->checklists[i].name);
	web_head(out, "Checklists by day", "/checklists");
	if (store_web_runs(bot->store, now - (int64_t)(GRID_DAYS + 1) * 24 *
	    3600 * 1000, grid_run, &g, NULL) != 0)
		buf_adds(out, "<p class=\"crit\">The store cannot be read; "
		    "see the bot's log.</p>\n");
	buf_adds(out, "<table id=\"grid\"><tr><th>Checklist</th>");
	for (d = 0; d < GRID_DAYS; d++) {
		civil_from_days(g.today - (GRID_DAYS - 1 - d), &y, &m, &day);
		buf_addf(out, "<th class=\"cell\">%02d-%02d</th>", m, day);
	}
	buf_adds(out, "</tr>\n");
	for (i = 0; i < g.n; i++) {
		buf_adds(out, "<tr><td>");
		web_text(out, g.v[i].name);
		buf_adds(out, "</td>");
		for (d = 0; d < GRID_DAYS; d++) {
			if (g.v[i].passed[d] < 0)
				buf_adds(out, "<td class=\"cell unknown\" "
				    "title=\"no run\">\xc2\xb7</td>");
			else
				buf_addf(out, "<td class=\"cell %s\" "
				    "title=\"run %lld\">%d/%d</td>",
				    g.v[i].passed[d] == g.v[i].total[d] ?
				    "ok" : "crit", (long long)g.v[i].run[d],
				    g.v[i].passed[d], g.v[i].total[d]);
		}
		buf_adds(out, "</tr>\n");
		free(g.v[i].name);
	}
	free(g.v);
	buf_adds(out, "</table>\n<p class=\"muted\">Each cell is the day's "
	    "last run: green when every check passed, red when one failed, "
	    "grey without a run.</p>\n");
	web_foot(out);
	return 200;
}

/*
 * /report last NAME: the last stored run of a checklist, as posted.
 * /report history [N] [NAME]: a run-by-check grid of the last N runs
 * (default 7), each column headed by its date, time and checklist, so
 * trends show at a glance.
 */

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bot.h"
#include "checklist_run.h"
#include "config.h"
#include "cron.h"
#include "store_checklists.h"

#define REPORT_RUNS_MAX	31

static enum cmd_result cmd_report_exec(struct cmd_ctx *);

const struct cmd_entry cmd_report_entry = {
	.name = "report",
	.alias = NULL,
	.synopsis = "last NAME | history [N] [NAME]",
	.help = "Shows the last run of a checklist (last sod), or a grid of the last N runs, one column per run and one row per check (history 7 sod).",
	.args = { .options = NULL, .min = 1, .max = 3 },
	.min_role = ROLE_VIEWER,
	.flags = 0,
	.exec = cmd_report_exec,
};

struct report_runs {
	int64_t	 id[REPORT_RUNS_MAX];
	int64_t	 started[REPORT_RUNS_MAX];
	int	 passed[REPORT_RUNS_MAX];
	int	 total[REPORT_RUNS_MAX];
	char	 name[REPORT_RUNS_MAX][64];
	int	 n;
};

static void
report_run_cb(void *arg, const struct store_run_row *r)
{
	struct report_runs	*rr = arg;

	if (rr->n == REPORT_RUNS_MAX)
		return;
	rr->id[rr->n] = r->id;
	rr->started[rr->n] = r->started_ms;
	rr->passed[rr->n] = r->passed;
	rr->total[rr->n] = r->total;
	snprintf(rr->name[rr->n], sizeof rr->name[0], "%s", r->name);
	rr->n++;
}

/* The grid: rows are check titles, columns runs (oldest left). */
struct report_grid {
	char	*titles[64];
	char	 marks[64][REPORT_RUNS_MAX];
	int	 ntitles;
	int	 col;
};

static void
report_result_cb(void *arg, const struct store_result_row *r)
{
	struct report_grid	*g = arg;
	int			 i;

	for (i = 0; i < g->ntitles; i++) {
		if (strcmp(g->titles[i], r->title) == 0)
			break;
	}
	if (i == g->ntitles) {
		if (g->ntitles == 64)
			return;
		g->titles[g->ntitles] = strdup(r->title);
		memset(g->marks[g->ntitles], ' ', REPORT_RUNS_MAX);
		g->ntitles++;
	}
	g->marks[i][g->col] = strcmp(r->status, "ok") == 0 ? '.' :
	    strcmp(r->status, "fail") == 0 ? 'X' : '?';
}

struct report_last {
	struct cmd_ctx	*ctx;
	int		 fails;
};

static void
report_last_cb(void *arg, const struct store_result_row *r)
{
	struct report_last	*rl = arg;
	int			 ok = strcmp(r->status, "ok") == 0;

	rl->fails += !ok;
	cmd_reply(rl->ctx, "%s %s%s%s\n", ok ? "✓" : strcmp(r->status,
	    "fail") == 0 ? "✗" : "⚠", r->title, *r->detail != '\0' ? " — " :
	    "", r->detail);
}

static enum cmd_result
report_last(struct cmd_ctx *ctx, const char *name)
{
	struct report_runs	 rr;
	struct report_last	 rl = { ctx, 0 };
	struct tm		 tm;
	char			 when[64], *cause = NULL;

	memset(&rr, 0, sizeof rr);
	if (store_runs_recent(ctx->bot->store, name, 1, report_run_cb, &rr,
	    &cause) < 0) {
		cmd_error(ctx, "%s", cause);
		free(cause);
		return CMD_ERROR;
	}
	if (rr.n == 0) {
		cmd_reply(ctx, "No %s run stored yet; /checklist %s runs one.",
		    name, name);
		return CMD_DONE;
	}
	cron_localtime(rr.started[0] / 1000, ctx->bot->cfg->bot.timezone,
	    &tm);
	strftime(when, sizeof when, "%a %d %b %H:%M", &tm);
	if (store_run_results(ctx->bot->store, rr.id[0], report_last_cb, &rl,
	    &cause) < 0) {
		cmd_error(ctx, "%s", cause);
		free(cause);
		return CMD_ERROR;
	}
	cmd_title(ctx, rl.fails > 0 ? MESSAGE_CRIT : MESSAGE_OK,
	    "Last %s — %s — %d/%d OK", name, when, rr.passed[0], rr.total[0]);
	return CMD_DONE;
}

/* Column order: oldest run first, by start time (rows may be stored late). */
static void
report_order(const struct report_runs *rr, int *order)
{
	int	 c, k, t;

	for (c = 0; c < rr->n; c++)
		order[c] = rr->n - 1 - c;
	for (c = 1; c < rr->n; c++) {
		for (k = c; k > 0 && rr->started[order[k - 1]] >
		    rr->started[order[k]]; k--) {
			t = order[k];
			order[k] = order[k - 1];
			order[k - 1] = t;
		}
	}
}

/*
 * The grid's head: one column per run, REPORT_COL wide, saying its date,
 * its local time and its checklist, so runs of several checklists or
 * several runs a day cannot be mistaken for one another.
 */
#define REPORT_COL	6
#define REPORT_WIDTH	80	/* a code block in a chat window */

static void
report_head(struct cmd_ctx *ctx, const struct report_runs *rr,
    const int *order, int w)
{
	struct tm	 tm;
	char		 cell[32];
	int		 c, row;

	for (row = 0; row < 3; row++) {
		cmd_reply(ctx, "%-*s ", w, "");
		for (c = 0; c < rr->n; c++) {
			if (row < 2) {
				cron_localtime(rr->started[order[c]] / 1000,
				    ctx->bot->cfg->bot.timezone, &tm);
				if (row == 0)
					strftime(cell, sizeof cell, "%b %d",
					    &tm);
				else
					strftime(cell, sizeof cell, "%H:%M",
					    &tm);
			} else
				snprintf(cell, sizeof cell, "%.*s", REPORT_COL,
				    rr->name[order[c]]);
			/* Padded but the last: no trailing blanks. */
			if (c + 1 < rr->n)
				cmd_reply(ctx, "%-*s ", REPORT_COL, cell);
			else
				cmd_reply(ctx, "%s\n", cell);
		}
	}
}

static enum cmd_result
report_history(struct cmd_ctx *ctx, int n, const char *name)
{
	struct report_runs	 rr;
	struct report_grid	 g;
	char			 score[32], *cause = NULL;
	int			 order[REPORT_RUNS_MAX];
	int			 i, c, w = 0;

	memset(&rr, 0, sizeof rr);
	memset(&g, 0, sizeof g);
	if (store_runs_recent(ctx->bot->store, name, n, report_run_cb, &rr,
	    &cause) < 0) {
		cmd_error(ctx, "%s", cause);
		free(cause);
		return CMD_ERROR;
	}
	if (rr.n == 0) {
		cmd_reply(ctx, "No %s runs stored yet.", name != NULL ? name :
		    "checklist");
		return CMD_DONE;
	}
	/* Oldest on the left, like a calendar. */
	report_order(&rr, order);
	for (c = 0; c < rr.n; c++) {
		g.col = c;
		/* (A NULL cause here crashed on a store error.) */
		if (store_run_results(ctx->bot->store, rr.id[order[c]],
		    report_result_cb, &g, &cause) < 0) {
			cmd_error(ctx, "%s", cause);
			free(cause);
			for (i = 0; i < g.ntitles; i++)
				free(g.titles[i]);
			return CMD_ERROR;
		}
	}
	for (i = 0; i < g.ntitles; i++) {
		if ((int)strlen(g.titles[i]) > w)
			w = (int)strlen(g.titles[i]);
	}
	if (w < 5)
		w = 5;		/* "score" */
	/* Titles give way to the columns, down to a readable stub. */
	if (w > 40)
		w = 40;
	if (w + 1 + rr.n * (REPORT_COL + 1) > REPORT_WIDTH)
		w = REPORT_WIDTH - 1 - rr.n * (REPORT_COL + 1);
	if (w < 12)
		w = 12;
	report_head(ctx, &rr, order, w);
	for (i = 0; i < g.ntitles; i++) {
		cmd_reply(ctx, "%-*.*s ", w, w, g.titles[i]);
		for (c = 0; c < rr.n; c++)
			cmd_reply(ctx, "  %c%*s", g.marks[i][c],
			    c + 1 < rr.n ? REPORT_COL - 2 : 0, "");
		cmd_reply(ctx, "\n");
		free(g.titles[i]);
	}
	cmd_reply(ctx, "%-*s ", w, "score");
	for (c = 0; c < rr.n; c++) {
		snprintf(score, sizeof score, "%d/%d", rr.passed[order[c]],
		    rr.total[order[c]]);
		if (c + 1 < rr.n)
			cmd_reply(ctx, "%-*s ", REPORT_COL, score);
		else
			cmd_reply(ctx, "%s", score);
	}
	cmd_reply(ctx, "\n(. ok, X failed, ? could not check; a column "
	    "per run, oldest first)");
	cmd_title(ctx, MESSAGE_INFO, "History of %s — last %d run(s)",
	    name != NULL ? name : "all checklists", rr.n);
	return CMD_DONE;
}

static enum cmd_result
cmd_report_exec(struct cmd_ctx *ctx)
{
	const char	*what = args_pos(&ctx->args, 0);
	const char	*a1 = args_pos(&ctx->args, 1);
	const char	*a2 = args_pos(&ctx->args, 2);
	char		*end;
	long		 n = 7;

	if (strcmp(what, "last") == 0) {
		if (a1 == NULL || a2 != NULL) {
			cmd_error(ctx, "usage: /report last NAME (e.g. /report "
			    "last sod)");
			return CMD_ERROR;
		}
		return report_last(ctx, a1);
	}
	if (strcmp(what, "history") != 0) {
		cmd_error(ctx, "expected \"last NAME\" or \"history [N] "
		    "[NAME]\", got \"%s\"", what);
		return CMD_ERROR;
	}
	if (a1 != NULL && a1[0] >= '0' && a1[0] <= '9') {
		n = strtol(a1, &end, 10);
		if (*end != '\0' || n < 1 || n > REPORT_RUNS_MAX) {
			cmd_error(ctx, "N is a number of runs from 1 to %d, "
			    "got \"%s\"", REPORT_RUNS_MAX, a1);
			return CMD_ERROR;
		}
		a1 = a2;
	} else if (a2 != NULL) {
		cmd_error(ctx, "usage: /report history [N] [NAME]");
		return CMD_ERROR;
	}
	return report_history(ctx, (int)n, a1);
}

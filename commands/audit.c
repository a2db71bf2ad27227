/*
 * /audit [HOST | @USER | COMMAND] [--since DURATION] [--page N]: who ran
 * what, where, with which outcome, from the audit trail, newest first,
 * one page at a time. The trail spans every channel and direct message,
 * so the answer goes to the asker alone; its rows were redacted when they
 * were written.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bot.h"
#include "buf.h"
#include "clock.h"
#include "config.h"
#include "cron.h"
#include "escape.h"
#include "store_audit.h"

#define AUDIT_PAGE	20
#define AUDIT_PAGES_MAX	1000000

static enum cmd_result cmd_audit_exec(struct cmd_ctx *);

static const struct arg_option cmd_audit_options[] = {
	{ "since", ARG_DURATION, "only commands from the last DURATION, e.g. 2h" },
	{ "page", ARG_INT, "the Nth page of 20 rows (1 is the newest)" },
	{ "upto", ARG_INT, "only rows up to audit row ID (the hint for the next page sets it, so pages do not shift as commands run)" },
	{ NULL, 0, NULL }
};

const struct cmd_entry cmd_audit_entry = {
	.name = "audit",
	.alias = NULL,
	.synopsis = "[HOST | @USER | COMMAND] [--since DURATION] [--page N]",
	.help = "Shows who ran what, where and with which outcome, newest first, 20 rows a page: every command, those aimed at a host (or its tags), those of one @user, or of one command. Answered only to you, as it spans every channel.",
	.args = { .options = cmd_audit_options, .min = 0, .max = 1 },
	.min_role = ROLE_OPERATOR,
	.flags = CMD_PRIVATE | CMD_READS_ONLY,
	.exec = cmd_audit_exec,
};

static void
audit_row_cb(void *arg, const struct store_audit_row *r)
{
	struct cmd_ctx	*ctx = arg;
	struct tm	 tm;
	char		 when[64], took[32];
	const char	*who = r->user_name != NULL && *r->user_name != '\0' ?
	    r->user_name : r->user_id;
	int		 same = r->channel == NULL || *r->channel == '\0' ||
	    strcmp(r->channel, r->platform) == 0;

	cron_localtime(r->ts_ms / 1000, ctx->bot->cfg->bot.timezone, &tm);
	strftime(when, sizeof when, "%a %d %b %H:%M", &tm);
	took[0] = '\0';
	if (r->duration_ms >= 1000) {
		memcpy(took, ", ", 3);
		duration_format(r->duration_ms / 1000, took + 2,
		    sizeof took - 2);
	}
	cmd_reply(ctx, "%s %s (%s%s%s): %s — %s%s%s%s%s\n", when, who,
	    r->platform, same ? "" : " ", same ? "" : r->channel, r->command,
	    r->outcome, took, r->via != NULL && strcmp(r->via, "click") == 0 ?
	    ", by button" : "", r->detail != NULL ? ": " : "",
	    r->detail != NULL ? r->detail : "");
}

/*
 * The filter word: @USER, a command (its name or alias, with or without
 * '/'), else a host, found by name and, if the inventory knows it, by
 * the tags and "all" that target it too.
 */
static void
audit_filter(struct cmd_ctx *ctx, const char *word,
    struct store_audit_filter *f)
{
	const struct cmd_entry	*e;
	const struct cfg_host	*h;
	size_t			 i, n = 0;

	if (word == NULL)
		return;
	if (*word == '@') {
		f->user = word + 1;
		return;
	}
	e = cmd_find(ctx->bot->cmds, *word == '/' ? word + 1 : word);
	if (e != NULL) {
		f->names[0] = e->name;
		f->names[1] = e->alias;
		return;
	}
	f->words[n++] = word;
	h = config_find_host(ctx->bot->cfg, word);
	if (h == NULL)
		return;		/* a host since removed still has its rows */
	for (i = 0; i < h->tags.n && n < STORE_AUDIT_WORDS_MAX - 1; i++)
		f->words[n++] = h->tags.v[i];
	f->words[n] = "all";
}

/*
 * "/audit web1 --since 2h --page 3 --upto 812": the line that shows page
 * `page` of the same list, however many commands run meanwhile.
 */
static void
audit_page_line(struct cmd_ctx *ctx, struct buf *b, const char *word,
    const char *since, int page, int64_t upto)
{
	buf_addf(b, "%saudit", cmd_prefix(ctx, "audit"));
	if (word != NULL) {
		buf_addc(b, ' ');
		if (strpbrk(word, " \"'\\") != NULL)
			escape_dquoted(b, word);
		else
			buf_adds(b, word);
	}
	if (since != NULL)
		buf_addf(b, " --since %s", since);
	buf_addf(b, " --page %d --upto %lld", page, (long long)upto);
}

static enum cmd_result
cmd_audit_exec(struct cmd_ctx *ctx)
{
	struct store_audit_filter	 f;
	const char			*word = args_pos(&ctx->args, 0);
	const char			*since = args_get(&ctx->args, "since");
	int64_t				 secs, total = 0, pages, last = 0;
	int64_t				 page = args_get_num(&ctx->args,
					    "page", 1);
	struct buf			 b;
	char				*cause = NULL;

	memset(&f, 0, sizeof f);
	if (word != NULL && strcmp(word, "@") == 0) {
		cmd_refuse(ctx, "@ names a user: %saudit @alice",
		    cmd_prefix(ctx, "audit"));
		return CMD_ERROR;
	}
	audit_filter(ctx, word, &f);
	secs = args_get_num(&ctx->args, "since", 0);
	if (secs > 0)
		f.since_ms = clock_now_ms() - secs * 1000;
	/* Past any real trail (retention prunes it), and the offset fits. */
	if (page < 1)
		page = 1;
	else if (page > AUDIT_PAGES_MAX)
		page = AUDIT_PAGES_MAX;
	f.upto_id = args_get_num(&ctx->args, "upto", 0);
	f.limit = AUDIT_PAGE;
	f.offset = (int)((page - 1) * AUDIT_PAGE);
	if (store_audit_find(ctx->bot->store, &f, audit_row_cb, ctx, &total,
	    &last, &cause) != 0) {
		cmd_error(ctx, "cannot read the audit trail: %s", cause);
		free(cause);
		return CMD_ERROR;
	}
	pages = (total + AUDIT_PAGE - 1) / AUDIT_PAGE;
	if (total == 0) {
		cmd_reply(ctx, "No commands in the audit trail%s%s%s%s.",
		    word != NULL ? " for " : "", word != NULL ? word : "",
		    since != NULL ? " in the last " : "",
		    since != NULL ? since : "");
		return CMD_DONE;
	}
	if (page > pages) {
		cmd_refuse(ctx, "page %lld is past the end: %lld rows make %lld "
		    "page(s)", (long long)page, (long long)total,
		    (long long)pages);
		return CMD_ERROR;
	}
	cmd_title(ctx, MESSAGE_INFO, "Audit%s%s%s%s: %lld command(s)",
	    word != NULL ? " of " : "", word != NULL ? word : "",
	    since != NULL ? " in the last " : "", since != NULL ? since : "",
	    (long long)total);
	if (page < pages) {
		buf_init(&b);
		audit_page_line(ctx, &b, word, since, (int)page + 1, last);
		cmd_reply(ctx, "… page %lld of %lld; %lld more: %s\n",
		    (long long)page, (long long)pages,
		    (long long)(total - page * AUDIT_PAGE), b.data);
		buf_release(&b);
	} else if (pages > 1)
		cmd_reply(ctx, "… page %lld of %lld\n", (long long)page,
		    (long long)pages);
	return CMD_DONE;
}

/*
 * Single-use confirmations of commands that change production. A command
 * with CMD_NEEDS_CONFIRM typed without --confirm is answered with a prompt
 * (its ->preview, or a generic one) and a Confirm button whose value is
 * "confirm:TOKEN", never the command line itself: the row of TOKEN in the
 * store holds the exact line, the channel and an expiry, and survives a
 * restart. A click claims the row with one UPDATE before the command
 * runs, so a second click (or a click racing the first) is told who
 * already confirmed it instead of running it again; the answer replaces
 * the prompt, so its button is gone.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "bot.h"
#include "clock.h"
#include "confirm.h"
#include "cron.h"
#include "log.h"
#include "store_confirm.h"
#include "xmalloc.h"

#define CONFIRM_TOKEN_BYTES	16

/* "13:31" (or "Dec 03 13:31" on another day) in bot.timezone. */
static void
confirm_when(const struct bot *b, int64_t ms, char *out, size_t len)
{
	struct tm	 tm, today;
	int64_t		 now = clock_now_ms() / 1000;

	if (cron_localtime(ms / 1000, b->cfg->bot.timezone, &tm) != 0 ||
	    cron_localtime(now, b->cfg->bot.timezone, &today) != 0) {
		snprintf(out, len, "?");
		return;
	}
	if (tm.tm_year == today.tm_year && tm.tm_yday == today.tm_yday)
		strftime(out, len, "%H:%M", &tm);
	else
		strftime(out, len, "%b %d %H:%M", &tm);
}

static const char *
confirm_who(const struct store_confirm *r)
{
	if (r->used_by_name != NULL && *r->used_by_name != '\0')
		return r->used_by_name;
	return r->used_by != NULL ? r->used_by : "someone";
}

/* Why the token of row r (read after a failed claim) cannot run. */
static char *
confirm_why_not(const struct bot *b, const struct store_confirm *r)
{
	char	 when[32], *why;

	if (r->used_ms != 0) {
		struct buf	 b2;

		confirm_when(b, r->used_ms, when, sizeof when);
		buf_init(&b2);
		buf_addf(&b2, "already done by @%s at %s", confirm_who(r), when);
		if (r->outcome != NULL)
			buf_addf(&b2, " (%s)", r->outcome);
		return buf_detach(&b2);
	}
	confirm_when(b, r->expires_ms, when, sizeof when);
	xasprintf(&why, "this Confirm button expired at %s (bot."
	    "confirm_timeout); type the command again: /%s", when, r->command);
	return why;
}

int
confirm_lookup(struct cmd_ctx *ctx, const char *text, size_t len,
    char **line, char **why)
{
	struct store_confirm	 r;
	char			*token, *cause = NULL;
	int			 rc;

	*line = *why = NULL;
	if (len <= strlen(CONFIRM_VALUE_PREFIX) || strncmp(text,
	    CONFIRM_VALUE_PREFIX, strlen(CONFIRM_VALUE_PREFIX)) != 0)
		return 0;
	text += strlen(CONFIRM_VALUE_PREFIX);
	len -= strlen(CONFIRM_VALUE_PREFIX);
	token = xstrndup(text, len);
	rc = store_confirm_get(ctx->bot->store, token, &r, &cause);
	if (rc < 0) {
		xasprintf(why, "cannot read the confirmation: %s", cause);
		free(cause);
		free(token);
		return -1;
	}
	if (rc == 0) {
		*why = xstrdup("this Confirm button is not known to this bot "
		    "(another opsbot's, or its store was replaced); type the "
		    "command again");
		free(token);
		return -1;
	}
	if (ctx->origin.channel == NULL ||
	    strcmp(r.platform, ctx->origin.platform) != 0 ||
	    strcmp(r.channel, ctx->origin.channel) != 0) {
		*why = xstrdup("this Confirm button belongs to another "
		    "channel");
		store_confirm_release(&r);
		free(token);
		return -1;
	}
	if (r.used_ms != 0 || r.expires_ms <= clock_now_ms()) {
		*why = confirm_why_not(ctx->bot, &r);
		store_confirm_release(&r);
		free(token);
		return -1;
	}
	xasprintf(line, "%s --confirm", r.command);
	ctx->confirm_token = token;
	store_confirm_release(&r);
	return 1;
}

int
confirm_claim(struct cmd_ctx *ctx, char **why)
{
	struct store_confirm	 r;
	char			*cause = NULL;
	int			 rc;

	*why = NULL;
	rc = store_confirm_claim(ctx->bot->store, ctx->confirm_token,
	    clock_now_ms(), ctx->origin.user_id, ctx->origin.user_name,
	    &cause);
	if (rc == 1)
		return 0;
	if (rc < 0) {
		xasprintf(why, "cannot use the confirmation: %s", cause);
		free(cause);
		return -1;
	}
	/* Someone else's click won the race, or it expired meanwhile. */
	if (store_confirm_get(ctx->bot->store, ctx->confirm_token, &r,
	    &cause) == 1) {
		*why = confirm_why_not(ctx->bot, &r);
		store_confirm_release(&r);
	} else {
		*why = xstrdup("this Confirm button can no longer be used");
		free(cause);
	}
	return -1;
}

int
confirm_offer(struct cmd_ctx *ctx)
{
	struct store_confirm	 r;
	unsigned char		 raw[CONFIRM_TOKEN_BYTES];
	char			 nobody[] = "";
	char			 token[CONFIRM_TOKEN_BYTES * 2 + 1], *value;
	char			*cause = NULL;
	size_t			 i;

	if (ctx->confirm_line == NULL || ctx->origin.channel == NULL)
		return -1;
	if (getrandom(raw, sizeof raw, 0) != (ssize_t)sizeof raw) {
		log_error("confirm", "no random bytes for a confirmation");
		return -1;
	}
	for (i = 0; i < sizeof raw; i++)
		snprintf(token + 2 * i, 3, "%02x", raw[i]);
	memset(&r, 0, sizeof r);
	r.token = token;
	r.command = ctx->confirm_line;
	r.platform = ctx->origin.platform;
	r.channel = ctx->origin.channel;
	r.user = ctx->origin.user_id != NULL ? ctx->origin.user_id : nobody;
	r.created_ms = clock_now_ms();
	r.expires_ms = r.created_ms + ctx->bot->cfg->bot.confirm_timeout_s *
	    1000;
	if (store_confirm_add(ctx->bot->store, &r, &cause) != 0) {
		log_error("confirm", "%s", cause);
		free(cause);
		return -1;
	}
	xasprintf(&value, CONFIRM_VALUE_PREFIX "%s", token);
	cmd_button(ctx, "confirm", "Confirm", value, 1);
	free(value);
	return 0;
}

void
confirm_note(struct cmd_ctx *ctx, struct buf *note)
{
	char	 when[32], *cause = NULL;

	confirm_when(ctx->bot, clock_now_ms(), when, sizeof when);
	buf_addf(note, "Confirmed by @%s at %s.", ctx->origin.user_name !=
	    NULL ? ctx->origin.user_name : ctx->origin.user_id != NULL ?
	    ctx->origin.user_id : "someone", when);
	if (store_confirm_outcome(ctx->bot->store, ctx->confirm_token,
	    ctx->outcome != NULL ? ctx->outcome : "ok", &cause) != 0) {
		log_error("confirm", "%s", cause);
		free(cause);
	}
}

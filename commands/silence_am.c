/*
 * Silences copied to Alertmanager (see silence_am.h). The HTTP call runs
 * on a worker; the answer is completed on the loop thread.
 */

#include <stdlib.h>
#include <string.h>

#include "alerts.h"
#include "am_silence.h"
#include "config.h"
#include "silence_am.h"
#include "workers.h"
#include "xmalloc.h"

int
silence_am_wanted(struct cmd_ctx *ctx, const struct matchers *m)
{
	const struct alert	*a;
	int			 covered = 0;

	if (ctx->bot->cfg->alerts.alertmanager_api_url == NULL ||
	    ctx->bot->alerts == NULL)
		return 0;
	for (a = alerts_first(ctx->bot->alerts); a != NULL; a = a->next) {
		if (a->state == ALERT_RESOLVED || !matchers_match(m,
		    &a->labels))
			continue;
		if (strcmp(a->source, "alertmanager") == 0)
			return 1;
		covered++;
	}
	return covered == 0;
}

/* Loop thread: records the copy (or says why there is none), answers. */
static void
silence_am_created(void *arg, enum workers_status st)
{
	struct am_call	*c = arg;
	struct cmd_ctx	*ctx = c->arg;
	const char	*api = ctx->bot->cfg->alerts.alertmanager_api_url;
	char		*cause = NULL, *rid = NULL;

	if (ctx->cancelled)
		goto out;
	if (st != WORKERS_DONE)
		xasprintf(&cause, "opsbot is shutting down");
	else if (am_call_result(c, &cause) == 0 &&
	    (rid = am_silence_id(c->resp.body.data)) == NULL)
		xasprintf(&cause, "Alertmanager (%s) gave no silenceID", c->url);
	if (rid != NULL && alerts_silence_remote(ctx->bot->alerts,
	    c->silence_id, api, rid, &cause) == 0)
		cmd_reply(ctx, "\nAlso silenced in Alertmanager (%s).", rid);
	else {
		cmd_reply(ctx, "\nNot silenced in Alertmanager: %s. The "
		    "silence here stands; Alertmanager's other receivers are "
		    "not muted.", cause);
		cmd_status(ctx, MESSAGE_WARN);
	}
out:
	free(rid);
	free(cause);
	cmd_finish(ctx);
	am_call_free(c);
}

enum cmd_result
silence_am_create(struct cmd_ctx *ctx, int64_t id, const char *body)
{
	const struct config	*cfg = ctx->bot->cfg;
	struct am_call		*c;

	c = am_call_new("POST", cfg->alerts.alertmanager_api_url,
	    "/api/v2/silences", body, cfg->alerts.alertmanager_api_token);
	c->arg = ctx;
	c->silence_id = id;
	if (workers_submit(ctx->bot->workers, am_call_work,
	    silence_am_created, c) != 0) {
		am_call_free(c);
		cmd_reply(ctx, "\nNot silenced in Alertmanager: opsbot is "
		    "shutting down.");
		cmd_status(ctx, MESSAGE_WARN);
		return CMD_DONE;
	}
	return CMD_PENDING;
}

static void
silence_am_expired(void *arg, enum workers_status st)
{
	struct am_call	*c = arg;
	struct cmd_ctx	*ctx = c->arg;
	char		*cause = NULL;

	if (ctx->cancelled)
		goto out;
	if (st != WORKERS_DONE)
		xasprintf(&cause, "opsbot is shutting down");
	else
		am_call_result(c, &cause);
	if (cause == NULL)
		cmd_reply(ctx, "\nExpired in Alertmanager too.");
	else if (strstr(cause, "already expired") != NULL)
		/* Someone expired it there first: the outcome we wanted. */
		cmd_reply(ctx, "\nIt had already expired in Alertmanager.");
	else {
		cmd_reply(ctx, "\nStill active in Alertmanager: %s. Expire it "
		    "there by hand.", cause);
		cmd_status(ctx, MESSAGE_WARN);
	}
out:
	free(cause);
	cmd_finish(ctx);
	am_call_free(c);
}

enum cmd_result
silence_am_expire(struct cmd_ctx *ctx, const char *api, const char *rid)
{
	struct am_call	*c;
	char		*path;

	/* Alertmanager's ids are UUIDs: anything else stays out of a path. */
	if (*rid == '\0' || strspn(rid, "0123456789abcdefABCDEF-") !=
	    strlen(rid)) {
		cmd_reply(ctx, "\nAlertmanager's copy has an odd id (%s): "
		    "expire it there by hand.", rid);
		return CMD_DONE;
	}
	xasprintf(&path, "/api/v2/silence/%s", rid);
	c = am_call_new("DELETE", api, path, NULL,
	    ctx->bot->cfg->alerts.alertmanager_api_token);
	free(path);
	c->arg = ctx;
	if (workers_submit(ctx->bot->workers, am_call_work, silence_am_expired,
	    c) != 0) {
		am_call_free(c);
		cmd_reply(ctx, "\nStill active in Alertmanager: opsbot is "
		    "shutting down.");
		return CMD_DONE;
	}
	return CMD_PENDING;
}

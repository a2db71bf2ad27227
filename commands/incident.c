/*
 * /incident: open one in this channel (its root post's thread is the
 * incident's), and within it note, link alerts, say the status, close
 * with the RCA draft; list the open ones, show one. Inside an incident's
 * thread the id is implied; elsewhere --id N, or the channel's only open
 * incident. The work is in incidents.c; this file reads the words.
 */

#include <stdlib.h>
#include <string.h>

#include "alert_util.h"
#include "bot.h"
#include "buf.h"
#include "incident_timeline.h"
#include "incidents.h"
#include "incidents_int.h"
#include "store_alerts.h"
#include "store_incidents.h"
#include "xmalloc.h"

static enum cmd_result cmd_incident_exec(struct cmd_ctx *);

static const struct arg_option cmd_incident_options[] = {
	{ "severity", ARG_INT, "start: 1 (worst) to 5; 3 if not given" },
	{ "id", ARG_INT, "the incident, outside its thread" },
	{ "resolution", ARG_STRING, "close: what ended it" },
	{ NULL, 0, NULL }
};

const struct cmd_entry cmd_incident_entry = {
	.name = "incident",
	.alias = "inc",
	.synopsis = "[start|note|link|status|close|list|ID] [WORDS] [--id N]",
	.help = "Opens an incident in this channel, with its own thread, and keeps its notes, linked alerts, status and close (with an RCA draft); replies in its thread are notes too: start TITLE [--severity N], note TEXT, link ALERT_ID..., status TEXT, close [--resolution TEXT]. Without words, lists the open incidents.",
	.args = { .options = cmd_incident_options, .min = 0, .max = -1 },
	.min_role = ROLE_OPERATOR,
	.flags = 0,
	.exec = cmd_incident_exec,
};

static void
incident_who(struct cmd_ctx *ctx, struct incident_actor *who)
{
	incident_actor_set(ctx->bot, ctx->origin.platform, ctx->origin.user_id,
	    ctx->origin.user_name, who);
}

struct incident_pick {
	int64_t	 id;
	int	 n;
	struct buf ids;
};

static void
incident_pick_cb(void *arg, const struct store_incident_row *r)
{
	struct incident_pick	*p = arg;

	p->id = r->id;
	buf_addf(&p->ids, "%s#%lld", p->n++ > 0 ? ", " : "", (long long)r->id);
}

/*
 * The incident a command means: --id N, the thread it was typed in, or
 * the channel's only open one. 0 when none (answered), else the id.
 */
static int64_t
incident_target(struct cmd_ctx *ctx)
{
	struct incident_info	 inc;
	struct incident_pick	 p;
	char			*cause = NULL;
	int			 rc;

	if (args_has(&ctx->args, "id")) {
		int64_t id = args_get_num(&ctx->args, "id", 0);
		int	open;

		if (incident_info_load(ctx->bot->store, id, &inc, &cause) != 0) {
			cmd_refuse(ctx, "%s", cause);
			free(cause);
			return 0;
		}
		open = inc.open;
		incident_info_release(&inc);
		if (!open) {
			cmd_refuse(ctx, "incident #%lld is closed (%srca %lld "
			    "shows its RCA draft)", (long long)id,
			    cmd_prefix(ctx, "rca"), (long long)id);
			return 0;
		}
		return id;
	}
	rc = incident_info_by_thread(ctx->bot->store, ctx->origin.platform,
	    ctx->origin.channel, ctx->origin.thread, &inc, &cause);
	if (rc < 0) {
		cmd_error(ctx, "%s", cause);
		free(cause);
		return 0;
	}
	if (rc == 1) {
		int64_t id = inc.id;

		incident_info_release(&inc);
		return id;
	}
	memset(&p, 0, sizeof p);
	buf_init(&p.ids);
	if (store_incidents_open(ctx->bot->store, ctx->origin.platform,
	    ctx->origin.channel, incident_pick_cb, &p, &cause) < 0) {
		cmd_error(ctx, "%s", cause);
		free(cause);
	} else if (p.n == 1) {
		buf_release(&p.ids);
		return p.id;
	} else if (p.n == 0)
		cmd_refuse(ctx, "no open incident in this channel: type it in "
		    "the incident's thread or add --id N (%sincident lists "
		    "them)", cmd_prefix(ctx, "incident"));
	else
		cmd_refuse(ctx, "this channel has %d open incidents (%s): type "
		    "it in the incident's thread or add --id N", p.n,
		    p.ids.data);
	buf_release(&p.ids);
	return 0;
}

static enum cmd_result
incident_start(struct cmd_ctx *ctx)
{
	struct incident_actor	 who;
	char			*title, *cause = NULL;
	int64_t			 sev, id;

	if ((title = alert_rest(ctx, 1)) == NULL) {
		cmd_refuse(ctx, "usage: %sincident start TITLE [--severity N]",
		    cmd_prefix(ctx, "incident"));
		return CMD_ERROR;
	}
	sev = args_get_num(&ctx->args, "severity", INCIDENT_SEVERITY_DEFAULT);
	if (sev < 1 || sev > 5) {
		free(title);
		cmd_refuse(ctx, "--severity is 1 (worst) to 5");
		return CMD_ERROR;
	}
	incident_who(ctx, &who);
	id = incident_open(ctx->bot, ctx->origin.platform, ctx->origin.channel,
	    title, (int)sev, &who, "chat", &cause);
	if (id < 0) {
		cmd_error(ctx, "cannot open the incident: %s", cause);
		free(cause);
		free(title);
		return CMD_ERROR;
	}
	cmd_title(ctx, MESSAGE_OK, "Incident #%lld opened", (long long)id);
	cmd_reply(ctx, "%s (SEV%lld). Its thread is the message above; notes "
	    "and replies go there.", title, (long long)sev);
	/* The root post is what the channel sees; this is only for the asker. */
	cmd_private(ctx);
	free(title);
	return CMD_DONE;
}

/* note, status: TEXT is the rest of the words. */
static enum cmd_result
incident_text(struct cmd_ctx *ctx, const char *kind)
{
	struct incident_actor	 who;
	char			*raw, *text, *line, *cause = NULL;
	int64_t			 id;
	int			 rc;

	if ((raw = alert_rest(ctx, 1)) == NULL) {
		cmd_refuse(ctx, "usage: %sincident %s TEXT",
		    cmd_prefix(ctx, "incident"), kind);
		return CMD_ERROR;
	}
	if ((id = incident_target(ctx)) == 0) {
		free(raw);
		return CMD_ERROR;
	}
	text = incident_note_text(raw, strlen(raw));
	free(raw);
	incident_who(ctx, &who);
	if (strcmp(kind, "status") == 0)
		xasprintf(&line, "Status (%s): %s", incident_actor_name(&who),
		    text);
	else
		xasprintf(&line, "Note (%s): %s", incident_actor_name(&who),
		    text);
	rc = incident_note(ctx->bot, id, &who, kind, text, line, &cause);
	free(line);
	if (rc != 0) {
		cmd_error(ctx, "#%lld: %s", (long long)id, cause);
		free(cause);
		free(text);
		return CMD_ERROR;
	}
	cmd_reply(ctx, "incident #%lld: %s kept", (long long)id, kind);
	cmd_private(ctx);
	free(text);
	return CMD_DONE;
}

static void
incident_alert_cb(void *arg, const struct store_alert_row *a)
{
	(void)arg;
	(void)a;
}

static enum cmd_result
incident_link_cmd(struct cmd_ctx *ctx)
{
	struct incident_actor	 who;
	char			*cause = NULL;
	int64_t			 id, aid;
	int			 i, rc, bad = 0;

	if (ctx->args.npos < 2) {
		cmd_refuse(ctx, "usage: %sincident link ALERT_ID...",
		    cmd_prefix(ctx, "incident"));
		return CMD_ERROR;
	}
	if ((id = incident_target(ctx)) == 0)
		return CMD_ERROR;
	incident_who(ctx, &who);
	for (i = 1; i < ctx->args.npos; i++) {
		if ((aid = alert_id_parse(ctx->args.pos[i])) < 0 ||
		    store_alert_by_id(ctx->bot->store, aid, incident_alert_cb,
		    NULL, NULL) != 1) {
			cmd_reply(ctx, "%s: no such alert\n", ctx->args.pos[i]);
			bad++;
			continue;
		}
		rc = incident_link(ctx->bot, id, aid, &who, &cause);
		if (rc < 0) {
			cmd_reply(ctx, "#%lld: %s\n", (long long)aid, cause);
			free(cause);
			cause = NULL;
			bad++;
		} else
			cmd_reply(ctx, "alert #%lld %s incident #%lld\n",
			    (long long)aid, rc == 1 ? "linked to" :
			    "was already linked to", (long long)id);
	}
	if (bad > 0) {
		ctx->outcome = "error";
		cmd_status(ctx, MESSAGE_WARN);
		return CMD_ERROR;
	}
	cmd_private(ctx);
	return CMD_DONE;
}

static enum cmd_result
incident_close_cmd(struct cmd_ctx *ctx)
{
	struct incident_actor	 who;
	const char		*res = args_get(&ctx->args, "resolution");
	char			*text = NULL, *cause = NULL;
	int64_t			 id;
	int			 rc;

	if (ctx->args.npos > 1) {
		cmd_refuse(ctx, "usage: %sincident close [--resolution TEXT] "
		    "(quote a resolution of several words)",
		    cmd_prefix(ctx, "incident"));
		return CMD_ERROR;
	}
	if ((id = incident_target(ctx)) == 0)
		return CMD_ERROR;
	if (res != NULL)
		text = incident_note_text(res, strlen(res));
	incident_who(ctx, &who);
	rc = incident_close(ctx->bot, id, &who, text, &cause);
	free(text);
	if (rc != 1) {
		cmd_error(ctx, "#%lld: %s", (long long)id, cause);
		free(cause);
		return CMD_ERROR;
	}
	cmd_reply(ctx, "incident #%lld closed; the RCA draft is in its thread "
	    "(%srca %lld shows it again)", (long long)id,
	    cmd_prefix(ctx, "rca"), (long long)id);
	cmd_private(ctx);
	return CMD_DONE;
}

static void
incident_list_cb(void *arg, const struct store_incident_row *r)
{
	struct cmd_ctx	*ctx = arg;
	char		 when[64];

	timeline_when(r->opened_ms, when, sizeof when);
	cmd_reply(ctx, "#%lld SEV%d %s — opened %s by %s%s%s\n",
	    (long long)r->id, r->severity, r->title, when,
	    r->opened_by_name != NULL ? r->opened_by_name : r->opened_by,
	    r->status != NULL ? "; status: " : "", r->status != NULL ?
	    r->status : "");
}

static enum cmd_result
incident_list(struct cmd_ctx *ctx)
{
	char	*cause = NULL;
	int	 n;

	n = store_incidents_open(ctx->bot->store, NULL, NULL, incident_list_cb,
	    ctx, &cause);
	if (n < 0) {
		cmd_error(ctx, "%s", cause);
		free(cause);
		return CMD_ERROR;
	}
	if (n == 0)
		cmd_reply(ctx, "no open incidents");
	cmd_title(ctx, MESSAGE_INFO, "Open incidents: %d", n);
	return CMD_DONE;
}

static enum cmd_result
incident_show(struct cmd_ctx *ctx, int64_t id)
{
	char	*md = NULL, *cause = NULL;

	if (incident_rca(ctx->bot->store, id, &md, &cause) != 0) {
		cmd_refuse(ctx, "%s", cause);
		free(cause);
		return CMD_ERROR;
	}
	cmd_reply(ctx, "%s", md);
	free(md);
	return CMD_DONE;
}

static enum cmd_result
cmd_incident_exec(struct cmd_ctx *ctx)
{
	const char	*sub = args_pos(&ctx->args, 0);
	int64_t		 id;

	if (sub == NULL || strcmp(sub, "list") == 0)
		return incident_list(ctx);
	if ((id = alert_id_parse(sub)) > 0 && ctx->args.npos == 1)
		return incident_show(ctx, id);
	if (strcmp(sub, "start") == 0 || strcmp(sub, "open") == 0)
		return incident_start(ctx);
	if (strcmp(sub, "note") == 0)
		return incident_text(ctx, "note");
	if (strcmp(sub, "status") == 0)
		return incident_text(ctx, "status");
	if (strcmp(sub, "link") == 0)
		return incident_link_cmd(ctx);
	if (strcmp(sub, "close") == 0)
		return incident_close_cmd(ctx);
	cmd_refuse(ctx, "unknown %sincident %s: start, note, link, status, "
	    "close, list or an incident id", cmd_prefix(ctx, "incident"), sub);
	return CMD_ERROR;
}

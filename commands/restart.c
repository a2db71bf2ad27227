/*
 * /restart HOST SERVICE --confirm: restarts a configured service (systemd
 * unit, or the restart command the config gives), then checks it again
 * and says whether it came back. Same guard as /rerun: a role that grants
 * it, an explicit --confirm (or the single-use Confirm button of the
 * preview, which shows the service's state now and the exact action), and
 * the audit trail.
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inventory.h"
#include "parse.h"
#include "remote.h"
#include "escape.h"

/* How long the service gets before the re-check. */
#define RESTART_SETTLE_S	"2"

static enum cmd_result cmd_restart_exec(struct cmd_ctx *);
static enum cmd_result cmd_restart_preview(struct cmd_ctx *);

static const struct arg_option cmd_restart_options[] = {
	{ "confirm", ARG_BOOL, "yes, restart it" },
	{ NULL, 0, NULL },
};

const struct cmd_entry cmd_restart_entry = {
	.name = "restart",
	.alias = NULL,
	.synopsis = "HOST SERVICE --confirm",
	.help = "Restarts a configured service on a host, then checks whether it came back.",
	.args = { .options = cmd_restart_options, .min = 2, .max = 2 },
	.min_role = ROLE_OPERATOR,
	.flags = CMD_TOUCHES_HOSTS | CMD_NEEDS_CONFIRM,
	.exec = cmd_restart_exec,
	.preview = cmd_restart_preview,
};

/* Adds the "check" section: prints active or what systemd says. */
static void
restart_check_script(struct probe *p, const struct cfg_service *sv)
{
	probe_section_begin(p, "check");
	if (sv->unit != NULL) {
		buf_adds(&p->script, "systemctl is-active -- ");
		shquote_buf(&p->script, sv->unit);
		buf_adds(&p->script, " 2>/dev/null; true\n");
	} else {
		buf_adds(&p->script, "if pgrep -x -- ");
		shquote_buf(&p->script, sv->process);
		buf_adds(&p->script, " >/dev/null; then echo active; else "
		    "echo inactive; fi\n");
	}
}

/* The first line of p's check section into out ("" when none). */
static int
restart_state(const struct probe *p, char *out, size_t len)
{
	struct buf	 sec;
	int		 rc;

	buf_init(&sec);
	rc = probe_section(p, "check", &sec);
	snprintf(out, len, "%.*s", rc == 0 ? (int)strcspn(sec.data, "\n") :
	    0, rc == 0 ? sec.data : "");
	buf_release(&sec);
	return rc;
}

/* The preview: the service's state now and the exact action. */
static void
restart_preview_report(struct remote_run *run)
{
	struct cmd_ctx			*ctx = run->ctx;
	const struct probe		*p = &run->probes[0];
	const struct cfg_service	*sv = run->arg;
	char				 state[64];

	if (p->failure != NULL) {
		cmd_error(ctx, "%s: cannot read the state of %s, so there is "
		    "nothing to confirm: %s", p->host->name, sv->name,
		    p->failure);
		return;
	}
	if (restart_state(p, state, sizeof state) != 0 || *state == '\0')
		snprintf(state, sizeof state, "in an unknown state");
	cmd_title(ctx, MESSAGE_WARN, "Restart %s on %s?", sv->name,
	    p->host->name);
	cmd_reply(ctx, "%s on %s is %s now", sv->name, p->host->name, state);
	if (sv->unit != NULL)
		cmd_reply(ctx, " (systemd unit %s)", sv->unit);
	if (sv->restart != NULL)
		cmd_reply(ctx, ".\nConfirm runs: %s on %s", sv->restart,
		    p->host->name);
	else
		cmd_reply(ctx, ".\nConfirm runs: systemctl restart -- %s on %s",
		    sv->unit, p->host->name);
	cmd_reply(ctx, ", then checks it again after " RESTART_SETTLE_S " s");
}

static void
restart_report(struct remote_run *run)
{
	struct cmd_ctx		*ctx = run->ctx;
	const struct probe	*p = &run->probes[0];
	const char		*svc = args_pos(&ctx->args, 1);
	struct buf		 sec;
	char			*nl;
	enum parse_svc		 st;

	if (p->failure != NULL) {
		cmd_error(ctx, "%s: restarting %s failed: %s", p->host->name,
		    svc, p->failure);
		return;
	}
	buf_init(&sec);
	if (probe_section(p, "check", &sec) != 0) {
		cmd_error(ctx, "%s: restarted %s, but the re-check gave no "
		    "answer", p->host->name, svc);
		buf_release(&sec);
		return;
	}
	if ((nl = strchr(sec.data, '\n')) != NULL)
		*nl = '\0';
	st = parse_systemctl_active(sec.data);
	if (st == PARSE_SVC_ACTIVE)
		cmd_reply(ctx, "%s: restarted %s; it is active again",
		    p->host->name, svc);
	else
		cmd_error(ctx, "%s: restarted %s, but it is %s after "
		    RESTART_SETTLE_S " s", p->host->name, svc,
		    sec.data[0] != '\0' ? sec.data : "unknown");
	buf_release(&sec);
}

/* The host and service of the command line, or NULL (answered). */
static const struct cfg_service *
restart_service(struct cmd_ctx *ctx, const struct cfg_host **hp)
{
	const struct cfg_host		*h;
	const struct cfg_service	*sv;

	if ((h = remote_host_arg(ctx, 0)) == NULL)
		return NULL;
	if ((sv = config_find_service(h, args_pos(&ctx->args, 1))) == NULL) {
		remote_refuse_unknown(ctx, "service", args_pos(&ctx->args, 1),
		    h, h->nservices > 0 ? &h->services[0].name : NULL,
		    h->nservices, sizeof *h->services, "none");
		return NULL;
	}
	if (sv->unit == NULL && sv->restart == NULL) {
		cmd_error(ctx, "%s on %s is watched by process name and has no "
		    "restart command; add \"restart\" to it in the config",
		    sv->name, h->name);
		return NULL;
	}
	*hp = h;
	return sv;
}

static enum cmd_result
cmd_restart_preview(struct cmd_ctx *ctx)
{
	const struct cfg_host		*h;
	const struct cfg_service	*sv;
	struct remote_run		*run;

	if ((sv = restart_service(ctx, &h)) == NULL)
		return CMD_ERROR;
	run = remote_run_new(ctx, &h, 1);
	run->arg = (void *)(uintptr_t)sv;	/* borrowed from the config */
	restart_check_script(&run->probes[0], sv);
	return remote_run_submit(run, restart_preview_report);
}

static enum cmd_result
cmd_restart_exec(struct cmd_ctx *ctx)
{
	const struct cfg_host		*h;
	const struct cfg_service	*sv;
	struct remote_run		*run;
	struct probe			*p;

	if ((sv = restart_service(ctx, &h)) == NULL)
		return CMD_ERROR;
	run = remote_run_new(ctx, &h, 1);
	p = &run->probes[0];
	probe_section_begin(p, "restart");
	/* A configured restart command is the admin's own shell text. */
	if (sv->restart != NULL)
		buf_addf(&p->script, "%s\n", sv->restart);
	else {
		buf_adds(&p->script, "systemctl restart -- ");
		shquote_buf(&p->script, sv->unit);
		buf_adds(&p->script, "\n");
	}
	buf_adds(&p->script, "rc=$?; if [ $rc -ne 0 ]; then exit $rc; fi\n"
	    "sleep " RESTART_SETTLE_S "\n");
	restart_check_script(p, sv);
	return remote_run_submit(run, restart_report);
}

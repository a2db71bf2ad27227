/*
 * Restarting a chat adapter on a reload (see reload_chat.h). The adapter
 * objects are never freed while the bot runs: commands in flight hold
 * their struct chat to answer through, and their sockets finish closing
 * on the loop; bot_free() frees them after the loop is gone.
 */

#include <stdlib.h>
#include <string.h>

#include "cause.h"
#include "bot.h"
#include "chat.h"
#include "log.h"
#include "reload_chat.h"
#include "xmalloc.h"

static int
rc_streq(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

static int
rc_slack_same(const struct config *a, const struct config *b)
{
	return rc_streq(a->chat.slack_app_token, b->chat.slack_app_token) &&
	    rc_streq(a->chat.slack_bot_token, b->chat.slack_bot_token) &&
	    rc_streq(a->chat.slack_api_url, b->chat.slack_api_url) &&
	    rc_streq(a->chat.slack_command, b->chat.slack_command);
}

static int
rc_mm_same(const struct config *a, const struct config *b)
{
	size_t	 i;

#define S(f)	if (!rc_streq(a->chat.f, b->chat.f)) return 0
#define N(f)	if (a->chat.f != b->chat.f) return 0
	S(mattermost_url); S(mattermost_prefix); S(mattermost_command);
	S(mattermost_command_token); S(mattermost_actions_url);
	S(mattermost_register_team_id); S(mattermost_register_url);
	S(mattermost_token); N(mattermost_outbox_rate);
	N(mattermost_outbox_burst); N(mattermost_ncommands);
#undef S
#undef N
	for (i = 0; i < a->chat.mattermost_ncommands; i++) {
		if (!rc_streq(a->chat.mattermost_commands[i].trigger,
		    b->chat.mattermost_commands[i].trigger) ||
		    !rc_streq(a->chat.mattermost_commands[i].token,
		    b->chat.mattermost_commands[i].token))
			return 0;
	}
	return 1;
}

void
reload_chat_plan(const struct config *old, const struct config *c,
    struct reload_chat *rc)
{
	memset(rc, 0, sizeof *rc);
	if (old->chat.console_enabled != c->chat.console_enabled ||
	    !rc_streq(old->chat.console_prompt, c->chat.console_prompt) ||
	    !rc_streq(old->chat.console_user, c->chat.console_user))
		log_warn("reload", "restart needed for chat.console changes");
	if (old->chat.outbox_rate != c->chat.outbox_rate ||
	    old->chat.outbox_burst != c->chat.outbox_burst ||
	    old->chat.outbox_max_backoff_s != c->chat.outbox_max_backoff_s ||
	    old->chat.outbox_max_attempts != c->chat.outbox_max_attempts)
		log_warn("reload", "restart needed for chat.outbox changes");
	if (old->chat.slack_enabled != c->chat.slack_enabled)
		log_warn("reload", "restart needed to turn Slack %s",
		    c->chat.slack_enabled ? "on" : "off");
	else if (c->chat.slack_enabled && !rc_slack_same(old, c))
		rc->slack = 1;
	if (old->chat.mattermost_enabled != c->chat.mattermost_enabled)
		log_warn("reload", "restart needed to turn Mattermost %s",
		    c->chat.mattermost_enabled ? "on" : "off");
	else if (c->chat.mattermost_enabled && !rc_mm_same(old, c))
		rc->mattermost = 1;
}

#define RC_SWAP(x, y) do {						\
	__typeof__(x) tmp_ = (x);					\
	(x) = (y);							\
	(y) = tmp_;							\
} while (0)

void
reload_chat_swap(struct config *a, struct config *b,
    const struct reload_chat *rc)
{
	if (rc->slack) {
		RC_SWAP(a->chat.slack_app_token, b->chat.slack_app_token);
		RC_SWAP(a->chat.slack_bot_token, b->chat.slack_bot_token);
		RC_SWAP(a->chat.slack_api_url, b->chat.slack_api_url);
		RC_SWAP(a->chat.slack_command, b->chat.slack_command);
	}
	if (rc->mattermost) {
		RC_SWAP(a->chat.mattermost_url, b->chat.mattermost_url);
		RC_SWAP(a->chat.mattermost_prefix, b->chat.mattermost_prefix);
		RC_SWAP(a->chat.mattermost_command, b->chat.mattermost_command);
		RC_SWAP(a->chat.mattermost_command_token,
		    b->chat.mattermost_command_token);
		RC_SWAP(a->chat.mattermost_actions_url,
		    b->chat.mattermost_actions_url);
		RC_SWAP(a->chat.mattermost_register_team_id,
		    b->chat.mattermost_register_team_id);
		RC_SWAP(a->chat.mattermost_register_url,
		    b->chat.mattermost_register_url);
		RC_SWAP(a->chat.mattermost_token, b->chat.mattermost_token);
		RC_SWAP(a->chat.mattermost_outbox_rate,
		    b->chat.mattermost_outbox_rate);
		RC_SWAP(a->chat.mattermost_outbox_burst,
		    b->chat.mattermost_outbox_burst);
		RC_SWAP(a->chat.mattermost_commands,
		    b->chat.mattermost_commands);
		RC_SWAP(a->chat.mattermost_ncommands,
		    b->chat.mattermost_ncommands);
	}
}

static void
rc_retire(struct bot *b, struct chat *c)
{
	b->retired_chats = xreallocarray(b->retired_chats,
	    b->nretired_chats + 1, sizeof *b->retired_chats);
	b->retired_chats[b->nretired_chats++] = c;
}

/*
 * Starts a new adapter of the platform named ("slack") on b->cfg in place
 * of the running one, with the same ops (the core names no adapter).
 * Returns 0, or -1 and *cause (caller frees).
 */
static int
rc_restart_one(struct bot *b, const char *platform, char **cause)
{
	const struct chat_ops	*ops;
	struct chat		*nc, *oc = NULL;
	char			*why = NULL;
	size_t			 i;

	cause_clear(cause);
	for (i = 0; i < b->nchats; i++) {
		if (strcmp(b->chats[i]->ops->name, platform) == 0) {
			oc = b->chats[i];
			break;
		}
	}
	if (oc == NULL)
		return 0;
	ops = oc->ops;
	/*
	 * The new one first: it checks its token (auth.test, users/me) and
	 * registers its outbox sender and routes, which take over from the
	 * old one's, only once the token is accepted.
	 */
	nc = chat_create(ops, b);
	if (nc->ops->start(nc, &why) != 0) {
		nc->ops->stop(nc);
		rc_retire(b, nc);
		if (why == NULL)
			why = xstrdup("the adapter did not start");
		cause_take(cause, why);
		return -1;
	}
	oc->ops->stop(oc);
	rc_retire(b, oc);
	b->chats[i] = nc;
	log_info("reload", "chat adapter %s restarted with the new settings",
	    ops->name);
	return 0;
}

int
reload_chat_restart(struct bot *b, struct config *old,
    const struct reload_chat *rc)
{
	struct reload_chat	 back;
	char			*cause;
	int			 rv = 0;

	free(b->reload_chat_error);
	b->reload_chat_error = NULL;
	if (rc->slack &&
	    rc_restart_one(b, "slack", &cause) != 0) {
		memset(&back, 0, sizeof back);
		back.slack = 1;
		/* The old adapter runs on; so do its settings. */
		reload_chat_swap(old, b->cfg, &back);
		log_error("reload", "%s; Slack keeps its previous settings",
		    cause);
		b->reload_chat_error = cause;
		rv = -1;
	}
	if (rc->mattermost &&
	    rc_restart_one(b, "mattermost", &cause) != 0) {
		memset(&back, 0, sizeof back);
		back.mattermost = 1;
		reload_chat_swap(old, b->cfg, &back);
		log_error("reload", "%s; Mattermost keeps its previous settings",
		    cause);
		if (b->reload_chat_error == NULL)
			b->reload_chat_error = cause;
		else
			free(cause);
		rv = -1;
	}
	return rv;
}

/*
 * What a due schedule does (the scheduler's fire callback): a checklist
 * (/sod, /eod, /checklist NAME) runs and posts its summary to the
 * schedule's channel with the details in its thread; any other command
 * runs through the dispatcher as the user "scheduler" (give it a role in
 * "users"), answering in that channel.
 */

#include <stdlib.h>
#include <string.h>

#include "bot_post.h"
#include "args.h"
#include "bot.h"
#include "checklist_run.h"
#include "log.h"
#include "scheduled.h"
#include "xmalloc.h"

struct scheduled {
	const struct cfg_schedule	*sc;
};

static void
scheduled_done(struct checklist_run *run, void *arg)
{
	struct scheduled	*sd = arg;
	char			*cause = NULL;

	if (checklist_post(run, sd->sc->channel, &cause) != 0) {
		log_error("sched", "%s: cannot post the summary to %s: %s",
		    sd->sc->name, sd->sc->channel, cause);
		free(cause);
	}
	free(sd);
}

/* The checklist a command line names, or NULL. */
static const struct cfg_checklist *
scheduled_checklist(const struct config *cfg, const struct words *w)
{
	const char	*cmd;

	if (w->argc < 1)
		return NULL;
	cmd = w->argv[0] + (w->argv[0][0] == '/');
	if (strcmp(cmd, "sod") == 0 || strcmp(cmd, "eod") == 0)
		return config_find_checklist(cfg, cmd);
	if (strcmp(cmd, "checklist") == 0 && w->argc == 2)
		return config_find_checklist(cfg, w->argv[1]);
	return NULL;
}

void
scheduled_fire(void *arg, const struct cfg_schedule *sc, const char *trigger,
    int64_t due_ms)
{
	struct bot			*b = arg;
	const struct cfg_checklist	*cl;
	struct scheduled		*sd;
	struct words			 w;
	struct chat_msg			 m;
	struct chat			*c;
	const char			*channel;
	char				*cause = NULL;

	(void)due_ms;
	if (args_split(sc->run, strlen(sc->run), &w, &cause) != 0) {
		log_error("sched", "%s: run \"%s\": %s", sc->name, sc->run,
		    cause);
		free(cause);
		return;
	}
	cl = scheduled_checklist(b->cfg, &w);
	words_free(&w);
	if (cl != NULL) {
		sd = xcalloc(1, sizeof *sd);
		sd->sc = sc;
		if (checklist_start(b, cl, trigger, scheduled_done, sd,
		    &cause) != 0) {
			log_error("sched", "%s: %s", sc->name, cause);
			free(cause);
			free(sd);
		}
		return;
	}
	/* Any other command: as "scheduler", answered in the channel. */
	if ((c = bot_chat_for(b, sc->channel, &channel)) == NULL) {
		log_error("sched", "%s: %s is not enabled", sc->name,
		    sc->channel);
		return;
	}
	memset(&m, 0, sizeof m);
	m.user_id = "scheduler";
	m.user_name = "scheduler";
	m.channel = channel;
	m.channel_name = m.channel;
	m.text = sc->run;
	m.len = strlen(sc->run);
	bot_handle_message(b, c, &m);
}

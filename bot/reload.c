/*
 * Config reload (see reload.h). What the config drives is rebuilt on the
 * new one: RBAC (users, roles, commands), alert routes and webhook tokens,
 * schedules, own checks, the log level; hosts, checklists and thresholds
 * are read from bot->cfg when a command starts, so they follow at once.
 * A chat platform whose settings changed (a rotated token) has its
 * adapter restarted alone (reload_chat.c). What else is bound at start
 * (the console, the data dir, the log file, the worker pool, the listener)
 * keeps its old settings, with a log line saying a restart is needed to
 * change it.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bot.h"
#include "clock.h"
#include "config_check.h"
#include "log.h"
#include "reload.h"
#include "reload_chat.h"
#include "scheduler.h"
#include "xmalloc.h"

static int
reload_streq(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

#define RELOAD_SWAP(x, y) do {						\
	__typeof__(x) tmp_ = (x);					\
	(x) = (y);							\
	(y) = tmp_;							\
} while (0)

/*
 * Settings bound at start stay as they are in old: swapped into c (so
 * each string is still freed once, with whichever config holds it), with
 * a warning for each that the file changed. The chat adapters to restart
 * (*rc) get their new settings back into c.
 */
static void
reload_keep_bound(struct bot *b, struct config *c, struct reload_chat *rc)
{
	struct config	*old = b->cfg;

	if (b->console_forced)
		c->chat.console_enabled = 1;
	reload_chat_plan(old, c, rc);
	RELOAD_SWAP(old->chat, c->chat);
	reload_chat_swap(old, c, rc);
	if (!b->data_dir_fixed && !reload_streq(old->bot.data_dir,
	    c->bot.data_dir))
		log_warn("reload", "restart needed for bot.data_dir changes");
	RELOAD_SWAP(old->bot.data_dir, c->bot.data_dir);
	if (!reload_streq(old->bot.log_file, c->bot.log_file))
		log_warn("reload", "restart needed for bot.log_file changes");
	RELOAD_SWAP(old->bot.log_file, c->bot.log_file);
	if (old->bot.worker_threads != c->bot.worker_threads)
		log_warn("reload", "restart needed for bot.worker_threads "
		    "changes");
	c->bot.worker_threads = old->bot.worker_threads;
	if (!reload_streq(old->alerts.listen_address,
	    c->alerts.listen_address) ||
	    old->alerts.listen_port != c->alerts.listen_port)
		log_warn("reload", "restart needed for alerts.listen changes");
	RELOAD_SWAP(old->alerts.listen_address, c->alerts.listen_address);
	c->alerts.listen_port = old->alerts.listen_port;
}

/* Logs each error line as --check-config prints it: "FILE: PLACE: ..." */
static void
reload_log_errors(struct bot *b, const char *errors)
{
	const char	*line, *nl;
	const char	*path = b->config_path;
	size_t		 n = strlen(path);
	int		 named;

	for (line = errors; *line != '\0'; line = nl + 1) {
		if ((nl = strchr(line, '\n')) == NULL)
			nl = line + strlen(line);
		named = strncmp(line, path, n) == 0 && line[n] == ':';
		log_error("reload", "%s%s%.*s", named ? "" : path,
		    named ? "" : ": ", (int)(nl - line), line);
		if (b->reload_error == NULL)
			xasprintf(&b->reload_error, "%s%s%.*s", named ? "" :
			    path, named ? "" : ": ", (int)(nl - line), line);
		if (*nl == '\0')
			break;
	}
}

static int
reload_failed(struct bot *b, const char *errors)
{
	reload_log_errors(b, errors);
	log_error("reload", "%s: configuration has errors; still running on "
	    "the previous one", b->config_path);
	b->reload_ok = 0;
	return -1;
}

int
bot_reload(struct bot *b)
{
	struct config	*c = NULL, *old;
	struct reload_chat chats;
	struct sched	*sched;
	struct buf	 errors;
	char		*cause = NULL;
	size_t		 i;
	int		 rc;

	b->reload_ms = clock_now_ms();
	free(b->reload_error);
	b->reload_error = NULL;
	if (b->config_path == NULL) {
		log_warn("reload", "no config file (running on the embedded "
		    "default): nothing to reload");
		b->reload_ok = 0;
		b->reload_error = xstrdup("no config file to reload");
		return -1;
	}
	log_info("reload", "reloading %s", b->config_path);
	buf_init(&errors);
	if (config_load_file(b->config_path, &c, &errors) != 0 ||
	    config_check_more(c, &errors) != 0) {
		rc = reload_failed(b, errors.data);
		config_free(c);
		buf_release(&errors);
		return rc;
	}
	buf_release(&errors);
	reload_keep_bound(b, c, &chats);
	/* Schedules first: the one part that can still refuse the file. */
	if ((sched = sched_start(c, b->store, b->loop, bot_schedule_fn(b), b,
	    &cause)) == NULL) {
		rc = reload_failed(b, cause);
		free(cause);
		/* The bound settings went into c: give them back. */
		reload_chat_swap(b->cfg, c, &chats);
		RELOAD_SWAP(b->cfg->chat, c->chat);
		RELOAD_SWAP(b->cfg->bot.data_dir, c->bot.data_dir);
		RELOAD_SWAP(b->cfg->bot.log_file, c->bot.log_file);
		RELOAD_SWAP(b->cfg->alerts.listen_address,
		    c->alerts.listen_address);
		config_free(c);
		return rc;
	}
	old = b->cfg;
	b->retired = xreallocarray(b->retired, b->nretired + 1,
	    sizeof *b->retired);
	b->retired_rbac = xreallocarray(b->retired_rbac, b->nretired + 1,
	    sizeof *b->retired_rbac);
	b->retired[b->nretired] = old;
	b->retired_rbac[b->nretired++] = b->rbac;
	b->cfg = c;
	if (b->table_build != NULL) {
		/* Custom commands follow the file; old entries stay valid. */
		b->retired_tables = xreallocarray(b->retired_tables,
		    b->nretired_tables + 1, sizeof *b->retired_tables);
		b->retired_tables[b->nretired_tables++] = b->table_owned;
		b->table_owned = b->table_build(c);
		b->cmds = b->table_owned;
	}
	b->rbac = rbac_create(c, b->cmds);
	config_register_secrets(c);
	sched_free(b->sched);
	b->sched = sched;
	for (i = 0; i < b->nservices; i++)
		if (b->services[i]->reload != NULL)
			b->services[i]->reload(b, c);
	if (!b->log_level_fixed)
		log_set_level(c->bot.log_level);
	/* Last: a refused token keeps the old adapter, not the old file. */
	(void)reload_chat_restart(b, old, &chats);
	b->reload_ok = 1;
	log_info("reload", "config reloaded from %s: %zu host(s), %zu user "
	    "rule(s), %zu checklist(s), %zu schedule(s), %zu custom "
	    "command(s)", c->source, c->nhosts, c->nusers, c->nchecklists,
	    c->nschedules, c->ncustom);
	return 0;
}

void
reload_describe(const struct bot *b, struct buf *out)
{
	char		 when[32];
	time_t		 t = (time_t)(b->reload_ms / 1000);
	struct tm	 tm;

	if (b->reload_ms == 0) {
		buf_adds(out, "last reload: none since start\n");
		return;
	}
	gmtime_r(&t, &tm);
	strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S UTC", &tm);
	if (b->reload_ok && b->reload_chat_error != NULL)
		buf_addf(out, "reload: FAILED in part at %s, the rest is in use: "
		    "%s; that adapter keeps its previous settings\n", when,
		    b->reload_chat_error);
	else if (b->reload_ok)
		buf_addf(out, "reload: ok at %s\n", when);
	else
		buf_addf(out, "reload: FAILED at %s, still on the previous "
		    "config: %s\n", when, b->reload_error != NULL ?
		    b->reload_error : "unknown error");
}

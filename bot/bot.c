/*
 * The bot's lifecycle (see bot.h): build the parts in dependency order,
 * start the adapters, run the loop, and stop gracefully: stop intake,
 * give in-flight commands a grace period, cancel the rest with a message,
 * then tear down in reverse order.
 */

#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cause.h"
#include "bot.h"
#include "dispatch_later.h"
#include "scheduler.h"
#include "clock.h"
#include "retention.h"
#include "log.h"
#include "httpd.h"
#include "loop.h"
#include "metrics_http.h"
#include "notify.h"
#include "outbox.h"
#include "fsperm.h"
#include "readyz.h"
#include "store.h"
#include "watchdog.h"
#include "workers.h"
#include "xmalloc.h"

static void	bot_outbox_progress(void *);

/* mkdir -p with mode 0700 for the parts it creates. */
static int
bot_mkdirs(const char *path, char **cause)
{
	char	 tmp[PATH_MAX], *p;

	if (*path == '\0' || strlen(path) >= sizeof tmp) {
		cause_set(cause, "data_dir is empty or too long");
		return -1;
	}
	snprintf(tmp, sizeof tmp, "%s", path);
	for (p = tmp + 1; ; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		const char save = *p;

		*p = '\0';
		if (mkdir(tmp, 0700) != 0 && errno != EEXIST) {
			cause_set(cause, "cannot create data_dir %s: %s", tmp,
			    strerror(errno));
			return -1;
		}
		*p = save;
		if (save == '\0')
			break;
	}
	/* One made by hand (or under a lax umask) is made private. */
	return fsperm_private(path, cause);
}

/*
 * The directory for ssh control sockets: DATA_DIR/ssh, or a private one
 * under /tmp when that path is too long for a unix socket (108 bytes,
 * and ssh appends a 40-character hash and a temporary suffix).
 */
static char *
bot_ssh_dir(const char *data_dir, char **cause)
{
	char		*abs, *dir;
	struct stat	 st;

	if ((abs = realpath(data_dir, NULL)) == NULL) {
		cause_set(cause, "cannot resolve data_dir %s: %s", data_dir,
		    strerror(errno));
		return NULL;
	}
	xasprintf(&dir, "%s/ssh", abs);
	free(abs);
	if (strlen(dir) > 48) {
		free(dir);
		xasprintf(&dir, "/tmp/opsbot-ssh-%u", (unsigned)geteuid());
	}
	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		cause_set(cause, "cannot create %s: %s", dir, strerror(errno));
		free(dir);
		return NULL;
	}
	/* A shared /tmp: the directory must be ours and private. */
	if (lstat(dir, &st) != 0 || !S_ISDIR(st.st_mode) ||
	    st.st_uid != geteuid() || (st.st_mode & 077) != 0) {
		cause_set(cause, "%s must be a directory owned by this user "
		    "with mode 0700", dir);
		free(dir);
		return NULL;
	}
	return dir;
}

/*
 * The audit chain's tail in the log at start and stop: a copy away from
 * the store (the log shipper's) to check with --verify-audit
 * --audit-tail, which is what shows a tail cut off later.
 */
static void
bot_log_audit_tail(struct bot *b, const char *when)
{
	char	 hash[80], *cause = NULL;
	int64_t	 id;

	if (b->store == NULL)
		return;
	if (store_audit_tail(b->store, &id, hash, sizeof hash, &cause) != 0) {
		log_warn("audit", "%s", cause);
		free(cause);
	} else if (id > 0 && *hash != '\0')
		log_info("audit", "%s: the audit chain's tail is %lld:%s", when,
		    (long long)id, hash);
}

void
bot_set_table_fns(struct bot *b, const struct cmd_entry **table,
    bot_table_fn build, bot_table_free_fn release)
{
	b->table_owned = table;
	b->table_build = build;
	b->table_free = release;
}

struct bot *
bot_create(struct config *cfg, const struct cmd_entry *const *table,
    char **cause)
{
	struct bot		*b = xcalloc(1, sizeof *b);
	struct outbox_limits	 lim;
	char			*db;

	cause_clear(cause);
	b->cfg = cfg;
	b->cmds = table;
	b->started_ms = clock_now_ms();
	b->started_mono = clock_mono_ms();
	TAILQ_INIT(&b->inflight);

	if (bot_mkdirs(cfg->bot.data_dir, cause) != 0)
		goto fail;
	xasprintf(&db, "%s/opsbot.db", cfg->bot.data_dir);
	b->store = store_open(db, cause);
	free(db);
	if (b->store == NULL)
		goto fail;
	if ((b->ssh_dir = bot_ssh_dir(cfg->bot.data_dir, cause)) == NULL)
		goto fail;
	if ((b->loop = loop_create(cfg->chat.slack_enabled ||
	    cfg->chat.mattermost_enabled, cause)) == NULL)
		goto fail;
	b->workers = workers_create(cfg->bot.worker_threads, b->loop);
	b->rbac = rbac_create(cfg, table);
	lim.rate_per_s = cfg->chat.outbox_rate;
	lim.burst = cfg->chat.outbox_burst;
	lim.backoff_max_ms = cfg->chat.outbox_max_backoff_s * 1000;
	lim.max_attempts = cfg->chat.outbox_max_attempts;
	b->outbox = outbox_create(b->store, b->loop, b->workers, &lim);
	outbox_on_progress(b->outbox, bot_outbox_progress, b);
	/* Messages from before a restart wait for their adapter. */
	if (outbox_load(b->outbox, cause) != 0)
		goto fail;
	return b;

fail:
	bot_free(b);
	return NULL;
}

void
bot_add_chat(struct bot *b, struct chat *c)
{
	b->chats = xreallocarray(b->chats, b->nchats + 1, sizeof *b->chats);
	b->chats[b->nchats++] = c;
}

void
bot_add_service(struct bot *b, const struct bot_service *s)
{
	if (b->nservices == BOT_MAX_SERVICES)
		abort();	/* a wiring mistake in main.c, not a runtime state */
	b->services[b->nservices++] = s;
}

void
bot_set_schedule_fn(struct bot *b, sched_fire_fn fn)
{
	b->schedule_fire = fn;
}

/* Without a handler (a test bot), a due schedule is only logged. */
static void
bot_schedule_log(void *arg, const struct cfg_schedule *sc,
    const char *trigger, int64_t due_ms)
{
	(void)arg;
	(void)due_ms;
	log_info("bot", "schedule %s due (%s); nothing wired to run it",
	    sc->name, trigger);
}

sched_fire_fn
bot_schedule_fn(const struct bot *b)
{
	return b->schedule_fire != NULL ? b->schedule_fire : bot_schedule_log;
}

int
bot_start(struct bot *b, char **cause)
{
	struct retention_ages	 ages;
	char			*why = NULL;
	size_t			 i;

	cause_clear(cause);
	/* Here, not at create: the log file is open by now. */
	bot_log_audit_tail(b, "start");
	/*
	 * The listener first (alert webhooks; adapters add their routes
	 * when they start), and the alerts after the adapters they post to.
	 */
	if ((b->httpd = httpd_start(b->loop, b->cfg->alerts.listen_address,
	    b->cfg->alerts.listen_port, &why)) == NULL) {
		cause_set(cause, "alerts.listen: %s", why);
		free(why);
		return -1;
	}
	metrics_http_start(b);
	readyz_start(b);
	for (i = 0; i < b->nchats; i++) {
		if (b->chats[i]->ops->start(b->chats[i], cause) != 0)
			return -1;
		log_info("bot", "chat adapter %s started",
		    b->chats[i]->ops->name);
	}
	for (i = 0; i < b->nservices; i++)
		if (b->services[i]->start(b, cause) != 0)
			return -1;
	if ((b->sched = sched_start(b->cfg, b->store, b->loop,
	    bot_schedule_fn(b), b, cause)) == NULL)
		return -1;
	retention_ages(b->cfg, &ages);
	b->retention = retention_start(b->loop, b->store, &ages,
	    RETENTION_FIRST_MS);
	return 0;
}

void
bot_run(struct bot *b)
{
	if (b->stopped)
		return;
	/* Pings only while the loop turns: through the shutdown grace too. */
	watchdog_start(b->loop);
	loop_run(b->loop);
	watchdog_stop();
}

static void
bot_stop_now(struct bot *b)
{
	if (b->stopped)
		return;
	b->stopped = 1;
	lws_sul_cancel(&b->grace);
	loop_stop(b->loop);
}

/* Nothing left to do before exit: no command running, nothing to send. */
static int
bot_drained(struct bot *b)
{
	return b->ninflight == 0 && outbox_deliverable(b->outbox) == 0;
}

void
bot_check_drained(struct bot *b)
{
	if (b->stopping && bot_drained(b))
		bot_stop_now(b);
}

/* A delivery ended: at shutdown it may have been the last one. */
static void
bot_outbox_progress(void *arg)
{
	bot_check_drained(arg);
}

/* The grace period is over: answer what is left, then stop. */
static void
bot_grace_expired(lws_sorted_usec_list_t *sul)
{
	struct bot	*b = lws_container_of(sul, struct bot, grace);
	struct cmd_ctx	*ctx;

	while ((ctx = TAILQ_FIRST(&b->inflight)) != NULL) {
		TAILQ_REMOVE(&b->inflight, ctx, entry_link);
		b->ninflight--;
		ctx->cancelled = 1;
		buf_clear(&ctx->reply);
		cmd_error(ctx, "opsbot is shutting down; /%s was cancelled "
		    "before it finished", ctx->entry->name);
		ctx->outcome = "cancelled";
		/* The job's completion still holds ctx and frees it. */
		cmd_answer(ctx);
	}
	if (outbox_deliverable(b->outbox) > 0)
		log_warn("bot", "%zu message(s) not delivered within the grace "
		    "period; they are sent at the next start",
		    outbox_deliverable(b->outbox));
	bot_stop_now(b);
}

void
bot_request_stop(struct bot *b, const char *reason)
{
	size_t	 i;

	if (b->stopping) {
		/* Asked twice (a second Ctrl-C): do not wait any longer. */
		log_warn("bot", "stop requested again (%s); cancelling %zu "
		    "command(s) now", reason, b->ninflight);
		bot_grace_expired(&b->grace);
		return;
	}
	b->stopping = 1;
	notify_systemd("STOPPING=1");
	for (i = 0; i < b->nservices; i++) {
		if (b->services[i]->stop != NULL)
			b->services[i]->stop(b);
	}
	log_info("bot", "stopping: %s; %zu command(s) in flight, %zu "
	    "message(s) to deliver", reason, b->ninflight,
	    outbox_deliverable(b->outbox));
	for (i = 0; i < b->nchats; i++)
		b->chats[i]->ops->stop(b->chats[i]);
	if (bot_drained(b)) {
		bot_stop_now(b);
		return;
	}
	lws_sul_schedule(loop_lws(b->loop), 0, &b->grace, bot_grace_expired,
	    b->cfg->bot.shutdown_grace_s * LWS_US_PER_SEC);
}

void
bot_fatal(struct bot *b, int exit_code, const char *reason)
{
	log_error("bot", "%s", reason);
	fprintf(stderr, "opsbot: %s\n", reason);
	if (b->exit_code == 0)
		b->exit_code = exit_code;
	bot_request_stop(b, reason);
}

void
bot_free(struct bot *b)
{
	size_t	 i, left = 0;
	int64_t	 wait_ms;

	if (b == NULL)
		return;
	/* Intake first: no adapter may post to a loop that is going. */
	for (i = 0; i < b->nchats; i++)
		b->chats[i]->ops->stop(b->chats[i]);
	if (b->workers != NULL) {
		/* Every probe has a hard deadline; wait that long, and more. */
		wait_ms = (b->cfg->remote.timeout_s + 2) * 1000;
		left = workers_shutdown(b->workers, wait_ms);
	}
	if (left != 0) {
		/*
		 * Still running after their own deadline: they will post to
		 * the loop and read the config. Leave both alive; the process
		 * is about to exit anyway.
		 */
		log_error("bot", "%zu job(s) still running at exit; not "
		    "freeing what they use", left);
		return;
	}
	/*
	 * Completions still queued run before what they use goes; then the
	 * timers on the loop are cancelled while the loop still exists.
	 */
	if (b->loop != NULL) {
		loop_run_posted(b->loop);
		lws_sul_cancel(&b->grace);
	}
	dispatch_later_flush(b);
	sched_free(b->sched);
	b->sched = NULL;
	retention_free(b->retention);
	b->retention = NULL;
	for (i = b->nservices; i > 0; i--)
		b->services[i - 1]->free(b);
	outbox_free(b->outbox);
	/* Only now: the completions above may still ask the pool (it says no). */
	workers_free(b->workers);
	httpd_free(b->httpd);
	loop_free(b->loop);
	for (i = 0; i < b->nchats; i++)
		chat_free(b->chats[i]);
	free(b->chats);
	for (i = 0; i < b->nretired_chats; i++)
		chat_free(b->retired_chats[i]);
	free(b->retired_chats);
	free(b->reload_chat_error);
	rbac_free(b->rbac);
	bot_log_audit_tail(b, "stop");
	store_close(b->store);
	free(b->ssh_dir);
	config_free(b->cfg);
	for (i = 0; i < b->nretired; i++) {
		rbac_free(b->retired_rbac[i]);
		config_free(b->retired[i]);
	}
	free(b->retired);
	free(b->retired_rbac);
	if (b->table_free != NULL) {
		b->table_free(b->table_owned);
		for (i = 0; i < b->nretired_tables; i++)
			b->table_free(b->retired_tables[i]);
	}
	free(b->retired_tables);
	free(b->config_path);
	free(b->reload_error);
	free(b);
}

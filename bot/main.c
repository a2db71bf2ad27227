/*
 * opsbot: flags, start, run, stop. Exit codes: usage_text lists them,
 * and tests/docs-exitcodes.sh checks the README, opsbot(8) and
 * docs/operations.md say the same.
 */

#include <sys/stat.h>
#include <errno.h>
#include <sys/random.h>

#include <getopt.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "adapters.h"
#include "alerts.h"
#include "alerts_service.h"
#include "bot.h"
#include "checks.h"
#include "clock.h"
#include "config.h"
#include "config_check.h"
#include "custom.h"
#include "fdlimit.h"
#include "log.h"
#include "loop.h"
#include "http.h"
#include "incidents.h"
#include "notify.h"
#include "reload.h"
#include "runbook_index.h"
#include "tail.h"
#include "web.h"
#include "scheduled.h"
#include "store.h"
#include "store_backup.h"
#include "store_chain.h"
#include "ticket.h"
#include "slack_manifest.h"
#include "cmd.h"
#include "xmalloc.h"

static const char usage_text[] =
"usage: opsbot [--config FILE] [--data-dir DIR] [--log-level LEVEL]\n"
"              [--console]\n"
"       opsbot --check-config FILE\n"
"       opsbot --backup FILE [--force] [--config FILE] [--data-dir DIR]\n"
"       opsbot --verify-audit [--audit-tail ID:HASH] [--config FILE]\n"
"              [--data-dir DIR]\n"
"       opsbot --slack-manifest [--config FILE]\n"
"       opsbot --help | --version\n"
"\n"
"A chat-ops bot for production support. With no config file it runs on\n"
"its embedded default: the console on this terminal, the local host as\n"
"the only inventory host, and its sqlite store in ./opsbot-data.\n"
"\n"
"  -c, --config FILE        load FILE (JSON; also $OPSBOT_CONFIG)\n"
"  -t, --check-config FILE  check FILE, print every problem, exit 0 or 1\n"
"  -d, --data-dir DIR       override bot.data_dir\n"
"      --backup FILE        copy the store to FILE (0600) while the bot\n"
"                           runs; exit 0, or 3 if it could not\n"
"      --force              let --backup replace an existing FILE\n"
"      --verify-audit       check the audit trail's hash chain, name the\n"
"                           first broken row; exit 0, or 5 if broken\n"
"      --audit-tail ID:HASH with --verify-audit: a tail it printed\n"
"                           before, which must still be in the chain\n"
"      --slack-manifest     print the Slack app manifest (JSON) for this\n"
"                           config, to create the app from\n"
"  -l, --log-level LEVEL    override bot.log_level (debug, info, warn,\n"
"                           error)\n"
"      --console            talk on this terminal even when a chat\n"
"                           platform is configured\n"
"  -h, --help               show this help\n"
"  -V, --version            show the version\n"
"\n"
"Exit codes:\n"
"  0  stopped normally (--check-config: valid; --backup: copied)\n"
"  1  invalid config\n"
"  2  wrong usage\n"
"  3  could not start, or a fatal error (--backup: could not copy)\n"
"  4  credentials refused by a chat platform\n"
"  5  audit chain broken (--verify-audit)\n"
"\n"
"Config reference: docs/config.md. Operations (backup, audit, exit\n"
"codes): docs/operations.md. Type /help in the console.\n";

enum { OPT_CONSOLE = 256, OPT_BACKUP, OPT_FORCE, OPT_MANIFEST, OPT_VERIFY,
	OPT_TAIL };

static const struct option long_options[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "check-config", required_argument, NULL, 't' },
	{ "data-dir", required_argument, NULL, 'd' },
	{ "log-level", required_argument, NULL, 'l' },
	{ "console", no_argument, NULL, OPT_CONSOLE },
	{ "backup", required_argument, NULL, OPT_BACKUP },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ "verify-audit", no_argument, NULL, OPT_VERIFY },
	{ "audit-tail", required_argument, NULL, OPT_TAIL },
	{ "slack-manifest", no_argument, NULL, OPT_MANIFEST },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

struct signal_ctx {
	struct bot	*bot;
	sigset_t	 set;
	pthread_t	 thread;
};

static void
main_on_signal(void *arg)
{
	struct bot	*b = ((void **)arg)[0];
	int		 sig = (int)(intptr_t)((void **)arg)[1];

	free(arg);
	if (sig == SIGHUP) {
		/* systemctl reload; the loop thread owns the config. */
		log_info("main", "SIGHUP: reloading the config");
		if (!b->stopping)
			bot_reload(b);
		return;
	}
	bot_request_stop(b, sig == SIGINT ? "SIGINT" : "SIGTERM");
}

/*
 * Signals are blocked in every thread and taken here with sigwait(), so
 * the handler is ordinary code that can post to the loop.
 */
static void *
main_signal_thread(void *arg)
{
	struct signal_ctx	*s = arg;
	void			**msg;
	int			 sig;

	for (;;) {
		if (sigwait(&s->set, &sig) != 0)
			continue;
		if (sig == SIGUSR1)
			break;		/* main is done with us */
		msg = xcalloc(2, sizeof *msg);
		msg[0] = s->bot;
		msg[1] = (void *)(intptr_t)sig;
		loop_post(s->bot->loop, main_on_signal, msg);
	}
	return NULL;
}

/* Error lines name their place; file-level ones already start with path. */
static int
main_line_has_path(const char *path, const char *line)
{
	size_t	 n = path != NULL ? strlen(path) : 0;

	return n > 0 && strncmp(line, path, n) == 0 && line[n] == ':';
}

static const char *
main_place_prefix(const char *path, const char *line)
{
	if (path == NULL)
		return "(embedded default)";
	return main_line_has_path(path, line) ? "" : path;
}

static const char *
main_place_sep(const char *path, const char *line)
{
	return path != NULL && main_line_has_path(path, line) ? "" : ": ";
}

/* Prints each line of errors on stderr, with the file's name. */
static void
main_print_errors(const char *path, const char *errors)
{
	const char	*line, *nl;

	for (line = errors; *line != '\0'; line = nl + 1) {
		nl = strchr(line, '\n');
		fprintf(stderr, "%s%s%.*s\n", main_place_prefix(path, line),
		    main_place_sep(path, line), (int)(nl - line), line);
	}
}

static int
main_check_config(const char *path)
{
	struct config	*c;
	struct buf	 errors, summary;

	buf_init(&errors);
	if (config_load_file(path, &c, &errors) != 0 ||
	    config_check_more(c, &errors) != 0) {
		main_print_errors(path, errors.data);
		fprintf(stderr, "%s: configuration has errors\n", path);
		config_free(c);
		buf_release(&errors);
		return 1;
	}
	buf_init(&summary);
	config_summary(c, &summary);
	printf("%s: ok (%s)\n", path, summary.data);
	buf_release(&summary);
	config_free(c);
	buf_release(&errors);
	return 0;
}

static struct config *
main_load_config(const char *path)
{
	struct config	*c;
	struct buf	 errors;
	const char	*line, *nl;
	int		 rc;

	buf_init(&errors);
	rc = path != NULL ? config_load_file(path, &c, &errors) :
	    config_load_default(&c, &errors);
	if (rc != 0) {
		for (line = errors.data; *line != '\0'; line = nl + 1) {
			nl = strchr(line, '\n');
			fprintf(stderr, "opsbot: %s%s%.*s\n",
			    main_place_prefix(path, line), main_place_sep(path,
			    line), (int)(nl - line), line);
		}
		c = NULL;
	}
	buf_release(&errors);
	return c;
}

/* opsbot --backup FILE: exit 0, 2 (usage) or 3 (could not). */
static int
main_backup(const struct config *cfg, const char *dst, int force)
{
	char	*src, *cause = NULL;
	int64_t	 pages = 0;
	int	 rc = 0;

	if (dst == NULL || *dst == '\0') {
		fputs("opsbot: --force goes with --backup FILE\n", stderr);
		return 2;
	}
	xasprintf(&src, "%s/opsbot.db", cfg->bot.data_dir);
	if (store_backup(src, dst, force, &pages, &cause) != 0) {
		fprintf(stderr, "opsbot: backup: %s\n", cause);
		free(cause);
		rc = 3;
	} else
		printf("%s: copied %s (%lld pages)\n", dst, src,
		    (long long)pages);
	free(src);
	return rc;
}

/* "2026-12-04 21:08:45 UTC" into out. */
static void
main_utc(int64_t ms, char *out, size_t len)
{
	time_t		 t = (time_t)(ms / 1000);
	struct tm	 tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(out, len, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
		snprintf(out, len, "%lld ms", (long long)ms);
}

/*
 * opsbot --verify-audit: exit 0 (the chain holds), 3 (the store cannot
 * be read) or 5 (broken: the first broken row named).
 */
static int
main_verify_audit(const struct config *cfg, const char *tail)
{
	struct store_audit_verdict	 v;
	char				*path, *cause = NULL, when[64];
	int				 rc = 0;

	xasprintf(&path, "%s/opsbot.db", cfg->bot.data_dir);
	if (store_audit_verify(path, tail, &v, &cause) != 0) {
		fprintf(stderr, "opsbot: verify-audit: %s\n", cause);
		free(cause);
		free(path);
		return 3;
	}
	printf("%s: %lld chained rows checked\n", path,
	    (long long)v.checked);
	if (v.legacy > 0)
		printf("%lld rows from before the chain (schema v8) are not "
		    "covered by it\n", (long long)v.legacy);
	if (v.anchor_upto > 0) {
		main_utc(v.anchor_at_ms, when, sizeof when);
		printf("retention pruned rows up to %lld (last on %s); the "
		    "chain starts from its hash\n", (long long)v.anchor_upto,
		    when);
	}
	if (v.broken) {
		if (v.bad_ts_ms > 0) {
			main_utc(v.bad_ts_ms, when, sizeof when);
			printf("BROKEN at row %lld (%s): %s\n",
			    (long long)v.bad_id, when, v.what);
		} else
			printf("BROKEN at row %lld: %s\n", (long long)v.bad_id,
			    v.what);
		rc = 5;
	} else if (v.tail_id == 0)
		printf("the chain holds; it has no rows yet\n");
	else
		printf("the chain holds; tail %lld:%s (keep it elsewhere and "
		    "pass it as --audit-tail later to prove nothing was cut "
		    "from the end)\n", (long long)v.tail_id, v.tail_hash);
	free(v.what);
	free(path);
	return rc;
}

int
main(int argc, char **argv)
{
	const char		*config_path = getenv("OPSBOT_CONFIG");
	const char		*env_config = config_path;
	const char		*data_dir = NULL, *level_name = NULL;
	const char		*backup_path = NULL, *audit_tail = NULL;
	int			 verify = 0;
	int			 opt, force_console = 0, force = 0, rc = 0, fd_ok;
	int			 manifest = 0, started;
	long			 fd_before, fd_after;
	int64_t			 t0 = clock_mono_ms();
	struct config		*cfg;
	struct bot		*bot;
	const struct cmd_entry	**table;
	struct signal_ctx	 sig;
	enum log_level		 level;
	char			*cause = NULL, *log_path = NULL;

	/* Before any load: role grants and schedules name commands. */
	cmd_config_commands(cmd_table);
	while ((opt = getopt_long(argc, argv, "c:t:d:l:hV", long_options,
	    NULL)) != -1) {
		switch (opt) {
		case 'c':
			config_path = optarg;
			break;
		case 't':
			if (*optarg == '\0') {
				fputs("opsbot: --check-config needs a file\n",
				    stderr);
				return 2;
			}
			return main_check_config(optarg);
		case 'd':
			data_dir = optarg;
			break;
		case 'l':
			level_name = optarg;
			break;
		case OPT_CONSOLE:
			force_console = 1;
			break;
		case OPT_BACKUP:
			backup_path = optarg;
			break;
		case OPT_FORCE:
			force = 1;
			break;
		case OPT_MANIFEST:
			manifest = 1;
			break;
		case OPT_VERIFY:
			verify = 1;
			break;
		case OPT_TAIL:
			audit_tail = optarg;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		case 'V':
			printf("opsbot %s (libwebsockets %s, sqlite %s)\n",
			    OPSBOT_VERSION, lws_get_library_version(),
			    store_library_version());
			return 0;
		default:
			fputs("Try 'opsbot --help'.\n", stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "opsbot: unexpected argument '%s'\nTry "
		    "'opsbot --help'.\n", argv[optind]);
		return 2;
	}
	/* An empty $OPSBOT_CONFIG is unset; an empty --config is a mistake. */
	if (config_path != NULL && *config_path == '\0') {
		if (config_path != env_config) {
			fputs("opsbot: --config needs a file\n", stderr);
			return 2;
		}
		config_path = NULL;
	}
	if (data_dir != NULL && *data_dir == '\0') {
		fputs("opsbot: --data-dir needs a directory\n", stderr);
		return 2;
	}
	if (level_name != NULL && log_level_parse(level_name, &level) != 0) {
		fprintf(stderr, "opsbot: --log-level: expected debug, info, "
		    "warn or error, got '%s'\n", level_name);
		return 2;
	}
	if ((cfg = main_load_config(config_path)) == NULL)
		return 1;
	if (data_dir != NULL) {
		free(cfg->bot.data_dir);
		cfg->bot.data_dir = xstrdup(data_dir);
	}
	if (manifest) {
		/* The custom commands are listed like the built-in ones. */
		const struct cmd_entry **t = custom_table(cfg);
		char *m = slack_manifest(cfg, t);

		printf("%s\n", m);
		free(m);
		custom_table_free(t);
		config_free(cfg);
		return 0;
	}
	if (verify || audit_tail != NULL) {
		if (!verify) {
			fputs("opsbot: --audit-tail goes with --verify-audit\n",
			    stderr);
			config_free(cfg);
			return 2;
		}
		/* Read-only beside the bot, like --backup. */
		rc = main_verify_audit(cfg, audit_tail);
		config_free(cfg);
		return rc;
	}
	if (backup_path != NULL || force) {
		/* Beside the bot: the config only says where the store is. */
		rc = main_backup(cfg, backup_path, force);
		config_free(cfg);
		return rc;
	}
	if (force_console)
		cfg->chat.console_enabled = 1;
	log_set_level(level_name != NULL ? level : cfg->bot.log_level);
	log_set_json(cfg->bot.log_json);
	config_register_secrets(cfg);
	signal(SIGPIPE, SIG_IGN);
	/* Whatever the bot or sqlite creates (WAL, shm, logs) is its own. */
	umask(077);

	/*
	 * Two malloc arenas, not one per thread: workers come and go in
	 * bursts, and per-thread arenas keep what a burst used.
	 */
	mallopt(M_ARENA_MAX, 2);
	/*
	 * Fixed thresholds: with glibc's default the heap's top is given
	 * back (brk) whenever 128 KiB of it are free, and each command's
	 * store transaction grew it again (a brk and fresh page faults
	 * a command, a fifth of its CPU). The outbox's malloc_trim after a
	 * big drain still returns what a burst used.
	 */
	mallopt(M_TRIM_THRESHOLD, 8 * 1024 * 1024);
	mallopt(M_TOP_PAD, 1024 * 1024);
	mallopt(M_MMAP_THRESHOLD, 1024 * 1024);
	/* Jitter must differ between instances started together. */
	{
		unsigned int seed;

		if (getrandom(&seed, sizeof seed, 0) != (ssize_t)sizeof seed)
			seed = (unsigned int)getpid() ^ (unsigned int)t0;
		srandom(seed);
	}
	/* libcurl's global set-up is not thread-safe: before any thread. */
	if (cfg->chat.slack_enabled || cfg->chat.mattermost_enabled)
		http_global_init();
	/* Blocked before any thread starts, so every thread inherits it. */
	sigemptyset(&sig.set);
	sigaddset(&sig.set, SIGINT);
	sigaddset(&sig.set, SIGTERM);
	sigaddset(&sig.set, SIGHUP);
	sigaddset(&sig.set, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &sig.set, NULL);

	/* Before the loop exists: lws sizes its tables by the limit. */
	fd_ok = fdlimit_raise(&fd_before, &fd_after) == 0;
	table = custom_table(cfg);
	if ((bot = bot_create(cfg, table, &cause)) == NULL) {
		fprintf(stderr, "opsbot: %s\n", cause);
		free(cause);
		custom_table_free(table);
		log_close();
		return 3;
	}
	/* Rebuilt on reload: custom commands follow the file. */
	bot_set_table_fns(bot, table, custom_table, custom_table_free);
	if (config_path != NULL)
		bot->config_path = xstrdup(config_path);
	bot->log_level_fixed = level_name != NULL;
	bot->console_forced = force_console;
	bot->data_dir_fixed = data_dir != NULL;
	/* The default's localhost watches the bot's own log and data dir. */
	if (config_path == NULL && config_complete_default(cfg, &cause) != 0) {
		fprintf(stderr, "opsbot: %s\n", cause);
		free(cause);
		bot_free(bot);
		log_close();
		return 3;
	}
	/* While the console is the conversation, the log stays off it. */
	if (cfg->bot.log_file != NULL)
		log_path = xstrdup(cfg->bot.log_file);
	else if (cfg->chat.console_enabled)
		xasprintf(&log_path, "%s/opsbot.log", cfg->bot.data_dir);
	if (log_path != NULL && log_open_file(log_path) != 0) {
		fprintf(stderr, "opsbot: cannot open log file %s: %s\n",
		    log_path, strerror(errno));
		free(log_path);
		bot_free(bot);
		log_close();
		return 3;
	}
	free(log_path);
	log_info("main", "opsbot %s starting; config %s; data_dir %s",
	    OPSBOT_VERSION, cfg->source, cfg->bot.data_dir);
	if (!fd_ok || fd_after < cfg->alerts.max_connections + 64L)
		log_warn("main", "open files limited to %ld (LimitNOFILE): "
		    "alerts.max_connections %d may exhaust it; connections "
		    "are then refused", fd_after, cfg->alerts.max_connections);
	else if (fd_after != fd_before)
		log_info("main", "open files limit raised from %ld to %ld",
		    fd_before, fd_after);

	if (cfg->chat.slack_enabled)
		bot_add_chat(bot, chat_create(&chat_slack_ops, bot));
	if (cfg->chat.mattermost_enabled)
		bot_add_chat(bot, chat_create(&chat_mattermost_ops, bot));
	if (cfg->chat.console_enabled)
		bot_add_chat(bot, chat_create(&chat_console_ops, bot));
	/* After the adapters they post to; freed in reverse. */
	/* First: the alert engine opens tickets from its start on. */
	bot_add_service(bot, &tickets_service);
	bot_add_service(bot, &alerts_service);
	bot_add_service(bot, &checks_service);
	bot_add_service(bot, &runbook_service);
	bot_add_service(bot, &web_service);
	bot_add_service(bot, &tails_service);
	bot_set_schedule_fn(bot, scheduled_fire);
	bot_set_thread_fn(bot, incident_thread_reply);
	if (!cfg->chat.console_enabled && !cfg->chat.slack_enabled &&
	    !cfg->chat.mattermost_enabled)
		log_warn("main", "no chat adapter is enabled; the bot will "
		    "only log");
	sig.bot = bot;
	if (pthread_create(&sig.thread, NULL, main_signal_thread, &sig) != 0) {
		fprintf(stderr, "opsbot: cannot start the signal thread\n");
		bot_free(bot);
		log_close();
		return 3;
	}

	if ((started = bot_start(bot, &cause)) == 0 && bot->alerts != NULL) {
		/* The engine exists once its service started; no alert yet. */
		alerts_set_fired_hook(bot->alerts, incident_auto_fired, bot);
	}
	if (started != 0) {
		fprintf(stderr, "opsbot: %s\n", cause);
		log_error("main", "%s", cause);
		free(cause);
		rc = 3;
	} else {
		log_info("main", "ready in %lld ms", (long long)(clock_mono_ms()
		    - t0));
		notify_systemd("READY=1");
		bot_run(bot);
		rc = bot->exit_code;
	}
	pthread_kill(sig.thread, SIGUSR1);
	pthread_join(sig.thread, NULL);
	bot_free(bot);
	log_info("main", "stopped");
	log_close();
	return rc;
}

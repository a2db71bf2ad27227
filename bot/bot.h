/*
 * The running bot: config, store, loop, workers, RBAC, chat adapters and
 * the commands in flight. One per process; everything here is touched on
 * the loop thread only.
 */
#ifndef OPSBOT_BOT_H
#define OPSBOT_BOT_H

#include <sys/queue.h>

#include <libwebsockets.h>
#include <stdint.h>

#include "args.h"
#include "buf.h"
#include "chat.h"
#include "cmd.h"
#include "config.h"
#include "rbac.h"
#include "scheduler.h"

struct alerts;
struct alerts_http;
struct bot;
struct checks;
struct sched;
struct httpd;
struct loop;
struct outbox;
struct store;
struct tails;
struct tickets;
struct workers;

/*
 * A part of the bot that main.c adds, like an adapter, so the core never
 * names it: the alert engine, the own checks. Started after the chat
 * adapters (it may post), in the order added; told of a new config on
 * reload; freed in reverse order. Each keeps its state in the bot field
 * that is its own (bot->alerts, bot->checks).
 */
struct bot_service {
	const char	*name;
	int		(*start)(struct bot *, char **cause);
	/* After a reload swapped bot->cfg; may be NULL. */
	void		(*reload)(struct bot *, const struct config *);
	/* Before /metrics is written: set the service's gauges; may be NULL. */
	void		(*collect)(struct bot *);
	/*
	 * When a stop begins (SIGTERM, end of console input), before the
	 * grace period: end long-running work and post its last word (the
	 * outbox still delivers); may be NULL.
	 */
	void		(*stop)(struct bot *);
	void		(*free)(struct bot *);
};
#define BOT_MAX_SERVICES 8

/*
 * What a person's plain (non-command) message in a thread is handed to,
 * on the loop thread; m is borrowed for the call. main.c sets it (the
 * incidents keep such replies as notes), so the core names no feature.
 */
typedef void (*bot_thread_fn)(struct bot *, struct chat *,
	    const struct chat_msg *m);

/* One command from receipt to answer; see dispatch.c. */
struct cmd_ctx {
	struct bot		*bot;
	struct chat		*chat;
	struct chat_origin	 origin;
	const struct cmd_entry	*entry;
	struct rbac_user	 user;
	char			*line;		/* as received, sanitized */
	struct words		 words;
	struct args		 args;
	struct buf		 reply;
	char			*title;		/* rich answers: headline */
	char			*mention;	/* cmd_mention(), or NULL */
	enum message_status	 status;	/* and its colour */
	struct cmd_button {			/* cmd_button(); owned */
		char	*action, *label, *value;
		char	*url;		/* cmd_link(): a link, no value */
		int	 danger;
	}			 buttons[MESSAGE_MAX_BUTTONS];
	size_t			 nbuttons;
	const char		*outcome;	/* audit: ok, error, ... */
	char			*detail;	/* audit: error text */
	int64_t			 received_ms;	/* wall clock */
	int64_t			 started_mono;
	int			 answered;	/* reply sent, row audited */
	int64_t			 live_ref;	/* reply_live handle, or 0 */
	int			 live_sent;	/* partial answers sent */
	int			 cancelled;	/* answered by shutdown */
	int			 previewing;	/* ->preview, not ->exec */
	char			*confirm_token;	/* a clicked confirmation */
	int			 confirm_claimed; /* ... used by this run */
	char			*confirm_line;	/* what its button runs */
	int			 private_answer; /* cmd_refuse(), cmd_private() */
	TAILQ_ENTRY(cmd_ctx)	 entry_link;	/* bot->inflight */
};

TAILQ_HEAD(cmd_ctx_list, cmd_ctx);

/*
 * Builds the command table for a config (the built-in commands and the
 * config's custom_commands); the result is freed with the matching
 * release. See bot_set_table_fns.
 */
typedef const struct cmd_entry **(*bot_table_fn)(const struct config *);
typedef void (*bot_table_free_fn)(const struct cmd_entry **);

struct bot {
	struct config			*cfg;		/* owned */
	const struct cmd_entry *const	*cmds;
	/*
	 * The table is rebuilt on reload when these are set (custom
	 * commands come and go with the file); tables it replaced live
	 * until exit, like the configs their entries point into.
	 */
	bot_table_fn			 table_build;
	bot_table_free_fn		 table_free;
	const struct cmd_entry		**table_owned;	/* cmds, or NULL */
	const struct cmd_entry		***retired_tables;
	size_t				 nretired_tables;
	struct store			*store;
	struct loop			*loop;
	struct workers			*workers;
	struct rbac			*rbac;
	struct outbox			*outbox;	/* every chat post */
	struct httpd			*httpd;		/* or NULL */
	struct alerts			*alerts;	/* or NULL */
	struct alerts_http		*alerts_http;
	struct checks			*checks;	/* own checks, or NULL */
	struct tails			*tails;		/* live /tails, or NULL */
	struct tickets			*tickets;	/* ServiceNow (ticket.h) */
	struct sched			*sched;		/* schedules */
	sched_fire_fn			 schedule_fire;	/* or NULL */
	bot_thread_fn			 thread_reply;	/* or NULL */
	const struct bot_service	*services[BOT_MAX_SERVICES];
	size_t				 nservices;
	struct retention		*retention;	/* old rows */
	struct chat			**chats;
	size_t				 nchats;
	int64_t				 started_ms;
	int64_t				 started_mono;
	int				 stopping;
	int				 stopped;
	struct cmd_ctx_list		 inflight;
	size_t				 ninflight;
	lws_sorted_usec_list_t		 grace;		/* shutdown deadline */
	uint64_t			 handled;	/* commands answered */
	char				*ssh_dir;	/* ssh ControlPath dir */
	int				 exit_code;	/* set by a fatal stop */
	/* reload.c: SIGHUP reads config_path again (NULL: the default). */
	char				*config_path;	/* owned */
	int				 log_level_fixed; /* --log-level */
	int				 console_forced;  /* --console */
	int				 data_dir_fixed;  /* --data-dir */
	int64_t				 reload_ms;	/* last try, or 0 */
	int				 reload_ok;
	char				*reload_error;	/* first error; owned */
	/*
	 * Configs and RBACs replaced by a reload: commands in flight, open
	 * alert groups and probes still point into them, so they live
	 * until exit (a few KB per reload).
	 */
	struct config			**retired;
	struct rbac			**retired_rbac;
	size_t				 nretired;
	/*
	 * Chat adapters replaced by a reload (a changed token): stopped, but
	 * commands in flight still answer through them and their sockets
	 * close on the loop, so they are freed after the loop, at exit.
	 */
	struct chat			**retired_chats;
	size_t				 nretired_chats;
	/* An adapter the last reload could not restart, and why; owned. */
	char				*reload_chat_error;
	/*
	 * dispatch_later.c: audit rows of commands answered in their
	 * acknowledgement, written once it is out (bot_defer_writes).
	 */
	int				 defer_writes;
	struct dispatch_later		*later;
	lws_sorted_usec_list_t		 later_sul;
};

/*
 * Builds a bot around cfg (ownership passes to the bot, also on failure):
 * opens the store in cfg's data_dir, the loop and the worker pool.
 * Returns NULL and sets *cause (caller frees).
 */
struct bot *bot_create(struct config *cfg,
	    const struct cmd_entry *const *table, char **cause);
/*
 * The bot takes table (passed to bot_create, made by build from its
 * config) and rebuilds it with build on each reload; release frees
 * each table at exit.
 */
void	 bot_set_table_fns(struct bot *, const struct cmd_entry **table,
	    bot_table_fn build, bot_table_free_fn release);
/* Adds an adapter the bot will start, stop and free. */
void	 bot_add_chat(struct bot *, struct chat *);
/* Adds a service (static; not freed) the bot will start and free. */
void	 bot_add_service(struct bot *, const struct bot_service *);
/*
 * A chat adapter that answers in its acknowledgement: may the command
 * in text run before the ack? 1 for one that only reads
 * (CMD_READS_ONLY), and for what will be refused (unknown). Around
 * such a run, bot_defer_writes(b, 1) keeps its audit row in memory so
 * the ack never waits on the store; bot_write_deferred() writes what
 * waits once the ack is out (a timer does 50 ms after, if nothing
 * else has). The loop thread only.
 */
int	 bot_command_runs_before_ack(const struct bot *, const char *text);
void	 bot_defer_writes(struct bot *, int on);
void	 bot_write_deferred(struct bot *);
/* Sets what a schedule firing runs; without it, schedules only log. */
void	 bot_set_schedule_fn(struct bot *, sched_fire_fn);
/* What schedules fire: the handler set, or one that only logs. */
sched_fire_fn bot_schedule_fn(const struct bot *);
/* Starts every adapter; returns -1 and sets *cause on the first failure. */
int	 bot_start(struct bot *, char **cause);
/* Runs the loop until shutdown completes. */
void	 bot_run(struct bot *);
/*
 * Begins a graceful stop: no new commands, in-flight ones get
 * bot.shutdown_grace to finish, then are cancelled with a message. Within
 * the same grace the outbox keeps delivering, so answers already given
 * reach chat before exit (a response URL would expire before a restart).
 */
void	 bot_request_stop(struct bot *, const char *reason);
/* Stops because the bot cannot go on (e.g. a revoked token): exit code. */
void	 bot_fatal(struct bot *, int exit_code, const char *reason);
void	 bot_free(struct bot *);
/* Completes a stop once no command is in flight and the outbox is empty. */
void	 bot_check_drained(struct bot *);

/* dispatch.c: the path of every command from every adapter. */
void	 bot_handle_message(struct bot *, struct chat *,
	    const struct chat_msg *);
/*
 * thread.c: a person's plain reply in a thread (m->thread set), from an
 * adapter; handed to the bot_set_thread_fn handler, or dropped.
 */
void	 bot_handle_thread_reply(struct bot *, struct chat *,
	    const struct chat_msg *m);
void	 bot_set_thread_fn(struct bot *, bot_thread_fn);
/* Will this command line run on hosts (so an adapter says "working")? */
int	 bot_command_is_slow(const struct bot *, const char *text);

/* For handlers: answer text (appended; sent when the command ends). */
void	 cmd_reply(struct cmd_ctx *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* Gives the answer a headline and a status colour. */
void	 cmd_title(struct cmd_ctx *, enum message_status, const char *fmt,
	    ...) __attribute__((format(printf, 3, 4)));
/* Gives the answer a status colour without a headline. */
void	 cmd_status(struct cmd_ctx *, enum message_status);
/* Pages someone with the answer (message.h: mention); copied. */
void	 cmd_mention(struct cmd_ctx *, const char *mention);
/*
 * The answer goes only to the asker (ephemeral): for commands whose
 * effect the channel already sees elsewhere, like an alert message that
 * updates in place.
 */
void	 cmd_private(struct cmd_ctx *);
/*
 * Adds a button to the answer; value is the command line a click runs,
 * as the person who clicks (message.h). Extra buttons are dropped.
 */
void	 cmd_button(struct cmd_ctx *, const char *action, const char *label,
	    const char *value, int danger);
/*
 * Adds a link button to the answer: it opens url (http or https) and
 * runs nothing (message.h). Extra buttons are dropped.
 */
void	 cmd_link(struct cmd_ctx *, const char *action, const char *label,
	    const char *url);
/*
 * How the asker types command name where they are, to put before it in
 * texts: "/" or, on Mattermost, e.g. "/opsbot " (chat_ops.cmd_prefix).
 */
const char *cmd_prefix(const struct cmd_ctx *, const char *name);
/* Like cmd_reply, and marks the outcome as an error. */
void	 cmd_error(struct cmd_ctx *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/*
 * Like cmd_error, for a refusal that concerns only the asker (an unknown
 * host, log, service or job): the answer is ephemeral where the platform
 * has that, like the dispatcher's own refusals.
 */
void	 cmd_refuse(struct cmd_ctx *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/*
 * Can the answer so far be shown now and replaced later (a platform
 * with reply_live, an answer for everyone, room left for updates)?
 */
int	 cmd_can_progress(const struct cmd_ctx *);
/*
 * Shows the answer built so far (reply, title, status) as one message
 * that the next cmd_progress, and finally cmd_finish, replace in place;
 * then clears it for the next build. The outcome is left as it was.
 */
void	 cmd_progress(struct cmd_ctx *);
/* Ends a command that returned CMD_PENDING: sends, audits, frees ctx. */
void	 cmd_finish(struct cmd_ctx *);
/* Sends the reply and audits, once; ctx stays alive (dispatch.c). */
void	 cmd_answer(struct cmd_ctx *);

#endif

/*
 * What a chat command is: a declarative entry (tmux cmd_entry style) and
 * the context its handler runs in. commands/commands.c lists every entry
 * in cmd_table; /help, RBAC defaults and config checks all read that table.
 */
#ifndef OPSBOT_CMD_H
#define OPSBOT_CMD_H

#include "args.h"

/* Built-in roles, lowest first; a command names the least it needs. */
enum cmd_role {
	ROLE_ANYONE,		/* even users the config does not know */
	ROLE_VIEWER,
	ROLE_OPERATOR,
	ROLE_ADMIN,
};

enum cmd_flags {
	CMD_TOUCHES_HOSTS = 1 << 0,	/* runs on inventory hosts: worker pool */
	CMD_NEEDS_CONFIRM = 1 << 1,	/* refused without --confirm */
	CMD_PRIVATE = 1 << 2,		/* answered only to the asker */
	/*
	 * Reads, writes nothing but its audit row: it may run before its
	 * acknowledgement and answer in it (bot_command_runs_before_ack).
	 */
	CMD_READS_ONLY = 1 << 3,
};

enum cmd_result {
	CMD_ERROR = -1,		/* replied with an error */
	CMD_DONE,		/* replied; finished */
	CMD_PENDING,		/* will call cmd_finish() later, on the loop */
};

struct cmd_ctx;

struct cmd_entry {
	const char	*name;
	const char	*alias;		/* or NULL */
	const char	*synopsis;	/* "logs HOST LOG [PATTERN] [--lines N]" */
	const char	*help;		/* one or two sentences */
	struct arg_spec	 args;
	enum cmd_role	 min_role;
	int		 flags;		/* enum cmd_flags */
	enum cmd_result	 (*exec)(struct cmd_ctx *);
	/*
	 * CMD_NEEDS_CONFIRM only, optional: what the confirmed command would
	 * do, looked up now (host, current state, the exact action). Answers
	 * like exec; an answer without an error gets the Confirm button, an
	 * error (e.g. "the job is running") gets none. NULL: a generic
	 * prompt.
	 */
	enum cmd_result	 (*preview)(struct cmd_ctx *);
};

/* NULL-terminated; defined in commands/commands.c. */
extern const struct cmd_entry *const cmd_table[];

/* registry.c: lookups over a command table (cmd_table, or a test's). */
const char *cmd_role_name(enum cmd_role);
/*
 * Hands the table's names and aliases to the config loader
 * (config_set_commands), which checks role grants, commands.* and
 * schedules against them without reading the table itself. Call before
 * loading a config; table must outlive every load.
 */
void	 cmd_config_commands(const struct cmd_entry *const *table);
/* The entry named name (or with that alias), or NULL. */
const struct cmd_entry *cmd_find(const struct cmd_entry *const *table,
	    const char *name);
/* A command name a typo or a unique prefix suggests, or NULL (borrowed). */
const char *cmd_suggest(const struct cmd_entry *const *table,
	    const char *name);

#endif

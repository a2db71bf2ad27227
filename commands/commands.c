/*
 * The command table: one line per command, in the order /help lists them.
 * To add a command, see commands/README.md.
 */

#include <stddef.h>

#include "cmd.h"

extern const struct cmd_entry cmd_help_entry;
extern const struct cmd_entry cmd_status_entry;
extern const struct cmd_entry cmd_whoami_entry;

const struct cmd_entry *const cmd_table[] = {
	&cmd_help_entry,
	&cmd_status_entry,
	&cmd_whoami_entry,
	NULL
};

/*
 * The team's own commands (custom_commands in the config) as entries of
 * the command table, so that dispatch, /help, RBAC, the audit, the
 * Confirm button and the Slack manifest treat them like built-in ones.
 */
#ifndef OPSBOT_COMMANDS_CUSTOM_H
#define OPSBOT_COMMANDS_CUSTOM_H

#include "cmd.h"
#include "config.h"

/*
 * The built-in table followed by an entry for each of c's custom
 * commands (pointing into c, which must outlive the table).
 * NULL-terminated; free with custom_table_free.
 */
const struct cmd_entry **custom_table(const struct config *c);
/* The table and the entries custom_table made for it (NULL: nothing). */
void	 custom_table_free(const struct cmd_entry **);

#endif

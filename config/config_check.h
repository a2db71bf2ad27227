/*
 * What --check-config looks at beyond the schema: things outside the
 * file that a new user gets wrong first (a missing ssh_config, a schedule
 * that runs a command that does not exist), and the summary it prints.
 */
#ifndef OPSBOT_CONFIG_CHECK_H
#define OPSBOT_CONFIG_CHECK_H

#include "buf.h"
#include "config.h"

/*
 * Appends one line per problem to errors ("place: what"). Returns how
 * many there were.
 */
int	 config_check_more(const struct config *, struct buf *errors);

/* Appends "3 host(s), ..., listener 127.0.0.1:9097" to b. */
void	 config_summary(const struct config *, struct buf *b);

#endif

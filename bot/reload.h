/*
 * Config reload (SIGHUP, systemctl reload): read the file again, check it
 * whole as --check-config does, and swap it in on the loop thread. A file
 * with errors changes nothing.
 */
#ifndef OPSBOT_RELOAD_H
#define OPSBOT_RELOAD_H

#include <stddef.h>

struct bot;
struct buf;

/*
 * Reloads b->config_path on the loop thread. Returns 0 when the new
 * config is in use, -1 when the old one stays (every error logged, the
 * first kept in b->reload_error for /status).
 */
int	 bot_reload(struct bot *);
/* Appends the last reload for /status: "reload: ..." or nothing. */
void	 reload_describe(const struct bot *, struct buf *);

#endif

/*
 * Single-use confirmations (confirm.c), used by the dispatcher only: a
 * Confirm button's value is CONFIRM_VALUE_PREFIX and a token whose row in
 * the store holds the command line it runs.
 */
#ifndef OPSBOT_CONFIRM_H
#define OPSBOT_CONFIRM_H

#include <stddef.h>

#include "buf.h"

struct cmd_ctx;

#define CONFIRM_VALUE_PREFIX	"confirm:"

/*
 * A click's text: 0 when it is not a confirmation token. 1 when the token
 * can run: *line is its command line with --confirm (caller frees) and
 * ctx->confirm_token is set. -1 when it cannot (unknown, used, expired,
 * another channel): *why says so (caller frees).
 */
int	 confirm_lookup(struct cmd_ctx *, const char *text, size_t len,
	    char **line, char **why);
/*
 * Claims ctx->confirm_token just before the command runs: 0, or -1 and
 * *why ("already done by @alice at 13:31"; caller frees).
 */
int	 confirm_claim(struct cmd_ctx *, char **why);
/*
 * Stores a token for ctx->confirm_line in ctx's channel and adds the
 * Confirm button. 0, or -1 (logged) when there is none.
 */
int	 confirm_offer(struct cmd_ctx *);
/* "Confirmed by @alice at 13:31." for the answer; stores the outcome. */
void	 confirm_note(struct cmd_ctx *, struct buf *note);

#endif

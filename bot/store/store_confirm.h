/*
 * Single-use confirmations (schema v6, table confirmations): a Confirm
 * button carries an opaque token; its row binds the token to the exact
 * command line, the channel, an expiry, and, once used, who used it.
 * Claiming is one UPDATE, so two clicks (or two bots on one store) can
 * never both run the command.
 */
#ifndef OPSBOT_STORE_CONFIRM_H
#define OPSBOT_STORE_CONFIRM_H

#include <stdint.h>

struct store;

struct store_confirm {
	char	*token;
	char	*command;	/* the line, without --confirm */
	char	*platform;
	char	*channel;
	char	*user;		/* who asked */
	int64_t	 created_ms;
	int64_t	 expires_ms;
	int64_t	 used_ms;	/* 0: not used yet */
	char	*used_by;	/* user id, or NULL */
	char	*used_by_name;	/* display name, or NULL */
	char	*outcome;	/* of the confirmed run, or NULL */
};

/* Frees the strings of a row store_confirm_get filled in. */
void	 store_confirm_release(struct store_confirm *);

/* Inserts r (used_* and outcome ignored). 0, or -1 and *cause. */
int	 store_confirm_add(struct store *, const struct store_confirm *r,
	    char **cause);
/*
 * Reads the row of token into *r (strings owned by r: release it).
 * Returns 1, 0 when there is no such token, or -1 and *cause.
 */
int	 store_confirm_get(struct store *, const char *token,
	    struct store_confirm *r, char **cause);
/*
 * Marks token used by user at now_ms, if it is unused and not expired.
 * Returns 1 when this call claimed it, 0 when it could not be claimed
 * (used, expired or unknown: read the row to say which), -1 and *cause.
 */
int	 store_confirm_claim(struct store *, const char *token, int64_t now_ms,
	    const char *user_id, const char *user_name, char **cause);
/* Records the outcome of the confirmed run. 0, or -1 and *cause. */
int	 store_confirm_outcome(struct store *, const char *token,
	    const char *outcome, char **cause);

#endif

/*
 * Who may run what. Roles grant commands; users, matched by platform and
 * id or name, hold roles. Built-in roles viewer < operator < admin grant
 * each command whose entry names that role or a lower one; the config may
 * redefine them or add its own. Commands for ROLE_ANYONE (help, whoami)
 * are open to everyone, so a stranger can find out whom to ask.
 */
#ifndef OPSBOT_RBAC_H
#define OPSBOT_RBAC_H

#include <stddef.h>

#include "buf.h"
#include "cmd.h"
#include "config.h"

struct rbac;

/* Resolves inheritance; cfg and table must outlive the rbac. */
struct rbac *rbac_create(const struct config *,
	    const struct cmd_entry *const *table);
void	 rbac_free(struct rbac *);

#define RBAC_MAX_ROLES	16

struct rbac_user {
	const char	*roles[RBAC_MAX_ROLES];	/* borrowed from the rbac */
	size_t		 nroles;
};

/* Fills u with the roles of a platform user (id and name may be NULL). */
void	 rbac_user_roles(const struct rbac *, const char *platform,
	    const char *user_id, const char *user_name, struct rbac_user *u);
/* Appends the user's roles as "viewer, operator", or a hint if none. */
void	 rbac_user_describe(const struct rbac_user *, struct buf *);
int	 rbac_allows(const struct rbac *, const struct rbac_user *,
	    const struct cmd_entry *);
/* Appends the roles that grant cmd, as "operator or admin". */
void	 rbac_roles_granting(const struct rbac *, const struct cmd_entry *,
	    struct buf *);
/*
 * Is cmd allowed in a channel by the config's per-command allowlist? The
 * channel is the message's platform, its channel id and its name ("#ops",
 * or NULL), matched as config/channel.h says.
 */
int	 rbac_channel_allows(const struct rbac *, const struct cmd_entry *,
	    const char *platform, const char *id, const char *name);

#endif

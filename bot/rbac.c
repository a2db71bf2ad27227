/*
 * Role resolution (see rbac.h). Each role becomes a flat grant vector over
 * the command table at start-up, so a check at dispatch is a lookup.
 */

#include <stdlib.h>
#include <string.h>

#include "channel.h"
#include "rbac.h"
#include "xmalloc.h"

struct rbac_role {
	const char	*name;
	unsigned char	*grants;	/* one per command table entry */
};

struct rbac {
	const struct config		*cfg;
	const struct cmd_entry *const	*table;
	size_t				 ncmds;
	struct rbac_role		*roles;
	size_t				 nroles;
};

static const struct {
	const char	*name;
	enum cmd_role	 level;
} rbac_builtin[] = {
	{ "viewer", ROLE_VIEWER },
	{ "operator", ROLE_OPERATOR },
	{ "admin", ROLE_ADMIN },
};

#define RBAC_NBUILTIN (sizeof rbac_builtin / sizeof *rbac_builtin)

static size_t
rbac_cmd_index(const struct rbac *r, const char *name)
{
	size_t	 i;

	for (i = 0; i < r->ncmds; i++) {
		if (strcmp(r->table[i]->name, name) == 0)
			return i;
	}
	return (size_t)-1;
}

/*
 * The index of e: by address first (a command asked about is almost
 * always the table's own entry; /whoami asks of each one), by name else.
 */
static size_t
rbac_entry_index(const struct rbac *r, const struct cmd_entry *e)
{
	size_t	 i;

	for (i = 0; i < r->ncmds; i++) {
		if (r->table[i] == e)
			return i;
	}
	return rbac_cmd_index(r, e->name);
}

static const struct cfg_role *
rbac_cfg_role(const struct config *c, const char *name)
{
	size_t	 i;

	for (i = 0; i < c->nroles; i++) {
		if (strcmp(c->roles[i].name, name) == 0)
			return &c->roles[i];
	}
	return NULL;
}

/*
 * Adds what role name grants (and what it inherits) to grants. seen has
 * one flag per config role: each is collected once, so a hierarchy that
 * names a role many times costs no more than its size (and a cycle, which
 * the config loader rejects anyway, ends).
 */
static void
rbac_collect(const struct rbac *r, const char *name, unsigned char *grants,
    unsigned char *seen)
{
	const struct cfg_role	*cr = rbac_cfg_role(r->cfg, name);
	size_t			 i, j;

	if (cr != NULL) {
		if (seen[cr - r->cfg->roles])
			return;
		seen[cr - r->cfg->roles] = 1;
	}
	if (cr == NULL) {
		for (i = 0; i < RBAC_NBUILTIN; i++) {
			if (strcmp(rbac_builtin[i].name, name) != 0)
				continue;
			for (j = 0; j < r->ncmds; j++) {
				if (r->table[j]->min_role <=
				    rbac_builtin[i].level)
					grants[j] = 1;
			}
		}
		return;
	}
	for (i = 0; i < cr->commands.n; i++) {
		if (strcmp(cr->commands.v[i], "*") == 0)
			memset(grants, 1, r->ncmds);
		else if ((j = rbac_cmd_index(r, cr->commands.v[i])) !=
		    (size_t)-1)
			grants[j] = 1;
	}
	for (i = 0; i < cr->inherits.n; i++)
		rbac_collect(r, cr->inherits.v[i], grants, seen);
}

static void
rbac_add_role(struct rbac *r, const char *name)
{
	struct rbac_role	*role = &r->roles[r->nroles++];
	unsigned char		*seen = xcalloc(r->cfg->nroles + 1, 1);

	role->name = name;
	role->grants = xcalloc(r->ncmds + 1, 1);
	rbac_collect(r, name, role->grants, seen);
	free(seen);
}

struct rbac *
rbac_create(const struct config *cfg, const struct cmd_entry *const *table)
{
	struct rbac	*r = xcalloc(1, sizeof *r);
	size_t		 i;

	r->cfg = cfg;
	r->table = table;
	while (table[r->ncmds] != NULL)
		r->ncmds++;
	r->roles = xcalloc(RBAC_NBUILTIN + cfg->nroles, sizeof *r->roles);
	for (i = 0; i < RBAC_NBUILTIN; i++) {
		if (rbac_cfg_role(cfg, rbac_builtin[i].name) == NULL)
			rbac_add_role(r, rbac_builtin[i].name);
	}
	for (i = 0; i < cfg->nroles; i++)
		rbac_add_role(r, cfg->roles[i].name);
	return r;
}

void
rbac_free(struct rbac *r)
{
	size_t	 i;

	if (r == NULL)
		return;
	for (i = 0; i < r->nroles; i++)
		free(r->roles[i].grants);
	free(r->roles);
	free(r);
}

static const struct rbac_role *
rbac_role(const struct rbac *r, const char *name)
{
	size_t	 i;

	for (i = 0; i < r->nroles; i++) {
		if (strcmp(r->roles[i].name, name) == 0)
			return &r->roles[i];
	}
	return NULL;
}

static int
rbac_user_matches(const struct cfg_user *cu, const char *platform,
    const char *user_id, const char *user_name)
{
	if (strcmp(cu->platform, "*") != 0 &&
	    strcmp(cu->platform, platform) != 0)
		return 0;
	if (cu->id != NULL)
		return strcmp(cu->id, "*") == 0 ||
		    (user_id != NULL && strcmp(cu->id, user_id) == 0);
	return user_name != NULL && strcmp(cu->name, user_name) == 0;
}

void
rbac_user_roles(const struct rbac *r, const char *platform,
    const char *user_id, const char *user_name, struct rbac_user *u)
{
	const struct cfg_user	*cu;
	const struct rbac_role	*role;
	size_t			 i, j, k;

	u->nroles = 0;
	for (i = 0; i < r->cfg->nusers; i++) {
		cu = &r->cfg->users[i];
		if (!rbac_user_matches(cu, platform, user_id, user_name))
			continue;
		for (j = 0; j < cu->roles.n; j++) {
			role = rbac_role(r, cu->roles.v[j]);
			if (role == NULL)
				continue;
			for (k = 0; k < u->nroles; k++) {
				if (u->roles[k] == role->name)
					break;
			}
			if (k == u->nroles && u->nroles < RBAC_MAX_ROLES)
				u->roles[u->nroles++] = role->name;
		}
	}
}

int
rbac_allows(const struct rbac *r, const struct rbac_user *u,
    const struct cmd_entry *e)
{
	const struct rbac_role	*role;
	size_t			 i, idx;

	if (e->min_role == ROLE_ANYONE)
		return 1;
	if ((idx = rbac_entry_index(r, e)) == (size_t)-1)
		return 0;
	for (i = 0; i < u->nroles; i++) {
		role = rbac_role(r, u->roles[i]);
		if (role != NULL && role->grants[idx])
			return 1;
	}
	return 0;
}

void
rbac_roles_granting(const struct rbac *r, const struct cmd_entry *e,
    struct buf *b)
{
	const char	*names[64];
	size_t		 i, n = 0, idx = rbac_cmd_index(r, e->name);

	for (i = 0; idx != (size_t)-1 && i < r->nroles && n < 64; i++) {
		if (r->roles[i].grants[idx])
			names[n++] = r->roles[i].name;
	}
	if (n == 0) {
		buf_adds(b, "a role that grants it (none does yet)");
		return;
	}
	for (i = 0; i < n; i++)
		buf_addf(b, "%s%s", i == 0 ? "" : i + 1 == n ? " or " : ", ",
		    names[i]);
}

int
rbac_channel_allows(const struct rbac *r, const struct cmd_entry *e,
    const char *platform, const char *id, const char *name)
{
	const struct cfg_command	*cc = config_find_command(r->cfg,
	    e->name);
	struct chan_spec		 cs;
	size_t				 i;

	if (cc == NULL || cc->channels.n == 0)
		return 1;
	/* The loader refused what does not parse; parsing again is cheap. */
	for (i = 0; i < cc->channels.n; i++) {
		if (chan_parse(cc->channels.v[i], &cs, NULL) == 0 &&
		    chan_matches(&cs, platform, id, name))
			return 1;
	}
	return 0;
}

void
rbac_user_describe(const struct rbac_user *u, struct buf *b)
{
	size_t	 i;

	if (u->nroles == 0) {
		buf_adds(b, "no role (an admin can add you under \"users\" "
		    "in the config)");
		return;
	}
	for (i = 0; i < u->nroles; i++)
		buf_addf(b, "%s%s", i == 0 ? "" : ", ", u->roles[i]);
}

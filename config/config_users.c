/*
 * roles and users: who may run what. Role grants name commands; role
 * references must exist and inheritance must end.
 */

#include <sys/stat.h>

#include <cjson/cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "config_int.h"
#include "suggest.h"
#include "xmalloc.h"

/* -------------------------------------------------------------- roles */

static const char *const cfg_builtin_roles[] = { "viewer", "operator",
    "admin", NULL };

void
cfg_load_roles(struct cfg_ctx *ctx, const cJSON *root, struct config *c)
{
	static const char *const keys[] = { "commands", "inherits", NULL };
	const cJSON	*roles = cfg_object(ctx, root, "", "roles"), *r;
	const char	**cmds = cfg_command_names(c);
	struct cfg_role	*role;
	char		*p, *ip;
	size_t		 i;

	cfg_check_keys(ctx, roles, "roles", NULL);
	c->roles = xcalloc((size_t)cJSON_GetArraySize(roles) + 1,
	    sizeof *c->roles);
	cJSON_ArrayForEach(r, roles) {
		p = cfg_path_key("roles", r->string);
		role = &c->roles[c->nroles++];
		role->name = xstrdup(r->string);
		if (!cfg_is_name(r->string))
			cfg_error(ctx, p, "\"%s\" is not a valid role name",
			    r->string);
		if (!cJSON_IsObject(r)) {
			cfg_type_error(ctx, p, "an object with \"commands\"",
			    r);
			free(p);
			continue;
		}
		cfg_check_keys(ctx, r, p, keys);
		cfg_strlist(ctx, r, p, "commands", &role->commands);
		cfg_strlist(ctx, r, p, "inherits", &role->inherits);
		for (i = 0; i < role->commands.n; i++) {
			if (strcmp(role->commands.v[i], "*") == 0 ||
			    cfg_is_command(c, role->commands.v[i]))
				continue;
			xasprintf(&ip, "%s.commands[%zu]", p, i);
			cfg_unknown_name(ctx, ip, "command",
			    role->commands.v[i], cmds);
			free(ip);
		}
		free(p);
	}
	free(cmds);
}

static int
cfg_is_role(const struct config *c, const char *name)
{
	size_t	 i;

	for (i = 0; i < c->nroles; i++) {
		if (strcmp(c->roles[i].name, name) == 0)
			return 1;
	}
	for (i = 0; cfg_builtin_roles[i] != NULL; i++) {
		if (strcmp(cfg_builtin_roles[i], name) == 0)
			return 1;
	}
	return 0;
}

/* Every role name known: the config's and the built-in ones. */
static const char **
cfg_role_names(const struct config *c)
{
	const char	**names;
	size_t		  i, n = 0;

	names = xcalloc(c->nroles + 4, sizeof *names);
	for (i = 0; cfg_builtin_roles[i] != NULL; i++)
		names[n++] = cfg_builtin_roles[i];
	for (i = 0; i < c->nroles; i++)
		names[n++] = c->roles[i].name;
	return names;
}

static void
cfg_check_role_refs(struct cfg_ctx *ctx, const char *path,
    const struct strlist *l, const struct config *c)
{
	const char	**known;
	char		 *ip;
	size_t		  i;

	for (i = 0; i < l->n; i++) {
		if (cfg_is_role(c, l->v[i]))
			continue;
		known = cfg_role_names(c);
		xasprintf(&ip, "%s[%zu]", path, i);
		cfg_unknown_name(ctx, ip, "role", l->v[i], known);
		free(ip);
		free(known);
	}
}

/*
 * Inheritance must end: a role may not reach itself. Each role is visited
 * once (seen and stack hold nroles entries), so a wide or deep hierarchy,
 * or one naming the same role many times, costs no more than its size.
 */
static int
cfg_role_reaches_self(const struct config *c, const char *name,
    unsigned char *seen, size_t *stack)
{
	const struct strlist	*inh;
	size_t			 top = 0, j, k;

	memset(seen, 0, c->nroles);
	for (k = 0; k < c->nroles; k++) {
		if (strcmp(c->roles[k].name, name) == 0) {
			seen[k] = 1;
			stack[top++] = k;
		}
	}
	while (top > 0) {
		inh = &c->roles[stack[--top]].inherits;
		for (j = 0; j < inh->n; j++) {
			if (strcmp(inh->v[j], name) == 0)
				return 1;
			for (k = 0; k < c->nroles; k++) {
				if (!seen[k] &&
				    strcmp(c->roles[k].name, inh->v[j]) == 0) {
					seen[k] = 1;
					stack[top++] = k;
				}
			}
		}
	}
	return 0;
}

void
cfg_check_roles(struct cfg_ctx *ctx, const struct config *c)
{
	unsigned char	*seen = xcalloc(c->nroles + 1, 1);
	size_t		*stack = xcalloc(c->nroles + 1, sizeof *stack);
	size_t		 i;
	char		*p;

	for (i = 0; i < c->nroles; i++) {
		xasprintf(&p, "roles.%s.inherits", c->roles[i].name);
		cfg_check_role_refs(ctx, p, &c->roles[i].inherits, c);
		if (cfg_role_reaches_self(c, c->roles[i].name, seen, stack))
			cfg_error(ctx, p, "role \"%s\" inherits from itself",
			    c->roles[i].name);
		free(p);
	}
	free(stack);
	free(seen);
}

/* -------------------------------------------------------------- users */

void
cfg_load_users(struct cfg_ctx *ctx, const cJSON *root, struct config *c)
{
	const cJSON	*users = cfg_array(ctx, root, "users", "an array of "
	    "users"), *u;
	struct cfg_user	*user;
	char		*p, *rp;
	int		 i = 0;

	c->users = xcalloc((size_t)cJSON_GetArraySize(users) + 1,
	    sizeof *c->users);
	cJSON_ArrayForEach(u, users) {
		p = cfg_path_index("users", i++);
		if (!cJSON_IsObject(u)) {
			cfg_type_error(ctx, p, "an object", u);
			free(p);
			continue;
		}
		user = &c->users[c->nusers++];
		cfg_load_rows(ctx, u, p, &cfg_user_section, user);
		cfg_strlist(ctx, u, p, "roles", &user->roles);
		rp = cfg_path_key(p, "roles");
		if (user->roles.n == 0)
			cfg_error(ctx, rp, "a user needs at least one role "
			    "(built-in: viewer, operator, admin)");
		cfg_check_role_refs(ctx, rp, &user->roles, c);
		free(rp);
		free(p);
	}
}

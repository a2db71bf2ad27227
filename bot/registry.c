/*
 * Lookups over a command table. Names match exactly or by alias; no
 * prefix matching, because in ops "/re" must not quietly become
 * "/restart". A unique prefix is only ever a suggestion.
 */

#include <string.h>

#include "cmd.h"
#include "config.h"
#include "suggest.h"

#define REGISTRY_MAX	256

const char *
cmd_role_name(enum cmd_role r)
{
	switch (r) {
	case ROLE_ANYONE:
		return "anyone";
	case ROLE_VIEWER:
		return "viewer";
	case ROLE_OPERATOR:
		return "operator";
	case ROLE_ADMIN:
		return "admin";
	}
	return "?";
}

const struct cmd_entry *
cmd_find(const struct cmd_entry *const *table, const char *name)
{
	size_t	 i;

	for (i = 0; table[i] != NULL; i++) {
		if (strcmp(table[i]->name, name) == 0 ||
		    (table[i]->alias != NULL &&
		    strcmp(table[i]->alias, name) == 0))
			return table[i];
	}
	return NULL;
}

/*
 * The one command name starts with, or NULL (none, or several: "/re" could
 * be /rerun, /restart, /resolve or /report, and guessing is worse than
 * the list).
 */
static const char *
cmd_unique_prefix(const struct cmd_entry *const *table, const char *name)
{
	const char	*hit = NULL;
	size_t		 i, n = strlen(name);

	if (n == 0)
		return NULL;
	for (i = 0; table[i] != NULL; i++) {
		if (strncmp(table[i]->name, name, n) != 0)
			continue;
		if (hit != NULL)
			return NULL;
		hit = table[i]->name;
	}
	return hit;
}

const char *
cmd_suggest(const struct cmd_entry *const *table, const char *name)
{
	const char	*names[REGISTRY_MAX + 1], *hit;
	size_t		 i, n = 0;

	/* A suggestion only: "/hea" is never run as /health. */
	if ((hit = cmd_unique_prefix(table, name)) != NULL)
		return hit;
	for (i = 0; table[i] != NULL && n < REGISTRY_MAX; i++)
		names[n++] = table[i]->name;
	names[n] = NULL;
	return suggest_pick(name, names);
}

void
cmd_config_commands(const struct cmd_entry *const *table)
{
	/* Static: the loader keeps the pointer for every later load. */
	static struct config_cmd	 cmds[REGISTRY_MAX];
	size_t				 n;

	for (n = 0; table[n] != NULL && n < REGISTRY_MAX; n++) {
		cmds[n].name = table[n]->name;
		cmds[n].alias = table[n]->alias;
	}
	config_set_commands(cmds, n);
}

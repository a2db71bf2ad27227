/*
 * Lookups over a command table. Names match exactly or by alias; no
 * prefix matching, because in ops "/re" must not quietly become
 * "/restart".
 */

#include <string.h>

#include "cmd.h"
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

const char *
cmd_suggest(const struct cmd_entry *const *table, const char *name)
{
	const char	*names[REGISTRY_MAX + 1];
	size_t		 i, n = 0;

	for (i = 0; table[i] != NULL && n < REGISTRY_MAX; i++)
		names[n++] = table[i]->name;
	names[n] = NULL;
	return suggest_pick(name, names);
}

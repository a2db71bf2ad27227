/*
 * The command names the config may use (config_set_commands). The config
 * sits below the commands: it is told their names and aliases rather than
 * reading their table, so the build has no edge from config to commands.
 */

#include <stdlib.h>
#include <string.h>

#include "config_int.h"
#include "suggest.h"
#include "xmalloc.h"

static const struct config_cmd	*cfg_cmds;
static size_t			 cfg_ncmds;

void
config_set_commands(const struct config_cmd *cmds, size_t n)
{
	cfg_cmds = cmds;
	cfg_ncmds = n;
}

int
cfg_commands_known(void)
{
	return cfg_cmds != NULL;
}

const char **
cfg_command_names(const struct config *c)
{
	const char	**names;
	size_t		  i, n = 0, ncustom = c != NULL ? c->ncustom : 0;

	names = xcalloc(cfg_ncmds + ncustom + 1, sizeof *names);
	for (i = 0; i < cfg_ncmds; i++)
		names[n++] = cfg_cmds[i].name;
	for (i = 0; i < ncustom; i++)
		if (c->custom[i].name != NULL)
			names[n++] = c->custom[i].name;
	return names;
}

int
cfg_is_command(const struct config *c, const char *name)
{
	size_t	 i;

	if (cfg_cmds == NULL)
		return 1;	/* not told: nothing to check against */
	for (i = 0; i < cfg_ncmds; i++) {
		if (strcmp(cfg_cmds[i].name, name) == 0)
			return 1;
	}
	return config_find_custom(c, name) != NULL;
}

const char *
cfg_command_find(const struct config *c, const char *name)
{
	const struct cfg_custom	*cc;
	size_t			 i;

	for (i = 0; i < cfg_ncmds; i++) {
		if (strcmp(cfg_cmds[i].name, name) == 0 ||
		    (cfg_cmds[i].alias != NULL &&
		    strcmp(cfg_cmds[i].alias, name) == 0))
			return cfg_cmds[i].name;
	}
	if ((cc = config_find_custom(c, name)) != NULL)
		return cc->name;
	return NULL;
}

/*
 * As the dispatcher suggests (registry.c): the one command name starts
 * with, else the closest name; NULL when there is no good guess.
 */
const char *
cfg_command_suggest(const struct config *c, const char *name)
{
	const char	**names, *hit = NULL;
	size_t		  i, n = strlen(name), found = 0;

	names = cfg_command_names(c);
	for (i = 0; n > 0 && names[i] != NULL; i++) {
		if (strncmp(names[i], name, n) == 0) {
			hit = names[i];
			found++;
		}
	}
	if (found == 1) {
		free(names);
		return hit;
	}
	hit = suggest_pick(name, names);
	free(names);
	return hit;
}

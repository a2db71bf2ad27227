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
cfg_command_names(void)
{
	const char	**names;
	size_t		  i;

	names = xcalloc(cfg_ncmds + 1, sizeof *names);
	for (i = 0; i < cfg_ncmds; i++)
		names[i] = cfg_cmds[i].name;
	return names;
}

int
cfg_is_command(const char *name)
{
	size_t	 i;

	if (cfg_cmds == NULL)
		return 1;	/* not told: nothing to check against */
	for (i = 0; i < cfg_ncmds; i++) {
		if (strcmp(cfg_cmds[i].name, name) == 0)
			return 1;
	}
	return 0;
}

const char *
cfg_command_find(const char *name)
{
	size_t	 i;

	for (i = 0; i < cfg_ncmds; i++) {
		if (strcmp(cfg_cmds[i].name, name) == 0 ||
		    (cfg_cmds[i].alias != NULL &&
		    strcmp(cfg_cmds[i].alias, name) == 0))
			return cfg_cmds[i].name;
	}
	return NULL;
}

/*
 * As the dispatcher suggests (registry.c): the one command name starts
 * with, else the closest name; NULL when there is no good guess.
 */
const char *
cfg_command_suggest(const char *name)
{
	const char	**names, *hit = NULL;
	size_t		  i, n = strlen(name), found = 0;

	for (i = 0; n > 0 && i < cfg_ncmds; i++) {
		if (strncmp(cfg_cmds[i].name, name, n) == 0) {
			hit = cfg_cmds[i].name;
			found++;
		}
	}
	if (found == 1)
		return hit;
	names = cfg_command_names();
	hit = suggest_pick(name, names);
	free(names);
	return hit;
}

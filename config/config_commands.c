/*
 * commands (per-command switches and channel allowlists) and schedules
 * (what runs when, and where its result is posted).
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
#include "cron.h"
#include "xmalloc.h"

/* ----------------------------------------------------------- commands */

void
cfg_load_commands(struct cfg_ctx *ctx, const cJSON *root, struct config *c)
{
	const cJSON		*cmds = cfg_object(ctx, root, "", "commands");
	const cJSON		*e;
	const char		**names = cfg_command_names(c);
	struct cfg_command	*cc;
	char			*p;

	cfg_check_keys(ctx, cmds, "commands", NULL);
	c->commands = xcalloc((size_t)cJSON_GetArraySize(cmds) + 1,
	    sizeof *c->commands);
	cJSON_ArrayForEach(e, cmds) {
		p = cfg_path_key("commands", e->string);
		if (!cfg_is_command(c, e->string))
			cfg_unknown_name(ctx, p, "command", e->string, names);
		if (!cJSON_IsObject(e)) {
			cfg_type_error(ctx, p, "an object", e);
			free(p);
			continue;
		}
		cc = &c->commands[c->ncommands++];
		cc->name = xstrdup(e->string);
		cfg_load_rows(ctx, e, p, &cfg_command_section, cc);
		cfg_strlist(ctx, e, p, "channels", &cc->channels);
		cfg_check_channels(ctx, p, &cc->channels);
		free(p);
	}
	free(names);
}

/* ---------------------------------------------------------- schedules */

void
cfg_load_schedules(struct cfg_ctx *ctx, const cJSON *root, struct config *c)
{
	const cJSON		*scheds = cfg_array(ctx, root, "schedules",
	    "an array of schedules"), *s;
	struct cfg_schedule	*sc;
	char			*p;
	size_t			 j;
	int			 i = 0;

	c->schedules = xcalloc((size_t)cJSON_GetArraySize(scheds) + 1,
	    sizeof *c->schedules);
	cJSON_ArrayForEach(s, scheds) {
		p = cfg_path_index("schedules", i++);
		if (!cJSON_IsObject(s)) {
			cfg_type_error(ctx, p, "an object", s);
			free(p);
			continue;
		}
		sc = &c->schedules[c->nschedules++];
		cfg_load_rows(ctx, s, p, &cfg_schedule_section, sc);
		for (j = 0; sc->name != NULL && j + 1 < c->nschedules; j++) {
			if (c->schedules[j].name != NULL &&
			    strcmp(c->schedules[j].name, sc->name) == 0)
				cfg_error(ctx, p, "schedule \"%s\" is already "
				    "defined at schedules[%zu]", sc->name, j);
		}
		if (sc->channel != NULL) {
			char *cp = cfg_path_key(p, "channel");

			cfg_schedule_receiver(ctx, cp, sc);
			free(cp);
		}
		if (sc->cron != NULL) {
			struct cron	 cr;
			char		*why = NULL;

			if (cron_parse(sc->cron, &cr, &why) != 0) {
				cfg_error(ctx, p, "%s", why);
				free(why);
			}
		}
		free(p);
	}
}

const struct cfg_command *
config_find_command(const struct config *c, const char *name)
{
	size_t	 i;

	for (i = 0; i < c->ncommands; i++) {
		if (strcmp(c->commands[i].name, name) == 0)
			return &c->commands[i];
	}
	return NULL;
}

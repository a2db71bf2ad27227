/*
 * config_free: the row strings through the table, the arrays by hand.
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

void
config_free(struct config *c)
{
	size_t	 i, j;

	if (c == NULL)
		return;
	free(c->source);
	cfg_free_runbooks(c);
	/* Every string a row of config_table.c names. */
	cfg_free_sections(c);
	for (i = 0; i < c->chat.mattermost_ncommands; i++) {
		free(c->chat.mattermost_commands[i].trigger);
		free(c->chat.mattermost_commands[i].token);
	}
	free(c->chat.mattermost_commands);
	free(c->alerts.listen_address);
	cfg_route_free(&c->alerts.route);
	for (i = 0; i < c->nroles; i++) {
		free(c->roles[i].name);
		strlist_free(&c->roles[i].commands);
		strlist_free(&c->roles[i].inherits);
	}
	free(c->roles);
	for (i = 0; i < c->nusers; i++) {
		cfg_free_rows(&cfg_user_section, &c->users[i]);
		strlist_free(&c->users[i].roles);
	}
	free(c->users);
	for (i = 0; i < c->nhosts; i++) {
		struct cfg_host *h = &c->hosts[i];

		cfg_free_rows(&cfg_host_section, h);
		strlist_free(&h->tags);
		for (j = 0; j < h->nlogs; j++) {
			free(h->logs[j].name);
			free(h->logs[j].path);
		}
		free(h->logs);
		for (j = 0; j < h->nservices; j++) {
			cfg_free_rows(&cfg_service_section, &h->services[j]);
		}
		free(h->services);
		if (h->jobs != NULL) {
			cfg_free_rows(&cfg_jobs_section, h->jobs);
			strlist_free(&h->jobs->names);
			free(h->jobs);
		}
		for (j = 0; j < h->nmounts; j++)
			cfg_free_rows(&cfg_mount_section, &h->mounts[j]);
		free(h->mounts);
		for (j = 0; j < h->ncommands; j++) {
			free(h->commands[j].name);
			free(h->commands[j].line);
		}
		free(h->commands);
	}
	free(c->hosts);
	for (i = 0; i < c->ncommands; i++) {
		free(c->commands[i].name);
		strlist_free(&c->commands[i].channels);
	}
	free(c->commands);
	for (i = 0; i < c->nschedules; i++) {
		cfg_free_rows(&cfg_schedule_section, &c->schedules[i]);
	}
	free(c->schedules);
	cfg_incidents_free(c);
	for (i = 0; i < c->nchecklists; i++) {
		struct cfg_checklist *cl = &c->checklists[i];

		free(cl->name);
		free(cl->title);
		free(cl->mention);
		free(cl->compare_with);
		for (j = 0; j < cl->nchecks; j++)
			cfg_check_free(&cl->checks[j]);
		free(cl->checks);
	}
	free(c->checklists);
	for (i = 0; i < c->ncustom; i++)
		cfg_custom_free(&c->custom[i]);
	free(c->custom);
	cfg_search_free(c);
	cfg_metrics_free(c);
	strlist_free(&c->bot.holidays);
	free(c);
}

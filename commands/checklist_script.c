/*
 * The host side of each check kind (see checklist_run.h): the probe
 * section a check adds to its host's script, read back by the verdicts
 * in checklist_run.c. The scripts are the probe kinds' (probes.h).
 */

#include <stdio.h>
#include <stdlib.h>

#include "checklist_run.h"
#include "config.h"
#include "probe.h"
#include "probes.h"

/* ------------------------------------------------------------ scripts */

static void
script_services(struct probe *p, const struct cfg_check *ck)
{
	const struct cfg_host		*h = p->host;
	const struct cfg_service	*sv;
	size_t				 i, n = ck->services.n != 0 ?
					    ck->services.n : h->nservices;

	for (i = 0; i < n; i++) {
		sv = ck->services.n != 0 ? config_find_service(h,
		    ck->services.v[i]) : &h->services[i];
		if (sv != NULL)
			probe_service_script(p, NULL, sv);
	}
}

static void
script_jobs(struct probe *p, const struct cfg_check *ck)
{
	char	 sec[32];
	size_t	 i;

	for (i = 0; i < ck->jobs.n; i++) {
		snprintf(sec, sizeof sec, "q:%zu", i);
		probe_autorep_script(p, sec, ck->jobs.v[i]);
	}
}

const char *
check_file_path(const struct probe *p, const struct cfg_check *ck)
{
	const struct cfg_log	*l;

	if (ck->path != NULL)
		return ck->path;
	l = config_find_log(p->host, ck->log);
	return l != NULL ? l->path : NULL;
}

void
check_script(struct probe *p, const struct cfg_check *ck)
{
	switch (ck->kind) {
	case CHECK_SERVICES_RUNNING:
		script_services(p, ck);
		break;
	case CHECK_JOBS_STATUS:
		script_jobs(p, ck);
		break;
	case CHECK_FILE_FRESH:
		probe_files_script(p, check_file_path(p, ck));
		break;
	case CHECK_DISK_BELOW:
		probe_disks_script(p, "df", &ck->mounts, 0);
		break;
	case CHECK_COMMAND_OK:
		probe_command_script(p, config_find_hcommand(p->host,
		    ck->command));
		break;
	case CHECK_NO_OPEN_ALERTS:
		break;
	}
}

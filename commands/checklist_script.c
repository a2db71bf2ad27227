/*
 * The host side of each check kind (see checklist_run.h): the probe
 * section a check adds to its host's script, read back by the verdicts
 * in checklist_run.c. Shell text goes through shquote only.
 */

#include <stdio.h>
#include <stdlib.h>

#include "checklist_run.h"
#include "config.h"
#include "probe.h"
#include "remote.h"
#include "escape.h"

/* ------------------------------------------------------------ scripts */

static void
script_services(struct probe *p, const struct cfg_check *ck)
{
	const struct cfg_host		*h = p->host;
	const struct cfg_service	*sv;
	size_t				 i, n = ck->services.n != 0 ?
					    ck->services.n : h->nservices;
	char				 sec[160];

	for (i = 0; i < n; i++) {
		sv = ck->services.n != 0 ? config_find_service(h,
		    ck->services.v[i]) : &h->services[i];
		if (sv == NULL)
			continue;
		snprintf(sec, sizeof sec, "svc:%s", sv->name);
		probe_section_begin(p, sec);
		if (sv->unit != NULL) {
			buf_adds(&p->script, "systemctl is-active -- ");
			shquote_buf(&p->script, sv->unit);
			buf_adds(&p->script, " 2>/dev/null\n");
		} else {
			buf_adds(&p->script, "if pgrep -x -- ");
			shquote_buf(&p->script, sv->process);
			buf_adds(&p->script, " >/dev/null; then echo active; "
			    "else echo inactive; fi\n");
		}
	}
}

static void
script_jobs(struct probe *p, const struct cfg_check *ck)
{
	char	 sec[32], *q;
	size_t	 i;

	for (i = 0; i < ck->jobs.n; i++) {
		snprintf(sec, sizeof sec, "q:%zu", i);
		probe_section_begin(p, sec);
		q = jobs_autosys_pattern(ck->jobs.v[i]);
		shquote_buf(&p->script, p->host->jobs->autorep);
		buf_adds(&p->script, " -j ");
		shquote_buf(&p->script, q);
		buf_adds(&p->script, " 2>&1 || true\n");
		free(q);
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

static void
script_file(struct probe *p, const struct cfg_check *ck)
{
	const char	*path = check_file_path(p, ck);

	remote_probe_now(p);
	probe_section_begin(p, "files");
	if (path == NULL)
		return;
	/*
	 * The glob comes from the config; it expands from an unquoted
	 * variable with IFS empty, so nothing in it is run as code.
	 */
	buf_adds(&p->script, "IFS=''; P=");
	shquote_buf(&p->script, path);
	buf_adds(&p->script, "; for f in $P; do [ -e \"$f\" ] && "
	    "stat -c '%Y %n' -- \"$f\"; done 2>/dev/null; true\n");
}

static void
script_disk(struct probe *p, const struct cfg_check *ck)
{
	const struct cfg_host	*h = p->host;
	size_t			 i;

	probe_section_begin(p, "df");
	buf_adds(&p->script, "df -P --");
	if (ck->mounts.n != 0) {
		for (i = 0; i < ck->mounts.n; i++) {
			buf_addc(&p->script, ' ');
			shquote_buf(&p->script, ck->mounts.v[i]);
		}
	} else {
		for (i = 0; i < h->nmounts; i++) {
			buf_addc(&p->script, ' ');
			shquote_buf(&p->script, h->mounts[i].path);
		}
		if (h->nmounts == 0)
			buf_adds(&p->script, " /");
	}
	buf_adds(&p->script, " 2>/dev/null\n");
}

static void
script_command(struct probe *p, const struct cfg_check *ck)
{
	const struct cfg_hcommand	*c = config_find_hcommand(p->host,
					    ck->command);

	probe_section_begin(p, "cmd");
	if (c == NULL)
		return;
	/* A command line from the inventory, run as the config says. */
	buf_addf(&p->script, "( %s\n) 2>&1 </dev/null; printf "
	    "'\\nopsbot-rc=%%d\\n' \"$?\"\n", c->line);
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
		script_file(p, ck);
		break;
	case CHECK_DISK_BELOW:
		script_disk(p, ck);
		break;
	case CHECK_COMMAND_OK:
		script_command(p, ck);
		break;
	case CHECK_NO_OPEN_ALERTS:
		break;
	}
}

/*
 * hosts: the inventory (transport, logs, services, jobs, commands,
 * mounts), its lookups, and the embedded default's completion.
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

#include "cause.h"
#include "config_int.h"
#include "xmalloc.h"

/* -------------------------------------------------------------- hosts */

static void
cfg_load_mounts(struct cfg_ctx *ctx, const cJSON *h, const char *path,
    struct cfg_host *host)
{
	const cJSON		*mounts = cJSON_GetObjectItemCaseSensitive(h,
	    "mounts"), *m;
	struct cfg_mount	*mt;
	char			*p, *mp;
	int			 i = 0;

	if (mounts == NULL)
		return;
	p = cfg_path_key(path, "mounts");
	if (!cJSON_IsArray(mounts)) {
		cfg_type_error(ctx, p, "an array of mounts", mounts);
		free(p);
		return;
	}
	host->mounts = xcalloc((size_t)cJSON_GetArraySize(mounts) + 1,
	    sizeof *host->mounts);
	cJSON_ArrayForEach(m, mounts) {
		mp = cfg_path_index(p, i++);
		if (!cJSON_IsObject(m)) {
			cfg_type_error(ctx, mp, "an object like "
			    "{\"path\": \"/\"}", m);
			free(mp);
			continue;
		}
		mt = &host->mounts[host->nmounts++];
		cfg_load_rows(ctx, m, mp, &cfg_mount_section, mt);
		if (mt->crit_pct < mt->warn_pct)
			cfg_error(ctx, mp, "crit (%d) must not be below warn "
			    "(%d)", mt->crit_pct, mt->warn_pct);
		free(mp);
	}
	free(p);
}

static void
cfg_load_logs(struct cfg_ctx *ctx, const cJSON *h, const char *path,
    struct cfg_host *host)
{
	const cJSON	*logs = cfg_object(ctx, h, path, "logs"), *l;
	char		*p, *lp;

	p = cfg_path_key(path, "logs");
	cfg_check_keys(ctx, logs, p, NULL);
	free(p);
	host->logs = xcalloc((size_t)cJSON_GetArraySize(logs) + 1,
	    sizeof *host->logs);
	cJSON_ArrayForEach(l, logs) {
		xasprintf(&p, "%s.logs.%s", path, l->string);
		if (!cfg_is_name(l->string))
			cfg_error(ctx, p, "\"%s\" is not a valid log name",
			    l->string);
		/* Like every string, the path may use ${NAME}. */
		lp = NULL;
		if (!cJSON_IsString(l))
			cfg_type_error(ctx, p, "an absolute path", l);
		else if ((lp = cfg_expand(ctx, p, l->valuestring)) != NULL &&
		    lp[0] != '/')
			cfg_error(ctx, p, "expected an absolute path, got "
			    "\"%s\"", lp);
		else if (lp != NULL) {
			host->logs[host->nlogs].name = xstrdup(l->string);
			host->logs[host->nlogs++].path = lp;
			lp = NULL;
		}
		free(lp);
		free(p);
	}
}

/*
 * services: ["nginx.service", {"name": "payments", "unit": "pay.service"},
 * {"name": "opsbot", "process": "opsbot", "restart": "..."}]. A plain
 * string is a systemd unit, named without its ".service" suffix.
 */
static void
cfg_load_services(struct cfg_ctx *ctx, const cJSON *h, const char *path,
    struct cfg_host *host)
{
	const cJSON		*svcs = cJSON_GetObjectItemCaseSensitive(h,
	    "services"), *v;
	struct cfg_service	*sv;
	char			*p, *sp, *dot;
	size_t			 j;
	int			 i = 0;

	if (svcs == NULL)
		return;
	p = cfg_path_key(path, "services");
	if (!cJSON_IsArray(svcs)) {
		cfg_type_error(ctx, p, "an array of services", svcs);
		free(p);
		return;
	}
	host->services = xcalloc((size_t)cJSON_GetArraySize(svcs) + 1,
	    sizeof *host->services);
	cJSON_ArrayForEach(v, svcs) {
		sp = cfg_path_index(p, i++);
		sv = &host->services[host->nservices];
		if (cJSON_IsString(v) && v->valuestring[0] != '\0') {
			sv->unit = cfg_expand(ctx, sp, v->valuestring);
			if (sv->unit == NULL) {
				free(sp);
				continue;
			}
			sv->name = xstrdup(sv->unit);
			if ((dot = strrchr(sv->name, '.')) != NULL &&
			    strcmp(dot, ".service") == 0)
				*dot = '\0';
			cfg_check_name(ctx, sp, "name", sv->name);
		} else if (cJSON_IsObject(v)) {
			/* The rows check the name and refuse empty strings. */
			cfg_load_rows(ctx, v, sp, &cfg_service_section, sv);
			if (sv->unit == NULL && sv->process == NULL)
				cfg_error(ctx, sp, "give the service \"unit\" "
				    "(a systemd unit) or \"process\" (a process "
				    "name)");
			else if (sv->unit != NULL && sv->process != NULL)
				cfg_error(ctx, sp, "give the service \"unit\" "
				    "or \"process\", not both");
			if (sv->process != NULL && strlen(sv->process) > 15)
				cfg_error(ctx, sp, "process \"%s\" is longer "
				    "than 15 characters, the most the kernel "
				    "keeps of a process name", sv->process);
		} else {
			cfg_type_error(ctx, sp, "a unit name or an object "
			    "like {\"name\": ..., \"unit\": ...}", v);
			free(sp);
			continue;
		}
		host->nservices++;
		for (j = 0; sv->name != NULL && j + 1 < host->nservices; j++) {
			if (host->services[j].name != NULL &&
			    strcmp(host->services[j].name, sv->name) == 0)
				cfg_error(ctx, sp, "service \"%s\" is already "
				    "defined at %s[%zu]", sv->name, p, j);
		}
		free(sp);
	}
	free(p);
}

/* jobs: {"autorep": PATH, "sendevent": PATH, "names": [...]}. */
/* hosts[].commands: {"pending_tx": "psql -tAc 'select ...'"}. */
static void
cfg_load_hcommands(struct cfg_ctx *ctx, const cJSON *h, const char *path,
    struct cfg_host *host)
{
	const cJSON	*cmds = cfg_object(ctx, h, path, "commands"), *v;
	char		*p, *vp;

	if (cmds == NULL)
		return;
	p = cfg_path_key(path, "commands");
	host->commands = xcalloc((size_t)cJSON_GetArraySize(cmds) + 1,
	    sizeof *host->commands);
	cJSON_ArrayForEach(v, cmds) {
		vp = cfg_path_key(p, v->string);
		if (!cJSON_IsString(v) || v->valuestring[0] == '\0')
			cfg_type_error(ctx, vp, "a command line", v);
		else if (!cfg_is_name(v->string))
			cfg_error(ctx, vp, "command names are letters, digits, "
			    "'.', '_' and '-'");
		else {
			host->commands[host->ncommands].name =
			    xstrdup(v->string);
			host->commands[host->ncommands++].line =
			    xstrdup(v->valuestring);
		}
		free(vp);
	}
	free(p);
}

static void
cfg_load_jobs(struct cfg_ctx *ctx, const cJSON *h, const char *path,
    struct cfg_host *host)
{
	const cJSON	*jobs = cfg_object(ctx, h, path, "jobs");
	char		*p;

	if (jobs == NULL)
		return;
	p = cfg_path_key(path, "jobs");
	host->jobs = xcalloc(1, sizeof *host->jobs);
	cfg_load_rows(ctx, jobs, p, &cfg_jobs_section, host->jobs);
	cfg_strlist(ctx, jobs, p, "names", &host->jobs->names);
	if (host->jobs->names.n == 0)
		cfg_error(ctx, p, "list the jobs the bot may look at in "
		    "\"names\" (names or globs like \"EOD_*\")");
	free(p);
}

void
cfg_load_hosts(struct cfg_ctx *ctx, const cJSON *root, struct config *c)
{
	const cJSON	*hosts = cfg_array(ctx, root, "hosts", "an array of "
	    "hosts"), *h;
	struct cfg_host	*host;
	char		*p, *np;
	size_t		 j;
	int		 i = 0;

	c->hosts = xcalloc((size_t)cJSON_GetArraySize(hosts) + 1,
	    sizeof *c->hosts);
	cJSON_ArrayForEach(h, hosts) {
		p = cfg_path_index("hosts", i++);
		if (!cJSON_IsObject(h)) {
			cfg_type_error(ctx, p, "an object", h);
			free(p);
			continue;
		}
		host = &c->hosts[c->nhosts++];
		cfg_load_rows(ctx, h, p, &cfg_host_section, host);
		for (j = 0; host->name != NULL && j + 1 < c->nhosts; j++) {
			if (c->hosts[j].name == NULL ||
			    strcmp(c->hosts[j].name, host->name) != 0)
				continue;
			np = cfg_path_key(p, "name");
			cfg_error(ctx, np, "host \"%s\" is already defined at "
			    "hosts[%zu]", host->name, j);
			free(np);
		}
		cfg_string_def(ctx, h, p, "address", host->name,
		    &host->address);
		if (host->transport == HOST_LOCAL &&
		    (cJSON_HasObjectItem(h, "address") ||
		    cJSON_HasObjectItem(h, "port") ||
		    cJSON_HasObjectItem(h, "user") ||
		    cJSON_HasObjectItem(h, "identity_file")))
			cfg_error(ctx, p, "address, port, user and "
			    "identity_file are for ssh hosts; this one has "
			    "transport \"local\"");
		if ((host->transport == HOST_FIXTURE) != (host->fixture !=
		    NULL))
			cfg_error(ctx, p, "transport \"fixture\" and the "
			    "\"fixture\" directory go together: the "
			    "directory of captured output the host replays");
		cfg_strlist(ctx, h, p, "tags", &host->tags);
		for (j = 0; j < host->tags.n; j++)
			cfg_check_name(ctx, p, "tags", host->tags.v[j]);
		cfg_load_logs(ctx, h, p, host);
		cfg_load_services(ctx, h, p, host);
		cfg_load_jobs(ctx, h, p, host);
		cfg_load_hcommands(ctx, h, p, host);
		cfg_load_mounts(ctx, h, p, host);
		free(p);
	}
}

const struct cfg_host *
config_find_host(const struct config *c, const char *name)
{
	size_t	 i;

	for (i = 0; i < c->nhosts; i++) {
		if (c->hosts[i].name != NULL &&
		    strcmp(c->hosts[i].name, name) == 0)
			return &c->hosts[i];
	}
	return NULL;
}

const struct cfg_service *
config_find_service(const struct cfg_host *h, const char *name)
{
	size_t	 i;

	for (i = 0; i < h->nservices; i++) {
		if (h->services[i].name != NULL &&
		    strcmp(h->services[i].name, name) == 0)
			return &h->services[i];
	}
	return NULL;
}

const struct cfg_log *
config_find_log(const struct cfg_host *h, const char *name)
{
	size_t	 i;

	for (i = 0; i < h->nlogs; i++) {
		if (strcmp(h->logs[i].name, name) == 0)
			return &h->logs[i];
	}
	return NULL;
}

const struct cfg_hcommand *
config_find_hcommand(const struct cfg_host *h, const char *name)
{
	size_t	 i;

	for (i = 0; i < h->ncommands; i++) {
		if (strcmp(h->commands[i].name, name) == 0)
			return &h->commands[i];
	}
	return NULL;
}

int
config_job_allowed(const struct cfg_jobs *j, const char *job)
{
	size_t	 i;

	if (j == NULL)
		return 0;
	for (i = 0; i < j->names.n; i++) {
		if (fnmatch(j->names.v[i], job, 0) == 0)
			return 1;
	}
	return 0;
}

/* The mount point of the filesystem holding path (absolute). */
static char *
cfg_mount_of(const char *path)
{
	struct stat	 st, up;
	char		*cur = xstrdup(path), *slash;

	if (stat(cur, &st) != 0)
		return cur;
	for (;;) {
		slash = strrchr(cur, '/');
		if (slash == NULL || slash == cur) {
			/* Reached "/": check whether "/" is the same fs. */
			if (stat("/", &up) == 0 && up.st_dev == st.st_dev) {
				free(cur);
				return xstrdup("/");
			}
			return cur;
		}
		*slash = '\0';
		if (stat(cur, &up) != 0 || up.st_dev != st.st_dev) {
			*slash = '/';
			return cur;
		}
	}
}

int
config_complete_default(struct config *c, char **cause)
{
	struct cfg_host	*h;
	char		*dir, *mnt;
	size_t		 i;

	cause_clear(cause);
	if ((h = (struct cfg_host *)config_find_host(c, "localhost")) == NULL)
		return 0;
	if ((dir = realpath(c->bot.data_dir, NULL)) == NULL) {
		cause_set(cause, "cannot resolve data_dir %s: %s",
		    c->bot.data_dir, strerror(errno));
		return -1;
	}
	if (config_find_log(h, "opsbot") == NULL) {
		h->logs = xreallocarray(h->logs, h->nlogs + 1, sizeof *h->logs);
		h->logs[h->nlogs].name = xstrdup("opsbot");
		xasprintf(&h->logs[h->nlogs].path, "%s/opsbot.log", dir);
		h->nlogs++;
	}
	mnt = cfg_mount_of(dir);
	for (i = 0; i < h->nmounts; i++) {
		if (strcmp(h->mounts[i].path, mnt) == 0)
			break;
	}
	if (i == h->nmounts) {
		h->mounts = xreallocarray(h->mounts, h->nmounts + 1,
		    sizeof *h->mounts);
		h->mounts[h->nmounts].path = mnt;
		h->mounts[h->nmounts].warn_pct = 80;
		h->mounts[h->nmounts].crit_pct = 90;
		h->nmounts++;
	} else
		free(mnt);
	free(dir);
	return 0;
}

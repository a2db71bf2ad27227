/*
 * checklists: their checks by kind, and the cross-checks against the
 * inventory once hosts are loaded.
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
#include "xmalloc.h"

/* --------------------------------------------------------- checklists */

static const char *const check_kinds[] = { "services_running",
    "no_open_alerts", "jobs_status", "file_fresh", "disk_below",
    "command_ok", NULL };

const char *
check_kind_name(enum check_kind k)
{
	return check_kinds[k];
}

void
cfg_check_free(struct cfg_check *ck)
{
	free(ck->title);
	free(ck->target);
	strlist_free(&ck->services);
	free(ck->severity);
	strlist_free(&ck->jobs);
	free(ck->status);
	free(ck->path);
	free(ck->log);
	strlist_free(&ck->mounts);
	free(ck->command);
	free(ck->expect);
}

/* "07:30" -> 450 (minutes after midnight); -1 when absent or bad. */
static int
cfg_clock_time(struct cfg_ctx *ctx, const cJSON *obj, const char *path,
    const char *key)
{
	char	*s = NULL, *p, tail;
	int	 h, m, out = -1;

	if (cfg_string(ctx, obj, path, key, &s) != 1)
		return -1;
	if (sscanf(s, "%2d:%2d%c", &h, &m, &tail) == 2 && strlen(s) == 5 &&
	    h >= 0 && h < 24 && m >= 0 && m < 60)
		out = h * 60 + m;
	else {
		p = cfg_path_key(path, key);
		cfg_error(ctx, p, "expected a time of day like \"06:30\" (in "
		    "bot.timezone), got \"%s\"", s);
		free(p);
	}
	free(s);
	return out;
}

static const char *const check_vias[] = { "ssh", "metrics", NULL };

/* Keys a check of this kind may have (title and kind for all). */
static const char *const *
cfg_check_keys_for(enum check_kind k)
{
	static const char *const svc[] = { "title", "kind", "hosts",
	    "services", "via", NULL };
	static const char *const alerts[] = { "title", "kind", "severity",
	    NULL };
	static const char *const jobs[] = { "title", "kind", "hosts", "jobs",
	    "status", "ended_after", NULL };
	static const char *const file[] = { "title", "kind", "hosts", "path",
	    "log", "max_age", "newer_than", NULL };
	static const char *const disk[] = { "title", "kind", "hosts",
	    "mounts", "max_pct", "via", NULL };
	static const char *const cmd[] = { "title", "kind", "hosts",
	    "command", "expect", NULL };
	static const char *const *const all[] = { svc, alerts, jobs, file,
	    disk, cmd };

	return all[k];
}

static void
cfg_load_check(struct cfg_ctx *ctx, const cJSON *o, const char *p,
    struct cfg_check *ck)
{
	char	*err = NULL;
	int	 k;
	regex_t	 re;

	k = cfg_enum(ctx, o, p, "kind", check_kinds, -1);
	if (cJSON_GetObjectItemCaseSensitive(o, "kind") == NULL)
		cfg_error(ctx, p, "a check needs a kind: one of "
		    "services_running, no_open_alerts, jobs_status, "
		    "file_fresh, disk_below, command_ok");
	if (k < 0)
		return;
	ck->kind = (enum check_kind)k;
	cfg_check_keys(ctx, o, p, cfg_check_keys_for(ck->kind));
	ck->title = cfg_string_req(ctx, o, p, "title");
	ck->ended_after = ck->newer_than = -1;
	if (ck->kind != CHECK_NO_OPEN_ALERTS)
		cfg_string_def(ctx, o, p, "hosts", "all", &ck->target);
	switch (ck->kind) {
	case CHECK_SERVICES_RUNNING:
		cfg_strlist(ctx, o, p, "services", &ck->services);
		ck->via_metrics = cfg_enum(ctx, o, p, "via", check_vias, 0);
		/* hosts[] lists a host's services; a source does not. */
		if (ck->via_metrics && ck->services.n == 0)
			cfg_error(ctx, p, "via \"metrics\" needs \"services\": "
			    "the systemd units to find active");
		break;
	case CHECK_NO_OPEN_ALERTS:
		cfg_string_def(ctx, o, p, "severity", "critical",
		    &ck->severity);
		if (strcmp(ck->severity, "critical") != 0 &&
		    strcmp(ck->severity, "warning") != 0 &&
		    strcmp(ck->severity, "info") != 0) {
			char *sp = cfg_path_key(p, "severity");

			cfg_error(ctx, sp, "expected \"critical\", "
			    "\"warning\" or \"info\", got \"%s\"",
			    ck->severity);
			free(sp);
		}
		break;
	case CHECK_JOBS_STATUS:
		cfg_strlist(ctx, o, p, "jobs", &ck->jobs);
		if (ck->jobs.n == 0)
			cfg_error(ctx, p, "list the jobs to check in \"jobs\" "
			    "(names or globs like \"EOD_*\")");
		cfg_string_def(ctx, o, p, "status", "SU", &ck->status);
		ck->ended_after = cfg_clock_time(ctx, o, p, "ended_after");
		break;
	case CHECK_FILE_FRESH:
		cfg_string_def(ctx, o, p, "path", NULL, &ck->path);
		cfg_string_def(ctx, o, p, "log", NULL, &ck->log);
		if ((ck->path == NULL) == (ck->log == NULL))
			cfg_error(ctx, p, "give either \"path\" (a file or "
			    "glob) or \"log\" (a log named on the host)");
		if (ck->path != NULL && ck->path[0] != '/')
			cfg_error(ctx, p, "path \"%s\" must be absolute",
			    ck->path);
		cfg_duration(ctx, o, p, "max_age", 0, &ck->max_age_s);
		ck->newer_than = cfg_clock_time(ctx, o, p, "newer_than");
		if ((ck->max_age_s == 0) == (ck->newer_than < 0))
			cfg_error(ctx, p, "give either \"max_age\" (like "
			    "\"12h\") or \"newer_than\" (like \"06:00\")");
		break;
	case CHECK_DISK_BELOW:
		cfg_strlist(ctx, o, p, "mounts", &ck->mounts);
		cfg_int(ctx, o, p, "max_pct", 1, 100, 0, &ck->max_pct);
		/* Over a metrics source's hosts (docs/metrics.md). */
		ck->via_metrics = cfg_enum(ctx, o, p, "via", check_vias, 0);
		break;
	case CHECK_COMMAND_OK:
		ck->command = cfg_string_req(ctx, o, p, "command");
		cfg_string_def(ctx, o, p, "expect", NULL, &ck->expect);
		if (ck->expect != NULL) {
			if (regcomp(&re, ck->expect, REG_EXTENDED | REG_NOSUB)
			    != 0)
				cfg_error(ctx, p, "expect \"%s\" is not a valid "
				    "regular expression", ck->expect);
			else
				regfree(&re);
		}
		break;
	}
	free(err);
}

/*
 * "checklists": {"sod": {"title": "SOD", "mention": "@oncall",
 * "checks": [...]}, ...}. Host targets, services, logs and commands are
 * checked against the inventory once hosts are loaded.
 */
void
cfg_load_checklists(struct cfg_ctx *ctx, const cJSON *root,
    struct config *c)
{
	static const char *const keys[] = { "title", "mention", "checks",
	    "compare_with", "handover", NULL };
	const cJSON		*cls = cfg_object(ctx, root, "", "checklists");
	const cJSON		*cl, *checks, *o;
	struct cfg_checklist	*l;
	char			*p, *cp, *ip, *up;
	int			 i;

	if (cls == NULL)
		return;
	c->checklists = xcalloc((size_t)cJSON_GetArraySize(cls) + 1,
	    sizeof *c->checklists);
	cJSON_ArrayForEach(cl, cls) {
		p = cfg_path_key("checklists", cl->string);
		if (!cJSON_IsObject(cl)) {
			cfg_type_error(ctx, p, "an object", cl);
			free(p);
			continue;
		}
		cfg_check_name(ctx, "checklists", cl->string, cl->string);
		l = &c->checklists[c->nchecklists++];
		l->name = xstrdup(cl->string);
		cfg_check_keys(ctx, cl, p, keys);
		up = xstrdup(cl->string);
		for (cp = up; *cp != '\0'; cp++)
			*cp = (char)toupper((unsigned char)*cp);
		cfg_string_def(ctx, cl, p, "title", up, &l->title);
		free(up);
		cfg_string_def(ctx, cl, p, "mention", NULL, &l->mention);
		cfg_string_def(ctx, cl, p, "compare_with", NULL,
		    &l->compare_with);
		cfg_bool(ctx, cl, p, "handover", 0, &l->handover);
		checks = cJSON_GetObjectItemCaseSensitive(cl, "checks");
		cp = cfg_path_key(p, "checks");
		if (!cJSON_IsArray(checks) || cJSON_GetArraySize(checks) == 0)
			cfg_error(ctx, cp, "a checklist needs a non-empty "
			    "array of checks");
		else {
			l->checks = xcalloc((size_t)cJSON_GetArraySize(checks),
			    sizeof *l->checks);
			i = 0;
			cJSON_ArrayForEach(o, checks) {
				ip = cfg_path_index(cp, i++);
				if (!cJSON_IsObject(o))
					cfg_type_error(ctx, ip, "an object", o);
				else
					cfg_load_check(ctx, o, ip,
					    &l->checks[l->nchecks++]);
				free(ip);
			}
		}
		free(cp);
		free(p);
	}
}

/*
 * What a checklist names must exist: hosts, services and commands in the
 * inventory, and the checklist it compares with.
 */
void
cfg_check_checklists(struct cfg_ctx *ctx, const struct config *c)
{
	size_t			 i, j, k, h;
	const struct cfg_check	*ck;
	const struct cfg_host	*host;
	const char		**names;
	char			*p;
	int			 found;

	names = xcalloc(c->nchecklists + 1, sizeof *names);
	for (i = 0; i < c->nchecklists; i++)
		names[i] = c->checklists[i].name;
	for (i = 0; i < c->nchecklists; i++) {
		if (c->checklists[i].compare_with != NULL &&
		    config_find_checklist(c, c->checklists[i].compare_with) ==
		    NULL) {
			xasprintf(&p, "checklists.%s.compare_with",
			    c->checklists[i].name);
			cfg_unknown_name(ctx, p, "checklist",
			    c->checklists[i].compare_with, names);
			free(p);
		}
		for (j = 0; j < c->checklists[i].nchecks; j++) {
			ck = &c->checklists[i].checks[j];
			if (ck->target == NULL)
				continue;
			xasprintf(&p, "checklists.%s.checks[%zu]",
			    c->checklists[i].name, j);
			/* The sources know their hosts when asked, not now. */
			if (ck->via_metrics) {
				if (c->nmetrics == 0)
					cfg_error(ctx, p, "via \"metrics\" needs "
					    "metrics_sources (docs/metrics.md)");
				free(p);
				continue;
			}
			found = 0;
			for (h = 0; h < c->nhosts; h++) {
				host = &c->hosts[h];
				if (strcmp(ck->target, "all") != 0 &&
				    strcmp(ck->target, host->name) != 0 &&
				    !config_strlist_has(&host->tags,
				    ck->target))
					continue;
				found++;
				for (k = 0; k < ck->services.n; k++) {
					if (config_find_service(host,
					    ck->services.v[k]) == NULL)
						cfg_error(ctx, p, "host %s has "
						    "no service \"%s\"",
						    host->name,
						    ck->services.v[k]);
				}
				if (ck->command != NULL &&
				    config_find_hcommand(host, ck->command) ==
				    NULL)
					cfg_error(ctx, p, "host %s has no command "
					    "\"%s\" (hosts[].commands)",
					    host->name, ck->command);
				if (ck->kind == CHECK_JOBS_STATUS &&
				    host->jobs == NULL)
					cfg_error(ctx, p, "host %s has no jobs "
					    "source (hosts[].jobs)", host->name);
			}
			if (!found)
				cfg_error(ctx, p, "hosts \"%s\" is not a host, "
				    "a tag or \"all\"", ck->target);
			free(p);
		}
	}
	free(names);
}

const struct cfg_checklist *
config_find_checklist(const struct config *c, const char *name)
{
	size_t	 i;

	for (i = 0; i < c->nchecklists; i++) {
		if (strcmp(c->checklists[i].name, name) == 0)
			return &c->checklists[i];
	}
	return NULL;
}

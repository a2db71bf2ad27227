/*
 * --check-config's checks beyond the loader (see config_check.h). They
 * live here, not in the loader, because they look outside the file (the
 * file system, the commands the bot has) and a start would find the same
 * problems later, less clearly: ssh's own error for every host, or a
 * schedule that fails each morning.
 */

#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config_check.h"
#include "config_int.h"
#include "xmalloc.h"

#define CHECK_WORD_MAX	64

/* remote.ssh_config is read by ssh as the bot's user: it must be there. */
static int
check_ssh_config(const struct config *c, struct buf *errors)
{
	const char	*path = c->remote.ssh_config;
	struct stat	 st;

	if (path == NULL)
		return 0;
	if (stat(path, &st) != 0) {
		buf_addf(errors, "remote.ssh_config: cannot use \"%s\": %s\n",
		    path, strerror(errno));
		return 1;
	}
	if (!S_ISREG(st.st_mode)) {
		buf_addf(errors, "remote.ssh_config: \"%s\" is not a file\n",
		    path);
		return 1;
	}
	if (access(path, R_OK) != 0) {
		buf_addf(errors, "remote.ssh_config: cannot read \"%s\": %s "
		    "(ssh reads it as the user the bot runs as)\n", path,
		    strerror(errno));
		return 1;
	}
	return 0;
}

/*
 * A mapped library file that is not in runbooks.dir would put a link
 * that leads nowhere on every alert it matches: an error here, while a
 * start or reload accepts it (the library may be filled later).
 */
static int
check_runbook_files(const struct config *c, struct buf *errors)
{
	const struct cfg_runbook_map	*m;
	struct stat			 st;
	const char			*why;
	char				*path;
	size_t				 i;
	int				 n = 0;

	for (i = 0; i < c->runbooks.nmap; i++) {
		m = &c->runbooks.map[i];
		if (m->runbook == NULL || config_runbook_is_url(m->runbook) ||
		    c->runbooks.dir == NULL)
			continue;
		xasprintf(&path, "%s/%s", c->runbooks.dir, m->runbook);
		if (stat(path, &st) != 0)
			why = strerror(errno);
		else if (!S_ISREG(st.st_mode))
			why = "not a file";
		else
			why = NULL;
		if (why != NULL) {
			buf_addf(errors, "runbooks.map[%zu].runbook: \"%s\" is "
			    "not in the runbook library (%s: %s)\n", i,
			    m->runbook, path, why);
			n++;
		}
		free(path);
	}
	return n;
}

/* Copies the word at *p (up to CHECK_WORD_MAX - 1 bytes); advances *p. */
static void
check_word(const char **p, char *out)
{
	size_t	 n = 0;

	while (**p == ' ' || **p == '\t')
		(*p)++;
	while (**p != '\0' && **p != ' ' && **p != '\t') {
		if (n + 1 < CHECK_WORD_MAX)
			out[n++] = **p;
		(*p)++;
	}
	out[n] = '\0';
}

/* Appends the checklists' names as "sod, eod", or "none". */
static void
check_checklist_names(const struct config *c, struct buf *b)
{
	size_t	 i;

	if (c->nchecklists == 0)
		buf_adds(b, "none is defined");
	for (i = 0; i < c->nchecklists; i++)
		buf_addf(b, "%s%s", i == 0 ? "known: " : ", ",
		    c->checklists[i].name);
}

/* A checklist a schedule needs; 1 (and a line) if there is none. */
static int
check_needs_checklist(const struct config *c, const char *place,
    const char *name, struct buf *errors)
{
	if (config_find_checklist(c, name) != NULL)
		return 0;
	buf_addf(errors, "%s: no checklist \"%s\" (", place, name);
	check_checklist_names(c, errors);
	buf_adds(errors, ")\n");
	return 1;
}

/* schedules[i].run: a real command, and a real checklist where one runs. */
static int
check_schedule_run(const struct config *c, size_t i, struct buf *errors)
{
	const char		*p = c->schedules[i].run, *hint;
	const char		*name, *cmd;
	char			 word[CHECK_WORD_MAX], arg[CHECK_WORD_MAX];
	char			 place[64];

	if (p == NULL)
		return 0;	/* the loader said it is missing */
	snprintf(place, sizeof place, "schedules[%zu].run", i);
	check_word(&p, word);
	check_word(&p, arg);
	name = word[0] == '/' ? word + 1 : word;
	if (*name == '\0') {
		buf_addf(errors, "%s: no command given\n", place);
		return 1;
	}
	if (!cfg_commands_known())
		return 0;	/* not told the commands: nothing to check */
	if ((cmd = cfg_command_find(c, name)) == NULL) {
		hint = cfg_command_suggest(c, name);
		buf_addf(errors, "%s: unknown command \"/%s\"", place, name);
		if (hint != NULL)
			buf_addf(errors, "; did you mean \"/%s\"?", hint);
		buf_adds(errors, "\n");
		return 1;
	}
	if (strcmp(cmd, "sod") == 0 || strcmp(cmd, "eod") == 0)
		return check_needs_checklist(c, place, cmd, errors);
	if (strcmp(cmd, "checklist") == 0) {
		if (arg[0] == '\0') {
			buf_addf(errors, "%s: /checklist needs a checklist's "
			    "name (", place);
			check_checklist_names(c, errors);
			buf_adds(errors, ")\n");
			return 1;
		}
		return check_needs_checklist(c, place, arg, errors);
	}
	return 0;
}

int
config_check_more(const struct config *c, struct buf *errors)
{
	size_t	 i;
	int	 n = 0;

	n += check_ssh_config(c, errors);
	n += check_runbook_files(c, errors);
	for (i = 0; i < c->nschedules; i++)
		n += check_schedule_run(c, i, errors);
	return n;
}

/* Routes under r, r itself not counted. */
static size_t
check_count_routes(const struct cfg_route *r)
{
	size_t	 i, n = r->nroutes;

	for (i = 0; i < r->nroutes; i++)
		n += check_count_routes(&r->routes[i]);
	return n;
}

void
config_summary(const struct config *c, struct buf *b)
{
	const char	*addr = c->alerts.listen_address;
	int		 v6 = strchr(addr, ':') != NULL;

	buf_addf(b, "%zu host(s), %zu user rule(s), %zu role(s), %zu "
	    "schedule(s), %zu checklist(s), %zu alert route(s), listener "
	    "%s%s%s:%d", c->nhosts, c->nusers, c->nroles, c->nschedules,
	    c->nchecklists, check_count_routes(&c->alerts.route),
	    v6 ? "[" : "", addr, v6 ? "]" : "", c->alerts.listen_port);
}

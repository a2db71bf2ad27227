/*
 * The AutoSys probe kind (see probes.h): autorep -j for a job or a glob,
 * its table read back, and sendevent to force-start a job.
 */

#include <stdlib.h>
#include <string.h>

#include "probes.h"
#include "escape.h"

/*
 * AutoSys wildcards: % for any run, _ for one character. A bracket
 * expression [..] becomes _ for autorep; fnmatch on the answer then keeps
 * only the jobs the brackets allow.
 */
char *
probe_autosys_pattern(const char *glob)
{
	struct buf	 b;
	const char	*c, *close;

	buf_init(&b);
	for (c = glob; *c != '\0'; c++) {
		if (*c == '*')
			buf_addc(&b, '%');
		else if (*c == '?')
			buf_addc(&b, '_');
		else if (*c == '[' && (close = strchr(c + 1, ']')) != NULL) {
			buf_addc(&b, '_');
			c = close;
		} else
			buf_addc(&b, *c);
	}
	return buf_detach(&b);
}

void
probe_autorep_script(struct probe *p, const char *section,
    const char *glob)
{
	char	*q = probe_autosys_pattern(glob);

	probe_section_begin(p, section);
	shquote_buf(&p->script, p->host->jobs->autorep);
	buf_adds(&p->script, " -j ");
	shquote_buf(&p->script, q);
	/* autorep fails when nothing matches; the table says so. */
	buf_adds(&p->script, " 2>&1 || true\n");
	free(q);
}

int
probe_autorep_read(const struct probe *p, const char *section,
    struct parse_jobs *jobs, char **cause)
{
	struct buf	 b;
	int		 rc = -1;

	buf_init(&b);
	if (probe_section(p, section, &b) == 0)
		rc = parse_autorep(b.data, jobs, cause);
	buf_release(&b);
	return rc;
}

void
probe_sendevent_script(struct probe *p, const char *job)
{
	probe_section_begin(p, "sendevent");
	shquote_buf(&p->script, p->host->jobs->sendevent);
	buf_adds(&p->script, " -E FORCE_STARTJOB -J ");
	shquote_buf(&p->script, job);
	buf_adds(&p->script, " || exit $?\n");
}

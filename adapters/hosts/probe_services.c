/*
 * The services probe kind (see probes.h): is a systemd unit active, or a
 * process by that name running; and a restart followed by that check.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probes.h"
#include "escape.h"
#include "xmalloc.h"

/* section, or "svc:NAME" when NULL (caller frees). */
static char *
probe_service_section(const char *section, const char *name)
{
	char	*s;

	if (section != NULL)
		return xstrdup(section);
	xasprintf(&s, "svc:%s", name);
	return s;
}

void
probe_service_script(struct probe *p, const char *section,
    const struct cfg_service *sv)
{
	char	*name = probe_service_section(section, sv->name);

	probe_section_begin(p, name);
	free(name);
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

int
probe_service_read(const struct probe *p, const char *section,
    const char *name, struct buf *line, enum parse_svc *st)
{
	char	*sec = probe_service_section(section, name);
	int	 rc;

	rc = probe_section(p, sec, line);
	free(sec);
	if (rc != 0) {
		buf_clear(line);
		return -1;
	}
	line->len = strcspn(line->data, "\n");
	line->data[line->len] = '\0';
	*st = parse_systemctl_active(line->data);
	return 0;
}

void
probe_restart_script(struct probe *p, const struct cfg_service *sv,
    int settle_s)
{
	probe_section_begin(p, "restart");
	/* A configured restart command is the admin's own shell text. */
	if (sv->restart != NULL)
		buf_addf(&p->script, "%s\n", sv->restart);
	else {
		buf_adds(&p->script, "systemctl restart -- ");
		shquote_buf(&p->script, sv->unit);
		buf_adds(&p->script, "\n");
	}
	buf_addf(&p->script, "rc=$?; if [ $rc -ne 0 ]; then exit $rc; fi\n"
	    "sleep %d\n", settle_s);
	probe_service_script(p, "check", sv);
}

/* The disks probe kind (see probes.h): df -P, and its table read back. */

#include "probes.h"
#include "escape.h"

void
probe_disks_script(struct probe *p, const char *section,
    const struct strlist *paths, int inodes)
{
	const struct cfg_host	*h = p->host;
	size_t			 i;

	probe_section_begin(p, section);
	buf_adds(&p->script, inodes ? "df -P -i --" : "df -P --");
	if (paths != NULL && paths->n != 0) {
		for (i = 0; i < paths->n; i++) {
			buf_addc(&p->script, ' ');
			shquote_buf(&p->script, paths->v[i]);
		}
	} else {
		for (i = 0; i < h->nmounts; i++) {
			buf_addc(&p->script, ' ');
			shquote_buf(&p->script, h->mounts[i].path);
		}
		if (h->nmounts == 0)
			buf_adds(&p->script, " /");
	}
	/* A mount that is gone is a missing row, not a failed probe. */
	buf_adds(&p->script, " 2>/dev/null\n");
}

int
probe_disks_read(const struct probe *p, const char *section,
    struct parse_df *df, char **cause)
{
	struct buf	 b;
	int		 rc = -1;

	buf_init(&b);
	if (probe_section(p, section, &b) == 0)
		rc = parse_df(b.data, df, cause);
	buf_release(&b);
	return rc;
}

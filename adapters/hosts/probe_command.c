/*
 * The inventory-command probe kind (see probes.h): a command line from
 * hosts[].commands run as written, its output and exit status.
 */

#include <stdlib.h>
#include <string.h>

#include "probes.h"

void
probe_command_script(struct probe *p, const struct cfg_hcommand *c)
{
	probe_section_begin(p, "cmd");
	if (c == NULL)
		return;
	/* A command line from the inventory, run as the config says. */
	buf_addf(&p->script, "( %s\n) 2>&1 </dev/null; printf "
	    "'\\nopsbot-rc=%%d\\n' \"$?\"\n", c->line);
}

int
probe_command_read(const struct probe *p, struct buf *out, int *rc)
{
	char	*rcline;

	if (probe_section(p, "cmd", out) != 0 ||
	    (rcline = strstr(out->data, "\nopsbot-rc=")) == NULL) {
		buf_clear(out);
		return -1;
	}
	*rc = atoi(rcline + 11);
	*rcline = '\0';
	/*
	 * The output's own final newline (most commands end with one) is
	 * not a last, empty line: without this a failure's cause was "" and
	 * a mismatch quoted the newline.
	 */
	while (rcline > out->data && (rcline[-1] == '\n' ||
	    rcline[-1] == '\r'))
		*--rcline = '\0';
	out->len = (size_t)(rcline - out->data);
	return 0;
}

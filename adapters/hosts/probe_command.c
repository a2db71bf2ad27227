/*
 * The command-line probe kind (see probes.h): a command line from the
 * config run on the host, its output and exit status. The line is
 * hosts[].commands' as written, or a custom command's template with its
 * values quoted in.
 */

#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "probes.h"

/* Runs line in a subshell with its output and status in "cmd". */
static void
probe_command_line(struct probe *p, const char *line)
{
	probe_section_begin(p, "cmd");
	/*
	 * The newline before ")" ends a trailing comment in the line;
	 * stdin from /dev/null: nothing waits for input on a probe.
	 */
	buf_addf(&p->script, "( %s\n) 2>&1 </dev/null; printf "
	    "'\\nopsbot-rc=%%d\\n' \"$?\"\n", line);
}

void
probe_command_script(struct probe *p, const struct cfg_hcommand *c)
{
	if (c == NULL) {
		probe_section_begin(p, "cmd");
		return;
	}
	/* A command line from the inventory, run as the config says. */
	probe_command_line(p, c->line);
}

void
probe_custom_line(const struct cfg_custom *cc, char *const *values,
    struct buf *out)
{
	size_t	 i;

	for (i = 0; i < cc->nparts; i++) {
		if (cc->parts[i].param < 0)
			buf_adds(out, cc->parts[i].text);
		else
			/* The one way a value from chat becomes shell text. */
			shquote_buf(out, values[cc->parts[i].param]);
	}
}

void
probe_custom_script(struct probe *p, const struct cfg_custom *cc,
    char *const *values)
{
	struct buf	 line;

	buf_init(&line);
	probe_custom_line(cc, values, &line);
	probe_command_line(p, line.data);
	buf_release(&line);
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

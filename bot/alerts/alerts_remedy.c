/*
 * Remediation with a human in the loop: a route's "remediate" is a
 * command line (usually a custom command's) with {label} placeholders
 * that the group's first firing alert fills in; the alert message gets
 * it as a button. A click runs that line as the person who clicks, so
 * RBAC applies, and a command that changes things answers with its
 * exact command line and a single-use Confirm button before it runs.
 * Label values come from the alert's sender: each goes into the line as
 * one quoted chat word (escape_dquoted), which the command's typed
 * parameters then check like anything typed.
 */

#include <string.h>

#include "alerts_int.h"
#include "config.h"
#include "escape.h"

int
alerts_remedy_line(const struct cfg_route *r, const struct alert *a,
    struct buf *out)
{
	const char	*s, *end, *v;
	char		 name[128], host[256];
	size_t		 n;

	if (r->remediate == NULL || a == NULL)
		return -1;
	for (s = r->remediate; *s != '\0'; s++) {
		if ((*s == '{' && s[1] == '{') || (*s == '}' && s[1] == '}')) {
			buf_addc(out, *s++);
			continue;
		}
		if (*s != '{') {
			buf_addc(out, *s);
			continue;
		}
		/* The loader checked the braces; a name fits. */
		if ((end = strchr(s, '}')) == NULL ||
		    (n = (size_t)(end - s - 1)) >= sizeof name)
			return -1;
		memcpy(name, s + 1, n);
		name[n] = '\0';
		if (strcmp(name, "host") == 0) {
			alert_host(&a->labels, host, sizeof host);
			v = host;
		} else
			v = alert_label(a, name);
		/* Nothing to propose without the value. */
		if (*v == '\0')
			return -1;
		escape_dquoted(out, v);
		s = end;
	}
	return 0;
}

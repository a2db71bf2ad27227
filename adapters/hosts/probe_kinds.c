/*
 * The table of probe kinds (see probes.h): which sections each kind's
 * script writes, and how a section left unfinished at the deadline is
 * named to the user ("the check of service app", "`df`"). A new kind
 * adds its file probe_<kind>.c and one row here.
 */

#include <stdio.h>
#include <string.h>

#include "probes.h"
#include "xmalloc.h"

/*
 * sections: its section names, space-separated; one ending in ':' is a
 * prefix ("svc:" for "svc:NAME"). stuck: the words for an unfinished
 * section, followed by the name after its prefix (if it has one); NULL:
 * the section's name in backquotes.
 */
const struct probe_kind probe_kinds[] = {
	{ "clock",	"now",				NULL },
	{ "system",	"cpus loadavg uptime meminfo",	NULL },
	{ "disks",	"df dfi",			NULL },
	{ "services",	"svc:",				"the check of service " },
	{ "restart",	"restart check",		NULL },
	{ "logs",	"log:",				"the scan of log " },
	{ "tail",	"log",				NULL },
	{ "files",	"files",			NULL },
	{ "autosys",	"q: status sendevent",		NULL },
	{ "processes",	"cpu ps",			NULL },
	{ "command",	"cmd",				"the command" },
	{ NULL,		NULL,				NULL },
};

/* Does section match word (len bytes) of a row's sections? */
static int
probe_kind_word(const char *word, size_t len, const char *section)
{
	if (len > 0 && word[len - 1] == ':')
		return strncmp(section, word, len) == 0;
	return strlen(section) == len && strncmp(section, word, len) == 0;
}

const struct probe_kind *
probe_kind_of(const char *section, const char **rest)
{
	const struct probe_kind	*k;
	const char		*w;
	size_t			 len;

	for (k = probe_kinds; k->name != NULL; k++) {
		for (w = k->sections; *w != '\0'; w += len) {
			w += strspn(w, " ");
			len = strcspn(w, " ");
			if (len > 0 && probe_kind_word(w, len, section)) {
				if (rest != NULL)
					*rest = section + (w[len - 1] == ':' ?
					    len : 0);
				return k;
			}
		}
	}
	return NULL;
}

char *
probe_kind_label(const char *section)
{
	const struct probe_kind	*k;
	const char		*rest = section;
	char			*label;

	k = probe_kind_of(section, &rest);
	/* A whole-name section ("cmd") is named by its words alone. */
	if (k != NULL && k->stuck != NULL)
		xasprintf(&label, "%s%s", k->stuck, rest != section ? rest :
		    "");
	else
		xasprintf(&label, "`%s`", section);
	return label;
}

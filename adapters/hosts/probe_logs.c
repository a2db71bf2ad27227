/*
 * The log and file probe kinds (see probes.h): error lines counted in a
 * log's end (the awk in logcount.c), a log's last lines for /logs, and
 * the newest file matching a glob for the checklists.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "logcount.h"
#include "probes.h"
#include "escape.h"
#include "xmalloc.h"

/* Read back from a log's end when /logs filters by time. */
#define PROBE_TAIL_SCAN_LINES	"20000"
#define PROBE_TAIL_SCAN_BYTES	"8388608"

void
probe_logcount_script(struct probe *p, const struct cfg_log *log,
    const char *pattern)
{
	char	*name;

	xasprintf(&name, "log:%s", log->name);
	probe_section_begin(p, name);
	free(name);
	logcount_script(&p->script, log->path, pattern);
}

enum probe_log
probe_logcount_read(const struct probe *p, const struct cfg_log *log,
    int64_t now, int tz_offset, int64_t window_s, struct logcount *out)
{
	struct buf	 sec;
	char		*name;
	enum probe_log	 got = PROBE_LOG_READ;

	memset(out, 0, sizeof *out);
	buf_init(&sec);
	xasprintf(&name, "log:%s", log->name);
	if (probe_section(p, name, &sec) != 0)
		got = PROBE_LOG_CUT;
	else if (strcmp(sec.data, "opsbot: cannot read\n") == 0)
		got = PROBE_LOG_UNREADABLE;
	else if (logcount_read(sec.data, now, tz_offset, window_s, out) != 0) {
		logcount_release(out);
		got = PROBE_LOG_GARBLED;
	}
	free(name);
	buf_release(&sec);
	return got;
}

void
probe_tail_script(struct probe *p, const struct probe_tail *t)
{
	struct buf	*s = &p->script;

	if (t->since)
		probe_now_script(p);
	probe_section_begin(p, "log");
	buf_adds(s, "if [ ! -r ");
	shquote_buf(s, t->path);
	buf_adds(s, " ]; then echo \"opsbot: cannot read\" ");
	shquote_buf(s, t->path);
	buf_adds(s, " >&2; exit 3; fi\n");
	if (t->pattern == NULL && !t->since)
		buf_addf(s, "tail -n %lld -- ", (long long)t->lines);
	else
		buf_adds(s, "tail -c " PROBE_TAIL_SCAN_BYTES " -- ");
	shquote_buf(s, t->path);
	if (t->pattern != NULL) {
		buf_adds(s, " | grep -F -e ");
		shquote_buf(s, t->pattern);
	}
	if (t->since)
		buf_adds(s, " | tail -n " PROBE_TAIL_SCAN_LINES);
	else if (t->pattern != NULL)
		buf_addf(s, " | tail -n %lld", (long long)t->lines);
	/* grep finding nothing is not a failure. */
	buf_adds(s, "; true\n");
}

int
probe_tail_read(const struct probe *p, struct buf *out)
{
	return probe_section(p, "log", out);
}

void
probe_files_script(struct probe *p, const char *path)
{
	probe_now_script(p);
	probe_section_begin(p, "files");
	if (path == NULL)
		return;
	/*
	 * The glob comes from the config; it expands from an unquoted
	 * variable with IFS empty, so nothing in it is run as code.
	 */
	buf_adds(&p->script, "IFS=''; P=");
	shquote_buf(&p->script, path);
	buf_adds(&p->script, "; for f in $P; do [ -e \"$f\" ] && "
	    "stat -c '%Y %n' -- \"$f\"; done 2>/dev/null; true\n");
}

int
probe_files_newest(const struct probe *p, int64_t *mtime, char *name,
    size_t len)
{
	struct buf	 sec;
	char		*line, *next;
	long long	 mt;
	int64_t		 newest = -1;
	int		 off;

	if (len > 0)
		name[0] = '\0';
	buf_init(&sec);
	if (probe_section(p, "files", &sec) != 0) {
		buf_release(&sec);
		return -1;
	}
	for (line = sec.data; *line != '\0'; line = next) {
		next = strchr(line, '\n');
		next = next != NULL ? next + 1 : line + strlen(line);
		if (sscanf(line, "%lld %n", &mt, &off) == 1 && mt > newest) {
			newest = mt;
			snprintf(name, len, "%.*s",
			    (int)(next - line - off - (next[-1] == '\n')),
			    line + off);
		}
	}
	buf_release(&sec);
	*mtime = newest;
	return newest >= 0;
}

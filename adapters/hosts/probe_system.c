/*
 * Probe kinds of the system itself (see probes.h): the host's clock,
 * its load, uptime and memory. Shell builtins read /proc, so that a
 * probe of many hosts starts no process on them for these.
 */

#include <stdio.h>
#include <stdlib.h>

#include "probes.h"

void
probe_now_script(struct probe *p)
{
	probe_section_begin(p, "now");
	buf_adds(&p->script, "date '+%s %z'\n");
}

int
probe_now_read(const struct probe *p, int64_t *now, int *tz_offset)
{
	struct buf	 b;
	long long	 secs;
	char		 sign;
	int		 hh, mm, rc = -1;

	buf_init(&b);
	if (probe_section(p, "now", &b) == 0 &&
	    sscanf(b.data, "%lld %c%2d%2d", &secs, &sign, &hh, &mm) == 4 &&
	    (sign == '+' || sign == '-') && hh < 24 && mm < 60) {
		*now = secs;
		*tz_offset = (sign == '-' ? -1 : 1) * (hh * 3600 + mm * 60);
		rc = 0;
	}
	buf_release(&b);
	return rc;
}

void
probe_system_script(struct probe *p)
{
	struct buf	*s = &p->script;

	probe_section_begin(p, "cpus");
	buf_adds(s, "read -r l < /sys/devices/system/cpu/online && "
	    "printf '%s\\n' \"$l\"\n");
	probe_section_begin(p, "loadavg");
	buf_adds(s, "read -r l < /proc/loadavg && printf '%s\\n' \"$l\"\n");
	probe_section_begin(p, "uptime");
	buf_adds(s, "read -r l < /proc/uptime && printf '%s\\n' \"$l\"\n");
	probe_section_begin(p, "meminfo");
	buf_adds(s, "while IFS= read -r l; do printf '%s\\n' \"$l\"; "
	    "done < /proc/meminfo\n");
}

long
probe_count_cpus(const char *list)
{
	const char	*p = list;
	char		*end;
	long		 a, b, n = 0;

	while (*p >= '0' && *p <= '9') {
		a = strtol(p, &end, 10);
		b = a;
		if (*end == '-')
			b = strtol(end + 1, &end, 10);
		if (b < a || b - a > 65536)
			return 0;
		n += b - a + 1;
		p = end;
		if (*p != ',')
			break;
		p++;
	}
	return *p == '\n' || *p == '\0' ? n : 0;
}

long
probe_cpus_read(const struct probe *p)
{
	struct buf	 b;
	long		 n = 0;

	buf_init(&b);
	if (probe_section(p, "cpus", &b) == 0)
		n = probe_count_cpus(b.data);
	buf_release(&b);
	return n;
}

/*
 * Section name through parse, which fills out and may explain a refusal
 * in *cause. -1 without a cause when the section is missing.
 */
static int
probe_system_parse(const struct probe *p, const char *name,
    int (*parse)(const char *, void *, char **), void *out, char **cause)
{
	struct buf	 b;
	int		 rc = -1;

	buf_init(&b);
	if (probe_section(p, name, &b) == 0)
		rc = parse(b.data, out, cause);
	buf_release(&b);
	return rc;
}

static int
probe_parse_uptime(const char *text, void *out, char **cause)
{
	return parse_proc_uptime(text, out, cause);
}

static int
probe_parse_loadavg(const char *text, void *out, char **cause)
{
	return parse_loadavg(text, out, cause);
}

static int
probe_parse_meminfo(const char *text, void *out, char **cause)
{
	return parse_meminfo(text, out, cause);
}

int
probe_uptime_read(const struct probe *p, double *up_s)
{
	return probe_system_parse(p, "uptime", probe_parse_uptime, up_s,
	    NULL);
}

int
probe_loadavg_read(const struct probe *p, struct parse_loadavg *la,
    char **cause)
{
	return probe_system_parse(p, "loadavg", probe_parse_loadavg, la,
	    cause);
}

int
probe_memory_read(const struct probe *p, struct parse_meminfo *mem,
    char **cause)
{
	return probe_system_parse(p, "meminfo", probe_parse_meminfo, mem,
	    cause);
}

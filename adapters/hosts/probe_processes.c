/*
 * The processes probe kind (see probes.h): the top processes by memory
 * (ps), or by the CPU they used over one second sampled on the host
 * (cpusample.c), with ps for the other columns of just those.
 */

#include "cpusample.h"
#include "probes.h"

#define PROBE_PS_COLUMNS	"pid,user,pcpu,pmem,rss,etime,comm"

void
probe_top_script(struct probe *p, int rows, int by_mem)
{
	if (by_mem) {
		probe_section_begin(p, "ps");
		buf_addf(&p->script, "ps -eo " PROBE_PS_COLUMNS " --sort=-rss | "
		    "head -n %d\n", rows + 1);
		return;
	}
	probe_section_begin(p, "cpu");
	cpusample_script(&p->script, rows);
	probe_section_begin(p, "ps");
	buf_adds(&p->script, "[ -n \"$opsbot_top_pids\" ] && ps -o "
	    PROBE_PS_COLUMNS " -p \"$opsbot_top_pids\"\n");
}

enum probe_top
probe_top_read(const struct probe *p, int by_mem, struct parse_ps *ps,
    char **cause)
{
	struct buf	 sec;
	enum probe_top	 got = PROBE_TOP_READ;

	buf_init(&sec);
	if (probe_section(p, "ps", &sec) != 0 ||
	    parse_ps(sec.data, ps, cause) != 0)
		got = PROBE_TOP_NO_PS;
	else if (!by_mem && (probe_section(p, "cpu", &sec) != 0 ||
	    cpusample_apply(sec.data, ps) != 0)) {
		parse_ps_free(ps);
		got = PROBE_TOP_NO_SAMPLE;
	}
	buf_release(&sec);
	return got;
}

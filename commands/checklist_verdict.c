/*
 * One check's verdict over several hosts (see checklist_run.h). A check
 * spans hosts, and each host answers for itself: a host that answered
 * "no" is a failure, a host that could not be asked is only unknown. The
 * line's verdict is the worst of what is known (failed, then could not
 * check, then ok), so one host that is down cannot hide a real failure
 * on another, and the hosts that could not be checked are still named.
 */

#include <stdarg.h>
#include <string.h>

#include "checklist_run.h"

#define CHECK_DETAIL_MAX	300	/* bytes of a check's line */

/* How bad a status is: a known failure outranks an unknown. */
static int
check_rank(enum check_status st)
{
	switch (st) {
	case CHECK_FAIL:
		return 2;
	case CHECK_ERROR:
		return 1;
	case CHECK_OK:
		break;
	}
	return 0;
}

void
check_result_init(struct check_result *r)
{
	memset(r, 0, sizeof *r);
	r->status = CHECK_OK;
	buf_init(&r->detail);
	buf_init(&r->output);
	buf_init(&r->unchecked);
}

void
check_result_release(struct check_result *r)
{
	buf_release(&r->detail);
	buf_release(&r->output);
	buf_release(&r->unchecked);
}

void
check_problem(struct check_result *r, enum check_status st,
    const char *fmt, ...)
{
	va_list		 ap;
	size_t		 start = r->output.len;
	struct buf	*line = st == CHECK_ERROR ? &r->unchecked : &r->detail;

	if (check_rank(st) > check_rank(r->status))
		r->status = st;
	va_start(ap, fmt);
	buf_vaddf(&r->output, fmt, ap);
	va_end(ap);
	buf_addc(&r->output, '\n');
	if (line->len < CHECK_DETAIL_MAX) {
		if (line->len > 0)
			buf_adds(line, "; ");
		buf_add(line, r->output.data + start,
		    r->output.len - start - 1);
	}
}

void
check_result_finish(struct check_result *r)
{
	if (r->unchecked.len == 0)
		return;
	/* The failures first (they are the verdict), then the unknowns. */
	if (r->detail.len > 0)
		buf_adds(&r->detail, "; ");
	buf_adds(&r->detail, "could not check: ");
	buf_add(&r->detail, r->unchecked.data, r->unchecked.len);
	buf_clear(&r->unchecked);
}

/*
 * Raising the soft descriptor limit (see fdlimit.h). The default soft
 * limit of 1,024 is what made 2,000 idle connections exhaust the bot;
 * the hard limit is usually far higher and ours to take. It is capped
 * because lws keeps a table of one pointer per possible descriptor.
 */
#include <sys/resource.h>

#include "fdlimit.h"

int
fdlimit_raise(long *before, long *after)
{
	struct rlimit	 rl;
	rlim_t		 want;

	*before = *after = -1;
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return -1;
	*before = *after = rl.rlim_cur == RLIM_INFINITY ? FDLIMIT_MAX :
	    (long)rl.rlim_cur;
	want = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > FDLIMIT_MAX ?
	    FDLIMIT_MAX : rl.rlim_max;
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur >= want)
		return 0;
	rl.rlim_cur = want;
	if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
		return -1;
	*after = (long)want;
	return 0;
}

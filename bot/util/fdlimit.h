/*
 * The descriptor limit: raised at start, before the loop sizes its
 * tables by it (libwebsockets reads it once, when its context is made).
 */
#ifndef OPSBOT_FDLIMIT_H
#define OPSBOT_FDLIMIT_H

/*
 * Raises the soft RLIMIT_NOFILE to the hard one (at most FDLIMIT_MAX).
 * *before and *after get the soft limit; returns 0, or -1 when it could
 * not be read or raised (it is left as it was).
 */
#define FDLIMIT_MAX	65536
int	fdlimit_raise(long *before, long *after);

#endif

/* The systemd watchdog: pings from a timer on the loop (see watchdog.h). */

#include <errno.h>
#include <libwebsockets.h>
#include <stdlib.h>
#include <unistd.h>

#include "log.h"
#include "loop.h"
#include "notify.h"
#include "watchdog.h"

/* One per process, as systemd's watchdog is; used on the loop thread. */
static struct {
	lws_sorted_usec_list_t	 sul;
	struct loop		*loop;
	uint64_t		 every_us;
} wd;

uint64_t
watchdog_interval(const char *usec, const char *pid, pid_t self)
{
	unsigned long long	 us, p;
	char			*end;

	if (usec == NULL || *usec == '\0')
		return 0;
	errno = 0;
	us = strtoull(usec, &end, 10);
	if (errno != 0 || *end != '\0' || us == 0 || *usec == '-')
		return 0;
	/* Unset WATCHDOG_PID means "this process" (sd_watchdog_enabled). */
	if (pid != NULL && *pid != '\0') {
		errno = 0;
		p = strtoull(pid, &end, 10);
		if (errno != 0 || *end != '\0' || *pid == '-' ||
		    p != (unsigned long long)self)
			return 0;
	}
	/* Half the interval, as sd_watchdog_enabled(3) advises. */
	return us / 2 > 0 ? us / 2 : 1;
}

static void
watchdog_ping(lws_sorted_usec_list_t *sul)
{
	notify_systemd("WATCHDOG=1");
	lws_sul_schedule(loop_lws(wd.loop), 0, &wd.sul, watchdog_ping,
	    (lws_usec_t)wd.every_us);
}

int
watchdog_start(struct loop *l)
{
	wd.every_us = watchdog_interval(getenv("WATCHDOG_USEC"),
	    getenv("WATCHDOG_PID"), getpid());
	if (wd.every_us == 0)
		return 0;
	wd.loop = l;
	log_info("watchdog", "pinging systemd every %llu ms",
	    (unsigned long long)(wd.every_us / 1000));
	lws_sul_schedule(loop_lws(l), 0, &wd.sul, watchdog_ping,
	    (lws_usec_t)wd.every_us);
	return 1;
}

void
watchdog_stop(void)
{
	if (wd.loop == NULL)
		return;
	lws_sul_cancel(&wd.sul);
	wd.loop = NULL;
	wd.every_us = 0;
}

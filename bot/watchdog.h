/*
 * The systemd watchdog (WatchdogSec= in the unit): while the event loop
 * turns, a timer on it sends "WATCHDOG=1" at half the interval systemd
 * asked for. A blocked or hung loop stops the pings, and systemd restarts
 * the bot; a separate thread would keep pinging a dead bot.
 */
#ifndef OPSBOT_WATCHDOG_H
#define OPSBOT_WATCHDOG_H

#include <stdint.h>
#include <sys/types.h>

struct loop;

/*
 * Microseconds between pings for these values of $WATCHDOG_USEC and
 * $WATCHDOG_PID (either may be NULL) in process self: half the interval,
 * or 0 when the watchdog is off or meant for another process (a child
 * such as ssh inherits the variables; only the main process may ping).
 */
uint64_t watchdog_interval(const char *usec, const char *pid, pid_t self);

/*
 * Loop thread: starts pinging if the environment asks for it; returns 1
 * if it does, 0 if not. One watchdog per process; watchdog_stop() ends it
 * before the loop is freed.
 */
int	 watchdog_start(struct loop *);
void	 watchdog_stop(void);

#endif

/*
 * systemd readiness (sd_notify protocol, without libsystemd): with
 * Type=notify the unit is "started" only once the bot is ready, and
 * bench/ uses the same message to time start-up.
 */
#ifndef OPSBOT_NOTIFY_H
#define OPSBOT_NOTIFY_H

/* Sends state ("READY=1") to $NOTIFY_SOCKET if set; 0, or -1 on error. */
int	 notify_systemd(const char *state);

#endif

/*
 * What the probes saw, kept for the web page (/hosts): a host's last
 * state and summary line, and its disk use per configured mount, at most
 * one sample a host and mount every HOST_RECORD_DISK_EVERY_MS. Written
 * on the loop thread by /health, /disk and the own checks; a failed
 * write is logged and never changes the command's answer.
 */
#ifndef OPSBOT_COMMANDS_HOST_RECORD_H
#define OPSBOT_COMMANDS_HOST_RECORD_H

#include "remote.h"

struct bot;

#define HOST_RECORD_DISK_EVERY_MS	(5 * 60 * 1000)

/*
 * Records p's host as state with summary (its /health line, leading
 * " — " or spaces dropped), and its disks as host_record_disks does.
 */
void	 host_record_state(struct bot *, const struct probe *,
	    enum remote_state, const char *summary);
/* Samples the use of each mount of p's host from p's df section. */
void	 host_record_disks(struct bot *, const struct probe *);

#endif

/*
 * Current CPU per process, sampled on the host over about a second: ps's
 * %CPU is the average over a process's whole life, which ranks a process
 * that just started (the probe's own ssh session) above one that has
 * been burning a core for an hour. The host reads every
 * /proc/PID/stat twice, a second apart, and prints the busiest
 * processes, leaving out the probe's own.
 */
#ifndef OPSBOT_CPUSAMPLE_H
#define OPSBOT_CPUSAMPLE_H

#include <stddef.h>

#include "buf.h"
#include "parse.h"

/*
 * Appends shell text that samples for about a second and prints the n
 * busiest processes as "PID PERCENT" lines, busiest first, and keeps
 * their pids, comma-separated, in the shell variable opsbot_top_pids.
 */
void	 cpusample_script(struct buf *, int n);

/*
 * Sets each ps row's cpu to its sampled percent (0 when not sampled)
 * and sorts the rows busiest first (ties by pid). Returns 0, or -1 if
 * sample is not the script's output.
 */
int	 cpusample_apply(const char *sample, struct parse_ps *);

#endif

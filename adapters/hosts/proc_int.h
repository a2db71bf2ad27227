/*
 * What proc.c shares with proc_stream.c: one way to start a child, so
 * both runners give it the same clean signal state and process group.
 */
#ifndef OPSBOT_PROC_INT_H
#define OPSBOT_PROC_INT_H

#include <sys/types.h>

/*
 * Spawns argv in its own process group with SIGPIPE, SIGINT and SIGTERM
 * at their defaults and nothing blocked. stdout and stderr are pipes
 * (*out_fd, *err_fd: the caller closes them); stdin is a non-blocking
 * pipe (*in_fd) when stdin_pipe, else /dev/null (*in_fd = -1). Returns 0,
 * or an errno value with nothing left open.
 */
int	 proc_spawn_pipes(char *const *argv, int stdin_pipe, pid_t *pid,
	    int *in_fd, int *out_fd, int *err_fd);

#endif

/*
 * How a command reaches a host: a transport behind a small vtable turns
 * "run this POSIX shell text there" into an argv for the process runner,
 * and explains a failed run in words a person can act on. The shell text
 * is built by the commands with shquote_buf(); nothing else is sent.
 */
#ifndef OPSBOT_HOSTS_H
#define OPSBOT_HOSTS_H

#include "config.h"
#include "proc.h"

/* What every transport needs besides the host. */
struct host_env {
	const struct cfg_remote	*remote;
	const char		*control_dir;	/* ssh ControlPath dir, or NULL */
};

struct host_ops {
	const char	*name;		/* matches hosts[].transport */
	/* A new argv (caller owns; proc_init takes it) running script. */
	char		**(*argv)(const struct cfg_host *,
			    const struct host_env *, const char *script);
	/*
	 * Why a finished run failed at the transport level ("unreachable
	 * (connection refused)"), or NULL if the transport did its job.
	 * Caller frees.
	 */
	char		*(*explain)(const struct cfg_host *,
			    const struct proc *);
};

extern const struct host_ops host_local_ops;
extern const struct host_ops host_ssh_ops;
extern const struct host_ops host_fixture_ops;

const struct host_ops *host_ops_for(const struct cfg_host *);

/*
 * Explains any failed run: spawn errors, the deadline ("no answer in
 * 10 s"), the transport's own causes, "command not found", or "exit N:
 * <last stderr line>". NULL when the run succeeded. Caller frees.
 */
char	*host_explain(const struct cfg_host *, const struct proc *,
	    int64_t timeout_s);

/* NULL-terminated argv helpers for the transports. */
char	**host_argv_new(void);
void	 host_argv_add(char ***argv, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

#endif

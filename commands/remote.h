/*
 * What the host-touching commands share: a batch of probes run on the
 * worker pool, then a report written on the loop thread. Also the small
 * formatting helpers their tables use.
 */
#ifndef OPSBOT_COMMANDS_REMOTE_H
#define OPSBOT_COMMANDS_REMOTE_H

#include <stddef.h>
#include <stdint.h>

#include "bot.h"
#include "probe.h"

struct remote_run;

/* Loop thread: write the answer from the finished probes. */
typedef void (*remote_report_cb)(struct remote_run *);

struct remote_run {
	struct cmd_ctx		*ctx;
	struct probe		*probes;
	size_t			 n;
	struct host_env		 env;
	remote_report_cb	 report;
	void			*arg;		/* the command's own state */
	void			(*arg_free)(void *);
	int64_t			 elapsed_ms;
};

/* A run of n probes for ctx (probes are initialised for hosts[i]). */
struct remote_run *remote_run_new(struct cmd_ctx *,
	    const struct cfg_host *const *hosts, size_t n);
/*
 * Hands the run to the worker pool; report runs later on the loop
 * thread, then the command finishes. Returns CMD_PENDING, or CMD_ERROR
 * (after answering) if the pool refuses. Takes ownership of run.
 */
enum cmd_result remote_run_submit(struct remote_run *, remote_report_cb);

/* "1.2 GiB" for a size in KiB. */
void	 remote_fmt_kib(int64_t kib, char *out, size_t len);

/* Host health, worst last so that sorting descending puts it first. */
enum remote_state {
	REMOTE_OK,
	REMOTE_WARN,
	REMOTE_CRIT,
	REMOTE_UNREACHABLE,
};
const char *remote_state_name(enum remote_state);

/* Adds the "now" section (epoch and zone offset) to a probe's script. */
void	 remote_probe_now(struct probe *);
/* Reads it back: remote epoch seconds and offset east of UTC. */
int	 remote_read_now(const struct probe *, int64_t *now, int *tz_offset);

#endif

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
struct remote_live;

/*
 * Loop thread: write the answer from the finished probes. While hosts
 * are still running it may also be asked for a partial answer (see
 * remote_probe_done); the same function writes both.
 */
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
	struct remote_run	*next;		/* remote_run_chain() */
	int			 progressive;	/* report writes partial answers */
	struct remote_live	*live;		/* partial answers, or NULL */
	int			 partial;	/* report: a partial answer */
};

/*
 * For report: has probe i finished? Always 1 for the final answer; for a
 * partial one, whether it had when the partial answer began (the others
 * are shown as waiting).
 */
int	 remote_probe_done(const struct remote_run *, size_t i);
/* For report: milliseconds since the probes started. */
int64_t	 remote_run_elapsed(const struct remote_run *);

/* A run of n probes for ctx (probes are initialised for hosts[i]). */
struct remote_run *remote_run_new(struct cmd_ctx *,
	    const struct cfg_host *const *hosts, size_t n);
/*
 * Hands the run to the worker pool; report runs later on the loop
 * thread, then the command finishes. A progressive run (report knows
 * remote_probe_done) over several hosts on a platform that can replace a
 * message in place also shows a partial
 * answer (the hosts that answered, the others waiting) as soon as the
 * answers pause, at the latest about a second in; it is replaced at most
 * once a second as more answer, and finally by the full answer. Returns CMD_PENDING, or CMD_ERROR
 * (after answering) if the pool refuses. Takes ownership of run.
 */
enum cmd_result remote_run_submit(struct remote_run *, remote_report_cb);

/*
 * From a report: runs next (for the same command) when this report
 * returns, instead of finishing the command; next's report, called with
 * report, finishes it. A command that must look before it acts (/rerun)
 * reads the state first, then acts. Takes ownership of next.
 */
void	 remote_run_chain(struct remote_run *done, struct remote_run *next,
	    remote_report_cb report);

/*
 * The common exec of a command over TARGET (a host, a tag or all): the
 * hosts, one probe each with script(), then report, which must handle
 * partial answers (remote_probe_done). Answers and returns CMD_ERROR for
 * an unknown target.
 */
enum cmd_result remote_run_target(struct cmd_ctx *, const char *target,
	    void (*script)(struct probe *, const struct cfg_remote *),
	    remote_report_cb report);
/* The host named by positional argument pos, or NULL (answered). */
const struct cfg_host *remote_host_arg(struct cmd_ctx *, int pos);
/*
 * Refuses a name that is not among n items of a host's list ("unknown log
 * nolog on web1; known: app, nginx"). first_name points at the name field
 * of the first item; stride is the item size. Returns CMD_ERROR.
 */
enum cmd_result remote_refuse_unknown(struct cmd_ctx *, const char *what,
	    const char *name, const struct cfg_host *,
	    char *const *first_name, size_t n, size_t stride,
	    const char *none);

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

#endif

/*
 * A probe: one shell script run on one host in one round trip, its
 * output cut into named sections by markers that carry a random nonce
 * (so nothing the host prints can forge a section). The probe kinds
 * (probes.h) write the sections, probes_run() runs a batch in parallel,
 * and the kinds read the sections back.
 */
#ifndef OPSBOT_PROBE_H
#define OPSBOT_PROBE_H

#include <stddef.h>

#include "buf.h"
#include "hosts.h"
#include "proc.h"

/* Sections are marked "@@opsbot:NONCE:NAME" and "@@opsbot:NONCE:/NAME:N". */
#define PROBE_MARK	"@@opsbot:"

struct probe {
	const struct cfg_host	*host;
	char			 nonce[17];
	struct buf		 script;	/* built with probe_section_begin */
	struct proc		 proc;
	char			*failure;	/* NULL: it ran; else why not */
	int			 connected;	/* the script started there */
	char			*open;		/* section being written, or NULL */
	int			 ended;		/* script closed with exit 0 */
};

void	 probe_init(struct probe *, const struct cfg_host *);
void	 probe_release(struct probe *);

/*
 * Appends the marker that starts section name to the script, after the
 * trailer that ends the previous section with its own exit status. A
 * section is whatever shell text follows, ending in a newline.
 */
void	 probe_section_begin(struct probe *, const char *name);

/*
 * Closes the last section and ends the script with exit 0, so that the
 * status of the transport is the only status of the whole run: a stopped
 * service in the last section is that section's status, not a failure of
 * the host. probes_run() calls it; calling it again does nothing.
 */
void	 probe_end(struct probe *);

/*
 * Runs every probe, env->remote->concurrency at a time, each with the
 * remote deadline and output limit; fills ->proc and ->failure. Blocks.
 */
void	 probes_run(struct probe *, size_t n, const struct host_env *);
/*
 * The same, calling done(arg, i) (on this thread) as soon as probe i is
 * complete, ->proc and ->failure included; probe i is not written after.
 */
void	 probes_run_watch(struct probe *, size_t n, const struct host_env *,
	    void (*done)(void *arg, size_t i), void *arg);

/*
 * Copies section name's text into out (cleared first). Returns 0, or -1
 * if the output has no such section (cut short, or never reached).
 */
int	 probe_section(const struct probe *, const char *name,
	    struct buf *out);

/*
 * The exit status section name's commands ended with (0-255), or -1 if
 * the output has no trailer for it (the section never finished).
 */
int	 probe_section_status(const struct probe *, const char *name);

/*
 * The last section that started but never finished (what the host was
 * doing when the run was cut), or NULL. Caller frees.
 */
char	*probe_unfinished(const struct probe *);

#endif

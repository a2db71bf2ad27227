/*
 * The fleet as a PromQL engine sees it: the hosts of the configured
 * metrics sources and their node_exporter series (up, load, CPUs,
 * memory, file systems, failed systemd units), read with a fixed number
 * of queries per source whatever the number of hosts (fleet.c lists
 * them), then cut down to a target (a host, a tag, or "all").
 */
#ifndef OPSBOT_FLEET_H
#define OPSBOT_FLEET_H

#include <stddef.h>

#include "config.h"

struct fleet_mount {
	char	*path;		/* mountpoint */
	char	*fstype;
	double	 size, avail, free;	/* bytes; -1: not exported */
	double	 files, files_free;	/* inodes; -1: not exported */
};

struct fleet_host {
	char				*name;
	const struct cfg_metrics_source	*src;
	struct strlist			 tags;	/* tag labels' values, listed */
	int				 up;	/* 1, 0, or -1: no up series */
	int				 has_load;
	double				 load1, load5;
	long				 ncpu;	/* 0: unknown */
	int				 has_mem;
	double				 mem_avail, mem_total;	/* bytes */
	struct fleet_mount		*mounts;	/* by path */
	size_t				 nmounts;
	struct strlist			 failed;	/* systemd units */
	struct strlist			 active;	/* of the units asked */
};

struct fleet {
	struct fleet_host	*v;		/* sorted by name */
	size_t			 n;
	size_t			 known;		/* before the target's cut */
	struct strlist		 errors;	/* a source that failed, each */
	int			 queries;	/* asked, all sources */
};

/*
 * Asks every metrics source of cfg (worker thread: it blocks) and keeps
 * the hosts target names ("all", a host's name, or one of its tags).
 * Returns 0 with *out filled (release with fleet_free) even when some
 * sources failed (out->errors says which and why), or -1 and *cause
 * (caller frees; may be NULL) when no source answered.
 */
int	 fleet_query(const struct config *cfg, const char *target,
	    struct fleet *out, char **cause);
/*
 * The same, and which of units (systemd units; "app" is also
 * "app.service") are active on each host: one more query a source.
 */
int	 fleet_query_units(const struct config *cfg, const char *target,
	    const struct strlist *units, struct fleet *out, char **cause);
void	 fleet_free(struct fleet *);

/*
 * df's Use%: used / (used + available), rounded up, where used is size
 * minus free (root's reserve counts as neither), or size minus avail
 * when free is unknown; -1 when size or avail is unknown.
 */
int	 fleet_disk_pct(const struct fleet_mount *);

/*
 * The host name a source's host_label value stands for: for "instance"
 * the ":port" is cut ("10.0.0.1:9100", "[::1]:9100" -> "::1"). Caller frees.
 */
char	*fleet_host_name(const char *label, const char *value);

#endif

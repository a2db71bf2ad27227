/*
 * Hosts as the probes last saw them, for the web page: each inventory
 * host's last known state (host_state, one row a host) and its disk use
 * per mount over time (disk_samples, at most one sample a host and mount
 * per interval, pruned by retention.disk_samples).
 */
#ifndef OPSBOT_STORE_HOSTS_H
#define OPSBOT_STORE_HOSTS_H

#include <stdint.h>

struct store;

/*
 * Records host's state ("OK", "WARN", "CRIT", "UNREACHABLE") and its
 * one-line summary at at_ms, replacing the previous one. 0, or -1 and
 * *cause (may be NULL; the caller frees).
 */
int	 store_host_state_put(struct store *, const char *host, int64_t at_ms,
	    const char *state, const char *summary, char **cause);
/*
 * Adds a disk sample unless host and mount already have one newer than
 * at_ms - every_ms, so that a busy /health keeps the table small. 1 when
 * added, 0 when skipped, -1 and *cause on an error.
 */
int	 store_disk_sample_add(struct store *, const char *host,
	    const char *mount, int64_t at_ms, int used_pct, int64_t every_ms,
	    char **cause);

/*
 * host's row: its time, and state and summary (the caller frees both);
 * 1, 0 when the host has none, or -1 and *cause.
 */
int	 store_host_state_get(struct store *, const char *host,
	    int64_t *at_ms, char **state, char **summary, char **cause);

struct store_disk_sample {
	const char	*mount;
	int64_t		 at_ms;
	int		 used_pct;
};

typedef void (*store_disk_cb)(void *arg, const struct store_disk_sample *);

/*
 * Calls cb for host's samples since since_ms, by mount then time (strings
 * valid during the callback only); 0, or -1 and *cause.
 */
int	 store_disk_samples(struct store *, const char *host, int64_t since_ms,
	    store_disk_cb cb, void *arg, char **cause);

/* One host_state row, for store_host_states (valid in the callback). */
struct store_host_state {
	const char	*host;
	int64_t		 at_ms;
	const char	*state;
	const char	*summary;
};

typedef void (*store_state_cb)(void *arg, const struct store_host_state *);

/*
 * Calls cb for every host's row, worst state first (UNREACHABLE, CRIT,
 * WARN, then the rest), then by name; 0, or -1 and *cause.
 */
int	 store_host_states(struct store *, store_state_cb cb, void *arg,
	    char **cause);

#endif

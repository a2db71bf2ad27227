/*
 * The inventory is the only thing the bot may touch. Resolves what a
 * user typed (a host, a tag, or "all") to hosts, and refuses anything
 * else with the list of what is known.
 */
#ifndef OPSBOT_INVENTORY_H
#define OPSBOT_INVENTORY_H

#include <stddef.h>

#include "config.h"

/*
 * Resolves target to hosts in config order. Returns 0 and sets *hosts
 * (caller frees the array; the hosts are borrowed from cfg) and *n, or -1
 * and sets *cause (caller frees): "unknown host or group prod-dbb — did
 * you mean prod-db? known hosts: ...; groups: ...".
 */
int	 inventory_resolve(const struct config *, const char *target,
	    const struct cfg_host ***hosts, size_t *n, char **cause);
/* One host by name, or NULL and *cause as above (hosts only). */
const struct cfg_host *inventory_host(const struct config *,
	    const char *name, char **cause);

#endif

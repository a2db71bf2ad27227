/* Target resolution over the configured hosts (see inventory.h). */

#include <stdlib.h>
#include <string.h>

#include "cause.h"
#include "buf.h"
#include "inventory.h"
#include "suggest.h"
#include "xmalloc.h"

#define INVENTORY_LIST_MAX	12	/* names shown in a refusal */

static int
inventory_has_tag(const struct cfg_host *h, const char *tag)
{
	return config_strlist_has(&h->tags, tag);
}

/* Every distinct tag, in first-seen order; caller frees the array. */
static const char **
inventory_tags(const struct config *c, size_t *n)
{
	const char	**tags = NULL;
	size_t		  i, j, k;

	*n = 0;
	for (i = 0; i < c->nhosts; i++) {
		for (j = 0; j < c->hosts[i].tags.n; j++) {
			for (k = 0; k < *n; k++) {
				if (strcmp(tags[k], c->hosts[i].tags.v[j]) == 0)
					break;
			}
			if (k < *n)
				continue;
			tags = xreallocarray(tags, *n + 2, sizeof *tags);
			tags[(*n)++] = c->hosts[i].tags.v[j];
			tags[*n] = NULL;
		}
	}
	return tags;
}

static void
inventory_list(struct buf *b, const char *const *names, size_t n)
{
	size_t	 i;

	for (i = 0; i < n && i < INVENTORY_LIST_MAX; i++)
		buf_addf(b, "%s%s", i == 0 ? "" : ", ", names[i]);
	if (n > INVENTORY_LIST_MAX)
		buf_addf(b, " and %zu more", n - INVENTORY_LIST_MAX);
	if (n == 0)
		buf_adds(b, "none");
}

static char *
inventory_refusal(const struct config *c, const char *what,
    const char *name, int with_groups)
{
	const char	**names, **tags, **all, *hint;
	size_t		  i, ntags = 0;
	struct buf	  b;

	names = xcalloc(c->nhosts + 1, sizeof *names);
	for (i = 0; i < c->nhosts; i++)
		names[i] = c->hosts[i].name;
	tags = with_groups ? inventory_tags(c, &ntags) : NULL;
	all = xcalloc(c->nhosts + ntags + 2, sizeof *all);
	memcpy(all, names, c->nhosts * sizeof *all);
	if (ntags > 0)
		memcpy(all + c->nhosts, tags, ntags * sizeof *all);
	hint = suggest_pick(name, all);

	buf_init(&b);
	buf_addf(&b, "unknown %s %s", what, name);
	if (hint != NULL)
		buf_addf(&b, " — did you mean %s?", hint);
	buf_adds(&b, hint != NULL ? " known: " : "; known: ");
	inventory_list(&b, names, c->nhosts);
	if (with_groups) {
		buf_adds(&b, "; groups: ");
		inventory_list(&b, tags, ntags);
		buf_adds(&b, "; or all");
	}
	free(all);
	free(tags);
	free(names);
	return buf_detach(&b);
}

int
inventory_resolve(const struct config *c, const char *target,
    const struct cfg_host ***hosts, size_t *n, char **cause)
{
	const struct cfg_host	*h;
	size_t			 i;

	cause_clear(cause);
	*hosts = xcalloc(c->nhosts + 1, sizeof **hosts);
	*n = 0;
	if ((h = config_find_host(c, target)) != NULL) {
		(*hosts)[(*n)++] = h;
		return 0;
	}
	for (i = 0; i < c->nhosts; i++) {
		if (strcmp(target, "all") == 0 ||
		    inventory_has_tag(&c->hosts[i], target))
			(*hosts)[(*n)++] = &c->hosts[i];
	}
	if (*n > 0)
		return 0;
	free(*hosts);
	*hosts = NULL;
	if (strcmp(target, "all") == 0)
		cause_set(cause, "the inventory has no hosts; add some under "
		    "\"hosts\" in the config");
	else
		cause_take(cause, inventory_refusal(c, "host or group",
		    target, 1));
	return -1;
}

const struct cfg_host *
inventory_host(const struct config *c, const char *name, char **cause)
{
	const struct cfg_host	*h = config_find_host(c, name);

	cause_clear(cause);
	if (h == NULL)
		cause_take(cause, inventory_refusal(c, "host", name, 0));
	return h;
}

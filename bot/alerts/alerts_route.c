/*
 * Routing and grouping inside the alert engine (see alerts_int.h): an
 * alert walks the configured route tree to its receivers and joins one
 * group per route it lands on, keyed by the route's group_by labels.
 */

#include <stdlib.h>
#include <string.h>

#include "alerts.h"
#include "alerts_int.h"
#include "buf.h"
#include "clock.h"
#include "config.h"
#include "xmalloc.h"

/* ----------------------------------------------------------- routing */

/*
 * Alertmanager's walk: a node that matches tries its children in order;
 * the first child that matches takes the alert (and the next ones too
 * if it says continue); when no child does, the node itself does.
 */
static int
alerts_route_walk(const struct cfg_route *r, const struct labels *l,
    const struct cfg_route **out, int max, int *n)
{
	size_t	 i;
	int	 taken = 0;

	if (!matchers_match(&r->matchers, l))
		return 0;
	for (i = 0; i < r->nroutes; i++) {
		if (alerts_route_walk(&r->routes[i], l, out, max, n)) {
			taken = 1;
			if (!r->routes[i].cont)
				break;
		}
	}
	if (!taken && *n < max)
		out[(*n)++] = r;
	return 1;
}

static char *
alerts_group_key(const struct cfg_route *r, const struct labels *l,
    struct labels *glabels)
{
	struct buf	 b;
	size_t		 i;
	char		*text;

	memset(glabels, 0, sizeof *glabels);
	for (i = 0; i < r->group_by.n; i++) {
		if (strcmp(r->group_by.v[i], "...") == 0) {
			labels_release(glabels);
			labels_copy(glabels, l);
			break;
		}
		labels_set(glabels, r->group_by.v[i],
		    labels_get(l, r->group_by.v[i]) != NULL ?
		    labels_get(l, r->group_by.v[i]) : "");
	}
	text = labels_to_text(glabels);
	buf_init(&b);
	buf_addf(&b, "%s{%s}", r->path, text);
	free(text);
	return buf_detach(&b);
}

struct agroup *
alerts_group_find(struct alerts *al, const char *key)
{
	struct agroup	*g;

	for (g = al->groups; g != NULL; g = g->next) {
		if (strcmp(g->key, key) == 0)
			return g;
	}
	return NULL;
}

static void
group_add_member(struct agroup *g, struct alert *a, int shown)
{
	size_t	 i;

	for (i = 0; i < g->n; i++) {
		if (g->members[i].alert == a)
			return;
	}
	if (g->n == g->cap) {
		g->cap = g->cap == 0 ? 8 : g->cap * 2;
		g->members = xreallocarray(g->members, g->cap,
		    sizeof *g->members);
	}
	g->members[g->n].alert = a;
	g->members[g->n].shown = shown;
	g->n++;
	if (a->ngroups < ALERT_MAX_GROUPS)
		a->groups[a->ngroups++] = g;
}

/* Something in g changed: flush after group_wait, or group_interval. */
static void
group_touch(struct agroup *g, int64_t now, int at_once)
{
	int64_t	 due;

	if (at_once)
		due = now;
	else if (g->last_flush == 0)
		due = now + g->route->group_wait_s * 1000;
	else {
		due = g->last_flush + g->route->group_interval_s * 1000;
		if (due < now)
			due = now;
	}
	if (g->due == 0 || due < g->due)
		g->due = due;
}

/* Puts a (new to memory) alert into the groups of the routes it takes. */
void
alerts_route(struct alerts *al, struct alert *a, int shown)
{
	const struct cfg_route	*routes[ALERT_MAX_GROUPS];
	struct agroup		*g;
	struct labels		 gl;
	char			*key;
	int			 n = 0, i;

	alerts_route_walk(&al->cfg->alerts.route, &a->labels, routes,
	    ALERT_MAX_GROUPS, &n);
	for (i = 0; i < n; i++) {
		if (routes[i]->channels.n == 0)
			continue;
		key = alerts_group_key(routes[i], &a->labels, &gl);
		if ((g = alerts_group_find(al, key)) == NULL) {
			g = xcalloc(1, sizeof *g);
			g->key = key;
			g->route = routes[i];
			g->glabels = gl;
			g->next = al->groups;
			al->groups = g;
		} else {
			free(key);
			labels_release(&gl);
		}
		group_add_member(g, a, shown);
	}
}

void
alerts_touch_groups(struct alerts *al, struct alert *a, int at_once)
{
	int64_t	 now = clock_now_ms();
	int	 i;

	for (i = 0; i < a->ngroups; i++)
		group_touch(a->groups[i], now, at_once);
}

void
alerts_note_free(struct anote *n)
{
	free(n->receiver);
	free(n);
}

void
group_free(struct agroup *g)
{
	struct anote	*n;

	while ((n = g->notes) != NULL) {
		g->notes = n->next;
		alerts_note_free(n);
	}
	free(g->key);
	labels_release(&g->glabels);
	free(g->members);
	free(g);
}

void
group_drop_member(struct agroup *g, size_t i)
{
	struct alert	*a = g->members[i].alert;
	int		 j;

	for (j = 0; j < a->ngroups; j++) {
		if (a->groups[j] == g) {
			a->groups[j] = a->groups[--a->ngroups];
			break;
		}
	}
	g->members[i] = g->members[--g->n];
}

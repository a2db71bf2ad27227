/*
 * tickets.servicenow: the rows load the keys; what no row can say alone
 * is checked here: which credentials go together, and that a route
 * asking for tickets has an instance to open them on.
 */

#include <stdlib.h>

#include "config_int.h"

/* The first route (depth first) with ticket: true, or NULL. */
static const struct cfg_route *
route_with_ticket(const struct cfg_route *r)
{
	const struct cfg_route	*hit;
	size_t			 i;

	if (r->ticket)
		return r;
	for (i = 0; i < r->nroutes; i++) {
		if ((hit = route_with_ticket(&r->routes[i])) != NULL)
			return hit;
	}
	return NULL;
}

void
cfg_load_tickets(struct cfg_ctx *ctx, const cJSON *root, struct config *c)
{
	const cJSON		*t = cfg_object(ctx, root, "", "tickets");
	const struct cfg_route	*r;

	cfg_load_section(ctx, t, "tickets", c);
	cfg_load_section(ctx, cfg_object(ctx, t, "tickets", "servicenow"),
	    "tickets.servicenow", c);
	if (c->tickets.instance == NULL) {
		if ((r = route_with_ticket(&c->alerts.route)) != NULL)
			cfg_error(ctx, r->path, "\"ticket\": true needs "
			    "tickets.servicenow.instance (the ServiceNow the "
			    "tickets are opened on)");
		return;
	}
	if (c->tickets.token != NULL)
		return;
	if (c->tickets.user == NULL || c->tickets.password == NULL)
		cfg_error(ctx, "tickets.servicenow", "give user and password "
		    "(basic authentication) or token (OAuth), from the "
		    "environment or a *_file readable by the bot alone");
}

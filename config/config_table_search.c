/*
 * The key tables of log search (docs/search.md): each of log_engines[]
 * and each of searches[], read by the same loader as every other row
 * (config_load.c); the arrays are walked in config_search.c.
 */

#include <stddef.h>

#include "config_int.h"

#define ELEMENT(p, rows)	{ p, rows, sizeof rows / sizeof rows[0], 1 }

static const char *const engine_kinds[] = { "splunk", "loki", NULL };
static const char *const auth_schemes[] = { "Bearer", "Splunk", "Basic",
    NULL };
static const char *const search_roles[] = { "viewer", "operator", "admin",
    NULL };

#define E(field)	offsetof(struct cfg_log_engine, field)
static const struct cfg_key log_engine_keys[] = {
	{ .key = "name", .type = CFG_STRING, .offset = E(name),
	  .flags = CFG_F_REQUIRED | CFG_F_NAME, .doc_default = "required",
	  .doc = "What `searches[].engine` and `/search --engine` call it" },
	{ .key = "kind", .type = CFG_ENUM, .offset = E(kind),
	  .words = engine_kinds, .def = 0,
	  .doc = "Which API it speaks" },
	{ .key = "url", .type = CFG_STRING, .offset = E(url),
	  .flags = CFG_F_REQUIRED, .check = cfg_key_base_url,
	  .doc_default = "required",
	  .doc = "The API's base URL" },
	{ .key = "token", .type = CFG_SECRET, .offset = E(token),
	  .doc = "The secret sent with every search" },
	{ .key = "auth_scheme", .type = CFG_ENUM, .offset = E(auth_scheme),
	  .words = auth_schemes, .def = 0,
	  .doc = "How the token is sent" },
	{ .key = "user", .type = CFG_STRING, .offset = E(user),
	  .doc = "`Basic`: the user name, `token` its password" },
	{ .key = "tenant", .type = CFG_STRING, .offset = E(tenant),
	  .doc = "Loki: the `X-Scope-OrgID` header" },
	{ .key = "timeout", .type = CFG_DURATION, .offset = E(timeout_s),
	  .def = 30, .min = 1,
	  .doc = "How long one search may take" },
	{ .key = "max_results", .type = CFG_INT, .offset = E(max_results),
	  .def = 20, .min = 1, .max = 200,
	  .doc = "The most result lines one answer shows" },
	{ .key = "ui_url", .type = CFG_STRING, .offset = E(ui_url),
	  .check = cfg_key_base_url,
	  .doc = "The engine's web UI, for a link to the same search" },
	{ .key = "ui_datasource", .type = CFG_STRING,
	  .offset = E(ui_datasource),
	  .doc = "Loki: the Grafana data source the Explore link opens" },
	{ .key = "since", .type = CFG_DURATION, .offset = E(since_s),
	  .def = 3600, .min = 1,
	  .doc = "How far back a search looks without `--since`" },
	{ .key = "raw_role", .type = CFG_ENUM, .offset = E(raw_role),
	  .words = search_roles, .def = 1,
	  .doc = "The least role that may type a raw query" },
};
#undef E

/* q is first in struct cfg_search: its rows free with the custom ones. */
#define S(field)	offsetof(struct cfg_search, field)
static const struct cfg_key search_keys[] = {
	{ .key = "name", .type = CFG_STRING, .offset = S(q.name),
	  .flags = CFG_F_REQUIRED | CFG_F_NAME, .doc_default = "required",
	  .doc = "What users type after `/search`" },
	{ .key = "help", .type = CFG_STRING, .offset = S(q.help),
	  .flags = CFG_F_REQUIRED, .doc_default = "required",
	  .doc = "What `/search` lists beside it" },
	{ .key = "engine", .type = CFG_STRING, .offset = S(engine),
	  .doc_default = "the only engine",
	  .doc = "The `log_engines[].name` it asks" },
	{ .key = "query", .type = CFG_STRING, .offset = S(q.run),
	  .flags = CFG_F_REQUIRED, .doc_default = "required",
	  .doc = "The query in the engine's language" },
	{ .key = "params", .type = CFG_OBJECT, .offset = CFG_NOFIELD,
	  .doc = "Its parameters, in the order users type them" },
	{ .key = "role", .type = CFG_ENUM, .offset = S(q.role),
	  .words = search_roles, .def = 0,
	  .doc = "The least role that may run it" },
	{ .key = "since", .type = CFG_DURATION, .offset = S(since_s),
	  .doc_default = "the engine's `since`",
	  .doc = "How far back it looks without `--since`" },
};
#undef S

const struct cfg_section cfg_log_engine_section = ELEMENT("log_engines",
    log_engine_keys);
const struct cfg_section cfg_search_section = ELEMENT("searches",
    search_keys);

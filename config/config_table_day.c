/*
 * The key tables of the support day's features, beside the core's in
 * config_table.c (the same rows, read by the same loader): runbooks and
 * Confluence, the web page, incidents, tickets and custom commands.
 */

#include <stdlib.h>
#include <string.h>

#include "config_int.h"

#define F(field)	offsetof(struct config, field)
#define SECTION(p, rows)	{ p, rows, sizeof rows / sizeof rows[0], 0 }
#define ELEMENT(p, rows)	{ p, rows, sizeof rows / sizeof rows[0], 1 }

/* An HTTP header name, kept lower case as the listener reads it. */
static void
check_header_name(struct cfg_ctx *ctx, const char *path, char **value)
{
	char	*p;

	for (p = *value; *p != '\0'; p++) {
		if ((*p < 'a' || *p > 'z') && (*p < 'A' || *p > 'Z') &&
		    (*p < '0' || *p > '9') && *p != '-') {
			cfg_error(ctx, path, "expected a header name like "
			    "\"X-Forwarded-User\" (letters, digits and -), got "
			    "\"%s\"", *value);
			return;
		}
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	}
}

static const struct cfg_key web_keys[] = {
	{ .key = "enabled", .type = CFG_BOOL, .offset = F(web.enabled),
	  .def = 0,
	  .doc = "Serves the read-only web page" },
	{ .key = "token", .type = CFG_SECRET, .offset = F(web.token),
	  .env = "OPSBOT_WEB_TOKEN", .doc_default = "`$OPSBOT_WEB_TOKEN`",
	  .doc = "The token a browser shows once" },
	{ .key = "trusted_proxy", .type = CFG_STRING,
	  .offset = F(web.trusted_proxy),
	  .doc = "The address of a reverse proxy that authenticates people" },
	{ .key = "trusted_proxy_header", .type = CFG_STRING,
	  .offset = F(web.trusted_proxy_header), .def_str = "x-forwarded-user",
	  .flags = CFG_F_NONEMPTY, .check = check_header_name,
	  .doc = "The header in which `trusted_proxy` names" },
};

static const struct cfg_key runbooks_keys[] = {
	{ .key = "dir", .type = CFG_STRING, .offset = F(runbooks.dir),
	  .doc = "Directory of Markdown runbooks indexed for `/runbook`" },
	{ .key = "base_url", .type = CFG_STRING, .offset = F(runbooks.base_url),
	  .check = cfg_key_base_url,
	  .doc = "The bot's web page address, under which "
	  "`/runbooks/FILE` serves a library file" },
	{ .key = "map", .type = CFG_OBJECT, .offset = CFG_NOFIELD,
	  .doc = "Which runbook a problem links to" },
	{ .key = "confluence", .type = CFG_OBJECT, .offset = CFG_NOFIELD },
};

/* Confluence's REST search, asked beside the library; never required. */
static const struct cfg_key confluence_keys[] = {
	{ .key = "url", .type = CFG_STRING,
	  .offset = F(runbooks.confluence_url), .check = cfg_key_base_url,
	  .doc = "Confluence's base URL" },
	{ .key = "spaces", .type = CFG_OBJECT, .offset = CFG_NOFIELD,
	  .doc = "The space keys searched" },
	{ .key = "user", .type = CFG_STRING,
	  .offset = F(runbooks.confluence_user),
	  .doc = "The account the API token belongs to" },
	{ .key = "token", .type = CFG_SECRET,
	  .offset = F(runbooks.confluence_token),
	  .doc = "The API token" },
	{ .key = "timeout", .type = CFG_DURATION,
	  .offset = F(runbooks.confluence_timeout_s), .min = 1, .max = 60,
	  .def = 3,
	  .doc = "How long `/runbook` waits for Confluence" },
};

static const struct cfg_key incidents_keys[] = {
	{ .key = "auto_open", .type = CFG_OBJECT, .offset = CFG_NOFIELD,
	  .doc_default = "none",
	  .doc = "Rules for alerts that open an incident by themselves" },
};

/* Each of incidents.auto_open[]: which alerts, and the incident made. */
#define R(field)	offsetof(struct cfg_incident_rule, field)
static const struct cfg_key incident_rule_keys[] = {
	{ .key = "match", .type = CFG_OBJECT, .offset = CFG_NOFIELD,
	  .doc_default = "none",
	  .doc = "Labels the alert must have, with these values" },
	{ .key = "match_re", .type = CFG_OBJECT, .offset = CFG_NOFIELD,
	  .doc_default = "none",
	  .doc = "Labels whose values must match these regular expressions" },
	{ .key = "host_tags", .type = CFG_OBJECT, .offset = CFG_NOFIELD,
	  .doc_default = "none",
	  .doc = "The alert's host must have one of these tags" },
	{ .key = "group_by", .type = CFG_OBJECT, .offset = CFG_NOFIELD,
	  .doc_default = "`[\"alertname\"]`",
	  .doc = "Labels whose values make alerts one problem" },
	{ .key = "channel", .type = CFG_STRING, .offset = R(channel),
	  .flags = CFG_F_REQUIRED, .doc_default = "required",
	  .doc = "Where the incident is opened" },
	{ .key = "severity", .type = CFG_INT, .offset = R(severity),
	  .min = 1, .max = 5, .def = 2,
	  .doc = "The incident's severity" },
	{ .key = "title", .type = CFG_STRING, .offset = R(title),
	  .doc_default = "the alert",
	  .doc = "The incident's title" },
	{ .key = "ticket", .type = CFG_BOOL, .offset = R(ticket),
	  .def = 0,
	  .doc = "Opens the incident's ServiceNow ticket with it" },
};
#undef R

static const struct cfg_key tickets_keys[] = {
	{ .key = "servicenow", .type = CFG_OBJECT, .offset = CFG_NOFIELD },
};

/* The instance URL without a trailing "/": API paths are appended. */
static const struct cfg_key servicenow_keys[] = {
	{ .key = "instance", .type = CFG_STRING, .offset = F(tickets.instance),
	  .env = "SERVICENOW_INSTANCE", .check = cfg_key_base_url,
	  .doc_default = "`$SERVICENOW_INSTANCE`",
	  .doc = "The instance's base URL" },
	{ .key = "user", .type = CFG_STRING, .offset = F(tickets.user),
	  .env = "SERVICENOW_USER", .doc_default = "`$SERVICENOW_USER`",
	  .doc = "The integration user for basic authentication" },
	{ .key = "password", .type = CFG_SECRET, .offset = F(tickets.password),
	  .env = "SERVICENOW_PASSWORD", .doc_default = "`$SERVICENOW_PASSWORD`",
	  .doc = "Its password" },
	{ .key = "token", .type = CFG_SECRET, .offset = F(tickets.token),
	  .env = "SERVICENOW_TOKEN", .doc_default = "`$SERVICENOW_TOKEN`",
	  .doc = "An OAuth access token" },
	{ .key = "timeout", .type = CFG_DURATION,
	  .offset = F(tickets.timeout_s), .def = 15, .min = 1,
	  .doc = "How long one API call may take" },
	{ .key = "assignment_group", .type = CFG_STRING,
	  .offset = F(tickets.assignment_group),
	  .doc = "`assignment_group` of every ticket the bot opens" },
	{ .key = "caller_id", .type = CFG_STRING,
	  .offset = F(tickets.caller_id),
	  .doc = "`caller_id` of every ticket the bot opens" },
	{ .key = "category", .type = CFG_STRING, .offset = F(tickets.category),
	  .def_str = "application",
	  .doc = "`category` when `/ticket create` names none" },
	{ .key = "close_code", .type = CFG_STRING,
	  .offset = F(tickets.close_code), .def_str = "Solved (Permanently)",
	  .flags = CFG_F_NONEMPTY,
	  .doc = "`close_code` written when the bot resolves a ticket" },
	{ .key = "channel", .type = CFG_STRING, .offset = F(tickets.channel),
	  .check = cfg_key_channel,
	  .doc_default = "`alerts.default_channel`",
	  .doc = "Where the number and link of a ticket opened for an alert" },
};


/* Each of custom_commands[]: a team's own command (config_custom.c). */
static const char *const custom_roles[] = { "viewer", "operator", "admin",
    NULL };
#define K(field)	offsetof(struct cfg_custom, field)
static const struct cfg_key custom_keys[] = {
	{ .key = "name", .type = CFG_STRING, .offset = K(name),
	  .flags = CFG_F_REQUIRED | CFG_F_NAME, .doc_default = "required",
	  .doc = "What users type after the slash" },
	{ .key = "help", .type = CFG_STRING, .offset = K(help),
	  .flags = CFG_F_REQUIRED, .doc_default = "required",
	  .doc = "What `/help` says of it" },
	{ .key = "hosts", .type = CFG_OBJECT, .offset = CFG_NOFIELD,
	  .doc_default = "required",
	  .doc = "Where it may run" },
	{ .key = "run", .type = CFG_STRING, .offset = K(run),
	  .flags = CFG_F_REQUIRED, .doc_default = "required",
	  .doc = "The command line the host's shell runs" },
	{ .key = "params", .type = CFG_OBJECT, .offset = CFG_NOFIELD,
	  .doc = "Its parameters, in the order users type them" },
	{ .key = "role", .type = CFG_ENUM, .offset = K(role),
	  .words = custom_roles, .def = 1,
	  .doc = "The least role that may run it" },
	{ .key = "confirm", .type = CFG_BOOL, .offset = K(confirm),
	  .doc = "`true`: it changes things" },
	{ .key = "timeout", .type = CFG_DURATION, .offset = K(timeout_s),
	  .doc_default = "`remote.timeout`",
	  .doc = "How long it may run on a host" },
	{ .key = "output_limit", .type = CFG_INT, .offset = K(output_limit),
	  .min = 1024, .max = 16 * 1024 * 1024,
	  .doc_default = "`remote.output_limit`",
	  .doc = "Bytes of its output kept per host" },
};
#undef K

/* Each of custom_commands[].params: one typed value from chat. */
static const char *const cparam_types[] = { "host", "choice", "int",
    "duration", "job", "word", "text", NULL };
#define P(field)	offsetof(struct cfg_cparam, field)
static const struct cfg_key cparam_keys[] = {
	{ .key = "name", .type = CFG_STRING, .offset = P(name),
	  .flags = CFG_F_REQUIRED, .doc_default = "required",
	  .doc = "What `{name}` in `run` stands for" },
	{ .key = "type", .type = CFG_ENUM, .offset = P(type),
	  .words = cparam_types, .def = 5,
	  .doc = "What the value may be" },
	{ .key = "help", .type = CFG_STRING, .offset = P(help),
	  .doc = "One line for `/help NAME`." },
	{ .key = "choices", .type = CFG_OBJECT, .offset = CFG_NOFIELD,
	  .doc = "`choice`: the values allowed" },
	{ .key = "min", .type = CFG_INT, .offset = P(min), .min = -1000000000,
	  .max = 1000000000, .def = 0,
	  .doc = "`int`: the smallest value allowed." },
	{ .key = "max", .type = CFG_INT, .offset = P(max), .min = -1000000000,
	  .max = 1000000000, .def = 1000000000,
	  .doc = "`int`: the largest value allowed." },
	{ .key = "pattern", .type = CFG_STRING, .offset = P(pattern),
	  .flags = CFG_F_NONEMPTY,
	  .doc = "`word`: a POSIX extended regex the whole value must match" },
	{ .key = "default", .type = CFG_STRING, .offset = P(def),
	  .doc = "The value when the user gives none" },
};
#undef P

/* /tail: how many live tails, and for how long. */
static const struct cfg_key tail_keys[] = {
	{ .key = "max_running", .type = CFG_INT, .offset = F(tail.max_running),
	  .min = 1, .max = 100, .def = 4,
	  .doc = "How many `/tail`s may run at once" },
	{ .key = "max_per_user", .type = CFG_INT,
	  .offset = F(tail.max_per_user), .min = 1, .max = 100, .def = 1,
	  .doc = "How many `/tail`s one person may run at once" },
	{ .key = "default_duration", .type = CFG_DURATION,
	  .offset = F(tail.default_s), .min = 1, .max = 86400, .def = 300,
	  .doc = "How long a `/tail` without `--for` runs" },
	{ .key = "max_duration", .type = CFG_DURATION,
	  .offset = F(tail.max_s), .min = 1, .max = 86400, .def = 1800,
	  .doc = "The longest `--for` a `/tail` accepts" },
};

const struct cfg_section cfg_tail_section = SECTION("tail", tail_keys);
const struct cfg_section cfg_runbooks_section = SECTION("runbooks",
    runbooks_keys);
const struct cfg_section cfg_web_section = SECTION("web", web_keys);
const struct cfg_section cfg_confluence_section = SECTION("runbooks.confluence",
    confluence_keys);
const struct cfg_section cfg_incidents_section = SECTION("incidents",
    incidents_keys);
const struct cfg_section cfg_incident_rule_section = ELEMENT(
    "incidents.auto_open", incident_rule_keys);
const struct cfg_section cfg_tickets_section = SECTION("tickets", tickets_keys);
const struct cfg_section cfg_servicenow_section = SECTION("tickets.servicenow",
    servicenow_keys);
const struct cfg_section cfg_custom_section = ELEMENT("custom_commands",
    custom_keys);
const struct cfg_section cfg_cparam_section = ELEMENT(
    "custom_commands[].params", cparam_keys);

/* Roles, users and channel allowlists (bot/rbac.c). */

#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "config.h"
#include "rbac.h"
#include "test.h"

/* A table of its own, so the tests do not depend on today's commands. */
static enum cmd_result
noop(struct cmd_ctx *ctx)
{
	return CMD_DONE;
}

static const struct cmd_entry e_help = { .name = "help", .synopsis = "",
    .help = "h", .min_role = ROLE_ANYONE, .exec = noop };
static const struct cmd_entry e_status = { .name = "status", .synopsis = "",
    .help = "h", .min_role = ROLE_VIEWER, .exec = noop };
static const struct cmd_entry e_whoami = { .name = "whoami", .synopsis = "",
    .help = "h", .min_role = ROLE_ANYONE, .exec = noop };

/*
 * The config loader checks role grants against the commands it is given:
 * this table's (main), so configs here name only help, status and whoami.
 */
static const struct cmd_entry *const table[] = { &e_help, &e_status,
    &e_whoami, NULL };

static struct config *
load(const char *json)
{
	struct config	*c;
	struct buf	 errors;

	buf_init(&errors);
	if (config_load_text(json, strlen(json), "t.json", &c, &errors) != 0)
		TEST_FAIL("config: %s", errors.data);
	buf_release(&errors);
	return c;
}

static char *
roles_of(struct rbac *r, const char *platform, const char *id,
    const char *name)
{
	static char		 out[256];
	struct rbac_user	 u;
	struct buf		 b;

	rbac_user_roles(r, platform, id, name, &u);
	buf_init(&b);
	rbac_user_describe(&u, &b);
	snprintf(out, sizeof out, "%s", b.data);
	buf_release(&b);
	return out;
}

static int
allows(struct rbac *r, const char *platform, const char *id,
    const struct cmd_entry *e)
{
	struct rbac_user	 u;

	rbac_user_roles(r, platform, id, NULL, &u);
	return rbac_allows(r, &u, e);
}

TEST(builtin_roles)
{
	struct config	*c = load("{\"users\": ["
	    "{\"name\": \"ann\", \"platform\": \"slack\", \"id\": \"U1\", "
	    "\"roles\": [\"viewer\"]},"
	    "{\"name\": \"bob\", \"platform\": \"slack\", \"id\": \"U2\", "
	    "\"roles\": [\"admin\"]}]}");
	struct rbac	*r = rbac_create(c, table);
	struct buf	 b;

	ASSERT_STR_EQ(roles_of(r, "slack", "U1", NULL), "viewer");
	ASSERT_STR_EQ(roles_of(r, "slack", "U2", NULL), "admin");
	ASSERT(allows(r, "slack", "U1", &e_status));
	ASSERT(allows(r, "slack", "U2", &e_status));
	/* Unknown users have no role but may still ask for help. */
	ASSERT_STR_EQ(roles_of(r, "slack", "U3", NULL), "no role (an admin "
	    "can add you under \"users\" in the config)");
	ASSERT(!allows(r, "slack", "U3", &e_status));
	ASSERT(allows(r, "slack", "U3", &e_help));
	ASSERT(allows(r, "slack", "U3", &e_whoami));
	/* The same id on another platform is another person. */
	ASSERT(!allows(r, "mattermost", "U2", &e_status));

	buf_init(&b);
	rbac_roles_granting(r, &e_status, &b);
	ASSERT_STR_EQ(b.data, "viewer, operator or admin");
	buf_release(&b);
	rbac_free(r);
	config_free(c);
}

TEST(custom_roles_and_inheritance)
{
	struct config	*c = load("{"
	    "\"roles\": {"
	    "  \"viewer\": {\"commands\": [\"help\"]},"
	    "  \"oncall\": {\"commands\": [\"status\"], \"inherits\": [\"viewer\"]},"
	    "  \"lead\": {\"inherits\": [\"oncall\"]},"
	    "  \"root\": {\"commands\": [\"*\"]}"
	    "},"
	    "\"users\": ["
	    "  {\"name\": \"ann\", \"platform\": \"slack\", \"id\": \"U1\", \"roles\": [\"viewer\"]},"
	    "  {\"name\": \"cat\", \"platform\": \"slack\", \"id\": \"U3\", \"roles\": [\"lead\"]},"
	    "  {\"name\": \"dan\", \"platform\": \"*\", \"id\": \"U4\", \"roles\": [\"root\"]}"
	    "]}");
	struct rbac	*r = rbac_create(c, table);
	struct buf	 b;

	/* "viewer" redefined: it no longer grants status. */
	ASSERT(!allows(r, "slack", "U1", &e_status));
	/* lead -> oncall -> status. */
	ASSERT(allows(r, "slack", "U3", &e_status));
	ASSERT(allows(r, "slack", "U4", &e_status));
	ASSERT(allows(r, "mattermost", "U4", &e_status));

	buf_init(&b);
	rbac_roles_granting(r, &e_status, &b);
	ASSERT_STR_EQ(b.data, "operator, admin, oncall, lead or root");
	buf_release(&b);
	rbac_free(r);
	config_free(c);
}

TEST(user_matching)
{
	struct config	*c = load("{\"users\": ["
	    "{\"name\": \"ops\", \"platform\": \"console\", \"id\": \"*\", "
	    "\"roles\": [\"viewer\"]},"
	    "{\"name\": \"erin\", \"platform\": \"mattermost\", "
	    "\"roles\": [\"operator\"]},"
	    "{\"name\": \"erin2\", \"id\": \"E1\", \"roles\": [\"admin\", "
	    "\"viewer\"]}]}");
	struct rbac	*r = rbac_create(c, table);

	/* Wildcard id: anyone on that platform. */
	ASSERT_STR_EQ(roles_of(r, "console", "root", "root"), "viewer");
	/* No id: matched by name. */
	ASSERT_STR_EQ(roles_of(r, "mattermost", "x9", "erin"), "operator");
	ASSERT_STR_EQ(roles_of(r, "mattermost", "erin", "x9"), "no role (an "
	    "admin can add you under \"users\" in the config)");
	/* No platform: every platform; roles are the union, no repeats. */
	ASSERT_STR_EQ(roles_of(r, "slack", "E1", NULL), "admin, viewer");
	ASSERT_STR_EQ(roles_of(r, "console", "E1", NULL), "viewer, admin");
	rbac_free(r);
	config_free(c);
}

TEST(channel_allowlist)
{
	struct config	*c = load("{\"commands\": {"
	    "\"status\": {\"channels\": [\"#ops\", \"C0123\", \"console\","
	    " \"mattermost:~night-shift\"]},"
	    "\"whoami\": {\"enabled\": true}}}");
	struct rbac	*r = rbac_create(c, table);

	/* A name matches on any platform, by the channel's name. */
	ASSERT(rbac_channel_allows(r, &e_status, "slack", "C0999", "#ops"));
	ASSERT(rbac_channel_allows(r, &e_status, "mattermost", "x", "#ops"));
	/* An id matches the channel's id. */
	ASSERT(rbac_channel_allows(r, &e_status, "slack", "C0123", NULL));
	ASSERT(rbac_channel_allows(r, &e_status, "console", "console", NULL));
	/* "~name" and a platform prefix hold only on that platform. */
	ASSERT(rbac_channel_allows(r, &e_status, "mattermost", "x",
	    "#night-shift"));
	ASSERT(!rbac_channel_allows(r, &e_status, "slack", "C0777",
	    "#night-shift"));
	ASSERT(!rbac_channel_allows(r, &e_status, "slack", "C0777",
	    "#random"));
	ASSERT(!rbac_channel_allows(r, &e_status, "slack", NULL, NULL));
	/* No list: anywhere. */
	ASSERT(rbac_channel_allows(r, &e_whoami, "slack", "C0777", "#random"));
	ASSERT(rbac_channel_allows(r, &e_help, "slack", "C0777", "#random"));
	rbac_free(r);
	config_free(c);
}

static const struct test tests[] = {
	TEST_ENTRY(builtin_roles),
	TEST_ENTRY(custom_roles_and_inheritance),
	TEST_ENTRY(user_matching),
	TEST_ENTRY(channel_allowlist),
	TEST_END
};

int
main(int argc, char **argv)
{
	cmd_config_commands(table);
	return test_run(tests, argc, argv);
}

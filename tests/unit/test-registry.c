/*
 * The command table itself: every entry complete and consistent, since
 * /help, RBAC defaults and config checks are all generated from it.
 */

#include <ctype.h>
#include <string.h>

#include "cmd.h"
#include "test.h"

TEST(entries_are_complete)
{
	const struct cmd_entry	*e;
	const struct arg_option	*o;
	size_t			 i, j;
	int			 has_confirm;

	ASSERT_NOT_NULL(cmd_table[0]);
	for (i = 0; (e = cmd_table[i]) != NULL; i++) {
		ASSERT_NOT_NULL(e->name);
		ASSERT_NOT_NULL(e->synopsis);
		ASSERT_NOT_NULL(e->help);
		ASSERT_NOT_NULL(e->exec);
		ASSERT(strlen(e->help) > 10);
		ASSERT(e->help[strlen(e->help) - 1] == '.');
		ASSERT(e->min_role >= ROLE_ANYONE && e->min_role <= ROLE_ADMIN);
		ASSERT(e->args.max < 0 || e->args.max >= e->args.min);
		for (j = 0; e->name[j] != '\0'; j++)
			ASSERT(islower((unsigned char)e->name[j]));
		/* A command that changes things must offer --confirm. */
		has_confirm = 0;
		for (o = e->args.options; o != NULL && o->name != NULL; o++) {
			ASSERT_NOT_NULL(o->help);
			if (strcmp(o->name, "confirm") == 0 &&
			    o->type == ARG_BOOL)
				has_confirm = 1;
		}
		if (e->flags & CMD_NEEDS_CONFIRM)
			ASSERT(has_confirm);
		for (j = 0; j < i; j++) {
			ASSERT(strcmp(cmd_table[j]->name, e->name) != 0);
			ASSERT(e->alias == NULL ||
			    strcmp(cmd_table[j]->name, e->alias) != 0);
		}
	}
}

TEST(issue_commands_present)
{
	ASSERT_NOT_NULL(cmd_find(cmd_table, "help"));
	ASSERT_NOT_NULL(cmd_find(cmd_table, "status"));
	ASSERT_NOT_NULL(cmd_find(cmd_table, "whoami"));
	ASSERT_INT_EQ(cmd_find(cmd_table, "help")->min_role, ROLE_ANYONE);
	ASSERT_INT_EQ(cmd_find(cmd_table, "whoami")->min_role, ROLE_ANYONE);
	ASSERT_INT_EQ(cmd_find(cmd_table, "status")->min_role, ROLE_VIEWER);
}

static enum cmd_result
noop(struct cmd_ctx *ctx)
{
	return CMD_DONE;
}

TEST(find_and_suggest)
{
	static const struct cmd_entry health = { .name = "health",
	    .alias = "hc", .synopsis = "", .help = "x.", .exec = noop };
	static const struct cmd_entry restart = { .name = "restart",
	    .synopsis = "", .help = "x.", .exec = noop };
	static const struct cmd_entry rerun = { .name = "rerun",
	    .synopsis = "", .help = "x.", .exec = noop };
	static const struct cmd_entry *const t[] = { &health, &restart,
	    &rerun, NULL };

	ASSERT(cmd_find(t, "health") == &health);
	ASSERT(cmd_find(t, "hc") == &health);
	/* No prefix matching: "re" must never pick restart by itself. */
	ASSERT_NULL(cmd_find(t, "re"));
	ASSERT_NULL(cmd_find(t, "heal"));
	ASSERT_NULL(cmd_find(t, ""));
	ASSERT_STR_EQ(cmd_suggest(t, "helth"), "health");
	ASSERT_STR_EQ(cmd_suggest(t, "restrat"), "restart");
	ASSERT_NULL(cmd_suggest(t, "deploy"));
	ASSERT_STR_EQ(cmd_role_name(ROLE_OPERATOR), "operator");
}

/* A unique prefix is suggested (never run); an ambiguous one is not. */
TEST(prefix_suggests)
{
	ASSERT_NULL(cmd_find(cmd_table, "hea"));
	ASSERT_STR_EQ(cmd_suggest(cmd_table, "hea"), "health");
	ASSERT_STR_EQ(cmd_suggest(cmd_table, "che"), "checklist");
	ASSERT_STR_EQ(cmd_suggest(cmd_table, "unsil"), "unsilence");
	/* /rerun, /restart, /resolve, /report: no guess. */
	ASSERT_NULL(cmd_suggest(cmd_table, "re"));
	/* /help and /health. */
	ASSERT_NULL(cmd_suggest(cmd_table, "he"));
}

static const struct test tests[] = {
	TEST_ENTRY(prefix_suggests),
	TEST_ENTRY(entries_are_complete),
	TEST_ENTRY(issue_commands_present),
	TEST_ENTRY(find_and_suggest),
	TEST_END
};

int
main(int argc, char **argv)
{
	return test_run(tests, argc, argv);
}

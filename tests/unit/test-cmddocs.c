/*
 * The docs list every command, with its minimum role: a row in README's
 * command table ("| `/name ...` | role |") and in docs/config.md's role
 * table ("| `name` | role |") for each entry of cmd_table, and no row for
 * a command that does not exist. A new command without docs fails here.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "test.h"

#define README	OPSBOT_SOURCE_DIR "/README.md"
#define CONFIG	OPSBOT_SOURCE_DIR "/docs/config.md"

static char *
slurp(const char *path)
{
	FILE	*f = fopen(path, "r");
	char	*text;
	long	 len;

	if (f == NULL)
		TEST_FAIL("cannot open %s", path);
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	text = calloc(1, (size_t)len + 1);
	if (fread(text, 1, (size_t)len, f) != (size_t)len)
		TEST_FAIL("cannot read %s", path);
	fclose(f);
	return text;
}

/* The table row that starts with prefix, up to its end of line; or NULL. */
static const char *
row(const char *text, const char *prefix)
{
	const char	*p = text;
	size_t		 n = strlen(prefix);

	for (;;) {
		if (strncmp(p, prefix, n) == 0)
			return p;
		if ((p = strchr(p, '\n')) == NULL)
			return NULL;
		p++;
	}
}

/* The role cell: "| `/name ...` | ROLE |": after the second "|". */
static int
row_has_role(const char *r, const char *role)
{
	const char	*cell = strstr(r + 1, "` | ");
	char		 want[32];

	if (cell == NULL)
		return 0;
	snprintf(want, sizeof want, "` | %s |", role);
	return strncmp(cell, want, strlen(want)) == 0;
}

TEST(readme_lists_every_command)
{
	char	*text = slurp(README), prefix[64];
	const char *r;
	size_t	 i;

	for (i = 0; cmd_table[i] != NULL; i++) {
		const struct cmd_entry *e = cmd_table[i];

		snprintf(prefix, sizeof prefix, "| `/%s", e->name);
		r = row(text, prefix);
		/* "| `/disk" must not be satisfied by "| `/diskfoo". */
		while (r != NULL && r[strlen(prefix)] != ' ' &&
		    r[strlen(prefix)] != '`')
			r = row(r + 1, prefix);
		if (r == NULL)
			TEST_FAIL("README.md's command table has no row for "
			    "/%s", e->name);
		if (!row_has_role(r, cmd_role_name(e->min_role)))
			TEST_FAIL("README.md: /%s should say %s: %.80s",
			    e->name, cmd_role_name(e->min_role), r);
	}
	free(text);
}

TEST(config_md_role_table_lists_every_command)
{
	char	*text = slurp(CONFIG), prefix[64];
	const char *r, *roles;
	size_t	 i;

	/* Only the roles section: other tables have keys named alike. */
	if ((roles = strstr(text, "\n### roles")) == NULL)
		TEST_FAIL("docs/config.md has no roles section");
	for (i = 0; cmd_table[i] != NULL; i++) {
		const struct cmd_entry *e = cmd_table[i];

		snprintf(prefix, sizeof prefix, "| `%s` | ", e->name);
		if ((r = row(roles, prefix)) == NULL)
			TEST_FAIL("docs/config.md's role table has no row for "
			    "%s", e->name);
		if (!row_has_role(r, cmd_role_name(e->min_role)))
			TEST_FAIL("docs/config.md: %s should say %s: %.80s",
			    e->name, cmd_role_name(e->min_role), r);
	}
	free(text);
}

/* Every "| `/name" row of the README names a command that exists. */
TEST(readme_rows_are_commands)
{
	char	*text = slurp(README), name[64];
	const char *p = text;
	size_t	 n;

	while ((p = strstr(p, "\n| `/")) != NULL) {
		p += 5;
		n = strcspn(p, " `");
		snprintf(name, sizeof name, "%.*s", (int)n, p);
		if (cmd_find(cmd_table, name) == NULL)
			TEST_FAIL("README.md lists /%s, which is no command",
			    name);
	}
	free(text);
}

static const struct test tests[] = {
	TEST_ENTRY(readme_lists_every_command),
	TEST_ENTRY(config_md_role_table_lists_every_command),
	TEST_ENTRY(readme_rows_are_commands),
	TEST_END
};

int
main(int argc, char **argv)
{
	return test_run(tests, argc, argv);
}

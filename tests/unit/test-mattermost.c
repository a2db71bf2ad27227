/* Mattermost's mention matching (adapters/chat/mattermost_mention.c). */

#include <stdlib.h>
#include <string.h>

#include "mattermost_int.h"
#include "test.h"

static void
check(const char *msg, const char *want)
{
	char	*got = mm_mention_strip(msg, "opsbot");

	if (want == NULL && got != NULL)
		TEST_FAIL("\"%s\": matched, left \"%s\"", msg, got);
	if (want != NULL && (got == NULL || strcmp(got, want) != 0))
		TEST_FAIL("\"%s\": got \"%s\", expected \"%s\"", msg,
		    got != NULL ? got : "(no match)", want);
	free(got);
}

TEST(mentions_match_as_mattermost_does)
{
	check("@opsbot health prod", " health prod");
	check("@OpsBot, health prod", " health prod");
	check("@opsbot: status", " status");
	check("@OPSBOT status", " status");
	check("@opsbot!", "");
	check("@opsbot.", "");
	check("@opsbot;\nstatus", "\nstatus");
	check("hey @opsbot, whoami", "hey  whoami");
	check("(@opsbot) whoami", "() whoami");
}

TEST(other_users_are_not_the_bot)
{
	check("@opsbot.dev health", NULL);
	check("@opsbot_2 health", NULL);
	check("@opsbot-old health", NULL);
	check("@opsbots health", NULL);
	check("mail@opsbot health", NULL);
	check("no mention here", NULL);
	check("@ops health", NULL);
	/* The second mention, when the first is someone else. */
	check("@opsbotx @opsbot status", "@opsbotx  status");
}

static const struct test tests[] = {
	TEST_ENTRY(mentions_match_as_mattermost_does),
	TEST_ENTRY(other_users_are_not_the_bot),
	TEST_END
};

int
main(int argc, char **argv)
{
	return test_run(tests, argc, argv);
}

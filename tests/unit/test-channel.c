/*
 * One way to name a channel (config/channel.c): the forms every key
 * accepts, the forms refused with a "did you mean", matching a message's
 * channel, and the receivers a channel without a platform stands for.
 * Then the same forms through every key of the loader.
 */

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "channel.h"
#include "config.h"
#include "test.h"

struct good {
	const char	*text;
	const char	*platform;	/* NULL: any */
	enum chan_kind	 kind;
	const char	*body;
};

static const struct good goods[] = {
	{ "#ops", NULL, CHAN_NAME, "ops" },
	{ "#ops-alerts_2.x", NULL, CHAN_NAME, "ops-alerts_2.x" },
	{ "~night-shift", "mattermost", CHAN_NAME, "night-shift" },
	{ "mattermost:acme/~ops-quiet", "mattermost", CHAN_NAME,
	    "acme/~ops-quiet" },
	{ "slack:#ops", "slack", CHAN_NAME, "ops" },
	{ "mattermost:#ops", "mattermost", CHAN_NAME, "ops" },
	{ "mattermost:~ops", "mattermost", CHAN_NAME, "ops" },
	{ "C0123ABCD", "slack", CHAN_ID, "C0123ABCD" },
	{ "slack:C0OPS", "slack", CHAN_ID, "C0OPS" },
	{ "D0DM", "slack", CHAN_ID, "D0DM" },
	{ "chanopsprod000000000000000", "mattermost", CHAN_ID,
	    "chanopsprod000000000000000" },
	{ "mattermost:chanopsprod000000000000000", "mattermost", CHAN_ID,
	    "chanopsprod000000000000000" },
	{ "console", "console", CHAN_CONSOLE, "console" },
	{ "console:console", "console", CHAN_CONSOLE, "console" },
};

struct bad {
	const char	*text;
	const char	*cause;		/* a part of the message */
};

static const struct bad bads[] = {
	{ "ops", "did you mean \"#ops\"?" },
	{ "mattermost:Acme/~ops", "team name is lower-case" },
	{ "slack:acme/~ops", "starts with" },
	{ "Ops-Alerts", "did you mean \"#ops-alerts\"?" },
	{ "slack:ops", "did you mean \"slack:#ops\"?" },
	{ "#Ops", "lower case (did you mean \"#ops\"?)" },
	{ "slack:~ops", "did you mean \"slack:#ops\"?" },
	{ "#", "1-80 lower-case" },
	{ "#ops alerts", "1-80 lower-case" },
	{ "slak:#ops", "slack, mattermost or console" },
	{ "slack:", "no channel is named" },
	{ "", "no channel is named" },
	{ "slack:console", "the console's only channel" },
	{ "console:#ops", "the console's only channel" },
	{ "mattermost:C0123ABCD", "a Slack channel id" },
	{ "slack:chanopsprod000000000000000", "a Mattermost channel id" },
};

TEST(good_forms)
{
	struct chan_spec	 cs;
	char			*cause = NULL;
	size_t			 i;

	for (i = 0; i < sizeof goods / sizeof goods[0]; i++) {
		if (chan_parse(goods[i].text, &cs, &cause) != 0)
			TEST_FAIL("\"%s\" refused: %s", goods[i].text, cause);
		ASSERT_NULL(cause);
		if (goods[i].platform == NULL)
			ASSERT_NULL(cs.platform);
		else
			ASSERT_STR_EQ(cs.platform, goods[i].platform);
		ASSERT_INT_EQ(cs.kind, goods[i].kind);
		ASSERT_STR_EQ(cs.body, goods[i].body);
	}
}

TEST(bad_forms)
{
	struct chan_spec	 cs;
	char			*cause;
	size_t			 i;

	for (i = 0; i < sizeof bads / sizeof bads[0]; i++) {
		cause = NULL;
		if (chan_parse(bads[i].text, &cs, &cause) == 0)
			TEST_FAIL("\"%s\" accepted", bads[i].text);
		ASSERT_NOT_NULL(cause);
		ASSERT_CONTAINS(cause, bads[i].cause);
		free(cause);
		/* The cause is optional. */
		ASSERT_INT_EQ(chan_parse(bads[i].text, &cs, NULL), -1);
	}
}

TEST(matching)
{
	struct chan_spec	 cs;

	ASSERT_INT_EQ(chan_parse("#ops", &cs, NULL), 0);
	ASSERT(chan_matches(&cs, "slack", "C1", "#ops"));
	ASSERT(chan_matches(&cs, "mattermost", "x", "#ops"));
	ASSERT(!chan_matches(&cs, "slack", "C1", "#ops2"));
	ASSERT(!chan_matches(&cs, "slack", "C1", NULL));
	ASSERT_INT_EQ(chan_parse("slack:#ops", &cs, NULL), 0);
	ASSERT(!chan_matches(&cs, "mattermost", "x", "#ops"));
	ASSERT_INT_EQ(chan_parse("C0OPS", &cs, NULL), 0);
	ASSERT(chan_matches(&cs, "slack", "C0OPS", "#ops"));
	ASSERT(!chan_matches(&cs, "slack", "C0DEV", "#ops"));
	ASSERT_INT_EQ(chan_parse("console", &cs, NULL), 0);
	ASSERT(chan_matches(&cs, "console", "console", NULL));
	ASSERT(!chan_matches(&cs, "slack", "console", "#console"));
}

/* Joins v with spaces for comparison; frees v. */
static char *
joined(char **v, size_t n)
{
	struct buf	 b;
	size_t		 i;

	buf_init(&b);
	for (i = 0; i < n; i++) {
		buf_addf(&b, "%s%s", i > 0 ? " " : "", v[i]);
		free(v[i]);
	}
	free(v);
	return buf_detach(&b);
}

static char *
receivers(const char *text, int slack_on, int mm_on)
{
	char	**v = NULL;
	size_t	  n = 0;

	chan_receivers(text, slack_on, mm_on, &v, &n);
	return joined(v, n);
}

TEST(receivers_of_a_channel)
{
	char	*s;

	s = receivers("#ops", 1, 1);
	ASSERT_STR_EQ(s, "slack:#ops mattermost:#ops");
	free(s);
	s = receivers("#ops", 1, 0);
	ASSERT_STR_EQ(s, "slack:#ops");
	free(s);
	s = receivers("slack:#ops", 0, 1);
	ASSERT_STR_EQ(s, "slack:#ops");
	free(s);
	s = receivers("C0OPS", 1, 1);
	ASSERT_STR_EQ(s, "slack:C0OPS");
	free(s);
	s = receivers("~ops", 1, 1);
	ASSERT_STR_EQ(s, "mattermost:~ops");
	free(s);
	s = receivers("console", 1, 1);
	ASSERT_STR_EQ(s, "console");
	free(s);
}

/* The loader's errors for text; "" when it loads. Caller frees. */
static char *
load_errors(const char *text)
{
	struct config	*c = NULL;
	struct buf	 errors;

	buf_init(&errors);
	if (config_load_text(text, strlen(text), "t.json", &c, &errors) == 0)
		config_free(c);
	return buf_detach(&errors);
}

/* Every key that names a channel refuses a bare name the same way. */
TEST(every_key_refuses_a_bare_name)
{
	char	*e;

	e = load_errors("{\"commands\": {\"status\": {\"channels\": "
	    "[\"console\", \"ops\"]}}}");
	ASSERT_CONTAINS(e, "commands.status.channels[1]: \"ops\" can never "
	    "match: a channel name starts with \"#\" (did you mean \"#ops\"?)");
	free(e);
	e = load_errors("{\"alerts\": {\"default_channel\": \"ops\"}}");
	ASSERT_CONTAINS(e, "alerts.default_channel: \"ops\" can never match");
	free(e);
	e = load_errors("{\"alerts\": {\"route\": {\"channels\": [\"ops\"]}}}");
	ASSERT_CONTAINS(e, "alerts.route.channels[0]: \"ops\" can never "
	    "match");
	free(e);
	e = load_errors("{\"schedules\": [{\"name\": \"s\", \"cron\": "
	    "\"0 7 * * *\", \"run\": \"status\", \"channel\": \"ops\"}]}");
	ASSERT_CONTAINS(e, "schedules[0].channel: \"ops\" can never match");
	free(e);
}

/* And accepts "#name" in every key, routes and schedules included. */
TEST(every_key_takes_a_hash_name)
{
	struct config	*c = NULL;
	struct buf	 errors;
	const char	*text = "{\"commands\": {\"status\": {\"channels\": "
	    "[\"#ops\"]}}, \"alerts\": {\"default_channel\": \"#ops\", "
	    "\"route\": {\"routes\": [{\"match\": {\"team\": \"db\"}, "
	    "\"channels\": [\"#db\"]}]}}, \"schedules\": [{\"name\": \"s\", "
	    "\"cron\": \"0 7 * * *\", \"run\": \"status\", \"channel\": "
	    "\"#ops\"}]}";

	setenv("SLACK_APP_TOKEN", "xapp-test", 1);
	setenv("SLACK_BOT_TOKEN", "xoxb-test", 1);
	buf_init(&errors);
	if (config_load_text(text, strlen(text), "t.json", &c, &errors) != 0)
		TEST_FAIL("refused:\n%s", errors.data);
	unsetenv("SLACK_APP_TOKEN");
	unsetenv("SLACK_BOT_TOKEN");
	ASSERT_STR_EQ(c->schedules[0].channel, "slack:#ops");
	ASSERT_INT_EQ(c->alerts.route.routes[0].channels.n, 1);
	ASSERT_STR_EQ(c->alerts.route.routes[0].channels.v[0], "slack:#db");
	ASSERT_STR_EQ(c->alerts.route.channels.v[0], "slack:#ops");
	config_free(c);
	buf_release(&errors);
}

int
main(int argc, char **argv)
{
	static const struct test tests[] = {
		TEST_ENTRY(good_forms),
		TEST_ENTRY(bad_forms),
		TEST_ENTRY(matching),
		TEST_ENTRY(receivers_of_a_channel),
		TEST_ENTRY(every_key_refuses_a_bare_name),
		TEST_ENTRY(every_key_takes_a_hash_name),
		TEST_END,
	};

	return test_run(tests, argc, argv);
}

/* The neutral message and its renderers: text, Slack blocks, Mattermost. */

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "message.h"
#include "test.h"
#include "xmalloc.h"

static struct message
sample(void)
{
	struct message	 m;

	memset(&m, 0, sizeof m);
	m.title = "prod-db: CRIT";
	m.status = MESSAGE_CRIT;
	m.text = "disk <full> & slow";
	m.code = "/var  97%\n/     40%\n";
	m.fields[0].title = "Severity";
	m.fields[0].value = "critical";
	m.nfields = 1;
	m.buttons[0].action = "alert_ack";
	m.buttons[0].label = "Acknowledge";
	m.buttons[0].value = "fp:1";
	m.buttons[1].action = "alert_silence_1h";
	m.buttons[1].label = "Silence 1h";
	m.buttons[1].value = "fp:1";
	m.buttons[1].danger = 1;
	m.nbuttons = 2;
	return m;
}

static char *
get(cJSON *o, const char *path)
{
	static char	 out[8192];
	cJSON		*v = o;
	char		 buf[256], *tok, *save;

	snprintf(buf, sizeof buf, "%s", path);
	for (tok = strtok_r(buf, ".", &save); tok != NULL && v != NULL;
	    tok = strtok_r(NULL, ".", &save)) {
		if (*tok >= '0' && *tok <= '9')
			v = cJSON_GetArrayItem(v, atoi(tok));
		else
			v = cJSON_GetObjectItemCaseSensitive(v, tok);
	}
	if (v == NULL)
		return NULL;
	if (cJSON_IsString(v))
		snprintf(out, sizeof out, "%s", v->valuestring);
	else {
		char *p = cJSON_PrintUnformatted(v);

		snprintf(out, sizeof out, "%s", p);
		free(p);
	}
	return out;
}

TEST(text_form)
{
	struct message	 m = sample();
	char		*t = message_render_text(&m);

	ASSERT_STR_EQ(t, "prod-db: CRIT\ndisk <full> & slow\nSeverity: "
	    "critical\n/var  97%\n/     40%");
	free(t);
	ASSERT_STR_EQ(message_color(MESSAGE_CRIT), "#E01E5A");
	ASSERT_NULL(message_color(MESSAGE_PLAIN));
	ASSERT_STR_EQ(message_status_word(MESSAGE_WARN), "WARN");
}

TEST(slack_blocks)
{
	struct message	 m = sample();
	cJSON		*b = cJSON_CreateObject();

	message_render_slack(&m, b);
	ASSERT_CONTAINS(get(b, "text"), "prod-db: CRIT");
	ASSERT_STR_EQ(get(b, "blocks.0.text.text"), ":red_circle: *prod-db: "
	    "CRIT*\ndisk &lt;full&gt; &amp; slow");
	ASSERT_STR_EQ(get(b, "blocks.1.fields.0.text"), "*Severity*\n"
	    "critical");
	ASSERT_STR_EQ(get(b, "blocks.2.text.text"), "```\n/var  97%\n/     "
	    "40%\n```");
	ASSERT_STR_EQ(get(b, "blocks.3.type"), "actions");
	ASSERT_STR_EQ(get(b, "blocks.3.elements.1.action_id"),
	    "alert_silence_1h");
	ASSERT_STR_EQ(get(b, "blocks.3.elements.1.style"), "danger");
	ASSERT_NULL(get(b, "blocks.3.elements.0.style"));
	ASSERT_STR_EQ(get(b, "blocks.3.elements.0.text.text"), "Acknowledge");
	cJSON_Delete(b);
}

/*
 * On-call mentions page: a route's <!subteam^...> reaches Slack live, in
 * the notification text and the first section, never inside the code
 * block; text from alerts or hosts that looks like a mention stays
 * escaped. Mattermost notifies from the post's message, not an
 * attachment, so the mention goes there.
 */
TEST(mentions_are_live_and_only_mentions)
{
	struct message	 m = sample();
	cJSON		*b = cJSON_CreateObject();
	struct buf	 out;

	m.mention = "<!subteam^S0ONCALL|@oncall> <@U0ALICE> <!here> <bad> &";
	m.text = "user says <!channel> and <@U0EVIL>";
	m.code = "<!everyone> from a host\n";
	message_render_slack(&m, b);
	ASSERT_STR_EQ(get(b, "blocks.0.text.text"), "<!subteam^S0ONCALL|"
	    "@oncall> <@U0ALICE> <!here> &lt;bad&gt; &amp;\n:red_circle: "
	    "*prod-db: CRIT*\nuser says &lt;!channel&gt; and &lt;@U0EVIL&gt;");
	ASSERT_STR_EQ(get(b, "blocks.2.text.text"), "```\n&lt;!everyone&gt; "
	    "from a host\n```");
	/* The notification text pages the same people, and no one else. */
	ASSERT_CONTAINS(get(b, "text"), "<!subteam^S0ONCALL|@oncall> "
	    "<@U0ALICE> <!here>");
	ASSERT_CONTAINS(get(b, "text"), "user says &lt;!channel&gt;");
	cJSON_Delete(b);

	b = cJSON_CreateObject();
	m.mention = "@oncall";
	message_render_mattermost(&m, b, 0, NULL);
	ASSERT_STR_EQ(get(b, "message"), "@oncall **prod-db: CRIT**");
	cJSON_Delete(b);

	/*
	 * Mattermost: @here and a group reach it live; the same words in
	 * an alert's or a user's text (which notify from the message and
	 * from an attachment's text) are defused. Code blocks never notify.
	 */
	b = cJSON_CreateObject();
	m.mention = "@here @oncall-team";
	m.title = "@channel disk full";
	m.text = "user says @ALL, @here. and @channel; acknowledged by @jdoe; "
	    "@herein mail@all.example";
	m.code = "@here from a host\n";
	message_render_mattermost(&m, b, 0, NULL);
	ASSERT_STR_EQ(get(b, "message"), "@here @oncall-team "
	    "**@\u200bchannel disk full**");
	ASSERT_CONTAINS(get(b, "props.attachments.0.text"), "user says "
	    "@\u200bALL, @\u200bhere. and @\u200bchannel; acknowledged by "
	    "@jdoe; @herein mail@\u200ball.example\n```\n@here from a host\n```");
	cJSON_Delete(b);
	b = cJSON_CreateObject();
	message_render_mattermost(&m, b, 1, NULL);
	ASSERT_STR_EQ(get(b, "text"), "@here @oncall-team "
	    "**@\u200bchannel disk full**");
	cJSON_Delete(b);

	/* Forms that are not mentions are never live. */
	buf_init(&out);
	message_slack_mention(&out, "<!subteam^> <@x1> <@U1|a<b> <!herex> "
	    "<!channel|ch>");
	ASSERT_STR_EQ(out.data, "&lt;!subteam^&gt; &lt;@x1&gt; &lt;@U1|a&lt;b&gt; "
	    "&lt;!herex&gt; <!channel|ch>");
	buf_release(&out);
}

TEST(slack_long_code_is_split)
{
	struct message	 m;
	cJSON		*b = cJSON_CreateObject(), *blk;
	char		*code = malloc(10001);
	size_t		 i, total = 0;

	memset(&m, 0, sizeof m);
	for (i = 0; i < 10000; i++)
		code[i] = i % 50 == 49 ? '\n' : 'x';
	code[10000] = '\0';
	m.code = code;
	message_render_slack(&m, b);
	ASSERT_INT_EQ(cJSON_GetArraySize(cJSON_GetObjectItem(b, "blocks")), 4);
	cJSON_ArrayForEach(blk, cJSON_GetObjectItem(b, "blocks")) {
		const char *t = cJSON_GetObjectItem(cJSON_GetObjectItem(blk,
		    "text"), "text")->valuestring;

		ASSERT(strlen(t) <= 3000);
		ASSERT(strncmp(t, "```\n", 4) == 0);
		total += strlen(t) - 8;
	}
	/* Every character is there; the split fell on line ends. */
	ASSERT(total >= 10000 - 4 * 1);
	cJSON_Delete(b);
	free(code);
}

TEST(mattermost_post_and_response)
{
	struct message			 m = sample();
	cJSON				*p = cJSON_CreateObject();
	cJSON				*r = cJSON_CreateObject();
	const struct message_mm_actions	 act = {
		.url = "http://bot:9097/mattermost/action", .token = "s3cret" };

	message_render_mattermost(&m, p, 0, &act);
	ASSERT_STR_EQ(get(p, "message"), "**prod-db: CRIT**");
	ASSERT_STR_EQ(get(p, "props.attachments.0.color"), "#E01E5A");
	ASSERT_STR_EQ(get(p, "props.attachments.0.text"), "disk <full> & "
	    "slow\n```\n/var  97%\n/     40%\n```");
	ASSERT_STR_EQ(get(p, "props.attachments.0.fields.0.title"),
	    "Severity");
	ASSERT_STR_EQ(get(p, "props.attachments.0.actions.1.name"),
	    "Silence 1h");
	/* Mattermost's click route takes [A-Za-z0-9]+ ids only. */
	ASSERT_STR_EQ(get(p, "props.attachments.0.actions.0.id"), "alertack");
	ASSERT_STR_EQ(get(p, "props.attachments.0.actions.1.id"),
	    "alertsilence1h");
	ASSERT_STR_EQ(get(p, "props.attachments.0.actions.1.style"), "danger");
	ASSERT_NULL(get(p, "props.attachments.0.actions.0.style"));
	ASSERT_STR_EQ(get(p, "props.attachments.0.actions.1.integration.url"),
	    "http://bot:9097/mattermost/action");
	/* The context carries the command line and the secret, nothing else. */
	ASSERT_STR_EQ(get(p, "props.attachments.0.actions.1.integration."
	    "context"), "{\"command\":\"fp:1\",\"token\":\"s3cret\"}");
	message_render_mattermost(&m, r, 1, &act);
	ASSERT_STR_EQ(get(r, "text"), "**prod-db: CRIT**");
	ASSERT_STR_EQ(get(r, "attachments.0.color"), "#E01E5A");
	ASSERT_NULL(get(r, "props"));
	ASSERT_STR_EQ(get(r, "attachments.0.actions.0.integration.context."
	    "command"), "fp:1");
	cJSON_Delete(p);
	cJSON_Delete(r);
}

TEST(mattermost_without_action_url_has_no_buttons)
{
	struct message			 m = sample();
	cJSON				*p = cJSON_CreateObject();
	const struct message_mm_actions	 none = { .url = NULL, .token = NULL };

	message_render_mattermost(&m, p, 0, NULL);
	ASSERT_NULL(get(p, "props.attachments.0.actions"));
	ASSERT_STR_EQ(get(p, "props.attachments.0.fields.0.title"),
	    "Severity");
	cJSON_Delete(p);
	p = cJSON_CreateObject();
	message_render_mattermost(&m, p, 0, &none);
	ASSERT_NULL(get(p, "props.attachments.0.actions"));
	cJSON_Delete(p);
}

TEST(buttons_leave_text_form_alone)
{
	struct message	 m = sample();
	char		*with, *without;

	with = message_render_text(&m);
	m.nbuttons = 0;
	without = message_render_text(&m);
	ASSERT_STR_EQ(with, without);
	free(with);
	free(without);
}

/* A link button opens its url: Slack url button, Mattermost markdown link. */
TEST(link_buttons)
{
	struct message			 m = sample();
	const struct message_mm_actions	 act = { "https://bot/mm", "tok" };
	cJSON				*b = cJSON_CreateObject();
	char				*t;

	m.buttons[2].action = "alertrunbook";
	m.buttons[2].label = "Runbook";
	m.buttons[2].url = "https://wiki/run(book) x";
	m.nbuttons = 3;
	message_render_slack(&m, b);
	ASSERT_STR_EQ(get(b, "blocks.3.elements.2.url"),
	    "https://wiki/run(book) x");
	ASSERT_NULL(get(b, "blocks.3.elements.2.value"));
	ASSERT_STR_EQ(get(b, "blocks.3.elements.0.value"), "fp:1");
	ASSERT_NULL(get(b, "blocks.3.elements.0.url"));
	cJSON_Delete(b);
	b = cJSON_CreateObject();
	message_render_mattermost(&m, b, 0, &act);
	ASSERT_CONTAINS(get(b, "props.attachments.0.text"),
	    "[Runbook](https://wiki/run%28book%29%20x)");
	ASSERT_STR_EQ(get(b, "props.attachments.0.actions.1.name"),
	    "Silence 1h");
	ASSERT_NULL(get(b, "props.attachments.0.actions.2"));
	cJSON_Delete(b);
	/* Without an action url the links still show. */
	b = cJSON_CreateObject();
	message_render_mattermost(&m, b, 0, NULL);
	ASSERT_CONTAINS(get(b, "props.attachments.0.text"), "[Runbook](");
	cJSON_Delete(b);
	t = message_render_text(&m);
	ASSERT_CONTAINS(t, "\nRunbook: https://wiki/run(book) x");
	free(t);
}

static int
routable(const char *id)
{
	size_t	 i;

	for (i = 0; id[i] != '\0'; i++) {
		if (!((id[i] >= 'a' && id[i] <= 'z') ||
		    (id[i] >= 'A' && id[i] <= 'Z') ||
		    (id[i] >= '0' && id[i] <= '9')))
			return 0;
	}
	return i > 0;
}

/*
 * Every button the bot emits (the alert buttons, the dispatcher's
 * Confirm) and any a command may add later: on Mattermost each id must
 * match the click route's [A-Za-z0-9]+ and be unique in its post, or the
 * click never reaches the bot (or runs another button). Slack keeps them.
 */
TEST(mattermost_action_ids_are_routable_and_unique)
{
	static const char *const sets[][MESSAGE_MAX_BUTTONS] = {
		{ "alert_ack", "alert_silence" },
		{ "confirm" },
		{ "a-b", "a_b", "ab", "ab1", "a.b" },
		{ "", NULL, "é", "---", "x" },
		{ "button1", "", "", "button", "button0" },
	};
	const struct message_mm_actions	 act = { .url = "http://b/a",
		.token = "t" };
	size_t				 s, i, j, n;

	for (s = 0; s < sizeof sets / sizeof sets[0]; s++) {
		struct message	 m;
		cJSON		*p = cJSON_CreateObject(), *sl;
		char		 ids[MESSAGE_MAX_BUTTONS][MESSAGE_MM_ID_MAX];
		char		 path[64];

		memset(&m, 0, sizeof m);
		for (n = 0; n < MESSAGE_MAX_BUTTONS && (sets[s][n] != NULL ||
		    (n + 1 < MESSAGE_MAX_BUTTONS && sets[s][n + 1] != NULL));
		    n++) {
			m.buttons[n].action = sets[s][n];
			m.buttons[n].label = "L";
			m.buttons[n].value = "whoami";
		}
		m.nbuttons = n;
		message_render_mattermost(&m, p, 0, &act);
		for (i = 0; i < n; i++) {
			snprintf(path, sizeof path,
			    "props.attachments.0.actions.%zu.id", i);
			ASSERT_NOT_NULL(get(p, path));
			snprintf(ids[i], sizeof ids[i], "%s", get(p, path));
			if (!routable(ids[i]))
				TEST_FAIL("set %zu button %zu: id \"%s\" is "
				    "not [A-Za-z0-9]+", s, i, ids[i]);
			for (j = 0; j < i; j++) {
				if (strcmp(ids[i], ids[j]) == 0)
					TEST_FAIL("set %zu: buttons %zu and %zu "
					    "share the id %s", s, j, i, ids[i]);
			}
		}
		cJSON_Delete(p);
		if (sets[s][0] != NULL && strchr(sets[s][0], '_') != NULL) {
			sl = cJSON_CreateObject();
			message_render_slack(&m, sl);
			ASSERT_STR_EQ(get(sl, "blocks.0.elements.0.action_id"),
			    sets[s][0]);
			cJSON_Delete(sl);
		}
	}
}


/* Is s whole UTF-8 (no sequence cut in two)? */
static int
utf8_ok(const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;
	int			 k;

	while (*p != '\0') {
		k = *p < 0x80 ? 0 : (*p & 0xE0) == 0xC0 ? 1 :
		    (*p & 0xF0) == 0xE0 ? 2 : (*p & 0xF8) == 0xF0 ? 3 : -1;
		if (k < 0)
			return 0;
		for (p++; k > 0; k--, p++) {
			if ((*p & 0xC0) != 0x80)
				return 0;
		}
	}
	return 1;
}

static char *
huge(const char *unit, size_t times)
{
	struct buf	 b;
	size_t		 i;

	buf_init(&b);
	for (i = 0; i < times; i++)
		buf_adds(&b, unit);
	return buf_detach(&b);
}

/*
 * A 300,000-character alert name must not make a message the platform
 * refuses (msg_too_long) or a body its server cuts: every part fits the
 * platform's limits, cut with "…" on whole characters, and a button whose
 * command would be cut is left out.
 */
TEST(huge_fields_fit_the_platform_limits)
{
	struct message			 m = sample();
	struct message_mm_actions	 act = { "http://bot/mattermost/action",
	    "tok" };
	char	*name = huge("é<&x", 75000), *line = huge("<", 100000);
	char	*value, *json;
	cJSON	*b, *blk, *it;
	size_t	 nblocks = 0;

	xasprintf(&value, "silence alertname=\"%s\" 1h", name);
	m.title = name;
	m.text = name;
	m.code = line;
	m.fields[0].title = name;
	m.fields[0].value = name;
	m.buttons[1].value = value;
	m.buttons[0].label = name;
	b = cJSON_CreateObject();
	message_render_slack(&m, b);
	json = cJSON_PrintUnformatted(b);
	ASSERT(strlen(json) < 200 * 1024);
	free(json);
	ASSERT(strlen(get(b, "text")) <= 4000);
	ASSERT(utf8_ok(get(b, "text")));
	ASSERT_CONTAINS(get(b, "text"), "…");
	cJSON_ArrayForEach(blk, cJSON_GetObjectItem(b, "blocks")) {
		const char *t = cJSON_GetStringValue(cJSON_GetObjectItem(
		    cJSON_GetObjectItem(blk, "text"), "text"));

		nblocks++;
		if (t != NULL) {
			ASSERT(strlen(t) <= 3000);
			ASSERT(utf8_ok(t));
		}
		cJSON_ArrayForEach(it, cJSON_GetObjectItem(blk, "fields"))
			ASSERT(strlen(cJSON_GetStringValue(cJSON_GetObjectItem(
			    it, "text"))) <= 2000);
		cJSON_ArrayForEach(it, cJSON_GetObjectItem(blk, "elements")) {
			ASSERT(strlen(cJSON_GetStringValue(cJSON_GetObjectItem(
			    cJSON_GetObjectItem(it, "text"), "text"))) <= 75);
			ASSERT_STR_EQ(cJSON_GetStringValue(cJSON_GetObjectItem(
			    it, "value")), "fp:1");
		}
	}
	ASSERT(nblocks <= 50);
	ASSERT_CONTAINS(get(b, "blocks.0.text.text"), "…*");
	cJSON_Delete(b);

	b = cJSON_CreateObject();
	message_render_mattermost(&m, b, 0, &act);
	json = cJSON_PrintUnformatted(b);
	ASSERT(strlen(json) < 100 * 1024);
	free(json);
	ASSERT(strlen(cJSON_GetStringValue(cJSON_GetObjectItem(b, "message"))) <= 16383);
	ASSERT(utf8_ok(get(b, "message")));
	ASSERT(strlen(get(b, "props.attachments.0.fallback")) <= 4000);
	ASSERT(strlen(get(b, "props.attachments.0.fields.0.value")) <= 2000);
	ASSERT_NULL(get(b, "props.attachments.0.actions.1"));
	ASSERT_CONTAINS(get(b, "props.attachments.0.text"), "…\n```");
	cJSON_Delete(b);
	free(value);
	free(name);
	free(line);
}

static const struct test tests[] = {
	TEST_ENTRY(text_form),
	TEST_ENTRY(slack_blocks),
	TEST_ENTRY(mentions_are_live_and_only_mentions),
	TEST_ENTRY(slack_long_code_is_split),
	TEST_ENTRY(mattermost_post_and_response),
	TEST_ENTRY(mattermost_without_action_url_has_no_buttons),
	TEST_ENTRY(buttons_leave_text_form_alone),
	TEST_ENTRY(link_buttons),
	TEST_ENTRY(mattermost_action_ids_are_routable_and_unique),
	TEST_ENTRY(huge_fields_fit_the_platform_limits),
	TEST_END
};

int
main(int argc, char **argv)
{
	return test_run(tests, argc, argv);
}

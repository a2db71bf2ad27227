/*
 * The escapers (escape.c), byte for byte: every syntax with its tricky
 * inputs (quotes, backslashes, newlines, control bytes, UTF-8, invalid
 * UTF-8, empty), and the shell quoting through a real /bin/sh.
 */

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "args.h"
#include "buf.h"
#include "escape.h"
#include "proc.h"
#include "test.h"
#include "xmalloc.h"

static char **
argv3(const char *a, const char *b, const char *c)
{
	char	**v = xcalloc(4, sizeof *v);

	v[0] = xstrdup(a);
	v[1] = xstrdup(b);
	v[2] = xstrdup(c);
	return v;
}

/* Runs "printf %s QUOTED" through /bin/sh and returns what it printed. */
static char *
through_shell(const char *s)
{
	struct proc	 p;
	struct buf	 cmd;
	char		*out;

	buf_init(&cmd);
	buf_adds(&cmd, "printf '%s' ");
	shquote_buf(&cmd, s);
	proc_init(&p, argv3("/bin/sh", "-c", cmd.data), 5000, 1 << 20);
	proc_run_many(&p, 1, 1);
	ASSERT_INT_EQ(p.exit_code, 0);
	out = xstrdup(p.out.data);
	proc_release(&p);
	buf_release(&cmd);
	return out;
}

TEST(shquote_survives_hostile_input)
{
	static const char *const hostile[] = {
		"plain", "", "it's", "'", "''", "\"double\"",
		"$(rm -rf /tmp/opsbot-never)", "`id`", "a;b", "a && b",
		"a|b", "line1\nline2", "*", "/etc/*", "?", "[a-z]", "~root",
		"$HOME", "${PATH}", "\\", "\\'", "-n", "--", "a\tb",
		"\xff\xfe invalid utf-8 \xc3", "\xe2\x80\x9cquotes\xe2\x80\x9d",
		"!", "!!", "#comment", "a > /tmp/opsbot-never", "%s%n",
		NULL
	};
	char		*got, big[70000];
	size_t		 i;

	for (i = 0; hostile[i] != NULL; i++) {
		got = through_shell(hostile[i]);
		ASSERT_STR_EQ(got, hostile[i]);
		free(got);
	}
	/* Very long, full of quotes. */
	for (i = 0; i < sizeof big - 1; i++)
		big[i] = "a'b\"c$d`e\\f "[i % 12];
	big[sizeof big - 1] = '\0';
	got = through_shell(big);
	ASSERT_INT_EQ(strlen(got), sizeof big - 1);
	ASSERT(strcmp(got, big) == 0);
	free(got);
	ASSERT(access("/tmp/opsbot-never", F_OK) != 0);
}

TEST(shquote_exact_text)
{
	struct buf	 b;

	buf_init(&b);
	shquote_buf(&b, "it's");
	ASSERT_STR_EQ(b.data, "'it'\\''s'");
	buf_clear(&b);
	shquote_buf(&b, "");
	ASSERT_STR_EQ(b.data, "''");
	buf_release(&b);
}

/* One input and the exact text its escaper must append. */
struct esc_case {
	void		(*fn)(struct buf *, const char *);
	const char	*in;
	const char	*want;
};

static void
check_cases(const struct esc_case *c, size_t n)
{
	struct buf	 b;
	size_t		 i;

	buf_init(&b);
	for (i = 0; i < n; i++) {
		buf_clear(&b);
		c[i].fn(&b, c[i].in);
		ASSERT_STR_EQ(b.data, c[i].want);
	}
	buf_release(&b);
}

#define CHECK_CASES(c)	check_cases(c, sizeof (c) / sizeof (c)[0])

TEST(shquote_control_bytes_and_utf8)
{
	static const struct esc_case cases[] = {
		{ shquote_buf, "a\nb", "'a\nb'" },
		{ shquote_buf, "\\'", "'\\'\\'''" },
		{ shquote_buf, "\x01\x1f\x7f", "'\x01\x1f\x7f'" },
		{ shquote_buf, "caf\xc3\xa9 \xff", "'caf\xc3\xa9 \xff'" },
		{ shquote_buf, "$(id)", "'$(id)'" },
	};

	CHECK_CASES(cases);
}

TEST(logfmt_bare_or_quoted)
{
	static const struct esc_case cases[] = {
		/* Bare: a reader sees where it ends. */
		{ escape_logfmt, "U0456", "U0456" },
		{ escape_logfmt, "caf\xc3\xa9", "caf\xc3\xa9" },
		{ escape_logfmt, "a/b:c,d'e", "a/b:c,d'e" },
		/* Quoted: empty, space, =, ", \, any control byte. */
		{ escape_logfmt, "", "\"\"" },
		{ escape_logfmt, "#ops alerts", "\"#ops alerts\"" },
		{ escape_logfmt, "a=b", "\"a=b\"" },
		{ escape_logfmt, "say \"hi\"", "\"say \\\"hi\\\"\"" },
		{ escape_logfmt, "C:\\tmp", "\"C:\\\\tmp\"" },
		{ escape_logfmt, "l1\nl2\r", "\"l1\\nl2\\r\"" },
		{ escape_logfmt, "a\tb", "\"a\\x09b\"" },
		{ escape_logfmt, "\x01", "\"\\x01\"" },
		{ escape_logfmt, "del\x7f", "\"del\\x7f\"" },
		{ escape_logfmt, "\xff bad", "\"\xff bad\"" },
	};

	CHECK_CASES(cases);
}

TEST(prom_label_three_escapes)
{
	static const struct esc_case cases[] = {
		{ escape_prom_label, "", "" },
		{ escape_prom_label, "web-1", "web-1" },
		{ escape_prom_label, "a\\b\"c\nd", "a\\\\b\\\"c\\nd" },
		/* Everything else is literal in the text format. */
		{ escape_prom_label, "a\tb\r'{}=,", "a\tb\r'{}=," },
		{ escape_prom_label, "caf\xc3\xa9", "caf\xc3\xa9" },
	};

	CHECK_CASES(cases);
}

TEST(dquoted_reads_back_through_args)
{
	static const struct esc_case cases[] = {
		{ escape_dquoted, "", "\"\"" },
		{ escape_dquoted, "web-1", "\"web-1\"" },
		{ escape_dquoted, "say \"hi\"", "\"say \\\"hi\\\"\"" },
		{ escape_dquoted, "db\\.prod", "\"db\\\\.prod\"" },
		{ escape_dquoted, "it's\n\tcaf\xc3\xa9", "\"it's\n\tcaf\xc3\xa9\"" },
	};
	static const char *const back[] = {
		"", "a b", "\"", "\\", "\\\"", "say \"hi\" \\o/", "it's",
		"caf\xc3\xa9 \xe2\x80\x9cq\xe2\x80\x9d",
	};
	struct words	 w;
	struct buf	 b;
	char		*cause = NULL;
	size_t		 i;

	CHECK_CASES(cases);
	/* What it writes, args_split() reads back as the same one word. */
	buf_init(&b);
	for (i = 0; i < sizeof back / sizeof back[0]; i++) {
		buf_clear(&b);
		escape_dquoted(&b, back[i]);
		ASSERT_INT_EQ(args_split(b.data, b.len, &w, &cause), 0);
		ASSERT_INT_EQ(w.argc, 1);
		ASSERT_STR_EQ(w.argv[0], back[i]);
		words_free(&w);
	}
	buf_release(&b);
}

/* escape_slack_mrkdwn over the whole of s. */
static void
mrkdwn_all(struct buf *b, const char *s)
{
	escape_slack_mrkdwn(b, s, strlen(s));
}

TEST(slack_mrkdwn_escapes_its_three)
{
	static const struct esc_case cases[] = {
		{ mrkdwn_all, "", "" },
		{ mrkdwn_all, "a & <b> c", "a &amp; &lt;b&gt; c" },
		{ mrkdwn_all, "&amp;", "&amp;amp;" },
		{ mrkdwn_all, "<@U123|x>", "&lt;@U123|x&gt;" },
		/* Quotes, backslashes, newlines, markup: kept. */
		{ mrkdwn_all, "\"q\" 'q' \\ *b* _i_ `c`\n",
		    "\"q\" 'q' \\ *b* _i_ `c`\n" },
		{ mrkdwn_all, "caf\xc3\xa9 \xe2\x9c\x93",
		    "caf\xc3\xa9 \xe2\x9c\x93" },
	};
	struct buf	 b;

	CHECK_CASES(cases);
	/* n bytes at most, and never past a NUL. */
	buf_init(&b);
	escape_slack_mrkdwn(&b, "<<<", 2);
	ASSERT_STR_EQ(b.data, "&lt;&lt;");
	buf_clear(&b);
	escape_slack_mrkdwn(&b, "ab\0cd", 5);
	ASSERT_STR_EQ(b.data, "ab");
	buf_release(&b);
}

TEST(slack_mrkdwn_fit_counts_the_escapes)
{
	ASSERT_INT_EQ(escape_slack_mrkdwn_fit("", 0, 10), 0);
	ASSERT_INT_EQ(escape_slack_mrkdwn_fit("abc", 3, 10), 3);
	ASSERT_INT_EQ(escape_slack_mrkdwn_fit("abc", 3, 3), 3);
	ASSERT_INT_EQ(escape_slack_mrkdwn_fit("ab\0cd", 5, 10), 2);
	ASSERT_INT_EQ(escape_slack_mrkdwn_fit("x", 1, 0), 0);
	/* "<" takes 4 bytes, "&" 5. */
	ASSERT_INT_EQ(escape_slack_mrkdwn_fit("<<<", 3, 8), 2);
	ASSERT_INT_EQ(escape_slack_mrkdwn_fit("<<<", 3, 11), 2);
	ASSERT_INT_EQ(escape_slack_mrkdwn_fit("&", 1, 4), 0);
	ASSERT_INT_EQ(escape_slack_mrkdwn_fit("&", 1, 5), 1);
	/* Cut after the last newline in reach. */
	ASSERT_INT_EQ(escape_slack_mrkdwn_fit("ab\ncdef", 7, 5), 3);
	/* Never inside a UTF-8 sequence: "a", then a 2- or 3-byte one. */
	ASSERT_INT_EQ(escape_slack_mrkdwn_fit("a\xc3\xa9", 3, 2), 1);
	ASSERT_INT_EQ(escape_slack_mrkdwn_fit("a\xe2\x9c\x93z", 5, 3), 1);
	ASSERT_INT_EQ(escape_slack_mrkdwn_fit("a\xe2\x9c\x93z", 5, 4), 4);
}

TEST(markdown_url_encodes_what_ends_a_link)
{
	static const struct esc_case cases[] = {
		{ escape_markdown_url, "", "" },
		{ escape_markdown_url, "https://wiki/x?a=1&b=2#f",
		    "https://wiki/x?a=1&b=2#f" },
		{ escape_markdown_url, "https://w/a b(c)[d]<e>",
		    "https://w/a%20b%28c%29%5Bd%5D%3Ce%3E" },
		{ escape_markdown_url, "https://w/caf\xc3\xa9\"'\\",
		    "https://w/caf\xc3\xa9\"'\\" },
	};

	CHECK_CASES(cases);
}

TEST(url_component_keeps_only_unreserved)
{
	static const struct esc_case cases[] = {
		{ escape_url_component, "", "" },
		{ escape_url_component, "T1-a_b9", "T1-a_b9" },
		{ escape_url_component, "a b/c&d=e?", "a%20b%2Fc%26d%3De%3F" },
		{ escape_url_component, ".~%+\n\"\\", "%2E%7E%25%2B%0A%22%5C" },
		{ escape_url_component, "caf\xc3\xa9", "caf%C3%A9" },
	};

	CHECK_CASES(cases);
}

TEST(html_escapes_markup_and_quotes)
{
	static const struct esc_case cases[] = {
		{ escape_html, "", "" },
		{ escape_html, "disk /var 91%", "disk /var 91%" },
		{ escape_html, "<script>alert(1)</script>",
		    "&lt;script&gt;alert(1)&lt;/script&gt;" },
		{ escape_html, "\"><img src=x onerror=alert(1)>",
		    "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;" },
		{ escape_html, "a&b 'c' &amp;", "a&amp;b &#39;c&#39; &amp;amp;" },
		{ escape_html, "t\tl\nr\r\x01\x1b[31m\x7f",
		    "t\tl\nr\r[31m" },
		{ escape_html, "caf\xc3\xa9", "caf\xc3\xa9" },
	};

	CHECK_CASES(cases);
}

/* A runbook's file name in /runbooks/FILE: readable, never "..". */
TEST(url_segment_keeps_a_file_name)
{
	static const struct esc_case cases[] = {
		{ escape_url_segment, "", "" },
		{ escape_url_segment, "disk-full_2.md~", "disk-full_2.md~" },
		{ escape_url_segment, "a b/c?#%", "a%20b%2Fc%3F%23%25" },
		{ escape_url_segment, "..", "%2E%2E" },
		{ escape_url_segment, ".", "%2E" },
		{ escape_url_segment, "...md", "...md" },
		{ escape_url_segment, "caf\xc3\xa9.md", "caf%C3%A9.md" },
	};

	CHECK_CASES(cases);
}

TEST(mattermost_text_defuses_channel_wide_mentions)
{
#define ZW "\xe2\x80\x8b"
	static const struct esc_case cases[] = {
		{ escape_mattermost_text, "", "" },
		{ escape_mattermost_text, "@here", "@" ZW "here" },
		{ escape_mattermost_text, "x @CHANNEL: y @All.", "x @" ZW
		    "CHANNEL: y @" ZW "All." },
		{ escape_mattermost_text, "@here_ @all-", "@" ZW "here_ @" ZW
		    "all-" },
		/* Users and groups, and longer words, are left alone. */
		{ escape_mattermost_text, "@jdoe @oncall @herein @allison",
		    "@jdoe @oncall @herein @allison" },
		{ escape_mattermost_text, "@here\xc3\xa9 @", "@here\xc3\xa9 @" },
	};
#undef ZW

	CHECK_CASES(cases);
}

static const struct test tests[] = {
	TEST_ENTRY(mattermost_text_defuses_channel_wide_mentions),
	TEST_ENTRY(shquote_survives_hostile_input),
	TEST_ENTRY(shquote_exact_text),
	TEST_ENTRY(shquote_control_bytes_and_utf8),
	TEST_ENTRY(logfmt_bare_or_quoted),
	TEST_ENTRY(dquoted_reads_back_through_args),
	TEST_ENTRY(prom_label_three_escapes),
	TEST_ENTRY(slack_mrkdwn_escapes_its_three),
	TEST_ENTRY(slack_mrkdwn_fit_counts_the_escapes),
	TEST_ENTRY(markdown_url_encodes_what_ends_a_link),
	TEST_ENTRY(url_component_keeps_only_unreserved),
	TEST_ENTRY(html_escapes_markup_and_quotes),
	TEST_ENTRY(url_segment_keeps_a_file_name),
	TEST_END
};

int
main(int argc, char **argv)
{
	return test_run(tests, argc, argv);
}

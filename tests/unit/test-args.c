/* The tokenizer, the option parser and durations (bot/util/args.c). */

#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "test.h"

/* Splits s, asserting success; returns the words joined by '|'. */
static char *
split_ok(const char *s, size_t len, int *argc)
{
	static char	 out[8192];
	struct words	 w;
	char		*cause = NULL;
	int		 i;

	if (args_split(s, len, &w, &cause) != 0)
		TEST_FAIL("args_split(\"%s\") failed: %s", s, cause);
	out[0] = '\0';
	for (i = 0; i < w.argc; i++) {
		if (i > 0)
			strcat(out, "|");
		strcat(out, w.argv[i]);
	}
	ASSERT_NULL(w.argv[w.argc]);
	*argc = w.argc;
	words_free(&w);
	return out;
}

#define SPLIT(s, expect, n) do {					\
	int _n;								\
	ASSERT_STR_EQ(split_ok(s, strlen(s), &_n), expect);		\
	ASSERT_INT_EQ(_n, n);						\
} while (0)

static void
split_fails(const char *s, size_t len, const char *msg)
{
	struct words	 w;
	char		*cause = NULL;

	if (args_split(s, len, &w, &cause) == 0)
		TEST_FAIL("args_split accepted input that should fail: %s",
		    msg);
	ASSERT_INT_EQ(w.argc, 0);
	ASSERT_NULL(w.argv);
	ASSERT_STR_EQ(cause, msg);
	free(cause);
}

TEST(split_plain)
{
	SPLIT("/health prod-db", "/health|prod-db", 2);
	SPLIT("  /logs\tapp   web-1  ", "/logs|app|web-1", 3);
	SPLIT("a\r\nb", "a|b", 2);
}

TEST(split_empty)
{
	SPLIT("", "", 0);
	SPLIT("   \t ", "", 0);
	SPLIT("''", "", 1);
	SPLIT("\"\"", "", 1);
}

TEST(split_quotes)
{
	SPLIT("/logs web app \"connection refused\"",
	    "/logs|web|app|connection refused", 4);
	SPLIT("say 'it''s'", "say|its", 2);
	SPLIT("a 'x \"y\" z'", "a|x \"y\" z", 2);
	SPLIT("a \"x \\\"y\\\" \\\\ z\"", "a|x \"y\" \\ z", 2);
	SPLIT("a \"$(rm -rf /)\"", "a|$(rm -rf /)", 2);
	SPLIT("pre\"mid dle\"post", "premid dlepost", 1);
	/* Inside double quotes a backslash before other chars is literal. */
	SPLIT("\"a\\nb\"", "a\\nb", 1);
}

TEST(split_smart_quotes)
{
	/* Chat clients turn "..." into “...” and '...' into ‘...’. */
	SPLIT("/logs web app \xe2\x80\x9c" "disk full" "\xe2\x80\x9d",
	    "/logs|web|app|disk full", 4);
	SPLIT("x \xe2\x80\x98" "a b" "\xe2\x80\x99", "x|a b", 2);
}

TEST(split_escapes)
{
	SPLIT("a\\ b c", "a b|c", 2);
	SPLIT("\\'x", "'x", 1);
	SPLIT("\\\xc3\xa9t\xc3\xa9", "\xc3\xa9t\xc3\xa9", 1);
	split_fails("abc \\", 5, "command ends with a lone backslash");
}

TEST(split_unicode)
{
	SPLIT("/logs h\xc3\xb4te \xe6\x97\xa5\xe5\xbf\x97 \xf0\x9f\x94\xa5",
	    "/logs|h\xc3\xb4te|\xe6\x97\xa5\xe5\xbf\x97|\xf0\x9f\x94\xa5", 4);
}

TEST(split_rejects)
{
	char	 big[ARGS_MAX_INPUT + 2];

	split_fails("a\0b", 3, "command contains a NUL byte at byte 2");
	split_fails("a\x1b[31m", 6, "command contains a control character "
	    "(0x1b) at byte 2");
	split_fails("a\x7f", 2, "command contains a control character (0x7f) "
	    "at byte 2");
	split_fails("ab\xff", 3, "command is not valid UTF-8 (at byte 3)");
	split_fails("\xc3", 1, "command is not valid UTF-8 (at byte 1)");
	/* Overlong encoding of '/' and a UTF-16 surrogate. */
	split_fails("\xc0\xaf", 2, "command is not valid UTF-8 (at byte 1)");
	split_fails("\xed\xa0\x80", 3, "command is not valid UTF-8 (at byte 1)");
	split_fails("say \"hello", 10, "unclosed quote starting at byte 5");
	split_fails("say 'hello", 10, "unclosed quote starting at byte 5");

	memset(big, 'a', sizeof big);
	split_fails(big, ARGS_MAX_INPUT + 1, "command is too long (4097 bytes; "
	    "the limit is 4096)");
	/* Exactly at the limit is fine. */
	{
		struct words	 w;
		char		*cause = NULL;

		ASSERT_INT_EQ(args_split(big, ARGS_MAX_INPUT, &w, &cause), 0);
		ASSERT_INT_EQ(w.argc, 1);
		words_free(&w);
	}
}

TEST(split_too_many_words)
{
	char	 s[ARGS_MAX_WORDS * 2 + 4];
	int	 i;

	for (i = 0; i < ARGS_MAX_WORDS + 1; i++) {
		s[i * 2] = 'x';
		s[i * 2 + 1] = ' ';
	}
	s[(ARGS_MAX_WORDS + 1) * 2] = '\0';
	split_fails(s, strlen(s), "too many words (the limit is 64)");
	s[ARGS_MAX_WORDS * 2] = '\0';
	SPLIT(s, "x|x|x|x|x|x|x|x|x|x|x|x|x|x|x|x|x|x|x|x|x|x|x|x|x|x|x|x|x|x"
	    "|x|x|x|x|x|x|x|x|x|x|x|x|x|x|x|x|x|x|x|x|x|x|x|x|x|x|x|x|x|x|x"
	    "|x|x|x", ARGS_MAX_WORDS);
}

static const struct arg_option logs_options[] = {
	{ "lines", ARG_INT, "how many lines" },
	{ "since", ARG_DURATION, "how far back" },
	{ "user", ARG_STRING, "whose" },
	{ "confirm", ARG_BOOL, "go ahead" },
	{ NULL, 0, NULL },
};

static const struct arg_spec logs_spec = { logs_options, 2, 3 };

/* Parses s against spec; returns 0 or -1 with *cause. */
static int
parse(const struct arg_spec *spec, const char *s, struct words *w,
    struct args *a, char **cause)
{
	char	*c = NULL;

	if (args_split(s, strlen(s), w, &c) != 0)
		TEST_FAIL("split: %s", c);
	return args_parse(spec, w, a, cause);
}

TEST(parse_options)
{
	struct words	 w;
	struct args	 a;
	char		*cause = NULL;

	ASSERT_INT_EQ(parse(&logs_spec, "/logs web app --lines 50 "
	    "--since=2h --user alice --confirm ERROR", &w, &a, &cause), 0);
	ASSERT_INT_EQ(a.npos, 3);
	ASSERT_STR_EQ(args_pos(&a, 0), "web");
	ASSERT_STR_EQ(args_pos(&a, 2), "ERROR");
	ASSERT_NULL(args_pos(&a, 3));
	ASSERT_NULL(args_pos(&a, -1));
	ASSERT_INT_EQ(args_get_num(&a, "lines", 0), 50);
	ASSERT_INT_EQ(args_get_num(&a, "since", 0), 7200);
	ASSERT_STR_EQ(args_get(&a, "since"), "2h");
	ASSERT_STR_EQ(args_get(&a, "user"), "alice");
	ASSERT(args_has(&a, "confirm"));
	ASSERT(!args_has(&a, "nosuch"));
	args_free(&a);
	words_free(&w);

	/* Defaults when absent. */
	ASSERT_INT_EQ(parse(&logs_spec, "/logs web app", &w, &a, &cause), 0);
	ASSERT_INT_EQ(args_get_num(&a, "lines", 20), 20);
	ASSERT(!args_has(&a, "confirm"));
	ASSERT_NULL(args_get(&a, "user"));
	args_free(&a);
	words_free(&w);
}

TEST(parse_double_dash_and_dashes)
{
	struct words	 w;
	struct args	 a;
	char		*cause = NULL;

	/* After "--", "--lines" is a pattern, not an option. */
	ASSERT_INT_EQ(parse(&logs_spec, "/logs web app -- --lines", &w, &a,
	    &cause), 0);
	ASSERT_STR_EQ(args_pos(&a, 2), "--lines");
	ASSERT(!args_has(&a, "lines"));
	args_free(&a);
	words_free(&w);

	/* Chat clients turn "--" into an em dash. */
	ASSERT_INT_EQ(parse(&logs_spec, "/logs web app \xe2\x80\x94lines 7",
	    &w, &a, &cause), 0);
	ASSERT_INT_EQ(args_get_num(&a, "lines", 0), 7);
	args_free(&a);
	words_free(&w);

	/* A single dash word is positional (e.g. a pattern). */
	ASSERT_INT_EQ(parse(&logs_spec, "/logs web app -5", &w, &a, &cause),
	    0);
	ASSERT_STR_EQ(args_pos(&a, 2), "-5");
	args_free(&a);
	words_free(&w);
}

static void
parse_fails(const struct arg_spec *spec, const char *s, const char *msg)
{
	struct words	 w;
	struct args	 a;
	char		*cause = NULL;

	if (parse(spec, s, &w, &a, &cause) == 0)
		TEST_FAIL("args_parse accepted \"%s\"", s);
	ASSERT_STR_EQ(cause, msg);
	ASSERT_NULL(a.values);
	free(cause);
	words_free(&w);
}

TEST(parse_errors)
{
	static const struct arg_spec none = { NULL, 0, 0 };

	parse_fails(&logs_spec, "/logs web app --lnes 5", "unknown option "
	    "--lnes (options: --lines, --since, --user, --confirm)");
	parse_fails(&none, "/status --verbose", "unknown option --verbose "
	    "(this command takes no options)");
	parse_fails(&none, "/status now", "unexpected argument \"now\" (this "
	    "command takes none)");
	parse_fails(&logs_spec, "/logs web", "missing argument (needs 2, got "
	    "1)");
	parse_fails(&logs_spec, "/logs a b c d", "too many arguments (at most "
	    "3, got 4)");
	parse_fails(&logs_spec, "/logs a b --lines", "option --lines needs a "
	    "value");
	parse_fails(&logs_spec, "/logs a b --lines ten", "option --lines: "
	    "expected a whole number 0-1000000000, got \"ten\"");
	parse_fails(&logs_spec, "/logs a b --lines=-1", "option --lines: "
	    "expected a whole number 0-1000000000, got \"-1\"");
	parse_fails(&logs_spec, "/logs a b --lines 99999999999", "option "
	    "--lines: expected a whole number 0-1000000000, got "
	    "\"99999999999\"");
	parse_fails(&logs_spec, "/logs a b --since 15", "option --since: "
	    "expected a duration like 30s, 15m, 2h or 1d, got \"15\"");
	parse_fails(&logs_spec, "/logs a b --confirm=yes", "option --confirm "
	    "takes no value");
}

static void
duration_ok(const char *s, long long secs)
{
	int64_t	 v = -1;
	char	*cause = NULL;

	if (duration_parse(s, &v, &cause) != 0)
		TEST_FAIL("duration_parse(\"%s\"): %s", s, cause);
	ASSERT_INT_EQ(v, secs);
}

static void
duration_bad(const char *s, const char *msg)
{
	int64_t	 v = -1;
	char	*cause = NULL;

	ASSERT_INT_EQ(duration_parse(s, &v, &cause), -1);
	ASSERT_STR_EQ(cause, msg);
	ASSERT_INT_EQ(v, -1);
	free(cause);
}

TEST(durations)
{
	char	 out[32];

	duration_ok("30s", 30);
	duration_ok("15m", 900);
	duration_ok("2h", 7200);
	duration_ok("1d", 86400);
	duration_ok("1w", 604800);
	duration_ok("1h30m", 5400);
	duration_ok("366d", 366 * 86400);
	duration_bad("", "expected a duration like 30s, 15m, 2h or 1d, got "
	    "\"\"");
	duration_bad("15", "expected a duration like 30s, 15m, 2h or 1d, got "
	    "\"15\"");
	duration_bad("m", "expected a duration like 30s, 15m, 2h or 1d, got "
	    "\"m\"");
	duration_bad("5x", "expected a duration like 30s, 15m, 2h or 1d, got "
	    "\"5x\"");
	duration_bad("-5m", "expected a duration like 30s, 15m, 2h or 1d, got "
	    "\"-5m\"");
	duration_bad("0s", "duration \"0s\" is zero");
	duration_bad("367d", "duration \"367d\" is too long (at most 366d)");
	duration_bad("99999999999999999999s", "duration "
	    "\"99999999999999999999s\" is too long (at most 366d)");

	duration_format(5400, out, sizeof out);
	ASSERT_STR_EQ(out, "1h30m");
	duration_format(90061, out, sizeof out);
	ASSERT_STR_EQ(out, "1d1h1m1s");
	duration_format(0, out, sizeof out);
	ASSERT_STR_EQ(out, "0s");
	duration_format(90061, out, 4);
	ASSERT_STR_EQ(out, "1d");
}

static const struct test tests[] = {
	TEST_ENTRY(split_plain),
	TEST_ENTRY(split_empty),
	TEST_ENTRY(split_quotes),
	TEST_ENTRY(split_smart_quotes),
	TEST_ENTRY(split_escapes),
	TEST_ENTRY(split_unicode),
	TEST_ENTRY(split_rejects),
	TEST_ENTRY(split_too_many_words),
	TEST_ENTRY(parse_options),
	TEST_ENTRY(parse_double_dash_and_dashes),
	TEST_ENTRY(parse_errors),
	TEST_ENTRY(durations),
	TEST_END
};

int
main(int argc, char **argv)
{
	return test_run(tests, argc, argv);
}

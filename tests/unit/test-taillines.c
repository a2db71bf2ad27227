/* The live tail's window: lines, trim, redaction, floods, the budget. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tail_lines.h"
#include "test.h"
#include "xmalloc.h"

TEST(lines_split_across_feeds)
{
	struct tail_lines	 t;
	char			*s;

	tail_lines_init(&t, 10);
	ASSERT(!tail_lines_changed(&t));
	s = tail_lines_render(&t, 4000);
	ASSERT_STR_EQ(s, "");
	free(s);
	tail_lines_feed(&t, "one\ntw", 6);
	tail_lines_feed(&t, "o\r\nthr", 6);
	ASSERT(tail_lines_changed(&t));
	s = tail_lines_render(&t, 4000);
	ASSERT_STR_EQ(s, "one\ntwo\n");
	free(s);
	ASSERT(!tail_lines_changed(&t));
	tail_lines_finish(&t);
	s = tail_lines_render(&t, 4000);
	ASSERT_STR_EQ(s, "one\ntwo\nthr\n");
	free(s);
	tail_lines_release(&t);
}

TEST(window_keeps_the_newest_and_counts_the_flood)
{
	struct tail_lines	 t;
	char			 line[32], *s;
	int			 i;

	tail_lines_init(&t, 3);
	for (i = 1; i <= 1237; i++) {
		snprintf(line, sizeof line, "line %d\n", i);
		tail_lines_feed(&t, line, strlen(line));
	}
	s = tail_lines_render(&t, 4000);
	ASSERT_STR_EQ(s, "… 1,234 lines skipped\nline 1235\nline 1236\n"
	    "line 1237\n");
	free(s);
	/* Shown lines pushed out later are not skipped ones. */
	tail_lines_feed(&t, "a\nb\n", 4);
	s = tail_lines_render(&t, 4000);
	ASSERT_STR_EQ(s, "… 1,234 lines skipped\nline 1237\na\nb\n");
	free(s);
	tail_lines_feed(&t, "c\nd\ne\nf\n", 8);
	s = tail_lines_render(&t, 4000);
	ASSERT_STR_EQ(s, "… 1,235 lines skipped\nd\ne\nf\n");
	free(s);
	tail_lines_release(&t);
}

TEST(secrets_are_redacted_and_controls_replaced)
{
	struct tail_lines	 t;
	const char		*in = "login user=bob password=hunter2\n"
	    "Authorization: Bearer abc.def.ghi\nbell\a\x1b[31mred\n";
	char			*s;

	tail_lines_init(&t, 10);
	tail_lines_feed(&t, in, strlen(in));
	s = tail_lines_render(&t, 4000);
	ASSERT(strstr(s, "hunter2") == NULL);
	ASSERT(strstr(s, "abc.def.ghi") == NULL);
	ASSERT_CONTAINS(s, "login user=bob password=");
	ASSERT_CONTAINS(s, "bell??[31mred\n");
	free(s);
	tail_lines_release(&t);
}

TEST(long_lines_are_cut_after_redaction)
{
	struct tail_lines	 t;
	struct buf		 b;
	char			*s;
	int			 i;

	buf_init(&b);
	for (i = 0; i < 390; i++)
		buf_addc(&b, 'x');
	/* The secret straddles the cut: redacted whole, never half shown. */
	buf_adds(&b, " password=supersecretvalue tail\n");
	tail_lines_init(&t, 10);
	tail_lines_feed(&t, b.data, b.len);
	s = tail_lines_render(&t, 4000);
	ASSERT(strstr(s, "supers") == NULL);
	ASSERT(strlen(s) <= TAIL_LINE_MAX + strlen("…\n"));
	ASSERT_CONTAINS(s, "…\n");
	free(s);
	/* A line that never ends is shown in pieces, not held forever. */
	buf_clear(&b);
	for (i = 0; i < 10000; i++)
		buf_addc(&b, 'y');
	tail_lines_feed(&t, b.data, b.len);
	ASSERT(tail_lines_changed(&t));
	ASSERT(t.partial.len < 10000);
	free(tail_lines_render(&t, 100000));
	tail_lines_release(&t);
	buf_release(&b);
}

TEST(byte_budget_keeps_the_newest_and_counts_the_rest)
{
	struct tail_lines	 t;
	char			 line[128], *s;
	int			 i;

	tail_lines_init(&t, 30);
	for (i = 1; i <= 30; i++) {
		snprintf(line, sizeof line, "%02d %090d\n", i, 0);
		tail_lines_feed(&t, line, strlen(line));
	}
	/* 94 bytes a line: a 1000-byte budget holds 10 of them. */
	s = tail_lines_render(&t, 1000);
	ASSERT(strlen(s) <= 1000);
	ASSERT_CONTAINS(s, "… 20 lines skipped\n");
	ASSERT(strstr(s, "\n30 ") != NULL);
	ASSERT(strstr(s, "\n20 ") == NULL);
	free(s);
	tail_lines_release(&t);
}

TEST(counts_have_separators)
{
	char	 out[32];

	ASSERT_STR_EQ(tail_lines_count(0, out, sizeof out), "0");
	ASSERT_STR_EQ(tail_lines_count(999, out, sizeof out), "999");
	ASSERT_STR_EQ(tail_lines_count(1234, out, sizeof out), "1,234");
	ASSERT_STR_EQ(tail_lines_count(1234567, out, sizeof out),
	    "1,234,567");
}

static const struct test tests[] = {
	TEST_ENTRY(lines_split_across_feeds),
	TEST_ENTRY(window_keeps_the_newest_and_counts_the_flood),
	TEST_ENTRY(secrets_are_redacted_and_controls_replaced),
	TEST_ENTRY(long_lines_are_cut_after_redaction),
	TEST_ENTRY(byte_budget_keeps_the_newest_and_counts_the_rest),
	TEST_ENTRY(counts_have_separators),
	TEST_END
};

int
main(int argc, char **argv)
{
	return test_run(tests, argc, argv);
}

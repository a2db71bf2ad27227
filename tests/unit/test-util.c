/* Small modules: suggest, buf, log (logfmt and redaction), clock. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "civil.h"
#include "clock.h"
#include "httpd.h"
#include "log.h"
#include "suggest.h"
#include "test.h"
#include "xmalloc.h"

TEST(suggest_distances)
{
	ASSERT_INT_EQ(suggest_distance("health", "health"), 0);
	ASSERT_INT_EQ(suggest_distance("helth", "health"), 1);
	ASSERT_INT_EQ(suggest_distance("stauts", "status"), 1);	/* swap */
	ASSERT_INT_EQ(suggest_distance("", "abc"), 3);
	ASSERT_INT_EQ(suggest_distance("kitten", "sitting"), 3);
}

TEST(suggest_picks)
{
	static const char *const cmds[] = { "health", "help", "status",
	    "whoami", "disk", NULL };

	ASSERT_STR_EQ(suggest_pick("helth", cmds), "health");
	ASSERT_STR_EQ(suggest_pick("hlep", cmds), "help");
	ASSERT_STR_EQ(suggest_pick("stauts", cmds), "status");
	ASSERT_STR_EQ(suggest_pick("dsk", cmds), "disk");
	/* Too far from anything: no guess. */
	ASSERT_NULL(suggest_pick("reboot", cmds));
	ASSERT_NULL(suggest_pick("x", cmds));
}

TEST(buf_grows)
{
	struct buf	 b;
	char		*s;
	int		 i;

	buf_init(&b);
	ASSERT_STR_EQ(b.data, "");
	for (i = 0; i < 1000; i++)
		buf_addf(&b, "%d,", i % 10);
	ASSERT_INT_EQ(b.len, 2000);
	ASSERT_INT_EQ(strlen(b.data), 2000);
	buf_clear(&b);
	ASSERT_STR_EQ(b.data, "");
	buf_adds(&b, "ab");
	buf_addc(&b, 'c');
	buf_add(&b, "def", 2);
	ASSERT_STR_EQ(b.data, "abcde");
	/*
	 * "%s" alone is added, not formatted; the rest are formatted in
	 * the room there is, or again once grown: all must read the same.
	 */
	buf_addf(&b, "%s", "fg");
	buf_addf(&b, "%s%s", "h", "");
	buf_addf(&b, "%.3s|%5d", "ijklm", 42);
	ASSERT_STR_EQ(b.data, "abcdefghijk|   42");
	ASSERT_INT_EQ(b.len, strlen(b.data));
	buf_clear(&b);
	for (i = 0; i < 200; i++)
		buf_addf(&b, "%s-%03d;", "word", i);
	ASSERT_INT_EQ(b.len, 200 * 9);
	ASSERT(strncmp(b.data + 199 * 9, "word-199;", 9) == 0);
	buf_clear(&b);
	buf_adds(&b, "abcde");
	s = buf_detach(&b);
	ASSERT_STR_EQ(s, "abcde");
	ASSERT_INT_EQ(b.len, 0);
	free(s);
	s = buf_detach(&b);
	ASSERT_STR_EQ(s, "");
	free(s);
	buf_release(&b);
}

static char *
slurp(const char *path)
{
	FILE		*f = fopen(path, "r");
	struct buf	 b;
	char		 chunk[512];
	size_t		 n;

	ASSERT_NOT_NULL(f);
	buf_init(&b);
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_add(&b, chunk, n);
	fclose(f);
	return buf_detach(&b);
}

TEST(log_logfmt_and_redaction)
{
	char	 path[512];
	char	*text;

	snprintf(path, sizeof path, "%s/test.log", test_tmpdir());
	clock_fake_set(1795305600123LL);	/* 2026-11-22T00:00:00.123Z */
	ASSERT_INT_EQ(log_open_file(path), 0);
	log_set_level(LOG_INFO);
	log_add_secret("xoxb-123-secret");
	log_add_secret("ab");			/* too short to redact */
	log_info("store", "opened \"x\"\nnext");
	log_debug("store", "hidden at info");
	log_warn("slack", "token xoxb-123-secret refused; ab ok");
	log_close();
	clock_use_real();
	text = slurp(path);
	ASSERT_STR_EQ(text,
	    "ts=2026-11-22T00:00:00.123Z level=info comp=store "
	    "msg=\"opened \\\"x\\\"\\nnext\"\n"
	    "ts=2026-11-22T00:00:00.123Z level=warn comp=slack "
	    "msg=\"token [REDACTED] refused; ab ok\"\n");
	free(text);
}

TEST(log_redact_many)
{
	char	*s;

	log_add_secret("s3cret-one");
	log_add_secret("tok-two-xyz");
	s = log_redact("a s3cret-one b tok-two-xyz c s3cret-one");
	ASSERT_STR_EQ(s, "a [REDACTED] b [REDACTED] c [REDACTED]");
	free(s);
	log_clear_secrets();
	s = log_redact("a s3cret-one");
	ASSERT_STR_EQ(s, "a s3cret-one");
	free(s);
}

TEST(log_levels)
{
	enum log_level	 l;

	ASSERT_INT_EQ(log_level_parse("warn", &l), 0);
	ASSERT_INT_EQ(l, LOG_WARN);
	ASSERT_INT_EQ(log_level_parse("verbose", &l), -1);
	ASSERT_STR_EQ(log_level_name(LOG_ERROR), "error");
}

TEST(clock_fake)
{
	int64_t	 real = clock_now_ms();

	ASSERT(real > 1700000000000LL);
	clock_fake_set(1000);
	ASSERT(clock_is_fake());
	ASSERT_INT_EQ(clock_now_ms(), 1000);
	ASSERT_INT_EQ(clock_mono_ms(), 0);
	clock_fake_advance(2500);
	ASSERT_INT_EQ(clock_now_ms(), 3500);
	ASSERT_INT_EQ(clock_mono_ms(), 2500);
	clock_use_real();
	ASSERT(!clock_is_fake());
	ASSERT(clock_now_ms() >= real);
}

TEST(xasprintf_formats)
{
	char	*s;

	ASSERT_INT_EQ(xasprintf(&s, "%s-%d", "a", 7), 3);
	ASSERT_STR_EQ(s, "a-7");
	free(s);
	s = xstrndup("abcdef", 3);
	ASSERT_STR_EQ(s, "abc");
	free(s);
}

/* The one civil-date module: known days, leap rules, a round trip. */
TEST(civil_dates)
{
	int64_t	 y, day;
	int	 m, d;

	ASSERT_INT_EQ(civil_days_from(1970, 1, 1), 0);
	ASSERT_INT_EQ(civil_days_from(2000, 3, 1), 11017);
	ASSERT_INT_EQ(civil_days_from(1969, 12, 31), -1);
	ASSERT_INT_EQ(civil_days_from(2026, 12, 4), 20791);
	ASSERT_INT_EQ(civil_days_in_month(2024, 2), 29);
	ASSERT_INT_EQ(civil_days_in_month(1900, 2), 28);
	ASSERT_INT_EQ(civil_days_in_month(2000, 2), 29);
	ASSERT_INT_EQ(civil_floor_div(-1, 86400), -1);
	for (day = -800000; day <= 800000; day += 997) {
		civil_from_days(day, &y, &m, &d);
		ASSERT_INT_EQ(civil_days_from(y, m, d), day);
	}
	civil_from_days(-1, &y, &m, &d);
	ASSERT_INT_EQ(y * 10000 + m * 100 + d, 19691231);
}

TEST(form_fields_and_tokens)
{
	const char	*body = "token=abc%2Fdef&text=health+prod-db&empty=&"
	    "command=%2Fopsbot&bad=%zz&tail=%4";
	char		*v;

	v = httpd_form_get(body, "token");
	ASSERT_STR_EQ(v, "abc/def");
	free(v);
	v = httpd_form_get(body, "text");
	ASSERT_STR_EQ(v, "health prod-db");
	free(v);
	v = httpd_form_get(body, "empty");
	ASSERT_STR_EQ(v, "");
	free(v);
	v = httpd_form_get(body, "command");
	ASSERT_STR_EQ(v, "/opsbot");
	free(v);
	/* Broken escapes stay as they are; a prefix is not a match. */
	v = httpd_form_get(body, "bad");
	ASSERT_STR_EQ(v, "%zz");
	free(v);
	v = httpd_form_get(body, "tail");
	ASSERT_STR_EQ(v, "%4");
	free(v);
	ASSERT_NULL(httpd_form_get(body, "tok"));
	ASSERT_NULL(httpd_form_get("", "token"));
	ASSERT(httpd_token_equal("s3cret-token", "s3cret-token"));
	ASSERT(!httpd_token_equal("s3cret-tokeN", "s3cret-token"));
	ASSERT(!httpd_token_equal("s3cret", "s3cret-token"));
	ASSERT(!httpd_token_equal("s3cret-token-and-more", "s3cret-token"));
	ASSERT(!httpd_token_equal("", ""));
	/* A token then a NUL is not the token: %00 is not decoded. */
	v = httpd_form_get("token=cmdtok%00junk", "token");
	ASSERT_STR_EQ(v, "cmdtok%00junk");
	ASSERT(!httpd_token_equal(v, "cmdtok"));
	free(v);
	v = httpd_form_get("token=cmdtok%00", "token");
	ASSERT(!httpd_token_equal(v, "cmdtok"));
	free(v);
}

/* Whether the text s (NUL-terminated here) holds a NUL, raw or escaped. */
static int
has_nul(const char *s)
{
	return httpd_json_has_nul(s, strlen(s));
}

TEST(json_nul_raw_or_escaped)
{
	static const char	 raw[] = "{\"token\":\"tok\0junk\"}";

	ASSERT(has_nul("{\"token\":\"tok\\u0000junk\"}"));
	ASSERT(httpd_json_has_nul(raw, sizeof raw - 1));
	ASSERT(!has_nul("{\"token\":\"tok\\u0041\"}"));
	/* An escaped backslash then "u0000" is text, not a NUL. */
	ASSERT(!has_nul("{\"a\":\"\\\\u0000\"}"));
	ASSERT(!has_nul("{\"a\":\"x\\\"u0000\"}"));
	ASSERT(!has_nul(""));
}

static const struct test tests[] = {
	TEST_ENTRY(form_fields_and_tokens),
	TEST_ENTRY(json_nul_raw_or_escaped),
	TEST_ENTRY(civil_dates),
	TEST_ENTRY(suggest_distances),
	TEST_ENTRY(suggest_picks),
	TEST_ENTRY(buf_grows),
	TEST_ENTRY(log_logfmt_and_redaction),
	TEST_ENTRY(log_redact_many),
	TEST_ENTRY(log_levels),
	TEST_ENTRY(clock_fake),
	TEST_ENTRY(xasprintf_formats),
	TEST_END
};

int
main(int argc, char **argv)
{
	return test_run(tests, argc, argv);
}

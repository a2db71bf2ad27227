/* Log lines a machine can read: logfmt fields and JSON lines. */

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "clock.h"
#include "log.h"
#include "log_format.h"
#include "test.h"

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

TEST(logfmt_values_bare_or_quoted)
{
	static const char *const kv[] = { "user", "U0456", "channel",
	    "#ops alerts", "command", "a=b", "outcome", "say \"hi\"\\\n",
	    "empty", "", "none", NULL };
	struct buf	 b;

	buf_init(&b);
	log_format_line(&b, 0, "T", "info", "dispatch", "command answered",
	    kv, sizeof kv / sizeof kv[0]);
	ASSERT_STR_EQ(b.data, "ts=T level=info comp=dispatch msg=\"command "
	    "answered\" user=U0456 channel=\"#ops alerts\" command=\"a=b\" "
	    "outcome=\"say \\\"hi\\\"\\\\\\n\" empty=\"\" none=-\n");
	buf_release(&b);
}

TEST(json_lines_escaped_by_cjson)
{
	static const char *const kv[] = { "user", "U\"04\n56", "ms", "12" };
	struct buf	 b;
	cJSON		*o;

	buf_init(&b);
	log_format_line(&b, 1, "T", "warn", "dispatch", "a \"quoted\"\tmsg",
	    kv, 4);
	ASSERT(b.len > 0 && b.data[b.len - 1] == '\n');
	ASSERT(strchr(b.data, '\n') == b.data + b.len - 1);
	o = cJSON_Parse(b.data);
	ASSERT_NOT_NULL(o);
	ASSERT_STR_EQ(cJSON_GetObjectItem(o, "ts")->valuestring, "T");
	ASSERT_STR_EQ(cJSON_GetObjectItem(o, "level")->valuestring, "warn");
	ASSERT_STR_EQ(cJSON_GetObjectItem(o, "comp")->valuestring, "dispatch");
	ASSERT_STR_EQ(cJSON_GetObjectItem(o, "msg")->valuestring,
	    "a \"quoted\"\tmsg");
	ASSERT_STR_EQ(cJSON_GetObjectItem(o, "user")->valuestring,
	    "U\"04\n56");
	ASSERT_STR_EQ(cJSON_GetObjectItem(o, "ms")->valuestring, "12");
	cJSON_Delete(o);
	buf_release(&b);
}

TEST(log_fields_redacted_in_both_formats)
{
	char	 path[512];
	char	*text;

	snprintf(path, sizeof path, "%s/fields.log", test_tmpdir());
	clock_fake_set(1795305600123LL);	/* 2026-11-22T00:00:00.123Z */
	ASSERT_INT_EQ(log_open_file(path), 0);
	log_set_level(LOG_INFO);
	log_add_secret("xoxb-123-secret");
	log_fields(LOG_INFO, "dispatch", "command answered", "user", "U0456",
	    "command", "status xoxb-123-secret", "channel", NULL, NULL);
	log_set_json(1);
	log_fields(LOG_INFO, "dispatch", "command answered", "user", "U0456",
	    "command", "xoxb-123-secret", NULL);
	log_info("store", "plain %d", 1);
	log_fields(LOG_DEBUG, "dispatch", "hidden at info", NULL);
	log_set_json(0);
	log_close();
	clock_use_real();
	text = slurp(path);
	ASSERT_STR_EQ(text,
	    "ts=2026-11-22T00:00:00.123Z level=info comp=dispatch "
	    "msg=\"command answered\" user=U0456 command=\"status "
	    "[REDACTED]\" channel=-\n"
	    "{\"ts\":\"2026-11-22T00:00:00.123Z\",\"level\":\"info\","
	    "\"comp\":\"dispatch\",\"msg\":\"command answered\","
	    "\"user\":\"U0456\",\"command\":\"[REDACTED]\"}\n"
	    "{\"ts\":\"2026-11-22T00:00:00.123Z\",\"level\":\"info\","
	    "\"comp\":\"store\",\"msg\":\"plain 1\"}\n");
	free(text);
}

static const struct test tests[] = {
	TEST_ENTRY(logfmt_values_bare_or_quoted),
	TEST_ENTRY(json_lines_escaped_by_cjson),
	TEST_ENTRY(log_fields_redacted_in_both_formats),
	TEST_END
};

int
main(int argc, char **argv)
{
	return test_run(tests, argc, argv);
}

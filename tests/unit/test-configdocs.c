/*
 * docs/config.md cannot drift from the loader: every key the loader
 * accepts (collected through config_on_keys while it reads the example
 * config and a config that has every other kind of object) has a row in
 * the docs' key tables, and every row of those tables is a key the
 * loader accepts somewhere.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "config.h"
#include "log.h"
#include "test.h"
#include "xmalloc.h"

#define DOCS	OPSBOT_SOURCE_DIR "/docs/config.md"
#define EXAMPLE	OPSBOT_SOURCE_DIR "/config/examples/opsbot.example.json"

/* What the example does not show: the other kinds of every object. */
static const char extra[] =
"{\"chat\": {\"slack\": {\"enabled\": false}, \"mattermost\": {\"enabled\":"
"  false, \"commands\": [{\"trigger\": \"health\", \"token\": \"t\"}]}},"
" \"hosts\": [{\"name\": \"f\", \"transport\": \"fixture\", \"fixture\":"
"  \"/tmp\", \"logs\": [{\"name\": \"app\", \"path\": \"/var/log/a\"}],"
"  \"services\": [{\"name\": \"s\", \"unit\": \"s.service\"}],"
"  \"jobs\": {\"names\": [\"J\"]}, \"mounts\": [{\"path\": \"/\"}],"
"  \"commands\": [{\"name\": \"c\", \"line\": \"true\"}]}],"
" \"alerts\": {\"route\": {\"routes\": [{\"match\": {\"a\": \"b\"}}]},"
"  \"sources\": {}},"
" \"checklists\": {\"all\": {\"checks\": ["
"  {\"title\": \"a\", \"kind\": \"services_running\", \"hosts\": \"f\"},"
"  {\"title\": \"b\", \"kind\": \"no_open_alerts\"},"
"  {\"title\": \"c\", \"kind\": \"jobs_status\", \"hosts\": \"f\","
"   \"jobs\": [\"J\"]},"
"  {\"title\": \"d\", \"kind\": \"file_fresh\", \"hosts\": \"f\","
"   \"path\": \"/x\", \"max_age\": \"1h\"},"
"  {\"title\": \"e\", \"kind\": \"disk_below\", \"hosts\": \"f\"},"
"  {\"title\": \"g\", \"kind\": \"command_ok\", \"hosts\": \"f\","
"   \"command\": \"c\"}]}},"
" \"schedules\": [{\"name\": \"x\", \"cron\": \"0 8 * * *\", \"run\":"
"  \"/sod\", \"channel\": \"console\"}]}";

static char	*seen_v[1024];
static struct {
	char	**v;
	size_t	  n;
} seen = { seen_v, 0 };

static void
collect(void *arg, const char *path, const char *const *keys)
{
	size_t	 i;

	for (; *keys != NULL; keys++) {
		for (i = 0; i < seen.n; i++) {
			if (strcmp(seen.v[i], *keys) == 0)
				break;
		}
		if (i == seen.n && seen.n < 1024)
			seen.v[seen.n++] = xstrdup(*keys);
	}
}

/*
 * Is key documented: in backticks in a table row or the prose around it,
 * or (an object) the last word of a heading ("#### chat.console"); a
 * "*_file" key with its base?
 */
static int
documented(const char *docs, const char *key)
{
	const char	*line, *end, *p;
	char		 tick[128], base[128];
	size_t		 n = strlen(key), tl;

	snprintf(tick, sizeof tick, "`%s`", key);
	tl = strlen(tick);
	if (strstr(docs, tick) == NULL && n > 5 &&
	    strcmp(key + n - 5, "_file") == 0) {
		snprintf(base, sizeof base, "%.*s", (int)(n - 5), key);
		return documented(docs, base);
	}
	for (line = docs; *line != '\0'; line = *end != '\0' ? end + 1 : end) {
		end = strchr(line, '\n');
		if (end == NULL)
			end = line + strlen(line);
		/* A table row, or the prose that introduces a table. */
		if (*line != '#') {
			for (p = line; (p = strstr(p, tick)) != NULL && p < end;
			    p += tl)
				return 1;
		} else if (*line == '#' && (size_t)(end - line) > n &&
		    strncmp(end - n, key, n) == 0 && (end[-n - 1] == '.' ||
		    end[-n - 1] == ' '))
			return 1;
	}
	return 0;
}

static char *
slurp(const char *path)
{
	FILE	*f = fopen(path, "r");
	char	*text;
	long	 n;

	if (f == NULL)
		TEST_FAIL("cannot open %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	text = xcalloc(1, (size_t)n + 1);
	if (fread(text, 1, (size_t)n, f) != (size_t)n)
		TEST_FAIL("cannot read %s", path);
	fclose(f);
	return text;
}

static void
load(const char *text, size_t len, const char *name)
{
	struct config	*c = NULL;
	struct buf	 errors;

	buf_init(&errors);
	/* Errors do not matter here: every object is still checked. */
	(void)config_load_text(text, len, name, &c, &errors);
	config_free(c);
	buf_release(&errors);
}

TEST(every_key_is_documented_and_every_row_is_a_key)
{
	char		*docs = slurp(DOCS), *example = slurp(EXAMPLE);
	char		*line, *save, *row;
	struct buf	 missing, stray;
	size_t		 i;
	int		 cells, rows = 0;

	config_on_keys(collect, NULL);
	load(example, strlen(example), "example");
	load(extra, strlen(extra), "extra");
	load("{}", 2, "empty");
	config_on_keys(NULL, NULL);
	ASSERT(seen.n > 100);

	buf_init(&missing);
	for (i = 0; i < seen.n; i++) {
		if (!documented(docs, seen.v[i]))
			buf_addf(&missing, " %s", seen.v[i]);
	}
	/* Rows of the key tables: | `key` | type | default | allowed | … | */
	buf_init(&stray);
	for (line = strtok_r(docs, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "| `", 3) != 0)
			continue;
		for (cells = 0, row = line; (row = strchr(row + 1, '|')) !=
		    NULL; cells++)
			;
		if (cells != 5)
			continue;
		row = line + 3;
		*strchr(row, '`') = '\0';
		rows++;
		for (i = 0; i < seen.n && strcmp(seen.v[i], row) != 0; i++)
			;
		if (i == seen.n)
			buf_addf(&stray, " %s", row);
	}
	/* Not an empty check: the key tables were found. */
	ASSERT(rows > 100);
	if (missing.len > 0 || stray.len > 0)
		TEST_FAIL("docs/config.md out of step with the loader: keys "
		    "without a row:%s; rows that are no key:%s",
		    missing.len > 0 ? missing.data : " none",
		    stray.len > 0 ? stray.data : " none");
	buf_release(&missing);
	buf_release(&stray);
	for (i = 0; i < seen.n; i++)
		free(seen.v[i]);
	seen.n = 0;
	free(docs);
	free(example);
}

static const struct test tests[] = {
	TEST_ENTRY(every_key_is_documented_and_every_row_is_a_key),
	TEST_END
};

int
main(int argc, char **argv)
{
	log_set_level(LOG_ERROR);
	return test_run(tests, argc, argv);
}

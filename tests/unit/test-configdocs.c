/*
 * docs/config.md cannot drift from the loader: every key the loader
 * accepts (collected through config_on_keys while it reads the example
 * config and a config that has every other kind of object) has a row in
 * the docs' key tables, and every row of those tables is a key the
 * loader accepts somewhere. The key tables of the sections that are
 * rows of config_table.c must also say what the rows say: the type, the
 * range, the default and the first words of the meaning, with no row
 * missing on either side.
 */

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "buf.h"
#include "config.h"
#include "config_int.h"
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
		    strncmp(end - n, key, n) == 0 &&
		    (end[-(ptrdiff_t)n - 1] == '.' ||
		    end[-(ptrdiff_t)n - 1] == ' '))
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

/* A docs table row split into its trimmed cells; false if not a row. */
struct docrow {
	char	*cells[8];
	int	 n;
};

static int
split_row(char *line, struct docrow *r)
{
	char	*p, *bar, *end;

	r->n = 0;
	if (line[0] != '|' || strncmp(line, "|---", 4) == 0)
		return 0;
	for (p = line + 1; r->n < 8 && (bar = strchr(p, '|')) != NULL;
	    p = bar + 1) {
		/* A "|" inside backticks is text, not a cell's end. */
		while (bar != NULL) {
			int	 ticks = 0;
			char	*q;

			for (q = p; q < bar; q++)
				ticks += *q == '`';
			if (ticks % 2 == 0)
				break;
			bar = strchr(bar + 1, '|');
		}
		if (bar == NULL)
			break;
		*bar = '\0';
		while (*p == ' ')
			p++;
		for (end = bar; end > p && end[-1] == ' '; end--)
			end[-1] = '\0';
		r->cells[r->n++] = p;
	}
	return r->n == 5;
}

/* Does the key cell ("`a` / `a_file`", "`a`, `b` (and `*_file`)") name key? */
static int
cell_names(const char *cell, const char *key)
{
	char	 tick[128];

	snprintf(tick, sizeof tick, "`%s`", key);
	return strstr(cell, tick) != NULL;
}

/*
 * The lines of the key table of section path: the first table after its
 * heading ("### bot", "#### chat.slack") or after the paragraph that
 * starts with it ("`alerts.checks`: ..."). NULL-terminated, in lines.
 */
static size_t
table_after(char **lines, size_t nlines, size_t i)
{
	for (; i < nlines; i++) {
		if (strncmp(lines[i], "| key |", 7) == 0)
			return i + 2;
	}
	return nlines;
}

static size_t
find_table(char **lines, size_t nlines, const char *path)
{
	size_t	 i, n = strlen(path), len;
	char	 tick[128];

	for (i = 0; i < nlines; i++) {
		len = strlen(lines[i]);
		if (lines[i][0] == '#' && len > n &&
		    strcmp(lines[i] + len - n, path) == 0 &&
		    lines[i][len - n - 1] == ' ')
			return table_after(lines, nlines, i);
	}
	/* No heading of its own: the paragraph that starts with it. */
	snprintf(tick, sizeof tick, "`%s`", path);
	for (i = 1; i < nlines; i++) {
		if (strncmp(lines[i], tick, strlen(tick)) == 0 &&
		    lines[i - 1][0] == '\0')
			return table_after(lines, nlines, i);
	}
	return nlines;
}

static const char *
type_word(const struct cfg_key *k)
{
	switch (k->type) {
	case CFG_BOOL:
		return "boolean";
	case CFG_INT:
	case CFG_SIZE:
		return "integer";
	case CFG_DOUBLE:
		return "number";
	case CFG_STRING:
		return k->flags & CFG_F_NAME ? "name" : "string";
	case CFG_ENUM:
	case CFG_WORD:
		return "string";
	case CFG_DURATION:
	case CFG_AGE:
		return "duration";
	case CFG_SECRET:
		return "string (secret)";
	case CFG_OBJECT:
		break;
	}
	return NULL;
}

/* Appends to bad what the docs row says differently from the row k. */
static void
compare_row(const char *path, const struct cfg_key *k,
    const struct docrow *r, struct buf *bad)
{
	const char	*type = r->cells[1], *def = r->cells[2];
	const char	*allowed = r->cells[3], *meaning = r->cells[4];
	const char	*want;
	char		 text[128], range[160];
	size_t		 i;

	want = type_word(k);
	if (want != NULL && strncmp(type, want, strlen(want)) != 0)
		buf_addf(bad, "\n  %s.%s: type is \"%s\" in the docs, the "
		    "table says %s", path, k->key, type, want);
	range[0] = '\0';
	if (k->type == CFG_INT || k->type == CFG_SIZE)
		snprintf(range, sizeof range, "%lld-%lld", (long long)k->min,
		    (long long)k->max);
	else if (k->type == CFG_DOUBLE)
		snprintf(range, sizeof range, "%g-%g", k->min, k->max);
	else if (k->type == CFG_DURATION && k->min > 0) {
		duration_format((int64_t)k->min, text, sizeof text);
		snprintf(range, sizeof range, "\"%s\"", text);
	}
	if (range[0] != '\0' && strstr(type, range) == NULL &&
	    strstr(allowed, range) == NULL)
		buf_addf(bad, "\n  %s.%s: the docs do not give the range %s",
		    path, k->key, range);
	for (i = 0; (k->type == CFG_ENUM || k->type == CFG_WORD) &&
	    k->words[i] != NULL; i++) {
		snprintf(text, sizeof text, "`\"%s\"`", k->words[i]);
		if (strstr(allowed, text) == NULL)
			buf_addf(bad, "\n  %s.%s: %s is not among the allowed "
			    "values in the docs", path, k->key, text);
	}
	if (k->type != CFG_OBJECT || k->doc_default != NULL) {
		want = cfg_key_default_doc(k, text, sizeof text);
		if (strncmp(def, want, strlen(want)) != 0)
			buf_addf(bad, "\n  %s.%s: default is \"%s\" in the "
			    "docs, the table says %s", path, k->key, def, want);
	}
	if (strncmp(meaning, k->doc, strlen(k->doc)) != 0)
		buf_addf(bad, "\n  %s.%s: the docs' meaning does not start "
		    "with the table's \"%s\"", path, k->key, k->doc);
}

/* Is word (from a key cell) a key of s, or the file form of a secret? */
static int
section_has(const struct cfg_section *s, const char *word)
{
	size_t	 i, n;

	if (strchr(word, '*') != NULL)
		return 1;	/* "*_file": said of the keys beside it */
	for (i = 0; i < s->nkeys; i++) {
		n = strlen(s->keys[i].key);
		if (strcmp(s->keys[i].key, word) == 0 ||
		    (s->keys[i].type == CFG_SECRET &&
		    strncmp(s->keys[i].key, word, n) == 0 &&
		    strcmp(word + n, "_file") == 0))
			return 1;
	}
	return 0;
}

/* Rows of the table at lines[at] whose keys are not rows of s. */
static void
stray_rows(char **lines, size_t nlines, size_t at,
    const struct cfg_section *s, struct buf *bad)
{
	struct docrow	 r;
	char		*copy, *p, *q;

	for (; at < nlines && lines[at][0] == '|'; at++) {
		copy = xstrdup(lines[at]);
		if (split_row(copy, &r)) {
			for (p = r.cells[0]; (p = strchr(p, '`')) != NULL;
			    p = q + 1) {
				if ((q = strchr(p + 1, '`')) == NULL)
					break;
				*q = '\0';
				if (!section_has(s, p + 1))
					buf_addf(bad, "\n  %s: the docs have a row "
					    "`%s` that no row of the table has",
					    s->path, p + 1);
			}
		}
		free(copy);
	}
}

static void
check_section(char **lines, size_t nlines, const struct cfg_section *s,
    struct buf *bad)
{
	const struct cfg_key	*k;
	struct docrow		 r;
	size_t			 at, i, j;
	char			*copy;

	for (i = 0; i < s->nkeys && s->keys[i].doc == NULL; i++)
		;
	if (i == s->nkeys)
		return;		/* no table of its own ("chat") */
	at = find_table(lines, nlines, s->path);
	if (at >= nlines) {
		buf_addf(bad, "\n  %s: no key table in the docs", s->path);
		return;
	}
	for (i = 0; i < s->nkeys; i++) {
		k = &s->keys[i];
		if (k->doc == NULL)
			continue;
		for (j = at; j < nlines && lines[j][0] == '|'; j++) {
			copy = xstrdup(lines[j]);
			if (split_row(copy, &r) && cell_names(r.cells[0],
			    k->key)) {
				compare_row(s->path, k, &r, bad);
				free(copy);
				break;
			}
			free(copy);
		}
		if (j >= nlines || lines[j][0] != '|')
			buf_addf(bad, "\n  %s.%s: no row in the docs", s->path,
			    k->key);
	}
	stray_rows(lines, nlines, at, s, bad);
}

TEST(key_tables_say_what_the_config_table_says)
{
	char		*docs = slurp(DOCS), *lines[4096], *save, *line;
	size_t		 nlines = 0, i, checked = 0;
	struct buf	 bad;

	/* Empty lines kept: a paragraph starts after one. */
	for (line = docs; line != NULL && nlines < 4096; line = save) {
		if ((save = strchr(line, '\n')) != NULL)
			*save++ = '\0';
		lines[nlines++] = line;
	}
	buf_init(&bad);
	for (i = 0; cfg_sections[i] != NULL; i++) {
		check_section(lines, nlines, cfg_sections[i], &bad);
		checked += cfg_sections[i]->nkeys;
	}
	ASSERT(checked > 60);
	if (bad.len > 0)
		TEST_FAIL("docs/config.md differs from config/config_table.c:%s",
		    bad.data);
	buf_release(&bad);
	free(docs);
}

/* The rows themselves: unique keys, defaults within their bounds. */
TEST(config_table_rows_are_consistent)
{
	const struct cfg_section	*s;
	const struct cfg_key		*k;
	size_t				 i, j, m;

	for (i = 0; (s = cfg_sections[i]) != NULL; i++) {
		ASSERT(cfg_section_find(s->path) == s);
		for (j = 0; j < s->nkeys; j++) {
			k = &s->keys[j];
			for (m = 0; m < j; m++)
				ASSERT(strcmp(s->keys[m].key, k->key) != 0);
			/* Out of bounds: "not given" (its docs say so). */
			if ((k->type == CFG_INT || k->type == CFG_SIZE ||
			    k->type == CFG_DOUBLE) && k->doc_default == NULL)
				ASSERT(k->def >= k->min && k->def <= k->max);
			if (k->type == CFG_ENUM || k->type == CFG_WORD)
				ASSERT_NOT_NULL(k->words);
			if (k->type == CFG_OBJECT)
				ASSERT(k->offset == CFG_NOFIELD);
			if (k->offset == CFG_NOFIELD)
				ASSERT(k->type == CFG_OBJECT ||
				    (k->flags & CFG_F_HAND));
			/*
			 * A section with a docs table documents every row
			 * there, but an object may have a section of its own.
			 */
			if (s->path[0] != '\0' && strcmp(s->path, "chat") != 0 &&
			    k->type != CFG_OBJECT)
				ASSERT_NOT_NULL(k->doc);
		}
	}
}

static const struct test tests[] = {
	TEST_ENTRY(every_key_is_documented_and_every_row_is_a_key),
	TEST_ENTRY(key_tables_say_what_the_config_table_says),
	TEST_ENTRY(config_table_rows_are_consistent),
	TEST_END
};

int
main(int argc, char **argv)
{
	log_set_level(LOG_ERROR);
	return test_run(tests, argc, argv);
}

/*
 * The runbook library: the indexer (new, changed, removed files), the
 * titles, the ranking of /runbook's search, and that words typed in chat
 * are never FTS5 syntax.
 */

#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "runbook_index.h"
#include "store.h"
#include "store_runbooks.h"
#include "test.h"
#include "xmalloc.h"

static char *
dir_path(const char *name)
{
	char	*p;

	xasprintf(&p, "%s/%s", test_tmpdir(), name);
	mkdir(p, 0700);
	return p;
}

static void
put_file(const char *dir, const char *name, const char *text)
{
	char	 path[1024];
	FILE	*f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	if ((f = fopen(path, "w")) == NULL)
		TEST_FAIL("cannot write %s", path);
	fputs(text, f);
	fclose(f);
}

static struct store *
open_store(const char *name)
{
	char		 path[1024];
	struct store	*s;
	char		*cause = NULL;

	snprintf(path, sizeof path, "%s/%s", test_tmpdir(), name);
	if ((s = store_open(path, &cause)) == NULL)
		TEST_FAIL("store_open: %s", cause);
	return s;
}

/* "path|path|..." of the matches, best first. */
static void
collect_cb(void *arg, const struct store_runbook *r)
{
	struct buf	*b = arg;

	buf_addf(b, "%s%s", b->len > 0 ? "|" : "", r->path);
}

static char *
search(struct store *s, const char *text, int any)
{
	struct buf	 b;
	char		*match = store_runbook_match(text, any), *cause = NULL;

	buf_init(&b);
	buf_adds(&b, "");
	if (match != NULL && store_runbook_search(s, match, 10, collect_cb,
	    &b, &cause) < 0)
		TEST_FAIL("search %s: %s", match, cause);
	free(match);
	return buf_detach(&b);
}

#define ASSERT_SEARCH(s, text, any, expect) do {			\
	char *_v = search(s, text, any);				\
	ASSERT_STR_EQ(_v, expect);					\
	free(_v);							\
} while (0)

static void
index_dir(struct store *s, const char *dir, struct runbook_stats *st)
{
	char	*cause = NULL;

	if (runbook_index(s, dir, st, &cause) != 0)
		TEST_FAIL("runbook_index: %s", cause);
}

TEST(title_is_first_heading_else_file_name)
{
	char	*t;

	t = runbook_title("intro\n## Sub\n#  Restart the gateway ##\r\n# B\n",
	    "x.md");
	ASSERT_STR_EQ(t, "Restart the gateway");
	free(t);
	t = runbook_title("#notaheading\nplain text", "nightly-batch.md");
	ASSERT_STR_EQ(t, "nightly-batch");
	free(t);
	t = runbook_title("", "empty.md");
	ASSERT_STR_EQ(t, "empty");
	free(t);
}

TEST(match_quotes_every_word)
{
	char	*m;

	m = store_runbook_match("  restart\tpay\"ment NEAR( * - col:x ", 0);
	ASSERT_STR_EQ(m, "\"restart\" \"pay\"\"ment\" \"NEAR(\" \"*\" \"-\" "
	    "\"col:x\"");
	free(m);
	m = store_runbook_match("a b", 1);
	ASSERT_STR_EQ(m, "\"a\" OR \"b\"");
	free(m);
	ASSERT_NULL(store_runbook_match(" \t ", 0));
	ASSERT_NULL(store_runbook_match("", 1));
}

/* Input that is FTS5 syntax when unquoted is searched as words. */
TEST(hostile_input_is_never_fts_syntax)
{
	static const char *const hostile[] = { "\"", "\"\"", "*", "gate*",
	    "NEAR(", "NEAR(restart gateway, 2)", "-", "-restart", ":",
	    "title:restart", "restart AND", "OR", "NOT gateway", "^restart",
	    "(restart", "restart)", "{title}: x", "+", "'", "\\", NULL };
	struct store	*s = open_store("hostile.db");
	char		*dir = dir_path("hostile"), *v;
	size_t		 i;
	int		 any;

	put_file(dir, "gw.md", "# Restart the gateway\nrestart it, AND "
	    "then NOT panic; NEAR the end\n");
	index_dir(s, dir, NULL);
	for (i = 0; hostile[i] != NULL; i++) {
		for (any = 0; any < 2; any++) {
			v = search(s, hostile[i], any);	/* fails on an error */
			free(v);
		}
	}
	/* Operators are words: "NOT gateway" needs the word "not". */
	ASSERT_SEARCH(s, "NOT gateway", 0, "gw.md");
	ASSERT_SEARCH(s, "title:restart", 0, "");
	ASSERT_SEARCH(s, "-restart", 0, "gw.md");
	ASSERT_SEARCH(s, "gate*", 0, "");
	store_close(s);
	free(dir);
}

TEST(reindex_touches_only_changed_and_removed_files)
{
	struct runbook_stats	 st;
	struct store		*s = open_store("reindex.db");
	char			*dir = dir_path("reindex");

	put_file(dir, "pay.md", "# Restart the payment gateway\nDrain the "
	    "node, then restart the service.\n");
	put_file(dir, "disk.md", "# Free disk space\nRemove old WAL "
	    "segments from the archive.\n");
	put_file(dir, "notes.txt", "payment notes, not a runbook\n");
	put_file(dir, ".draft.md", "# payment draft\n");
	index_dir(s, dir, &st);
	ASSERT_INT_EQ(st.added, 2);
	ASSERT_INT_EQ(st.changed + st.removed + st.unchanged, 0);
	ASSERT_SEARCH(s, "payment", 0, "pay.md");
	ASSERT_SEARCH(s, "archive", 0, "disk.md");

	/* Nothing changed: nothing is read again. */
	index_dir(s, dir, &st);
	ASSERT_INT_EQ(st.unchanged, 2);
	ASSERT_INT_EQ(st.added + st.changed + st.removed, 0);

	/* One changed, one removed, one new. */
	put_file(dir, "disk.md", "# Free disk space\nRotate the logs with "
	    "logrotate when /var/log is full.\n");
	{
		char p[1024];

		snprintf(p, sizeof p, "%s/pay.md", dir);
		ASSERT_INT_EQ(unlink(p), 0);
	}
	put_file(dir, "queue.md", "# Restart the message queue\n");
	index_dir(s, dir, &st);
	ASSERT_INT_EQ(st.added, 1);
	ASSERT_INT_EQ(st.changed, 1);
	ASSERT_INT_EQ(st.removed, 1);
	ASSERT_INT_EQ(st.unchanged, 0);
	ASSERT_SEARCH(s, "payment", 0, "");
	ASSERT_SEARCH(s, "archive", 0, "");
	ASSERT_SEARCH(s, "logrotate", 0, "disk.md");
	ASSERT_SEARCH(s, "restart", 0, "queue.md");
	store_close(s);
	free(dir);
}

/*
 * A link in the library that points outside it is not indexed: /runbook
 * would show a snippet of whatever file it names (say /etc/shadow's
 * neighbours), and the web page refuses to serve it anyway.
 */
TEST(symlinks_are_not_followed)
{
	struct runbook_stats	 st;
	struct store		*s = open_store("symlink.db");
	char			*dir = dir_path("symlinked"), *out;
	char			 link[1024];

	out = dir_path("outside");
	put_file(out, "secret.md", "# Outside\nzanzibar lives here\n");
	put_file(dir, "inside.md", "# Inside\nkept\n");
	snprintf(link, sizeof link, "%s/leak.md", dir);
	{
		char target[1024];

		snprintf(target, sizeof target, "%s/secret.md", out);
		ASSERT_INT_EQ(symlink(target, link), 0);
	}
	index_dir(s, dir, &st);
	ASSERT_INT_EQ(st.added, 1);
	ASSERT_SEARCH(s, "zanzibar", 0, "");
	ASSERT_SEARCH(s, "kept", 0, "inside.md");
	store_close(s);
	free(out);
	free(dir);
}

TEST(matches_rank_title_first_and_stem_words)
{
	struct store	*s = open_store("rank.db");
	char		*cause = NULL, *v;

	index_dir(s, OPSBOT_FIXTURES "/runbooks", NULL);
	/* "payment" is in two documents; the one it names comes first. */
	ASSERT_SEARCH(s, "payment", 0, "payment-gateway.md|nightly-batch.md");
	/* Porter stemming: "restarting" finds "Restart". */
	ASSERT_SEARCH(s, "restarting gateways", 0, "payment-gateway.md");
	/* No document has both words: with any, both come back. */
	ASSERT_SEARCH(s, "logrotate settlement", 0, "");
	v = search(s, "logrotate settlement", 1);
	ASSERT(strcmp(v, "disk-full.md|nightly-batch.md") == 0 ||
	    strcmp(v, "nightly-batch.md|disk-full.md") == 0);
	free(v);
	ASSERT_INT_EQ(runbook_index(s, "/nonexistent/runbooks", NULL, &cause),
	    -1);
	ASSERT_CONTAINS(cause, "/nonexistent/runbooks");
	free(cause);
	ASSERT_INT_EQ(runbook_index(s, "/nonexistent/runbooks", NULL, NULL),
	    -1);
	/* A failed pass leaves the index as it was. */
	ASSERT_SEARCH(s, "settlement", 0, "nightly-batch.md");
	store_close(s);
}

static void
snippet_cb(void *arg, const struct store_runbook *r)
{
	char	**out = arg;

	free(*out);
	xasprintf(out, "%s|%s", r->title, r->snippet);
}

TEST(matches_carry_title_and_marked_snippet)
{
	struct store	*s = open_store("snippet.db");
	char		*got = NULL;

	index_dir(s, OPSBOT_FIXTURES "/runbooks", NULL);
	ASSERT_INT_EQ(store_runbook_search(s, "\"settlement\"", 5, snippet_cb,
	    &got, NULL), 1);
	ASSERT_CONTAINS(got, "nightly-batch|");
	ASSERT_CONTAINS(got, "*settlement*");
	store_close(s);
	free(got);
}

static const struct test tests[] = {
	TEST_ENTRY(symlinks_are_not_followed),
	TEST_ENTRY(title_is_first_heading_else_file_name),
	TEST_ENTRY(match_quotes_every_word),
	TEST_ENTRY(hostile_input_is_never_fts_syntax),
	TEST_ENTRY(reindex_touches_only_changed_and_removed_files),
	TEST_ENTRY(matches_rank_title_first_and_stem_words),
	TEST_ENTRY(matches_carry_title_and_marked_snippet),
	TEST_END
};

int
main(int argc, char **argv)
{
	return test_run(tests, argc, argv);
}

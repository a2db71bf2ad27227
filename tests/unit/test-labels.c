/* Label sets, fingerprints and matchers (bot/util/labels.c). */

#include <stdlib.h>
#include <string.h>

#include "labels.h"
#include "test.h"
#include "xmalloc.h"

/* Parses text as one matcher, asserting success; caller releases. */
static void
parse_ok(const char *text, struct matcher *m)
{
	char	*err = NULL;

	if (matcher_parse(text, m, &err) != 0)
		TEST_FAIL("matcher_parse(\"%s\") failed: %s", text, err);
	ASSERT_NULL(err);
}

/* Parses text, expecting exactly the error msg and an empty matcher. */
static void
parse_bad(const char *text, const char *msg)
{
	struct matcher	 m;
	char		*err = NULL;

	if (matcher_parse(text, &m, &err) == 0)
		TEST_FAIL("matcher_parse(\"%s\") accepted bad input", text);
	ASSERT_NULL(m.name);
	ASSERT_NULL(m.value);
	ASSERT_INT_EQ(m.has_re, 0);
	ASSERT_STR_EQ(err, msg);
	free(err);
}

/* Frees what one parsed matcher holds, through matchers_release. */
static void
drop(struct matcher *m)
{
	struct matchers	 ms;

	ms.v = xmalloc(sizeof *m);
	ms.v[0] = *m;
	ms.n = 1;
	matchers_release(&ms);
}

/* Whether the one matcher text holds for ls. */
static int
one_matches(const char *text, const struct labels *ls)
{
	struct matchers	 ms;
	int		 hit;

	ms.v = xmalloc(sizeof *ms.v);
	ms.n = 1;
	parse_ok(text, &ms.v[0]);
	hit = matchers_match(&ms, ls);
	matchers_release(&ms);
	return hit;
}

/* The labels of a typical disk alert. */
static void
disk_labels(struct labels *ls)
{
	memset(ls, 0, sizeof *ls);
	labels_set(ls, "severity", "critical");
	labels_set(ls, "instance", "db-01:9100");
	labels_set(ls, "alertname", "DiskFull");
	labels_set(ls, "mountpoint", "/var");
}

TEST(set_get_sorted)
{
	struct labels	 ls;

	disk_labels(&ls);
	ASSERT_INT_EQ(ls.n, 4);
	ASSERT_STR_EQ(ls.v[0].name, "alertname");
	ASSERT_STR_EQ(ls.v[1].name, "instance");
	ASSERT_STR_EQ(ls.v[2].name, "mountpoint");
	ASSERT_STR_EQ(ls.v[3].name, "severity");
	ASSERT_STR_EQ(labels_get(&ls, "mountpoint"), "/var");
	ASSERT_NULL(labels_get(&ls, "job"));
	ASSERT_NULL(labels_get(&ls, ""));

	labels_set(&ls, "severity", "warning");
	ASSERT_INT_EQ(ls.n, 4);
	ASSERT_STR_EQ(labels_get(&ls, "severity"), "warning");
	labels_set(&ls, "zone", "");
	labels_set(&ls, "a", "first");
	ASSERT_INT_EQ(ls.n, 6);
	ASSERT_STR_EQ(ls.v[0].name, "a");
	ASSERT_STR_EQ(ls.v[5].name, "zone");
	ASSERT_STR_EQ(labels_get(&ls, "zone"), "");

	labels_release(&ls);
	ASSERT_NULL(ls.v);
	ASSERT_INT_EQ(ls.n, 0);
	labels_release(&ls);	/* twice is harmless */
}

TEST(copy_and_equal)
{
	struct labels	 a, b, empty = { NULL, 0 }, empty2;

	disk_labels(&a);
	labels_copy(&b, &a);
	ASSERT(labels_equal(&a, &b));
	ASSERT(b.v != a.v && b.v[0].name != a.v[0].name);
	labels_set(&b, "severity", "info");
	ASSERT(!labels_equal(&a, &b));
	labels_set(&b, "severity", "critical");
	ASSERT(labels_equal(&a, &b));
	labels_set(&b, "job", "node");
	ASSERT(!labels_equal(&a, &b));

	labels_copy(&empty2, &empty);
	ASSERT_NULL(empty2.v);
	ASSERT(labels_equal(&empty, &empty2));
	ASSERT(!labels_equal(&a, &empty));
	labels_release(&a);
	labels_release(&b);
}

TEST(fingerprint)
{
	struct labels	 a = { NULL, 0 }, b = { NULL, 0 };
	char		 fa[17], fb[17];

	/* FNV-1a 64 offset basis, and values checked against Python. */
	labels_fingerprint(&a, fa);
	ASSERT_STR_EQ(fa, "cbf29ce484222325");
	labels_set(&a, "a", "1");
	labels_fingerprint(&a, fa);
	ASSERT_STR_EQ(fa, "d3b971819376d835");
	labels_release(&a);

	/* The separator keeps ab=c and a=bc apart. */
	labels_set(&a, "ab", "c");
	labels_set(&b, "a", "bc");
	labels_fingerprint(&a, fa);
	labels_fingerprint(&b, fb);
	ASSERT_STR_EQ(fa, "20ba9b3025a8b421");
	ASSERT_STR_EQ(fb, "a0a3542c19b900ab");
	labels_release(&a);
	labels_release(&b);

	/* Insertion order does not matter. */
	disk_labels(&a);
	labels_set(&b, "mountpoint", "/var");
	labels_set(&b, "alertname", "DiskFull");
	labels_set(&b, "instance", "db-01:9100");
	labels_set(&b, "severity", "critical");
	labels_fingerprint(&a, fa);
	labels_fingerprint(&b, fb);
	ASSERT_STR_EQ(fa, fb);
	ASSERT_INT_EQ(strlen(fa), 16);
	labels_release(&a);
	labels_release(&b);
}

TEST(labels_json)
{
	struct labels	 a = { NULL, 0 }, b;
	char		*json, *err = NULL;

	labels_set(&a, "b", "2");
	labels_set(&a, "a", "quote \" back \\ nl \n tab \t");
	labels_set(&a, "raw", "\xff\xfe not UTF-8 \xc3");
	labels_set(&a, "utf8", "caf\xc3\xa9");
	json = labels_to_json(&a);
	ASSERT_STR_EQ(json, "{\"a\":\"quote \\\" back \\\\ nl \\n tab \\t\","
	    "\"b\":\"2\",\"raw\":\"\xff\xfe not UTF-8 \xc3\","
	    "\"utf8\":\"caf\xc3\xa9\"}");
	ASSERT_INT_EQ(labels_from_json(json, &b, &err), 0);
	ASSERT_NULL(err);
	ASSERT(labels_equal(&a, &b));
	free(json);
	labels_release(&a);
	labels_release(&b);

	json = labels_to_json(&a);
	ASSERT_STR_EQ(json, "{}");
	free(json);

	/* Unsorted input with a repeated name: sorted, the last one wins. */
	ASSERT_INT_EQ(labels_from_json("{\"z\":\"1\",\"a\":\"x\",\"m\":\"2\","
	    "\"a\":\"y\"}", &b, &err), 0);
	ASSERT_INT_EQ(b.n, 3);
	ASSERT_STR_EQ(b.v[0].name, "a");
	ASSERT_STR_EQ(b.v[0].value, "y");
	ASSERT_STR_EQ(b.v[2].name, "z");
	labels_release(&b);
}

TEST(labels_json_errors)
{
	struct labels	 b;
	char		*err = NULL;

	ASSERT_INT_EQ(labels_from_json("{\"a\":", &b, &err), -1);
	ASSERT_STR_EQ(err, "invalid JSON near byte 6");
	ASSERT_NULL(b.v);
	xfree(err);
	ASSERT_INT_EQ(labels_from_json("{} x", &b, &err), -1);
	ASSERT_CONTAINS(err, "invalid JSON near byte");
	xfree(err);
	ASSERT_INT_EQ(labels_from_json("[\"a\"]", &b, &err), -1);
	ASSERT_STR_EQ(err, "expected a JSON object of strings, got an array");
	xfree(err);
	ASSERT_INT_EQ(labels_from_json("{\"a\":\"1\",\"n\":2}", &b, &err), -1);
	ASSERT_STR_EQ(err, "label \"n\": expected a string, got a number");
	ASSERT_NULL(b.v);
	ASSERT_INT_EQ(b.n, 0);
	xfree(err);
}

TEST(labels_text)
{
	struct labels	 a = { NULL, 0 };
	char		*s;

	s = labels_to_text(&a);
	ASSERT_STR_EQ(s, "");
	free(s);
	labels_set(&a, "b", "2");
	labels_set(&a, "a", "say \"hi\" \\o/");
	s = labels_to_text(&a);
	ASSERT_STR_EQ(s, "a=\"say \\\"hi\\\" \\\\o/\", b=\"2\"");
	free(s);
	labels_release(&a);
}

TEST(matcher_ops)
{
	struct matcher	 m;

	parse_ok("severity=critical", &m);
	ASSERT_STR_EQ(m.name, "severity");
	ASSERT_STR_EQ(m.value, "critical");
	ASSERT_INT_EQ(m.op, MATCH_EQ);
	ASSERT_INT_EQ(m.has_re, 0);
	drop(&m);

	parse_ok("host!=db-01", &m);
	ASSERT_INT_EQ(m.op, MATCH_NE);
	ASSERT_STR_EQ(m.value, "db-01");
	drop(&m);

	parse_ok("severity=~\"crit|warn\"", &m);
	ASSERT_INT_EQ(m.op, MATCH_RE);
	ASSERT_STR_EQ(m.value, "crit|warn");
	ASSERT_INT_EQ(m.has_re, 1);
	drop(&m);

	parse_ok("_x9!~db.*", &m);
	ASSERT_INT_EQ(m.op, MATCH_NRE);
	ASSERT_STR_EQ(m.name, "_x9");
	drop(&m);

	/* Unquoted values run to the end; an empty one means absent. */
	parse_ok("summary=a b = c", &m);
	ASSERT_STR_EQ(m.value, "a b = c");
	drop(&m);
	parse_ok("team=", &m);
	ASSERT_STR_EQ(m.value, "");
	drop(&m);
}

TEST(matcher_quotes)
{
	struct matcher	 m;

	parse_ok("summary=\"disk \\\"var\\\" full \\\\ now\"", &m);
	ASSERT_STR_EQ(m.value, "disk \"var\" full \\ now");
	drop(&m);

	/* Other backslashes stay, so regexes read as written. */
	parse_ok("host=~\"db\\.prod\\d\"", &m);
	ASSERT_STR_EQ(m.value, "db\\.prod\\d");
	drop(&m);

	parse_ok("a=\"\"", &m);
	ASSERT_STR_EQ(m.value, "");
	drop(&m);
}

TEST(matcher_errors)
{
	parse_bad("", "empty matcher");
	parse_bad("9x=1", "9x=1: expected a label name (letters, digits "
	    "and _, not starting with a digit) before =, !=, =~ or !~");
	parse_bad("=1", "=1: expected a label name (letters, digits "
	    "and _, not starting with a digit) before =, !=, =~ or !~");
	parse_bad("host", "host: expected name=value, name!=value, "
	    "name=~regex or name!~regex");
	parse_bad("host-name=x", "host-name=x: expected name=value, "
	    "name!=value, name=~regex or name!~regex");
	parse_bad("host~=x", "host~=x: expected name=value, "
	    "name!=value, name=~regex or name!~regex");
	parse_bad("host=\"db", "host=\"db: unterminated quote in the value");
	parse_bad("host=\"db\\\"", "host=\"db\\\": unterminated quote in the "
	    "value");
	parse_bad("host=\"db\"x", "host=\"db\"x: text after the closing "
	    "quote");
	parse_bad("host=~\"db(\"", "host=~\"db(\": bad regex: unmatched ( or "
	    "\\(");
	parse_bad("host=~a)|(b", "host=~a)|(b: bad regex: unmatched ) "
	    "(write \\) for a literal one)");
	parse_bad("host=~\"a||b){292,}\"", "host=~\"a||b){292,}\": bad "
	    "regex: unmatched ) (write \\) for a literal one)");
	parse_bad("host=~\"(a|){,}\"", "host=~\"(a|){,}\": regex loops "
	    "over something that can match nothing, like (a*)* or (x|)+");
	parse_bad("host=~[", "host=~[: bad regex: invalid regular "
	    "expression");
	parse_bad("host=~(a)\\1", "host=~(a)\\1: back-references are not "
	    "supported");
	parse_bad("host=~((a{20}){20}){20}", "host=~((a{20}){20}){20}: "
	    "regex is too complex (its repetitions expand it past 4096 "
	    "pieces)");
	parse_bad("host=~a{99999999999999999999}", "host=~a{9999999999999999"
	    "9999}: regex is too complex (its repetitions expand it past "
	    "4096 pieces)");
	parse_bad("host=~(a{,200}){,200}", "host=~(a{,200}){,200}: regex is "
	    "too complex (its repetitions expand it past 4096 pieces)");
	/* Found by fuzz-matchers: 2 GB in glibc's regcomp. */
	parse_bad("h=~(a{0}){,21}{29}", "h=~(a{0}){,21}{29}: regex loops "
	    "over something that can match nothing, like (a*)* or (x|)+");
	parse_bad("h=~(a?){,21}{29}", "h=~(a?){,21}{29}: regex loops "
	    "over something that can match nothing, like (a*)* or (x|)+");
	parse_bad("t=~a++++++++++++++", "t=~a++++++++++++++: regex is too "
	    "complex (its repetitions expand it past 4096 pieces)");
	parse_bad("t=~(a{4000}(b{4000}", "t=~(a{4000}(b{4000}: regex is too "
	    "complex (its repetitions expand it past 4096 pieces)");
	parse_bad("t=~(a*)*", "t=~(a*)*: regex loops over something that "
	    "can match nothing, like (a*)* or (x|)+");
	parse_bad("t=~(()*){50}", "t=~(()*){50}: regex loops over something "
	    "that can match nothing, like (a*)* or (x|)+");
	parse_bad("t=~((a|)+){30}", "t=~((a|)+){30}: regex loops over "
	    "something that can match nothing, like (a*)* or (x|)+");
	parse_bad("t=~(a{0}){12,}{29}", "t=~(a{0}){12,}{29}: regex loops over "
	    "something that can match nothing, like (a*)* or (x|)+");
	parse_bad("t=~(x|a?b?)+", "t=~(x|a?b?)+: regex loops over something "
	    "that can match nothing, like (a*)* or (x|)+");
	/* An optional over an optional (fuzz-matchers: minutes, 2 GB). */
	parse_bad("t=~(()???????x*){50}", "t=~(()???????x*){50}: regex loops "
	    "over something that can match nothing, like (a*)* or (x|)+");
	parse_bad("t=~a*?", "t=~a*?: regex loops over something that can "
	    "match nothing, like (a*)* or (x|)+");
	/* Control bytes are escaped in messages: they stay one line. */
	parse_bad("a\nb", "a\\x0ab: expected name=value, name!=value, "
	    "name=~regex or name!~regex");
}

TEST(matcher_error_long_text)
{
	char	*text, *err = NULL;
	struct matcher	 m;

	text = xmalloc(100001);
	memset(text, 'x', 100000);
	text[0] = 'h';
	text[1] = '=';
	text[2] = '~';
	text[3] = '(';
	text[100000] = '\0';
	ASSERT_INT_EQ(matcher_parse(text, &m, &err), -1);
	ASSERT_CONTAINS(err, "...: regex is too long (the limit is 1024 "
	    "bytes)");
	ASSERT(strlen(err) < 200);
	free(err);
	free(text);
}

TEST(match_semantics)
{
	struct labels	 ls;

	disk_labels(&ls);
	ASSERT(one_matches("severity=critical", &ls));
	ASSERT(!one_matches("severity=crit", &ls));
	ASSERT(one_matches("severity!=warning", &ls));
	ASSERT(!one_matches("severity!=critical", &ls));
	/* Regexes are anchored at both ends. */
	ASSERT(one_matches("severity=~crit.*", &ls));
	ASSERT(!one_matches("severity=~crit", &ls));
	ASSERT(!one_matches("severity=~ritical", &ls));
	ASSERT(one_matches("severity=~\"warning|critical\"", &ls));
	ASSERT(!one_matches("severity=~\"warning|crit\"", &ls));
	ASSERT(one_matches("instance=~\"db-[0-9]+:9100\"", &ls));
	ASSERT(one_matches("instance!~\"web-.*\"", &ls));
	ASSERT(!one_matches("instance!~\"db.*\"", &ls));
	/* An absent label is "". */
	ASSERT(one_matches("team=", &ls));
	ASSERT(one_matches("team!=ops", &ls));
	ASSERT(!one_matches("team=ops", &ls));
	ASSERT(one_matches("team=~\"\"", &ls));
	ASSERT(one_matches("team=~\"ops|\"", &ls));
	ASSERT(!one_matches("team=~\".+\"", &ls));
	ASSERT(!one_matches("severity=", &ls));
	/* Ordinary regexes stay well under the complexity cap. */
	ASSERT(one_matches("instance=~\"[a-z]+-[0-9]+:[0-9]+\"", &ls));
	ASSERT(one_matches("instance=~\"[[:alpha:]]{2}-[0-9]{2}:9{1}1?0+\"",
	    &ls));
	ASSERT(one_matches("mountpoint=~\"[]/a-z]+\"", &ls));
	ASSERT(one_matches("severity=~\"(c|r|i|t|a|l){1,100}\"", &ls));
	ASSERT(!one_matches("severity=~\"x{1000}\"", &ls));
	ASSERT(one_matches("severity=~\"\\{?critical\\}?\"", &ls));
	ASSERT(one_matches("severity=~\"[{]?critical\"", &ls));
	ASSERT(one_matches("severity=~\"(c|r|i|t|a|l)*\"", &ls));
	ASSERT(one_matches("severity=~\"(cr?i?)+tical\"", &ls));
	ASSERT(one_matches("severity=~\"(a?){200}critical\"", &ls));
	ASSERT(one_matches("severity=~\"(x*c)*ritical\"", &ls));
	ASSERT(one_matches("severity=~\"\\)?critical\\)?\"", &ls));
	ASSERT(one_matches("severity=~\"[)]?critical\"", &ls));
	labels_release(&ls);
}

TEST(match_all)
{
	struct labels	 ls;
	struct matchers	 ms = { NULL, 0 };
	char		*err = NULL;

	disk_labels(&ls);
	ASSERT(matchers_match(&ms, &ls));	/* none: everything */
	ASSERT_INT_EQ(matchers_add(&ms, "alertname", MATCH_EQ, "DiskFull",
	    &err), 0);
	ASSERT_INT_EQ(matchers_add(&ms, "instance", MATCH_RE, "db-0[12]:.*",
	    &err), 0);
	ASSERT(matchers_match(&ms, &ls));
	ASSERT_INT_EQ(matchers_add(&ms, "mountpoint", MATCH_NE, "/var",
	    &err), 0);
	ASSERT(!matchers_match(&ms, &ls));
	ASSERT_NULL(err);
	ASSERT_INT_EQ(ms.n, 3);

	ASSERT_INT_EQ(matchers_add(&ms, "bad-name", MATCH_EQ, "x", &err), -1);
	ASSERT_STR_EQ(err, "bad-name=x: bad label name (letters, digits "
	    "and _, not starting with a digit)");
	xfree(err);
	ASSERT_INT_EQ(matchers_add(&ms, "host", MATCH_NRE, "(", &err), -1);
	ASSERT_STR_EQ(err, "host!~\"(\": bad regex: unmatched ( or \\(");
	xfree(err);
	ASSERT_INT_EQ(ms.n, 3);
	matchers_release(&ms);
	ASSERT_NULL(ms.v);
	ASSERT_INT_EQ(ms.n, 0);
	labels_release(&ls);
}

/* Runs matchers_parse_words on copies of src (words are not const). */
static int
words_parse(const char *const *src, size_t n, struct matchers *ms,
    char **err)
{
	char	**w;
	size_t	  i;
	int	  rc;

	w = xreallocarray(NULL, n + 1, sizeof *w);
	for (i = 0; i < n; i++)
		w[i] = xstrdup(src[i]);
	rc = matchers_parse_words(w, n, ms, err);
	for (i = 0; i < n; i++)
		free(w[i]);
	free(w);
	return rc;
}

TEST(parse_words)
{
	static const char *const w1[] = { "host=db-01",
	    "severity=~\"crit|warn\"", "2h", "disk", "replacement=x" };
	static const char *const w2[] = { "2h", "host=db-01" };
	static const char *const w3[] = { "host=db-01", "host=~\"(\"", "2h" };
	static const char *const w4[] = { "9x=1" };
	static const char *const w5[] = { "host", "=x" };
	static const char *const w6[] = { "a=1", "b!=2", "c=~3", "d!~4" };
	struct matchers	 ms;
	char		*err = NULL;

	ASSERT_INT_EQ(words_parse(w1, 5, &ms, &err), 2);
	ASSERT_INT_EQ(ms.n, 2);
	ASSERT_STR_EQ(ms.v[0].name, "host");
	ASSERT_STR_EQ(ms.v[1].value, "crit|warn");
	ASSERT_INT_EQ(ms.v[1].op, MATCH_RE);
	matchers_release(&ms);

	ASSERT_INT_EQ(words_parse(w2, 2, &ms, &err), 0);
	ASSERT_INT_EQ(ms.n, 0);
	ASSERT_INT_EQ(words_parse(w1, 0, &ms, &err), 0);
	ASSERT_INT_EQ(words_parse(w4, 1, &ms, &err), 0);
	ASSERT_INT_EQ(words_parse(w5, 2, &ms, &err), 0);
	ASSERT_NULL(err);

	ASSERT_INT_EQ(words_parse(w3, 3, &ms, &err), -1);
	ASSERT_STR_EQ(err, "host=~\"(\": bad regex: unmatched ( or \\(");
	ASSERT_NULL(ms.v);
	ASSERT_INT_EQ(ms.n, 0);
	xfree(err);

	ASSERT_INT_EQ(words_parse(w6, 4, &ms, &err), 4);
	ASSERT_INT_EQ(ms.v[3].op, MATCH_NRE);
	matchers_release(&ms);
}

TEST(matchers_text)
{
	struct matchers	 ms = { NULL, 0 };
	char		*s, *err = NULL;

	s = matchers_to_text(&ms);
	ASSERT_STR_EQ(s, "");
	free(s);
	matchers_add(&ms, "alertname", MATCH_EQ, "DiskFull", &err);
	matchers_add(&ms, "instance", MATCH_NE, "db-01:9100", &err);
	matchers_add(&ms, "severity", MATCH_RE, "crit|warn", &err);
	matchers_add(&ms, "summary", MATCH_EQ, "a \"b\", c\\d", &err);
	matchers_add(&ms, "team", MATCH_EQ, "", &err);
	matchers_add(&ms, "path", MATCH_NRE, "/var/.*", &err);
	ASSERT_NULL(err);
	s = matchers_to_text(&ms);
	ASSERT_STR_EQ(s, "alertname=DiskFull,instance!=db-01:9100,"
	    "severity=~\"crit|warn\",summary=\"a \\\"b\\\", c\\\\d\","
	    "team=\"\",path!~\"/var/.*\"");
	free(s);
	matchers_release(&ms);
}

TEST(matchers_json)
{
	struct matchers	 ms = { NULL, 0 }, back;
	char		*json, *json2, *err = NULL;
	size_t		 i;

	matchers_add(&ms, "alertname", MATCH_EQ, "DiskFull", &err);
	matchers_add(&ms, "instance", MATCH_NE, "db \"01\"", &err);
	matchers_add(&ms, "severity", MATCH_RE, "crit|warn", &err);
	matchers_add(&ms, "raw", MATCH_NRE, "\xff\xfe.*", &err);
	ASSERT_NULL(err);
	json = matchers_to_json(&ms);
	ASSERT_STR_EQ(json, "[{\"name\":\"alertname\",\"op\":\"=\",\"value\":"
	    "\"DiskFull\"},{\"name\":\"instance\",\"op\":\"!=\",\"value\":"
	    "\"db \\\"01\\\"\"},{\"name\":\"severity\",\"op\":\"=~\",\"value\":"
	    "\"crit|warn\"},{\"name\":\"raw\",\"op\":\"!~\",\"value\":"
	    "\"\xff\xfe.*\"}]");
	ASSERT_INT_EQ(matchers_from_json(json, &back, &err), 0);
	ASSERT_INT_EQ(back.n, 4);
	for (i = 0; i < 4; i++) {
		ASSERT_STR_EQ(back.v[i].name, ms.v[i].name);
		ASSERT_STR_EQ(back.v[i].value, ms.v[i].value);
		ASSERT_INT_EQ(back.v[i].op, ms.v[i].op);
		ASSERT_INT_EQ(back.v[i].has_re, ms.v[i].has_re);
	}
	json2 = matchers_to_json(&back);
	ASSERT_STR_EQ(json2, json);
	free(json);
	free(json2);
	matchers_release(&ms);
	matchers_release(&back);

	json = matchers_to_json(&ms);
	ASSERT_STR_EQ(json, "[]");
	free(json);
}

/* matchers_from_json on text must fail with exactly msg. */
static void
from_json_bad(const char *text, const char *msg)
{
	struct matchers	 ms;
	char		*err = NULL;

	if (matchers_from_json(text, &ms, &err) == 0)
		TEST_FAIL("matchers_from_json accepted %s", text);
	ASSERT_NULL(ms.v);
	ASSERT_INT_EQ(ms.n, 0);
	ASSERT_STR_EQ(err, msg);
	free(err);
}

TEST(matchers_json_errors)
{
	from_json_bad("", "invalid JSON near byte 1");
	from_json_bad("[{\"name\":", "invalid JSON near byte 10");
	from_json_bad("{}", "expected a JSON array of matchers, got an object");
	from_json_bad("[1]", "[0]: expected an object, got a number");
	from_json_bad("[{\"name\":\"a\",\"op\":\"=\",\"value\":\"1\"},"
	    "{\"name\":\"b\",\"op\":\"=\"}]", "[1].value: missing");
	from_json_bad("[{\"name\":\"a\",\"op\":\"=\",\"value\":1}]",
	    "[0].value: expected a string, got a number");
	from_json_bad("[{\"name\":\"a\",\"op\":\"==\",\"value\":\"1\"}]",
	    "[0].op: expected =, !=, =~ or !~, got \"==\"");
	from_json_bad("[{\"name\":\"a\",\"op\":\"\",\"value\":\"1\"}]",
	    "[0].op: expected =, !=, =~ or !~, got \"\"");
	from_json_bad("[{\"name\":\"a\",\"op\":\"=~\",\"value\":\"(\"}]",
	    "[0]: a=~\"(\": bad regex: unmatched ( or \\(");
	from_json_bad("[{\"name\":\"1a\",\"op\":\"=\",\"value\":\"x\"}]",
	    "[0]: 1a=x: bad label name (letters, digits and _, not "
	    "starting with a digit)");
}

TEST(hostile)
{
	struct labels	 ls = { NULL, 0 };
	struct matcher	 m;
	char		*big, *text, *s;

	/* A megabyte value, compared and printed. */
	big = xmalloc(1 << 20);
	memset(big, 'v', (1 << 20) - 1);
	big[(1 << 20) - 1] = '\0';
	labels_set(&ls, "big", big);
	xasprintf(&text, "big=%s", big);
	ASSERT(one_matches(text, &ls));
	free(text);
	ASSERT(one_matches("big=~\"v+\"", &ls));
	s = labels_to_json(&ls);
	ASSERT_INT_EQ(strlen(s), (1 << 20) - 1 + 10);
	free(s);
	labels_release(&ls);
	free(big);

	/* Invalid UTF-8 passes through as bytes. */
	labels_set(&ls, "h", "\xc3\x28\xa0\xa1\xf0\x28\x8c\xbc");
	ASSERT(one_matches("h=\xc3\x28\xa0\xa1\xf0\x28\x8c\xbc", &ls));
	ASSERT(one_matches("h=~\".*\"", &ls));
	parse_ok("h=\xff\xfe", &m);
	ASSERT_STR_EQ(m.value, "\xff\xfe");
	drop(&m);
	labels_release(&ls);
}

static const struct test tests[] = {
	TEST_ENTRY(set_get_sorted),
	TEST_ENTRY(copy_and_equal),
	TEST_ENTRY(fingerprint),
	TEST_ENTRY(labels_json),
	TEST_ENTRY(labels_json_errors),
	TEST_ENTRY(labels_text),
	TEST_ENTRY(matcher_ops),
	TEST_ENTRY(matcher_quotes),
	TEST_ENTRY(matcher_errors),
	TEST_ENTRY(matcher_error_long_text),
	TEST_ENTRY(match_semantics),
	TEST_ENTRY(match_all),
	TEST_ENTRY(parse_words),
	TEST_ENTRY(matchers_text),
	TEST_ENTRY(matchers_json),
	TEST_ENTRY(matchers_json_errors),
	TEST_ENTRY(hostile),
	TEST_END
};

int
main(int argc, char **argv)
{
	return test_run(tests, argc, argv);
}

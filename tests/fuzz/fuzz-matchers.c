/*
 * libFuzzer target for matchers and label sets (bot/util/labels.c): the bytes
 * are what a person typed after /silence, or a stored JSON column. Each
 * parse must be consistent (a reason exactly when it fails, nothing
 * held on failure), and what we print must parse back to the same
 * thing: to_text through matcher_parse, to_json through from_json, with
 * the same verdict on a fixed label set. Everything is freed.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "labels.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* How many whitespace-separated words are tried as matchers. */
#define FUZZ_WORDS_MAX	32

static void
fuzz_result(int rc, char *err)
{
	if (rc == 0 ? err != NULL : rc != -1 || err == NULL)
		abort();
	if (err != NULL && (*err == '\0' || strchr(err, '\n') != NULL))
		abort();
	free(err);
}

/* A typical alert's labels, to match against. */
static void
fuzz_fixed_labels(struct labels *ls)
{
	memset(ls, 0, sizeof *ls);
	labels_set(ls, "alertname", "DiskFull");
	labels_set(ls, "host", "db-01");
	labels_set(ls, "instance", "db-01:9100");
	labels_set(ls, "severity", "critical");
	labels_set(ls, "summary", "disk \"/var\" at 97% \\ full");
	labels_set(ls, "empty", "");
}

static int
fuzz_same(const struct matcher *a, const struct matcher *b)
{
	return strcmp(a->name, b->name) == 0 &&
	    strcmp(a->value, b->value) == 0 && a->op == b->op &&
	    a->has_re == b->has_re;
}

/* Each matcher printed alone must parse back to itself. */
static void
fuzz_text_roundtrip(const struct matchers *ms, const struct labels *ls)
{
	struct matchers	 one, back;
	char		*text, *err = NULL;
	size_t		 i;
	int		 rc;

	for (i = 0; i < ms->n; i++) {
		one.v = &ms->v[i];
		one.n = 1;
		text = matchers_to_text(&one);
		back.v = malloc(sizeof *back.v);
		if (back.v == NULL)
			abort();
		back.n = 0;
		rc = matcher_parse(text, &back.v[0], &err);
		if (rc != 0)
			abort();
		back.n = 1;
		if (!fuzz_same(&ms->v[i], &back.v[0]))
			abort();
		if (matchers_match(&one, ls) != matchers_match(&back, ls))
			abort();
		fuzz_result(rc, err);
		free(text);
		matchers_release(&back);
	}
}

/* The whole list through JSON and back. */
static void
fuzz_json_roundtrip(const struct matchers *ms, const struct labels *ls)
{
	struct matchers	 back;
	char		*json, *json2, *text, *err = NULL;
	size_t		 i;
	int		 rc;

	json = matchers_to_json(ms);
	rc = matchers_from_json(json, &back, &err);
	if (rc != 0 || back.n != ms->n)
		abort();
	fuzz_result(rc, err);
	for (i = 0; i < ms->n; i++) {
		if (!fuzz_same(&ms->v[i], &back.v[i]))
			abort();
	}
	if (matchers_match(ms, ls) != matchers_match(&back, ls))
		abort();
	json2 = matchers_to_json(&back);
	if (strcmp(json, json2) != 0)
		abort();
	text = matchers_to_text(&back);
	free(text);
	free(json);
	free(json2);
	matchers_release(&back);
	if (back.v != NULL || back.n != 0)
		abort();
}

static void
fuzz_one(const char *text, const struct labels *ls)
{
	struct matchers	 ms;
	char		*err = NULL;
	int		 rc;

	ms.v = malloc(sizeof *ms.v);
	if (ms.v == NULL)
		abort();
	ms.n = 0;
	rc = matcher_parse(text, &ms.v[0], &err);
	if (rc == 0) {
		ms.n = 1;
		if (ms.v[0].name == NULL || ms.v[0].value == NULL ||
		    ms.v[0].has_re != (ms.v[0].op == MATCH_RE ||
		    ms.v[0].op == MATCH_NRE))
			abort();
		(void)matchers_match(&ms, ls);
		fuzz_text_roundtrip(&ms, ls);
		fuzz_json_roundtrip(&ms, ls);
	} else if (ms.v[0].name != NULL || ms.v[0].value != NULL ||
	    ms.v[0].has_re)
		abort();
	fuzz_result(rc, err);
	matchers_release(&ms);
}

/* Splits text (modified) at whitespace into at most max words. */
static size_t
fuzz_split(char *text, char **words, size_t max)
{
	size_t	 n = 0;
	char	*p = text;

	while (n < max) {
		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
			p++;
		if (*p == '\0')
			break;
		words[n++] = p;
		while (*p != '\0' && *p != ' ' && *p != '\t' && *p != '\n' &&
		    *p != '\r')
			p++;
		if (*p != '\0')
			*p++ = '\0';
	}
	return n;
}

static void
fuzz_words(char *text, const struct labels *ls)
{
	struct matchers	 ms;
	char		*words[FUZZ_WORDS_MAX], *err = NULL;
	size_t		 n;
	int		 rc;

	n = fuzz_split(text, words, FUZZ_WORDS_MAX);
	rc = matchers_parse_words(words, n, &ms, &err);
	if (rc < -1 || rc > (int)n)
		abort();
	if (rc >= 0) {
		if (ms.n != (size_t)rc || (rc > 0 && ms.v == NULL))
			abort();
		(void)matchers_match(&ms, ls);
		fuzz_text_roundtrip(&ms, ls);
		fuzz_json_roundtrip(&ms, ls);
	} else if (ms.v != NULL || ms.n != 0)
		abort();
	fuzz_result(rc < 0 ? -1 : 0, err);
	matchers_release(&ms);
}

/* The text as stored JSON: labels and matchers. */
static void
fuzz_json(const char *text, const struct labels *fixed)
{
	struct labels	 ls, back;
	struct matchers	 ms;
	char		 fp1[17], fp2[17], *json, *s, *err = NULL;
	size_t		 i;
	int		 rc;

	rc = labels_from_json(text, &ls, &err);
	if (rc == 0) {
		for (i = 1; i < ls.n; i++) {
			if (strcmp(ls.v[i - 1].name, ls.v[i].name) >= 0)
				abort();
		}
		json = labels_to_json(&ls);
		if (labels_from_json(json, &back, &err) != 0 ||
		    !labels_equal(&ls, &back))
			abort();
		labels_fingerprint(&ls, fp1);
		labels_fingerprint(&back, fp2);
		if (strcmp(fp1, fp2) != 0 || strlen(fp1) != 16)
			abort();
		s = labels_to_text(&ls);
		free(s);
		free(json);
		labels_release(&back);
	} else if (ls.v != NULL || ls.n != 0)
		abort();
	fuzz_result(rc, err);
	labels_release(&ls);

	err = NULL;
	rc = matchers_from_json(text, &ms, &err);
	if (rc == 0) {
		(void)matchers_match(&ms, fixed);
		fuzz_text_roundtrip(&ms, fixed);
		fuzz_json_roundtrip(&ms, fixed);
	} else if (ms.v != NULL || ms.n != 0)
		abort();
	fuzz_result(rc, err);
	matchers_release(&ms);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct labels	 ls;
	char		*text;

	/* Typed text never holds a NUL; stop at the first one. */
	if ((text = malloc(size + 1)) == NULL)
		return 0;
	if (size > 0)
		memcpy(text, data, size);
	text[size] = '\0';

	fuzz_fixed_labels(&ls);
	fuzz_one(text, &ls);
	fuzz_json(text, &ls);
	fuzz_words(text, &ls);	/* last: it cuts text into words */
	labels_release(&ls);
	free(text);
	return 0;
}

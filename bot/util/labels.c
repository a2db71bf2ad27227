/*
 * Label sets and matchers (see labels.h). A set is a sorted array, so
 * lookups are binary searches and the fingerprint needs no sort; what
 * comes from Alertmanager is already in name order (Go marshals maps
 * sorted), so building a set is an append in the common case.
 *
 * Everything a person may type goes through here: matchers from /silence
 * and from the routing config. Error messages quote the offending text,
 * cut short and with control bytes escaped, so they stay one line.
 * Fuzzed by tests/fuzz/fuzz-matchers.c.
 */

#include <cjson/cJSON.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cause.h"
#include "buf.h"
#include "errtext.h"
#include "escape.h"
#include "labels.h"
#include "regex_guard.h"
#include "xmalloc.h"

/* How much of a bad input an error message repeats. */

/* cJSON returns NULL only when out of memory; so does nothing here. */
static void *
json_check(void *p)
{
	if (p == NULL) {
		fprintf(stderr, "opsbot: labels: out of memory in cJSON\n");
		abort();
	}
	return p;
}

/* Prints a cJSON tree into a string the caller frees with free(). */
static char *
json_print(cJSON *root)
{
	char	*s, *out;

	s = json_check(cJSON_PrintUnformatted(root));
	out = xstrdup(s);
	cJSON_free(s);
	return out;
}

/* Sets *cause to "<text>: <message>". */
static void
text_error(char **cause, const char *text, const char *msg)
{
	struct buf	 b;

	buf_init(&b);
	errtext_add(&b, text, 0);
	buf_addf(&b, ": %s", msg);
	cause_take(cause, buf_detach(&b));
}

/* Index of name in the set, or where it would go (*found says which). */
static size_t
labels_find(const struct labels *ls, const char *name, int *found)
{
	size_t	 lo = 0, hi = ls->n, mid;
	int	 c;

	*found = 0;
	/* Sorted input makes appending the common case: check it first. */
	if (ls->n > 0 && strcmp(ls->v[ls->n - 1].name, name) < 0)
		return ls->n;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = strcmp(ls->v[mid].name, name);
		if (c == 0) {
			*found = 1;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

void
labels_set(struct labels *ls, const char *name, const char *value)
{
	size_t	 i;
	int	 found;

	i = labels_find(ls, name, &found);
	if (found) {
		free(ls->v[i].value);
		ls->v[i].value = xstrdup(value);
		return;
	}
	ls->v = xreallocarray(ls->v, ls->n + 1, sizeof *ls->v);
	memmove(&ls->v[i + 1], &ls->v[i], (ls->n - i) * sizeof *ls->v);
	ls->v[i].name = xstrdup(name);
	ls->v[i].value = xstrdup(value);
	ls->n++;
}

const char *
labels_get(const struct labels *ls, const char *name)
{
	size_t	 i;
	int	 found;

	i = labels_find(ls, name, &found);
	return found ? ls->v[i].value : NULL;
}

void
labels_copy(struct labels *dst, const struct labels *src)
{
	size_t	 i;

	dst->n = src->n;
	dst->v = src->n == 0 ? NULL : xreallocarray(NULL, src->n,
	    sizeof *dst->v);
	for (i = 0; i < src->n; i++) {
		dst->v[i].name = xstrdup(src->v[i].name);
		dst->v[i].value = xstrdup(src->v[i].value);
	}
}

void
labels_release(struct labels *ls)
{
	size_t	 i;

	for (i = 0; i < ls->n; i++) {
		free(ls->v[i].name);
		free(ls->v[i].value);
	}
	free(ls->v);
	ls->v = NULL;
	ls->n = 0;
}

int
labels_equal(const struct labels *a, const struct labels *b)
{
	size_t	 i;

	if (a->n != b->n)
		return 0;
	for (i = 0; i < a->n; i++) {
		if (strcmp(a->v[i].name, b->v[i].name) != 0 ||
		    strcmp(a->v[i].value, b->v[i].value) != 0)
			return 0;
	}
	return 1;
}

/* FNV-1a 64 over s, then the 0xff separator (never in UTF-8 text). */
static uint64_t
fnv1a_add(uint64_t h, const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;

	for (; *p != '\0'; p++) {
		h ^= *p;
		h *= 0x100000001b3ULL;
	}
	h ^= 0xff;
	h *= 0x100000001b3ULL;
	return h;
}

void
labels_fingerprint(const struct labels *ls, char out[17])
{
	uint64_t	 h = 0xcbf29ce484222325ULL;
	size_t		 i;

	for (i = 0; i < ls->n; i++) {
		h = fnv1a_add(h, ls->v[i].name);
		h = fnv1a_add(h, ls->v[i].value);
	}
	snprintf(out, 17, "%016llx", (unsigned long long)h);
}

char *
labels_to_json(const struct labels *ls)
{
	cJSON	*root;
	char	*out;
	size_t	 i;

	root = json_check(cJSON_CreateObject());
	for (i = 0; i < ls->n; i++) {
		json_check(cJSON_AddStringToObject(root, ls->v[i].name,
		    ls->v[i].value));
	}
	out = json_print(root);
	cJSON_Delete(root);
	return out;
}

/* One name -> value pair while a set is built from unsorted input. */
struct labels_pending {
	const char	*name;
	const char	*value;
	size_t		 order;
};

/* By name, then by position, so the last of equal names sorts last. */
static int
labels_pending_cmp(const void *a, const void *b)
{
	const struct labels_pending	*pa = a, *pb = b;
	int				 c;

	if ((c = strcmp(pa->name, pb->name)) != 0)
		return c;
	return pa->order < pb->order ? -1 : pa->order > pb->order;
}

/* The stored JSON whole, or NULL and *cause naming the byte it breaks at. */
static cJSON *
labels_parse_json(const char *json, char **cause)
{
	const char	*end = NULL;
	cJSON		*root = cJSON_ParseWithOpts(json, &end, 1);

	if (root == NULL)
		cause_set(cause, "invalid JSON near byte %zu",
		    end != NULL && end >= json ? (size_t)(end - json) + 1 : 1);
	return root;
}

int
labels_from_json(const char *json, struct labels *out, char **cause)
{
	cJSON			*root, *item;
	struct labels_pending	*p = NULL;
	size_t			 n = 0, i, j;

	out->v = NULL;
	out->n = 0;
	if ((root = labels_parse_json(json, cause)) == NULL)
		return -1;
	if (!cJSON_IsObject(root)) {
		cause_set(cause, "expected a JSON object of strings, got %s",
		    errtext_json_kind(root));
		cJSON_Delete(root);
		return -1;
	}
	/*
	 * Collect, sort and keep the last of duplicate names: hostile input
	 * in reverse order would make one insertion at a time quadratic.
	 */
	for (item = root->child; item != NULL; item = item->next) {
		if (!cJSON_IsString(item)) {
			struct buf	 b;

			buf_init(&b);
			buf_adds(&b, "label ");
			errtext_add(&b, item->string, 1);
			buf_addf(&b, ": expected a string, got %s",
			    errtext_json_kind(item));
			cause_take(cause, buf_detach(&b));
			free(p);
			cJSON_Delete(root);
			return -1;
		}
		p = xreallocarray(p, n + 1, sizeof *p);
		p[n].name = item->string;
		p[n].value = item->valuestring;
		p[n].order = n;
		n++;
	}
	if (n > 0)
		qsort(p, n, sizeof *p, labels_pending_cmp);
	out->v = n == 0 ? NULL : xreallocarray(NULL, n, sizeof *out->v);
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && strcmp(p[j].name, p[i].name) == 0;)
			j++;
		out->v[out->n].name = xstrdup(p[j - 1].name);
		out->v[out->n].value = xstrdup(p[j - 1].value);
		out->n++;
	}
	free(p);
	cJSON_Delete(root);
	return 0;
}

char *
labels_to_text(const struct labels *ls)
{
	struct buf	 b;
	size_t		 i;

	buf_init(&b);
	for (i = 0; i < ls->n; i++) {
		if (i > 0)
			buf_adds(&b, ", ");
		buf_adds(&b, ls->v[i].name);
		buf_addc(&b, '=');
		escape_dquoted(&b, ls->v[i].value);
	}
	return buf_detach(&b);
}

/* Length of the label name at the start of s ([A-Za-z_][A-Za-z0-9_]*). */
static size_t
name_len(const char *s)
{
	size_t	 n = 0;

	if (!isalpha((unsigned char)s[0]) && s[0] != '_')
		return 0;
	while (isalnum((unsigned char)s[n]) || s[n] == '_')
		n++;
	return n;
}

static int
name_valid(const char *s)
{
	size_t	 n = name_len(s);

	return n > 0 && s[n] == '\0';
}

/* The operator at s: its length (0 if none) and kind. */
static size_t
op_at(const char *s, enum matcher_op *op)
{
	if (s[0] == '=' && s[1] == '~') {
		*op = MATCH_RE;
		return 2;
	}
	if (s[0] == '!' && s[1] == '~') {
		*op = MATCH_NRE;
		return 2;
	}
	if (s[0] == '!' && s[1] == '=') {
		*op = MATCH_NE;
		return 2;
	}
	if (s[0] == '=') {
		*op = MATCH_EQ;
		return 1;
	}
	return 0;
}

static const char *
op_string(enum matcher_op op)
{
	switch (op) {
	case MATCH_EQ:
		return "=";
	case MATCH_NE:
		return "!=";
	case MATCH_RE:
		return "=~";
	case MATCH_NRE:
		return "!~";
	}
	return "?";
}

/*
 * Fills m from parts (name already valid): copies both strings and
 * compiles the regex, anchored as ^(re)$. The regex is checked and
 * compiled alone first so that "a)|(b" cannot escape the anchors and
 * errors name what the person wrote. On failure m is
 * zeroed (holds nothing) and *cause names text.
 */
static int
matcher_build(struct matcher *m, const char *text, const char *name,
    enum matcher_op op, const char *value, char **cause)
{
	struct buf	 b;
	regex_t		 re;
	const char	*why;
	char		*anchored;
	int		 rc;

	memset(m, 0, sizeof *m);
	if (op == MATCH_RE || op == MATCH_NRE) {
		if ((why = regex_guard_check(value)) != NULL) {
			text_error(cause, text, why);
			return -1;
		}
		if ((rc = regcomp(&re, value, REG_EXTENDED | REG_NOSUB)) != 0) {
			buf_init(&b);
			regex_guard_error(&b, rc, &re);
			text_error(cause, text, b.data);
			buf_release(&b);
			return -1;
		}
		regfree(&re);
		xasprintf(&anchored, "^(%s)$", value);
		rc = regcomp(&m->re, anchored, REG_EXTENDED | REG_NOSUB);
		free(anchored);
		if (rc != 0) {
			buf_init(&b);
			regex_guard_error(&b, rc, &m->re);
			text_error(cause, text, b.data);
			buf_release(&b);
			return -1;
		}
		m->has_re = 1;
	}
	m->name = xstrdup(name);
	m->value = xstrdup(value);
	m->op = op;
	return 0;
}

/* Frees what one matcher holds and zeroes it. */
static void
matcher_release(struct matcher *m)
{
	if (m->has_re)
		regfree(&m->re);
	free(m->name);
	free(m->value);
	memset(m, 0, sizeof *m);
}

/*
 * The value after the operator: quoted ("a b", \" and \\ escapes, any
 * other backslash kept so regexes like "db\.prod" read naturally) or
 * the rest of the text as it is. Returns a string the caller frees, or
 * NULL with *why.
 */
static char *
matcher_value(const char *s, const char **why)
{
	struct buf	 b;

	if (*s != '"')
		return xstrdup(s);
	buf_init(&b);
	for (s++; *s != '"'; s++) {
		if (*s == '\0') {
			buf_release(&b);
			*why = "unterminated quote in the value";
			return NULL;
		}
		if (s[0] == '\\' && (s[1] == '"' || s[1] == '\\'))
			s++;
		buf_addc(&b, *s);
	}
	if (s[1] != '\0') {
		buf_release(&b);
		*why = "text after the closing quote";
		return NULL;
	}
	return buf_detach(&b);
}

int
matcher_parse(const char *text, struct matcher *out, char **cause)
{
	enum matcher_op	 op = MATCH_EQ;
	const char	*why = NULL;
	char		*name, *value;
	size_t		 n, oplen;
	int		 rc;

	memset(out, 0, sizeof *out);
	n = name_len(text);
	if (n == 0) {
		if (text[0] == '\0')
			cause_set(cause, "empty matcher");
		else
			text_error(cause, text, "expected a label name (letters, "
			    "digits and _, not starting with a digit) before "
			    "=, !=, =~ or !~");
		return -1;
	}
	if ((oplen = op_at(text + n, &op)) == 0) {
		text_error(cause, text, "expected name=value, name!=value, "
		    "name=~regex or name!~regex");
		return -1;
	}
	if ((value = matcher_value(text + n + oplen, &why)) == NULL) {
		text_error(cause, text, why);
		return -1;
	}
	name = xstrndup(text, n);
	rc = matcher_build(out, text, name, op, value, cause);
	free(name);
	free(value);
	return rc;
}

/* Appends a built matcher to the list (which takes its contents). */
static void
matchers_push(struct matchers *ms, struct matcher *m)
{
	ms->v = xreallocarray(ms->v, ms->n + 1, sizeof *ms->v);
	ms->v[ms->n++] = *m;
}

/* "name=~\"value\"" for messages and for matchers_to_text. */
static void
matcher_text(struct buf *b, const char *name, enum matcher_op op,
    const char *value)
{
	const char	*p;
	int		 quote = *value == '\0' || op == MATCH_RE ||
			    op == MATCH_NRE;

	/* Bare values are those a person would not think to quote. */
	for (p = value; *p != '\0' && !quote; p++) {
		if (!isalnum((unsigned char)*p) && strchr("_-.:/@%+", *p) ==
		    NULL)
			quote = 1;
	}
	buf_adds(b, name);
	buf_adds(b, op_string(op));
	if (quote)
		escape_dquoted(b, value);
	else
		buf_adds(b, value);
}

int
matchers_add(struct matchers *ms, const char *name, enum matcher_op op,
    const char *value, char **cause)
{
	struct matcher	 m;
	struct buf	 text;
	int		 rc;

	buf_init(&text);
	matcher_text(&text, name, op, value);
	if (!name_valid(name)) {
		text_error(cause, text.data, "bad label name (letters, digits "
		    "and _, not starting with a digit)");
		buf_release(&text);
		return -1;
	}
	if ((rc = matcher_build(&m, text.data, name, op, value, cause)) == 0)
		matchers_push(ms, &m);
	buf_release(&text);
	return rc;
}

/*
 * *out is overwritten (not freed), as labels_copy does; on -1 it is
 * empty again. A word "looks like a matcher" when a label name is
 * followed by an operator; "2h", "9x=1" or "disk full" end the list.
 */
int
matchers_parse_words(char *const *words, size_t nwords,
    struct matchers *out, char **cause)
{
	struct matcher	 m;
	enum matcher_op	 op;
	size_t		 i, n;

	out->v = NULL;
	out->n = 0;
	for (i = 0; i < nwords; i++) {
		n = name_len(words[i]);
		if (n == 0 || op_at(words[i] + n, &op) == 0)
			break;
		if (matcher_parse(words[i], &m, cause) != 0) {
			matchers_release(out);
			return -1;
		}
		matchers_push(out, &m);
	}
	return (int)i;
}

int
matchers_match(const struct matchers *ms, const struct labels *ls)
{
	const struct matcher	*m;
	const char		*v;
	size_t			 i;
	int			 hit;

	for (i = 0; i < ms->n; i++) {
		m = &ms->v[i];
		if ((v = labels_get(ls, m->name)) == NULL)
			v = "";
		switch (m->op) {
		case MATCH_EQ:
		case MATCH_NE:
			hit = strcmp(v, m->value) == 0;
			break;
		case MATCH_RE:
		case MATCH_NRE:
			hit = m->has_re && regexec(&m->re, v, 0, NULL, 0) == 0;
			break;
		default:
			return 0;
		}
		if (m->op == MATCH_NE || m->op == MATCH_NRE)
			hit = !hit;
		if (!hit)
			return 0;
	}
	return 1;
}

char *
matchers_to_text(const struct matchers *ms)
{
	struct buf	 b;
	size_t		 i;

	buf_init(&b);
	for (i = 0; i < ms->n; i++) {
		if (i > 0)
			buf_addc(&b, ',');
		matcher_text(&b, ms->v[i].name, ms->v[i].op, ms->v[i].value);
	}
	return buf_detach(&b);
}

char *
matchers_to_json(const struct matchers *ms)
{
	cJSON	*root, *o;
	char	*out;
	size_t	 i;

	root = json_check(cJSON_CreateArray());
	for (i = 0; i < ms->n; i++) {
		o = json_check(cJSON_CreateObject());
		json_check(cJSON_AddStringToObject(o, "name", ms->v[i].name));
		json_check(cJSON_AddStringToObject(o, "op",
		    op_string(ms->v[i].op)));
		json_check(cJSON_AddStringToObject(o, "value",
		    ms->v[i].value));
		cJSON_AddItemToArray(root, o);
	}
	out = json_print(root);
	cJSON_Delete(root);
	return out;
}

/* One element of a matchers array: 0, or -1 and *cause naming [i]. */
static int
matcher_from_json(const cJSON *o, size_t i, struct matchers *out, char **cause)
{
	static const char *const	 keys[] = { "name", "op", "value" };
	const cJSON			*v[3];
	enum matcher_op			 op;
	char				*why = NULL;
	size_t				 k;

	if (!cJSON_IsObject(o)) {
		cause_set(cause, "[%zu]: expected an object, got %s", i,
		    errtext_json_kind(o));
		return -1;
	}
	for (k = 0; k < 3; k++) {
		v[k] = cJSON_GetObjectItemCaseSensitive(o, keys[k]);
		if (v[k] == NULL) {
			cause_set(cause, "[%zu].%s: missing", i, keys[k]);
			return -1;
		}
		if (!cJSON_IsString(v[k])) {
			cause_set(cause, "[%zu].%s: expected a string, got %s",
			    i, keys[k], errtext_json_kind(v[k]));
			return -1;
		}
	}
	if (op_at(v[1]->valuestring, &op) == 0 ||
	    strlen(v[1]->valuestring) != strlen(op_string(op))) {
		struct buf	 b;

		buf_init(&b);
		buf_addf(&b, "[%zu].op: expected =, !=, =~ or !~, got ", i);
		errtext_add(&b, v[1]->valuestring, 1);
		cause_take(cause, buf_detach(&b));
		return -1;
	}
	if (matchers_add(out, v[0]->valuestring, op, v[2]->valuestring,
	    &why) != 0) {
		cause_set(cause, "[%zu]: %s", i, why);
		free(why);
		return -1;
	}
	return 0;
}

int
matchers_from_json(const char *json, struct matchers *out, char **cause)
{
	cJSON		*root, *o;
	size_t		 i = 0;

	out->v = NULL;
	out->n = 0;
	if ((root = labels_parse_json(json, cause)) == NULL)
		return -1;
	if (!cJSON_IsArray(root)) {
		cause_set(cause, "expected a JSON array of matchers, got %s",
		    errtext_json_kind(root));
		cJSON_Delete(root);
		return -1;
	}
	for (o = root->child; o != NULL; o = o->next, i++) {
		if (matcher_from_json(o, i, out, cause) != 0) {
			matchers_release(out);
			cJSON_Delete(root);
			return -1;
		}
	}
	cJSON_Delete(root);
	return 0;
}

void
matchers_release(struct matchers *ms)
{
	size_t	 i;

	for (i = 0; i < ms->n; i++)
		matcher_release(&ms->v[i]);
	free(ms->v);
	ms->v = NULL;
	ms->n = 0;
}

/*
 * The loader's building blocks (config_int.h): error lines with their
 * place, typed reads of one key, ${ENV} expansion, secrets read from
 * files, and unknown-key detection with a suggestion. Every file of the
 * loader reads the JSON through these, so a type error reads the same
 * wherever it happens.
 */

#include <sys/stat.h>

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "args.h"
#include "buf.h"
#include "config_int.h"
#include "suggest.h"
#include "xmalloc.h"

void
cfg_error(struct cfg_ctx *ctx, const char *path, const char *fmt, ...)
{
	va_list	 ap;

	buf_addf(ctx->errors, "%s: ", path);
	va_start(ap, fmt);
	buf_vaddf(ctx->errors, fmt, ap);
	va_end(ap);
	buf_addc(ctx->errors, '\n');
	ctx->nerrors++;
}

/* Child paths: "hosts" + "port" -> "hosts.port"; root children unprefixed. */
char *
cfg_path_key(const char *parent, const char *key)
{
	char	*p;

	if (*parent == '\0')
		return xstrdup(key);
	xasprintf(&p, "%s.%s", parent, key);
	return p;
}

char *
cfg_path_index(const char *parent, int i)
{
	char	*p;

	xasprintf(&p, "%s[%d]", parent, i);
	return p;
}

/* Describes a JSON value for "got ..." in messages. */
static void
cfg_describe(const cJSON *v, char *out, size_t len)
{
	if (v == NULL)
		snprintf(out, len, "nothing");
	else if (cJSON_IsString(v))
		snprintf(out, len, "\"%.40s%s\"", v->valuestring,
		    strlen(v->valuestring) > 40 ? "..." : "");
	else if (cJSON_IsNumber(v)) {
		/* Out of range, the cast to long long would be undefined. */
		if (v->valuedouble > -1e15 && v->valuedouble < 1e15 &&
		    v->valuedouble == (double)(long long)v->valuedouble)
			snprintf(out, len, "%lld", (long long)v->valuedouble);
		else
			snprintf(out, len, "%g", v->valuedouble);
	} else if (cJSON_IsBool(v))
		snprintf(out, len, "%s", cJSON_IsTrue(v) ? "true" : "false");
	else if (cJSON_IsNull(v))
		snprintf(out, len, "null");
	else if (cJSON_IsArray(v))
		snprintf(out, len, "an array");
	else
		snprintf(out, len, "an object");
}

void
cfg_type_error(struct cfg_ctx *ctx, const char *path, const char *expected,
    const cJSON *got)
{
	char	 desc[64];

	cfg_describe(got, desc, sizeof desc);
	cfg_error(ctx, path, "expected %s, got %s", expected, desc);
}

/*
 * Unknown keys are errors. allowed is NULL-terminated; a key "x" that
 * names a secret also allows "x_file" when listed that way by the caller.
 * With allowed NULL (maps keyed by name) only duplicates are errors.
 */
static config_keys_fn	 cfg_keys_seen;
static void		*cfg_keys_seen_arg;

void
config_on_keys(config_keys_fn fn, void *arg)
{
	cfg_keys_seen = fn;
	cfg_keys_seen_arg = arg;
}

void
cfg_check_keys(struct cfg_ctx *ctx, const cJSON *obj, const char *path,
    const char *const *allowed)
{
	const cJSON		*item, *other;
	const char *const	*a;
	const char		*hint;
	char			*p;
	struct buf		 known;

	if (cfg_keys_seen != NULL && allowed != NULL)
		cfg_keys_seen(cfg_keys_seen_arg, path, allowed);

	cJSON_ArrayForEach(item, obj) {
		p = cfg_path_key(path, item->string);
		for (other = obj->child; other != item; other = other->next) {
			if (strcmp(other->string, item->string) == 0) {
				cfg_error(ctx, p, "duplicate key");
				break;
			}
		}
		if (allowed == NULL) {
			free(p);
			continue;
		}
		for (a = allowed; *a != NULL; a++) {
			if (strcmp(*a, item->string) == 0)
				break;
		}
		if (*a == NULL) {
			hint = suggest_pick(item->string, allowed);
			if (hint != NULL)
				cfg_error(ctx, p, "unknown key; did you mean "
				    "\"%s\"?", hint);
			else {
				buf_init(&known);
				for (a = allowed; *a != NULL; a++)
					buf_addf(&known, "%s%s",
					    a == allowed ? "" : ", ", *a);
				cfg_error(ctx, p, "unknown key (known keys: "
				    "%s)", known.data);
				buf_release(&known);
			}
		}
		free(p);
	}
}

/*
 * Expands ${NAME} from the environment ("$$" is a literal "$"). Returns a
 * new string, or NULL after reporting the problem at path.
 */
char *
cfg_expand(struct cfg_ctx *ctx, const char *path, const char *s)
{
	struct buf	 b;
	const char	*p = s, *end, *val;
	char		*name;
	size_t		 n;

	buf_init(&b);
	while (*p != '\0') {
		if (p[0] == '$' && p[1] == '$') {
			buf_addc(&b, '$');
			p += 2;
			continue;
		}
		if (p[0] != '$' || p[1] != '{') {
			buf_addc(&b, *p++);
			continue;
		}
		end = strchr(p + 2, '}');
		n = end != NULL ? (size_t)(end - p - 2) : 0;
		if (end == NULL || n == 0 ||
		    strspn(p + 2, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "abcdefghijklmnopqrstuvwxyz0123456789_") != n ||
		    (p[2] >= '0' && p[2] <= '9')) {
			cfg_error(ctx, path, "bad variable reference; write "
			    "${NAME} with letters, digits and _ (or $$ for "
			    "a literal $)");
			buf_release(&b);
			return NULL;
		}
		name = xstrndup(p + 2, n);
		val = getenv(name);
		if (val == NULL) {
			cfg_error(ctx, path, "environment variable %s is not "
			    "set", name);
			free(name);
			buf_release(&b);
			return NULL;
		}
		free(name);
		buf_adds(&b, val);
		p = end + 1;
	}
	return buf_detach(&b);
}

/*
 * Reads a string key. Returns 1 and sets *out (caller frees) when
 * present and valid, 0 when absent, -1 after reporting an error.
 */
int
cfg_string(struct cfg_ctx *ctx, const cJSON *obj, const char *path,
    const char *key, char **out)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(obj, key);
	char		*p;
	int		 rc = -1;

	if (v == NULL)
		return 0;
	p = cfg_path_key(path, key);
	if (!cJSON_IsString(v))
		cfg_type_error(ctx, p, "a string", v);
	else if ((*out = cfg_expand(ctx, p, v->valuestring)) != NULL)
		rc = 1;
	free(p);
	return rc;
}

/* A string key with a default; *out is always set (caller frees). */
void
cfg_string_def(struct cfg_ctx *ctx, const cJSON *obj, const char *path,
    const char *key, const char *def, char **out)
{
	if (cfg_string(ctx, obj, path, key, out) != 1)
		*out = def != NULL ? xstrdup(def) : NULL;
}

/* A string that must be present and non-empty. */
char *
cfg_string_req(struct cfg_ctx *ctx, const cJSON *obj, const char *path,
    const char *key)
{
	char	*s = NULL, *p;
	int	 rc = cfg_string(ctx, obj, path, key, &s);

	if (rc == 1 && *s != '\0')
		return s;
	if (rc >= 0) {
		p = cfg_path_key(path, key);
		cfg_error(ctx, p, rc == 0 ? "required key is missing" :
		    "must not be empty");
		free(p);
	}
	free(s);
	return NULL;
}

void
cfg_int(struct cfg_ctx *ctx, const cJSON *obj, const char *path,
    const char *key, int min, int max, int def, int *out)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(obj, key);
	char		*p, expected[64];

	*out = def;
	if (v == NULL)
		return;
	if (cJSON_IsNumber(v) && v->valuedouble >= min &&
	    v->valuedouble <= max && v->valuedouble == (double)(int)v->valuedouble) {
		*out = (int)v->valuedouble;
		return;
	}
	p = cfg_path_key(path, key);
	snprintf(expected, sizeof expected, "an integer %d-%d", min, max);
	cfg_type_error(ctx, p, expected, v);
	free(p);
}

void
cfg_bool(struct cfg_ctx *ctx, const cJSON *obj, const char *path,
    const char *key, int def, int *out)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(obj, key);
	char		*p;

	*out = def;
	if (v == NULL)
		return;
	if (cJSON_IsBool(v)) {
		*out = cJSON_IsTrue(v);
		return;
	}
	p = cfg_path_key(path, key);
	cfg_type_error(ctx, p, "true or false", v);
	free(p);
}

void
cfg_duration(struct cfg_ctx *ctx, const cJSON *obj, const char *path,
    const char *key, int64_t def, int64_t *out)
{
	char	*s = NULL, *cause = NULL, *p;

	*out = def;
	if (cfg_string(ctx, obj, path, key, &s) != 1)
		return;
	if (duration_parse(s, out, &cause) != 0) {
		p = cfg_path_key(path, key);
		cfg_error(ctx, p, "%s", cause);
		free(p);
		free(cause);
		*out = def;
	}
	free(s);
}

/* One of a fixed set of words; returns its index, or def. */
int
cfg_enum(struct cfg_ctx *ctx, const cJSON *obj, const char *path,
    const char *key, const char *const *words, int def)
{
	char		*s = NULL, *p;
	const char	*hint;
	int		 i, found = def;
	struct buf	 b;

	if (cfg_string(ctx, obj, path, key, &s) != 1)
		return def;
	for (i = 0; words[i] != NULL; i++) {
		if (strcmp(words[i], s) == 0)
			break;
	}
	if (words[i] != NULL)
		found = i;
	else {
		buf_init(&b);
		for (i = 0; words[i] != NULL; i++)
			buf_addf(&b, "%s\"%s\"", i == 0 ? "" :
			    words[i + 1] == NULL ? " or " : ", ", words[i]);
		p = cfg_path_key(path, key);
		/* A typo of one of them (a checklist's kind, a level). */
		hint = suggest_pick(s, words);
		cfg_error(ctx, p, "expected %s, got \"%s\"%s%s%s", b.data, s,
		    hint != NULL ? "; did you mean \"" : "",
		    hint != NULL ? hint : "", hint != NULL ? "\"?" : "");
		free(p);
		buf_release(&b);
	}
	free(s);
	return found;
}

/* An array of strings (a lone string is not accepted: be explicit). */
void
cfg_strlist(struct cfg_ctx *ctx, const cJSON *obj, const char *path,
    const char *key, struct strlist *out)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(obj, key);
	const cJSON	*item;
	char		*p, *ip, *s;
	int		 i = 0;

	memset(out, 0, sizeof *out);
	if (v == NULL)
		return;
	p = cfg_path_key(path, key);
	if (!cJSON_IsArray(v)) {
		cfg_type_error(ctx, p, "an array of strings", v);
		free(p);
		return;
	}
	out->v = xcalloc((size_t)cJSON_GetArraySize(v) + 1, sizeof *out->v);
	cJSON_ArrayForEach(item, v) {
		ip = cfg_path_index(p, i++);
		if (!cJSON_IsString(item))
			cfg_type_error(ctx, ip, "a string", item);
		else if (item->valuestring[0] == '\0')
			cfg_error(ctx, ip, "must not be empty");
		else if ((s = cfg_expand(ctx, ip, item->valuestring)) != NULL)
			out->v[out->n++] = s;
		free(ip);
	}
	free(p);
}

void
strlist_free(struct strlist *l)
{
	size_t	 i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof *l);
}

int
config_strlist_has(const struct strlist *l, const char *s)
{
	size_t	 i;

	for (i = 0; i < l->n; i++) {
		if (strcmp(l->v[i], s) == 0)
			return 1;
	}
	return 0;
}

/*
 * Reads a secret from key, or from the file named by key_file. The file
 * must be a regular file that group and others cannot read. Returns the
 * secret (caller frees) or NULL when absent or after an error.
 */
char *
cfg_secret(struct cfg_ctx *ctx, const cJSON *obj, const char *path,
    const char *key)
{
	char		 fkey[64], buf[CONFIG_SECRET_MAX + 1], *p = NULL;
	char		*val = NULL, *file = NULL;
	struct stat	 st;
	ssize_t		 n;
	int		 fd = -1, has_val, has_file;

	snprintf(fkey, sizeof fkey, "%s_file", key);
	has_val = cfg_string(ctx, obj, path, key, &val);
	has_file = cfg_string(ctx, obj, path, fkey, &file);
	if (has_val < 0 || has_file < 0)
		goto fail;
	if (has_val == 1 && has_file == 1) {
		p = cfg_path_key(path, key);
		cfg_error(ctx, p, "set either %s or %s, not both", key, fkey);
		goto fail;
	}
	if (has_val == 1) {
		if (*val == '\0') {
			p = cfg_path_key(path, key);
			cfg_error(ctx, p, "must not be empty");
			goto fail;
		}
		return val;
	}
	if (has_file == 0)
		return NULL;

	p = cfg_path_key(path, fkey);
	/* O_NONBLOCK: a FIFO named by mistake must not hang start-up. */
	if ((fd = open(file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC |
	    O_NONBLOCK)) == -1 ||
	    fstat(fd, &st) != 0) {
		cfg_error(ctx, p, "cannot read %s: %s", file, strerror(errno));
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		cfg_error(ctx, p, "%s is not a regular file", file);
		goto fail;
	}
	if ((st.st_mode & 077) != 0) {
		cfg_error(ctx, p, "%s is readable by group or others (mode "
		    "%04o); run: chmod 600 %s", file,
		    (unsigned)(st.st_mode & 07777), file);
		goto fail;
	}
	n = read(fd, buf, sizeof buf);
	if (n < 0 || n > CONFIG_SECRET_MAX) {
		cfg_error(ctx, p, n < 0 ? "cannot read %s" :
		    "%s is larger than 4 KiB; is it the right file?", file);
		goto fail;
	}
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r' ||
	    buf[n - 1] == ' ' || buf[n - 1] == '\t'))
		n--;
	if (n == 0) {
		cfg_error(ctx, p, "%s is empty", file);
		goto fail;
	}
	val = xstrndup(buf, (size_t)n);
	explicit_bzero(buf, sizeof buf);
	close(fd);
	free(file);
	free(p);
	return val;

fail:
	explicit_bzero(buf, sizeof buf);
	if (fd != -1)
		close(fd);
	free(val);
	free(file);
	free(p);
	return NULL;
}

/* Fetches an optional object-valued key; reports a wrong type. */
const cJSON *
cfg_object(struct cfg_ctx *ctx, const cJSON *obj, const char *path,
    const char *key)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(obj, key);
	char		*p;

	if (v == NULL || cJSON_IsObject(v))
		return v;
	p = cfg_path_key(path, key);
	cfg_type_error(ctx, p, "an object", v);
	free(p);
	return NULL;
}

const cJSON *
cfg_array(struct cfg_ctx *ctx, const cJSON *obj, const char *key,
    const char *what)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(obj, key);

	if (v == NULL || cJSON_IsArray(v))
		return v;
	cfg_type_error(ctx, key, what, v);
	return NULL;
}

/* Names people type in chat: letters, digits, '.', '_', '-'. */
int
cfg_is_name(const char *s)
{
	size_t	 n = strlen(s);

	return n > 0 && n <= 64 && strspn(s, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") == n && s[0] != '-';
}

void
cfg_check_name(struct cfg_ctx *ctx, const char *path, const char *key,
    const char *s)
{
	char	*p;

	if (s == NULL || cfg_is_name(s))
		return;
	p = cfg_path_key(path, key);
	cfg_error(ctx, p, "\"%s\" is not a valid name (use 1-64 letters, "
	    "digits, '.', '_' or '-', not starting with '-')", s);
	free(p);
}

/* Reports key at path if its value s was given but empty. */
void
cfg_no_empty(struct cfg_ctx *ctx, const char *path, const char *key,
    const char *s)
{
	char	*p;

	if (s == NULL || *s != '\0')
		return;
	p = cfg_path_key(path, key);
	cfg_error(ctx, p, "must not be empty");
	free(p);
}


int
cfg_has_prefix(const char *s, const char *prefix)
{
	return s != NULL && strncmp(s, prefix, strlen(prefix)) == 0;
}


void
cfg_unknown_name(struct cfg_ctx *ctx, const char *path, const char *what,
    const char *name, const char *const *known)
{
	const char	*hint = suggest_pick(name, known);

	if (hint != NULL)
		cfg_error(ctx, path, "unknown %s \"%s\"; did you mean \"%s\"?",
		    what, name, hint);
	else
		cfg_error(ctx, path, "unknown %s \"%s\"", what, name);
}


void
cfg_strlist_copy(struct strlist *dst, const struct strlist *src)
{
	size_t	 i;

	dst->v = xcalloc(src->n + 1, sizeof *dst->v);
	for (i = 0; i < src->n; i++)
		dst->v[i] = xstrdup(src->v[i]);
	dst->n = src->n;
}


/*
 * The generic loader of config_table.c's rows: for each row, the typed
 * read with its bounds and default, the environment, the row's own
 * check; the unknown-key check from the rows; and the frees, secrets and
 * docs text that the rows alone determine.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "config_int.h"
#include "log.h"
#include "xmalloc.h"

#define FIELD(c, k, type)	((type *)(void *)((char *)(c) + (k)->offset))

/* The environment's value of a row, or NULL when unset or empty. */
static const char *
row_env(const struct cfg_key *k)
{
	const char	*v;

	if (k->env == NULL || (v = getenv(k->env)) == NULL || *v == '\0')
		return NULL;
	return v;
}

static void
load_double(struct cfg_ctx *ctx, const cJSON *obj, const char *path,
    const struct cfg_key *k, double *out)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(obj, k->key);
	char		*p, expected[128];

	*out = k->def;
	if (v == NULL)
		return;
	if (cJSON_IsNumber(v) && v->valuedouble >= k->min &&
	    v->valuedouble <= k->max) {
		*out = v->valuedouble;
		return;
	}
	p = cfg_path_key(path, k->key);
	snprintf(expected, sizeof expected, "%s, %g-%g", k->what, k->min,
	    k->max);
	cfg_type_error(ctx, p, expected, v);
	free(p);
}

/* A string or a secret: the file's, the environment's, or the default. */
static void
load_string(struct cfg_ctx *ctx, const cJSON *obj, const char *path,
    const struct cfg_key *k, char **out)
{
	const char	*env = row_env(k);
	char		*p;

	if (k->type == CFG_SECRET)
		*out = cfg_secret(ctx, obj, path, k->key);
	else if (k->flags & CFG_F_REQUIRED)
		*out = cfg_string_req(ctx, obj, path, k->key);
	else
		cfg_string_def(ctx, obj, path, k->key, k->def_str, out);
	if (env != NULL && (*out == NULL || (k->flags & CFG_F_ENV_OVER))) {
		free(*out);
		*out = xstrdup(env);
	}
	if (*out == NULL)
		return;
	p = cfg_path_key(path, k->key);
	if (k->flags & CFG_F_NONEMPTY && **out == '\0')
		cfg_error(ctx, p, "must not be empty");
	if (k->flags & CFG_F_NAME)
		cfg_check_name(ctx, path, k->key, *out);
	if (k->check != NULL)
		k->check(ctx, p, out);
	free(p);
}

/* A duration, or (CFG_AGE) "forever": kept, 0. */
static void
load_duration(struct cfg_ctx *ctx, const cJSON *obj, const char *path,
    const struct cfg_key *k, int64_t *out)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(obj, k->key);
	char		*p, text[32];

	if (k->type == CFG_AGE && cJSON_IsString(v) &&
	    strcmp(v->valuestring, "forever") == 0) {
		*out = 0;
		return;
	}
	cfg_duration(ctx, obj, path, k->key, (int64_t)k->def, out);
	if (k->min > 0 && *out < (int64_t)k->min) {
		p = cfg_path_key(path, k->key);
		duration_format((int64_t)k->min, text, sizeof text);
		cfg_error(ctx, p, "must be at least %s", text);
		free(p);
	}
}

static void
load_row(struct cfg_ctx *ctx, const cJSON *obj, const char *path,
    const struct cfg_key *k, void *c)
{
	int	 n;

	switch (k->type) {
	case CFG_BOOL:
		cfg_bool(ctx, obj, path, k->key, (int)k->def,
		    FIELD(c, k, int));
		break;
	case CFG_INT:
		cfg_int(ctx, obj, path, k->key, (int)k->min, (int)k->max,
		    (int)k->def, FIELD(c, k, int));
		break;
	case CFG_SIZE:
		cfg_int(ctx, obj, path, k->key, (int)k->min, (int)k->max,
		    (int)k->def, &n);
		*FIELD(c, k, size_t) = (size_t)n;
		break;
	case CFG_DOUBLE:
		load_double(ctx, obj, path, k, FIELD(c, k, double));
		break;
	case CFG_STRING:
	case CFG_SECRET:
		load_string(ctx, obj, path, k, FIELD(c, k, char *));
		break;
	case CFG_ENUM:
		/* Enums are stored in an int-sized field (config.h). */
		*FIELD(c, k, int) = cfg_enum(ctx, obj, path, k->key, k->words,
		    (int)k->def);
		break;
	case CFG_WORD:
		*FIELD(c, k, char *) = xstrdup(k->words[cfg_enum(ctx, obj, path,
		    k->key, k->words, (int)k->def)]);
		break;
	case CFG_DURATION:
	case CFG_AGE:
		load_duration(ctx, obj, path, k, FIELD(c, k, int64_t));
		break;
	case CFG_OBJECT:
		break;
	}
}

void
cfg_load_rows(struct cfg_ctx *ctx, const cJSON *obj, const char *path,
    const struct cfg_section *s, void *base)
{
	const char	**keys;
	size_t		  i, n = 0;

	/* A secret "x" may also be given as "x_file". */
	keys = xcalloc(2 * s->nkeys + 1, sizeof *keys);
	for (i = 0; i < s->nkeys; i++) {
		keys[n++] = s->keys[i].key;
		if (s->keys[i].type == CFG_SECRET)
			xasprintf((char **)&keys[n++], "%s_file",
			    s->keys[i].key);
	}
	cfg_check_keys(ctx, obj, path, keys);
	for (i = 0, n = 0; i < s->nkeys; i++) {
		n++;
		if (s->keys[i].type == CFG_SECRET)
			free((char *)keys[n++]);
	}
	free(keys);
	for (i = 0; i < s->nkeys; i++) {
		if (s->keys[i].offset != CFG_NOFIELD &&
		    !(s->keys[i].flags & CFG_F_HAND))
			load_row(ctx, obj, path, &s->keys[i], base);
	}
}

void
cfg_load_section(struct cfg_ctx *ctx, const cJSON *obj, const char *path,
    struct config *c)
{
	cfg_load_rows(ctx, obj, path, cfg_section_find(path), c);
}

void
cfg_free_rows(const struct cfg_section *s, void *base)
{
	const struct cfg_key	*k;
	size_t			 j;

	for (j = 0; j < s->nkeys; j++) {
		k = &s->keys[j];
		if (k->offset != CFG_NOFIELD && (k->type == CFG_STRING ||
		    k->type == CFG_WORD ||
		    k->type == CFG_SECRET))
			free(*FIELD(base, k, char *));
	}
}

void
cfg_free_sections(struct config *c)
{
	size_t	 i;

	for (i = 0; cfg_sections[i] != NULL; i++) {
		if (!cfg_sections[i]->element)
			cfg_free_rows(cfg_sections[i], c);
	}
}

void
cfg_secrets_sections(const struct config *c)
{
	const struct cfg_key	*k;
	size_t			 i, j;

	for (i = 0; cfg_sections[i] != NULL; i++) {
		for (j = 0; j < cfg_sections[i]->nkeys &&
		    !cfg_sections[i]->element; j++) {
			k = &cfg_sections[i]->keys[j];
			if (k->offset != CFG_NOFIELD && k->type == CFG_SECRET)
				log_add_secret(*FIELD(c, k, char *const));
		}
	}
}

const char *
cfg_key_default_doc(const struct cfg_key *k, char *out, size_t len)
{
	char	 text[32];

	if (k->doc_default != NULL)
		return k->doc_default;
	switch (k->type) {
	case CFG_BOOL:
		snprintf(out, len, "`%s`", k->def != 0 ? "true" : "false");
		break;
	case CFG_INT:
	case CFG_SIZE:
		snprintf(out, len, "`%lld`", (long long)k->def);
		break;
	case CFG_DOUBLE:
		snprintf(out, len, "`%g`", k->def);
		break;
	case CFG_STRING:
		if (k->def_str != NULL)
			snprintf(out, len, "`\"%s\"`", k->def_str);
		else
			snprintf(out, len, "none");
		break;
	case CFG_ENUM:
	case CFG_WORD:
		snprintf(out, len, "`\"%s\"`", k->words[(int)k->def]);
		break;
	case CFG_DURATION:
	case CFG_AGE:
		duration_format((int64_t)k->def, text, sizeof text);
		snprintf(out, len, "`\"%s\"`", text);
		break;
	case CFG_SECRET:
	case CFG_OBJECT:
		snprintf(out, len, "none");
		break;
	}
	return out;
}

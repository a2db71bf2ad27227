/*
 * custom_commands: a team's own commands, loaded and checked whole. A
 * command is a run template whose {param}s are typed values from chat;
 * the template is cut into parts here, once, so that running it only
 * joins shell text the config wrote with values the bot quotes
 * (probe_custom_script). Everything that can be wrong with a template
 * is said at load: a {param} nobody declared, one inside quotes (the
 * quoting would then be the template's, not the bot's), a pattern that
 * does not compile, bounds the wrong way round.
 */

#include <cjson/cJSON.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "config_int.h"
#include "suggest.h"
#include "xmalloc.h"

#define CUSTOM_PARAM_NAME_MAX	32

/* A parameter's name: what {name} and the usage's NAME are made of. */
static int
cfg_is_param_name(const char *s)
{
	size_t	 n = strlen(s);

	return n > 0 && n <= CUSTOM_PARAM_NAME_MAX &&
	    strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_") == n &&
	    !(s[0] >= '0' && s[0] <= '9');
}

static int
cfg_param_index(const struct cfg_custom *cc, const char *name, size_t n)
{
	size_t	 i;

	for (i = 0; i < cc->nparams; i++) {
		if (cc->params[i].name != NULL &&
		    strlen(cc->params[i].name) == n &&
		    strncmp(cc->params[i].name, name, n) == 0)
			return (int)i;
	}
	return -1;
}

static void
cfg_tpart_add(struct cfg_custom *cc, struct buf *lit, int param)
{
	cc->parts = xreallocarray(cc->parts, cc->nparts + 2,
	    sizeof *cc->parts);
	if (lit->len > 0) {
		cc->parts[cc->nparts].text = xstrdup(lit->data);
		cc->parts[cc->nparts++].param = -1;
		buf_clear(lit);
	}
	if (param >= 0) {
		cc->parts[cc->nparts].text = NULL;
		cc->parts[cc->nparts++].param = param;
	}
}

/* An undeclared {name}: the error names what is declared. */
static void
cfg_unknown_param(struct cfg_ctx *ctx, const char *path,
    const struct cfg_custom *cc, const char *name)
{
	const char	**names = xcalloc(cc->nparams + 1, sizeof *names);
	const char	*hint;
	struct buf	 known;
	size_t		 i, n = 0;

	buf_init(&known);
	for (i = 0; i < cc->nparams; i++) {
		if (cc->params[i].name == NULL)
			continue;
		names[n++] = cc->params[i].name;
		buf_addf(&known, "%s%s", known.len > 0 ? ", " : "",
		    cc->params[i].name);
	}
	hint = suggest_pick(name, names);
	cfg_error(ctx, path, "{%s} is not a declared parameter (declared: "
	    "%s)%s%s%s", name, known.len > 0 ? known.data : "none",
	    hint != NULL ? "; did you mean {" : "", hint != NULL ? hint : "",
	    hint != NULL ? "}?" : "");
	buf_release(&known);
	free(names);
}

/*
 * Cuts cc->run into literal shell text and {param}s, following the
 * shell's quotes only to refuse a {param} inside them: the bot quotes
 * each value as one word itself, and inside '...' that quoting would
 * end the template's quotes and split the value. "{{" and "}}" are a
 * literal brace.
 */
void
cfg_template_parse(struct cfg_ctx *ctx, const char *path,
    struct cfg_custom *cc)
{
	const char	*s = cc->run, *end;
	struct buf	 lit;
	char		*name;
	int		 sq = 0, dq = 0, idx;
	unsigned char	*used = xcalloc(cc->nparams + 1, 1);
	size_t		 i;

	buf_init(&lit);
	while (*s != '\0') {
		if (*s == '\\' && !sq && s[1] != '\0') {
			buf_add(&lit, s, 2);
			s += 2;
			continue;
		}
		if (*s == '\'' && !dq)
			sq = !sq;
		else if (*s == '"' && !sq)
			dq = !dq;
		if ((*s == '{' && s[1] == '{') || (*s == '}' && s[1] == '}')) {
			buf_addc(&lit, *s);
			s += 2;
			continue;
		}
		if (*s != '{') {
			buf_addc(&lit, *s++);
			continue;
		}
		end = strchr(s + 1, '}');
		name = end != NULL ? xstrndup(s + 1, (size_t)(end - s - 1)) :
		    NULL;
		if (name == NULL || !cfg_is_param_name(name)) {
			cfg_error(ctx, path, "a \"{\" starts a parameter like "
			    "{days}; write {{ for a literal {");
			free(name);
			break;
		}
		if ((idx = cfg_param_index(cc, name, strlen(name))) < 0)
			cfg_unknown_param(ctx, path, cc, name);
		else if (sq || dq)
			cfg_error(ctx, path, "{%s} is inside %s quotes; leave it "
			    "bare: the bot quotes each value as one word", name,
			    sq ? "single" : "double");
		else {
			used[idx] = 1;
			cfg_tpart_add(cc, &lit, idx);
		}
		free(name);
		s = end + 1;
	}
	if (*s == '\0' && (sq || dq))
		cfg_error(ctx, path, "a %s quote is never closed", sq ?
		    "single" : "double");
	/*
	 * A value quoted as one word is still code in an unquoted here-
	 * document: there '...' is literal and $(...) runs.
	 */
	for (i = 0; i < cc->nparams; i++) {
		if (used[i] && strstr(cc->run, "<<") != NULL) {
			cfg_error(ctx, path, "a here-document (<<) would run "
			    "$(...) in a value; pass values as arguments, or "
			    "put the here-document in a script on the host");
			break;
		}
	}
	cfg_tpart_add(cc, &lit, -1);
	buf_release(&lit);
	/* A declared value the command never gets is a typo somewhere. */
	for (i = 0; i < cc->nparams; i++) {
		if (!used[i] && cc->params[i].name != NULL &&
		    cc->params[i].type != CPARAM_HOST)
			cfg_error(ctx, path, "parameter %s is declared but run "
			    "never uses {%s}", cc->params[i].name,
			    cc->params[i].name);
	}
	free(used);
}

/* The checks of one parameter that need nothing but itself. */
static void
cfg_check_param(struct cfg_ctx *ctx, const cJSON *o, const char *path,
    const struct cfg_cparam *p)
{
	regex_t		 re;
	char		*anch, why[128];
	int		 rc;

	if (p->choices.n > 0 && p->type != CPARAM_CHOICE)
		cfg_error(ctx, path, "choices are for a \"choice\" parameter, "
		    "not \"%s\"", cparam_type_name(p->type));
	if (p->type == CPARAM_CHOICE && p->choices.n == 0)
		cfg_error(ctx, path, "a \"choice\" parameter needs choices, "
		    "e.g. [\"app\", \"web\"]");
	if ((cJSON_GetObjectItemCaseSensitive(o, "min") != NULL ||
	    cJSON_GetObjectItemCaseSensitive(o, "max") != NULL) &&
	    p->type != CPARAM_INT)
		cfg_error(ctx, path, "min and max are for an \"int\" "
		    "parameter, not \"%s\"", cparam_type_name(p->type));
	if (p->type == CPARAM_INT && p->min > p->max)
		cfg_error(ctx, path, "min (%d) is above max (%d)", p->min,
		    p->max);
	if (p->pattern != NULL && p->type != CPARAM_WORD)
		cfg_error(ctx, path, "a pattern is for a \"word\" parameter, "
		    "not \"%s\"", cparam_type_name(p->type));
	if (p->type == CPARAM_WORD && p->pattern == NULL)
		cfg_error(ctx, path, "a \"word\" parameter needs a pattern, "
		    "e.g. \"[a-z0-9_-]+\"");
	if (p->type == CPARAM_WORD && p->pattern != NULL) {
		/* Anchored: the whole value matches, not a part of it. */
		xasprintf(&anch, "^(%s)$", p->pattern);
		if ((rc = regcomp(&re, anch, REG_EXTENDED | REG_NOSUB)) != 0) {
			regerror(rc, &re, why, sizeof why);
			cfg_error(ctx, path, "pattern \"%s\" does not compile: %s",
			    p->pattern, why);
		} else
			regfree(&re);
		free(anch);
	}
}

void
cfg_load_params(struct cfg_ctx *ctx, const cJSON *e, const char *path,
    struct cfg_custom *cc)
{
	const cJSON		*arr = cJSON_GetObjectItemCaseSensitive(e,
	    "params"), *o;
	struct cfg_cparam	*p;
	char			*pp, *ip;
	size_t			 j, nhost = 0;
	int			 i = 0, optional = 0;

	if (arr == NULL)
		return;
	pp = cfg_path_key(path, "params");
	if (!cJSON_IsArray(arr)) {
		cfg_type_error(ctx, pp, "an array of parameters", arr);
		free(pp);
		return;
	}
	cc->params = xcalloc((size_t)cJSON_GetArraySize(arr) + 1,
	    sizeof *cc->params);
	cJSON_ArrayForEach(o, arr) {
		ip = cfg_path_index(pp, i++);
		if (!cJSON_IsObject(o)) {
			cfg_type_error(ctx, ip, "an object like {\"name\": "
			    "\"days\", \"type\": \"int\"}", o);
			free(ip);
			continue;
		}
		p = &cc->params[cc->nparams++];
		cfg_load_rows(ctx, o, ip, &cfg_cparam_section, p);
		cfg_strlist(ctx, o, ip, "choices", &p->choices);
		if (p->name != NULL && !cfg_is_param_name(p->name))
			cfg_error(ctx, ip, "\"%s\" is not a parameter name (1-%d "
			    "lower-case letters, digits or _, not starting "
			    "with a digit)", p->name, CUSTOM_PARAM_NAME_MAX);
		for (j = 0; p->name != NULL && j + 1 < cc->nparams; j++) {
			if (cc->params[j].name != NULL &&
			    strcmp(cc->params[j].name, p->name) == 0)
				cfg_error(ctx, ip, "parameter %s is declared "
				    "twice", p->name);
		}
		cfg_check_param(ctx, o, ip, p);
		if (p->type == CPARAM_HOST && ++nhost == 2)
			cfg_error(ctx, ip, "a command runs on one host "
			    "parameter at most");
		if (p->type == CPARAM_TEXT && cJSON_GetArraySize(arr) != i)
			cfg_error(ctx, ip, "a \"text\" parameter takes the rest "
			    "of the line, so it comes last");
		if (p->def == NULL && optional)
			cfg_error(ctx, ip, "%s has no default but follows a "
			    "parameter that has one; put the optional ones "
			    "last", p->name != NULL ? p->name : "it");
		optional |= p->def != NULL;
		free(ip);
	}
	free(pp);
}

void
cfg_load_custom(struct cfg_ctx *ctx, const cJSON *root, struct config *c)
{
	const cJSON		*arr = cfg_array(ctx, root, "custom_commands",
	    "an array of commands"), *e;
	struct cfg_custom	*cc;
	const char		*builtin;
	char			*p, *rp;
	size_t			 j;
	int			 i = 0;

	c->custom = xcalloc((size_t)cJSON_GetArraySize(arr) + 1,
	    sizeof *c->custom);
	cJSON_ArrayForEach(e, arr) {
		p = cfg_path_index("custom_commands", i++);
		if (!cJSON_IsObject(e)) {
			cfg_type_error(ctx, p, "an object", e);
			free(p);
			continue;
		}
		cc = &c->custom[c->ncustom++];
		cfg_load_rows(ctx, e, p, &cfg_custom_section, cc);
		cfg_strlist(ctx, e, p, "hosts", &cc->hosts);
		if (cc->hosts.n == 0)
			cfg_error(ctx, p, "needs hosts: the host names or tags "
			    "it may run on (or [\"all\"])");
		if (cc->timeout_s > 3600)
			cfg_error(ctx, p, "timeout: at most 1h; a command that "
			    "long would hold a worker");
		if (cc->name != NULL &&
		    (builtin = cfg_command_find(NULL, cc->name)) != NULL)
			cfg_error(ctx, p, "\"%s\" is the built-in command /%s; "
			    "pick another name", cc->name, builtin);
		for (j = 0; cc->name != NULL && j + 1 < c->ncustom; j++) {
			if (c->custom[j].name != NULL &&
			    strcmp(c->custom[j].name, cc->name) == 0)
				cfg_error(ctx, p, "command \"%s\" is already "
				    "defined at custom_commands[%zu]", cc->name,
				    j);
		}
		cfg_load_params(ctx, e, p, cc);
		if (cc->run != NULL) {
			rp = cfg_path_key(p, "run");
			cfg_template_parse(ctx, rp, cc);
			free(rp);
		}
		free(p);
	}
}

/* Is name a host's name or one of its tags (or "all")? */
static int
cfg_is_target(const struct config *c, const char *name)
{
	size_t	 i;

	if (strcmp(name, "all") == 0)
		return 1;
	for (i = 0; i < c->nhosts; i++) {
		if ((c->hosts[i].name != NULL &&
		    strcmp(c->hosts[i].name, name) == 0) ||
		    config_strlist_has(&c->hosts[i].tags, name))
			return 1;
	}
	return 0;
}

/*
 * What custom_commands[].hosts may name: "all", the hosts' names, then
 * their tags; NULL-terminated (caller frees the array, not the names).
 */
static const char **
cfg_target_names(const struct config *c)
{
	const char	**v;
	size_t		  i, j, n = 0, cap = c->nhosts + 2;

	for (i = 0; i < c->nhosts; i++)
		cap += c->hosts[i].tags.n;
	v = xcalloc(cap, sizeof *v);
	v[n++] = "all";
	for (i = 0; i < c->nhosts; i++)
		if (c->hosts[i].name != NULL)
			v[n++] = c->hosts[i].name;
	for (i = 0; i < c->nhosts; i++)
		for (j = 0; j < c->hosts[i].tags.n; j++)
			v[n++] = c->hosts[i].tags.v[j];
	return v;
}

void
cfg_check_custom(struct cfg_ctx *ctx, const struct config *c)
{
	const struct cfg_custom	*cc;
	const struct cfg_cparam	*p;
	const char		**known = cfg_target_names(c);
	char			*path, *norm, *why;
	size_t			 i, j;

	for (i = 0; i < c->ncustom; i++) {
		cc = &c->custom[i];
		for (j = 0; j < cc->hosts.n; j++) {
			if (cfg_is_target(c, cc->hosts.v[j]))
				continue;
			xasprintf(&path, "custom_commands[%zu].hosts[%zu]", i,
			    j);
			cfg_unknown_name(ctx, path, "host or tag",
			    cc->hosts.v[j], known);
			free(path);
		}
		/* A default is a value a user could type: bound like one. */
		for (j = 0; j < cc->nparams; j++) {
			p = &cc->params[j];
			if (p->def == NULL || p->type == CPARAM_JOB)
				continue;
			if (cfg_custom_value(c, cc, p, p->def, &norm,
			    &why) == 0) {
				free(norm);
				continue;
			}
			xasprintf(&path, "custom_commands[%zu].params[%zu]."
			    "default", i, j);
			cfg_error(ctx, path, "%s", why);
			free(path);
			free(why);
		}
	}
	free(known);
}

void
cfg_custom_free(struct cfg_custom *cc)
{
	size_t	 i;

	cfg_free_rows(&cfg_custom_section, cc);
	strlist_free(&cc->hosts);
	for (i = 0; i < cc->nparams; i++) {
		cfg_free_rows(&cfg_cparam_section, &cc->params[i]);
		strlist_free(&cc->params[i].choices);
	}
	free(cc->params);
	for (i = 0; i < cc->nparts; i++)
		free(cc->parts[i].text);
	free(cc->parts);
}

const struct cfg_custom *
config_find_custom(const struct config *c, const char *name)
{
	size_t	 i;

	for (i = 0; c != NULL && i < c->ncustom; i++) {
		if (c->custom[i].name != NULL &&
		    strcmp(c->custom[i].name, name) == 0)
			return &c->custom[i];
	}
	return NULL;
}

/* One route's remediate, and its children's. */
static void
cfg_check_remedy_route(struct cfg_ctx *ctx, const struct config *c,
    const struct cfg_route *r)
{
	const char	*s, *end, *hint;
	char		*path, word[128];
	size_t		 i, n;

	for (i = 0; i < r->nroutes; i++)
		cfg_check_remedy_route(ctx, c, &r->routes[i]);
	if (r->remediate == NULL)
		return;
	path = cfg_path_key(r->path, "remediate");
	s = r->remediate + (r->remediate[0] == '/');
	n = strcspn(s, " \t");
	snprintf(word, sizeof word, "%.*s", (int)(n < 127 ? n : 127), s);
	if (cfg_commands_known() && cfg_command_find(c, word) == NULL) {
		hint = cfg_command_suggest(c, word);
		cfg_error(ctx, path, "unknown command \"/%s\"%s%s%s", word,
		    hint != NULL ? "; did you mean \"/" : "",
		    hint != NULL ? hint : "", hint != NULL ? "\"?" : "");
	}
	for (s = r->remediate; *s != '\0'; s++) {
		if ((*s == '{' && s[1] == '{') || (*s == '}' && s[1] == '}')) {
			s++;
			continue;
		}
		if (*s != '{')
			continue;
		end = strchr(s, '}');
		n = end != NULL ? (size_t)(end - s - 1) : 0;
		if (end == NULL || n == 0 || n > 100 ||
		    strspn(s + 1, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop"
		    "qrstuvwxyz0123456789_") != n || (s[1] >= '0' &&
		    s[1] <= '9')) {
			cfg_error(ctx, path, "a \"{\" starts a label like "
			    "{host} or {service}; write {{ for a literal {");
			break;
		}
		s = end;
	}
	free(path);
}

void
cfg_check_remediate(struct cfg_ctx *ctx, const struct config *c)
{
	cfg_check_remedy_route(ctx, c, &c->alerts.route);
}

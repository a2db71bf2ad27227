/*
 * A custom command's words from chat bound to its typed parameters.
 * This is the one gate between what a user types and the values the
 * run template gets: each value is checked against its declared type
 * and normalised, and the errors say what was wanted and what came
 * ("days must be an integer from 1 to 90, got '9;rm'"). Quoting for the
 * shell is not done here but where the script is written
 * (probe_custom_script), so a value is never quoted twice or not at all.
 */

#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "buf.h"
#include "cause.h"
#include "config_int.h"
#include "suggest.h"
#include "xmalloc.h"

/* Bytes of a bad value quoted back in an error. */
#define CUSTOM_ECHO_MAX	64
#define CUSTOM_JOB_MAX	64

const char *
cparam_type_name(int type)
{
	static const char *const names[] = { "host", "choice", "int",
	    "duration", "job", "word", "text" };

	if (type < 0 || (size_t)type >= sizeof names / sizeof *names)
		return "?";
	return names[type];
}

int
config_custom_allows_host(const struct cfg_custom *cc,
    const struct cfg_host *h)
{
	size_t	 i;

	for (i = 0; i < cc->hosts.n; i++) {
		if (strcmp(cc->hosts.v[i], "all") == 0 ||
		    strcmp(cc->hosts.v[i], h->name) == 0 ||
		    config_strlist_has(&h->tags, cc->hosts.v[i]))
			return 1;
	}
	return 0;
}

/* "'9;rm'", cut on a character boundary when long. Caller frees. */
static char *
custom_echo(const char *v)
{
	size_t	 n = strlen(v);
	char	*s;

	if (n <= CUSTOM_ECHO_MAX) {
		xasprintf(&s, "'%s'", v);
		return s;
	}
	n = CUSTOM_ECHO_MAX;
	while (n > 0 && ((unsigned char)v[n] & 0xc0) == 0x80)
		n--;
	xasprintf(&s, "'%.*s…'", (int)n, v);
	return s;
}

/* An integer as people write it: an optional minus and digits. */
static int
custom_int(const char *v, long long *out)
{
	char	*end;
	size_t	 n = strlen(v), skip = v[0] == '-';

	if (n == skip || n - skip > 10 || strspn(v + skip, "0123456789") !=
	    n - skip)
		return -1;
	errno = 0;
	*out = strtoll(v, &end, 10);
	return errno != 0 || *end != '\0' ? -1 : 0;
}

static int
custom_host_value(const struct config *c, const struct cfg_custom *cc,
    const struct cfg_cparam *p, const char *v, char **cause)
{
	const struct cfg_host	*h = config_find_host(c, v);
	const char		**names, *hint;
	struct buf		 known;
	size_t			 i, n = 0;
	char			*echo;

	if (h != NULL && config_custom_allows_host(cc, h))
		return 0;
	names = xcalloc(c->nhosts + 1, sizeof *names);
	buf_init(&known);
	for (i = 0; i < c->nhosts; i++) {
		if (!config_custom_allows_host(cc, &c->hosts[i]))
			continue;
		names[n++] = c->hosts[i].name;
		buf_addf(&known, "%s%s", known.len > 0 ? ", " : "",
		    c->hosts[i].name);
	}
	hint = h == NULL ? suggest_pick(v, names) : NULL;
	echo = custom_echo(v);
	if (h == NULL)
		cause_set(cause, "%s must be a host of the inventory, got %s%s%s"
		    "%s; it may run on: %s", p->name, echo, hint != NULL ?
		    " (did you mean " : "", hint != NULL ? hint : "",
		    hint != NULL ? "?)" : "", known.len > 0 ? known.data :
		    "none");
	else
		cause_set(cause, "/%s may not run on %s; it may run on: %s",
		    cc->name, v, known.len > 0 ? known.data : "none");
	free(echo);
	buf_release(&known);
	free(names);
	return -1;
}

static int
custom_choice_value(const struct cfg_cparam *p, const char *v,
    char **cause)
{
	struct buf	 b;
	const char	*hint;
	char		*echo;
	size_t		 i;

	if (config_strlist_has(&p->choices, v))
		return 0;
	buf_init(&b);
	for (i = 0; i < p->choices.n; i++)
		buf_addf(&b, "%s%s", i == 0 ? "" : i + 1 == p->choices.n ?
		    " or " : ", ", p->choices.v[i]);
	hint = suggest_pick(v, (const char *const *)p->choices.v);
	echo = custom_echo(v);
	cause_set(cause, "%s must be one of %s, got %s%s%s%s", p->name,
	    b.data, echo, hint != NULL ? " (did you mean " : "",
	    hint != NULL ? hint : "", hint != NULL ? "?)" : "");
	free(echo);
	buf_release(&b);
	return -1;
}

static int
custom_word_value(const struct cfg_cparam *p, const char *v, char **cause)
{
	regex_t	 re;
	char	*anch, *echo;
	int	 rc;

	/* The loader compiled it once already; this cannot fail. */
	xasprintf(&anch, "^(%s)$", p->pattern);
	if (regcomp(&re, anch, REG_EXTENDED | REG_NOSUB) != 0) {
		free(anch);
		cause_set(cause, "%s: its pattern does not compile", p->name);
		return -1;
	}
	free(anch);
	rc = regexec(&re, v, 0, NULL, 0);
	regfree(&re);
	if (rc == 0)
		return 0;
	echo = custom_echo(v);
	cause_set(cause, "%s must match %s, got %s", p->name, p->pattern,
	    echo);
	free(echo);
	return -1;
}

int
cfg_custom_value(const struct config *c, const struct cfg_custom *cc,
    const struct cfg_cparam *p, const char *v, char **norm, char **cause)
{
	long long	 n;
	int64_t		 secs;
	char		*echo, *why = NULL;

	*norm = NULL;
	cause_clear(cause);
	if (*v == '\0') {
		cause_set(cause, "%s must not be empty", p->name);
		return -1;
	}
	switch (p->type) {
	case CPARAM_HOST:
		if (custom_host_value(c, cc, p, v, cause) != 0)
			return -1;
		break;
	case CPARAM_CHOICE:
		if (custom_choice_value(p, v, cause) != 0)
			return -1;
		break;
	case CPARAM_INT:
		if (custom_int(v, &n) != 0 || n < p->min || n > p->max) {
			echo = custom_echo(v);
			cause_set(cause, "%s must be an integer from %d to %d, "
			    "got %s", p->name, p->min, p->max, echo);
			free(echo);
			return -1;
		}
		/* "007" and "7" are the same number to the script. */
		xasprintf(norm, "%lld", n);
		return 0;
	case CPARAM_DURATION:
		if (duration_parse(v, &secs, &why) != 0) {
			echo = custom_echo(v);
			cause_set(cause, "%s must be a duration like 30m, 2h or "
			    "7d, got %s", p->name, echo);
			free(echo);
			free(why);
			return -1;
		}
		xasprintf(norm, "%lld", (long long)secs);
		return 0;
	case CPARAM_JOB:
		/* One job by its name: never a pattern for the host. */
		if (strlen(v) > CUSTOM_JOB_MAX || v[0] == '-' ||
		    strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstu"
		    "vwxyz0123456789_.#-") != strlen(v)) {
			echo = custom_echo(v);
			cause_set(cause, "%s must be one job's name (letters, "
			    "digits, _ . # -), got %s", p->name, echo);
			free(echo);
			return -1;
		}
		break;
	case CPARAM_WORD:
		if (custom_word_value(p, v, cause) != 0)
			return -1;
		break;
	case CPARAM_TEXT:
		break;
	}
	*norm = xstrdup(v);
	return 0;
}

/* Is job allowed where cc runs: on host, or on each of cc's hosts? */
static int
custom_job_allowed(const struct config *c, const struct cfg_custom *cc,
    const struct cfg_host *host, const char *job, char **cause)
{
	size_t	 i, n = 0;

	for (i = 0; i < c->nhosts; i++) {
		if (host != NULL ? &c->hosts[i] != host :
		    !config_custom_allows_host(cc, &c->hosts[i]))
			continue;
		n++;
		if (!config_job_allowed(c->hosts[i].jobs, job)) {
			cause_set(cause, "job %s is not in the inventory of %s "
			    "(see hosts[].jobs.names in the config)", job,
			    c->hosts[i].name);
			return 0;
		}
	}
	if (n == 0)
		cause_set(cause, "job %s: no host to run it on", job);
	return n > 0;
}

void
config_custom_values_free(const struct cfg_custom *cc, char **values)
{
	size_t	 i;

	if (values == NULL)
		return;
	for (i = 0; i < cc->nparams; i++)
		free(values[i]);
	free(values);
}

int
config_custom_bind(const struct config *c, const struct cfg_custom *cc,
    const char *const *words, int nwords, char ***values, char **cause)
{
	const struct cfg_cparam	*p;
	const struct cfg_host	*host = NULL;
	struct buf		 rest;
	char			**v;
	size_t			 i;
	int			 k, rc = 0;

	*values = NULL;
	cause_clear(cause);
	if (nwords < 0 || ((size_t)nwords > cc->nparams && (cc->nparams ==
	    0 || cc->params[cc->nparams - 1].type != CPARAM_TEXT))) {
		cause_set(cause, "/%s takes at most %zu value%s, got %d",
		    cc->name, cc->nparams, cc->nparams == 1 ? "" : "s", nwords);
		return -1;
	}
	v = xcalloc(cc->nparams + 1, sizeof *v);
	for (i = 0; i < cc->nparams && rc == 0; i++) {
		p = &cc->params[i];
		if ((int)i >= nwords && p->def == NULL) {
			cause_set(cause, "/%s needs %s", cc->name, p->name);
			rc = -1;
		} else if ((int)i >= nwords)
			rc = cfg_custom_value(c, cc, p, p->def, &v[i], cause);
		else if (p->type == CPARAM_TEXT) {
			/* The rest of the line is the one text argument. */
			buf_init(&rest);
			for (k = (int)i; k < nwords; k++)
				buf_addf(&rest, "%s%s", k > (int)i ? " " : "",
				    words[k]);
			rc = cfg_custom_value(c, cc, p, rest.data, &v[i],
			    cause);
			buf_release(&rest);
		} else
			rc = cfg_custom_value(c, cc, p, words[i], &v[i], cause);
		if (rc == 0 && p->type == CPARAM_HOST)
			host = config_find_host(c, v[i]);
	}
	for (i = 0; i < cc->nparams && rc == 0; i++) {
		if (cc->params[i].type == CPARAM_JOB &&
		    !custom_job_allowed(c, cc, host, v[i], cause))
			rc = -1;
	}
	if (rc != 0) {
		config_custom_values_free(cc, v);
		return -1;
	}
	*values = v;
	return 0;
}

/*
 * metrics_sources[] and fleet: the PromQL engines the fleet commands ask
 * (docs/metrics.md), their hosts listed by hand, and the checks across
 * fields the rows cannot say (basic auth needs both halves, a token
 * excludes it, names unique, no host listed twice).
 */

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "config_int.h"
#include "log.h"
#include "xmalloc.h"

/* A label name, as PromQL takes it in "by (...)" unquoted. */
static void
cfg_check_label(struct cfg_ctx *ctx, const char *path, const char *key,
    const char *s)
{
	const char	*c;
	char		*p;

	for (c = s; *c != '\0'; c++) {
		if ((*c < 'a' || *c > 'z') && (*c < 'A' || *c > 'Z') &&
		    *c != '_' && (c == s || *c < '0' || *c > '9'))
			break;
	}
	if (*s != '\0' && *c == '\0')
		return;
	p = cfg_path_key(path, key);
	cfg_error(ctx, p, "\"%s\" is not a label name (letters, digits and "
	    "_, not starting with a digit)", s);
	free(p);
}

static void
cfg_load_mhosts(struct cfg_ctx *ctx, const cJSON *src, const char *path,
    struct cfg_metrics_source *ms)
{
	const cJSON		*hosts = cJSON_GetObjectItemCaseSensitive(src,
	    "hosts"), *h;
	struct cfg_metrics_host	*mh;
	char			*p, *hp;
	size_t			 j;
	int			 i = 0;

	if (hosts == NULL)
		return;
	p = cfg_path_key(path, "hosts");
	if (!cJSON_IsArray(hosts)) {
		cfg_type_error(ctx, p, "an array of hosts like [{\"name\": "
		    "\"web1\"}]", hosts);
		free(p);
		return;
	}
	ms->hosts = xcalloc((size_t)cJSON_GetArraySize(hosts) + 1,
	    sizeof *ms->hosts);
	cJSON_ArrayForEach(h, hosts) {
		hp = cfg_path_index(p, i++);
		if (!cJSON_IsObject(h)) {
			cfg_type_error(ctx, hp, "an object like {\"name\": "
			    "\"web1\", \"match\": \"10.0.0.1\"}", h);
			free(hp);
			continue;
		}
		mh = &ms->hosts[ms->nhosts++];
		cfg_load_rows(ctx, h, hp, &cfg_mhost_section, mh);
		cfg_strlist(ctx, h, hp, "tags", &mh->tags);
		for (j = 0; j < mh->tags.n; j++)
			cfg_check_name(ctx, hp, "tags", mh->tags.v[j]);
		free(hp);
	}
	free(p);
}

/* Names unique across sources, each host in one source at most. */
static void
cfg_check_metrics(struct cfg_ctx *ctx, const struct config *c)
{
	const struct cfg_metrics_source	*a, *b;
	size_t				 i, j, k, l;
	char				*p;

	for (i = 0; i < c->nmetrics; i++) {
		a = &c->metrics[i];
		p = cfg_path_index("metrics_sources", (int)i);
		if (a->token != NULL && (a->user != NULL ||
		    a->password != NULL))
			cfg_error(ctx, p, "give either token (bearer) or user "
			    "and password (basic), not both");
		if ((a->user != NULL) != (a->password != NULL))
			cfg_error(ctx, p, "user and password go together "
			    "(basic authentication)");
		if (a->disk_crit_pct < a->disk_warn_pct)
			cfg_error(ctx, p, "disk_crit (%d) must not be below "
			    "disk_warn (%d)", a->disk_crit_pct,
			    a->disk_warn_pct);
		for (j = 0; j < i && a->name != NULL; j++) {
			if (c->metrics[j].name != NULL &&
			    strcmp(c->metrics[j].name, a->name) == 0)
				cfg_error(ctx, p, "source \"%s\" is already "
				    "defined at metrics_sources[%zu]", a->name,
				    j);
		}
		for (k = 0; k < a->nhosts; k++) {
			for (j = 0; j <= i; j++) {
				b = &c->metrics[j];
				for (l = 0; l < (j == i ? k : b->nhosts); l++) {
					if (a->hosts[k].name == NULL ||
					    b->hosts[l].name == NULL ||
					    strcmp(a->hosts[k].name,
					    b->hosts[l].name) != 0)
						continue;
					cfg_error(ctx, p, "host \"%s\" is "
					    "listed twice (also in source "
					    "\"%s\")", a->hosts[k].name,
					    b->name != NULL ? b->name : "?");
				}
			}
		}
		free(p);
	}
}

void
cfg_load_metrics(struct cfg_ctx *ctx, const cJSON *root, struct config *c)
{
	const cJSON			*srcs = cfg_array(ctx, root,
	    "metrics_sources", "an array of metrics sources"), *s;
	struct cfg_metrics_source	*ms;
	char				*p;
	size_t				 j;
	int				 i = 0;

	cfg_load_section(ctx, cfg_object(ctx, root, "", "fleet"), "fleet", c);
	c->metrics = xcalloc((size_t)cJSON_GetArraySize(srcs) + 1,
	    sizeof *c->metrics);
	cJSON_ArrayForEach(s, srcs) {
		p = cfg_path_index("metrics_sources", i++);
		if (!cJSON_IsObject(s)) {
			cfg_type_error(ctx, p, "an object like {\"name\": "
			    "\"prom\", \"url\": \"http://127.0.0.1:9090\"}", s);
			free(p);
			continue;
		}
		ms = &c->metrics[c->nmetrics++];
		cfg_load_rows(ctx, s, p, &cfg_metrics_section, ms);
		cfg_strlist(ctx, s, p, "tag_labels", &ms->tag_labels);
		for (j = 0; j < ms->tag_labels.n; j++)
			cfg_check_label(ctx, p, "tag_labels",
			    ms->tag_labels.v[j]);
		cfg_load_mhosts(ctx, s, p, ms);
		free(p);
	}
	cfg_check_metrics(ctx, c);
}

void
cfg_metrics_free(struct config *c)
{
	size_t	 i, j;

	for (i = 0; i < c->nmetrics; i++) {
		struct cfg_metrics_source *ms = &c->metrics[i];

		cfg_free_rows(&cfg_metrics_section, ms);
		strlist_free(&ms->tag_labels);
		for (j = 0; j < ms->nhosts; j++) {
			cfg_free_rows(&cfg_mhost_section, &ms->hosts[j]);
			strlist_free(&ms->hosts[j].tags);
		}
		free(ms->hosts);
	}
	free(c->metrics);
	c->metrics = NULL;
	c->nmetrics = 0;
}

/* Element rows are not the sections' secrets: registered here. */
void
cfg_metrics_secrets(const struct config *c)
{
	size_t	 i;

	for (i = 0; i < c->nmetrics; i++) {
		log_add_secret(c->metrics[i].token);
		log_add_secret(c->metrics[i].password);
	}
}

const struct cfg_metrics_source *
config_find_metrics(const struct config *c, const char *name)
{
	size_t	 i;

	for (i = 0; i < c->nmetrics; i++) {
		if (c->metrics[i].name != NULL &&
		    strcmp(c->metrics[i].name, name) == 0)
			return &c->metrics[i];
	}
	return NULL;
}

/*
 * incidents.auto_open: which alerts open an incident by themselves. Each
 * rule is read like an alert route's matching (match, match_re) plus the
 * host's tags, and names the one channel the incident opens in.
 */

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "channel.h"
#include "config.h"
#include "config_int.h"
#include "labels.h"
#include "xmalloc.h"

static void
cfg_rule_matchers(struct cfg_ctx *ctx, const cJSON *obj, const char *path,
    const char *key, enum matcher_op op, struct matchers *ms)
{
	const cJSON	*m = cfg_object(ctx, obj, path, key), *v;
	char		*p, *vp, *err = NULL;

	if (m == NULL)
		return;
	p = cfg_path_key(path, key);
	cJSON_ArrayForEach(v, m) {
		vp = cfg_path_key(p, v->string);
		if (!cJSON_IsString(v))
			cfg_type_error(ctx, vp, "a string", v);
		else if (matchers_add(ms, v->string, op, v->valuestring,
		    &err) != 0) {
			cfg_error(ctx, vp, "%s", err);
			free(err);
			err = NULL;
		}
		free(vp);
	}
	free(p);
}

/* The rule posts to one place: its platform must be clear. */
static void
cfg_rule_channel(struct cfg_ctx *ctx, const char *path,
    struct cfg_incident_rule *r)
{
	char	**v = NULL, *cp = cfg_path_key(path, "channel");
	size_t	  n = 0, i;

	cfg_check_channel(ctx, cp, r->channel);
	chan_receivers(r->channel, ctx->slack_on, ctx->mattermost_on, &v, &n);
	if (n > 1)
		cfg_error(ctx, cp, "\"%s\" is a channel on both Slack and "
		    "Mattermost; say which: \"slack:%s\" or \"mattermost:%s\"",
		    r->channel, r->channel, r->channel);
	else if (n == 1) {
		free(r->channel);
		r->channel = v[0];
		v[0] = NULL;
	}
	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
	free(cp);
}

void
cfg_load_incidents(struct cfg_ctx *ctx, const cJSON *root, struct config *c)
{
	const cJSON			*inc, *rules, *o;
	struct cfg_incident_rule	*r;
	char				*p, *rp;
	int				 i = 0;

	inc = cfg_object(ctx, root, "", "incidents");
	cfg_load_section(ctx, inc, "incidents", c);
	if (inc == NULL)
		return;
	rules = cJSON_GetObjectItemCaseSensitive(inc, "auto_open");
	if (rules == NULL)
		return;
	if (!cJSON_IsArray(rules)) {
		cfg_type_error(ctx, "incidents.auto_open", "an array of rules",
		    rules);
		return;
	}
	c->incidents.auto_open = xcalloc((size_t)cJSON_GetArraySize(rules) + 1,
	    sizeof *c->incidents.auto_open);
	cJSON_ArrayForEach(o, rules) {
		rp = cfg_path_index("incidents.auto_open", i++);
		if (!cJSON_IsObject(o)) {
			cfg_type_error(ctx, rp, "an object", o);
			free(rp);
			continue;
		}
		r = &c->incidents.auto_open[c->incidents.nauto_open++];
		cfg_load_rows(ctx, o, rp, &cfg_incident_rule_section, r);
		cfg_rule_matchers(ctx, o, rp, "match", MATCH_EQ, &r->matchers);
		cfg_rule_matchers(ctx, o, rp, "match_re", MATCH_RE,
		    &r->matchers);
		cfg_strlist(ctx, o, rp, "host_tags", &r->host_tags);
		if (cJSON_GetObjectItemCaseSensitive(o, "group_by") != NULL)
			cfg_strlist(ctx, o, rp, "group_by", &r->group_by);
		else {
			r->group_by.v = xcalloc(2, sizeof *r->group_by.v);
			r->group_by.v[r->group_by.n++] = xstrdup("alertname");
		}
		/* A rule without a test would make every alert an incident. */
		if (r->matchers.n == 0 && r->host_tags.n == 0) {
			p = cfg_path_key(rp, "match");
			cfg_error(ctx, p, "a rule needs match, match_re or "
			    "host_tags: without them every alert would open an "
			    "incident");
			free(p);
		}
		if (r->channel != NULL)
			cfg_rule_channel(ctx, rp, r);
		free(rp);
	}
}

void
cfg_incidents_free(struct config *c)
{
	size_t	 i;

	for (i = 0; i < c->incidents.nauto_open; i++) {
		struct cfg_incident_rule *r = &c->incidents.auto_open[i];

		cfg_free_rows(&cfg_incident_rule_section, r);
		matchers_release(&r->matchers);
		strlist_free(&r->host_tags);
		strlist_free(&r->group_by);
	}
	free(c->incidents.auto_open);
}

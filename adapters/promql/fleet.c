/*
 * The fleet's node_exporter series, twelve queries a source whatever
 * its size (see fleet.h): never one query per host, so a fleet of
 * thousands costs what a fleet of ten does in round trips, and they are
 * asked at once. Per source, S being its selector (job, and the hosts
 * listed by hand), each aggregated by the host label (fleet_q_def):
 *
 *   min by (LABEL, TAGS) (up{S})                  who is there, scraped
 *   max by (LABEL, TAGS) (node_load1{S}), node_load5, MemAvailable, MemTotal
 *   count by (LABEL) (node_cpu_seconds_total{mode="idle",S})
 *   max by (LABEL, mountpoint, fstype) (node_filesystem_X{S,fstype!~"E"})
 *     for avail_bytes, size_bytes, free_bytes, files, files_free
 *   max by (LABEL, name) (node_systemd_unit_state{state="failed",S}) == 1
 *
 * A host is every value of the source's host label seen in any of them
 * (an exporter scraped with honor_labels may carry many hosts and no up
 * of their own), kept in a hash by name while the answers are read.
 */

#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cause.h"
#include "fleet.h"
#include "promql.h"
#include "xmalloc.h"

struct fleet_build {
	struct fleet		*f;
	size_t			 cap;
	size_t			*slots;		/* index + 1, 0: empty */
	size_t			 nslots;	/* a power of two */
};

static uint64_t
fleet_hash(const char *s)
{
	uint64_t	 h = 1469598103934665603ULL;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static void
fleet_rehash(struct fleet_build *b)
{
	size_t	 i, j;

	free(b->slots);
	b->nslots = b->nslots == 0 ? 64 : b->nslots * 2;
	b->slots = xcalloc(b->nslots, sizeof *b->slots);
	for (i = 0; i < b->f->n; i++) {
		j = fleet_hash(b->f->v[i].name) & (b->nslots - 1);
		while (b->slots[j] != 0)
			j = (j + 1) & (b->nslots - 1);
		b->slots[j] = i + 1;
	}
}

/* The host called name, made (from src) when new; NULL: another's. */
static struct fleet_host *
fleet_host_get(struct fleet_build *b, const char *name,
    const struct cfg_metrics_source *src)
{
	struct fleet_host	*h;
	size_t			 j;

	if (2 * (b->f->n + 1) > b->nslots)
		fleet_rehash(b);
	j = fleet_hash(name) & (b->nslots - 1);
	for (; b->slots[j] != 0; j = (j + 1) & (b->nslots - 1)) {
		h = &b->f->v[b->slots[j] - 1];
		if (strcmp(h->name, name) == 0)
			/* Two engines with the same host: the first says. */
			return h->src == src ? h : NULL;
	}
	if (b->f->n == b->cap) {
		b->cap = b->cap == 0 ? 64 : 2 * b->cap;
		b->f->v = xreallocarray(b->f->v, b->cap, sizeof *b->f->v);
	}
	h = &b->f->v[b->f->n];
	memset(h, 0, sizeof *h);
	h->name = xstrdup(name);
	h->src = src;
	h->up = -1;
	b->slots[j] = ++b->f->n;
	return h;
}

char *
fleet_host_name(const char *label, const char *value)
{
	const char	*colon, *p;

	if (strcmp(label, "instance") != 0)
		return xstrdup(value);
	if (value[0] == '[' && (p = strchr(value, ']')) != NULL)
		return xstrndup(value + 1, (size_t)(p - value - 1));
	if ((colon = strrchr(value, ':')) == NULL ||
	    strchr(value, ':') != colon || colon[1] == '\0')
		return xstrdup(value);
	for (p = colon + 1; *p != '\0'; p++) {
		if (*p < '0' || *p > '9')
			return xstrdup(value);
	}
	return xstrndup(value, (size_t)(colon - value));
}

/* The host of sample s in src, or NULL: not one of src's hosts. */
static struct fleet_host *
fleet_sample_host(struct fleet_build *b, const struct cfg_metrics_source *src,
    const struct promql_sample *s)
{
	const char		*v = promql_label(s, src->host_label), *tv;
	struct fleet_host	*h;
	char			*name;
	size_t			 i;

	if (v == NULL || *v == '\0')
		return NULL;
	name = fleet_host_name(src->host_label, v);
	if (src->nhosts > 0) {
		/* Listed by hand: only those, by their own names. */
		for (i = 0; i < src->nhosts; i++) {
			const struct cfg_metrics_host *mh = &src->hosts[i];

			if (strcmp(mh->match != NULL ? mh->match : mh->name,
			    name) == 0)
				break;
		}
		free(name);
		if (i == src->nhosts)
			return NULL;
		h = fleet_host_get(b, src->hosts[i].name, src);
		if (h != NULL && h->tags.n == 0 && src->hosts[i].tags.n > 0) {
			for (size_t j = 0; j < src->hosts[i].tags.n; j++) {
				h->tags.v = xreallocarray(h->tags.v,
				    h->tags.n + 1, sizeof *h->tags.v);
				h->tags.v[h->tags.n++] =
				    xstrdup(src->hosts[i].tags.v[j]);
			}
		}
	} else {
		h = fleet_host_get(b, name, src);
		free(name);
	}
	if (h == NULL)
		return NULL;
	for (i = 0; i < src->tag_labels.n; i++) {
		if ((tv = promql_label(s, src->tag_labels.v[i])) == NULL ||
		    *tv == '\0')
			continue;
		if (config_strlist_has(&h->tags, tv))
			continue;
		h->tags.v = xreallocarray(h->tags.v, h->tags.n + 1,
		    sizeof *h->tags.v);
		h->tags.v[h->tags.n++] = xstrdup(tv);
	}
	return h;
}

/* The source's selector, without braces: job, and the hosts by hand. */
static void
fleet_selector(const struct cfg_metrics_source *src, struct buf *sel)
{
	size_t	 i;
	int	 port = strcmp(src->host_label, "instance") == 0;

	if (src->job != NULL && src->job[0] != '\0') {
		buf_adds(sel, "job=\"");
		promql_string_quote(sel, src->job);
		buf_adds(sel, "\"");
	}
	if (src->nhosts == 0)
		return;
	buf_addf(sel, "%s%s=~\"", sel->len > 0 ? "," : "", src->host_label);
	for (i = 0; i < src->nhosts; i++) {
		if (i > 0)
			buf_addc(sel, '|');
		promql_regex_quote(sel, src->hosts[i].match != NULL ?
		    src->hosts[i].match : src->hosts[i].name);
		if (port)
			buf_adds(sel, "(:[0-9]+)?");
	}
	buf_addc(sel, '"');
}

static struct fleet_mount *
fleet_mount_get(struct fleet_host *h, const char *path, const char *fstype)
{
	struct fleet_mount	*m;
	size_t			 i;

	for (i = 0; i < h->nmounts; i++) {
		if (strcmp(h->mounts[i].path, path) == 0)
			return &h->mounts[i];
	}
	h->mounts = xreallocarray(h->mounts, h->nmounts + 1,
	    sizeof *h->mounts);
	m = &h->mounts[h->nmounts++];
	m->path = xstrdup(path);
	m->fstype = xstrdup(fstype != NULL ? fstype : "");
	m->size = m->avail = m->free = m->files = m->files_free = -1;
	return m;
}

/*
 * The queries of a source, each aggregated to the labels the bot reads
 * (by the host label, and the mount or unit): a fleet's answer is then
 * a few numbers a host, not every label of every series, which keeps
 * the bodies and the parse small at thousands of hosts.
 */
enum fleet_q {
	FQ_UP, FQ_LOAD1, FQ_LOAD5, FQ_MEMAVAIL, FQ_MEMTOTAL, FQ_CPU,
	FQ_FSAVAIL, FQ_FSSIZE, FQ_FSFREE, FQ_FSFILES, FQ_FSFFREE, FQ_FAILED,
	FQ_ACTIVE,	/* only when units are asked for */
	FQ_N
};

static const struct {
	const char	*agg;		/* aggregation, by the host label */
	const char	*by;		/* more labels kept, or "" */
	const char	*metric;	/* selector before S */
	int		 tags;		/* by the tag labels too */
	int		 fs;		/* fstype_exclude applies */
	const char	*tail;		/* after the aggregation */
} fleet_q_def[FQ_N] = {
	/* Down if any of its targets is: min. */
	[FQ_UP] = { "min", "", "up{", 1, 0, "" },
	[FQ_LOAD1] = { "max", "", "node_load1{", 1, 0, "" },
	[FQ_LOAD5] = { "max", "", "node_load5{", 0, 0, "" },
	[FQ_MEMAVAIL] = { "max", "", "node_memory_MemAvailable_bytes{", 0, 0,
	    "" },
	[FQ_MEMTOTAL] = { "max", "", "node_memory_MemTotal_bytes{", 0, 0, "" },
	[FQ_CPU] = { "count", "", "node_cpu_seconds_total{mode=\"idle\"", 0,
	    0, "" },
	[FQ_FSAVAIL] = { "max", ",mountpoint,fstype",
	    "node_filesystem_avail_bytes{", 0, 1, "" },
	[FQ_FSSIZE] = { "max", ",mountpoint,fstype",
	    "node_filesystem_size_bytes{", 0, 1, "" },
	[FQ_FSFREE] = { "max", ",mountpoint,fstype",
	    "node_filesystem_free_bytes{", 0, 1, "" },
	[FQ_FSFILES] = { "max", ",mountpoint,fstype",
	    "node_filesystem_files{", 0, 1, "" },
	[FQ_FSFFREE] = { "max", ",mountpoint,fstype",
	    "node_filesystem_files_free{", 0, 1, "" },
	/* The units' names (a regex) follow: see fleet_query_text. */
	[FQ_ACTIVE] = { "max", ",name",
	    "node_systemd_unit_state{state=\"active\"", 0, 0, " == 1" },
	[FQ_FAILED] = { "max", ",name",
	    "node_systemd_unit_state{state=\"failed\"", 0, 0, " == 1" },
};

/* Reads the answer to query q into the hosts. */
static void
fleet_read(struct fleet_build *b, const struct cfg_metrics_source *src,
    enum fleet_q q, const struct promql_vector *vec)
{
	const struct promql_sample	*s;
	struct fleet_host		*h;
	struct fleet_mount		*m;
	const char			*mp, *unit;
	size_t				 i;

	for (i = 0; i < vec->n; i++) {
		s = &vec->v[i];
		if ((h = fleet_sample_host(b, src, s)) == NULL)
			continue;
		switch (q) {
		case FQ_UP:
			h->up = s->value == 1.0;
			break;
		case FQ_LOAD1:
			h->load1 = s->value;
			h->has_load = 1;
			break;
		case FQ_LOAD5:
			h->load5 = s->value;
			break;
		case FQ_MEMAVAIL:
			h->mem_avail = s->value;
			h->has_mem |= 1;
			break;
		case FQ_MEMTOTAL:
			h->mem_total = s->value;
			h->has_mem |= 2;
			break;
		case FQ_CPU:
			if (isfinite(s->value) && s->value > 0 &&
			    s->value < 1e6)
				h->ncpu = (long)s->value;
			break;
		case FQ_FSAVAIL:
		case FQ_FSSIZE:
		case FQ_FSFREE:
		case FQ_FSFILES:
		case FQ_FSFFREE:
			if ((mp = promql_label(s, "mountpoint")) == NULL)
				break;
			m = fleet_mount_get(h, mp, promql_label(s, "fstype"));
			if (q == FQ_FSAVAIL)
				m->avail = s->value;
			else if (q == FQ_FSSIZE)
				m->size = s->value;
			else if (q == FQ_FSFREE)
				m->free = s->value;
			else if (q == FQ_FSFILES)
				m->files = s->value;
			else
				m->files_free = s->value;
			break;
		case FQ_FAILED:
			unit = promql_label(s, "name");
			if (unit != NULL && !config_strlist_has(&h->failed,
			    unit)) {
				h->failed.v = xreallocarray(h->failed.v,
				    h->failed.n + 1, sizeof *h->failed.v);
				h->failed.v[h->failed.n++] = xstrdup(unit);
			}
			break;
		case FQ_ACTIVE:
			unit = promql_label(s, "name");
			if (unit != NULL && !config_strlist_has(&h->active,
			    unit)) {
				h->active.v = xreallocarray(h->active.v,
				    h->active.n + 1, sizeof *h->active.v);
				h->active.v[h->active.n++] = xstrdup(unit);
			}
			break;
		case FQ_N:
			break;
		}
	}
}

/* Query q of src: AGG by (LABEL[,TAGS][,MORE]) (METRIC,S[,fstype!~X]). */
static void
fleet_query_text(const struct cfg_metrics_source *src, enum fleet_q q,
    const char *sel, const struct strlist *units, struct buf *out)
{
	size_t	 i;
	int	 open = fleet_q_def[q].metric[strlen(fleet_q_def[q].metric) -
	    1] == '{';

	buf_addf(out, "%s by (%s", fleet_q_def[q].agg, src->host_label);
	if (q == FQ_ACTIVE) {
		/* "app" is the unit app or app.service, as hosts[] reads it. */
		buf_addf(out, ",name) (%s,name=~\"", fleet_q_def[q].metric);
		for (i = 0; i < units->n; i++) {
			buf_adds(out, i > 0 ? "|" : "");
			promql_regex_quote(out, units->v[i]);
			buf_adds(out, "(\\\\.service)?");
		}
		buf_addf(out, "\"%s%s})%s", *sel != '\0' ? "," : "", sel,
		    fleet_q_def[q].tail);
		return;
	}
	for (i = 0; fleet_q_def[q].tags && i < src->tag_labels.n; i++)
		buf_addf(out, ",%s", src->tag_labels.v[i]);
	buf_addf(out, "%s) (%s", fleet_q_def[q].by, fleet_q_def[q].metric);
	buf_addf(out, "%s%s", *sel != '\0' && !open ? "," : "", sel);
	if (fleet_q_def[q].fs && src->fstype_exclude != NULL &&
	    src->fstype_exclude[0] != '\0') {
		buf_addf(out, "%sfstype!~\"", *sel != '\0' || !open ? "," :
		    "");
		promql_string_quote(out, src->fstype_exclude);
		buf_addc(out, '"');
	}
	buf_addf(out, "})%s", fleet_q_def[q].tail);
}

/* One query in flight: its own thread, so a source's answer takes the
 * time of its slowest query, not the sum. */
struct fleet_ask {
	const struct cfg_metrics_source	*src;
	enum fleet_q			 q;
	struct buf			 text;
	struct promql_vector		 vec;
	char				*cause;
	int				 rc;
	pthread_t			 thread;
	int				 started;
};

static void *
fleet_ask_run(void *arg)
{
	struct fleet_ask	*a = arg;

	a->rc = promql_query(a->src, a->text.data, &a->vec, &a->cause);
	return NULL;
}

/* Reads one source's answers, or keeps its first failure. */
static void
fleet_source_read(struct fleet_build *b, struct fleet_ask *asks)
{
	int	 i;

	for (i = 0; i < FQ_N; i++) {
		if (asks[i].rc == 0)
			continue;
		b->f->errors.v = xreallocarray(b->f->errors.v,
		    b->f->errors.n + 1, sizeof *b->f->errors.v);
		b->f->errors.v[b->f->errors.n++] = asks[i].cause;
		asks[i].cause = NULL;
		return;
	}
	/* up first: a host known only from other series stays up -1. */
	for (i = 0; i < FQ_N; i++)
		fleet_read(b, asks[i].src, (enum fleet_q)i, &asks[i].vec);
}

/* Every source's queries at once, then their answers in config order. */
static void
fleet_ask_all(struct fleet_build *b, const struct config *cfg,
    const struct strlist *units)
{
	struct fleet_ask	*asks;
	struct buf		 sel;
	size_t			 i, n = cfg->nmetrics * FQ_N;
	int			 q;

	asks = xcalloc(n > 0 ? n : 1, sizeof *asks);
	for (i = 0; i < cfg->nmetrics; i++) {
		buf_init(&sel);
		fleet_selector(&cfg->metrics[i], &sel);
		for (q = 0; q < FQ_N; q++) {
			struct fleet_ask *a = &asks[i * FQ_N + (size_t)q];

			a->src = &cfg->metrics[i];
			a->q = (enum fleet_q)q;
			buf_init(&a->text);
			/* Not asked: an empty answer, read as none active. */
			if (q == FQ_ACTIVE && (units == NULL || units->n == 0))
				continue;
			fleet_query_text(a->src, a->q, sel.data != NULL ?
			    sel.data : "", units, &a->text);
			b->f->queries++;
			a->started = pthread_create(&a->thread, NULL,
			    fleet_ask_run, a) == 0;
			/* No thread to spare: asked here, one at a time. */
			if (!a->started)
				fleet_ask_run(a);
		}
		buf_release(&sel);
	}
	for (i = 0; i < n; i++) {
		if (asks[i].started)
			pthread_join(asks[i].thread, NULL);
	}
	for (i = 0; i < cfg->nmetrics; i++)
		fleet_source_read(b, &asks[i * FQ_N]);
	for (i = 0; i < n; i++) {
		promql_vector_free(&asks[i].vec);
		buf_release(&asks[i].text);
		free(asks[i].cause);
	}
	free(asks);
}

static void
fleet_strlist_free(struct strlist *l)
{
	size_t	 i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof *l);
}

static int
fleet_host_cmp(const void *a, const void *b)
{
	const struct fleet_host	*x = a, *y = b;

	return strcmp(x->name, y->name);
}

static void
fleet_host_free(struct fleet_host *h)
{
	size_t	 i;

	free(h->name);
	fleet_strlist_free(&h->tags);
	fleet_strlist_free(&h->failed);
	fleet_strlist_free(&h->active);
	for (i = 0; i < h->nmounts; i++) {
		free(h->mounts[i].path);
		free(h->mounts[i].fstype);
	}
	free(h->mounts);
}

static int
fleet_mount_cmp(const void *a, const void *b)
{
	const struct fleet_mount	*x = a, *y = b;

	return strcmp(x->path, y->path);
}

int
fleet_query(const struct config *cfg, const char *target, struct fleet *out,
    char **cause)
{
	return fleet_query_units(cfg, target, NULL, out, cause);
}

int
fleet_query_units(const struct config *cfg, const char *target,
    const struct strlist *units, struct fleet *out, char **cause)
{
	struct fleet_build	 b;
	size_t			 i, n;
	int			 all = strcmp(target, "all") == 0;

	memset(out, 0, sizeof *out);
	memset(&b, 0, sizeof b);
	cause_clear(cause);
	b.f = out;
	fleet_ask_all(&b, cfg, units);
	free(b.slots);
	if (out->errors.n == cfg->nmetrics) {
		struct buf e;

		buf_init(&e);
		for (i = 0; i < out->errors.n; i++)
			buf_addf(&e, "%s%s", i > 0 ? "; " : "",
			    out->errors.v[i]);
		cause_set(cause, "%s", e.data != NULL ? e.data :
		    "no metrics source is configured");
		buf_release(&e);
		fleet_free(out);
		return -1;
	}
	out->known = out->n;
	/* The target's cut: a host's name, or one of its tags. */
	for (i = 0, n = 0; i < out->n; i++) {
		struct fleet_host *h = &out->v[i];

		if (all || strcmp(h->name, target) == 0 ||
		    config_strlist_has(&h->tags, target)) {
			/* qsort's base may not be NULL, even for none. */
			if (h->nmounts > 1)
				qsort(h->mounts, h->nmounts, sizeof *h->mounts,
				    fleet_mount_cmp);
			out->v[n++] = *h;
		} else
			fleet_host_free(h);
	}
	out->n = n;
	if (out->n > 1)
		qsort(out->v, out->n, sizeof *out->v, fleet_host_cmp);
	return 0;
}

void
fleet_free(struct fleet *f)
{
	size_t	 i;

	for (i = 0; i < f->n; i++)
		fleet_host_free(&f->v[i]);
	free(f->v);
	fleet_strlist_free(&f->errors);
	memset(f, 0, sizeof *f);
}

int
fleet_disk_pct(const struct fleet_mount *m)
{
	double	 used, denom;

	if (m->size <= 0 || m->avail < 0 || !isfinite(m->size) ||
	    !isfinite(m->avail))
		return -1;
	/*
	 * Without free_bytes (an exporter or a recording rule that keeps
	 * only size and avail) root's reserve counts as used: a little
	 * high, never a full disk shown as unknown and so as OK.
	 */
	if (m->free < 0 || !isfinite(m->free))
		used = m->size - m->avail;
	else
		used = m->size - m->free;
	if (used < 0)
		used = 0;
	denom = used + m->avail;
	if (denom <= 0)
		return 0;
	return (int)ceil(used * 100.0 / denom);
}

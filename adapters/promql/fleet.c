/*
 * The fleet's node_exporter series, five queries a source whatever its
 * size (see fleet.h): never one query per host, so a fleet of thousands
 * costs what a fleet of ten does in round trips. Per source S, the
 * source's selector (job, and the hosts listed by hand):
 *
 *   up{S}                                       who is there, and scraped
 *   {__name__=~"node_load1|node_load5|node_memory_Mem(Available|Total)_bytes",S}
 *   count by (LABEL) (node_cpu_seconds_total{mode="idle",S})
 *   {__name__=~"node_filesystem_(avail_bytes|size_bytes|free_bytes|files|files_free)",S,fstype!~"X"}
 *   node_systemd_unit_state{state="failed",S} == 1
 *
 * A host is every value of the source's host label seen in any of them
 * (an exporter scraped with honor_labels may carry many hosts and no up
 * of their own), kept in a hash by name while the answers are read.
 */

#include <math.h>
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

enum fleet_q { FQ_UP, FQ_NODE, FQ_CPU, FQ_FS, FQ_SYSTEMD, FQ_N };

/* Reads the answer to query q into the hosts. */
static void
fleet_read(struct fleet_build *b, const struct cfg_metrics_source *src,
    enum fleet_q q, const struct promql_vector *vec)
{
	const struct promql_sample	*s;
	struct fleet_host		*h;
	struct fleet_mount		*m;
	const char			*name, *mp, *unit;
	size_t				 i;

	for (i = 0; i < vec->n; i++) {
		s = &vec->v[i];
		if ((h = fleet_sample_host(b, src, s)) == NULL)
			continue;
		name = promql_label(s, "__name__");
		if (name == NULL)
			name = "";
		switch (q) {
		case FQ_UP:
			/* Two targets of one host: down if either is. */
			if (h->up != 0)
				h->up = s->value == 1.0;
			break;
		case FQ_NODE:
			if (strcmp(name, "node_load1") == 0) {
				h->load1 = s->value;
				h->has_load = 1;
			} else if (strcmp(name, "node_load5") == 0)
				h->load5 = s->value;
			else if (strcmp(name,
			    "node_memory_MemAvailable_bytes") == 0) {
				h->mem_avail = s->value;
				h->has_mem |= 1;
			} else if (strcmp(name,
			    "node_memory_MemTotal_bytes") == 0) {
				h->mem_total = s->value;
				h->has_mem |= 2;
			}
			break;
		case FQ_CPU:
			if (isfinite(s->value) && s->value > 0 &&
			    s->value < 1e6)
				h->ncpu = (long)s->value;
			break;
		case FQ_FS:
			if ((mp = promql_label(s, "mountpoint")) == NULL)
				break;
			m = fleet_mount_get(h, mp, promql_label(s, "fstype"));
			if (strcmp(name, "node_filesystem_avail_bytes") == 0)
				m->avail = s->value;
			else if (strcmp(name, "node_filesystem_size_bytes") == 0)
				m->size = s->value;
			else if (strcmp(name, "node_filesystem_free_bytes") == 0)
				m->free = s->value;
			else if (strcmp(name, "node_filesystem_files") == 0)
				m->files = s->value;
			else if (strcmp(name, "node_filesystem_files_free") == 0)
				m->files_free = s->value;
			break;
		case FQ_SYSTEMD:
			unit = promql_label(s, "name");
			if (unit != NULL && !config_strlist_has(&h->failed,
			    unit)) {
				h->failed.v = xreallocarray(h->failed.v,
				    h->failed.n + 1, sizeof *h->failed.v);
				h->failed.v[h->failed.n++] = xstrdup(unit);
			}
			break;
		case FQ_N:
			break;
		}
	}
}

/* The five queries of src (see the top of the file), into q[]. */
static void
fleet_queries(const struct cfg_metrics_source *src, struct buf q[FQ_N])
{
	struct buf	 sel;
	const char	*c;

	buf_init(&sel);
	fleet_selector(src, &sel);
	c = sel.len > 0 ? "," : "";
	buf_addf(&q[FQ_UP], "up{%s}", sel.data != NULL ? sel.data : "");
	buf_addf(&q[FQ_NODE], "{__name__=~\"node_load1|node_load5|"
	    "node_memory_MemAvailable_bytes|node_memory_MemTotal_bytes\"%s%s}",
	    c, sel.data != NULL ? sel.data : "");
	buf_addf(&q[FQ_CPU], "count by (%s) (node_cpu_seconds_total{"
	    "mode=\"idle\"%s%s})", src->host_label, c,
	    sel.data != NULL ? sel.data : "");
	buf_addf(&q[FQ_FS], "{__name__=~\"node_filesystem_(avail_bytes|"
	    "size_bytes|free_bytes|files|files_free)\"%s%s", c,
	    sel.data != NULL ? sel.data : "");
	if (src->fstype_exclude != NULL && src->fstype_exclude[0] != '\0') {
		buf_adds(&q[FQ_FS], ",fstype!~\"");
		promql_string_quote(&q[FQ_FS], src->fstype_exclude);
		buf_addc(&q[FQ_FS], '"');
	}
	buf_addc(&q[FQ_FS], '}');
	buf_addf(&q[FQ_SYSTEMD], "node_systemd_unit_state{state=\"failed\"%s%s}"
	    " == 1", c, sel.data != NULL ? sel.data : "");
	buf_release(&sel);
}

/* All of src's answers, or its first failure in f->errors. */
static void
fleet_source(struct fleet_build *b, const struct cfg_metrics_source *src)
{
	struct promql_vector	 vec[FQ_N];
	struct buf		 q[FQ_N];
	char			*cause = NULL;
	int			 i, failed = 0;

	memset(vec, 0, sizeof vec);
	for (i = 0; i < FQ_N; i++)
		buf_init(&q[i]);
	fleet_queries(src, q);
	/* Asked first, read after: a failure leaves no host half-read. */
	for (i = 0; i < FQ_N && !failed; i++) {
		b->f->queries++;
		if (promql_query(src, q[i].data, &vec[i], &cause) != 0) {
			b->f->errors.v = xreallocarray(b->f->errors.v,
			    b->f->errors.n + 1, sizeof *b->f->errors.v);
			b->f->errors.v[b->f->errors.n++] = cause;
			cause = NULL;
			failed = 1;
		}
	}
	for (i = 0; i < FQ_N; i++) {
		if (!failed)
			fleet_read(b, src, (enum fleet_q)i, &vec[i]);
		promql_vector_free(&vec[i]);
		buf_release(&q[i]);
	}
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
	struct fleet_build	 b;
	size_t			 i, n;
	int			 all = strcmp(target, "all") == 0;

	memset(out, 0, sizeof *out);
	memset(&b, 0, sizeof b);
	cause_clear(cause);
	b.f = out;
	for (i = 0; i < cfg->nmetrics; i++)
		fleet_source(&b, &cfg->metrics[i]);
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
			qsort(h->mounts, h->nmounts, sizeof *h->mounts,
			    fleet_mount_cmp);
			out->v[n++] = *h;
		} else
			fleet_host_free(h);
	}
	out->n = n;
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

	if (m->size <= 0 || m->avail < 0 || m->free < 0 ||
	    !isfinite(m->size) || !isfinite(m->avail) || !isfinite(m->free))
		return -1;
	used = m->size - m->free;
	if (used < 0)
		used = 0;
	denom = used + m->avail;
	if (denom <= 0)
		return 0;
	return (int)ceil(used * 100.0 / denom);
}

/*
 * The metrics registry (see metrics.h). A few dozen series at most, so a
 * flat array searched in order is enough; one mutex because probes end
 * on worker threads while scrapes run on the loop.
 */

#include <pthread.h>
#include <stdio.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "metrics.h"
#include "xmalloc.h"

enum metrics_type { M_COUNTER, M_GAUGE, M_HISTOGRAM };

struct metrics_family {
	const char		*name;
	enum metrics_type	 type;
	const char		*help;
};

/* The order here is the order of the exposition. */
static const struct metrics_family metrics_families[] = {
	{ "opsbot_commands_total", M_COUNTER,
	  "Commands answered, by command name and outcome." },
	{ "opsbot_command_duration_seconds", M_HISTOGRAM,
	  "Time from receipt to answer of a command." },
	{ "opsbot_probes_total", M_COUNTER,
	  "Host probes finished, by the state of the host." },
	{ "opsbot_outbox_depth", M_GAUGE,
	  "Chat messages waiting for delivery, per platform." },
	{ "opsbot_outbox_oldest_age_seconds", M_GAUGE,
	  "Age of the oldest undelivered chat message, per platform." },
	{ "opsbot_outbox_failed_total", M_COUNTER,
	  "Chat messages given up for good, per platform." },
	{ "opsbot_chat_rate_limited_total", M_COUNTER,
	  "Deliveries refused with HTTP 429 by the chat platform." },
	{ "opsbot_chat_link_up", M_GAUGE,
	  "1 when the chat platform's live connection is up." },
	{ "opsbot_chat_last_inbound_age_seconds", M_GAUGE,
	  "Seconds since the last frame from the chat platform." },
	{ "opsbot_chat_reconnects_total", M_COUNTER,
	  "Live connections to the chat platform opened after the first." },
	{ "opsbot_webhook_requests_total", M_COUNTER,
	  "Alert webhook requests, by source and HTTP status answered." },
	{ "opsbot_alerts_open", M_GAUGE,
	  "Alerts not resolved, by severity and state." },
	{ "opsbot_silences_active", M_GAUGE,
	  "Silences in force." },
	{ "opsbot_checklist_last_run_success", M_GAUGE,
	  "1 when the checklist's last run passed, 0 when it did not." },
	{ "opsbot_checklist_last_run_timestamp_seconds", M_GAUGE,
	  "Unix time of the checklist's last run." },
	{ "opsbot_store_size_bytes", M_GAUGE,
	  "Size of the sqlite store file." },
	{ "opsbot_process_resident_memory_bytes", M_GAUGE,
	  "Resident memory of the bot process." },
	{ "opsbot_process_open_fds", M_GAUGE,
	  "Open file descriptors of the bot process." },
};
#define METRICS_NFAMILIES \
	(sizeof metrics_families / sizeof metrics_families[0])

/* Seconds; a /health fan-out over slow hosts lasts tens of seconds. */
static const double metrics_buckets[] = {
	0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120
};
#define METRICS_NBUCKETS (sizeof metrics_buckets / sizeof metrics_buckets[0])

struct metrics_series {
	size_t		 family;
	char		*labels;	/* rendered: a="x",b="y", or "" */
	double		 value;		/* counter or gauge; histogram sum */
	uint64_t	 count;		/* histogram */
	uint64_t	 bucket[METRICS_NBUCKETS];	/* cumulative */
};

static pthread_mutex_t		 metrics_lock = PTHREAD_MUTEX_INITIALIZER;
static struct metrics_series	*metrics_v;
static size_t			 metrics_n;

static int
metrics_family(const char *name, enum metrics_type type)
{
	size_t	 i;

	for (i = 0; i < METRICS_NFAMILIES; i++)
		if (strcmp(metrics_families[i].name, name) == 0)
			return metrics_families[i].type == type ? (int)i : -1;
	return -1;
}

/* The rendered label set of ap's pairs; the caller frees it. */
static char *
metrics_labels(va_list ap)
{
	struct buf	 b;
	const char	*k, *v;

	buf_init(&b);
	while ((k = va_arg(ap, const char *)) != NULL) {
		v = va_arg(ap, const char *);
		if (b.len > 0)
			buf_addc(&b, ',');
		buf_addf(&b, "%s=\"", k);
		escape_prom_label(&b, v != NULL ? v : "");
		buf_addc(&b, '"');
	}
	if (b.data == NULL)
		return xstrdup("");
	return buf_detach(&b);
}

/* The series (created at 0) for family and labels; lock held. */
static struct metrics_series *
metrics_series(size_t family, char *labels)
{
	struct metrics_series	*s;
	size_t			 i;

	for (i = 0; i < metrics_n; i++) {
		s = &metrics_v[i];
		if (s->family == family && strcmp(s->labels, labels) == 0) {
			free(labels);
			return s;
		}
	}
	metrics_v = xreallocarray(metrics_v, metrics_n + 1, sizeof *metrics_v);
	s = &metrics_v[metrics_n++];
	memset(s, 0, sizeof *s);
	s->family = family;
	s->labels = labels;
	return s;
}

static void
metrics_update(enum metrics_type type, const char *family, double v,
    va_list ap)
{
	struct metrics_series	*s;
	int			 f;
	size_t			 i;

	if ((f = metrics_family(family, type)) < 0)
		return;
	pthread_mutex_lock(&metrics_lock);
	s = metrics_series((size_t)f, metrics_labels(ap));
	switch (type) {
	case M_COUNTER:
		if (v > 0)
			s->value += v;
		break;
	case M_GAUGE:
		s->value = v;
		break;
	case M_HISTOGRAM:
		s->value += v;
		s->count++;
		for (i = 0; i < METRICS_NBUCKETS; i++)
			if (v <= metrics_buckets[i])
				s->bucket[i]++;
		break;
	}
	pthread_mutex_unlock(&metrics_lock);
}

void
metrics_add(const char *family, double n, ...)
{
	va_list	 ap;

	va_start(ap, n);
	metrics_update(M_COUNTER, family, n, ap);
	va_end(ap);
}

void
metrics_set(const char *family, double v, ...)
{
	va_list	 ap;

	va_start(ap, v);
	metrics_update(M_GAUGE, family, v, ap);
	va_end(ap);
}

void
metrics_observe(const char *family, double v, ...)
{
	va_list	 ap;

	va_start(ap, v);
	metrics_update(M_HISTOGRAM, family, v, ap);
	va_end(ap);
}

void
metrics_clear(const char *family)
{
	size_t	 i, kept = 0;
	int	 f = metrics_family(family, M_GAUGE);

	if (f < 0)
		return;
	pthread_mutex_lock(&metrics_lock);
	for (i = 0; i < metrics_n; i++) {
		if (metrics_v[i].family == (size_t)f)
			free(metrics_v[i].labels);
		else
			metrics_v[kept++] = metrics_v[i];
	}
	metrics_n = kept;
	pthread_mutex_unlock(&metrics_lock);
}

void
metrics_reset(void)
{
	size_t	 i;

	pthread_mutex_lock(&metrics_lock);
	for (i = 0; i < metrics_n; i++)
		free(metrics_v[i].labels);
	free(metrics_v);
	metrics_v = NULL;
	metrics_n = 0;
	pthread_mutex_unlock(&metrics_lock);
}

/* name{labels} or name{labels,extra}, or bare name. */
static void
metrics_name(struct buf *out, const char *name, const char *suffix,
    const char *labels, const char *extra)
{
	buf_addf(out, "%s%s", name, suffix);
	if (*labels == '\0' && extra == NULL)
		return;
	buf_addf(out, "{%s%s%s}", labels, *labels != '\0' && extra != NULL ?
	    "," : "", extra != NULL ? extra : "");
}

static void
metrics_render_series(struct buf *out, const struct metrics_family *fam,
    const struct metrics_series *s)
{
	char	 le[64];
	size_t	 i;

	if (fam->type != M_HISTOGRAM) {
		metrics_name(out, fam->name, "", s->labels, NULL);
		buf_addf(out, " %.15g\n", s->value);
		return;
	}
	for (i = 0; i < METRICS_NBUCKETS; i++) {
		snprintf(le, sizeof le, "le=\"%g\"", metrics_buckets[i]);
		metrics_name(out, fam->name, "_bucket", s->labels, le);
		buf_addf(out, " %llu\n", (unsigned long long)s->bucket[i]);
	}
	metrics_name(out, fam->name, "_bucket", s->labels, "le=\"+Inf\"");
	buf_addf(out, " %llu\n", (unsigned long long)s->count);
	metrics_name(out, fam->name, "_sum", s->labels, NULL);
	buf_addf(out, " %.15g\n", s->value);
	metrics_name(out, fam->name, "_count", s->labels, NULL);
	buf_addf(out, " %llu\n", (unsigned long long)s->count);
}

void
metrics_render(struct buf *out)
{
	static const char *const types[] = { "counter", "gauge", "histogram" };
	const struct metrics_family	*fam;
	size_t				 f, i;

	pthread_mutex_lock(&metrics_lock);
	for (f = 0; f < METRICS_NFAMILIES; f++) {
		fam = &metrics_families[f];
		/* HELP text has no backslash or newline to escape. */
		buf_addf(out, "# HELP %s %s\n# TYPE %s %s\n", fam->name,
		    fam->help, fam->name, types[fam->type]);
		for (i = 0; i < metrics_n; i++)
			if (metrics_v[i].family == f)
				metrics_render_series(out, fam, &metrics_v[i]);
	}
	pthread_mutex_unlock(&metrics_lock);
}

/*
 * libFuzzer target for the webhook body parsers (bot/alerts/alert_parse.c,
 * bot/util/labels.c): the bytes are what a sender posted. All three parsers
 * run on the same body, which is not NUL-terminated so any read past
 * its end shows; what they return must be consistent (a reason exactly
 * when they fail, an empty batch on failure, every alert named, label
 * sets sorted, fingerprints 16 hex digits) and everything is freed.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "alert_parse.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Bounds of what an RFC 3339 time can say, with a day of zone slack. */
#define FUZZ_MS_MIN	(-62167219200000LL - 86400000LL)
#define FUZZ_MS_MAX	(253402300800000LL + 86400000LL)

static const int64_t	 fuzz_now = 1714608000000LL;

/* Sorted by name with no repeats, every string terminated. */
static void
fuzz_labels(const struct labels *ls)
{
	size_t	 i;

	if (ls->n > 0 && ls->v == NULL)
		abort();
	for (i = 0; i < ls->n; i++) {
		if (ls->v[i].name == NULL || ls->v[i].value == NULL)
			abort();
		if (i > 0 && strcmp(ls->v[i - 1].name, ls->v[i].name) >= 0)
			abort();
		if (labels_get(ls, ls->v[i].name) != ls->v[i].value)
			abort();
	}
}

static void
fuzz_alert(const struct alert_in *a, int generic)
{
	const char	*name;
	size_t		 i;

	if (strlen(a->fingerprint) != 16)
		abort();
	for (i = 0; i < 16; i++) {
		if (strchr("0123456789abcdef", a->fingerprint[i]) == NULL)
			abort();
	}
	fuzz_labels(&a->labels);
	fuzz_labels(&a->annotations);
	if ((name = labels_get(&a->labels, "alertname")) == NULL ||
	    *name == '\0')
		abort();
	if (generic && labels_get(&a->labels, "severity") == NULL)
		abort();
	if (a->resolved != 0 && a->resolved != 1)
		abort();
	if (a->url != NULL && *a->url == '\0')
		abort();
	if (a->starts_ms == 0 && fuzz_now != 0)
		abort();
	if (a->starts_ms < FUZZ_MS_MIN || a->starts_ms > FUZZ_MS_MAX ||
	    a->ends_ms < FUZZ_MS_MIN || a->ends_ms > FUZZ_MS_MAX)
		abort();
}

static void
fuzz_empty(const struct alert_batch *b)
{
	if (b->source != NULL || b->group_key != NULL || b->v != NULL ||
	    b->n != 0 || b->truncated != 0)
		abort();
}

static void
fuzz_parser(int (*fn)(const char *, size_t, int64_t, struct alert_batch *,
    char **), const char *body, size_t len, int generic)
{
	struct alert_batch	 b;
	char			*err = NULL;
	size_t			 i;
	int			 rc;

	rc = fn(body, len, fuzz_now, &b, &err);
	if (rc == 0) {
		if (err != NULL || b.source == NULL)
			abort();
		if (b.n > ALERT_PARSE_MAX_ALERTS || (b.n > 0 && b.v == NULL))
			abort();
		for (i = 0; i < b.n; i++)
			fuzz_alert(&b.v[i], generic);
	} else {
		if (rc != -1 || err == NULL || *err == '\0')
			abort();
		if (strchr(err, '\n') != NULL)
			abort();
		fuzz_empty(&b);
	}
	free(err);
	alert_batch_release(&b);
	fuzz_empty(&b);
}

static void
fuzz_time(const char *text)
{
	int64_t	 ms = -1;

	if (alert_parse_time(text, &ms) != 0) {
		if (ms != 0)
			abort();
	} else if (ms < FUZZ_MS_MIN || ms > FUZZ_MS_MAX)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*body, *text;

	/* Exactly size bytes: the parsers must honour len. */
	if ((body = malloc(size == 0 ? 1 : size)) == NULL)
		return 0;
	if (size > 0)
		memcpy(body, data, size);
	fuzz_parser(alert_parse_alertmanager, body, size, 0);
	fuzz_parser(alert_parse_grafana, body, size, 0);
	fuzz_parser(alert_parse_generic, body, size, 1);
	free(body);

	if ((text = malloc(size + 1)) == NULL)
		return 0;
	if (size > 0)
		memcpy(text, data, size);
	text[size] = '\0';
	fuzz_time(text);
	free(text);
	return 0;
}

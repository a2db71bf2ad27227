/*
 * Webhook bodies -> struct alert_batch (see alert_parse.h).
 *
 * Alertmanager and Grafana are parsed tolerantly: both add fields over
 * time, so unknown keys are ignored and only the fields we use are
 * checked. The generic shape is ours (docs/alerts.md) and is parsed
 * strictly: people write it by hand in scripts, and a typo that went
 * unnoticed would drop a severity or a host, so unknown keys are errors
 * with a "did you mean".
 *
 * Errors carry the JSON path of the bad value, so whoever reads the 400
 * reply in a sender's log can fix the template without guessing.
 * Fuzzed by tests/fuzz/fuzz-alertparse.c.
 */

#include <cjson/cJSON.h>
#include <ctype.h>
#include <math.h>		/* isfinite */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cause.h"
#include "alert_parse.h"
#include "civil.h"
#include "errtext.h"
#include "buf.h"
#include "suggest.h"
#include "xmalloc.h"

/* How much of a bad value an error message repeats. */

/*
 * Labels or annotations in one alert. Real alerts have a dozen; the cap
 * keeps a hostile body from making the sorted inserts quadratic.
 */
#define ALERT_MAX_PAIRS		1000

/* Go's zero time.Time, 0001-01-01T00:00:00Z, in epoch ms. */
#define GO_ZERO_TIME_MS		(-62135596800000LL)

/* Year 10000 in epoch seconds: the end of what RFC 3339 can write. */
#define YEAR_10000_SECS		253402300800.0

/* What the per-alert and top-level status strings say. */
enum status { STATUS_NONE = -1, STATUS_FIRING, STATUS_RESOLVED };

static int	parse_list(const cJSON *, int, enum status, int64_t,
		    struct alert_batch *, char **);

/* The keys of one generic alert, in the order docs/alerts.md lists. */
static const char *const generic_keys[] = {
	"name", "status", "severity", "host", "summary", "description",
	"labels", "annotations", "starts_at", "url", "fingerprint", NULL
};

/* The same, plus "alerts", for a single alert at the top level. */
static const char *const generic_top_keys[] = {
	"name", "status", "severity", "host", "summary", "description",
	"labels", "annotations", "starts_at", "url", "fingerprint", "alerts",
	NULL
};

/* True for keys that read well after a dot in a path. */
static int
key_is_ident(const char *k)
{
	if (!isalpha((unsigned char)*k) && *k != '_')
		return 0;
	for (; *k != '\0'; k++) {
		if (!isalnum((unsigned char)*k) && *k != '_')
			return 0;
	}
	return 1;
}

/* Appends .key, or ["key"] when the key is not a plain name. */
static void
path_add(struct buf *b, const char *key)
{
	if (key == NULL)
		return;
	if (key_is_ident(key)) {
		if (b->len > 0)
			buf_addc(b, '.');
		buf_adds(b, key);
	} else {
		buf_addc(b, '[');
		errtext_add(b, key, 1);
		buf_addc(b, ']');
	}
}

/*
 * Sets *cause to "at.k1.k2: message" (keys may be NULL, at may be "") and
 * returns -1, so callers can write return fail(...).
 */
static int
fail(char **cause, const char *at, const char *k1, const char *k2,
    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int
fail(char **cause, const char *at, const char *k1, const char *k2,
    const char *fmt, ...)
{
	struct buf	 b;
	va_list		 ap;

	buf_init(&b);
	buf_adds(&b, at);
	path_add(&b, k1);
	path_add(&b, k2);
	if (b.len > 0)
		buf_adds(&b, ": ");
	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	cause_take(cause, buf_detach(&b));
	return -1;
}

/* "at.k1.k2: expected <what>, got <a number | "text">". */
static int
fail_got(char **cause, const char *at, const char *k1, const char *k2,
    const char *what, const cJSON *v)
{
	struct buf	 got;
	int		 rc;

	buf_init(&got);
	if (cJSON_IsString(v))
		errtext_add(&got, v->valuestring, 1);
	else
		buf_adds(&got, errtext_json_kind(v));
	rc = fail(cause, at, k1, k2, "expected %s, got %s", what, got.data);
	buf_release(&got);
	return rc;
}

/* The member key of o, or NULL; case matters, as it does in JSON. */
static const cJSON *
member(const cJSON *o, const char *key)
{
	return cJSON_GetObjectItemCaseSensitive(o, key);
}

/* Absent and null mean the same: the sender had nothing to say. */
static int
absent(const cJSON *v)
{
	return v == NULL || cJSON_IsNull(v);
}

/*
 * An optional string member: 0 with *s NULL (absent or null) or the
 * string (borrowed from the tree), or -1 and *cause.
 */
static int
opt_string(const cJSON *o, const char *key, const char *at,
    const char **s, char **cause)
{
	const cJSON	*v = member(o, key);

	*s = NULL;
	if (absent(v))
		return 0;
	if (!cJSON_IsString(v))
		return fail_got(cause, at, key, NULL, "a string", v);
	*s = v->valuestring;
	return 0;
}

/* "firing" or "resolved", else STATUS_NONE. */
static enum status
status_of(const char *s)
{
	if (s == NULL)
		return STATUS_NONE;
	if (strcmp(s, "firing") == 0)
		return STATUS_FIRING;
	if (strcmp(s, "resolved") == 0)
		return STATUS_RESOLVED;
	return STATUS_NONE;
}

/* Copies 1-16 hex digits into out, lowercased and zero-padded to 16. */
static int
fingerprint_hex(const char *s, char out[17])
{
	size_t	 len = strlen(s), i;

	if (len == 0 || len > 16)
		return -1;
	for (i = 0; i < len; i++) {
		if (!isxdigit((unsigned char)s[i]))
			return -1;
	}
	memset(out, '0', 16 - len);
	for (i = 0; i < len; i++)
		out[16 - len + i] = (char)tolower((unsigned char)s[i]);
	out[16] = '\0';
	return 0;
}

/* A label name as matchers can name it: [A-Za-z_][A-Za-z0-9_]*. */
static int
label_name_valid(const char *s)
{
	return key_is_ident(s);
}

/*
 * Adds an object of strings (labels or annotations) at o.key to ls:
 * absent or null is empty; wrong types are errors. Generic label names
 * must be names a matcher can use (check_names).
 */
static int
string_map(const cJSON *o, const char *key, const char *at, int check_names,
    struct labels *ls, char **cause)
{
	const cJSON	*map = member(o, key), *v;
	size_t		 n = 0;

	if (absent(map))
		return 0;
	if (!cJSON_IsObject(map))
		return fail_got(cause, at, key, NULL, "an object", map);
	for (v = map->child; v != NULL; v = v->next) {
		if (++n > ALERT_MAX_PAIRS) {
			return fail(cause, at, key, NULL, "more than %d entries; "
			    "the limit is %d", ALERT_MAX_PAIRS,
			    ALERT_MAX_PAIRS);
		}
		if (!cJSON_IsString(v))
			return fail_got(cause, at, key, v->string, "a string", v);
		if (check_names && !label_name_valid(v->string)) {
			return fail(cause, at, key, v->string, "bad label name "
			    "(letters, digits and _, not starting with a "
			    "digit)");
		}
		labels_set(ls, v->string, v->valuestring);
	}
	return 0;
}

/* An optional RFC 3339 member: *ms 0 when absent or null. */
static int
opt_time(const cJSON *o, const char *key, const char *at, int64_t *ms,
    char **cause)
{
	const cJSON	*v = member(o, key);

	*ms = 0;
	if (absent(v))
		return 0;
	if (!cJSON_IsString(v))
		return fail_got(cause, at, key, NULL, "a string", v);
	if (alert_parse_time(v->valuestring, ms) != 0) {
		return fail_got(cause, at, key, NULL, "an RFC 3339 time like "
		    "2024-05-01T10:42:00Z", v);
	}
	return 0;
}

/*
 * Parses the body into a tree, which must be an object. Trailing text
 * after the value is an error, as in any strict JSON reader.
 */
static cJSON *
parse_body(const char *body, size_t len, char **cause)
{
	cJSON		*root;
	const char	*end = NULL;
	size_t		 at;

	if (len == 0) {
		cause_set(cause, "empty body (expected a JSON object)");
		return NULL;
	}
	root = cJSON_ParseWithLengthOpts(body, len, &end, 0);
	if (root == NULL) {
		at = end != NULL && end >= body ? (size_t)(end - body) : 0;
		cause_set(cause, "invalid JSON near byte %zu",
		    (at < len ? at : len - 1) + 1);
		return NULL;
	}
	at = end != NULL && end >= body ? (size_t)(end - body) : len;
	while (at < len && (body[at] == ' ' || body[at] == '\t' ||
	    body[at] == '\n' || body[at] == '\r'))
		at++;
	if (at < len) {
		cJSON_Delete(root);
		cause_set(cause, "invalid JSON near byte %zu (text after the "
		    "end)", at + 1);
		return NULL;
	}
	if (!cJSON_IsObject(root)) {
		cause_set(cause, "expected a JSON object at the top level, got "
		    "%s", errtext_json_kind(root));
		cJSON_Delete(root);
		return NULL;
	}
	return root;
}

void
alert_batch_release(struct alert_batch *b)
{
	size_t	 i;

	for (i = 0; i < b->n; i++) {
		labels_release(&b->v[i].labels);
		labels_release(&b->v[i].annotations);
		free(b->v[i].url);
	}
	free(b->v);
	free(b->group_key);
	memset(b, 0, sizeof *b);
}

/* One Alertmanager or Grafana alert at alerts[i]. */
static int
parse_am_alert(const cJSON *o, const char *at, enum status top,
    int64_t now_ms, struct alert_in *a, char **cause)
{
	const cJSON	*v;
	const char	*name, *s;
	enum status	 st;

	if (!cJSON_IsObject(o))
		return fail_got(cause, at, NULL, NULL, "an object", o);
	if (string_map(o, "labels", at, 0, &a->labels, cause) != 0 ||
	    string_map(o, "annotations", at, 0, &a->annotations, cause) != 0)
		return -1;
	if ((name = labels_get(&a->labels, "alertname")) == NULL)
		return fail(cause, at, "labels", "alertname", "missing");
	if (*name == '\0')
		return fail(cause, at, "labels", "alertname", "empty");

	/*
	 * An alert status we cannot read defers to the group's: senders
	 * always fill that one, and it is right for every alert in it.
	 */
	v = member(o, "status");
	st = cJSON_IsString(v) ? status_of(v->valuestring) : STATUS_NONE;
	if (st == STATUS_NONE)
		st = top;
	if (st == STATUS_NONE) {
		if (absent(v)) {
			return fail(cause, at, "status", NULL, "missing, and "
			    "the body has no top-level status");
		}
		return fail_got(cause, at, "status", NULL,
		    "\"firing\" or \"resolved\"", v);
	}
	a->resolved = st == STATUS_RESOLVED;

	v = member(o, "fingerprint");
	if (!cJSON_IsString(v) ||
	    fingerprint_hex(v->valuestring, a->fingerprint) != 0)
		labels_fingerprint(&a->labels, a->fingerprint);

	if (opt_time(o, "startsAt", at, &a->starts_ms, cause) != 0 ||
	    opt_time(o, "endsAt", at, &a->ends_ms, cause) != 0)
		return -1;
	if (a->starts_ms == 0)
		a->starts_ms = now_ms;

	if (opt_string(o, "generatorURL", at, &s, cause) != 0)
		return -1;
	if (s != NULL && *s != '\0')
		a->url = xstrdup(s);
	/*
	 * Grafana links the alert's panel (or dashboard): the Dashboard
	 * button, unless an annotation already names one. Lenient: a field
	 * we only borrow never refuses an alert.
	 */
	v = member(o, "panelURL");
	if (!cJSON_IsString(v) || *v->valuestring == '\0')
		v = member(o, "dashboardURL");
	if (cJSON_IsString(v) && *v->valuestring != '\0' &&
	    labels_get(&a->annotations, "dashboard_url") == NULL)
		labels_set(&a->annotations, "dashboard_url", v->valuestring);
	return 0;
}

/*
 * Alertmanager and Grafana share a shape; Grafana adds fields we ignore
 * and a top-level "state" that stands in for a missing "status".
 */
static int
parse_am(const char *body, size_t len, int64_t now_ms, int grafana,
    struct alert_batch *out, char **cause)
{
	cJSON		*root;
	const cJSON	*v, *alerts;
	const char	*s;
	enum status	 top = STATUS_NONE;
	int		 rc = -1;

	memset(out, 0, sizeof *out);
	if ((root = parse_body(body, len, cause)) == NULL)
		return -1;
	/* Grafana posting to the Alertmanager hook is still Grafana. */
	v = member(root, "version");
	if (grafana || (cJSON_IsString(v) && strcmp(v->valuestring, "1") ==
	    0) || member(root, "orgId") != NULL ||
	    member(root, "state") != NULL)
		out->source = "grafana";
	else
		out->source = "alertmanager";

	v = member(root, "status");
	if (cJSON_IsString(v))
		top = status_of(v->valuestring);
	v = member(root, "state");
	if (top == STATUS_NONE && cJSON_IsString(v)) {
		if (strcmp(v->valuestring, "alerting") == 0)
			top = STATUS_FIRING;
		else if (strcmp(v->valuestring, "ok") == 0)
			top = STATUS_RESOLVED;
	}

	if (opt_string(root, "groupKey", "", &s, cause) != 0)
		goto out;
	if (s != NULL)
		out->group_key = xstrdup(s);
	v = member(root, "truncatedAlerts");
	if (!absent(v)) {
		if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) ||
		    v->valuedouble < 0 || v->valuedouble > 1e15 ||
		    v->valuedouble != (double)(int64_t)v->valuedouble) {
			fail_got(cause, "", "truncatedAlerts", NULL,
			    "a count of alerts", v);
			goto out;
		}
		out->truncated = (size_t)v->valuedouble;
	}

	alerts = member(root, "alerts");
	if (alerts == NULL) {
		fail(cause, "", "alerts", NULL, "missing (expected an array of "
		    "alerts)");
		goto out;
	}
	if (parse_list(alerts, 0, top, now_ms, out, cause) == 0)
		rc = 0;
out:
	cJSON_Delete(root);
	if (rc != 0)
		alert_batch_release(out);
	return rc;
}

int
alert_parse_alertmanager(const char *body, size_t len, int64_t now_ms,
    struct alert_batch *out, char **cause)
{
	return parse_am(body, len, now_ms, 0, out, cause);
}

int
alert_parse_grafana(const char *body, size_t len, int64_t now_ms,
    struct alert_batch *out, char **cause)
{
	return parse_am(body, len, now_ms, 1, out, cause);
}

/* Refuses keys outside the generic shape, suggesting the close one. */
static int
generic_check_keys(const cJSON *o, const char *at, int top, char **cause)
{
	const char *const	*keys = top ? generic_top_keys : generic_keys;
	const char *const	*k;
	const cJSON		*v;
	const char		*hint;

	for (v = o->child; v != NULL; v = v->next) {
		for (k = keys; *k != NULL; k++) {
			if (strcmp(*k, v->string) == 0)
				break;
		}
		if (*k != NULL)
			continue;
		if ((hint = suggest_pick(v->string, keys)) != NULL) {
			return fail(cause, at, v->string, NULL, "unknown key "
			    "(did you mean \"%s\"?)", hint);
		}
		return fail(cause, at, v->string, NULL, "unknown key (an alert "
		    "has name, status, severity, host, summary, description, "
		    "labels, annotations, starts_at, url and fingerprint)");
	}
	return 0;
}

/* starts_at: an RFC 3339 string or epoch seconds; 0 when absent. */
static int
generic_starts_at(const cJSON *o, const char *at, int64_t *ms, char **cause)
{
	const cJSON	*v = member(o, "starts_at");

	*ms = 0;
	if (absent(v) || cJSON_IsString(v))
		return opt_time(o, "starts_at", at, ms, cause);
	if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) ||
	    v->valuedouble < 0 || v->valuedouble >= YEAR_10000_SECS) {
		return fail_got(cause, at, "starts_at", NULL, "an RFC 3339 time "
		    "or epoch seconds", v);
	}
	*ms = (int64_t)(v->valuedouble * 1000.0);
	return 0;
}

/*
 * One generic alert. Explicit name, severity and host win over the same
 * labels (severity defaults to "warning"), and summary and description
 * over the same annotations. A resolved alert ends now: the sender is
 * saying so as it posts.
 */
static int
parse_generic_alert(const cJSON *o, const char *at, int top, int64_t now_ms,
    struct alert_in *a, char **cause)
{
	const char	*name, *status, *severity, *host, *summary, *desc;
	const char	*url, *fp;
	enum status	 st = STATUS_FIRING;

	if (!cJSON_IsObject(o))
		return fail_got(cause, at, NULL, NULL, "an object", o);
	if (generic_check_keys(o, at, top, cause) != 0)
		return -1;
	if (opt_string(o, "name", at, &name, cause) != 0 ||
	    opt_string(o, "status", at, &status, cause) != 0 ||
	    opt_string(o, "severity", at, &severity, cause) != 0 ||
	    opt_string(o, "host", at, &host, cause) != 0 ||
	    opt_string(o, "summary", at, &summary, cause) != 0 ||
	    opt_string(o, "description", at, &desc, cause) != 0 ||
	    opt_string(o, "url", at, &url, cause) != 0 ||
	    opt_string(o, "fingerprint", at, &fp, cause) != 0)
		return -1;
	if (name == NULL)
		return fail(cause, at, "name", NULL, "missing (every alert "
		    "needs a name)");
	if (*name == '\0')
		return fail(cause, at, "name", NULL, "empty");
	if (status != NULL && (st = status_of(status)) == STATUS_NONE) {
		return fail_got(cause, at, "status", NULL,
		    "\"firing\" or \"resolved\"", member(o, "status"));
	}
	a->resolved = st == STATUS_RESOLVED;

	if (string_map(o, "labels", at, 1, &a->labels, cause) != 0 ||
	    string_map(o, "annotations", at, 0, &a->annotations, cause) != 0)
		return -1;
	labels_set(&a->labels, "alertname", name);
	if (severity != NULL)
		labels_set(&a->labels, "severity", severity);
	else if (labels_get(&a->labels, "severity") == NULL)
		labels_set(&a->labels, "severity", "warning");
	if (host != NULL)
		labels_set(&a->labels, "host", host);
	if (summary != NULL)
		labels_set(&a->annotations, "summary", summary);
	if (desc != NULL)
		labels_set(&a->annotations, "description", desc);

	if (fp != NULL) {
		if (fingerprint_hex(fp, a->fingerprint) != 0)
			return fail_got(cause, at, "fingerprint", NULL,
			    "1 to 16 hex digits", member(o, "fingerprint"));
	} else {
		/*
		 * Identity leaves severity out: a script that escalates a
		 * warning to critical, or resolves without repeating the
		 * severity, still means the same alert.
		 */
		struct labels id;
		size_t i, j;

		labels_copy(&id, &a->labels);
		for (i = j = 0; i < id.n; i++) {
			if (strcmp(id.v[i].name, "severity") == 0) {
				free(id.v[i].name);
				free(id.v[i].value);
			} else
				id.v[j++] = id.v[i];
		}
		id.n = j;
		labels_fingerprint(&id, a->fingerprint);
		labels_release(&id);
	}

	if (generic_starts_at(o, at, &a->starts_ms, cause) != 0)
		return -1;
	if (a->starts_ms == 0)
		a->starts_ms = now_ms;
	if (a->resolved)
		a->ends_ms = now_ms;
	if (url != NULL && *url != '\0')
		a->url = xstrdup(url);
	return 0;
}

/*
 * The "alerts" array into out->v, each element by the parser for its
 * shape (top is the group's status, for Alertmanager and Grafana). On
 * failure out->n covers the alert that failed, so releasing the batch
 * frees what it had been given too.
 */
static int
parse_list(const cJSON *alerts, int generic, enum status top, int64_t now_ms,
    struct alert_batch *out, char **cause)
{
	const cJSON	*item;
	struct buf	 at;
	size_t		 n = 0, i;
	int		 rc = 0;

	if (!cJSON_IsArray(alerts))
		return fail_got(cause, "", "alerts", NULL, "an array", alerts);
	for (item = alerts->child; item != NULL; item = item->next)
		n++;
	if (n > ALERT_PARSE_MAX_ALERTS) {
		cause_set(cause, "%zu alerts in one request; the limit is %d "
		    "(set max_alerts in the webhook config)", n,
		    ALERT_PARSE_MAX_ALERTS);
		return -1;
	}
	out->v = n == 0 ? NULL : xcalloc(n, sizeof *out->v);
	buf_init(&at);
	for (i = 0, item = alerts->child; item != NULL && rc == 0; i++) {
		out->n = i + 1;
		buf_clear(&at);
		buf_addf(&at, "alerts[%zu]", i);
		if (generic)
			rc = parse_generic_alert(item, at.data, 0, now_ms,
			    &out->v[i], cause);
		else
			rc = parse_am_alert(item, at.data, top, now_ms,
			    &out->v[i], cause);
		item = item->next;
	}
	buf_release(&at);
	return rc;
}

int
alert_parse_generic(const char *body, size_t len, int64_t now_ms,
    struct alert_batch *out, char **cause)
{
	cJSON		*root;
	const cJSON	*alerts, *item;
	int		 rc = -1;

	memset(out, 0, sizeof *out);
	if ((root = parse_body(body, len, cause)) == NULL)
		return -1;
	out->source = "generic";
	if ((alerts = member(root, "alerts")) == NULL) {
		out->v = xcalloc(1, sizeof *out->v);
		out->n = 1;
		rc = parse_generic_alert(root, "", 1, now_ms, &out->v[0], cause);
		goto out;
	}
	for (item = root->child; item != NULL; item = item->next) {
		if (item != alerts) {
			fail(cause, "", item->string, NULL, "unknown key (a body "
			    "with \"alerts\" holds nothing else)");
			goto out;
		}
	}
	if (parse_list(alerts, 1, STATUS_NONE, now_ms, out, cause) == 0)
		rc = 0;
out:
	cJSON_Delete(root);
	if (rc != 0)
		alert_batch_release(out);
	return rc;
}

/* Reads exactly n digits at s into *v; 0 if any is not a digit. */
static int
digits(const char *s, int n, int *v)
{
	int	 i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return 0;
		*v = *v * 10 + (s[i] - '0');
	}
	return 1;
}


int
alert_parse_time(const char *s, int64_t *ms)
{
	const char	*p;
	int		 y, mo, d, h, mi, sec, oh = 0, om = 0, frac = 0, n;
	int64_t		 secs, off = 0;

	*ms = 0;
	if (!digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) ||
	    s[7] != '-' || !digits(s + 8, 2, &d) ||
	    (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
	    !digits(s + 11, 2, &h) || s[13] != ':' ||
	    !digits(s + 14, 2, &mi) || s[16] != ':' ||
	    !digits(s + 17, 2, &sec))
		return -1;
	p = s + 19;
	if (*p == '.') {
		/* Go sends up to nanoseconds; milliseconds are kept. */
		if (!isdigit((unsigned char)*++p))
			return -1;
		for (n = 0; isdigit((unsigned char)*p); p++, n++) {
			if (n < 3)
				frac = frac * 10 + (*p - '0');
		}
		for (; n < 3; n++)
			frac *= 10;
	}
	if (*p == 'Z' || *p == 'z')
		p++;
	else if (*p == '+' || *p == '-') {
		if (!digits(p + 1, 2, &oh) || p[3] != ':' ||
		    !digits(p + 4, 2, &om) || oh > 23 || om > 59)
			return -1;
		off = (int64_t)oh * 3600 + om * 60;
		if (*p == '-')
			off = -off;
		p += 6;
	} else
		return -1;
	if (*p != '\0')
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || sec > 60)
		return -1;
	if (d > civil_days_in_month(y, mo))
		return -1;
	secs = civil_days_from(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec -
	    off;
	*ms = secs * 1000 + frac;
	if (*ms == GO_ZERO_TIME_MS)
		*ms = 0;
	return 0;
}

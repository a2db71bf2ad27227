/*
 * Webhook bodies -> alerts (bot/alerts/alert_parse.c): the fixtures in
 * tests/fixtures/alerts/ are real shapes from Alertmanager, Grafana and
 * our generic one; the rest are hostile or malformed bodies.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert_parse.h"
#include "buf.h"
#include "test.h"
#include "xmalloc.h"

/* A fixed "now" so missing times are predictable: 2024-05-02T00:00Z. */
#define NOW_MS	1714608000000LL

typedef int	(*parse_fn)(const char *, size_t, int64_t,
		    struct alert_batch *, char **);

/* Reads tests/fixtures/alerts/name; caller frees. Not NUL-padded. */
static char *
fixture(const char *name, size_t *len)
{
	char	 path[1024];
	char	*data;
	FILE	*f;
	long	 n;

	snprintf(path, sizeof path, "%s/alerts/%s", OPSBOT_FIXTURES, name);
	if ((f = fopen(path, "rb")) == NULL)
		TEST_FAIL("cannot open %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	/* Exactly n bytes, so any read past the end is an ASan error. */
	data = xmalloc((size_t)n);
	if (fread(data, 1, (size_t)n, f) != (size_t)n)
		TEST_FAIL("cannot read %s", path);
	fclose(f);
	*len = (size_t)n;
	return data;
}

/* Parses a fixture, asserting success. */
static void
parse_fixture_ok(parse_fn fn, const char *name, struct alert_batch *b)
{
	char	*body, *err = NULL;
	size_t	 len;
	int	 rc;

	body = fixture(name, &len);
	rc = fn(body, len, NOW_MS, b, &err);
	free(body);
	if (rc != 0)
		TEST_FAIL("%s: %s", name, err);
	ASSERT_NULL(err);
}

/* Asserts the batch holds nothing, as after a failure or release. */
static void
assert_empty(const struct alert_batch *b)
{
	ASSERT_NULL(b->source);
	ASSERT_NULL(b->group_key);
	ASSERT_NULL(b->v);
	ASSERT_INT_EQ(b->n, 0);
	ASSERT_INT_EQ(b->truncated, 0);
}

/* Parses a fixture, expecting exactly the error msg. */
static void
parse_fixture_bad(parse_fn fn, const char *name, const char *msg)
{
	struct alert_batch	 b;
	char			*body, *err = NULL;
	size_t			 len;
	int			 rc;

	body = fixture(name, &len);
	rc = fn(body, len, NOW_MS, &b, &err);
	free(body);
	if (rc == 0)
		TEST_FAIL("%s was accepted", name);
	ASSERT_INT_EQ(rc, -1);
	assert_empty(&b);
	ASSERT_STR_EQ(err, msg);
	free(err);
}

/* Parses the string s, expecting exactly the error msg. */
static void
parse_bad(parse_fn fn, const char *s, const char *msg)
{
	struct alert_batch	 b;
	char			*err = NULL;

	if (fn(s, strlen(s), NOW_MS, &b, &err) == 0)
		TEST_FAIL("accepted: %s", s);
	assert_empty(&b);
	ASSERT_STR_EQ(err, msg);
	free(err);
}

/* Parses the string s, asserting success. */
static void
parse_ok(parse_fn fn, const char *s, struct alert_batch *b)
{
	char	*err = NULL;

	if (fn(s, strlen(s), NOW_MS, b, &err) != 0)
		TEST_FAIL("rejected (%s): %s", err, s);
	ASSERT_NULL(err);
}

TEST(alertmanager_firing)
{
	struct alert_batch	 b;
	const struct alert_in	*a;

	parse_fixture_ok(alert_parse_alertmanager, "am-firing-3.json", &b);
	ASSERT_STR_EQ(b.source, "alertmanager");
	ASSERT_STR_EQ(b.group_key,
	    "{}/{severity=\"critical\"}:{alertname=\"DiskFull\"}");
	ASSERT_INT_EQ(b.truncated, 0);
	ASSERT_INT_EQ(b.n, 3);

	a = &b.v[0];
	ASSERT_STR_EQ(a->fingerprint, "c6eadffa33fcdf37");
	ASSERT_INT_EQ(a->resolved, 0);
	ASSERT_INT_EQ(a->labels.n, 5);
	ASSERT_STR_EQ(labels_get(&a->labels, "alertname"), "DiskFull");
	ASSERT_STR_EQ(labels_get(&a->labels, "instance"), "db-01:9100");
	ASSERT_STR_EQ(labels_get(&a->annotations, "summary"),
	    "Disk almost full");
	ASSERT_STR_EQ(labels_get(&a->annotations, "description"),
	    "/var on db-01 is at 97%");
	ASSERT_INT_EQ(a->starts_ms, 1714560120123LL);
	ASSERT_INT_EQ(a->ends_ms, 0);
	ASSERT_CONTAINS(a->url, "http://prometheus:9090/graph?g0.expr=");

	/* A zone offset and one fractional digit. */
	ASSERT_INT_EQ(b.v[1].starts_ms, 1714560125500LL);
	ASSERT_STR_EQ(b.v[1].fingerprint, "0a1b2c3d4e5f6071");
	/* Nanoseconds are cut to ms; a short fingerprint is padded. */
	ASSERT_INT_EQ(b.v[2].starts_ms, 1714560210987LL);
	ASSERT_STR_EQ(b.v[2].fingerprint, "0000000000000abc");

	alert_batch_release(&b);
	assert_empty(&b);
}

TEST(alertmanager_resolved)
{
	struct alert_batch	 b;

	parse_fixture_ok(alert_parse_alertmanager, "am-resolved.json", &b);
	ASSERT_INT_EQ(b.n, 1);
	ASSERT_INT_EQ(b.truncated, 2);
	ASSERT_INT_EQ(b.v[0].resolved, 1);
	ASSERT_INT_EQ(b.v[0].starts_ms, 1714550400000LL);
	ASSERT_INT_EQ(b.v[0].ends_ms, 1714565850250LL);
	ASSERT_STR_EQ(b.v[0].fingerprint, "5e8a1b7c2d3f4a60");
	ASSERT_STR_EQ(b.group_key, "{}:{instance=\"app-03:9100\"}");
	alert_batch_release(&b);
}

TEST(alertmanager_nulls)
{
	struct alert_batch	 b;
	char			 fp[17];

	/* Null maps and group key, empty URL and fingerprint, no status. */
	parse_fixture_ok(alert_parse_alertmanager, "am-null-labels.json", &b);
	ASSERT_INT_EQ(b.n, 1);
	ASSERT_NULL(b.group_key);
	ASSERT_INT_EQ(b.v[0].resolved, 0);	/* from the top level */
	ASSERT_INT_EQ(b.v[0].annotations.n, 0);
	ASSERT_NULL(b.v[0].url);
	labels_fingerprint(&b.v[0].labels, fp);
	ASSERT_STR_EQ(b.v[0].fingerprint, fp);
	ASSERT_STR_EQ(fp, "003b0a0f7d3fa569");
	alert_batch_release(&b);

	parse_ok(alert_parse_alertmanager, "{\"alerts\":[{\"status\":"
	    "\"firing\",\"labels\":{\"alertname\":\"A\"},\"annotations\":null,"
	    "\"startsAt\":null,\"endsAt\":null,\"generatorURL\":null,"
	    "\"fingerprint\":null}]}", &b);
	ASSERT_INT_EQ(b.v[0].starts_ms, NOW_MS);
	ASSERT_INT_EQ(b.v[0].ends_ms, 0);
	alert_batch_release(&b);
}

TEST(grafana)
{
	struct alert_batch	 b;

	parse_fixture_ok(alert_parse_grafana, "grafana-firing.json", &b);
	ASSERT_STR_EQ(b.source, "grafana");
	ASSERT_INT_EQ(b.n, 1);
	ASSERT_STR_EQ(labels_get(&b.v[0].labels, "alertname"), "HighCPU");
	ASSERT_STR_EQ(labels_get(&b.v[0].labels, "host"), "batch-07");
	ASSERT_STR_EQ(b.v[0].fingerprint, "3f2d1c0b9a887766");
	ASSERT_INT_EQ(b.v[0].starts_ms, 1714560120000LL);
	ASSERT_STR_EQ(b.v[0].url, "https://grafana.example.com/alerting/"
	    "grafana/b2a9c4d1/view?orgId=1");
	ASSERT_CONTAINS(b.group_key, "__grafana_receiver__");
	/* The panel's link becomes the Dashboard button. */
	ASSERT_STR_EQ(labels_get(&b.v[0].annotations, "dashboard_url"),
	    "https://grafana.example.com/d/node01?orgId=1&viewPanel=4");
	alert_batch_release(&b);

	/* Posted to the Alertmanager hook, it is still Grafana. */
	parse_fixture_ok(alert_parse_alertmanager, "grafana-firing.json", &b);
	ASSERT_STR_EQ(b.source, "grafana");
	alert_batch_release(&b);

	/* "state" stands in for a missing top-level status. */
	parse_ok(alert_parse_grafana, "{\"state\":\"ok\",\"alerts\":[{"
	    "\"labels\":{\"alertname\":\"A\"}}]}", &b);
	ASSERT_INT_EQ(b.v[0].resolved, 1);
	alert_batch_release(&b);
}

TEST(status_fallback)
{
	struct alert_batch	 b;

	parse_ok(alert_parse_alertmanager, "{\"status\":\"resolved\","
	    "\"alerts\":[{\"labels\":{\"alertname\":\"A\"}},{\"status\":"
	    "\"firing\",\"labels\":{\"alertname\":\"B\"}},{\"status\":"
	    "\"weird\","
	    "\"labels\":{\"alertname\":\"C\"}},{\"status\":7,\"labels\":{"
	    "\"alertname\":\"D\"}}]}", &b);
	ASSERT_INT_EQ(b.n, 4);
	ASSERT_INT_EQ(b.v[0].resolved, 1);
	ASSERT_INT_EQ(b.v[1].resolved, 0);
	ASSERT_INT_EQ(b.v[2].resolved, 1);
	ASSERT_INT_EQ(b.v[3].resolved, 1);
	alert_batch_release(&b);

	parse_bad(alert_parse_alertmanager, "{\"alerts\":[{\"labels\":{"
	    "\"alertname\":\"A\"}}]}", "alerts[0].status: missing, and the "
	    "body has no top-level status");
	parse_bad(alert_parse_alertmanager, "{\"status\":\"bogus\",\"alerts\":"
	    "[{\"status\":3,\"labels\":{\"alertname\":\"A\"}}]}",
	    "alerts[0].status: expected \"firing\" or \"resolved\", got a "
	    "number");
}

TEST(alertmanager_tolerant)
{
	struct alert_batch	 b;

	/* Unknown fields anywhere, a future version, an empty list. */
	parse_ok(alert_parse_alertmanager, "{\"version\":\"5\",\"status\":"
	    "\"firing\",\"newThing\":{\"deep\":[1,2,{\"x\":null}]},\"alerts\":"
	    "[{\"labels\":{\"alertname\":\"A\"},\"extra\":[true],"
	    "\"fingerprint\":12}]}", &b);
	ASSERT_INT_EQ(b.n, 1);
	ASSERT_INT_EQ(strlen(b.v[0].fingerprint), 16);
	alert_batch_release(&b);

	parse_ok(alert_parse_alertmanager, "  {\"alerts\":[]}\n", &b);
	ASSERT_INT_EQ(b.n, 0);
	ASSERT_NULL(b.v);
	ASSERT_STR_EQ(b.source, "alertmanager");
	alert_batch_release(&b);

	/* Fingerprints that are not 1-16 hex digits are computed. */
	parse_ok(alert_parse_alertmanager, "{\"status\":\"firing\",\"alerts\":"
	    "[{\"labels\":{\"alertname\":\"A\"},\"fingerprint\":"
	    "\"0123456789abcdef0\"},{\"labels\":{\"alertname\":\"A\"},"
	    "\"fingerprint\":\"xyz\"}]}", &b);
	ASSERT_STR_EQ(b.v[0].fingerprint, b.v[1].fingerprint);
	alert_batch_release(&b);
}

TEST(alertmanager_errors)
{
	parse_fixture_bad(alert_parse_alertmanager, "bad-wrong-type.json",
	    "alerts[1].labels.severity: expected a string, got a number");
	parse_fixture_bad(alert_parse_alertmanager,
	    "bad-missing-alertname.json",
	    "alerts[0].labels.alertname: missing");
	parse_fixture_bad(alert_parse_alertmanager, "bad-status.json",
	    "alerts[0].status: expected \"firing\" or \"resolved\", got "
	    "\"pending\"");
	parse_fixture_bad(alert_parse_alertmanager, "bad-time.json",
	    "alerts[0].startsAt: expected an RFC 3339 time like "
	    "2024-05-01T10:42:00Z, got \"2024-05-01 10:42\"");

	parse_bad(alert_parse_alertmanager, "", "empty body (expected a JSON "
	    "object)");
	parse_bad(alert_parse_alertmanager, "{\"alerts\":[}",
	    "invalid JSON near byte 12");
	parse_bad(alert_parse_alertmanager, "{\"alerts\":[]} {}",
	    "invalid JSON near byte 15 (text after the end)");
	parse_bad(alert_parse_alertmanager, "[]", "expected a JSON object at "
	    "the top level, got an array");
	parse_bad(alert_parse_alertmanager, "{}", "alerts: missing (expected "
	    "an array of alerts)");
	parse_bad(alert_parse_alertmanager, "{\"alerts\":{}}",
	    "alerts: expected an array, got an object");
	parse_bad(alert_parse_alertmanager, "{\"alerts\":[\"x\"]}",
	    "alerts[0]: expected an object, got \"x\"");
	parse_bad(alert_parse_alertmanager, "{\"status\":\"firing\",\"alerts\":"
	    "[{\"labels\":[]}]}", "alerts[0].labels: expected an object, got "
	    "an array");
	parse_bad(alert_parse_alertmanager, "{\"status\":\"firing\",\"alerts\":"
	    "[{\"labels\":{\"alertname\":\"\"}}]}",
	    "alerts[0].labels.alertname: empty");
	parse_bad(alert_parse_alertmanager, "{\"status\":\"firing\",\"alerts\":"
	    "[{\"labels\":{\"alertname\":\"A\"},\"annotations\":{\"a b\":1}}]}",
	    "alerts[0].annotations[\"a b\"]: expected a string, got a number");
	parse_bad(alert_parse_alertmanager, "{\"status\":\"firing\",\"alerts\":"
	    "[{\"labels\":{\"alertname\":\"A\"},\"endsAt\":5}]}",
	    "alerts[0].endsAt: expected a string, got a number");
	parse_bad(alert_parse_alertmanager, "{\"status\":\"firing\",\"alerts\":"
	    "[{\"labels\":{\"alertname\":\"A\"},\"generatorURL\":{}}]}",
	    "alerts[0].generatorURL: expected a string, got an object");
	parse_bad(alert_parse_alertmanager, "{\"groupKey\":1,\"alerts\":[]}",
	    "groupKey: expected a string, got a number");
	parse_bad(alert_parse_alertmanager, "{\"truncatedAlerts\":-1,"
	    "\"alerts\":[]}", "truncatedAlerts: expected a count of alerts, "
	    "got a number");
	parse_bad(alert_parse_alertmanager, "{\"truncatedAlerts\":\"2\","
	    "\"alerts\":[]}", "truncatedAlerts: expected a count of alerts, "
	    "got \"2\"");
}

/* {"status":"firing","alerts":[n alerts]}; caller releases the buf. */
static void
many_alerts(struct buf *b, size_t n)
{
	size_t	 i;

	buf_init(b);
	buf_adds(b, "{\"status\":\"firing\",\"alerts\":[");
	for (i = 0; i < n; i++) {
		buf_addf(b, "%s{\"labels\":{\"alertname\":\"A%zu\"}}",
		    i == 0 ? "" : ",", i);
	}
	buf_adds(b, "]}");
}

TEST(too_many_alerts)
{
	struct alert_batch	 b;
	struct buf		 body;
	char			*err = NULL;

	many_alerts(&body, ALERT_PARSE_MAX_ALERTS);
	ASSERT_INT_EQ(alert_parse_alertmanager(body.data, body.len, NOW_MS,
	    &b, &err), 0);
	ASSERT_INT_EQ(b.n, ALERT_PARSE_MAX_ALERTS);
	ASSERT_STR_EQ(labels_get(&b.v[4999].labels, "alertname"), "A4999");
	alert_batch_release(&b);
	buf_release(&body);

	many_alerts(&body, 10000);
	ASSERT_INT_EQ(alert_parse_alertmanager(body.data, body.len, NOW_MS,
	    &b, &err), -1);
	ASSERT_STR_EQ(err, "10000 alerts in one request; the limit is 5000 "
	    "(set max_alerts in the webhook config)");
	assert_empty(&b);
	xfree(err);
	ASSERT_INT_EQ(alert_parse_generic(body.data, body.len, NOW_MS, &b,
	    &err), -1);
	ASSERT_STR_EQ(err, "status: unknown key (a body with \"alerts\" holds "
	    "nothing else)");
	xfree(err);
	buf_release(&body);
}

TEST(generic_single)
{
	struct alert_batch	 b;
	const struct alert_in	*a;

	parse_fixture_ok(alert_parse_generic, "generic-single.json", &b);
	ASSERT_STR_EQ(b.source, "generic");
	ASSERT_NULL(b.group_key);
	ASSERT_INT_EQ(b.n, 1);
	a = &b.v[0];
	ASSERT_INT_EQ(a->resolved, 0);
	ASSERT_STR_EQ(labels_get(&a->labels, "alertname"), "BackupFailed");
	/* The explicit severity wins over labels.severity. */
	ASSERT_STR_EQ(labels_get(&a->labels, "severity"), "critical");
	ASSERT_STR_EQ(labels_get(&a->labels, "host"), "nas-01");
	ASSERT_STR_EQ(labels_get(&a->labels, "team"), "storage");
	ASSERT_INT_EQ(a->labels.n, 4);
	ASSERT_STR_EQ(labels_get(&a->annotations, "summary"),
	    "Nightly backup failed");
	ASSERT_CONTAINS(labels_get(&a->annotations, "description"), "rsync");
	ASSERT_INT_EQ(a->starts_ms, 1714560120000LL);
	ASSERT_INT_EQ(a->ends_ms, 0);
	ASSERT_STR_EQ(a->url, "https://jenkins.example.com/job/backup/412/");
	/* Identity without severity: escalating keeps the same alert. */
	{
		struct labels	 id;
		char		 fp[17];

		memset(&id, 0, sizeof id);
		labels_set(&id, "alertname", labels_get(&a->labels,
		    "alertname"));
		labels_set(&id, "host", labels_get(&a->labels, "host"));
		labels_set(&id, "team", labels_get(&a->labels, "team"));
		labels_fingerprint(&id, fp);
		labels_release(&id);
		ASSERT_STR_EQ(a->fingerprint, fp);
	}
	alert_batch_release(&b);

	/* The least a script can send. */
	parse_ok(alert_parse_generic, "{\"name\":\"Ping\"}", &b);
	ASSERT_INT_EQ(b.n, 1);
	ASSERT_STR_EQ(labels_get(&b.v[0].labels, "severity"), "warning");
	ASSERT_INT_EQ(b.v[0].labels.n, 2);
	ASSERT_INT_EQ(b.v[0].annotations.n, 0);
	ASSERT_INT_EQ(b.v[0].starts_ms, NOW_MS);
	ASSERT_NULL(b.v[0].url);
	alert_batch_release(&b);

	/* labels.severity stands when no explicit severity is given. */
	parse_ok(alert_parse_generic, "{\"name\":\"P\",\"labels\":{"
	    "\"severity\":\"info\",\"alertname\":\"X\"},\"annotations\":{"
	    "\"summary\":\"old\"},\"summary\":\"new\",\"host\":null}", &b);
	ASSERT_STR_EQ(labels_get(&b.v[0].labels, "severity"), "info");
	ASSERT_STR_EQ(labels_get(&b.v[0].labels, "alertname"), "P");
	ASSERT_STR_EQ(labels_get(&b.v[0].annotations, "summary"), "new");
	ASSERT_NULL(labels_get(&b.v[0].labels, "host"));
	alert_batch_release(&b);
}

TEST(generic_list)
{
	struct alert_batch	 b;

	parse_fixture_ok(alert_parse_generic, "generic-list.json", &b);
	ASSERT_INT_EQ(b.n, 3);
	ASSERT_STR_EQ(b.v[0].fingerprint, "00000000000000ff");
	ASSERT_INT_EQ(b.v[0].starts_ms, 1714601700000LL);
	ASSERT_STR_EQ(labels_get(&b.v[0].labels, "job"), "EOD_LOAD");
	ASSERT_STR_EQ(labels_get(&b.v[0].annotations, "runbook"),
	    "https://wiki.example.com/runbooks/eod-load");
	ASSERT_INT_EQ(b.v[1].resolved, 1);
	ASSERT_INT_EQ(b.v[1].starts_ms, NOW_MS);
	ASSERT_INT_EQ(b.v[1].ends_ms, NOW_MS);
	ASSERT_STR_EQ(labels_get(&b.v[1].labels, "host"), "batch-03");
	ASSERT_INT_EQ(b.v[2].starts_ms, 1714560120500LL);
	ASSERT_STR_EQ(labels_get(&b.v[2].labels, "severity"), "info");
	/* Same labels, same fingerprint; different labels, different. */
	ASSERT(strcmp(b.v[1].fingerprint, b.v[2].fingerprint) != 0);
	alert_batch_release(&b);

	parse_ok(alert_parse_generic, "{\"alerts\":[]}", &b);
	ASSERT_INT_EQ(b.n, 0);
	ASSERT_STR_EQ(b.source, "generic");
	alert_batch_release(&b);
}

TEST(generic_errors)
{
	parse_fixture_bad(alert_parse_generic, "bad-generic-key.json",
	    "alerts[0].sevrity: unknown key (did you mean \"severity\"?)");
	parse_bad(alert_parse_generic, "{\"name\":\"A\",\"hots\":\"x\"}",
	    "hots: unknown key (did you mean \"host\"?)");
	parse_bad(alert_parse_generic, "{\"alert\":[]}",
	    "alert: unknown key (did you mean \"alerts\"?)");
	parse_bad(alert_parse_generic, "{\"name\":\"A\",\"priority\":1}",
	    "priority: unknown key (an alert has name, status, severity, "
	    "host, summary, description, labels, annotations, starts_at, url "
	    "and fingerprint)");
	parse_bad(alert_parse_generic, "{\"alerts\":[{\"name\":\"A\","
	    "\"alerts\":[]}]}", "alerts[0].alerts: unknown key (an alert has "
	    "name, status, severity, host, summary, description, labels, "
	    "annotations, starts_at, url and fingerprint)");
	parse_bad(alert_parse_generic, "{\"severity\":\"critical\"}",
	    "name: missing (every alert needs a name)");
	parse_bad(alert_parse_generic, "{\"alerts\":[{\"name\":\"A\"},{}]}",
	    "alerts[1].name: missing (every alert needs a name)");
	parse_bad(alert_parse_generic, "{\"name\":\"\"}", "name: empty");
	parse_bad(alert_parse_generic, "{\"name\":5}",
	    "name: expected a string, got a number");
	parse_bad(alert_parse_generic, "{\"name\":\"A\",\"status\":\"ok\"}",
	    "status: expected \"firing\" or \"resolved\", got \"ok\"");
	parse_bad(alert_parse_generic, "{\"name\":\"A\",\"labels\":{\"team\":"
	    "1}}", "labels.team: expected a string, got a number");
	parse_bad(alert_parse_generic, "{\"name\":\"A\",\"labels\":{"
	    "\"my-team\":\"x\"}}", "labels[\"my-team\"]: bad label name "
	    "(letters, digits and _, not starting with a digit)");
	parse_bad(alert_parse_generic, "{\"name\":\"A\",\"fingerprint\":"
	    "\"xyz\"}", "fingerprint: expected 1 to 16 hex digits, got "
	    "\"xyz\"");
	parse_bad(alert_parse_generic, "{\"name\":\"A\",\"starts_at\":-1}",
	    "starts_at: expected an RFC 3339 time or epoch seconds, got a "
	    "number");
	parse_bad(alert_parse_generic, "{\"name\":\"A\",\"starts_at\":1e300}",
	    "starts_at: expected an RFC 3339 time or epoch seconds, got a "
	    "number");
	parse_bad(alert_parse_generic, "{\"name\":\"A\",\"starts_at\":"
	    "\"yesterday\"}", "starts_at: expected an RFC 3339 time like "
	    "2024-05-01T10:42:00Z, got \"yesterday\"");
	parse_bad(alert_parse_generic, "{\"name\":\"A\",\"url\":true}",
	    "url: expected a string, got a boolean");
	parse_bad(alert_parse_generic, "{\"alerts\":null}",
	    "alerts: expected an array, got null");
	parse_bad(alert_parse_generic, "{\"alerts\":[[]]}",
	    "alerts[0]: expected an object, got an array");
	parse_bad(alert_parse_generic, "\"name\"", "expected a JSON object at "
	    "the top level, got a string");
}

/* Asserts s parses as ms. */
static void
time_ok(const char *s, int64_t want)
{
	int64_t	 ms = -1;

	if (alert_parse_time(s, &ms) != 0)
		TEST_FAIL("alert_parse_time(\"%s\") failed", s);
	ASSERT_INT_EQ(ms, want);
}

static void
time_bad(const char *s)
{
	int64_t	 ms = -1;

	if (alert_parse_time(s, &ms) == 0)
		TEST_FAIL("alert_parse_time(\"%s\") accepted", s);
	ASSERT_INT_EQ(ms, 0);
}

TEST(times)
{
	time_ok("2024-05-01T10:42:00Z", 1714560120000LL);
	time_ok("2024-05-01T10:42:00.123Z", 1714560120123LL);
	time_ok("2024-05-01t10:42:00.1z", 1714560120100LL);
	time_ok("2024-05-01 10:42:00.123456789+00:00", 1714560120123LL);
	time_ok("2024-05-01T12:42:05.5+02:00", 1714560125500LL);
	time_ok("2024-05-01T08:17:30.250-04:00", 1714565850250LL);
	time_ok("2000-02-29T23:59:59Z", 951868799000LL);
	time_ok("1969-12-31T23:59:59Z", -1000);
	time_ok("1970-01-01T00:00:00Z", 0);
	time_ok("0001-01-01T00:00:00Z", 0);	/* Go's zero time */
	time_ok("0001-01-01T00:00:00.000000000Z", 0);
	time_ok("0001-01-01T00:00:01Z", -62135596799000LL);
	time_ok("9999-12-31T23:59:59.999Z", 253402300799999LL);
	time_ok("2024-05-01T10:42:00.1234567890123456789012345Z",
	    1714560120123LL);

	time_bad("");
	time_bad("2024-05-01");
	time_bad("2024-05-01T10:42Z");
	time_bad("2024-05-01T10:42:00");
	time_bad("2024-05-01T10:42:00.Z");
	time_bad("2024-05-01T10:42:00ZZ");
	time_bad("2024-05-01T10:42:00+0200");
	time_bad("2024-05-01T10:42:00+24:00");
	time_bad("2024-13-01T10:42:00Z");
	time_bad("2024-00-01T10:42:00Z");
	time_bad("2023-02-29T10:42:00Z");
	time_bad("2024-04-31T10:42:00Z");
	time_bad("2024-05-01T24:00:00Z");
	time_bad("2024-05-01T10:60:00Z");
	time_bad("2024-05-01T10:42:61Z");
	time_bad("+2024-05-01T10:42:00Z");
	time_bad("2024-05-01T10:42:00Z ");
	time_bad("1714560120");
}

TEST(hostile)
{
	struct alert_batch	 b;
	struct buf		 body;
	char			*err = NULL, *exact;
	size_t			 i;

	/* A megabyte alert name and annotation pass through. */
	buf_init(&body);
	buf_adds(&body, "{\"name\":\"");
	for (i = 0; i < (1 << 20); i++)
		buf_addc(&body, 'N');
	buf_adds(&body, "\",\"summary\":\"");
	for (i = 0; i < (1 << 20); i++)
		buf_addc(&body, 's');
	buf_adds(&body, "\"}");
	ASSERT_INT_EQ(alert_parse_generic(body.data, body.len, NOW_MS, &b,
	    &err), 0);
	ASSERT_INT_EQ(strlen(labels_get(&b.v[0].labels, "alertname")),
	    1 << 20);
	alert_batch_release(&b);
	buf_release(&body);

	/* Invalid UTF-8 is kept as bytes; errors quote it, cut short. */
	parse_ok(alert_parse_alertmanager, "{\"status\":\"firing\",\"alerts\":"
	    "[{\"labels\":{\"alertname\":\"\xff\xfe\xc3\",\"\xc0\xaf\":"
	    "\"\xed\xa0\x80\"}}]}", &b);
	ASSERT_STR_EQ(labels_get(&b.v[0].labels, "alertname"),
	    "\xff\xfe\xc3");
	ASSERT_STR_EQ(labels_get(&b.v[0].labels, "\xc0\xaf"), "\xed\xa0\x80");
	alert_batch_release(&b);
	parse_bad(alert_parse_generic, "{\"name\":\"A\",\"status\":\"\xff\n"
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	    "AAAAAAAA\"}", "status: expected \"firing\" or \"resolved\", got "
	    "\"\xff\\x0a"
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	    "\"...");

	/* A \u0000 escape ends the C string; it does not crash. */
	parse_ok(alert_parse_generic, "{\"name\":\"A\\u0000B\"}", &b);
	ASSERT_STR_EQ(labels_get(&b.v[0].labels, "alertname"), "A");
	alert_batch_release(&b);

	/* A raw NUL byte inside the body is invalid JSON. */
	ASSERT_INT_EQ(alert_parse_generic("{\"name\":\"A\"}\0", 13, NOW_MS,
	    &b, &err), -1);
	ASSERT_STR_EQ(err, "invalid JSON near byte 13 (text after the end)");
	assert_empty(&b);
	xfree(err);

	/* Deep nesting: cJSON stops at its limit; nothing overflows. */
	buf_init(&body);
	buf_adds(&body, "{\"status\":\"firing\",\"x\":");
	for (i = 0; i < 100000; i++)
		buf_addc(&body, '[');
	ASSERT_INT_EQ(alert_parse_alertmanager(body.data, body.len, NOW_MS,
	    &b, &err), -1);
	ASSERT_CONTAINS(err, "invalid JSON near byte");
	assert_empty(&b);
	xfree(err);
	buf_release(&body);
	/* Moderate nesting in an unknown field is ignored. */
	buf_init(&body);
	buf_adds(&body, "{\"status\":\"firing\",\"x\":");
	for (i = 0; i < 500; i++)
		buf_addc(&body, '[');
	for (i = 0; i < 500; i++)
		buf_addc(&body, ']');
	buf_adds(&body, ",\"alerts\":[{\"labels\":{\"alertname\":\"A\"}}]}");
	ASSERT_INT_EQ(alert_parse_alertmanager(body.data, body.len, NOW_MS,
	    &b, &err), 0);
	alert_batch_release(&b);
	buf_release(&body);

	/* A body that is not NUL-terminated is read to len and no further. */
	exact = xmalloc(15);
	memcpy(exact, "{\"name\":\"Abc\"}", 15);
	ASSERT_INT_EQ(alert_parse_generic(exact, 14, NOW_MS, &b, &err), 0);
	ASSERT_STR_EQ(labels_get(&b.v[0].labels, "alertname"), "Abc");
	alert_batch_release(&b);
	ASSERT_INT_EQ(alert_parse_generic(exact, 10, NOW_MS, &b, &err), -1);
	ASSERT_CONTAINS(err, "invalid JSON near byte");
	xfree(err);
	free(exact);

	/* Too many labels in one alert. */
	buf_init(&body);
	buf_adds(&body, "{\"status\":\"firing\",\"alerts\":[{\"labels\":{");
	for (i = 0; i < 1001; i++)
		buf_addf(&body, "%s\"l%zu\":\"v\"", i == 0 ? "" : ",",
		    1001 - i);
	buf_adds(&body, "}}]}");
	ASSERT_INT_EQ(alert_parse_alertmanager(body.data, body.len, NOW_MS,
	    &b, &err), -1);
	ASSERT_STR_EQ(err, "alerts[0].labels: more than 1000 entries; the "
	    "limit is 1000");
	xfree(err);
	buf_release(&body);
}

TEST(release_twice)
{
	struct alert_batch	 b;

	parse_ok(alert_parse_generic, "{\"name\":\"A\",\"url\":\"u\"}", &b);
	alert_batch_release(&b);
	assert_empty(&b);
	alert_batch_release(&b);
	assert_empty(&b);
}

static const struct test tests[] = {
	TEST_ENTRY(alertmanager_firing),
	TEST_ENTRY(alertmanager_resolved),
	TEST_ENTRY(alertmanager_nulls),
	TEST_ENTRY(grafana),
	TEST_ENTRY(status_fallback),
	TEST_ENTRY(alertmanager_tolerant),
	TEST_ENTRY(alertmanager_errors),
	TEST_ENTRY(too_many_alerts),
	TEST_ENTRY(generic_single),
	TEST_ENTRY(generic_list),
	TEST_ENTRY(generic_errors),
	TEST_ENTRY(times),
	TEST_ENTRY(hostile),
	TEST_ENTRY(release_twice),
	TEST_END
};

int
main(int argc, char **argv)
{
	return test_run(tests, argc, argv);
}

/*
 * fake-fleet-exporter: one scrape target that exposes the node_exporter
 * series of a whole fleet, so a real Prometheus (or VictoriaMetrics)
 * scraping it with honor_labels: true stores the series of thousands of
 * hosts (issue 15: the metrics backend's scale test and bench). The
 * labels are the exposition's own, as a federating Prometheus would
 * serve them; nothing here is random at run time.
 *
 * usage: fake-fleet-exporter PORTFILE [--hosts N] [--seed S] [--cpus C]
 *            [--down K] [--disk-full K] [--unit-failed K] [--high-load K]
 *            [--lifetime-s N] [--port N] [--verbose]
 *
 * GET /metrics, Prometheus text format 0.0.4, one family after the other.
 * Every series of host i (1..N) carries
 *     instance="host-%05d:9100" (host-00001:9100 ...), job="node",
 *     env="prod" (i % 10 in 1..7) | "staging" (8, 9) | "dev" (0),
 *     role="web" | "app" | "db" | "cache" (i % 4 = 1, 2, 3, 0).
 * The families, per host:
 *     up                              1, or 0 for a down host (the
 *                                     federated form of each host's
 *                                     scrape; discovery can use
 *                                     up{job="node"}). A down host has
 *                                     no other series, as a host that
 *                                     cannot be scraped has none.
 *     node_load1, node_load5, node_load15
 *     node_cpu_seconds_total{cpu="0".."C-1",mode="idle"}   counter
 *                                     growing with real time (idle 90%
 *                                     of the time, 5% on a loaded host),
 *                                     so rate() works
 *     node_boot_time_seconds          the start time minus 1-30 days
 *     node_memory_MemTotal_bytes, node_memory_MemAvailable_bytes
 *                                     (8 GiB * 1, 2 or 4; 35-75% free)
 *     node_filesystem_size_bytes, node_filesystem_avail_bytes,
 *     node_filesystem_files, node_filesystem_files_free
 *         {device,fstype,mountpoint} for three mounts:
 *         "/" ext4 /dev/sda1 (100 GiB), "/var" xfs /dev/sdb1 (500 GiB),
 *         "/run" tmpfs tmpfs (1 GiB, 1% used; the kind a check ignores)
 *         healthy: 20-70% of space and 1-10% of inodes used
 *     node_systemd_unit_state{name,state,type="simple"}: two units, each
 *         with the five states of node_exporter's systemd collector
 *         (activating active deactivating failed inactive), value 1 for
 *         the unit's state: "ssh.service" and the role's unit
 *         (web: nginx.service, app: payment-svc.service, db:
 *         postgresql.service, cache: redis-server.service)
 *
 * The unhealthy hosts, disjoint sets chosen by the seed (a keyed order
 * of the hosts: the first K down, the next K disk-full, and so on; each
 * K defaults to N / 100, at least 1 while hosts remain):
 *     down         up 0, nothing else
 *     disk-full    "/var" 95% used (avail 5% of size)
 *     unit-failed  the role's unit in state "failed"
 *     high-load    node_load1 = 4 x C, node_load5 = 3 x C,
 *                  node_load15 = 2 x C, 5% idle
 * A healthy host's load1, load5 and load15 stay under 0.5 x C.
 *
 * GET /expected: what a test asserts, as JSON: {"hosts", "seed", "cpus",
 * "series" (per scrape), "down", "disk_full", "unit_failed", "high_load"
 * (arrays of host names, "host-00042", sorted)}.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fakehttp.h"

enum kind { K_OK, K_DOWN, K_DISK, K_UNIT, K_LOAD, K_N };

static const char *const kind_names[K_N] = {
	"ok", "down", "disk_full", "unit_failed", "high_load",
};

struct host {
	char labels[128]; /* instance=...,job=...,env=...,role=... */
	enum kind kind;
	int role;
	uint64_t h; /* its own hash: the healthy values */
};

static const char *const roles[] = { "cache", "web", "app", "db" };
static const char *const role_units[] = {
	"redis-server.service", "nginx.service", "payment-svc.service",
	"postgresql.service",
};
static const char *const unit_states[] = {
	"activating", "active", "deactivating", "failed", "inactive",
};

static const struct {
	const char *mount, *fstype, *device;
	double gib;
} mounts[] = {
	{ "/", "ext4", "/dev/sda1", 100 },
	{ "/var", "xfs", "/dev/sdb1", 500 },
	{ "/run", "tmpfs", "tmpfs", 1 },
};
#define N_MOUNTS (sizeof(mounts) / sizeof(mounts[0]))
#define GIB 1073741824.0

static struct {
	int hosts, cpus;
	long seed;
	int count[K_N]; /* -1: the default, N / 100 */
	struct host *v;
	double start; /* wall clock, seconds: the counters' origin */
	long series;
} g = {
	.hosts = 100,
	.cpus = 2,
	.seed = 1,
	.count = { 0, -1, -1, -1, -1 },
};

/* splitmix64: a fixed, well-mixed hash of the seed and an index. */
static uint64_t
mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/* A number in [lo, hi) from bits of h (slot picks which bits). */
static double
pick(uint64_t h, int slot, double lo, double hi)
{
	uint64_t b = mix(h + (uint64_t)slot);

	return lo + (hi - lo) * (double)(b >> 11) / 9007199254740992.0;
}

/* The exposition being written: grows, never fails (exits). */
struct out {
	char *p;
	size_t len, cap;
};

static void __attribute__((format(printf, 2, 3)))
outf(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(o->p + o->len, o->cap - o->len, fmt, ap);
		va_end(ap);
		if (n >= 0 && (size_t)n < o->cap - o->len)
			break;
		o->cap = o->cap * 2 + (size_t)(n > 0 ? n : 0) + 1;
		o->p = xrealloc(o->p, o->cap);
	}
	o->len += (size_t)n;
}

static void
family(struct out *o, const char *name, const char *type, const char *help)
{
	outf(o, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static int
up(const struct host *h)
{
	return h->kind != K_DOWN;
}

/* The /metrics body, malloc'd; the caller owns it. */
static char *
render(void)
{
	struct out o = { NULL, 0, 0 };
	double now, el, load[3], total, frac;
	const struct host *h;
	int i, c, k;
	size_t m, u, s;
	long n = 0;
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	now = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
	el = now - g.start;
	o.cap = (size_t)g.hosts * 4096 + 4096;
	o.p = xmalloc(o.cap);
	o.p[0] = '\0';

	family(&o, "up", "gauge",
	       "1 if the host's node_exporter was scraped (federated).");
	for (i = 0; i < g.hosts; i++, n++)
		outf(&o, "up{%s} %d\n", g.v[i].labels, up(&g.v[i]));

	for (k = 0; k < 3; k++) {
		static const char *const names[] = { "node_load1", "node_load5",
			                             "node_load15" };
		static const char *const helps[] = { "1m load average.",
			                             "5m load average.",
			                             "15m load average." };

		family(&o, names[k], "gauge", helps[k]);
		for (i = 0; i < g.hosts; i++) {
			h = &g.v[i];
			if (!up(h))
				continue;
			load[k] = h->kind == K_LOAD
			              ? g.cpus * (4.0 - k)
			              : pick(h->h, 1 + k, 0.01, 0.5) * g.cpus;
			outf(&o, "%s{%s} %.2f\n", names[k], h->labels, load[k]);
			n++;
		}
	}

	family(&o, "node_cpu_seconds_total", "counter",
	       "Seconds the CPUs spent in each mode.");
	for (i = 0; i < g.hosts; i++) {
		h = &g.v[i];
		if (!up(h))
			continue;
		frac = h->kind == K_LOAD ? 0.05 : 0.9;
		for (c = 0; c < g.cpus; c++, n++)
			outf(&o,
			     "node_cpu_seconds_total{cpu=\"%d\",mode=\"idle\",%s}"
			     " %.2f\n",
			     c, h->labels,
			     pick(h->h, 10 + c, 1e5, 1e6) + el * frac);
	}

	family(&o, "node_boot_time_seconds", "gauge",
	       "Node boot time, in unixtime.");
	for (i = 0; i < g.hosts; i++) {
		h = &g.v[i];
		if (up(h)) {
			outf(&o, "node_boot_time_seconds{%s} %.0f\n", h->labels,
			     g.start - pick(h->h, 4, 1, 30) * 86400);
			n++;
		}
	}

	family(&o, "node_memory_MemTotal_bytes", "gauge",
	       "Memory information field MemTotal_bytes.");
	for (i = 0; i < g.hosts; i++) {
		h = &g.v[i];
		if (up(h)) {
			outf(&o, "node_memory_MemTotal_bytes{%s} %.0f\n",
			     h->labels, 8 * GIB * (1 << (h->h % 3)));
			n++;
		}
	}
	family(&o, "node_memory_MemAvailable_bytes", "gauge",
	       "Memory information field MemAvailable_bytes.");
	for (i = 0; i < g.hosts; i++) {
		h = &g.v[i];
		if (up(h)) {
			outf(&o, "node_memory_MemAvailable_bytes{%s} %.0f\n",
			     h->labels,
			     8 * GIB * (1 << (h->h % 3)) *
			         pick(h->h, 5, 0.35, 0.75));
			n++;
		}
	}

	for (k = 0; k < 4; k++) {
		static const char *const names[] = {
			"node_filesystem_size_bytes",
			"node_filesystem_avail_bytes",
			"node_filesystem_files",
			"node_filesystem_files_free",
		};
		static const char *const helps[] = {
			"Filesystem size in bytes.",
			"Filesystem space available to non-root users in bytes.",
			"Filesystem total file nodes.",
			"Filesystem total free file nodes.",
		};

		family(&o, names[k], "gauge", helps[k]);
		for (i = 0; i < g.hosts; i++) {
			h = &g.v[i];
			if (!up(h))
				continue;
			for (m = 0; m < N_MOUNTS; m++, n++) {
				double size = mounts[m].gib * GIB;
				double files = mounts[m].gib * 65536;
				double used = pick(h->h, 20 + (int)m, 0.2, 0.7);

				if (m == 2)
					used = 0.01;
				else if (m == 1 && h->kind == K_DISK)
					used = 0.95;
				total = k == 0   ? size
				        : k == 1 ? size * (1 - used)
				        : k == 2 ? files
				                 : files * (1 - pick(h->h,
				                                     30 + (int)m,
				                                     0.01, 0.1));
				outf(&o,
				     "%s{device=\"%s\",fstype=\"%s\","
				     "mountpoint=\"%s\",%s} %.0f\n",
				     names[k], mounts[m].device, mounts[m].fstype,
				     mounts[m].mount, h->labels, total);
			}
		}
	}

	family(&o, "node_systemd_unit_state", "gauge",
	       "Systemd unit");
	for (i = 0; i < g.hosts; i++) {
		h = &g.v[i];
		if (!up(h))
			continue;
		for (u = 0; u < 2; u++) {
			const char *unit = u ? role_units[h->role] : "ssh.service";
			int failed = u && h->kind == K_UNIT;

			for (s = 0; s < 5; s++, n++)
				outf(&o,
				     "node_systemd_unit_state{name=\"%s\","
				     "state=\"%s\",type=\"simple\",%s} %d\n",
				     unit, unit_states[s], h->labels,
				     failed ? s == 3 : s == 1);
		}
	}
	g.series = n;
	return o.p;
}

static cJSON *
expected(void)
{
	cJSON *j = cJSON_CreateObject(), *a[K_N];
	char name[32];
	int i, k;

	if (!g.series)
		free(render()); /* counts the series */
	cJSON_AddNumberToObject(j, "hosts", g.hosts);
	cJSON_AddNumberToObject(j, "seed", (double)g.seed);
	cJSON_AddNumberToObject(j, "cpus", g.cpus);
	cJSON_AddNumberToObject(j, "series", (double)g.series);
	for (k = 1; k < K_N; k++)
		a[k] = cJSON_AddArrayToObject(j, kind_names[k]);
	for (i = 0; i < g.hosts; i++) {
		if (g.v[i].kind == K_OK)
			continue;
		snprintf(name, sizeof(name), "host-%05d", i + 1);
		cJSON_AddItemToArray(a[g.v[i].kind], cJSON_CreateString(name));
	}
	return j;
}

static int
fleet_route(struct lws *wsi, struct req *q, struct reply *r)
{
	(void)wsi;
	if (q->method != M_GET) {
		reply_set(r, 405, "text/plain", "GET only\n");
	} else if (!strcmp(q->path, "/metrics")) {
		free(r->body);
		r->status = 200;
		r->ctype = "text/plain; version=0.0.4; charset=utf-8";
		r->body = render();
	} else if (!strcmp(q->path, "/expected")) {
		reply_json(r, 200, expected());
	} else {
		reply_set(r, 404, "text/plain", "404 page not found\n");
	}
	return 0;
}

static int
fleet_args_ok(void)
{
	int k, left;

	if (g.hosts < 1 || g.hosts > 100000 || g.cpus < 1 || g.cpus > 256)
		return 0;
	left = g.hosts;
	for (k = 1; k < K_N; k++) {
		if (g.count[k] < 0)
			g.count[k] = g.hosts / 100 > 0 ? g.hosts / 100 : 1;
		if (g.count[k] > left)
			g.count[k] = left;
		left -= g.count[k];
	}
	return 1;
}

/* The hosts in the seed's order: which ones are unhealthy. */
static uint64_t *order_keys;

static int
by_key(const void *a, const void *b)
{
	uint64_t x = order_keys[*(const int *)a], y = order_keys[*(const int *)b];

	return x < y ? -1 : x > y;
}

static void
fleet_start(void)
{
	int *idx = xcalloc((size_t)g.hosts, sizeof(*idx));
	struct timespec ts;
	int i, k, at = 0, c;

	clock_gettime(CLOCK_REALTIME, &ts);
	g.start = (double)ts.tv_sec;
	g.v = xcalloc((size_t)g.hosts, sizeof(*g.v));
	order_keys = xcalloc((size_t)g.hosts, sizeof(*order_keys));
	for (i = 0; i < g.hosts; i++) {
		int n = i + 1, e = n % 10;

		idx[i] = i;
		order_keys[i] = mix(mix((uint64_t)g.seed) ^ (uint64_t)n);
		g.v[i].h = mix((uint64_t)g.seed * 31 + (uint64_t)n);
		g.v[i].role = n % 4;
		snprintf(g.v[i].labels, sizeof(g.v[i].labels),
		         "instance=\"host-%05d:9100\",job=\"node\","
		         "env=\"%s\",role=\"%s\"",
		         n, e == 0 ? "dev" : e <= 7 ? "prod" : "staging",
		         roles[g.v[i].role]);
	}
	qsort(idx, (size_t)g.hosts, sizeof(*idx), by_key);
	for (k = 1; k < K_N; k++)
		for (c = 0; c < g.count[k]; c++)
			g.v[idx[at++]].kind = (enum kind)k;
	free(idx);
	free(order_keys);
	order_keys = NULL;
	say("%d hosts, seed %ld: %d down, %d disk full, %d unit failed, "
	    "%d high load",
	    g.hosts, g.seed, g.count[K_DOWN], g.count[K_DISK],
	    g.count[K_UNIT], g.count[K_LOAD]);
}

static void
fleet_done(void)
{
	free(g.v);
}

static const struct fh_opt fleet_opts[] = {
	{ "--hosts", FH_INT, &g.hosts },
	{ "--seed", FH_LONG, &g.seed },
	{ "--cpus", FH_INT, &g.cpus },
	{ "--down", FH_INT, &g.count[K_DOWN] },
	{ "--disk-full", FH_INT, &g.count[K_DISK] },
	{ "--unit-failed", FH_INT, &g.count[K_UNIT] },
	{ "--high-load", FH_INT, &g.count[K_LOAD] },
};

static const struct fh_ops fleet_ops = {
	.usage = "usage: fake-fleet-exporter PORTFILE [--hosts N] [--seed S] "
	         "[--cpus C]\n"
	         "           [--down K] [--disk-full K] [--unit-failed K] "
	         "[--high-load K]\n"
	         "           [--lifetime-s N] [--port N] [--verbose]\n",
	.opts = fleet_opts,
	.n_opts = sizeof(fleet_opts) / sizeof(fleet_opts[0]),
	.args_ok = fleet_args_ok,
	.start = fleet_start,
	.done = fleet_done,
	.pss_size = sizeof(struct req),
	.route = fleet_route,
	.ws_path = "/no-websocket-here", /* an exporter has none */
};

/* There is no client mode: tests use curl and Prometheus. */
int
main(int argc, char **argv)
{
	return fake_main("fake-fleet-exporter", argc, argv, &fleet_ops,
	                 NULL);
}

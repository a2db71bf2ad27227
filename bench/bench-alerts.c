/*
 * bench-alerts: load generator for the bot's alert intake. Client
 * threads POST Alertmanager webhook v4 bodies (20-50 alerts each, over a
 * fixed pool of alert identities) to URL for a fixed time or number of
 * requests, then print the alerts committed per second (a 200 answer
 * means committed), requests per second, the HTTP statuses, request
 * latency and the bot's memory (VmRSS/VmHWM of -P PID, sampled every
 * 100 ms). Figures only; nothing is asserted. bench-alerts.sh starts a
 * bot and checks the store against the last line (RESULT ...).
 *   bench-alerts [-t THREADS] [-d SECONDS] [-n REQUESTS] [-p POOL]
 *                [-b BATCHES] [-s SEED] [-P PID] URL
 * The mix, per alert: about 40% new firing alerts (an identity not
 * firing now), 40% repeats of firing ones (dedup) and 20% resolutions.
 * A fixed pool cannot hold that mix for ever (it fills up with firing
 * alerts), so once three quarters of it fire, new and resolved go to
 * 30% each. Every body is built before the clock starts: BATCHES of
 * them (default 600 per second of the run, at least 2000); a run that
 * needs more starts over at the first one.
 */

#include <sys/resource.h>

#include <curl/curl.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define BATCH_MIN		20
#define BATCH_MAX		50
#define MAX_SECONDS		3600
#define TARGET_ALERTS_S		5000.0
#define TARGET_RSS_KB		(30 * 1024)
#define SAMPLE_US		100000

enum kind { K_NEW, K_REPEAT, K_RESOLVE, K_N };

struct body {
	char	*text;
	size_t	 len;
	int	 nalerts;
};

struct worker {
	pthread_t	 tid;
	CURL		*curl;
	uint32_t	*lat_us;	/* one per finished request */
	size_t		 nlat, caplat;
	char		 resp[256];	/* start of the answer */
	size_t		 resplen;
	uint64_t	 status[6];	/* 0: transport error, 1xx..5xx */
	uint64_t	 other;		/* a status out of 100-599 */
	uint64_t	 acked;		/* alerts 200 answers counted */
	uint64_t	 sent_ok;	/* alerts sent, answered 200 */
	uint64_t	 mismatch;	/* 200s counting other than sent */
	char		 first_err[256];
};

static const char	*url;
static struct body	*bodies;
static size_t		 nbodies;
static atomic_ullong	 next_req;
static uint64_t		 max_reqs;	/* 0: none */
static int64_t		 t_start_us, t_end_us;	/* timed window */
static atomic_int	 stop;
static atomic_ullong	*per_sec;	/* alerts acked per second */
static int		 seconds;

static pid_t		 bot_pid;
static long		 rss_start_kb = -1, rss_max_kb = -1, rss_end_kb = -1;
static long		 hwm_kb = -1;
static double		 bot_cpu_s;

static void __attribute__((noreturn, format(printf, 1, 2)))
fatal(const char *fmt, ...)
{
	va_list	 ap;

	fprintf(stderr, "bench-alerts: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void *
xmalloc(size_t n)
{
	void	*p = malloc(n);

	if (p == NULL)
		fatal("out of memory");
	return p;
}

static int64_t
now_us(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static uint64_t
splitmix64(uint64_t *s)
{
	uint64_t	 z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t
rnd_below(uint64_t *s, uint64_t n)
{
	return splitmix64(s) % n;
}

/* ------------------------------------------------------------ bodies */

struct sbuf {
	char	*p;
	size_t	 len, cap;
};

static void __attribute__((format(printf, 2, 3)))
sb_addf(struct sbuf *b, const char *fmt, ...)
{
	va_list	 ap;
	int	 n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
		if (n < 0)
			fatal("vsnprintf failed");
		if ((size_t)n < b->cap - b->len)
			break;
		b->cap = (b->cap + (size_t)n + 1) * 2;
		if ((b->p = realloc(b->p, b->cap)) == NULL)
			fatal("out of memory");
	}
	b->len += (size_t)n;
}

static const char *const alertnames[] = { "DiskFull", "HighCPU",
    "HighMemory", "InstanceDown", "HighLoad", "DiskIOSaturated",
    "NetworkErrors", "ClockSkew", "TooManyOpenFiles", "ServiceRestarting",
    "CertificateExpiring", "ReplicationLag" };
#define NNAMES	(sizeof alertnames / sizeof alertnames[0])
static const char *const summaries[] = { "Disk almost full",
    "CPU busy for 10 minutes", "Memory almost exhausted",
    "Target is down", "Load average high", "Disk I/O saturated",
    "Network interface errors", "Clock out of sync",
    "Too many open files", "Service restarting repeatedly",
    "TLS certificate expires soon", "Replica lagging behind" };
static const char *const jobs[] = { "node", "postgres", "nginx", "redis",
    "api", "kafka" };
static const char *const severities[] = { "critical", "warning",
    "warning", "info" };
static const char *const envs[] = { "prod", "prod", "staging" };

struct ident {
	char		 fp[17];
	unsigned	 name, job, sev, env, host, port;
	int		 firing;
	size_t		 pos;		/* in firing[] or idle[] */
	size_t		 stamp;		/* its last batch, + 1 */
	char		 starts[32];	/* of its current firing */
};

struct pool {
	struct ident	*v;
	size_t		 n;
	size_t		*firing, nfiring;
	size_t		*idle, nidle;
};

static void
set_remove(size_t *set, size_t *n, struct ident *v, size_t i)
{
	size_t	 last = set[--*n];

	set[v[i].pos] = last;
	v[last].pos = v[i].pos;
}

static void
set_add(size_t *set, size_t *n, struct ident *v, size_t i)
{
	v[i].pos = *n;
	set[(*n)++] = i;
}

static void
rfc3339(time_t t, int ms, char *out, size_t len)
{
	struct tm	 tm;
	size_t		 n;

	gmtime_r(&t, &tm);
	n = strftime(out, len, "%Y-%m-%dT%H:%M:%S", &tm);
	if (n + 6 > len)
		fatal("timestamp too long");
	out[n++] = '.';
	out[n++] = (char)('0' + ms / 100 % 10);
	out[n++] = (char)('0' + ms / 10 % 10);
	out[n++] = (char)('0' + ms % 10);
	out[n++] = 'Z';
	out[n] = '\0';
}

static void
pool_init(struct pool *p, size_t n, uint64_t seed)
{
	uint64_t	 s = seed;
	size_t		 i;

	p->n = n;
	p->v = calloc(n, sizeof *p->v);
	p->firing = xmalloc(n * sizeof *p->firing);
	p->idle = xmalloc(n * sizeof *p->idle);
	if (p->v == NULL)
		fatal("out of memory");
	p->nfiring = p->nidle = 0;
	for (i = 0; i < n; i++) {
		struct ident *id = &p->v[i];

		/* Distinct fingerprints: splitmix64 is a bijection. */
		snprintf(id->fp, sizeof id->fp, "%016" PRIx64,
		    splitmix64(&s));
		id->name = (unsigned)(i % NNAMES);
		id->host = (unsigned)(i / NNAMES);
		id->job = (unsigned)rnd_below(&s, sizeof jobs / sizeof *jobs);
		id->sev = (unsigned)rnd_below(&s,
		    sizeof severities / sizeof *severities);
		id->env = (unsigned)rnd_below(&s, sizeof envs / sizeof *envs);
		id->port = 9100 + (unsigned)rnd_below(&s, 4);
		set_add(p->idle, &p->nidle, p->v, i);
	}
}

/* An identity from set (of n) not yet in this batch, or -1. */
static long
pick(uint64_t *s, const size_t *set, size_t n, struct ident *v,
    size_t stamp)
{
	size_t	 i, try;

	for (try = 0; n > 0 && try < 16; try++) {
		i = set[rnd_below(s, n)];
		if (v[i].stamp != stamp)
			return (long)i;
	}
	return -1;
}

static void
add_alert(struct sbuf *b, const struct ident *id, int resolved,
    const char *ends, int first)
{
	const char	*name = alertnames[id->name];

	sb_addf(b, "%s{\"status\":\"%s\",\"labels\":{\"alertname\":\"%s\","
	    "\"instance\":\"%s-%s-%04u.example.net:%u\",\"job\":\"%s\","
	    "\"severity\":\"%s\",\"env\":\"%s\"},\"annotations\":{"
	    "\"summary\":\"%s\",\"description\":\"%s on %s-%s-%04u (job %s)"
	    " has been in this state for more than 5 minutes; see the "
	    "runbook.\",\"runbook_url\":\"https://runbooks.example.net/%s\"},"
	    "\"startsAt\":\"%s\",\"endsAt\":\"%s\",\"generatorURL\":"
	    "\"http://prometheus.example.net:9090/graph?g0.expr=%s&g0.tab=1\","
	    "\"fingerprint\":\"%s\"}",
	    first ? "" : ",", resolved ? "resolved" : "firing", name,
	    jobs[id->job], envs[id->env], id->host, id->port, jobs[id->job],
	    severities[id->sev], envs[id->env], summaries[id->name],
	    summaries[id->name], jobs[id->job], envs[id->env], id->host,
	    jobs[id->job], name, id->starts, ends, name, id->fp);
}

/*
 * Builds nb request bodies, walking the pool through the mix; counts[]
 * gets the alerts of each kind.
 */
static void
build_bodies(struct pool *p, size_t nb, uint64_t seed, uint64_t counts[K_N])
{
	uint64_t	 s = seed ^ 0x5bd1e995;
	time_t		 base = time(NULL) - 3600;
	struct sbuf	 b = { NULL, 0, 0 };
	char		 ends[32];
	size_t		 bi;
	int		 k, j, want, got, pct_new, pct_res;
	long		 i = -1;

	b.cap = 64 * 1024;
	b.p = xmalloc(b.cap);
	bodies = xmalloc(nb * sizeof *bodies);
	for (bi = 0; bi < nb; bi++) {
		int firing_any = 0;

		b.len = 0;
		want = BATCH_MIN + (int)rnd_below(&s,
		    BATCH_MAX - BATCH_MIN + 1);
		sb_addf(&b, "{\"version\":\"4\",\"groupKey\":\"{}/{env=~\\\""
		    "prod|staging\\\"}:{}\",\"truncatedAlerts\":0,\"receiver\":"
		    "\"opsbot\",\"groupLabels\":{},\"commonLabels\":{},"
		    "\"commonAnnotations\":{},\"externalURL\":"
		    "\"http://alertmanager.example.net:9093\",\"alerts\":[");
		/* Steady state once the pool is three quarters firing. */
		if (p->nfiring * 4 >= p->n * 3)
			pct_new = 30, pct_res = 30;
		else
			pct_new = 40, pct_res = 20;
		for (got = 0, j = 0; j < want; j++) {
			int r = (int)rnd_below(&s, 100);

			k = r < pct_new ? K_NEW : r < 100 - pct_res ?
			    K_REPEAT : K_RESOLVE;
			/* Nothing idle left: a repeat. */
			if (k == K_NEW && (i = pick(&s, p->idle, p->nidle,
			    p->v, bi + 1)) < 0)
				k = K_REPEAT;
			if (k != K_NEW && (i = pick(&s, p->firing, p->nfiring,
			    p->v, bi + 1)) < 0)
				continue;
			if (k == K_NEW) {
				set_remove(p->idle, &p->nidle, p->v,
				    (size_t)i);
				set_add(p->firing, &p->nfiring, p->v,
				    (size_t)i);
				p->v[i].firing = 1;
				rfc3339(base + (time_t)bi, (int)(bi % 1000),
				    p->v[i].starts, sizeof p->v[i].starts);
			} else if (k == K_RESOLVE) {
				set_remove(p->firing, &p->nfiring, p->v,
				    (size_t)i);
				set_add(p->idle, &p->nidle, p->v,
				    (size_t)i);
				p->v[i].firing = 0;
			}
			p->v[i].stamp = bi + 1;
			if (k == K_RESOLVE) {
				rfc3339(base + (time_t)bi + 60, 0, ends,
				    sizeof ends);
			} else {
				firing_any = 1;
				snprintf(ends, sizeof ends,
				    "0001-01-01T00:00:00Z");
			}
			add_alert(&b, &p->v[i], k == K_RESOLVE, ends, got == 0);
			counts[k]++;
			got++;
		}
		/* Firing if any alert of the group fires. */
		sb_addf(&b, "],\"status\":\"%s\"}",
		    firing_any ? "firing" : "resolved");
		bodies[bi].text = xmalloc(b.len + 1);
		memcpy(bodies[bi].text, b.p, b.len + 1);
		bodies[bi].len = b.len;
		bodies[bi].nalerts = got;
	}
	free(b.p);
	nbodies = nb;
}

/* ----------------------------------------------------------- clients */

static size_t
on_body(char *data, size_t size, size_t n, void *arg)
{
	struct worker	*w = arg;
	size_t		 len = size * n;
	size_t		 room = sizeof w->resp - 1 - w->resplen;

	if (len < room)
		room = len;
	memcpy(w->resp + w->resplen, data, room);
	w->resplen += room;
	w->resp[w->resplen] = '\0';
	return len;
}

static void
lat_add(struct worker *w, uint32_t us)
{
	if (w->nlat == w->caplat) {
		w->caplat = w->caplat == 0 ? 4096 : w->caplat * 2;
		w->lat_us = realloc(w->lat_us, w->caplat * sizeof *w->lat_us);
		if (w->lat_us == NULL)
			fatal("out of memory");
	}
	w->lat_us[w->nlat++] = us;
}

static void *
worker_run(void *arg)
{
	struct worker		*w = arg;
	struct curl_slist	*hdrs = NULL;
	unsigned long long	 r;
	const struct body	*bd;
	const char		*p;
	long			 code;
	int64_t			 t0, t1;
	CURLcode		 rc;

	hdrs = curl_slist_append(hdrs, "Content-Type: application/json");
	hdrs = curl_slist_append(hdrs, "User-Agent: Alertmanager/0.27.0");
	/* No 100-continue round trip for bodies over 1 kB. */
	hdrs = curl_slist_append(hdrs, "Expect:");
	if ((w->curl = curl_easy_init()) == NULL || hdrs == NULL)
		fatal("curl_easy_init failed");
	curl_easy_setopt(w->curl, CURLOPT_URL, url);
	curl_easy_setopt(w->curl, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(w->curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(w->curl, CURLOPT_WRITEDATA, w);
	curl_easy_setopt(w->curl, CURLOPT_TIMEOUT, 30L);
	curl_easy_setopt(w->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(w->curl, CURLOPT_TCP_NODELAY, 1L);
	curl_easy_setopt(w->curl, CURLOPT_FORBID_REUSE, 1L);
	while (!atomic_load(&stop)) {
		r = atomic_fetch_add(&next_req, 1);
		if (max_reqs != 0 && r >= max_reqs)
			break;
		bd = &bodies[r % nbodies];
		curl_easy_setopt(w->curl, CURLOPT_POSTFIELDS, bd->text);
		curl_easy_setopt(w->curl, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)bd->len);
		w->resplen = 0;
		w->resp[0] = '\0';
		t0 = now_us();
		rc = curl_easy_perform(w->curl);
		t1 = now_us();
		code = 0;
		if (rc == CURLE_OK)
			curl_easy_getinfo(w->curl, CURLINFO_RESPONSE_CODE,
			    &code);
		else if (w->first_err[0] == '\0')
			snprintf(w->first_err, sizeof w->first_err, "%s",
			    curl_easy_strerror(rc));
		/* Answers after the window closed are not counted. */
		if (t1 > t_end_us && t_end_us != 0)
			break;
		lat_add(w, (uint32_t)(t1 - t0 > UINT32_MAX ? UINT32_MAX :
		    t1 - t0));
		if (rc != CURLE_OK)
			w->status[0]++;
		else if (code >= 100 && code < 600)
			w->status[code / 100]++;
		else
			w->other++;
		if (code == 200) {
			unsigned long long n = 0;
			long sec = (long)((t1 - t_start_us) / 1000000);

			if ((p = strstr(w->resp, "\"alerts\":")) != NULL)
				n = strtoull(p + 9, NULL, 10);
			if (n != (unsigned long long)bd->nalerts)
				w->mismatch++;
			w->acked += n;
			w->sent_ok += (uint64_t)bd->nalerts;
			if (sec >= 0 && sec < MAX_SECONDS)
				atomic_fetch_add(&per_sec[sec], n);
		} else if (code != 0 && w->first_err[0] == '\0')
			snprintf(w->first_err, sizeof w->first_err,
			    "HTTP %ld: %.200s", code, w->resp);
	}
	curl_easy_cleanup(w->curl);
	curl_slist_free_all(hdrs);
	return NULL;
}

/* ------------------------------------------------------ bot sampling */

static long
proc_status_kb(const char *key)
{
	char	 path[64], line[256];
	size_t	 klen = strlen(key);
	long	 v = -1;
	FILE	*f;

	snprintf(path, sizeof path, "/proc/%ld/status", (long)bot_pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof line, f) != NULL) {
		if (strncmp(line, key, klen) == 0 && line[klen] == ':') {
			v = strtol(line + klen + 1, NULL, 10);
			break;
		}
	}
	fclose(f);
	return v;
}

/* User plus system CPU seconds of the bot so far, or -1. */
static double
proc_cpu_s(void)
{
	char		 path[64], line[1024], *p;
	unsigned long	 ut, st;
	FILE		*f;
	int		 ok;

	snprintf(path, sizeof path, "/proc/%ld/stat", (long)bot_pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	ok = fgets(line, sizeof line, f) != NULL;
	fclose(f);
	/* After "(comm) ": state is field 3, utime 14, stime 15. */
	if (!ok || (p = strrchr(line, ')')) == NULL ||
	    sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
	    &ut, &st) != 2)
		return -1;
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

static void *
sampler_run(void *arg)
{
	long	 v;

	(void)arg;
	while (!atomic_load(&stop)) {
		if ((v = proc_status_kb("VmRSS")) > rss_max_kb)
			rss_max_kb = v;
		usleep(SAMPLE_US);
	}
	return NULL;
}

/* ------------------------------------------------------------ report */

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t	 x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t	 x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Nearest rank. */
static double
pct_ms(const uint32_t *v, size_t n, int pct)
{
	size_t	 i = n * (size_t)pct / 100;

	if (n == 0)
		return 0;
	if (i >= n)
		i = n - 1;
	return v[i] / 1000.0;
}

static double
mb(long kb)
{
	return kb / 1024.0;
}

static void
usage(void)
{
	fprintf(stderr, "usage: bench-alerts [-t THREADS] [-d SECONDS] "
	    "[-n REQUESTS] [-p POOL] [-b BATCHES] [-s SEED] [-P PID] URL\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	struct worker	*ws;
	struct pool	 pool;
	struct rusage	 ru;
	pthread_t	 sampler;
	uint64_t	 counts[K_N] = { 0, 0, 0 }, total_alerts = 0, bytes = 0;
	uint64_t	 status[6] = { 0 }, other = 0, acked = 0, sent_ok = 0;
	uint64_t	 mismatch = 0, reqs, *secs;
	uint32_t	*lat;
	size_t		 nlat = 0, i, poolsize = 20000, nbatches = 0;
	uint64_t	 seed = 42;
	double		 elapsed, cpu0 = -1, cpu1, gen_cpu;
	int		 threads = 4, c, nsecs, t;
	const char	*first_err = NULL;

	seconds = 20;
	while ((c = getopt(argc, argv, "t:d:n:p:b:s:P:")) != -1) {
		switch (c) {
		case 't':
			threads = atoi(optarg);
			break;
		case 'd':
			seconds = atoi(optarg);
			break;
		case 'n':
			max_reqs = strtoull(optarg, NULL, 10);
			break;
		case 'p':
			poolsize = strtoul(optarg, NULL, 10);
			break;
		case 'b':
			nbatches = strtoul(optarg, NULL, 10);
			break;
		case 's':
			seed = strtoull(optarg, NULL, 10);
			break;
		case 'P':
			bot_pid = (pid_t)atol(optarg);
			break;
		default:
			usage();
		}
	}
	if (optind + 1 != argc || threads < 1 || threads > 256 ||
	    seconds < 1 || seconds > MAX_SECONDS || poolsize < BATCH_MAX * 4)
		usage();
	url = argv[optind];
	/* Enough for about 600 requests a second without starting over. */
	if (nbatches == 0)
		nbatches = (size_t)seconds * 600 < 2000 ? 2000 :
		    (size_t)seconds * 600;

	pool_init(&pool, poolsize, seed);
	build_bodies(&pool, nbatches, seed, counts);
	for (i = 0; i < nbodies; i++) {
		total_alerts += (uint64_t)bodies[i].nalerts;
		bytes += bodies[i].len;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
		fatal("curl_global_init failed");
	per_sec = calloc(MAX_SECONDS, sizeof *per_sec);
	ws = calloc((size_t)threads, sizeof *ws);
	if (per_sec == NULL || ws == NULL)
		fatal("out of memory");

	if (bot_pid > 0) {
		rss_start_kb = proc_status_kb("VmRSS");
		cpu0 = proc_cpu_s();
		if (pthread_create(&sampler, NULL, sampler_run, NULL) != 0)
			fatal("pthread_create failed");
	}
	t_start_us = now_us();
	if (max_reqs == 0)
		t_end_us = t_start_us + (int64_t)seconds * 1000000;
	for (t = 0; t < threads; t++) {
		if (pthread_create(&ws[t].tid, NULL, worker_run, &ws[t]) != 0)
			fatal("pthread_create failed");
	}
	if (max_reqs == 0) {
		while (now_us() < t_end_us)
			usleep(20000);
		atomic_store(&stop, 1);
	}
	for (t = 0; t < threads; t++)
		pthread_join(ws[t].tid, NULL);
	if (max_reqs != 0) {
		t_end_us = now_us();
		atomic_store(&stop, 1);
	}
	elapsed = (double)(t_end_us - t_start_us) / 1e6;
	if (bot_pid > 0) {
		pthread_join(sampler, NULL);
		rss_end_kb = proc_status_kb("VmRSS");
		if (rss_end_kb > rss_max_kb)
			rss_max_kb = rss_end_kb;
		hwm_kb = proc_status_kb("VmHWM");
		cpu1 = proc_cpu_s();
		bot_cpu_s = cpu0 >= 0 && cpu1 >= 0 ? cpu1 - cpu0 : -1;
	}
	getrusage(RUSAGE_SELF, &ru);
	gen_cpu = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	    (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;

	for (t = 0; t < threads; t++)
		nlat += ws[t].nlat;
	lat = xmalloc((nlat + 1) * sizeof *lat);
	for (nlat = 0, t = 0; t < threads; t++) {
		memcpy(lat + nlat, ws[t].lat_us, ws[t].nlat * sizeof *lat);
		nlat += ws[t].nlat;
		for (i = 0; i < 6; i++)
			status[i] += ws[t].status[i];
		other += ws[t].other;
		acked += ws[t].acked;
		sent_ok += ws[t].sent_ok;
		mismatch += ws[t].mismatch;
		if (first_err == NULL && ws[t].first_err[0] != '\0')
			first_err = ws[t].first_err;
	}
	qsort(lat, nlat, sizeof *lat, cmp_u32);
	reqs = nlat;
	/* Whole seconds of the window only. */
	nsecs = (int)elapsed;
	if (nsecs > MAX_SECONDS)
		nsecs = MAX_SECONDS;
	secs = xmalloc(((size_t)nsecs + 1) * sizeof *secs);
	for (t = 0; t < nsecs; t++)
		secs[t] = atomic_load(&per_sec[t]);
	if (nsecs > 0) {
		printf("per second (alerts acknowledged):");
		for (t = 0; t < nsecs; t++)
			printf(" %" PRIu64, secs[t]);
		printf("\n");
	}
	qsort(secs, (size_t)nsecs, sizeof *secs, cmp_u64);

	printf("opsbot alert intake bench (%ld cpu, %d client threads, "
	    "Alertmanager v4 bodies of %d-%d alerts, pool of %zu alerts)\n",
	    sysconf(_SC_NPROCESSORS_ONLN), threads, BATCH_MIN, BATCH_MAX,
	    poolsize);
	printf("bodies:    %zu built before the clock: %" PRIu64 " alerts "
	    "(%.1f%% new firing, %.1f%% repeats, %.1f%% resolutions), "
	    "%.1f MB%s\n", nbodies, total_alerts,
	    100.0 * counts[K_NEW] / (double)total_alerts,
	    100.0 * counts[K_REPEAT] / (double)total_alerts,
	    100.0 * counts[K_RESOLVE] / (double)total_alerts,
	    bytes / 1048576.0, reqs > nbodies ? "; the run wrapped around" :
	    "");
	printf("committed: %" PRIu64 " alerts in %.2f s = %.0f alerts/s",
	    acked, elapsed, acked / elapsed);
	if (nsecs > 0)
		printf(" (per second: min %" PRIu64 ", median %" PRIu64
		    ", max %" PRIu64 ")", secs[0], secs[nsecs / 2],
		    secs[nsecs - 1]);
	printf("   target >= %.0f/s: %s\n", TARGET_ALERTS_S,
	    (nsecs > 0 ? (double)secs[0] : acked / elapsed) >=
	    TARGET_ALERTS_S ? "met" : "MISSED");
	printf("requests:  %" PRIu64 " = %.1f req/s; 2xx %" PRIu64 ", 4xx %"
	    PRIu64 ", 5xx %" PRIu64 ", other %" PRIu64 ", transport errors %"
	    PRIu64 "\n", reqs, reqs / elapsed, status[2], status[4],
	    status[5], status[1] + status[3] + other, status[0]);
	if (first_err != NULL)
		printf("           first failure: %s\n", first_err);
	if (mismatch != 0)
		printf("           %" PRIu64 " answer(s) counted other "
		    "than the alerts sent (%" PRIu64 " sent in 200 requests)\n",
		    mismatch, sent_ok);
	printf("latency:   p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms "
	    "(per request, connect to answer)\n", pct_ms(lat, nlat, 50),
	    pct_ms(lat, nlat, 90), pct_ms(lat, nlat, 99),
	    nlat > 0 ? lat[nlat - 1] / 1000.0 : 0);
	if (bot_pid > 0) {
		long peak = hwm_kb > rss_max_kb ? hwm_kb : rss_max_kb;

		printf("bot rss:   %.1f MB before, %.1f MB at most sampled, "
		    "%.1f MB after; VmHWM %.1f MB   target < %d MB: %s\n",
		    mb(rss_start_kb), mb(rss_max_kb), mb(rss_end_kb),
		    mb(hwm_kb), TARGET_RSS_KB / 1024,
		    peak >= 0 && peak < TARGET_RSS_KB ? "met" : "MISSED");
		if (bot_cpu_s >= 0)
			printf("cpu:       bot %.0f%% of one core, this "
			    "generator %.0f%% (incl. building the bodies)\n",
			    100.0 * bot_cpu_s / elapsed,
			    100.0 * gen_cpu / elapsed);
	}
	printf("RESULT acked=%" PRIu64 " requests=%" PRIu64 " ok=%" PRIu64
	    " failed=%" PRIu64 " alerts_per_s=%.0f p50_ms=%.2f p99_ms=%.2f "
	    "rss_max_kb=%ld hwm_kb=%ld\n", acked, reqs, status[2],
	    reqs - status[2], acked / elapsed, pct_ms(lat, nlat, 50),
	    pct_ms(lat, nlat, 99), rss_max_kb, hwm_kb);

	for (t = 0; t < threads; t++)
		free(ws[t].lat_us);
	for (i = 0; i < nbodies; i++)
		free(bodies[i].text);
	free(bodies);
	free(ws);
	free(lat);
	free(secs);
	free(per_sec);
	free(pool.v);
	free(pool.firing);
	free(pool.idle);
	curl_global_cleanup();
	return 0;
}

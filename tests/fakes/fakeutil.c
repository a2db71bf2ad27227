/*
 * fakeutil: process basics shared by the test fakes (see fakeutil.h).
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fakeutil.h"

const char *fake_name = "fake";
volatile sig_atomic_t fake_stop;

static void
on_signal(int sig)
{
	(void)sig;
	fake_stop = 1;
}

void
fake_signals(void)
{
	struct sigaction act;

	memset(&act, 0, sizeof(act));
	act.sa_handler = on_signal; /* no SA_RESTART: poll returns EINTR */
	sigemptyset(&act.sa_mask);
	sigaction(SIGTERM, &act, NULL);
	sigaction(SIGINT, &act, NULL);
	signal(SIGPIPE, SIG_IGN);
}

int64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Wall clock, epoch milliseconds (Mattermost's create_at). */
int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
oom(void)
{
	fprintf(stderr, "%s: out of memory\n", fake_name);
	exit(1);
}

void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		oom();
	return p;
}

void *
xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		oom();
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		oom();
	return p;
}

char *
xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;

	return memcpy(xmalloc(n), s, n);
}

void
say(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", fake_name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int
buf_add(struct buf *b, const void *data, size_t n, size_t max)
{
	if (b->len + n > max)
		return -1;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 1024;
		char *p;

		while (cap < b->len + n + 1)
			cap *= 2;
		p = realloc(b->p, cap);
		if (!p)
			return -1;
		b->p = p;
		b->cap = cap;
	}
	if (n)
		memcpy(b->p + b->len, data, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

void
buf_str(struct buf *b, const char *s)
{
	if (buf_add(b, s, strlen(s), (size_t)-1 / 2) != 0)
		oom();
}

void
buf_free(struct buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

const char *
jstr(const cJSON *obj, const char *key)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);

	return cJSON_IsString(it) ? it->valuestring : NULL;
}

int
jint(const cJSON *obj, const char *key, int dflt)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);

	if (cJSON_IsNumber(it))
		return it->valueint;
	if (cJSON_IsString(it) && it->valuestring[0])
		return atoi(it->valuestring);
	return dflt;
}

int
jbool(const cJSON *obj, const char *key, int dflt)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);

	if (cJSON_IsBool(it))
		return cJSON_IsTrue(it);
	return dflt;
}

cJSON *
dup_or_null(const cJSON *it)
{
	return it ? cJSON_Duplicate(it, 1) : cJSON_CreateNull();
}

char *
json_text(const cJSON *j)
{
	char *s = cJSON_PrintUnformatted(j), *out;

	if (!s)
		oom();
	out = xstrdup(s);
	cJSON_free(s);
	return out;
}

void
count_in(cJSON *obj, const char *key)
{
	cJSON *n = cJSON_GetObjectItemCaseSensitive(obj, key);

	if (n)
		cJSON_SetNumberValue(n, n->valuedouble + 1);
	else
		cJSON_AddNumberToObject(obj, key, 1);
}

static int
hexval(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

char *
form_decode(const char *s, size_t n)
{
	char *out = xmalloc(n + 1), *o = out;
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] == '+')
			*o++ = ' ';
		else if (s[i] == '%' && i + 2 < n && hexval(s[i + 1]) >= 0 &&
		         hexval(s[i + 2]) >= 0) {
			*o++ = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
			i += 2;
		} else
			*o++ = s[i];
	}
	*o = '\0';
	return out;
}

static int
listed(const char *k, const char *const *keys)
{
	for (; keys && *keys; keys++)
		if (!strcmp(k, *keys))
			return 1;
	return 0;
}

cJSON *
parse_form(const char *s, size_t len, const char *const *json_keys)
{
	cJSON *obj = cJSON_CreateObject();
	const char *end = s + len;

	while (s < end) {
		const char *amp = memchr(s, '&', (size_t)(end - s));
		const char *eq;
		char *k, *v;

		if (!amp)
			amp = end;
		eq = memchr(s, '=', (size_t)(amp - s));
		if (!eq)
			eq = amp;
		k = form_decode(s, (size_t)(eq - s));
		v = eq < amp ? form_decode(eq + 1, (size_t)(amp - eq - 1))
		             : xstrdup("");
		if (*k && !cJSON_HasObjectItem(obj, k)) {
			cJSON *parsed = listed(k, json_keys) ? cJSON_Parse(v)
			                                     : NULL;

			cJSON_AddItemToObject(
			    obj, k, parsed ? parsed : cJSON_CreateString(v));
		}
		free(k);
		free(v);
		s = amp + 1;
	}
	return obj;
}

int
write_port(const char *path, int port)
{
	char tmp[4096];
	FILE *f;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp)) {
		fprintf(stderr, "%s: path too long: %s\n", fake_name, path);
		return -1;
	}
	f = fopen(tmp, "w");
	if (!f) {
		fprintf(stderr, "%s: %s: %s\n", fake_name, tmp,
		        strerror(errno));
		return -1;
	}
	fprintf(f, "%d\n", port);
	if (fclose(f) != 0 || rename(tmp, path) != 0) {
		fprintf(stderr, "%s: %s: %s\n", fake_name, path,
		        strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

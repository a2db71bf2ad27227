/*
 * fakeutil: what every test fake needs besides the network: its name on
 * log lines, allocation that exits on failure, a growable buffer, small
 * cJSON readers, form decoding, the port file and the stop flag.
 */
#ifndef FAKEUTIL_H
#define FAKEUTIL_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

/* The fake's name, "fake-slack": prefixes every line it writes. */
extern const char *fake_name;
/* Set by SIGTERM and SIGINT, and when the lifetime is over. */
extern volatile sig_atomic_t fake_stop;

/* SIGTERM and SIGINT set fake_stop (poll returns EINTR); no SIGPIPE. */
void fake_signals(void);

int64_t now_us(void); /* monotonic */
int64_t now_ms(void); /* wall clock, epoch milliseconds */

/* Allocation that exits on failure; the caller frees what they return. */
_Noreturn void oom(void);
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);

/* One line to stderr, after "NAME: ". */
void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A growable byte buffer, always NUL-terminated; buf_free releases it. */
struct buf {
	char *p;
	size_t len, cap;
};

/* Appends n bytes; -1 (nothing added) past max bytes or out of memory. */
int buf_add(struct buf *b, const void *data, size_t n, size_t max);
void buf_str(struct buf *b, const char *s); /* exits when out of memory */
void buf_free(struct buf *b);

const char *jstr(const cJSON *obj, const char *key);
int jint(const cJSON *obj, const char *key, int dflt); /* numeric strings too */
int jbool(const cJSON *obj, const char *key, int dflt);
cJSON *dup_or_null(const cJSON *it);    /* a new item the caller owns */
char *json_text(const cJSON *j);        /* malloc'd, the caller frees */
void count_in(cJSON *obj, const char *key); /* obj[key] += 1 */

/* Decodes s[0..n) (form encoding) into a new string the caller frees. */
char *form_decode(const char *s, size_t n);
/*
 * A form body as a new JSON object of strings (the caller deletes it);
 * the keys named in json_keys (NULL-terminated, or NULL) are parsed as
 * JSON when they parse, as Slack takes blocks in form bodies.
 */
cJSON *parse_form(const char *s, size_t len, const char *const *json_keys);

/* Writes "PORT\n" to path through a temporary file and a rename. */
int write_port(const char *path, int port);

#endif

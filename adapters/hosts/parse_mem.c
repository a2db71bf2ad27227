/* /proc/meminfo. */

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "parse_int.h"

/* Largest value read from meminfo, so sums of three cannot overflow. */
#define PARSE_MEMINFO_MAX	((int64_t)1 << 60)

int
parse_meminfo(const char *text, struct parse_meminfo *mi, char **cause)
{
	enum {
		MI_TOTAL, MI_FREE, MI_AVAILABLE, MI_BUFFERS, MI_CACHED,
		MI_SWAPTOTAL, MI_SWAPFREE, MI_N
	};
	static const char *const keys[MI_N] = {
		"MemTotal", "MemFree", "MemAvailable", "Buffers", "Cached",
		"SwapTotal", "SwapFree"
	};
	static const int	 required[] = {
		MI_TOTAL, MI_FREE, MI_SWAPTOTAL, MI_SWAPFREE
	};
	struct lines	 it;
	struct span	 line, key, num, unit, extra;
	struct excerpt	 ex, kex;
	const char	*p, *end, *colon, *why;
	int64_t		 v[MI_N] = { 0 }, x;
	int		 seen[MI_N] = { 0 };
	size_t		 i;

	memset(mi, 0, sizeof *mi);
	parse_lines_init(&it, text);
	while (parse_lines_next(&it, &line)) {
		if (line.len == 0)
			continue;
		end = line.p + line.len;
		colon = memchr(line.p, ':', line.len);
		key.p = line.p;
		key.len = colon == NULL ? 0 : (size_t)(colon - line.p);
		for (i = 0; i < key.len; i++) {
			if (parse_is_space((unsigned char)key.p[i]))
				break;
		}
		p = colon == NULL ? end : colon + 1;
		if (key.len == 0 || i != key.len ||
		    !parse_field_next(&p, end, &num)) {
			return parse_fail(cause, "/proc/meminfo: line %zu: "
			    "expected \"Key: value\", got \"%s\"", it.no,
			    parse_span_excerpt(&ex, &line));
		}
		if ((why = parse_span_int64(&num, PARSE_MEMINFO_MAX,
		    &x)) != NULL) {
			return parse_fail(cause, "/proc/meminfo: line %zu: %s "
			    "\"%s\" %s", it.no, parse_span_excerpt(&kex, &key),
			    parse_span_excerpt(&ex, &num), why);
		}
		if (parse_field_next(&p, end, &unit) &&
		    !parse_span_eq(&unit, "kB")) {
			return parse_fail(cause, "/proc/meminfo: line %zu: "
			    "unknown unit \"%s\"", it.no,
			    parse_span_excerpt(&ex, &unit));
		}
		if (parse_field_next(&p, end, &extra)) {
			return parse_fail(cause, "/proc/meminfo: line %zu: "
			    "unexpected \"%s\"", it.no,
			    parse_span_excerpt(&ex, &extra));
		}
		for (i = 0; i < MI_N; i++) {
			if (parse_span_eq(&key, keys[i])) {
				v[i] = x;
				seen[i] = 1;
			}
		}
	}
	for (i = 0; i < sizeof required / sizeof *required; i++) {
		if (!seen[required[i]]) {
			return parse_fail(cause, "/proc/meminfo: no %s",
			    keys[required[i]]);
		}
	}
	mi->total_kb = v[MI_TOTAL];
	if (seen[MI_AVAILABLE])
		mi->available_kb = v[MI_AVAILABLE];
	else {
		/* Before Linux 3.14; at most 3 << 60, so no overflow. */
		mi->available_kb = v[MI_FREE] +
		    (seen[MI_BUFFERS] ? v[MI_BUFFERS] : 0) +
		    (seen[MI_CACHED] ? v[MI_CACHED] : 0);
	}
	mi->swap_total_kb = v[MI_SWAPTOTAL];
	mi->swap_free_kb = v[MI_SWAPFREE];
	return 0;
}

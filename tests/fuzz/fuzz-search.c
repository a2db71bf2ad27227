/*
 * libFuzzer target for /search's answer parsers (commands/search_*.c):
 * the first byte picks the engine (even Splunk, odd Loki) and the cap,
 * the second the chunk size the answer arrives in (a line or document
 * split anywhere), the third the HTTP status; the rest is the body.
 * Nothing may crash, leak or hang; the cap holds; every kept text is
 * bounded; an error status always gives an error.
 */

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "search_engine.h"
#include "xmalloc.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const long statuses[] = { 200, 200, 400, 401, 500 };
	const struct log_engine_ops	*ops;
	struct log_results		 r;
	const char			*body;
	size_t				 chunk, off, len, i;
	int				 stopped = 0;

	if (size < 3)
		return 0;
	ops = data[0] & 1 ? &search_loki_ops : &search_splunk_ops;
	search_results_init(&r, 1 + (data[0] >> 1) % 8);
	chunk = 1 + data[1];
	r.status = statuses[data[2] % 5];
	body = (const char *)data + 3;
	len = size - 3;
	for (off = 0; off < len && !stopped; off += chunk)
		stopped = ops->feed(&r, body + off, len - off < chunk ?
		    len - off : chunk);
	ops->finish(&r);
	search_results_sort(&r);
	if (r.n > r.max || (r.status >= 400 && r.error == NULL))
		abort();
	for (i = 0; i < r.n; i++) {
		char	*copy, *line;

		if (r.v[i].text == NULL || strlen(r.v[i].text) > LOGS_TEXT_MAX)
			abort();
		/* Kept text is valid UTF-8 already: cleaning changes nothing. */
		copy = xstrdup(r.v[i].text);
		search_clean_utf8(copy);
		if (strcmp(copy, r.v[i].text) != 0)
			abort();
		free(copy);
		/* No run of backticks survives into the chat's code block. */
		line = search_line_text(r.v[i].text, 240);
		if (strstr(line, "``") != NULL)
			abort();
		free(line);
	}
	for (i = 1; i < r.n; i++)
		if (r.v[i - 1].ts_ms < r.v[i].ts_ms)
			abort();
	search_results_free(&r);
	return 0;
}

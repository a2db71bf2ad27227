/*
 * libFuzzer target for the PromQL answer parser
 * (adapters/promql/promql_parse.c): the bytes are what an engine, or
 * whatever answers at its URL, sent. The body is not NUL-terminated, so
 * a read past its end shows. On success every sample has its labels
 * named and valued; on failure a cause is given and nothing is kept.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "promql.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct promql_vector	 v;
	char			*body, *cause = NULL;
	size_t			 i, j;

	/* An exact-size copy: ASan sees any read past the end. */
	body = malloc(size > 0 ? size : 1);
	if (body == NULL)
		return 0;
	if (size > 0)
		memcpy(body, data, size);
	if (promql_parse(body, size, &v, &cause) == 0) {
		if (cause != NULL || (v.n > 0 && v.v == NULL))
			abort();
		for (i = 0; i < v.n; i++) {
			for (j = 0; j < v.v[i].nlabels; j++) {
				if (v.v[i].labels[j].name == NULL ||
				    v.v[i].labels[j].value == NULL ||
				    promql_label(&v.v[i],
				    v.v[i].labels[j].name) == NULL)
					abort();
			}
		}
		promql_vector_free(&v);
	} else {
		if (cause == NULL || v.n != 0 || v.v != NULL)
			abort();
		free(cause);
	}
	free(body);
	return 0;
}

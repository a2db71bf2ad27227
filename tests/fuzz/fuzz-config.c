/*
 * libFuzzer target for the config loader: the bytes are a config file's
 * text. Anything may come back as errors, but nothing may crash, leak or
 * hang, and a failed load must say why.
 */

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "buf.h"
#include "config.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config	*cfg = NULL;
	struct buf	 errors;

	buf_init(&errors);
	if (config_load_text((const char *)data, size, "fuzz.json", &cfg,
	    &errors) != 0) {
		if (cfg != NULL || errors.len == 0)
			abort();
	} else if (cfg == NULL)
		abort();
	config_free(cfg);
	buf_release(&errors);
	return 0;
}

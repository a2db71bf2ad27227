/*
 * libFuzzer target for the command tokenizer and option parser: the bytes
 * are what a person typed in chat. The words are parsed against a spec
 * with an option of every type, and a prefix of the input is also tried
 * as a duration.
 */

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"

#define FUZZ_DURATION_MAX	64

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const struct arg_option fuzz_options[] = {
	{ "confirm", ARG_BOOL, "really do it" },
	{ "user", ARG_STRING, "who" },
	{ "lines", ARG_INT, "how many lines" },
	{ "since", ARG_DURATION, "how far back" },
	{ NULL, ARG_BOOL, NULL },
};

static const struct arg_spec fuzz_spec = { fuzz_options, 0, 3 };

static void
fuzz_parse(const struct words *w)
{
	struct args	 a;
	char		*cause = NULL;
	const char	*s;
	int		 i;

	if (args_parse(&fuzz_spec, w, &a, &cause) != 0) {
		if (cause == NULL)
			abort();
		free(cause);
		return;
	}
	if (cause != NULL || a.npos > 3)
		abort();
	for (i = 0; i <= a.npos; i++) {
		s = args_pos(&a, i);
		if ((s == NULL) != (i == a.npos))
			abort();
	}
	if (args_get(&a, "confirm") != NULL)	/* a flag has no value */
		abort();
	if ((s = args_get(&a, "user")) != NULL && strlen(s) > ARGS_MAX_INPUT)
		abort();
	if (args_get_num(&a, "lines", 0) < 0 ||
	    args_get_num(&a, "lines", 0) > 1000000000)
		abort();
	if (args_has(&a, "since") && args_get_num(&a, "since", 0) <= 0)
		abort();
	(void)args_has(&a, "nonesuch");
	(void)args_get(&a, "nonesuch");
	args_free(&a);
}

static void
fuzz_duration(const uint8_t *data, size_t size)
{
	char		 text[FUZZ_DURATION_MAX + 1], out[64];
	char		*cause = NULL;
	int64_t		 secs = 0, again;
	uint64_t	 raw = 0;
	size_t		 i;

	if (size > FUZZ_DURATION_MAX)
		size = FUZZ_DURATION_MAX;
	if (size > 0)
		memcpy(text, data, size);
	text[size] = '\0';
	if (duration_parse(text, &secs, &cause) != 0) {
		if (cause == NULL)
			abort();
		free(cause);
		secs = 0;
	} else if (secs <= 0 || secs > 366LL * 86400 || cause != NULL)
		abort();
	duration_format(secs, out, sizeof out);
	if (secs > 0) {
		/* What it writes reads back as the same duration. */
		if (duration_parse(out, &again, &cause) != 0 || again != secs)
			abort();
	}
	duration_format(secs, out, 4);	/* truncation */
	duration_format(secs, out, 1);
	duration_format(secs, out, 0);

	/* Any 64-bit value, negative and huge ones included. */
	for (i = 0; i < size && i < 8; i++)
		raw = raw << 8 | data[i];
	duration_format((int64_t)raw, out, sizeof out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct words	 w;
	char		*cause = NULL;

	if (args_split((const char *)data, size, &w, &cause) == 0) {
		if (cause != NULL || w.argc < 0 || w.argc > ARGS_MAX_WORDS)
			abort();
		if (w.argv == NULL ? w.argc != 0 : w.argv[w.argc] != NULL)
			abort();
		fuzz_parse(&w);
		words_free(&w);
	} else {
		if (cause == NULL || w.argc != 0 || w.argv != NULL)
			abort();
		free(cause);
	}
	fuzz_duration(data, size);
	return 0;
}

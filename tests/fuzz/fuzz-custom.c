/*
 * libFuzzer target for custom commands: the run template's parser and
 * the binding of chat words to typed parameters. The first byte picks
 * the parameter's type, the first line is the template, each later line
 * a word the user typed. A template the loader takes must expand with
 * every bound value quoted in; nothing may crash, leak or hang, and a
 * refusal must say why.
 */

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "config.h"
#include "probes.h"
#include "xmalloc.h"

#define FUZZ_WORDS	8

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const char *const types[] = { "host", "choice", "int", "duration",
    "job", "word", "text" };

/* The config around one command with one parameter p of type t. */
static char *
fuzz_config(const char *run, int t)
{
	cJSON	*root = cJSON_CreateObject(), *hosts, *h, *cmds, *c, *params;
	cJSON	*p, *jobs;
	char	*text;

	hosts = cJSON_AddArrayToObject(root, "hosts");
	h = cJSON_CreateObject();
	cJSON_AddStringToObject(h, "name", "h1");
	cJSON_AddStringToObject(h, "transport", "local");
	jobs = cJSON_AddObjectToObject(h, "jobs");
	cJSON_AddItemToObject(jobs, "names", cJSON_CreateStringArray(
	    (const char *[]){ "J*" }, 1));
	cJSON_AddItemToArray(hosts, h);
	cmds = cJSON_AddArrayToObject(root, "custom_commands");
	c = cJSON_CreateObject();
	cJSON_AddStringToObject(c, "name", "f");
	cJSON_AddStringToObject(c, "help", "h");
	cJSON_AddItemToObject(c, "hosts", cJSON_CreateStringArray(
	    (const char *[]){ "all" }, 1));
	cJSON_AddStringToObject(c, "run", run);
	params = cJSON_AddArrayToObject(c, "params");
	p = cJSON_CreateObject();
	cJSON_AddStringToObject(p, "name", "p");
	cJSON_AddStringToObject(p, "type", types[t]);
	if (t == CPARAM_CHOICE)
		cJSON_AddItemToObject(p, "choices", cJSON_CreateStringArray(
		    (const char *[]){ "a", "b;c" }, 2));
	if (t == CPARAM_INT) {
		cJSON_AddNumberToObject(p, "min", -5);
		cJSON_AddNumberToObject(p, "max", 100);
	}
	if (t == CPARAM_WORD)
		cJSON_AddStringToObject(p, "pattern", "[a-z0-9;$()`' ]+");
	cJSON_AddItemToArray(params, p);
	cJSON_AddItemToArray(cmds, c);
	text = cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	return text;
}

/* Does the template, as parsed at load, hold the parameter? */
static int
fuzz_uses_p(const struct cfg_custom *cc)
{
	size_t	 i;

	for (i = 0; i < cc->nparts; i++) {
		if (cc->parts[i].param == 0)
			return 1;
	}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config		*cfg = NULL;
	const struct cfg_custom	*cc;
	struct buf		 errors, line;
	char			*in, *run, *text, *why = NULL, **values;
	const char		*words[FUZZ_WORDS];
	char			*nl, *save = NULL;
	int			 nwords = 0, t;

	if (size < 1 || size > 4096)
		return 0;
	t = data[0] % 7;
	in = xstrndup((const char *)data + 1, size - 1);
	if (strlen(in) != size - 1) {
		free(in);
		return 0;	/* chat never hands a NUL on */
	}
	run = in;
	if ((nl = strchr(in, '\n')) != NULL) {
		*nl = '\0';
		for (text = strtok_r(nl + 1, "\n", &save); text != NULL &&
		    nwords < FUZZ_WORDS; text = strtok_r(NULL, "\n", &save))
			words[nwords++] = text;
	}
	text = fuzz_config(run, t);
	buf_init(&errors);
	if (config_load_text(text, strlen(text), "fuzz.json", &cfg,
	    &errors) != 0) {
		if (cfg != NULL || errors.len == 0)
			abort();
	} else {
		cc = config_find_custom(cfg, "f");
		if (cc == NULL)
			abort();
		if (config_custom_bind(cfg, cc, words, nwords, &values,
		    &why) == 0) {
			buf_init(&line);
			probe_custom_line(cc, values, &line);
			/*
			 * The value is in, between quotes, whatever it is,
			 * when the parsed template uses it ("{{p}" in run is
			 * a literal brace, and a host parameter may be unused).
			 */
			if (cc->nparams != 1 || values[0] == NULL ||
			    (strchr(values[0], '\'') == NULL &&
			    fuzz_uses_p(cc) &&
			    strstr(line.data, values[0]) == NULL))
				abort();
			buf_release(&line);
			config_custom_values_free(cc, values);
		} else if (why == NULL)
			abort();
		free(why);
	}
	config_free(cfg);
	buf_release(&errors);
	free(text);
	free(in);
	return 0;
}

/*
 * The local transport: the bot's own machine, through /bin/sh with the
 * script as one argv element. Used by the embedded default's localhost.
 */

#include "hosts.h"

static char **
local_argv(const struct cfg_host *h, const struct host_env *env,
    const char *script)
{
	char	**argv = host_argv_new();

	host_argv_add(&argv, "/bin/sh");
	host_argv_add(&argv, "-c");
	host_argv_add(&argv, "%s", script);
	return argv;
}

static char *
local_explain(const struct cfg_host *h, const struct proc *p)
{
	return NULL;
}

const struct host_ops host_local_ops = {
	.name = "local",
	.argv = local_argv,
	.explain = local_explain,
};

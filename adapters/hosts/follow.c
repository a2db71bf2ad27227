/*
 * /tail's remote side (see follow.h). The script waits on its stdin,
 * which the bot holds open for as long as the tail runs: closing it
 * (/tail stop, expiry, shutdown) or losing the bot (a crash closes it
 * too; ssh forwards the EOF, or the session ends with the connection)
 * makes `cat` return and `kill 0` end the script's process group, tail
 * and grep included. sshd starts each session's command in a new
 * session (setsid), so that group is exactly this script's.
 */

#include <string.h>

#include "escape.h"
#include "follow.h"
#include "xmalloc.h"

void
follow_script(struct buf *s, const char *path, const char *pattern,
    int regex)
{
	buf_adds(s, "if [ ! -r ");
	shquote_buf(s, path);
	buf_adds(s, " ]; then echo \"opsbot: cannot read\" ");
	shquote_buf(s, path);
	buf_adds(s, " >&2; exit 3; fi\n");
	buf_addf(s, "tail -n %d -F -- ", FOLLOW_BACKLOG_LINES);
	shquote_buf(s, path);
	buf_adds(s, " 2>&1");
	if (pattern != NULL) {
		buf_addf(s, " | grep -%c --line-buffered -e ", regex ? 'E' :
		    'F');
		shquote_buf(s, pattern);
	}
	buf_adds(s, " &\ncat >/dev/null\nkill 0\n");
}

char **
follow_argv(const struct cfg_host *h, const struct host_env *env,
    const char *script)
{
	const struct host_ops	*ops = host_ops_for(h);
	struct host_env		 own = *env;
	char			**argv;
	size_t			 n, dash;

	if (ops == &host_fixture_ops)
		return NULL;
	own.control_dir = NULL;
	argv = ops->argv(h, &own, script);
	if (ops != &host_ssh_ops)
		return argv;
	/* Not even a master the user's ssh_config names. */
	for (n = 0; argv[n] != NULL; n++)
		;
	for (dash = 0; dash < n && strcmp(argv[dash], "--") != 0; dash++)
		;
	argv = xreallocarray(argv, n + 2, sizeof *argv);
	memmove(&argv[dash + 1], &argv[dash], (n + 1 - dash) * sizeof *argv);
	argv[dash] = xstrdup("-oControlPath=none");
	return argv;
}

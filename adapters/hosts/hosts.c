/* Transport selection and the failure explanations they share. */

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "hosts.h"
#include "xmalloc.h"

const struct host_ops *
host_ops_for(const struct cfg_host *h)
{
	switch (h->transport) {
	case HOST_LOCAL:
		return &host_local_ops;
	case HOST_FIXTURE:
		return &host_fixture_ops;
	case HOST_SSH:
		break;
	}
	return &host_ssh_ops;
}

char **
host_argv_new(void)
{
	return xcalloc(1, sizeof(char *));
}

void
host_argv_add(char ***argv, const char *fmt, ...)
{
	va_list	 ap;
	size_t	 n = 0;

	while ((*argv)[n] != NULL)
		n++;
	*argv = xreallocarray(*argv, n + 2, sizeof **argv);
	va_start(ap, fmt);
	xvasprintf(&(*argv)[n], fmt, ap);
	va_end(ap);
	(*argv)[n + 1] = NULL;
}

char *
host_explain(const struct cfg_host *h, const struct proc *p,
    int64_t timeout_s)
{
	char	*why, line[512];

	if (!p->started) {
		xasprintf(&why, "cannot run %s: %s", p->argv[0],
		    strerror(p->spawn_errno));
		return why;
	}
	if (p->timed_out) {
		xasprintf(&why, "no answer in %lld s", (long long)timeout_s);
		return why;
	}
	if ((why = host_ops_for(h)->explain(h, p)) != NULL)
		return why;
	if (p->exit_code == 0)
		return NULL;
	proc_last_err_line(p, line, sizeof line);
	if (p->exit_code == 127)
		xasprintf(&why, "command not found: %s", line);
	else if (p->exit_code < 0)
		xasprintf(&why, "killed by signal %d", p->signal);
	else if (line[0] != '\0')
		xasprintf(&why, "exit %d: %s", p->exit_code, line);
	else
		xasprintf(&why, "exit %d", p->exit_code);
	return why;
}

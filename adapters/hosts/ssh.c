/*
 * The ssh transport: the system OpenSSH client, so users keep their
 * ssh_config, keys, jump hosts and known_hosts. BatchMode (never prompt),
 * a connect timeout, and a ControlMaster per host in the data dir so
 * repeated checks reuse one connection. ssh's own failures (exit 255)
 * are read from its stderr and named.
 */

#include <string.h>

#include "hosts.h"
#include "xmalloc.h"

static const char *const ssh_key_checking[] = { "yes", "accept-new", "no" };

static char **
ssh_argv(const struct cfg_host *h, const struct host_env *env,
    const char *script)
{
	const struct cfg_remote	*r = env->remote;
	char			**argv = host_argv_new();

	host_argv_add(&argv, "%s", r->ssh_command);
	if (r->ssh_config != NULL)
		host_argv_add(&argv, "-F%s", r->ssh_config);
	host_argv_add(&argv, "-T");
	host_argv_add(&argv, "-oBatchMode=yes");
	host_argv_add(&argv, "-oConnectTimeout=%lld",
	    (long long)r->connect_timeout_s);
	host_argv_add(&argv, "-oServerAliveInterval=%lld",
	    (long long)(r->timeout_s > 2 ? r->timeout_s / 2 : 1));
	host_argv_add(&argv, "-oServerAliveCountMax=2");
	host_argv_add(&argv, "-oStrictHostKeyChecking=%s",
	    ssh_key_checking[r->host_key_checking]);
	if (r->known_hosts != NULL)
		host_argv_add(&argv, "-oUserKnownHostsFile=%s",
		    r->known_hosts);
	/* Keep "Warning: Permanently added ..." out of stderr. */
	host_argv_add(&argv, "-oLogLevel=ERROR");
	if (r->reuse_connections && env->control_dir != NULL) {
		host_argv_add(&argv, "-oControlMaster=auto");
		host_argv_add(&argv, "-oControlPath=%s/%%C", env->control_dir);
		host_argv_add(&argv, "-oControlPersist=%lld",
		    (long long)r->control_persist_s);
	}
	if (h->port != 0)
		host_argv_add(&argv, "-p%d", h->port);
	if (h->user != NULL)
		host_argv_add(&argv, "-l%s", h->user);
	if (h->identity_file != NULL) {
		host_argv_add(&argv, "-i%s", h->identity_file);
		host_argv_add(&argv, "-oIdentitiesOnly=yes");
	}
	host_argv_add(&argv, "--");
	host_argv_add(&argv, "%s", h->address);
	host_argv_add(&argv, "%s", script);
	return argv;
}

static const struct {
	const char	*needle;
	const char	*cause;
} ssh_causes[] = {
	{ "Connection refused", "unreachable (connection refused)" },
	{ "Could not resolve hostname", "unreachable (unknown host name)" },
	{ "No route to host", "unreachable (no route to host)" },
	{ "Network is unreachable", "unreachable (network is unreachable)" },
	{ "timed out", "unreachable (connection timed out)" },
	{ "Connection closed by", "unreachable (connection closed by the "
	    "host)" },
	{ "Connection reset", "unreachable (connection reset)" },
	{ "REMOTE HOST IDENTIFICATION HAS CHANGED", "host key mismatch: "
	    "the host's key changed; verify it, then update known_hosts" },
	{ "Host key verification failed", "host key not trusted: add the "
	    "host's key to known_hosts (ssh-keyscan, then verify it)" },
	{ "Permission denied", "auth refused: the host did not accept the "
	    "bot's ssh key" },
	{ "Too many authentication failures", "auth refused: too many keys "
	    "offered; set identity_file" },
};

static char *
ssh_explain(const struct cfg_host *h, const struct proc *p)
{
	char	 line[512];
	char	*why;
	size_t	 i;

	/* 255 is ssh's own failure; anything else is the remote command. */
	if (p->exit_code != 255)
		return NULL;
	for (i = 0; i < sizeof ssh_causes / sizeof *ssh_causes; i++) {
		if (memmem(p->err.data, p->err.len, ssh_causes[i].needle,
		    strlen(ssh_causes[i].needle)) != NULL)
			return xstrdup(ssh_causes[i].cause);
	}
	proc_last_err_line(p, line, sizeof line);
	xasprintf(&why, "ssh failed: %s", line[0] != '\0' ? line :
	    "exit 255");
	return why;
}

const struct host_ops host_ssh_ops = {
	.name = "ssh",
	.argv = ssh_argv,
	.explain = ssh_explain,
};

/*
 * The fixture transport: a host that replays captured output instead of
 * running anything, so a command's whole report logic (script, sections,
 * parsers, verdicts) runs in a unit test or a demo without a host.
 * hosts[].fixture names a directory; a section NAME of the probe prints
 * the file NAME there (a '/' in the name becomes '_'), ends with the
 * status in NAME.status (0 when there is none) and, with NAME.hang
 * present, never ends, as a hung NFS mount would. A file _unreachable
 * makes the host fail like ssh on a closed port, with its first line as
 * the cause. The replay is a /bin/sh script built from the probe's own
 * section markers; nothing the commands wrote is run.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "buf.h"
#include "hosts.h"
#include "probe.h"
#include "escape.h"
#include "xmalloc.h"

#define FIXTURE_BEGIN	"printf '%s\\n' '" PROBE_MARK
#define FIXTURE_END	"printf '\\n%s%d\\n' '" PROBE_MARK

/* DIR/NAME with '/' in the name as '_' (caller frees). */
static char *
fixture_file(const struct cfg_host *h, const char *name, size_t len,
    const char *suffix)
{
	char	*path;
	size_t	 i, n;

	xasprintf(&path, "%s/%.*s%s", h->fixture, (int)len, name, suffix);
	n = strlen(h->fixture) + 1;
	for (i = n; i < n + len; i++) {
		if (path[i] == '/')
			path[i] = '_';
	}
	return path;
}

/* Replays section name (len bytes) after its begin marker. */
static void
fixture_section(struct buf *b, const struct cfg_host *h, const char *name,
    size_t len)
{
	char	*f = fixture_file(h, name, len, "");
	char	*st = fixture_file(h, name, len, ".status");
	char	*hang = fixture_file(h, name, len, ".hang");

	buf_adds(b, "cat ");
	shquote_buf(b, f);
	buf_adds(b, " 2>/dev/null\nif [ -f ");
	shquote_buf(b, hang);
	buf_adds(b, " ]; then sleep 3600; fi\n(exit \"$(cat ");
	shquote_buf(b, st);
	buf_adds(b, " 2>/dev/null || echo 0)\")\n");
	free(f);
	free(st);
	free(hang);
}

static char **
fixture_argv(const struct cfg_host *h, const struct host_env *env,
    const char *script)
{
	char		**argv = host_argv_new(), *down;
	const char	 *line, *next, *name, *q;
	struct buf	  b;
	struct stat	  sb;
	size_t		  len, blen = strlen(FIXTURE_BEGIN);

	buf_init(&b);
	down = fixture_file(h, "_unreachable", 12, "");
	if (stat(down, &sb) == 0) {
		buf_adds(&b, "cat ");
		shquote_buf(&b, down);
		buf_adds(&b, " >&2; exit 255\n");
		goto out;
	}
	for (line = script; *line != '\0'; line = next) {
		next = strchr(line, '\n');
		len = next != NULL ? (size_t)(next - line) : strlen(line);
		next = next != NULL ? next + 1 : line + len;
		if (strncmp(line, "LC_ALL=", 7) == 0 ||
		    strncmp(line, FIXTURE_END, strlen(FIXTURE_END)) == 0 ||
		    (len == 6 && strncmp(line, "exit 0", 6) == 0)) {
			buf_add(&b, line, len);
			buf_addc(&b, '\n');
			continue;
		}
		if (len <= blen || strncmp(line, FIXTURE_BEGIN, blen) != 0)
			continue;	/* what the command would run: not here */
		buf_add(&b, line, len);
		buf_addc(&b, '\n');
		/* '@@opsbot:NONCE:NAME' — names are plain config words. */
		name = memchr(line + blen, ':', len - blen);
		q = name != NULL ? memchr(name, '\'', len - (size_t)(name -
		    line)) : NULL;
		if (name != NULL && q != NULL)
			fixture_section(&b, h, name + 1, (size_t)(q - name - 1));
	}
out:
	free(down);
	host_argv_add(&argv, "/bin/sh");
	host_argv_add(&argv, "-c");
	host_argv_add(&argv, "%s", b.data);
	buf_release(&b);
	return argv;
}

/* A replayed "unreachable": the file's first line is the cause. */
static char *
fixture_explain(const struct cfg_host *h, const struct proc *p)
{
	char	*why;
	size_t	 n;

	if (p->exit_code != 255 || p->err.len == 0)
		return NULL;
	n = strcspn(p->err.data, "\n");
	xasprintf(&why, "unreachable (%.*s)", (int)n, p->err.data);
	return why;
}

const struct host_ops host_fixture_ops = {
	.name = "fixture",
	.argv = fixture_argv,
	.explain = fixture_explain,
};

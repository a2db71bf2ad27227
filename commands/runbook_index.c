/*
 * The runbook indexer (see runbook_index.h). Files are named in the index
 * by their name within runbooks.dir, so moving the directory keeps the
 * index and /runbook shows a short path.
 */

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bot.h"
#include "cause.h"
#include "config.h"
#include "log.h"
#include "runbook_index.h"
#include "store.h"
#include "store_runbooks.h"
#include "xmalloc.h"

struct runbook_known {
	char	*path;
	int64_t	 mtime;
	int64_t	 size;
	int	 seen;
};

struct runbook_list {
	struct runbook_known	*v;
	size_t			 n;
};

static void
runbook_known_cb(void *arg, const struct store_runbook *r)
{
	struct runbook_list	*l = arg;

	l->v = xreallocarray(l->v, l->n + 1, sizeof *l->v);
	l->v[l->n].path = xstrdup(r->path);
	l->v[l->n].mtime = r->mtime;
	l->v[l->n].size = r->size;
	l->v[l->n].seen = 0;
	l->n++;
}

static struct runbook_known *
runbook_find(struct runbook_list *l, const char *path)
{
	size_t	 i;

	for (i = 0; i < l->n; i++) {
		if (strcmp(l->v[i].path, path) == 0)
			return &l->v[i];
	}
	return NULL;
}

char *
runbook_title(const char *body, const char *name)
{
	const char	*p, *end;
	size_t		 n;

	for (p = body; p != NULL && *p != '\0'; p = end != NULL ? end + 1 :
	    NULL) {
		end = strchr(p, '\n');
		if (p[0] == '#' && p[1] == ' ') {
			p += 2;
			n = end != NULL ? (size_t)(end - p) : strlen(p);
			while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\r' ||
			    p[n - 1] == '\t' || p[n - 1] == '#'))
				n--;
			while (n > 0 && *p == ' ')
				p++, n--;
			if (n > 0)
				return xstrndup(p, n);
		}
	}
	n = strlen(name);
	if (n > 3 && strcmp(name + n - 3, ".md") == 0)
		n -= 3;
	return xstrndup(name, n);
}

/* The file's text, at most RUNBOOK_MAX_BYTES (caller frees), or NULL. */
static char *
runbook_read(int dirfd, const char *name)
{
	char	*text;
	ssize_t	 r;
	size_t	 len = 0;
	int	 fd;

	if ((fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) ==
	    -1)
		return NULL;
	text = xcalloc(1, RUNBOOK_MAX_BYTES + 1);
	while (len < RUNBOOK_MAX_BYTES && (r = read(fd, text + len,
	    RUNBOOK_MAX_BYTES - len)) != 0) {
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			/* The caller logs errno: free and close keep it. */
			r = errno;
			free(text);
			close(fd);
			errno = (int)r;
			return NULL;
		}
		len += (size_t)r;
	}
	close(fd);
	text[len] = '\0';
	return text;
}

static int
runbook_is_md(const char *name)
{
	size_t	 n = strlen(name);

	return name[0] != '.' && n > 3 && strcmp(name + n - 3, ".md") == 0;
}

/* One file of the directory: indexed again if new or changed. */
static int
runbook_one(struct store *s, int dirfd, const char *name,
    struct runbook_list *known, struct runbook_stats *st, char **cause)
{
	struct runbook_known	*k;
	struct stat		 sb;
	char			*body, *title;
	int64_t			 mtime;
	int			 rc;

	/*
	 * Not through a link: one that points outside runbooks.dir would
	 * put that file's words in /runbook's snippets.
	 */
	if (fstatat(dirfd, name, &sb, AT_SYMLINK_NOFOLLOW) == -1 ||
	    !S_ISREG(sb.st_mode))
		return 0;
	mtime = (int64_t)sb.st_mtim.tv_sec * 1000000000 + sb.st_mtim.tv_nsec;
	if ((k = runbook_find(known, name)) != NULL) {
		k->seen = 1;
		if (k->mtime == mtime && k->size == (int64_t)sb.st_size) {
			st->unchanged++;
			return 0;
		}
	}
	if ((body = runbook_read(dirfd, name)) == NULL) {
		/* Kept as it was: a file being replaced may come back. */
		log_warn("runbooks", "cannot read %s: %s", name,
		    strerror(errno));
		st->skipped++;
		return 0;
	}
	title = runbook_title(body, name);
	rc = store_runbook_put(s, name, mtime, (int64_t)sb.st_size, title,
	    body, cause);
	free(title);
	free(body);
	if (rc == 0) {
		if (k != NULL)
			st->changed++;
		else
			st->added++;
	}
	return rc;
}

int
runbook_index(struct store *s, const char *dir, struct runbook_stats *stats,
    char **cause)
{
	struct runbook_list	 known = { NULL, 0 };
	struct runbook_stats	 st = { 0 };
	struct dirent		*de;
	DIR			*d;
	size_t			 i;
	int			 rc = 0;

	if ((d = opendir(dir)) == NULL) {
		cause_set(cause, "runbooks.dir %s: %s", dir, strerror(errno));
		return -1;
	}
	if (store_runbook_files(s, runbook_known_cb, &known, cause) != 0 ||
	    store_begin(s, cause) != 0) {
		rc = -1;
		goto out;
	}
	while (rc == 0 && (de = readdir(d)) != NULL) {
		if (runbook_is_md(de->d_name))
			rc = runbook_one(s, dirfd(d), de->d_name, &known, &st,
			    cause);
	}
	for (i = 0; rc == 0 && i < known.n; i++) {
		if (known.v[i].seen)
			continue;
		rc = store_runbook_remove(s, known.v[i].path, cause);
		st.removed++;
	}
	if (rc == 0)
		rc = store_commit(s, cause);
	else
		store_rollback(s);
out:
	closedir(d);
	for (i = 0; i < known.n; i++)
		free(known.v[i].path);
	free(known.v);
	if (rc == 0 && stats != NULL)
		*stats = st;
	return rc;
}

/* Logged, never fatal: the bot runs on without (or with the old) index. */
static void
runbook_service_index(struct bot *b, const struct config *c)
{
	struct runbook_stats	 st;
	char			*cause = NULL;

	if (c->runbooks.dir == NULL || b->store == NULL)
		return;
	if (runbook_index(b->store, c->runbooks.dir, &st, &cause) != 0) {
		log_warn("runbooks", "not indexed: %s", cause);
		free(cause);
		return;
	}
	log_info("runbooks", "indexed %s: %d new, %d changed, %d removed, "
	    "%d unchanged, %d unreadable", c->runbooks.dir, st.added,
	    st.changed, st.removed, st.unchanged, st.skipped);
}

static int
runbook_service_start(struct bot *b, char **cause)
{
	(void)cause;
	runbook_service_index(b, b->cfg);
	return 0;
}

static void
runbook_service_reload(struct bot *b, const struct config *c)
{
	runbook_service_index(b, c);
}

/* The index lives in the store, which the bot closes itself. */
static void
runbook_service_free(struct bot *b)
{
	(void)b;
}

const struct bot_service runbook_service = {
	.name = "runbooks",
	.start = runbook_service_start,
	.reload = runbook_service_reload,
	.free = runbook_service_free,
};

/*
 * The runbook library on the web page: the list (/runbooks) from the
 * index /runbook searches, and each file as it is (/runbooks/NAME,
 * text/markdown). A file is served only when it is indexed, named
 * without a "/" or a leading ".", and opened inside runbooks.dir
 * without following a symlink: no path a request makes up reaches
 * another file.
 */

#include <sys/stat.h>

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bot.h"
#include "config.h"
#include "escape.h"
#include "store_runbooks.h"
#include "web_page.h"

#define RUNBOOK_SERVE_MAX	(4 * 1024 * 1024)

struct web_books {
	struct buf	*out;
	const char	*want;		/* web_runbook_file: the name sought */
	int		 found;
	size_t		 n;
};

static void
web_book_row(void *arg, const struct store_runbook *r)
{
	struct web_books	*w = arg;
	struct buf		*b = w->out;

	w->n++;
	buf_adds(b, "<tr><td><a href=\"/runbooks/");
	escape_url_component(b, r->path);
	buf_adds(b, "\">");
	web_text(b, r->title);
	buf_adds(b, "</a></td><td class=\"labels\">");
	web_text(b, r->path);
	buf_addf(b, "</td><td>%lld bytes</td></tr>\n", (long long)r->size);
}

int
web_runbooks_page(struct bot *bot, struct buf *out)
{
	struct web_books	 w;
	struct buf		 rows;

	memset(&w, 0, sizeof w);
	buf_init(&rows);
	w.out = &rows;
	web_head(out, "Runbooks", "/runbooks");
	if (bot->cfg->runbooks.dir == NULL)
		buf_adds(out, "<p id=\"none\">The runbook library is off "
		    "(set runbooks.dir).</p>\n");
	else {
		(void)store_runbook_files(bot->store, web_book_row, &w, NULL);
		if (w.n == 0)
			buf_adds(out, "<p id=\"none\">No runbooks indexed.</p>\n");
		else {
			buf_adds(out, "<table id=\"runbooks\"><tr><th>Title</th>"
			    "<th>File</th><th>Size</th></tr>\n");
			buf_add(out, rows.data, rows.len);
			buf_adds(out, "</table>\n");
		}
	}
	buf_release(&rows);
	web_foot(out);
	return 200;
}

static void
web_book_known(void *arg, const struct store_runbook *r)
{
	struct web_books	*w = arg;

	if (strcmp(r->path, w->want) == 0)
		w->found = 1;
}

int
web_runbook_file(struct bot *bot, const char *name, struct buf *out)
{
	struct web_books	 w;
	struct stat		 sb;
	char			 chunk[8192];
	ssize_t			 n;
	int			 dfd, fd;

	if (bot->cfg->runbooks.dir == NULL || name[0] == '\0' ||
	    name[0] == '.' || strchr(name, '/') != NULL)
		return 404;
	memset(&w, 0, sizeof w);
	w.want = name;
	if (store_runbook_files(bot->store, web_book_known, &w, NULL) != 0)
		return 500;
	if (!w.found)
		return 404;
	if ((dfd = open(bot->cfg->runbooks.dir, O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) == -1)
		return 404;
	fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	close(dfd);
	if (fd == -1)
		return 404;
	if (fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode) ||
	    sb.st_size > RUNBOOK_SERVE_MAX) {
		close(fd);
		return 404;
	}
	while ((n = read(fd, chunk, sizeof chunk)) > 0 &&
	    out->len + (size_t)n <= RUNBOOK_SERVE_MAX)
		buf_add(out, chunk, (size_t)n);
	close(fd);
	return n < 0 ? 500 : 200;
}

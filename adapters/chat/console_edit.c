/*
 * The console's line editor: libedit through its readline interface, in
 * callback mode. The console's reader thread feeds it one key at a time
 * (rl_callback_read_char) when stdin is readable; the loop thread prints
 * answers and alerts meanwhile. One lock keeps the two apart: the reader
 * holds it while libedit handles a key, and the printer holds it while it
 * erases the line being typed, prints, and has libedit draw the prompt
 * and the line again. A key sequence that is not finished yet (Esc, then
 * nothing) must not keep the printer waiting, so the reader's getc drops
 * the lock while it waits for the next byte.
 */

#include <sys/ioctl.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <langinfo.h>
#include <locale.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <editline/readline.h>

#include "cause.h"
#include "console_edit.h"
#include "xmalloc.h"

/* History entries kept, in memory and in the file. */
#define CONSOLE_EDIT_HISTORY	1000

struct console_edit {
	char	*prompt;
	char	*history;	/* file, or NULL */
	int	 stop_fd;
	int	 open;		/* libedit owns the terminal */
	int	 stopping;	/* stop_fd became readable */
	int	 eof;		/* stdin closed, or Ctrl-D */
	int	 got;		/* a line (or EOF) arrived in this key */
	int	 cols;		/* terminal width libedit was told */
	int	 fresh;		/* a line was just entered: rl_point is stale */
	int	 utf8;		/* the terminal's locale is UTF-8 */
	/*
	 * The user's LC_CTYPE, for libedit's threads only: the rest of the
	 * bot (regex matchers above all) stays in the C locale.
	 */
	locale_t loc;
	char	*line;
};

/* libedit has one editor per process; so has this file. */
static pthread_mutex_t		 edit_lock = PTHREAD_MUTEX_INITIALIZER;
static struct console_edit	*edit_cur;

static int	edit_columns(void);

/* Switches this thread to the editor's locale; returns the one it had. */
static locale_t
edit_enter(const struct console_edit *ed)
{
	return ed->loc != (locale_t)0 ? uselocale(ed->loc) : (locale_t)0;
}

static void
edit_leave(const struct console_edit *ed, locale_t prev)
{
	if (ed->loc != (locale_t)0 && prev != (locale_t)0)
		uselocale(prev);
}

/*
 * Waits until fd or the stop pipe is readable. Returns 1 for fd, 0 for
 * the stop pipe, -1 on error.
 */
static int
edit_wait(int fd, int stop_fd, int timeout)
{
	struct pollfd	 pfd[2];
	int		 n;

	pfd[0].fd = fd;
	pfd[0].events = POLLIN;
	pfd[1].fd = stop_fd;
	pfd[1].events = POLLIN;
	for (;;) {
		n = poll(pfd, 2, timeout);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			return 2;
		if (pfd[1].revents != 0)
			return 0;
		return 1;
	}
}

/*
 * One byte of input, with edit_lock held. The first byte of a key is
 * there already (the reader polled); the rest of a sequence may not be,
 * and the lock is given up while it comes.
 */
static int
edit_byte(struct console_edit *ed, FILE *f)
{
	unsigned char		 c;
	ssize_t			 n;
	int			 w;

	w = edit_wait(fileno(f), ed->stop_fd, 0);
	if (w == 2) {
		pthread_mutex_unlock(&edit_lock);
		w = edit_wait(fileno(f), ed->stop_fd, -1);
		pthread_mutex_lock(&edit_lock);
	}
	if (w == 0) {
		ed->stopping = 1;
		return EOF;
	}
	for (;;) {
		n = read(fileno(f), &c, 1);
		if (n == 1)
			return c;
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		/* The terminal went away: end of input. */
		ed->eof = 1;
		return EOF;
	}
}

/*
 * libedit's getc. It takes what this returns as one character, so on a
 * UTF-8 terminal a multibyte character is decoded here ("é" is one
 * character, not two bytes shown as "Ã©").
 */
static int
edit_getc(FILE *f)
{
	struct console_edit	*ed = edit_cur;
	int			 c, b, more;

	if (ed == NULL || (c = edit_byte(ed, f)) == EOF)
		return EOF;
	if (!ed->utf8 || c < 0xc0 || c > 0xf7)
		return c;
	more = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : 1;
	c &= 0x3f >> more;
	while (more-- > 0) {
		if ((b = edit_byte(ed, f)) == EOF)
			return EOF;
		if ((b & 0xc0) != 0x80)
			return 0xfffd;	/* not UTF-8 after all */
		c = (c << 6) | (b & 0x3f);
	}
	return c;
}

/* libedit's line handler: line is malloc'd (ours), NULL at Ctrl-D. */
static void
edit_on_line(char *line)
{
	struct console_edit	*ed = edit_cur;
	HIST_ENTRY		*last;

	if (ed == NULL) {
		free(line);
		return;
	}
	ed->got = 1;
	/*
	 * libedit empties its buffer only when the next key comes: output
	 * before that would draw the entered line again after the prompt.
	 */
	rl_replace_line("", 0);
	if (line == NULL) {
		ed->eof = 1;
		return;
	}
	/* Like a shell: no blank lines, no repeat of the line just before. */
	if (line[strspn(line, " \t")] != '\0') {
		last = history_length > 0 ? history_get(history_base +
		    history_length - 1) : NULL;
		if (last == NULL || last->line == NULL ||
		    strcmp(last->line, line) != 0)
			add_history(line);
	}
	free(ed->line);
	ed->line = line;
}

struct console_edit *
console_edit_open(const char *prompt, const char *history, int stop_fd,
    char **cause)
{
	struct console_edit	*ed;
	locale_t		 prev;
	int			 fd;

	if (cause != NULL)
		cause_clear(cause);
	pthread_mutex_lock(&edit_lock);
	if (edit_cur != NULL) {
		pthread_mutex_unlock(&edit_lock);
		if (cause != NULL)
			cause_set(cause, "console: the line editor is in use");
		return NULL;
	}
	ed = xcalloc(1, sizeof *ed);
	ed->prompt = xstrdup(prompt);
	ed->history = history != NULL ? xstrdup(history) : NULL;
	ed->stop_fd = stop_fd;
	if ((ed->loc = newlocale(LC_CTYPE_MASK, "", (locale_t)0)) ==
	    (locale_t)0)
		ed->loc = newlocale(LC_CTYPE_MASK, "C", (locale_t)0);
	ed->utf8 = ed->loc != (locale_t)0 &&
	    strcmp(nl_langinfo_l(CODESET, ed->loc), "UTF-8") == 0;
	prev = edit_enter(ed);
	rl_readline_name = "opsbot";
	rl_instream = stdin;
	rl_outstream = stdout;
	/* Signals belong to the bot's signal thread, not to libedit. */
	rl_catch_signals = 0;
	rl_catch_sigwinch = 0;
	rl_getc_function = edit_getc;
	if (rl_initialize() != 0) {
		edit_leave(ed, prev);
		if (ed->loc != (locale_t)0)
			freelocale(ed->loc);
		pthread_mutex_unlock(&edit_lock);
		if (cause != NULL)
			cause_set(cause, "console: libedit cannot use this "
			    "terminal");
		free(ed->prompt);
		free(ed->history);
		free(ed);
		return NULL;
	}
	stifle_history(CONSOLE_EDIT_HISTORY);
	if (ed->history != NULL) {
		/* Typed commands can name hosts and users: owner only. */
		fd = open(ed->history, O_RDONLY | O_CREAT | O_CLOEXEC, 0600);
		if (fd != -1) {
			(void)fchmod(fd, 0600);
			close(fd);
		}
		(void)read_history(ed->history);
	}
	edit_cur = ed;
	ed->open = 1;
	ed->cols = edit_columns();
	rl_callback_handler_install(ed->prompt, edit_on_line);
	edit_leave(ed, prev);
	pthread_mutex_unlock(&edit_lock);
	return ed;
}

int
console_edit_read(struct console_edit *ed, char **line)
{
	locale_t prev;
	int	 w, cols;

	*line = NULL;
	for (;;) {
		if (ed->eof)
			return 0;
		w = edit_wait(STDIN_FILENO, ed->stop_fd, -1);
		if (w <= 0)
			return -1;
		pthread_mutex_lock(&edit_lock);
		prev = edit_enter(ed);
		/*
		 * SIGWINCH is the signal thread's, not libedit's: look at the
		 * width before each key instead, so a resized window wraps
		 * the line where the terminal does.
		 */
		if ((cols = edit_columns()) != ed->cols) {
			ed->cols = cols;
			rl_resize_terminal();
		}
		ed->got = 0;
		rl_callback_read_char();
		/*
		 * After a line, this libedit leaves the terminal cooked (no
		 * prompt, no arrows) though it still says it edits; handing
		 * the terminal back and taking it again puts it right.
		 */
		ed->fresh = 0;
		if (ed->got && !ed->eof && !ed->stopping) {
			rl_callback_handler_remove();
			rl_callback_handler_install(ed->prompt, edit_on_line);
			ed->fresh = 1;
		}
		*line = ed->line;
		ed->line = NULL;
		edit_leave(ed, prev);
		pthread_mutex_unlock(&edit_lock);
		if (ed->stopping) {
			free(*line);
			*line = NULL;
			return -1;
		}
		if (*line != NULL)
			return 1;
	}
}

/* Columns of the terminal, 80 when it does not say. */
static int
edit_columns(void)
{
	struct winsize	 ws;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	return 80;
}

/* Characters, not bytes, in a UTF-8 string. */
static size_t
edit_width(const char *s)
{
	size_t	 n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

void
console_edit_print(struct console_edit *ed, const char *text)
{
	size_t	 cols, row, point;
	const char *p;
	locale_t prev;

	pthread_mutex_lock(&edit_lock);
	if (!ed->open) {
		pthread_mutex_unlock(&edit_lock);
		fprintf(stdout, "%s\n", text);
		fflush(stdout);
		return;
	}
	/*
	 * Up to the row the prompt is on (a long line wraps), then erase to
	 * the end of the screen: the terminal's "\r\033[K" for every row.
	 */
	cols = (size_t)edit_columns();
	/*
	 * rl_point still counts the line just entered until the next key:
	 * the cursor is after a bare prompt then.
	 */
	point = ed->fresh || rl_point < 0 ? 0 : (size_t)rl_point;
	row = (edit_width(ed->prompt) + point) / cols;
	if (row > 0)
		fprintf(stdout, "\033[%zuA", row);
	fputs("\r\033[J", stdout);
	/* The terminal is raw while libedit edits: a newline needs its CR. */
	for (p = text; *p != '\0'; p++) {
		if (*p == '\n')
			fputc('\r', stdout);
		fputc(*p, stdout);
	}
	fputs("\r\n", stdout);
	fflush(stdout);
	prev = edit_enter(ed);
	rl_forced_update_display();
	edit_leave(ed, prev);
	pthread_mutex_unlock(&edit_lock);
}

void
console_edit_close(struct console_edit *ed)
{
	locale_t prev;
	int	 fd;

	if (ed == NULL)
		return;
	pthread_mutex_lock(&edit_lock);
	prev = edit_enter(ed);
	if (ed->open) {
		rl_callback_handler_remove();
		ed->open = 0;
		if (ed->history != NULL) {
			fd = open(ed->history, O_WRONLY | O_CREAT | O_CLOEXEC,
			    0600);
			if (fd != -1) {
				(void)fchmod(fd, 0600);
				close(fd);
			}
			(void)write_history(ed->history);
		}
	}
	edit_leave(ed, prev);
	if (edit_cur == ed)
		edit_cur = NULL;
	pthread_mutex_unlock(&edit_lock);
	if (ed->loc != (locale_t)0)
		freelocale(ed->loc);
	free(ed->line);
	free(ed->prompt);
	free(ed->history);
	free(ed);
}

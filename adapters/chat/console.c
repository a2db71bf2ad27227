/*
 * The console adapter: commands from stdin, answers on stdout. A prompt
 * on a terminal, plain lines otherwise, so it can be scripted:
 *   printf '/help\n' | opsbot
 * A reader thread does the blocking reads and posts each line to the
 * loop; EOF asks the bot to stop once in-flight commands are answered.
 * On a terminal the line is edited with libedit (console_edit.c): history
 * in DATA_DIR/console_history, and answers and alerts printed above the
 * line being typed.
 */

#include <sys/types.h>

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <pwd.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "adapters.h"
#include "cause.h"
#include "args.h"
#include "bot.h"
#include "chat.h"
#include "console_edit.h"
#include "log.h"
#include "loop.h"
#include "xmalloc.h"

/* Longer lines are cut here; anything over ARGS_MAX_INPUT is refused. */
#define CONSOLE_LINE_MAX	(64 * 1024)
/*
 * Lines read but not yet handled. The reader waits beyond this, so a
 * fast producer (yes /whoami | opsbot) cannot fill memory or starve a
 * stop request queued behind it.
 */
#define CONSOLE_MAX_PENDING	32

struct console {
	struct chat	*chat;
	int		 in_fd;
	FILE		*out;
	int		 tty;		/* prompt only on a terminal */
	char		*user;
	pthread_t	 reader;
	int		 reader_started;
	int		 stop_pipe[2];
	atomic_int	 stopped;
	int		 eof;
	pthread_mutex_t	 lock;
	pthread_cond_t	 room;		/* a pending line was handled */
	int		 pending;
	int		 replied;	/* an answer printed its own prompt */
	struct console_edit *edit;	/* a terminal with libedit, or NULL */
};

struct console_line {
	struct console	*con;
	char		*text;		/* NULL: end of input */
	size_t		 len;
};

static void
console_prompt(struct console *con)
{
	/* libedit draws its own prompt, and again after any output. */
	if (con->tty && con->edit == NULL && !atomic_load(&con->stopped)) {
		fputs(con->chat->bot->cfg->chat.console_prompt, con->out);
		fflush(con->out);
	}
}

/* Loop thread: prints text and a newline, above the edited line if any. */
static void
console_print(struct console *con, const char *text)
{
	if (con->edit != NULL)
		console_edit_print(con->edit, text);
	else {
		fprintf(con->out, "%s\n", text);
		fflush(con->out);
	}
}

/* Loop thread: one line typed, or the end of input. */
static void
console_on_line(void *arg)
{
	struct console_line	*l = arg;
	struct console		*con = l->con;
	struct chat_msg		 m;

	if (l->text == NULL) {
		con->eof = 1;
		/* The reader has ended: the terminal is the loop's again. */
		console_edit_close(con->edit);
		con->edit = NULL;
		if (!atomic_load(&con->stopped)) {
			if (con->tty)
				fputc('\n', con->out);
			bot_request_stop(con->chat->bot, "end of input");
		}
	} else if (!atomic_load(&con->stopped)) {
		memset(&m, 0, sizeof m);
		m.user_id = con->user;
		m.user_name = con->user;
		m.channel = "console";
		m.text = l->text;
		m.len = l->len;
		con->replied = 0;
		bot_handle_message(con->chat->bot, con->chat, &m);
		/* A command still running prompts when its answer comes. */
		if (!con->replied && con->chat->bot->ninflight == 0)
			console_prompt(con);
	}
	if (l->text != NULL) {
		pthread_mutex_lock(&con->lock);
		con->pending--;
		pthread_cond_signal(&con->room);
		pthread_mutex_unlock(&con->lock);
	}
	free(l->text);
	free(l);
}

/* Reader thread: waits for room; returns -1 once the console stops. */
static int
console_wait_room(struct console *con)
{
	int	 rc = 0;

	pthread_mutex_lock(&con->lock);
	while (con->pending >= CONSOLE_MAX_PENDING &&
	    !atomic_load(&con->stopped))
		pthread_cond_wait(&con->room, &con->lock);
	if (atomic_load(&con->stopped))
		rc = -1;
	else
		con->pending++;
	pthread_mutex_unlock(&con->lock);
	return rc;
}

static void
console_post(struct console *con, const char *text, size_t len)
{
	struct console_line	*l = xcalloc(1, sizeof *l);

	l->con = con;
	if (text != NULL) {
		/* A trailing CR comes from files written on Windows. */
		if (len > 0 && text[len - 1] == '\r')
			len--;
		l->text = xmalloc(len + 1);
		memcpy(l->text, text, len);
		l->text[len] = '\0';
		l->len = len;
	}
	loop_post(con->chat->bot->loop, console_on_line, l);
}

/* Reader thread on a terminal: libedit reads, one line at a time. */
static void
console_read_edited(struct console *con)
{
	char	*text;
	int	 rc;

	while ((rc = console_edit_read(con->edit, &text)) == 1) {
		if (console_wait_room(con) != 0) {
			free(text);
			return;
		}
		console_post(con, text, strlen(text));
		free(text);
	}
	if (rc == 0)
		console_post(con, NULL, 0);
}

static void *
console_reader(void *arg)
{
	struct console	*con = arg;
	struct pollfd	 pfd[2];
	struct buf	 line;
	char		 chunk[4096], *nl, *p;
	ssize_t		 n;
	size_t		 left;

	if (con->edit != NULL) {
		console_read_edited(con);
		return NULL;
	}
	buf_init(&line);
	pfd[0].fd = con->in_fd;
	pfd[0].events = POLLIN;
	pfd[1].fd = con->stop_pipe[0];
	pfd[1].events = POLLIN;
	for (;;) {
		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pfd[1].revents != 0)
			goto out;
		n = read(con->in_fd, chunk, sizeof chunk);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			break;
		p = chunk;
		left = (size_t)n;
		while ((nl = memchr(p, '\n', left)) != NULL) {
			if (line.len < CONSOLE_LINE_MAX)
				buf_add(&line, p, (size_t)(nl - p));
			if (console_wait_room(con) != 0)
				goto out;
			console_post(con, line.data, line.len);
			buf_clear(&line);
			left -= (size_t)(nl - p) + 1;
			p = nl + 1;
		}
		if (line.len < CONSOLE_LINE_MAX)
			buf_add(&line, p, left);
	}
	if (line.len > 0 && console_wait_room(con) == 0)
		console_post(con, line.data, line.len);
	console_post(con, NULL, 0);
out:
	buf_release(&line);
	return NULL;
}

static char *
console_login_name(void)
{
	struct passwd	*pw = getpwuid(geteuid());

	return xstrdup(pw != NULL && pw->pw_name != NULL ? pw->pw_name :
	    "console");
}

/* A terminal gets line editing; without it, the plain prompt of a pipe. */
static void
console_edit_start(struct console *con)
{
	char	*history, *why = NULL;

	xasprintf(&history, "%s/console_history",
	    con->chat->bot->cfg->bot.data_dir);
	con->edit = console_edit_open(con->chat->bot->cfg->chat.console_prompt,
	    history, con->stop_pipe[0], &why);
	if (con->edit == NULL) {
		log_warn("console", "%s; no line editing", why);
		free(why);
	}
	free(history);
}

static int
console_start(struct chat *c, char **cause)
{
	struct console	*con = xcalloc(1, sizeof *con);
	const char	*user = c->bot->cfg->chat.console_user;

	cause_clear(cause);
	c->priv = con;
	con->chat = c;
	con->stop_pipe[0] = con->stop_pipe[1] = -1;
	pthread_mutex_init(&con->lock, NULL);
	pthread_cond_init(&con->room, NULL);
	con->in_fd = STDIN_FILENO;
	con->out = stdout;
	con->tty = isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
	con->user = user != NULL ? xstrdup(user) : console_login_name();
	if (pipe(con->stop_pipe) != 0) {
		cause_set(cause, "console: pipe: %s", strerror(errno));
		return -1;
	}
	if (con->tty) {
		fprintf(con->out, "%s %s — type /help, Ctrl-D to quit\n",
		    c->bot->cfg->bot.name, OPSBOT_VERSION);
		fflush(con->out);
		console_edit_start(con);
	}
	if (pthread_create(&con->reader, NULL, console_reader, con) != 0) {
		cause_set(cause, "console: cannot start the reader thread");
		return -1;
	}
	con->reader_started = 1;
	console_prompt(con);
	return 0;
}

static void
console_stop(struct chat *c)
{
	struct console	*con = c->priv;

	if (con == NULL || atomic_exchange(&con->stopped, 1))
		return;
	pthread_mutex_lock(&con->lock);
	pthread_cond_broadcast(&con->room);
	pthread_mutex_unlock(&con->lock);
	if (con->reader_started) {
		if (write(con->stop_pipe[1], "x", 1) < 0)
			pthread_cancel(con->reader);
		pthread_join(con->reader, NULL);
		con->reader_started = 0;
	}
	console_edit_close(con->edit);
	con->edit = NULL;
}

static void
console_reply(struct chat *c, const struct chat_origin *o,
    const struct message *m)
{
	struct console	*con = c->priv;
	char		*text = message_render_text(m);

	console_print(con, text);
	free(text);
	con->replied = 1;
	console_prompt(con);
}

/*
 * Alerts and reports: printed like replies. The console keeps no message
 * to update, so an update prints the message again, marked, and a thread
 * reply is indented under it.
 */
static int64_t
console_post_msg(struct chat *c, const char *channel, const char *kind,
    int64_t ref, const struct message *m, char **cause)
{
	struct console	*con = c->priv;
	char		*text = message_render_text(m), *p;
	struct buf	 b;

	(void)channel;
	(void)ref;
	buf_init(&b);
	if (strcmp(kind, "thread") == 0) {
		buf_adds(&b, "  ↳ ");
		for (p = text; *p != '\0'; p++) {
			buf_add(&b, p, 1);
			if (*p == '\n' && p[1] != '\0')
				buf_adds(&b, "    ");
		}
	} else
		buf_addf(&b, "%s%s", strcmp(kind, "update") == 0 ?
		    "(updated) " : "", text);
	console_print(con, b.data);
	buf_release(&b);
	free(text);
	(void)cause;
	return 0;
}

static void
console_describe(struct chat *c, struct buf *b)
{
	struct console	*con = c->priv;

	if (con == NULL)
		buf_adds(b, "not started");
	else if (con->eof)
		buf_adds(b, "input closed");
	else if (atomic_load(&con->stopped))
		buf_adds(b, "stopped");
	else
		buf_addf(b, "reading %s as %s", con->tty ? "the terminal" :
		    "stdin", con->user);
}

static void
console_free(struct chat *c)
{
	struct console	*con = c->priv;

	if (con == NULL)
		return;
	console_stop(c);
	if (con->stop_pipe[0] != -1) {
		close(con->stop_pipe[0]);
		close(con->stop_pipe[1]);
	}
	pthread_mutex_destroy(&con->lock);
	pthread_cond_destroy(&con->room);
	free(con->user);
	free(con);
	c->priv = NULL;
}

const struct chat_ops chat_console_ops = {
	.name = "console",
	.start = console_start,
	.stop = console_stop,
	.reply = console_reply,
	.post = console_post_msg,
	.describe = console_describe,
	.free = console_free,
};

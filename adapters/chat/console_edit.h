/*
 * Line editing for the console on a terminal (libedit's readline
 * interface): history, arrows, Ctrl-L, and output from other threads
 * printed above the line being typed instead of through it. libedit keeps
 * one global editor, so there is at most one open at a time.
 */
#ifndef OPSBOT_CONSOLE_EDIT_H
#define OPSBOT_CONSOLE_EDIT_H

struct console_edit;

/*
 * Starts editing on stdin/stdout with prompt; history is loaded from and
 * saved to the file history (mode 0600), or kept in memory when NULL.
 * stop_fd readable makes console_edit_read() return -1. Returns the
 * editor (closed with console_edit_close), or NULL and *cause (caller
 * frees; cause may be NULL) when the terminal cannot be edited.
 */
struct console_edit *console_edit_open(const char *prompt,
	    const char *history, int stop_fd, char **cause);
/*
 * Reader thread: waits for a whole line. Returns 1 and *line (caller
 * frees), 0 at end of input (Ctrl-D, hangup), -1 once stop_fd is readable.
 */
int	console_edit_read(struct console_edit *, char **line);
/*
 * Any thread: prints text (and a newline) above the line being typed,
 * then draws the prompt and that line again.
 */
void	console_edit_print(struct console_edit *, const char *text);
/*
 * After the reader thread has ended: gives the terminal back as it was,
 * saves the history and frees the editor.
 */
void	console_edit_close(struct console_edit *);

#endif

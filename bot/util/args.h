/*
 * Command text to words, and words to a command's options and positional
 * arguments. Everything typed in chat passes through here first, so it is
 * strict: overlong input, NUL bytes, control characters and invalid UTF-8
 * are refused with a message a person can act on.
 */
#ifndef OPSBOT_ARGS_H
#define OPSBOT_ARGS_H

#include <stddef.h>
#include <stdint.h>

#define ARGS_MAX_INPUT	4096	/* bytes of command text */
#define ARGS_MAX_WORDS	64

struct words {
	int	  argc;
	char	**argv;		/* argc strings, then NULL; owned */
};

/*
 * Splits text (len bytes, need not be NUL-terminated) into words. Quotes:
 * '...' is literal, "..." allows \" and \\, a backslash outside quotes
 * escapes the next character; the typographic quotes chat clients
 * substitute (“ ” ‘ ’) count as " and '. Returns 0, or -1 and sets *cause
 * (caller frees); w is then empty (argc 0, argv NULL).
 */
int	 args_split(const char *text, size_t len, struct words *w,
	    char **cause);
void	 words_free(struct words *);

enum arg_type {
	ARG_BOOL,		/* --confirm */
	ARG_STRING,		/* --user alice */
	ARG_INT,		/* --lines 50 (0 .. 1e9) */
	ARG_DURATION,		/* --since 15m, stored in seconds */
};

struct arg_option {
	const char	*name;		/* without the leading -- */
	enum arg_type	 type;
	const char	*help;		/* one line for /help CMD */
};

struct arg_spec {
	const struct arg_option	*options;	/* NULL-name terminated, or NULL */
	int			 min;		/* positional arguments */
	int			 max;		/* -1: no limit */
};

struct arg_value {
	int		 set;
	const char	*str;		/* borrowed from the words */
	int64_t		 num;		/* ARG_INT and ARG_DURATION */
};

struct args {
	int			 npos;
	const char		**pos;		/* borrowed from the words */
	const struct arg_option	*options;
	struct arg_value	*values;	/* one per option */
};

/*
 * Parses words[1..] against spec ("--" ends options; "—x", which chat
 * clients make of "--x", is read as "--x"). Strings in *out point into w,
 * which must outlive it. Returns 0, or -1 and sets *cause (caller frees).
 */
int	 args_parse(const struct arg_spec *, const struct words *w,
	    struct args *out, char **cause);
void	 args_free(struct args *);

const char *args_pos(const struct args *, int);	/* NULL past the end */
int	 args_has(const struct args *, const char *name);
const char *args_get(const struct args *, const char *name);
int64_t	 args_get_num(const struct args *, const char *name, int64_t def);

/*
 * "30s", "15m", "2h", "1d", "1w" and sums like "1h30m" to seconds (at most
 * 366 days). Returns 0, or -1 and sets *cause (caller frees).
 */
int	 duration_parse(const char *, int64_t *secs, char **cause);
/* Writes "1h30m" style text for secs into out. */
void	 duration_format(int64_t secs, char *out, size_t len);

#endif

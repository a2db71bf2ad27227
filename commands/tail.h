/*
 * Live tails (/tail): the running ones, kept by the tails service on
 * bot->tails. tail.c is the command; tail_run.c owns each tail from its
 * start to its last edit.
 */
#ifndef OPSBOT_COMMANDS_TAIL_H
#define OPSBOT_COMMANDS_TAIL_H

#include <sys/queue.h>

#include <libwebsockets.h>
#include <stdint.h>

#include "bot.h"
#include "proc_stream.h"
#include "tail_lines.h"

#define TAIL_KEEP_LINES		25	/* lines in the window */
#define TAIL_BODY_BYTES		2800	/* under Slack's 3000 a section */
#define TAIL_TICK_MS		250	/* how often the pipe is read */
#define TAIL_EDIT_MS		1000	/* at most one edit a second */
#define TAIL_READ_MAX		(1 << 20) /* bytes read a tick */
#define TAIL_STOP_GRACE_MS	1000

struct tail {
	struct tails		*owner;
	int			 id;
	const struct cfg_host	*host;		/* in a config kept until exit */
	char			*log;		/* the log's name */
	char			*path;
	char			*pattern;	/* or NULL */
	int			 regex;		/* pattern is an ERE */
	char			*platform;
	char			*channel;
	char			*receiver;	/* "platform:channel" */
	char			*user_id;
	char			*user_name;	/* who started it */
	char			*line;		/* as typed, for the audit */
	char			*prefix;	/* "/" or "/opsbot " here */
	int64_t			 root_row;	/* outbox row of the thread root */
	int64_t			 live_row;	/* ... of the edited message */
	char			*root_id;	/* root's platform id, once sent */
	struct proc_stream	 ps;
	struct tail_lines	 lines;
	int64_t			 started_ms;	/* wall clock */
	int64_t			 started_mono;
	int64_t			 ends_mono;
	int64_t			 last_edit_mono;
	int64_t			 duration_s;
	lws_sorted_usec_list_t	 sul;
	TAILQ_ENTRY(tail)	 link;
};

TAILQ_HEAD(tail_list, tail);

struct tails {
	struct bot		*bot;
	struct tail_list	 running;
	int			 nrunning;
	int			 next_id;
};

/* What a new tail follows and for whom; strings borrowed for the call. */
struct tail_spec {
	const struct cfg_host	*host;
	const char		*log;
	const char		*path;
	const char		*pattern;	/* or NULL */
	int			 regex;		/* pattern is a guarded ERE */
	int64_t			 duration_s;
};

/*
 * Starts a tail for ctx's asker in ctx's channel: the root post, the
 * message that will be edited in its thread, the process. Returns the
 * new tail, or NULL and sets *cause (caller frees).
 */
struct tail *tail_start(struct tails *, struct cmd_ctx *,
	    const struct tail_spec *, char **cause);
/*
 * Ends t: stops the process, makes the last edit with why ("stopped by
 * alice", "stopped: bot shutting down"), writes the audit row, frees t.
 */
void	 tail_end(struct tail *, const char *why);
/* The tail whose thread root has platform id thread, or NULL. */
struct tail *tail_by_thread(struct tails *, const char *platform,
	    const char *channel, const char *thread);
struct tail *tail_by_id(struct tails *, int id);
/* How many run for this user (platform and id). */
int	 tail_count_user(struct tails *, const char *platform,
	    const char *user_id);
/* "3: web1 app "ERROR" — alice, 4m left" for /tail and refusals. */
void	 tail_describe(const struct tail *, struct buf *);

extern const struct bot_service tails_service;

#endif

/*
 * The shell text that follows a named log for /tail, and the argv that
 * runs it on its host through the host's transport.
 */
#ifndef OPSBOT_FOLLOW_H
#define OPSBOT_FOLLOW_H

#include "buf.h"
#include "hosts.h"

/* Lines of the log's end shown before new ones arrive. */
#define FOLLOW_BACKLOG_LINES	10

/*
 * Appends a POSIX sh script to s that prints the log's last lines and
 * then every new line (tail -F, so a rotated log is followed), only
 * those containing pattern (a fixed string; NULL: all) when given, the
 * filter run on the host so a busy log is not streamed whole. The script
 * ends, taking tail and grep with it, as soon as its stdin reaches EOF:
 * that is how the remote side learns the bot stopped, even when nothing
 * new is written to the log (a dead pipe would only be noticed at the
 * next write). An unreadable log ends it with exit 3 and "opsbot: cannot
 * read PATH" on stderr. With regex, pattern is a POSIX extended regex
 * (grep -E), which the caller has checked with regex_guard_check. path
 * and pattern go through shquote_buf.
 */
void	 follow_script(struct buf *s, const char *path, const char *pattern,
	    int regex);

/*
 * The argv (caller owns; proc_stream_start takes it) running script on
 * h, or NULL for a transport that cannot follow (fixture). For ssh the
 * connection is its own, not the shared ControlMaster: ending the client
 * then surely ends the session, and a long tail does not hold the
 * master open.
 */
char	**follow_argv(const struct cfg_host *h, const struct host_env *env,
	    const char *script);

#endif

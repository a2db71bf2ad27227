/*
 * A live tail from start to last edit (see tail.h). The process is
 * read from a timer on the loop thread every TAIL_TICK_MS without
 * blocking; lines go into a window (tail_lines) and the window replaces
 * one message in the tail's thread at most once a second, and only when
 * lines came and the channel's queue is empty, so a busy log or a slow
 * chat costs one edit a second at most, never a queue of stale ones.
 * One message edited in place rather than new replies: a thread of
 * batches would bury the channel's notifications and the newest lines
 * are what the reader wants.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bot_post.h"
#include "cause.h"
#include "clock.h"
#include "follow.h"
#include "log.h"
#include "loop.h"
#include "message.h"
#include "store.h"
#include "tail.h"
#include "xmalloc.h"

static void	tail_tick(lws_sorted_usec_list_t *);

static void
tail_free(struct tail *t)
{
	proc_stream_release(&t->ps);
	tail_lines_release(&t->lines);
	free(t->log);
	free(t->path);
	free(t->pattern);
	free(t->platform);
	free(t->channel);
	free(t->receiver);
	free(t->user_id);
	free(t->user_name);
	free(t->line);
	free(t->prefix);
	free(t->root_id);
	free(t);
}

/* "4m left", "45s left" into out. */
static void
tail_left(const struct tail *t, char *out, size_t len)
{
	int64_t	 left = (t->ends_mono - clock_mono_ms() + 999) / 1000;

	if (left < 0)
		left = 0;
	if (left >= 120)
		snprintf(out, len, "%lldm left", (long long)((left + 59) / 60));
	else
		snprintf(out, len, "%llds left", (long long)left);
}

static void
tail_name(const struct tail *t, struct buf *b)
{
	buf_addf(b, "%s %s", t->host->name, t->log);
	if (t->pattern != NULL)
		buf_addf(b, t->regex ? " /%s/" : " \"%s\"", t->pattern);
}

void
tail_describe(const struct tail *t, struct buf *b)
{
	char	 left[32];

	tail_left(t, left, sizeof left);
	buf_addf(b, "%d: ", t->id);
	tail_name(t, b);
	buf_addf(b, " — %s, %s", t->user_name != NULL ? t->user_name :
	    t->user_id, left);
}

/*
 * The message in the thread: the window, and a headline saying what is
 * followed and how it stands (why set: its last edit).
 */
static void
tail_edit(struct tail *t, const char *kind, const char *why)
{
	struct message	 m;
	struct buf	 title;
	char		*body, left[32], *cause = NULL;
	int64_t		 row;

	buf_init(&title);
	tail_name(t, &title);
	if (why != NULL)
		buf_addf(&title, " — %s", why);
	else {
		tail_left(t, left, sizeof left);
		buf_addf(&title, " — live, %s (%stail stop %d)", left,
		    t->prefix, t->id);
	}
	body = tail_lines_render(&t->lines, TAIL_BODY_BYTES);
	memset(&m, 0, sizeof m);
	m.title = title.data;
	m.status = why != NULL ? MESSAGE_PLAIN : MESSAGE_INFO;
	m.code = body[0] != '\0' ? body : NULL;
	m.text = body[0] != '\0' ? NULL : "(no lines yet)";
	row = bot_post(t->owner->bot, t->receiver, kind,
	    strcmp(kind, "thread") == 0 ? t->root_row : t->live_row, &m,
	    &cause);
	if (row < 0) {
		log_warn("tail", "tail %d: cannot post: %s", t->id, cause);
		free(cause);
	} else if (strcmp(kind, "thread") == 0)
		t->live_row = row;
	t->last_edit_mono = clock_mono_ms();
	free(body);
	buf_release(&title);
}

/* One row for how the tail ended, next to the command's own. */
static void
tail_audit(struct tail *t, const char *why)
{
	struct audit_entry	 e;
	char			*cause = NULL;

	memset(&e, 0, sizeof e);
	e.ts_ms = clock_now_ms();
	e.platform = t->platform;
	e.user_id = t->user_id;
	e.user_name = t->user_name;
	e.channel = t->channel;
	e.command = t->line;
	e.outcome = "ended";
	e.detail = why;
	e.duration_ms = clock_mono_ms() - t->started_mono;
	e.via = "typed";
	e.thread = t->root_id;
	if (store_audit_append(t->owner->bot->store, &e, &cause) != 0) {
		log_error("tail", "audit: %s", cause);
		free(cause);
	}
}

void
tail_end(struct tail *t, const char *why)
{
	struct tails	*ts = t->owner;
	struct buf	 in;

	lws_sul_cancel(&t->sul);
	/* What came before the end is shown with it. */
	buf_init(&in);
	if (proc_stream_read(&t->ps, &in, TAIL_READ_MAX) > 0)
		tail_lines_feed(&t->lines, in.data, in.len);
	buf_release(&in);
	proc_stream_stop(&t->ps, TAIL_STOP_GRACE_MS);
	tail_lines_finish(&t->lines);
	tail_edit(t, "update", why);
	tail_audit(t, why);
	log_info("tail", "tail %d (%s %s) ended: %s", t->id, t->host->name,
	    t->log, why);
	TAILQ_REMOVE(&ts->running, t, link);
	ts->nrunning--;
	tail_free(t);
}

/* Why a process that ended by itself did: its transport's words. */
static void
tail_end_by_itself(struct tail *t)
{
	char		*why, *text;
	struct buf	 in;

	/* Its last words first, then its status and stderr. */
	buf_init(&in);
	if (proc_stream_read(&t->ps, &in, TAIL_READ_MAX) > 0)
		tail_lines_feed(&t->lines, in.data, in.len);
	buf_release(&in);
	proc_stream_stop(&t->ps, TAIL_STOP_GRACE_MS);
	why = host_explain(t->host, &t->ps.p, 0);
	xasprintf(&text, "ended: %s", why != NULL ? why :
	    "the host closed the stream");
	tail_end(t, text);
	free(text);
	free(why);
}

static void
tail_schedule(struct tail *t)
{
	lws_sul_schedule(loop_lws(t->owner->bot->loop), 0, &t->sul, tail_tick,
	    TAIL_TICK_MS * LWS_US_PER_MS);
}

static void
tail_tick(lws_sorted_usec_list_t *sul)
{
	struct tail	*t = lws_container_of(sul, struct tail, sul);
	struct buf	 in;
	ssize_t		 n;
	int64_t		 now = clock_mono_ms();
	char		 why[64];

	buf_init(&in);
	n = proc_stream_read(&t->ps, &in, TAIL_READ_MAX);
	if (in.len > 0)
		tail_lines_feed(&t->lines, in.data, in.len);
	buf_release(&in);
	if (n < 0 || proc_stream_exited(&t->ps)) {
		tail_end_by_itself(t);
		return;
	}
	if (now >= t->ends_mono) {
		if (t->duration_s % 60 == 0)
			snprintf(why, sizeof why, "ended after %lldm",
			    (long long)t->duration_s / 60);
		else
			snprintf(why, sizeof why, "ended after %llds",
			    (long long)t->duration_s);
		tail_end(t, why);
		return;
	}
	if (tail_lines_changed(&t->lines) &&
	    now - t->last_edit_mono >= TAIL_EDIT_MS &&
	    bot_backlog(t->owner->bot, t->receiver) == 0)
		tail_edit(t, "update", NULL);
	tail_schedule(t);
}

struct tail *
tail_start(struct tails *ts, struct cmd_ctx *ctx, const struct tail_spec *sp,
    char **cause)
{
	struct tail	*t;
	struct message	 root;
	struct buf	 script, title;
	struct host_env	 env;
	char		**argv, *err = NULL;

	buf_init(&script);
	follow_script(&script, sp->path, sp->pattern, sp->regex);
	env.remote = &ctx->bot->cfg->remote;
	env.control_dir = ctx->bot->ssh_dir;
	argv = follow_argv(sp->host, &env, script.data);
	buf_release(&script);
	if (argv == NULL) {
		cause_set(cause, "%s is a fixture host: it has no log to "
		    "follow", sp->host->name);
		return NULL;
	}

	t = xcalloc(1, sizeof *t);
	t->owner = ts;
	t->host = sp->host;
	t->log = xstrdup(sp->log);
	t->path = xstrdup(sp->path);
	t->pattern = sp->pattern != NULL ? xstrdup(sp->pattern) : NULL;
	t->regex = sp->regex;
	t->platform = xstrdup(ctx->origin.platform);
	t->channel = xstrdup(ctx->origin.channel != NULL ?
	    ctx->origin.channel : "");
	xasprintf(&t->receiver, "%s:%s", t->platform, t->channel);
	t->user_id = xstrdup(ctx->origin.user_id != NULL ?
	    ctx->origin.user_id : "");
	t->user_name = ctx->origin.user_name != NULL ?
	    xstrdup(ctx->origin.user_name) : NULL;
	t->line = xstrdup(ctx->line);
	t->prefix = xstrdup(cmd_prefix(ctx, "tail"));
	t->duration_s = sp->duration_s;
	tail_lines_init(&t->lines, TAIL_KEEP_LINES);
	t->id = ++ts->next_id;

	if (proc_stream_start(&t->ps, argv) != 0) {
		cause_set(cause, "cannot start %s: %s",
		    ctx->bot->cfg->remote.ssh_command,
		    strerror(t->ps.p.spawn_errno));
		tail_free(t);
		return NULL;
	}

	/* The thread: a root post in the channel, then the live message. */
	buf_init(&title);
	buf_addf(&title, "Live tail %d: ", t->id);
	tail_name(t, &title);
	memset(&root, 0, sizeof root);
	root.title = title.data;
	root.status = MESSAGE_INFO;
	root.text = "The newest lines are in this thread, in one message "
	    "updated about once a second.";
	t->root_row = bot_post(ctx->bot, t->receiver, "post", 0, &root, &err);
	buf_release(&title);
	if (t->root_row < 0) {
		cause_set(cause, "cannot post the tail's thread here: %s",
		    err != NULL ? err : "?");
		free(err);
		tail_free(t);
		return NULL;
	}
	t->started_ms = clock_now_ms();
	t->started_mono = clock_mono_ms();
	t->ends_mono = t->started_mono + t->duration_s * 1000;
	tail_edit(t, "thread", NULL);
	TAILQ_INSERT_TAIL(&ts->running, t, link);
	ts->nrunning++;
	tail_schedule(t);
	log_info("tail", "tail %d: %s %s for %llds, by %s", t->id,
	    t->host->name, t->log, (long long)t->duration_s, t->user_id);
	return t;
}

struct tail *
tail_by_id(struct tails *ts, int id)
{
	struct tail	*t;

	TAILQ_FOREACH(t, &ts->running, link) {
		if (t->id == id)
			return t;
	}
	return NULL;
}

struct tail *
tail_by_thread(struct tails *ts, const char *platform, const char *channel,
    const char *thread)
{
	struct tail	*t;

	TAILQ_FOREACH(t, &ts->running, link) {
		if (strcmp(t->platform, platform) != 0 ||
		    strcmp(t->channel, channel) != 0)
			continue;
		/* The root's id is known once the outbox sent it. */
		if (t->root_id == NULL && t->root_row > 0)
			t->root_id = store_outbox_platform_id(
			    ts->bot->store, t->root_row);
		if (t->root_id != NULL && strcmp(t->root_id, thread) == 0)
			return t;
	}
	return NULL;
}

int
tail_count_user(struct tails *ts, const char *platform, const char *user_id)
{
	struct tail	*t;
	int		 n = 0;

	TAILQ_FOREACH(t, &ts->running, link) {
		if (strcmp(t->platform, platform) == 0 &&
		    strcmp(t->user_id, user_id) == 0)
			n++;
	}
	return n;
}

/* ------------------------------------------------------------ service */

static int
tails_service_start(struct bot *b, char **cause)
{
	struct tails	*ts = xcalloc(1, sizeof *ts);

	(void)cause;
	ts->bot = b;
	TAILQ_INIT(&ts->running);
	b->tails = ts;
	return 0;
}

/* Every tail ends before the bot does, with a last edit that says so. */
static void
tails_service_stop(struct bot *b)
{
	struct tail	*t;

	if (b->tails == NULL)
		return;
	/* All at once first: each tail_end then waits for its own only. */
	TAILQ_FOREACH(t, &b->tails->running, link)
		proc_stream_hangup(&t->ps);
	while ((t = TAILQ_FIRST(&b->tails->running)) != NULL)
		tail_end(t, "stopped: bot shutting down");
}

static void
tails_service_free(struct bot *b)
{
	struct tail	*t;

	if (b->tails == NULL)
		return;
	/* A bot that never stopped gracefully: no posts, just no orphans. */
	while ((t = TAILQ_FIRST(&b->tails->running)) != NULL) {
		lws_sul_cancel(&t->sul);
		TAILQ_REMOVE(&b->tails->running, t, link);
		tail_free(t);
	}
	free(b->tails);
	b->tails = NULL;
}

const struct bot_service tails_service = {
	.name = "tails",
	.start = tails_service_start,
	.stop = tails_service_stop,
	.free = tails_service_free,
};

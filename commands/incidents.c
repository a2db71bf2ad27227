/*
 * The chat side of incidents (incidents.h): open with a root post whose
 * thread is the incident's, notes and links that also say a line there,
 * close with the RCA draft, and plain thread replies kept as notes.
 */

#include <stdlib.h>
#include <string.h>

#include "bot.h"
#include "bot_post.h"
#include "buf.h"
#include "cause.h"
#include "clock.h"
#include "incidents.h"
#include "incidents_int.h"
#include "log.h"
#include "store_incidents.h"
#include "ticket.h"
#include "xmalloc.h"

static char *
incident_dup(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

static void
incident_copy_cb(void *arg, const struct store_incident_row *r)
{
	struct incident_info	*inc = arg;

	inc->id = r->id;
	inc->title = incident_dup(r->title);
	inc->severity = r->severity;
	inc->open = r->state != NULL && strcmp(r->state, "open") == 0;
	inc->platform = incident_dup(r->platform);
	inc->channel = incident_dup(r->channel);
	inc->outbox_id = r->outbox_id;
	inc->thread = incident_dup(r->thread);
	inc->opened_ms = r->opened_ms;
}

int
incident_info_load(struct store *s, int64_t id, struct incident_info *inc,
    char **cause)
{
	int	 rc;

	memset(inc, 0, sizeof *inc);
	rc = store_incident_get(s, id, incident_copy_cb, inc, cause);
	if (rc == 0)
		cause_set(cause, "no incident #%lld", (long long)id);
	return rc == 1 ? 0 : -1;
}

int
incident_info_by_thread(struct store *s, const char *platform,
    const char *channel, const char *thread, struct incident_info *inc,
    char **cause)
{
	memset(inc, 0, sizeof *inc);
	return store_incident_by_thread(s, platform, channel, thread,
	    incident_copy_cb, inc, cause);
}

void
incident_info_release(struct incident_info *inc)
{
	free(inc->title);
	free(inc->platform);
	free(inc->channel);
	free(inc->thread);
	memset(inc, 0, sizeof *inc);
}

/* Posts m in the incident's thread, or as a new post without one. */
static int
incident_post(struct bot *b, const struct incident_info *inc,
    const struct message *m, char **cause)
{
	char	*receiver;
	int64_t	 rc;

	xasprintf(&receiver, "%s:%s", inc->platform, inc->channel);
	rc = bot_post(b, receiver, inc->outbox_id > 0 ? "thread" : "post",
	    inc->outbox_id, m, cause);
	free(receiver);
	return rc < 0 ? -1 : 0;
}

int
incident_post_message(struct bot *b, int64_t id, const struct message *m,
    char **cause)
{
	struct incident_info	 inc;
	int			 rc;

	if (incident_info_load(b->store, id, &inc, cause) != 0)
		return -1;
	rc = incident_post(b, &inc, m, cause);
	incident_info_release(&inc);
	return rc;
}

int
incident_post_line(struct bot *b, int64_t id, const char *text,
    char **cause)
{
	struct message	 m;

	memset(&m, 0, sizeof m);
	m.text = text;
	return incident_post_message(b, id, &m, cause);
}

void
incident_actor_set(struct bot *b, const char *platform, const char *user_id,
    const char *user_name, struct incident_actor *a)
{
	const struct cfg_user	*u;
	size_t			 i;

	a->user_id = user_id;
	a->user_name = user_name;
	if ((user_name != NULL && *user_name != '\0') || user_id == NULL)
		return;
	/* Slack events carry only the id: the config's name for it. */
	for (i = 0; i < b->cfg->nusers; i++) {
		u = &b->cfg->users[i];
		if (u->id != NULL && strcmp(u->id, user_id) == 0 &&
		    (strcmp(u->platform, "*") == 0 ||
		    strcmp(u->platform, platform) == 0)) {
			a->user_name = u->name;
			return;
		}
	}
}

const char *
incident_actor_name(const struct incident_actor *a)
{
	if (a->user_name != NULL && *a->user_name != '\0')
		return a->user_name;
	return a->user_id != NULL ? a->user_id : "someone";
}

void
incident_root_render(struct message *m, struct incident_root *r, int64_t id,
    const char *title, int severity, const char *by, int tickets)
{
	memset(m, 0, sizeof *m);
	memset(r, 0, sizeof *r);
	xasprintf(&r->head, "Incident #%lld: %s", (long long)id, title);
	xasprintf(&r->sev, "SEV%d", severity);
	xasprintf(&r->text, "Opened by %s. Replies in this thread become the "
	    "incident's notes; its commands (note, status, link, close) "
	    "typed here need no id.", by);
	m->title = r->head;
	m->status = severity <= 2 ? MESSAGE_CRIT : MESSAGE_WARN;
	m->text = r->text;
	m->fields[0].title = "Severity";
	m->fields[0].value = r->sev;
	m->fields[1].title = "Status";
	m->fields[1].value = "open";
	m->nfields = 2;
	/* Without ServiceNow configured the button could only fail. */
	if (tickets) {
		xasprintf(&r->tkt, "ticket incident %lld", (long long)id);
		/* Alphanumeric: Mattermost's click route takes no other. */
		m->buttons[0].action = INCIDENT_TICKET_ACTION;
		m->buttons[0].label = "Create ticket";
		m->buttons[0].value = r->tkt;
		m->nbuttons = 1;
	}
}

void
incident_root_release(struct incident_root *r)
{
	free(r->head);
	free(r->sev);
	free(r->text);
	free(r->tkt);
	memset(r, 0, sizeof *r);
}

int64_t
incident_open(struct bot *b, const char *platform, const char *channel,
    const char *title, int severity, const struct incident_actor *who,
    const char *source, char **cause)
{
	struct store_incident_row	 r;
	struct message			 m;
	struct incident_root		 root;
	char				*receiver, *why = NULL;
	int64_t				 id, row;

	memset(&r, 0, sizeof r);
	r.title = title;
	r.severity = severity;
	r.platform = platform;
	r.channel = channel;
	r.opened_ms = clock_now_ms();
	r.opened_by = who->user_id;
	r.opened_by_name = who->user_name;
	r.source = source;
	if ((id = store_incident_open(b->store, &r, cause)) < 0)
		return -1;
	if (store_incident_note(b->store, id, r.opened_ms, who->user_id,
	    who->user_name, "open", title, cause) < 0)
		return -1;

	incident_root_render(&m, &root, id, title, severity,
	    incident_actor_name(who), tickets_enabled(b));
	xasprintf(&receiver, "%s:%s", platform, channel);
	row = bot_post(b, receiver, "post", 0, &m, &why);
	if (row < 0) {
		log_warn("incident", "#%lld: cannot post its root message: %s",
		    (long long)id, why);
		free(why);
	} else if (row > 0 && store_incident_set_post(b->store, id, row,
	    &why) != 0) {
		log_warn("incident", "#%lld: %s", (long long)id, why);
		free(why);
	}
	free(receiver);
	incident_root_release(&root);
	incident_changed(b, id, who, "open", title);
	return id;
}

int
incident_note(struct bot *b, int64_t id, const struct incident_actor *who,
    const char *kind, const char *text, const char *line, char **cause)
{
	char	*why = NULL;

	if (store_incident_note(b->store, id, clock_now_ms(), who->user_id,
	    who->user_name, kind, text, cause) < 0)
		return -1;
	if (strcmp(kind, "status") == 0 &&
	    store_incident_status(b->store, id, text, cause) != 0)
		return -1;
	if (line != NULL && incident_post_line(b, id, line, &why) != 0) {
		/* The note is kept; only the echo in the thread is lost. */
		log_warn("incident", "#%lld: %s", (long long)id, why);
		free(why);
	}
	incident_changed(b, id, who, kind, text);
	return 0;
}

int
incident_link(struct bot *b, int64_t id, int64_t alert_id,
    const struct incident_actor *who, char **cause)
{
	char	*text, *line;
	int	 rc;

	rc = store_incident_link(b->store, id, alert_id, clock_now_ms(),
	    who->user_id, cause);
	if (rc != 1)
		return rc;
	xasprintf(&text, "#%lld", (long long)alert_id);
	xasprintf(&line, "Alert #%lld linked by %s", (long long)alert_id,
	    incident_actor_name(who));
	rc = incident_note(b, id, who, "link", text, line, cause);
	free(text);
	free(line);
	return rc == 0 ? 1 : -1;
}

int
incident_close(struct bot *b, int64_t id, const struct incident_actor *who,
    const char *resolution, char **cause)
{
	struct incident_closing	 closing;
	struct incident_info	 inc;
	char			*md = NULL, *why = NULL, *line;
	int			 open;
	int64_t			 now = clock_now_ms();
	int			 rc;

	if (incident_info_load(b->store, id, &inc, cause) != 0)
		return -1;
	open = inc.open;
	incident_info_release(&inc);
	if (!open) {
		cause_set(cause, "incident #%lld is closed already",
		    (long long)id);
		return 0;
	}
	if (store_incident_note(b->store, id, now, who->user_id,
	    who->user_name, "close", resolution != NULL ? resolution : "",
	    cause) < 0)
		return -1;
	/* The draft sees the close: its window ends now. */
	closing.at_ms = now;
	closing.by = incident_actor_name(who);
	closing.resolution = resolution;
	if (incident_rca_build(b->store, id, now, &closing, &md, cause) != 0)
		return -1;
	rc = store_incident_close(b->store, id, now, who->user_id,
	    who->user_name, resolution, md, cause);
	if (rc != 1) {
		free(md);
		if (rc == 0)
			cause_set(cause, "incident #%lld is not open",
			    (long long)id);
		return rc;
	}
	xasprintf(&line, "Closed by %s%s%s. The RCA draft follows (/rca "
	    "%lld shows it again).", incident_actor_name(who),
	    resolution != NULL ? ": " : "", resolution != NULL ? resolution :
	    "", (long long)id);
	if (incident_post_line(b, id, line, &why) != 0 ||
	    incident_post_rca(b, id, md, &why) != 0) {
		log_warn("incident", "#%lld: %s", (long long)id, why);
		free(why);
	}
	free(line);
	free(md);
	incident_changed(b, id, who, "close", resolution);
	return 1;
}

void
incident_thread_reply(struct bot *b, struct chat *chat,
    const struct chat_msg *m)
{
	struct incident_info	 inc;
	struct incident_actor	 who;
	char			*text, *cause = NULL;
	int			 rc;

	rc = incident_info_by_thread(b->store, chat->ops->name, m->channel,
	    m->thread, &inc, &cause);
	if (rc <= 0) {
		if (rc < 0) {
			log_warn("incident", "%s", cause);
			free(cause);
		}
		return;
	}
	incident_actor_set(b, chat->ops->name, m->user_id, m->user_name, &who);
	text = incident_note_text(m->text, m->len);
	/* Kept quietly: an echo of every reply would double the thread. */
	if (*text != '\0' && incident_note(b, inc.id, &who, "note", text, NULL,
	    &cause) != 0) {
		log_warn("incident", "#%lld: %s", (long long)inc.id, cause);
		free(cause);
	}
	free(text);
	incident_info_release(&inc);
}

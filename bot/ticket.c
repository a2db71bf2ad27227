/*
 * The loop side of ServiceNow tickets (ticket.h): the service that
 * registers the "servicenow" sender with the outbox, the queueing of
 * ticket operations as outbox rows, and what a sent row changes: the
 * tickets table and a line in chat with the number and link.
 */

#include <libwebsockets.h>
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "bot.h"
#include "bot_post.h"
#include "cause.h"
#include "log.h"
#include "message.h"
#include "outbox.h"
#include "redact.h"
#include "store.h"
#include "store_tickets.h"
#include "ticket_int.h"
#include "xmalloc.h"

/* The settings of c as the sender needs them, or NULL when off. */
static struct snow_conf *
conf_from(const struct config *c)
{
	struct snow_conf	*s;
	char			*cred, b64[1024];

	if (c->tickets.instance == NULL)
		return NULL;
	s = xcalloc(1, sizeof *s);
	s->instance = xstrdup(c->tickets.instance);
	s->timeout_ms = (long)c->tickets.timeout_s * 1000;
	s->close_code = xstrdup(c->tickets.close_code);
	if (c->tickets.token != NULL)
		xasprintf(&s->auth, "Authorization: Bearer %s",
		    c->tickets.token);
	else {
		xasprintf(&cred, "%s:%s", c->tickets.user != NULL ?
		    c->tickets.user : "", c->tickets.password != NULL ?
		    c->tickets.password : "");
		if (lws_b64_encode_string(cred, (int)strlen(cred), b64,
		    sizeof b64) < 0)
			b64[0] = '\0';
		xasprintf(&s->auth, "Authorization: Basic %s", b64);
		free(cred);
	}
	return s;
}

struct snow_conf *
tickets_conf_copy(struct tickets *t)
{
	struct snow_conf	*c = NULL;

	pthread_mutex_lock(&t->lock);
	if (t->conf != NULL) {
		c = xcalloc(1, sizeof *c);
		c->instance = xstrdup(t->conf->instance);
		c->auth = xstrdup(t->conf->auth);
		c->timeout_ms = t->conf->timeout_ms;
		c->close_code = xstrdup(t->conf->close_code);
	}
	pthread_mutex_unlock(&t->lock);
	return c;
}

struct snow_conf *
tickets_conf(struct bot *b)
{
	return b->tickets != NULL ? tickets_conf_copy(b->tickets) : NULL;
}

static int
tickets_start(struct bot *b, char **cause)
{
	struct tickets	*t = xcalloc(1, sizeof *t);

	cause_clear(cause);
	t->bot = b;
	pthread_mutex_init(&t->lock, NULL);
	t->conf = conf_from(b->cfg);
	b->tickets = t;
	/*
	 * Registered even when off: rows queued before a reload turned
	 * tickets off wait (unsent) instead of failing.
	 */
	outbox_register(b->outbox, TICKET_PLATFORM, snow_send, t);
	return 0;
}

static void
tickets_reload(struct bot *b, const struct config *c)
{
	struct tickets		*t = b->tickets;
	struct snow_conf	*old, *conf = conf_from(c);

	if (t == NULL) {
		snow_conf_free(conf);
		return;
	}
	pthread_mutex_lock(&t->lock);
	old = t->conf;
	t->conf = conf;
	pthread_mutex_unlock(&t->lock);
	snow_conf_free(old);
	if (conf != NULL)
		outbox_kick(b->outbox);
}

static void
tickets_free(struct bot *b)
{
	struct tickets	*t = b->tickets;

	if (t == NULL)
		return;
	snow_conf_free(t->conf);
	pthread_mutex_destroy(&t->lock);
	free(t);
	b->tickets = NULL;
}

const struct bot_service tickets_service = {
	.name = "tickets",
	.start = tickets_start,
	.reload = tickets_reload,
	.free = tickets_free,
};

int
tickets_enabled(struct bot *b)
{
	return b->tickets != NULL && b->cfg->tickets.instance != NULL;
}

/* What the loop needs of a row: copies, freed by row_clear. */
struct row {
	int64_t	 id;
	char	*state;
	char	*sys_id;
};

static void
row_cb(void *arg, const struct store_ticket *t)
{
	struct row	*r = arg;

	r->id = t->id;
	r->state = t->state != NULL ? xstrdup(t->state) : NULL;
	r->sys_id = t->sys_id != NULL ? xstrdup(t->sys_id) : NULL;
}

static void
row_clear(struct row *r)
{
	free(r->state);
	free(r->sys_id);
}

static void
add_opt(cJSON *o, const char *key, const char *v)
{
	if (v != NULL && v[0] != '\0')
		cJSON_AddStringToObject(o, key, v);
}

/* Queues body (taken) for correlation_id: the row id, or -1. */
static int64_t
enqueue(struct bot *b, const char *correlation_id, const char *kind,
    const char *sys_id, cJSON *body, char **cause)
{
	char	*text = cJSON_PrintUnformatted(body);
	int64_t	 id;

	cJSON_Delete(body);
	id = outbox_enqueue(b->outbox, TICKET_PLATFORM, correlation_id, kind,
	    sys_id, text, cause);
	free(text);
	return id;
}

int64_t
ticket_for(struct bot *b, const struct ticket_open *o, int *created,
    char **cause)
{
	const struct config	*c = b->cfg;
	struct store_ticket	 st = { 0 };
	struct row		 r = { 0 };
	cJSON			*body, *f;
	char			*title = NULL, *text = NULL;
	int64_t			 id = -1;
	int			 own_txn = 0, rc;

	cause_clear(cause);
	if (created != NULL)
		*created = 0;
	if (!tickets_enabled(b)) {
		cause_set(cause, "tickets are off: set "
		    "tickets.servicenow.instance");
		return -1;
	}
	if (strlen(o->correlation_id) > 100) {
		cause_set(cause, "a correlation id is at most 100 bytes");
		return -1;
	}
	/*
	 * ServiceNow is another system with its own readers: a secret typed
	 * into chat or carried by an alert stops here, as in the audit.
	 */
	title = redact_text(o->short_description != NULL ?
	    o->short_description : "");
	text = o->description != NULL ? redact_text(o->description) : NULL;
	/* The row and its queued opening go together, or neither does. */
	if (!store_in_transaction(b->store)) {
		if (store_begin(b->store, cause) != 0)
			goto out;
		own_txn = 1;
	}
	if ((rc = store_ticket_get(b->store, o->correlation_id, row_cb, &r,
	    cause)) < 0)
		goto fail;
	if (rc > 0 && (r.state == NULL || strcmp(r.state, "failed") != 0))
		goto done;
	if (rc == 0) {
		const char	*colon = o->announce != NULL ?
		    strchr(o->announce, ':') : NULL;
		char		*platform = NULL;

		st.correlation_id = o->correlation_id;
		st.source = o->source;
		st.source_id = o->source_id;
		st.short_description = title;
		st.category = o->category != NULL ? o->category :
		    c->tickets.category;
		st.created_by = o->created_by;
		if (colon != NULL)
			platform = xstrndup(o->announce,
			    (size_t)(colon - o->announce));
		st.platform = platform != NULL ? platform : o->announce;
		st.channel = colon != NULL ? colon + 1 : NULL;
		rc = store_ticket_add(b->store, &st, cause);
		free(platform);
		if (rc < 0 || store_ticket_get(b->store, o->correlation_id,
		    row_cb, &r, cause) <= 0)
			goto fail;
	} else if (store_ticket_set(b->store, o->correlation_id, "pending",
	    NULL, NULL, NULL, NULL, cause) != 0)
		goto fail;
	body = cJSON_CreateObject();
	f = cJSON_AddObjectToObject(body, "fields");
	add_opt(f, "short_description", title);
	add_opt(f, "description", text);
	add_opt(f, "category", o->category != NULL ? o->category :
	    c->tickets.category);
	add_opt(f, "correlation_id", o->correlation_id);
	add_opt(f, "correlation_display", "opsbot");
	add_opt(f, "assignment_group", c->tickets.assignment_group);
	add_opt(f, "caller_id", c->tickets.caller_id);
	add_opt(body, "announce", o->announce);
	if (o->ref > 0)
		cJSON_AddNumberToObject(body, "ref", (double)o->ref);
	if (enqueue(b, o->correlation_id, "create", NULL, body, cause) < 0)
		goto fail;
	if (created != NULL)
		*created = 1;
done:
	if (!own_txn || store_commit(b->store, cause) == 0)
		id = r.id;
	goto out;
fail:
	if (own_txn)
		store_rollback(b->store);
out:
	row_clear(&r);
	free(title);
	free(text);
	return id;
}

/* Queues fields (taken) as an update of correlation_id's ticket. */
static int
ticket_update(struct bot *b, const char *correlation_id, cJSON *fields,
    char **cause)
{
	struct row	 r = { 0 };
	cJSON		*body;
	int		 rc;

	cause_clear(cause);
	if (!tickets_enabled(b)) {
		cJSON_Delete(fields);
		return 0;
	}
	if ((rc = store_ticket_get(b->store, correlation_id, row_cb, &r,
	    cause)) <= 0) {
		cJSON_Delete(fields);
		return rc;
	}
	body = cJSON_CreateObject();
	cJSON_AddItemToObject(body, "fields", fields);
	/* Without a sys_id yet, the sender looks the ticket up. */
	rc = enqueue(b, correlation_id, "update", r.sys_id, body, cause) < 0 ?
	    -1 : 1;
	row_clear(&r);
	return rc;
}

/*
 * Notes come from chat (an incident's thread replies too): redacted as
 * the audit is, like the opening's title and description.
 */
int
ticket_note(struct bot *b, const char *correlation_id, const char *text,
    char **cause)
{
	cJSON	*f = cJSON_CreateObject();
	char	*r = redact_text(text);

	cJSON_AddStringToObject(f, "work_notes", r);
	free(r);
	return ticket_update(b, correlation_id, f, cause);
}

int
ticket_resolve(struct bot *b, const char *correlation_id, const char *text,
    char **cause)
{
	cJSON	*f = cJSON_CreateObject();
	char	*r = redact_text(text);

	cJSON_AddStringToObject(f, "state", "6");
	cJSON_AddStringToObject(f, "close_code", b->cfg->tickets.close_code);
	cJSON_AddStringToObject(f, "close_notes", r);
	cJSON_AddStringToObject(f, "work_notes", r);
	free(r);
	return ticket_update(b, correlation_id, f, cause);
}

void
ticket_applied_free(struct ticket_done *d)
{
	free(d->correlation_id);
	free(d->kind);
	free(d->state);
	free(d->sys_id);
	free(d->number);
	free(d->url);
	free(d->error);
	free(d->announce);
	free(d);
}

static void
announce(struct bot *b, const struct ticket_done *d, const char *text,
    enum message_status status)
{
	struct message	 m;
	char		*cause = NULL;

	if (d->announce == NULL)
		return;
	memset(&m, 0, sizeof m);
	m.text = text;
	m.status = status;
	if (bot_post(b, d->announce, d->ref > 0 ? "thread" : "post", d->ref,
	    &m, &cause) < 0) {
		log_warn("tickets", "cannot post about ticket %s: %s",
		    d->correlation_id, cause);
		free(cause);
	}
}

void
ticket_applied(void *arg)
{
	struct ticket_done	*d = arg;
	struct bot		*b = d->bot;
	char			*cause = NULL, *text = NULL;
	int			 create = strcmp(d->kind, "create") == 0;

	if (d->error != NULL) {
		log_error("tickets", "ticket %s: %s", d->correlation_id,
		    d->error);
		if (store_ticket_set(b->store, d->correlation_id, create ?
		    "failed" : NULL, NULL, NULL, NULL, d->error, &cause) != 0)
			goto store_failed;
		if (create)
			xasprintf(&text, "could not open a ServiceNow ticket "
			    "for %s: %s", d->correlation_id, d->error);
		announce(b, d, text, MESSAGE_CRIT);
	} else {
		if (store_ticket_set(b->store, d->correlation_id, d->state,
		    d->sys_id, d->number, d->url, NULL, &cause) != 0)
			goto store_failed;
		if (create) {
			log_info("tickets", "ticket %s is %s (%s)",
			    d->correlation_id, d->number != NULL ? d->number :
			    "?", d->found ? "found" : "opened");
			xasprintf(&text, "Ticket %s %s: %s", d->number != NULL ?
			    d->number : "?", d->found ? "(already open)" :
			    "opened", d->url);
			announce(b, d, text, MESSAGE_INFO);
		}
	}
	free(text);
	ticket_applied_free(d);
	return;
store_failed:
	log_error("tickets", "ticket %s: %s", d->correlation_id, cause);
	free(cause);
	free(text);
	ticket_applied_free(d);
}

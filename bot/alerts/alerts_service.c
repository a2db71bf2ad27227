/*
 * The alert engine in the running bot: it posts through the bot's chat
 * adapters (bot_post.c), takes webhooks on the bot's listener, follows
 * reloads, and reports its gauges on /metrics.
 */

#include <stdlib.h>
#include <string.h>

#include "alerts.h"
#include "alerts_http.h"
#include "alerts_service.h"
#include "bot_post.h"
#include "bot.h"
#include "clock.h"
#include "log.h"
#include "loop.h"
#include "metrics.h"
#include "ticket.h"
#include "xmalloc.h"

static int64_t
alerts_service_post(void *arg, const char *receiver, const char *kind,
    int64_t ref, const struct message *m, char **cause)
{
	return bot_post(arg, receiver, kind, ref, m, cause);
}

static size_t
alerts_service_backlog(void *arg, const char *receiver)
{
	return bot_backlog(arg, receiver);
}

/* A route's fix to run once the engine's turn is over. */
struct alerts_service_job {
	struct bot	*b;
	char		*receiver;
	char		*reply_to;	/* "ref:ROW": the alert's thread */
	char		*line;
};

/*
 * A route's fix run by itself: through the dispatcher, as the user
 * "remediation" (its role in "users" decides what it may run), answered
 * in the thread of the group's message.
 */
static void
alerts_service_run_now(void *arg)
{
	struct alerts_service_job	*job = arg;
	struct bot			*b = job->b;
	struct chat			*c;
	struct chat_msg			 m;
	const char			*channel;

	/* At shutdown the posted work runs after the outbox is gone. */
	if (b->stopping)
		log_warn("alerts", "remediation not run, stopping: %s",
		    job->line);
	else if ((c = bot_chat_for(b, job->receiver, &channel)) == NULL)
		log_error("alerts", "remediation: %s is not enabled",
		    job->receiver);
	else {
		memset(&m, 0, sizeof m);
		m.user_id = "remediation";
		m.user_name = "remediation";
		m.channel = channel;
		m.channel_name = channel;
		m.text = job->line;
		m.len = strlen(job->line);
		/* The adapters read "ref:ROW" as: under that row's message. */
		m.reply_to = job->reply_to;
		bot_handle_message(b, c, &m);
	}
	free(job->receiver);
	free(job->reply_to);
	free(job->line);
	free(job);
}

/*
 * Not from inside the engine's tick: the command could be one that acts
 * on alerts (/ack, /silence) while the engine walks its groups.
 */
static void
alerts_service_run(void *arg, const char *receiver, int64_t ref,
    const char *line)
{
	struct bot			*b = arg;
	struct alerts_service_job	*job = xcalloc(1, sizeof *job);

	job->b = b;
	job->receiver = xstrdup(receiver);
	if (ref > 0)
		xasprintf(&job->reply_to, "ref:%lld", (long long)ref);
	job->line = xstrdup(line);
	loop_post(b->loop, alerts_service_run_now, job);
}

/* The engine's ticket requests, to ServiceNow through the outbox. */
static void
alerts_service_ticket(void *arg, const struct alerts_ticket *t)
{
	struct bot		*b = arg;
	struct ticket_open	 o;
	char			*cause = NULL;
	int			 rc = 0;

	switch (t->what) {
	case ALERTS_TICKET_OPEN:
		memset(&o, 0, sizeof o);
		o.correlation_id = t->correlation_id;
		o.source = "alert";
		o.source_id = t->correlation_id;
		o.short_description = t->title;
		o.description = t->text;
		o.created_by = "opsbot";
		o.announce = t->receiver;
		o.ref = t->ref;
		/* No message to reply under: the configured channel. */
		if (t->ref == 0 && b->cfg->tickets.channel != NULL)
			o.announce = b->cfg->tickets.channel;
		rc = ticket_for(b, &o, NULL, &cause) < 0 ? -1 : 0;
		break;
	case ALERTS_TICKET_NOTE:
		rc = ticket_note(b, t->correlation_id, t->text, &cause);
		break;
	case ALERTS_TICKET_RESOLVE:
		rc = ticket_resolve(b, t->correlation_id, t->text, &cause);
		break;
	}
	if (rc < 0) {
		log_error("alerts", "ticket %s: %s", t->correlation_id, cause);
		free(cause);
	}
}

static int
alerts_service_start(struct bot *b, char **cause)
{
	struct alerts_sink	 sink;

	memset(&sink, 0, sizeof sink);
	sink.post = alerts_service_post;
	sink.backlog = alerts_service_backlog;
	sink.run = alerts_service_run;
	sink.ticket = alerts_service_ticket;
	sink.arg = b;
	if ((b->alerts = alerts_create(b->cfg, b->store, b->loop, &sink,
	    cause)) == NULL)
		return -1;
	b->alerts_http = alerts_http_start(b->httpd, b->alerts, b->cfg);
	return 0;
}

static void
alerts_service_reload(struct bot *b, const struct config *c)
{
	alerts_set_config(b->alerts, c);
	alerts_http_set_config(b->alerts_http, b->httpd, c);
}

/* Open alerts counted by (severity, state); distinct pairs are few. */
struct alerts_service_count {
	const char	*severity;
	enum alert_state state;
	double		 n;
};

static void
alerts_service_collect(struct bot *b)
{
	static const char *const states[] = { "firing", "acked", "silenced" };
	struct alerts_service_count	 c[64];
	const struct alert		*a;
	const struct silence		*s;
	const char			*sev;
	size_t				 nc = 0, i, silences = 0;
	int64_t				 now = clock_now_ms();

	metrics_clear("opsbot_alerts_open");
	if (b->alerts == NULL)
		return;
	for (a = alerts_first(b->alerts); a != NULL; a = a->next) {
		if (a->state > ALERT_SILENCED)
			continue;
		if ((sev = labels_get(&a->labels, "severity")) == NULL)
			sev = "none";
		for (i = 0; i < nc; i++)
			if (c[i].state == a->state &&
			    strcmp(c[i].severity, sev) == 0)
				break;
		if (i == nc) {
			if (nc == sizeof c / sizeof c[0])
				continue;
			c[nc++] = (struct alerts_service_count){ sev,
			    a->state, 0 };
		}
		c[i].n++;
	}
	for (i = 0; i < nc; i++)
		metrics_set("opsbot_alerts_open", c[i].n, "severity",
		    c[i].severity, "state", states[c[i].state], NULL);
	for (s = alerts_silences(b->alerts); s != NULL; s = s->next)
		if (s->ends_ms > now)
			silences++;
	metrics_set("opsbot_silences_active", (double)silences, NULL);
}

static void
alerts_service_free(struct bot *b)
{
	alerts_free(b->alerts);
	b->alerts = NULL;
	alerts_http_free(b->alerts_http);
	b->alerts_http = NULL;
}

const struct bot_service alerts_service = {
	.name = "alerts",
	.start = alerts_service_start,
	.reload = alerts_service_reload,
	.collect = alerts_service_collect,
	.free = alerts_service_free,
};

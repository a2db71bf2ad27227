/*
 * Silences inside the alert engine (see alerts.h): which silence holds
 * an alert, adding one from /silence, ending one (by hand or on expiry)
 * and recording the copy a remote Alertmanager keeps.
 */

#include <stdlib.h>
#include <string.h>

#include "cause.h"
#include "alerts.h"
#include "alerts_int.h"
#include "clock.h"
#include "config.h"
#include "log.h"
#include "store.h"
#include "store_alerts.h"
#include "xmalloc.h"

/* --------------------------------------------------------- silences */

const struct silence *
alerts_silenced_by(const struct alerts *al, const struct labels *l)
{
	const struct silence	*s;
	int64_t			 now = clock_now_ms();

	for (s = al->silences; s != NULL; s = s->next) {
		if (s->ends_ms > now && matchers_match(&s->matchers, l))
			return s;
	}
	return NULL;
}

void
alerts_silence_free(struct silence *s)
{
	matchers_release(&s->matchers);
	free(s->author);
	free(s->reason);
	free(s->remote_url);
	free(s->remote_id);
	free(s);
}

int64_t
alerts_silence(struct alerts *al, struct matchers *m, int64_t duration_s,
    const char *who, const char *reason, size_t *nsilenced, char **cause)
{
	struct silence		*s = xcalloc(1, sizeof *s);
	struct store_silence_row r;
	struct alert		*a;
	char			*json = matchers_to_json(m), *err = NULL;
	int64_t			 now = clock_now_ms();
	size_t			 n = 0;

	s->matchers = *m;
	memset(m, 0, sizeof *m);
	s->created_ms = now;
	s->ends_ms = now + duration_s * 1000;
	s->author = xstrdup(who);
	s->reason = xstrdup(reason != NULL ? reason : "");
	memset(&r, 0, sizeof r);
	r.matchers = json;
	r.created_ms = now;
	r.ends_ms = s->ends_ms;
	r.author = who;
	r.reason = s->reason;
	if (store_begin(al->store, cause) != 0 ||
	    (s->id = store_silence_add(al->store, &r, cause)) < 0)
		goto fail;
	for (a = al->head; a != NULL; a = a->next) {
		if (!alert_visible(a) || !matchers_match(&s->matchers,
		    &a->labels))
			continue;
		if (store_alert_event(al->store, a->id, now, who, "silenced",
		    s->reason, cause) != 0)
			goto fail;
		n++;
	}
	if (store_commit(al->store, cause) != 0)
		goto fail;
	free(json);
	/* Committed: now memory, and the rows' state with it. */
	for (a = al->head; a != NULL; a = a->next) {
		if (!alert_visible(a) || !matchers_match(&s->matchers,
		    &a->labels))
			continue;
		a->state = ALERT_SILENCED;
		a->silence_id = s->id;
		if (alerts_put(al, a, alert_shown(a), NULL, &err) != 0) {
			log_warn("alerts", "silence #%lld: %s", (long long)s->id,
			    err);
			free(err);
			err = NULL;
		}
		alerts_touch_groups(al, a, 1);
	}
	s->next = al->silences;
	al->silences = s;
	*nsilenced = n;
	alerts_schedule(al);
	return s->id;
fail:
	store_rollback(al->store);
	free(json);
	alerts_silence_free(s);
	return -1;
}

/* Ends silence s (expired or lifted): its alerts fire again. */
int
alerts_silence_end(struct alerts *al, struct silence *s, const char *who,
    char **cause)
{
	struct silence	**pp = &al->silences;
	struct alert	*a;
	int64_t		 now = clock_now_ms();
	const struct silence *other;
	char		*err = NULL;

	if (store_silence_end(al->store, s->id, now, cause) != 0)
		return -1;
	while (*pp != s)
		pp = &(*pp)->next;
	*pp = s->next;
	for (a = al->head; a != NULL; a = a->next) {
		if (a->state != ALERT_SILENCED || a->silence_id != s->id)
			continue;
		other = alerts_silenced_by(al, &a->labels);
		a->state = other != NULL ? ALERT_SILENCED : ALERT_FIRING;
		a->silence_id = other != NULL ? other->id : 0;
		/* The silence has ended: a row that fails is logged, no more. */
		if (store_alert_event(al->store, a->id, now, who,
		    other != NULL ? "silenced (another silence)" :
		    "silence ended", NULL, &err) != 0 ||
		    alerts_put(al, a, alert_shown(a), NULL, &err) != 0) {
			log_error("alerts", "alert #%lld: %s",
			    (long long)a->id, err);
			free(err);
			err = NULL;
		}
		alerts_touch_groups(al, a, 1);
	}
	log_info("alerts", "silence #%lld ended (%s)", (long long)s->id, who);
	alerts_silence_free(s);
	return 0;
}

int
alerts_unsilence(struct alerts *al, int64_t id, const char *who,
    char **cause)
{
	struct silence	*s;

	for (s = al->silences; s != NULL; s = s->next) {
		if (s->id == id)
			break;
	}
	if (s == NULL) {
		cause_set(cause, "no active silence #%lld (see /silences)",
		    (long long)id);
		return -1;
	}
	if (alerts_silence_end(al, s, who, cause) != 0)
		return -1;
	alerts_schedule(al);
	return 0;
}

int
alerts_silence_remote(struct alerts *al, int64_t id, const char *url,
    const char *remote_id, char **cause)
{
	struct silence	*s;

	for (s = al->silences; s != NULL && s->id != id; s = s->next)
		;
	if (s == NULL) {
		if (cause != NULL)
			cause_set(cause, "silence #%lld is no longer active",
			    (long long)id);
		return -1;
	}
	if (store_silence_remote(al->store, id, url, remote_id, cause) != 0)
		return -1;
	free(s->remote_url);
	free(s->remote_id);
	s->remote_url = xstrdup(url);
	s->remote_id = xstrdup(remote_id);
	return 0;
}

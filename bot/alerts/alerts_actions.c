/*
 * What chat asks of the alert engine (see alerts.h): looking alerts up,
 * acknowledging and resolving them by hand.
 */

#include <stdlib.h>
#include <string.h>

#include "cause.h"
#include "alerts.h"
#include "alerts_int.h"
#include "clock.h"
#include "store.h"
#include "store_alerts.h"
#include "xmalloc.h"

/* ------------------------------------------------- actions from chat */

static struct alert *
alerts_find_mut(const struct alerts *al, int64_t id)
{
	struct alert	*a;

	for (a = al->head; a != NULL; a = a->next) {
		if (a->id == id)
			return a;
	}
	return NULL;
}

const struct alert *
alerts_find(const struct alerts *al, int64_t id)
{
	return alerts_find_mut(al, id);
}

const struct alert *
alerts_first(const struct alerts *al)
{
	return al->head;
}

const struct silence *
alerts_silences(const struct alerts *al)
{
	return al->silences;
}

size_t
alerts_count(const struct alerts *al)
{
	return al->count;
}

/* Writes a person's change of one alert with its event; 0 or -1. */
static int
alerts_change(struct alerts *al, struct alert *a, enum alert_state state,
    const char *who, const char *what, const char *why, char **cause)
{
	enum alert_state	 old = a->state;
	char			*old_by = a->acked_by;
	int64_t			 now = clock_now_ms();

	a->state = state;
	if (state == ALERT_ACKED)
		a->acked_by = xstrdup(who);
	if (state == ALERT_RESOLVED)
		a->ends_ms = now;
	if (store_begin(al->store, cause) != 0 ||
	    alerts_put(al, a, alert_shown(a), NULL, cause) != 0 ||
	    store_alert_event(al->store, a->id, now, who, what, why,
	    cause) != 0 || store_commit(al->store, cause) != 0) {
		store_rollback(al->store);
		if (state == ALERT_ACKED)
			free(a->acked_by);
		a->acked_by = old_by;
		a->state = old;
		return -1;
	}
	if (state == ALERT_ACKED)
		free(old_by);
	alerts_touch_groups(al, a, 1);
	alerts_schedule(al);
	return 0;
}

int
alerts_ack(struct alerts *al, int64_t id, const char *who,
    const char *who_ref, const char *note, char **cause)
{
	struct alert	*a = alerts_find_mut(al, id);

	if (a == NULL || a->state == ALERT_RESOLVED) {
		cause_set(cause, "alert #%lld is not open (see /alerts)",
		    (long long)id);
		return -1;
	}
	if (a->state == ALERT_ACKED) {
		cause_set(cause, "alert #%lld was already acknowledged by %s",
		    (long long)id, a->acked_by != NULL ? a->acked_by : "?");
		return -1;
	}
	if (alerts_change(al, a, ALERT_ACKED, who, "acknowledged", note,
	    cause) != 0)
		return -1;
	free(a->acked_ref);
	a->acked_ref = who_ref != NULL ? xstrdup(who_ref) : NULL;
	alert_ticket_acked(al, a, who);
	return 0;
}

int
alerts_resolve(struct alerts *al, int64_t id, const char *who,
    const char *who_ref, const char *note, char **cause)
{
	struct alert	*a = alerts_find_mut(al, id);

	if (a == NULL || a->state == ALERT_RESOLVED) {
		cause_set(cause, "alert #%lld is not open (see /alerts)",
		    (long long)id);
		return -1;
	}
	return alerts_change(al, a, ALERT_RESOLVED, who, "resolved by hand",
	    note, cause);
}

/* Retention passes from a timer on the loop (see retention.h). */

#include <libwebsockets.h>
#include <stdlib.h>

#include "clock.h"
#include "config.h"
#include "log.h"
#include "loop.h"
#include "retention.h"
#include "store.h"
#include "xmalloc.h"

struct retention {
	lws_sorted_usec_list_t	 sul;
	struct loop		*loop;
	struct store		*store;
	struct retention_ages	 ages;
	int			 kind;	/* next kind of this pass */
	int64_t			 cutoff[STORE_PRUNE_NKINDS];
	int64_t			 deleted;	/* rows, this pass */
};

void
retention_ages(const struct config *c, struct retention_ages *a)
{
	a->ms[STORE_PRUNE_AUDIT] = c->retention.audit_s * 1000;
	a->ms[STORE_PRUNE_ALERTS] = c->retention.alerts_s * 1000;
	/* A closed group's note is as old as its alerts' messages. */
	a->ms[STORE_PRUNE_NOTES] = c->retention.alerts_s * 1000;
	a->ms[STORE_PRUNE_CHECKLISTS] = c->retention.checklists_s * 1000;
	a->ms[STORE_PRUNE_OUTBOX] = c->retention.outbox_s * 1000;
	a->ms[STORE_PRUNE_CONFIRMATIONS] = c->retention.confirmations_s *
	    1000;
	a->ms[STORE_PRUNE_DISK] = c->retention.disk_samples_s * 1000;
}

int64_t
retention_run(struct store *s, const struct retention_ages *a,
    int64_t now_ms, int batch, char **cause)
{
	int64_t	 total = 0;
	int	 k, n;

	for (k = 0; k < STORE_PRUNE_NKINDS; k++) {
		if (a->ms[k] <= 0)
			continue;
		do {
			n = store_prune(s, (enum store_prune_kind)k,
			    now_ms - a->ms[k], batch, cause);
			if (n < 0)
				return -1;
			total += n;
		} while (n == batch);
	}
	return total;
}

static void	retention_step(lws_sorted_usec_list_t *);

static void
retention_arm(struct retention *r, int64_t ms)
{
	lws_sul_schedule(loop_lws(r->loop), 0, &r->sul, retention_step,
	    (lws_usec_t)ms * LWS_US_PER_MS);
}

/* One batch per turn of the loop; the next one after a pause. */
static void
retention_step(lws_sorted_usec_list_t *sul)
{
	struct retention	*r = lws_container_of(sul, struct retention,
				    sul);
	int64_t			 now = clock_now_ms();
	char			*cause = NULL;
	int			 k, n;

	if (r->kind == 0 && r->deleted == 0) {
		/* A pass starts: one cutoff for all its batches. */
		for (k = 0; k < STORE_PRUNE_NKINDS; k++)
			r->cutoff[k] = now - r->ages.ms[k];
	}
	/* A command's transaction is open (it spans no turn, but be safe). */
	if (store_in_transaction(r->store)) {
		retention_arm(r, RETENTION_PAUSE_MS);
		return;
	}
	while (r->kind < STORE_PRUNE_NKINDS && r->ages.ms[r->kind] <= 0)
		r->kind++;
	if (r->kind < STORE_PRUNE_NKINDS) {
		n = store_prune(r->store, (enum store_prune_kind)r->kind,
		    r->cutoff[r->kind], RETENTION_BATCH, &cause);
		if (n < 0) {
			log_warn("retention", "%s: %s", store_prune_name(
			    (enum store_prune_kind)r->kind), cause);
			free(cause);
			n = 0;
		}
		r->deleted += n;
		if (n < RETENTION_BATCH)
			r->kind++;
		retention_arm(r, RETENTION_PAUSE_MS);
		return;
	}
	if (r->deleted > 0)
		log_info("retention", "deleted %lld old rows",
		    (long long)r->deleted);
	r->kind = 0;
	r->deleted = 0;
	retention_arm(r, RETENTION_EVERY_MS);
}

struct retention *
retention_start(struct loop *l, struct store *s,
    const struct retention_ages *a, int64_t first_ms)
{
	struct retention	*r = xcalloc(1, sizeof *r);

	r->loop = l;
	r->store = s;
	r->ages = *a;
	retention_arm(r, first_ms);
	return r;
}

void
retention_free(struct retention *r)
{
	if (r == NULL)
		return;
	lws_sul_cancel(&r->sul);
	free(r);
}

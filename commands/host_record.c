/* Hosts' last state and disk samples for the web page (host_record.h). */

#include <stdlib.h>
#include <string.h>

#include "bot.h"
#include "clock.h"
#include "config.h"
#include "host_record.h"
#include "log.h"
#include "parse.h"
#include "probes.h"
#include "store_hosts.h"

void
host_record_disks(struct bot *b, const struct probe *p)
{
	const struct cfg_host		*h = p->host;
	const struct parse_df_row	*row;
	struct parse_df			 df;
	char				*cause = NULL;
	int64_t				 now = clock_now_ms();
	size_t				 i;

	/* A failed or unreadable probe says nothing about the disks. */
	if (p->failure != NULL || h->nmounts == 0 ||
	    probe_disks_read(p, "df", &df, NULL) != 0)
		return;
	for (i = 0; i < h->nmounts; i++) {
		if ((row = parse_df_find(&df, h->mounts[i].path)) == NULL ||
		    row->pct < 0)
			continue;
		if (store_disk_sample_add(b->store, h->name,
		    h->mounts[i].path, now, row->pct,
		    HOST_RECORD_DISK_EVERY_MS, &cause) < 0) {
			log_warn("web", "host %s: %s", h->name, cause);
			free(cause);
			cause = NULL;
			break;
		}
	}
	parse_df_free(&df);
}

void
host_record_state(struct bot *b, const struct probe *p,
    enum remote_state state, const char *summary)
{
	char	*cause = NULL;

	/* health's line starts " (12 ms) — up ..." or " — why". */
	while (*summary == ' ')
		summary++;
	if (strncmp(summary, "\xe2\x80\x94 ", 4) == 0)
		summary += 4;
	if (store_host_state_put(b->store, p->host->name, clock_now_ms(),
	    remote_state_name(state), summary, &cause) != 0) {
		log_warn("web", "host %s: %s", p->host->name, cause);
		free(cause);
	}
	host_record_disks(b, p);
}

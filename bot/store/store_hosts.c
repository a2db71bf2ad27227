/* The SQL of hosts' last state and disk samples (see store_hosts.h). */

#include <sqlite3.h>
#include <stdlib.h>

#include "store.h"
#include "store_hosts.h"
#include "store_int.h"
#include "xmalloc.h"

int
store_host_state_put(struct store *s, const char *host, int64_t at_ms,
    const char *state, const char *summary, char **cause)
{
	sqlite3_stmt	*st;

	st = store_stmt(s, STORE_C_HOST_STATE_PUT, "INSERT INTO host_state "
	    "(host, at, state, summary) VALUES (?1, ?2, ?3, ?4) ON CONFLICT "
	    "(host) DO UPDATE SET at = ?2, state = ?3, summary = ?4", cause);
	if (st == NULL)
		return -1;
	store_bind_text(st, 1, host);
	sqlite3_bind_int64(st, 2, at_ms);
	store_bind_text(st, 3, state);
	store_bind_text(st, 4, summary);
	return store_step_done(s, st, cause, "cannot record a host's state");
}

int
store_disk_sample_add(struct store *s, const char *host, const char *mount,
    int64_t at_ms, int used_pct, int64_t every_ms, char **cause)
{
	sqlite3_stmt	*st;

	/* One statement: the check and the insert cannot be split. */
	st = store_stmt(s, STORE_C_DISK_SAMPLE_ADD, "INSERT INTO disk_samples "
	    "(host, mount, at, used_pct) SELECT ?1, ?2, ?3, ?4 WHERE NOT "
	    "EXISTS (SELECT 1 FROM disk_samples WHERE host = ?1 AND mount = "
	    "?2 AND at > ?3 - ?5)", cause);
	if (st == NULL)
		return -1;
	store_bind_text(st, 1, host);
	store_bind_text(st, 2, mount);
	sqlite3_bind_int64(st, 3, at_ms);
	sqlite3_bind_int(st, 4, used_pct);
	sqlite3_bind_int64(st, 5, every_ms);
	if (store_step_done(s, st, cause, "cannot record a disk sample") != 0)
		return -1;
	return store_changes(s) > 0;
}

int
store_host_state_get(struct store *s, const char *host, int64_t *at_ms,
    char **state, char **summary, char **cause)
{
	sqlite3_stmt	*st;
	int		 rc, found = 0;

	*state = *summary = NULL;
	st = store_stmt(s, STORE_C_HOST_STATE_GET, "SELECT at, state, summary "
	    "FROM host_state WHERE host = ?1", cause);
	if (st == NULL)
		return -1;
	store_bind_text(st, 1, host);
	while ((rc = store_next_row(s, st, "cannot read a host's state",
	    cause)) > 0) {
		*at_ms = sqlite3_column_int64(st, 0);
		free(*state);
		free(*summary);
		*state = xstrdup(store_col_text(st, 1) != NULL ?
		    store_col_text(st, 1) : "");
		*summary = xstrdup(store_col_text(st, 2) != NULL ?
		    store_col_text(st, 2) : "");
		found = 1;
	}
	return rc < 0 ? -1 : found;
}

int
store_disk_samples(struct store *s, const char *host, int64_t since_ms,
    store_disk_cb cb, void *arg, char **cause)
{
	struct store_disk_sample	 d;
	sqlite3_stmt			*st;
	int				 rc;

	st = store_stmt(s, STORE_C_DISK_SAMPLES, "SELECT mount, at, used_pct "
	    "FROM disk_samples WHERE host = ?1 AND at >= ?2 ORDER BY mount, "
	    "at", cause);
	if (st == NULL)
		return -1;
	store_bind_text(st, 1, host);
	sqlite3_bind_int64(st, 2, since_ms);
	while ((rc = store_next_row(s, st, "cannot read disk samples",
	    cause)) > 0) {
		d.mount = store_col_text(st, 0);
		d.at_ms = sqlite3_column_int64(st, 1);
		d.used_pct = sqlite3_column_int(st, 2);
		if (d.mount != NULL)
			cb(arg, &d);
	}
	return rc < 0 ? -1 : 0;
}

int
store_host_states(struct store *s, store_state_cb cb, void *arg,
    char **cause)
{
	struct store_host_state	 h;
	sqlite3_stmt		*st;
	int			 rc;

	st = store_stmt(s, STORE_C_HOST_STATES, "SELECT host, at, state, "
	    "summary FROM host_state ORDER BY CASE state WHEN 'UNREACHABLE' "
	    "THEN 0 WHEN 'CRIT' THEN 1 WHEN 'WARN' THEN 2 ELSE 3 END, host",
	    cause);
	if (st == NULL)
		return -1;
	while ((rc = store_next_row(s, st, "cannot read the hosts' states",
	    cause)) > 0) {
		h.host = store_col_text(st, 0) != NULL ? store_col_text(st, 0) :
		    "";
		h.at_ms = sqlite3_column_int64(st, 1);
		h.state = store_col_text(st, 2) != NULL ?
		    store_col_text(st, 2) : "";
		h.summary = store_col_text(st, 3) != NULL ?
		    store_col_text(st, 3) : "";
		cb(arg, &h);
	}
	return rc < 0 ? -1 : 0;
}

/* The SQL of the health summaries (see store_health.h). */

#include <sqlite3.h>
#include <stdlib.h>

#include "cause.h"
#include "store.h"
#include "store_health.h"
#include "store_int.h"

int
store_outbox_summary(struct store *s, store_outbox_summary_cb cb, void *arg,
    char **cause)
{
	sqlite3_stmt	*st;
	int		 rc;

	st = store_stmt(s, STORE_C_OUTBOX_SUMMARY, "SELECT platform, count(*), "
	    "min(created) FROM outbox WHERE state = 'pending' GROUP BY "
	    "platform", cause);
	if (st == NULL)
		return -1;
	while ((rc = store_next_row(s, st, "cannot read the outbox",
	    cause)) > 0)
		cb(arg, store_col_text(st, 0),
		    sqlite3_column_int64(st, 1), sqlite3_column_int64(st, 2));
	return rc < 0 ? -1 : 0;
}

int
store_checklist_last(struct store *s, store_checklist_last_cb cb, void *arg,
    char **cause)
{
	sqlite3_stmt	*st;
	int		 rc;

	st = store_stmt(s, STORE_C_CHECKLIST_LAST, "SELECT name, passed, "
	    "total, finished FROM checklist_runs WHERE id IN (SELECT max(id) "
	    "FROM checklist_runs GROUP BY name) ORDER BY name", cause);
	if (st == NULL)
		return -1;
	while ((rc = store_next_row(s, st, "cannot read checklist runs",
	    cause)) > 0)
		cb(arg, store_col_text(st, 0),
		    sqlite3_column_int(st, 1), sqlite3_column_int(st, 2),
		    sqlite3_column_int64(st, 3));
	return rc < 0 ? -1 : 0;
}

int
store_can_commit(struct store *s, char **cause)
{
	char	*why = NULL;

	if (store_in_transaction(s))
		return 0;	/* a write is under way: the store is in use */
	if (store_begin(s, &why) != 0 || store_commit(s, &why) != 0) {
		if (cause != NULL)
			cause_take(cause, why);
		else
			free(why);
		return -1;
	}
	return 0;
}

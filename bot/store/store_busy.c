/*
 * How long a statement waits for another writer's lock: up to
 * STORE_BUSY_TIMEOUT_MS, as sqlite3_busy_timeout() would, except on a
 * thread that said store_nowait(1), whose statements fail at once with
 * SQLITE_BUSY. The loop thread says so for writes it can retry later (the
 * audit rows an acknowledgement held back): waiting there would stall
 * every socket the loop serves.
 */

#include <sqlite3.h>

#include "store.h"
#include "store_int.h"

static _Thread_local int	store_nowait_on;

void
store_nowait(int on)
{
	store_nowait_on = on;
}

/* sqlite's own schedule of sleeps (ms), the last repeated. */
static int
store_busy_cb(void *arg, int count)
{
	static const unsigned char	 delays[] = { 1, 2, 5, 10, 15, 20, 25,
	    25, 25, 50, 50, 100 };
	const int			 n = (int)sizeof delays;
	int				 slept = 0, i, delay;

	(void)arg;
	if (store_nowait_on)
		return 0;
	for (i = 0; i < count && i < n; i++)
		slept += delays[i];
	if (count >= n)
		slept += (count - n) * delays[n - 1];
	delay = delays[count < n ? count : n - 1];
	if (slept + delay > STORE_BUSY_TIMEOUT_MS)
		delay = STORE_BUSY_TIMEOUT_MS - slept;
	if (delay <= 0)
		return 0;
	sqlite3_sleep(delay);
	return 1;
}

void
store_busy_install(sqlite3 *db)
{
	sqlite3_busy_handler(db, store_busy_cb, NULL);
}

int
store_was_busy(struct store *s)
{
	return (store_errcode(s) & 0xff) == SQLITE_BUSY;
}

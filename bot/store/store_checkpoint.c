/*
 * The WAL checkpointer: a thread with its own connection copies the WAL
 * back into the database file. Left to sqlite, the commit that crosses
 * 1,000 WAL pages runs the checkpoint itself, with two fsyncs, on the
 * thread that committed: the loop thread, every few hundred commands,
 * for several milliseconds (the ack of the command behind it waited).
 * The main connection's WAL hook only wakes the thread; a PASSIVE
 * checkpoint never blocks the writer, which goes on appending meanwhile.
 */

#include <pthread.h>
#include <sched.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "cause.h"
#include "log.h"
#include "store_int.h"
#include "xmalloc.h"

struct store_ckpt {
	sqlite3		*db;		/* the thread's own connection */
	pthread_t	 thread;
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;
	int		 wanted;	/* a commit crossed the threshold */
	/* The hook's own (sqlite serializes the connection's commits). */
	int		 next_at;	/* WAL pages that wake the thread */
	int		 last_pages;
	int		 stopping;
	uint64_t	 done;		/* checkpoints run */
};

/* The main connection's hook, after each commit: wake the thread. */
static int
store_ckpt_hook(void *arg, sqlite3 *db, const char *name, int pages)
{
	struct store_ckpt	*c = arg;

	(void)db;
	(void)name;
	/*
	 * Fewer pages than last time: the WAL restarted, checkpointed. A
	 * WAL that grew while the thread worked (it cannot restart under
	 * a commit) wakes it again only a quarter threshold later, not on
	 * every commit: each checkpoint costs two fsyncs.
	 */
	if (pages < c->last_pages)
		c->next_at = STORE_CHECKPOINT_PAGES;
	c->last_pages = pages;
	if (pages >= c->next_at) {
		c->next_at = pages + STORE_CHECKPOINT_PAGES / 4;
		pthread_mutex_lock(&c->mu);
		c->wanted = 1;
		pthread_cond_signal(&c->cv);
		pthread_mutex_unlock(&c->mu);
	}
	return SQLITE_OK;
}

static void *
store_ckpt_main(void *arg)
{
	struct store_ckpt	*c = arg;
	struct sched_param	 sp;
	int			 rc;

	/*
	 * Only when a CPU is free: copying a thousand pages must not take
	 * the CPU the loop thread wants. Busy for long, the WAL grows and
	 * is cut back on the next quiet restart.
	 */
	memset(&sp, 0, sizeof sp);
	(void)pthread_setschedparam(pthread_self(), SCHED_IDLE, &sp);
	pthread_mutex_lock(&c->mu);
	for (;;) {
		while (!c->wanted && !c->stopping)
			pthread_cond_wait(&c->cv, &c->mu);
		if (c->stopping)
			break;
		c->wanted = 0;
		pthread_mutex_unlock(&c->mu);
		rc = sqlite3_wal_checkpoint_v2(c->db, NULL,
		    SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
		/* Busy: another checkpoint; the next commit asks again. */
		if (rc != SQLITE_OK && rc != SQLITE_BUSY)
			log_warn("store", "WAL checkpoint failed: %s",
			    sqlite3_errmsg(c->db));
		pthread_mutex_lock(&c->mu);
		c->done++;
	}
	pthread_mutex_unlock(&c->mu);
	return NULL;
}

struct store_ckpt *
store_ckpt_start(sqlite3 *main_db, const char *path, char **cause)
{
	struct store_ckpt	*c = xcalloc(1, sizeof *c);

	if (sqlite3_open_v2(path, &c->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		cause_set(cause, "cannot open the checkpointer's connection: "
		    "%s", sqlite3_errmsg(c->db));
		sqlite3_close(c->db);
		free(c);
		return NULL;
	}
	c->next_at = STORE_CHECKPOINT_PAGES;
	sqlite3_busy_timeout(c->db, 1000);
	/* Its own last close must not checkpoint what the main one owns. */
	sqlite3_wal_autocheckpoint(c->db, 0);
	/*
	 * A connection learns the file is in WAL mode on its first read;
	 * until then a checkpoint is a no-op that returns SQLITE_OK.
	 */
	if (sqlite3_exec(c->db, "SELECT count(*) FROM sqlite_master", NULL,
	    NULL, NULL) != SQLITE_OK) {
		cause_set(cause, "cannot read with the checkpointer's "
		    "connection: %s", sqlite3_errmsg(c->db));
		sqlite3_close(c->db);
		free(c);
		return NULL;
	}
	pthread_mutex_init(&c->mu, NULL);
	pthread_cond_init(&c->cv, NULL);
	if (pthread_create(&c->thread, NULL, store_ckpt_main, c) != 0) {
		cause_set(cause, "cannot start the checkpointer thread");
		pthread_mutex_destroy(&c->mu);
		pthread_cond_destroy(&c->cv);
		sqlite3_close(c->db);
		free(c);
		return NULL;
	}
	/* Replaces sqlite's own automatic checkpoint on this connection. */
	sqlite3_wal_hook(main_db, store_ckpt_hook, c);
	return c;
}

void
store_ckpt_stop(struct store_ckpt *c, sqlite3 *main_db)
{
	if (c == NULL)
		return;
	sqlite3_wal_hook(main_db, NULL, NULL);
	pthread_mutex_lock(&c->mu);
	c->stopping = 1;
	pthread_cond_signal(&c->cv);
	pthread_mutex_unlock(&c->mu);
	pthread_join(c->thread, NULL);
	pthread_mutex_destroy(&c->mu);
	pthread_cond_destroy(&c->cv);
	sqlite3_close(c->db);
	free(c);
}

uint64_t
store_ckpt_done(struct store_ckpt *c)
{
	uint64_t	 n;

	if (c == NULL)
		return 0;
	pthread_mutex_lock(&c->mu);
	n = c->done;
	pthread_mutex_unlock(&c->mu);
	return n;
}

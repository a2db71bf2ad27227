/* The worker pool and the loop's cross-thread queue. */

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "loop.h"
#include "test.h"
#include "workers.h"

#define NJOBS	500

static pthread_t	 main_thread;
static atomic_int	 worked;
static int		 done_ok, done_cancelled, done_off_thread;
static struct loop	*the_loop;

static void
work_count(void *arg)
{
	atomic_fetch_add(&worked, 1);
}

static void
done_count(void *arg, enum workers_status st)
{
	if (!pthread_equal(pthread_self(), main_thread))
		done_off_thread++;
	if (st == WORKERS_DONE)
		done_ok++;
	else
		done_cancelled++;
	if (arg != NULL && done_ok + done_cancelled == *(int *)arg)
		loop_stop(the_loop);
}

static void
reset(void)
{
	atomic_store(&worked, 0);
	done_ok = done_cancelled = done_off_thread = 0;
	main_thread = pthread_self();
}

TEST(all_jobs_complete_on_loop_thread)
{
	char		*cause = NULL;
	struct workers	*w;
	int		 i, want = NJOBS;

	reset();
	the_loop = loop_create(0, &cause);
	ASSERT_NOT_NULL(the_loop);
	w = workers_create(3, the_loop);
	ASSERT_INT_EQ(workers_threads(w), 3);
	for (i = 0; i < NJOBS; i++)
		ASSERT_INT_EQ(workers_submit(w, work_count, done_count, &want),
		    0);
	loop_run(the_loop);
	ASSERT_INT_EQ(atomic_load(&worked), NJOBS);
	ASSERT_INT_EQ(done_ok, NJOBS);
	ASSERT_INT_EQ(done_cancelled, 0);
	ASSERT_INT_EQ(done_off_thread, 0);
	ASSERT_INT_EQ(workers_shutdown(w, 1000), 0);
	ASSERT_INT_EQ(workers_queued(w), 0);
	ASSERT_INT_EQ(workers_running(w), 0);
	/* After shutdown nothing is accepted, and done never runs. */
	ASSERT_INT_EQ(workers_submit(w, work_count, done_count, NULL), -1);
	workers_free(w);
	loop_free(the_loop);
	ASSERT_INT_EQ(done_ok, NJOBS);
}

static atomic_int	 gate_open;
static atomic_int	 gate_entered;

static void
work_gated(void *arg)
{
	atomic_store(&gate_entered, 1);
	while (!atomic_load(&gate_open))
		usleep(1000);
}

static void *
open_gate_later(void *arg)
{
	usleep(100 * 1000);
	atomic_store(&gate_open, 1);
	return NULL;
}

static void
wait_entered(void)
{
	int	 i;

	for (i = 0; i < 5000 && !atomic_load(&gate_entered); i++)
		usleep(1000);
	ASSERT(atomic_load(&gate_entered));
}

TEST(shutdown_cancels_queued_and_waits_running)
{
	char		*cause = NULL;
	struct workers	*w;
	pthread_t	 t;

	reset();
	atomic_store(&gate_open, 0);
	atomic_store(&gate_entered, 0);
	the_loop = loop_create(0, &cause);
	w = workers_create(1, the_loop);
	ASSERT_INT_EQ(workers_submit(w, work_gated, done_count, NULL), 0);
	wait_entered();
	ASSERT_INT_EQ(workers_submit(w, work_count, done_count, NULL), 0);
	ASSERT_INT_EQ(workers_submit(w, work_count, done_count, NULL), 0);
	ASSERT_INT_EQ(workers_queued(w), 2);
	ASSERT_INT_EQ(workers_running(w), 1);

	pthread_create(&t, NULL, open_gate_later, NULL);
	ASSERT_INT_EQ(workers_shutdown(w, 5000), 0);
	pthread_join(t, NULL);
	workers_free(w);
	/* Completions are delivered on the loop thread, here in loop_free. */
	ASSERT_INT_EQ(done_ok + done_cancelled, 0);
	loop_free(the_loop);
	ASSERT_INT_EQ(done_ok, 1);
	ASSERT_INT_EQ(done_cancelled, 2);
	ASSERT_INT_EQ(atomic_load(&worked), 0);
	ASSERT_INT_EQ(done_off_thread, 0);
}

TEST(shutdown_times_out_on_stuck_job)
{
	char		*cause = NULL;
	struct workers	*w;

	reset();
	atomic_store(&gate_open, 0);
	atomic_store(&gate_entered, 0);
	the_loop = loop_create(0, &cause);
	w = workers_create(2, the_loop);
	ASSERT_INT_EQ(workers_submit(w, work_gated, done_count, NULL), 0);
	wait_entered();
	/* The job is stuck: shutdown gives up after its timeout. */
	ASSERT_INT_EQ(workers_shutdown(w, 50), 1);
	atomic_store(&gate_open, 1);
	ASSERT_INT_EQ(workers_shutdown(w, 5000), 0);
	workers_free(w);
	loop_free(the_loop);
	ASSERT_INT_EQ(done_ok, 1);
}

static int	 posted[4];

static void
record_post(void *arg)
{
	int	 i = (int)(long)arg;

	posted[i] = posted[0] + 1;
	posted[0]++;
}

static void *
poster(void *arg)
{
	loop_post(the_loop, record_post, (void *)1L);
	loop_post(the_loop, record_post, (void *)2L);
	return NULL;
}

static void
stop_loop(void *arg)
{
	loop_stop(the_loop);
}

TEST(posts_run_in_order)
{
	char		*cause = NULL;
	pthread_t	 t;

	memset(posted, 0, sizeof posted);
	the_loop = loop_create(0, &cause);
	pthread_create(&t, NULL, poster, NULL);
	pthread_join(t, NULL);
	ASSERT_INT_EQ(loop_pending(the_loop), 2);
	loop_post(the_loop, stop_loop, NULL);
	loop_run(the_loop);
	ASSERT_INT_EQ(loop_pending(the_loop), 0);
	ASSERT_INT_EQ(posted[1], 1);
	ASSERT_INT_EQ(posted[2], 2);
	loop_free(the_loop);
}

static const struct test tests[] = {
	TEST_ENTRY(all_jobs_complete_on_loop_thread),
	TEST_ENTRY(shutdown_cancels_queued_and_waits_running),
	TEST_ENTRY(shutdown_times_out_on_stuck_job),
	TEST_ENTRY(posts_run_in_order),
	TEST_END
};

int
main(int argc, char **argv)
{
	return test_run(tests, argc, argv);
}

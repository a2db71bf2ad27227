/*
 * The worker pool (see workers.h). One mutex guards the queue; workers
 * sleep on a condition variable. Completions travel back through
 * loop_post(), so the done callbacks share the loop's single thread.
 */

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "loop.h"
#include "workers.h"
#include "xmalloc.h"

struct workers_job {
	workers_work_cb		 work;
	workers_done_cb		 done;
	void			*arg;
	enum workers_status	 status;
	struct workers		*pool;
	struct workers_job	*next;
};

struct workers {
	struct loop		*loop;
	pthread_t		*threads;
	int			 nthreads;
	pthread_mutex_t		 lock;
	pthread_cond_t		 wake;		/* a job or shutdown */
	pthread_cond_t		 idle;		/* a running job finished */
	struct workers_job	*head, *tail;
	size_t			 queued;
	size_t			 running;
	int			 stopping;
};

static void
workers_complete(void *arg)
{
	struct workers_job	*job = arg;

	job->done(job->arg, job->status);
	free(job);
}

static void *
workers_main(void *arg)
{
	struct workers		*w = arg;
	struct workers_job	*job;

	pthread_mutex_lock(&w->lock);
	for (;;) {
		while (w->head == NULL && !w->stopping)
			pthread_cond_wait(&w->wake, &w->lock);
		if (w->head == NULL)
			break;
		job = w->head;
		w->head = job->next;
		if (w->head == NULL)
			w->tail = NULL;
		w->queued--;
		w->running++;
		pthread_mutex_unlock(&w->lock);

		job->work(job->arg);
		job->status = WORKERS_DONE;
		loop_post(w->loop, workers_complete, job);

		pthread_mutex_lock(&w->lock);
		w->running--;
		pthread_cond_broadcast(&w->idle);
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

struct workers *
workers_create(int n, struct loop *loop)
{
	struct workers	*w = xcalloc(1, sizeof *w);
	pthread_condattr_t attr;
	int		 i;

	if (n < 1)
		n = 1;
	if (n > 64)
		n = 64;
	w->loop = loop;
	pthread_mutex_init(&w->lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&w->wake, NULL);
	pthread_cond_init(&w->idle, &attr);
	pthread_condattr_destroy(&attr);
	w->threads = xcalloc((size_t)n, sizeof *w->threads);
	for (i = 0; i < n; i++) {
		if (pthread_create(&w->threads[i], NULL, workers_main, w) != 0)
			break;
	}
	w->nthreads = i;
	return w;
}

int
workers_submit(struct workers *w, workers_work_cb work, workers_done_cb done,
    void *arg)
{
	struct workers_job	*job;

	pthread_mutex_lock(&w->lock);
	if (w->stopping || w->nthreads == 0) {
		pthread_mutex_unlock(&w->lock);
		return -1;
	}
	job = xcalloc(1, sizeof *job);
	job->work = work;
	job->done = done;
	job->arg = arg;
	job->pool = w;
	if (w->tail != NULL)
		w->tail->next = job;
	else
		w->head = job;
	w->tail = job;
	w->queued++;
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->lock);
	return 0;
}

size_t
workers_queued(struct workers *w)
{
	size_t	 n;

	pthread_mutex_lock(&w->lock);
	n = w->queued;
	pthread_mutex_unlock(&w->lock);
	return n;
}

size_t
workers_running(struct workers *w)
{
	size_t	 n;

	pthread_mutex_lock(&w->lock);
	n = w->running;
	pthread_mutex_unlock(&w->lock);
	return n;
}

int
workers_threads(struct workers *w)
{
	return w->nthreads;
}

int
workers_stopping(struct workers *w)
{
	int	 stopping;

	pthread_mutex_lock(&w->lock);
	stopping = w->stopping;
	pthread_mutex_unlock(&w->lock);
	return stopping;
}

size_t
workers_shutdown(struct workers *w, int64_t timeout_ms)
{
	struct workers_job	*job, *next;
	struct timespec		 deadline;
	size_t			 left;
	int			 i;

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += timeout_ms / 1000;
	deadline.tv_nsec += (timeout_ms % 1000) * 1000000;
	if (deadline.tv_nsec >= 1000000000) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000;
	}

	pthread_mutex_lock(&w->lock);
	w->stopping = 1;
	job = w->head;
	w->head = w->tail = NULL;
	w->queued = 0;
	pthread_cond_broadcast(&w->wake);
	while (w->running > 0) {
		if (pthread_cond_timedwait(&w->idle, &w->lock, &deadline) ==
		    ETIMEDOUT)
			break;
	}
	left = w->running;
	pthread_mutex_unlock(&w->lock);

	for (; job != NULL; job = next) {
		next = job->next;
		job->status = WORKERS_CANCELLED;
		loop_post(w->loop, workers_complete, job);
	}
	if (left == 0) {
		for (i = 0; i < w->nthreads; i++)
			pthread_join(w->threads[i], NULL);
		w->nthreads = 0;
	}
	return left;
}

void
workers_free(struct workers *w)
{
	/* Threads still running own the pool; the process exit reaps it. */
	if (w == NULL || w->nthreads != 0)
		return;
	pthread_mutex_destroy(&w->lock);
	pthread_cond_destroy(&w->wake);
	pthread_cond_destroy(&w->idle);
	free(w->threads);
	free(w);
}

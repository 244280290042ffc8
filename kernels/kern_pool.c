/* kernels/kern_pool.c -- a fixed pthread pool for row-parallel CPU kernels.
 *
 * Workers sleep on a condition variable until run() bumps the generation;
 * then every thread, the caller included, takes job indices from a shared
 * counter until none are left. run() returns when every job has finished,
 * not when every worker has woken: on a busy machine a worker that is not
 * scheduled in time simply finds no work left, and the caller does not wait
 * for it. Jobs and their fn/arg are claimed under the lock, so a late worker
 * can never run a job of a finished run.
 */
#include "kernels/kern_pool.h"

#include <assert.h>
#include <pthread.h>
#include <stdlib.h>

struct kern_pool {
    int threads;             /* workers + 1 */
    pthread_t *tid;
    pthread_mutex_t mu;
    pthread_cond_t wake, done;
    unsigned long gen;       /* bumped by run() */
    int quit;
    int next, njobs;         /* job counter of the current run, under mu */
    int finished;            /* jobs of the current run done */
    void (*fn)(void *, int, int);
    void *arg;
};

/* Take jobs until the counter runs out. Called with mu unlocked. */
static void drain(kern_pool *p)
{
    for (;;) {
        pthread_mutex_lock(&p->mu);
        int job = p->next < p->njobs ? p->next++ : -1;
        void (*fn)(void *, int, int) = p->fn;
        void *arg = p->arg;
        int n = p->njobs;
        pthread_mutex_unlock(&p->mu);
        if (job < 0)
            return;
        fn(arg, job, n);
        pthread_mutex_lock(&p->mu);
        if (++p->finished == p->njobs)
            pthread_cond_signal(&p->done);
        pthread_mutex_unlock(&p->mu);
    }
}

static void *worker(void *vp)
{
    kern_pool *p = vp;
    unsigned long seen = 0;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (p->gen == seen && !p->quit)
            pthread_cond_wait(&p->wake, &p->mu);
        if (p->quit)
            break;
        seen = p->gen;
        pthread_mutex_unlock(&p->mu);
        drain(p);
        pthread_mutex_lock(&p->mu);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

kern_pool *kern_pool_new(int threads)
{
    if (threads < 1)
        threads = 1;
    kern_pool *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->threads = 1;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->wake, NULL);
    pthread_cond_init(&p->done, NULL);
    p->tid = calloc((size_t)threads, sizeof *p->tid);
    if (!p->tid)
        goto fail;
    for (int i = 0; i < threads - 1; i++) {
        if (pthread_create(&p->tid[i], NULL, worker, p) != 0)
            goto fail;
        p->threads++;
    }
    return p;
fail:
    kern_pool_free(p);
    return NULL;
}

void kern_pool_free(kern_pool *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->mu);
    p->quit = 1;
    pthread_cond_broadcast(&p->wake);
    pthread_mutex_unlock(&p->mu);
    for (int i = 0; i < p->threads - 1; i++)
        pthread_join(p->tid[i], NULL);
    pthread_cond_destroy(&p->wake);
    pthread_cond_destroy(&p->done);
    pthread_mutex_destroy(&p->mu);
    free(p->tid);
    free(p);
}

int kern_pool_threads(const kern_pool *p) { return p ? p->threads : 1; }

void kern_pool_run(kern_pool *p, void (*fn)(void *arg, int job, int njobs), void *arg, int njobs)
{
    assert(fn && njobs >= 0);
    if (!p || p->threads == 1 || njobs <= 1) {
        for (int j = 0; j < njobs; j++)
            fn(arg, j, njobs);
        return;
    }
    pthread_mutex_lock(&p->mu);
    assert(p->next >= p->njobs && p->finished == p->njobs);
    p->fn = fn;
    p->arg = arg;
    p->next = 0;
    p->njobs = njobs;
    p->finished = 0;
    p->gen++;
    pthread_cond_broadcast(&p->wake);
    pthread_mutex_unlock(&p->mu);
    drain(p);
    pthread_mutex_lock(&p->mu);
    while (p->finished < p->njobs)
        pthread_cond_wait(&p->done, &p->mu);
    pthread_mutex_unlock(&p->mu);
}

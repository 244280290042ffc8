/* kernels/kern_pool.h -- the pthread pool behind KERN_CPU. Internal to
 * kernels/ (and the tests and GPU check that drive the CPU kernels directly).
 *
 * threads - 1 workers plus the caller. kern_pool_run() calls
 * fn(arg, job, njobs) once for every job in [0, njobs), spread over the
 * threads, and returns when all are done. One run at a time. Cost per run:
 * two condition-variable round trips (~10-50 us), no thread creation.
 *
 * Ownership: kern_pool_new() returns an owned pool (NULL when threads
 * cannot be had) freed by kern_pool_free(), which joins the workers.
 */
#ifndef FORKCAST_KERNELS_KERN_POOL_H
#define FORKCAST_KERNELS_KERN_POOL_H

#ifdef __cplusplus
extern "C" {
#endif

typedef struct kern_pool kern_pool;
kern_pool *kern_pool_new(int threads);
void kern_pool_free(kern_pool *p);
int kern_pool_threads(const kern_pool *p);
void kern_pool_run(kern_pool *p, void (*fn)(void *arg, int job, int njobs), void *arg, int njobs);

#ifdef __cplusplus
}
#endif

#endif

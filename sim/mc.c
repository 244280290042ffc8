/* sim/mc.c -- pthread replication runner, per-replication seeding, summaries. */
#include "sim/mc.h"

#include "base/status.h"

#include <assert.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#define MC_R_MAX (UINT64_C(1) << 31)
#define MC_THREADS_MAX 1024u
#define MC_ERRSZ 512

static uint64_t splitmix64(uint64_t x)
{
    x += UINT64_C(0x9e3779b97f4a7c15);
    x = (x ^ (x >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    x = (x ^ (x >> 27)) * UINT64_C(0x94d049bb133111eb);
    return x ^ (x >> 31);
}

uint32_t sim_mc_seed32(uint64_t seed, uint64_t r)
{
    assert(r < MC_R_MAX);
    const uint32_t m = 0x7fffffffu;
    uint64_t k = splitmix64(seed);
    /* Each step is a bijection of [0, 2^31): xor/add a constant, multiply by
     * an odd constant mod 2^31, x ^= x >> s. */
    uint32_t x = (uint32_t)r & m;
    x ^= (uint32_t)k & m;
    x = (x * 0x2c1b3c6du) & m;
    x ^= x >> 15;
    x = (x * 0x297a2d39u) & m;
    x ^= x >> 16;
    x = (x + (uint32_t)(k >> 32)) & m;
    return 0x80000000u | x;
}

const gsl_rng_type *sim_mc_rng_type(void) { return gsl_rng_taus2; }

void sim_mc_seed_rng(gsl_rng *rng, uint64_t seed, uint64_t r)
{
    gsl_rng_set(rng, sim_mc_seed32(seed, r));
}

unsigned sim_mc_threads_default(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    if (n < 1)
        return 1;
    return n > (long)MC_THREADS_MAX ? MC_THREADS_MAX : (unsigned)n;
}

typedef struct {
    const sim_mc_job *job;
    uint64_t block;          /* replications taken per grab */
    atomic_uint_fast64_t next;
    atomic_uint_fast64_t done;
    atomic_int stop;
    pthread_mutex_t lock;    /* guards the fail_* fields */
    uint64_t fail_r;         /* lowest failing r, UINT64_MAX if none */
    int fail_status;
    char fail_msg[MC_ERRSZ];
} mc_shared;

typedef struct {
    mc_shared *sh;
    gsl_rng *rng;
    unsigned thread;
    char err[MC_ERRSZ];
} mc_worker;

static void *mc_work(void *arg)
{
    mc_worker *w = arg;
    mc_shared *sh = w->sh;
    const sim_mc_job *job = sh->job;
    uint64_t R = job->replications;
    sim_mc_rep rep = {.rng = w->rng, .thread = w->thread, .err = w->err, .errsz = sizeof w->err};
    while (!atomic_load_explicit(&sh->stop, memory_order_relaxed)) {
        uint64_t lo = atomic_fetch_add(&sh->next, sh->block);
        if (lo >= R)
            break;
        uint64_t hi = lo + sh->block < R ? lo + sh->block : R;
        for (uint64_t r = lo; r < hi; r++) {
            if (atomic_load_explicit(&sh->stop, memory_order_relaxed))
                break;
            rep.r = r;
            w->err[0] = '\0';
            sim_mc_seed_rng(w->rng, job->seed, r);
            int st = job->fn(&rep, job->ctx);
            if (st != BASE_OK) {
                pthread_mutex_lock(&sh->lock);
                if (r < sh->fail_r) {
                    sh->fail_r = r;
                    sh->fail_status = st;
                    snprintf(sh->fail_msg, sizeof sh->fail_msg, "%s",
                             w->err[0] ? w->err : "failed");
                }
                pthread_mutex_unlock(&sh->lock);
                atomic_store(&sh->stop, 1);
                break;
            }
            uint64_t d = atomic_fetch_add(&sh->done, 1) + 1;
            if (w->thread == 0 && job->progress)
                job->progress(d, R, job->progress_ctx);
        }
    }
    return NULL;
}

int sim_mc_run(const sim_mc_job *job, char *err, size_t errsz)
{
    int status = BASE_OK;
    mc_worker *w = NULL;
    pthread_t *tid = NULL;
    unsigned nw = 0, started = 0;
    int lock_ok = 0;
    mc_shared sh;

    if (!job->fn)
        return base_errf(err, errsz, BASE_EINPUT, "monte carlo: no replication function");
    uint64_t R = job->replications;
    if (R > MC_R_MAX)
        return base_errf(err, errsz, BASE_EINPUT,
                          "monte carlo: replications: at most %" PRIu64 " (got %" PRIu64 ")",
                          MC_R_MAX, R);
    if (R == 0)
        return BASE_OK;

    unsigned T = job->threads ? job->threads : sim_mc_threads_default();
    if (T > MC_THREADS_MAX)
        T = MC_THREADS_MAX;
    if (T > R)
        T = (unsigned)R;

    memset(&sh, 0, sizeof sh);
    sh.job = job;
    /* ~16 grabs per worker balance load; blocks of at most 64 keep the
     * counter cold without starving anyone at the end. */
    sh.block = R / ((uint64_t)T * 16);
    sh.block = sh.block < 1 ? 1 : sh.block > 64 ? 64 : sh.block;
    atomic_init(&sh.next, 0);
    atomic_init(&sh.done, 0);
    atomic_init(&sh.stop, 0);
    sh.fail_r = UINT64_MAX;
    if (pthread_mutex_init(&sh.lock, NULL) != 0) {
        status = base_errf(err, errsz, BASE_ERUNTIME, "monte carlo: cannot create a mutex");
        goto cleanup;
    }
    lock_ok = 1;

    w = calloc(T, sizeof *w);
    tid = calloc(T, sizeof *tid);
    if (!w || !tid) {
        status = base_errf(err, errsz, BASE_ERUNTIME, "monte carlo: out of memory");
        goto cleanup;
    }
    for (nw = 0; nw < T; nw++) {
        w[nw].sh = &sh;
        w[nw].thread = nw;
        w[nw].rng = gsl_rng_alloc(sim_mc_rng_type());
        if (!w[nw].rng) {
            status = base_errf(err, errsz, BASE_ERUNTIME, "monte carlo: out of memory");
            goto cleanup;
        }
    }
    /* Workers 1..T-1 on new threads; if one cannot start, the rest of the
     * work falls to those that did (results do not depend on who runs r). */
    for (started = 1; started < T; started++)
        if (pthread_create(&tid[started], NULL, mc_work, &w[started]) != 0)
            break;
    mc_work(&w[0]);
    for (unsigned i = 1; i < started; i++)
        pthread_join(tid[i], NULL);

    if (sh.fail_r != UINT64_MAX) {
        status = base_errf(err, errsz, sh.fail_status, "replication %" PRIu64 ": %s",
                            sh.fail_r, sh.fail_msg);
        goto cleanup;
    }
    assert(atomic_load(&sh.done) == R);
    if (job->progress)
        job->progress(R, R, job->progress_ctx);

cleanup:
    if (w)
        for (unsigned i = 0; i < nw; i++)
            gsl_rng_free(w[i].rng);
    free(w);
    free(tid);
    if (lock_ok)
        pthread_mutex_destroy(&sh.lock);
    return status;
}

int sim_summarize(double *x, size_t n, sim_summary *out, char *err, size_t errsz)
{
    out->n = n;
    out->mean = out->sd = out->se = NAN;
    out->min = out->p50 = out->p95 = out->p99 = out->max = NAN;
    if (n == 0)
        return base_errf(err, errsz, BASE_EINPUT, "summary: no samples");
    for (size_t i = 0; i < n; i++)
        if (isnan(x[i]))
            return base_errf(err, errsz, BASE_EINPUT, "summary: sample %zu is NaN", i);
    gsl_sort(x, 1, n);
    out->mean = gsl_stats_mean(x, 1, n);
    out->sd = n > 1 ? gsl_stats_sd_m(x, 1, n, out->mean) : 0.0;
    out->se = out->sd / sqrt((double)n);
    out->min = x[0];
    out->max = x[n - 1];
    out->p50 = gsl_stats_quantile_from_sorted_data(x, 1, n, 0.50);
    out->p95 = gsl_stats_quantile_from_sorted_data(x, 1, n, 0.95);
    out->p99 = gsl_stats_quantile_from_sorted_data(x, 1, n, 0.99);
    return BASE_OK;
}

/* sim/mc.h -- parallel Monte Carlo replications and their summaries.
 *
 * sim_mc_run() runs replications r = 0..R-1 of a caller function over T
 * pthreads. Replication r draws from its own GSL stream, a function of
 * (seed, r) only, and writes its results into caller arrays at index r, so
 * the results are byte-identical for any thread count and any scheduling.
 *
 * Streams: generator gsl_rng_taus2 (L'Ecuyer's maximally equidistributed
 * Tausworthe, period 2^88, 3 words of state; seeding costs ~20 ns where
 * mt19937's costs microseconds, which matters when a replication is itself a
 * microsecond). Its seed is sim_mc_seed32(seed, r) = 2^31 | P_k(r), where
 * k = splitmix64(seed) keys P_k, a bijection of 31-bit integers (xor with
 * key, two rounds of odd multiply and xorshift, add key). So within one run
 * no two replications share a seed (R <= 2^31), and seed 0, which GSL maps
 * to 1, never occurs. Each worker owns one gsl_rng, re-seeded per
 * replication: no allocation per replication. (The Monte Carlo's fast path
 * draws from counter-based streams instead, sim/mc_rand.h, and runs
 * blocks of replications as this runner's "replications".)
 *
 * Scheduling: workers take blocks of consecutive r from an atomic counter.
 * The calling thread is worker 0 and alone calls the progress callback.
 * The first failing replication (lowest r among those that ran) stops the
 * others and is reported; arrays may then be partly filled.
 *
 * Ownership: everything is borrowed; the callback's rep->rng and rep->err
 * belong to the runner and are valid for the call only.
 */
#ifndef FORKCAST_SIM_MC_H
#define FORKCAST_SIM_MC_H

#include <stddef.h>
#include <stdint.h>

#include <gsl/gsl_rng.h>

typedef struct sim_mc_rep {
    uint64_t r;       /* replication index, 0..R-1 */
    gsl_rng *rng;     /* seeded for r; draw only from this */
    unsigned thread;  /* worker index in [0, threads): for per-thread scratch */
    char *err;        /* room for a one-line message when returning an error */
    size_t errsz;
} sim_mc_rep;

/* One replication: returns BASE_OK, or an error status with rep->err set.
 * Runs concurrently with other replications: touch only index r of shared
 * arrays and per-thread scratch indexed by rep->thread. */
typedef int (*sim_mc_fn)(const sim_mc_rep *rep, void *ctx);

/* done of total replications finished; from worker 0 only, after each of
 * its replications and once more with done == total at the end. */
typedef void (*sim_mc_progress_fn)(uint64_t done, uint64_t total, void *ctx);

typedef struct sim_mc_job {
    uint64_t replications;        /* R, <= 2^31 */
    unsigned threads;             /* T; 0: all online cores; clamped to R */
    uint64_t seed;
    sim_mc_fn fn;
    void *ctx;
    sim_mc_progress_fn progress;  /* optional */
    void *progress_ctx;
} sim_mc_job;

/* Run the job. Returns BASE_OK; BASE_EINPUT for R > 2^31 or no fn;
 * BASE_ERUNTIME if the runner cannot allocate; or the status of the first
 * failing replication, with "replication R: MESSAGE" in err.
 * Uses min(T, R) threads; if fewer threads can be started, runs on those
 * (results are the same). Cost: R calls of fn plus ~20 ns per replication. */
int sim_mc_run(const sim_mc_job *job, char *err, size_t errsz);

/* Threads the runner uses for threads == 0: online cores, at least 1. */
unsigned sim_mc_threads_default(void);

/* The 32-bit GSL seed of replication r (r < 2^31); and a convenience that
 * seeds rng with it, to replay one replication outside sim_mc_run (e.g. a
 * trace). The same rng type (gsl_rng_taus2) gives the same stream. */
uint32_t sim_mc_seed32(uint64_t seed, uint64_t r);
void sim_mc_seed_rng(gsl_rng *rng, uint64_t seed, uint64_t r);

/* The generator the runner uses: gsl_rng_taus2. */
const gsl_rng_type *sim_mc_rng_type(void);

/* Summary of n samples. sd is the sample standard deviation (n - 1), se =
 * sd / sqrt(n), both 0 when n == 1; quantiles by GSL's linear interpolation
 * between order statistics (gsl_stats_quantile_from_sorted_data). */
typedef struct sim_summary {
    size_t n;
    double mean, sd, se;
    double min, p50, p95, p99, max;
} sim_summary;

/* Summarise x[0..n). SORTS x IN PLACE (gsl_sort; pass a copy to keep the
 * order). Returns BASE_OK, or BASE_EINPUT (message in err) when n == 0 or
 * x holds a NaN; out is then all NaN. O(n log n), no allocation. */
int sim_summarize(double *x, size_t n, sim_summary *out, char *err, size_t errsz);

#endif

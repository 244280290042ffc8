/* sim/montecarlo.h -- Monte Carlo of the chunked job for every GPU count of a
 * scenario: the simulator's counterpart of model_evaluate().
 *
 * Replication r (0..R-1) runs one job (sim/job.h) per GPU count in
 * ascending order, k = 1 first (the baseline; run even when the scenario's
 * list lacks it), from random numbers that are a function of (seed, r)
 * only. Common random numbers: when every k's job is starts-only
 * (sim_job_starts_only: the start the only random phase, no effect --
 * overlay-e7 and most fitted scenarios), the replication draws the starts
 * once, for the largest k, and container i has the same start for every
 * k. Each k's numbers keep their law; the differences between GPU counts
 * (speedup, cost ratio, which k is best) lose the noise of independent
 * draws, and a replication over k in {1, 2, 4, 8, 16} draws 16 starts
 * instead of 31. Two paths give the replications:
 *   fast     starts-only jobs, bill not rounded, concat fixed and unbilled,
 *            starts fixed or lognormal (sim/mc_fast.h): a tile of
 *            replications at once from counter-based streams (sim/mc_rand.h),
 *            the jobs' constants taken from sim_job and checked against it
 *            to the bit; ~70 ns per replication of overlay-e7 over 5 k here;
 *   general  anything else: per replication a GSL stream seeded from
 *            (seed, r) (sim/mc.h), sim_job_draw_starts + sim_job_run_starts
 *            for common starts, sim_job_run otherwise (the event engine
 *            where effects apply).
 * The two give other numbers for the same seed (another stream, the same
 * law); stats->fast says which ran.
 *
 * Memory does not grow with R: nothing is kept per replication. The mean,
 * sd and breakdown are streamed (moments about each block's first value in
 * at most 1024 blocks of >= 64 replications, merged in block order); the
 * quantiles are exact order statistics found in passes that replay the
 * replications (sim/mc_quant.h: a pilot of <= 2^15 replications, then one
 * full pass up to R ~ 1.5 x 10^6, two up to ~2 x 10^9, three beyond), in
 * at most ~16 MiB plus ~50 KiB per thread and GPU count, whatever R
 * (docs/sim.md: ~10 MiB measured from R = 10^4 to 10^9). Every number is byte-identical for
 * any thread count: a block is summed by one thread in a fixed order,
 * quantile counts are integers, and the selections depend on values only.
 * R: up to 2^40 - 1 on the fast path, 2^31 on the general one (its GSL
 * seeds); all counts are 64-bit.
 *
 * Results fill a model_eval: method "sim", replications, seed; per k the
 * mean, sd (n - 1), standard error sd / sqrt(R) of wall and cost, their
 * p50/p95/p99 (linear interpolation between order statistics, as
 * gsl_stats_quantile_from_sorted_data), the mean breakdown; break_even[] is
 * -2 (not computed); then model_decide() gives speedup, cost ratio,
 * verdict. Costs: the replications once (R <= ~10^6) or twice, plus the
 * pilot; on the general path R * sum_k(containers) direct-path containers
 * at ~12-20 ns each, or engine events where effects apply.
 *
 * Progress: o->progress gets (replications streamed over every pass, an
 * estimate of their total) from the calling thread, (T, T) once at the end.
 *
 * Ownership: everything is borrowed; nothing is kept after a call.
 */
#ifndef FORKCAST_SIM_MONTECARLO_H
#define FORKCAST_SIM_MONTECARLO_H

#include "model/evaluate.h"
#include "sim/job.h"
#include "sim/mc.h"

#include <stdint.h>

typedef struct {
    long replications;            /* R >= 1 (64-bit long) */
    uint64_t seed;
    unsigned threads;             /* 0: all online cores */
    int flags;                    /* sim_job_new flags (SIM_JOB_FORCE_EVENTS) */
    sim_mc_progress_fn progress;  /* optional; see "Progress" above */
    void *progress_ctx;
} sim_montecarlo_opts;

/* What the model_eval has no room for, per entry of out->k[] (and base). */
typedef struct {
    long failed[MODEL_MAX_GPU_LIST];        /* replications whose job failed (retries exhausted) */
    double containers[MODEL_MAX_GPU_LIST];  /* mean containers launched per job */
    int events[MODEL_MAX_GPU_LIST];         /* 1: this k ran on the event engine */
    long base_failed;
    uint64_t engine_events;                 /* engine events over the whole run */
    int fast;                               /* 1: the fast path ran (sim/mc_fast.h) */
    int passes;                             /* passes over the replications, the pilot counted */
    size_t kept_peak;                       /* most values held at once for the quantiles */
} sim_montecarlo_stats;

/* Simulate s (frames = s->frames, GPU counts = s->gpus) and decide with mo.
 * stats may be NULL. Errors: BASE_EINPUT (R out of range for the path),
 * BASE_ERUNTIME. */
int sim_montecarlo_eval(const model_scenario *s, const model_opts *mo, const sim_montecarlo_opts *o,
                        model_eval *out, sim_montecarlo_stats *stats, char *err, size_t errsz);

/* Replay replication r of (seed) exactly as sim_montecarlo_eval runs it
 * (the same path), sending every phase of every k (baseline first) to trace. */
int sim_montecarlo_trace(const model_scenario *s, uint64_t seed, uint64_t r, int flags,
                         sim_job_trace_fn trace, void *tctx, char *err, size_t errsz);

#endif

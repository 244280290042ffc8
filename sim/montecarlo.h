/* sim/montecarlo.h -- Monte Carlo of the chunked job for every GPU count of a
 * scenario: the simulator's counterpart of model_evaluate().
 *
 * Replication r (0..R-1) draws from the stream of (seed, r) (sim/mc.h) and
 * runs one job (sim/job.h) per GPU count in ascending order, k = 1 first (the
 * baseline; run even when the scenario's list lacks it). Common random
 * numbers: when every k's job is starts-only (sim_job_starts_only: the start
 * the only random phase, no effect -- overlay-e7 and most fitted
 * scenarios), the replication draws the starts once, for the largest k, and
 * container i has the same start for every k. Each k's numbers keep their
 * law; the differences between GPU counts (speedup, cost ratio, which k is
 * best) lose the noise of independent draws, and a replication over k in
 * {1, 2, 4, 8, 16} draws 16 starts instead of 31. Otherwise each job draws
 * its own numbers in turn from the replication's stream. Per k it keeps one
 * wall and one cost per replication (two arrays of R doubles per k: the only
 * memory that grows with R). Replications run in fixed blocks (>= 64, at
 * most 1024 blocks); each block sums the critical container's phases and
 * the moments of wall and cost about its first value, and the blocks are
 * merged in block order, so every number is byte-identical for any thread
 * count.
 *
 * Results fill a model_eval: method "sim", replications, seed; per k the
 * mean, sd (n - 1), standard error sd / sqrt(R) of wall and cost, their
 * p50/p95/p99 (linear interpolation between order statistics, as
 * gsl_stats_quantile_from_sorted_data; found by bucketing and selecting, the arrays
 * spread over the threads), the mean breakdown; break_even[] is -2 (not
 * computed); then model_decide() gives speedup, cost ratio, verdict.
 * Costs: R * sum_k(containers) direct-path containers at ~12-20 ns each
 * (the draws included), or engine events where effects apply; plus two
 * bucketing passes per array for the quantiles.
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
    long replications;            /* R >= 1 */
    uint64_t seed;
    unsigned threads;             /* 0: all online cores */
    int flags;                    /* sim_job_new flags (SIM_JOB_FORCE_EVENTS) */
    sim_mc_progress_fn progress;  /* optional; counts blocks of replications */
    void *progress_ctx;
} sim_montecarlo_opts;

/* What the model_eval has no room for, per entry of out->k[] (and base). */
typedef struct {
    long failed[MODEL_MAX_GPU_LIST];        /* replications whose job failed (retries exhausted) */
    double containers[MODEL_MAX_GPU_LIST];  /* mean containers launched per job */
    int events[MODEL_MAX_GPU_LIST];         /* 1: this k ran on the event engine */
    long base_failed;
    uint64_t engine_events;                 /* engine events over the whole run */
} sim_montecarlo_stats;

/* Simulate s (frames = s->frames, GPU counts = s->gpus) and decide with mo.
 * stats may be NULL. Errors: BASE_EINPUT (R out of range), BASE_ERUNTIME. */
int sim_montecarlo_eval(const model_scenario *s, const model_opts *mo, const sim_montecarlo_opts *o,
                        model_eval *out, sim_montecarlo_stats *stats, char *err, size_t errsz);

/* Replay replication r of (seed) exactly as sim_montecarlo_eval runs it,
 * sending every phase of every k (baseline first) to trace. */
int sim_montecarlo_trace(const model_scenario *s, uint64_t seed, uint64_t r, int flags,
                         sim_job_trace_fn trace, void *tctx, char *err, size_t errsz);

#endif

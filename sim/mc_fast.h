/* sim/mc_fast.h -- the Monte Carlo's fast path: replications of
 * starts-only jobs (sim_job_starts_only) a tile at a time, as arithmetic
 * over arrays.
 *
 * When every job of the run list is starts-only, bills without rounding
 * (no granularity, no minimum), has a fixed, unbilled concat, and the starts
 * are fixed or lognormal, a replication is
 *     st[i] = exp(mu + sigma z(i, r)) + shift   (warm for i < min_containers)
 *     wall_k = max_{i<k} (st[i] + rest_k[i]) + concat_k
 *     cost_k = (restsum_k + sum_{i<w} st[i] + [cold billed] sum_{w<=i<k} st[i]) x rate
 * with z(i, r) the counter-based normal of slot i, replication r
 * (sim/mc_rand.h) and w = min(min_containers, k). sim_mc_fast_tile()
 * computes it for n consecutive replications: per slot one row of normals,
 * one libmvec exp over the row (model/vexp.h), then per k one max and the
 * running sums as vector loops over the tile -- no call per replication,
 * no generator state, no seeding.
 *
 * The constants come from the jobs themselves, through the public API: a
 * probe run of sim_job_run_starts() with container i the only one that can
 * be critical gives container i's phases (its breakdown) and the concat;
 * rest_k[i] is their sum in the job's order. sim_mc_fast_new() then runs 64
 * replications both ways (this kernel, and sim_job_run_starts() on the same
 * starts) and takes the fast path only if wall, cost and every phase of
 * the breakdown agree to the bit: so the fast path is sim_job's semantics,
 * not a copy of them, and a change there turns it off instead of making it
 * wrong (tests/test_sim.c checks that overlay-e7 takes it).
 *
 * The numbers differ from the general path's (sim/montecarlo.c: a GSL
 * stream per replication, sim_job_draw_starts): another stream, the same
 * law; the same for any thread count either way. Costs: ~0.7-1.3 ns per
 * normal, ~0.9 ns per exp, ~0.3 ns per container per k.
 *
 * Ownership: sim_mc_fast_new returns an owned plan (read-only, shared by
 * the threads) that borrows the jobs; scratch is per thread.
 */
#ifndef FORKCAST_SIM_MC_FAST_H
#define FORKCAST_SIM_MC_FAST_H

#include "model/scenario.h"
#include "sim/job.h"

#include <stddef.h>
#include <stdint.h>

typedef struct sim_mc_fast sim_mc_fast;

/* A plan for jobs[0..njobs) (of scenario s, GPU counts ks[], ascending)
 * and seed, or *out = NULL when the fast path does not apply. R:
 * replications (the streams hold fewer than 2^40). Errors: BASE_ERUNTIME
 * (out of memory). */
int sim_mc_fast_new(const model_scenario *s, sim_job *const *jobs, const int *ks, int njobs, uint64_t seed,
                    uint64_t R, sim_mc_fast **out, char *err, size_t errsz);
void sim_mc_fast_free(sim_mc_fast *f);

/* Replications per tile (a multiple of 8), and a thread's scratch (doubles). */
size_t sim_mc_fast_tile_len(const sim_mc_fast *f);
size_t sim_mc_fast_scratch_len(const sim_mc_fast *f);

/* Replications r0 .. r0 + n - 1 (n <= the tile length): wall[j][t] and
 * cost[j][t] for job j (room for the tile length); bd (nullable): per job,
 * the critical container's phases summed over the n replications, added
 * to bd[j]. */
void sim_mc_fast_tile(const sim_mc_fast *f, double *scratch, uint64_t r0, size_t n, double *const *wall,
                      double *const *cost, model_breakdown *bd);

/* The starts of replication r (kmax of them, the largest k's), exactly as
 * a tile draws them: for a trace through sim_job_run_starts(). */
void sim_mc_fast_starts(const sim_mc_fast *f, uint64_t r, double *st);
int sim_mc_fast_kmax(const sim_mc_fast *f);

#endif

/* sim/mc_rand.h -- counter-based random numbers for the Monte Carlo's fast
 * path (sim/mc_fast.h): draw (slot, r) is a pure function of (seed, slot, r),
 * computed for a whole row of replications at once.
 *
 * Stream: u(slot, r) = mix64(key + (slot * 2^40 + r) * gamma), gamma =
 * 0x9e3779b97f4a7c15 and mix64 the SplitMix64 finaliser (Steele, Lea &
 * Flood, "Fast splittable pseudorandom number generators", OOPSLA 2014),
 * key = splitmix64(seed). For a fixed slot, consecutive r are consecutive
 * outputs of SplitMix64 (it passes BigCrush); slots are segments 2^40
 * outputs apart, so r < 2^40 and slot < 2^24 never meet. No state, no
 * seeding: any thread computes any (slot, r), and a row of replications is
 * a vector loop.
 *
 * Normals: the ziggurat of Marsaglia & Tsang (J. Stat. Softw. 5(8), 2000)
 * with 256 layers; r = 3.65415288536101 is solved at start-up from the
 * equal-area condition (erfc), the tables filled from it. One u gives the
 * layer (bits 0-7), the sign (bit 8) and a 52-bit abscissa (bits 12-63):
 * 98.5% of draws end there (one multiply, one compare). The rest (the wedges,
 * the top cap, the tail beyond r by Marsaglia's exponential method) draw
 * uniforms from a second stream of (seed, slot, r) -- a SplitMix64 sequence
 * started at mix64(key2 + (slot * 2^40 + r) * gamma) -- and loop as the
 * paper does. tests/test_mc_rand.c checks the law.
 *
 * Implementations: AVX-512 (8 lanes), AVX2 (4 lanes), scalar; chosen by
 * CPU (sim_rand_isa). All are integer arithmetic and exact double products, so they give
 * the same bits (tested). Costs here, the misses included: ~1.1 ns per
 * normal (AVX-512), 1.8 ns (AVX2), 1.9 ns (scalar), against ~12 ns for
 * gsl_ran_gaussian_ziggurat on a freshly seeded gsl_rng.
 */
#ifndef FORKCAST_SIM_MC_RAND_H
#define FORKCAST_SIM_MC_RAND_H

#include <stddef.h>
#include <stdint.h>

#define SIM_RAND_R_MAX (UINT64_C(1) << 40)   /* r < this */
#define SIM_RAND_SLOT_MAX (UINT64_C(1) << 24) /* slot < this */

typedef struct {
    uint64_t key, key2;   /* main stream, slow-path stream */
} sim_rand;

void sim_rand_init(sim_rand *g, uint64_t seed);

/* The raw 64-bit draw u(slot, r). */
uint64_t sim_rand_u64(const sim_rand *g, uint64_t slot, uint64_t r);

/* z[t] = a + b N(slot, r0 + t) for t < n, N the standard normal of the
 * draw (a lognormal's log: mu + sigma N). */
void sim_rand_normals(const sim_rand *g, uint64_t slot, uint64_t r0, size_t n, double a, double b, double *z);

/* The same draw alone: equal to sim_rand_normals' z[r - r0]. */
double sim_rand_normal(const sim_rand *g, uint64_t slot, uint64_t r, double a, double b);

/* For tests: run implementation isa (0 scalar, 1 AVX2, 2 AVX-512); returns
 * -1 (z untouched) when this CPU lacks it. */
int sim_rand_normals_isa(int isa, const sim_rand *g, uint64_t slot, uint64_t r0, size_t n, double a, double b,
                         double *z);

/* The vector instructions the Monte Carlo's kernels use (here and in
 * sim/mc_fast.c, sim/mc_quant.c, sim/montecarlo.c): 2 AVX-512, 1 AVX2, 0
 * none; this CPU's best, capped by sim_rand_cap_isa() (for tests: every
 * level gives the same bits; process-wide, not for concurrent use). */
int sim_rand_isa(void);
void sim_rand_cap_isa(int cap);

#endif

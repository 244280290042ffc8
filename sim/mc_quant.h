/* sim/mc_quant.h -- exact p50/p95/p99 of values that are replayed, not
 * stored: the Monte Carlo's quantiles in memory that does not grow with R.
 *
 * There are A arrays of n values (array a: the wall or the cost of one GPU
 * count; value r: replication r's). The caller can replay any replication,
 * so it streams the values through passes; each pass narrows, for every
 * wanted rank, an interval of values known to hold it, until that interval
 * is small enough to keep and select from:
 *   pilot    replications [0, P), P = min(2^15, 2^20 / A): all kept; per
 *            fraction f the pilot's order statistics f (P - 1) -/+ (6 sd + 2)
 *            bound a bracket [lo, hi) that holds the full sample's order
 *            statistic unless the pilot is 6 sd off (p ~ 1e-9; then it is
 *            found in a gap, one pass later: still exact);
 *   pass 1   all n: per array, the count below each bracket; in each
 *            bracket the values are kept when the brackets' expected counts
 *            fit the budget (2^20 values in all, 8 MiB: then this pass ends
 *            it, up to R ~ 10^6 here), else counted in 1024 bins;
 *   pass 2+  per rank still open: its bin (or gap) kept if it fits what is
 *            left of the budget, else binned again (a p50 bin of pass 1
 *            holds ~3 x 10^-5 R values: pass 2 ends it below R ~ 2 x 10^9).
 * n <= P: pass 1 keeps everything, no pilot. An interval whose values are
 * all equal (ties: a cost under a billing granularity) is resolved by its
 * min = max. The result is the order statistic sorting gives, for any
 * thread count and any order of arrival: the counts are integers and a
 * selection depends on the values only. Quantiles interpolate linearly
 * between order statistics lhs = floor(f (n - 1)) and lhs + 1, as
 * gsl_stats_quantile_from_sorted_data (in 64-bit ranks: any n).
 *
 * Memory, whatever n: the pilot (<= 8 MiB), the kept values (<= 8 MiB, or
 * what one rank's interval holds when nothing smaller can be split off:
 * pathological ties at the ulp scale), per binned interval 1024 bins of 4
 * bytes per thread and 8 merged (<= 6 intervals per array). Cost per value
 * and pass: a compare or two per interval (vector loops: AVX-512, AVX2 or
 * generic, sim_rand_isa), a bin or a copy for the few inside one.
 *
 * Use: sim_quant_new; while ((kind = sim_quant_begin(q, &m)) !=
 * SIM_QUANT_DONE) { stream the values of replications [0, m), every array,
 * through sim_quant_add (concurrently, one `thread` index per caller
 * thread); sim_quant_end(q) }; sim_quant_get. Values must be finite (the
 * caller checks its means first). Ownership: sim_quant_new returns an owned
 * object freed by sim_quant_free.
 */
#ifndef FORKCAST_SIM_MC_QUANT_H
#define FORKCAST_SIM_MC_QUANT_H

#include <stddef.h>
#include <stdint.h>

#define SIM_QUANT_NF 3              /* fractions: 0.50, 0.95, 0.99 */
#define SIM_QUANT_BUDGET (1u << 20) /* values kept at once (and the pilot's room) */

typedef enum { SIM_QUANT_DONE, SIM_QUANT_PILOT, SIM_QUANT_FULL } sim_quant_kind;

typedef struct sim_quant sim_quant;

/* A arrays (>= 1) of n values (>= 1), fed by up to `threads` threads;
 * budget: values kept at once (0: SIM_QUANT_BUDGET; tests pass less to
 * exercise more passes). Errors: BASE_EINPUT, BASE_ERUNTIME (out of memory). */
int sim_quant_new(int narrays, uint64_t n, unsigned threads, size_t budget, sim_quant **out, char *err,
                  size_t errsz);
void sim_quant_free(sim_quant *q);

/* Plans the next pass: SIM_QUANT_PILOT or SIM_QUANT_FULL with *reps the
 * replications to stream ([0, *reps)), or SIM_QUANT_DONE. Returns -1 when
 * out of memory (message in err). The first SIM_QUANT_FULL pass streams
 * every replication first: the caller's streaming summaries go there. */
int sim_quant_begin(sim_quant *q, uint64_t *reps, char *err, size_t errsz);

/* Values x[0..m) of array a, from the caller thread `thread`. */
void sim_quant_add(sim_quant *q, unsigned thread, int a, const double *x, size_t m);

/* Closes the pass. Errors: BASE_ERUNTIME (out of memory, or the values
 * were not the same as in the previous passes: a replay that is not
 * deterministic). */
int sim_quant_end(sim_quant *q, char *err, size_t errsz);

/* Array a's p50, p95, p99 (after SIM_QUANT_DONE). */
void sim_quant_get(const sim_quant *q, int a, double out[SIM_QUANT_NF]);

/* 1 when the pass just planned bins some interval: another pass will follow. */
int sim_quant_bins(const sim_quant *q);

/* Passes run so far (the pilot counted), and the most values held at once
 * in keep buffers over all passes. */
int sim_quant_passes(const sim_quant *q);
size_t sim_quant_peak_kept(const sim_quant *q);

/* Replications in the pilot for A arrays and a budget (0: the default): P
 * above, at least 16. */
uint64_t sim_quant_pilot_size(int narrays, size_t budget);

#endif

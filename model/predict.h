/* model/predict.h -- closed-form prediction of one job split over k GPUs.
 *
 * Semantics (DESIGN.md; the split, transfers, billing rounding and concat
 * rate are model/chunk.h's): N frames split as evenly as possible (the first
 * N mod k containers get one more). Container i takes
 *   start (warm for i < min_containers, else cold) + request + download
 *   + ffmpeg_start + seek (i > 0) + process(n_i) + upload(output * n_i / N),
 * wall_k = max_i container_i + (k > 1 ? concat_s + k * concat_per_chunk : 0).
 * process(n) is model_dist_sum(per_frame, n).
 *
 * Containers fall into at most six classes (warm/cold x seek/no seek x n or
 * n+1 frames), each with CDF F_c and count m_c, so
 *   E[max] = lo + integral_lo^hi (1 - prod_c F_c(t)^m_c) dt   (GSL QAG),
 * p-quantiles solve prod_c F_c^m_c = p (GSL Brent), concat is added by
 * mixing over its quantiles (model/rv.h). Each F_c is the overhead sum
 * (start, request, ffmpeg_start, seek: model/rv.h, convolved once per
 * scenario in model_prep) plus the processing time.
 *
 * Billing: each container's billed time is its time (less the cold start
 * when billing.includes_cold_start is false) rounded up to the granularity,
 * at least the minimum; E[billed] is exact (sum over granules of CDF
 * differences; above 10^5 granules, the continuous integral + g/2). Concat is
 * billed for its duration at the CPU rate (cores*cpu + mem) or the full GPU
 * rate, or not at all. cost_p50/p95/p99 use a normal approximation from the
 * exact mean and variance; wall quantiles are exact up to quadrature.
 *
 * model_prep caches the overhead distributions of one scenario. It borrows
 * the scenario: per_frame, frames, sizes, bandwidths and prices may change
 * between predictions; the overhead fields (cold/warm start, request,
 * ffmpeg_start, seek, billing.includes_cold_start, min_containers) must not.
 * A prep is not thread-safe (it owns an integration workspace): one per
 * thread.
 */
#ifndef FORKCAST_MODEL_PREDICT_H
#define FORKCAST_MODEL_PREDICT_H

#include "model/rv.h"
#include "model/scenario.h"

typedef struct {
    double start, request, download, ffmpeg_start, seek, process, upload, concat;
} model_breakdown;

typedef struct {
    int gpus;
    double wall_mean, wall_p50, wall_p95, wall_p99;
    double wall_sd, wall_se;        /* se: standard error of the mean (sim); 0 for the model */
    double cost_mean, cost_p50, cost_p95, cost_p99;
    double cost_sd, cost_se;
    double speedup, cost_ratio;     /* against k = 1 */
    int beneficial;
    model_breakdown breakdown;      /* mean phase times on the critical (slowest) container */
} model_kresult;

typedef struct model_prep model_prep;

int model_prep_new(const model_scenario *s, model_prep **out, char *err, size_t errsz);
void model_prep_free(model_prep *p);

/* Predict one job of `frames` frames (may be fractional: an even split,
 * for break-even search) on k containers. speedup/cost_ratio/beneficial are
 * left 0: model_evaluate fills them. */
int model_predict_k(model_prep *p, double frames, int k, model_kresult *out, char *err, size_t errsz);

/* E[wall] and E[cost] only, for grids and searches (forkcast sweep, the
 * map chart, break-even): the same semantics as model_predict_k, with the
 * overhead CDFs tabulated once per prep (model_rv_table) and no quantiles,
 * variances or breakdown. Relative difference from model_predict_k about
 * 1e-7 (up to 2e-5 where a CDF is piecewise linear), checked in
 * tests/test_model.c. A random per-frame cost falls back to
 * model_predict_k. Cost ~3 us against ~70 us on the default scenario. */
int model_predict_means(model_prep *p, double frames, int k, double *wall, double *cost, char *err,
                        size_t errsz);

/* Expected billed seconds of a container whose time has CDF cdf(t, ctx) with
 * support [lo, hi], exact mean and variance, under granularity g and
 * minimum mn. Also gives the second moment (for variance). Exposed for tests. */
typedef double (*model_cdf_fn)(double t, const void *ctx);
void model_billed_moments(model_cdf_fn cdf, const void *ctx, double lo, double hi, double mean,
                          double var, double g, double mn, double *e1, double *e2);

#endif

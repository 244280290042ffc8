/* model/predict.h -- closed-form prediction of one job split over k GPUs.
 *
 * Semantics (docs/model.md; the split, transfers, billing rounding and concat
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
 * Fast path (model/predict_fast.c): with a random per-frame law the CDFs
 * above are read from verified 8-point tables (model/cdftab.h): each
 * overhead sum's once per prep, each processing law's (n, n + 1 frames)
 * once per job, each class's mixture over its nodes (one convolution of
 * its component's table with the nodes' weights) and the max over the
 * classes once per job; the nodes, classes, quadratures, quantile solves
 * and billing sums are the exact path's. Every table is within 1e-8 of
 * what it replaces at each midpoint of its checked level (the table in use
 * has half that step). A class whose table does not verify -- a law with
 * kinks or atoms (uniform, empirical, a convolution grid of two random
 * overheads), GSL's incomplete gamma where it is noisy (shapes above
 * ~3e4) -- stays exact. Against the exact path (model_prep_set_exact)
 * mean, quantiles and sd of the wall and mean cost agree within 1e-6
 * relative, the documented tolerance (tests/test_plan.c on random
 * scenarios; observed <= 2e-10); ~45 ms -> ~0.7 ms per (frames, k) with
 * gamma per-frame times and a random concat (bench/bench_plan.c).
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
/* 1: never use the fast path's tables (the exact computation, for tests and
 * checks); 0 (the default): use them where they verify. */
void model_prep_set_exact(model_prep *p, int exact);

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

/* The wall CDF of (frames, k) as model_predict_k computes it (the same
 * classes, max and concat mixing), at n points t[0..n) (any order) into
 * F[0..n); *lo and *hi (nullable) get its support, concat included: F is 0
 * below lo and at least 1 - k * 1e-9 from hi. n may be 0 (the support only).
 * With a random concat and n >= 16 the max's CDF is tabulated on 6n points
 * and interpolated under the concat mixing (differences ~1e-6, checked in
 * tests/test_plan.c); otherwise exact. Cost: one class build plus n (6n
 * with a random concat) max CDF evaluations, each about (classes x
 * MODEL_RV_NODES) dist CDFs when a phase besides the start is random, a few
 * otherwise. */
int model_predict_wall_cdf(model_prep *p, double frames, int k, const double *t, int n, double *F,
                           double *lo, double *hi, char *err, size_t errsz);

/* One job (frames, k) set up once -- classes, concat, the fast path's
 * tables -- for model_predict_k's result and any number of wall CDF
 * evaluations (forkcast plan asks both of every group choice). Borrows the
 * prep, whose scenario must not change while the job lives; free with
 * model_job_free. model_predict_k and model_predict_wall_cdf are
 * new + one question + free. model_job_fast: 1 when every class is on the
 * fast path (for tests and benches). */
typedef struct model_job model_job;
int model_job_new(model_prep *p, double frames, int k, model_job **out, char *err, size_t errsz);
void model_job_predict(model_job *j, model_kresult *out);
int model_job_wall_cdf(model_job *j, const double *t, int n, double *F, double *lo, double *hi, char *err,
                       size_t errsz);
int model_job_fast(const model_job *j);
void model_job_free(model_job *j);

/* Expected billed seconds of a container whose time has CDF cdf(t, ctx) with
 * support [lo, hi], exact mean and variance, under granularity g and
 * minimum mn. Also gives the second moment (for variance). Exposed for tests. */
typedef double (*model_cdf_fn)(double t, const void *ctx);
void model_billed_moments(model_cdf_fn cdf, const void *ctx, double lo, double hi, double mean,
                          double var, double g, double mn, double *e1, double *e2);

#endif

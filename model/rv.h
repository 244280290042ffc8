/* model/rv.h -- the distribution of a sum of independent random times, for
 * the closed-form predictor.
 *
 * A model_rv is built from a list of parts (dist_i, mult_i) plus a constant:
 *   X = offset + sum_i mult_i * D_i.
 * No random part: a point. One random part: the part's own CDF, exact.
 * Two or more: numerical convolution on a uniform grid of G points spanning
 * [sum of 1e-10 quantiles, sum of 1-1e-10 quantiles], G the smallest power
 * of two from MODEL_RV_GRID up to MODEL_RV_GRID_MAX that puts
 * MODEL_RV_CELLS_PER_IQR cells across the widest part's interquartile range
 * (a heavy tail stretches the span; the bulk must still be resolved): each
 * part's mass per cell (CDF differences), convolved by FFT (GSL radix-2),
 * giving a piecewise-linear CDF; the grid is then shifted so its mean equals
 * the exact mean (sum of the parts' means). Error: O(h^2) in the CDF with
 * h = range / G, about 1e-6 relative in E[max] for smooth parts
 * (tests/test_model.c checks it against a brute-force double integral); at
 * the heaviest tails model/bounds.h allows (lognormal sigma 1.6 plus a
 * Weibull of shape 0.3 or a gamma of cv 4: G = 2^20) at most 4e-5 in the
 * CDF from its 20th percentile up and 3.3e-4 at the 5th, where the heavy
 * tail compresses the bulk (tests/test_bounds.c, against direct
 * integration). A build at G = 2^20 costs ~0.2 s and 24 MiB while it runs.
 *
 * model_rv_sum_cdf() adds one more independent dist Y without a new grid: it
 * mixes over MODEL_RV_NODES quantile midpoints of the narrower of X and Y
 * (means matched exactly) and uses the wider one's CDF. This is how a chunk's
 * processing time, which changes with the frame count, is added to the
 * overheads, which don't.
 *
 * Ownership: model_rv_build() fills a caller struct that owns its grid;
 * release with model_rv_free(). Costs: build O(G log G) for grids, O(1)
 * otherwise; cdf O(1) (empirical parts O(log n)); quantile O(log(1/tol)) cdfs.
 */
#ifndef FORKCAST_MODEL_RV_H
#define FORKCAST_MODEL_RV_H

#include "model/dist.h"

#define MODEL_RV_GRID 8192
#define MODEL_RV_GRID_MAX 1048576
#define MODEL_RV_CELLS_PER_IQR 64
#define MODEL_RV_NODES 48
#define MODEL_RV_MAXPARTS 8

typedef enum { MODEL_RV_POINT, MODEL_RV_DIST, MODEL_RV_GRID_KIND } model_rv_kind;

typedef struct {
    model_dist d;
    double mult;   /* > 0 */
} model_rv_part;

typedef struct {
    model_rv_kind kind;
    double offset;     /* POINT: the value; DIST: added to d; GRID: folded into x0 */
    model_dist d;      /* DIST: the one random part, times dmult */
    double dmult;
    double x0, h;      /* GRID: cum[i] = P(X <= x0 + i h), i in [0, n) */
    double *cum;
    int n;
    double mean, var;  /* exact */
    double lo, hi;     /* support: F(lo) = 0, F(hi) >= 1 - 1e-9 */
    int kinks;         /* CDF not smooth inside the support (grid, uniform, empirical) */
} model_rv;

/* Parts whose dist is fixed fold into the offset. Returns BASE_OK or
 * BASE_ERUNTIME (out of memory). */
int model_rv_build(model_rv *rv, const model_rv_part *parts, int nparts, double offset, char *err,
                   size_t errsz);
void model_rv_free(model_rv *rv);
double model_rv_cdf(const model_rv *rv, double x);
double model_rv_quantile(const model_rv *rv, double p);

/* A tabulated CDF of a model_rv, for evaluating it millions of times
 * (model_predict_means). A DIST gets two uniform tables, MODEL_RV_TAB_BODY
 * points over [lo, q(1 - 1e-7)] and MODEL_RV_TAB_TAIL over the rest to hi,
 * linear between nodes (relative error in E[max] ~1e-7, checked against the
 * exact CDF in tests/test_model.c); a POINT or a GRID (already a linear
 * table) is used as it is. Borrows the rv; no heap of its own. Build
 * O(table size) CDF evaluations; cdf O(1). */
#define MODEL_RV_TAB_BODY 4096
#define MODEL_RV_TAB_TAIL 1024

typedef struct {
    const model_rv *rv;    /* borrowed */
    int tabulated;
    double lo, hi, x1, h1, h2;
    double body[MODEL_RV_TAB_BODY], tail[MODEL_RV_TAB_TAIL];
} model_rv_table;

void model_rv_table_init(model_rv_table *t, const model_rv *rv);
double model_rv_table_cdf(const model_rv_table *t, double x);

/* X + Y for independent Y: prepared mixing nodes. */
typedef struct {
    const model_rv *x;     /* borrowed */
    model_dist y;
    int y_fixed, x_point;
    int mix_over_y;        /* nodes are Y quantiles (else X quantiles) */
    double nodes[MODEL_RV_NODES];
    double mean, var, lo, hi;
} model_rv_sum;

void model_rv_sum_init(model_rv_sum *s, const model_rv *x, const model_dist *y);
/* The same with the quantiles it needs supplied (NULL: computed as above):
 * xq[m], yq[m] x's and y's at u = (m + 0.5) / MODEL_RV_NODES (before the
 * mean match), and with yq, yhi = y's 1 - 1e-12 quantile. The closed
 * form's fast path (model/predict_fast.c) gives them from tables and caches. */
void model_rv_sum_init_q(model_rv_sum *s, const model_rv *x, const model_dist *y, const double *xq,
                         const double *yq, double yhi);
double model_rv_sum_cdf(const model_rv_sum *s, double t);

#endif

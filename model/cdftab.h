/* model/cdftab.h -- a smooth function of one variable (a CDF, in practice)
 * tabulated on a uniform grid, checked, for evaluating it many times: the
 * closed form's fast path (model/predict_fast.c) reads the overhead and
 * processing CDFs, each container class's and a job's max CDF from such
 * tables instead of calling GSL's incomplete gamma per quadrature point.
 *
 * Interpolation: 8-point Lagrange (degree 7) on the nodes around x (the
 * stencil shifted inward at the ends); error about 1e-3 h^8 |f^(8)|.
 *
 * Check: model_cdftab_build() samples f at n0 = 2^j + 1 equally spaced
 * points of [a, b], then at the midpoints of the cells, and compares the
 * coarse table's interpolant with f at every midpoint. When every
 * difference is at most tol, the table keeps both (2 n0 - 1 points, half
 * the step) and *ok = 1; else it doubles again, up to nmax points, and
 * *ok = 0 when tol is still missed (the caller falls back on f). So every
 * table in use has passed a check at all midpoints of its coarser level;
 * its own error, for a function with eight bounded derivatives, is about
 * 1/256 of that (1.4e-14 against 3.5e-12 on the normal CDF,
 * tests/test_cdftab.c); a kink keeps a table from passing. Outside [a, b]
 * the table returns `below` / `above`: the caller picks [a, b] so that f is
 * within its tolerance of them there.
 *
 * Ownership: the table owns its values (model_cdftab_free; a zeroed table
 * may be freed). Costs: build at most nmax evaluations of f (a level's
 * evaluations are the next one's nodes); eval O(1), ~40 flops; inverse
 * O(log n) evals.
 */
#ifndef FORKCAST_MODEL_CDFTAB_H
#define FORKCAST_MODEL_CDFTAB_H

#include <stddef.h>

typedef double (*model_cdftab_fn)(double x, const void *ctx);

typedef struct {
    double a, b, h, inv_h;
    double below, above;
    double *v;          /* [n] f(a + i h), owned */
    int n;
    double err;         /* the largest midpoint difference of the last level checked */
} model_cdftab;

/* n0 = 2^j + 1 >= 17, nmax >= n0, b > a (finite). Returns BASE_OK (with *ok
 * 0 or 1) or BASE_ERUNTIME (out of memory). */
int model_cdftab_build(model_cdftab *t, model_cdftab_fn f, const void *ctx, double a, double b, double below,
                       double above, int n0, int nmax, double tol, int *ok, char *err, size_t errsz);
void model_cdftab_free(model_cdftab *t);

/* The 8 Lagrange weights of nodes 0..7 at position s (0 <= s <= 7):
 * w[j] = prod_{k != j} (s - k) / (j - k). */
static inline void model_cdftab_weights(double s, double w[8])
{
    double d[8], pre[9], suf[9];
    for (int j = 0; j < 8; j++)
        d[j] = s - j;
    pre[0] = suf[8] = 1;
    for (int j = 0; j < 8; j++) {
        pre[j + 1] = pre[j] * d[j];
        suf[7 - j] = suf[8 - j] * d[7 - j];
    }
    /* 1 / prod_{k != j} (j - k) = (-1)^(7-j) / (j! (7-j)!) */
    static const double c[8] = {-1.0 / 5040, 1.0 / 720, -1.0 / 240, 1.0 / 144,
                                -1.0 / 144, 1.0 / 240, -1.0 / 720, 1.0 / 5040};
    for (int j = 0; j < 8; j++)
        w[j] = c[j] * pre[j] * suf[j + 1];
}

/* The interpolant at x: the values of the 8 nodes around it. */
static inline double model_cdftab_eval(const model_cdftab *t, double x)
{
    double u = (x - t->a) * t->inv_h;
    if (!(u >= 0))
        return t->below;
    if (u > t->n - 1)
        return t->above;
    int i = (int)u - 3;
    if (i < 0)
        i = 0;
    else if (i > t->n - 8)
        i = t->n - 8;
    double w[8], acc = 0;
    model_cdftab_weights(u - i, w);
    const double *v = t->v + i;
    for (int j = 0; j < 8; j++)
        acc += w[j] * v[j];
    return acc;
}

/* A table filled by its owner (n odd >= 33): 1 when the table of its even
 * points, interpolated at the odd ones, is within tol of them (t->err gets
 * the largest difference). The check model_cdftab_build makes per level. */
int model_cdftab_check_odd(model_cdftab *t, double tol);

/* For a nondecreasing table: the x in [a, b] where the interpolant reaches
 * p (below[0] < p < v[n-1]; the ends otherwise), to 1e-13 of the step. */
double model_cdftab_inverse(const model_cdftab *t, double p);

#endif

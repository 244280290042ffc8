/* model/predict_fast.c -- the closed form's fast path: the overhead sums',
 * the processing laws' and the job's max CDFs as verified tables
 * (model/cdftab.h). See predict_int.h; the semantics are predict.c's.
 *
 * Tolerances (absolute, on a CDF, checked at every midpoint of the table's
 * coarser level, model/cdftab.h): COMP_TOL for an overhead or processing
 * CDF (so a class CDF, their mixture, is within it too), MAX_TOL for the
 * max CDF against the product of the classes' tabulated CDFs. A table
 * covers [q(TAIL_LO), q(1 - 1e-12)] of its law (the exact path's own upper
 * end); the max table the range where the max CDF is above MAX_LO and
 * below 1 - MAX_HI (or the classes' upper end). */
#include "model/predict_int.h"
#include "base/status.h"

#include <math.h>
#include <string.h>
#include <stdio.h>
#include <stdlib.h>

#define TAIL_LO 1e-13
#define COMP_N0 65
#define COMP_NMAX 4097
#define COMP_TOL 1e-11
#define MAX_N0 65
#define MAX_NMAX 4097
#define MAX_TOL 1e-10
#define MAX_LO 1e-15
#define MAX_HI 1e-13

static double dist_cdf_fn(double x, const void *ctx)
{
    return model_dist_cdf(ctx, x);
}

static double rv_cdf_fn(double x, const void *ctx)
{
    return model_rv_cdf(ctx, x);
}

/* A kind whose CDF is smooth inside its support (no kinks, no atoms). */
static int smooth_kind(model_dist_kind k)
{
    return k != MODEL_DIST_UNIFORM && k != MODEL_DIST_EMPIRICAL && k != MODEL_DIST_FIXED;
}

static const model_rv *prep_rv(const model_prep *p, int i)
{
    return i < 4 ? &p->over[i / 2][i % 2] : &p->nostart[i - 4];
}

static int prep_index(const model_prep *p, const model_rv *x)
{
    for (int i = 0; i < PREP_NX; i++)
        if (x == prep_rv(p, i))
            return i;
    return -1;
}

/* The overhead sum i's table and quantiles, built once per prep. */
static int prep_table(model_prep *p, int i, prep_xtab **out, char *err, size_t errsz)
{
    prep_xtab *x = &p->xt[i];
    const model_rv *rv = prep_rv(p, i);
    int rc = BASE_OK;
    *out = x;
    if (x->built)
        return BASE_OK;
    x->built = 1;
    if (rv->kind != MODEL_RV_POINT)
        for (int m = 0; m < MODEL_RV_NODES; m++)
            x->q[m] = model_rv_quantile(rv, (m + 0.5) / MODEL_RV_NODES);
    x->qdone = 1;
    if (rv->kind != MODEL_RV_DIST || rv->kinks || !smooth_kind(rv->d.kind))
        return BASE_OK;
    double a = model_rv_quantile(rv, TAIL_LO), b = rv->hi;
    if (b > a && model_rv_cdf(rv, a) <= 2 * TAIL_LO)
        rc = model_cdftab_build(&x->t, rv_cdf_fn, rv, a, b, 0, 1, COMP_N0, COMP_NMAX, COMP_TOL, &x->ok, err, errsz);
    return rc;
}

static int same_dist(const model_dist *a, const model_dist *b)
{
    return a->kind == b->kind && a->a == b->a && a->b == b->b && a->shift == b->shift && a->samples == b->samples &&
           a->n == b->n;
}

/* The job's entry for processing law y, its table built on first use. */
static int law_of(job *j, const model_dist *y, fast_law **out, char *err, size_t errsz)
{
    for (int i = 0; i < j->nlaw; i++)
        if (same_dist(&j->law[i].d, y)) {
            *out = &j->law[i];
            return BASE_OK;
        }
    fast_law *l = &j->law[j->nlaw++];
    memset(l, 0, sizeof *l);
    l->d = *y;
    *out = l;
    if (model_dist_is_fixed(y))
        return BASE_OK;
    l->hi = model_dist_quantile(y, 1 - 1e-12);
    if (!smooth_kind(y->kind))
        return BASE_OK;
    double a = model_dist_quantile(y, TAIL_LO);
    if (!(l->hi > a) || !(model_dist_cdf(y, a) <= 2 * TAIL_LO))
        return BASE_OK;
    int rc = model_cdftab_build(&l->t, dist_cdf_fn, &l->d, a, l->hi, 0, 1, COMP_N0, COMP_NMAX, COMP_TOL, &l->ok,
                                err, errsz);
    if (l->ok)
        for (int m = 0; m < MODEL_RV_NODES; m++)
            l->q[m] = model_cdftab_inverse(&l->t, (m + 0.5) / MODEL_RV_NODES);
    return rc;
}

int predict_fast_sums(model_prep *p, job *j, klass *c, const model_rv *xw, const model_rv *xb, const model_dist *y,
                      int *ok, char *err, size_t errsz)
{
    fast_law *l = NULL;
    int rc = law_of(j, y, &l, err, errsz);
    *ok = 0;
    if (rc)
        return rc;
    const model_rv *xs[2] = {xw, xb};
    model_rv_sum *sum[2] = {&c->wall, &c->bill};
    const model_cdftab **g[2] = {&c->gwall, &c->gbill};
    for (int w = 0; w < 2; w++) {
        prep_xtab *xt = NULL;
        int xi = prep_index(p, xs[w]);
        if (xi < 0 || (rc = prep_table(p, xi, &xt, err, errsz)))
            return rc;
        model_rv_sum_init_q(sum[w], xs[w], y, xt->q, l->ok ? l->q : NULL, l->hi);
        const model_rv_sum *s = sum[w];
        /* the CDF model_rv_sum_cdf evaluates: x's (y fixed, or mixing over y) or y's */
        int use_x = !s->x_point && (s->y_fixed || s->mix_over_y);
        if (use_x ? !xt->ok : !l->ok)
            return BASE_OK;
        *g[w] = use_x ? &xt->t : &l->t;
    }
    *ok = 1;
    return BASE_OK;
}

double predict_fast_sum_cdf(const model_rv_sum *s, const model_cdftab *g, double t)
{
    if (s->y_fixed)
        return model_cdftab_eval(g, t - model_dist_mean(&s->y));
    if (s->x_point)
        return model_cdftab_eval(g, t - s->x->offset);
    double acc = 0;
    for (int m = 0; m < MODEL_RV_NODES; m++)
        acc += model_cdftab_eval(g, t - s->nodes[m]);
    return fmin(1, fmax(0, acc / MODEL_RV_NODES));
}

static double max_fn(double t, const void *ctx)
{
    return predict_classes_max_cdf(t, ctx);
}

/* Bisection for where F crosses level (F(x0) <= level < F(x1)); keeps x0's side. */
static double crossing(const job *j, double x0, double x1, double level)
{
    for (int it = 0; it < 40 && x1 - x0 > 1e-9 * (fabs(x0) + fabs(x1)); it++) {
        double x = 0.5 * (x0 + x1);
        if (predict_classes_max_cdf(x, j) <= level)
            x0 = x;
        else
            x1 = x;
    }
    return x0;
}

int predict_fast_max(job *j, char *err, size_t errsz)
{
    double lo = -INFINITY, hi = -INFINITY;
    j->maxt_ok = 0;
    for (int i = 0; i < j->n; i++) {
        lo = fmax(lo, j->c[i].wall.lo);
        hi = fmax(hi, j->c[i].wall.hi);
    }
    if (!(hi > lo) || !isfinite(hi) || !isfinite(lo))
        return BASE_OK;
    double a = lo, b = hi;
    if (predict_classes_max_cdf(lo, j) <= MAX_LO && predict_classes_max_cdf(hi, j) > MAX_LO)
        a = crossing(j, lo, hi, MAX_LO);
    if (predict_classes_max_cdf(hi, j) >= 1 - MAX_HI && predict_classes_max_cdf(a, j) < 1 - MAX_HI)
        b = fmin(hi, crossing(j, a, hi, 1 - MAX_HI) + 1e-6 * (hi - lo)); /* just past the crossing */
    if (!(b > a))
        return BASE_OK;
    int ok = 0, rc = model_cdftab_build(&j->maxt, max_fn, j, a, b, 0, 1, MAX_N0, MAX_NMAX, MAX_TOL, &ok, err, errsz);
    if (rc || !ok)
        model_cdftab_free(&j->maxt);
    j->maxt_ok = !rc && ok;
    if (getenv("FC_DEBUG")) {
        fprintf(stderr, "max n=%d err=%.2g ok=%d classes=%d laws:", j->maxt.n ? j->maxt.n : -1, j->maxt.err, ok, j->n);
        for (int i = 0; i < j->nlaw; i++) fprintf(stderr, " %d(%.2g,%d)", j->law[i].t.n, j->law[i].t.err, j->law[i].ok);
        fprintf(stderr, "\n");
    }
    return rc;
}

void predict_fast_job_free(job *j)
{
    for (int i = 0; i < j->nlaw; i++)
        model_cdftab_free(&j->law[i].t);
    j->nlaw = 0;
    model_cdftab_free(&j->maxt);
    j->maxt_ok = 0;
}

void predict_fast_prep_free(model_prep *p)
{
    for (int i = 0; i < PREP_NX; i++)
        model_cdftab_free(&p->xt[i].t);
}

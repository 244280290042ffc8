/* model/predict_fast.c -- the closed form's fast path: the overhead sums'
 * and the processing laws' CDFs, and each container class's, as verified
 * tables (model/cdftab.h). See predict_int.h; the semantics are predict.c's.
 *
 * Tolerances (absolute, on a CDF, checked at every midpoint of a table's
 * coarser level): COMP_TOL for an overhead sum's or a processing law's
 * table (against the exact CDF), CLASS_TOL for a class's (the mixture over
 * its nodes, computed from the component's table on that table's grid,
 * against the same mixture between the grid points). A component table
 * covers [q(TAIL_LO), q(1 - 1e-12)] of its law, the exact path's own upper
 * end; below it the CDF is taken as 0 (an error of at most TAIL_LO). */
#include "model/predict_int.h"
#include "base/status.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define TAIL_LO 1e-13
#define COMP_N0 65
#define COMP_NMAX 4097
#define COMP_TOL 1e-8
#define CLASS_TOL 1e-8
#define MIX_REFINE 2 /* a class table may halve its component's step twice */

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
    *out = x;
    if (x->built)
        return BASE_OK;
    x->built = 1;
    if (rv->kind != MODEL_RV_POINT)
        for (int m = 0; m < MODEL_RV_NODES; m++)
            x->q[m] = model_rv_quantile(rv, (m + 0.5) / MODEL_RV_NODES);
    if (rv->kind != MODEL_RV_DIST || rv->kinks || !smooth_kind(rv->d.kind))
        return BASE_OK;
    double a = model_rv_quantile(rv, TAIL_LO), b = rv->hi;
    if (!(b > a) || !isfinite(a) || !isfinite(b) || !(model_rv_cdf(rv, a) <= 2 * TAIL_LO))
        return BASE_OK;
    return model_cdftab_build(&x->t, rv_cdf_fn, rv, a, b, 0, 1, COMP_N0, COMP_NMAX, COMP_TOL, &x->ok, err, errsz);
}

static int same_dist(const model_dist *a, const model_dist *b)
{
    return a->kind == b->kind && a->a == b->a && a->b == b->b && a->shift == b->shift && a->samples == b->samples &&
           a->n == b->n;
}

/* The job's entry for processing law y: its table and quantiles, built on
 * first use. */
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
    if (!(l->hi > a) || !isfinite(a) || !isfinite(l->hi) || !(model_dist_cdf(y, a) <= 2 * TAIL_LO))
        return BASE_OK;
    int rc = model_cdftab_build(&l->t, dist_cdf_fn, &l->d, a, l->hi, 0, 1, COMP_N0, COMP_NMAX, COMP_TOL, &l->ok,
                                err, errsz);
    if (l->ok)
        for (int m = 0; m < MODEL_RV_NODES; m++)
            l->q[m] = model_cdftab_inverse(&l->t, (m + 0.5) / MODEL_RV_NODES);
    return rc;
}

static void axpy(double *restrict y, const double *restrict x, double a, int n)
{
    for (int i = 0; i < n; i++)
        y[i] += a * x[i];
}

/* One phase of the mixture table: v[i] = sum_m g(A + (i + f) h - node_m)
 * for i in [0, n), g's interpolant at its position i + f - d_m, d_m =
 * (node_m - min node) / h. With i + f - d_m = i - k - phi (k = floor(d_m -
 * f)) that is g's nodes i - k - 4 + q, q = 0..7, with the 8 weights of
 * position 4 - phi, the same at every i: g's values (gp: padded by pad
 * below / above values) convolved with a kernel of kmax + 9 taps, the sum
 * over the nodes of their weights (8 taps per node when that is shorter). */
static void mix_phase(const model_rv_sum *s, double ymin, double h, double f, const double *gp, int pad, int kmax,
                      double *c, double *v, int n)
{
    int taps = kmax + 9, per_node = taps > 8 * MODEL_RV_NODES;
    memset(c, 0, (size_t)taps * sizeof *c);
    memset(v, 0, (size_t)n * sizeof *v);
    for (int m = 0; m < MODEL_RV_NODES; m++) {
        double d = (s->nodes[m] - ymin) / h - f, w[8];
        int k = (int)floor(d);
        k = k < -1 ? -1 : k > kmax ? kmax : k;
        model_cdftab_weights(4 - (d - k), w);
        for (int q = 0; q < 8; q++) {
            if (per_node) /* v[i] += w_q g[i - k - 4 + q] */
                axpy(v, gp + pad - k - 4 + q, w[q], n);
            else
                c[k + 8 - q] += w[q]; /* tap j = k + 4 - q, stored at j + 4 */
        }
    }
    if (!per_node) /* v[i] = sum_j c_j g[i - j] */
        for (int t = 0; t < taps; t++)
            axpy(v, gp + pad + 4 - t, c[t], n);
}

/* The mixture (1/N) sum_m g(t - node_m) of s on g's grid refined 2^r
 * times (one phase per offset), checked by model_cdftab_check_odd. */
static int mix_table(const model_rv_sum *s, const model_cdftab *g, int r, model_cdftab *out, int *ok, char *err,
                     size_t errsz)
{
    double ymin = INFINITY, ymax = -INFINITY, h = g->h;
    *ok = 0;
    for (int m = 0; m < MODEL_RV_NODES; m++) {
        ymin = fmin(ymin, s->nodes[m]);
        ymax = fmax(ymax, s->nodes[m]);
    }
    int kmax = (int)floor((ymax - ymin) / h), n = g->n + kmax + 2;
    n += r == 0 && !(n & 1); /* an odd count: its even points make the coarse table */
    int R = 1 << r, ns = (n - 1) * R + 1, pad = kmax + 8, np = pad + n + 8;
    memset(out, 0, sizeof *out);
    out->v = malloc((size_t)ns * sizeof *out->v);
    double *gp = malloc((size_t)np * sizeof *gp), *c = malloc((size_t)(kmax + 9) * sizeof *c);
    double *ph = malloc((size_t)n * sizeof *ph);
    int rc = BASE_OK;
    if (!out->v || !gp || !c || !ph) {
        model_cdftab_free(out);
        rc = base_errf(err, errsz, BASE_ERUNTIME, "out of memory");
        goto cleanup;
    }
    out->n = ns;
    out->a = g->a + ymin;
    out->h = h / R;
    out->inv_h = R / h;
    out->b = out->a + (ns - 1) * out->h;
    out->above = 1;
    for (int x = 0; x < np; x++)
        gp[x] = x < pad ? g->below : x - pad >= g->n ? g->above : g->v[x - pad];
    for (int p = 0; p < R; p++) {
        mix_phase(s, ymin, h, (double)p / R, gp, pad, kmax, c, ph, n);
        for (int i = 0; i * R + p < ns; i++)
            out->v[i * R + p] = fmin(1, fmax(0, ph[i] / MODEL_RV_NODES));
    }
    *ok = model_cdftab_check_odd(out, CLASS_TOL);
cleanup:
    free(gp);
    free(c);
    free(ph);
    return rc;
}

/* f's mode and tables for sum s, whose mixed CDF is g (NULL: none verified). */
static int fast_of(fast_cdf *f, const model_rv_sum *s, const model_cdftab *g, char *err, size_t errsz)
{
    memset(f, 0, sizeof *f);
    if (!g)
        return BASE_OK;
    f->g = g;
    if (s->y_fixed || s->x_point) {
        f->mode = FAST_SHIFT;
        f->shift = s->y_fixed ? model_dist_mean(&s->y) : s->x->offset;
        return BASE_OK;
    }
    int ok = 0, rc = BASE_OK;
    for (int r = 0; r <= MIX_REFINE && !ok && !rc; r++) {
        model_cdftab_free(&f->own);
        rc = mix_table(s, g, r, &f->own, &ok, err, errsz);
    }
    if (rc)
        return rc;
    if (ok) {
        f->mode = FAST_TABLE;
        f->tab = &f->own;
    } else {
        model_cdftab_free(&f->own);
        f->mode = FAST_MIX;
    }
    return BASE_OK;
}

int predict_fast_sums(model_prep *p, job *j, klass *c, const model_rv *xw, const model_rv *xb, const model_dist *y,
                      int *ok, char *err, size_t errsz)
{
    fast_law *l = NULL;
    int rc = law_of(j, y, &l, err, errsz);
    *ok = 0;
    memset(&c->fwall, 0, sizeof c->fwall);
    memset(&c->fbill, 0, sizeof c->fbill);
    if (rc)
        return rc;
    const model_rv *xs[2] = {xw, xb};
    model_rv_sum *sum[2] = {&c->wall, &c->bill};
    const model_cdftab *g[2];
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
        g[w] = use_x ? &xt->t : &l->t;
    }
    if ((rc = fast_of(&c->fwall, &c->wall, g[0], err, errsz)))
        return rc;
    if (xb == xw) { /* the same sum: share the wall's table */
        c->fbill = c->fwall;
        memset(&c->fbill.own, 0, sizeof c->fbill.own);
    } else if ((rc = fast_of(&c->fbill, &c->bill, g[1], err, errsz))) {
        model_cdftab_free(&c->fwall.own);
        return rc;
    }
    *ok = 1;
    return BASE_OK;
}

double predict_fast_cdf(const fast_cdf *f, const model_rv_sum *s, double t)
{
    switch (f->mode) {
    case FAST_NONE: return model_rv_sum_cdf(s, t);
    case FAST_SHIFT: return model_cdftab_eval(f->g, t - f->shift);
    case FAST_TABLE: return model_cdftab_eval(f->tab, t);
    case FAST_MIX: break;
    }
    double acc = 0;
    for (int m = 0; m < MODEL_RV_NODES; m++)
        acc += model_cdftab_eval(f->g, t - s->nodes[m]);
    return fmin(1, fmax(0, acc / MODEL_RV_NODES));
}

/* Where f's CDF rises from 0 to 1: [*a, *b]. */
static void fast_range(const fast_cdf *f, const model_rv_sum *s, double *a, double *b)
{
    switch (f->mode) {
    case FAST_SHIFT:
        *a = f->g->a + f->shift;
        *b = f->g->b + f->shift;
        return;
    case FAST_TABLE:
        *a = f->tab->a;
        *b = f->tab->b;
        return;
    default:
        break;
    }
    double ymin = INFINITY, ymax = -INFINITY;
    for (int m = 0; m < MODEL_RV_NODES; m++) {
        ymin = fmin(ymin, s->nodes[m]);
        ymax = fmax(ymax, s->nodes[m]);
    }
    *a = f->g->a + ymin;
    *b = f->g->b + ymax;
}

static double max_fn(double t, const void *ctx)
{
    return predict_classes_max_cdf(t, ctx);
}

int predict_fast_max(job *j, char *err, size_t errsz)
{
    double a = -INFINITY, b = -INFINITY;
    j->maxt_ok = 0;
    for (int i = 0; i < j->n; i++) {
        double ca, cb;
        fast_range(&j->c[i].fwall, &j->c[i].wall, &ca, &cb);
        a = fmax(a, ca);
        b = fmax(b, cb);
    }
    if (!(b > a) || !isfinite(a) || !isfinite(b))
        return BASE_OK;
    int ok = 0, rc = model_cdftab_build(&j->maxt, max_fn, j, a, b, 0, 1, COMP_N0, COMP_NMAX, CLASS_TOL, &ok, err,
                                        errsz);
    if (rc || !ok)
        model_cdftab_free(&j->maxt);
    j->maxt_ok = !rc && ok;
    return rc;
}

void predict_fast_job_free(job *j)
{
    model_cdftab_free(&j->maxt);
    j->maxt_ok = 0;
    for (int i = 0; i < j->n; i++) {
        model_cdftab_free(&j->c[i].fwall.own);
        model_cdftab_free(&j->c[i].fbill.own);
    }
    for (int i = 0; i < j->nlaw; i++)
        model_cdftab_free(&j->law[i].t);
    j->nlaw = 0;
}

void predict_fast_prep_free(model_prep *p)
{
    for (int i = 0; i < PREP_NX; i++)
        model_cdftab_free(&p->xt[i].t);
}

/* model/plan_dist.c -- group wall tables, dominance, and the p95 of a sum
 * of group walls by convolution. See plan_dist.h. */
#include "model/plan_dist.h"
#include "base/status.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_roots.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define P95 0.95

/* ---- tables ---------------------------------------------------------------- */

int plan_dist_table(model_job *jb, model_plan_choice *c, char *err, size_t errsz)
{
    double lo, hi, t[MODEL_PLAN_TAB];
    int rc = model_job_wall_cdf(jb, NULL, 0, NULL, &lo, &hi, err, errsz);
    if (rc)
        return rc;
    double mean = c->r.wall_mean, sd = c->r.wall_sd;
    double a = fmax(lo, mean - 8 * sd), b = fmin(hi, mean + 12 * sd);
    if (!(b - a > 1e-9 * fmax(1, fabs(mean)))) {
        c->point = 1;
        c->lo = mean;
        c->h = 0;
        return BASE_OK;
    }
    c->point = 0;
    c->lo = a;
    c->h = (b - a) / (MODEL_PLAN_TAB - 1);
    for (int i = 0; i < MODEL_PLAN_TAB; i++)
        t[i] = a + i * c->h;
    if ((rc = model_job_wall_cdf(jb, t, MODEL_PLAN_TAB, c->F, NULL, NULL, err, errsz)))
        return rc;
    for (int i = 0; i < MODEL_PLAN_TAB; i++) {
        double f = fmin(1, fmax(0, c->F[i]));
        c->F[i] = i > 0 && f < c->F[i - 1] ? c->F[i - 1] : f;
    }
    return BASE_OK;
}

double plan_dist_cdf(const model_plan_choice *c, double x)
{
    if (c->point)
        return x >= c->lo ? 1 : 0;
    double u = (x - c->lo) / c->h;
    if (u < 0)
        return 0;
    if (u > MODEL_PLAN_TAB - 1)
        return 1;
    int i = (int)u;
    if (i >= MODEL_PLAN_TAB - 1)
        return c->F[MODEL_PLAN_TAB - 1];
    double w = u - i;
    return c->F[i] + w * (c->F[i + 1] - c->F[i]);
}

/* The lowest and highest x where c's CDF may change. */
static void ends(const model_plan_choice *c, double *a, double *b)
{
    *a = c->lo;
    *b = c->point ? c->lo : c->lo + (MODEL_PLAN_TAB - 1) * c->h;
}

static int above_at(const model_plan_choice *a, const model_plan_choice *b, double x)
{
    return plan_dist_cdf(a, x) >= plan_dist_cdf(b, x) - 1e-12;
}

int plan_dist_dominates(const model_plan_choice *a, const model_plan_choice *b)
{
    double a0, a1, b0, b1;
    ends(a, &a0, &a1);
    ends(b, &b0, &b1);
    if (a0 > b0 || a1 > b1)
        return 0; /* some of b's mass lies below all of a's, or a's above b's end */
    const model_plan_choice *c[2] = {a, b};
    for (int k = 0; k < 2; k++) {
        double x0, x1;
        ends(c[k], &x0, &x1);
        double eps = 1e-9 * fmax(1, fabs(x1));
        if (!above_at(a, b, x0 - eps) || !above_at(a, b, x0) || !above_at(a, b, x1) || !above_at(a, b, x1 + eps))
            return 0;
        if (c[k]->point)
            continue;
        for (int i = 1; i < MODEL_PLAN_TAB - 1; i++)
            if (!above_at(a, b, c[k]->lo + i * c[k]->h))
                return 0;
    }
    return 1;
}

/* ---- prefix sums -------------------------------------------------------------- */

void plan_pmf_init(plan_pmf *p)
{
    memset(p, 0, sizeof *p);
    p->empty = 1;
}

void plan_pmf_free(plan_pmf *p)
{
    free(p->m);
    plan_pmf_init(p);
}

static int reserve(plan_pmf *p, int n, char *err, size_t errsz)
{
    if (n <= p->cap)
        return BASE_OK;
    double *m = realloc(p->m, (size_t)n * sizeof *m);
    if (!m)
        return base_errf(err, errsz, BASE_ERUNTIME, "out of memory");
    p->m = m;
    p->cap = n;
    return BASE_OK;
}

/* p's mass re-binned to cells of step H (H >= p->h): masses from the
 * CDF at the new cell edges; origin kept. Into tmp (reserved). */
static int rebin(const plan_pmf *p, double H, double **tmp, int *ntmp, char *err, size_t errsz)
{
    int n = (int)ceil((p->n * p->h) / H) + 2;
    double *m = malloc((size_t)n * sizeof *m);
    if (!m)
        return base_errf(err, errsz, BASE_ERUNTIME, "out of memory");
    /* running CDF over the old cells, evaluated at increasing new edges */
    double acc = 0, prev = 0;
    int j = 0;
    for (int i = 0; i < n; i++) {
        double edge = p->x0 + (i + 0.5) * H;             /* upper edge of new cell i */
        double u = (edge - p->x0) / p->h + 0.5;
        while (j < p->n && j + 1 <= u)
            acc += p->m[j++];
        double f = acc + (j < p->n ? p->m[j] * fmax(0, u - j) : 0);
        m[i] = f - prev;
        prev = f;
    }
    *tmp = m;
    *ntmp = n;
    return BASE_OK;
}

int plan_pmf_add(plan_pmf *out, const plan_pmf *prefix, const model_plan_choice *c, char *err, size_t errsz)
{
    int rc;
    if (c->point) {
        /* the prefix shifted by the point */
        int pt = prefix->empty || prefix->point;
        if (!pt && (rc = reserve(out, prefix->n, err, errsz)))
            return rc;
        if (!pt)
            memcpy(out->m, prefix->m, (size_t)prefix->n * sizeof *out->m);
        out->n = pt ? 0 : prefix->n;
        out->x0 = (prefix->empty ? 0 : prefix->x0) + c->lo;
        out->h = pt ? 0 : prefix->h;
        out->span = pt ? 0 : prefix->span;
        out->point = pt;
        out->empty = 0;
        return BASE_OK;
    }
    double span_c = (MODEL_PLAN_TAB - 1) * c->h;
    double S = (prefix->empty || prefix->point ? 0 : prefix->span) + span_c;
    double H = S / PLAN_CELLS;
    int nc = (int)ceil(span_c / H) + 1;
    double *cm = malloc((size_t)nc * sizeof *cm), *pm = NULL;
    int np = 0;
    if (!cm)
        return base_errf(err, errsz, BASE_ERUNTIME, "out of memory");
    for (int i = 0; i < nc; i++)
        cm[i] = plan_dist_cdf(c, c->lo + (i + 0.5) * H) - plan_dist_cdf(c, c->lo + (i - 0.5) * H);
    cm[nc - 1] += 1 - plan_dist_cdf(c, c->lo + (nc - 0.5) * H);
    if (prefix->empty || prefix->point) {
        if ((rc = reserve(out, nc, err, errsz)))
            goto cleanup;
        memcpy(out->m, cm, (size_t)nc * sizeof *cm);
        out->n = nc;
        out->x0 = (prefix->empty ? 0 : prefix->x0) + c->lo;
    } else {
        if ((rc = rebin(prefix, H, &pm, &np, err, errsz)))
            goto cleanup;
        if ((rc = reserve(out, np + nc - 1, err, errsz)))
            goto cleanup;
        memset(out->m, 0, (size_t)(np + nc - 1) * sizeof *out->m);
        for (int i = 0; i < np; i++) {
            double mi = pm[i];
            if (mi <= 0)
                continue;
            double *o = out->m + i;
            for (int k = 0; k < nc; k++)
                o[k] += mi * cm[k];
        }
        out->n = np + nc - 1;
        out->x0 = prefix->x0 + c->lo;
    }
    out->h = H;
    out->span = S;
    out->point = 0;
    out->empty = 0;
cleanup:
    free(cm);
    free(pm);
    return rc;
}

/* ---- the p95 ------------------------------------------------------------------- */

typedef struct {
    const plan_pmf *p;
    const model_plan_choice *last;
    int j0, j1;   /* atoms with mass */
} sumctx;

static double sum_cdf_minus(double t, void *v)
{
    const sumctx *s = v;
    double acc = 0;
    for (int j = s->j0; j < s->j1; j++)
        acc += s->p->m[j] * plan_dist_cdf(s->last, t - (s->p->x0 + j * s->p->h));
    return acc - P95;
}

static double pmf_quantile(const plan_pmf *p, double q)
{
    double acc = 0;
    for (int j = 0; j < p->n; j++) {
        if (acc + p->m[j] >= q && p->m[j] > 0)
            return p->x0 + (j - 0.5 + (q - acc) / p->m[j]) * p->h;
        acc += p->m[j];
    }
    return p->x0 + (p->n - 0.5) * p->h;
}

double plan_pmf_p95(const plan_pmf *prefix, const model_plan_choice *last)
{
    if (prefix->empty || prefix->point)
        return last->r.wall_p95 + (prefix->empty ? 0 : prefix->x0);
    if (last->point)
        return pmf_quantile(prefix, P95) + last->lo;
    sumctx s = {prefix, last, 0, prefix->n};
    while (s.j0 < s.j1 && prefix->m[s.j0] <= 0)
        s.j0++;
    while (s.j1 > s.j0 && prefix->m[s.j1 - 1] <= 0)
        s.j1--;
    double a = prefix->x0 + (s.j0 - 0.5) * prefix->h + last->lo;
    double b = prefix->x0 + (s.j1 + 0.5) * prefix->h + last->lo + (MODEL_PLAN_TAB - 1) * last->h;
    gsl_function fn = {sum_cdf_minus, &s};
    if (sum_cdf_minus(a, &s) >= 0)
        return a;
    if (sum_cdf_minus(b, &s) < 0)
        return b;
    gsl_root_fsolver *solver = gsl_root_fsolver_alloc(gsl_root_fsolver_brent);
    double root = 0.5 * (a + b);
    if (solver && gsl_root_fsolver_set(solver, &fn, a, b) == GSL_SUCCESS)
        for (int it = 0; it < 100; it++) {
            if (gsl_root_fsolver_iterate(solver) != GSL_SUCCESS)
                break;
            root = gsl_root_fsolver_root(solver);
            if (gsl_root_test_interval(gsl_root_fsolver_x_lower(solver), gsl_root_fsolver_x_upper(solver), 1e-9,
                                       1e-10) == GSL_SUCCESS)
                break;
        }
    gsl_root_fsolver_free(solver);
    return root;
}

/* model/predict_means.c -- model_predict_means: E[wall] and E[cost] only,
 * from the prep's tabulated overhead CDFs (model/predict.h). */
#include "model/predict.h"
#include "base/status.h"
#include "model/chunk.h"
#include "model/predict_int.h"

#include <assert.h>
#include <gsl/gsl_integration.h>
#include <math.h>
#include <stdlib.h>

/* ---- means only ---------------------------------------------------------- */

typedef struct {
    const model_rv_table *t[MAXCLASS];
    double shift[MAXCLASS];
    int count[MAXCLASS];
    int n;
} tabjob;

static double ipow(double x, int m)
{
    double r = 1;
    for (; m; m >>= 1, x *= x)
        if (m & 1)
            r *= x;
    return r;
}

static double tab_one_minus_max(double t, void *ctx)
{
    const tabjob *j = ctx;
    double g = 1;
    for (int i = 0; i < j->n; i++) {
        double f = model_rv_table_cdf(j->t[i], t - j->shift[i]);
        if (f <= 0)
            return 1;
        g *= ipow(f, j->count[i]);
    }
    return 1 - g;
}

typedef struct {
    const model_rv_table *t;
    double shift;
} shifted;

static double shifted_cdf(double x, const void *ctx)
{
    const shifted *sc = ctx;
    return model_rv_table_cdf(sc->t, x - sc->shift);
}

/* E[concat] and its expected cost for k, cached per prep. */
static int concat_means(model_prep *p, int k, double *mean, double *cost, char *err, size_t errsz)
{
    for (int i = 0; i < p->nconcat; i++)
        if (p->concat[i].k == k) {
            *mean = p->concat[i].mean;
            *cost = p->concat[i].cost;
            return BASE_OK;
        }
    model_rv c;
    double e2;
    int rc = predict_build_concat(p->s, k, &c, err, errsz);
    if (rc)
        return rc;
    *mean = c.mean;
    *cost = predict_concat_billed_s(p->s, &c, &e2) * model_chunk_concat_rate(p->s);
    model_rv_free(&c);
    if (p->nconcat < CONCAT_CACHE) {
        p->concat[p->nconcat].k = k;
        p->concat[p->nconcat].mean = *mean;
        p->concat[p->nconcat++].cost = *cost;
    }
    return BASE_OK;
}

int model_predict_means(model_prep *p, double frames, int k, double *wall, double *cost, char *err,
                        size_t errsz)
{
    const model_scenario *s = p->s;
    assert(k >= 1 && frames > 0);
    if (!model_dist_is_fixed(&s->per_frame)) {
        model_kresult r;
        int rc = model_predict_k(p, frames, k, &r, err, errsz);
        *wall = r.wall_mean;
        *cost = r.cost_mean;
        return rc;
    }
    if (!p->tab) {
        p->tab = malloc(6 * sizeof *p->tab);
        if (!p->tab)
            return base_errf(err, errsz, BASE_ERUNTIME, "out of memory");
        for (int i = 0; i < 4; i++)
            model_rv_table_init(&p->tab[i], &p->over[i / 2][i % 2]);
        model_rv_table_init(&p->tab[4], &p->nostart[0]);
        model_rv_table_init(&p->tab[5], &p->nostart[1]);
    }
    model_chunk_group grp = model_chunk_group_of(s);
    double per_frame = model_dist_mean(&s->per_frame), dl = model_chunk_download_s(&grp);
    double up = model_chunk_upload_per_frame_s(&grp, frames);
    double rate = model_scenario_rate(s), lo = -INFINITY, hi = -INFINITY, c = 0;
    int kinks = 0;
    predict_part parts[MAXCLASS];
    tabjob j = {.n = predict_split(s, frames, k, parts)};
    for (int i = 0; i < j.n; i++) {
        const predict_part *q = &parts[i];
        const model_rv_table *t = &p->tab[q->warm * 2 + q->seek];
        double shift = q->frames * (per_frame + up) + dl;
        j.t[i] = t;
        j.shift[i] = shift;
        j.count[i] = q->count;
        kinks |= t->rv->kinks;
        lo = fmax(lo, t->lo + shift);
        hi = fmax(hi, t->hi + shift);
        const model_rv_table *b = (!q->warm && !s->bill_includes_cold_start) ? &p->tab[4 + q->seek] : t;
        double e1 = b->rv->mean + shift, e2;
        if (s->bill_granularity_s > 0 || s->bill_minimum_s > b->lo + shift) {
            shifted sc = {b, shift};
            model_billed_moments(shifted_cdf, &sc, b->lo + shift, b->hi + shift, e1, b->rv->var,
                                 s->bill_granularity_s, s->bill_minimum_s, &e1, &e2);
        }
        c += q->count * e1 * rate;
    }
    double emax = lo;
    if (j.n == 1 && j.count[0] == 1) {
        emax = j.t[0]->rv->mean + j.shift[0];
    } else if (hi > lo) {
        /* Piecewise-linear CDFs need a tighter tolerance: QAG's error
         * estimate is optimistic across kinks. */
        gsl_function fn = {tab_one_minus_max, &j};
        double r = 0, e = 0;
        gsl_integration_qag(&fn, lo, hi, 1e-12 * (hi - lo), kinks ? 1e-9 : 1e-7, PREDICT_LIMIT, GSL_INTEG_GAUSS21, p->ws,
                            &r, &e);
        emax = lo + r;
    }
    double cm = 0, cc = 0;
    if (k > 1) {
        int rc = concat_means(p, k, &cm, &cc, err, errsz);
        if (rc)
            return rc;
    }
    *wall = emax + cm;
    *cost = c + cc;
    return BASE_OK;
}

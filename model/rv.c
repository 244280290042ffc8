/* model/rv.c -- sums of independent times: exact, gridded (FFT) or mixed. */
#include "model/rv.h"
#include "base/status.h"

#include <assert.h>
#include <gsl/gsl_fft_halfcomplex.h>
#include <gsl/gsl_fft_real.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define TAIL 1e-10

static double part_q(const model_rv_part *p, double u)
{
    return p->mult * model_dist_quantile(&p->d, u);
}

static double part_cdf(const model_rv_part *p, double x)
{
    return model_dist_cdf(&p->d, x / p->mult);
}

/* Mass of part p in cells centred at a + i*h, i in [0, L); the first and
 * last cells take the tails. */
static void discretize(const model_rv_part *p, double a, double h, int L, double *m)
{
    double prev = 0, sum = 0;
    for (int i = 0; i < L; i++) {
        double up = i == L - 1 ? 1.0 : part_cdf(p, a + (i + 0.5) * h);
        m[i] = up > prev ? up - prev : 0;
        prev = up > prev ? up : prev;
        sum += m[i];
    }
    for (int i = 0; i < L; i++)
        m[i] /= sum;
}

/* Halfcomplex product a *= b for GSL radix-2 layout of length n. */
static void hc_mul(double *a, const double *b, size_t n)
{
    a[0] *= b[0];
    a[n / 2] *= b[n / 2];
    for (size_t i = 1; i < n / 2; i++) {
        double ar = a[i], ai = a[n - i], br = b[i], bi = b[n - i];
        a[i] = ar * br - ai * bi;
        a[n - i] = ar * bi + ai * br;
    }
}

/* Two or more random parts: the convolution on a common grid (see rv.h). */
static int build_grid(model_rv *rv, const model_rv_part *rnd, int nr, double offset, char *err, size_t errsz)
{
    int rc = BASE_OK;
    double *acc = NULL, *tmp = NULL;
    /* Common step h over the summed spans, fine enough that the widest bulk
     * (interquartile range) spans MODEL_RV_CELLS_PER_IQR cells. */
    double a[MODEL_RV_MAXPARTS], range = 0, a_sum = 0, iqr = 0;
    for (int i = 0; i < nr; i++) {
        a[i] = part_q(&rnd[i], TAIL);
        range += part_q(&rnd[i], 1 - TAIL) - a[i];
        a_sum += a[i];
        double r = part_q(&rnd[i], 0.75) - part_q(&rnd[i], 0.25);
        if (!(r > 0))
            r = rnd[i].mult * model_dist_sd(&rnd[i].d);
        iqr = fmax(iqr, r);
    }
    double cells = MODEL_RV_GRID;
    while (cells < MODEL_RV_GRID_MAX && range / (cells - 1) > iqr / MODEL_RV_CELLS_PER_IQR)
        cells *= 2;
    double h = range / (cells - 1);
    int L[MODEL_RV_MAXPARTS], total = 1;
    for (int i = 0; i < nr; i++) {
        L[i] = (int)floor((part_q(&rnd[i], 1 - TAIL) - a[i]) / h) + 2;
        total += L[i] - 1;
    }
    size_t nfft = 1;
    while (nfft < (size_t)total)
        nfft <<= 1;
    acc = calloc(nfft, sizeof *acc);
    tmp = calloc(nfft, sizeof *tmp);
    if (!acc || !tmp) {
        rc = base_errf(err, errsz, BASE_ERUNTIME, "convolution: out of memory");
        goto cleanup;
    }
    discretize(&rnd[0], a[0], h, L[0], acc);
    gsl_fft_real_radix2_transform(acc, 1, nfft);
    for (int i = 1; i < nr; i++) {
        memset(tmp, 0, nfft * sizeof *tmp);
        discretize(&rnd[i], a[i], h, L[i], tmp);
        gsl_fft_real_radix2_transform(tmp, 1, nfft);
        hc_mul(acc, tmp, nfft);
    }
    gsl_fft_halfcomplex_radix2_inverse(acc, 1, nfft);

    /* Masses at a_sum + i h; clamp FFT noise, renormalise, match the mean. */
    double sum = 0, gmean = 0;
    for (int i = 0; i < total; i++) {
        if (acc[i] < 0)
            acc[i] = 0;
        sum += acc[i];
    }
    for (int i = 0; i < total; i++) {
        acc[i] /= sum;
        gmean += acc[i] * (a_sum + i * h);
    }
    double exact = rv->mean - offset;
    rv->cum = malloc(((size_t)total + 1) * sizeof *rv->cum);
    if (!rv->cum) {
        rc = base_errf(err, errsz, BASE_ERUNTIME, "convolution: out of memory");
        goto cleanup;
    }
    rv->cum[0] = 0;
    double c = 0;
    for (int i = 0; i < total; i++) {
        c += acc[i];
        rv->cum[i + 1] = c < 1 ? c : 1;
    }
    rv->cum[total] = 1;
    rv->kind = MODEL_RV_GRID_KIND;
    rv->kinks = 1;
    rv->n = total + 1;
    rv->h = h;
    rv->x0 = offset + a_sum - h / 2 + (exact - gmean);
    rv->offset = offset;
    rv->lo = rv->x0;
    rv->hi = rv->x0 + (rv->n - 1) * h;
cleanup:
    free(acc);
    free(tmp);
    return rc;
}

int model_rv_build(model_rv *rv, const model_rv_part *parts, int nparts, double offset, char *err,
                   size_t errsz)
{
    model_rv_part rnd[MODEL_RV_MAXPARTS];
    int nr = 0;
    assert(nparts <= MODEL_RV_MAXPARTS);
    memset(rv, 0, sizeof *rv);
    rv->var = 0;
    for (int i = 0; i < nparts; i++) {
        assert(parts[i].mult > 0);
        if (model_dist_is_fixed(&parts[i].d)) {
            offset += parts[i].mult * model_dist_mean(&parts[i].d);
        } else {
            rnd[nr++] = parts[i];
            rv->var += parts[i].mult * parts[i].mult * model_dist_var(&parts[i].d);
        }
    }
    rv->mean = offset;
    for (int i = 0; i < nr; i++)
        rv->mean += rnd[i].mult * model_dist_mean(&rnd[i].d);

    if (nr == 0) {
        rv->kind = MODEL_RV_POINT;
        rv->offset = rv->lo = rv->hi = offset;
        return BASE_OK;
    }
    for (int i = 0; i < nr; i++)
        rv->kinks |= rnd[i].d.kind == MODEL_DIST_UNIFORM || rnd[i].d.kind == MODEL_DIST_EMPIRICAL;
    if (nr == 1) {
        rv->kind = MODEL_RV_DIST;
        rv->d = rnd[0].d;
        rv->dmult = rnd[0].mult;
        rv->offset = offset;
        rv->lo = offset + part_q(&rnd[0], 0.0);
        rv->hi = offset + part_q(&rnd[0], 1 - 1e-12);
        return BASE_OK;
    }

    return build_grid(rv, rnd, nr, offset, err, errsz);
}

void model_rv_free(model_rv *rv)
{
    free(rv->cum);
    rv->cum = NULL;
}

double model_rv_cdf(const model_rv *rv, double x)
{
    switch (rv->kind) {
    case MODEL_RV_POINT: return x >= rv->offset ? 1.0 : 0.0;
    case MODEL_RV_DIST: return model_dist_cdf(&rv->d, (x - rv->offset) / rv->dmult);
    case MODEL_RV_GRID_KIND: {
        double u = (x - rv->x0) / rv->h;
        if (u <= 0)
            return 0;
        if (u >= rv->n - 1)
            return 1;
        int i = (int)u;
        double f = u - i;
        return rv->cum[i] + f * (rv->cum[i + 1] - rv->cum[i]);
    }
    }
    assert(0);
    return 0;
}

double model_rv_quantile(const model_rv *rv, double p)
{
    switch (rv->kind) {
    case MODEL_RV_POINT: return rv->offset;
    case MODEL_RV_DIST: return rv->offset + rv->dmult * model_dist_quantile(&rv->d, p);
    case MODEL_RV_GRID_KIND: {
        if (p <= 0)
            return rv->lo;
        if (p >= 1)
            return rv->hi;
        int lo = 0, hi = rv->n - 1; /* cum[lo] < p <= cum[hi] */
        while (hi - lo > 1) {
            int mid = (lo + hi) / 2;
            if (rv->cum[mid] < p)
                lo = mid;
            else
                hi = mid;
        }
        double d = rv->cum[hi] - rv->cum[lo];
        double f = d > 0 ? (p - rv->cum[lo]) / d : 0;
        return rv->x0 + (lo + f) * rv->h;
    }
    }
    assert(0);
    return 0;
}

void model_rv_table_init(model_rv_table *t, const model_rv *rv)
{
    t->rv = rv;
    t->lo = rv->lo;
    t->hi = rv->hi;
    t->tabulated = rv->kind == MODEL_RV_DIST && rv->hi > rv->lo;
    if (!t->tabulated)
        return;
    t->x1 = fmin(model_rv_quantile(rv, 1 - 1e-7), t->hi);
    if (!(t->x1 > t->lo))
        t->x1 = t->hi;
    t->h1 = (t->x1 - t->lo) / (MODEL_RV_TAB_BODY - 1);
    t->h2 = (t->hi - t->x1) / (MODEL_RV_TAB_TAIL - 1);
    for (int i = 0; i < MODEL_RV_TAB_BODY; i++)
        t->body[i] = model_rv_cdf(rv, t->lo + i * t->h1);
    for (int i = 0; i < MODEL_RV_TAB_TAIL; i++)
        t->tail[i] = t->h2 > 0 ? model_rv_cdf(rv, t->x1 + i * t->h2) : 1;
    t->tail[MODEL_RV_TAB_TAIL - 1] = 1;
}

double model_rv_table_cdf(const model_rv_table *t, double x)
{
    if (!t->tabulated)
        return model_rv_cdf(t->rv, x);
    if (x < t->lo)
        return 0;
    if (x >= t->hi)
        return 1;
    const double *v = t->body;
    double u = (x - t->lo) / t->h1;
    int n = MODEL_RV_TAB_BODY;
    if (x >= t->x1) {
        v = t->tail;
        u = (x - t->x1) / t->h2;
        n = MODEL_RV_TAB_TAIL;
    }
    int i = (int)u;
    if (i >= n - 1)
        return v[n - 1];
    double f = u - i;
    return v[i] + f * (v[i + 1] - v[i]);
}

void model_rv_sum_init(model_rv_sum *s, const model_rv *x, const model_dist *y)
{
    model_rv_sum_init_q(s, x, y, NULL, NULL, 0);
}

void model_rv_sum_init_q(model_rv_sum *s, const model_rv *x, const model_dist *y, const double *xq,
                         const double *yq, double yhi)
{
    memset(s, 0, sizeof *s);
    s->x = x;
    s->y = *y;
    s->y_fixed = model_dist_is_fixed(y);
    s->x_point = x->kind == MODEL_RV_POINT;
    double ym = model_dist_mean(y), yv = model_dist_var(y);
    s->mean = x->mean + ym;
    s->var = x->var + yv;
    /* Where the sum can start: Y's support end, or its 1e-16 quantile when
     * that is far above it (a chunk of 10^8 frames is ~10^8 s with a sd of
     * ~10^4 s: integrating E[max] from 0 would leave QAG a step at 10^8 to
     * find, and cost 1e-6 relative). F(lo) <= 1e-16 then. */
    s->lo = x->lo + (s->y_fixed ? ym : fmax(model_dist_min(y), model_dist_quantile(y, 1e-16)));
    s->hi = x->hi + (s->y_fixed ? ym : yq ? yhi : model_dist_quantile(y, 1 - 1e-12));
    if (s->y_fixed || s->x_point)
        return;
    s->mix_over_y = yv <= x->var;
    double sum = 0;
    for (int m = 0; m < MODEL_RV_NODES; m++) {
        double u = (m + 0.5) / MODEL_RV_NODES;
        if (s->mix_over_y)
            s->nodes[m] = yq ? yq[m] : model_dist_quantile(y, u);
        else
            s->nodes[m] = xq ? xq[m] : model_rv_quantile(x, u);
        sum += s->nodes[m];
    }
    double want = s->mix_over_y ? ym : x->mean;
    double fix = want - sum / MODEL_RV_NODES;
    for (int m = 0; m < MODEL_RV_NODES; m++)
        s->nodes[m] += fix;
}

double model_rv_sum_cdf(const model_rv_sum *s, double t)
{
    if (s->y_fixed)
        return model_rv_cdf(s->x, t - model_dist_mean(&s->y));
    if (s->x_point)
        return model_dist_cdf(&s->y, t - s->x->offset);
    double acc = 0;
    if (s->mix_over_y)
        for (int m = 0; m < MODEL_RV_NODES; m++)
            acc += model_rv_cdf(s->x, t - s->nodes[m]);
    else
        for (int m = 0; m < MODEL_RV_NODES; m++)
            acc += model_dist_cdf(&s->y, t - s->nodes[m]);
    return acc / MODEL_RV_NODES;
}

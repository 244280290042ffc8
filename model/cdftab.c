/* model/cdftab.c -- verified uniform tables of smooth functions. See cdftab.h. */
#include "model/cdftab.h"
#include "base/status.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static void set_grid(model_cdftab *t, double a, double b, int n)
{
    t->a = a;
    t->b = b;
    t->n = n;
    t->h = (b - a) / (n - 1);
    t->inv_h = 1 / t->h;
}

int model_cdftab_build(model_cdftab *t, model_cdftab_fn f, const void *ctx, double a, double b, double below,
                       double above, int n0, int nmax, double tol, int *ok, char *err, size_t errsz)
{
    assert(n0 >= 17 && ((n0 - 1) & (n0 - 2)) == 0 && nmax >= n0 && b > a);
    memset(t, 0, sizeof *t);
    *ok = 0;
    t->below = below;
    t->above = above;
    set_grid(t, a, b, n0);
    t->v = malloc((size_t)n0 * sizeof *t->v);
    if (!t->v)
        return base_errf(err, errsz, BASE_ERUNTIME, "out of memory");
    for (int i = 0; i < n0; i++)
        t->v[i] = f(i == n0 - 1 ? b : a + i * t->h, ctx);
    for (;;) {
        int n2 = 2 * t->n - 1;
        double *w = malloc((size_t)n2 * sizeof *w);
        if (!w) {
            model_cdftab_free(t);
            return base_errf(err, errsz, BASE_ERUNTIME, "out of memory");
        }
        for (int i = 0; i + 1 < t->n; i++) {
            w[2 * i] = t->v[i];
            w[2 * i + 1] = f(a + (i + 0.5) * t->h, ctx);
        }
        w[n2 - 1] = t->v[t->n - 1];
        free(t->v);
        t->v = w;
        set_grid(t, a, b, n2);
        if (model_cdftab_check_odd(t, tol)) {
            *ok = 1;
            return BASE_OK;
        }
        if (2 * n2 - 1 > nmax)
            return BASE_OK;
    }
}

int model_cdftab_check_odd(model_cdftab *t, double tol)
{
    assert(t->n >= 33 && (t->n & 1));
    /* the coarse table: the even points, read in place with twice the step */
    model_cdftab c = *t;
    double worst = 0;
    c.n = (t->n + 1) / 2;
    c.h = 2 * t->h;
    c.inv_h = 1 / c.h;
    double *even = malloc((size_t)c.n * sizeof *even);
    if (!even) {
        t->err = INFINITY;
        return 0;
    }
    for (int i = 0; i < c.n; i++)
        even[i] = t->v[2 * i];
    c.v = even;
    for (int i = 1; i < t->n; i += 2) {
        double d = fabs(model_cdftab_eval(&c, t->a + i * t->h) - t->v[i]);
        if (!(d <= worst))
            worst = isnan(worst) ? worst : d; /* a NaN sticks */
    }
    free(even);
    t->err = worst;
    return worst <= tol;
}

void model_cdftab_free(model_cdftab *t)
{
    free(t->v);
    t->v = NULL;
    t->n = 0;
}

double model_cdftab_inverse(const model_cdftab *t, double p)
{
    if (!(p > t->v[0]))
        return t->a;
    if (!(p < t->v[t->n - 1]))
        return t->b;
    int lo = 0, hi = t->n - 1; /* v[lo] < p <= v[hi] */
    while (hi - lo > 1) {
        int mid = (lo + hi) / 2;
        if (t->v[mid] < p)
            lo = mid;
        else
            hi = mid;
    }
    /* Illinois (regula falsi) on the interpolant within the cell */
    double x0 = t->a + lo * t->h, x1 = lo + 1 == t->n - 1 ? t->b : x0 + t->h;
    double f0 = t->v[lo] - p, f1 = t->v[hi] - p, x = x0;
    int side = 0;
    for (int it = 0; it < 100 && x1 - x0 > 1e-13 * t->h; it++) {
        x = f1 != f0 ? x1 - f1 * (x1 - x0) / (f1 - f0) : 0.5 * (x0 + x1);
        if (!(x > x0 && x < x1))
            x = 0.5 * (x0 + x1);
        double fx = model_cdftab_eval(t, x) - p;
        if (fx == 0)
            return x;
        if ((fx < 0) == (f0 < 0)) {
            x0 = x;
            f0 = fx;
            if (side == -1)
                f1 *= 0.5;
            side = -1;
        } else {
            x1 = x;
            f1 = fx;
            if (side == 1)
                f0 *= 0.5;
            side = 1;
        }
    }
    return x;
}

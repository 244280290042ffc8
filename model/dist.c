/* model/dist.c -- distributions on top of GSL's samplers and CDFs. */
#include "model/dist.h"

#include <assert.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_sf_gamma.h>
#include <math.h>

model_dist model_dist_fixed(double v)
{
    return (model_dist){.kind = MODEL_DIST_FIXED, .a = v};
}

model_dist model_dist_lognormal_mp(double median, double p95)
{
    assert(median > 0 && p95 > median);
    double mu = log(median);
    return (model_dist){.kind = MODEL_DIST_LOGNORMAL, .a = mu, .b = (log(p95) - mu) / MODEL_Z95};
}

model_dist model_dist_gamma_mcv(double mean, double cv)
{
    assert(mean > 0 && cv > 0);
    return (model_dist){.kind = MODEL_DIST_GAMMA, .a = 1.0 / (cv * cv), .b = mean * cv * cv};
}

const char *model_dist_kind_name(model_dist_kind k)
{
    static const char *names[] = {"fixed", "uniform", "normal", "lognormal",
                                  "gamma", "exponential", "weibull", "empirical"};
    return names[k];
}

int model_dist_is_fixed(const model_dist *d)
{
    switch (d->kind) {
    case MODEL_DIST_FIXED: return 1;
    case MODEL_DIST_UNIFORM: return d->a == d->b;
    case MODEL_DIST_NORMAL: return d->b == 0;
    case MODEL_DIST_LOGNORMAL: return d->b == 0;
    case MODEL_DIST_EMPIRICAL: return d->samples[0] == d->samples[d->n - 1];
    default: return 0;
    }
}

/* Empirical: position of x on the piecewise-linear CDF. */
static double emp_cdf(const model_dist *d, double x)
{
    const double *s = d->samples;
    size_t n = d->n;
    if (x < s[0])
        return 0;
    if (x >= s[n - 1])
        return 1;
    size_t lo = 0, hi = n - 1; /* s[lo] <= x < s[hi] */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (s[mid] <= x)
            lo = mid;
        else
            hi = mid;
    }
    double frac = (x - s[lo]) / (s[hi] - s[lo]);
    return ((double)lo + frac) / (double)(n - 1);
}

static double emp_quantile(const model_dist *d, double p)
{
    double pos = p * (double)(d->n - 1);
    size_t i = (size_t)floor(pos);
    if (i >= d->n - 1)
        return d->samples[d->n - 1];
    double frac = pos - (double)i;
    return d->samples[i] + frac * (d->samples[i + 1] - d->samples[i]);
}

double model_dist_sample(const model_dist *d, gsl_rng *r)
{
    double x;
    switch (d->kind) {
    case MODEL_DIST_FIXED: x = d->a; break;
    case MODEL_DIST_UNIFORM: x = d->a + (d->b - d->a) * gsl_rng_uniform(r); break;
    case MODEL_DIST_NORMAL: x = fmax(0.0, d->a + gsl_ran_gaussian_ziggurat(r, d->b)); break;
    case MODEL_DIST_LOGNORMAL: x = exp(d->a + d->b * gsl_ran_gaussian_ziggurat(r, 1.0)); break;
    case MODEL_DIST_GAMMA: x = gsl_ran_gamma(r, d->a, d->b); break;
    case MODEL_DIST_EXPONENTIAL: x = model_ran_exp(r, d->a); break;
    case MODEL_DIST_WEIBULL: x = gsl_ran_weibull(r, d->a, d->b); break;
    case MODEL_DIST_EMPIRICAL: x = emp_quantile(d, gsl_rng_uniform(r)); break;
    default: assert(0); x = 0;
    }
    return x + d->shift;
}

double model_dist_cdf(const model_dist *d, double x)
{
    x -= d->shift;
    switch (d->kind) {
    case MODEL_DIST_FIXED: return x >= d->a ? 1.0 : 0.0;
    case MODEL_DIST_UNIFORM:
        if (d->a == d->b)
            return x >= d->a ? 1.0 : 0.0;
        return gsl_cdf_flat_P(x, d->a, d->b);
    case MODEL_DIST_NORMAL:
        if (x < 0)
            return 0;
        if (d->b == 0)
            return x >= d->a ? 1.0 : 0.0;
        return gsl_cdf_gaussian_P(x - d->a, d->b);
    case MODEL_DIST_LOGNORMAL:
        if (x <= 0)
            return 0;
        if (d->b == 0)
            return x >= exp(d->a) ? 1.0 : 0.0;
        return gsl_cdf_lognormal_P(x, d->a, d->b);
    case MODEL_DIST_GAMMA:
        if (x <= 0)
            return 0;
        return d->a >= MODEL_GAMMA_TEMME_SHAPE ? model_gamma_large_P(x, d->a, d->b) : gsl_cdf_gamma_P(x, d->a, d->b);
    case MODEL_DIST_EXPONENTIAL: return x <= 0 ? 0 : gsl_cdf_exponential_P(x, d->a);
    case MODEL_DIST_WEIBULL: return x <= 0 ? 0 : gsl_cdf_weibull_P(x, d->a, d->b);
    case MODEL_DIST_EMPIRICAL: return emp_cdf(d, x);
    }
    assert(0);
    return 0;
}

double model_dist_pdf(const model_dist *d, double x)
{
    x -= d->shift;
    switch (d->kind) {
    case MODEL_DIST_FIXED: return 0;
    case MODEL_DIST_UNIFORM: return d->a == d->b ? 0 : gsl_ran_flat_pdf(x, d->a, d->b);
    case MODEL_DIST_NORMAL: return (x <= 0 || d->b == 0) ? 0 : gsl_ran_gaussian_pdf(x - d->a, d->b);
    case MODEL_DIST_LOGNORMAL: return (x <= 0 || d->b == 0) ? 0 : gsl_ran_lognormal_pdf(x, d->a, d->b);
    case MODEL_DIST_GAMMA:
        if (x < 0)
            return 0;
        return d->a >= MODEL_GAMMA_TEMME_SHAPE ? model_gamma_large_pdf(x, d->a, d->b) : gsl_ran_gamma_pdf(x, d->a, d->b);
    case MODEL_DIST_EXPONENTIAL: return x < 0 ? 0 : gsl_ran_exponential_pdf(x, d->a);
    case MODEL_DIST_WEIBULL: return x < 0 ? 0 : gsl_ran_weibull_pdf(x, d->a, d->b);
    case MODEL_DIST_EMPIRICAL: {
        const double *s = d->samples;
        if (x < s[0] || x >= s[d->n - 1])
            return 0;
        size_t i = 0;
        while (i + 1 < d->n && s[i + 1] <= x)
            i++;
        return 1.0 / ((double)(d->n - 1) * (s[i + 1] - s[i]));
    }
    }
    assert(0);
    return 0;
}

static double quantile_raw(const model_dist *d, double p);

/* Bisection on the CDF: the fallback when GSL's inverse does not converge
 * (gamma with a large shape far in the tails, for one). Every loop is
 * bounded: the bracket steps grow geometrically (at least 1e-9 of the
 * value), so a sd that rounds to nothing or a huge one cannot stall it. */
static double quantile_bisect(const model_dist *d, double p)
{
    double m = model_dist_mean(d), sd = model_dist_sd(d), min = model_dist_min(d);
    if (!isfinite(m) || !isfinite(sd))
        return NAN;
    double step = fmax(10 * sd, 1e-9 * fabs(m) + 1e-300);
    double lo = fmax(min, m - step), hi = m + step;
    for (int i = 0; i < 200 && lo > min && model_dist_cdf(d, lo) > p; i++, step *= 2)
        lo = fmax(min, lo - step);
    step = fmax(10 * sd, 1e-9 * fabs(m) + 1e-300);
    for (int i = 0; i < 200 && model_dist_cdf(d, hi) < p; i++, step *= 2)
        hi += step;
    for (int i = 0; i < 200 && hi - lo > 1e-14 * fabs(hi); i++) {
        double mid = 0.5 * (lo + hi);
        if (model_dist_cdf(d, mid) < p)
            lo = mid;
        else
            hi = mid;
    }
    return 0.5 * (lo + hi);
}

/* GSL inverse CDFs, from the upper tail above the median for accuracy. */
static double inv(double (*P)(double, double, double), double (*Q)(double, double, double), double p,
                  double a, double b)
{
    return p > 0.5 ? Q(1 - p, a, b) : P(p, a, b);
}

double model_dist_quantile(const model_dist *d, double p)
{
    assert(p >= 0 && p <= 1);
    double x = quantile_raw(d, p);
    if (p > 0 && p < 1 && !isfinite(x))
        x = quantile_bisect(d, p);
    /* GSL's gamma inverse can converge to a wrong finite value for large
     * shapes (a chunk's summed time): verify, then fall back. */
    if (p > 0 && p < 1 && d->kind == MODEL_DIST_GAMMA &&
        fabs(model_dist_cdf(d, x) - p) > 1e-9 + 1e-6 * fmin(p, 1 - p))
        x = quantile_bisect(d, p);
    return x;
}

static double quantile_raw(const model_dist *d, double p)
{
    double x;
    switch (d->kind) {
    case MODEL_DIST_FIXED: x = d->a; break;
    case MODEL_DIST_UNIFORM: x = d->a + p * (d->b - d->a); break;
    case MODEL_DIST_NORMAL: {
        double p0 = d->b > 0 ? gsl_cdf_gaussian_P(-d->a, d->b) : (d->a <= 0);
        if (p <= p0)
            x = 0;
        else if (p >= 1)
            x = INFINITY;
        else
            x = d->a + (p > 0.5 ? gsl_cdf_gaussian_Qinv(1 - p, d->b) : gsl_cdf_gaussian_Pinv(p, d->b));
        if (d->b == 0)
            x = fmax(0.0, d->a);
        break;
    }
    case MODEL_DIST_LOGNORMAL:
        if (d->b == 0)
            x = exp(d->a);
        else
            x = p <= 0 ? 0 : p >= 1 ? INFINITY : inv(gsl_cdf_lognormal_Pinv, gsl_cdf_lognormal_Qinv, p, d->a, d->b);
        break;
    case MODEL_DIST_GAMMA:
        if (d->a >= MODEL_GAMMA_TEMME_SHAPE)
            x = model_gamma_large_quantile(p, d->a, d->b);
        else
            x = p <= 0 ? 0 : p >= 1 ? INFINITY : inv(gsl_cdf_gamma_Pinv, gsl_cdf_gamma_Qinv, p, d->a, d->b);
        break;
    case MODEL_DIST_EXPONENTIAL: x = p <= 0 ? 0 : p >= 1 ? INFINITY : (p > 0.5 ? gsl_cdf_exponential_Qinv(1 - p, d->a) : gsl_cdf_exponential_Pinv(p, d->a)); break;
    case MODEL_DIST_WEIBULL: x = p <= 0 ? 0 : p >= 1 ? INFINITY : inv(gsl_cdf_weibull_Pinv, gsl_cdf_weibull_Qinv, p, d->a, d->b); break;
    case MODEL_DIST_EMPIRICAL: x = emp_quantile(d, p); break;
    default: assert(0); x = 0;
    }
    return x + d->shift;
}

double model_dist_min(const model_dist *d)
{
    return model_dist_quantile(d, 0.0);
}

/* Mean and variance of the unshifted variable, each from its own closed
 * form (never E[X^2] - E[X]^2, which cancels to 0 when the sd is below
 * ~1e-8 of the mean: a gamma of shape 1e16 would have no spread). */
static void moments(const model_dist *d, double *mean, double *var)
{
    double a = d->a, b = d->b;
    switch (d->kind) {
    case MODEL_DIST_FIXED: *mean = a; *var = 0; return;
    case MODEL_DIST_UNIFORM: *mean = (a + b) / 2; *var = (b - a) * (b - a) / 12; return;
    case MODEL_DIST_NORMAL: {
        if (b == 0) {
            *mean = fmax(0.0, a);
            *var = 0;
            return;
        }
        /* X = max(0, Y), Y ~ N(a, b^2), z = a/b: E[X] = b (z P + phi),
         * Var[X] = b^2 (z^2 P Q + P + z phi (1 - 2P) - phi^2). */
        double z = a / b, P = gsl_cdf_ugaussian_P(z), Q = gsl_cdf_ugaussian_Q(z), phi = gsl_ran_ugaussian_pdf(z);
        *mean = a * P + b * phi;
        *var = b * b * fmax(0.0, z * z * P * Q + P + z * phi * (Q - P) - phi * phi);
        return;
    }
    case MODEL_DIST_LOGNORMAL: *mean = exp(a + b * b / 2); *var = expm1(b * b) * exp(2 * a + b * b); return;
    case MODEL_DIST_GAMMA: *mean = a * b; *var = a * b * b; return;
    case MODEL_DIST_EXPONENTIAL: *mean = a; *var = a * a; return;
    case MODEL_DIST_WEIBULL: {
        double l1 = gsl_sf_lngamma(1 + 1 / b), l2 = gsl_sf_lngamma(1 + 2 / b);
        *mean = a * exp(l1);
        *var = a * a * exp(2 * l1) * expm1(l2 - 2 * l1);
        return;
    }
    case MODEL_DIST_EMPIRICAL: {
        /* n - 1 uniform segments of equal probability */
        double s1 = 0, s2 = 0, m;
        for (size_t i = 0; i + 1 < d->n; i++)
            s1 += (d->samples[i] + d->samples[i + 1]) / 2;
        m = s1 / (double)(d->n - 1);
        for (size_t i = 0; i + 1 < d->n; i++) {
            double x0 = d->samples[i] - m, x1 = d->samples[i + 1] - m;
            s2 += (x0 * x0 + x0 * x1 + x1 * x1) / 3;
        }
        *mean = m;
        *var = s2 / (double)(d->n - 1);
        return;
    }
    }
    assert(0);
}

double model_dist_mean(const model_dist *d)
{
    double m, v;
    moments(d, &m, &v);
    return m + d->shift;
}

double model_dist_var(const model_dist *d)
{
    double m, v;
    moments(d, &m, &v);
    return v > 0 ? v : 0;
}

double model_dist_sd(const model_dist *d)
{
    return sqrt(model_dist_var(d));
}

model_dist model_dist_sum(const model_dist *d, double n)
{
    if (n <= 0)
        return model_dist_fixed(0);
    if (n == 1)
        return *d;
    model_dist s = {0};
    switch (d->kind) {
    case MODEL_DIST_FIXED:
        return model_dist_fixed(n * (d->a + d->shift));
    case MODEL_DIST_GAMMA:
        s = (model_dist){.kind = MODEL_DIST_GAMMA, .a = n * d->a, .b = d->b, .shift = n * d->shift};
        return s;
    case MODEL_DIST_EXPONENTIAL:
        s = (model_dist){.kind = MODEL_DIST_GAMMA, .a = n, .b = d->a, .shift = n * d->shift};
        return s;
    default:
        if (model_dist_is_fixed(d))
            return model_dist_fixed(n * model_dist_mean(d));
        s = (model_dist){.kind = MODEL_DIST_NORMAL, .a = n * model_dist_mean(d),
                         .b = sqrt(n) * model_dist_sd(d)};
        return s;
    }
}

/* model/dist.h -- the random times of a scenario: one value type, every kind.
 *
 * A model_dist is a small value (copy it freely). Kinds and their canonical
 * parameters (a, b):
 *   FIXED        a = value
 *   UNIFORM      a = min, b = max
 *   NORMAL       a = mean, b = sd; the draw is clamped at 0 (a point mass at 0)
 *   LOGNORMAL    a = mu, b = sigma (from JSON median/p95: mu = ln median,
 *                sigma = (ln p95 - mu) / z95)
 *   GAMMA        a = shape, b = scale (from JSON mean/cv: shape 1/cv^2,
 *                scale mean*cv^2)
 *   EXPONENTIAL  a = mean
 *   WEIBULL      a = scale, b = shape
 *   EMPIRICAL    samples[0..n) sorted ascending; continuous piecewise-linear
 *                CDF through (samples[i], i/(n-1)) -- draws interpolate, so
 *                mean is the average of segment midpoints, not of samples.
 * Every kind then adds `shift`. EMPIRICAL samples are borrowed: the scenario
 * that parsed them owns the array.
 *
 * Sums: model_dist_sum(d, n) is the distribution the model and the simulator
 * both use for the sum of n iid draws (a chunk's processing time): exact for
 * FIXED (n*v), GAMMA and EXPONENTIAL (gamma with n times the shape); for the
 * other kinds a CLT normal with mean n*E[X] and sd sqrt(n)*SD[X] (clamped at
 * 0) when n > 1. n may be fractional (the continuous relaxation used for
 * break-even search); n <= 0 gives FIXED 0.
 *
 * JSON forms of each kind: model/dist_parse.h (the scenario parser's).
 *
 * Costs: cdf/pdf/quantile/mean/var are O(1) but EMPIRICAL cdf is O(log n).
 */
#ifndef FORKCAST_MODEL_DIST_H
#define FORKCAST_MODEL_DIST_H

#include <gsl/gsl_rng.h>
#include <stddef.h>

typedef enum {
    MODEL_DIST_FIXED,
    MODEL_DIST_UNIFORM,
    MODEL_DIST_NORMAL,
    MODEL_DIST_LOGNORMAL,
    MODEL_DIST_GAMMA,
    MODEL_DIST_EXPONENTIAL,
    MODEL_DIST_WEIBULL,
    MODEL_DIST_EMPIRICAL,
} model_dist_kind;

typedef struct {
    model_dist_kind kind;
    double a, b;            /* canonical parameters, see above */
    double shift;           /* added to every draw */
    const double *samples;  /* EMPIRICAL only: sorted, borrowed */
    size_t n;               /* EMPIRICAL only: >= 2 */
} model_dist;

#define MODEL_Z95 1.6448536269514722

model_dist model_dist_fixed(double v);
model_dist model_dist_lognormal_mp(double median, double p95); /* median, p95 > median > 0 */
model_dist model_dist_gamma_mcv(double mean, double cv);        /* cv > 0 */

int model_dist_is_fixed(const model_dist *d);   /* no randomness at all */
double model_dist_sample(const model_dist *d, gsl_rng *r);
double model_dist_cdf(const model_dist *d, double x);
double model_dist_pdf(const model_dist *d, double x);   /* density of the continuous part */
double model_dist_quantile(const model_dist *d, double p); /* p in [0,1]; 0/1 give support ends (may be inf) */
double model_dist_mean(const model_dist *d);
double model_dist_var(const model_dist *d);
double model_dist_sd(const model_dist *d);
/* Lower end of the support (finite for every kind). */
double model_dist_min(const model_dist *d);

model_dist model_dist_sum(const model_dist *d, double n);

/* An exponential draw with the given mean (model/ran_exp.c: ziggurat, one
 * generator call and a multiply 99% of the time, ~3x faster than -mean log U;
 * 24 bits of abscissa per layer). Every exponential draw of the model and the
 * simulators goes through it. */
double model_ran_exp(gsl_rng *r, double mean);

/* The gamma law (shape a, scale b) from shape MODEL_GAMMA_TEMME_SHAPE on,
 * where GSL's incomplete gamma function is not accurate (model/dist_gamma.c:
 * Temme's expansion, absolute CDF error below 3e-10). model_dist_cdf, pdf
 * and quantile switch to these there; exposed for tests. */
#define MODEL_GAMMA_TEMME_SHAPE 2e4
double model_gamma_large_P(double x, double a, double b);
double model_gamma_large_Q(double x, double a, double b);
double model_gamma_large_pdf(double x, double a, double b);
double model_gamma_large_quantile(double p, double a, double b);

/* Kind name as in JSON ("fixed", "lognormal", ...). */
const char *model_dist_kind_name(model_dist_kind k);

#endif

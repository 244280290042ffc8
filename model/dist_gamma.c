/* model/dist_gamma.c -- the gamma law at large shapes (model/dist.h).
 *
 * GSL's incomplete gamma function loses accuracy from shape ~10^5 and is
 * wrong beyond 10^6 (its large-x asymptotic branch: P(a + sqrt(a), a) is
 * 0.846 instead of 0.841 at a = 10^7, 0.988 at 10^10), and a chunk of n
 * frames with a gamma or exponential per-frame time is a gamma of n times
 * the shape: 10^8 frames of an exponential is shape 10^8. From
 * MODEL_GAMMA_TEMME_SHAPE on, the CDF is Temme's uniform asymptotic
 * expansion with its first correction term (DLMF 8.12.3-8.12.8):
 *   Q(a, x) = erfc(eta sqrt(a/2)) / 2 + exp(-a eta^2/2) / sqrt(2 pi a) c0(eta),
 *   lambda = x/a, eta = sign(lambda - 1) sqrt(2 (lambda - 1 - ln lambda)),
 *   c0 = 1/(lambda - 1) - 1/eta   (-1/3 + eta/12 near lambda = 1),
 * whose absolute error, checked against mpmath at 40 digits for z in
 * [-6, 8], is 2.6e-10 at a = 2e4, 2e-11 at 1e5, 4e-12 at 1e6 and below
 * 1e-12 above. The density is exact (Stirling's series through
 * gsl_sf_gammastar), the quantile Newton's method from Wilson-Hilferty's
 * start. O(1) each. */
#include "model/dist.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_sf_gamma.h>
#include <math.h>

/* eta, and lambda - 1, of x for shape a (scale 1). */
static double temme_eta(double x, double a, double *dm1)
{
    double d = x / a - 1;
    *dm1 = d;
    double v = d > -1e-3 && d < 1e-3 ? d * d * (0.5 - d / 3 + d * d / 4) : d - log1p(d);
    double eta = sqrt(2 * fmax(v, 0));
    return d < 0 ? -eta : eta;
}

/* exp(-a eta^2/2) / sqrt(2 pi a) * c0(eta) */
static double temme_r(double a, double eta, double d)
{
    double c0 = fabs(d) < 1e-3 ? -1.0 / 3 + eta / 12 : 1 / d - 1 / eta;
    return exp(-a * eta * eta / 2) / sqrt(2 * M_PI * a) * c0;
}

double model_gamma_large_P(double x, double a, double b)
{
    if (!(x > 0))
        return 0;
    double d, eta = temme_eta(x / b, a, &d);
    if (d < 0)
        return 0.5 * erfc(-eta * sqrt(a / 2)) - temme_r(a, eta, d);
    return 1 - (0.5 * erfc(eta * sqrt(a / 2)) + temme_r(a, eta, d));
}

double model_gamma_large_Q(double x, double a, double b)
{
    if (!(x > 0))
        return 1;
    double d, eta = temme_eta(x / b, a, &d);
    if (d < 0)
        return 1 - (0.5 * erfc(-eta * sqrt(a / 2)) - temme_r(a, eta, d));
    return 0.5 * erfc(eta * sqrt(a / 2)) + temme_r(a, eta, d);
}

double model_gamma_large_pdf(double x, double a, double b)
{
    if (!(x > 0))
        return 0;
    double d, eta = temme_eta(x / b, a, &d);
    (void)d;
    return exp(-a * eta * eta / 2) * sqrt(a) / ((x / b) * sqrt(2 * M_PI) * gsl_sf_gammastar(a)) / b;
}

double model_gamma_large_quantile(double p, double a, double b)
{
    if (p <= 0)
        return 0;
    if (p >= 1)
        return INFINITY;
    double z = p > 0.5 ? gsl_cdf_ugaussian_Qinv(1 - p) : gsl_cdf_ugaussian_Pinv(p);
    double c = 1 - 1 / (9 * a) + z / (3 * sqrt(a));
    double x = a * c * c * c; /* Wilson-Hilferty, scale 1 */
    for (int i = 0; i < 8; i++) {
        double f = model_gamma_large_pdf(x, a, 1);
        if (!(f > 0))
            break;
        /* from the tail that is small, for accuracy */
        double step = p > 0.5 ? -((1 - p) - model_gamma_large_Q(x, a, 1)) / f
                              : (p - model_gamma_large_P(x, a, 1)) / f;
        x += step;
        if (fabs(step) <= 1e-15 * x)
            break;
    }
    return x * b;
}

/* tests/test_dist.c -- distributions against GSL integration and closed forms. */
#include "harness.h"
#include "model/dist.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_integration.h>
#include <gsl/gsl_rng.h>

static gsl_integration_workspace *ws;

typedef struct {
    const model_dist *d;
    int power;
} mctx;

static double moment_integrand(double x, void *v)
{
    const mctx *m = v;
    double p = model_dist_pdf(m->d, x);
    return m->power == 1 ? x * p : x * x * p;
}

static double density_integrand(double x, void *v)
{
    return model_dist_pdf(((mctx *)v)->d, x);
}

/* Moments by integrating the density numerically from the support's lower end. */
static double num_moment(const model_dist *d, int power)
{
    mctx m = {d, power};
    gsl_function f = {power ? moment_integrand : density_integrand, &m};
    double r, e, lo = model_dist_min(d);
    double hi = model_dist_quantile(d, 1.0);
    if (isfinite(hi))
        gsl_integration_qags(&f, lo, hi, 1e-12, 1e-10, 1000, ws, &r, &e);
    else
        gsl_integration_qagiu(&f, lo, 1e-12, 1e-10, 1000, ws, &r, &e);
    return r;
}

static model_dist kinds[8];
static double emp_samples[] = {1.0, 2.0, 2.5, 4.0, 7.0};

static void setup(void)
{
    kinds[0] = (model_dist){.kind = MODEL_DIST_UNIFORM, .a = 10, .b = 30};
    kinds[1] = (model_dist){.kind = MODEL_DIST_NORMAL, .a = 5, .b = 1.5};
    kinds[2] = model_dist_lognormal_mp(20, 45);
    kinds[3] = model_dist_gamma_mcv(3, 0.5);
    kinds[4] = (model_dist){.kind = MODEL_DIST_EXPONENTIAL, .a = 2};
    kinds[5] = (model_dist){.kind = MODEL_DIST_WEIBULL, .a = 10, .b = 1.7};
    kinds[6] = (model_dist){.kind = MODEL_DIST_EMPIRICAL, .samples = emp_samples, .n = 5};
    kinds[7] = model_dist_gamma_mcv(3, 0.5);
    kinds[7].shift = 4;
}

static void test_moments_against_integration(void)
{
    for (int i = 0; i < 8; i++) {
        const model_dist *d = &kinds[i];
        double m = num_moment(d, 1), m2 = num_moment(d, 2), mass = num_moment(d, 0);
        double atom = d->kind == MODEL_DIST_NORMAL ? model_dist_cdf(d, 0) : 0; /* clamped mass at 0 */
        CHECK_REL(mass, 1.0 - atom, 1e-6);
        CHECK_REL(model_dist_mean(d), m, 1e-6);
        CHECK_REL(model_dist_var(d), m2 - m * m, 1e-5);
    }
}

static void test_quantile_roundtrip(void)
{
    double ps[] = {0.001, 0.05, 0.3, 0.5, 0.77, 0.95, 0.999};
    for (int i = 0; i < 8; i++)
        for (int j = 0; j < 7; j++) {
            double x = model_dist_quantile(&kinds[i], ps[j]);
            CHECK_NEAR(model_dist_cdf(&kinds[i], x), ps[j], 1e-9);
        }
}

static void test_lognormal_median_p95(void)
{
    model_dist d = model_dist_lognormal_mp(20, 45);
    CHECK_REL(model_dist_quantile(&d, 0.5), 20, 1e-12);
    CHECK_REL(model_dist_quantile(&d, 0.95), 45, 1e-9);
    /* mean exp(mu + sigma^2/2) */
    double sigma = log(45.0 / 20) / MODEL_Z95;
    CHECK_REL(model_dist_mean(&d), 20 * exp(sigma * sigma / 2), 1e-12);
}

static void test_closed_forms(void)
{
    /* Uniform(10,30): mean 20, var 400/12; exponential mean 2: var 4. */
    CHECK_REL(model_dist_mean(&kinds[0]), 20, 1e-12);
    CHECK_REL(model_dist_var(&kinds[0]), 400.0 / 12, 1e-12);
    CHECK_REL(model_dist_var(&kinds[4]), 4, 1e-12);
    CHECK_REL(model_dist_quantile(&kinds[4], 0.5), 2 * log(2.0), 1e-12);
    /* Weibull median a (ln 2)^(1/b). */
    CHECK_REL(model_dist_quantile(&kinds[5], 0.5), 10 * pow(log(2.0), 1 / 1.7), 1e-10);
    /* Shift moves quantiles and mean, not variance. */
    CHECK_REL(model_dist_mean(&kinds[7]), 3 + 4, 1e-12);
    CHECK_REL(model_dist_var(&kinds[7]), model_dist_var(&kinds[3]), 1e-12);
    CHECK_REL(model_dist_quantile(&kinds[7], 0.3), model_dist_quantile(&kinds[3], 0.3) + 4, 1e-12);
    /* Normal clamped at 0 with mass below: mean m*Phi(m/s) + s*phi(m/s). */
    model_dist n = {.kind = MODEL_DIST_NORMAL, .a = 1, .b = 2};
    double z = 0.5, Phi = 0.5 * erfc(-z / sqrt(2)), phi = exp(-z * z / 2) / sqrt(2 * M_PI);
    CHECK_REL(model_dist_mean(&n), 1 * Phi + 2 * phi, 1e-12);
    CHECK_NEAR(model_dist_cdf(&n, -0.001), 0, 0);
    CHECK_NEAR(model_dist_cdf(&n, 0), 0.5 * erfc(0.5 / sqrt(2)), 1e-12);
}

static void test_sampling(void)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 42);
    int n = 200000;
    for (int i = 0; i < 8; i++) {
        double s = 0, s2 = 0;
        for (int j = 0; j < n; j++) {
            double x = model_dist_sample(&kinds[i], r);
            s += x;
            s2 += x * x;
        }
        double mean = s / n, sd = sqrt(model_dist_var(&kinds[i]));
        /* within 5 standard errors */
        CHECK_NEAR(mean, model_dist_mean(&kinds[i]), 5 * sd / sqrt(n));
        CHECK_REL(s2 / n - mean * mean, model_dist_var(&kinds[i]), 0.03);
    }
    gsl_rng_free(r);
}

static void test_sums(void)
{
    /* Gamma and exponential sums are exact gammas; others CLT normals with
     * n*mean, n*var. */
    for (int i = 0; i < 8; i++) {
        model_dist s = model_dist_sum(&kinds[i], 37);
        CHECK_REL(model_dist_mean(&s), 37 * model_dist_mean(&kinds[i]), 1e-9);
        CHECK_REL(model_dist_var(&s), 37 * model_dist_var(&kinds[i]), 1e-6);
    }
    model_dist g = model_dist_sum(&kinds[3], 37);
    CHECK(g.kind == MODEL_DIST_GAMMA);
    model_dist one = model_dist_sum(&kinds[2], 1);
    CHECK(one.kind == MODEL_DIST_LOGNORMAL);
    model_dist f = model_dist_fixed(0.025);
    model_dist fs = model_dist_sum(&f, 300);
    CHECK(model_dist_is_fixed(&fs));
    CHECK_REL(model_dist_mean(&fs), 7.5, 1e-12);
    /* Large-shape gamma quantiles stay right in the tails (GSL's inverse
     * alone does not). */
    model_dist big = model_dist_sum(&kinds[3], 3e6);
    double q = model_dist_quantile(&big, 0.99);
    CHECK_NEAR(model_dist_cdf(&big, q), 0.99, 1e-9);
}

/* model_ran_exp (ziggurat) against the exponential law: 1000 equiprobable
 * bins plus the tail beyond the ziggurat's r = 7.697 in three bins, a
 * chi-square test at p = 1e-4 (fixed seed: the outcome is fixed too); mean
 * and variance; the mean excess in the tail, which the chi-square is too
 * diluted to see; the -log U fallback for a generator of fewer than 32 bits. */
static void test_ran_exp(void)
{
    enum { N = 16000000, BINS = 1000 };
    const double tail[3] = {7.697117470131487, 9.0, 12.0}; /* then infinity */
    static long count[BINS + 3];
    memset(count, 0, sizeof count);
    gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2);
    gsl_rng_set(r, 7);
    double s = 0, s2 = 0, excess = 0;
    for (long n = 0; n < N; n++) {
        double x = model_ran_exp(r, 2.5) / 2.5;
        s += x;
        s2 += x * x;
        excess += x >= tail[0] ? x - tail[0] : 0;
        int t = x >= tail[2] ? 2 : x >= tail[1] ? 1 : x >= tail[0] ? 0 : -1;
        if (t >= 0)
            count[BINS + t]++;
        else
            count[(int)(-expm1(-x) / (-expm1(-tail[0])) * BINS)]++;
    }
    double mean = s / N;
    CHECK_NEAR(mean, 1.0, 5.0 / sqrt(N));
    CHECK_REL(s2 / N - mean * mean, 1.0, 0.01);
    double p_body = -expm1(-tail[0]), chi2 = 0;
    double p_tail[3] = {exp(-tail[0]) - exp(-tail[1]), exp(-tail[1]) - exp(-tail[2]), exp(-tail[2])};
    for (int b = 0; b < BINS + 3; b++) {
        double e = N * (b < BINS ? p_body / BINS : p_tail[b - BINS]);
        chi2 += (count[b] - e) * (count[b] - e) / e;
    }
    double crit = gsl_cdf_chisq_Qinv(1e-4, BINS + 2);
    fprintf(stderr, "test_ran_exp: chi2 %.1f on %d dof, critical %.1f\n", chi2, BINS + 2, crit);
    CHECK(chi2 < crit);
    /* the tail's own law: beyond r, x - r is Exp(1) (~7000 draws here) */
    long ntail = count[BINS] + count[BINS + 1] + count[BINS + 2];
    CHECK(ntail > 5000);
    CHECK_NEAR(excess / (double)ntail, 1.0, 4.5 / sqrt((double)ntail));
    gsl_rng_free(r);
    /* 31-bit generator: the fallback, same law */
    r = gsl_rng_alloc(gsl_rng_rand);
    s = 0;
    for (long n = 0; n < N / 10; n++)
        s += model_ran_exp(r, 3.0);
    CHECK_NEAR(s / (N / 10), 3.0, 5 * 3.0 / sqrt(N / 10));
    gsl_rng_free(r);
}

static void run_all(void)
{
    gsl_set_error_handler_off();
    ws = gsl_integration_workspace_alloc(1000);
    setup();
    test_moments_against_integration();
    test_quantile_roundtrip();
    test_lognormal_median_p95();
    test_closed_forms();
    test_sampling();
    test_sums();
    test_ran_exp();
    gsl_integration_workspace_free(ws);
}

TEST_MAIN(run_all)

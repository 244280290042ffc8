/* tests/test_cdftab.c -- verified uniform tables (model/cdftab.h): the
 * 8-point weights against polynomials they must reproduce exactly, a
 * smooth CDF (the standard normal, GSL's) tabulated and checked at points
 * between the nodes and inverted, a kinked one (a uniform CDF) refused, a
 * planted error caught by the odd-point check. */
#include "harness.h"
#include "model/cdftab.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_rng.h>
#include <stdlib.h>

static double normal_cdf(double x, const void *ctx)
{
    (void)ctx;
    return gsl_cdf_ugaussian_P(x);
}

static double uniform_cdf(double x, const void *ctx)
{
    (void)ctx;
    return x <= -1 ? 0 : x >= 1 ? 1 : (x + 1) / 2;
}

static int calls;
static double counted_normal(double x, const void *ctx)
{
    calls++;
    return normal_cdf(x, ctx);
}

/* Degree-7 Lagrange interpolation is exact for polynomials of degree <= 7
 * and the weights sum to 1. */
static void test_weights(void)
{
    for (int i = 0; i <= 70; i++) {
        double s = 7.0 * i / 70, w[8], sum = 0, p3 = 0, p7 = 0;
        model_cdftab_weights(s, w);
        for (int j = 0; j < 8; j++) {
            sum += w[j];
            p3 += w[j] * (j * j * j - 2.0 * j);
            p7 += w[j] * pow(j - 3.5, 7);
        }
        CHECK_NEAR(sum, 1, 1e-13);
        CHECK_NEAR(p3, s * s * s - 2 * s, 1e-11);
        CHECK_NEAR(p7, pow(s - 3.5, 7), 1e-10);
    }
}

static void test_normal(void)
{
    model_cdftab t;
    int ok = 0;
    calls = 0;
    CHECK(model_cdftab_build(&t, counted_normal, NULL, -8, 8, 0, 1, 65, 4097, 1e-10, &ok, NULL, 0) == 0);
    CHECK(ok && t.n >= 129 && t.n <= 4097 && t.err <= 1e-10);
    CHECK(calls == t.n); /* every level's evaluations are the next level's nodes */
    gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(g, 5);
    double worst = 0;
    for (int i = 0; i < 20000; i++) {
        double x = -8 + 16 * gsl_rng_uniform(g);
        worst = fmax(worst, fabs(model_cdftab_eval(&t, x) - gsl_cdf_ugaussian_P(x)));
    }
    CHECK(worst <= 1e-10); /* the table in use is at least as good as the level checked */
    fprintf(stderr, "  normal CDF on [-8, 8]: %d points, checked %.2e, worst at 20000 points %.2e\n", t.n, t.err,
            worst);
    CHECK(model_cdftab_eval(&t, -9) == 0 && model_cdftab_eval(&t, 9) == 1);
    for (int i = 1; i < 100; i++) {
        double p = i / 100.0;
        CHECK_NEAR(model_cdftab_inverse(&t, p), gsl_cdf_ugaussian_Pinv(p), 1e-8);
    }
    /* a planted error at one odd point is caught */
    t.v[t.n / 2 + (t.n / 2 % 2 == 0)] += 1e-6;
    CHECK(!model_cdftab_check_odd(&t, 1e-9) && t.err >= 0.9e-6);
    model_cdftab_free(&t);
    gsl_rng_free(g);
}

static void test_kink(void)
{
    model_cdftab t;
    int ok = 1;
    CHECK(model_cdftab_build(&t, uniform_cdf, NULL, -2, 2, 0, 1, 65, 4097, 1e-9, &ok, NULL, 0) == 0);
    CHECK(!ok && t.err > 1e-9); /* the kinks at -1 and 1 keep it above tolerance */
    model_cdftab_free(&t);
    model_cdftab_free(&t); /* a freed table may be freed again */
}

TEST_MAIN(test_weights, test_normal, test_kink)

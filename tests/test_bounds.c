/* tests/test_bounds.c -- the plausible domain (model/bounds.h): the parser
 * refuses what lies outside with one line naming the field and the bound,
 * command-line values go through the same checks, and inside it the laws
 * and the convolution stay finite and accurate: the large-shape gamma
 * (Temme) against mpmath, variances without cancellation, bounded quantile
 * searches, the grid at the heaviest tails against direct integration. */
#include "base/status.h"
#include "model/bounds.h"
#include "model/dist.h"
#include "model/rv.h"
#include "model/scenario.h"
#include "harness.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_integration.h>
#include <stdio.h>
#include <stdlib.h>

static char err[1024];

/* Parse F + body + "}"; expect status want and, on failure, one line
 * naming t.json and containing each needle. */
static void parse(const char *body, int want, const char *n1, const char *n2)
{
    char json[2048];
    model_scenario s;
    if (!strncmp(body, "\"job\"", 5))
        snprintf(json, sizeof json, "{%s}", body);
    else
        snprintf(json, sizeof json, "{\"job\":{\"frames\":300},%s}", body);
    err[0] = 0;
    int rc = model_scenario_parse(json, "t.json", &s, err, sizeof err);
    CHECK(rc == want);
    if (want) {
        CHECK(!strncmp(err, "t.json: ", 8) && !strchr(err, '\n'));
        CHECK(!n1 || strstr(err, n1));
        CHECK(!n2 || strstr(err, n2));
    }
    if (rc != want || (want && ((n1 && !strstr(err, n1)) || (n2 && !strstr(err, n2)))))
        fprintf(stderr, "  input %s\n  rc %d, message: %s\n", json, rc, err);
    if (!rc)
        model_scenario_free(&s);
}

#define CS "\"platform\":{\"cold_start_s\":"

static void test_kind_bounds(void)
{
    /* the reproducers, each refused naming the parameter */
    parse(CS "{\"dist\":\"weibull\",\"scale\":30,\"shape\":0.005}}", BASE_EINPUT, "cold_start_s.shape",
          "must be at least 0.3 (got 0.005)");
    parse(CS "{\"dist\":\"weibull\",\"scale\":30,\"shape\":0.003}}", BASE_EINPUT, "shape", "0.3");
    parse(CS "{\"dist\":\"gamma\",\"mean\":1e300,\"cv\":1e10}}", BASE_EINPUT, "cold_start_s.cv", "at most 4");
    parse(CS "{\"dist\":\"gamma\",\"mean\":30,\"cv\":24}}", BASE_EINPUT, "cold_start_s.cv", "at most 4");
    parse(CS "{\"dist\":\"lognormal\",\"mu\":700,\"sigma\":20}}", BASE_EINPUT, "cold_start_s.sigma", "at most 1.6");
    parse(CS "{\"dist\":\"lognormal\",\"median\":1e-300,\"p95\":1e300}}", BASE_EINPUT, "cold_start_s.median",
          "at least 1e-09");
    parse(CS "{\"dist\":\"lognormal\",\"median\":10,\"p95\":1000}}", BASE_EINPUT, "cold_start_s.p95",
          "x median");
    parse(CS "{\"dist\":\"exponential\",\"mean\":1e200}}", BASE_EINPUT, "cold_start_s: mean must be at most 86400",
          NULL);
    parse("\"stage\":{\"per_frame_s\":{\"dist\":\"lognormal\",\"mu\":-3,\"sigma\":20}}", BASE_EINPUT,
          "per_frame_s.sigma", NULL);
    parse("\"job\":{\"frames\":3,\"input_mb\":1e80}", BASE_EINPUT, "job.input_mb", "at most 1e+07");
    /* p99.9 above a day with a mean below it */
    parse(CS "{\"dist\":\"exponential\",\"mean\":20000}}", BASE_EINPUT, "p99.9 must be at most 86400", NULL);
    parse("\"stage\":{\"per_frame_s\":{\"dist\":\"uniform\",\"min\":0,\"max\":4000}}", BASE_EINPUT,
          "per_frame_s: p99.9 must be at most 3600", NULL);
    parse("\"stage\":{\"per_frame_s\":{\"dist\":\"empirical\",\"samples\":[1,2,5000]}}", BASE_EINPUT,
          "per_frame_s.samples: each must be at most 3600", NULL);
    /* just inside: accepted */
    parse(CS "{\"dist\":\"weibull\",\"scale\":30,\"shape\":0.3}}", BASE_OK, NULL, NULL);
    parse(CS "{\"dist\":\"gamma\",\"mean\":30,\"cv\":4}}", BASE_OK, NULL, NULL);
    parse(CS "{\"dist\":\"gamma\",\"mean\":30,\"cv\":0.001}}", BASE_OK, NULL, NULL);
    parse(CS "{\"dist\":\"lognormal\",\"mu\":3,\"sigma\":1.6}}", BASE_OK, NULL, NULL);
    parse(CS "{\"dist\":\"exponential\",\"mean\":12000}}", BASE_OK, NULL, NULL);
    parse(CS "{\"dist\":\"empirical\",\"samples\":[5,5,5]}}", BASE_OK, NULL, NULL); /* one value: fixed */
}

static void test_field_bounds(void)
{
    parse("\"platform\":{\"download_mb_s\":1e-6}", BASE_EINPUT, "download_mb_s: must be 0 or at least 0.001", NULL);
    parse("\"platform\":{\"gpu_per_s\":1e-20}", BASE_EINPUT, "gpu_per_s: must be 0 or at least 1e-12", NULL);
    parse("\"platform\":{\"gpu_per_s\":5}", BASE_EINPUT, "gpu_per_s: must be at most 1", NULL);
    parse("\"platform\":{\"gpu_per_s\":0}", BASE_OK, NULL, NULL);
    /* cross-field: a transfer over a day, the job's work, the concat */
    parse("\"job\":{\"frames\":3,\"input_mb\":1e6},\"platform\":{\"download_mb_s\":1}", BASE_EINPUT,
          "job.input_mb: 1e+06 MB at 1 MB/s takes 1e+06 s per download", NULL);
    parse("\"job\":{\"frames\":3,\"output_mb\":1e6},\"platform\":{\"upload_mb_s\":1}", BASE_EINPUT,
          "job.output_mb", "to upload");
    parse("\"job\":{\"frames\":1000000000},\"stage\":{\"per_frame_s\":1}", BASE_EINPUT,
          "of processing on one GPU, more than 1e+08 s", NULL);
    parse("\"parallel\":{\"gpus\":[4096],\"concat_per_chunk_s\":100}", BASE_EINPUT, "concat of 4096 chunks", NULL);
    parse("\"job\":{\"frames\":{\"dist\":\"lognormal\",\"median\":1e8,\"p95\":1e9}}", BASE_EINPUT,
          "job.frames: p99.9 must be at most 1e+09 frames", NULL);
    /* command-line values through the same table */
    CHECK(model_scenario_check_value("stage.per_frame_s", 5000, "--per-frame", err, sizeof err) == BASE_EINPUT);
    CHECK_STR(err, "--per-frame: stage.per_frame_s: mean must be at most 3600 s (got 5000)");
    CHECK(model_scenario_check_value("stage.per_frame_s", 3600, "--per-frame", err, sizeof err) == BASE_OK);
    CHECK(model_scenario_check_value("job.frames", 2.5, "--frames", err, sizeof err) == BASE_EINPUT);
    CHECK(strstr(err, "--frames: job.frames: must be an integer") != NULL);
    CHECK(model_scenario_check_value("workload.rate_per_hour", 2e9, "--rate", err, sizeof err) == BASE_EINPUT);
}

/* Temme's expansion against mpmath (40 digits, direct quadrature). */
static void test_gamma_large(void)
{
    static const struct {
        double a, x, p;
    } ref[] = {
        {1e7, 10003162.277660168379, 0.84134475010048169},
        {1e7, 9993675.4446796632413, 0.022733055806554059},
        {1e9, 1000094868.3298050514, 0.99864972821772276},
        {1e9, 999968377.22339831621, 0.15865525389112769},
        {1e12, 1000000500000.0, 0.69146254929034296},
    };
    for (size_t i = 0; i < sizeof ref / sizeof *ref; i++) {
        model_dist d = {.kind = MODEL_DIST_GAMMA, .a = ref[i].a, .b = 2.0};
        CHECK_NEAR(model_dist_cdf(&d, 2 * ref[i].x), ref[i].p, 1e-10);
        CHECK_NEAR(model_gamma_large_Q(ref[i].x, ref[i].a, 1.0), 1 - ref[i].p, 1e-10);
        CHECK_REL(model_dist_quantile(&d, ref[i].p), 2 * ref[i].x, 1e-11);
    }
    /* continuous across the switch to Temme */
    model_dist lo = {.kind = MODEL_DIST_GAMMA, .a = MODEL_GAMMA_TEMME_SHAPE * (1 - 1e-12), .b = 1};
    model_dist hi = {.kind = MODEL_DIST_GAMMA, .a = MODEL_GAMMA_TEMME_SHAPE, .b = 1};
    for (double z = -6; z <= 6; z += 1.5) {
        double x = MODEL_GAMMA_TEMME_SHAPE + z * sqrt(MODEL_GAMMA_TEMME_SHAPE);
        CHECK_NEAR(model_dist_cdf(&lo, x), model_dist_cdf(&hi, x), 5e-10);
        CHECK_REL(model_dist_pdf(&lo, x), model_dist_pdf(&hi, x), 1e-8);
    }
    /* a chunk of 10^9 frames of a gamma per-frame time of cv 0.001 */
    model_dist pf = model_dist_gamma_mcv(0.1, 0.001), sum = model_dist_sum(&pf, 1e9);
    CHECK_REL(model_dist_sd(&sum), 0.1 * 0.001 * sqrt(1e9), 1e-12); /* no cancellation */
    CHECK_REL(model_dist_quantile(&sum, 0.5), 1e8, 1e-9);
}

static void test_no_cancellation(void)
{
    model_dist n = {.kind = MODEL_DIST_NORMAL, .a = 1e9, .b = 1e-3};
    CHECK_REL(model_dist_sd(&n), 1e-3, 1e-9);
    model_dist l = {.kind = MODEL_DIST_LOGNORMAL, .a = 10, .b = 1e-9};
    CHECK_REL(model_dist_sd(&l), exp(10) * 1e-9, 1e-6);
    model_dist w = {.kind = MODEL_DIST_WEIBULL, .a = 1, .b = MODEL_WEIBULL_MAX_SHAPE};
    /* sd of a Weibull of shape b: pi / (b sqrt 6) to first order */
    CHECK_REL(model_dist_sd(&w), M_PI / (MODEL_WEIBULL_MAX_SHAPE * sqrt(6.0)), 2e-3);
    double xs[] = {1e9, 1e9 + 1, 1e9 + 2};
    model_dist e = {.kind = MODEL_DIST_EMPIRICAL, .samples = xs, .n = 3};
    CHECK(model_dist_var(&e) > 0.3 && model_dist_var(&e) < 0.7);
    /* Outside the domain the searches still end (they used to loop): */
    model_dist wb = {.kind = MODEL_DIST_WEIBULL, .a = 30, .b = 0.003};
    double q = model_dist_quantile(&wb, 0.5);
    CHECK(q > 0 || isnan(q)); /* ends, whatever it finds */
}

/* P(X + Y <= t) by direct integration over Y's density (smooth, 0 at 0:
 * the lognormal), X's CDF inside. */
typedef struct {
    model_dist x, y;
    double t;
} conv;

static double conv_f(double y, void *p)
{
    const conv *c = p;
    return model_dist_pdf(&c->y, y) * model_dist_cdf(&c->x, c->t - y);
}

static double conv_cdf(const model_dist *x, const model_dist *y, double t)
{
    conv c = {*x, *y, t};
    gsl_function fn = {conv_f, &c};
    gsl_integration_workspace *ws = gsl_integration_workspace_alloc(2000);
    double r = 0, e = 0;
    double pts[6] = {0};
    size_t n = 1;
    const double qs[] = {0.01, 0.25, 0.75, 0.99};
    for (int i = 0; i < 4; i++) {
        double q = model_dist_quantile(y, qs[i]);
        if (q > pts[n - 1] && q < t)
            pts[n++] = q;
    }
    pts[n++] = t;
    int st = gsl_integration_qagp(&fn, pts, n, 1e-13, 1e-10, 2000, ws, &r, &e);
    if (st)
        fprintf(stderr, "  reference integral at t = %g: %s (est. error %g)\n", t, gsl_strerror(st), e);
    gsl_integration_workspace_free(ws);
    return r;
}

/* The grid at the heaviest tails the bounds allow: two parts at the
 * bounds, their sum's CDF against direct integration. */
static void test_grid_heavy(void)
{
    model_dist ln = {.kind = MODEL_DIST_LOGNORMAL, .a = log(600), .b = MODEL_LOGNORMAL_MAX_SIGMA};
    model_dist wb = {.kind = MODEL_DIST_WEIBULL, .a = 130, .b = MODEL_WEIBULL_MIN_SHAPE};
    model_dist ga = model_dist_gamma_mcv(1800, MODEL_GAMMA_MAX_CV);
    const model_dist *ys[] = {&wb, &ga};
    for (int i = 0; i < 2; i++) {
        model_rv_part parts[2] = {{ln, 1}, {*ys[i], 1}};
        model_rv rv;
        CHECK(model_rv_build(&rv, parts, 2, 0, err, sizeof err) == BASE_OK);
        CHECK(rv.kind == MODEL_RV_GRID_KIND);
        double worst = 0, low;
        double t5 = model_rv_quantile(&rv, 0.05);
        low = fabs(conv_cdf(ys[i], &ln, t5) - 0.05); /* the compressed left end: coarser */
        CHECK(low < 1e-3);
        for (double p = 0.2; p < 0.9999; p = p < 0.95 ? p + 0.15 : 1 - (1 - p) / 4) {
            double t = model_rv_quantile(&rv, p), ref = conv_cdf(ys[i], &ln, t);
            worst = fmax(worst, fabs(ref - p));
            if (getenv("VERBOSE")) fprintf(stderr, "   p %.6f t %.6g ref %.8f\n", p, t, ref);
        }
        CHECK(worst < 1e-4);
        fprintf(stderr, "test_bounds: lognormal sigma %.1f + %s: grid %d points, CDF error %.2g at p05, "
                "at most %.2g from p20 to p99.98\n", MODEL_LOGNORMAL_MAX_SIGMA, i ? "gamma cv 4" : "Weibull shape 0.3",
                rv.n, low, worst);
        CHECK(rv.n > MODEL_RV_GRID); /* the grid grew */
        model_rv_free(&rv);
    }
}

static void setup(void)
{
    gsl_set_error_handler_off();
}

TEST_MAIN(setup, test_kind_bounds, test_field_bounds, test_gamma_large, test_no_cancellation, test_grid_heavy)

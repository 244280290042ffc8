/* tests/test_model.c -- the closed-form predictor against the closed forms of
 * docs/references.md and independent brute-force integration. */
#include "harness.h"
#include "model/evaluate.h"
#include "model/predict.h"
#include "base/status.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_integration.h>
#include <gsl/gsl_randist.h>
#include <stdlib.h>

static char err[1024];

/* A scenario with every overhead 0 and a 0 per-frame cost: wall = max of
 * the cold starts. */
static model_scenario bare(void)
{
    model_scenario s;
    int rc = model_scenario_parse("{\"job\":{\"frames\":1}}", "bare", &s, err, sizeof err);
    CHECK(rc == 0);
    return s;
}

static model_kresult predict(model_scenario *s, double frames, int k)
{
    model_prep *p = NULL;
    model_kresult r = {0};
    int rc = model_prep_new(s, &p, err, sizeof err);
    CHECK(rc == 0);
    if (rc)
        return r;
    rc = model_predict_k(p, frames, k, &r, err, sizeof err);
    CHECK(rc == 0);
    model_prep_free(p);
    return r;
}

static void test_emax_reference(void)
{
    model_scenario s = bare();
    /* Exponential rate 0.5 (mean 2): H_k / lambda. */
    s.cold_start = (model_dist){.kind = MODEL_DIST_EXPONENTIAL, .a = 2};
    CHECK_REL(predict(&s, 8, 8).wall_mean, 2.717857 * 2, 1e-6);
    CHECK_REL(predict(&s, 32, 32).wall_mean, 4.058495 * 2, 1e-6);
    /* Uniform(10,30), k = 4: 26, p50 26.8179, p95 29.7452. */
    s.cold_start = (model_dist){.kind = MODEL_DIST_UNIFORM, .a = 10, .b = 30};
    model_kresult u = predict(&s, 4, 4);
    CHECK_REL(u.wall_mean, 26.0, 1e-6);
    CHECK_REL(u.wall_p50, 26.8179, 2e-6);
    CHECK_REL(u.wall_p95, 29.7452, 2e-6);
    /* Normal(100, 1): 100 + E[max of k standard normals]. */
    s.cold_start = (model_dist){.kind = MODEL_DIST_NORMAL, .a = 100, .b = 1};
    CHECK_REL(predict(&s, 2, 2).wall_mean - 100, 0.564190, 1e-4);
    CHECK_REL(predict(&s, 8, 8).wall_mean - 100, 1.423600, 1e-4);
    CHECK_REL(predict(&s, 64, 64).wall_mean - 100, 2.343733, 1e-4);
    /* Lognormal(ln 15, 0.4): p95 of the max. */
    s.cold_start = (model_dist){.kind = MODEL_DIST_LOGNORMAL, .a = log(15), .b = 0.4};
    CHECK_REL(predict(&s, 1, 1).wall_p95, 28.9622, 1e-5);
    CHECK_REL(predict(&s, 8, 8).wall_p95, 40.6078, 1e-5);
    CHECK_REL(predict(&s, 32, 32).wall_p95, 48.7674, 1e-5);
    model_scenario_free(&s);
}

/* Independent: E[max of k lognormals] = int_0^inf (1 - F^k) by QAGIU on GSL's CDF. */
typedef struct {
    double mu, sigma, seek;
    int k;
} lnctx;

/* Container 0 does not seek, the k - 1 others start `seek` later. */
static double ln_tail(double x, void *v)
{
    lnctx *c = v;
    double f0 = gsl_cdf_lognormal_P(x, c->mu, c->sigma);
    double fs = x > c->seek ? gsl_cdf_lognormal_P(x - c->seek, c->mu, c->sigma) : 0;
    return 1 - f0 * pow(fs, c->k - 1);
}

static void test_lognormal_only_scenario(void)
{
    /* Only the cold start is random; everything else fixed, chunks equal. */
    model_scenario s;
    int rc = model_scenario_parse(
        "{\"job\":{\"frames\":6400,\"input_mb\":20,\"output_mb\":64},"
        "\"stage\":{\"per_frame_s\":0.01,\"ffmpeg_start_s\":1.5,\"seek_s\":0.7},"
        "\"platform\":{\"cold_start_s\":{\"dist\":\"lognormal\",\"median\":20,\"p95\":40},"
        "\"request_s\":0.2,\"download_mb_s\":40,\"upload_mb_s\":32},"
        "\"parallel\":{\"concat_s\":2,\"concat_per_chunk_s\":0.5}}",
        "lognormal-only", &s, err, sizeof err);
    CHECK(rc == 0);
    gsl_integration_workspace *ws = gsl_integration_workspace_alloc(1000);
    double mu = log(20), sigma = log(2.0) / MODEL_Z95;
    int ks[] = {1, 2, 4, 5, 8, 10, 16, 32, 64}; /* divide 6400: equal chunks */
    for (size_t i = 0; i < sizeof ks / sizeof ks[0]; i++) {
        int k = ks[i];
        lnctx c = {mu, sigma, k > 1 ? 0.7 : 0, k};
        gsl_function f = {ln_tail, &c};
        double emax, e;
        gsl_integration_qagiu(&f, 0, 1e-12, 1e-12, 1000, ws, &emax, &e);
        /* fixed terms every container has (seek is in the integral) */
        double n = 6400.0 / k;
        double fixed = 0.2 + 20.0 / 40 + 1.5 + n * 0.01 + 64.0 / k / 32;
        double concat = k > 1 ? 2 + 0.5 * k : 0;
        model_kresult r = predict(&s, 6400, k);
        CHECK_REL(r.wall_mean, emax + fixed + concat, 1e-6);
    }
    gsl_integration_workspace_free(ws);
    model_scenario_free(&s);
}

/* Two random parts: cold start lognormal + ffmpeg start gamma. Brute force:
 * F_T(t) = int F_S(t - y) f_G(y) dy (QAG), E[max] = int (1 - F_T^k) (QAG). */
typedef struct {
    double mu, sigma, ga, gb, t;
    gsl_integration_workspace *w;
} twoctx;

static double inner(double y, void *v)
{
    twoctx *c = v;
    return gsl_cdf_lognormal_P(c->t - y, c->mu, c->sigma) * gsl_ran_gamma_pdf(y, c->ga, c->gb);
}

static double conv_cdf(twoctx *c, double t)
{
    if (t <= 0)
        return 0;
    c->t = t;
    gsl_function f = {inner, c};
    double r, e;
    gsl_integration_qag(&f, 0, t, 1e-13, 1e-11, 1000, GSL_INTEG_GAUSS41, c->w, &r, &e);
    return r;
}

typedef struct {
    twoctx *c;
    int k;
} outerctx;

static double outer(double t, void *v)
{
    outerctx *o = v;
    return 1 - pow(conv_cdf(o->c, t), o->k);
}

static void test_two_random_parts(void)
{
    model_scenario s = bare();
    s.cold_start = model_dist_lognormal_mp(20, 40);
    s.ffmpeg_start = model_dist_gamma_mcv(3, 0.4);
    gsl_integration_workspace *w1 = gsl_integration_workspace_alloc(1000),
                              *w2 = gsl_integration_workspace_alloc(1000);
    twoctx c = {log(20), log(2.0) / MODEL_Z95, 1 / 0.16, 3 * 0.16, 0, w2};
    int ks[] = {1, 4, 16};
    for (int i = 0; i < 3; i++) {
        outerctx o = {&c, ks[i]};
        gsl_function f = {outer, &o};
        double r, e;
        gsl_integration_qag(&f, 0, 400, 1e-10, 1e-9, 1000, GSL_INTEG_GAUSS41, w1, &r, &e);
        CHECK_REL(predict(&s, ks[i], ks[i]).wall_mean, r, 2e-4);
    }
    gsl_integration_workspace_free(w1);
    gsl_integration_workspace_free(w2);
    model_scenario_free(&s);
}

static void test_cost_billing(void)
{
    model_scenario s = bare();
    s.gpu_per_s = 1; /* cost = billed seconds */
    /* Fixed 10.3 s container: exact, rounded up, at least the minimum. */
    s.cold_start = model_dist_fixed(10.3);
    CHECK_REL(predict(&s, 1, 1).cost_mean, 10.3, 1e-12);
    s.bill_granularity_s = 1;
    CHECK_REL(predict(&s, 1, 1).cost_mean, 11, 1e-12);
    s.bill_minimum_s = 60;
    CHECK_REL(predict(&s, 1, 1).cost_mean, 60, 1e-12);
    CHECK_REL(predict(&s, 2, 2).cost_mean, 120, 1e-12);
    /* Uniform(10,20) cold start, 1 s granularity: ceil is 11..20, mean 15.5;
     * with a 16 s minimum (16*6 + 17+18+19+20)/10 = 17. */
    s.cold_start = (model_dist){.kind = MODEL_DIST_UNIFORM, .a = 10, .b = 20};
    s.bill_minimum_s = 0;
    CHECK_REL(predict(&s, 1, 1).cost_mean, 15.5, 1e-9);
    s.bill_minimum_s = 16;
    CHECK_REL(predict(&s, 1, 1).cost_mean, 17.0, 1e-9);
    /* Cold start not billed: only the 2 s request is. */
    s.request = model_dist_fixed(2);
    s.bill_minimum_s = 0;
    s.bill_includes_cold_start = 0;
    CHECK_REL(predict(&s, 1, 1).cost_mean, 2, 1e-12);
    /* ... but a warm start is billed. */
    s.min_containers = 1;
    s.warm_start = model_dist_fixed(1.2);
    CHECK_REL(predict(&s, 1, 1).cost_mean, 4, 1e-12); /* ceil(3.2) */
    /* CPU and memory terms: rate = gpu + cores*cpu + mem_gib*mem. */
    s.bill_granularity_s = 0;
    s.gpu_per_s = 0.5;
    s.cores = 2;
    s.cpu_per_core_s = 0.1;
    s.mem_gib = 4;
    s.mem_per_gib_s = 0.01;
    CHECK_REL(predict(&s, 1, 1).cost_mean, 3.2 * (0.5 + 0.2 + 0.04), 1e-12);
    /* Concat billing: none / cpu / gpu for k = 2. */
    s.min_containers = 0;
    s.bill_includes_cold_start = 1;
    s.cold_start = model_dist_fixed(10);
    s.request = model_dist_fixed(0);
    s.concat = model_dist_fixed(5);
    double rate = 0.74, cpu = 0.24;
    s.concat_billed = MODEL_BILL_NONE;
    CHECK_REL(predict(&s, 2, 2).cost_mean, 2 * 10 * rate, 1e-12);
    s.concat_billed = MODEL_BILL_CPU;
    CHECK_REL(predict(&s, 2, 2).cost_mean, 2 * 10 * rate + 5 * cpu, 1e-12);
    s.concat_billed = MODEL_BILL_GPU;
    CHECK_REL(predict(&s, 2, 2).cost_mean, 2 * 10 * rate + 5 * rate, 1e-12);
    CHECK_REL(predict(&s, 2, 2).wall_mean, 15, 1e-12);
    model_scenario_free(&s);
}

/* Deterministic overheads: break-even against a brute-force integer scan of
 * the closed-form expressions. */
static void test_break_even(void)
{
    model_scenario s = bare();
    s.cold_start = model_dist_fixed(30);
    s.per_frame = model_dist_fixed(0.05);
    s.concat = model_dist_fixed(4);
    s.gpu_per_s = 1;
    model_prep *p = NULL;
    CHECK(model_prep_new(&s, &p, err, sizeof err) == 0);
    int ks[] = {2, 4, 8};
    for (int i = 0; i < 3; i++) {
        int k = ks[i];
        long want = -1;
        for (long n = 1; n < 100000 && want < 0; n++) {
            double w1 = 30 + n * 0.05, wk = 30 + ((n + k - 1) / k) * 0.05 + 4;
            double c1 = w1, ck = k * 30 + n * 0.05;
            if (w1 / wk >= 1.2 && ck / c1 <= 1.25)
                want = n;
        }
        long got = 0;
        CHECK(model_break_even(p, &s, k, &got, err, sizeof err) == 0);
        CHECK(got == want);
        if (got != want)
            fprintf(stderr, "  k=%d break-even got %ld want %ld\n", k, got, want);
    }
    /* Never beneficial: per-frame cost 0. */
    s.per_frame = model_dist_fixed(0);
    long none = 0;
    CHECK(model_break_even(p, &s, 2, &none, err, sizeof err) == 0);
    CHECK(none == -1);
    model_prep_free(p);
    model_scenario_free(&s);
}

/* The verdict sentence in the seed's words, from E7's own numbers. */
static void test_verdict_words(void)
{
    model_scenario s = bare();
    model_eval e = {0};
    model_opts o = {0};
    double wall[] = {45.56, 45.42, 49.10}, cost[] = {0.00747, 0.01216, 0.02603};
    e.nk = 3;
    for (int i = 0; i < 3; i++) {
        e.k[i].gpus = 1 << i;
        e.k[i].wall_mean = wall[i];
        e.k[i].cost_mean = cost[i];
    }
    e.base = e.k[0];
    model_decide(&s, &o, &e);
    CHECK_STR(e.summary, "NOT BENEFICIAL: 2 GPUs 0.3% faster, 63% more expensive");
    CHECK(!e.parallelize && e.best_gpus == 1);
    CHECK(!e.k[1].beneficial && !e.k[2].beneficial);
    /* T50-like: 4 GPUs 3.56x for 9% more. */
    e.k[2].wall_mean = 45.56 / 3.56;
    e.k[2].cost_mean = 0.00747 * 1.09;
    model_decide(&s, &o, &e);
    CHECK_STR(e.summary, "BENEFICIAL: 4 GPUs 3.6x faster for 9% more");
    CHECK(e.parallelize && e.best_gpus == 4);
    /* Value of time: at $1000/h the faster k wins even when dearer. */
    e.k[2].cost_mean = 0.00747 * 3;
    model_decide(&s, &o, &e);
    CHECK(!e.parallelize);
    o.objective = MODEL_OBJ_VALUE_OF_TIME;
    o.usd_per_hour = 1000;
    model_decide(&s, &o, &e);
    CHECK(e.parallelize && e.best_gpus == 4);
    o.usd_per_hour = 0.001;
    model_decide(&s, &o, &e);
    CHECK(!e.parallelize && e.best_gpus == 1);
    model_scenario_free(&s);
}

/* Uneven split: 10 frames on 4 containers -> 3,3,2,2; deterministic. */
static void test_uneven_split(void)
{
    model_scenario s = bare();
    s.per_frame = model_dist_fixed(1);
    s.seek = model_dist_fixed(0.5);
    s.min_containers = 2;
    s.warm_start = model_dist_fixed(1);
    s.cold_start = model_dist_fixed(5);
    s.gpu_per_s = 1;
    /* containers: warm no-seek 3, warm seek 3.5, cold seek 2.5+5, cold seek 7.5 */
    model_kresult r = predict(&s, 10, 4);
    CHECK_REL(r.wall_mean, 7.5, 1e-12);
    CHECK_REL(r.cost_mean, (1 + 3) + (1 + 3.5) + (5 + 2.5) + (5 + 2.5), 1e-12);
    model_scenario_free(&s);
}

static int parse(const char *json, model_scenario *s)
{
    int rc = model_scenario_parse(json, "test", s, err, sizeof err);
    if (rc)
        fprintf(stderr, "parse: %s\n", err);
    CHECK(rc == 0);
    return rc;
}

/* model_predict_means vs model_predict_k on a spread of (frames,
 * per-frame, k). Both integrate 1 - prod F^m by adaptive quadrature (GSL
 * QAG), the first on tabulated CDFs; where F is piecewise linear
 * (convolution grids, empirical samples) the two quadratures of the kinks
 * differ by up to ~1e-5, elsewhere < 1e-6. */
static void compare_means(model_scenario *s, const char *what, double tol)
{
    model_prep *ref = NULL;
    CHECK(model_prep_new(s, &ref, err, sizeof err) == 0);
    if (!ref)
        return;
    double frames[] = {1, 3, 7, 50, 301, 1000, 4467, 77777, 1e6, 333.5};
    double pf[] = {0.001, 0.025, 0.68, 3};
    int ks[] = {1, 2, 3, 4, 5, 8, 16, 64};
    double worst_w = 0, worst_c = 0;
    for (size_t a = 0; a < sizeof frames / sizeof *frames; a++)
        for (size_t b = 0; b < sizeof pf / sizeof *pf; b++)
            for (size_t c = 0; c < sizeof ks / sizeof *ks; c++) {
                model_kresult r;
                double w, co;
                s->per_frame = model_dist_fixed(pf[b]);
                CHECK(model_predict_k(ref, frames[a], ks[c], &r, err, sizeof err) == 0);
                CHECK(model_predict_means(ref, frames[a], ks[c], &w, &co, err, sizeof err) == 0);
                double ew = fabs(w - r.wall_mean) / r.wall_mean;
                double ec = r.cost_mean > 0 ? fabs(co - r.cost_mean) / r.cost_mean : fabs(co);
                worst_w = fmax(worst_w, ew);
                worst_c = fmax(worst_c, ec);
                CHECK_REL(w, r.wall_mean, tol);
                if (r.cost_mean > 0)
                    CHECK_REL(co, r.cost_mean, tol);
                else
                    CHECK_NEAR(co, 0, 1e-15);
            }
    fprintf(stderr, "  means %-22s worst relative error: wall %.2e, cost %.2e\n", what, worst_w, worst_c);
    model_prep_free(ref);
}

static void test_means_match_predict(void)
{
    model_scenario s;
    CHECK(model_scenario_default(NULL, 0, &s, err, sizeof err) == 0);
    compare_means(&s, "overlay-e7 (default)", 1e-6);
    model_scenario_free(&s);

    if (!model_scenario_load("data/scenarios/framing-t50.json", NULL, 0, &s, err, sizeof err)) {
        compare_means(&s, "framing-t50 (warm pool)", 1e-6);
        model_scenario_free(&s);
    } else {
        CHECK(!"framing-t50.json loads (run from the source tree)");
    }

    /* Heavy tail, seek and ffmpeg start random (a convolution grid), a
     * clamped normal request (point mass at 0), one warm container. */
    if (parse("{\"job\":{\"frames\":10,\"input_mb\":30,\"output_mb\":80},"
              "\"stage\":{\"per_frame_s\":0.1,\"ffmpeg_start_s\":{\"dist\":\"gamma\",\"mean\":2,\"cv\":0.5},"
              "\"seek_s\":{\"dist\":\"uniform\",\"min\":0.2,\"max\":1.4}},"
              "\"platform\":{\"cold_start_s\":{\"dist\":\"lognormal\",\"median\":20,\"p95\":103},"
              "\"warm_start_s\":{\"dist\":\"exponential\",\"mean\":2},"
              "\"request_s\":{\"dist\":\"normal\",\"mean\":0.1,\"sd\":0.2},"
              "\"download_mb_s\":40,\"upload_mb_s\":20,\"gpu_per_s\":0.0003,\"min_containers\":1},"
              "\"parallel\":{\"concat_s\":{\"dist\":\"gamma\",\"mean\":4,\"cv\":0.3},"
              "\"concat_per_chunk_s\":{\"dist\":\"exponential\",\"mean\":0.3},\"concat_billed\":\"gpu\"}}",
              &s) == 0) {
        compare_means(&s, "heavy tail + grids", 2e-5);
        model_scenario_free(&s);
    }

    /* Billing: granularity, minimum, cold start not billed, CPU concat. */
    if (parse("{\"job\":{\"frames\":10},\"stage\":{\"per_frame_s\":0.1,\"seek_s\":0.5},"
              "\"platform\":{\"cold_start_s\":{\"dist\":\"weibull\",\"scale\":15,\"shape\":2},"
              "\"request_s\":0.2,\"gpu_per_s\":0.0002,\"cpu_per_core_s\":0.0000131,\"cores\":2,"
              "\"mem_per_gib_s\":0.00000222,\"mem_gib\":8,"
              "\"billing\":{\"granularity_s\":1,\"minimum_s\":60,\"includes_cold_start\":false}},"
              "\"parallel\":{\"concat_s\":3,\"concat_per_chunk_s\":0.5,\"concat_billed\":\"cpu\"}}",
              &s) == 0) {
        compare_means(&s, "granularity + minimum", 1e-6);
        model_scenario_free(&s);
    }

    /* Empirical cold start, everything else fixed; no bandwidths. */
    if (parse("{\"job\":{\"frames\":10},\"stage\":{\"per_frame_s\":0.1,\"ffmpeg_start_s\":1},"
              "\"platform\":{\"cold_start_s\":{\"dist\":\"empirical\",\"samples\":[8,9,9.5,12,15,22,40]},"
              "\"gpu_per_s\":0.000164}}",
              &s) == 0) {
        compare_means(&s, "empirical cold start", 2e-5);
        model_scenario_free(&s);
    }

    /* No randomness at all: E[max] is the slowest container. */
    if (parse("{\"job\":{\"frames\":10},\"stage\":{\"per_frame_s\":0.1,\"seek_s\":2},"
              "\"platform\":{\"cold_start_s\":5,\"gpu_per_s\":1}}",
              &s) == 0) {
        compare_means(&s, "all fixed", 1e-12);
        model_prep *p = NULL;
        s.per_frame = model_dist_fixed(0.1); /* compare_means left its last value */
        CHECK(model_prep_new(&s, &p, err, sizeof err) == 0);
        double w = 0, c = 0;
        /* 10 frames on 4: chunks 3,3,2,2; slowest = seek + 3 frames. */
        CHECK(model_predict_means(p, 10, 4, &w, &c, err, sizeof err) == 0);
        CHECK_REL(w, 5 + 2 + 0.3, 1e-12);
        CHECK_REL(c, 4 * 5 + 3 * 2 + 10 * 0.1, 1e-12);
        model_prep_free(p);
        model_scenario_free(&s);
    }
}

static void run_all(void)
{
    gsl_set_error_handler_off();
    test_emax_reference();
    test_lognormal_only_scenario();
    test_two_random_parts();
    test_cost_billing();
    test_break_even();
    test_verdict_words();
    test_uneven_split();
    test_means_match_predict();
}

TEST_MAIN(run_all)

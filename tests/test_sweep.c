/* tests/test_sweep.c -- the sweep's fast path against model_predict_k (the
 * reference), log spacing, and whole grids against model_evaluate. */
#include "harness.h"
#include "model/evaluate.h"
#include "model/predict.h"
#include "model/status.h"
#include "plots/plot.h"

#include <stdlib.h>

static char err[1024];

static int parse(const char *json, model_scenario *s)
{
    int rc = model_scenario_parse(json, "test", s, err, sizeof err);
    if (rc)
        fprintf(stderr, "parse: %s\n", err);
    CHECK(rc == 0);
    return rc;
}

/* Fast means vs model_predict_k on a spread of (frames, per-frame, k).
 * Both integrate the same 1 - prod F^m by adaptive quadrature (GSL QAG);
 * where F is piecewise linear (convolution grids, empirical samples) the
 * two quadratures of the kinks differ by up to ~1e-5, elsewhere < 1e-6. */
static void compare(model_scenario *s, const char *what, double tol)
{
    model_prep *ref = NULL;
    plot_sweep_prep *fast = NULL;
    gsl_integration_workspace *ws = gsl_integration_workspace_alloc(PLOT_SWEEP_WS_LIMIT);
    CHECK(model_prep_new(s, &ref, err, sizeof err) == 0);
    CHECK(plot_sweep_prep_new(s, &fast, err, sizeof err) == 0);
    if (!ref || !fast || !ws)
        goto done;
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
                plot_sweep_means(fast, ws, frames[a], pf[b], ks[c], &w, &co);
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
    fprintf(stderr, "  %-28s worst relative error: wall %.2e, cost %.2e\n", what, worst_w, worst_c);
done:
    gsl_integration_workspace_free(ws);
    plot_sweep_prep_free(fast);
    model_prep_free(ref);
}

static void test_fast_matches_model(void)
{
    model_scenario s;
    CHECK(model_scenario_default(NULL, 0, &s, err, sizeof err) == 0);
    compare(&s, "overlay-e7 (default)", 1e-6);
    model_scenario_free(&s);

    if (!model_scenario_load("data/scenarios/framing-t50.json", NULL, 0, &s, err, sizeof err)) {
        compare(&s, "framing-t50 (warm pool)", 1e-6);
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
        compare(&s, "heavy tail + grids", 2e-5);
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
        compare(&s, "granularity + minimum", 1e-6);
        model_scenario_free(&s);
    }

    /* Empirical cold start, everything else fixed; no bandwidths. */
    if (parse("{\"job\":{\"frames\":10},\"stage\":{\"per_frame_s\":0.1,\"ffmpeg_start_s\":1},"
              "\"platform\":{\"cold_start_s\":{\"dist\":\"empirical\",\"samples\":[8,9,9.5,12,15,22,40]},"
              "\"gpu_per_s\":0.000164}}",
              &s) == 0) {
        compare(&s, "empirical cold start", 2e-5);
        model_scenario_free(&s);
    }

    /* No randomness at all: E[max] is the slowest container. */
    if (parse("{\"job\":{\"frames\":10},\"stage\":{\"per_frame_s\":0.1,\"seek_s\":2},"
              "\"platform\":{\"cold_start_s\":5,\"gpu_per_s\":1}}",
              &s) == 0) {
        compare(&s, "all fixed", 1e-12);
        plot_sweep_prep *fast = NULL;
        gsl_integration_workspace *ws = gsl_integration_workspace_alloc(PLOT_SWEEP_WS_LIMIT);
        CHECK(plot_sweep_prep_new(&s, &fast, err, sizeof err) == 0);
        double w, c;
        /* 10 frames on 4: chunks 3,3,2,2; slowest = seek + 3 frames. */
        plot_sweep_means(fast, ws, 10, 0.1, 4, &w, &c);
        CHECK_REL(w, 5 + 2 + 0.3, 1e-12);
        CHECK_REL(c, 4 * 5 + 3 * 2 + 10 * 0.1, 1e-12);
        plot_sweep_prep_free(fast);
        gsl_integration_workspace_free(ws);
        model_scenario_free(&s);
    }
}

static void test_logspace(void)
{
    double v[16];
    int n = plot_logspace(10, 1e6, 6, 1, v);
    CHECK(n == 6);
    double want[] = {10, 100, 1000, 1e4, 1e5, 1e6};
    for (int i = 0; i < n && i < 6; i++)
        CHECK_REL(v[i], want[i], 1e-12);
    /* 1..4 in 10 integer points: 1,2,3,4 after rounding and deduplication. */
    n = plot_logspace(1, 4, 10, 1, v);
    CHECK(n == 4);
    for (int i = 0; i < n; i++)
        CHECK(v[i] == i + 1);
    /* Real-valued: ratio constant. */
    n = plot_logspace(0.001, 10, 5, 0, v);
    CHECK(n == 5);
    for (int i = 1; i < n; i++)
        CHECK_REL(v[i] / v[i - 1], 10, 1e-12);
    CHECK(plot_logspace(3, 3, 1, 1, v) == 1 && v[0] == 3);
}

/* Grid points against model_evaluate with the same overrides. */
static void test_grid_matches_evaluate(void)
{
    model_scenario s;
    CHECK(model_scenario_default(NULL, 0, &s, err, sizeof err) == 0);
    plot_sweep_spec spec = {.frames_lo = 30, .frames_hi = 30000, .frames_points = 4,
                            .per_frame_lo = 0.01, .per_frame_hi = 1, .per_frame_points = 3, .threads = 2};
    spec.opts.skip_break_even = 1;
    plot_sweep *sw = NULL, *sw1 = NULL;
    CHECK(plot_sweep_run(&s, &spec, &sw, err, sizeof err) == 0);
    spec.threads = 1;
    CHECK(plot_sweep_run(&s, &spec, &sw1, err, sizeof err) == 0);
    if (!sw || !sw1)
        goto done;
    CHECK(sw->nframes == 4 && sw->nper == 3 && sw->ngpus == 4);
    size_t ncell = (size_t)sw->nframes * sw->nper * sw->ngpus;
    CHECK(memcmp(sw->cells, sw1->cells, ncell * sizeof *sw->cells) == 0);
    for (int i = 0; i < sw->nframes; i++)
        for (int j = 0; j < sw->nper; j++) {
            model_scenario t = s;
            model_eval e;
            t.frames = (long)sw->frames[i];
            t.per_frame = model_dist_fixed(sw->per_frame[j]);
            CHECK(model_evaluate(&t, &spec.opts, &e, err, sizeof err) == 0);
            size_t pt = (size_t)i * sw->nper + j;
            CHECK(sw->best_gpus[pt] == e.best_gpus);
            CHECK_REL(sw->base_wall[pt], e.base.wall_mean, 1e-6);
            for (int g = 0; g < sw->ngpus; g++) {
                const plot_sweep_cell *c = &sw->cells[pt * sw->ngpus + g];
                CHECK(c->gpus == e.k[g].gpus);
                CHECK_REL(c->wall_mean, e.k[g].wall_mean, 1e-6);
                CHECK_REL(c->cost_mean, e.k[g].cost_mean, 1e-6);
                CHECK_REL(c->speedup, e.k[g].speedup, 2e-6);
                CHECK(c->beneficial == e.k[g].beneficial);
            }
        }
    /* Somewhere in this grid splitting pays and somewhere it does not. */
    int yes = 0, no = 0;
    for (int p = 0; p < sw->nframes * sw->nper; p++)
        sw->best_gpus[p] > 1 ? yes++ : no++;
    CHECK(yes > 0 && no > 0);
done:
    plot_sweep_free(sw);
    plot_sweep_free(sw1);
    model_scenario_free(&s);
}

/* A random per-frame cost, not swept: every point through model_predict_k. */
static void test_slow_path(void)
{
    model_scenario s;
    CHECK(model_scenario_default(NULL, 0, &s, err, sizeof err) == 0);
    s.per_frame = model_dist_gamma_mcv(0.05, 0.5);
    plot_sweep_spec spec = {.frames_lo = 100, .frames_hi = 1000, .frames_points = 2, .threads = 2};
    plot_sweep *sw = NULL;
    CHECK(plot_sweep_run(&s, &spec, &sw, err, sizeof err) == 0);
    if (sw) {
        CHECK(sw->nper == 1 && !sw->per_frame_swept);
        CHECK_REL(sw->per_frame[0], 0.05, 1e-12);
        model_prep *p = NULL;
        CHECK(model_prep_new(&s, &p, err, sizeof err) == 0);
        for (int i = 0; i < sw->nframes && p; i++)
            for (int g = 0; g < sw->ngpus; g++) {
                model_kresult r;
                CHECK(model_predict_k(p, sw->frames[i], sw->gpus[g], &r, err, sizeof err) == 0);
                CHECK(sw->cells[(size_t)i * sw->ngpus + g].wall_mean == r.wall_mean);
                CHECK(sw->cells[(size_t)i * sw->ngpus + g].cost_mean == r.cost_mean);
            }
        model_prep_free(p);
    }
    plot_sweep_free(sw);
    model_scenario_free(&s);
}

static void test_bad_spec(void)
{
    model_scenario s;
    CHECK(model_scenario_default(NULL, 0, &s, err, sizeof err) == 0);
    plot_sweep *sw = NULL;
    plot_sweep_spec spec = {.frames_lo = 100, .frames_hi = 10, .frames_points = 3};
    CHECK(plot_sweep_run(&s, &spec, &sw, err, sizeof err) == MODEL_EINPUT && !sw);
    CHECK(strstr(err, "--frames") != NULL);
    spec = (plot_sweep_spec){.frames_lo = 1, .frames_hi = 10, .frames_points = 0};
    CHECK(plot_sweep_run(&s, &spec, &sw, err, sizeof err) == MODEL_EINPUT && !sw);
    spec = (plot_sweep_spec){.frames_lo = 1, .frames_hi = 10, .frames_points = 3, .per_frame_points = 3,
                             .per_frame_lo = 0, .per_frame_hi = 1};
    CHECK(plot_sweep_run(&s, &spec, &sw, err, sizeof err) == MODEL_EINPUT && !sw);
    model_scenario_free(&s);
}

TEST_MAIN(test_fast_matches_model, test_logspace, test_grid_matches_evaluate, test_slow_path, test_bad_spec)

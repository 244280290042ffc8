/* tests/test_sweep.c -- log spacing, whole grids against model_evaluate
 * (model_predict_means itself is checked in test_model.c), and the grid's
 * JSON against the grid. */
#include "harness.h"
#include "model/evaluate.h"
#include "model/predict.h"
#include "base/status.h"
#include "plots/sweep.h"

#include <cjson/cJSON.h>
#include <stdlib.h>

static char err[1024];


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
    CHECK(plot_sweep_run(&s, &spec, &sw, err, sizeof err) == BASE_EINPUT && !sw);
    CHECK(strstr(err, "--frames") != NULL);
    spec = (plot_sweep_spec){.frames_lo = 1, .frames_hi = 10, .frames_points = 0};
    CHECK(plot_sweep_run(&s, &spec, &sw, err, sizeof err) == BASE_EINPUT && !sw);
    spec = (plot_sweep_spec){.frames_lo = 1, .frames_hi = 10, .frames_points = 3, .per_frame_points = 3,
                             .per_frame_lo = 0, .per_frame_hi = 1};
    CHECK(plot_sweep_run(&s, &spec, &sw, err, sizeof err) == BASE_EINPUT && !sw);
    model_scenario_free(&s);
}

/* plot_sweep_json: every point and GPU count of the grid, field by field,
 * printed and parsed back as `forkcast sweep --json` would. */
static void test_json(void)
{
    model_scenario s;
    CHECK(model_scenario_default(NULL, 0, &s, err, sizeof err) == 0);
    plot_sweep_spec spec = {.frames_lo = 30, .frames_hi = 30000, .frames_points = 3,
                            .per_frame_lo = 0.005, .per_frame_hi = 0.5, .per_frame_points = 2};
    plot_sweep *sw = NULL;
    CHECK(plot_sweep_run(&s, &spec, &sw, err, sizeof err) == 0);
    cJSON *j = plot_sweep_json(&s, sw);
    char *text = j ? cJSON_PrintUnformatted(j) : NULL;
    cJSON *d = text ? cJSON_Parse(text) : NULL;
    CHECK(d != NULL);
    if (sw && d) {
        CHECK_STR(cJSON_GetObjectItem(d, "scenario")->valuestring, s.name);
        CHECK_STR(cJSON_GetObjectItem(d, "method")->valuestring, "model");
        CHECK_REL(cJSON_GetObjectItem(d, "min_speedup")->valuedouble, s.min_speedup, 1e-14);
        CHECK_REL(cJSON_GetObjectItem(d, "max_cost_increase")->valuedouble, s.max_cost_increase, 1e-14);
        const cJSON *gpus = cJSON_GetObjectItem(d, "gpus");
        CHECK(cJSON_GetArraySize(gpus) == sw->ngpus);
        for (int g = 0; g < sw->ngpus && g < cJSON_GetArraySize(gpus); g++)
            CHECK(cJSON_GetArrayItem(gpus, g)->valueint == sw->gpus[g]);
        const cJSON *pts = cJSON_GetObjectItem(d, "points");
        CHECK(cJSON_GetArraySize(pts) == sw->nframes * sw->nper);
        const cJSON *p = pts ? pts->child : NULL;
        for (int i = 0; i < sw->nframes; i++)
            for (int k = 0; k < sw->nper && p; k++, p = p->next) {
                size_t pt = (size_t)i * sw->nper + k;
                CHECK_REL(cJSON_GetObjectItem(p, "frames")->valuedouble, sw->frames[i], 1e-14);
                CHECK_REL(cJSON_GetObjectItem(p, "per_frame_s")->valuedouble, sw->per_frame[k], 1e-14);
                CHECK(cJSON_GetObjectItem(p, "best_gpus")->valueint == sw->best_gpus[pt]);
                const cJSON *res = cJSON_GetObjectItem(p, "results");
                CHECK(cJSON_GetArraySize(res) == sw->ngpus);
                const cJSON *r = res ? res->child : NULL;
                for (int g = 0; g < sw->ngpus && r; g++, r = r->next) {
                    const plot_sweep_cell *c = &sw->cells[pt * sw->ngpus + g];
                    CHECK(cJSON_GetObjectItem(r, "gpus")->valueint == c->gpus);
                    CHECK_REL(cJSON_GetObjectItem(r, "wall_s")->valuedouble, c->wall_mean, 1e-14);
                    CHECK_REL(cJSON_GetObjectItem(r, "cost_usd")->valuedouble, c->cost_mean, 1e-14);
                    CHECK_REL(cJSON_GetObjectItem(r, "speedup")->valuedouble, c->speedup, 1e-14);
                    CHECK_REL(cJSON_GetObjectItem(r, "cost_ratio")->valuedouble, c->cost_ratio, 1e-14);
                    CHECK(cJSON_IsTrue(cJSON_GetObjectItem(r, "beneficial")) == c->beneficial);
                }
            }
    }
    cJSON_Delete(d);
    free(text);
    cJSON_Delete(j);
    plot_sweep_free(sw);
    model_scenario_free(&s);
}

TEST_MAIN(test_logspace, test_grid_matches_evaluate, test_slow_path, test_bad_spec, test_json)

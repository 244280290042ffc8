/* tests/test_cap_sweep.c -- sim/cap_sweep.h: the pool-size search gives the
 * same runs as one capacity run per size, the bisection finds the size a full
 * scan finds, the low end is raised to min/buffer containers, and the JSON
 * carries the contract's fields. */
#include "harness.h"
#include "base/status.h"
#include "sim/cap_sweep.h"

static char err[1024];

/* An M/D/c-like stream: 3000 jobs/h of 36 s (300 frames at 0.1 s + 6 s start). */
static const char *json =
    "{\"job\":{\"frames\":300},\"stage\":{\"per_frame_s\":0.1},"
    "\"platform\":{\"cold_start_s\":6,\"warm_start_s\":6,\"scaledown_window_s\":60,\"gpu_per_s\":0.0001},"
    "\"parallel\":{\"policy\":\"fixed:1\"},\"workload\":{\"rate_per_hour\":3000,\"hours\":2},\"sim\":{\"seed\":3}}";

static void test_scan_and_bisect(void)
{
    model_scenario s;
    CHECK(model_scenario_parse(json, "t.json", &s, err, sizeof err) == 0);
    /* every size 26..40, each run equal to a plain run at that size */
    sim_cap_sweep *all = NULL, *bis = NULL;
    sim_cap_sweep_spec spec = {26, 40, 0};
    CHECK(sim_cap_sweep_run(&s, &spec, &all, err, sizeof err) == BASE_OK);
    if (!all)
        return;
    CHECK(all->n == 15 && all->lo == 26 && all->hi == 40 && all->smallest == -1);
    for (int i = 0; i < all->n; i++)
        CHECK(all->runs[i].size == 26 + i);
    model_scenario v = s;
    v.max_containers = 31;
    sim_cap *c = NULL;
    sim_cap_result r;
    CHECK(sim_cap_new(&v, &c, err, sizeof err) == 0 && sim_cap_run(c, v.seed, NULL, &r, err, sizeof err) == 0);
    CHECK(r.latency_p95 == all->runs[5].r.latency_p95 && r.cost_usd == all->runs[5].r.cost_usd);
    sim_cap_free(c);
    /* a target between the extremes: bisection finds the scan's smallest */
    double target = 0.5 * (all->runs[0].r.latency_p95 + all->runs[all->n - 1].r.latency_p95);
    long want = -1;
    for (int i = 0; i < all->n && want < 0; i++)
        if (all->runs[i].r.latency_p95 <= target)
            want = all->runs[i].size;
    spec.p95_target = target;
    CHECK(sim_cap_sweep_run(&s, &spec, &bis, err, sizeof err) == BASE_OK);
    if (bis) {
        CHECK(bis->smallest == want && want > 26);
        CHECK(bis->n <= 6);   /* 2 + log2(14) */
        for (int i = 1; i < bis->n; i++)
            CHECK(bis->runs[i].size > bis->runs[i - 1].size);
        for (int i = 0; i < bis->n; i++)
            CHECK(sim_cap_sweep_meets(bis, i) == (bis->runs[i].size >= want));
        cJSON *o = sim_cap_sweep_json(&s, bis);
        CHECK(o != NULL);
        if (o) {
            const cJSON *pool = cJSON_GetObjectItemCaseSensitive(o, "pool");
            CHECK(pool && !cJSON_GetObjectItemCaseSensitive(pool, "max_containers"));
            CHECK(cJSON_GetObjectItemCaseSensitive(o, "smallest")->valuedouble == (double)want);
            const cJSON *runs = cJSON_GetObjectItemCaseSensitive(o, "runs");
            CHECK(cJSON_GetArraySize(runs) == bis->n);
            CHECK(cJSON_IsBool(cJSON_GetObjectItemCaseSensitive(runs->child, "meets_target")));
            CHECK(cJSON_GetObjectItemCaseSensitive(runs->child, "latency_s") != NULL);
            cJSON_Delete(o);
        }
    }
    /* an unreachable target: null smallest, only the two ends run */
    sim_cap_sweep *none = NULL;
    spec.p95_target = 1e-3;
    CHECK(sim_cap_sweep_run(&s, &spec, &none, err, sizeof err) == BASE_OK);
    CHECK(none && none->smallest == -1 && none->n == 2);
    sim_cap_sweep_free(none);
    sim_cap_sweep_free(all);
    sim_cap_sweep_free(bis);
    model_scenario_free(&s);
}

static void test_bounds(void)
{
    model_scenario s;
    CHECK(model_scenario_parse(json, "t.json", &s, err, sizeof err) == 0);
    s.min_containers = 5;
    sim_cap_sweep *sw = NULL;
    sim_cap_sweep_spec spec = {1, 6, 0};
    CHECK(sim_cap_sweep_run(&s, &spec, &sw, err, sizeof err) == BASE_OK);
    CHECK(sw && sw->lo == 5 && sw->n == 2);
    sim_cap_sweep_free(sw);
    spec.to = 4;
    sw = NULL;
    CHECK(sim_cap_sweep_run(&s, &spec, &sw, err, sizeof err) == BASE_EINPUT && !sw);
    CHECK(strstr(err, "nothing to run") != NULL);
    s.min_containers = 0;
    spec = (sim_cap_sweep_spec){1, 1 + SIM_CAP_SWEEP_MAX_RUNS, 0};
    CHECK(sim_cap_sweep_run(&s, &spec, &sw, err, sizeof err) == BASE_EINPUT && !sw);
    model_scenario_free(&s);
}

TEST_MAIN(test_scan_and_bisect, test_bounds)

/* tests/test_guard.c -- the finite-output guards: model_eval_check
 * (model/evaluate.h), plot_sweep_check (plots/sweep.h) and sim_cap_check
 * (sim/cap_check.h) pass real results and stop a NaN, an Inf, a negative
 * time or cost, or a zero cost for a priced job, naming the quantity. */
#include "base/status.h"
#include "model/evaluate.h"
#include "model/scenario.h"
#include "plots/sweep.h"
#include "sim/cap_check.h"
#include "sim/capacity.h"
#include "harness.h"

#include <math.h>
#include <stdio.h>

static char err[1024];

static model_scenario load(const char *path)
{
    model_scenario s;
    int rc = model_scenario_load(path, NULL, 0, &s, err, sizeof err);
    if (rc)
        fprintf(stderr, "load: %s\n", err);
    CHECK(rc == 0);
    return s;
}

/* e with field *slot set to v must fail naming `name`. */
static void expect_bad(const model_scenario *s, const model_eval *good, double *slot, double v, const char *name)
{
    model_eval e = *good;
    double *p = (double *)((char *)&e + ((char *)slot - (char *)good));
    *p = v;
    err[0] = 0;
    CHECK(model_eval_check(s, &e, err, sizeof err) == BASE_ERUNTIME);
    CHECK(strstr(err, name) != NULL && !strchr(err, '\n') && strstr(err, "a bug"));
    if (!strstr(err, name))
        fprintf(stderr, "  wanted '%s' in: %s\n", name, err);
}

static void test_eval(void)
{
    model_scenario s = load("data/scenarios/overlay-e7.json");
    model_opts o = {.skip_break_even = 1};
    model_eval e;
    CHECK(model_evaluate(&s, &o, &e, err, sizeof err) == BASE_OK);
    CHECK(model_eval_check(&s, &e, err, sizeof err) == BASE_OK);
    expect_bad(&s, &e, &e.k[1].wall_p95, NAN, "2 GPUs: wall_s.p95 is nan");
    expect_bad(&s, &e, &e.k[2].wall_mean, INFINITY, "4 GPUs: wall_s.mean is inf");
    expect_bad(&s, &e, &e.base.cost_mean, -1e-3, "1 GPU: cost_usd.mean is -0.001, negative");
    expect_bad(&s, &e, &e.k[3].cost_mean, 0, "8 GPUs: cost_usd.mean is 0, zero for a priced job");
    expect_bad(&s, &e, &e.k[1].cost_ratio, INFINITY, "cost_ratio");
    expect_bad(&s, &e, &e.k[1].breakdown.process, NAN, "breakdown_s.process");
    /* an unpriced job may cost nothing */
    s.gpu_per_s = 0;
    CHECK(model_evaluate(&s, &o, &e, err, sizeof err) == BASE_OK);
    CHECK(model_eval_check(&s, &e, err, sizeof err) == BASE_OK);
    model_scenario_free(&s);
}

static void test_sweep(void)
{
    model_scenario s = load("data/scenarios/overlay-e7.json");
    plot_sweep_spec spec = {.frames_lo = 10, .frames_hi = 1000, .frames_points = 3, .per_frame_lo = 0.01,
                            .per_frame_hi = 1, .per_frame_points = 2, .threads = 1};
    plot_sweep *sw = NULL;
    CHECK(plot_sweep_run(&s, &spec, &sw, err, sizeof err) == BASE_OK && sw);
    CHECK(plot_sweep_check(&s, sw, err, sizeof err) == BASE_OK);
    sw->cells[3].speedup = NAN;
    CHECK(plot_sweep_check(&s, sw, err, sizeof err) == BASE_ERUNTIME && strstr(err, "speedup is nan"));
    sw->cells[3].speedup = 1;
    sw->cells[5].cost_mean = 0;
    CHECK(plot_sweep_check(&s, sw, err, sizeof err) == BASE_ERUNTIME && strstr(err, "cost_mean_usd is 0"));
    plot_sweep_free(sw);
    model_scenario_free(&s);
}

static void test_capacity(void)
{
    model_scenario s = load("data/scenarios/overlay-e7.json");
    s.has_workload = 1;
    s.rate_per_hour = 60;
    s.hours = 2;
    sim_cap *cap = NULL;
    sim_cap_result r;
    CHECK(sim_cap_new(&s, &cap, err, sizeof err) == BASE_OK);
    CHECK(cap && sim_cap_run(cap, 1, NULL, &r, err, sizeof err) == BASE_OK);
    CHECK(sim_cap_check(&s, &r, err, sizeof err) == BASE_OK);
    sim_cap_result b = r;
    b.latency_p95 = NAN;
    CHECK(sim_cap_check(&s, &b, err, sizeof err) == BASE_ERUNTIME && strstr(err, "latency_s.p95 is nan"));
    b = r;
    b.utilization = 1.5;
    CHECK(sim_cap_check(&s, &b, err, sizeof err) == BASE_ERUNTIME && strstr(err, "utilization is 1.5, above 1"));
    b = r;
    b.cost_per_job = 0;
    CHECK(sim_cap_check(&s, &b, err, sizeof err) == BASE_ERUNTIME && strstr(err, "cost_per_job_usd is 0"));
    b = r;
    b.wait_mean = -2;
    CHECK(sim_cap_check(&s, &b, err, sizeof err) == BASE_ERUNTIME && strstr(err, "negative"));
    sim_cap_free(cap);
    model_scenario_free(&s);
}

TEST_MAIN(test_eval, test_sweep, test_capacity)

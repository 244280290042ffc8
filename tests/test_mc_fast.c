/* tests/test_mc_fast.c -- sim/mc_fast and sim/montecarlo at scale: which
 * scenarios take the fast path; its replications replayed one by one
 * through sim_job_run_starts give exactly the quantiles (R = 2 x 10^6,
 * several passes) and the means; the general path at R = 10^6 with ties
 * (a billing granularity) against sorting; byte-identical results for 1, 2,
 * 3 threads; the trace; the progress callback; the limits on R. */
#include "model/evaluate.h"
#include "model/output.h"
#include "base/status.h"
#include "sim/job.h"
#include "sim/mc.h"
#include "sim/mc_fast.h"
#include "sim/mc_rand.h"
#include "sim/montecarlo.h"
#include "tests/harness.h"

#include <gsl/gsl_statistics_double.h>
#include <stdlib.h>

static char err[1024];

static model_scenario e7(void)
{
    model_scenario s;
    int rc = model_scenario_load("data/scenarios/overlay-e7.json", NULL, 0, &s, err, sizeof err);
    if (rc)
        fprintf(stderr, "load: %s\n", err);
    CHECK(rc == 0);
    static const int g[] = {1, 2, 4, 8, 16};
    memcpy(s.gpus, g, sizeof g);
    s.ngpus = 5;
    return s;
}

static model_scenario scen(const char *json)
{
    model_scenario s;
    int rc = model_scenario_parse(json, "test.json", &s, err, sizeof err);
    if (rc)
        fprintf(stderr, "parse: %s\n", err);
    CHECK(rc == 0);
    return s;
}

static int run(const model_scenario *s, long R, unsigned T, model_eval *e, sim_montecarlo_stats *st)
{
    model_opts mo = {0};
    sim_montecarlo_opts o = {.replications = R, .seed = 7, .threads = T};
    int rc = sim_montecarlo_eval(s, &mo, &o, e, st, err, sizeof err);
    if (rc)
        fprintf(stderr, "sim: %s\n", err);
    return rc;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void check_quantiles(double *x, size_t n, double p50, double p95, double p99, const char *what)
{
    qsort(x, n, sizeof *x, cmp_double);
    double w50 = gsl_stats_quantile_from_sorted_data(x, 1, n, 0.50),
           w95 = gsl_stats_quantile_from_sorted_data(x, 1, n, 0.95),
           w99 = gsl_stats_quantile_from_sorted_data(x, 1, n, 0.99);
    CHECK(p50 == w50 && p95 == w95 && p99 == w99);
    if (p50 != w50 || p95 != w95 || p99 != w99)
        fprintf(stderr, "test_mc_fast: %s: %.17g %.17g %.17g, sorting %.17g %.17g %.17g\n", what, p50, p95, p99,
                w50, w95, w99);
}

static void test_which_path(void)
{
    model_scenario s = e7();
    model_eval e;
    sim_montecarlo_stats st;
    CHECK(run(&s, 2000, 1, &e, &st) == 0 && st.fast == 1 && st.passes == 1);
    s.bill_granularity_s = 1; /* rounded bills: the general path */
    CHECK(run(&s, 2000, 1, &e, &st) == 0 && st.fast == 0);
    s.bill_granularity_s = 0;
    s.concat_per_chunk = model_dist_gamma_mcv(0.25, 0.5); /* a random concat */
    CHECK(run(&s, 2000, 1, &e, &st) == 0 && st.fast == 0);
    model_scenario_free(&s);
    /* warm lognormal starts, cold ones not billed: still fast */
    model_scenario w = scen("{\"job\":{\"frames\":1000,\"input_mb\":5},\"stage\":{\"per_frame_s\":0.01,"
                            "\"ffmpeg_start_s\":1,\"seek_s\":0.5},\"platform\":{\"cold_start_s\":{\"dist\":"
                            "\"lognormal\",\"median\":20,\"p95\":40,\"shift\":1},\"warm_start_s\":{\"dist\":"
                            "\"lognormal\",\"median\":1,\"p95\":3},\"min_containers\":3,\"gpu_per_s\":0.001,"
                            "\"billing\":{\"includes_cold_start\":false}},\"parallel\":{\"gpus\":[2,3,7]}}");
    CHECK(run(&w, 2000, 2, &e, &st) == 0 && st.fast == 1);
    model_scenario_free(&w);
}

/* Every replication of the fast path replayed: sim_mc_fast_starts, then
 * sim_job_run_starts for k = 1 and 16; quantiles equal to sorting, means
 * to rounding. 2 x 10^6 replications: more than the budget keeps in one
 * pass, so the quantiles take a binned pass and a kept one. */
static void test_fast_replayed(void)
{
    model_scenario s = e7();
    const long R = 2000000;
    model_eval e;
    sim_montecarlo_stats st;
    if (run(&s, R, 2, &e, &st)) {
        model_scenario_free(&s);
        return;
    }
    CHECK(st.fast == 1 && st.passes == 3 && st.kept_peak <= (1u << 20));
    fprintf(stderr, "test_mc_fast: fast path, R = %ld: %d passes, %zu values kept\n", R, st.passes, st.kept_peak);
    sim_job *jobs[5];
    int ks[5] = {1, 2, 4, 8, 16};
    for (int j = 0; j < 5; j++)
        CHECK(sim_job_new(&s, s.frames, ks[j], 0, &jobs[j], err, sizeof err) == 0);
    sim_mc_fast *f = NULL;
    CHECK(sim_mc_fast_new(&s, jobs, ks, 5, 7, (uint64_t)R, &f, err, sizeof err) == 0 && f);
    sim_job_ws *ws = sim_job_ws_new();
    gsl_rng *rng = gsl_rng_alloc(sim_mc_rng_type());
    double *w1 = malloc(R * sizeof *w1), *c1 = malloc(R * sizeof *c1), *w16 = malloc(R * sizeof *w16),
           *c16 = malloc(R * sizeof *c16), st16[16];
    for (long r = 0; f && r < R; r++) {
        sim_job_result a, b;
        sim_mc_fast_starts(f, (uint64_t)r, st16);
        sim_job_run_starts(jobs[0], ws, st16, rng, NULL, NULL, &a, err, sizeof err);
        sim_job_run_starts(jobs[4], ws, st16, rng, NULL, NULL, &b, err, sizeof err);
        w1[r] = a.wall, c1[r] = a.cost, w16[r] = b.wall, c16[r] = b.cost;
    }
    CHECK_REL(e.base.wall_mean, gsl_stats_mean(w1, 1, R), 1e-12);
    CHECK_REL(e.k[4].cost_mean, gsl_stats_mean(c16, 1, R), 1e-12);
    CHECK_REL(e.k[4].wall_sd, gsl_stats_sd(w16, 1, R), 1e-9);
    check_quantiles(w1, R, e.base.wall_p50, e.base.wall_p95, e.base.wall_p99, "wall k=1");
    check_quantiles(c1, R, e.base.cost_p50, e.base.cost_p95, e.base.cost_p99, "cost k=1");
    check_quantiles(w16, R, e.k[4].wall_p50, e.k[4].wall_p95, e.k[4].wall_p99, "wall k=16");
    check_quantiles(c16, R, e.k[4].cost_p50, e.k[4].cost_p95, e.k[4].cost_p99, "cost k=16");
    free(w1), free(c1), free(w16), free(c16);
    gsl_rng_free(rng);
    sim_job_ws_free(ws);
    sim_mc_fast_free(f);
    for (int j = 0; j < 5; j++)
        sim_job_free(jobs[j]);
    model_scenario_free(&s);
}

/* The general path at R = 10^6 with ties: the cost under a 10 s billing
 * granularity takes few values; replayed with sim_job, sorted. */
static void test_general_ties(void)
{
    model_scenario s = scen("{\"job\":{\"frames\":500},\"stage\":{\"per_frame_s\":0.02,\"ffmpeg_start_s\":1},"
                            "\"platform\":{\"cold_start_s\":{\"dist\":\"gamma\",\"mean\":20,\"cv\":0.5},"
                            "\"gpu_per_s\":0.001,\"billing\":{\"granularity_s\":10}},"
                            "\"parallel\":{\"gpus\":[3]}}");
    const long R = 1000000;
    model_eval e;
    sim_montecarlo_stats st;
    if (run(&s, R, 2, &e, &st)) {
        model_scenario_free(&s);
        return;
    }
    CHECK(st.fast == 0);
    sim_job *j1 = NULL, *j3 = NULL;
    CHECK(sim_job_new(&s, s.frames, 1, 0, &j1, err, sizeof err) == 0);
    CHECK(sim_job_new(&s, s.frames, 3, 0, &j3, err, sizeof err) == 0);
    sim_job_ws *ws = sim_job_ws_new();
    gsl_rng *rng = gsl_rng_alloc(sim_mc_rng_type());
    double *wall = malloc(R * sizeof *wall), *cost = malloc(R * sizeof *cost), st3[3];
    long distinct = 0;
    for (long r = 0; r < R; r++) {
        sim_job_result res;
        sim_mc_seed_rng(rng, 7, (uint64_t)r);
        sim_job_draw_starts(&s, rng, 3, st3);
        sim_job_run_starts(j1, ws, st3, rng, NULL, NULL, &res, err, sizeof err);
        sim_job_run_starts(j3, ws, st3, rng, NULL, NULL, &res, err, sizeof err);
        wall[r] = res.wall;
        cost[r] = res.cost;
    }
    CHECK_REL(e.k[0].wall_mean, gsl_stats_mean(wall, 1, R), 1e-12);
    CHECK_REL(e.k[0].cost_mean, gsl_stats_mean(cost, 1, R), 1e-12);
    check_quantiles(wall, R, e.k[0].wall_p50, e.k[0].wall_p95, e.k[0].wall_p99, "general wall");
    check_quantiles(cost, R, e.k[0].cost_p50, e.k[0].cost_p95, e.k[0].cost_p99, "general cost");
    for (long r = 1; r < R; r++)
        distinct += cost[r] != cost[r - 1];
    CHECK(distinct < 200); /* ties indeed: ~10^6 costs, few values */
    fprintf(stderr, "test_mc_fast: general path, R = 10^6: %d passes, %zu values kept, %ld distinct costs\n",
            st.passes, st.kept_peak, distinct + 1);
    free(wall), free(cost);
    gsl_rng_free(rng);
    sim_job_ws_free(ws);
    sim_job_free(j1), sim_job_free(j3);
    model_scenario_free(&s);
}

static char *text(const model_scenario *s, const model_eval *e)
{
    cJSON *j = model_eval_json(s, e);
    char *t = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    return t;
}

static void test_threads(void)
{
    model_scenario s = e7();
    model_eval a, b, c;
    run(&s, 70001, 1, &a, NULL);
    run(&s, 70001, 2, &b, NULL);
    run(&s, 70001, 3, &c, NULL);
    char *ta = text(&s, &a), *tb = text(&s, &b), *tc = text(&s, &c);
    CHECK_STR(tb, ta);
    CHECK_STR(tc, ta);
    free(ta), free(tb), free(tc);
    model_scenario_free(&s);
}

/* Every vector level (AVX-512, AVX2, none) gives the same bits: the fast
 * path, pilot and one pass, kernels and quantile scans alike. */
static void test_isa(void)
{
    model_scenario s = e7();
    char *t[3] = {NULL, NULL, NULL};
    int top = sim_rand_isa();
    for (int cap = 0; cap <= top; cap++) {
        model_eval e;
        sim_rand_cap_isa(cap);
        if (run(&s, 300001, 2, &e, NULL) == 0)
            t[cap] = text(&s, &e);
    }
    sim_rand_cap_isa(2);
    for (int cap = 1; cap <= top; cap++)
        CHECK_STR(t[cap], t[0]);
    fprintf(stderr, "test_mc_fast: vector levels 0..%d give the same results\n", top);
    for (int cap = 0; cap < 3; cap++)
        free(t[cap]);
    model_scenario_free(&s);
}

typedef struct {
    double end[17];
} ends;

static void on_phase(void *ctx, int k, int container, int chunk, sim_job_phase ph, double t0, double t1)
{
    (void)container, (void)chunk, (void)t0;
    ends *x = ctx;
    if (ph != SIM_PH_CANCELLED && t1 > x->end[k])
        x->end[k] = t1;
}

/* The trace replays the fast path's replication. */
static void test_trace(void)
{
    model_scenario s = e7();
    model_eval e;
    sim_montecarlo_stats st;
    ends x = {{0}};
    CHECK(run(&s, 1, 1, &e, &st) == 0 && st.fast == 1);
    CHECK(sim_montecarlo_trace(&s, 7, 0, 0, on_phase, &x, err, sizeof err) == 0);
    /* the trace sums a container's phases one by one, the fast path adds
     * their folded sum: equal to rounding (sim/job.h) */
    CHECK_REL(x.end[1], e.base.wall_mean, 1e-13);
    CHECK_REL(x.end[16], e.k[4].wall_mean, 1e-13); /* concat included: its row ends last */
    model_scenario_free(&s);
}

typedef struct {
    uint64_t last, total, calls, finals, backwards, early;
} prog;

static void on_progress(uint64_t done, uint64_t total, void *ctx)
{
    prog *p = ctx;
    p->calls++;
    p->backwards += done < p->last;
    p->finals += done == total;
    p->early += done == total && p->finals == 1 && p->calls > 0 && done != p->total && p->total;
    p->last = done;
    p->total = total;
}

static void test_progress_and_limits(void)
{
    model_scenario s = e7();
    model_eval e;
    prog p = {0};
    model_opts mo = {0};
    sim_montecarlo_opts o = {.replications = 200000, .seed = 1, .threads = 2, .progress = on_progress,
                             .progress_ctx = &p};
    CHECK(sim_montecarlo_eval(&s, &mo, &o, &e, NULL, err, sizeof err) == 0);
    CHECK(p.calls > 2 && p.finals == 1 && p.backwards == 0 && p.last == p.total);
    o = (sim_montecarlo_opts){.replications = (long)1 << 40, .seed = 1};
    CHECK(sim_montecarlo_eval(&s, &mo, &o, &e, NULL, err, sizeof err) == BASE_EINPUT);
    o.replications = 0;
    CHECK(sim_montecarlo_eval(&s, &mo, &o, &e, NULL, err, sizeof err) == BASE_EINPUT);
    s.bill_granularity_s = 1; /* the general path: GSL seeds, R <= 2^31 */
    o.replications = ((long)1 << 31) + 1;
    CHECK(sim_montecarlo_eval(&s, &mo, &o, &e, NULL, err, sizeof err) == BASE_EINPUT && strstr(err, "2^31"));
    model_scenario_free(&s);
}

TEST_MAIN(test_which_path, test_fast_replayed, test_general_ties, test_threads, test_isa, test_trace,
          test_progress_and_limits)

/* tests/test_advise_col.c -- sim/advise_col.h and sim_job_effects(): the
 * replication count advise uses, its column equal to the Monte Carlo run it
 * names, the 3-standard-error rule, and the list of effects the closed form
 * omits. */
#include "harness.h"
#include "base/status.h"
#include "sim/advise_col.h"
#include "sim/job.h"
#include "sim/montecarlo.h"

static char err[1024];

static void test_reps_and_col(void)
{
    model_scenario s;
    CHECK(model_scenario_default(NULL, 0, &s, err, sizeof err) == 0);
    CHECK(sim_advise_reps(&s) == (s.replications < 2000 ? s.replications : 2000));
    model_scenario few = s;
    few.replications = 300;
    CHECK(sim_advise_reps(&few) == 300);
    few.replications = 1000000;
    CHECK(sim_advise_reps(&few) == SIM_ADVISE_REPS);

    model_opts mo = {.objective = MODEL_OBJ_THRESHOLDS};
    model_eval col, ref;
    few.replications = 500;
    CHECK(sim_advise_col(&few, &mo, 2, &col, err, sizeof err) == BASE_OK);
    sim_montecarlo_opts so = {.replications = 500, .seed = few.seed, .threads = 1};
    CHECK(sim_montecarlo_eval(&few, &mo, &so, &ref, NULL, err, sizeof err) == BASE_OK);
    CHECK(col.replications == 500 && col.nk == ref.nk);
    for (int i = 0; i < col.nk; i++)
        CHECK(col.k[i].wall_p95 == ref.k[i].wall_p95 && col.k[i].cost_mean == ref.k[i].cost_mean);
    model_scenario_free(&s);
}

static void test_disagree(void)
{
    CHECK(!sim_advise_disagree(100, 100.29, 0.1));   /* 2.9 se */
    CHECK(sim_advise_disagree(100, 100.31, 0.1));    /* 3.1 se */
    CHECK(!sim_advise_disagree(100, 100 + 5e-5, 0)); /* quadrature tolerance, no noise */
    CHECK(sim_advise_disagree(100, 100 + 2e-4, 0));
}

static void test_effects(void)
{
    model_scenario s;
    char buf[256];
    CHECK(model_scenario_default(NULL, 0, &s, err, sizeof err) == 0);
    CHECK(sim_job_effects(&s, buf, sizeof buf) == 0 && buf[0] == 0);
    s.shared_download_mb_s = 300;
    s.max_containers = 6;
    s.chunks_per_gpu = 2;
    s.speculative_after = 0.8;
    s.failure_rate_per_s = 0.001;
    CHECK(sim_job_effects(&s, buf, sizeof buf) == 5);
    CHECK_STR(buf, "shared_download_mb_s 300, max_containers 6, chunks_per_gpu 2, speculative after_fraction "
                   "0.8, failure_rate_per_s 0.001");
    s.shared_download_mb_s = 0;
    s.speculative_after = 0;
    CHECK(sim_job_effects(&s, buf, sizeof buf) == 3);
    CHECK_STR(buf, "max_containers 6, chunks_per_gpu 2, failure_rate_per_s 0.001");
    CHECK(sim_job_effects(&s, buf, 8) == 3 && strlen(buf) == 7);
    model_scenario_free(&s);
}

TEST_MAIN(test_reps_and_col, test_disagree, test_effects)

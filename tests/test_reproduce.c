/* tests/test_reproduce.c -- the fitted default scenarios reproduce the seed:
 * overlay-e7 against E7's table (wall within 5%, cost within 10%, NOT
 * BENEFICIAL), framing-t50 against T50 (4-GPU speedup within 10% of 3.56,
 * cost ratio <= 1.15, BENEFICIAL). Observed numbers are read from
 * data/experiments/, the seed's tables. Run from the repository root. */
#include "harness.h"
#include "calibrate/fit.h"
#include "model/evaluate.h"
#include "base/status.h"

static char err[1024];

static const model_kresult *find(const model_eval *e, int k)
{
    for (int i = 0; i < e->nk; i++)
        if (e->k[i].gpus == k)
            return &e->k[i];
    return NULL;
}

static void check_experiment(const char *scen, const char *exp, int want_parallel)
{
    model_scenario s;
    model_eval e;
    cal_fit f;
    model_opts o = {0};
    int rc = model_scenario_load(scen, NULL, 0, &s, err, sizeof err);
    CHECK(rc == 0);
    if (rc) {
        fprintf(stderr, "  %s\n", err);
        return;
    }
    CHECK(cal_fit_load(exp, &f, err, sizeof err) == 0);
    CHECK(model_evaluate(&s, &o, &e, err, sizeof err) == 0);
    for (int i = 0; i < f.nobs; i++) {
        const cal_fit_obs *ob = &f.obs[i];
        const model_kresult *r = find(&e, ob->gpus);
        CHECK(r != NULL);
        if (!r)
            continue;
        switch (ob->q) {
        case CAL_Q_WALL: CHECK_REL(r->wall_mean, ob->observed, 0.05); break;
        case CAL_Q_COST: CHECK_REL(r->cost_mean, ob->observed, 0.10); break;
        case CAL_Q_SPEEDUP: CHECK_REL(r->speedup, ob->observed, 0.10); break;
        case CAL_Q_COST_RATIO: CHECK(r->cost_ratio <= 1.15); break;
        }
    }
    CHECK(e.parallelize == want_parallel);
    CHECK(strncmp(e.summary, want_parallel ? "BENEFICIAL: " : "NOT BENEFICIAL: ", want_parallel ? 12 : 16) == 0);
    fprintf(stderr, "  %s: %s\n", scen, e.summary);
    cal_fit_free(&f);
    model_scenario_free(&s);
}

static void test_e7(void)
{
    check_experiment("data/scenarios/overlay-e7.json", "data/experiments/e7_overlay.json", 0);
}

static void test_t50(void)
{
    check_experiment("data/scenarios/framing-t50.json", "data/experiments/t50_framing.json", 1);
}

TEST_MAIN(test_e7, test_t50)

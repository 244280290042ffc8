/* tests/test_fit.c -- calibrate fit recovers parameters from data the model
 * itself generated, noise-free and noisy. */
#include "harness.h"
#include "calibrate/fit.h"
#include "model/predict.h"
#include "base/status.h"

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <stdlib.h>
#include <unistd.h>

static char err[1024];

static const char *base_json =
    "{\"job\":{\"frames\":300},\"stage\":{\"per_frame_s\":0.05,\"ffmpeg_start_s\":1.5,\"seek_s\":1},"
    "\"platform\":{\"cold_start_s\":{\"dist\":\"lognormal\",\"median\":30,\"p95\":50},\"gpu_per_s\":0.0002},"
    "\"parallel\":{\"concat_s\":1,\"concat_per_chunk_s\":2}}";

static const int ks[] = {1, 2, 4, 8};

/* Model predictions at the true parameters, optionally with relative noise. */
static void observe(double wall[4], double cost[4], gsl_rng *r, double noise)
{
    model_scenario s;
    model_prep *p;
    CHECK(model_scenario_parse(base_json, "base", &s, err, sizeof err) == 0);
    CHECK(model_prep_new(&s, &p, err, sizeof err) == 0);
    for (int i = 0; i < 4; i++) {
        model_kresult k;
        CHECK(model_predict_k(p, 300, ks[i], &k, err, sizeof err) == 0);
        wall[i] = k.wall_mean * (1 + (r ? gsl_ran_gaussian(r, noise) : 0));
        cost[i] = k.cost_mean * (1 + (r ? gsl_ran_gaussian(r, noise) : 0));
    }
    model_prep_free(p);
    model_scenario_free(&s);
}

static int fit_once(const double wall[4], const double cost[4], double noise, cal_fit *f, cJSON **out)
{
    char path[] = "/tmp/forkcast-fit-XXXXXX";
    int fd = mkstemp(path);
    FILE *fp = fdopen(fd, "w");
    fprintf(fp, "{\"free\":[{\"field\":\"platform.cold_start_s.median\",\"init\":20,\"min\":1,\"max\":300},"
                "{\"field\":\"platform.cold_start_s.p95\",\"init\":35,\"min\":2,\"max\":600},"
                "{\"field\":\"parallel.concat_per_chunk_s\",\"init\":0.5,\"min\":0.01,\"max\":60}],"
                "\"relative_sd\":{\"wall_s\":%g,\"cost_usd\":%g},\"observations\":[", noise, noise);
    for (int i = 0; i < 4; i++)
        fprintf(fp, "%s{\"gpus\":%d,\"wall_s\":%.17g,\"cost_usd\":%.17g}", i ? "," : "", ks[i], wall[i], cost[i]);
    fprintf(fp, "]}");
    fclose(fp);
    int rc = cal_fit_load(path, f, err, sizeof err);
    unlink(path);
    CHECK(rc == 0);
    if (rc)
        return rc;
    cJSON *base = cJSON_Parse(base_json);
    rc = cal_fit_run(f, base, "base", out, err, sizeof err);
    cJSON_Delete(base);
    CHECK(rc == 0);
    return rc;
}

static void test_noise_free(void)
{
    double wall[4], cost[4];
    cal_fit f;
    cJSON *out = NULL;
    observe(wall, cost, NULL, 0);
    if (fit_once(wall, cost, 0.05, &f, &out))
        return;
    CHECK(f.converged);
    CHECK_REL(f.p[0].value, 30, 1e-4);
    CHECK_REL(f.p[1].value, 50, 1e-4);
    CHECK_REL(f.p[2].value, 2, 1e-4);
    CHECK(f.chi2 < 1e-8);
    for (int i = 0; i < f.nobs; i++)
        CHECK_REL(f.obs[i].predicted, f.obs[i].observed, 1e-6);
    /* The fitted scenario carries the values. */
    cJSON *plat = cJSON_GetObjectItem(out, "platform");
    cJSON *cs = cJSON_GetObjectItem(plat, "cold_start_s");
    CHECK_REL(cJSON_GetObjectItem(cs, "median")->valuedouble, 30, 1e-4);
    cJSON_Delete(out);
    cal_fit_free(&f);
}

/* Noisy (2% relative): estimates near the truth, and the 95% intervals
 * cover it in most of 60 independent data sets. */
static void test_noisy(void)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    int covered = 0, trials = 60, close = 0;
    for (int t = 0; t < trials; t++) {
        double wall[4], cost[4];
        cal_fit f;
        cJSON *out = NULL;
        gsl_rng_set(r, 1000 + t);
        observe(wall, cost, r, 0.02);
        if (fit_once(wall, cost, 0.02, &f, &out))
            break;
        covered += f.p[0].has_ci && f.p[0].ci_lo <= 30 && 30 <= f.p[0].ci_hi;
        close += fabs(f.p[0].value / 30 - 1) < 0.15;
        cJSON_Delete(out);
        cal_fit_free(&f);
    }
    /* Linearised intervals on a nonlinear model: 200 data sets gave 83%
     * coverage for the nominal 95% (docs/validation.md); demand 75%. */
    CHECK(covered >= trials * 3 / 4);
    CHECK(close >= trials * 9 / 10);
    fprintf(stderr, "  noisy fits: median CI covered truth in %d/%d, within 15%% in %d/%d\n", covered, trials,
            close, trials);
    gsl_rng_free(r);
}

static void test_bad_experiments(void)
{
    cal_fit f;
    char path[] = "/tmp/forkcast-fitbad-XXXXXX";
    const char *cases[][2] = {
        {"{\"observations\":[]}", "observations"},
        {"{\"observations\":[{\"gpus\":0,\"wall_s\":1}]}", "observations[0].gpus"},
        {"{\"observations\":[{\"gpus\":1,\"walls\":1}]}", "observations[0].walls: unknown field"},
        {"{\"observations\":[{\"gpus\":1,\"wall_s\":-1}]}", "greater than 0"},
        {"{\"free\":[{\"field\":\"x\",\"init\":5,\"min\":6}],\"observations\":[{\"gpus\":1,\"wall_s\":1}]}", "free[0]"},
        {"{\"frees\":[]}", "frees: unknown field"},
        {"not json", "invalid JSON"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int fd = mkstemp(path);
        CHECK(write(fd, cases[i][0], strlen(cases[i][0])) > 0);
        close(fd);
        int rc = cal_fit_load(path, &f, err, sizeof err);
        CHECK(rc == BASE_EINPUT);
        CHECK(strstr(err, cases[i][1]) != NULL);
        CHECK(strstr(err, path) != NULL);
        if (!strstr(err, cases[i][1]))
            fprintf(stderr, "  case %zu: %s\n", i, err);
        unlink(path);
        strcpy(path, "/tmp/forkcast-fitbad-XXXXXX");
    }
}

static void run_all(void)
{
    test_noise_free();
    test_noisy();
    test_bad_experiments();
}

TEST_MAIN(run_all)

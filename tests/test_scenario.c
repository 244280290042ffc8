/* tests/test_scenario.c -- strict scenario validation: every bad input gives
 * BASE_EINPUT and one line naming the file, the field and the problem. */
#include "harness.h"
#include "model/scenario.h"
#include "base/status.h"

#include <stdlib.h>

static char err[1024];

/* Parse `json`; expect failure with every needle in the message, one line. */
static void bad(const char *json, const char *needle1, const char *needle2)
{
    model_scenario s;
    err[0] = 0;
    int rc = model_scenario_parse(json, "t.json", &s, err, sizeof err);
    CHECK(rc == BASE_EINPUT);
    CHECK(strncmp(err, "t.json: ", 8) == 0);
    CHECK(strchr(err, '\n') == NULL);
    CHECK(strstr(err, needle1) != NULL);
    if (needle2)
        CHECK(strstr(err, needle2) != NULL);
    if (rc != BASE_EINPUT || !strstr(err, needle1) || (needle2 && !strstr(err, needle2)))
        fprintf(stderr, "  input %s\n  message: %s\n", json, err);
    model_scenario_free(&s);
}

#define F "{\"job\":{\"frames\":300},"

static void test_bad_inputs(void)
{
    bad("{\"job\":{\"frames\":300}", "invalid JSON", NULL);
    bad("[1,2]", "must be a JSON object", NULL);
    bad("{}", "job.frames", "missing");
    bad("{\"job\":{\"frames\":0}}", "job.frames", "between 1 and 1000000000");
    bad("{\"job\":{\"frames\":1000000001}}", "job.frames", "between");
    bad("{\"job\":{\"frames\":2.5}}", "job.frames", "integer");
    bad("{\"job\":{\"frames\":\"300\"}}", "job.frames", "got string");
    bad("{\"job\":{\"frames\":300,\"fames\":1}}", "job.fames", "did you mean 'frames'");
    bad(F "\"platfrom\":{}}", "platfrom", "did you mean 'platform'");
    bad(F "\"platform\":{\"cold_start\":10}}", "platform.cold_start", "did you mean 'cold_start_s'");
    bad(F "\"platform\":{\"xyzzy\":10}}", "platform.xyzzy: unknown field", NULL);
    bad(F "\"platform\":{\"cold_start_s\":-1}}", "platform.cold_start_s", "non-negative (got -1)");
    bad(F "\"platform\":{\"cold_start_s\":1e999}}", "platform.cold_start_s", "finite");
    bad(F "\"platform\":{\"cold_start_s\":{\"dist\":\"lognormal\",\"median\":20,\"p95\":10}}}",
        "platform.cold_start_s.p95: must be greater than median (got 10 <= 20)", NULL);
    bad(F "\"platform\":{\"cold_start_s\":{\"dist\":\"lognormal\",\"median\":20}}}",
        "platform.cold_start_s.p95", "missing");
    bad(F "\"platform\":{\"cold_start_s\":{\"dist\":\"lognormal\",\"median\":20,\"p95\":30,\"mu\":1}}}",
        "platform.cold_start_s", "not both");
    bad(F "\"platform\":{\"cold_start_s\":{\"dist\":\"logistic\",\"x\":1}}}", "unknown distribution 'logistic'", NULL);
    bad(F "\"platform\":{\"cold_start_s\":{\"median\":1}}}", "platform.cold_start_s.dist", "missing");
    bad(F "\"platform\":{\"cold_start_s\":{\"dist\":\"gamma\",\"mean\":1,\"cv\":0}}}", "cold_start_s.cv",
        "must be at least 0.001");
    bad(F "\"platform\":{\"cold_start_s\":{\"dist\":\"uniform\",\"min\":5,\"max\":1}}}", "cold_start_s.max",
        "at least min");
    bad(F "\"platform\":{\"cold_start_s\":{\"dist\":\"uniform\",\"min\":1,\"max\":5,\"mean\":3}}}",
        "cold_start_s.mean", "unknown field for a uniform");
    bad(F "\"platform\":{\"cold_start_s\":{\"dist\":\"empirical\",\"samples\":[]}}}", "samples", "empty");
    bad(F "\"platform\":{\"cold_start_s\":{\"dist\":\"empirical\",\"samples\":[1,-2]}}}", "samples[1]",
        "non-negative");
    bad(F "\"platform\":{\"cold_start_s\":{\"dist\":\"normal\",\"mean\":5,\"sd\":1,\"shift\":-1}}}",
        "cold_start_s.shift", "non-negative");
    bad(F "\"platform\":{\"cold_start_s\":true}}", "platform.cold_start_s", "number or a distribution");
    bad(F "\"platform\":{\"billing\":{\"includes_cold_start\":1}}}", "includes_cold_start", "true or false");
    bad(F "\"platform\":{\"billing\":7}}", "platform.billing", "must be an object");
    bad(F "\"platform\":{\"min_containers\":5,\"max_containers\":2}}", "platform.min_containers",
        "at most max_containers");
    bad(F "\"platform\":{\"buffer_containers\":5,\"max_containers\":2}}", "platform.buffer_containers", NULL);
    bad(F "\"parallel\":{\"gpus\":[]}}", "parallel.gpus", "must not be empty");
    bad(F "\"parallel\":{\"gpus\":[1,0]}}", "parallel.gpus[1]", "between 1 and 4096");
    bad(F "\"parallel\":{\"gpus\":[4097]}}", "parallel.gpus[0]", "between 1 and 4096");
    bad(F "\"parallel\":{\"gpus\":4}}", "parallel.gpus", "array");
    bad(F "\"parallel\":{\"concat_billed\":\"tpu\"}}", "parallel.concat_billed", "\"none\", \"cpu\" or \"gpu\"");
    bad(F "\"parallel\":{\"policy\":\"fixed:0\"}}", "parallel.policy", "fixed:K");
    bad(F "\"parallel\":{\"policy\":\"threshold:100\"}}", "parallel.policy", NULL);
    bad(F "\"parallel\":{\"chunks_per_gpu\":0}}", "parallel.chunks_per_gpu", "between 1");
    bad(F "\"parallel\":{\"speculative\":{\"after_fraction\":1.5}}}", "after_fraction", "at most 1");
    bad(F "\"sim\":{\"replications\":0}}", "sim.replications", NULL);
    bad(F "\"sim\":{\"seed\":-1}}", "sim.seed", NULL);
    bad(F "\"decision\":{\"min_speedup\":0}}", "decision.min_speedup", "greater than 0");
    bad(F "\"workload\":{\"rate_per_hour\":0,\"hours\":1}}", "workload.rate_per_hour", "greater than 0");
    bad(F "\"workload\":{\"rate_per_hour\":-5,\"hours\":1}}", "workload.rate_per_hour", NULL);
    bad(F "\"workload\":{\"hours\":1}}", "workload", "exactly one of");
    bad(F "\"workload\":{\"rate_per_hour\":5}}", "workload", "hours or jobs");
    bad(F "\"workload\":{\"rate_per_hour\":5,\"hours\":1,\"jobs\":3}}", "workload", "not both");
    bad(F "\"workload\":{\"rate_per_hour_by_hour\":[1,2],\"hours\":1}}", "rate_per_hour_by_hour", "24");
    bad(F "\"name\":\"\"}", "name", "empty");
}

static void test_good_inputs(void)
{
    model_scenario s;
    int rc = model_scenario_parse(
        F "\"_comment\":\"ignored\",\"stage\":{\"_x\":1,\"per_frame_s\":{\"dist\":\"gamma\",\"mean\":0.5,\"cv\":0.2}},"
          "\"platform\":{\"cold_start_s\":{\"dist\":\"empirical\",\"samples\":[30,10,20]}},"
          "\"parallel\":{\"gpus\":[8,2,2,1]}}",
        "dir/ok.json", &s, err, sizeof err);
    CHECK(rc == BASE_OK);
    CHECK_STR(s.name, "ok");
    CHECK(s.frames == 300);
    CHECK(s.ngpus == 3 && s.gpus[0] == 1 && s.gpus[1] == 2 && s.gpus[2] == 8);
    /* empirical samples sorted and owned */
    CHECK(s.cold_start.kind == MODEL_DIST_EMPIRICAL && s.cold_start.samples[0] == 10 && s.cold_start.n == 3);
    CHECK_NEAR(model_dist_mean(&s.per_frame), 0.5, 1e-12);
    /* defaults */
    CHECK(s.ngpus == 3 && s.min_speedup == 1.2 && s.max_cost_increase == 0.25);
    CHECK(s.bill_includes_cold_start == 1 && s.replications == 10000 && s.seed == 1);
    CHECK(s.cold_start.kind == MODEL_DIST_EMPIRICAL);
    model_scenario_free(&s);

    /* The built-in default parses and is the E7 overlay. */
    rc = model_scenario_default(NULL, 0, &s, err, sizeof err);
    CHECK(rc == BASE_OK);
    CHECK_STR(s.name, "overlay-e7");
    CHECK(s.frames == 300);
    model_scenario_free(&s);
}

static void test_merge(void)
{
    cJSON *root = cJSON_Parse("{\"job\":{\"frames\":300},\"stage\":{\"per_frame_s\":0.5,\"seek_s\":1}}");
    cJSON *prof = cJSON_Parse("{\"stage\":{\"per_frame_s\":{\"dist\":\"fixed\",\"value\":0.1}},"
                              "\"calibration\":{\"anything\":[1,2]},\"fit\":{\"r2\":1}}");
    CHECK(model_scenario_merge(root, prof, "p.json", err, sizeof err) == BASE_OK);
    model_scenario s;
    CHECK(model_scenario_from_json(root, "m.json", &s, err, sizeof err) == BASE_OK);
    CHECK_NEAR(model_dist_mean(&s.per_frame), 0.1, 1e-12);
    CHECK_NEAR(model_dist_mean(&s.seek), 1, 1e-12); /* kept */
    model_scenario_free(&s);
    cJSON_Delete(root);
    cJSON_Delete(prof);
}

static void run_all(void)
{
    test_bad_inputs();
    test_good_inputs();
    test_merge();
}

TEST_MAIN(run_all)

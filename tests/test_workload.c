/* tests/test_workload.c -- model/workload.h: the policy grammar (accepted,
 * refused, written back the same) and the workload checks as a run sees
 * them after command-line overrides. */
#include "harness.h"
#include "base/status.h"
#include "model/workload.h"

static void test_policy(void)
{
    model_policy p;
    CHECK(model_policy_parse("auto", &p) == 0 && p.kind == MODEL_POLICY_AUTO);
    CHECK(model_policy_parse("fixed:4", &p) == 0 && p.kind == MODEL_POLICY_FIXED && p.k == 4);
    CHECK(model_policy_parse("threshold:1000:8", &p) == 0 && p.kind == MODEL_POLICY_THRESHOLD && p.k == 8 &&
          p.frames == 1000);
    CHECK(model_policy_parse("fixed:4096", &p) == 0);
    const char *bad[] = {"", "Auto", "fixed", "fixed:", "fixed:0", "fixed:4097", "fixed:4x", "fixed:4:2",
                         "threshold:100", "threshold:0:2", "threshold:100:0", "threshold:100:2:", "sometimes"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        p = (model_policy){MODEL_POLICY_AUTO, 77, 77};
        CHECK(model_policy_parse(bad[i], &p) == -1 && p.k == 77);
    }
    /* written back as parsed */
    const char *good[] = {"auto", "fixed:3", "threshold:250:16"};
    for (size_t i = 0; i < 3; i++) {
        model_scenario s;
        char buf[64];
        memset(&s, 0, sizeof s);
        CHECK(model_policy_parse(good[i], &p) == 0);
        model_policy_set(&s, &p);
        model_policy_name(&s, buf, sizeof buf);
        CHECK_STR(buf, good[i]);
        model_policy q = model_policy_of(&s);
        CHECK(q.kind == p.kind && q.k == p.k && q.frames == p.frames);
    }
}

static int check(const model_scenario *s, const char *needle)
{
    char err[512] = "";
    int rc = model_workload_check(s, err, sizeof err);
    if (needle && !strstr(err, needle))
        fprintf(stderr, "  expected '%s' in: %s\n", needle, err);
    return rc == (needle ? BASE_EINPUT : BASE_OK) && (!needle || (strstr(err, needle) && strstr(err, "f.json: ") == err));
}

static void test_workload(void)
{
    model_scenario s;
    memset(&s, 0, sizeof s);
    snprintf(s.file, sizeof s.file, "f.json");
    s.policy = MODEL_POLICY_AUTO;
    CHECK(check(&s, "workload: missing"));
    s.rate_per_hour = 10;          /* --rate */
    CHECK(check(&s, "hours or jobs (the run length)"));
    char err[256];
    CHECK(model_workload_check_section(&s, err, sizeof err) == BASE_EINPUT);
    s.hours = 2;
    CHECK(check(&s, NULL));
    CHECK(model_workload_check_section(&s, err, sizeof err) == BASE_OK);
    s.jobs = 5;
    CHECK(check(&s, "not both"));
    s.hours = 0;
    s.warmup_jobs = 5;             /* --warmup 5 --jobs 5 */
    CHECK(check(&s, "workload.warmup_jobs"));
    s.warmup_jobs = 4;
    CHECK(check(&s, NULL));
    s.has_rate_by_hour = 1;        /* two sources */
    CHECK(check(&s, "exactly one of"));
    s.has_rate_by_hour = 0;
    s.max_containers = 2;
    s.buffer_containers = 3;       /* --max-containers 2 --buffer-containers 3 */
    CHECK(check(&s, "platform.buffer_containers"));
    CHECK(model_pool_check(&s, err, sizeof err) == BASE_EINPUT);
    s.buffer_containers = 0;
    s.min_containers = 3;
    CHECK(check(&s, "platform.min_containers"));
    s.min_containers = 0;
    s.scaledown_window_s = INFINITY;
    CHECK(check(&s, "platform.scaledown_window_s"));
    s.scaledown_window_s = 60;
    s.policy = MODEL_POLICY_FIXED;
    s.policy_k = 0;
    CHECK(check(&s, "parallel.policy"));
    s.policy_k = 2;
    CHECK(check(&s, NULL));
    CHECK(model_pool_check(&s, err, sizeof err) == BASE_OK);
}

static void test_names(void)
{
    model_scenario s;
    char buf[256];
    memset(&s, 0, sizeof s);
    s.rate_per_hour = 83.333;
    s.hours = 24;
    model_workload_name(&s, buf, sizeof buf);
    CHECK_STR(buf, "Poisson 83.333 jobs/h for 24 h");
    s.hours = 0;
    s.jobs = 500;
    model_workload_name(&s, buf, sizeof buf);
    CHECK_STR(buf, "Poisson 83.333 jobs/h for 500 jobs");
    s.has_rate_by_hour = 1;
    for (int h = 0; h < 24; h++)
        s.rate_by_hour[h] = h == 12 ? 100 : 10;
    model_workload_name(&s, buf, sizeof buf);
    CHECK_STR(buf, "daily profile (330 jobs/day, peak 100/h) for 500 jobs");
}

TEST_MAIN(test_policy, test_workload, test_names)

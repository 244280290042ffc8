/* tests/test_capacity.c -- the capacity simulator against queueing closed
 * forms (docs/references.md: Erlang C, M/G/infinity, Little's law), the
 * closed-form single-job model, exact billing arithmetic, the auto policy
 * against model_evaluate, and every bad input. */
#include "harness.h"
#include "model/evaluate.h"
#include "base/status.h"
#include "sim/capacity.h"
#include "sim/cap_impl.h" /* the histogram's bin, against GSL's search */

#include <gsl/gsl_cdf.h>
#include <stdlib.h>
#include <unistd.h>

static char err[1024];

/* Parse a scenario (JSON text); fails the test on error. */
static int scen(const char *json, model_scenario *s)
{
    int rc = model_scenario_parse(json, "t.json", s, err, sizeof err);
    if (rc)
        fprintf(stderr, "scenario: %s\n", err);
    CHECK(rc == 0);
    return rc;
}

/* Little's law holds on every run: L (time-averaged jobs in the system)
 * = lambda (jobs / window) * W (mean latency), within 1%. */
static void check_little(const sim_cap_result *r)
{
    CHECK_REL(r->mean_in_system, r->arrival_rate * r->latency_mean, 0.01);
}

static int run(const model_scenario *s, uint64_t seed, sim_cap_result *r)
{
    sim_cap *c = NULL;
    int rc = sim_cap_new(s, &c, err, sizeof err);
    if (!rc)
        rc = sim_cap_run(c, seed, NULL, r, err, sizeof err);
    if (rc)
        fprintf(stderr, "run: %s\n", err);
    CHECK(rc == 0);
    sim_cap_free(c);
    if (!rc)
        check_little(r);
    return rc;
}

/* Erlang C for M/M/c, computed here from its definition. */
static void erlang_c(double lambda, double mu, int c, double *pwait, double *wq)
{
    double a = lambda / mu, term = 1, sum = 0;
    for (int k = 0; k < c; k++) {
        sum += term;          /* a^k / k! */
        term *= a / (k + 1);
    }
    double tail = term * c / (c - a); /* a^c / c! * c / (c - a) */
    *pwait = tail / (sum + tail);
    *wq = *pwait / (c * mu - lambda);
}

/* M/M/c with zero overheads, k = 1, exponential service (exponential frames
 * of mean 10^4 at a fixed per-frame cost: rounding to whole frames moves
 * E[S] by < 10^-8 relative), min = max = c containers live from t = 0.
 * Sizes give a relative sd of the mean wait near 1% (measured over 30 seeds:
 * 2.1% at 10^6 jobs for c = 10; 1.7% at 10^5 for c = 3). */
static void mmc_case(double lambda, double mu, int c, long jobs, double ref_pw, double ref_wq)
{
    double pw, wq;
    erlang_c(lambda, mu, c, &pw, &wq);
    CHECK_REL(pw, ref_pw, 2e-6); /* the formula above reproduces docs/references.md */
    CHECK_REL(wq, ref_wq, 2e-6);
    char js[1024];
    snprintf(js, sizeof js,
             "{\"job\":{\"frames\":{\"dist\":\"exponential\",\"mean\":10000}},"
             "\"stage\":{\"per_frame_s\":%.17g},"
             "\"platform\":{\"max_containers\":%d,\"min_containers\":%d,\"scaledown_window_s\":60},"
             "\"parallel\":{\"policy\":\"fixed:1\"},"
             "\"workload\":{\"rate_per_hour\":%.17g,\"jobs\":%ld,\"warmup_jobs\":%ld}}",
             1 / mu / 10000, c, c, lambda * 3600, jobs, jobs / 100);
    model_scenario s;
    sim_cap_result r;
    if (scen(js, &s))
        return;
    if (!run(&s, 1, &r)) {
        fprintf(stderr, "  M/M/%d lambda %g mu %g, %ld jobs: W_q %.5f (Erlang C %.5f, %+.2f%%), "
                        "wait p95 %.4f (closed form %.4f), utilization %.4f (rho %.4f)\n",
                c, lambda, mu, r.jobs, r.wait_mean, wq, 100 * (r.wait_mean / wq - 1), r.wait_p95,
                log(pw / 0.05) / (c * mu - lambda), r.utilization, lambda / (c * mu));
        CHECK_REL(r.wait_mean, wq, 0.03);
        /* P(W_q > t) = P_wait exp(-(c mu - lambda) t): the p95. */
        CHECK_REL(r.wait_p95, log(pw / 0.05) / (c * mu - lambda), 0.03);
        CHECK_REL(r.utilization, lambda / (c * mu), 0.01);
        CHECK_REL(r.mean_busy, lambda / mu, 0.01);
        CHECK_REL(r.latency_mean, wq + 1 / mu, 0.01);
        CHECK(r.peak == c);
        CHECK(r.cold_start_fraction == 0);
    }
    model_scenario_free(&s);
}

static void test_erlang_c(void)
{
    mmc_case(8, 1, 10, 4000000, 0.409180, 0.204590);
    mmc_case(0.2, 0.1, 3, 500000, 0.444444, 4.444444);
}

/* The lognormal mean from docs/scenario.md's median/p95 form. */
static double lognormal_mean(double median, double p95)
{
    double sigma = log(p95 / median) / gsl_cdf_ugaussian_Pinv(0.95);
    return median * exp(sigma * sigma / 2);
}

/* M/G/infinity: no cap, scale-down 0 (every start cold), non-exponential
 * service with overheads: mean busy containers = lambda * E[sum of the
 * job's container times], whatever the distribution. */
static void test_mg_infinity(void)
{
    for (int k = 1; k <= 4; k += 3) {
        char js[1024];
        snprintf(js, sizeof js,
                 "{\"job\":{\"frames\":{\"dist\":\"uniform\",\"min\":1000,\"max\":3000},"
                 "\"input_mb\":10,\"output_mb\":20},"
                 "\"stage\":{\"per_frame_s\":0.001,\"ffmpeg_start_s\":0.5,\"seek_s\":{\"dist\":\"uniform\",\"min\":0,\"max\":1}},"
                 "\"platform\":{\"cold_start_s\":{\"dist\":\"lognormal\",\"median\":2,\"p95\":5},"
                 "\"request_s\":0.1,\"download_mb_s\":50,\"upload_mb_s\":40,\"gpu_per_s\":0.001},"
                 "\"parallel\":{\"policy\":\"fixed:%d\",\"concat_s\":2,\"concat_per_chunk_s\":0.5},"
                 "\"workload\":{\"rate_per_hour\":18000,\"jobs\":200000,\"warmup_jobs\":1000}}",
                 k);
        model_scenario s;
        sim_cap_result r;
        if (scen(js, &s))
            continue;
        /* per container: cold + request + download + ffmpeg_start; seek on k - 1
         * of them; 2000 frames * 1 ms of work and 20 MB / 40 MB/s of upload in all. */
        double es = k * (lognormal_mean(2, 5) + 0.1 + 10.0 / 50 + 0.5) + (k - 1) * 0.5 + 2.0 + 20.0 / 40;
        double lambda = 18000.0 / 3600;
        if (!run(&s, 7, &r)) {
            fprintf(stderr, "  M/G/inf k=%d: mean busy %.4f, lambda E[S] %.4f (%+.2f%%)\n", k, r.mean_busy,
                    lambda * es, 100 * (r.mean_busy / (lambda * es) - 1));
            CHECK_REL(r.mean_busy, lambda * es, 0.02);
            CHECK(r.mean_idle == 0);
            CHECK(r.cold_start_fraction == 1);
            CHECK(r.wait_mean == 0);
            CHECK_REL(r.gpus_per_job_mean, k, 1e-12);
            /* every second billed is a busy second */
            CHECK_REL(r.billed_s, r.busy_s, 1e-9);
        }
        model_scenario_free(&s);
    }
}

/* With no queueing and every start cold, each job is the single job the
 * closed form predicts: mean and p95 of the wall time, and its cost. */
static void test_agrees_with_model(void)
{
    model_scenario s;
    if (model_scenario_default(NULL, 0, &s, err, sizeof err)) {
        CHECK(0);
        return;
    }
    s.has_workload = 1;
    s.rate_per_hour = 200;
    s.jobs = 100000;
    s.max_containers = 0;
    s.min_containers = 0;
    s.scaledown_window_s = 0;
    s.policy = MODEL_POLICY_FIXED;
    model_opts o = {.skip_break_even = 1};
    model_eval e;
    CHECK(model_evaluate(&s, &o, &e, err, sizeof err) == 0);
    for (int i = 0; i < e.nk; i++) {
        s.policy_k = e.k[i].gpus;
        sim_cap_result r;
        if (run(&s, 3, &r))
            continue;
        fprintf(stderr, "  default, k=%d: latency mean %.3f (model %.3f) p95 %.3f (model %.3f), "
                        "cost/job %.6f (model %.6f)\n", s.policy_k, r.latency_mean, e.k[i].wall_mean,
                r.latency_p95, e.k[i].wall_p95, r.cost_per_job, e.k[i].cost_mean);
        CHECK_REL(r.latency_mean, e.k[i].wall_mean, 0.01);
        CHECK_REL(r.latency_p95, e.k[i].wall_p95, 0.02);
        CHECK_REL(r.cost_per_job, e.k[i].cost_mean, 0.01);
    }
    model_scenario_free(&s);
}

/* Exponential service with no queue: latency = S ~ Exp(1), so the
 * histogram's p50/p95/p99 must be ln 2, ln 20, ln 100 (sampling sd of the
 * p95 with 2e5 jobs: 0.3%). */
static void test_percentiles(void)
{
    model_scenario s;
    sim_cap_result r;
    if (scen("{\"job\":{\"frames\":{\"dist\":\"exponential\",\"mean\":10000}},\"stage\":{\"per_frame_s\":0.0001},"
             "\"parallel\":{\"policy\":\"fixed:1\"},\"workload\":{\"rate_per_hour\":36000,\"jobs\":200000}}",
             &s))
        return;
    if (!run(&s, 11, &r)) {
        CHECK_REL(r.latency_p50, log(2), 0.015);
        CHECK_REL(r.latency_p95, log(20), 0.015);
        CHECK_REL(r.latency_p99, log(100), 0.02);
        CHECK_REL(r.latency_mean, 1, 0.01);
    }
    model_scenario_free(&s);
}

/* sim_cap_hist_add's bin (from log10) is the one gsl_histogram_find gives,
 * at every range edge, next to it, and at random values over the range. */
static void test_hist_bins(void)
{
    sim_cap_hist q;
    CHECK(sim_cap_hist_init(&q) == 0);
    if (!q.h)
        return;
    gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
    size_t n = q.h->n, bad = 0, tried = 0;
    for (size_t i = 0; i <= n + 200000; i++) {
        double x;
        if (i <= n) {
            x = q.h->range[i];
            x = i % 3 == 0 ? x : i % 3 == 1 ? nextafter(x, 0) : nextafter(x, INFINITY);
        } else {
            x = pow(10, -5 + 14 * gsl_rng_uniform(g));
        }
        size_t want;
        double top = q.h->range[n];
        if (gsl_histogram_find(q.h, x < top ? x : nextafter(top, 0), &want))
            continue;
        memset(q.h->bin, 0, n * sizeof *q.h->bin);
        sim_cap_hist_add(&q, x);
        bad += q.h->bin[want] != 1;
        tried++;
    }
    CHECK(bad == 0 && tried > 200000);
    gsl_rng_free(g);
    sim_cap_hist_free(&q);
}

/* ---- billing and pool mechanics, exact ------------------------------------ */

static char *write_tmp(const char *text)
{
    static char paths[16][64];
    static int n;
    char *p = paths[n++ % 16];
    snprintf(p, 64, "/tmp/forkcast-cap-XXXXXX");
    int fd = mkstemp(p);
    CHECK(fd >= 0);
    if (fd < 0)
        return p;
    FILE *f = fdopen(fd, "w");
    fputs(text, f);
    fclose(f);
    return p;
}

/* One job: cold start 5 s, 100 frames at 0.1 s, scale-down 60 s. */
static const char one_job[] =
    "{\"job\":{\"frames\":100},\"stage\":{\"per_frame_s\":0.1},"
    "\"platform\":{\"cold_start_s\":5,\"warm_start_s\":1,\"scaledown_window_s\":60,\"gpu_per_s\":0.001%s},"
    "\"parallel\":{\"policy\":\"fixed:1\"},\"workload\":{%s}}";

static int one(const char *platform_extra, const char *workload, sim_cap_result *r)
{
    char js[1024];
    model_scenario s;
    snprintf(js, sizeof js, one_job, platform_extra, workload);
    if (scen(js, &s))
        return -1;
    int rc = run(&s, 1, r);
    model_scenario_free(&s);
    return rc;
}

/* One job at t = 0 in a window of 180 s (workload.hours 0.05): its
 * container is busy 15 s, idles the 60 s window and shuts down at 75 s,
 * inside the window. Run by job count instead, the window ends at the
 * job's departure (15 s): no idle tail, the container alive at the end. */
static void test_idle_billing(void)
{
    sim_cap_result r;
    char wl[256];
    const char *trace = write_tmp("0,100\n");
    snprintf(wl, sizeof wl, "\"trace\":\"%s\",\"hours\":0.05", trace);
    if (!one("", wl, &r)) {
        CHECK(r.jobs == 1);
        CHECK_NEAR(r.idle_s, 60, 1e-9);          /* exactly the scale-down window */
        CHECK_NEAR(r.busy_s, 15, 1e-9);
        CHECK_NEAR(r.billed_s, 75, 1e-9);        /* cold 5 + work 10 + idle 60 */
        CHECK_NEAR(r.cost_usd, 0.075, 1e-12);
        CHECK_NEAR(r.latency_mean, 15, 1e-9);
        CHECK_NEAR(r.t_end, 180, 1e-9);
        CHECK(r.cold_start_fraction == 1);
        CHECK(r.peak == 1);
        CHECK(r.lifespan_ended == 1 && r.alive_at_end == 0);
        CHECK_NEAR(r.lifespan_mean, 75, 1e-9);
        /* per state: 5 s starting, 10 s serving, 60 s idle, over 180 s */
        CHECK_NEAR(r.state_starting * 180, 5, 1e-9);
        CHECK_NEAR(r.state_busy * 180, 10, 1e-9);
        CHECK_NEAR(r.state_idle * 180, 60, 1e-9);
        CHECK_NEAR(r.idle_cost_usd, 0.060, 1e-12);
    }
    if (!one(",\"billing\":{\"includes_cold_start\":false}", wl, &r))
        CHECK_NEAR(r.billed_s, 70, 1e-9);
    if (!one(",\"billing\":{\"granularity_s\":60}", wl, &r))
        CHECK_NEAR(r.billed_s, 120, 1e-9);       /* 75 s rounded up to 2 minutes */
    if (!one(",\"billing\":{\"minimum_s\":100}", wl, &r))
        CHECK_NEAR(r.billed_s, 100, 1e-9);
    if (!one("", "\"rate_per_hour\":10,\"jobs\":1", &r)) {
        CHECK(r.t_end > 15);                     /* the arrival (from 0) plus its 15 s */
        CHECK_NEAR(r.idle_s, 0, 1e-9);
        CHECK_NEAR(r.billed_s, 15, 1e-9);
        CHECK(r.lifespan_ended == 0 && r.alive_at_end == 1);
    }
    unlink(trace);
}

/* A trace: jobs at 0, 30 and 200 s. The second finds the first's container
 * idle (warm start 1 s); the third comes after it scaled down (cold). The
 * window ends at the last departure, 215 s. */
static void test_warm_reuse(void)
{
    char wl[256];
    const char *trace = write_tmp("arrival_s,frames\n0,100\n30,100\n200,100\n");
    snprintf(wl, sizeof wl, "\"trace\":\"%s\"", trace);
    sim_cap_result r;
    if (!one("", wl, &r)) {
        CHECK(r.jobs == 3);
        CHECK_NEAR(r.cold_start_fraction, 2.0 / 3, 1e-12);
        CHECK_NEAR(r.cold_per_container_start, 2.0 / 3, 1e-12);
        CHECK(r.cold_starts == 2 && r.warm_starts == 1);
        CHECK_NEAR(r.latency_mean, (15 + 11 + 15) / 3.0, 1e-9);
        /* idle: 15..30, 41..101 */
        CHECK_NEAR(r.idle_s, 15 + 60, 1e-9);
        CHECK_NEAR(r.billed_s, 101 + 15, 1e-9);
        CHECK_NEAR(r.t_end, 215, 1e-9);
        CHECK(r.peak == 1);
        CHECK(r.lifespan_ended == 1 && r.alive_at_end == 1);
        CHECK_NEAR(r.lifespan_mean, 101, 1e-9);
    }
    unlink(trace);
}

/* min_containers 2, one job at 100 s: both live from 0 to the end of the
 * window (111 s, the job's departure), billed throughout. */
static void test_min_containers(void)
{
    char wl[256];
    const char *trace = write_tmp("100,100\n");
    snprintf(wl, sizeof wl, "\"trace\":\"%s\"", trace);
    sim_cap_result r;
    if (!one(",\"min_containers\":2", wl, &r)) {
        CHECK(r.cold_start_fraction == 0);
        CHECK_NEAR(r.latency_mean, 11, 1e-9);
        CHECK_NEAR(r.t_end, 111, 1e-9);
        CHECK_NEAR(r.billed_s, 2 * 111, 1e-9);
        CHECK_NEAR(r.busy_s, 11, 1e-9);
        CHECK(r.peak == 2 && r.alive_at_end == 2 && r.lifespan_ended == 0);
    }
    /* with hours, the warm pool is billed to the end of the hour */
    snprintf(wl, sizeof wl, "\"trace\":\"%s\",\"hours\":1", trace);
    if (!one(",\"min_containers\":2", wl, &r)) {
        CHECK_NEAR(r.t_end, 3600, 1e-9);
        CHECK_NEAR(r.billed_s, 2 * 3600, 1e-9);
        CHECK_NEAR(r.idle_s, 2 * 3600 - 11, 1e-9);
        CHECK_NEAR(r.idle_cost_usd, (2 * 3600 - 11) * 0.001, 1e-9);
    }
    /* initial_warm 3 beyond min 2: the third expires 60 s after t = 0 */
    snprintf(wl, sizeof wl, "\"trace\":\"%s\",\"hours\":1,\"initial_warm\":3", trace);
    if (!one(",\"min_containers\":2", wl, &r)) {
        CHECK(r.peak == 3 && r.lifespan_ended == 1 && r.alive_at_end == 2);
        CHECK_NEAR(r.lifespan_mean, 60, 1e-9);
        CHECK_NEAR(r.billed_s, 2 * 3600 + 60, 1e-9);
    }
    unlink(trace);
}

/* buffer_containers 1, one job at 0 in a 180 s window: while it runs a
 * second container boots (cold 5 s) and idles; both scale down 60 s after
 * going idle. */
static void test_buffer(void)
{
    char wl[256];
    const char *trace = write_tmp("0,100\n");
    snprintf(wl, sizeof wl, "\"trace\":\"%s\",\"hours\":0.05", trace);
    sim_cap_result r;
    if (!one(",\"buffer_containers\":1", wl, &r)) {
        CHECK(r.peak == 2);
        CHECK_NEAR(r.billed_s, 75 + 65, 1e-9);   /* the job's 0..75, the buffer's 0..65 */
        CHECK_NEAR(r.idle_s, 60 + 65, 1e-9);     /* idle = live - busy, boot included */
        CHECK_NEAR(r.t_end, 180, 1e-9);
        /* starting: both cold starts (5 s each); idle: the buffer's 60 s and the job's 60 s */
        CHECK_NEAR(r.state_starting * 180, 10, 1e-9);
        CHECK_NEAR(r.state_idle * 180, 120, 1e-9);
        CHECK_NEAR(r.state_busy * 180, 10, 1e-9);
    }
    unlink(trace);
}

/* A cap below the split: fixed:8 on 2 containers queues chunks FIFO. */
static void test_cap_queues(void)
{
    model_scenario s;
    sim_cap_result r;
    if (scen("{\"job\":{\"frames\":800},\"stage\":{\"per_frame_s\":0.01},"
             "\"platform\":{\"cold_start_s\":3,\"warm_start_s\":0.5,\"max_containers\":2,\"scaledown_window_s\":30},"
             "\"parallel\":{\"policy\":\"fixed:8\"},\"workload\":{\"rate_per_hour\":300,\"jobs\":2000}}",
             &s))
        return;
    if (!run(&s, 5, &r)) {
        CHECK(r.peak <= 2);
        CHECK(r.mean_busy <= 2);
        CHECK(r.wait_mean > 0);
        CHECK(r.mean_queue > 0);
        CHECK_REL(r.gpus_per_job_mean, 8, 1e-12);
    }
    /* same seed, same numbers; another seed, other numbers */
    sim_cap_result r2, r3;
    if (!run(&s, 5, &r2) && !run(&s, 6, &r3)) {
        CHECK(memcmp(&r, &r2, sizeof r) == 0);
        CHECK(r3.latency_mean != r.latency_mean);
    }
    model_scenario_free(&s);
}

/* ---- workloads -------------------------------------------------------------- */

typedef struct {
    long n, busy_off_hours;
    double busy_sum;
} series_acc;

static void acc_fn(double t, int busy, int idle, int queue, void *ctx)
{
    series_acc *a = ctx;
    (void)idle;
    (void)queue;
    a->n++;
    a->busy_sum += busy;
    double h = fmod(t, 86400) / 3600;
    if (h >= 12.5) /* half an hour after the profile stops: drained */
        a->busy_off_hours += busy;
}

/* A daily profile of 100/h in hours 0..11 and 0 after, for 10 days: about
 * 12000 jobs (Poisson sd 110), none busy in the afternoons (the series). */
static void test_daily_profile(void)
{
    char js[1024], rates[256] = "";
    for (int h = 0; h < 24; h++)
        snprintf(rates + strlen(rates), sizeof rates - strlen(rates), "%s%d", h ? "," : "", h < 12 ? 100 : 0);
    snprintf(js, sizeof js,
             "{\"job\":{\"frames\":100},\"stage\":{\"per_frame_s\":0.1},\"platform\":{\"cold_start_s\":2},"
             "\"parallel\":{\"policy\":\"fixed:1\"},"
             "\"workload\":{\"rate_per_hour_by_hour\":[%s],\"hours\":240}}", rates);
    model_scenario s;
    if (scen(js, &s))
        return;
    sim_cap *c = NULL;
    sim_cap_result r;
    series_acc a = {0};
    sim_cap_series ser = {60, acc_fn, &a};
    CHECK(sim_cap_new(&s, &c, err, sizeof err) == 0);
    if (c && sim_cap_run(c, 2, &ser, &r, err, sizeof err) == 0) {
        check_little(&r);
        CHECK_NEAR((double)r.jobs, 12000, 4 * sqrt(12000.0));
        CHECK(a.busy_off_hours == 0);
        CHECK_NEAR(r.t_end, 240 * 3600, 1e-6);   /* hours: the window ends at the horizon */
        CHECK(a.n == (long)floor(r.t_end / 60) + 1);
        /* the sampled busy count integrates to the busy container-seconds */
        CHECK_REL(a.busy_sum * 60, r.busy_s, 0.02);
        /* Poisson rate, hours: lambda * H jobs */
    }
    sim_cap_free(c);
    model_scenario_free(&s);
    if (scen("{\"job\":{\"frames\":100},\"stage\":{\"per_frame_s\":0.1},\"parallel\":{\"policy\":\"fixed:1\"},"
             "\"workload\":{\"rate_per_hour\":500,\"hours\":100}}", &s))
        return;
    if (!run(&s, 4, &r))
        CHECK_NEAR((double)r.jobs, 50000, 4 * sqrt(50000.0));
    model_scenario_free(&s);
}

/* Trace with a stage column: only this scenario's stage runs; a header,
 * blank lines and comments are skipped; equal arrival times are allowed. */
static void test_trace_stages(void)
{
    const char *trace = write_tmp("arrival_s,frames,stage\n# comment\n0,100,t\n\n5,100,other\n5,50,t\n9,100,\n");
    char js[512];
    snprintf(js, sizeof js,
             "{\"name\":\"t\",\"job\":{\"frames\":1},\"stage\":{\"per_frame_s\":0.1},\"parallel\":{\"policy\":\"fixed:1\"},"
             "\"workload\":{\"trace\":\"%s\"}}", trace);
    model_scenario s;
    sim_cap_result r;
    if (!scen(js, &s) && !run(&s, 1, &r)) {
        CHECK(r.jobs == 3);
        CHECK_NEAR(r.latency_mean, (10 + 5 + 10) / 3.0, 1e-9);
    }
    model_scenario_free(&s);
    unlink(trace);
}

/* ---- policy ----------------------------------------------------------------- */

static int gpu_index(const model_eval *e, int k)
{
    for (int i = 0; i < e->nk; i++)
        if (e->k[i].gpus == k)
            return i;
    return -1;
}

/* auto never picks a k the model calls not beneficial for that frame
 * count, and picks the model's verdict; it does split somewhere. */
static void test_auto_policy(void)
{
    model_scenario s;
    if (model_scenario_default(NULL, 0, &s, err, sizeof err)) {
        CHECK(0);
        return;
    }
    s.has_workload = 1;
    s.rate_per_hour = 1;
    s.jobs = 1;
    s.policy = MODEL_POLICY_AUTO;
    s.min_containers = 2; /* the model starts 2 warm: some k become beneficial sooner */
    sim_cap *c = NULL;
    CHECK(sim_cap_new(&s, &c, err, sizeof err) == 0);
    if (!c)
        return;
    int split = 0, one_gpu = 0;
    model_opts o = {.skip_break_even = 1};
    for (double f = 8; f < 200000; f *= 1.37) {
        long frames = (long)f;
        int k = 0;
        CHECK(sim_cap_pick_k(c, frames, &k, err, sizeof err) == 0);
        int k2 = 0;
        CHECK(sim_cap_pick_k(c, frames, &k2, err, sizeof err) == 0 && k2 == k); /* cached */
        model_scenario v = s;
        v.frames = frames;
        model_eval e;
        CHECK(model_evaluate(&v, &o, &e, err, sizeof err) == 0);
        if (k > 1) {
            int i = gpu_index(&e, k);
            CHECK(i >= 0 && e.k[i].beneficial);
            split++;
        } else {
            one_gpu++;
        }
        CHECK(k == (e.parallelize ? e.best_gpus : 1));
    }
    CHECK(split > 3 && one_gpu > 3);
    /* fewer frames than GPUs: k <= frames */
    int k;
    CHECK(sim_cap_pick_k(c, 1, &k, err, sizeof err) == 0 && k == 1);
    sim_cap_free(c);
    s.policy = MODEL_POLICY_THRESHOLD;
    s.policy_frames = 1000;
    s.policy_k = 4;
    CHECK(sim_cap_new(&s, &c, err, sizeof err) == 0);
    if (c) {
        CHECK(sim_cap_pick_k(c, 999, &k, err, sizeof err) == 0 && k == 1);
        CHECK(sim_cap_pick_k(c, 1000, &k, err, sizeof err) == 0 && k == 4);
        CHECK(sim_cap_pick_k(c, 3, &k, err, sizeof err) == 0 && k == 1);
    }
    sim_cap_free(c);
    s.policy = MODEL_POLICY_FIXED;
    s.policy_k = 8;
    CHECK(sim_cap_new(&s, &c, err, sizeof err) == 0);
    if (c)
        CHECK(sim_cap_pick_k(c, 5, &k, err, sizeof err) == 0 && k == 5);
    sim_cap_free(c);
    model_scenario_free(&s);
}

/* ---- bad input: BASE_EINPUT, one line naming file and field ------------ */

static void expect_bad(const char *json, const char *needle)
{
    model_scenario s;
    sim_cap *c = NULL;
    int rc = model_scenario_parse(json, "t.json", &s, err, sizeof err);
    if (!rc) {
        rc = sim_cap_new(&s, &c, err, sizeof err);
        if (!rc) {
            sim_cap_result r;
            rc = sim_cap_run(c, 1, NULL, &r, err, sizeof err);
        }
    }
    CHECK(rc == BASE_EINPUT);
    CHECK(strstr(err, "t.json: ") == err);
    CHECK(!strchr(err, '\n'));
    if (!strstr(err, needle)) {
        fprintf(stderr, "  expected '%s' in: %s\n", needle, err);
        CHECK(0);
    }
    sim_cap_free(c);
    model_scenario_free(&s);
}

static void test_bad_input(void)
{
#define PRE "{\"job\":{\"frames\":10},\"stage\":{\"per_frame_s\":0.1},"
    char js[1024];
    expect_bad(PRE "\"workload\":{\"rate_per_hour\":0,\"jobs\":10}}", "workload.rate_per_hour");
    expect_bad(PRE "\"workload\":{\"rate_per_hour\":-5,\"jobs\":10}}", "workload.rate_per_hour");
    expect_bad(PRE "\"platform\":{\"max_containers\":2,\"buffer_containers\":3},"
                   "\"workload\":{\"rate_per_hour\":1,\"jobs\":10}}", "platform.buffer_containers");
    expect_bad(PRE "\"platform\":{\"max_containers\":2,\"min_containers\":3},"
                   "\"workload\":{\"rate_per_hour\":1,\"jobs\":10}}", "platform.min_containers");
    expect_bad(PRE "\"parallel\":{\"policy\":\"fixed:0\"},\"workload\":{\"rate_per_hour\":1,\"jobs\":10}}",
               "parallel.policy");
    expect_bad(PRE "\"parallel\":{\"policy\":\"sometimes\"},\"workload\":{\"rate_per_hour\":1,\"jobs\":10}}",
               "parallel.policy");
    expect_bad(PRE "\"workload\":{\"rate_per_hour\":1}}", "hours or jobs");
    expect_bad(PRE "\"workload\":{\"rate_per_hour\":1,\"jobs\":10,\"warmup_jobs\":10}}", "workload.warmup_jobs");
    expect_bad(PRE "\"workload\":{\"rate_per_hour_by_hour\":[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0],"
                   "\"hours\":1}}", "rate_per_hour_by_hour");
    expect_bad(PRE "\"workload\":{}}", "workload");
    expect_bad(PRE "\"platform\":{}}", "workload: missing");
    /* in an hour at 1e-6/h nobody comes: nothing to count */
    expect_bad(PRE "\"workload\":{\"rate_per_hour\":1e-6,\"hours\":1}}", "no job arrived");

    struct {
        const char *text, *needle;
    } traces[] = {
        {"0,10\n5,10\n3,10\n", "line 3: trace out of order"},
        {"arrival_s,frames\n", "trace is empty"},
        {"", "trace is empty"},
        {"# nothing\n\n", "trace is empty"},
        {"0,10\n1,0\n", "line 2: frames must be an integer"},
        {"0,10\n1,2.5\n", "line 2: frames must be"},
        {"0,10\n-1,5\n", "line 2: expected arrival_s,frames"},
        {"0,10\nabc\n", "line 2: expected arrival_s,frames"},
        {"0;10\n", "line 1: expected"},
        {"0,10,other\n", "no job for stage"},
    };
    for (size_t i = 0; i < sizeof traces / sizeof traces[0]; i++) {
        const char *p = write_tmp(traces[i].text);
        snprintf(js, sizeof js, PRE "\"workload\":{\"trace\":\"%s\"}}", p);
        expect_bad(js, traces[i].needle);
        CHECK(strstr(err, "workload.trace") != NULL);
        unlink(p);
    }
    expect_bad(PRE "\"workload\":{\"trace\":\"/nonexistent/trace.csv\"}}", "cannot read");
    const char *p = write_tmp("0,10\n1,10\n");
    snprintf(js, sizeof js, PRE "\"workload\":{\"trace\":\"%s\",\"warmup_jobs\":2}}", p);
    expect_bad(js, "workload.warmup_jobs");
    unlink(p);
#undef PRE
}

TEST_MAIN(test_hist_bins, test_erlang_c, test_mg_infinity, test_agrees_with_model, test_percentiles, test_idle_billing,
          test_warm_reuse, test_min_containers, test_buffer, test_cap_queues, test_daily_profile,
          test_trace_stages, test_auto_policy, test_bad_input)

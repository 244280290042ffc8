/* tests/test_cap_models.c -- the capacity simulator's pools against queueing
 * closed forms computed here (docs/capacity.md, "Validation"): the pinned
 * warm pool (Erlang C, utilization over the window), loss systems (Erlang B,
 * M/M/c/K), a queue timeout (M/M/1 with constant patience), renewal
 * arrivals (GI/M/1), concurrency (M/M/cN, processor sharing, a non-linear
 * throughput as a birth-death chain), idle rules, lifespans, the transient
 * buckets (M/M/infinity from empty) and unstable pools. Every number below
 * is computed from its formula, never pasted from a run. */
#include "harness.h"
#include "base/status.h"
#include "sim/capacity.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_roots.h>
#include <stdlib.h>
#include <unistd.h>

static char err[1024];

/* Exponential service of mean m with no overheads: frames Exponential(10^4)
 * at m / 10^4 s each (rounding to whole frames moves the mean < 10^-8). */
static const char *exp_svc(double m)
{
    static char b[8][256];
    static int n;
    char *p = b[n++ % 8];
    snprintf(p, 256, "\"job\":{\"frames\":{\"dist\":\"exponential\",\"mean\":10000}},\"stage\":{\"per_frame_s\":%.17g}",
             m / 10000);
    return p;
}

static int scen(model_scenario *s, const char *svc, const char *platform, const char *workload)
{
    char js[2048];
    snprintf(js, sizeof js, "{%s,\"platform\":{%s},\"parallel\":{\"policy\":\"fixed:1\"},\"workload\":{%s}}", svc,
             platform, workload);
    int rc = model_scenario_parse(js, "t.json", s, err, sizeof err);
    if (rc)
        fprintf(stderr, "scenario: %s\n", err);
    CHECK(rc == 0);
    return rc;
}

/* One run; Little's law (L = lambda W over the admitted jobs) on every stable run. */
static int run_opts(const model_scenario *s, uint64_t seed, const sim_cap_opts *o, sim_cap_result *r)
{
    sim_cap *c = NULL;
    int rc = sim_cap_new(s, &c, err, sizeof err);
    if (!rc)
        rc = sim_cap_run_opts(c, seed, o, r, err, sizeof err);
    if (rc)
        fprintf(stderr, "run: %s\n", err);
    CHECK(rc == 0);
    sim_cap_free(c);
    if (!rc && r->stable)
        CHECK_REL(r->mean_in_system, r->arrival_rate * r->time_in_system_mean, 0.01);
    return rc;
}

static int run(const model_scenario *s, uint64_t seed, sim_cap_result *r)
{
    return run_opts(s, seed, NULL, r);
}

/* ---- closed forms ---------------------------------------------------------- */

static void erlang_c(double lambda, double mu, int c, double *pwait, double *wq)
{
    double a = lambda / mu, term = 1, sum = 0;
    for (int k = 0; k < c; k++) {
        sum += term; /* a^k / k! */
        term *= a / (k + 1);
    }
    double tail = term * c / (c - a);
    *pwait = tail / (sum + tail);
    *wq = *pwait / (c * mu - lambda);
}

/* Erlang B by its recursion B(0) = 1, B(c) = a B(c-1) / (c + a B(c-1)). */
static double erlang_b(double a, int c)
{
    double b = 1;
    for (int k = 1; k <= c; k++)
        b = a * b / (k + a * b);
    return b;
}

/* M/M/c/K: blocking p_K and the admitted jobs' mean wait L_q / (lambda (1 - p_K)). */
static void mmck(double lambda, double mu, int c, int K, double *block, double *wq)
{
    double a = lambda / mu, p[256], sum = 0, lq = 0;
    p[0] = 1;
    for (int n = 1; n <= K; n++)
        p[n] = p[n - 1] * a / (n <= c ? n : c);
    for (int n = 0; n <= K; n++)
        sum += p[n];
    for (int n = c + 1; n <= K; n++)
        lq += (n - c) * p[n] / sum;
    *block = p[K] / sum;
    *wq = lq / (lambda * (1 - *block));
}

/* ---- the pinned warm pool (the window) ------------------------------------------ */

/* 18 containers warm and pinned (min = max = 18, scale-down 1e9 s), 225 jobs
 * an hour of 240 s exponential service: rho = 15/18. Over the arrival
 * stream's window utilization is rho and the mean wait Erlang C's. */
static void test_pinned_pool(void)
{
    model_scenario s;
    sim_cap_result r;
    double lambda = 225.0 / 3600, mu = 1.0 / 240, pw, wq;
    erlang_c(lambda, mu, 18, &pw, &wq);
    if (scen(&s, exp_svc(240), "\"max_containers\":18,\"min_containers\":18,\"scaledown_window_s\":1e9",
             "\"rate_per_hour\":225,\"jobs\":2000000,\"warmup_jobs\":20000"))
        return;
    if (!run(&s, 1, &r)) {
        fprintf(stderr, "  pinned 18, rho %.4f: utilization %.4f, W_q %.3f s (Erlang C %.3f, %+.2f%%), "
                        "busy %.3f, idle %.3f, cost/job $%.4g (rate 0), stable %d\n",
                lambda / (18 * mu), r.utilization, r.wait_mean, wq, 100 * (r.wait_mean / wq - 1), r.mean_busy,
                r.mean_idle, r.cost_per_job, r.stable);
        CHECK_NEAR(r.utilization, 15.0 / 18, 0.03);
        CHECK_NEAR(r.utilization, 15.0 / 18, 0.005);
        CHECK_REL(r.wait_mean, wq, 0.03);
        CHECK_REL(r.mean_busy + r.mean_idle, 18, 1e-12);
        CHECK(r.stable && r.alive_at_end == 18 && r.lifespan_ended == 0);
        CHECK_REL(r.load_erlangs, 15, 0.01);
        CHECK_REL(r.load_per_capacity, 15.0 / 18, 0.01);
        /* the window ends at the last counted departure, not at a timer 1e9 s on */
        CHECK(r.t_end < 2000000 / lambda * 1.01);
    }
    model_scenario_free(&s);
}

/* ---- loss systems, finite queues, timeouts ---------------------------------------- */

/* Erlang B: a = 0.9 * 1.991 = 1.7919 on 3 pinned containers with no queue,
 * exponential and lognormal service (insensitivity): 17.903% rejected. */
static void test_erlang_b(void)
{
    double a = 0.9 * 1.991, b = erlang_b(a, 3);
    CHECK_NEAR(b, 0.17903, 5e-6);
    const char *svc[2] = {exp_svc(1.991), NULL};
    char logn[256];
    /* lognormal mu, sigma 1 of mean e^(mu + 1/2) = 1.991 */
    snprintf(logn, sizeof logn, "\"job\":{\"frames\":1},\"stage\":{\"per_frame_s\":{\"dist\":\"lognormal\",\"mu\":%.17g,"
             "\"sigma\":1}}", log(1.991) - 0.5);
    svc[1] = logn;
    for (int i = 0; i < 2; i++) {
        model_scenario s;
        sim_cap_result r;
        if (scen(&s, svc[i], "\"max_containers\":3,\"min_containers\":3,\"max_queue\":0,\"scaledown_window_s\":60",
                 "\"rate_per_hour\":3240,\"jobs\":1000000"))
            continue;
        if (!run(&s, 2, &r)) {
            fprintf(stderr, "  M/%s/3/3 a %.4f: rejected %.5f (Erlang B %.5f, %+.2f%%), served %ld, wait %g\n",
                    i ? "G(lognormal)" : "M", a, r.rejected_fraction, b, 100 * (r.rejected_fraction / b - 1),
                    r.served, r.wait_mean);
            CHECK_REL(r.rejected_fraction, b, 0.02);
            CHECK(r.wait_mean == 0 && r.mean_queue == 0 && r.timed_out == 0);
            CHECK(r.served + r.rejected == r.jobs);
            CHECK(r.stable);
            /* the offered load is a, served load a (1 - B) */
            CHECK_REL(r.load_erlangs, a, 0.01);
            CHECK_REL(r.mean_busy, a * (1 - b), 0.01);
        }
        model_scenario_free(&s);
    }
}

/* M/M/2/6 (max_queue 4) at a = 2.4: more load than the pool serves, yet
 * stable: blocking p_K and the admitted jobs' mean wait. */
static void test_mmck(void)
{
    double block, wq;
    mmck(1.2, 0.5, 2, 6, &block, &wq);
    model_scenario s;
    sim_cap_result r;
    if (scen(&s, exp_svc(2), "\"max_containers\":2,\"min_containers\":2,\"max_queue\":4",
             "\"rate_per_hour\":4320,\"jobs\":1000000"))
        return;
    if (!run(&s, 3, &r)) {
        fprintf(stderr, "  M/M/2/6 a 2.4: rejected %.5f (closed form %.5f, %+.2f%%), W_q %.4f (%.4f, %+.2f%%)\n",
                r.rejected_fraction, block, 100 * (r.rejected_fraction / block - 1), r.wait_mean, wq,
                100 * (r.wait_mean / wq - 1));
        CHECK_REL(r.rejected_fraction, block, 0.02);
        CHECK_REL(r.wait_mean, wq, 0.02);
        CHECK(r.stable && r.load_per_capacity > 1);
    }
    model_scenario_free(&s);
}

/* M/M/1 with a constant patience tau (queue_timeout_s): a job leaves when
 * the work ahead of it, V, exceeds tau. V's density is lambda P0
 * e^(-theta v) below tau (theta = mu - lambda), P(V > tau) = rho P0
 * e^(-theta tau), with P0 from the normalisation; at rho = 1.2, stable. */
static void test_timeout(void)
{
    double lambda = 1.2, mu = 1, tau = 1.5, th = mu - lambda;
    double p0 = 1 / (1 + lambda * ((1 - exp(-th * tau)) / th + exp(-th * tau) / mu));
    double drop = lambda / mu * p0 * exp(-th * tau);
    double ew = lambda * p0 * (1 - exp(-th * tau) * (1 + th * tau)) / (th * th) / (1 - drop);
    model_scenario s;
    sim_cap_result r;
    if (scen(&s, exp_svc(1), "\"max_containers\":1,\"min_containers\":1,\"queue_timeout_s\":1.5",
             "\"rate_per_hour\":4320,\"jobs\":1000000"))
        return;
    if (!run(&s, 4, &r)) {
        fprintf(stderr, "  M/M/1+D(1.5) rho 1.2: timed out %.5f (closed form %.5f, %+.2f%%), served wait %.4f "
                        "(%.4f, %+.2f%%)\n", r.timed_out_fraction, drop, 100 * (r.timed_out_fraction / drop - 1),
                r.wait_mean, ew, 100 * (r.wait_mean / ew - 1));
        CHECK_REL(r.timed_out_fraction, drop, 0.02);
        CHECK_REL(r.wait_mean, ew, 0.02);
        CHECK(r.wait_p95 <= tau && r.rejected == 0 && r.stable);
        CHECK(r.served + r.timed_out == r.jobs);
    }
    model_scenario_free(&s);
}

/* ---- renewal arrivals --------------------------------------------------------------- */

typedef struct {
    int kind;          /* 0: D (gap T), 1: E_k */
    double lambda, mu;
    int k;
} gim1;

/* A*(s) - sigma at s = mu (1 - sigma). */
static double gim1_f(double sigma, void *p)
{
    const gim1 *g = p;
    double s = g->mu * (1 - sigma);
    double a = g->kind == 0 ? exp(-s / g->lambda) : pow(g->k * g->lambda / (g->k * g->lambda + s), g->k);
    return a - sigma;
}

/* The root sigma in (0, 1) of sigma = A*(mu (1 - sigma)), by Brent's method. */
static double gim1_sigma(gim1 *g)
{
    gsl_function fn = {gim1_f, g};
    gsl_root_fsolver *sv = gsl_root_fsolver_alloc(gsl_root_fsolver_brent);
    double x = NAN;
    if (sv && gsl_root_fsolver_set(sv, &fn, 1e-12, 1 - 1e-9) == GSL_SUCCESS) {
        for (int i = 0; i < 200; i++) {
            if (gsl_root_fsolver_iterate(sv) != GSL_SUCCESS)
                break;
            x = gsl_root_fsolver_root(sv);
            if (gsl_root_test_interval(gsl_root_fsolver_x_lower(sv), gsl_root_fsolver_x_upper(sv), 1e-14, 1e-12) ==
                GSL_SUCCESS)
                break;
        }
    }
    gsl_root_fsolver_free(sv);
    return x;
}

/* D/M/1 and E_3/M/1 at rho 0.7: W_q = sigma / (mu (1 - sigma)). */
static void test_renewal(void)
{
    gsl_set_error_handler_off();
    const char *gaps[2] = {"{\"dist\":\"fixed\",\"value\":1}", "{\"dist\":\"gamma\",\"mean\":1,\"cv\":0.5773502691896258}"};
    const char *names[2] = {"D/M/1", "E3/M/1"};
    for (int i = 0; i < 2; i++) {
        gim1 g = {i, 1, 1 / 0.7, 3};
        double sigma = gim1_sigma(&g), wq = sigma / (g.mu * (1 - sigma));
        char wl[256];
        snprintf(wl, sizeof wl, "\"interarrival_s\":%s,\"jobs\":1000000", gaps[i]);
        model_scenario s;
        sim_cap_result r;
        if (scen(&s, exp_svc(0.7), "\"max_containers\":1,\"min_containers\":1", wl))
            continue;
        if (!run(&s, 5, &r)) {
            fprintf(stderr, "  %s rho 0.7: sigma %.6f, W_q %.4f (closed form %.4f, %+.2f%%)\n", names[i], sigma,
                    r.wait_mean, wq, 100 * (r.wait_mean / wq - 1));
            CHECK_REL(r.wait_mean, wq, 0.03);
            CHECK_REL(r.arrival_rate, 1, 0.01);
        }
        model_scenario_free(&s);
    }
}

/* A gamma gap of cv 1 is the exponential: the same M/M/2 as rate_per_hour,
 * each against Erlang C and the two within their joint noise. */
static void test_gamma_cv1(void)
{
    double pw, wq;
    erlang_c(1.6, 1, 2, &pw, &wq);
    const char *wl[2] = {"\"rate_per_hour\":5760,\"jobs\":1000000",
                         "\"interarrival_s\":{\"dist\":\"gamma\",\"mean\":0.625,\"cv\":1},\"jobs\":1000000"};
    double w[2] = {0, 0};
    for (int i = 0; i < 2; i++) {
        model_scenario s;
        sim_cap_result r;
        if (scen(&s, exp_svc(1), "\"max_containers\":2,\"min_containers\":2", wl[i]))
            continue;
        if (!run(&s, 6, &r)) {
            w[i] = r.wait_mean;
            CHECK_REL(r.wait_mean, wq, 0.03);
        }
        model_scenario_free(&s);
    }
    fprintf(stderr, "  M/M/2 rho 0.8: Poisson W_q %.4f, gamma cv 1 W_q %.4f (Erlang C %.4f; %+.2f%% apart)\n", w[0],
            w[1], wq, 100 * (w[1] / w[0] - 1));
    CHECK_REL(w[1], w[0], 0.04);
}

/* ---- concurrency -------------------------------------------------------------------- */

/* max_inputs 4, linear, on 3 pinned containers: M/M/12. */
static void test_inputs_linear(void)
{
    double pw, wq;
    erlang_c(10, 1, 12, &pw, &wq);
    model_scenario s;
    sim_cap_result r;
    if (scen(&s, exp_svc(1), "\"max_containers\":3,\"min_containers\":3,\"max_inputs\":4",
             "\"rate_per_hour\":36000,\"jobs\":2000000"))
        return;
    if (!run(&s, 7, &r)) {
        fprintf(stderr, "  3 containers x 4 inputs (M/M/12), a 10: W_q %.5f (Erlang C %.5f, %+.2f%%), "
                        "inputs %.4f\n", r.wait_mean, wq, 100 * (r.wait_mean / wq - 1), r.mean_inputs);
        CHECK_REL(r.wait_mean, wq, 0.03);
        CHECK_REL(r.mean_inputs, 10, 0.01);
        CHECK_REL(r.load_per_capacity, 10.0 / 12, 0.01);
    }
    model_scenario_free(&s);
}

/* Processor sharing, one container: throughput [1, 1] (exponential; the
 * number in the system is M/M/1's) and 64 inputs all at total speed 1
 * with deterministic service (M/D/1-PS, insensitive; FCFS would give
 * 1 + rho / (2 (1 - rho)) = 2.1667): mean sojourn E[S] / (1 - rho). */
static void test_ps(void)
{
    char th[512] = "1";
    for (int i = 1; i < 64; i++)
        strcat(th, ",1");
    char plat[2][700];
    snprintf(plat[0], sizeof plat[0], "\"max_containers\":1,\"min_containers\":1,\"max_inputs\":2,"
             "\"concurrency_throughput\":[1,1]");
    snprintf(plat[1], sizeof plat[1], "\"max_containers\":1,\"min_containers\":1,\"max_inputs\":64,"
             "\"concurrency_throughput\":[%s]", th);
    const char *svc[2] = {exp_svc(1), "\"job\":{\"frames\":1},\"stage\":{\"per_frame_s\":1}"};
    const char *names[2] = {"M/M/1-PS [1,1]", "M/D/1-PS 64 inputs"};
    for (int i = 0; i < 2; i++) {
        model_scenario s;
        sim_cap_result r;
        if (scen(&s, svc[i], plat[i], "\"rate_per_hour\":2520,\"jobs\":1000000"))
            continue;
        if (!run(&s, 8, &r)) {
            fprintf(stderr, "  %s rho 0.7: mean sojourn %.4f (E[S]/(1-rho) %.4f, %+.2f%%)\n", names[i],
                    r.latency_mean, 1 / 0.3, 100 * (r.latency_mean * 0.3 - 1));
            CHECK_REL(r.latency_mean, 1 / 0.3, 0.03);
            CHECK_REL(r.load_per_capacity, 0.7, 0.01);
        }
        model_scenario_free(&s);
    }
}

/* Throughput [1, 1.5] on one container, exponential service: the number in
 * the system is a birth-death chain with death rate mu theta(min(n, 2)),
 * so p_n and the mean sojourn L / lambda follow. */
static void test_ps_curve(void)
{
    double lambda = 1.2, mu = 1, p = 1, sum = 0, l = 0;
    for (int n = 0; n < 2000; n++) {
        sum += p;
        l += n * p;
        p *= lambda / (mu * (n + 1 >= 2 ? 1.5 : 1));
    }
    double w = l / sum / lambda;
    model_scenario s;
    sim_cap_result r;
    if (scen(&s, exp_svc(1), "\"max_containers\":1,\"min_containers\":1,\"max_inputs\":2,"
             "\"concurrency_throughput\":[1,1.5]", "\"rate_per_hour\":4320,\"jobs\":1000000"))
        return;
    if (!run(&s, 9, &r)) {
        fprintf(stderr, "  throughput [1,1.5], lambda 1.2: mean sojourn %.4f (birth-death %.4f, %+.2f%%)\n",
                r.latency_mean, w, 100 * (r.latency_mean / w - 1));
        CHECK_REL(r.latency_mean, w, 0.03);
        CHECK_REL(r.load_per_capacity, 1.2 / 1.5, 0.01);
    }
    model_scenario_free(&s);
}

/* ---- idle rules ----------------------------------------------------------------------- */

static const char *rules[3] = {"last_idle", "newest", "oldest"};

/* A pinned pool never lets a container go: the rule changes nothing. */
static void test_idle_rules_pinned(void)
{
    sim_cap_result r[3];
    for (int i = 0; i < 3; i++) {
        char plat[256];
        snprintf(plat, sizeof plat, "\"max_containers\":4,\"min_containers\":4,\"scaledown_window_s\":10,"
                 "\"warm_start_s\":0.5,\"gpu_per_s\":0.001,\"idle_rule\":\"%s\"", rules[i]);
        model_scenario s;
        memset(&r[i], 0, sizeof r[i]);
        if (!scen(&s, exp_svc(1.991), plat, "\"rate_per_hour\":3240,\"jobs\":200000"))
            run(&s, 10, &r[i]);
        model_scenario_free(&s);
    }
    /* The engine events differ (which idle timers run out), and so the
     * time integrals' rounding: per-job figures are equal, the pool's equal
     * to 1e-12. */
    CHECK(r[0].events != r[1].events || r[0].events != r[2].events);
    for (int i = 1; i < 3; i++) {
        CHECK(r[i].latency_mean == r[0].latency_mean && r[i].latency_p95 == r[0].latency_p95);
        CHECK(r[i].wait_mean == r[0].wait_mean && r[i].wait_p95 == r[0].wait_p95);
        CHECK(r[i].served == r[0].served && r[i].warm_starts == r[0].warm_starts && r[i].cold_starts == 0);
        CHECK(r[i].peak == 4 && r[i].lifespan_ended == 0 && r[i].alive_at_end == 4);
        CHECK_REL(r[i].utilization, r[0].utilization, 1e-12);
        CHECK_REL(r[i].mean_idle, r[0].mean_idle, 1e-12);
        CHECK_REL(r[i].cost_usd, r[0].cost_usd, 1e-12);
        CHECK_REL(r[i].mean_in_system, r[0].mean_in_system, 1e-12);
    }
    CHECK(r[0].served == 200000);
}

/* Scale to zero at a 10 s idle timeout (Poisson 0.9/s, exponential 1.991 s,
 * cold start 0.253 s). Every idle container dies window seconds after it
 * idled; a reuse removes one from the idle set. Taking the one that idled
 * last (last_idle) always leaves the set whose deaths come soonest: on the
 * same arrivals and services its idle set is, death by death, never later
 * than under any other rule (docs/capacity.md has the argument), so it has
 * the most cold starts and the least idle time; newest and oldest have
 * fewer cold starts and more idle time. */
static void test_idle_rules_direction(void)
{
    sim_cap_result r[3];
    for (int i = 0; i < 3; i++) {
        char plat[256];
        snprintf(plat, sizeof plat, "\"cold_start_s\":0.253,\"scaledown_window_s\":10,\"idle_rule\":\"%s\"",
                 rules[i]);
        model_scenario s;
        memset(&r[i], 0, sizeof r[i]);
        if (!scen(&s, exp_svc(1.991), plat, "\"rate_per_hour\":3240,\"jobs\":1000000"))
            run(&s, 11, &r[i]);
        model_scenario_free(&s);
    }
    fprintf(stderr, "  idle rules at 10 s: cold starts %.5f (last_idle) %.5f (newest) %.5f (oldest); "
                    "mean idle %.4f %.4f %.4f; mean live %.4f %.4f %.4f\n",
            r[0].cold_start_fraction, r[1].cold_start_fraction, r[2].cold_start_fraction, r[0].mean_idle,
            r[1].mean_idle, r[2].mean_idle, r[0].mean_busy + r[0].mean_idle, r[1].mean_busy + r[1].mean_idle,
            r[2].mean_busy + r[2].mean_idle);
    for (int i = 1; i < 3; i++) {
        /* sampling sd of a fraction near 0.1 over 10^6 jobs: ~0.0003 */
        CHECK(r[i].cold_start_fraction < r[0].cold_start_fraction - 0.002);
        CHECK(r[i].mean_idle > r[0].mean_idle);
    }
}

/* ---- lifespan ----------------------------------------------------------------------------- */

/* Deterministic gaps T, 10 s of work, a 30 s idle timeout, no warm pool:
 * T = 20 < 10 + 30: one container serves every job and never dies;
 * T = 100: each job's container lives exactly 10 + 30 s. */
static void test_lifespan(void)
{
    model_scenario s;
    sim_cap_result r;
    const char *svc = "\"job\":{\"frames\":100},\"stage\":{\"per_frame_s\":0.1}";
    if (!scen(&s, svc, "\"scaledown_window_s\":30", "\"interarrival_s\":20,\"jobs\":1000") && !run(&s, 1, &r)) {
        CHECK(r.peak == 1 && r.lifespan_ended == 0 && r.alive_at_end == 1);
        CHECK(r.cold_starts == 1 && r.warm_starts == 999);
        CHECK_NEAR(r.latency_mean, 10, 1e-9);
    }
    model_scenario_free(&s);
    if (!scen(&s, svc, "\"scaledown_window_s\":30", "\"interarrival_s\":100,\"jobs\":1000") && !run(&s, 1, &r)) {
        fprintf(stderr, "  lifespan, gaps 100 s: mean %.6f p50 %.6f p95 %.6f (10 + 30), ended %ld, alive %ld\n",
                r.lifespan_mean, r.lifespan_p50, r.lifespan_p95, r.lifespan_ended, r.alive_at_end);
        CHECK(r.lifespan_ended == 999 && r.alive_at_end == 1 && r.cold_starts == 1000);
        CHECK_NEAR(r.lifespan_mean, 40, 1e-9);
        CHECK_NEAR(r.lifespan_p50, 40, 1e-9);
        CHECK_NEAR(r.lifespan_p95, 40, 1e-9);
    }
    model_scenario_free(&s);
}

/* ---- transient ---------------------------------------------------------------------------- */

/* M/M/infinity from empty (no cold start, scale-down 0: busy containers =
 * jobs in service): E[N(t)] = (lambda / mu)(1 - e^(-mu t)); a bucket
 * [a, b) averages it to (lambda / mu)(1 - (e^(-mu a) - e^(-mu b)) / (mu (b - a))). */
static void test_transient(void)
{
    model_scenario s;
    sim_cap_result r;
    sim_cap_bucket bk[12];
    double lambda = 400, mu = 1.0 / 60;
    /* the first bucket's average has a relative sd of about 1% (40 seeds) */
    if (scen(&s, exp_svc(60), "\"max_containers\":0", "\"rate_per_hour\":1440000,\"hours\":0.1666666666666667"))
        return;
    sim_cap_opts o = {.buckets = 12, .bucket = bk};
    if (!run_opts(&s, 12, &o, &r)) {
        double worst = 0;
        for (int i = 0; i < 12; i++) {
            double a = bk[i].start, b = bk[i].end;
            double want = lambda / mu * (1 - (exp(-mu * a) - exp(-mu * b)) / (mu * (b - a)));
            CHECK_REL(bk[i].mean_busy, want, 0.03);
            CHECK_NEAR(bk[i].end - bk[i].start, 50, 1e-9);
            worst = fmax(worst, fabs(bk[i].mean_busy / want - 1));
        }
        fprintf(stderr, "  M/M/inf from empty, 12 buckets of 50 s: bucket 0 busy %.1f, bucket 11 %.1f, "
                        "worst %.2f%% from the closed form\n", bk[0].mean_busy, bk[11].mean_busy, 100 * worst);
    }
    model_scenario_free(&s);
    /* four jobs at t = 10: four warm containers at t = 0 take them warm */
    char path[] = "/tmp/forkcast-capm-XXXXXX";
    int fd = mkstemp(path);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    CHECK(f != NULL);
    if (!f)
        return;
    fputs("10,100\n10,100\n10,100\n10,100\n", f);
    fclose(f);
    for (int warm = 0; warm <= 4; warm += 4) {
        char wl[256];
        snprintf(wl, sizeof wl, "\"trace\":\"%s\",\"hours\":1,\"initial_warm\":%d", path, warm);
        if (scen(&s, "\"job\":{\"frames\":100},\"stage\":{\"per_frame_s\":0.1}",
                 "\"cold_start_s\":20,\"scaledown_window_s\":120", wl))
            continue;
        o.buckets = 12;
        if (!run_opts(&s, 1, &o, &r)) {
            CHECK_NEAR(bk[0].cold_start_fraction, warm ? 0 : 1, 1e-12);
            CHECK(bk[0].arrivals == 4 && bk[0].served == 4 && bk[1].arrivals == 0);
            CHECK_NEAR(bk[0].latency_mean, warm ? 10 : 30, 1e-9);
            CHECK_NEAR(r.cold_start_fraction, warm ? 0 : 1, 1e-12);
        }
        model_scenario_free(&s);
    }
    unlink(path);
}

/* ---- unstable pools ------------------------------------------------------------------------- */

static void test_unstable(void)
{
    model_scenario s;
    sim_cap_result r;
    /* rho 1.25 on 2 containers for 2000 jobs: the run ends, the load says unstable */
    if (!scen(&s, exp_svc(1), "\"max_containers\":2", "\"rate_per_hour\":9000,\"jobs\":20000") && !run(&s, 1, &r)) {
        CHECK(!r.stable && !r.stopped);
        CHECK_REL(r.load_per_capacity, 1.25, 0.03);
    }
    model_scenario_free(&s);
    /* rho 100 for 10^7 jobs: the queue reaches the bound and the run stops there */
    if (!scen(&s, exp_svc(1), "\"max_containers\":2", "\"rate_per_hour\":720000,\"jobs\":10000000") &&
        !run(&s, 1, &r)) {
        char note[512];
        sim_cap_stability_note(&r, note, sizeof note);
        fprintf(stderr, "  rho 100: %s\n", note);
        CHECK(!r.stable && r.stopped);
        CHECK(r.stop_queue + r.stop_inputs >= SIM_CAP_MAX_INPUTS - 1);
        CHECK(r.jobs < 1100000 && r.served > 0);
        CHECK(strstr(note, "unstable") == note);
    }
    model_scenario_free(&s);
    /* rho 0.8: stable, no note */
    if (!scen(&s, exp_svc(1), "\"max_containers\":2", "\"rate_per_hour\":5760,\"jobs\":20000") && !run(&s, 1, &r)) {
        char note[64] = "x";
        sim_cap_stability_note(&r, note, sizeof note);
        CHECK(r.stable && !r.stopped && !note[0]);
    }
    model_scenario_free(&s);
}

TEST_MAIN(test_pinned_pool, test_erlang_b, test_mmck, test_timeout, test_renewal, test_gamma_cv1,
          test_inputs_linear, test_ps, test_ps_curve, test_idle_rules_pinned, test_idle_rules_direction,
          test_lifespan, test_transient, test_unstable)

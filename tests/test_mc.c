/* tests/test_mc.c -- sim/mc: thread-count independence, seeds, distinct
 * streams, error reporting, progress, and summaries against hand computation. */
#include "sim/mc.h"

#include "base/status.h"
#include "sim/engine.h"
#include "tests/harness.h"

#include <gsl/gsl_randist.h>
#include <stdint.h>
#include <stdlib.h>

enum { NDRAW = 4 };

typedef struct {
    double *u;        /* R x NDRAW uniforms */
    double *g;        /* R gaussians */
    uint64_t *raw;    /* R: first two raw 32-bit outputs, packed */
    unsigned threads_seen[64];
} draw_ctx;

static int rep_draw(const sim_mc_rep *rep, void *vctx)
{
    draw_ctx *c = vctx;
    uint64_t hi = gsl_rng_get(rep->rng), lo = gsl_rng_get(rep->rng);
    c->raw[rep->r] = hi << 32 | lo;
    for (int k = 0; k < NDRAW; k++)
        c->u[rep->r * NDRAW + k] = gsl_rng_uniform(rep->rng);
    c->g[rep->r] = gsl_ran_gaussian(rep->rng, 2.0);
    if (rep->thread < 64)
        c->threads_seen[rep->thread] = 1;
    return BASE_OK;
}

static void draw_alloc(draw_ctx *c, size_t R)
{
    memset(c, 0, sizeof *c);
    c->u = calloc(R * NDRAW, sizeof *c->u);
    c->g = calloc(R, sizeof *c->g);
    c->raw = calloc(R, sizeof *c->raw);
}

static void draw_free(draw_ctx *c)
{
    free(c->u);
    free(c->g);
    free(c->raw);
}

static int run_draws(draw_ctx *c, uint64_t R, unsigned threads, uint64_t seed)
{
    char err[256];
    sim_mc_job job = {.replications = R, .threads = threads, .seed = seed,
                      .fn = rep_draw, .ctx = c};
    return sim_mc_run(&job, err, sizeof err);
}

static int cmp_u64(const void *x, const void *y)
{
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    return (a > b) - (a < b);
}

static void test_thread_independence(void)
{
    enum { R = 5000 };
    draw_ctx a, b, c, d;
    draw_alloc(&a, R);
    draw_alloc(&b, R);
    draw_alloc(&c, R);
    draw_alloc(&d, R);
    CHECK(run_draws(&a, R, 1, 42) == BASE_OK);
    CHECK(run_draws(&b, R, 2, 42) == BASE_OK);
    CHECK(run_draws(&c, R, 7, 42) == BASE_OK);
    CHECK(memcmp(a.u, b.u, R * NDRAW * sizeof *a.u) == 0);
    CHECK(memcmp(a.u, c.u, R * NDRAW * sizeof *a.u) == 0);
    CHECK(memcmp(a.g, b.g, R * sizeof *a.g) == 0);
    CHECK(memcmp(a.g, c.g, R * sizeof *a.g) == 0);
    for (int t = 7; t < 64; t++)
        CHECK(c.threads_seen[t] == 0); /* worker indices stay below T */
    /* Another seed: different numbers everywhere. */
    CHECK(run_draws(&d, R, 7, 43) == BASE_OK);
    size_t same = 0;
    for (size_t i = 0; i < (size_t)R * NDRAW; i++)
        same += a.u[i] == d.u[i];
    CHECK(same == 0);
    /* Replication r alone, replayed with sim_mc_seed_rng, matches. */
    gsl_rng *rng = gsl_rng_alloc(sim_mc_rng_type());
    sim_mc_seed_rng(rng, 42, 1234);
    gsl_rng_get(rng);
    gsl_rng_get(rng);
    CHECK(gsl_rng_uniform(rng) == a.u[1234 * NDRAW]);
    gsl_rng_free(rng);
    draw_free(&a);
    draw_free(&b);
    draw_free(&c);
    draw_free(&d);
}

static void test_streams_distinct(void)
{
    enum { R = 100000 };
    /* Seeds are a bijection of r: all distinct, high bit set (never 0). */
    uint64_t *s = malloc(R * sizeof *s);
    for (uint64_t r = 0; r < R; r++)
        s[r] = sim_mc_seed32(7, r);
    qsort(s, R, sizeof *s, cmp_u64);
    int dup = 0, zero = 0;
    for (size_t i = 0; i < R; i++) {
        dup += i > 0 && s[i] == s[i - 1];
        zero += (s[i] & 0x80000000u) == 0;
    }
    CHECK(dup == 0);
    CHECK(zero == 0);
    free(s);
    /* The streams themselves differ: first 64 output bits all distinct. */
    draw_ctx c;
    draw_alloc(&c, R);
    CHECK(run_draws(&c, R, 0, 7) == BASE_OK);
    qsort(c.raw, R, sizeof *c.raw, cmp_u64);
    dup = 0;
    for (size_t i = 1; i < R; i++)
        dup += c.raw[i] == c.raw[i - 1];
    CHECK(dup == 0);
    /* and look uniform: mean of R*NDRAW U(0,1) within 5 se of 1/2 */
    double m = 0;
    for (size_t i = 0; i < (size_t)R * NDRAW; i++)
        m += c.u[i];
    m /= (double)R * NDRAW;
    CHECK_NEAR(m, 0.5, 5 * sqrt(1.0 / 12 / ((double)R * NDRAW)));
    draw_free(&c);
}

static int rep_fail(const sim_mc_rep *rep, void *ctx)
{
    (void)ctx;
    if (rep->r == 13 || rep->r == 900) {
        snprintf(rep->err, rep->errsz, "x.json: stage.per_frame_s: boom at %llu",
                 (unsigned long long)rep->r);
        return BASE_EINPUT;
    }
    return BASE_OK;
}

typedef struct {
    uint64_t last, total, calls;
    int monotone;
} prog_ctx;

static void on_progress(uint64_t done, uint64_t total, void *vctx)
{
    prog_ctx *p = vctx;
    if (done < p->last)
        p->monotone = 0;
    p->last = done;
    p->total = total;
    p->calls++;
}

static void test_errors_and_progress(void)
{
    char err[256] = "";
    sim_mc_job job = {.replications = 1000, .threads = 3, .seed = 1, .fn = rep_fail};
    int st = sim_mc_run(&job, err, sizeof err);
    CHECK(st == BASE_EINPUT);
    CHECK_STR(err, "replication 13: x.json: stage.per_frame_s: boom at 13");

    job.fn = NULL;
    CHECK(sim_mc_run(&job, err, sizeof err) == BASE_EINPUT);
    job.fn = rep_fail;
    job.replications = (UINT64_C(1) << 31) + 1;
    CHECK(sim_mc_run(&job, err, sizeof err) == BASE_EINPUT);

    draw_ctx c;
    draw_alloc(&c, 777);
    prog_ctx p = {.monotone = 1};
    sim_mc_job ok = {.replications = 777, .threads = 4, .seed = 5, .fn = rep_draw, .ctx = &c,
                     .progress = on_progress, .progress_ctx = &p};
    CHECK(sim_mc_run(&ok, err, sizeof err) == BASE_OK);
    CHECK(p.monotone);
    CHECK(p.last == 777 && p.total == 777);
    CHECK(p.calls >= 1);          /* at least the final call; more depend on scheduling */
    draw_free(&c);
    /* R = 0 is a no-op; more threads than replications is fine. */
    ok.replications = 0;
    CHECK(sim_mc_run(&ok, err, sizeof err) == BASE_OK);
    draw_alloc(&c, 3);
    ok.replications = 3;
    ok.threads = 16;
    ok.progress = NULL;
    ok.ctx = &c;
    CHECK(sim_mc_run(&ok, err, sizeof err) == BASE_OK);
    CHECK(c.g[0] != 0 && c.g[1] != 0 && c.g[2] != 0);
    draw_free(&c);
    CHECK(sim_mc_threads_default() >= 1);
}

/* The engine under the runner: an M/M/1 queue per replication, one sim per
 * worker thread, reset between replications. Mean wait over the run is
 * written at index r: identical for any thread count. */
typedef struct {
    sim *s[16];       /* one engine per worker thread */
    double *out;      /* R mean waits */
} mm1_runner;

typedef struct {
    gsl_rng *rng;     /* this replication's stream */
    double busy_until;
    double wsum;
    long served;
} mm1_state;

enum { EV_ARRIVE = 0 };

/* Lindley's recursion on arrivals: wait = max(0, busy_until - now). */
static void mm1_arrive(sim *s, const sim_event *ev, void *vctx)
{
    mm1_state *c = vctx;
    (void)ev;
    double now = sim_now(s);
    double start = c->busy_until > now ? c->busy_until : now;
    c->wsum += start - now;
    c->served++;
    c->busy_until = start + gsl_ran_exponential(c->rng, 1.0);
    if (c->served < 2000)
        sim_after(s, gsl_ran_exponential(c->rng, 1.0 / 0.5), EV_ARRIVE, 0, 0);
}

static int rep_mm1(const sim_mc_rep *rep, void *vctx)
{
    mm1_runner *run = vctx;
    sim *s = run->s[rep->thread];
    mm1_state st = {.rng = rep->rng};
    sim_reset(s);
    sim_on(s, EV_ARRIVE, mm1_arrive, &st);
    sim_at(s, 0.0, EV_ARRIVE, 0, 0);
    int rc = sim_run(s);
    run->out[rep->r] = st.wsum / (double)st.served;
    return rc;
}

static void test_engine_under_mc(void)
{
    enum { R = 400 };
    double *o1 = calloc(R, sizeof *o1), *o5 = calloc(R, sizeof *o5);
    char err[256];
    mm1_runner c = {0};
    for (int i = 0; i < 16; i++)
        c.s[i] = sim_new(0);
    c.out = o1;
    sim_mc_job job = {.replications = R, .threads = 1, .seed = 99, .fn = rep_mm1, .ctx = &c};
    CHECK(sim_mc_run(&job, err, sizeof err) == BASE_OK);
    c.out = o5;
    job.threads = 5;
    CHECK(sim_mc_run(&job, err, sizeof err) == BASE_OK);
    CHECK(memcmp(o1, o5, R * sizeof *o1) == 0);
    /* M/M/1, lambda 0.5, mu 1: W_q = rho / (mu - lambda) = 1. Each replication
     * starts empty (biased low, ~-5% at 2000 customers); the grand mean over
     * 800k customers lands within 15%. */
    double m = 0;
    for (int r = 0; r < R; r++)
        m += o1[r];
    m /= R;
    CHECK_REL(m, 1.0, 0.15);
    for (int i = 0; i < 16; i++)
        sim_free(c.s[i]);
    free(o1);
    free(o5);
}

/* Hand-computed summaries: linear interpolation between order statistics
 * (Hyndman-Fan type 7, GSL's definition), written out without GSL. */
static double hand_quantile(const double *sorted, size_t n, double p)
{
    double h = (double)(n - 1) * p;
    size_t i = (size_t)h;
    if (i + 1 >= n)
        return sorted[n - 1];
    return sorted[i] + (h - (double)i) * (sorted[i + 1] - sorted[i]);
}

static void test_summaries(void)
{
    enum { N = 100 };
    double x[N], sorted[N];
    /* 1..100 in a scrambled order (37 is coprime with 100). */
    for (int i = 0; i < N; i++) {
        x[i] = (double)((i * 37) % N + 1);
        sorted[i] = i + 1;
    }
    double mean = 0, ss = 0;
    for (int i = 0; i < N; i++)
        mean += sorted[i];
    mean /= N;
    for (int i = 0; i < N; i++)
        ss += (sorted[i] - mean) * (sorted[i] - mean);
    double sd = sqrt(ss / (N - 1));
    sim_summary s;
    char err[128];
    CHECK(sim_summarize(x, N, &s, err, sizeof err) == BASE_OK);
    CHECK(s.n == N);
    CHECK_NEAR(s.mean, mean, 1e-12);
    CHECK_NEAR(s.mean, 50.5, 1e-12);              /* (n+1)/2 */
    CHECK_NEAR(s.sd, sd, 1e-12);
    CHECK_NEAR(s.sd, sqrt(100.0 * 101.0 / 12.0), 1e-12); /* sqrt(n(n+1)/12) */
    CHECK_NEAR(s.se, sd / 10.0, 1e-12);
    CHECK_NEAR(s.p50, hand_quantile(sorted, N, 0.50), 1e-12);
    CHECK_NEAR(s.p95, hand_quantile(sorted, N, 0.95), 1e-12);
    CHECK_NEAR(s.p99, hand_quantile(sorted, N, 0.99), 1e-12);
    CHECK_NEAR(s.p95, 1 + 99 * 0.95, 1e-12);      /* x_(k) = k: q(p) = 1 + 99p */
    CHECK(s.min == 1 && s.max == 100);
    CHECK(memcmp(x, sorted, sizeof x) == 0);      /* documented: sorted in place */

    /* Small uneven sample: {2, 4, 4, 4, 5, 5, 7, 9}: mean 5, population sd 2. */
    double y[] = {9, 4, 5, 2, 7, 4, 5, 4};
    CHECK(sim_summarize(y, 8, &s, err, sizeof err) == BASE_OK);
    CHECK_NEAR(s.mean, 5.0, 1e-12);
    CHECK_NEAR(s.sd, 2.0 * sqrt(8.0 / 7.0), 1e-12);
    CHECK_NEAR(s.p50, 4.5, 1e-12);                /* h = 3.5: (4 + 5) / 2 */
    CHECK_NEAR(s.p95, 7 + 0.65 * (9 - 7), 1e-12); /* h = 6.65 */

    double one = 3.0;
    CHECK(sim_summarize(&one, 1, &s, err, sizeof err) == BASE_OK);
    CHECK(s.sd == 0 && s.se == 0 && s.p99 == 3.0 && s.p50 == 3.0);
    CHECK(sim_summarize(x, 0, &s, err, sizeof err) == BASE_EINPUT);
    CHECK(isnan(s.mean));
    double bad[] = {1, NAN, 2};
    CHECK(sim_summarize(bad, 3, &s, err, sizeof err) == BASE_EINPUT);
    CHECK_STR(err, "summary: sample 1 is NaN");
}

TEST_MAIN(test_thread_independence, test_streams_distinct, test_errors_and_progress,
          test_engine_under_mc, test_summaries)

/* bench/bench_engine.c -- events per second of sim/engine on an M/M/c queue.
 *
 * M/M/c with c = 10, mu = 1, lambda = 0.9 c: arrival and departure events,
 * a FIFO ring buffer of waiting customers' arrival times, exponential draws
 * by model_ran_exp (the ziggurat every simulator of forkcast draws its
 * exponentials with) from one gsl_rng (taus2, as sim/mc uses). One core,
 * one thread. The count is engine events (arrivals + departures), the same
 * unit the SimPy peer (bench/peers/mmc_simpy.py) reports. Rates are per
 * CPU-second of this thread (CLOCK_THREAD_CPUTIME_ID), so a busy machine
 * skews them less than wall time would; wall time is printed beside.
 *
 * This machine is a shared VM whose speed drifts by 10-30% from second to
 * second, so one run is timed in SEGMENTS equal slices of simulated time
 * (the same steady-state queue throughout): the rate reported is the best
 * slice's -- the least disturbed, as bench_sim takes the best of its runs --
 * with the median slice printed beside. A sanity line compares the mean
 * wait over the whole run with Erlang C (docs/references.md).
 *
 *   build/bench/bench_engine [EVENTS]     M/M/c events, default 3e7 (~1.5 s
 *                                         here); hold runs EVENTS/2, EVENTS/4
 *
 * Then the hold model (each event schedules one successor, increments from
 * a table drawn before timing) with 11 and 10^4 pending events: the engine's
 * own cost per event, without the model's work and random draws.
 *
 * Output: human lines, and per measurement one parseable line
 *   BENCH name=mmc|hold11|hold10000 impl=forkcast metric=events_per_s value=V
 * Exit 1 if the M/M/c mean wait is off Erlang C by more than 5%.
 */
#include "sim/engine.h"

#include "model/dist.h"
#include "base/status.h"

/* GSL's documented switch for inline gsl_rng_uniform_pos & co. (C99 inline
 * under C11; the out-of-line copies stay in libgsl). */
#define HAVE_INLINE 1
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

enum { EV_ARRIVAL = 0, EV_DEPARTURE = 1 };

typedef struct {
    gsl_rng *rng;       /* borrowed */
    int c;              /* servers */
    double lambda, mu;
    int busy;
    double *q;          /* ring of waiting customers' arrival times */
    size_t qcap, qhead, qlen;  /* qcap a power of two */
    double wait_sum;
    unsigned long long started;  /* customers who began service */
    int oom;
} mmc;

static int q_push(mmc *m, double t)
{
    if (m->qlen == m->qcap) {
        size_t cap = m->qcap * 2;
        double *q = malloc(cap * sizeof *q);
        if (!q)
            return -1;
        for (size_t i = 0; i < m->qlen; i++)
            q[i] = m->q[(m->qhead + i) & (m->qcap - 1)];
        free(m->q);
        m->q = q;
        m->qcap = cap;
        m->qhead = 0;
    }
    m->q[(m->qhead + m->qlen++) & (m->qcap - 1)] = t;
    return 0;
}

static double q_pop(mmc *m)
{
    double t = m->q[m->qhead];
    m->qhead = (m->qhead + 1) & (m->qcap - 1);
    m->qlen--;
    return t;
}

static inline double draw_exp(gsl_rng *rng, double mean)
{
    return model_ran_exp(rng, mean);
}

/* now == ev->t in a handler: the event time saves a call to sim_now(). */
static inline void start_service(sim *s, mmc *m, double now, double arrived)
{
    m->wait_sum += now - arrived;
    m->started++;
    sim_at(s, now + draw_exp(m->rng, 1.0 / m->mu), EV_DEPARTURE, 0, 0);
}

/* The next arrival is scheduled first: it is usually the soonest event, so
 * it takes the running event's place at the root cheaply (sim/engine.c),
 * and a departure, usually late, then enters near the bottom. */
static void on_arrival(sim *s, const sim_event *ev, void *ctx)
{
    mmc *m = ctx;
    sim_at(s, ev->t + draw_exp(m->rng, 1.0 / m->lambda), EV_ARRIVAL, 0, 0);
    if (m->busy < m->c) {
        m->busy++;
        start_service(s, m, ev->t, ev->t);
    } else if (q_push(m, ev->t) != 0) {
        m->oom = 1;
        sim_stop(s);
    }
}

static void on_departure(sim *s, const sim_event *ev, void *ctx)
{
    mmc *m = ctx;
    if (m->qlen > 0)
        start_service(s, m, ev->t, q_pop(m));
    else
        m->busy--;
}

/* Erlang C: probability of waiting and mean wait W_q for M/M/c. */
static void erlang_c(double lambda, double mu, int c, double *p_wait, double *wq)
{
    double a = lambda / mu, term = 1.0, sum = 0.0;
    for (int k = 0; k < c; k++) {
        sum += term;            /* a^k / k! */
        term *= a / (k + 1);
    }
    double top = term * c / (c - a); /* a^c / c! * c / (c - a) */
    *p_wait = top / (sum + top);
    *wq = *p_wait / (c * mu - lambda);
}

static double seconds(clockid_t clk)
{
    struct timespec ts;
    clock_gettime(clk, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* The hold model: each event schedules one successor at now + an increment
 * read from a table filled before timing, so the time measured is the
 * engine's own (pop, handler dispatch, push) with `pending` events queued. */
typedef struct {
    const double *inc;
    size_t k, mask;
} hold;

static void on_hold(sim *s, const sim_event *ev, void *ctx)
{
    hold *h = ctx;
    sim_at(s, ev->t + h->inc[h->k++ & h->mask], 0, 0, 0);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

enum { SEGMENTS = 8 };

/* Run s to t_end in SEGMENTS equal slices of simulated time; each slice's
 * events per CPU-second into rate[] (sorted on return), CPU and wall
 * seconds of the whole into *cpu, *wall. Returns as sim_run_until. */
static int run_segments(sim *s, double t_end, double rate[SEGMENTS], double *cpu, double *wall)
{
    double w0 = seconds(CLOCK_MONOTONIC), c_all = seconds(CLOCK_THREAD_CPUTIME_ID);
    for (int i = 0; i < SEGMENTS; i++) {
        uint64_t e0 = sim_executed(s);
        double c0 = seconds(CLOCK_THREAD_CPUTIME_ID);
        int rc = sim_run_until(s, t_end * (i + 1) / SEGMENTS);
        if (rc != BASE_OK)
            return rc;
        rate[i] = (double)(sim_executed(s) - e0) / (seconds(CLOCK_THREAD_CPUTIME_ID) - c0);
    }
    *cpu = seconds(CLOCK_THREAD_CPUTIME_ID) - c_all;
    *wall = seconds(CLOCK_MONOTONIC) - w0;
    qsort(rate, SEGMENTS, sizeof rate[0], cmp_double);
    return BASE_OK;
}

static int run_hold(gsl_rng *rng, int pending, double events)
{
    enum { TABLE = 1 << 16 };
    int status = 1;
    double *inc = malloc(TABLE * sizeof *inc);
    sim *s = sim_new((size_t)pending);
    if (!inc || !s)
        goto cleanup;
    for (size_t i = 0; i < TABLE; i++)
        inc[i] = draw_exp(rng, 1.0);
    hold h = {.inc = inc, .mask = TABLE - 1};
    sim_on(s, 0, on_hold, &h);
    for (int i = 0; i < pending; i++)
        sim_at(s, draw_exp(rng, 1.0), 0, 0, 0);
    /* `pending` events per unit time */
    double rate[SEGMENTS], cpu, wall;
    if (run_segments(s, events / pending, rate, &cpu, &wall) != BASE_OK)
        goto cleanup;
    double best = rate[SEGMENTS - 1];
    printf("bench_engine: hold model, %d pending: %.2f M events/s, %.1f ns/event (engine alone; "
           "best of %d slices, median %.2f M)\n",
           pending, best / 1e6, 1e9 / best, SEGMENTS, 0.5 * (rate[SEGMENTS / 2 - 1] + rate[SEGMENTS / 2]) / 1e6);
    printf("BENCH name=hold%d impl=forkcast metric=events_per_s value=%.6g\n", pending, best);
    status = 0;
cleanup:
    if (status)
        fprintf(stderr, "bench_engine: out of memory\n");
    sim_free(s);
    free(inc);
    return status;
}

static int run_mmc(gsl_rng *rng, double events)
{
    int status = 1;
    mmc m = {.rng = rng, .c = 10, .mu = 1.0, .qcap = 1024};
    m.lambda = 0.9 * m.c;
    m.q = malloc(m.qcap * sizeof *m.q);
    sim *s = sim_new(64);
    if (!m.q || !s) {
        fprintf(stderr, "bench_engine: out of memory\n");
        goto cleanup;
    }
    sim_on(s, EV_ARRIVAL, on_arrival, &m);
    sim_on(s, EV_DEPARTURE, on_departure, &m);
    sim_at(s, 0.0, EV_ARRIVAL, 0, 0);

    /* Two events per customer, lambda customers per unit time. */
    double t_end = events / (2.0 * m.lambda);
    double rate[SEGMENTS], dt, wall;
    int rc = run_segments(s, t_end, rate, &dt, &wall);
    if (rc != BASE_OK || m.oom) {
        fprintf(stderr, "bench_engine: out of memory during the run\n");
        goto cleanup;
    }
    double n = (double)sim_executed(s);
    double pw, wq;
    erlang_c(m.lambda, m.mu, m.c, &pw, &wq);
    double wq_sim = m.wait_sum / (double)m.started;
    printf("bench_engine: M/M/c c=%d lambda=%g mu=%g, %.0f events in %.3f s CPU (%.3f s wall)\n",
           m.c, m.lambda, m.mu, n, dt, wall);
    double best = rate[SEGMENTS - 1], median = 0.5 * (rate[SEGMENTS / 2 - 1] + rate[SEGMENTS / 2]);
    printf("bench_engine: M/M/c %.2f M events/s, %.1f ns/event (engine + model + RNG; best of %d "
           "slices; median %.2f M, whole run %.2f M; target >= 20 M: %s)\n",
           best / 1e6, 1e9 / best, SEGMENTS, median / 1e6, n / dt / 1e6, best >= 20e6 ? "met" : "MISSED");
    printf("sanity: mean wait %.5f vs Erlang C W_q %.5f (P_wait %.5f), rel err %.2f%%\n",
           wq_sim, wq, pw, 100.0 * fabs(wq_sim - wq) / wq);
    printf("BENCH name=mmc impl=forkcast metric=events_per_s value=%.6g\n", best);
    status = fabs(wq_sim - wq) / wq < 0.05 ? 0 : 1;
    if (status)
        fprintf(stderr, "bench_engine: mean wait disagrees with Erlang C by more than 5%%\n");
cleanup:
    sim_free(s);
    free(m.q);
    return status;
}

int main(int argc, char **argv)
{
    double events = argc > 1 ? atof(argv[1]) : 3e7;
    if (!(events >= 1e3 && events <= 1e12)) {
        fprintf(stderr, "usage: bench_engine [EVENTS]   (1e3 .. 1e12)\n");
        return 2;
    }
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_taus2);
    if (!rng) {
        fprintf(stderr, "bench_engine: out of memory\n");
        return 1;
    }
    gsl_rng_set(rng, 1);
    int status = run_mmc(rng, events);
    if (status == 0)
        status = run_hold(rng, 11, events / 2);
    if (status == 0)
        status = run_hold(rng, 10000, events / 4);
    gsl_rng_free(rng);
    return status;
}

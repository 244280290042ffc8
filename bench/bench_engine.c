/* bench/bench_engine.c -- events per second of sim/engine on an M/M/c queue.
 *
 * M/M/c with c = 10, mu = 1, lambda = 0.9 c: arrival and departure events,
 * a FIFO ring buffer of waiting customers' arrival times, exponential draws
 * by inversion from one gsl_rng (taus2, as sim/mc uses). One core, one thread. The count
 * is engine events (arrivals + departures), the same unit the SimPy peer
 * (bench/peers/mmc_simpy.py) reports. Rates are per CPU-second of this
 * thread (CLOCK_THREAD_CPUTIME_ID), so a busy machine skews them less than
 * wall time would; wall time is printed beside. A sanity line compares the mean wait
 * with Erlang C (REFERENCE.md section 4).
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

#include "model/status.h"

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

/* Exponential with the given mean by inversion, -mean ln U, U in (0,1):
 * the same sampler as SimPy's random.expovariate and half the cost of
 * gsl_ran_exponential's log1p (~10 ns vs ~23 ns here), which would
 * otherwise be a third of the time measured. */
static inline double draw_exp(gsl_rng *rng, double mean)
{
    return -mean * log(gsl_rng_uniform_pos(rng));
}

/* now == ev->t in a handler: the event time saves a call to sim_now(). */
static inline void start_service(sim *s, mmc *m, double now, double arrived)
{
    m->wait_sum += now - arrived;
    m->started++;
    sim_at(s, now + draw_exp(m->rng, 1.0 / m->mu), EV_DEPARTURE, 0, 0);
}

static void on_arrival(sim *s, const sim_event *ev, void *ctx)
{
    mmc *m = ctx;
    if (m->busy < m->c) {
        m->busy++;
        start_service(s, m, ev->t, ev->t);
    } else if (q_push(m, ev->t) != 0) {
        m->oom = 1;
        sim_stop(s);
    }
    sim_at(s, ev->t + draw_exp(m->rng, 1.0 / m->lambda), EV_ARRIVAL, 0, 0);
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
    double c0 = seconds(CLOCK_THREAD_CPUTIME_ID);
    if (sim_run_until(s, events / pending) != MODEL_OK)
        goto cleanup;
    double dt = seconds(CLOCK_THREAD_CPUTIME_ID) - c0;
    double n = (double)sim_executed(s);
    printf("bench_engine: hold model, %d pending: %.2f M events/s, %.1f ns/event (engine alone)\n",
           pending, n / dt / 1e6, dt / n * 1e9);
    printf("BENCH name=hold%d impl=forkcast metric=events_per_s value=%.6g\n", pending, n / dt);
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
    double w0 = seconds(CLOCK_MONOTONIC), c0 = seconds(CLOCK_THREAD_CPUTIME_ID);
    int rc = sim_run_until(s, t_end);
    double dt = seconds(CLOCK_THREAD_CPUTIME_ID) - c0, wall = seconds(CLOCK_MONOTONIC) - w0;
    if (rc != MODEL_OK || m.oom) {
        fprintf(stderr, "bench_engine: out of memory during the run\n");
        goto cleanup;
    }
    double n = (double)sim_executed(s);
    double pw, wq;
    erlang_c(m.lambda, m.mu, m.c, &pw, &wq);
    double wq_sim = m.wait_sum / (double)m.started;
    printf("bench_engine: M/M/c c=%d lambda=%g mu=%g, %.0f events in %.3f s CPU (%.3f s wall)\n",
           m.c, m.lambda, m.mu, n, dt, wall);
    printf("bench_engine: M/M/c %.2f M events/s, %.1f ns/event (engine + model + RNG)\n",
           n / dt / 1e6, dt / n * 1e9);
    printf("sanity: mean wait %.5f vs Erlang C W_q %.5f (P_wait %.5f), rel err %.2f%%\n",
           wq_sim, wq, pw, 100.0 * fabs(wq_sim - wq) / wq);
    printf("BENCH name=mmc impl=forkcast metric=events_per_s value=%.6g\n", n / dt);
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

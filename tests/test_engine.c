/* tests/test_engine.c -- sim/engine: order, FIFO ties, cancel, clock, stop,
 * reset, and the heap against a sorted reference under 10^5 random ops. */
#include "sim/engine.h"

#include "base/status.h"
#include "tests/harness.h"

#include <stdint.h>
#include <stdlib.h>

/* A log of what ran: (t, a) per event, and the clock seen by the handler. */
typedef struct {
    double t[4096];
    int a[4096];
    double now[4096];
    int n;
    int stop_at;      /* sim_stop() when an event with a == stop_at runs */
} run_log;

static void h_log(sim *s, const sim_event *ev, void *ctx)
{
    run_log *L = ctx;
    if (L->n < 4096) {
        L->t[L->n] = ev->t;
        L->a[L->n] = ev->a;
        L->now[L->n] = sim_now(s);
        L->n++;
    }
    if (ev->a == L->stop_at)
        sim_stop(s);
}

static void test_order(void)
{
    sim *s = sim_new(0);
    run_log L = {.stop_at = -1};
    sim_on(s, 0, h_log, &L);
    double ts[] = {5.0, 1.0, 3.0, 2.0, 4.0, 0.5, 10.0, 7.5};
    int n = (int)(sizeof ts / sizeof ts[0]);
    for (int i = 0; i < n; i++)
        CHECK(sim_at(s, ts[i], 0, i, 0) != 0);
    CHECK(sim_pending(s) == (size_t)n);
    CHECK_NEAR(sim_peek(s), 0.5, 0);
    CHECK(sim_run(s) == BASE_OK);
    CHECK(L.n == n);
    for (int i = 1; i < L.n; i++) {
        CHECK(L.t[i - 1] <= L.t[i]);
        CHECK(L.now[i] == L.t[i]);     /* handler sees clock == event time */
    }
    CHECK(ts[L.a[0]] == 0.5);
    CHECK_NEAR(sim_now(s), 10.0, 0);
    CHECK(sim_pending(s) == 0);
    CHECK(sim_executed(s) == (uint64_t)n);
    CHECK(sim_peek(s) == INFINITY);
    sim_free(s);
}

static void test_fifo_ties(void)
{
    sim *s = sim_new(2); /* small: forces growth too */
    run_log L = {.stop_at = -1};
    sim_on(s, 3, h_log, &L);
    /* 300 events at three instants, pushed interleaved: within an instant
     * they must run in push order. */
    for (int i = 0; i < 300; i++)
        sim_at(s, (double)(i % 3), 3, i, 0);
    CHECK(sim_run(s) == BASE_OK);
    CHECK(L.n == 300);
    for (int i = 0; i < 300; i++) {
        int inst = i / 100, k = i % 100;
        CHECK(L.a[i] == 3 * k + inst);
    }
    sim_free(s);
}

/* A handler that schedules at now (tie with already-due events) and later. */
static void h_chain(sim *s, const sim_event *ev, void *ctx)
{
    run_log *L = ctx;
    h_log(s, ev, ctx);
    if (ev->b > 0) {
        sim_after(s, 0.0, 1, ev->a + 1000, ev->b - 1);
        sim_after(s, 0.25, 1, ev->a + 2000, 0);
    }
    (void)L;
}

static void test_schedule_from_handler(void)
{
    sim *s = sim_new(0);
    run_log L = {.stop_at = -1};
    sim_on(s, 1, h_chain, &L);
    sim_at(s, 1.0, 1, 1, 2);
    sim_at(s, 1.0, 1, 2, 0);
    CHECK(sim_run(s) == BASE_OK);
    /* At t=1: 1 (pushes 1001@1, 2001@1.25), 2, then 1001 (pushes 2001@1,
     * 3001@1.25), 2001@1 ... pushed-at-now events queue behind those due. */
    int want_a[] = {1, 2, 1001, 2001, 2001, 3001};
    double want_t[] = {1.0, 1.0, 1.0, 1.0, 1.25, 1.25};
    CHECK(L.n == 6);
    for (int i = 0; i < 6 && i < L.n; i++) {
        CHECK(L.a[i] == want_a[i]);
        CHECK(L.t[i] == want_t[i]);
    }
    sim_free(s);
}

static void test_cancel(void)
{
    sim *s = sim_new(0);
    run_log L = {.stop_at = -1};
    sim_on(s, 0, h_log, &L);
    sim_handle h[100];
    for (int i = 0; i < 100; i++)
        h[i] = sim_at(s, (double)(i % 10), 0, i, 0);
    int cancelled = 0;
    for (int i = 0; i < 100; i += 3) {
        CHECK(sim_cancel(s, h[i]) == 1);
        CHECK(sim_cancel(s, h[i]) == 0); /* twice: stale */
        cancelled++;
    }
    CHECK(sim_check(s));
    CHECK(sim_pending(s) == (size_t)(100 - cancelled));
    CHECK(sim_cancel(s, 0) == 0);
    CHECK(sim_run(s) == BASE_OK);
    CHECK(L.n == 100 - cancelled);
    int seen[100] = {0};
    for (int i = 0; i < L.n; i++)
        seen[L.a[i]]++;
    for (int i = 0; i < 100; i++)
        CHECK(seen[i] == (i % 3 == 0 ? 0 : 1));
    /* Handles of events that ran are stale, even after their slots are reused. */
    sim_handle fresh = sim_at(s, sim_now(s) + 1, 0, 7, 0);
    for (int i = 1; i < 100; i += 3)
        CHECK(sim_cancel(s, h[i]) == 0);
    CHECK(sim_pending(s) == 1);
    CHECK(sim_cancel(s, fresh) == 1);
    /* Nothing pending now: forged handles (later generations of free slots,
     * a slot out of range) must be refused too. */
    for (uint64_t g = 1; g < 4; g++) {
        CHECK(sim_cancel(s, h[1] + (g << 32)) == 0);
        CHECK(sim_cancel(s, fresh + (g << 32)) == 0);
    }
    CHECK(sim_cancel(s, (UINT64_C(1) << 32) | 0xffffffffu) == 0);
    CHECK(sim_check(s));
    sim_free(s);
}

/* A handler that cancels the event whose handle is in ev->x.p. */
static void h_cancel_other(sim *s, const sim_event *ev, void *ctx)
{
    run_log *L = ctx;
    h_log(s, ev, ctx);
    sim_handle *victim = ev->x.p;
    L->a[L->n - 1] = 100 + sim_cancel(s, *victim);
}

static void test_cancel_from_handler(void)
{
    sim *s = sim_new(0);
    run_log L = {.stop_at = -1};
    sim_on(s, 0, h_log, &L);
    sim_on(s, 1, h_cancel_other, &L);
    sim_handle victim = sim_at(s, 2.0, 0, 7, 0);
    sim_push(s, &(sim_event){.t = 1.0, .type = 1, .x.p = &victim});
    CHECK(sim_run(s) == BASE_OK);
    CHECK(L.n == 1);
    CHECK(L.a[0] == 101);
    CHECK(sim_executed(s) == 1);
    sim_free(s);
}

static void test_stop_and_resume(void)
{
    sim *s = sim_new(0);
    run_log L = {.stop_at = 4};
    sim_on(s, 0, h_log, &L);
    for (int i = 0; i < 10; i++)
        sim_at(s, (double)i, 0, i, 0);
    CHECK(sim_run(s) == BASE_OK);
    CHECK(L.n == 5);                 /* 0..4 ran, stop after 4 */
    CHECK(sim_now(s) == 4.0);
    CHECK(sim_pending(s) == 5);
    /* run_until: runs t <= 7 (inclusive) and moves the clock to 7.5 */
    CHECK(sim_run_until(s, 7.5) == BASE_OK);
    CHECK(L.n == 8);
    CHECK(sim_now(s) == 7.5);
    CHECK(sim_step(s) == 1);
    CHECK(L.n == 9 && sim_now(s) == 8.0);
    CHECK(sim_run(s) == BASE_OK);
    CHECK(L.n == 10);
    CHECK(sim_step(s) == 0);
    /* run_until with nothing due before t_end still advances the clock */
    CHECK(sim_run_until(s, 20.0) == BASE_OK);
    CHECK(sim_now(s) == 20.0);
    sim_free(s);
}

static void test_reset(void)
{
    sim *s = sim_new(0);
    run_log L = {.stop_at = -1};
    sim_on(s, 0, h_log, &L);
    sim_handle old = 0;
    for (int i = 0; i < 1000; i++)
        old = sim_at(s, 1.0 + i, 0, i, 0);
    CHECK(sim_run_until(s, 500.0) == BASE_OK);
    sim_reset(s);
    CHECK(sim_now(s) == 0.0);
    CHECK(sim_pending(s) == 0);
    CHECK(sim_executed(s) == 0);
    CHECK(sim_check(s));
    CHECK(sim_cancel(s, old) == 0);  /* dropped by reset */
    /* Same schedule after reset gives the same run (handlers kept). */
    run_log L2 = {.stop_at = -1};
    sim_on(s, 0, h_log, &L2);
    for (int i = 0; i < 50; i++)
        sim_at(s, (double)(i % 5), 0, i, 0);
    CHECK(sim_run(s) == BASE_OK);
    sim *f = sim_new(0);
    run_log L3 = {.stop_at = -1};
    sim_on(f, 0, h_log, &L3);
    for (int i = 0; i < 50; i++)
        sim_at(f, (double)(i % 5), 0, i, 0);
    CHECK(sim_run(f) == BASE_OK);
    CHECK(L2.n == 50 && L3.n == 50);
    CHECK(memcmp(L2.a, L3.a, sizeof L2.a) == 0);
    CHECK(memcmp(L2.t, L3.t, sizeof L2.t) == 0);
    sim_free(f);
    sim_free(s);
}

/* Random push / step / cancel against a reference array of pending events;
 * popped order must equal the reference minimum by (t, push order). */
typedef struct {
    double t;
    long id;          /* push order */
    sim_handle h;
} ref_ev;

static int ref_cmp(const void *x, const void *y)
{
    const ref_ev *a = x, *b = y;
    if (a->t != b->t)
        return a->t < b->t ? -1 : 1;
    return (a->id > b->id) - (a->id < b->id);
}

typedef struct {
    long last_id;
    double last_t;
    long ran;
} pop_rec;

static void h_pop(sim *s, const sim_event *ev, void *ctx)
{
    pop_rec *p = ctx;
    (void)s;
    p->last_id = (long)ev->x.i;
    p->last_t = ev->t;
    p->ran++;
}

static void test_random_against_reference(void)
{
    enum { OPS = 100000 };
    sim *s = sim_new(0);
    pop_rec P = {0};
    sim_on(s, 5, h_pop, &P);
    ref_ev *ref = malloc(OPS * sizeof *ref);
    sim_handle *dead = malloc(OPS * sizeof *dead);
    long nref = 0, ndead = 0, next_id = 0;
    int bad_pop = 0, bad_peek = 0, bad_cancel = 0, bad_check = 0;
    uint64_t rs = 12345;
    for (long op = 0; op < OPS; op++) {
        rs = rs * 6364136223846793005ULL + 1442695040888963407ULL;
        unsigned u = (unsigned)(rs >> 33);
        unsigned kind = u % 100; /* 42% push, 30% pop, 8% cancel, 20% stale cancel */
        if (kind < 42 || nref == 0) {
            /* push; coarse times make many ties */
            double t = sim_now(s) + (double)((u >> 8) % 50) * 0.125;
            sim_event ev = {.t = t, .type = 5, .x.i = next_id};
            ref[nref] = (ref_ev){t, next_id, sim_push(s, &ev)};
            nref++;
            next_id++;
        } else if (kind < 72) {
            /* pop: must be the reference minimum */
            long m = 0;
            for (long i = 1; i < nref; i++)
                if (ref_cmp(&ref[i], &ref[m]) < 0)
                    m = i;
            if (sim_step(s) != 1 || P.last_id != ref[m].id || P.last_t != ref[m].t)
                bad_pop++;
            dead[ndead++] = ref[m].h;
            ref[m] = ref[--nref];
        } else if (kind < 80) {
            /* cancel a random pending event */
            long i = (long)((u >> 8) % (unsigned)nref);
            if (sim_cancel(s, ref[i].h) != 1)
                bad_cancel++;
            dead[ndead++] = ref[i].h;
            ref[i] = ref[--nref];
        } else if (ndead > 0) {
            /* cancel an event that already ran or was cancelled: no-op */
            if (sim_cancel(s, dead[(u >> 8) % (unsigned long)ndead]) != 0)
                bad_cancel++;
        }
        double want = INFINITY;
        for (long i = 0; i < nref; i++)
            if (ref[i].t < want)
                want = ref[i].t;
        if (sim_peek(s) != want || sim_pending(s) != (size_t)nref)
            bad_peek++;
        if (op % 997 == 0 && !sim_check(s))
            bad_check++;
    }
    CHECK(bad_pop == 0);
    CHECK(bad_peek == 0);
    CHECK(bad_cancel == 0);
    CHECK(bad_check == 0);
    CHECK(sim_check(s));
    /* Drain: remaining events come out exactly in sorted reference order. */
    qsort(ref, (size_t)nref, sizeof *ref, ref_cmp);
    int bad_drain = 0;
    double prev = sim_now(s);
    for (long i = 0; i < nref; i++) {
        if (sim_step(s) != 1 || P.last_id != ref[i].id || P.last_t < prev)
            bad_drain++;
        prev = P.last_t;
    }
    CHECK(bad_drain == 0);
    CHECK(nref > 100); /* the mix left a real backlog to drain */
    CHECK(sim_pending(s) == 0);
    free(ref);
    free(dead);
    sim_free(s);
}

/* The same reference, with every push and cancel made from inside handlers
 * (where the running event's key is still at the root until the handler's
 * first push replaces it): each handler checks that it is the reference
 * minimum, then makes 0-4 random operations, checking peek, pending and
 * the heap after each. */
typedef struct {
    ref_ev *ref;
    long nref, next_id, ran, checks;
    uint64_t rs;
    int bad;
} inside;

static void inside_check(sim *s, inside *I)
{
    double want = INFINITY;
    for (long i = 0; i < I->nref; i++)
        want = I->ref[i].t < want ? I->ref[i].t : want;
    if (sim_peek(s) != want || sim_pending(s) != (size_t)I->nref)
        I->bad++;
    if (I->checks++ % 61 == 0 && !sim_check(s)) /* O(capacity): now and then */
        I->bad++;
}

static void h_inside(sim *s, const sim_event *ev, void *ctx)
{
    inside *I = ctx;
    long m = 0;
    for (long i = 1; i < I->nref; i++)
        if (ref_cmp(&I->ref[i], &I->ref[m]) < 0)
            m = i;
    if (I->nref == 0 || ev->x.i != I->ref[m].id || ev->t != I->ref[m].t)
        I->bad++;
    sim_handle self = I->ref[m].h;
    I->ref[m] = I->ref[--I->nref];
    I->ran++;
    inside_check(s, I);
    if (sim_cancel(s, self) != 0) /* it is running: not pending any more */
        I->bad++;
    I->rs = I->rs * 6364136223846793005ULL + 1442695040888963407ULL;
    unsigned u = (unsigned)(I->rs >> 33);
    int ops = (int)(u % 5); /* 2 on average: the backlog grows slowly */
    for (int k = 0; k < ops && I->next_id < 20000; k++) {
        I->rs = I->rs * 6364136223846793005ULL + 1442695040888963407ULL;
        u = (unsigned)(I->rs >> 33);
        if (u % 5 < 4 || I->nref == 0) { /* push; ties, and ties with now */
            double t = sim_now(s) + (double)((u >> 8) % 8) * 0.25;
            sim_event e = {.t = t, .type = 6, .x.i = I->next_id};
            I->ref[I->nref++] = (ref_ev){t, I->next_id++, sim_push(s, &e)};
        } else {
            long i = (long)((u >> 8) % (unsigned)I->nref);
            if (sim_cancel(s, I->ref[i].h) != 1)
                I->bad++;
            I->ref[i] = I->ref[--I->nref];
        }
        inside_check(s, I);
    }
}

static void test_ops_inside_handlers(void)
{
    sim *s = sim_new(0);
    inside I = {.ref = malloc(20000 * sizeof *I.ref), .rs = 777};
    sim_on(s, 6, h_inside, &I);
    for (int i = 0; i < 50; i++) {
        double t = (double)(i % 5);
        sim_event e = {.t = t, .type = 6, .x.i = I.next_id};
        I.ref[I.nref++] = (ref_ev){t, I.next_id++, sim_push(s, &e)};
    }
    CHECK(sim_run(s) == BASE_OK);
    CHECK(I.bad == 0);
    CHECK(I.ran > 10000); /* the mix ran long */
    CHECK(I.nref == 0 && sim_pending(s) == 0);
    CHECK(sim_check(s));
    free(I.ref);
    sim_free(s);
}

TEST_MAIN(test_order, test_fifo_ties, test_schedule_from_handler, test_cancel,
          test_cancel_from_handler, test_stop_and_resume, test_reset,
          test_random_against_reference, test_ops_inside_handlers)

/* tests/test_engine_seq.c -- sim/engine with a 12-bit seq, so the pending
 * keys are renumbered every few thousand pushes (in production: every 2^34):
 * every test of tests/test_engine.c again, through many renumberings, and a
 * direct check that ties keep their FIFO order across one.
 *
 * This file compiles sim/engine.c itself (SEQ_BITS set first), so it can see
 * struct sim; the archive's engine.o is then never linked. */
#define SEQ_BITS 12
#include "sim/engine.c"

#define main engine_tests_main
#include "tests/test_engine.c"
#undef main

typedef struct {
    int order[20000];
    int n;
} tie_log;

static void h_tie(sim *s, const sim_event *ev, void *ctx)
{
    (void)s;
    tie_log *L = ctx;
    L->order[L->n++] = ev->a;
}

static double tie_time(int i, int keep)
{
    return (i < keep ? 1.0 : 1000.0) + (double)(i % 7);
}

/* 2000 events at 7 tied times, then 18000 pushes at 7 later tied times,
 * each cancelled again unless its index is a multiple of 20: about 3000
 * pending (below the test's 2^12 seq values) while the keys are renumbered
 * every thousand pushes or so; everything runs in (t, push order). */
static void test_renumber_keeps_fifo(void)
{
    static tie_log L;
    sim *s = sim_new(0);
    sim_on(s, 0, h_tie, &L);
    enum { KEEP = 2000, MORE = 18000 };
    int renumbered = 0, bad_check = 0, kept = 0;
    for (int i = 0; i < KEEP + MORE; i++) {
        uint64_t before = s->seq;
        sim_handle h = sim_at(s, tie_time(i, KEEP), 0, i, 0);
        CHECK(h != 0);
        if (s->seq < before) {
            renumbered++;
            bad_check += !sim_check(s);
        }
        if (i >= KEEP && i % 20 != 0)
            CHECK(sim_cancel(s, h) == 1);
        else
            kept++;
    }
    CHECK(bad_check == 0);
    CHECK(renumbered >= 10);
    CHECK(s->seq < SEQ_LIMIT);
    CHECK(sim_run(s) == BASE_OK);
    CHECK(L.n == kept);
    int bad = 0;
    for (int i = 1; i < L.n; i++) {
        int a = L.order[i - 1], b = L.order[i];
        double ta = tie_time(a, KEEP), tb = tie_time(b, KEEP);
        bad += ta > tb || (ta == tb && a > b);
    }
    CHECK(bad == 0);
    sim_free(s);
}

int main(void)
{
    int rc = engine_tests_main();
    test_renumber_keeps_fifo();
    fprintf(stderr, "%s: %d checks, %d failed\n", __FILE__, th_checks, th_failed);
    return rc || th_failed ? 1 : 0;
}

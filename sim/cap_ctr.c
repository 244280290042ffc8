/* sim/cap_ctr.c -- the capacity run's containers (sim/cap_impl.h): slots
 * with a free list, the idle set, the partial list, processor sharing,
 * shutdown with its billing and lifespan.
 *
 * The idle set is a list ordered by the instant each container went idle
 * (head: the most recent). last_idle picks its head; every rule expires
 * from its tail (the windows are equal, so the tail expires first). For
 * newest/oldest a binary heap over the idle containers' creation order
 * picks instead (O(log n) insert, remove and pick). */
#include "sim/cap_impl.h"

#include "base/status.h"

#include <stdlib.h>

#define MAX_SLOTS (INT32_MAX / 2)

static int heaped(const sim_cap_state *r)
{
    return r->s->idle_rule != MODEL_IDLE_LAST;
}

/* Double the slot arrays (containers, the idle heap, ps inputs). */
static int grow(sim_cap_state *r)
{
    int n = r->nctrs ? r->nctrs * 2 : 64, per = r->c->inputs;
    if (r->nctrs >= MAX_SLOTS || (r->c->ps && (size_t)n * (size_t)per > (SIZE_MAX >> 5)))
        goto oom;
    sim_cap_ctr *a = realloc(r->ctrs, (size_t)n * sizeof *a);
    if (!a)
        goto oom;
    r->ctrs = a;
    if (heaped(r)) {
        int *h = realloc(r->heap, (size_t)n * sizeof *h);
        if (!h)
            goto oom;
        r->heap = h;
    }
    if (r->c->ps) {
        sim_cap_input *in = realloc(r->inp, (size_t)n * (size_t)per * sizeof *in);
        if (!in)
            goto oom;
        r->inp = in;
    }
    for (int i = r->nctrs; i < n; i++)
        a[i] = (sim_cap_ctr){.state = C_FREE, .next = i + 1 < n ? i + 1 : -1, .prev = -1};
    r->ctr_free = r->nctrs;
    r->nctrs = n;
    return 0;
oom:
    sim_cap_oom(r);
    return -1;
}

int sim_cap_ctr_new(sim_cap_state *r, double now, double cold, int for_input)
{
    if (r->ctr_free < 0 && grow(r))
        return -1;
    int x = r->ctr_free;
    sim_cap_ctr *c = &r->ctrs[x];
    r->ctr_free = c->next;
    *c = (sim_cap_ctr){.spawn = now, .cold_end = now + cold, .ps_t = now, .seq = r->seq++, .prev = -1,
                       .next = -1, .pprev = -2, .pnext = -1, .hpos = -1};
    r->live++;
    if (r->live > r->peak)
        r->peak = r->live;
    if (cold > 0)
        sim_cap_starting(r, now, now + cold, for_input, 1);
    return x;
}

/* ---- the idle heap (newest / oldest) ---------------------------------------- */

static int before(const sim_cap_state *r, int a, int b)
{
    uint64_t sa = r->ctrs[a].seq, sb = r->ctrs[b].seq;
    return r->s->idle_rule == MODEL_IDLE_NEWEST ? sa > sb : sa < sb;
}

static void heap_set(sim_cap_state *r, int i, int x)
{
    r->heap[i] = x;
    r->ctrs[x].hpos = i;
}

static void sift_up(sim_cap_state *r, int i)
{
    int x = r->heap[i];
    while (i > 0) {
        int p = (i - 1) / 2;
        if (!before(r, x, r->heap[p]))
            break;
        heap_set(r, i, r->heap[p]);
        i = p;
    }
    heap_set(r, i, x);
}

static void sift_down(sim_cap_state *r, int i)
{
    int x = r->heap[i];
    for (;;) {
        int m = 2 * i + 1;
        if (m >= r->nheap)
            break;
        if (m + 1 < r->nheap && before(r, r->heap[m + 1], r->heap[m]))
            m++;
        if (!before(r, r->heap[m], x))
            break;
        heap_set(r, i, r->heap[m]);
        i = m;
    }
    heap_set(r, i, x);
}

static void heap_remove(sim_cap_state *r, int x)
{
    int i = r->ctrs[x].hpos, last = r->heap[--r->nheap];
    assert(i >= 0 && r->heap[i] == x);
    r->ctrs[x].hpos = -1;
    if (i == r->nheap)
        return;
    heap_set(r, i, last);
    sift_up(r, i);
    sift_down(r, r->ctrs[last].hpos);
}

/* ---- the idle set and the partial list ----------------------------------- */

void sim_cap_idle_add(sim_cap_state *r, int x, double now)
{
    sim_cap_ctr *c = &r->ctrs[x];
    c->state = C_IDLE;
    c->expired = 0;
    c->prev = -1;
    c->next = r->idle_head;
    if (r->idle_head >= 0)
        r->ctrs[r->idle_head].prev = x;
    else
        r->idle_tail = x;
    r->idle_head = x;
    r->nidle++;
    if (heaped(r)) {
        heap_set(r, r->nheap++, x);
        sift_up(r, r->nheap - 1);
    }
    c->timer = sim_push(r->sim, &(sim_event){.t = now + r->s->scaledown_window_s, .type = EV_SCALEDOWN, .a = x});
}

void sim_cap_idle_remove(sim_cap_state *r, int x)
{
    sim_cap_ctr *c = &r->ctrs[x];
    assert(c->state == C_IDLE);
    if (c->prev >= 0)
        r->ctrs[c->prev].next = c->next;
    else
        r->idle_head = c->next;
    if (c->next >= 0)
        r->ctrs[c->next].prev = c->prev;
    else
        r->idle_tail = c->prev;
    c->prev = c->next = -1;
    r->nidle--;
    if (heaped(r))
        heap_remove(r, x);
    if (c->timer)
        sim_cancel(r->sim, c->timer);
    c->timer = 0;
}

int sim_cap_idle_pick(const sim_cap_state *r)
{
    if (!heaped(r))
        return r->idle_head;
    return r->nheap > 0 ? r->heap[0] : -1;
}

void sim_cap_part_update(sim_cap_state *r, int x)
{
    sim_cap_ctr *c = &r->ctrs[x];
    int per = r->c->inputs, in = c->state == C_BUSY && c->n > 0 && c->n < per, linked = c->pprev != -2;
    r->part_free -= c->pfree;
    c->pfree = in ? per - c->n : 0;
    r->part_free += c->pfree;
    if (in && !linked) {
        c->pprev = -1;
        c->pnext = r->part_head;
        if (r->part_head >= 0)
            r->ctrs[r->part_head].pprev = x;
        r->part_head = x;
    } else if (!in && linked) {
        if (c->pprev >= 0)
            r->ctrs[c->pprev].pnext = c->pnext;
        else
            r->part_head = c->pnext;
        if (c->pnext >= 0)
            r->ctrs[c->pnext].pprev = c->pprev;
        c->pprev = -2;
        c->pnext = -1;
    }
}

/* ---- shutdown and billing ---------------------------------------------------- */

double sim_cap_billable_in_window(const sim_cap_state *r, const sim_cap_ctr *c, double t)
{
    double from = fmax(c->spawn, r->t_w);
    double cold = r->c->bill.includes_cold_start ? 0 : fmax(0, fmin(c->cold_end, t) - from);
    return fmax(0, t - from - cold);
}

/* Billed: its seconds in the window (less an unbilled cold start), plus its
 * whole rounding-up (granularity, minimum), charged now. */
void sim_cap_terminate(sim_cap_state *r, int x, double now)
{
    sim_cap_ctr *c = &r->ctrs[x];
    assert(c->state == C_IDLE && c->cold_end <= now);
    sim_cap_idle_remove(r, x);
    if (r->open) {
        const model_billing *bill = &r->c->bill;
        double raw = model_chunk_billable_s(bill, 1, now - c->spawn, c->cold_end - c->spawn);
        r->billed_s += sim_cap_billable_in_window(r, c, now) + (model_chunk_billed_s(bill, raw) - raw);
        double life = now - c->spawn;
        r->ended++;
        r->life_sum += life;
        sim_cap_hist_add(&r->life, life);
    }
    c->state = C_FREE;
    c->next = r->ctr_free;
    r->ctr_free = x;
    r->live--;
}

/* ---- processor sharing (a non-linear concurrency_throughput) ------------------ */

/* Work done since ps_t: every input of x at theta(n) / n, from its boot's end. */
static void ps_progress(sim_cap_state *r, int x, double now)
{
    sim_cap_ctr *c = &r->ctrs[x];
    double t0 = fmax(c->ps_t, c->cold_end);
    if (c->n > 0 && now > t0) {
        double d = (now - t0) * r->c->ps_rate[c->n];
        sim_cap_input *in = &r->inp[(size_t)x * (size_t)r->c->inputs];
        for (int i = 0; i < c->n; i++)
            in[i].work -= d;
    }
    c->ps_t = now;
}

static int ps_first(const sim_cap_state *r, int x)
{
    const sim_cap_input *in = &r->inp[(size_t)x * (size_t)r->c->inputs];
    int m = 0;
    for (int i = 1; i < r->ctrs[x].n; i++)
        if (in[i].work < in[m].work)
            m = i;
    return m;
}

void sim_cap_ps_schedule(sim_cap_state *r, int x, double now)
{
    sim_cap_ctr *c = &r->ctrs[x];
    if (c->done)
        sim_cancel(r->sim, c->done);
    c->done = 0;
    if (c->n == 0)
        return;
    double w = fmax(0, r->inp[(size_t)x * (size_t)r->c->inputs + (size_t)ps_first(r, x)].work);
    double t = fmax(now, c->cold_end) + w / r->c->ps_rate[c->n];
    c->done = sim_push(r->sim, &(sim_event){.t = t, .type = EV_PS_DONE, .a = x});
}

void sim_cap_ps_add(sim_cap_state *r, int x, int j, int i, double work, double now)
{
    sim_cap_ctr *c = &r->ctrs[x];
    assert(c->n < r->c->inputs);
    ps_progress(r, x, now);
    r->inp[(size_t)x * (size_t)r->c->inputs + (size_t)c->n] = (sim_cap_input){j, i, work};
    c->n++;
    sim_cap_ps_schedule(r, x, now);
}

void sim_cap_on_ps_done(sim *sm, const sim_event *ev, void *ctx)
{
    sim_cap_state *r = ctx;
    double now = ev->t;
    int x = ev->a;
    (void)sm;
    sim_cap_advance(r, now);
    sim_cap_ctr *c = &r->ctrs[x];
    c->done = 0;
    ps_progress(r, x, now);
    sim_cap_input *in = &r->inp[(size_t)x * (size_t)r->c->inputs];
    int m = ps_first(r, x);
    sim_cap_input e = in[m];
    in[m] = in[c->n - 1];
    sim_cap_input_done(r, x, e.job, e.chunk, now);
    if (c->state == C_BUSY)
        sim_cap_ps_schedule(r, x, now);
}

/* sim/engine.c -- index-tracking binary heap over a slot array.
 *
 * heap[0..n) holds (t, seq, slot) keys; slots[] holds the payloads. Each live
 * slot records its heap position in `pos`, kept current by every move, so a
 * cancel finds its key in O(1) and removes it in O(log n). A free slot's
 * `pos` is the next free slot (singly linked free list, head `free_head`).
 * heap capacity == slot capacity, and live slots == n, always.
 */
#include "sim/engine.h"

#include "model/status.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#if defined(__GNUC__)
#define ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define ALWAYS_INLINE inline
#endif

#define SLOT_NONE UINT32_MAX
#define CAP_DEFAULT 64u
#define CAP_MAX (UINT32_C(1) << 30)

typedef struct {
    double t;
    uint64_t seq;
    uint32_t slot;
} heap_key;

_Static_assert(sizeof(sim_event) == 32, "events are 32 bytes");

typedef struct {
    sim_event ev;
    uint32_t pos;  /* heap index when live, next free slot when free */
    uint32_t gen;  /* bumped each time the slot is released */
} slot_rec;

struct sim {
    heap_key *heap;
    slot_rec *slots;
    uint32_t n, cap;
    uint32_t free_head;
    int halt;        /* stop requested or failed: the run loop tests this one flag */
    int failed;      /* sticky: a push could not grow the arrays */
    double now;
    uint64_t seq;
    uint64_t executed;
    struct {
        sim_handler fn;
        void *ctx;
    } on[SIM_TYPES_MAX];
};

static inline int key_less(const heap_key *a, const heap_key *b)
{
    return a->t < b->t || (a->t == b->t && a->seq < b->seq);
}

/* Put k at hole i, moving parents down while k is smaller. */
static inline void sift_up(sim *s, uint32_t i, heap_key k)
{
    heap_key *restrict h = s->heap;
    slot_rec *restrict sl = s->slots;
    while (i > 0) {
        uint32_t p = (i - 1) / 2;
        heap_key hp = h[p];
        if (!key_less(&k, &hp))
            break;
        h[i] = hp;
        sl[hp.slot].pos = i;
        i = p;
    }
    h[i] = k;
    sl[k.slot].pos = i;
}

/* Put k at hole i, moving the smaller child up while it is smaller than k. */
static inline void sift_down(sim *s, uint32_t i, heap_key k)
{
    heap_key *restrict h = s->heap;
    slot_rec *restrict sl = s->slots;
    uint32_t n = s->n;
    for (;;) {
        uint32_t c = 2 * i + 1;
        if (c >= n)
            break;
        if (c + 1 < n && key_less(&h[c + 1], &h[c]))
            c++;
        heap_key hc = h[c];
        if (!key_less(&hc, &k))
            break;
        h[i] = hc;
        sl[hc.slot].pos = i;
        i = c;
    }
    h[i] = k;
    sl[k.slot].pos = i;
}

/* Remove the key at heap index i (its slot stays allocated). */
static inline void heap_remove_at(sim *s, uint32_t i)
{
    assert(i < s->n);
    heap_key last = s->heap[--s->n];
    if (i == s->n)
        return;
    if (i > 0 && key_less(&last, &s->heap[(i - 1) / 2]))
        sift_up(s, i, last);
    else
        sift_down(s, i, last);
}

static inline void slot_release(sim *s, uint32_t idx)
{
    slot_rec *sl = &s->slots[idx];
    sl->gen++;
    sl->pos = s->free_head;
    s->free_head = idx;
}

/* Link slots [from, to) into the free list, lowest index first out. */
static void free_link(sim *s, uint32_t from, uint32_t to)
{
    for (uint32_t i = to; i-- > from;) {
        s->slots[i].pos = s->free_head;
        s->free_head = i;
    }
}

static int grow(sim *s)
{
    if (s->cap >= CAP_MAX)
        return -1;
    uint32_t cap = s->cap * 2;
    heap_key *h = realloc(s->heap, (size_t)cap * sizeof *h);
    if (!h)
        return -1;
    s->heap = h;
    slot_rec *sl = realloc(s->slots, (size_t)cap * sizeof *sl);
    if (!sl)
        return -1;
    s->slots = sl;
    memset(sl + s->cap, 0, (size_t)(cap - s->cap) * sizeof *sl);
    free_link(s, s->cap, cap);
    s->cap = cap;
    return 0;
}

sim *sim_new(size_t capacity)
{
    sim *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    uint32_t cap = CAP_DEFAULT;
    while (cap < capacity && cap < CAP_MAX)
        cap *= 2;
    s->heap = malloc((size_t)cap * sizeof *s->heap);
    s->slots = calloc(cap, sizeof *s->slots);
    if (!s->heap || !s->slots)
        goto fail;
    s->cap = cap;
    s->free_head = SLOT_NONE;
    free_link(s, 0, cap);
    return s;
fail:
    sim_free(s);
    return NULL;
}

void sim_free(sim *s)
{
    if (!s)
        return;
    free(s->heap);
    free(s->slots);
    free(s);
}

void sim_on(sim *s, uint32_t type, sim_handler fn, void *ctx)
{
    assert(type < SIM_TYPES_MAX);
    s->on[type].fn = fn;
    s->on[type].ctx = ctx;
}

void sim_reset(sim *s)
{
    for (uint32_t i = 0; i < s->n; i++)
        slot_release(s, s->heap[i].slot);
    s->n = 0;
    s->now = 0.0;
    s->seq = 0;
    s->executed = 0;
    s->halt = s->failed = 0;
}

/* The push behind sim_push, sim_at and sim_after, inlined into each so a
 * push is one call. O(log n); amortised O(1) allocation. */
static ALWAYS_INLINE sim_handle push(sim *s, double t, uint32_t type, int32_t a, int32_t b, int32_t c,
                                     sim_word x)
{
    assert(t >= s->now); /* also rejects NaN */
    assert(type < SIM_TYPES_MAX);
    if (s->free_head == SLOT_NONE && grow(s) != 0) {
        s->failed = s->halt = 1;
        return 0;
    }
    uint32_t idx = s->free_head;
    slot_rec *sl = &s->slots[idx];
    s->free_head = sl->pos;
    sl->ev.t = t;
    sl->ev.type = type;
    sl->ev.a = a;
    sl->ev.b = b;
    sl->ev.c = c;
    sl->ev.x = x;
    heap_key k = {t, s->seq++, idx};
    sift_up(s, s->n++, k);
    return ((uint64_t)sl->gen << 32) | ((uint64_t)idx + 1);
}

sim_handle sim_push(sim *s, const sim_event *ev)
{
    return push(s, ev->t, ev->type, ev->a, ev->b, ev->c, ev->x);
}

sim_handle sim_at(sim *s, double t, uint32_t type, int32_t a, int32_t b)
{
    return push(s, t, type, a, b, 0, (sim_word){.i = 0});
}

sim_handle sim_after(sim *s, double dt, uint32_t type, int32_t a, int32_t b)
{
    return push(s, s->now + dt, type, a, b, 0, (sim_word){.i = 0});
}

int sim_cancel(sim *s, sim_handle h)
{
    if (h == 0)
        return 0;
    uint64_t idx = (h & 0xffffffffu) - 1;
    uint32_t gen = (uint32_t)(h >> 32);
    if (idx >= s->cap || s->slots[idx].gen != gen)
        return 0;
    /* gen matches: the slot has not been released since the push, so it is
     * live. (The position test only rejects forged or foreign handles.) */
    uint32_t pos = s->slots[idx].pos;
    if (pos >= s->n || s->heap[pos].slot != idx)
        return 0;
    heap_remove_at(s, pos);
    slot_release(s, (uint32_t)idx);
    return 1;
}

/* Pop the next event and run its handler. Requires n > 0. */
static inline void run_one(sim *s)
{
    heap_key top = s->heap[0];
    sim_event ev = s->slots[top.slot].ev;
    heap_key last = s->heap[--s->n];
    if (s->n > 0)
        sift_down(s, 0, last);
    slot_release(s, top.slot);
    assert(ev.t >= s->now);
    s->now = ev.t;
    s->executed++;
    sim_handler fn = s->on[ev.type].fn;
    assert(fn != NULL);
    fn(s, &ev, s->on[ev.type].ctx);
}

int sim_run_until(sim *s, double t_end)
{
    assert(!isnan(t_end));
    s->halt = s->failed;
    while (s->n > 0 && !s->halt && s->heap[0].t <= t_end)
        run_one(s);
    if (!s->halt && t_end > s->now && isfinite(t_end))
        s->now = t_end;
    s->halt = s->failed;
    return s->failed ? MODEL_ERUNTIME : MODEL_OK;
}

int sim_run(sim *s)
{
    return sim_run_until(s, INFINITY);
}

int sim_step(sim *s)
{
    if (s->n == 0 || s->failed)
        return 0;
    run_one(s);
    s->halt = s->failed;
    return 1;
}

void sim_stop(sim *s)
{
    s->halt = 1;
}

double sim_now(const sim *s) { return s->now; }
double sim_peek(const sim *s) { return s->n ? s->heap[0].t : INFINITY; }
size_t sim_pending(const sim *s) { return s->n; }
uint64_t sim_executed(const sim *s) { return s->executed; }
int sim_failed(const sim *s) { return s->failed; }

int sim_check(const sim *s)
{
    if (s->n > s->cap)
        return 0;
    for (uint32_t i = 0; i < s->n; i++) {
        const heap_key *k = &s->heap[i];
        if (k->slot >= s->cap || s->slots[k->slot].pos != i)
            return 0;
        if (k->t != s->slots[k->slot].ev.t || k->t < s->now)
            return 0;
        if (i > 0 && key_less(k, &s->heap[(i - 1) / 2]))
            return 0;
    }
    /* The free list must hold exactly cap - n distinct slots, none live. */
    uint32_t nfree = 0;
    for (uint32_t i = s->free_head; i != SLOT_NONE; i = s->slots[i].pos) {
        if (i >= s->cap || ++nfree > s->cap - s->n)
            return 0;
        /* A live slot at heap index j has pos == j and heap[j].slot == it. */
        uint32_t p = s->slots[i].pos;
        if (p < s->n && s->heap[p].slot == i)
            return 0;
    }
    return nfree == s->cap - s->n;
}

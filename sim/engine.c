/* sim/engine.c -- index-tracking 4-ary heap of 16-byte keys over slot arrays.
 *
 * heap[0..n) is a 4-ary min-heap (children of i: 4i+1 .. 4i+4; half the
 * depth of a binary heap, which measured 10-25% faster from 11 to 10^4
 * pending events) holding one key per pending event: the bits of its time t in the
 * high 64 bits, then (seq << SLOT_BITS | slot). Times are >= 0 (-0.0 is
 * stored as +0.0), and the IEEE bits of non-negative doubles order as the
 * numbers do, so one unsigned 128-bit comparison orders by (t, seq): no
 * floating-point compare, no tie branch, and the choice between two
 * children compiles to a conditional move.
 *
 * Per slot, in separate dense arrays: ev (the payload), pos (its heap index
 * while live; the next free slot while free: a singly linked free list from
 * free_head) and gen (bumped on each release, for stale handles).
 * heap capacity == slot capacity, and live slots == n, always.
 *
 * A handler that schedules an event usually schedules it soon: so the event
 * being run keeps its key at the root while its handler runs (`dead`; its
 * slot is already free), and the handler's first push replaces the root and
 * sifts down -- one sift instead of a pop's and a push's. Any other
 * operation first settles (pops) the dead root, as does the run loop when
 * the handler returns without pushing. Measured on bench/bench_engine.c's
 * M/M/c: ~15% less time per event.
 *
 * seq has SEQ_BITS bits. When it would overflow, the pending keys are sorted
 * and renumbered 0..n-1 in order (a sorted array is a heap): ties keep their
 * FIFO order, and this costs O(n log n) once per 2^SEQ_BITS pushes.
 * tests/test_engine_seq.c builds this file with a tiny SEQ_BITS to check it.
 */
#include "sim/engine.h"

#include "base/status.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#if !defined(__SIZEOF_INT128__)
#error "sim/engine.c needs unsigned __int128 (GCC or Clang on a 64-bit target)"
#endif

#if defined(__GNUC__)
#define ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define ALWAYS_INLINE inline
#endif

#define SLOT_BITS 30
#ifndef SEQ_BITS
#define SEQ_BITS 34 /* 1.7e10 pushes between renumberings */
#endif
_Static_assert(SLOT_BITS + SEQ_BITS <= 64, "seq and slot share 64 bits");

#define SLOT_NONE UINT32_MAX
#define SLOT_MASK ((UINT64_C(1) << SLOT_BITS) - 1)
#define SEQ_LIMIT (UINT64_C(1) << SEQ_BITS)
#define CAP_DEFAULT 64u
#define CAP_MAX (UINT32_C(1) << SLOT_BITS)

typedef unsigned __int128 hkey;

_Static_assert(sizeof(sim_event) == 32, "events are 32 bytes");

struct sim {
    hkey *heap;
    sim_event *ev;   /* [cap] payloads by slot */
    uint32_t *pos;   /* [cap] heap index (live) or next free slot (free) */
    uint32_t *gen;   /* [cap] bumped each time the slot is released */
    uint32_t n, cap;
    uint32_t free_head;
    int dead;        /* heap[0] is the running event's key, its slot free */
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

static inline uint64_t time_bits(double t)
{
    t += 0.0; /* -0.0 -> +0.0 */
    uint64_t b;
    memcpy(&b, &t, sizeof b);
    return b;
}

static inline double key_time(hkey k)
{
    uint64_t b = (uint64_t)(k >> 64);
    double t;
    memcpy(&t, &b, sizeof t);
    return t;
}

static inline uint32_t key_slot(hkey k) { return (uint32_t)((uint64_t)k & SLOT_MASK); }

static inline hkey key_make(double t, uint64_t seq, uint32_t slot)
{
    return (hkey)time_bits(t) << 64 | (hkey)(seq << SLOT_BITS | slot);
}

/* Put k at hole i, moving parents down while k is smaller. */
static ALWAYS_INLINE void sift_up(sim *s, uint32_t i, hkey k)
{
    hkey *restrict h = s->heap;
    uint32_t *restrict pos = s->pos;
    while (i > 0) {
        uint32_t p = (i - 1) / 4;
        hkey hp = h[p];
        if (!(k < hp))
            break;
        h[i] = hp;
        pos[key_slot(hp)] = i;
        i = p;
    }
    h[i] = k;
    pos[key_slot(k)] = i;
}

/* Index of the least of the children c .. min(c + 4, n) - 1 (at least one);
 * with all four, a two-round tournament of conditional moves. */
static inline uint32_t min_child(const hkey *h, uint32_t c, uint32_t n)
{
    if (c + 4 <= n) {
        uint32_t a = c + (h[c + 1] < h[c]);
        uint32_t b = c + 2 + (h[c + 3] < h[c + 2]);
        return h[b] < h[a] ? b : a;
    }
    uint32_t m = c;
    for (uint32_t j = c + 1; j < n; j++)
        m = h[j] < h[m] ? j : m;
    return m;
}

/* Put k at hole i, moving the least child up while it is smaller than k. */
static inline void sift_down(sim *s, uint32_t i, hkey k)
{
    hkey *restrict h = s->heap;
    uint32_t *restrict pos = s->pos;
    uint32_t n = s->n;
    for (;;) {
        uint32_t c = 4 * i + 1;
        if (c >= n)
            break;
        c = min_child(h, c, n);
        hkey hc = h[c];
        if (!(hc < k))
            break;
        h[i] = hc;
        pos[key_slot(hc)] = i;
        i = c;
    }
    h[i] = k;
    pos[key_slot(k)] = i;
}

/* Remove the root (n > 0). Floyd's bottom-up variant: the hole goes down to
 * a leaf along the least children (no comparison with the last key, so the
 * loop's exit is predictable), then the last key rises from there, usually
 * little. */
static ALWAYS_INLINE void pop_root(sim *s)
{
    hkey *restrict h = s->heap;
    uint32_t *restrict pos = s->pos;
    uint32_t n = --s->n;
    if (n == 0)
        return;
    hkey last = h[n];
    uint32_t i = 0, c;
    while ((c = 4 * i + 1) < n) {
        c = min_child(h, c, n);
        h[i] = h[c];
        pos[key_slot(h[i])] = i;
        i = c;
    }
    sift_up(s, i, last);
}

/* Pop the dead root, if any: afterwards every key in the heap is live. */
static ALWAYS_INLINE void settle(sim *s)
{
    if (s->dead) {
        s->dead = 0;
        pop_root(s);
    }
}

/* Remove the key at heap index i (its slot stays allocated). */
static inline void heap_remove_at(sim *s, uint32_t i)
{
    assert(i < s->n);
    hkey last = s->heap[--s->n];
    if (i == s->n)
        return;
    if (i > 0 && last < s->heap[(i - 1) / 4])
        sift_up(s, i, last);
    else
        sift_down(s, i, last);
}

static ALWAYS_INLINE void slot_release(sim *s, uint32_t idx)
{
    s->gen[idx]++;
    s->pos[idx] = s->free_head;
    s->free_head = idx;
}

/* Link slots [from, to) into the free list, lowest index first out. */
static void free_link(sim *s, uint32_t from, uint32_t to)
{
    for (uint32_t i = to; i-- > from;) {
        s->pos[i] = s->free_head;
        s->free_head = i;
    }
}

static int grow(sim *s)
{
    if (s->cap >= CAP_MAX)
        return -1;
    uint32_t cap = s->cap * 2;
    hkey *h = realloc(s->heap, (size_t)cap * sizeof *h);
    if (!h)
        return -1;
    s->heap = h;
    sim_event *ev = realloc(s->ev, (size_t)cap * sizeof *ev);
    if (!ev)
        return -1;
    s->ev = ev;
    uint32_t *pos = realloc(s->pos, (size_t)cap * sizeof *pos);
    if (!pos)
        return -1;
    s->pos = pos;
    uint32_t *gen = realloc(s->gen, (size_t)cap * sizeof *gen);
    if (!gen)
        return -1;
    s->gen = gen;
    memset(gen + s->cap, 0, (size_t)(cap - s->cap) * sizeof *gen);
    free_link(s, s->cap, cap);
    s->cap = cap;
    return 0;
}

static int cmp_key(const void *a, const void *b)
{
    hkey x = *(const hkey *)a, y = *(const hkey *)b;
    return x < y ? -1 : x > y;
}

/* seq is about to overflow: sort the pending keys and number them 0..n-1. */
static void renumber(sim *s)
{
    assert(s->n < SEQ_LIMIT); /* n <= 2^30 < 2^34 (tests use fewer bits) */
    qsort(s->heap, s->n, sizeof *s->heap, cmp_key);
    for (uint32_t i = 0; i < s->n; i++) {
        uint32_t slot = key_slot(s->heap[i]);
        s->heap[i] = (s->heap[i] >> 64 << 64) | (hkey)((uint64_t)i << SLOT_BITS | slot);
        s->pos[slot] = i;
    }
    s->seq = s->n;
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
    s->ev = malloc((size_t)cap * sizeof *s->ev);
    s->pos = malloc((size_t)cap * sizeof *s->pos);
    s->gen = calloc(cap, sizeof *s->gen);
    if (!s->heap || !s->ev || !s->pos || !s->gen)
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
    free(s->ev);
    free(s->pos);
    free(s->gen);
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
    for (uint32_t i = (uint32_t)s->dead; i < s->n; i++)
        slot_release(s, key_slot(s->heap[i]));
    s->n = 0;
    s->dead = 0;
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
    if (s->seq == SEQ_LIMIT) {
        settle(s);
        renumber(s);
    }
    uint32_t idx = s->free_head;
    s->free_head = s->pos[idx];
    s->ev[idx] = (sim_event){.t = t, .type = type, .a = a, .b = b, .c = c, .x = x};
    hkey k = key_make(t, s->seq++, idx);
    if (s->dead) { /* replace the running event's key: t >= now, so no sift up */
        s->dead = 0;
        sift_down(s, 0, k);
    } else {
        sift_up(s, s->n++, k);
    }
    return ((uint64_t)s->gen[idx] << 32) | ((uint64_t)idx + 1);
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
    if (idx >= s->cap || s->gen[idx] != gen)
        return 0;
    settle(s);
    /* gen matches: the slot has not been released since the push, so it is
     * live. (The position test only rejects forged or foreign handles.) */
    uint32_t pos = s->pos[idx];
    if (pos >= s->n || key_slot(s->heap[pos]) != idx)
        return 0;
    heap_remove_at(s, pos);
    slot_release(s, (uint32_t)idx);
    return 1;
}

/* Run the next event's handler, its key left at the root as `dead` (see
 * the top of this file), then settle. Requires n > 0 and nothing dead. */
static ALWAYS_INLINE void run_one(sim *s)
{
    uint32_t slot = key_slot(s->heap[0]);
    sim_event ev = s->ev[slot];
    slot_release(s, slot);
    s->dead = 1;
    assert(ev.t >= s->now);
    s->now = ev.t;
    s->executed++;
    sim_handler fn = s->on[ev.type].fn;
    assert(fn != NULL);
    fn(s, &ev, s->on[ev.type].ctx);
    settle(s);
}

int sim_run_until(sim *s, double t_end)
{
    assert(!isnan(t_end));
    assert(!s->dead); /* not from a handler */
    s->halt = s->failed;
    while (s->n > 0 && !s->halt && key_time(s->heap[0]) <= t_end)
        run_one(s);
    if (!s->halt && t_end > s->now && isfinite(t_end))
        s->now = t_end;
    s->halt = s->failed;
    return s->failed ? BASE_ERUNTIME : BASE_OK;
}

int sim_run(sim *s)
{
    return sim_run_until(s, INFINITY);
}

int sim_step(sim *s)
{
    assert(!s->dead); /* not from a handler */
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
double sim_peek(const sim *s)
{
    if (!s->dead)
        return s->n ? key_time(s->heap[0]) : INFINITY;
    /* from a handler: the least of the dead root's children */
    return s->n > 1 ? key_time(s->heap[min_child(s->heap, 1, s->n)]) : INFINITY;
}

size_t sim_pending(const sim *s) { return s->n - (uint32_t)s->dead; }
uint64_t sim_executed(const sim *s) { return s->executed; }
int sim_failed(const sim *s) { return s->failed; }

int sim_check(const sim *s)
{
    if (s->n > s->cap || s->seq > SEQ_LIMIT || s->n < (uint32_t)s->dead)
        return 0;
    /* a dead root (from a handler) is no event: check the rest */
    for (uint32_t i = (uint32_t)s->dead; i < s->n; i++) {
        hkey k = s->heap[i];
        uint32_t slot = key_slot(k);
        if (slot >= s->cap || s->pos[slot] != i)
            return 0;
        if (key_time(k) != s->ev[slot].t || key_time(k) < s->now)
            return 0;
        if ((uint64_t)k >> SLOT_BITS >= s->seq)
            return 0;
        if (i > 0 && k < s->heap[(i - 1) / 4])
            return 0;
    }
    /* The free list must hold exactly cap - n distinct slots, none live. */
    uint32_t nfree = 0, live = s->n - (uint32_t)s->dead;
    for (uint32_t i = s->free_head; i != SLOT_NONE; i = s->pos[i]) {
        if (i >= s->cap || ++nfree > s->cap - live)
            return 0;
        /* A live slot at heap index j has pos == j and heap[j]'s slot == it. */
        uint32_t p = s->pos[i];
        if (p >= (uint32_t)s->dead && p < s->n && key_slot(s->heap[p]) == i)
            return 0;
    }
    return nfree == s->cap - live;
}

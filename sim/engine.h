/* sim/engine.h -- the discrete-event engine: a clock and a future event list.
 *
 * A sim holds pending events in an array 4-ary min-heap ordered by (t, seq);
 * seq is a counter taken at push time, so events due at the same instant run
 * first-in first-out and a run is reproducible bit for bit. (seq is kept in
 * 34 bits: once every 2^34 pushes the pending events are renumbered in
 * order, O(n log n); nothing observable changes.)
 * An event carries a small integer `type` that indexes the handler table
 * registered with sim_on(), and a payload of three ints and one word
 * (double, pointer or int64): sizeof(sim_event) == 32.
 *
 * Invariants
 *   - Only sim_run(), sim_run_until() and sim_step() advance the clock, and
 *     never backwards: every event runs at ev->t >= sim_now() (asserted).
 *   - Scheduling in the past (t < sim_now(), or t NaN) is a programming
 *     error (asserted). Events at t == sim_now() are allowed and run after
 *     everything already due at that instant.
 *   - A handler may push and cancel events and call sim_stop(); the run
 *     returns once that handler returns.
 *
 * Costs (n = pending events)
 *   push O(log n), pop O(log n), peek O(1), cancel O(log n): the heap tracks
 *   each event's position (index-tracking heap), so a cancelled event leaves
 *   the heap at once and sim_pending() is exact; nothing lingers.
 *   No allocation per event: payloads live in a slot array with a free list;
 *   the heap and slot arrays grow by doubling (amortised O(1)) and
 *   sim_reset() keeps their capacity. Memory: 56 bytes per slot (16 key,
 *   32 payload, 8 bookkeeping); at most 2^30 pending events.
 *   Measured (bench/bench_engine.c, 2.3 GHz Xeon VM, one core): ~30 ns per
 *   event with 11 pending, ~40 ns with 100, ~84 ns with 10^4 (cache
 *   misses); an M/M/10 queue, model and draws included, ~42 ns.
 *   A handler's first push is cheapest (it takes the running event's place
 *   in the heap: sim/engine.c): schedule the soonest event first.
 *
 * Handles: sim_push() returns a sim_handle naming (slot, generation). A
 * slot's generation is bumped when its event runs or is cancelled, so a
 * stale handle is recognised and sim_cancel() on it is a harmless no-op
 * returning 0, as is any value naming no pending slot of this sim. 0 is
 * never a valid handle. (A handle kept across 2^32 reuses of its slot, or
 * one from another sim, can alias a pending event: don't.)
 *
 * Errors: growing the arrays can fail (out of memory). sim_push() then
 * returns 0 and the sim becomes sticky-failed: the current run stops after
 * the running handler and returns BASE_ERUNTIME until sim_reset().
 *
 * Ownership: sim_new() returns an owned sim freed by sim_free(); handler
 * contexts and event pointers are borrowed. A sim is not thread-safe: use
 * one per thread (see sim/mc.h).
 */
#ifndef FORKCAST_SIM_ENGINE_H
#define FORKCAST_SIM_ENGINE_H

#include <stddef.h>
#include <stdint.h>

/* Handler types are 0 .. SIM_TYPES_MAX-1. */
enum { SIM_TYPES_MAX = 64 };

typedef union sim_word {
    double d;
    void *p;
    int64_t i;
} sim_word;

typedef struct sim_event {
    double t;         /* due time (absolute, s) */
    uint32_t type;    /* handler index, < SIM_TYPES_MAX */
    int32_t a, b, c;  /* payload */
    sim_word x;       /* payload */
} sim_event;

typedef uint64_t sim_handle; /* 0: none */
typedef struct sim sim;

/* Called for each event at its due time; ev is a copy owned by the engine,
 * valid for the call. The event has already left the heap. */
typedef void (*sim_handler)(sim *s, const sim_event *ev, void *ctx);

/* A new, empty sim at time 0 with room for `capacity` pending events
 * (0: a small default). NULL when out of memory. */
sim *sim_new(size_t capacity);
void sim_free(sim *s);

/* Register fn (with its borrowed ctx) for events of `type` (< SIM_TYPES_MAX).
 * Registering again replaces. Running an event whose type has no handler is
 * a programming error (asserted). */
void sim_on(sim *s, uint32_t type, sim_handler fn, void *ctx);

/* Back to time 0 with no pending events, seq 0 and no error; capacity and
 * handlers are kept, handles to the dropped events become stale. O(n). */
void sim_reset(sim *s);

/* Schedule a copy of *ev at ev->t (absolute, >= sim_now()). Returns its
 * handle, or 0 when out of memory (the sim is then failed, see above).
 * C11 call: sim_push(s, &(sim_event){.t = t, .type = EV_DONE, .a = i}). */
sim_handle sim_push(sim *s, const sim_event *ev);

/* Remove a pending event. Returns 1 if it was pending (it will never run),
 * 0 if the handle is 0, stale, or names an event that already ran. */
int sim_cancel(sim *s, sim_handle h);

/* Run events in (t, seq) order until none is left or a handler calls
 * sim_stop(). Returns BASE_OK, or BASE_ERUNTIME if the sim failed. */
int sim_run(sim *s);

/* Run the events due at t <= t_end (not NaN), then, unless stopped or
 * failed, move the clock to t_end (if t_end > sim_now() and finite). Events
 * at exactly t_end run. Returns as sim_run(). */
int sim_run_until(sim *s, double t_end);

/* Run exactly the next event (a sim_stop() from it has no effect). Returns
 * 1 if one ran, 0 if none was pending or the sim has failed. */
int sim_step(sim *s);

/* From a handler: end the current run after this handler returns. Outside
 * a run it does nothing (each run starts unstopped). */
void sim_stop(sim *s);

double sim_now(const sim *s);
/* Due time of the next event, INFINITY if none. O(1). */
double sim_peek(const sim *s);
/* Events pending now. */
size_t sim_pending(const sim *s);
/* Events run since sim_new()/sim_reset(). */
uint64_t sim_executed(const sim *s);
/* 1 once a push failed for lack of memory. */
int sim_failed(const sim *s);

/* Self-check for tests: heap order, position tracking and slot bookkeeping.
 * Returns 1 if every invariant holds. O(capacity). */
int sim_check(const sim *s);

/* Convenience for payload-free events: t absolute / dt relative to now.
 * One call each (sim_after does not go through sim_now()). */
sim_handle sim_at(sim *s, double t, uint32_t type, int32_t a, int32_t b);
sim_handle sim_after(sim *s, double dt, uint32_t type, int32_t a, int32_t b);

#endif

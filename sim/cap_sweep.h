/* sim/cap_sweep.h -- the pool-size search of `forkcast capacity --sweep
 * max_containers=A..B [--p95-target S]`: capacity runs (sim/capacity.h) of
 * one scenario at several max_containers, all with the scenario's seed.
 *
 * The sizes start at max(A, min_containers, buffer_containers,
 * initial_warm) (a smaller pool could not hold those) and end at B. Without a target every size is
 * run (at most SIM_CAP_SWEEP_MAX_RUNS of them). With a target S the search
 * bisects for the smallest size that meets it (stable, latency p95 <= S
 * over the served jobs), assuming that does not fail again as the pool
 * grows (common seed): the low end first, then the
 * high end, then halving the gap -- about log2(B - A) + 2 runs.
 *
 * The result lists every run made in ascending size; sim_cap_sweep_json()
 * writes it as docs/capacity.md states (the run header of
 * sim_cap_header_json() without pool.max_containers, "sweep", "from", "to",
 * with a target "p95_target_s", "smallest" (null when none), and "runs":
 * {"max_containers"[, "meets_target"], every result field}).
 *
 * Ownership: sim_cap_sweep_run() returns an owned result freed by
 * sim_cap_sweep_free(); it borrows the scenario only during the call (each
 * run uses a view of it with max_containers replaced). Cost: one capacity
 * run per size listed.
 */
#ifndef FORKCAST_SIM_CAP_SWEEP_H
#define FORKCAST_SIM_CAP_SWEEP_H

#include "model/scenario.h"
#include "sim/capacity.h"

#include <cjson/cJSON.h>
#include <stddef.h>

#define SIM_CAP_SWEEP_MAX_RUNS 4096

typedef struct {
    long from, to;          /* pool sizes asked for, 1 <= from <= to */
    double p95_target;      /* latency p95 target, s; 0: run every size */
} sim_cap_sweep_spec;

typedef struct {
    long size;              /* max_containers of this run */
    int seq;                /* the order it ran in: 0, 1, ... */
    sim_cap_result r;
} sim_cap_sweep_point;

typedef struct {
    long lo, hi;            /* the sizes searched */
    double p95_target;      /* 0: none */
    long smallest;          /* with a target: the smallest size meeting it, -1 none */
    int n;                  /* runs made, ascending by size */
    sim_cap_sweep_point *runs;
} sim_cap_sweep;

/* Run the sweep. BASE_EINPUT when no size is left ("--sweep: nothing to
 * run: ...") or too many without a target, or when a run refuses the
 * scenario (its message); BASE_ERUNTIME out of memory. */
int sim_cap_sweep_run(const model_scenario *s, const sim_cap_sweep_spec *spec, sim_cap_sweep **out,
                      char *err, size_t errsz);
void sim_cap_sweep_free(sim_cap_sweep *sw);

/* The same search over sizes lo..hi (1 <= lo <= hi, already raised to what
 * the pools need) with another run: fn(ctx, size, seq, out, ...) fills the
 * result the target is judged on (sim/cap_pipe.h runs a pipeline). */
typedef int (*sim_cap_sweep_fn)(void *ctx, long size, int seq, sim_cap_result *out, char *err, size_t errsz);
int sim_cap_sweep_run_fn(long lo, long hi, double p95_target, sim_cap_sweep_fn fn, void *ctx, sim_cap_sweep **out,
                         char *err, size_t errsz);

/* 1 when run i meets the target: stable, some job served, and the served
 * jobs' latency p95 <= p95_target. */
int sim_cap_sweep_meets(const sim_cap_sweep *sw, int i);

/* The JSON above; an owned tree (cJSON_Delete), NULL when out of memory. */
cJSON *sim_cap_sweep_json(const model_scenario *s, const sim_cap_sweep *sw);
/* Its parts, for another sweep's document (sim/cap_pipe.h):
 * sim_cap_sweep_add_json() adds "sweep", "from", "to" (and "p95_target_s",
 * "smallest") to o and returns its new "runs" array; sim_cap_sweep_run_json()
 * appends run i to it ("max_containers", "meets_target", the result) and
 * returns the entry. NULL when out of memory. */
cJSON *sim_cap_sweep_add_json(cJSON *o, const sim_cap_sweep *sw);
cJSON *sim_cap_sweep_run_json(cJSON *runs, const sim_cap_sweep *sw, int i);

#endif

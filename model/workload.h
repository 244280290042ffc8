/* model/workload.h -- what a capacity run asks of a scenario beyond its
 * parse: the per-job GPU policy grammar, the workload and pool checks, and
 * their names as the outputs print them.
 *
 * Policy grammar (parallel.policy, --policy): "auto", "fixed:K" or
 * "threshold:FRAMES:K" with 1 <= K <= MODEL_MAX_GPUS and 1 <= FRAMES <=
 * MODEL_MAX_FRAMES; nothing after the last number. Parsed here only.
 *
 * Checks, each rule written once:
 *   model_pool_check             container counts >= 0, min and buffer at
 *                                most max (when max > 0), scale-down finite
 *                                and >= 0; the scenario parser runs it on
 *                                every scenario;
 *   model_workload_check_section a workload section as written: exactly one
 *                                source, a run length (hours or jobs; a trace
 *                                is its own), not both; the parser runs it
 *                                when the section exists;
 *   model_workload_check         everything a capacity run needs, after any
 *                                command-line overrides: a source ("missing"
 *                                when none), the section's rules, a positive
 *                                finite rate, warm-up < jobs, the pool, K.
 * Messages are one line, "FILE: FIELD: problem", status BASE_EINPUT. The
 * trace file itself (readable, ordered) is sim/capacity.h's to check.
 *
 * Everything borrows the scenario; O(1), no memory.
 */
#ifndef FORKCAST_MODEL_WORKLOAD_H
#define FORKCAST_MODEL_WORKLOAD_H

#include "model/scenario.h"

#include <stddef.h>

typedef struct {
    model_policy_kind kind;
    int k;          /* FIXED, THRESHOLD */
    long frames;    /* THRESHOLD: jobs of at least this many frames get k */
} model_policy;

/* Parse the grammar above: 0 with *out filled, or -1 (out untouched); the
 * caller words the message (it knows whether it read a file or an option). */
int model_policy_parse(const char *text, model_policy *out);
/* The scenario's policy, and its write-back (plain field writes). */
model_policy model_policy_of(const model_scenario *s);
void model_policy_set(model_scenario *s, const model_policy *p);
/* The policy as the grammar writes it ("fixed:4") into buf. */
void model_policy_name(const model_scenario *s, char *buf, size_t n);

/* The workload in words: "Poisson 83.3 jobs/h for 24 h", "daily profile
 * (2000 jobs/day, peak 150/h) for 48 h", "trace PATH". */
void model_workload_name(const model_scenario *s, char *buf, size_t n);

int model_pool_check(const model_scenario *s, char *err, size_t errsz);
int model_workload_check_section(const model_scenario *s, char *err, size_t errsz);
int model_workload_check(const model_scenario *s, char *err, size_t errsz);

#endif

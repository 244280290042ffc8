/* model/workload.h -- what a capacity run asks of a scenario beyond its
 * parse: the per-job GPU policy grammar, the workload and pool checks, and
 * their names as the outputs print them.
 *
 * Policy grammar (parallel.policy, --policy): "auto", "fixed:K" or
 * "threshold:FRAMES:K" with 1 <= K <= MODEL_MAX_GPUS and 1 <= FRAMES <=
 * MODEL_MAX_FRAMES; nothing after the last number. Parsed here only.
 *
 * Idle rule (platform.idle_rule, --idle-rule): "last_idle", "newest" or
 * "oldest" (docs/capacity.md says what each picks).
 *
 * Concurrency: a container serves up to max_inputs inputs at once (absent:
 * 1) with total throughput theta(n) at n inputs: concurrency_throughput[n-1]
 * when given, else n (linear: inputs do not slow each other).
 *
 * Checks, each rule written once:
 *   model_pool_check             container counts >= 0, min, buffer and
 *                                initial_warm at most max (when max > 0),
 *                                scale-down finite and >= 0, max_queue >= 0,
 *                                queue_timeout_s finite and >= 0, the
 *                                throughput list (max_inputs entries, the
 *                                first 1, theta(n) <= n); the scenario
 *                                parser runs it on every scenario;
 *   model_workload_check_section a workload section as written: exactly one
 *                                source, a run length (hours or jobs; a trace
 *                                is its own), not both; the parser runs it
 *                                when the section exists;
 *   model_workload_check         everything a capacity run needs, after any
 *                                command-line overrides: a source ("missing"
 *                                when none; one of rate_per_hour,
 *                                rate_per_hour_by_hour, interarrival_s,
 *                                trace), the section's rules, a positive
 *                                finite rate (a mean gap of at least
 *                                MODEL_MIN_GAP_S), warm-up < jobs, the
 *                                pool, K.
 * Messages are one line, "FILE: FIELD: problem", status BASE_EINPUT. The
 * trace file itself (readable, ordered) is sim/capacity.h's to check.
 *
 * Everything borrows the scenario; O(1), no memory.
 */
#ifndef FORKCAST_MODEL_WORKLOAD_H
#define FORKCAST_MODEL_WORKLOAD_H

#include "model/scenario.h"

#include <stddef.h>

#define MODEL_MIN_GAP_S 3.6e-6   /* the mean gap of 1e9 jobs/h, the largest rate */

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

/* The idle rule's name as the grammar writes it; parse: 0, or -1 (out untouched). */
const char *model_idle_rule_name(model_idle_rule r);
int model_idle_rule_parse(const char *text, model_idle_rule *out);

/* Inputs a container serves at once (>= 1), and its total throughput at
 * 1 <= n <= that many inputs; 1 when the throughput is linear (n). */
int model_pool_inputs(const model_scenario *s);
double model_pool_throughput(const model_scenario *s, int n);
int model_pool_linear(const model_scenario *s);

/* The workload in words: "Poisson 83.3 jobs/h for 24 h", "daily profile
 * (2000 jobs/day, peak 150/h) for 48 h", "renewal, gamma gaps of mean
 * 16 s (225 jobs/h) for 24 h", "trace PATH". */
void model_workload_name(const model_scenario *s, char *buf, size_t n);

int model_pool_check(const model_scenario *s, char *err, size_t errsz);
int model_workload_check_section(const model_scenario *s, char *err, size_t errsz);
int model_workload_check(const model_scenario *s, char *err, size_t errsz);

#endif

/* cli/cap_plan.h -- `forkcast capacity` on a pipeline scenario: which plan
 * runs (--plan) and the pools of single groups (--group); docs/capacity.md,
 * "Pipelines".
 *
 * --plan current       pipeline.current (the default when there is one)
 * --plan recommended   what `forkcast plan` recommends for the scenario (its
 *                      plan section's objective and targets)
 * --plan SPEC          groups as `forkcast plan` prints them: "framing:
 *                      4 x H100 -> overlay: 1 x T4", or "framing:4xH100,
 *                      overlay:1xT4"; stages of a group joined by '+'
 * --plan stage         no pipeline: stage.per_frame_s as one stage (what
 *                      capacity ran on such a file before pipelines)
 *
 * --group G:FIELD=V[,FIELD=V...] sets pool fields of group G alone (G: its
 * number from 1, or the name of one of its stages): max_containers,
 * min_containers, buffer_containers, scaledown_window_s, max_queue (N or
 * unlimited), queue_timeout_s, max_inputs, initial_warm, idle_rule. Value
 * ranges as the options of the same name; the pool checks (min <= max, ...)
 * run with the group's name in the message.
 *
 * Errors are printed (one line) and returned as CLI_EUSAGE / the library's
 * status. Everything borrows its arguments; the plan is the caller's to free
 * (sim_cap_plan_free) on success.
 */
#ifndef FORKCAST_CLI_CAP_PLAN_H
#define FORKCAST_CLI_CAP_PLAN_H

#include "model/scenario.h"
#include "sim/cap_pipe.h"

#define CLI_CAP_MAX_GROUP_OPTS 16

/* The plan named by `plan` (NULL: current) on scenario s (which has a
 * pipeline section), into *pl. */
int cli_cap_plan_resolve(const model_scenario *s, const char *plan, sim_cap_plan *pl);

/* Apply --group options opts[0..n) to pl's views. */
int cli_cap_group_apply(sim_cap_plan *pl, const char *const *opts, int n);

#endif

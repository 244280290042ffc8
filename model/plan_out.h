/* model/plan_out.h -- a plan search as JSON and CSV.
 *
 * model_plan_json() returns an owned cJSON tree (cJSON_Delete):
 *   {"scenario", "method": "plan", "objective", ["balanced_weight"],
 *    "targets": {"p95_s", "max_cost_usd"} (null when none), "frames",
 *    "stages": [{"name", "per_frame_s": {GPU: mean}, "source": {GPU: text}}],
 *    "gpu_types", "candidates", "enumerated", "search_s",
 *    "plans": [PLAN...] (the Pareto set, ascending cost),
 *    "recommended": PLAN|null, "runner_up": PLAN|null, "current": PLAN|null,
 *    "closest": [PLAN...] (when nothing meets the targets), "summary", "why"}
 * PLAN = {"plan" (for people), "groups": [{"stages", "gpu", "gpus",
 *   "wall_s": {"mean", "p95"}, "cost_usd": {"mean"}}], "wall_s": {"mean",
 *   "p95"}, "cost_usd": {"mean"}, "pareto", "meets_targets", ["score"]}.
 * Field names are a contract: add, never rename.
 * model_plan_csv() writes every candidate (and the current plan), one row
 * each, strings quoted per RFC 4180 (base/csv.h); 0, or -1 when a write
 * failed.
 */
#ifndef FORKCAST_MODEL_PLAN_OUT_H
#define FORKCAST_MODEL_PLAN_OUT_H

#include "model/plan.h"

#include <cjson/cJSON.h>
#include <stdio.h>

cJSON *model_plan_json(const model_plan_result *r);
cJSON *model_plan_cand_json(const model_plan_result *r, const model_plan_cand *c);
int model_plan_csv(FILE *f, const model_plan_result *r);

#endif

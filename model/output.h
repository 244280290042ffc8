/* model/output.h -- DESIGN.md's result JSON and a CSV of the same numbers.
 *
 * model_eval_json() returns an owned cJSON tree (free with cJSON_Delete):
 *   {"scenario","method","frames",["replications","seed"],
 *    "results":[{"gpus","wall_s":{mean,p50,p95,p99[,sd,stderr]},
 *                "cost_usd":{mean,p50,p95,p99[,sd,stderr]},"speedup","cost_ratio",
 *                "beneficial","breakdown_s":{start,request,download,ffmpeg_start,
 *                seek,process,upload,concat}[,"objective_usd"]}],
 *    "verdict":{"parallelize","best_gpus","summary","objective"},
 *    "break_even_frames":{"2":N|null,...}}
 * Field names are a contract: add, never rename. stderr/sd appear for sim.
 * model_eval_csv() returns a malloc'd CSV text, one row per GPU count.
 */
#ifndef FORKCAST_MODEL_OUTPUT_H
#define FORKCAST_MODEL_OUTPUT_H

#include "model/evaluate.h"

#include <cjson/cJSON.h>

cJSON *model_eval_json(const model_scenario *s, const model_eval *e);
char *model_eval_csv(const model_scenario *s, const model_eval *e);

/* n with thousands separators ("41,000") into buf; returns buf. */
const char *model_format_count(long n, char *buf, size_t sz);

#endif

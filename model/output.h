/* model/output.h -- the result JSON (docs/outputs.md) and a CSV of the same numbers.
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
 * model_eval_csv() returns a malloc'd CSV text, one row per GPU count:
 *   scenario,method,frames,gpus,wall_mean_s,wall_p50_s,wall_p95_s,wall_p99_s,
 *   wall_stderr_s,cost_mean_usd,cost_p95_usd,speedup,cost_ratio,beneficial,
 *   break_even_frames
 * A value the method has no figure for is an empty field, never a 0:
 * wall_stderr_s of the closed form; break_even_frames of 1 GPU, of a count
 * with no break-even up to 10^8 frames, and where it was not computed
 * (--no-break-even, a simulation). model_eval_csv_sim() adds
 * advise's simulated column (sim/advise_col.h): sim_replications,
 * sim_wall_p95_s, empty when sim is NULL (--no-sim).
 */
#ifndef FORKCAST_MODEL_OUTPUT_H
#define FORKCAST_MODEL_OUTPUT_H

#include "model/evaluate.h"

#include <cjson/cJSON.h>

cJSON *model_eval_json(const model_scenario *s, const model_eval *e);
char *model_eval_csv(const model_scenario *s, const model_eval *e);
char *model_eval_csv_sim(const model_scenario *s, const model_eval *e, const model_eval *sim);

/* n with thousands separators ("41,000") into buf; returns buf. */
const char *model_format_count(long n, char *buf, size_t sz);

#endif

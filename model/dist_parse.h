/* model/dist_parse.h -- private to the scenario parser (model/scenario.c,
 * model/dist_parse.c, model/field_parse.c, model/pipeline.c): JSON values
 * into checked numbers and into distributions (model/dist.h), each refusal one line "FILE: PATH: problem
 * (got X)" with status BASE_EINPUT.
 *
 * A time is a number >= 0 (FIXED) or an object {"dist": KIND, parameters,
 * "shift"?}; the parameter keys per kind are docs/scenario.md's:
 *   fixed value | uniform min max | normal mean sd | lognormal median p95
 *   (or mu sigma) | gamma mean cv | exponential mean | weibull scale shape |
 *   empirical samples
 * Keys starting with "_" are comments. Each kind's parameters are checked
 * against its bounds (model/bounds.h). An empirical list of one distinct value
 * is FIXED; longer lists are sorted and owned by the scenario (freed by
 * model_scenario_free()). Adding a kind: its enum and laws in model/dist.h
 * and model/dist.c, its keys in the table and its parameters in
 * parse_params() here, its name in docs/scenario.md.
 */
#ifndef FORKCAST_MODEL_DIST_PARSE_H
#define FORKCAST_MODEL_DIST_PARSE_H

#include "base/status.h"
#include "model/dist.h"
#include "model/scenario.h"

#include <cjson/cJSON.h>
#include <stddef.h>

#define MODEL_PARSE_BIG 1e300   /* "no upper bound" for a number */

typedef struct {
    const char *file;       /* names the input in messages */
    model_scenario *s;      /* being filled; owns empirical samples */
    char *err;
    size_t errsz;
} model_parse_ctx;

#define MODEL_PARSE_FAIL(c, ...) base_errf((c)->err, (c)->errsz, BASE_EINPUT, __VA_ARGS__)

/* "number", "string", "boolean", "null", "array", "object" or "invalid". */
const char *model_parse_json_type(const cJSON *j);
/* A finite number. */
int model_parse_number(model_parse_ctx *c, const cJSON *j, const char *path, double *v);
/* A finite number in [lo, hi] ((lo, hi] when open_lo). */
int model_parse_ranged(model_parse_ctx *c, const cJSON *j, const char *path, double lo, double hi, int open_lo,
                       double *v);
/* An integer in [lo, hi]. */
int model_parse_integer(model_parse_ctx *c, const cJSON *j, const char *path, double lo, double hi, double *v);
/* A time: a number or a distribution object, as above. */
int model_parse_dist(model_parse_ctx *c, const cJSON *j, const char *path, model_dist *d);
/* The fields of their own kind (model/field_parse.c), each into c->s:
 * parallel.gpus (sorted, deduplicated), parallel.policy, job.frames (an
 * integer or a distribution of frame counts), parallel.concat_billed,
 * workload.rate_per_hour_by_hour (24 rates, one > 0) and
 * platform.concurrency_throughput (owned). */
int model_parse_gpus(model_parse_ctx *c, const cJSON *j, const char *path);
int model_parse_policy(model_parse_ctx *c, const cJSON *j, const char *path);
int model_parse_frames(model_parse_ctx *c, const cJSON *j, const char *path);
int model_parse_bill(model_parse_ctx *c, const cJSON *j, const char *path);
int model_parse_rate24(model_parse_ctx *c, const cJSON *j, const char *path);
int model_parse_throughput(model_parse_ctx *c, const cJSON *j, const char *path);
/* Hand arr (malloc'd) to the scenario being filled: freed with it, or now on error. */
int model_parse_own(model_parse_ctx *c, double *arr);

#endif

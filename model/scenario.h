/* model/scenario.h -- a scenario: one stage, one platform, the GPU counts to
 * compare; parsed from JSON and validated strictly.
 *
 * The format is DESIGN.md's (docs/scenario.md has every field). Times in s,
 * sizes in MB, money in USD. Any time is a number or a distribution object
 * (model/dist.h). An omitted overhead is 0; an omitted bandwidth means the
 * transfer takes no time. Keys starting with "_" are comments, at any depth.
 * Everything else unknown is an input error with a did-you-mean.
 *
 * Files: model/scenario.c (the field table, the walk, defaults, profiles),
 * model/dist_parse.c (numbers and distribution objects), model/workload.c
 * (the policy grammar, the workload and pool checks).
 *
 * Errors are one line: "FILE: FIELD.PATH: problem (got X)", status
 * BASE_EINPUT. FILE is the name given to the parser ("(built-in)" for the
 * default).
 *
 * Ownership: model_scenario_load/parse fill a caller-owned struct whose
 * empirical sample arrays are owned by it and released by
 * model_scenario_free(). A struct copy (s2 = *s) is a borrowed view sharing
 * those arrays: never free a copy, and free the original last.
 * Overrides (frames, per-frame, gpus) are plain field writes on a copy.
 */
#ifndef FORKCAST_MODEL_SCENARIO_H
#define FORKCAST_MODEL_SCENARIO_H

#include "model/dist.h"

#include <cjson/cJSON.h>
#include <stddef.h>

#define MODEL_MAX_GPUS 4096      /* largest GPU count in a scenario */
#define MODEL_MAX_GPU_LIST 64    /* entries in parallel.gpus */
#define MODEL_MAX_FRAMES 1000000000L

typedef enum { MODEL_BILL_NONE, MODEL_BILL_CPU, MODEL_BILL_GPU } model_bill_kind;
typedef enum { MODEL_POLICY_FIXED, MODEL_POLICY_AUTO, MODEL_POLICY_THRESHOLD } model_policy_kind;

typedef struct {
    char name[128];
    char file[1024];             /* where it came from, for messages and relative paths */

    /* job */
    long frames;                 /* a single job's frames (round(mean) when a distribution) */
    model_dist frames_dist;      /* capacity runs draw job sizes from this (FIXED otherwise) */
    double input_mb, output_mb;

    /* stage */
    model_dist per_frame, ffmpeg_start, seek;

    /* platform */
    model_dist cold_start, warm_start, request;
    double download_mb_s, upload_mb_s;  /* 0: no transfer time */
    double shared_download_mb_s;        /* sim effect: one link for all of a job's downloads; 0 off */
    double gpu_per_s, cpu_per_core_s, cores, mem_per_gib_s, mem_gib;
    double bill_granularity_s, bill_minimum_s;
    int bill_includes_cold_start;       /* default 1 */
    int max_containers;                 /* 0: unlimited */
    int min_containers, buffer_containers;
    double scaledown_window_s;
    double failure_rate_per_s;          /* sim effect; 0 off */
    int max_retries;                    /* default 3 */

    /* parallel */
    int gpus[MODEL_MAX_GPU_LIST];       /* ascending, unique */
    int ngpus;
    model_dist concat, concat_per_chunk; /* concat = concat + k * one draw of per_chunk */
    model_bill_kind concat_billed;      /* default NONE */
    int chunks_per_gpu;                 /* sim effect; default 1 */
    double speculative_after;           /* sim effect: fraction of chunks done; 0 off */
    model_policy_kind policy;           /* capacity: per-job GPU count */
    int policy_k;                       /* FIXED, THRESHOLD */
    long policy_frames;                 /* THRESHOLD */

    /* sim */
    long replications;                  /* default 10000 */
    unsigned long seed;                 /* default 1 */

    /* decision */
    double min_speedup, max_cost_increase; /* defaults 1.2, 0.25 */

    /* workload (capacity planning); has_workload when the section exists */
    int has_workload;
    double rate_per_hour;               /* 0 when absent */
    double rate_by_hour[24];
    int has_rate_by_hour;
    char trace[1024];                   /* resolved against the scenario's directory; "" none */
    double hours;                       /* 0 when absent */
    long jobs;                          /* 0 when absent */
    long warmup_jobs;

    /* owned storage for empirical samples */
    double **owned;
    size_t nowned;
} model_scenario;

/* Read PATH (JSON), deep-merge each of the nprof profile files into it (their
 * scenario sections; top-level "calibration" and "fit" are metadata and
 * ignored), then parse. */
int model_scenario_load(const char *path, const char *const *profiles, int nprof,
                        model_scenario *out, char *err, size_t errsz);
/* The built-in default (data/scenarios/overlay-e7.json compiled in). */
int model_scenario_default(const char *const *profiles, int nprof, model_scenario *out,
                           char *err, size_t errsz);
/* Parse a JSON text / tree; `file` names it in messages and anchors
 * relative paths. */
int model_scenario_parse(const char *text, const char *file, model_scenario *out, char *err,
                         size_t errsz);
int model_scenario_from_json(const cJSON *root, const char *file, model_scenario *out, char *err,
                             size_t errsz);
void model_scenario_free(model_scenario *s);

/* Merge profile JSON `prof` (named `file` in messages) into `root` in place:
 * objects merge key by key, anything else replaces. */
int model_scenario_merge(cJSON *root, const cJSON *prof, const char *file, char *err, size_t errsz);

/* The built-in default scenario's JSON text. */
extern const char model_default_scenario_json[];

/* Every field path the parser knows ("job.frames", "platform.billing.minimum_s", ...),
 * NULL-terminated; for docs and the completeness test of `forkcast example`. */
const char *const *model_scenario_fields(void);

/* Check v as the number at field `path` is checked when parsed (range,
 * integer, a time's bounds: model/bounds.h), naming `who` ("--per-frame")
 * in the message "WHO: PATH: problem (got v)". For command-line overrides,
 * which then run model_bounds_scenario() on the overridden scenario. */
int model_scenario_check_value(const char *path, double v, const char *who, char *err, size_t errsz);

/* Sort a GPU list ascending and drop duplicates in place; returns the new length. */
int model_gpu_list_normalize(int *g, int n);

/* Cost rate in USD/s of one GPU container: gpu + cores*cpu + mem_gib*mem. */
double model_scenario_rate(const model_scenario *s);

#endif

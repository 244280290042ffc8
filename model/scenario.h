/* model/scenario.h -- a scenario: one stage, one platform, the GPU counts to
 * compare; parsed from JSON and validated strictly.
 *
 * The format is docs/scenario.md's (every field). Times in s,
 * sizes in MB, money in USD. Any time is a number or a distribution object
 * (model/dist.h). An omitted overhead is 0; an omitted bandwidth means the
 * transfer takes no time. Keys starting with "_" are comments, at any depth.
 * Everything else unknown is an input error with a did-you-mean.
 *
 * Files: model/scenario.c (the field table, the walk, defaults, loading),
 * model/profile.c (applying profiles, the record of what they applied),
 * model/dist_parse.c (numbers and distribution objects), model/workload.c
 * (the policy grammar, the workload and pool checks).
 *
 * Errors are one line: "FILE: FIELD.PATH: problem (got X)", status
 * BASE_EINPUT. FILE is the name given to the parser ("(built-in)" for the
 * default).
 *
 * Ownership: model_scenario_load/parse fill a caller-owned struct whose
 * empirical sample arrays are owned by it and released by
 * model_scenario_free(), as is the applied-profile record. A struct copy (s2 = *s) is a borrowed view sharing
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
#define MODEL_MAX_INPUTS 1024      /* platform.max_inputs */

typedef enum { MODEL_BILL_NONE, MODEL_BILL_CPU, MODEL_BILL_GPU } model_bill_kind;
typedef enum { MODEL_POLICY_FIXED, MODEL_POLICY_AUTO, MODEL_POLICY_THRESHOLD } model_policy_kind;
/* capacity: which idle container takes the next input (model/workload.h) */
typedef enum { MODEL_IDLE_LAST, MODEL_IDLE_NEWEST, MODEL_IDLE_OLDEST } model_idle_rule;

struct model_pipeline; /* model/pipeline.h */

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
    char gpu[128];               /* platform.gpu: the GPU type the platform describes; default "T4" */
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
    /* capacity pool (docs/capacity.md; checked by model/workload.h) */
    long max_queue;                     /* inputs allowed to wait at the cap, when has_max_queue; 0: loss */
    int has_max_queue;                  /* 0: unlimited queue */
    double queue_timeout_s;             /* a job waiting longer is dropped; 0: none */
    int max_inputs;                     /* inputs a container serves at once; 0 when absent (= 1) */
    const double *throughput;           /* [nthroughput] total throughput at 1..n inputs; NULL: linear.
                                           Parsed: in `owned`; an override points at its own array */
    int nthroughput;
    model_idle_rule idle_rule;          /* default MODEL_IDLE_LAST */

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
    model_dist interarrival;            /* renewal gaps, when has_interarrival */
    int has_interarrival;
    int initial_warm;                   /* containers warm and idle at t = 0 (with min_containers: the larger) */

    /* the pipeline and plan sections (model/pipeline.h); owned, NULL when
     * the scenario has neither */
    struct model_pipeline *pipeline;

    /* owned storage for empirical samples */
    double **owned;
    size_t nowned;

    /* What the --with profiles applied (model/profile.h), a cJSON array
     * owned by the struct; NULL when none was given. */
    cJSON *applied;
} model_scenario;

/* Read PATH (JSON), apply each of the nprof profile files to it in order
 * (model/profile.h: a field a profile gives replaces the scenario's value
 * whole), then parse. An error inside a profile names the profile; an error
 * of the merged whole names PATH and the profiles applied. out->applied
 * records what the profiles applied (NULL when nprof is 0). A kernel-only
 * profile is refused unless flags has MODEL_PROFILE_ALLOW_KERNEL_ONLY. */
int model_scenario_load(const char *path, const char *const *profiles, int nprof,
                        model_scenario *out, char *err, size_t errsz);
int model_scenario_load_flags(const char *path, const char *const *profiles, int nprof, unsigned flags,
                              model_scenario *out, char *err, size_t errsz);
/* The built-in default (data/scenarios/overlay-e7.json compiled in). */
int model_scenario_default(const char *const *profiles, int nprof, model_scenario *out,
                           char *err, size_t errsz);
int model_scenario_default_flags(const char *const *profiles, int nprof, unsigned flags,
                                 model_scenario *out, char *err, size_t errsz);
/* Parse a JSON text / tree; `file` names it in messages and anchors
 * relative paths. */
int model_scenario_parse(const char *text, const char *file, model_scenario *out, char *err,
                         size_t errsz);
int model_scenario_from_json(const cJSON *root, const char *file, model_scenario *out, char *err,
                             size_t errsz);
void model_scenario_free(model_scenario *s);

/* Apply profile JSON `prof` (named `file` in messages) to `root` in place,
 * without validating it or recording it (model/profile.c): each field it
 * gives replaces root's value whole; sections merge field by field;
 * metadata, comments and a kernel_only section are skipped. */
int model_scenario_merge(cJSON *root, const cJSON *prof, const char *file, char *err, size_t errsz);

/* The built-in default scenario's JSON text. */
extern const char model_default_scenario_json[];

/* Every field path the parser knows ("job.frames", "platform.billing.minimum_s", ...),
 * NULL-terminated; for docs and the completeness test of `forkcast example`. */
const char *const *model_scenario_fields(void);

/* For model/pipeline.c, which parses the pipeline and plan sections with the
 * same rules. model_scenario_parse_time: a time (number or distribution) at
 * JSON node j, named `path` in messages, its samples owned by s.
 * model_scenario_apply: the fields of a fragment ({"platform": {...}})
 * parsed over s as it is (no defaults), then the pool checks; messages name
 * the fragment's paths. (A did-you-mean over other names:
 * base_did_you_mean, base/text.h.) */
int model_scenario_parse_time(model_scenario *s, const cJSON *j, const char *path, model_dist *d, char *err,
                              size_t errsz);
int model_scenario_apply(model_scenario *s, const cJSON *fragment, char *err, size_t errsz);
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

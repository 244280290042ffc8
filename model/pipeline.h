/* model/pipeline.h -- a scenario's `pipeline` and `plan` sections: the
 * stages with a per-frame figure per GPU type, the handoff between jobs, the
 * plan run today, and the search space, objective and targets of
 * `forkcast plan` (docs/plan.md has the format and every choice).
 *
 * Parsing: model_scenario_from_json() calls model_pipeline_parse() after the
 * rest of the scenario is parsed and checked, with the same rules: unknown
 * fields with a did-you-mean, "_" keys are comments, one-line errors naming
 * the file and field path, BASE_EINPUT. A stage's per_frame_s is a time (for
 * the platform's GPU, platform.gpu) or an object keyed by GPU type; the
 * types the plan considers must each have a price (the platform's own type
 * keeps platform.gpu_per_s; the others come from the price table, the
 * built-in data/prices/modal.json or plan.prices, unless given inline), and
 * every stage needs a figure on at least one of them.
 *
 * A scenario without a pipeline section is a one-stage pipeline: its stage,
 * named after the scenario, with stage.per_frame_s on platform.gpu
 * (model_pipeline_for()).
 *
 * A GPU type's platform is the scenario's with that type's price and the
 * type's overrides (model_pipeline_type_scenario()); a group of contiguous
 * stages on it is that platform with the group's per-frame law, download
 * and upload (model_pipeline_group_scenario()): what the closed form
 * (model/predict.h) and the job simulator (sim/job.h) are given for it.
 * The group's per-frame law is the sum of its stages' laws: exact when at
 * most one is random (the fixed ones add to its shift); with two or more
 * random ones, one law with their summed mean and variance (a gamma when
 * all are gamma or exponential, else a normal) -- for chunks of more than
 * one frame this is exactly the CLT normal model_dist_sum() gives the sum
 * of the stages' chunk times, except for gamma stages of unequal scale.
 *
 * Ownership: the parser stores an owned model_pipeline in s->pipeline (NULL
 * when the scenario has neither section), freed by model_scenario_free();
 * model_pipeline_for() returns an owned copy (free it with
 * model_pipeline_free()) that borrows the scenario's empirical samples: the
 * scenario must outlive it. Type and group scenarios are views of a
 * scenario (model/scenario.h): they own only the samples their overrides
 * parsed; release them with model_scenario_free(), which frees only those.
 * Costs: parsing O(size of the sections); the rest O(stages x types).
 */
#ifndef FORKCAST_MODEL_PIPELINE_H
#define FORKCAST_MODEL_PIPELINE_H

#include "model/chunk.h"
#include "model/scenario.h"

#include <cjson/cJSON.h>

#define MODEL_PIPE_MAX_STAGES MODEL_CHUNK_MAX_STAGES
#define MODEL_PIPE_MAX_TYPES 32      /* GPU types named in one pipeline, and considered */
#define MODEL_PIPE_MAX_PRICES 64     /* entries of a price table */
#define MODEL_PIPE_NAME 48           /* stage and GPU type names, NUL included */

typedef enum { MODEL_PLAN_COST, MODEL_PLAN_SPEED, MODEL_PLAN_BALANCED } model_plan_objective;

typedef struct {
    char gpu[MODEL_PIPE_NAME];
    model_dist per_frame;
    char source[320];            /* where it came from, for people */
} model_pipe_figure;

typedef struct {
    char name[MODEL_PIPE_NAME];
    model_pipe_figure fig[MODEL_PIPE_MAX_TYPES];
    int nfig;
} model_pipe_stage;

typedef struct {
    int first, last;             /* stages first..last, 0-based, first <= last */
    char gpu[MODEL_PIPE_NAME];
    int gpus;                    /* k */
} model_pipe_group;

typedef struct {
    char name[MODEL_PIPE_NAME];
    double gpu_per_s;            /* < 0: from the price table (platform.gpu: the platform's) */
    cJSON *override;             /* owned {"platform": {...}}: the type's own platform fields; NULL none */
    char where[64];              /* "plan.gpu_types[2]": where it was given, for messages */
} model_pipe_type;

typedef struct {
    char name[MODEL_PIPE_NAME];
    double gpu_per_s;
} model_pipe_price;

typedef struct model_pipeline {
    int has_stages;              /* 1: from a pipeline section; 0: the scenario's one stage */
    model_pipe_stage *stage;     /* [nstages], owned */
    int nstages;
    double handoff_mb;           /* < 0: job.output_mb */
    model_pipe_group current[MODEL_PIPE_MAX_STAGES];
    int ncurrent;                /* 0: no current plan */

    model_pipe_type type[MODEL_PIPE_MAX_TYPES]; /* the types the plan considers */
    int ntypes;
    int types_given;             /* plan.gpu_types given (else: platform.gpu, then every figure's type) */
    int gpus[MODEL_MAX_GPU_LIST];
    int ngpus;                   /* 0: parallel.gpus */
    model_plan_objective objective;          /* default cost */
    double balanced_weight;      /* w in [0, 1], default 0.5 */
    double p95_target_s, max_cost_usd;       /* 0: none */

    char prices_name[1024];      /* the price table, for messages: a path or "data/prices/modal.json (built-in)" */
    model_pipe_price price[MODEL_PIPE_MAX_PRICES];
    int nprice;

    double **owned;              /* samples parsed from per-stage profiles */
    size_t nowned;
} model_pipeline;

/* The built-in price table (data/prices/modal.json compiled in). */
extern const char model_prices_modal_json[];

/* Parse root's "pipeline" and "plan" sections into s->pipeline (left NULL
 * when neither is there). s is the scenario parsed from root so far. */
int model_pipeline_parse(const cJSON *root, model_scenario *s, char *err, size_t errsz);
void model_pipeline_free(model_pipeline *p);

/* An owned copy of s's pipeline, or the one-stage pipeline of a scenario
 * without a pipeline section (plan settings from a plan section if any). */
int model_pipeline_for(const model_scenario *s, model_pipeline **out, char *err, size_t errsz);

/* Replace the considered types by a comma-separated list (--gpu-types): a
 * type given in plan.gpu_types keeps its price and overrides; the others
 * are priced as by the parser. `opt` names the option in messages. */
int model_pipeline_set_types(model_pipeline *p, const model_scenario *s, const char *list, const char *opt,
                             char *err, size_t errsz);
/* Stage `stage` gets a figure on `gpu` (NULL: platform.gpu) from the
 * stage.per_frame_s of the profile file at path (a `forkcast calibrate`
 * output or a fragment), its provenance recorded. */
int model_pipeline_stage_profile(model_pipeline *p, const model_scenario *s, const char *stage, const char *gpu,
                                 const char *path, char *err, size_t errsz);
/* Every stage has a figure on a considered type, every type a price, and
 * the plan's GPU counts a member: the checks the parser makes, for after
 * the command line changed them. `file` names the input in messages. */
int model_pipeline_check(const model_pipeline *p, const model_scenario *s, char *err, size_t errsz);
/* BASE_OK when GPU type gpu has a price (inline in plan.gpu_types, the
 * platform's own, or the price table); else an input error naming `where`. */
int model_pipeline_priced(const model_pipeline *p, const model_scenario *s, const char *gpu, const char *where,
                          char *err, size_t errsz);

/* Index of the stage named `name`, or -1. */
int model_pipeline_stage_index(const model_pipeline *p, const char *name);
/* The figure of stage i on gpu, or NULL when it cannot run there. */
const model_pipe_figure *model_pipeline_figure(const model_pipeline *p, int i, const char *gpu);
/* The considered type named gpu, or NULL. */
const model_pipe_type *model_pipeline_type(const model_pipeline *p, const char *gpu);

/* The platform of GPU type gpu: a view of s with gpu_per_s from the price
 * (inline, the platform's own for platform.gpu, else the price table) and
 * the type's overrides applied. BASE_EINPUT when it has no price. */
int model_pipeline_type_scenario(const model_pipeline *p, const model_scenario *s, const char *gpu,
                                 model_scenario *out, char *err, size_t errsz);
/* Stages first..last as one chunked job on the type platform st (a view
 * from model_pipeline_type_scenario for g->gpu): per_frame the group's law
 * (see the overview), input_mb the job's input for the first stage else
 * the handoff, output_mb the job's output for the last stage else the
 * handoff. BASE_EINPUT when a stage has no figure on the group's type.
 * The result is a view of st and shares its samples (free nothing). */
int model_pipeline_group_scenario(const model_pipeline *p, const model_scenario *st, const model_pipe_group *g,
                                  model_scenario *out, char *err, size_t errsz);

/* "cost", "speed", "balanced"; parse: 0 ok, -1 unknown. */
const char *model_plan_objective_name(model_plan_objective o);
int model_plan_objective_parse(const char *s, model_plan_objective *o);

#endif

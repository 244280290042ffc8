/* sim/cap_pipe.h -- capacity planning for a pipeline: a stream of videos
 * through the groups of a plan, each group its own autoscaled pool
 * (docs/capacity.md, "Pipelines").
 *
 * A plan (model/pipeline.h: contiguous groups of stages, each on one GPU
 * type with k containers per video) becomes one capacity pool per group:
 * the group's scenario is the view the planner uses
 * (model_pipeline_type_scenario, then model_pipeline_group_scenario: the
 * type's price and platform overrides, the group's per-frame law -- the
 * sum of its stages' laws --, its download and upload), with the policy
 * fixed:k. Every pool field (cap, warm pool, buffer, scale-down, queue
 * bound, timeout, inputs per container, idle rule, initial_warm) is the
 * view's: the scenario's platform, the type's override, and whatever the
 * caller sets on view[g] before the run. A video arrives at the first
 * group's pool (the scenario's workload); when its chunks are done and
 * concatenated (the group's job is served) it arrives at once at the next
 * group's pool, with the same frame count; a video rejected or timed out
 * in any group is lost. Each group's inputs take exactly what a plain
 * capacity run of that view gives them (sim/capacity.h, model/chunk.h).
 *
 * The run: one event engine per pool, stepped in time order (the earliest
 * pending event of any pool first), so the pools share one clock. Group g
 * draws its service times from stream 2 g + 1 of the seed; the arrivals
 * and frames come from group 0's stream 0, so group 0 of a pipeline sees
 * the same arrivals as a plain run of its view with the same seed. The
 * statistics window is the pipeline's: from the first counted arrival (at
 * group 0, after workload.warmup_jobs) to the later of the last counted
 * video's departure from the last group and workload.hours; every group's
 * figures are over it (a group's pool is billed to its end), so the groups'
 * costs per day add up. A run stops, unstable, when any pool would pass
 * SIM_CAP_MAX_INPUTS.
 *
 * Results: each group's sim_cap_result (latency = arrival at the group to
 * its job's end, waits in that pool, its containers and bill at its type's
 * rate), and the end-to-end one in the same struct: jobs and jobs_total
 * (group 0's), served (videos through the last group), rejected and timed
 * out (summed over the groups), latency (arrival at group 0 to the last
 * group's end) and queue wait (the sum of a video's waits in the groups)
 * over the videos served end to end, cold_per_job (a cold input in any
 * group), the container and cost figures summed over the groups (peak: the
 * most live containers of all groups at once), lifespans over all the
 * groups' containers, Little's law over the pipeline (L: videos in any
 * group; W: the time an admitted video spent in the groups), load_erlangs
 * summed (load_per_capacity -1), stable when every group is.
 *
 * Ownership: sim_cap_plan_make() fills a plan that owns its scenarios
 * (free with sim_cap_plan_free()); it borrows the base scenario, which
 * must outlive it. Cost: the plain run's per pool, plus a scan of the
 * pools per event (O(groups)).
 */
#ifndef FORKCAST_SIM_CAP_PIPE_H
#define FORKCAST_SIM_CAP_PIPE_H

#include "model/pipeline.h"
#include "sim/cap_sweep.h"
#include "sim/capacity.h"

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

#define SIM_CAP_PIPE_MAX MODEL_PIPE_MAX_STAGES

typedef struct {
    int n;                                   /* groups, 1..SIM_CAP_PIPE_MAX */
    model_pipe_group g[SIM_CAP_PIPE_MAX];    /* stages first..last, GPU type, k */
    char stage[SIM_CAP_PIPE_MAX][MODEL_PIPE_NAME]; /* the pipeline's stage names */
    int nstages;
    model_scenario *type;                    /* [n], owned: group g's GPU type platform */
    model_scenario *view;                    /* [n]: group g's scenario (a view of type[g]); the
                                                caller may change its pool fields before a run */
    unsigned char own_max[SIM_CAP_PIPE_MAX]; /* 1: max_containers set for this group alone
                                                (a sweep leaves it) */
    char label[SIM_CAP_PIPE_MAX][256];       /* "framing+overlay: 4 x T4" */
    char name[1024];                         /* "framing: 4 x T4 -> overlay: 1 x T4" */
    char from[16];                           /* "current", "recommended", "given" (for outputs) */
} sim_cap_plan;

typedef struct {
    int n;                                   /* groups */
    sim_cap_result group[SIM_CAP_PIPE_MAX];  /* each group's pool */
    sim_cap_result all;                      /* end to end (see above) */
} sim_cap_pipe_result;

/* The plan of groups g[0..n) of pipeline p on scenario s (with its
 * command-line overrides applied): BASE_EINPUT (one line naming the
 * group) when the groups do not take every stage once in order, a GPU
 * count is outside 1..MODEL_MAX_GPUS, a type has no price or a stage no
 * figure on its group's type; BASE_ERUNTIME out of memory. On failure *pl
 * holds nothing to free. */
int sim_cap_plan_make(const model_scenario *s, const model_pipeline *p, const model_pipe_group *g, int n,
                      const char *from, sim_cap_plan *pl, char *err, size_t errsz);
void sim_cap_plan_free(sim_cap_plan *pl);

/* Run the pipeline with `seed`. Errors as sim_cap_new() and sim_cap_run()
 * on each group's view; a group's pool error is prefixed "group G (LABEL): ". */
int sim_cap_pipe_run(const sim_cap_plan *pl, uint64_t seed, sim_cap_pipe_result *out, char *err,
                     size_t errsz);

/* --sweep max_containers=A..B on a pipeline: every group's cap set to the
 * size, except groups with own_max; the target is met on the end-to-end
 * result (sim_cap_sweep_meets). sw->runs[i].r is run i's end-to-end result;
 * group[i] its groups (in the same order). The lowest size is raised to
 * what the swept groups' min_containers, buffer_containers and
 * initial_warm need. Owned: free with sim_cap_pipe_sweep_free(). */
typedef struct {
    sim_cap_sweep *sw;
    sim_cap_pipe_result *group;              /* [sw->n] */
} sim_cap_pipe_sweep;

int sim_cap_pipe_sweep_run(const sim_cap_plan *pl, const sim_cap_sweep_spec *spec, sim_cap_pipe_sweep *out,
                           char *err, size_t errsz);
void sim_cap_pipe_sweep_free(sim_cap_pipe_sweep *ps);

/* JSON (docs/capacity.md; names are a contract: add, never rename). A
 * run: {"scenario","method":"capacity","pipeline":true,"seed","workload",
 * "plan":{"plan","from","groups"}, every sim_cap_result_add_json() field
 * end to end, "groups":[{"group","stages","gpu","gpus","rate_usd_per_s",
 * "policy","pool":{...}, every result field of the group}]}. A sweep: the
 * same header, "sweep","from","to"[,"p95_target_s","smallest"],"runs":
 * [{"max_containers"[,"meets_target"], end-to-end fields, "groups":[...]}].
 * Owned trees; NULL when out of memory. */
cJSON *sim_cap_pipe_json(const model_scenario *s, const sim_cap_plan *pl, const sim_cap_pipe_result *r);
cJSON *sim_cap_pipe_sweep_json(const model_scenario *s, const sim_cap_plan *pl, const sim_cap_pipe_sweep *ps);

#endif

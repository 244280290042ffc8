/* sim/cap_pipe_rank.h -- `forkcast plan --rate R`: the plans of a search
 * under a stream of videos. Each Pareto plan (and the current one when it
 * is not on the front) runs through the capacity simulator as a pipeline
 * (sim/cap_pipe.h: each group its own pool, the scenario's pool settings
 * and the types' overrides in every group) on Poisson arrivals at R videos
 * an hour for H hours (no warm-up), all with the same seed, and the plans
 * are ranked again by the search's objective on the loaded figures
 * (docs/plan.md, "Under load"):
 *   cost      the lowest cost per day among the plans meeting the targets;
 *   speed     the lowest end-to-end latency p95 among them;
 *   balanced  the lowest w cost/cost_max + (1 - w) p95/p95_max, the maxima
 *             over the stable plans run;
 * ties to the cheaper per day, then the faster. A plan meets the targets
 * when its pools are stable, it lost no video (rejected or timed out:
 * only with a queue bound or timeout), and its p95 and cost per served
 * video are within the targets. The targets are the search's given ones;
 * one the search took from the current plan ("no slower / no dearer than
 * today") is taken from the current plan's loaded figures instead.
 *
 * Ownership: the result owns its rows (sim_cap_rank_free); it borrows
 * nothing after the call. Cost: one pipeline capacity run per row (R x H
 * videos each).
 */
#ifndef FORKCAST_SIM_CAP_PIPE_RANK_H
#define FORKCAST_SIM_CAP_PIPE_RANK_H

#include "model/plan.h"
#include "sim/cap_pipe.h"

#include <cjson/cJSON.h>
#include <stdint.h>

typedef struct {
    double rate_per_hour;    /* > 0 */
    double hours;            /* > 0 */
    uint64_t seed;
} sim_cap_rank_opts;

typedef struct {
    long cand;               /* index into the search's candidates; -1: the current plan */
    int pareto, current;     /* on the Pareto front; the current plan */
    char name[1024];
    double single_p95, single_cost; /* the closed form's p95 wall and mean cost of one video */
    sim_cap_pipe_result res;
    double lost;             /* rejected + timed out, of the videos */
    int meets;
    double score;            /* balanced */
} sim_cap_rank_row;

typedef struct {
    sim_cap_rank_opts o;
    model_plan_goal goal;    /* the targets under load (p95_target_s, max_cost_usd per served video) */
    sim_cap_rank_row *row;   /* [n]: the Pareto plans in the search's order, then the current one */
    int n;
    int best;                /* row, -1 when none meets the targets */
    int single;              /* the row of the search's recommendation, -1 none */
    char workload[256];
    char summary[1536];
    double run_s;            /* wall time of the runs */
} sim_cap_rank;

/* Run and rank. BASE_EINPUT for a bad rate or horizon, or a pool a run
 * refuses (its message); BASE_ERUNTIME out of memory. */
int sim_cap_rank_run(const model_plan_result *r, const sim_cap_rank_opts *o, sim_cap_rank *out, char *err,
                     size_t errsz);
void sim_cap_rank_free(sim_cap_rank *k);

/* {"rate_per_hour","hours","seed","workload","objective","p95_target_s",
 * "max_cost_usd","plans":[{"plan","pareto","current","single":{"wall_p95_s",
 * "cost_mean_usd"},"latency_s":{"mean","p50","p95","p99"},"cost_per_day_usd",
 * "cost_per_video_usd","lost_fraction","stable","meets_targets"}],"best",
 * "single_recommended","differs","summary"}; owned, NULL out of memory. */
cJSON *sim_cap_rank_json(const sim_cap_rank *k);

#endif

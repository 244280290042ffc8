/* model/plan.h -- `forkcast plan`: the cheapest (or fastest, or best
 * balanced) way to run a whole pipeline, in closed form.
 *
 * A plan cuts the stages into contiguous groups; each group is one chunked
 * job of k containers on one GPU type (model/pipeline.h builds its platform:
 * the type's price and overrides, the group's per-frame law, download and
 * upload). A group's wall and cost come from model/predict.h on that
 * platform (E[max] by quadrature over container classes, quantiles, exact
 * billing); the plan's wall is the sum of its groups' walls (independent),
 * its cost the sum of their costs. Mean wall and mean cost are exact sums;
 * the p95 of the sum is computed by numerical convolution of the groups'
 * wall distributions (model/plan_dist.c), never by adding p95s; a one-group
 * plan's p95 is model_predict_k's, so a one-stage pipeline on the
 * platform's own type gives exactly `forkcast advise`'s numbers.
 *
 * The search: every interval of stages x considered GPU type (each stage of
 * the interval with a figure there) x GPU count in plan.gpus (at most the
 * type's platform.max_containers when that is set) is a group choice. A
 * choice another choice of the same stages beats on mean cost (<=) and on
 * its whole wall distribution (first-order stochastic dominance, <= at
 * every point of the tabulated CDFs) cannot be in any Pareto plan: it is
 * dropped. Every grouping x every combination of the remaining choices is
 * a candidate. The Pareto set (mean cost vs p95 wall) is taken over the
 * candidates; the recommendation by the goal:
 *   cost      the cheapest candidate meeting the targets;
 *   speed     the lowest p95 meeting the targets;
 *   balanced  the lowest w*cost/cost_max + (1-w)*p95/p95_max meeting the
 *             targets, cost_max and p95_max over the Pareto set;
 * ties broken by cost, then p95, then fewer groups, then fewer GPUs. With a
 * current plan and no target given on the other axis, the current plan
 * sets it: cost looks for the cheapest plan no slower at p95 than today,
 * speed for the fastest no dearer than today (p95_none, cost_none: no
 * target at all; balanced takes none). No
 * candidate meeting the targets is an answer, not an error: recommended is
 * -1 and closest[] holds the nearest plans (the fastest within the cost
 * limit, the cheapest within the p95 target; docs/plan.md).
 *
 * Ownership: model_plan_search() takes the pipeline (freed with the
 * result) and borrows the scenario, which must outlive the result; free
 * the result with model_plan_result_free(). Not thread-safe per result.
 * Costs: one model_predict_k and one tabulated CDF (MODEL_PLAN_TAB points)
 * per group choice; per candidate of g groups one convolution of the
 * first g - 1 groups (reused across the last group's choices) and a root
 * search over the last group's exact table; bench/bench_plan.c measures it.
 */
#ifndef FORKCAST_MODEL_PLAN_H
#define FORKCAST_MODEL_PLAN_H

#include "model/pipeline.h"
#include "model/predict.h"
#include "model/scenario.h"

#define MODEL_PLAN_TAB 193              /* CDF points per group choice */
#define MODEL_PLAN_MAX_CANDIDATES 500000L

typedef struct {
    model_plan_objective objective;
    double balanced_weight;             /* w in [0, 1] */
    double p95_target_s, max_cost_usd;  /* 0: none given */
    int p95_none, cost_none;            /* 1: no target at all, not even the current plan's */
    int p95_from_current, cost_from_current; /* set by the search: the target is the current plan's */
} model_plan_goal;

/* One group choice: stages first..last on type `type` with `gpus` containers. */
typedef struct {
    model_pipe_group g;                 /* first, last, gpu (type name), gpus */
    int type;                           /* index into the result's types */
    model_kresult r;                    /* model_predict_k of the group */
    double lo, h;                       /* CDF table: F[i] at lo + i h */
    double F[MODEL_PLAN_TAB];
    int point;                          /* the wall is one value (r.wall_mean) */
    int kept;                           /* not dominated among its slot's choices */
    int current;                        /* evaluated for pipeline.current only */
} model_plan_choice;

typedef struct {
    int ngroups;
    short choice[MODEL_PIPE_MAX_STAGES]; /* indices into the result's choices, in stage order */
    double wall_mean, wall_p95, cost_mean;
    double score;                        /* balanced objective (0 for the others) */
    unsigned char pareto, meets;         /* on the Pareto front; meets the targets */
} model_plan_cand;

typedef struct {
    char name[MODEL_PIPE_NAME];
    model_scenario s;                   /* the type's platform: a view of the scenario */
    int considered;                     /* in the plan's GPU types (else named by current only) */
} model_plan_type;

typedef struct {
    const model_scenario *s;            /* borrowed */
    model_pipeline *pipe;               /* owned */
    model_plan_goal goal;
    model_plan_type *types;             /* [ntypes], owned */
    int ntypes;
    model_plan_choice *choice;          /* [nchoice], owned */
    int nchoice;
    model_plan_cand *cand;              /* [ncand], owned: every candidate */
    long ncand;
    double enumerated;                  /* candidates before dropping dominated choices */
    long *pareto;                       /* [npareto] indices into cand, ascending cost */
    int npareto;
    long recommended, runner_up;        /* indices into cand, -1 none */
    long closest[2];                    /* when nothing meets the targets, -1 unused */
    model_plan_cand current;
    int has_current;
    double cost_max, p95_max;           /* the balanced normalisation (over the Pareto set) */
    double search_s;                    /* wall time of the search, s */
    int exact;                          /* the closed form without its tables (model_plan_search_ex) */
    char summary[1024];                 /* the recommendation in one line */
    char why[1024];                     /* why the runner-up lost ("" none) */
} model_plan_result;

/* The goal of pipe's plan section (defaults: cost, w 0.5, no targets). */
model_plan_goal model_plan_goal_of(const model_pipeline *pipe);

/* Search s's pipeline pipe (taken, also on failure) for goal. Errors:
 * BASE_EINPUT for an empty search space (no GPU count a type allows, no
 * grouping every stage of which can run) or too many candidates;
 * BASE_ERUNTIME out of memory. */
int model_plan_search(const model_scenario *s, model_pipeline *pipe, const model_plan_goal *goal,
                      model_plan_result **out, char *err, size_t errsz);
/* The same; exact = 1 turns the closed form's tables off (model_prep_set_exact)
 * for checking them: tests/test_plan.c and bench/bench_plan.c compare. */
int model_plan_search_ex(const model_scenario *s, model_pipeline *pipe, const model_plan_goal *goal, int exact,
                         model_plan_result **out, char *err, size_t errsz);
void model_plan_result_free(model_plan_result *r);

/* The platform of one group of candidate c (a view of the type's platform,
 * model_pipeline_group_scenario): what the simulator is given for it. */
int model_plan_group_scenario(const model_plan_result *r, const model_plan_cand *c, int gi, model_scenario *out,
                              char *err, size_t errsz);

/* "framing+overlay: 4 x T4 -> ...": a plan for people, into buf. */
void model_plan_describe(const model_plan_result *r, const model_plan_cand *c, char *buf, size_t n);
/* 1 when a and b are the same grouping, types and GPU counts. */
int model_plan_same(const model_plan_result *r, const model_plan_cand *a, const model_plan_cand *b);

#endif

/* sim/plan_verify.h -- the Monte Carlo check of a plan (`forkcast plan
 * --verify`): the simulator's wall and cost of a whole plan against the
 * closed form's.
 *
 * Replication r draws from the stream of (seed, r) (sim/mc.h) and runs the
 * plan's groups one after another, each as one job (sim/job.h) of its
 * group's GPU count on the group's platform (model_plan_group_scenario: the
 * type's price and overrides, the group's per-frame law, its download and
 * upload), and adds up their walls and costs: the plan's wall is the sum
 * of independent group walls, as in the model. Simulator effects the
 * scenario turns on (sim_job_effects) apply inside each group, so a
 * difference then is the effect, not an error.
 *
 * Standard errors: of a mean, sd / sqrt(R); of the p95, the half-width of
 * the distribution-free 95% interval of the order statistics [x_(l), x_(u)],
 * l, u = R p -+ 1.96 sqrt(R p (1 - p)), divided by 1.96. z = (model - sim)
 * / se (0 when se is 0 and they agree, +-inf when they do not).
 *
 * Costs: R x (sum of the groups' containers) direct-path containers
 * (~20 ns each) over the threads, plus a sort of 2R doubles. Results are
 * the same for any thread count. Everything is borrowed.
 */
#ifndef FORKCAST_SIM_PLAN_VERIFY_H
#define FORKCAST_SIM_PLAN_VERIFY_H

#include "model/plan.h"
#include "sim/mc.h"

#include <stdint.h>

typedef struct {
    long replications;       /* R >= 2 */
    uint64_t seed;
    unsigned threads;        /* 0: all online cores */
} sim_plan_verify_opts;

typedef struct {
    sim_summary wall, cost;  /* the simulated plan */
    double p95_se;           /* standard error of wall.p95 */
    double z_mean, z_p95, z_cost; /* (model - sim) / se */
    int effects;             /* simulator effects the closed form omits are on */
} sim_plan_check;

/* Simulate candidate c of r (c may be &r->current) and compare. */
int sim_plan_verify(const model_plan_result *r, const model_plan_cand *c, const sim_plan_verify_opts *o,
                    sim_plan_check *out, char *err, size_t errsz);

#endif

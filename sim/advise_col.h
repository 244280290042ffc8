/* sim/advise_col.h -- the Monte Carlo check beside the closed form, as
 * `forkcast advise` prints it and the report quotes it ("sim p95" column).
 *
 * The check is sim_montecarlo_eval() of the scenario with
 * sim_advise_reps(s) = min(SIM_ADVISE_REPS, sim.replications) replications
 * and seed sim.seed, so every caller that says "as advise prints it" gets the
 * same numbers for the same scenario (the thread count changes nothing:
 * sim/montecarlo.h). sim_advise_disagree() is advise's rule for warning that
 * model and simulation differ: by more than 3 standard errors of the
 * simulated mean, plus the model's quadrature tolerance (1e-6 relative) so a
 * noiseless scenario does not warn on round-off. Which simulator effects
 * explain a disagreement: sim_job_effects() (sim/job.h).
 *
 * Ownership: everything borrowed. Cost: sim_montecarlo_eval() of at most
 * SIM_ADVISE_REPS replications (a few ms on overlay-e7).
 */
#ifndef FORKCAST_SIM_ADVISE_COL_H
#define FORKCAST_SIM_ADVISE_COL_H

#include "model/evaluate.h"
#include "model/scenario.h"

#include <stddef.h>

#define SIM_ADVISE_REPS 2000

/* min(SIM_ADVISE_REPS, s->replications). */
long sim_advise_reps(const model_scenario *s);

/* The simulated column: sim_montecarlo_eval(s, mo) with sim_advise_reps(s)
 * replications, seed s->seed, `threads` workers (0: all cores). Errors as
 * sim_montecarlo_eval(). */
int sim_advise_col(const model_scenario *s, const model_opts *mo, unsigned threads, model_eval *out, char *err,
                   size_t errsz);

/* 1 when a model mean and a simulated mean (standard error se) disagree. */
int sim_advise_disagree(double model, double sim, double se);

#endif

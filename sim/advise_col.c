/* sim/advise_col.c -- advise's Monte Carlo column and its disagreement rule. */
#include "sim/advise_col.h"
#include "sim/montecarlo.h"

#include <math.h>

long sim_advise_reps(const model_scenario *s)
{
    return s->replications < SIM_ADVISE_REPS ? s->replications : SIM_ADVISE_REPS;
}

int sim_advise_col(const model_scenario *s, const model_opts *mo, unsigned threads, model_eval *out, char *err,
                   size_t errsz)
{
    sim_montecarlo_opts so = {
        .replications = sim_advise_reps(s),
        .seed = s->seed,
        .threads = threads,
    };
    return sim_montecarlo_eval(s, mo, &so, out, NULL, err, errsz);
}

int sim_advise_disagree(double model, double sim, double se)
{
    return fabs(model - sim) > 3 * se + 1e-6 * fabs(model);
}

/* sim/job_starts.c -- common random numbers across GPU counts: the
 * starts-only test, the starts drawn once in container order, and a
 * replication run on given starts (sim/job.h; used by sim/montecarlo.c). */
#define HAVE_INLINE 1 /* GSL's switch for inline gsl_rng_uniform & co. */
#include "sim/job_impl.h"

#include "base/status.h"
#include "model/vexp.h"

#include <gsl/gsl_randist.h>

/* ---- common random numbers ---------------------------------------------- */

int sim_job_starts_only(const sim_job *j) { return !j->events && j->folded; }
const model_scenario *sim_job_scenario(const sim_job *j) { return j->s; }

void sim_job_draw_starts(const model_scenario *s, gsl_rng *rng, int n, double *st)
{
    int minc = s->min_containers < n ? s->min_containers : n;
    for (int i = 0; i < minc; i++)
        st[i] = draw(&s->warm_start, rng);
    const model_dist *c = &s->cold_start;
    if (c->kind != MODEL_DIST_LOGNORMAL) {
        for (int i = minc; i < n; i++)
            st[i] = draw(c, rng);
        return;
    }
    /* draw()'s lognormal in passes: the normals (the only use of rng, so
     * the same numbers in the same order), then exp over the array with
     * libmvec (model/vexp.h: within 4 ulp of draw()'s exp, ~3x faster) */
    for (int i = minc; i < n; i++)
        st[i] = c->a + c->b * gsl_ran_gaussian_ziggurat(rng, 1.0);
    model_vexp(st + minc, (size_t)(n - minc));
    for (int i = minc; i < n; i++)
        st[i] += c->shift;
}

int sim_job_run_starts(const sim_job *j, sim_job_ws *w, const double *st, gsl_rng *rng,
                       sim_job_trace_fn trace, void *tctx, sim_job_result *out, char *err, size_t errsz)
{
    assert(sim_job_starts_only(j));
    if (grow((void **)&w->dd, &w->ddcap, (size_t)j->k, sizeof *w->dd))
        return base_errf(err, errsz, BASE_ERUNTIME, "out of memory");
    sim_job_direct_run(j, w->dd, rng, st, trace, tctx, out);
    return BASE_OK;
}

/* sim/capacity.c -- a stream of jobs on an autoscaled container pool: the
 * prepared object, the auto policy and the run. The run's parts are in
 * sim/cap_pool.c, sim/cap_ctr.c and sim/cap_window.c (sim/cap_impl.h lists
 * the files). */
#include "sim/cap_impl.h"

#include "base/status.h"
#include "model/evaluate.h"
#include "model/workload.h"

#include <gsl/gsl_errno.h>
#include <stdlib.h>
#include <string.h>

/* ---- the prepared run ---------------------------------------------------- */

static int check_trace(sim_cap *c, char *err, size_t errsz)
{
    const model_scenario *s = c->s;
    sim_cap_trace t;
    int rc = sim_cap_trace_open(&t, s, err, errsz);
    if (rc)
        return rc;
    double at, horizon = s->hours > 0 ? s->hours * 3600 : INFINITY;
    long frames, all = 0;
    int got;
    c->trace_jobs = 0;
    while ((got = sim_cap_trace_next(&t, &at, &frames, err, errsz)) > 0) {
        all++;
        if (at <= horizon && (s->jobs == 0 || c->trace_jobs < s->jobs))
            c->trace_jobs++;
    }
    if (got < 0) {
        rc = -got;
        goto cleanup;
    }
    if (all == 0) {
        if (t.other[0])
            rc = base_errf(err, errsz, BASE_EINPUT,
                            "%s: workload.trace: %s: no job for stage \"%s\" (the trace names stage \"%s\")",
                            s->file, s->trace, s->name, t.other);
        else
            rc = base_errf(err, errsz, BASE_EINPUT, "%s: workload.trace: %s: trace is empty (no job lines)",
                            s->file, s->trace);
        goto cleanup;
    }
    if (s->warmup_jobs >= c->trace_jobs)
        rc = base_errf(err, errsz, BASE_EINPUT,
                        "%s: workload.warmup_jobs: must be less than the %ld trace jobs run (got %ld)", s->file,
                        c->trace_jobs, s->warmup_jobs);
cleanup:
    sim_cap_trace_close(&t);
    return rc;
}

int sim_cap_new(const model_scenario *s, sim_cap **out, char *err, size_t errsz)
{
    static int gsl_quiet;
    if (!gsl_quiet) {
        gsl_set_error_handler_off();
        gsl_quiet = 1;
    }
    *out = NULL;
    int rc = model_workload_check(s, err, errsz);
    if (rc)
        return rc;
    sim_cap *c = calloc(1, sizeof *c);
    if (!c)
        return base_errf(err, errsz, BASE_ERUNTIME, "out of memory");
    c->s = s;
    c->rate = model_scenario_rate(s);
    c->concat_rate = model_chunk_concat_rate(s);
    c->grp = model_chunk_group_of(s);
    c->bill = model_chunk_billing(s);
    c->dl = model_chunk_download_s(&c->grp);
    c->inputs = model_pool_inputs(s);
    c->ps = !model_pool_linear(s);
    for (int n = 1; n <= c->inputs; n++)
        c->ps_rate[n] = model_pool_throughput(s, n) / n;
    c->capacity = s->max_containers * model_pool_throughput(s, c->inputs);
    if (s->trace[0] && (rc = check_trace(c, err, errsz)))
        goto cleanup;
    if (s->policy == MODEL_POLICY_AUTO) {
        if ((rc = model_prep_new(s, &c->prep, err, errsz)))
            goto cleanup;
        c->cache = calloc((size_t)1 << SIM_CAP_CACHE_BITS, sizeof *c->cache);
        if (!c->cache) {
            rc = base_errf(err, errsz, BASE_ERUNTIME, "out of memory");
            goto cleanup;
        }
    }
    *out = c;
    return BASE_OK;
cleanup:
    sim_cap_free(c);
    return rc;
}

void sim_cap_free(sim_cap *c)
{
    if (!c)
        return;
    model_prep_free(c->prep);
    free(c->cache);
    free(c);
}

/* auto: model_decide() over the GPU counts <= frames, under the thresholds. */
static int auto_k(sim_cap *c, long frames, int *k, char *err, size_t errsz)
{
    sim_cap_kcache *e = &c->cache[((uint64_t)frames * 0x9E3779B97F4A7C15ull) >> (64 - SIM_CAP_CACHE_BITS)];
    if (e->frames == frames) {
        *k = e->k;
        return BASE_OK;
    }
    const model_scenario *s = c->s;
    model_eval ev;
    memset(&ev, 0, sizeof ev);
    int rc = model_predict_k(c->prep, (double)frames, 1, &ev.base, err, errsz);
    for (int i = 0; !rc && i < s->ngpus; i++) {
        if (s->gpus[i] > frames)
            break; /* ascending */
        if (s->gpus[i] == 1)
            ev.k[ev.nk] = ev.base;
        else
            rc = model_predict_k(c->prep, (double)frames, s->gpus[i], &ev.k[ev.nk], err, errsz);
        ev.nk++;
    }
    if (rc)
        return rc;
    model_opts o = {.objective = MODEL_OBJ_THRESHOLDS};
    model_decide(s, &o, &ev);
    *k = ev.parallelize ? ev.best_gpus : 1;
    assert(*k >= 1 && *k <= frames);
    e->frames = frames;
    e->k = *k;
    return BASE_OK;
}

int sim_cap_pick_k(sim_cap *c, long frames, int *k, char *err, size_t errsz)
{
    const model_scenario *s = c->s;
    assert(frames >= 1);
    switch (s->policy) {
    case MODEL_POLICY_FIXED:
        *k = s->policy_k;
        break;
    case MODEL_POLICY_THRESHOLD:
        *k = frames >= s->policy_frames ? s->policy_k : 1;
        break;
    case MODEL_POLICY_AUTO:
        return auto_k(c, frames, k, err, errsz);
    }
    if (*k > frames)
        *k = (int)frames;
    return BASE_OK;
}

int sim_cap_run_opts(sim_cap *c, uint64_t seed, const sim_cap_opts *o, sim_cap_result *out, char *err,
                     size_t errsz)
{
    const model_scenario *s = c->s;
    sim_cap_state r;
    memset(out, 0, sizeof *out);
    if (o && o->buckets > 0 && (o->buckets > SIM_CAP_MAX_BUCKETS || !(s->hours > 0) || s->warmup_jobs > 0))
        return base_errf(err, errsz, BASE_EINPUT,
                         "%s: transient: needs workload.hours, no warm-up and 1..%d buckets (got %g h, warm-up "
                         "%ld, %d buckets)", s->file, SIM_CAP_MAX_BUCKETS, s->hours, s->warmup_jobs, o->buckets);
    int rc = sim_cap_state_init(&r, c, seed, 0, 0, o, err, errsz);
    if (rc)
        goto cleanup;
    rc = sim_run(r.sim);
    if (r.rc) {
        rc = r.rc;
        goto cleanup;
    }
    if (rc) {
        rc = base_errf(err, errsz, BASE_ERUNTIME, "out of memory (event list)");
        goto cleanup;
    }
    if (r.stop && !r.open) {
        rc = base_errf(err, errsz, BASE_EINPUT,
                        "%s: the pool is unstable: %ld inputs in the system before the warm-up of %ld jobs ended",
                        s->file, SIM_CAP_MAX_INPUTS, s->warmup_jobs);
        goto cleanup;
    }
    if (r.counted == 0) {
        if (r.arrived > 0)
            rc = base_errf(err, errsz, BASE_EINPUT,
                            "%s: workload.warmup_jobs: every job was warm-up (%ld arrived, warmup_jobs %ld)",
                            s->file, r.arrived, s->warmup_jobs);
        else
            rc = base_errf(err, errsz, BASE_EINPUT, "%s: workload: no job arrived in the run (%g h)", s->file,
                            s->hours);
        goto cleanup;
    }
    if (!r.closed)
        sim_cap_window_close(&r, r.last_t);
    rc = sim_cap_result_fill(&r, out, o && o->buckets > 0 ? o->bucket : NULL, err, errsz);
cleanup:
    sim_cap_state_free(&r);
    return rc;
}

int sim_cap_run(sim_cap *c, uint64_t seed, const sim_cap_series *series, sim_cap_result *out, char *err,
                size_t errsz)
{
    sim_cap_opts o = {.series = series};
    return sim_cap_run_opts(c, seed, &o, out, err, errsz);
}

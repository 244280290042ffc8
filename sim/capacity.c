/* sim/capacity.c -- a stream of jobs on an autoscaled container pool: the
 * prepared object, the auto policy, the run's result and its JSON. The run
 * itself is sim/cap_pool.c (sim/cap_impl.h lists the files). */
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

int sim_cap_run(sim_cap *c, uint64_t seed, const sim_cap_series *series, sim_cap_result *out, char *err,
                size_t errsz)
{
    const model_scenario *s = c->s;
    sim_cap_state r;
    memset(out, 0, sizeof *out);
    int rc = sim_cap_state_init(&r, c, seed, series, err, errsz);
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
    assert(r.qlen == 0 && r.busy == 0 && r.insys_counted == 0);
    double t_end = fmax(sim_now(r.sim), r.last_t);
    if (isfinite(r.horizon))
        t_end = fmax(t_end, r.horizon);
    sim_cap_advance(&r, t_end);
    if (r.series && (double)r.sample_i * r.series->step <= t_end)
        r.series->fn((double)r.sample_i * r.series->step, r.busy, r.live - r.busy, 0, r.series->ctx);
    /* Bill what is still live (min_containers) up to the end. */
    while (r.idle_head >= 0)
        sim_cap_terminate(&r, r.idle_head, t_end);
    assert(r.live == 0);

    out->jobs = r.counted;
    out->jobs_total = r.arrived;
    out->chunks = r.chunks;
    double n = (double)r.counted, w = t_end - r.t_w;
    out->t_start = r.t_w;
    out->t_end = t_end;
    out->window_s = w;
    out->latency_mean = r.lat_sum / n;
    out->wait_mean = r.wait_sum / n;
    double p[3] = {0.50, 0.95, 0.99}, q[3];
    if (sim_cap_hist_quantiles(&r.lat, p, q, 3)) {
        rc = base_errf(err, errsz, BASE_ERUNTIME, "latency histogram failed");
        goto cleanup;
    }
    out->latency_p50 = q[0];
    out->latency_p95 = q[1];
    out->latency_p99 = q[2];
    if (sim_cap_hist_quantiles(&r.wait, p + 1, q, 1)) {
        rc = base_errf(err, errsz, BASE_ERUNTIME, "wait histogram failed");
        goto cleanup;
    }
    out->wait_p95 = q[0];
    out->cold_start_fraction = r.chunks > 0 ? (double)r.cold_chunks / (double)r.chunks : 0;
    out->utilization = r.area_live > 0 ? r.area_busy / r.area_live : 0;
    out->busy_s = r.area_busy;
    out->idle_s = r.area_live - r.area_busy;
    out->mean_busy = w > 0 ? r.area_busy / w : 0;
    out->mean_idle = w > 0 ? out->idle_s / w : 0;
    out->mean_queue = w > 0 ? r.area_queue / w : 0;
    out->peak = r.peak;
    out->gpus_per_job_mean = (double)r.ksum / n;
    out->billed_s = r.billed_s;
    out->cost_usd = r.billed_s * c->rate + r.concat_usd;
    out->cost_per_job = out->cost_usd / n;
    out->cost_per_hour = w > 0 ? out->cost_usd / w * 3600 : 0;
    out->cost_per_day = out->cost_per_hour * 24;
    out->mean_in_system = w > 0 ? r.area_insys / w : 0;
    out->arrival_rate = w > 0 ? n / w : 0;
    out->events = sim_executed(r.sim);
cleanup:
    sim_cap_state_free(&r);
    return rc;
}

/* ---- JSON ------------------------------------------------------------------ */

cJSON *sim_cap_header_json(const model_scenario *s)
{
    char pol[64], wl[1200];
    model_policy_name(s, pol, sizeof pol);
    model_workload_name(s, wl, sizeof wl);
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    cJSON_AddStringToObject(o, "scenario", s->name);
    cJSON_AddStringToObject(o, "method", "capacity");
    cJSON_AddNumberToObject(o, "seed", (double)s->seed);
    cJSON_AddStringToObject(o, "policy", pol);
    cJSON_AddStringToObject(o, "workload", wl);
    cJSON *p = cJSON_AddObjectToObject(o, "pool");
    cJSON_AddNumberToObject(p, "max_containers", s->max_containers);
    cJSON_AddNumberToObject(p, "min_containers", s->min_containers);
    cJSON_AddNumberToObject(p, "buffer_containers", s->buffer_containers);
    cJSON_AddNumberToObject(p, "scaledown_window_s", s->scaledown_window_s);
    return o;
}

void sim_cap_result_add_json(cJSON *o, const sim_cap_result *r)
{
    cJSON_AddNumberToObject(o, "jobs", (double)r->jobs);
    cJSON *l = cJSON_AddObjectToObject(o, "latency_s");
    cJSON_AddNumberToObject(l, "mean", r->latency_mean);
    cJSON_AddNumberToObject(l, "p50", r->latency_p50);
    cJSON_AddNumberToObject(l, "p95", r->latency_p95);
    cJSON_AddNumberToObject(l, "p99", r->latency_p99);
    cJSON *w = cJSON_AddObjectToObject(o, "queue_wait_s");
    cJSON_AddNumberToObject(w, "mean", r->wait_mean);
    cJSON_AddNumberToObject(w, "p95", r->wait_p95);
    cJSON_AddNumberToObject(o, "cold_start_fraction", r->cold_start_fraction);
    cJSON_AddNumberToObject(o, "utilization", r->utilization);
    cJSON *c = cJSON_AddObjectToObject(o, "containers");
    cJSON_AddNumberToObject(c, "mean_busy", r->mean_busy);
    cJSON_AddNumberToObject(c, "mean_idle", r->mean_idle);
    cJSON_AddNumberToObject(c, "peak", r->peak);
    cJSON_AddNumberToObject(o, "cost_per_job_usd", r->cost_per_job);
    cJSON_AddNumberToObject(o, "cost_per_hour_usd", r->cost_per_hour);
    cJSON_AddNumberToObject(o, "cost_per_day_usd", r->cost_per_day);
    /* extras */
    cJSON_AddNumberToObject(o, "jobs_total", (double)r->jobs_total);
    cJSON_AddNumberToObject(o, "gpus_per_job_mean", r->gpus_per_job_mean);
    cJSON_AddNumberToObject(o, "queue_mean", r->mean_queue);
    cJSON_AddNumberToObject(o, "billed_container_s", r->billed_s);
    cJSON_AddNumberToObject(o, "cost_usd", r->cost_usd);
    cJSON *win = cJSON_AddObjectToObject(o, "window_s");
    cJSON_AddNumberToObject(win, "start", r->t_start);
    cJSON_AddNumberToObject(win, "end", r->t_end);
    cJSON *lit = cJSON_AddObjectToObject(o, "little");
    cJSON_AddNumberToObject(lit, "mean_in_system", r->mean_in_system);
    cJSON_AddNumberToObject(lit, "arrival_rate_per_s", r->arrival_rate);
    cJSON_AddNumberToObject(lit, "mean_latency_s", r->latency_mean);
    cJSON_AddNumberToObject(o, "events", (double)r->events);
}

cJSON *sim_cap_result_json(const model_scenario *s, const sim_cap_result *r)
{
    cJSON *o = sim_cap_header_json(s);
    if (o)
        sim_cap_result_add_json(o, r);
    return o;
}

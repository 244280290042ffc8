/* sim/cap_window.c -- the capacity run's statistics window (sim/cap_impl.h):
 * the time integrals, the window's opening and closing, the transient
 * buckets and the result.
 *
 * The cold-start integrals need no event of their own: a container's cold
 * start [spawn, cold_end) is known when it is created, so it is added then
 * (the part after the window's start), and at the window's end the part
 * still to come is taken off again (one pass over the live containers at
 * each end of the window). */
#include "sim/cap_impl.h"

#include "base/status.h"

#include <stdlib.h>
#include <string.h>

/* ---- integrals ---------------------------------------------------------------- */

/* [a, b) into the transient buckets it overlaps, weighted by the state now. */
static void bucket_areas(sim_cap_state *r, double a, double b)
{
    for (int i = (int)(a / r->bk_w); i < r->nbk && a < b; i++) {
        double e = fmin(b, (i + 1) * r->bk_w), d = e - a;
        if (d > 0) {
            r->bk[i].area_live += d * r->live;
            r->bk[i].area_busy += d * r->busy;
            r->bk[i].area_queue += d * (double)r->qlen;
        }
        a = e;
    }
}

void sim_cap_advance(sim_cap_state *r, double t)
{
    assert(t >= r->last_t);
    if (r->series) {
        double step = r->series->step;
        for (double ts; (ts = (double)r->sample_i * step) < t; r->sample_i++)
            r->series->fn(ts, r->busy, r->live - r->busy, (int)r->qlen, r->series->ctx);
    }
    if (r->open) {
        double dt = t - r->last_t;
        r->area_busy += dt * r->busy;
        r->area_live += dt * r->live;
        r->area_queue += dt * (double)r->qlen;
        r->area_insys += dt * (double)r->insys_counted;
        r->area_inputs += dt * (double)r->inputs;
        if (r->bk)
            bucket_areas(r, r->last_t, t);
    }
    r->last_t = t;
}

void sim_cap_starting(sim_cap_state *r, double from, double to, int for_input, double sign)
{
    if (!r->open || !(to > from))
        return;
    double *tot = for_input ? &r->start_in : &r->start_buf;
    *tot += sign * (to - from);
    if (!r->bk || sign < 0)
        return; /* the buckets end at the horizon, never after the window */
    for (int i = (int)(from / r->bk_w); i < r->nbk && from < to; i++) {
        double e = fmin(to, (i + 1) * r->bk_w);
        if (e > from)
            *(for_input ? &r->bk[i].start_in : &r->bk[i].start_buf) += e - from;
        from = e;
    }
}

void sim_cap_window_open(sim_cap_state *r, double now)
{
    r->open = 1;
    r->t_w = now;
    r->peak = r->live;
    for (int x = 0; x < r->nctrs; x++) {
        const sim_cap_ctr *c = &r->ctrs[x];
        if (c->state != C_FREE && c->cold_end > now)
            sim_cap_starting(r, now, c->cold_end, c->state == C_BUSY, 1);
    }
}

/* Bill what is still live up to t (no rounding: it has not shut down), take
 * the cold starts' part after t off, emit the last series sample. */
void sim_cap_window_close(sim_cap_state *r, double t)
{
    if (r->closed)
        return;
    r->closed = 1;
    r->t_end = t;
    for (int x = 0; x < r->nctrs; x++) {
        const sim_cap_ctr *c = &r->ctrs[x];
        if (c->state == C_FREE)
            continue;
        if (c->cold_end > t)
            sim_cap_starting(r, t, c->cold_end, c->state == C_BUSY, -1);
        r->billed_s += sim_cap_billable_in_window(r, c, t);
    }
    if (r->series && (double)r->sample_i * r->series->step <= t)
        r->series->fn((double)r->sample_i++ * r->series->step, r->busy, r->live - r->busy, (int)r->qlen,
                      r->series->ctx);
}

/* ---- transient buckets ---------------------------------------------------------- */

int sim_cap_buckets_init(sim_cap_state *r, int n)
{
    assert(n > 0 && n <= SIM_CAP_MAX_BUCKETS && isfinite(r->horizon));
    r->bk = calloc((size_t)n, sizeof *r->bk);
    if (!r->bk)
        return -1;
    r->nbk = n;
    r->bk_w = r->horizon / n;
    for (int i = 0; i < n; i++)
        if (sim_cap_hist_init(&r->bk[i].lat))
            return -1;
    return 0;
}

void sim_cap_buckets_free(sim_cap_state *r)
{
    for (int i = 0; r->bk && i < r->nbk; i++)
        sim_cap_hist_free(&r->bk[i].lat);
    free(r->bk);
    r->bk = NULL;
}

void sim_cap_bucket_job(sim_cap_state *r, int bucket, int what, const sim_cap_job *b, double lat)
{
    if (bucket < 0)
        return;
    sim_cap_bsum *k = &r->bk[bucket];
    switch (what) {
    case B_ARRIVED:
        k->arrivals++;
        break;
    case B_SERVED:
        k->served++;
        k->lat_sum += lat;
        k->wait_sum += b->wait;
        sim_cap_hist_add(&k->lat, lat);
        break;
    case B_REJECTED:
        k->rejected++;
        break;
    case B_TIMED_OUT:
        k->timed_out++;
        break;
    }
}

static int bucket_fill(const sim_cap_state *r, sim_cap_bucket *out)
{
    for (int i = 0; i < r->nbk; i++) {
        const sim_cap_bsum *k = &r->bk[i];
        sim_cap_bucket *o = &out[i];
        static const double p[3] = {0.50, 0.95, 0.99};
        double w = r->bk_w, q[3];
        if (sim_cap_hist_quantiles(&k->lat, p, q, 3))
            return -1;
        *o = (sim_cap_bucket){.start = i * w, .end = (i + 1) * w, .arrivals = k->arrivals, .served = k->served,
                              .rejected = k->rejected, .timed_out = k->timed_out};
        o->latency_mean = k->served ? k->lat_sum / (double)k->served : 0;
        o->latency_p50 = q[0];
        o->latency_p95 = q[1];
        o->latency_p99 = q[2];
        o->wait_mean = k->served ? k->wait_sum / (double)k->served : 0;
        o->cold_start_fraction = k->inputs ? (double)k->cold_inputs / (double)k->inputs : 0;
        o->mean_live = k->area_live / w;
        o->mean_busy = k->area_busy / w;
        o->mean_queue = k->area_queue / w;
        o->state_starting = (k->start_in + k->start_buf) / w;
        o->state_busy = (k->area_busy - k->start_in) / w;
        o->state_idle = (k->area_live - k->area_busy - k->start_buf) / w;
        o->cost_usd = k->area_live * r->c->rate;
    }
    return 0;
}

/* ---- the result ------------------------------------------------------------------- */

/* Offered load in erlangs: the counted inputs' arrival rate (over the
 * arrival stream: to the horizon, else to the last counted arrival) times
 * the mean time an input held its container (its start included). */
static double offered_load(const sim_cap_state *r, double w)
{
    double end = r->arrivals_done && isfinite(r->horizon) ? fmin(r->horizon, r->t_end) : r->last_arrival;
    double span = end - r->t_w > 0 ? end - r->t_w : w;
    if (!(span > 0) || r->started == 0)
        return 0;
    return (double)r->chunks / span * (r->work_s / (double)r->started);
}

int sim_cap_result_fill(sim_cap_state *r, sim_cap_result *out, sim_cap_bucket *bk, char *err, size_t errsz)
{
    const model_scenario *s = r->s;
    double n = (double)r->counted, w = r->t_end - r->t_w, adm = (double)(r->counted - r->rejected);
    double sv = (double)r->served;
    out->jobs = r->counted;
    out->jobs_total = r->arrived;
    out->served = r->served;
    out->rejected = r->rejected;
    out->timed_out = r->timed_out;
    out->rejected_fraction = (double)r->rejected / n;
    out->timed_out_fraction = (double)r->timed_out / n;
    out->chunks = r->chunks;
    out->t_start = r->t_w;
    out->t_end = r->t_end;
    out->window_s = w;
    out->latency_mean = sv > 0 ? r->lat_sum / sv : 0;
    out->wait_mean = sv > 0 ? r->wait_sum / sv : 0;
    double p[3] = {0.50, 0.95, 0.99}, q[3];
    if (sim_cap_hist_quantiles(&r->lat, p, q, 3))
        return base_errf(err, errsz, BASE_ERUNTIME, "latency histogram failed");
    out->latency_p50 = q[0];
    out->latency_p95 = q[1];
    out->latency_p99 = q[2];
    if (sim_cap_hist_quantiles(&r->wait, p + 1, q, 1))
        return base_errf(err, errsz, BASE_ERUNTIME, "wait histogram failed");
    out->wait_p95 = q[0];
    if (sim_cap_hist_quantiles(&r->life, p, q, 2))
        return base_errf(err, errsz, BASE_ERUNTIME, "lifespan histogram failed");
    out->lifespan_mean = r->ended ? r->life_sum / (double)r->ended : 0;
    out->lifespan_p50 = q[0];
    out->lifespan_p95 = q[1];
    out->lifespan_ended = r->ended;
    out->alive_at_end = r->live;
    out->cold_start_fraction = r->started > 0 ? (double)r->cold_inputs / (double)r->started : 0;
    out->cold_starts = r->cold_starts;
    out->warm_starts = r->warm_starts;
    long starts = r->cold_starts + r->warm_starts;
    out->cold_per_container_start = starts > 0 ? (double)r->cold_starts / (double)starts : 0;
    out->cold_per_job = sv > 0 ? (double)r->cold_jobs / sv : 0;
    out->utilization = r->area_live > 0 ? r->area_busy / r->area_live : 0;
    out->busy_s = r->area_busy;
    out->idle_s = r->area_live - r->area_busy;
    if (w > 0) {
        out->mean_busy = r->area_busy / w;
        out->mean_idle = out->idle_s / w;
        out->mean_queue = r->area_queue / w;
        out->mean_inputs = r->area_inputs / w;
        out->state_starting = (r->start_in + r->start_buf) / w;
        out->state_busy = (r->area_busy - r->start_in) / w;
        out->state_idle = (out->idle_s - r->start_buf) / w;
        out->mean_in_system = r->area_insys / w;
        out->arrival_rate = adm / w;
    }
    out->time_in_system_mean = adm > 0 ? r->tis_sum / adm : 0;
    out->peak = r->peak;
    out->gpus_per_job_mean = (double)r->ksum / n;
    out->billed_s = r->billed_s;
    out->cost_usd = r->billed_s * r->c->rate + r->concat_usd;
    out->idle_cost_usd = out->idle_s * r->c->rate;
    out->cost_per_job = sv > 0 ? out->cost_usd / sv : 0;
    out->cost_per_hour = w > 0 ? out->cost_usd / w * 3600 : 0;
    out->cost_per_day = out->cost_per_hour * 24;
    out->load_erlangs = offered_load(r, w);
    out->load_per_capacity = r->c->capacity > 0 ? out->load_erlangs / r->c->capacity : -1;
    out->stopped = r->stop == STOP_BOUND;
    out->stop_queue = (long)r->qlen;
    out->stop_inputs = r->inputs;
    int queued = !s->has_max_queue && s->queue_timeout_s == 0;
    out->stable = !out->stopped && !(queued && out->load_per_capacity >= 1);
    out->events = sim_executed(r->sim);
    if (bk && bucket_fill(r, bk))
        return base_errf(err, errsz, BASE_ERUNTIME, "latency histogram failed");
    return BASE_OK;
}

void sim_cap_stability_note(const sim_cap_result *r, char *buf, size_t n)
{
    if (r->stable)
        snprintf(buf, n, "%s", "");
    else if (r->stopped)
        snprintf(buf, n,
                 "unstable: the run stopped at t = %.6g s with %ld inputs waiting and %ld in service (the bound is "
                 "%ld in the system); offered load %.4g erlangs%s; the figures are the run's so far",
                 r->t_end, r->stop_queue, r->stop_inputs, SIM_CAP_MAX_INPUTS, r->load_erlangs,
                 r->load_per_capacity >= 0 ? "" : " on an unlimited pool");
    else
        snprintf(buf, n,
                 "unstable: offered load %.4g erlangs is %.3g of the pool's capacity: the queue grows without bound "
                 "and the figures depend on the run's length", r->load_erlangs, r->load_per_capacity);
}

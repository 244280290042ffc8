/* sim/cap_pool.c -- one capacity run: arrivals, the autoscaled pool of
 * containers and the event handlers (sim/cap_impl.h; semantics in
 * sim/capacity.h). */
#include "sim/cap_impl.h"

#include "base/status.h"
#include "sim/mc.h"

#include <gsl/gsl_randist.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

enum { EV_ARRIVAL, EV_CHUNK_DONE, EV_BOOTED, EV_SCALEDOWN, EV_JOB_DONE };
enum { C_FREE, C_BOOTING, C_BUSY, C_IDLE };
enum { W_RATE, W_PROFILE, W_TRACE };

#define MAX_SLOTS (INT32_MAX / 2)

static void oom(sim_cap_state *r)
{
    if (!r->rc)
        r->rc = base_errf(r->err, r->errsz, BASE_ERUNTIME, "out of memory");
    sim_stop(r->sim);
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
    }
    r->last_t = t;
}

/* Live containers: the pool wants max(min, busy + buffer while busy > 0). */
static int target(const sim_cap_state *r)
{
    const model_scenario *s = r->s;
    int t = r->busy > 0 ? r->busy + s->buffer_containers : 0;
    if (t < s->min_containers)
        t = s->min_containers;
    if (s->max_containers > 0 && t > s->max_containers)
        t = s->max_containers;
    return t;
}

static int room(const sim_cap_state *r)
{
    return r->s->max_containers == 0 || r->live < r->s->max_containers;
}

static int ctr_new(sim_cap_state *r, double now, double cold)
{
    if (r->ctr_free < 0) {
        if (r->nctrs >= MAX_SLOTS) {
            oom(r);
            return -1;
        }
        int n = r->nctrs ? r->nctrs * 2 : 64;
        sim_cap_ctr *a = realloc(r->ctrs, (size_t)n * sizeof *a);
        if (!a) {
            oom(r);
            return -1;
        }
        for (int i = r->nctrs; i < n; i++)
            a[i] = (sim_cap_ctr){.state = C_FREE, .next = i + 1 < n ? i + 1 : -1, .prev = -1};
        r->ctrs = a;
        r->ctr_free = r->nctrs;
        r->nctrs = n;
    }
    int x = r->ctr_free;
    sim_cap_ctr *c = &r->ctrs[x];
    r->ctr_free = c->next;
    *c = (sim_cap_ctr){.spawn = now, .cold_end = now + cold, .prev = -1, .next = -1};
    r->live++;
    if (r->live > r->peak)
        r->peak = r->live;
    return x;
}

static void idle_unlink(sim_cap_state *r, int x)
{
    sim_cap_ctr *c = &r->ctrs[x];
    if (c->prev >= 0)
        r->ctrs[c->prev].next = c->next;
    else
        r->idle_head = c->next;
    if (c->next >= 0)
        r->ctrs[c->next].prev = c->prev;
    else
        r->idle_tail = c->prev;
    c->prev = c->next = -1;
}

static void make_idle(sim_cap_state *r, int x, double now)
{
    sim_cap_ctr *c = &r->ctrs[x];
    c->state = C_IDLE;
    c->expired = 0;
    c->prev = -1;
    c->next = r->idle_head;
    if (r->idle_head >= 0)
        r->ctrs[r->idle_head].prev = x;
    else
        r->idle_tail = x;
    r->idle_head = x;
    c->timer = sim_push(r->sim, &(sim_event){.t = now + r->s->scaledown_window_s, .type = EV_SCALEDOWN, .a = x});
}

/* Shut an idle container down and bill the part of its life in the window:
 * its seconds after t_w (less an unbilled cold start), plus its whole
 * rounding-up (granularity, minimum), charged now. */
void sim_cap_terminate(sim_cap_state *r, int x, double now)
{
    sim_cap_ctr *c = &r->ctrs[x];
    assert(c->state == C_IDLE && c->cold_end <= now);
    if (c->timer)
        sim_cancel(r->sim, c->timer);
    if (r->open) {
        const model_billing *bill = &r->c->bill;
        int free_cold = !bill->includes_cold_start;
        double raw = model_chunk_billable_s(bill, 1, now - c->spawn, c->cold_end - c->spawn);
        double from = fmax(c->spawn, r->t_w);
        double secs = now - from - (free_cold ? fmax(0, c->cold_end - from) : 0);
        r->billed_s += secs + (model_chunk_billed_s(bill, raw) - raw);
    }
    idle_unlink(r, x);
    c->state = C_FREE;
    c->timer = 0;
    c->next = r->ctr_free;
    r->ctr_free = x;
    r->live--;
}

/* Shut down expired idle containers (the oldest, at the tail) while the
 * pool holds more than it wants. */
static void trim(sim_cap_state *r, double now)
{
    while (r->idle_tail >= 0 && r->ctrs[r->idle_tail].expired && r->live > target(r))
        sim_cap_terminate(r, r->idle_tail, now);
}

/* Boot containers up to the target (min_containers, buffer). */
static void fill(sim_cap_state *r, double now)
{
    int t = target(r);
    while (r->live < t && !r->rc) {
        double cold = model_dist_sample(&r->s->cold_start, r->rs);
        int x = ctr_new(r, now, cold);
        if (x < 0)
            return;
        r->ctrs[x].state = C_BOOTING;
        sim_push(r->sim, &(sim_event){.t = now + cold, .type = EV_BOOTED, .a = x});
    }
}

/* Container x starts chunk i of job j now after a start of `start` s. */
static void start_chunk(sim_cap_state *r, int x, int j, int i, double start, double now)
{
    const model_scenario *s = r->s;
    sim_cap_job *b = &r->jobs[j];
    gsl_rng *g = r->rs;
    if (r->ctrs[x].state != C_BUSY) {
        r->ctrs[x].state = C_BUSY;
        r->busy++;
    }
    b->wait = fmax(b->wait, now - b->arrival);
    model_split sp = model_chunk_split_n(b->frames, b->k);
    double n = model_chunk_frames(&sp, i);
    double t = start + model_dist_sample(&s->request, g) + model_dist_sample(&s->ffmpeg_start, g) +
               (i > 0 ? model_dist_sample(&s->seek, g) : 0);
    t += model_chunk_process_sample(&r->c->grp, n, g);
    t += r->c->dl;
    t += model_chunk_upload_s(&r->c->grp, (double)b->frames, n);
    sim_push(r->sim, &(sim_event){.t = now + t, .type = EV_CHUNK_DONE, .a = x, .b = j, .c = i});
}

static void dispatch(sim_cap_state *r, int j, int i, double now)
{
    const model_scenario *s = r->s;
    if (r->idle_head >= 0) {
        int x = r->idle_head;
        idle_unlink(r, x);
        sim_cancel(r->sim, r->ctrs[x].timer);
        r->ctrs[x].timer = 0;
        start_chunk(r, x, j, i, model_dist_sample(&s->warm_start, r->rs), now);
    } else if (room(r)) {
        double cold = model_dist_sample(&s->cold_start, r->rs);
        int x = ctr_new(r, now, cold);
        if (x < 0)
            return;
        if (r->jobs[j].counted)
            r->cold_chunks++;
        start_chunk(r, x, j, i, cold, now);
    } else {
        if (r->qlen == r->qcap) {
            size_t cap = r->qcap ? r->qcap * 2 : 256;
            sim_cap_qent *q = malloc(cap * sizeof *q);
            if (!q) {
                oom(r);
                return;
            }
            for (size_t k = 0; k < r->qlen; k++)
                q[k] = r->q[(r->qhead + k) & (r->qcap - 1)];
            free(r->q);
            r->q = q;
            r->qcap = cap;
            r->qhead = 0;
        }
        r->q[(r->qhead + r->qlen++) & (r->qcap - 1)] = (sim_cap_qent){j, i};
    }
}

/* A live container is free now: the queue's head, else idle. */
static void take_or_idle(sim_cap_state *r, int x, double now)
{
    if (r->qlen > 0) {
        sim_cap_qent e = r->q[r->qhead];
        r->qhead = (r->qhead + 1) & (r->qcap - 1);
        r->qlen--;
        start_chunk(r, x, e.job, e.chunk, model_dist_sample(&r->s->warm_start, r->rs), now);
        return;
    }
    if (r->ctrs[x].state == C_BUSY)
        r->busy--;
    make_idle(r, x, now);
}

static int job_new(sim_cap_state *r)
{
    if (r->job_free < 0) {
        if (r->njobs >= MAX_SLOTS) {
            oom(r);
            return -1;
        }
        int n = r->njobs ? r->njobs * 2 : 256;
        sim_cap_job *a = realloc(r->jobs, (size_t)n * sizeof *a);
        if (!a) {
            oom(r);
            return -1;
        }
        for (int i = r->njobs; i < n; i++)
            a[i].next_free = i + 1 < n ? i + 1 : -1;
        r->jobs = a;
        r->job_free = r->njobs;
        r->njobs = n;
    }
    int j = r->job_free;
    r->job_free = r->jobs[j].next_free;
    return j;
}

static void job_done(sim_cap_state *r, int j, double now)
{
    sim_cap_job *b = &r->jobs[j];
    if (b->counted) {
        double lat = now - b->arrival;
        r->lat_sum += lat;
        r->wait_sum += b->wait;
        sim_cap_hist_add(&r->lat, lat);
        sim_cap_hist_add(&r->wait, b->wait);
        r->insys_counted--;
    }
    b->next_free = r->job_free;
    r->job_free = j;
}

/* The next arrival after `from`: schedule it, or nothing when the workload
 * is over. */
static void next_arrival(sim_cap_state *r, double from)
{
    const model_scenario *s = r->s;
    if (r->arrived >= r->max_jobs)
        return;
    double t = from;
    long frames;
    if (r->mode == W_TRACE) {
        int got = sim_cap_trace_next(&r->tr, &t, &frames, r->err, r->errsz);
        if (got < 0) {
            r->rc = -got;
            sim_stop(r->sim);
        }
        if (got <= 0)
            return;
    } else {
        if (r->mode == W_RATE) {
            t += model_ran_exp(r->ra, 1 / r->lambda);
        } else {
            for (;;) { /* thinning: candidates at lambda_max, kept with rate(t) / lambda_max */
                t += model_ran_exp(r->ra, 1 / r->lambda_max);
                if (t > r->horizon)
                    break;
                int h = (int)(fmod(t, 86400.0) / 3600.0);
                if (gsl_rng_uniform(r->ra) * r->lambda_max < r->rate_s[h < 24 ? h : 23])
                    break;
            }
        }
        double f = round(model_dist_sample(&s->frames_dist, r->ra));
        frames = !(f >= 1) ? 1 : f > MODEL_MAX_FRAMES ? MODEL_MAX_FRAMES : (long)f;
    }
    if (t > r->horizon)
        return;
    sim_push(r->sim, &(sim_event){.t = t, .type = EV_ARRIVAL, .x.i = frames});
}

static void on_arrival(sim *sm, const sim_event *ev, void *ctx)
{
    sim_cap_state *r = ctx;
    double now = ev->t;
    (void)sm;
    sim_cap_advance(r, now);
    long idx = r->arrived++;
    if (!r->open && idx == r->s->warmup_jobs) {
        r->open = 1;
        r->t_w = now;
        r->peak = r->live;
    }
    long frames = ev->x.i;
    int k;
    int rc = sim_cap_pick_k(r->c, frames, &k, r->err, r->errsz);
    if (rc) {
        r->rc = rc;
        sim_stop(r->sim);
        return;
    }
    int j = job_new(r);
    if (j < 0)
        return;
    r->jobs[j] = (sim_cap_job){.arrival = now, .frames = frames, .k = k, .left = k, .counted = r->open,
                       .next_free = -1};
    if (r->open) {
        r->counted++;
        r->chunks += k;
        r->ksum += k;
        r->insys_counted++;
    }
    for (int i = 0; i < k && !r->rc; i++)
        dispatch(r, j, i, now);
    fill(r, now);
    next_arrival(r, now);
}

static void on_chunk_done(sim *sm, const sim_event *ev, void *ctx)
{
    sim_cap_state *r = ctx;
    const model_scenario *s = r->s;
    double now = ev->t;
    (void)sm;
    sim_cap_advance(r, now);
    int j = ev->b;
    sim_cap_job *b = &r->jobs[j];
    assert(b->left > 0);
    if (--b->left == 0) {
        if (b->k > 1) {
            double d = model_dist_sample(&s->concat, r->rs) + b->k * model_dist_sample(&s->concat_per_chunk, r->rs);
            if (b->counted && r->c->concat_rate > 0)
                r->concat_usd += model_chunk_billed_s(&r->c->bill, d) * r->c->concat_rate;
            sim_push(r->sim, &(sim_event){.t = now + d, .type = EV_JOB_DONE, .a = j});
        } else {
            job_done(r, j, now);
        }
    }
    take_or_idle(r, ev->a, now);
    trim(r, now);
}

static void on_booted(sim *sm, const sim_event *ev, void *ctx)
{
    sim_cap_state *r = ctx;
    double now = ev->t;
    (void)sm;
    sim_cap_advance(r, now);
    assert(r->ctrs[ev->a].state == C_BOOTING);
    take_or_idle(r, ev->a, now);
    fill(r, now);
}

static void on_scaledown(sim *sm, const sim_event *ev, void *ctx)
{
    sim_cap_state *r = ctx;
    double now = ev->t;
    (void)sm;
    sim_cap_advance(r, now);
    sim_cap_ctr *c = &r->ctrs[ev->a];
    assert(c->state == C_IDLE);
    c->timer = 0;
    c->expired = 1;
    trim(r, now);
}

static void on_job_done(sim *sm, const sim_event *ev, void *ctx)
{
    sim_cap_state *r = ctx;
    (void)sm;
    sim_cap_advance(r, ev->t);
    job_done(r, ev->a, ev->t);
}

int sim_cap_state_init(sim_cap_state *r, sim_cap *c, uint64_t seed, const sim_cap_series *series, char *err,
                       size_t errsz)
{
    const model_scenario *s = c->s;
    memset(r, 0, sizeof *r);
    r->c = c;
    r->s = s;
    r->err = err;
    r->errsz = errsz;
    r->series = series && series->fn && series->step > 0 ? series : NULL;
    r->job_free = r->ctr_free = -1;
    r->idle_head = r->idle_tail = -1;
    r->horizon = s->hours > 0 ? s->hours * 3600 : INFINITY;
    r->max_jobs = s->jobs > 0 ? s->jobs : LONG_MAX;
    if (s->trace[0]) {
        r->mode = W_TRACE;
    } else if (s->has_rate_by_hour) {
        r->mode = W_PROFILE;
        for (int h = 0; h < 24; h++) {
            r->rate_s[h] = s->rate_by_hour[h] / 3600;
            r->lambda_max = fmax(r->lambda_max, r->rate_s[h]);
        }
    } else {
        r->mode = W_RATE;
        r->lambda = s->rate_per_hour / 3600;
    }
    r->sim = sim_new(0);
    r->ra = gsl_rng_alloc(sim_mc_rng_type());
    r->rs = gsl_rng_alloc(sim_mc_rng_type());
    if (!r->sim || !r->ra || !r->rs || sim_cap_hist_init(&r->lat) || sim_cap_hist_init(&r->wait))
        return base_errf(err, errsz, BASE_ERUNTIME, "out of memory");
    sim_mc_seed_rng(r->ra, seed, 0);
    sim_mc_seed_rng(r->rs, seed, 1);
    sim_on(r->sim, EV_ARRIVAL, on_arrival, r);
    sim_on(r->sim, EV_CHUNK_DONE, on_chunk_done, r);
    sim_on(r->sim, EV_BOOTED, on_booted, r);
    sim_on(r->sim, EV_SCALEDOWN, on_scaledown, r);
    sim_on(r->sim, EV_JOB_DONE, on_job_done, r);
    if (r->mode == W_TRACE && sim_cap_trace_open(&r->tr, s, err, errsz))
        return BASE_EINPUT;
    r->open = s->warmup_jobs == 0;
    /* min_containers: live and warm at t = 0 (booted before the run). */
    for (int m = 0; m < s->min_containers; m++) {
        int x = ctr_new(r, 0, 0);
        if (x < 0)
            return r->rc;
        make_idle(r, x, 0);
    }
    next_arrival(r, 0);
    return r->rc;
}

void sim_cap_state_free(sim_cap_state *r)
{
    sim_cap_trace_close(&r->tr);
    sim_free(r->sim);
    gsl_rng_free(r->ra);
    gsl_rng_free(r->rs);
    sim_cap_hist_free(&r->lat);
    sim_cap_hist_free(&r->wait);
    free(r->jobs);
    free(r->ctrs);
    free(r->q);
}

/* sim/cap_pool.c -- one capacity run: arrivals, admission, dispatch, the
 * queue with its bound and timeouts, and the event handlers (sim/cap_impl.h;
 * semantics in sim/capacity.h). */
#include "sim/cap_impl.h"

#include "base/status.h"
#include "sim/mc.h"

#include <gsl/gsl_randist.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

enum { W_RATE, W_RENEWAL, W_PROFILE, W_TRACE };

#define MAX_SLOTS (INT32_MAX / 2)

void sim_cap_oom(sim_cap_state *r)
{
    if (!r->rc)
        r->rc = base_errf(r->err, r->errsz, BASE_ERUNTIME, "out of memory");
    sim_stop(r->sim);
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

/* Shut down expired idle containers (the oldest idle, at the tail) while
 * the pool holds more than it wants. */
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
        int x = sim_cap_ctr_new(r, now, cold, 0);
        if (x < 0)
            return;
        r->ctrs[x].state = C_BOOTING;
        sim_push(r->sim, &(sim_event){.t = now + cold, .type = EV_BOOTED, .a = x});
    }
}

/* The end of the window: once the arrivals are over and no counted job
 * (before the window opens: no job) is in the system, at the later of now
 * and the horizon. */
static void check_end(sim_cap_state *r, double now)
{
    if (r->ext_end || r->end_pushed || !r->arrivals_done || (r->open ? r->insys_counted : r->insys_all) > 0)
        return;
    r->end_pushed = 1;
    double t = isfinite(r->horizon) ? fmax(now, r->horizon) : now;
    sim_push(r->sim, &(sim_event){.t = t, .type = EV_END});
}

/* Input i of job j after its start: request, FFmpeg start, seek, processing,
 * transfers. */
static double input_rest(sim_cap_state *r, const sim_cap_job *b, int i)
{
    const model_scenario *s = r->s;
    gsl_rng *g = r->rs;
    model_split sp = model_chunk_split_n(b->frames, b->k);
    double n = model_chunk_frames(&sp, i);
    double t = model_dist_sample(&s->request, g) + model_dist_sample(&s->ffmpeg_start, g) +
               (i > 0 ? model_dist_sample(&s->seek, g) : 0);
    t += model_chunk_process_sample(&r->c->grp, n, g);
    t += r->c->dl;
    return t + model_chunk_upload_s(&r->c->grp, (double)b->frames, n);
}

/* Container x takes input i of job j now, starting `how` (S_NEW, S_WARM,
 * S_JOIN; a join of a container still booting waits for its boot). */
static void start_input(sim_cap_state *r, int x, int j, int i, int how, double now)
{
    sim_cap_job *b = &r->jobs[j];
    sim_cap_ctr *c = &r->ctrs[x];
    double warm = how == S_WARM ? model_dist_sample(&r->s->warm_start, r->rs) : 0;
    double boot = c->cold_end > now ? c->cold_end - now : 0;
    int cold = how == S_NEW || boot > 0;
    double rest = input_rest(r, b, i);
    if (c->n == 0)
        r->busy++;
    c->state = C_BUSY;
    if (now - b->arrival > b->wait)
        b->wait = now - b->arrival;
    r->inputs++;
    if (b->counted) {
        r->started++;
        r->work_s += boot + warm + rest;
        if (cold) {
            r->cold_inputs++;
            b->cold = 1;
        }
        r->cold_starts += how == S_NEW;
        r->warm_starts += how == S_WARM;
        if (b->bucket >= 0) {
            r->bk[b->bucket].inputs++;
            r->bk[b->bucket].cold_inputs += cold;
        }
    }
    if (r->c->ps) {
        sim_cap_ps_add(r, x, j, i, warm + rest, now);
    } else {
        c->n++;
        sim_push(r->sim, &(sim_event){.t = now + boot + warm + rest, .type = EV_CHUNK_DONE, .a = x, .b = j, .c = i});
    }
    if (r->c->inputs > 1)
        sim_cap_part_update(r, x);
}

static void enqueue(sim_cap_state *r, int j, int i)
{
    if (r->qlen == r->qcap) {
        size_t cap = r->qcap ? r->qcap * 2 : 256;
        sim_cap_qent *q = malloc(cap * sizeof *q);
        if (!q) {
            sim_cap_oom(r);
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
    /* One timer, at the head's deadline or before (deadlines never
     * decrease along the queue: every input waits from its job's arrival). */
    double to = r->s->queue_timeout_s;
    if (to > 0 && !r->qtimer)
        r->qtimer = sim_push(r->sim, &(sim_event){.t = r->jobs[r->q[r->qhead].job].arrival + to, .type = EV_QTIMEOUT});
}

static sim_cap_qent dequeue(sim_cap_state *r)
{
    sim_cap_qent e = r->q[r->qhead];
    r->qhead = (r->qhead + 1) & (r->qcap - 1);
    r->qlen--;
    return e;
}

/* An idle container (the idle rule's), else one serving with a free slot,
 * else a new one, else the queue. */
static void dispatch(sim_cap_state *r, int j, int i, double now)
{
    int x = sim_cap_idle_pick(r);
    if (x >= 0) {
        sim_cap_idle_remove(r, x);
        start_input(r, x, j, i, S_WARM, now);
    } else if (r->part_head >= 0) {
        start_input(r, r->part_head, j, i, S_JOIN, now);
    } else if (room(r)) {
        double cold = model_dist_sample(&r->s->cold_start, r->rs);
        if ((x = sim_cap_ctr_new(r, now, cold, 1)) >= 0)
            start_input(r, x, j, i, S_NEW, now);
    } else {
        enqueue(r, j, i);
    }
}

/* Inputs that can start now without waiting. */
static long startable(const sim_cap_state *r)
{
    if (r->qlen > 0)
        return 0;
    if (r->s->max_containers == 0)
        return LONG_MAX;
    return (long)(r->nidle + r->s->max_containers - r->live) * r->c->inputs + r->part_free;
}

static int job_new(sim_cap_state *r)
{
    if (r->job_free < 0) {
        if (r->njobs >= MAX_SLOTS) {
            sim_cap_oom(r);
            return -1;
        }
        int n = r->njobs ? r->njobs * 2 : 256;
        sim_cap_job *a = realloc(r->jobs, (size_t)n * sizeof *a);
        if (!a) {
            sim_cap_oom(r);
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

static void job_free(sim_cap_state *r, int j)
{
    r->jobs[j].next_free = r->job_free;
    r->job_free = j;
}

static void job_done(sim_cap_state *r, int j, double now)
{
    sim_cap_job *b = &r->jobs[j];
    if (b->counted) {
        double lat = now - b->arrival;
        r->lat_sum += lat;
        r->wait_sum += b->wait;
        r->tis_sum += lat;
        r->served++;
        r->cold_jobs += b->cold;
        sim_cap_hist_add(&r->lat, lat);
        sim_cap_hist_add(&r->wait, b->wait);
        r->insys_counted--;
        sim_cap_bucket_job(r, b->bucket, B_SERVED, b, lat);
    }
    r->insys_all--;
    if (r->served_fn)
        r->served_fn(r->served_ctx, b, now);
    job_free(r, j);
    check_end(r, now);
}

/* Job j has waited queue_timeout_s: its waiting inputs (at the queue's
 * head) leave, its running ones finish unheeded. */
static void drop_job(sim_cap_state *r, int j, double now)
{
    sim_cap_job *b = &r->jobs[j];
    while (r->qlen > 0 && r->q[r->qhead].job == j) {
        dequeue(r);
        b->left--;
    }
    b->dropped = 1;
    if (b->counted) {
        r->timed_out++;
        r->tis_sum += now - b->arrival;
        r->insys_counted--;
        sim_cap_bucket_job(r, b->bucket, B_TIMED_OUT, b, 0);
    }
    r->insys_all--;
    if (b->left == 0)
        job_free(r, j);
    check_end(r, now);
}

void sim_cap_input_done(sim_cap_state *r, int x, int j, int i, double now)
{
    const model_scenario *s = r->s;
    sim_cap_job *b = &r->jobs[j];
    (void)i;
    assert(b->left > 0);
    r->inputs--;
    if (--b->left == 0) {
        if (b->dropped) {
            job_free(r, j);
        } else if (b->k > 1) {
            double d = model_dist_sample(&s->concat, r->rs) + b->k * model_dist_sample(&s->concat_per_chunk, r->rs);
            if (b->counted && r->c->concat_rate > 0)
                r->concat_usd += model_chunk_billed_s(&r->c->bill, d) * r->c->concat_rate;
            sim_push(r->sim, &(sim_event){.t = now + d, .type = EV_JOB_DONE, .a = j});
        } else {
            job_done(r, j, now);
        }
    }
    sim_cap_ctr *c = &r->ctrs[x];
    assert(c->n > 0);
    if (--c->n == 0)
        r->busy--;
    if (r->qlen > 0) {
        sim_cap_qent e = dequeue(r);
        start_input(r, x, e.job, e.chunk, c->n == 0 ? S_WARM : S_JOIN, now);
    } else if (c->n == 0) {
        if (r->c->inputs > 1) {
            c->state = C_IDLE; /* leaves the partial list */
            sim_cap_part_update(r, x);
        }
        sim_cap_idle_add(r, x, now);
    } else {
        sim_cap_part_update(r, x);
    }
    trim(r, now);
}

/* The next arrival after `from`: schedule it, or note that the workload is
 * over. */
static void next_arrival(sim_cap_state *r, double from)
{
    const model_scenario *s = r->s;
    double t = from;
    long frames = 0;
    int got = r->arrived < r->max_jobs;
    if (got && r->mode == W_TRACE) {
        got = sim_cap_trace_next(&r->tr, &t, &frames, r->err, r->errsz);
        if (got < 0) {
            r->rc = -got;
            sim_stop(r->sim);
            return;
        }
    } else if (got) {
        if (r->mode == W_RATE) {
            t += model_ran_exp(r->ra, 1 / r->lambda);
        } else if (r->mode == W_RENEWAL) {
            t += model_dist_sample(&s->interarrival, r->ra);
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
    if (r->progress && (r->arrived & 4095) == 0)
        r->progress(r->progress_ctx, isfinite(r->horizon) ? fmin(t, r->horizon) : (double)r->arrived,
                    isfinite(r->horizon) ? r->horizon : (double)r->max_jobs);
    if (!got || t > r->horizon) {
        r->arrivals_done = 1;
        check_end(r, from);
        return;
    }
    sim_push(r->sim, &(sim_event){.t = t, .type = EV_ARRIVAL, .x.i = frames});
}

/* The system is full: stop here, unstable. */
static void stop_full(sim_cap_state *r)
{
    r->stop = STOP_BOUND;
    sim_stop(r->sim);
}

/* Admit (or reject) a job of `frames` frames and k chunks arriving now;
 * `up` is the pipeline's job from the group before (NULL: a new arrival,
 * counted when the window is open). */
static void admit(sim_cap_state *r, long frames, int k, const sim_cap_job *up, double now)
{
    const model_scenario *s = r->s;
    int counted = up ? up->counted : r->open;
    int bucket = counted ? sim_cap_bucket_of(r, now) : -1;
    if (counted) {
        r->counted++;
        r->chunks += k;
        r->ksum += k;
        r->last_arrival = now;
        sim_cap_bucket_job(r, bucket, B_ARRIVED, NULL, 0);
    }
    if (s->has_max_queue) {
        long need = k - startable(r);
        if (need > 0 && (long)r->qlen + need > s->max_queue) {
            if (counted) {
                r->rejected++;
                sim_cap_bucket_job(r, bucket, B_REJECTED, NULL, 0);
            }
            return;
        }
    }
    int j = job_new(r);
    if (j < 0)
        return;
    r->jobs[j] = (sim_cap_job){.arrival = now, .origin = up ? up->origin : now,
                               .uwait = up ? up->uwait + up->wait : 0, .frames = frames, .k = k, .left = k,
                               .bucket = bucket, .counted = (unsigned)counted,
                               .ucold = up ? up->ucold | up->cold : 0, .next_free = -1};
    r->insys_all++;
    r->insys_counted += counted;
    for (int i = 0; i < k && !r->rc; i++)
        dispatch(r, j, i, now);
    fill(r, now);
}

/* The GPU count of a job arriving now, and the bound: -1 when the run
 * stopped (an error, or the system is full). */
static int arriving_k(sim_cap_state *r, long frames)
{
    int k;
    int rc = sim_cap_pick_k(r->c, frames, &k, r->err, r->errsz);
    if (rc) {
        r->rc = rc;
        sim_stop(r->sim);
        return -1;
    }
    if ((long)r->qlen + r->inputs + k > SIM_CAP_MAX_INPUTS || r->insys_all >= SIM_CAP_MAX_INPUTS) {
        stop_full(r);
        return -1;
    }
    return k;
}

static void on_arrival(sim *sm, const sim_event *ev, void *ctx)
{
    sim_cap_state *r = ctx;
    double now = ev->t;
    (void)sm;
    sim_cap_advance(r, now);
    long frames = ev->x.i;
    int k = arriving_k(r, frames);
    if (k < 0)
        return;
    long idx = r->arrived++;
    if (!r->open && idx == r->s->warmup_jobs)
        sim_cap_window_open(r, now);
    admit(r, frames, k, NULL, now);
    next_arrival(r, now);
}

void sim_cap_inject(sim_cap_state *r, const sim_cap_job *b, double now)
{
    sim_cap_advance(r, now);
    int k = arriving_k(r, b->frames);
    if (k < 0)
        return;
    r->arrived++;
    admit(r, b->frames, k, b, now);
}

static void on_chunk_done(sim *sm, const sim_event *ev, void *ctx)
{
    sim_cap_state *r = ctx;
    (void)sm;
    sim_cap_advance(r, ev->t);
    sim_cap_input_done(r, ev->a, ev->b, ev->c, ev->t);
}

static void on_booted(sim *sm, const sim_event *ev, void *ctx)
{
    sim_cap_state *r = ctx;
    double now = ev->t;
    int x = ev->a;
    (void)sm;
    sim_cap_advance(r, now);
    assert(r->ctrs[x].state == C_BOOTING);
    if (r->qlen == 0)
        sim_cap_idle_add(r, x, now);
    for (int how = S_WARM; r->qlen > 0 && r->ctrs[x].n < r->c->inputs; how = S_JOIN) {
        sim_cap_qent e = dequeue(r);
        start_input(r, x, e.job, e.chunk, how, now);
    }
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

static void on_qtimeout(sim *sm, const sim_event *ev, void *ctx)
{
    sim_cap_state *r = ctx;
    double now = ev->t, to = r->s->queue_timeout_s;
    (void)sm;
    sim_cap_advance(r, now);
    r->qtimer = 0;
    while (r->qlen > 0 && r->jobs[r->q[r->qhead].job].arrival + to <= now)
        drop_job(r, r->q[r->qhead].job, now);
    if (r->qlen > 0)
        r->qtimer = sim_push(r->sim, &(sim_event){.t = r->jobs[r->q[r->qhead].job].arrival + to, .type = EV_QTIMEOUT});
}

static void on_end(sim *sm, const sim_event *ev, void *ctx)
{
    sim_cap_state *r = ctx;
    sim_cap_advance(r, ev->t);
    if (r->open)
        sim_cap_window_close(r, ev->t);
    sim_stop(sm);
}

static void workload_init(sim_cap_state *r)
{
    const model_scenario *s = r->s;
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
    } else if (s->has_interarrival) {
        r->mode = W_RENEWAL;
    } else {
        r->mode = W_RATE;
        r->lambda = s->rate_per_hour / 3600;
    }
}

int sim_cap_state_init(sim_cap_state *r, sim_cap *c, uint64_t seed, int g, int upstream, const sim_cap_opts *o,
                       char *err, size_t errsz)
{
    const model_scenario *s = c->s;
    memset(r, 0, sizeof *r);
    r->c = c;
    r->s = s;
    r->err = err;
    r->errsz = errsz;
    const sim_cap_series *series = o ? o->series : NULL;
    r->series = series && series->fn && series->step > 0 ? series : NULL;
    r->progress = o ? o->progress : NULL;
    r->progress_ctx = o ? o->progress_ctx : NULL;
    r->job_free = r->ctr_free = -1;
    r->idle_head = r->idle_tail = r->part_head = -1;
    workload_init(r);
    r->sim = sim_new(0);
    r->ra = gsl_rng_alloc(sim_mc_rng_type());
    r->rs = gsl_rng_alloc(sim_mc_rng_type());
    if (!r->sim || !r->ra || !r->rs || sim_cap_hist_init(&r->lat) || sim_cap_hist_init(&r->wait) ||
        sim_cap_hist_init(&r->life) || (o && o->buckets > 0 && sim_cap_buckets_init(r, o->buckets)))
        return base_errf(err, errsz, BASE_ERUNTIME, "out of memory");
    sim_mc_seed_rng(r->ra, seed, 2 * (uint64_t)g);
    sim_mc_seed_rng(r->rs, seed, 2 * (uint64_t)g + 1);
    r->upstream = upstream;
    sim_on(r->sim, EV_ARRIVAL, on_arrival, r);
    sim_on(r->sim, EV_CHUNK_DONE, on_chunk_done, r);
    sim_on(r->sim, EV_BOOTED, on_booted, r);
    sim_on(r->sim, EV_SCALEDOWN, on_scaledown, r);
    sim_on(r->sim, EV_JOB_DONE, on_job_done, r);
    sim_on(r->sim, EV_PS_DONE, sim_cap_on_ps_done, r);
    sim_on(r->sim, EV_QTIMEOUT, on_qtimeout, r);
    sim_on(r->sim, EV_END, on_end, r);
    if (r->mode == W_TRACE && sim_cap_trace_open(&r->tr, s, err, errsz))
        return BASE_EINPUT;
    if (s->warmup_jobs == 0)
        sim_cap_window_open(r, 0);
    /* max(min_containers, initial_warm): live and warm at t = 0 (booted before the run). */
    int warm = s->initial_warm > s->min_containers ? s->initial_warm : s->min_containers;
    for (int m = 0; m < warm; m++) {
        int x = sim_cap_ctr_new(r, 0, 0, 0);
        if (x < 0)
            return r->rc;
        sim_cap_idle_add(r, x, 0);
    }
    r->peak = r->live;
    if (!upstream)
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
    sim_cap_hist_free(&r->life);
    sim_cap_buckets_free(r);
    free(r->jobs);
    free(r->ctrs);
    free(r->heap);
    free(r->inp);
    free(r->q);
}

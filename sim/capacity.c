/* sim/capacity.c -- a stream of jobs on an autoscaled container pool. */
#include "sim/capacity.h"

#include "model/chunk.h"
#include "model/evaluate.h"
#include "model/workload.h"
#include "model/predict.h"
#include "base/status.h"
#include "sim/engine.h"
#include "sim/mc.h"

#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_histogram.h>
#include <gsl/gsl_randist.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { EV_ARRIVAL, EV_CHUNK_DONE, EV_BOOTED, EV_SCALEDOWN, EV_JOB_DONE };
enum { C_FREE, C_BOOTING, C_BUSY, C_IDLE };
enum { W_RATE, W_PROFILE, W_TRACE };

#define HIST_LO 1e-4          /* s; bin 0 is [0, HIST_LO) */
#define HIST_DECADES 12       /* up to 1e8 s */
#define HIST_PER_DECADE 1000  /* bin width 10^(1/1000) - 1 = 0.23% */
#define CACHE_BITS 14         /* auto policy: 16384 direct-mapped entries */
#define MAX_SLOTS (INT32_MAX / 2)

/* ---- the trace file ----------------------------------------------------- */

/* Streams "arrival_s,frames[,stage]" lines: blank lines and lines starting
 * with '#' are skipped, a first line starting with a letter is a header.
 * Lines whose stage is given and differs from the scenario name are not
 * this stage's jobs (skipped, but still checked for order). */
typedef struct {
    FILE *f;
    char *line;
    size_t cap;
    long lineno, last_line;
    double last;              /* arrival_s of the previous job line */
    int seen_content;
    const model_scenario *s;
    char other[64];           /* first stage seen that is not ours */
} trace_rd;

static int trace_open(trace_rd *t, const model_scenario *s, char *err, size_t errsz)
{
    memset(t, 0, sizeof *t);
    t->s = s;
    t->last = -INFINITY;
    t->f = fopen(s->trace, "r");
    if (!t->f)
        return base_errf(err, errsz, BASE_EINPUT, "%s: workload.trace: cannot read %s (%s)", s->file,
                          s->trace, strerror(errno));
    return BASE_OK;
}

static void trace_close(trace_rd *t)
{
    if (t->f)
        fclose(t->f);
    free(t->line);
    t->f = NULL;
    t->line = NULL;
}

/* Next job line of this stage: 1 with *at and *frames, 0 at the end,
 * BASE_EINPUT (negated) on a bad line. */
static int trace_next(trace_rd *t, double *at, long *frames, char *err, size_t errsz)
{
    const model_scenario *s = t->s;
    ssize_t len;
    while ((len = getline(&t->line, &t->cap, t->f)) >= 0) {
        t->lineno++;
        char *p = t->line;
        while (len > 0 && (p[len - 1] == '\n' || p[len - 1] == '\r'))
            p[--len] = 0;
        while (*p == ' ' || *p == '\t')
            p++;
        if (!*p || *p == '#')
            continue;
        if (!t->seen_content++ && isalpha((unsigned char)*p))
            continue; /* header */
        char *end;
        errno = 0;
        double a = strtod(p, &end);
        if (end == p || errno || !isfinite(a) || a < 0 || *end != ',')
            goto bad_line;
        p = end + 1;
        double fr = strtod(p, &end);
        if (end == p || errno || !(fr >= 1 && fr <= MODEL_MAX_FRAMES) || fr != floor(fr)) {
            base_errf(err, errsz, BASE_EINPUT,
                       "%s: workload.trace: %s line %ld: frames must be an integer between 1 and %ld",
                       s->file, s->trace, t->lineno, MODEL_MAX_FRAMES);
            return -BASE_EINPUT;
        }
        while (*end == ' ' || *end == '\t')
            end++;
        const char *stage = "";
        if (*end == ',') {
            stage = end + 1;
            while (*stage == ' ' || *stage == '\t')
                stage++;
            char *e = (char *)stage + strlen(stage);
            while (e > stage && (e[-1] == ' ' || e[-1] == '\t'))
                *--e = 0;
        } else if (*end) {
            goto bad_line;
        }
        if (a < t->last) {
            base_errf(err, errsz, BASE_EINPUT,
                       "%s: workload.trace: %s line %ld: trace out of order (arrival_s %g is before %g "
                       "on line %ld)", s->file, s->trace, t->lineno, a, t->last, t->last_line);
            return -BASE_EINPUT;
        }
        t->last = a;
        t->last_line = t->lineno;
        if (*stage && strcmp(stage, s->name)) {
            if (!t->other[0])
                snprintf(t->other, sizeof t->other, "%s", stage);
            continue;
        }
        *at = a;
        *frames = (long)fr;
        return 1;
    }
    if (ferror(t->f)) {
        base_errf(err, errsz, BASE_EINPUT, "%s: workload.trace: %s: read error", s->file, s->trace);
        return -BASE_EINPUT;
    }
    return 0;
bad_line:
    base_errf(err, errsz, BASE_EINPUT,
               "%s: workload.trace: %s line %ld: expected arrival_s,frames[,stage] with arrival_s >= 0",
               s->file, s->trace, t->lineno);
    return -BASE_EINPUT;
}

/* ---- percentiles: a fixed log-binned histogram ------------------------- */

typedef struct {
    gsl_histogram *h;
    double min, max;
    long n;
} hist;

static int hist_init(hist *q)
{
    size_t n = 1 + HIST_DECADES * HIST_PER_DECADE;
    double *range = malloc((n + 1) * sizeof *range);
    q->h = gsl_histogram_alloc(n);
    q->min = INFINITY;
    q->max = -INFINITY;
    q->n = 0;
    int rc = -1;
    if (!range || !q->h)
        goto cleanup;
    range[0] = 0;
    for (size_t i = 1; i <= n; i++)
        range[i] = HIST_LO * pow(10.0, (double)(i - 1) / HIST_PER_DECADE);
    if (gsl_histogram_set_ranges(q->h, range, n + 1) == GSL_SUCCESS)
        rc = 0;
cleanup:
    free(range);
    return rc;
}

static void hist_add(hist *q, double x)
{
    assert(x >= 0);
    q->min = fmin(q->min, x);
    q->max = fmax(q->max, x);
    q->n++;
    double top = q->h->range[q->h->n];
    gsl_histogram_increment(q->h, x < top ? x : nextafter(top, 0));
}

/* The p-quantiles by linear interpolation inside the bin holding the
 * p-th cumulative fraction, clamped to the observed [min, max]. */
static int hist_quantiles(const hist *q, const double *p, double *out, int np)
{
    if (q->n == 0) {
        for (int i = 0; i < np; i++)
            out[i] = 0;
        return 0;
    }
    gsl_histogram_pdf *pdf = gsl_histogram_pdf_alloc(q->h->n);
    if (!pdf || gsl_histogram_pdf_init(pdf, q->h) != GSL_SUCCESS) {
        gsl_histogram_pdf_free(pdf);
        return -1;
    }
    for (int i = 0; i < np; i++)
        out[i] = fmin(q->max, fmax(q->min, gsl_histogram_pdf_sample(pdf, p[i])));
    gsl_histogram_pdf_free(pdf);
    return 0;
}

static void hist_free(hist *q)
{
    gsl_histogram_free(q->h);
    q->h = NULL;
}

/* ---- the prepared run ---------------------------------------------------- */

typedef struct {
    long frames; /* 0: empty */
    int k;
} kcache;

struct sim_cap {
    const model_scenario *s;
    model_prep *prep;     /* auto only */
    kcache *cache;        /* auto only, 1 << CACHE_BITS entries */
    long trace_jobs;      /* this stage's trace jobs within hours/jobs */
    double rate, concat_rate; /* USD/s */
    model_chunk_group grp; /* the stage: processing and transfers */
    model_billing bill;
    double dl;            /* a chunk's download, s */
};

static int check_trace(sim_cap *c, char *err, size_t errsz)
{
    const model_scenario *s = c->s;
    trace_rd t;
    int rc = trace_open(&t, s, err, errsz);
    if (rc)
        return rc;
    double at, horizon = s->hours > 0 ? s->hours * 3600 : INFINITY;
    long frames, all = 0;
    int got;
    c->trace_jobs = 0;
    while ((got = trace_next(&t, &at, &frames, err, errsz)) > 0) {
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
    trace_close(&t);
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
        c->cache = calloc((size_t)1 << CACHE_BITS, sizeof *c->cache);
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
    kcache *e = &c->cache[((uint64_t)frames * 0x9E3779B97F4A7C15ull) >> (64 - CACHE_BITS)];
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

/* ---- one run ------------------------------------------------------------- */

typedef struct {
    double arrival, wait;   /* wait: the longest of its chunks' waits so far */
    long frames;
    int k, left, counted;
    int next_free;
} job;

typedef struct {
    double spawn, cold_end; /* cold_end: when its (one) cold start ended */
    sim_handle timer;       /* scale-down, 0: none */
    int state, expired;
    int prev, next;         /* idle list (head newest), or the free list (next) */
} ctr;

typedef struct {
    int32_t job, chunk;
} qent;

typedef struct {
    sim_cap *c;
    const model_scenario *s;
    sim *sim;
    gsl_rng *ra, *rs;       /* arrivals and frames; service times */
    int rc;
    char *err;
    size_t errsz;

    /* workload */
    int mode;
    double lambda, lambda_max, rate_s[24]; /* per s */
    double horizon;         /* last arrival instant allowed; INFINITY: none */
    long max_jobs;          /* LONG_MAX: none */
    long arrived;
    trace_rd tr;

    /* jobs in the system */
    job *jobs;
    int njobs, job_free;
    long insys_counted;

    /* containers */
    ctr *ctrs;
    int nctrs, ctr_free;
    int live, busy;
    int idle_head, idle_tail;

    /* FIFO of waiting chunks: a ring, capacity a power of two */
    qent *q;
    size_t qcap, qhead, qlen;

    /* statistics window */
    int open;
    double t_w, last_t;
    double area_busy, area_live, area_queue, area_insys;
    int peak;
    long counted, chunks, cold_chunks, ksum;
    double lat_sum, wait_sum, billed_s, concat_usd;
    hist lat, wait;

    const sim_cap_series *series;
    long sample_i;
} run;

static void oom(run *r)
{
    if (!r->rc)
        r->rc = base_errf(r->err, r->errsz, BASE_ERUNTIME, "out of memory");
    sim_stop(r->sim);
}

/* Integrate the step functions up to t and emit the series samples before t. */
static void advance(run *r, double t)
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
static int target(const run *r)
{
    const model_scenario *s = r->s;
    int t = r->busy > 0 ? r->busy + s->buffer_containers : 0;
    if (t < s->min_containers)
        t = s->min_containers;
    if (s->max_containers > 0 && t > s->max_containers)
        t = s->max_containers;
    return t;
}

static int room(const run *r)
{
    return r->s->max_containers == 0 || r->live < r->s->max_containers;
}

static int ctr_new(run *r, double now, double cold)
{
    if (r->ctr_free < 0) {
        if (r->nctrs >= MAX_SLOTS) {
            oom(r);
            return -1;
        }
        int n = r->nctrs ? r->nctrs * 2 : 64;
        ctr *a = realloc(r->ctrs, (size_t)n * sizeof *a);
        if (!a) {
            oom(r);
            return -1;
        }
        for (int i = r->nctrs; i < n; i++)
            a[i] = (ctr){.state = C_FREE, .next = i + 1 < n ? i + 1 : -1, .prev = -1};
        r->ctrs = a;
        r->ctr_free = r->nctrs;
        r->nctrs = n;
    }
    int x = r->ctr_free;
    ctr *c = &r->ctrs[x];
    r->ctr_free = c->next;
    *c = (ctr){.spawn = now, .cold_end = now + cold, .prev = -1, .next = -1};
    r->live++;
    if (r->live > r->peak)
        r->peak = r->live;
    return x;
}

static void idle_unlink(run *r, int x)
{
    ctr *c = &r->ctrs[x];
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

static void make_idle(run *r, int x, double now)
{
    ctr *c = &r->ctrs[x];
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
static void terminate(run *r, int x, double now)
{
    ctr *c = &r->ctrs[x];
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
static void trim(run *r, double now)
{
    while (r->idle_tail >= 0 && r->ctrs[r->idle_tail].expired && r->live > target(r))
        terminate(r, r->idle_tail, now);
}

/* Boot containers up to the target (min_containers, buffer). */
static void fill(run *r, double now)
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
static void start_chunk(run *r, int x, int j, int i, double start, double now)
{
    const model_scenario *s = r->s;
    job *b = &r->jobs[j];
    gsl_rng *g = r->rs;
    if (r->ctrs[x].state != C_BUSY) {
        r->ctrs[x].state = C_BUSY;
        r->busy++;
    }
    b->wait = fmax(b->wait, now - b->arrival);
    model_split sp = model_chunk_split((double)b->frames, b->k);
    double n = model_chunk_frames(&sp, i);
    model_dist proc[MODEL_CHUNK_MAX_STAGES];
    int np = model_chunk_process(&r->c->grp, n, proc);
    double t = start + model_dist_sample(&s->request, g) + model_dist_sample(&s->ffmpeg_start, g) +
               (i > 0 ? model_dist_sample(&s->seek, g) : 0);
    for (int q = 0; q < np; q++)
        t += model_dist_sample(&proc[q], g);
    t += r->c->dl;
    t += model_chunk_upload_s(&r->c->grp, (double)b->frames, n);
    sim_push(r->sim, &(sim_event){.t = now + t, .type = EV_CHUNK_DONE, .a = x, .b = j, .c = i});
}

static void dispatch(run *r, int j, int i, double now)
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
            qent *q = malloc(cap * sizeof *q);
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
        r->q[(r->qhead + r->qlen++) & (r->qcap - 1)] = (qent){j, i};
    }
}

/* A live container is free now: the queue's head, else idle. */
static void take_or_idle(run *r, int x, double now)
{
    if (r->qlen > 0) {
        qent e = r->q[r->qhead];
        r->qhead = (r->qhead + 1) & (r->qcap - 1);
        r->qlen--;
        start_chunk(r, x, e.job, e.chunk, model_dist_sample(&r->s->warm_start, r->rs), now);
        return;
    }
    if (r->ctrs[x].state == C_BUSY)
        r->busy--;
    make_idle(r, x, now);
}

static int job_new(run *r)
{
    if (r->job_free < 0) {
        if (r->njobs >= MAX_SLOTS) {
            oom(r);
            return -1;
        }
        int n = r->njobs ? r->njobs * 2 : 256;
        job *a = realloc(r->jobs, (size_t)n * sizeof *a);
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

static void job_done(run *r, int j, double now)
{
    job *b = &r->jobs[j];
    if (b->counted) {
        double lat = now - b->arrival;
        r->lat_sum += lat;
        r->wait_sum += b->wait;
        hist_add(&r->lat, lat);
        hist_add(&r->wait, b->wait);
        r->insys_counted--;
    }
    b->next_free = r->job_free;
    r->job_free = j;
}

/* The next arrival after `from`: schedule it, or nothing when the workload
 * is over. */
static void next_arrival(run *r, double from)
{
    const model_scenario *s = r->s;
    if (r->arrived >= r->max_jobs)
        return;
    double t = from;
    long frames;
    if (r->mode == W_TRACE) {
        int got = trace_next(&r->tr, &t, &frames, r->err, r->errsz);
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
    run *r = ctx;
    double now = ev->t;
    (void)sm;
    advance(r, now);
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
    r->jobs[j] = (job){.arrival = now, .frames = frames, .k = k, .left = k, .counted = r->open,
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
    run *r = ctx;
    const model_scenario *s = r->s;
    double now = ev->t;
    (void)sm;
    advance(r, now);
    int j = ev->b;
    job *b = &r->jobs[j];
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
    run *r = ctx;
    double now = ev->t;
    (void)sm;
    advance(r, now);
    assert(r->ctrs[ev->a].state == C_BOOTING);
    take_or_idle(r, ev->a, now);
    fill(r, now);
}

static void on_scaledown(sim *sm, const sim_event *ev, void *ctx)
{
    run *r = ctx;
    double now = ev->t;
    (void)sm;
    advance(r, now);
    ctr *c = &r->ctrs[ev->a];
    assert(c->state == C_IDLE);
    c->timer = 0;
    c->expired = 1;
    trim(r, now);
}

static void on_job_done(sim *sm, const sim_event *ev, void *ctx)
{
    run *r = ctx;
    (void)sm;
    advance(r, ev->t);
    job_done(r, ev->a, ev->t);
}

static int run_init(run *r, sim_cap *c, uint64_t seed, const sim_cap_series *series, char *err, size_t errsz)
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
    if (!r->sim || !r->ra || !r->rs || hist_init(&r->lat) || hist_init(&r->wait))
        return base_errf(err, errsz, BASE_ERUNTIME, "out of memory");
    sim_mc_seed_rng(r->ra, seed, 0);
    sim_mc_seed_rng(r->rs, seed, 1);
    sim_on(r->sim, EV_ARRIVAL, on_arrival, r);
    sim_on(r->sim, EV_CHUNK_DONE, on_chunk_done, r);
    sim_on(r->sim, EV_BOOTED, on_booted, r);
    sim_on(r->sim, EV_SCALEDOWN, on_scaledown, r);
    sim_on(r->sim, EV_JOB_DONE, on_job_done, r);
    if (r->mode == W_TRACE && trace_open(&r->tr, s, err, errsz))
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

static void run_free(run *r)
{
    trace_close(&r->tr);
    sim_free(r->sim);
    gsl_rng_free(r->ra);
    gsl_rng_free(r->rs);
    hist_free(&r->lat);
    hist_free(&r->wait);
    free(r->jobs);
    free(r->ctrs);
    free(r->q);
}

int sim_cap_run(sim_cap *c, uint64_t seed, const sim_cap_series *series, sim_cap_result *out, char *err,
                size_t errsz)
{
    const model_scenario *s = c->s;
    run r;
    memset(out, 0, sizeof *out);
    int rc = run_init(&r, c, seed, series, err, errsz);
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
    advance(&r, t_end);
    if (r.series && (double)r.sample_i * r.series->step <= t_end)
        r.series->fn((double)r.sample_i * r.series->step, r.busy, r.live - r.busy, 0, r.series->ctx);
    /* Bill what is still live (min_containers) up to the end. */
    while (r.idle_head >= 0)
        terminate(&r, r.idle_head, t_end);
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
    if (hist_quantiles(&r.lat, p, q, 3)) {
        rc = base_errf(err, errsz, BASE_ERUNTIME, "latency histogram failed");
        goto cleanup;
    }
    out->latency_p50 = q[0];
    out->latency_p95 = q[1];
    out->latency_p99 = q[2];
    if (hist_quantiles(&r.wait, p + 1, q, 1)) {
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
    run_free(&r);
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

/* sim/cap_impl.h -- private to the capacity simulator: the prepared object,
 * the trace reader, the histograms and the state of one run. Not for use
 * outside these files; sim/capacity.h is the module's interface and states
 * the semantics.
 *
 *   sim/cap_trace.c  streams the trace CSV, checking each line (O(1) memory)
 *   sim/cap_hist.c   a fixed log-binned GSL histogram and its quantiles
 *   sim/cap_pool.c   one run: arrivals, admission, the queue (bound,
 *                    timeouts), the event handlers
 *   sim/cap_ctr.c    the containers: slots and free list, the idle set
 *                    (list by idle time, heap by creation for newest/oldest),
 *                    the partial list (max_inputs > 1), processor sharing,
 *                    shutdown and billing
 *   sim/cap_window.c the statistics window: integrals, its opening and
 *                    closing, the transient buckets, the result
 *   sim/cap_json.c   the JSON writers
 *   sim/capacity.c   sim_cap_new (validation, the auto policy's cache) and
 *                    sim_cap_run
 *   sim/cap_pipe.c   a pipeline's pools in tandem (sim/cap_pipe.h): one run
 *                    state per group, through the hooks at the end of
 *                    sim_cap_state (served_fn, sim_cap_inject, ext_end)
 */
#ifndef FORKCAST_SIM_CAP_IMPL_H
#define FORKCAST_SIM_CAP_IMPL_H

#include "sim/capacity.h"

#include "model/chunk.h"
#include "model/predict.h"
#include "sim/engine.h"

#include <assert.h>
#include <gsl/gsl_histogram.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>

#define SIM_CAP_CACHE_BITS 14   /* auto policy: 16384 direct-mapped entries */

/* ---- the prepared object ------------------------------------------------- */

typedef struct {
    long frames; /* 0: empty */
    int k;
} sim_cap_kcache;

struct sim_cap {
    const model_scenario *s;
    model_prep *prep;     /* auto only */
    sim_cap_kcache *cache; /* auto only, 1 << SIM_CAP_CACHE_BITS entries */
    long trace_jobs;      /* this stage's trace jobs within hours/jobs */
    double rate, concat_rate; /* USD/s */
    model_chunk_group grp; /* the stage: processing and transfers */
    model_billing bill;
    double dl;            /* a chunk's download, s */
    int inputs;           /* max_inputs, >= 1 */
    int ps;               /* 1: non-linear throughput, processor sharing */
    double ps_rate[MODEL_MAX_INPUTS + 1]; /* ps: each input's speed theta(n) / n at n inputs */
    double capacity;      /* max_containers * theta(inputs); 0 unlimited */
};

/* ---- the trace file (sim/cap_trace.c) ------------------------------------- */

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
} sim_cap_trace;

/* Open s->trace: BASE_OK, or BASE_EINPUT "FILE: workload.trace: cannot read". */
int sim_cap_trace_open(sim_cap_trace *t, const model_scenario *s, char *err, size_t errsz);
/* Next job line of this stage: 1 with *at and *frames, 0 at the end,
 * BASE_EINPUT (negated) on a bad line. */
int sim_cap_trace_next(sim_cap_trace *t, double *at, long *frames, char *err, size_t errsz);
void sim_cap_trace_close(sim_cap_trace *t);

/* ---- percentiles: a fixed log-binned histogram (sim/cap_hist.c) ---------- */

#define SIM_CAP_HIST_LO 1e-4          /* s; bin 0 is [0, HIST_LO) */
#define SIM_CAP_HIST_DECADES 12       /* up to 1e8 s */
#define SIM_CAP_HIST_PER_DECADE 1000  /* bin width 10^(1/1000) - 1 = 0.23% */

typedef struct {
    gsl_histogram *h;
    double min, max;
    long n;
} sim_cap_hist;

/* 0, or -1 out of memory. */
int sim_cap_hist_init(sim_cap_hist *q);
/* The p-quantiles by linear interpolation inside the bin holding the
 * p-th cumulative fraction, clamped to the observed [min, max]; 0 or -1. */
int sim_cap_hist_quantiles(const sim_cap_hist *q, const double *p, double *out, int np);
void sim_cap_hist_free(sim_cap_hist *q);

/* Count x >= 0 in its bin (at or past the top: the last bin). The bin comes
 * from log10 (bin i >= 1 is [LO 10^((i-1)/PER), LO 10^(i/PER))), then is
 * checked against the histogram's own ranges, so it is the bin GSL's
 * binary search would find, at a tenth of its cost. */
static inline void sim_cap_hist_add(sim_cap_hist *q, double x)
{
    assert(x >= 0);
    gsl_histogram *h = q->h;
    const double *rg = h->range;
    size_t n = h->n, i;
    q->min = x < q->min ? x : q->min;
    q->max = x > q->max ? x : q->max;
    q->n++;
    if (x < rg[1]) {
        i = 0;
    } else if (x >= rg[n]) {
        i = n - 1;
    } else {
        double f = log10(x * (1 / SIM_CAP_HIST_LO)) * SIM_CAP_HIST_PER_DECADE;
        i = f < (double)(n - 2) ? 1 + (size_t)f : n - 1;
        while (i > 1 && x < rg[i])
            i--;
        while (i < n - 1 && x >= rg[i + 1])
            i++;
    }
    h->bin[i] += 1;
}

/* ---- one run ---------------------------------------------------------------- */

enum { EV_ARRIVAL, EV_CHUNK_DONE, EV_BOOTED, EV_SCALEDOWN, EV_JOB_DONE, EV_PS_DONE, EV_QTIMEOUT, EV_END };
enum { C_FREE, C_BOOTING, C_BUSY, C_IDLE };
/* How an input starts on a container: a new one (cold), an idle one (warm
 * start), one already serving (no start), one still booting (waits for its
 * cold start). */
enum { S_NEW, S_WARM, S_JOIN, S_JOIN_BOOT };

typedef struct {
    double arrival, wait;   /* wait: the longest of its chunks' waits so far */
    double origin, uwait;   /* a pipeline's job: its arrival at the first group, its
                               waits in the groups before (else arrival, 0) */
    long frames;
    int k, left;            /* chunks not done (queued or running) */
    int bucket;             /* transient: arrival bucket, -1 none */
    unsigned counted : 1, dropped : 1, cold : 1, ucold : 1; /* ucold: cold in a group before */
    int next_free;
} sim_cap_job;

typedef struct sim_cap_state sim_cap_state;
/* A pipeline's hook (sim/cap_pipe.c): job b has been served by this pool
 * at `now` (called before its slot is freed). */
typedef void (*sim_cap_served_fn)(void *ctx, const sim_cap_job *b, double now);

typedef struct {
    double spawn, cold_end; /* cold_end: when its (one) cold start ended */
    double ps_t;            /* ps: progress accounted up to here */
    uint64_t seq;           /* creation order */
    sim_handle timer;       /* scale-down, 0: none */
    sim_handle done;        /* ps: the next completion, 0: none */
    int state, expired;
    int n;                  /* inputs held */
    int prev, next;         /* idle list (head: most recently idle), or the free list (next) */
    int pprev, pnext;       /* partial list (0 < n < inputs), pprev -2: not in it */
    int pfree;              /* its free slots counted in part_free */
    int hpos;               /* idle heap position (newest/oldest), -1 */
} sim_cap_ctr;

typedef struct {
    int32_t job, chunk;
} sim_cap_qent;

typedef struct {
    int32_t job, chunk;
    double work;            /* ps: work left, s at speed 1 */
} sim_cap_input;

/* The transient buckets' sums (sim/cap_window.c). */
typedef struct {
    long arrivals, served, rejected, timed_out, inputs, cold_inputs;
    double lat_sum, wait_sum, area_live, area_busy, area_queue, start_in, start_buf;
    sim_cap_hist lat;
} sim_cap_bsum;

enum { STOP_NONE, STOP_BOUND };

struct sim_cap_state {
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
    int arrivals_done, end_pushed, closed, stop;
    double last_arrival;    /* of a counted job */
    sim_cap_trace tr;

    /* jobs in the system */
    sim_cap_job *jobs;
    int njobs, job_free;
    long insys_counted, insys_all;

    /* containers */
    sim_cap_ctr *ctrs;
    int nctrs, ctr_free;
    int live, busy, nidle;
    long inputs;            /* inputs in service */
    int idle_head, idle_tail;
    int *heap, nheap;       /* newest/oldest: idle containers by seq */
    int part_head;          /* partial list */
    long part_free;         /* free slots on partial containers */
    uint64_t seq;
    sim_cap_input *inp;     /* ps: [nctrs * inputs] */

    /* FIFO of waiting chunks: a ring, capacity a power of two */
    sim_cap_qent *q;
    size_t qcap, qhead, qlen;
    sim_handle qtimer;      /* queue_timeout_s: the head's deadline, 0: none */

    /* statistics window */
    int open;
    double t_w, t_end, last_t;
    double area_busy, area_live, area_queue, area_insys, area_inputs;
    double start_in, start_buf; /* container-seconds in a cold start: with an input, buffer boots */
    int peak;
    long counted, chunks, started, cold_inputs, ksum, served, rejected, timed_out, cold_jobs;
    long cold_starts, warm_starts, ended;
    double lat_sum, wait_sum, tis_sum, work_s, billed_s, concat_usd, life_sum;
    sim_cap_hist lat, wait, life;

    const sim_cap_series *series;
    long sample_i;
    void (*progress)(void *ctx, double done, double total); /* sim_cap_opts' */
    void *progress_ctx;

    /* transient buckets (NULL: none) */
    sim_cap_bsum *bk;
    int nbk;
    double bk_w;

    /* a pipeline's group (sim/cap_pipe.c): NULL / 0 for a plain run */
    sim_cap_served_fn served_fn;
    void *served_ctx;
    int ext_end;            /* 1: the pipeline ends the run, not this pool */
    int upstream;           /* 1: arrivals come from sim_cap_inject() only */
};

/* sim/cap_pool.c: set up a run of c with seed (the initial containers live,
 * the first arrival scheduled unless `upstream`): BASE_OK or the error in
 * err. Arrivals and frames draw from stream 2 g of the seed, service times
 * from stream 2 g + 1 (a plain run: g = 0). Free with sim_cap_state_free()
 * whatever it returned. */
int sim_cap_state_init(sim_cap_state *r, sim_cap *c, uint64_t seed, int g, int upstream, const sim_cap_opts *o,
                       char *err, size_t errsz);
/* A pipeline's job b, served by the group before at `now`, arrives here:
 * the same admission, dispatch and counting as an arrival (counted as b
 * was), with its origin, waits and cold flag carried on. */
void sim_cap_inject(sim_cap_state *r, const sim_cap_job *b, double now);
void sim_cap_state_free(sim_cap_state *r);
void sim_cap_oom(sim_cap_state *r);
/* Input i of job j has finished on container x (already removed from x's
 * ps list, not yet from x's count). */
void sim_cap_input_done(sim_cap_state *r, int x, int j, int i, double now);

/* sim/cap_ctr.c */
int sim_cap_ctr_new(sim_cap_state *r, double now, double cold, int for_input);
void sim_cap_idle_add(sim_cap_state *r, int x, double now);
void sim_cap_idle_remove(sim_cap_state *r, int x);
int sim_cap_idle_pick(const sim_cap_state *r);
/* Container x's inputs changed: it is in the partial list, with its free
 * slots counted, exactly when it serves 0 < n < max_inputs inputs. */
void sim_cap_part_update(sim_cap_state *r, int x);
/* Shut an idle container down at `now`: bill its part of the window, note
 * its lifespan. */
void sim_cap_terminate(sim_cap_state *r, int x, double now);
/* Live seconds of container x in the window up to t that are billed
 * (an unbilled cold start excluded), without rounding. */
double sim_cap_billable_in_window(const sim_cap_state *r, const sim_cap_ctr *c, double t);
/* ps: account progress up to now, add an input, schedule the next completion. */
void sim_cap_ps_add(sim_cap_state *r, int x, int j, int i, double work, double now);
void sim_cap_ps_schedule(sim_cap_state *r, int x, double now);
void sim_cap_on_ps_done(sim *sm, const sim_event *ev, void *ctx);

/* sim/cap_window.c */
/* Integrate the step functions up to t; emit the series samples before t. */
void sim_cap_advance(sim_cap_state *r, double t);
void sim_cap_window_open(sim_cap_state *r, double now);
void sim_cap_window_close(sim_cap_state *r, double t_end);
/* A container's cold start [from, to) into the starting integrals. */
void sim_cap_starting(sim_cap_state *r, double from, double to, int for_input, double sign);
/* A counted job of transient bucket `bucket` (-1: none) arrives or leaves. */
enum { B_ARRIVED, B_SERVED, B_REJECTED, B_TIMED_OUT };
void sim_cap_bucket_job(sim_cap_state *r, int bucket, int what, const sim_cap_job *b, double lat);
/* The transient bucket of an arrival at t, -1 none. */
static inline int sim_cap_bucket_of(const sim_cap_state *r, double t)
{
    if (!r->bk)
        return -1;
    double i = floor(t / r->bk_w);
    return i < r->nbk ? (int)i : -1;
}
int sim_cap_buckets_init(sim_cap_state *r, int n);
void sim_cap_buckets_free(sim_cap_state *r);
int sim_cap_result_fill(sim_cap_state *r, sim_cap_result *out, sim_cap_bucket *bk, char *err, size_t errsz);

#endif

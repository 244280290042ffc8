/* sim/cap_impl.h -- private to the capacity simulator (sim/capacity.c,
 * sim/cap_trace.c, sim/cap_hist.c, sim/cap_pool.c): the prepared object, the
 * trace reader, the latency histogram and the state of one run. Not for use
 * outside those files; sim/capacity.h is the module's interface and states
 * the semantics.
 *
 *   sim/cap_trace.c  streams the trace CSV, checking each line (O(1) memory)
 *   sim/cap_hist.c   a fixed log-binned GSL histogram and its quantiles
 *   sim/cap_pool.c   one run: arrivals, the pool of containers, the event
 *                    handlers, the statistics' integrals
 *   sim/capacity.c   sim_cap_new (validation, the auto policy's cache),
 *                    sim_cap_run (the result) and the JSON writers
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

static inline void sim_cap_hist_add(sim_cap_hist *q, double x)
{
    assert(x >= 0);
    q->min = fmin(q->min, x);
    q->max = fmax(q->max, x);
    q->n++;
    double top = q->h->range[q->h->n];
    gsl_histogram_increment(q->h, x < top ? x : nextafter(top, 0));
}

/* ---- one run (sim/cap_pool.c) --------------------------------------------- */

typedef struct {
    double arrival, wait;   /* wait: the longest of its chunks' waits so far */
    long frames;
    int k, left, counted;
    int next_free;
} sim_cap_job;

typedef struct {
    double spawn, cold_end; /* cold_end: when its (one) cold start ended */
    sim_handle timer;       /* scale-down, 0: none */
    int state, expired;
    int prev, next;         /* idle list (head newest), or the free list (next) */
} sim_cap_ctr;

typedef struct {
    int32_t job, chunk;
} sim_cap_qent;

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
    sim_cap_trace tr;

    /* jobs in the system */
    sim_cap_job *jobs;
    int njobs, job_free;
    long insys_counted;

    /* containers */
    sim_cap_ctr *ctrs;
    int nctrs, ctr_free;
    int live, busy;
    int idle_head, idle_tail;

    /* FIFO of waiting chunks: a ring, capacity a power of two */
    sim_cap_qent *q;
    size_t qcap, qhead, qlen;

    /* statistics window */
    int open;
    double t_w, last_t;
    double area_busy, area_live, area_queue, area_insys;
    int peak;
    long counted, chunks, cold_chunks, ksum;
    double lat_sum, wait_sum, billed_s, concat_usd;
    sim_cap_hist lat, wait;

    const sim_cap_series *series;
    long sample_i;
} sim_cap_state;


/* Set up a run of c with seed (the pool's min_containers live, the first
 * arrival scheduled): BASE_OK or the error in err. Free with
 * sim_cap_state_free() whatever it returned. */
int sim_cap_state_init(sim_cap_state *r, sim_cap *c, uint64_t seed, const sim_cap_series *series, char *err,
                       size_t errsz);
void sim_cap_state_free(sim_cap_state *r);
/* Integrate the step functions up to t and emit the series samples before t. */
void sim_cap_advance(sim_cap_state *r, double t);
/* Shut an idle container down at `now` and bill its part of the window. */
void sim_cap_terminate(sim_cap_state *r, int x, double now);

#endif

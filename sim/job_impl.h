/* sim/job_impl.h -- private to the chunked-job simulator: the plan, the
 * per-thread workspace and the helpers its files share. sim/job.h is the
 * module's interface and states the semantics; nothing outside these files
 * includes this header.
 *
 *   sim/job.c         the plan: sim_job_new(), the effects, the accessors
 *   sim/job_direct.c  the direct path and sim_job_run()'s dispatch
 *   sim/job_events.c  the event path and the workspace
 *   sim/job_starts.c  common random numbers: starts-only jobs, the starts
 *                     drawn once, a run on given starts
 */
#ifndef FORKCAST_SIM_JOB_IMPL_H
#define FORKCAST_SIM_JOB_IMPL_H

#include "sim/job.h"

#include "model/chunk.h"
#include "sim/engine.h"

#include <assert.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdlib.h>

#define NPH 7 /* container phases START..UPLOAD */

struct sim_job {
    const model_scenario *s;
    int k, chunks;            /* GPUs, chunks M */
    int events;               /* 1: event path */
    int pool;                 /* containers for first copies: min(k, cap) */
    int cap;                  /* containers at once, backups included (INT_MAX: none) */
    int extra;                /* chunks j < extra have one frame more */
    model_dist proc[2];       /* process time of a chunk: [0] base frames, [1] base + 1 */
    double up[2];             /* upload time of such a chunk */
    double dl;                /* download time on the direct path */
    double input_mb, per_bw, shared_bw; /* the shared link (event path) */
    int shared;               /* 1: downloads go through the shared link */
    int spec_count;           /* backups once this many chunks are done; 0 off */
    int folded;               /* direct path: only the start is random ... */
    double rq, ff, sk, pr[2]; /* ... and these are the fixed phases (pr: [big]) */
    double rest[2][2];        /* request + download + ffmpeg + seek + process + upload, [seeks][big] */
    double rest_sum;          /* sum of the k containers' rests */
    double fail_mean;         /* mean container lifetime; 0: no failures */
    int max_retries, minc;
    double rate, crate;       /* USD/s: a container, the concat (0: not billed) */
    model_billing bill;
};

/* ---- shared helpers ------------------------------------------------------ */

/* One draw; FIXED draws nothing. Lognormal as exp(mu + sigma Z) with GSL's
 * ziggurat Z (the same law as gsl_ran_lognormal, at half the cost). */
static inline double draw(const model_dist *d, gsl_rng *r)
{
    switch (d->kind) {
    case MODEL_DIST_FIXED: return d->a + d->shift;
    case MODEL_DIST_LOGNORMAL: return exp(d->a + d->b * gsl_ran_gaussian_ziggurat(r, 1.0)) + d->shift;
    default: return model_dist_sample(d, r);
    }
}

static inline double billed(const sim_job *j, double x)
{
    return model_chunk_billed_s(&j->bill, x);
}

static inline void draw_concat(const sim_job *j, gsl_rng *rng, double *concat, double *cost)
{
    const model_scenario *s = j->s;
    double c = draw(&s->concat, rng);
    c += (double)j->chunks * draw(&s->concat_per_chunk, rng);
    *concat = c;
    *cost = s->concat_billed != MODEL_BILL_NONE ? billed(j, c) * j->crate : 0;
}

static inline int grow(void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return 0;
    size_t n = *cap ? *cap : 16;
    while (n < need)
        n *= 2;
    void *q = realloc(*p, n * elem);
    if (!q)
        return -1;
    *p = q;
    *cap = n;
    return 0;
}

/* ---- the direct path (sim/job_direct.c) -------------------------------- */

/* Per-container draws of the direct path, for the breakdown of the slowest
 * (kept in arrays so finding it needs no unpredictable branch). */
typedef struct {
    double st, rq, ff, sk, pr;
} direct_draws;

/* One replication on the direct path into out; d holds k entries. given:
 * the k starts, drawn by sim_job_draw_starts() (folded jobs only), or NULL
 * to draw them here. */
void sim_job_direct_run(const sim_job *j, direct_draws *d, gsl_rng *rng, const double *given,
                        sim_job_trace_fn trace, void *tctx, sim_job_result *out);

/* ---- the event path (sim/job_events.c) ----------------------------------- */

typedef struct {
    double launch, start;     /* launch time; its start (cold or warm) duration */
    double dur[NPH];          /* current chunk's phase durations */
    double tb[NPH + 1];       /* phase p of the current chunk spans [tb[p], tb[p+1]] */
    double sum[NPH];          /* phase totals over every chunk it ran */
    double bill;              /* billed seconds, set at exit */
    double v0;                /* the link's V when its download joined */
    unsigned present;         /* bit p: the current chunk has phase p */
    int chunk;                /* current chunk, -1 none */
    int warm, alive, has_input;
    int in_dl;                /* 0, 1: waiting for its download to start, 2: on the link */
    sim_handle ev, death;
} cont;

typedef struct {
    int done, copies, backed, retries;
    int cp[2];                /* containers running a copy, -1 empty */
} chunk_st;

struct sim_job_ws {
    direct_draws *dd;         /* direct path: one entry per container */
    size_t ddcap;
    sim *eng;
    cont *c;
    size_t ccap;
    chunk_st *h;
    int *pq, *bq;             /* chunk queue (deque), backup queue */
    size_t hcap;
    int *act;                 /* downloads on the shared link in join order: [act_head, act_tail) */
    size_t acap;
    /* one run */
    const sim_job *j;
    gsl_rng *rng;
    sim_job_trace_fn trace;
    void *tctx;
    int nc, live, ndone, triggered, ended, failed, crit, oom;
    int pq_head, pq_len, bq_head, bq_len, act_head, act_tail;
    double t_end, ps_v, ps_last, ps_rate;
    sim_handle ps_ev;
};

/* One replication on the event engine: BASE_OK or BASE_ERUNTIME. */
int sim_job_events_run(const sim_job *J, sim_job_ws *w, gsl_rng *rng, sim_job_trace_fn trace, void *tctx,
                       sim_job_result *out, char *err, size_t errsz);

#endif

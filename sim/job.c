/* sim/job.c -- the chunked job: a direct path (no coupling between
 * containers) and an event path on sim/engine (shared link, caps, chunk
 * queue, backups, failures). */
#define HAVE_INLINE 1 /* GSL's switch for inline gsl_rng_uniform & co. */
#include "sim/job.h"

#include "base/status.h"
#include "model/chunk.h"
#include "model/vexp.h"
#include "sim/engine.h"

#include <assert.h>
#include <gsl/gsl_randist.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* ---- plan --------------------------------------------------------------- */

int sim_job_new(const model_scenario *s, long frames, int k, int flags, sim_job **out, char *err,
                size_t errsz)
{
    if (k < 1 || k > MODEL_MAX_GPUS)
        return base_errf(err, errsz, BASE_EINPUT, "sim: gpus: must be in 1..%d (got %d)",
                          MODEL_MAX_GPUS, k);
    if (frames < 1)
        return base_errf(err, errsz, BASE_EINPUT, "sim: frames: must be at least 1 (got %ld)", frames);
    sim_job *j = calloc(1, sizeof *j);
    if (!j)
        return base_errf(err, errsz, BASE_ERUNTIME, "out of memory");
    j->s = s;
    j->k = k;
    long m = k > 1 ? (long)k * s->chunks_per_gpu : 1;
    j->chunks = (int)m;
    j->cap = s->max_containers > 0 ? s->max_containers : INT_MAX;
    j->pool = k < j->cap ? k : j->cap;
    model_split sp = model_chunk_split_n(frames, m);
    j->extra = (int)sp.extra;
    model_chunk_group grp = model_chunk_group_of(s);
    for (int big = 0; big < 2; big++) {
        double n = sp.base + big;   /* chunks j < extra have base + 1 */
        model_dist pd[MODEL_CHUNK_MAX_STAGES];
        int np = model_chunk_process(&grp, n, pd);
        assert(np == 1);
        (void)np;
        j->proc[big] = pd[0];
        j->up[big] = model_chunk_upload_s(&grp, (double)frames, n);
    }
    j->input_mb = s->input_mb;
    j->per_bw = s->download_mb_s;
    j->shared_bw = s->shared_download_mb_s;
    j->shared = s->shared_download_mb_s > 0 && s->input_mb > 0;
    if (j->shared) /* the direct path's download: alone on the shared link */
        grp.download_mb_s = s->download_mb_s > 0 ? fmin(s->download_mb_s, s->shared_download_mb_s)
                                                 : s->shared_download_mb_s;
    j->dl = model_chunk_download_s(&grp);
    if (s->speculative_after > 0 && j->chunks > 1) {
        long c = (long)ceil(s->speculative_after * j->chunks - 1e-9);
        j->spec_count = c < 1 ? 1 : c < j->chunks ? (int)c : 0;
    }
    j->fail_mean = s->failure_rate_per_s > 0 ? 1.0 / s->failure_rate_per_s : 0;
    j->max_retries = s->max_retries;
    j->minc = s->min_containers;
    j->rate = model_scenario_rate(s);
    j->crate = model_chunk_concat_rate(s);
    j->bill = model_chunk_billing(s);
    /* FIXED kinds only: those draw nothing, so folding skips no draw */
    j->folded = s->request.kind == MODEL_DIST_FIXED && s->ffmpeg_start.kind == MODEL_DIST_FIXED &&
                s->seek.kind == MODEL_DIST_FIXED && j->proc[0].kind == MODEL_DIST_FIXED &&
                j->proc[1].kind == MODEL_DIST_FIXED;
    j->rq = model_dist_mean(&s->request);
    j->ff = model_dist_mean(&s->ffmpeg_start);
    j->sk = model_dist_mean(&s->seek);
    for (int big = 0; big < 2; big++) {
        j->pr[big] = model_dist_mean(&j->proc[big]);
        for (int sk = 0; sk < 2; sk++)
            j->rest[sk][big] = j->rq + j->dl + j->ff + (sk ? j->sk : 0) + j->pr[big] + j->up[big];
    }
    for (int i = 0; i < k; i++)
        j->rest_sum += j->rest[i > 0][i < j->extra];
    j->events = (flags & SIM_JOB_FORCE_EVENTS) || j->fail_mean > 0 || j->spec_count > 0 ||
                j->cap < k || j->chunks > k || (j->shared && k > 1);
    *out = j;
    return BASE_OK;
}

int sim_job_effects(const model_scenario *s, char *buf, size_t n)
{
    char part[5][64];
    int np = 0;
    if (s->shared_download_mb_s > 0)
        snprintf(part[np++], sizeof part[0], "shared_download_mb_s %g", s->shared_download_mb_s);
    if (s->max_containers > 0)
        snprintf(part[np++], sizeof part[0], "max_containers %d", s->max_containers);
    if (s->chunks_per_gpu > 1)
        snprintf(part[np++], sizeof part[0], "chunks_per_gpu %d", s->chunks_per_gpu);
    if (s->speculative_after > 0)
        snprintf(part[np++], sizeof part[0], "speculative after_fraction %g", s->speculative_after);
    if (s->failure_rate_per_s > 0)
        snprintf(part[np++], sizeof part[0], "failure_rate_per_s %g", s->failure_rate_per_s);
    size_t o = 0;
    if (n > 0)
        buf[0] = 0;
    for (int i = 0; i < np && o < n; i++)
        o += (size_t)snprintf(buf + o, n - o, "%s%s", i ? ", " : "", part[i]);
    return np;
}

void sim_job_free(sim_job *j) { free(j); }
int sim_job_uses_events(const sim_job *j) { return j->events; }
int sim_job_chunks(const sim_job *j) { return j->chunks; }

const char *sim_job_phase_name(sim_job_phase p)
{
    static const char *const names[] = {"start",  "request", "download", "ffmpeg_start", "seek",
                                        "process", "upload", "concat",   "cancelled",    "died"};
    return (unsigned)p < sizeof names / sizeof names[0] ? names[p] : "?";
}

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

static void draw_concat(const sim_job *j, gsl_rng *rng, double *concat, double *cost)
{
    const model_scenario *s = j->s;
    double c = draw(&s->concat, rng);
    c += (double)j->chunks * draw(&s->concat_per_chunk, rng);
    *concat = c;
    *cost = s->concat_billed != MODEL_BILL_NONE ? billed(j, c) * j->crate : 0;
}

/* ---- direct path -------------------------------------------------------- */

/* Per-container draws of the direct path, for the breakdown of the slowest
 * (kept in arrays so finding it needs no unpredictable branch). */
typedef struct {
    double st, rq, ff, sk, pr;
} direct_draws;

/* given: the starts, drawn by sim_job_draw_starts() (folded jobs only), or
 * NULL to draw them here. */
static void run_direct(const sim_job *j, direct_draws *d, gsl_rng *rng, const double *given,
                       sim_job_trace_fn trace, void *tctx, sim_job_result *out)
{
    const model_scenario *s = j->s;
    const model_dist *cold = &s->cold_start, *warm_d = &s->warm_start, *req = &s->request,
                     *ffm = &s->ffmpeg_start, *seek = &s->seek;
    const double dl = j->dl;
    const int round = j->bill.granularity_s > 0 || j->bill.minimum_s > 0, k = j->k, minc = j->minc,
              extra = j->extra, bill_cold = j->bill.includes_cold_start;
    double tmax = -INFINITY, bill = 0;
    int imax = 0;
    if (given && !trace && !round) {
        /* common starts, no rounding: the critical container by class of
         * rest (first, big chunks, small chunks), the bill as sums */
        int e = extra < k ? extra : k, w = minc < k ? minc : k;
        tmax = given[0] + j->rest[0][0 < extra];
        for (int i = 1; i < e; i++) {
            double t = given[i] + j->rest[1][1];
            imax = t > tmax ? i : imax;
            tmax = t > tmax ? t : tmax;
        }
        for (int i = e > 1 ? e : 1; i < k; i++) {
            double t = given[i] + j->rest[1][0];
            imax = t > tmax ? i : imax;
            tmax = t > tmax ? t : tmax;
        }
        double sw = 0, sc = 0;
        for (int i = 0; i < w; i++)
            sw += given[i];
        for (int i = w; i < k; i++)
            sc += given[i];
        bill = j->rest_sum + sw + (bill_cold ? sc : 0);
        d[imax] = (direct_draws){given[imax], j->rq, j->ff, imax > 0 ? j->sk : 0, j->pr[imax < extra]};
        goto done;
    }
    if (j->folded && !trace) {
        /* only the start is random: t = start + a constant per class (the
         * sum in another order than the event path's: equal to ~1e-16) */
        for (int i = 0; i < k; i++) {
            int warm = i < minc;
            double st = given ? given[i] : draw(warm ? warm_d : cold, rng);
            double t = st + j->rest[i > 0][i < extra];
            double b = model_chunk_billable_s(&j->bill, !warm, t, st);
            d[i].st = st;
            bill += round ? billed(j, b) : b;
            imax = t > tmax ? i : imax;
            tmax = t > tmax ? t : tmax;
        }
        int big = imax < extra;
        d[imax] = (direct_draws){d[imax].st, j->rq, j->ff, imax > 0 ? j->sk : 0, j->pr[big]};
        goto done;
    }
    for (int i = 0; i < k; i++) {
        int warm = i < minc, big = i < extra;
        double st = given ? given[i] : draw(warm ? warm_d : cold, rng);
        double rq = draw(req, rng);
        double ff = draw(ffm, rng);
        double sk = i > 0 ? draw(seek, rng) : 0;
        double pr = draw(&j->proc[big], rng);
        d[i] = (direct_draws){st, rq, ff, sk, pr};
        /* The event path's chain of boundaries, from 0: the same sums. */
        double t = st + rq;
        t += dl;
        t += ff;
        t += sk;
        t += pr;
        t += j->up[big];
        double b = model_chunk_billable_s(&j->bill, !warm, t, st);
        bill += round ? billed(j, b) : b;
        imax = t > tmax ? i : imax;
        tmax = t > tmax ? t : tmax;
    }
done:;
    const direct_draws *m = &d[imax];
    double concat = 0, ccost = 0;
    if (j->chunks > 1)
        draw_concat(j, rng, &concat, &ccost);
    out->wall = tmax + concat;
    out->cost = bill * j->rate + ccost;
    out->bd = (model_breakdown){m->st, m->rq, dl, m->ff, m->sk, m->pr, j->up[imax < extra], concat};
    out->failed = 0;
    out->containers = k;
    out->events = 0;
    if (trace) {
        for (int i = 0; i < k; i++) {
            double ph[NPH] = {d[i].st, d[i].rq, dl, d[i].ff, d[i].sk, d[i].pr, j->up[i < extra]}, a = 0;
            for (int p = 0; p < NPH; p++) {
                if (p == SIM_PH_SEEK && i == 0)
                    continue;
                trace(tctx, k, i, i, (sim_job_phase)p, a, a + ph[p]);
                a += ph[p];
            }
        }
        if (j->chunks > 1)
            trace(tctx, k, -1, -1, SIM_PH_CONCAT, tmax, tmax + concat);
    }
}

/* ---- event path ----------------------------------------------------------- */

enum { EV_DL_START, EV_DL_DONE, EV_DONE, EV_DEATH };

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

static void on_dl_start(sim *e, const sim_event *ev, void *ctx);
static void on_dl_done(sim *e, const sim_event *ev, void *ctx);
static void on_done(sim *e, const sim_event *ev, void *ctx);
static void on_death(sim *e, const sim_event *ev, void *ctx);

sim_job_ws *sim_job_ws_new(void)
{
    sim_job_ws *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->eng = sim_new(0);
    if (!w->eng) {
        free(w);
        return NULL;
    }
    sim_on(w->eng, EV_DL_START, on_dl_start, w);
    sim_on(w->eng, EV_DL_DONE, on_dl_done, w);
    sim_on(w->eng, EV_DONE, on_done, w);
    sim_on(w->eng, EV_DEATH, on_death, w);
    return w;
}

void sim_job_ws_free(sim_job_ws *w)
{
    if (!w)
        return;
    sim_free(w->eng);
    free(w->dd);
    free(w->c);
    free(w->h);
    free(w->pq);
    free(w->bq);
    free(w->act);
    free(w);
}

static int grow(void **p, size_t *cap, size_t need, size_t elem)
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

static int grow_chunks(sim_job_ws *w, size_t m)
{
    if (m <= w->hcap)
        return 0;
    size_t n = w->hcap ? w->hcap : 16;
    while (n < m)
        n *= 2;
    chunk_st *h = realloc(w->h, n * sizeof *h);
    if (!h)
        return -1;
    w->h = h;
    int *a[2] = {w->pq, w->bq};
    for (int i = 0; i < 2; i++) {
        int *q = realloc(a[i], n * sizeof *q);
        if (!q)
            return -1;
        a[i] = q;
        if (i == 0) w->pq = q;
        if (i == 1) w->bq = q;
    }
    w->hcap = n;
    return 0;
}

/* Chunk queue: a deque (restarts go first); backup queue: FIFO. */
static void pq_push_back(sim_job_ws *w, int j)
{
    int m = w->j->chunks;
    assert(w->pq_len < m);
    w->pq[(w->pq_head + w->pq_len++) % m] = j;
}

static void pq_push_front(sim_job_ws *w, int j)
{
    int m = w->j->chunks;
    assert(w->pq_len < m);
    w->pq_head = (w->pq_head + m - 1) % m;
    w->pq[w->pq_head] = j;
    w->pq_len++;
}

static int pq_pop(sim_job_ws *w)
{
    assert(w->pq_len > 0);
    int j = w->pq[w->pq_head];
    w->pq_head = (w->pq_head + 1) % w->j->chunks;
    w->pq_len--;
    return j;
}

static int bq_pop(sim_job_ws *w)
{
    assert(w->bq_len > 0);
    int j = w->bq[w->bq_head];
    w->bq_head = (w->bq_head + 1) % w->j->chunks;
    w->bq_len--;
    return j;
}

static int backup_valid(const sim_job_ws *w, int j)
{
    return !w->h[j].done && w->h[j].copies == 1;
}

/* -- the shared link: processor sharing ------------------------------------
 * Every active download runs at the same rate r(n) = min(download_mb_s,
 * shared / n), so they progress together: V, the MB each active download
 * has received on the link's clock, grows at r(n). A download that joined
 * at V0 is done at V = V0 + input_mb; the sizes being equal, downloads end
 * in the order they joined, and only the head's end is ever scheduled.
 * O(1) per start and end; O(active) to drop one from the middle (a copy
 * cancelled or dead while downloading). A container joins at most once, so
 * join order fits an array of one slot per container launched. */

static double ps_rate(const sim_job *j, int n)
{
    double r = j->shared_bw / n;
    return j->per_bw > 0 && j->per_bw < r ? j->per_bw : r;
}

static void ps_advance(sim_job_ws *w, double now)
{
    w->ps_v += w->ps_rate * (now - w->ps_last);
    w->ps_last = now;
}

/* After the active set changed at `now` (advanced already). */
static void ps_resched(sim_job_ws *w, double now)
{
    sim_cancel(w->eng, w->ps_ev);
    w->ps_ev = 0;
    int n = w->act_tail - w->act_head;
    if (n == 0)
        return;
    w->ps_rate = ps_rate(w->j, n);
    int head = w->act[w->act_head];
    double rem = w->j->input_mb - (w->ps_v - w->c[head].v0);
    w->ps_ev = sim_at(w->eng, now + (rem > 0 ? rem / w->ps_rate : 0), EV_DL_DONE, head, 0);
}

static void ps_join(sim_job_ws *w, int ci, double now)
{
    ps_advance(w, now);
    w->c[ci].v0 = w->ps_v;
    w->c[ci].in_dl = 2;
    assert((size_t)w->act_tail < w->acap);
    w->act[w->act_tail++] = ci;
    ps_resched(w, now);
}

static void ps_leave(sim_job_ws *w, int ci, double now)
{
    ps_advance(w, now);
    int i = w->act_head;
    while (i < w->act_tail && w->act[i] != ci)
        i++;
    assert(i < w->act_tail);
    if (i == w->act_head) {
        w->act_head++;
    } else {
        memmove(w->act + i, w->act + i + 1, (size_t)(w->act_tail - i - 1) * sizeof *w->act);
        w->act_tail--;
    }
    w->c[ci].in_dl = 0;
    ps_resched(w, now);
}

/* -- containers ------------------------------------------------------------ */

/* tb[p] known: fill tb[p+1..NPH] from the durations of present phases. */
static void timeline_from(cont *c, int p)
{
    for (int q = p; q < NPH; q++)
        c->tb[q + 1] = c->tb[q] + ((c->present >> q & 1u) ? c->dur[q] : 0.0);
}

/* Emit (trace) and total (sum) the current chunk's phases up to `now`. */
static void account(sim_job_ws *w, int ci, int chunk, double now)
{
    cont *c = &w->c[ci];
    for (int p = 0; p < NPH; p++) {
        if (!(c->present >> p & 1u))
            continue;
        double a = c->tb[p];
        if ((c->in_dl && p > SIM_PH_DOWNLOAD) || (c->in_dl == 1 && p == SIM_PH_DOWNLOAD))
            break;   /* boundaries past the link are not known yet */
        double b = c->in_dl && p == SIM_PH_DOWNLOAD ? now : c->tb[p + 1];
        if (a >= now && b > a)
            break;   /* not begun */
        if (b > now)
            b = now;
        if (a > b)
            a = b;
        c->sum[p] += b - a;
        if (w->trace)
            w->trace(w->tctx, w->j->k, ci, chunk, (sim_job_phase)p, a, b);
    }
}

static void chunk_drop_copy(sim_job_ws *w, int j, int ci)
{
    chunk_st *h = &w->h[j];
    assert(h->copies > 0);
    if (h->cp[0] == ci)
        h->cp[0] = -1;
    else {
        assert(h->cp[1] == ci);
        h->cp[1] = -1;
    }
    h->copies--;
}

/* Stop container ci's current copy at `now` (cancelled or died). */
static void cut(sim_job_ws *w, int ci, double now, sim_job_phase mark)
{
    cont *c = &w->c[ci];
    int j = c->chunk;
    if (j < 0)
        return;
    sim_cancel(w->eng, c->ev);
    c->ev = 0;
    account(w, ci, j, now);
    if (c->in_dl == 2)
        ps_leave(w, ci, now);
    c->in_dl = 0;
    if (w->trace)
        w->trace(w->tctx, w->j->k, ci, j, mark, now, now);
    chunk_drop_copy(w, j, ci);
    c->chunk = -1;
}

static void container_exit(sim_job_ws *w, int ci, double now)
{
    cont *c = &w->c[ci];
    assert(c->alive && c->chunk < 0);
    c->alive = 0;
    w->live--;
    sim_cancel(w->eng, c->death);
    c->death = 0;
    double life = now - c->launch;
    life = model_chunk_billable_s(&w->j->bill, !c->warm, life, c->start);
    c->bill = billed(w->j, life);
}

/* Give chunk j to container ci from time t0 (>= now); with_start: the
 * container's start phase comes first (a new container). */
static void assign(sim_job_ws *w, int ci, int j, double t0, int with_start)
{
    const sim_job *J = w->j;
    const model_scenario *s = J->s;
    cont *c = &w->c[ci];
    chunk_st *h = &w->h[j];
    assert(h->copies < 2 && !h->done);
    h->cp[h->cp[0] < 0 ? 0 : 1] = ci;
    h->copies++;
    c->chunk = j;
    int big = j < J->extra;
    c->present = (1u << SIM_PH_REQUEST) | (1u << SIM_PH_FFMPEG_START) | (1u << SIM_PH_PROCESS) |
                 (1u << SIM_PH_UPLOAD);
    c->dur[SIM_PH_START] = with_start ? c->start : 0;
    if (with_start)
        c->present |= 1u << SIM_PH_START;
    c->dur[SIM_PH_REQUEST] = draw(&s->request, w->rng);
    c->dur[SIM_PH_DOWNLOAD] = J->dl;
    if (!c->has_input)
        c->present |= 1u << SIM_PH_DOWNLOAD;
    c->dur[SIM_PH_FFMPEG_START] = draw(&s->ffmpeg_start, w->rng);
    c->dur[SIM_PH_SEEK] = j > 0 ? draw(&s->seek, w->rng) : 0;
    if (j > 0)
        c->present |= 1u << SIM_PH_SEEK;
    c->dur[SIM_PH_PROCESS] = draw(&J->proc[big], w->rng);
    c->dur[SIM_PH_UPLOAD] = J->up[big];
    c->tb[0] = t0;
    if (J->shared && !c->has_input) {
        c->tb[1] = c->tb[0] + c->dur[SIM_PH_START];
        c->tb[2] = c->tb[1] + c->dur[SIM_PH_REQUEST];
        c->in_dl = 1;
        c->ev = sim_at(w->eng, c->tb[2], EV_DL_START, ci, j);
    } else {
        timeline_from(c, 0);
        c->in_dl = 0;
        c->ev = sim_at(w->eng, c->tb[NPH], EV_DONE, ci, j);
    }
}

/* A new container for chunk j at `now`. May move w->c. */
static void launch(sim_job_ws *w, int j, double now)
{
    const sim_job *J = w->j;
    if (grow((void **)&w->c, &w->ccap, (size_t)w->nc + 1, sizeof *w->c) ||
        grow((void **)&w->act, &w->acap, (size_t)w->nc + 1, sizeof *w->act)) {
        w->oom = 1;
        sim_stop(w->eng);
        return;
    }
    int ci = w->nc++;
    cont *c = &w->c[ci];
    memset(c, 0, sizeof *c);
    c->chunk = -1;
    c->launch = now;
    c->warm = ci < J->minc;
    c->start = draw(c->warm ? &J->s->warm_start : &J->s->cold_start, w->rng);
    c->alive = 1;
    w->live++;
    if (J->fail_mean > 0)
        c->death = sim_at(w->eng, now + model_ran_exp(w->rng, J->fail_mean), EV_DEATH, ci, 0);
    assign(w, ci, j, now, 1);
}

/* Start containers for waiting work while slots are free. */
static void ensure_launch(sim_job_ws *w, double now)
{
    while (w->pq_len > 0 && w->live < w->j->pool && !w->oom)
        launch(w, pq_pop(w), now);
    while (w->bq_len > 0 && w->live < w->j->cap && !w->oom) {
        int j = bq_pop(w);
        if (backup_valid(w, j)) {
            w->h[j].backed = 1;
            launch(w, j, now);
        }
    }
}

/* A free container takes the next chunk, else a backup; 0 if none. */
static int take_task(sim_job_ws *w, int ci, double now)
{
    if (w->pq_len > 0) {
        assign(w, ci, pq_pop(w), now, 0);
        return 1;
    }
    while (w->bq_len > 0) {
        int j = bq_pop(w);
        if (backup_valid(w, j)) {
            assign(w, ci, j, now, 0);
            return 1;
        }
    }
    return 0;
}

/* The job is over at `now` (done or failed): stop every container. */
static void finish(sim_job_ws *w, double now, int crit, int failed)
{
    for (int i = 0; i < w->nc; i++)
        if (w->c[i].alive) {
            cut(w, i, now, SIM_PH_CANCELLED);
            container_exit(w, i, now);
        }
    w->t_end = now;
    w->crit = crit;
    w->failed = failed;
    w->ended = 1;
    sim_stop(w->eng);
}

static void on_dl_start(sim *e, const sim_event *ev, void *ctx)
{
    (void)e;
    sim_job_ws *w = ctx;
    int ci = ev->a;
    cont *c = &w->c[ci];
    assert(c->in_dl == 1 && c->chunk == ev->b);
    c->ev = 0;
    ps_join(w, ci, ev->t);
}

static void on_dl_done(sim *e, const sim_event *ev, void *ctx)
{
    (void)e;
    sim_job_ws *w = ctx;
    int ci = ev->a;
    w->ps_ev = 0;
    ps_leave(w, ci, ev->t);
    cont *c = &w->c[ci];
    c->has_input = 1;
    c->dur[SIM_PH_DOWNLOAD] = ev->t - c->tb[SIM_PH_DOWNLOAD];
    c->tb[SIM_PH_DOWNLOAD + 1] = ev->t;
    timeline_from(c, SIM_PH_DOWNLOAD + 1);
    c->ev = sim_at(w->eng, c->tb[NPH], EV_DONE, ci, c->chunk);
}

static void on_done(sim *e, const sim_event *ev, void *ctx)
{
    (void)e;
    sim_job_ws *w = ctx;
    const sim_job *J = w->j;
    int ci = ev->a, j = ev->b;
    double now = ev->t;
    cont *c = &w->c[ci];
    assert(c->chunk == j && !w->h[j].done);
    c->ev = 0;
    account(w, ci, j, now);
    c->has_input = 1;
    chunk_drop_copy(w, j, ci);
    c->chunk = -1;
    chunk_st *h = &w->h[j];
    h->done = 1;
    w->ndone++;
    int other = h->cp[0] >= 0 ? h->cp[0] : h->cp[1];
    if (other >= 0) {   /* the losing copy stops now; its container exits */
        cut(w, other, now, SIM_PH_CANCELLED);
        container_exit(w, other, now);
    }
    if (w->ndone == J->chunks) {
        finish(w, now, ci, 0);
        return;
    }
    if (J->spec_count > 0 && !w->triggered && w->ndone >= J->spec_count) {
        w->triggered = 1;
        for (int q = 0; q < J->chunks; q++)
            if (backup_valid(w, q) && !w->h[q].backed) {
                w->h[q].backed = 1;
                w->bq[(w->bq_head + w->bq_len++) % J->chunks] = q;
            }
    }
    if (!take_task(w, ci, now))
        container_exit(w, ci, now);
    ensure_launch(w, now);
}

static void on_death(sim *e, const sim_event *ev, void *ctx)
{
    (void)e;
    sim_job_ws *w = ctx;
    int ci = ev->a;
    double now = ev->t;
    cont *c = &w->c[ci];
    assert(c->alive && c->chunk >= 0);
    c->death = 0;
    int j = c->chunk;
    cut(w, ci, now, SIM_PH_DIED);
    container_exit(w, ci, now);
    chunk_st *h = &w->h[j];
    if (h->copies == 0) {
        if (++h->retries > w->j->max_retries) {
            finish(w, now, ci, 1);
            return;
        }
        pq_push_front(w, j);
    }
    ensure_launch(w, now);
}

static int run_events(const sim_job *J, sim_job_ws *w, gsl_rng *rng, sim_job_trace_fn trace, void *tctx,
                      sim_job_result *out, char *err, size_t errsz)
{
    int m = J->chunks;
    if (grow_chunks(w, (size_t)m) || grow((void **)&w->c, &w->ccap, (size_t)m + 1, sizeof *w->c) ||
        grow((void **)&w->act, &w->acap, (size_t)m + 1, sizeof *w->act))
        return base_errf(err, errsz, BASE_ERUNTIME, "out of memory");
    sim_reset(w->eng);
    w->j = J;
    w->rng = rng;
    w->trace = trace;
    w->tctx = tctx;
    w->nc = w->live = w->ndone = w->triggered = w->ended = w->failed = w->oom = 0;
    w->crit = -1;
    w->pq_head = w->pq_len = w->bq_head = w->bq_len = w->act_head = w->act_tail = 0;
    w->t_end = w->ps_v = w->ps_last = w->ps_rate = 0;
    w->ps_ev = 0;
    for (int q = 0; q < m; q++) {
        w->h[q] = (chunk_st){.cp = {-1, -1}};
        pq_push_back(w, q);
    }
    ensure_launch(w, 0);
    int rc = sim_run(w->eng);
    if (rc || w->oom || sim_failed(w->eng))
        return base_errf(err, errsz, BASE_ERUNTIME, "out of memory");
    assert(w->ended && w->crit >= 0);
    if (!w->ended)
        return base_errf(err, errsz, BASE_ERUNTIME, "sim: job stalled (internal error)");
    double bill = 0;
    for (int i = 0; i < w->nc; i++)
        bill += w->c[i].bill;
    double concat = 0, ccost = 0;
    if (m > 1 && !w->failed)
        draw_concat(J, rng, &concat, &ccost);
    const cont *c = &w->c[w->crit];
    out->wall = w->t_end + concat;
    out->cost = bill * J->rate + ccost;
    out->bd = (model_breakdown){c->launch + c->sum[0], c->sum[1], c->sum[2], c->sum[3],
                                c->sum[4],            c->sum[5], c->sum[6], concat};
    out->failed = w->failed;
    out->containers = w->nc;
    out->events = sim_executed(w->eng);
    if (trace && m > 1 && !w->failed)
        trace(tctx, J->k, -1, -1, SIM_PH_CONCAT, w->t_end, w->t_end + concat);
    return BASE_OK;
}

int sim_job_run(const sim_job *j, sim_job_ws *w, gsl_rng *rng, sim_job_trace_fn trace, void *tctx,
                sim_job_result *out, char *err, size_t errsz)
{
    if (!j->events) {
        if (grow((void **)&w->dd, &w->ddcap, (size_t)j->k, sizeof *w->dd))
            return base_errf(err, errsz, BASE_ERUNTIME, "out of memory");
        run_direct(j, w->dd, rng, NULL, trace, tctx, out);
        return BASE_OK;
    }
    return run_events(j, w, rng, trace, tctx, out, err, errsz);
}

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
    run_direct(j, w->dd, rng, st, trace, tctx, out);
    return BASE_OK;
}

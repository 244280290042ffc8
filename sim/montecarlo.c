/* sim/montecarlo.c -- replications of the chunked job over threads, streamed
 * in passes (sim/mc_quant.h), per-k summaries into a model_eval. */
#include "sim/montecarlo.h"

#include "base/status.h"
#include "sim/mc_fast.h"
#include "sim/mc_quant.h"
#include "sim/mc_rand.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define NRUN_MAX (MODEL_MAX_GPU_LIST + 1)
#define NBD 8           /* breakdown phases */
#define BLOCKS_MAX 1024 /* per-block partial sums kept: at most this many blocks */
#define BLOCK_MIN 64
#define NMOM 6          /* per block and run: wall shift, sum, sum of squares; cost the same */
#define TILE_GENERAL 64 /* replications per tile on the general path */
#define R_GSL_MAX (UINT64_C(1) << 31) /* the general path's streams (sim/mc.h) */

typedef struct {
    int nrun;
    int ks[NRUN_MAX];          /* run order: 1 first, then the scenario's others */
    sim_job *jobs[NRUN_MAX];
    int crn;                   /* 1: every job is starts-only: common starts */
    int kmax;                  /* the largest k */
} runlist;

static void runlist_free(runlist *l)
{
    for (int i = 0; i < l->nrun; i++)
        sim_job_free(l->jobs[i]);
    l->nrun = 0;
}

/* out->k[i] is run i + off; base is run 0. */
static int runlist_new(const model_scenario *s, int flags, runlist *l, int *off, char *err, size_t errsz)
{
    memset(l, 0, sizeof *l);
    *off = s->ngpus > 0 && s->gpus[0] == 1 ? 0 : 1;
    l->ks[0] = 1;
    for (int i = 0; i < s->ngpus; i++)
        l->ks[i + *off] = s->gpus[i];
    int n = s->ngpus + *off;
    for (int i = 0; i < n; i++) {
        int rc = sim_job_new(s, s->frames, l->ks[i], flags, &l->jobs[i], err, errsz);
        if (rc) {
            runlist_free(l);
            return rc;
        }
        l->nrun = i + 1;
    }
    l->crn = 1;
    for (int i = 0; i < n; i++) {
        l->crn &= sim_job_starts_only(l->jobs[i]);
        l->kmax = l->ks[i] > l->kmax ? l->ks[i] : l->kmax;
    }
    return BASE_OK;
}

/* Replication r's jobs on the general path, one per run, in run order, from
 * rng as seeded for r. With l->crn the starts are drawn once, for kmax
 * containers, into st[] (room for kmax), and every k takes the first k. */
static int run_replication(const runlist *l, sim_job_ws *ws, gsl_rng *rng, double *st,
                           sim_job_trace_fn trace, void *tctx, sim_job_result *res, char *err,
                           size_t errsz)
{
    if (l->crn)
        sim_job_draw_starts(sim_job_scenario(l->jobs[0]), rng, l->kmax, st);
    for (int i = 0; i < l->nrun; i++) {
        int rc = l->crn ? sim_job_run_starts(l->jobs[i], ws, st, rng, trace, tctx, &res[i], err, errsz)
                        : sim_job_run(l->jobs[i], ws, rng, trace, tctx, &res[i], err, errsz);
        if (rc)
            return rc;
    }
    return BASE_OK;
}

/* ---- one pass ------------------------------------------------------------------- */

typedef struct {
    sim_job_ws *ws;
    double *st;               /* kmax starts (general path) */
    double *fscr;             /* the fast path's scratch */
    double *val;              /* [2 nrun][tile]: the tile's walls, then its costs */
} tscratch;

typedef struct {
    const runlist *l;
    const sim_mc_fast *fast;  /* NULL: the general path */
    sim_quant *q;
    tscratch *ts;             /* per thread */
    uint64_t seed;
    long R, B;                /* this pass: replications, block size */
    size_t tile;
    int main;                 /* the first full pass: the summaries too */
    double *bd;               /* [block][run][NBD] */
    double *mom;              /* [block][run][NMOM] */
    long *failed, *conts;     /* [block][run] */
    uint64_t *events;         /* [block] */
    sim_mc_progress_fn progress;
    void *progress_ctx;
    uint64_t done, total;     /* replications streamed before this pass; the estimate of all */
} mcctx;

typedef double v4d __attribute__((vector_size(32)));
#define LD4(v, p) memcpy(&(v), (p), sizeof(v))

/* Moments of one block's values about its first value (a shift of the
 * order of the data, so the sums of squares do not cancel), in 4 lanes
 * and a scalar tail: a fixed order, so the same sums for any thread count. */
typedef struct {
    double c, r1, r2;
    v4d s1, s2;
    int set;
} momacc;

static inline __attribute__((always_inline)) void mom_add(momacc *m, const double *x, size_t n)
{
    if (!m->set && n > 0) {
        *m = (momacc){.c = x[0], .set = 1};
    }
    const v4d c = (v4d){0} + m->c;
    size_t t = 0;
    for (; t + 4 <= n; t += 4) {
        v4d v;
        LD4(v, x + t);
        v -= c;
        m->s1 += v;
        m->s2 += v * v;
    }
    for (; t < n; t++) {
        double d = x[t] - m->c;
        m->r1 += d;
        m->r2 += d * d;
    }
}

/* mom_add over the tile's A arrays (rows of length `tile`). */
static inline __attribute__((always_inline)) void mom_tile_body(momacc *m, int A, const double *val,
                                                                size_t tile, size_t n)
{
    for (int a = 0; a < A; a++)
        mom_add(&m[a], val + (size_t)a * tile, n);
}

#if defined(__x86_64__) && defined(__GNUC__)
__attribute__((target("avx2"))) static void mom_tile_avx2(momacc *m, int A, const double *val, size_t tile,
                                                          size_t n)
{
    mom_tile_body(m, A, val, tile, n);
}
#endif

static void mom_tile(momacc *m, int A, const double *val, size_t tile, size_t n)
{
#if defined(__x86_64__) && defined(__GNUC__)
    if (sim_rand_isa() >= 1) {
        mom_tile_avx2(m, A, val, tile, n);
        return;
    }
#endif
    mom_tile_body(m, A, val, tile, n);
}

static void mom_store(const momacc *m, double *out)
{
    out[0] = m->c;
    out[1] = ((m->s1[0] + m->s1[1]) + (m->s1[2] + m->s1[3])) + m->r1;
    out[2] = ((m->s2[0] + m->s2[1]) + (m->s2[2] + m->s2[3])) + m->r2;
}

/* The general path over replications [r0, r0 + n): walls and costs into
 * ts->val; with acc (the main pass), the block's other sums. */
typedef struct {
    double bd[NRUN_MAX][NBD];
    long failed[NRUN_MAX], conts[NRUN_MAX];
    uint64_t events;
} blockacc;

static int tile_general(const mcctx *c, const sim_mc_rep *rep, tscratch *ts, uint64_t r0, size_t n,
                        blockacc *acc)
{
    const runlist *l = c->l;
    sim_job_result res[NRUN_MAX];
    for (size_t t = 0; t < n; t++) {
        sim_mc_seed_rng(rep->rng, c->seed, r0 + t);
        int rc = run_replication(l, ts->ws, rep->rng, ts->st, NULL, NULL, res, rep->err, rep->errsz);
        if (rc)
            return rc;
        for (int i = 0; i < l->nrun; i++) {
            ts->val[(size_t)i * c->tile + t] = res[i].wall;
            ts->val[(size_t)(l->nrun + i) * c->tile + t] = res[i].cost;
            if (!acc)
                continue;
            const model_breakdown *d = &res[i].bd;
            double v[NBD] = {d->start, d->request, d->download, d->ffmpeg_start,
                             d->seek,  d->process, d->upload,   d->concat};
            for (int p = 0; p < NBD; p++)
                acc->bd[i][p] += v[p];
            acc->failed[i] += res[i].failed;
            acc->conts[i] += res[i].containers;
            acc->events += res[i].events;
        }
    }
    return BASE_OK;
}

static int run_block(const sim_mc_rep *rep, void *vctx)
{
    mcctx *c = vctx;
    const runlist *l = c->l;
    const int A = 2 * l->nrun;
    long b = (long)rep->r, lo = b * c->B, hi = lo + c->B < c->R ? lo + c->B : c->R;
    tscratch *ts = &c->ts[rep->thread];
    momacc mom[2 * NRUN_MAX];
    blockacc acc;
    model_breakdown fb[NRUN_MAX];
    if (c->main) {
        memset(mom, 0, (size_t)A * sizeof *mom);
        memset(&acc, 0, sizeof acc);
        memset(fb, 0, (size_t)l->nrun * sizeof *fb);
    }
    double *wall[NRUN_MAX], *cost[NRUN_MAX];
    for (int j = 0; j < l->nrun; j++) {
        wall[j] = ts->val + (size_t)j * c->tile;
        cost[j] = ts->val + (size_t)(l->nrun + j) * c->tile;
    }
    for (long r0 = lo; r0 < hi; r0 += (long)c->tile) {
        size_t n = (size_t)(hi - r0) < c->tile ? (size_t)(hi - r0) : c->tile;
        if (c->fast) {
            sim_mc_fast_tile(c->fast, ts->fscr, (uint64_t)r0, n, wall, cost, c->main ? fb : NULL);
        } else {
            int rc = tile_general(c, rep, ts, (uint64_t)r0, n, c->main ? &acc : NULL);
            if (rc)
                return rc;
        }
        if (c->main)
            mom_tile(mom, A, ts->val, c->tile, n);
        for (int a = 0; a < A; a++)
            sim_quant_add(c->q, rep->thread, a, ts->val + (size_t)a * c->tile, n);
    }
    if (!c->main)
        return BASE_OK;
    for (int j = 0; c->fast && j < l->nrun; j++) {
        const model_breakdown *d = &fb[j];
        double v[NBD] = {d->start, d->request, d->download, d->ffmpeg_start,
                         d->seek,  d->process, d->upload,   d->concat};
        memcpy(acc.bd[j], v, sizeof v);
        acc.conts[j] = (hi - lo) * l->ks[j];
    }
    for (int i = 0; i < l->nrun; i++) {
        size_t at = (size_t)b * l->nrun + i;
        mom_store(&mom[i], &c->mom[at * NMOM]);
        mom_store(&mom[l->nrun + i], &c->mom[at * NMOM + 3]);
        memcpy(&c->bd[at * NBD], acc.bd[i], sizeof acc.bd[i]);
        c->failed[at] = acc.failed[i];
        c->conts[at] = acc.conts[i];
    }
    c->events[b] = acc.events;
    return BASE_OK;
}

/* Worker 0's block count, as replications over every pass; never the
 * total before the end (a progress bar clears on it). */
static void on_blocks(uint64_t done, uint64_t total, void *vctx)
{
    const mcctx *c = vctx;
    (void)total;
    uint64_t d = c->done + (done * (uint64_t)c->B < (uint64_t)c->R ? done * (uint64_t)c->B : (uint64_t)c->R);
    c->progress(d < c->total ? d : c->total - 1, c->total, c->progress_ctx);
}

/* Per-thread scratch for the pass driver. */
static int scratch_new(mcctx *c, unsigned T)
{
    const runlist *l = c->l;
    if (!(c->ts = calloc(T, sizeof *c->ts)))
        return -1;
    for (unsigned t = 0; t < T; t++) {
        tscratch *ts = &c->ts[t];
        if (!(ts->ws = sim_job_ws_new()) || !(ts->st = malloc((size_t)l->kmax * sizeof *ts->st)) ||
            !(ts->val = malloc((size_t)2 * l->nrun * c->tile * sizeof *ts->val)))
            return -1;
        if (c->fast && !(ts->fscr = malloc(sim_mc_fast_scratch_len(c->fast) * sizeof *ts->fscr)))
            return -1;
    }
    return 0;
}

static void scratch_free(mcctx *c, unsigned T)
{
    if (!c->ts)
        return;
    for (unsigned t = 0; t < T; t++) {
        sim_job_ws_free(c->ts[t].ws);
        free(c->ts[t].st);
        free(c->ts[t].fscr);
        free(c->ts[t].val);
    }
    free(c->ts);
    c->ts = NULL;
}

/* Block sums of the main pass: nb blocks x nrun runs. */
static int blocks_new(mcctx *c, long nb)
{
    size_t n = (size_t)nb * c->l->nrun;
    c->bd = calloc(n * NBD, sizeof *c->bd);
    c->mom = calloc(n * NMOM, sizeof *c->mom);
    c->failed = calloc(n, sizeof *c->failed);
    c->conts = calloc(n, sizeof *c->conts);
    c->events = calloc((size_t)nb, sizeof *c->events);
    return c->bd && c->mom && c->failed && c->conts && c->events ? 0 : -1;
}

static void blocks_free(mcctx *c)
{
    free(c->bd);
    free(c->mom);
    free(c->failed);
    free(c->conts);
    free(c->events);
}

/* Every pass the quantiles ask for; the first full one fills the block
 * sums (c->bd ... for R replications). */
static int run_passes(mcctx *c, unsigned T, char *err, size_t errsz)
{
    const long R = c->R;
    int kind, rc, main_done = 0;
    uint64_t reps;
    c->done = 0;
    while ((kind = sim_quant_begin(c->q, &reps, err, errsz)) != SIM_QUANT_DONE) {
        if (kind < 0)
            return BASE_ERUNTIME;
        c->main = kind == SIM_QUANT_FULL && !main_done;
        c->R = (long)reps;
        c->B = (c->R + BLOCKS_MAX - 1) / BLOCKS_MAX;
        c->B = c->B < BLOCK_MIN ? BLOCK_MIN : c->B;
        long nb = (c->R + c->B - 1) / c->B;
        if (c->main && blocks_new(c, nb))
            return base_errf(err, errsz, BASE_ERUNTIME, "out of memory");
        /* an estimate: this pass, and one more full pass if this one bins */
        c->total = c->done + reps + (kind == SIM_QUANT_PILOT || sim_quant_bins(c->q) ? (uint64_t)R : 0);
        sim_mc_job job = {.replications = (uint64_t)nb, .threads = T, .seed = c->seed, .fn = run_block,
                          .ctx = c, .progress = c->progress ? on_blocks : NULL, .progress_ctx = c};
        if ((rc = sim_mc_run(&job, err, errsz)))
            return rc;
        for (size_t i = 0; c->main && i < (size_t)nb * c->l->nrun * NMOM; i++)
            if (isnan(c->mom[i]))
                return base_errf(err, errsz, BASE_ERUNTIME, "sim: %d GPUs: a replication gave NaN (a bug)",
                                 c->l->ks[i / NMOM % c->l->nrun]);
        if ((rc = sim_quant_end(c->q, err, errsz)))
            return rc;
        c->done += reps;
        main_done |= c->main;
        c->main = 0;
    }
    c->R = R;
    c->B = (R + BLOCKS_MAX - 1) / BLOCKS_MAX;
    c->B = c->B < BLOCK_MIN ? BLOCK_MIN : c->B;
    if (c->progress)
        c->progress(c->done, c->done, c->progress_ctx);
    return BASE_OK;
}

/* ---- summaries ---------------------------------------------------------------------- */

/* Mean and sd from the blocks' shifted moments, merged in block order
 * (Chan et al.'s pairwise update): the same numbers for any thread count. */
static void merge_moments(const double *mom, long nb, long B, long R, int nrun, int i, int which,
                          double *mean, double *sd)
{
    double n = 0, m = 0, m2 = 0;
    for (long b = 0; b < nb; b++) {
        const double *v = &mom[((size_t)b * nrun + i) * NMOM + 3 * which];
        double nb_ = (double)((b + 1) * B < R ? B : R - b * B);
        double mb = v[0] + v[1] / nb_, m2b = v[2] - v[1] * v[1] / nb_;
        m2b = m2b > 0 ? m2b : 0;
        if (n == 0) {
            n = nb_, m = mb, m2 = m2b;
            continue;
        }
        double d = mb - m, N = n + nb_;
        m += d * nb_ / N;
        m2 += m2b + d * d * n * nb_ / N;
        n = N;
    }
    *mean = m;
    *sd = n > 1 ? sqrt(m2 / (n - 1)) : 0;
}

/* Run i's summaries from the block sums and the quantiles. */
static void run_result(const mcctx *c, int i, model_kresult *kr, long *failed, long *conts)
{
    const runlist *l = c->l;
    const long R = c->R, nb = (R + c->B - 1) / c->B;
    *kr = (model_kresult){.gpus = l->ks[i]};
    merge_moments(c->mom, nb, c->B, R, l->nrun, i, 0, &kr->wall_mean, &kr->wall_sd);
    merge_moments(c->mom, nb, c->B, R, l->nrun, i, 1, &kr->cost_mean, &kr->cost_sd);
    kr->wall_se = kr->wall_sd / sqrt((double)R);
    kr->cost_se = kr->cost_sd / sqrt((double)R);
    double qw[SIM_QUANT_NF], qc[SIM_QUANT_NF];
    sim_quant_get(c->q, i, qw);
    sim_quant_get(c->q, l->nrun + i, qc);
    kr->wall_p50 = qw[0], kr->wall_p95 = qw[1], kr->wall_p99 = qw[2];
    kr->cost_p50 = qc[0], kr->cost_p95 = qc[1], kr->cost_p99 = qc[2];
    double bd[NBD] = {0};
    *failed = *conts = 0;
    for (long b = 0; b < nb; b++) {
        for (int p = 0; p < NBD; p++)
            bd[p] += c->bd[((size_t)b * l->nrun + i) * NBD + p];
        *failed += c->failed[(size_t)b * l->nrun + i];
        *conts += c->conts[(size_t)b * l->nrun + i];
    }
    double r = (double)R;
    kr->breakdown = (model_breakdown){bd[0] / r, bd[1] / r, bd[2] / r, bd[3] / r,
                                      bd[4] / r, bd[5] / r, bd[6] / r, bd[7] / r};
}

static void fill_eval(const model_scenario *s, const model_opts *mo, const mcctx *c, int off, uint64_t seed,
                      model_eval *out, sim_montecarlo_stats *stats)
{
    const runlist *l = c->l;
    snprintf(out->method, sizeof out->method, "sim");
    out->replications = c->R;
    out->seed = (unsigned long)seed;
    out->frames = s->frames;
    out->nk = s->ngpus;
    if (stats) {
        memset(stats, 0, sizeof *stats);
        stats->fast = c->fast != NULL;
        stats->passes = sim_quant_passes(c->q);
        stats->kept_peak = sim_quant_peak_kept(c->q);
        for (long b = 0; b < (c->R + c->B - 1) / c->B; b++)
            stats->engine_events += c->events[b];
    }
    for (int i = 0; i < l->nrun; i++) {
        model_kresult kr;
        long failed, conts;
        run_result(c, i, &kr, &failed, &conts);
        if (i == 0)
            out->base = kr;
        int e = i - off;
        if (e >= 0) {
            out->k[e] = kr;
            out->break_even[e] = -2;
        }
        if (stats && i == 0)
            stats->base_failed = failed;
        if (stats && e >= 0) {
            stats->failed[e] = failed;
            stats->containers[e] = (double)conts / (double)c->R;
            stats->events[e] = sim_job_uses_events(l->jobs[i]);
        }
    }
    model_decide(s, mo, out);
}

/* The fast plan when it applies (sim/mc_fast.h), for R replications. */
static int fast_plan(const model_scenario *s, const runlist *l, uint64_t seed, uint64_t R, sim_mc_fast **f,
                     char *err, size_t errsz)
{
    *f = NULL;
    return l->crn ? sim_mc_fast_new(s, l->jobs, l->ks, l->nrun, seed, R, f, err, errsz) : BASE_OK;
}

int sim_montecarlo_eval(const model_scenario *s, const model_opts *mo, const sim_montecarlo_opts *o,
                        model_eval *out, sim_montecarlo_stats *stats, char *err, size_t errsz)
{
    int rc = BASE_OK, off = 0;
    runlist l = {0};
    sim_mc_fast *fast = NULL;
    mcctx c = {0};
    unsigned T = o->threads ? o->threads : sim_mc_threads_default();
    T = T > 1024 ? 1024 : T;
    memset(out, 0, sizeof *out);
    if (o->replications < 1 || (uint64_t)o->replications >= SIM_RAND_R_MAX)
        return base_errf(err, errsz, BASE_EINPUT, "sim: replications: must be in 1..2^40 - 1 (got %ld)",
                          o->replications);
    if ((rc = runlist_new(s, o->flags, &l, &off, err, errsz)))
        return rc;
    if ((rc = fast_plan(s, &l, o->seed, (uint64_t)o->replications, &fast, err, errsz)))
        goto cleanup;
    if (!fast && (uint64_t)o->replications > R_GSL_MAX) {
        rc = base_errf(err, errsz, BASE_EINPUT,
                       "sim: replications: at most 2^31 for this scenario (got %ld; only starts-only "
                       "scenarios without billing rounding go to 2^40 - 1)", o->replications);
        goto cleanup;
    }
    c = (mcctx){.l = &l, .fast = fast, .seed = o->seed, .R = o->replications,
                .tile = fast ? sim_mc_fast_tile_len(fast) : TILE_GENERAL,
                .progress = o->progress, .progress_ctx = o->progress_ctx};
    if (scratch_new(&c, T)) {
        rc = base_errf(err, errsz, BASE_ERUNTIME, "out of memory");
        goto cleanup;
    }
    if ((rc = sim_quant_new(2 * l.nrun, (uint64_t)c.R, T, 0, &c.q, err, errsz)) ||
        (rc = run_passes(&c, T, err, errsz)))
        goto cleanup;
    fill_eval(s, mo, &c, off, o->seed, out, stats);
cleanup:
    scratch_free(&c, T);
    blocks_free(&c);
    sim_quant_free(c.q);
    sim_mc_fast_free(fast);
    runlist_free(&l);
    return rc;
}

int sim_montecarlo_trace(const model_scenario *s, uint64_t seed, uint64_t r, int flags,
                         sim_job_trace_fn trace, void *tctx, char *err, size_t errsz)
{
    int rc, off;
    runlist l;
    sim_mc_fast *fast = NULL;
    gsl_rng *rng = NULL;
    sim_job_ws *ws = NULL;
    double *st = NULL;
    if (r >= SIM_RAND_R_MAX)
        return base_errf(err, errsz, BASE_EINPUT, "sim: replication: must be below 2^40");
    if ((rc = runlist_new(s, flags, &l, &off, err, errsz)))
        return rc;
    if ((rc = fast_plan(s, &l, seed, r + 1, &fast, err, errsz)))
        goto cleanup;
    if (!fast && r >= R_GSL_MAX) {
        rc = base_errf(err, errsz, BASE_EINPUT, "sim: replication: must be below 2^31 for this scenario");
        goto cleanup;
    }
    rng = gsl_rng_alloc(sim_mc_rng_type());
    ws = sim_job_ws_new();
    st = malloc((size_t)l.kmax * sizeof *st);
    if (!rng || !ws || !st) {
        rc = base_errf(err, errsz, BASE_ERUNTIME, "out of memory");
        goto cleanup;
    }
    sim_mc_seed_rng(rng, seed, fast ? 0 : r);
    sim_job_result res[NRUN_MAX];
    if (!fast) {
        rc = run_replication(&l, ws, rng, st, trace, tctx, res, err, errsz);
        goto cleanup;
    }
    sim_mc_fast_starts(fast, r, st); /* the fast path's starts; its jobs draw nothing else */
    for (int i = 0; i < l.nrun && !rc; i++)
        rc = sim_job_run_starts(l.jobs[i], ws, st, rng, trace, tctx, &res[i], err, errsz);
cleanup:
    free(st);
    sim_job_ws_free(ws);
    if (rng)
        gsl_rng_free(rng);
    sim_mc_fast_free(fast);
    runlist_free(&l);
    return rc;
}

/* sim/montecarlo.c -- replications of the chunked job over threads, per-k
 * summaries into a model_eval. */
#include "sim/montecarlo.h"

#include "model/status.h"

#include <assert.h>
#include <gsl/gsl_statistics_double.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define NRUN_MAX (MODEL_MAX_GPU_LIST + 1)
#define NBD 8           /* breakdown phases */
#define BLOCKS_MAX 1024 /* partial sums kept: at most this many blocks */
#define BLOCK_MIN 64
#define NMOM 6          /* per block and run: wall shift, sum, sum of squares; cost the same */

typedef struct {
    int nrun;
    int ks[NRUN_MAX];          /* run order: 1 first, then the scenario's others */
    sim_job *jobs[NRUN_MAX];
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
    return MODEL_OK;
}

typedef struct {
    const runlist *l;
    sim_job_ws **ws;          /* per thread */
    uint64_t seed;
    long R, B;
    double **wall, **cost;    /* [run][r] */
    double *bd;               /* [block][run][NBD] */
    double *mom;              /* [block][run][NMOM] */
    long *failed, *conts;     /* [block][run] */
    uint64_t *events;         /* [block] */
} mcctx;

static int run_block(const sim_mc_rep *rep, void *vctx)
{
    mcctx *c = vctx;
    const runlist *l = c->l;
    int nrun = l->nrun;
    long b = (long)rep->r, lo = b * c->B, hi = lo + c->B < c->R ? lo + c->B : c->R;
    double acc[NRUN_MAX][NBD] = {{0}};
    /* Moments about the block's first value (a shift of the order of the
     * data, so the sums of squares do not cancel): c, sum(x - c), sum((x - c)^2). */
    double mom[NRUN_MAX][NMOM] = {{0}};
    long failed[NRUN_MAX] = {0}, conts[NRUN_MAX] = {0};
    uint64_t events = 0;
    sim_job_ws *ws = c->ws[rep->thread];
    for (long r = lo; r < hi; r++) {
        sim_mc_seed_rng(rep->rng, c->seed, (uint64_t)r);
        for (int i = 0; i < nrun; i++) {
            sim_job_result res;
            int rc = sim_job_run(l->jobs[i], ws, rep->rng, NULL, NULL, &res, rep->err, rep->errsz);
            if (rc)
                return rc;
            c->wall[i][r] = res.wall;
            c->cost[i][r] = res.cost;
            if (r == lo) {
                mom[i][0] = res.wall;
                mom[i][3] = res.cost;
            }
            double dw = res.wall - mom[i][0], dc = res.cost - mom[i][3];
            mom[i][1] += dw;
            mom[i][2] += dw * dw;
            mom[i][4] += dc;
            mom[i][5] += dc * dc;
            const model_breakdown *d = &res.bd;
            double v[NBD] = {d->start, d->request, d->download, d->ffmpeg_start,
                             d->seek,  d->process, d->upload,   d->concat};
            for (int p = 0; p < NBD; p++)
                acc[i][p] += v[p];
            failed[i] += res.failed;
            conts[i] += res.containers;
            events += res.events;
        }
    }
    for (int i = 0; i < nrun; i++) {
        memcpy(&c->bd[((size_t)b * nrun + i) * NBD], acc[i], sizeof acc[i]);
        memcpy(&c->mom[((size_t)b * nrun + i) * NMOM], mom[i], sizeof mom[i]);
        c->failed[(size_t)b * nrun + i] = failed[i];
        c->conts[(size_t)b * nrun + i] = conts[i];
    }
    c->events[b] = events;
    return MODEL_OK;
}

/* Quantiles p50, p95, p99 of x[0..n), exactly as GSL's
 * quantile_from_sorted_data gives them on the sorted array: x_(lo) and
 * x_(lo+1) interpolated, lo = floor(f (n - 1)). gsl_stats_select is
 * quickselect, which leaves x partitioned around the rank it selects
 * (smaller before, larger after): each higher quantile is then selected
 * within the part above the previous one, and x_(lo+1) is the least value
 * above position lo. ~2n comparisons in all instead of a sort's n log n;
 * tests/test_sim.c checks the results against sorting, ties included.
 * Rearranges x. */
static void quantiles(double *x, size_t n, double *p50, double *p95, double *p99)
{
    static const double f[3] = {0.50, 0.95, 0.99};
    double *out[3] = {p50, p95, p99};
    size_t from = 0;   /* x[from..n) holds the ranks >= from */
    for (int q = 0; q < 3; q++) {
        double index = f[q] * (double)(n - 1);
        size_t lhs = (size_t)index;
        double delta = index - (double)lhs;
        assert(lhs >= from || (q > 0 && lhs + 1 == from));
        double a = lhs < from ? x[lhs] : gsl_stats_select(x + from, 1, n - from, lhs - from);
        double b = a;
        if (lhs + 1 < n && delta > 0) {
            b = x[lhs + 1];
            for (size_t i = lhs + 2; i < n; i++)
                b = x[i] < b ? x[i] : b;
        }
        *out[q] = (1 - delta) * a + delta * b;
        if (lhs + 1 > from)
            from = lhs + 1;
    }
}

/* Quantiles of each array (wall and cost of each run), spread over the
 * threads as "replications" of sim_mc_run; each depends on its array only. */
typedef struct {
    double **x;        /* [2 * nrun]: wall arrays then cost arrays */
    size_t n;
    double (*q)[3];    /* [2 * nrun]: p50, p95, p99 */
} qctx;

static int quantiles_one(const sim_mc_rep *rep, void *vctx)
{
    qctx *c = vctx;
    quantiles(c->x[rep->r], c->n, &c->q[rep->r][0], &c->q[rep->r][1], &c->q[rep->r][2]);
    return MODEL_OK;
}

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

int sim_montecarlo_eval(const model_scenario *s, const model_opts *mo, const sim_montecarlo_opts *o,
                        model_eval *out, sim_montecarlo_stats *stats, char *err, size_t errsz)
{
    int rc = MODEL_OK, off = 0;
    runlist l = {0};
    mcctx c = {0};
    unsigned T = 0;
    memset(out, 0, sizeof *out);
    if (o->replications < 1 || (uint64_t)o->replications > (UINT64_C(1) << 31))
        return model_errf(err, errsz, MODEL_EINPUT, "sim: replications: must be in 1..2^31 (got %ld)",
                          o->replications);
    if ((rc = runlist_new(s, o->flags, &l, &off, err, errsz)))
        return rc;
    long R = o->replications;
    long B = (R + BLOCKS_MAX - 1) / BLOCKS_MAX;
    B = B < BLOCK_MIN ? BLOCK_MIN : B;
    long nb = (R + B - 1) / B;
    T = o->threads ? o->threads : sim_mc_threads_default();
    T = T > 1024 ? 1024 : T;
    c = (mcctx){.l = &l, .seed = o->seed, .R = R, .B = B};
    c.ws = calloc(T, sizeof *c.ws);
    c.wall = calloc((size_t)l.nrun, sizeof *c.wall);
    c.cost = calloc((size_t)l.nrun, sizeof *c.cost);
    c.bd = calloc((size_t)nb * l.nrun * NBD, sizeof *c.bd);
    c.mom = calloc((size_t)nb * l.nrun * NMOM, sizeof *c.mom);
    c.failed = calloc((size_t)nb * l.nrun, sizeof *c.failed);
    c.conts = calloc((size_t)nb * l.nrun, sizeof *c.conts);
    c.events = calloc((size_t)nb, sizeof *c.events);
    if (!c.ws || !c.wall || !c.cost || !c.bd || !c.mom || !c.failed || !c.conts || !c.events)
        goto oom;
    for (unsigned t = 0; t < T; t++)
        if (!(c.ws[t] = sim_job_ws_new()))
            goto oom;
    for (int i = 0; i < l.nrun; i++)
        if (!(c.wall[i] = malloc((size_t)R * sizeof **c.wall)) ||
            !(c.cost[i] = malloc((size_t)R * sizeof **c.cost)))
            goto oom;

    sim_mc_job job = {.replications = (uint64_t)nb, .threads = T, .seed = o->seed, .fn = run_block,
                      .ctx = &c, .progress = o->progress, .progress_ctx = o->progress_ctx};
    if ((rc = sim_mc_run(&job, err, errsz)))
        goto cleanup;

    double *arrays[2 * NRUN_MAX], qs[2 * NRUN_MAX][3];
    for (int i = 0; i < l.nrun; i++) {
        arrays[i] = c.wall[i];
        arrays[l.nrun + i] = c.cost[i];
    }
    qctx qc = {arrays, (size_t)R, qs};
    sim_mc_job qjob = {.replications = (uint64_t)(2 * l.nrun), .threads = T, .seed = 0,
                       .fn = quantiles_one, .ctx = &qc};
    if ((rc = sim_mc_run(&qjob, err, errsz)))
        goto cleanup;

    snprintf(out->method, sizeof out->method, "sim");
    out->replications = R;
    out->seed = (unsigned long)o->seed;
    out->frames = s->frames;
    out->nk = s->ngpus;
    if (stats)
        memset(stats, 0, sizeof *stats);
    for (int i = 0; i < l.nrun; i++) {
        model_kresult kr = {.gpus = l.ks[i]};
        merge_moments(c.mom, nb, B, R, l.nrun, i, 0, &kr.wall_mean, &kr.wall_sd);
        merge_moments(c.mom, nb, B, R, l.nrun, i, 1, &kr.cost_mean, &kr.cost_sd);
        if (isnan(kr.wall_mean) || isnan(kr.cost_mean)) {
            rc = model_errf(err, errsz, MODEL_ERUNTIME, "sim: %d GPUs: a replication gave NaN (a bug)",
                            l.ks[i]);
            goto cleanup;
        }
        kr.wall_se = kr.wall_sd / sqrt((double)R);
        kr.cost_se = kr.cost_sd / sqrt((double)R);
        kr.wall_p50 = qs[i][0], kr.wall_p95 = qs[i][1], kr.wall_p99 = qs[i][2];
        kr.cost_p50 = qs[l.nrun + i][0], kr.cost_p95 = qs[l.nrun + i][1], kr.cost_p99 = qs[l.nrun + i][2];
        double bd[NBD] = {0};
        long failed = 0, conts = 0;
        for (long b = 0; b < nb; b++) {
            for (int p = 0; p < NBD; p++)
                bd[p] += c.bd[((size_t)b * l.nrun + i) * NBD + p];
            failed += c.failed[(size_t)b * l.nrun + i];
            conts += c.conts[(size_t)b * l.nrun + i];
        }
        kr.breakdown = (model_breakdown){bd[0] / R, bd[1] / R, bd[2] / R, bd[3] / R,
                                         bd[4] / R, bd[5] / R, bd[6] / R, bd[7] / R};
        if (i == 0)
            out->base = kr;
        int e = i - off;
        if (e >= 0) {
            out->k[e] = kr;
            out->break_even[e] = -2;
        }
        if (stats) {
            if (i == 0)
                stats->base_failed = failed;
            if (e >= 0) {
                stats->failed[e] = failed;
                stats->containers[e] = (double)conts / R;
                stats->events[e] = sim_job_uses_events(l.jobs[i]);
            }
        }
    }
    if (stats)
        for (long b = 0; b < nb; b++)
            stats->engine_events += c.events[b];
    model_decide(s, mo, out);
    goto cleanup;
oom:
    rc = model_errf(err, errsz, MODEL_ERUNTIME, "out of memory (%ld replications x %d GPU counts)", R,
                    l.nrun);
cleanup:
    if (c.ws)
        for (unsigned t = 0; t < T; t++)
            sim_job_ws_free(c.ws[t]);
    free(c.ws);
    for (int i = 0; i < l.nrun; i++) {
        if (c.wall)
            free(c.wall[i]);
        if (c.cost)
            free(c.cost[i]);
    }
    free(c.wall);
    free(c.cost);
    free(c.bd);
    free(c.mom);
    free(c.failed);
    free(c.conts);
    free(c.events);
    runlist_free(&l);
    return rc;
}

int sim_montecarlo_trace(const model_scenario *s, uint64_t seed, uint64_t r, int flags,
                         sim_job_trace_fn trace, void *tctx, char *err, size_t errsz)
{
    int rc, off;
    runlist l;
    gsl_rng *rng = NULL;
    sim_job_ws *ws = NULL;
    if (r >= (UINT64_C(1) << 31))
        return model_errf(err, errsz, MODEL_EINPUT, "sim: replication: must be below 2^31");
    if ((rc = runlist_new(s, flags, &l, &off, err, errsz)))
        return rc;
    rng = gsl_rng_alloc(sim_mc_rng_type());
    ws = sim_job_ws_new();
    if (!rng || !ws) {
        rc = model_errf(err, errsz, MODEL_ERUNTIME, "out of memory");
        goto cleanup;
    }
    sim_mc_seed_rng(rng, seed, r);
    for (int i = 0; i < l.nrun; i++) {
        sim_job_result res;
        if ((rc = sim_job_run(l.jobs[i], ws, rng, trace, tctx, &res, err, errsz)))
            goto cleanup;
    }
cleanup:
    sim_job_ws_free(ws);
    if (rng)
        gsl_rng_free(rng);
    runlist_free(&l);
    return rc;
}

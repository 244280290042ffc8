/* sim/montecarlo.c -- replications of the chunked job over threads, per-k
 * summaries into a model_eval. */
#include "sim/montecarlo.h"

#include "base/status.h"

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

/* Replication r's jobs, one per run, in run order, from rng as seeded for
 * r. With l->crn the starts are drawn once, for kmax containers, into st[]
 * (room for kmax), and every k takes the first k: common random numbers. */
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

typedef struct {
    const runlist *l;
    sim_job_ws **ws;          /* per thread */
    double *st;               /* per thread: kmax starts (l->crn) */
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
    double *st = c->st + (size_t)rep->thread * l->kmax;
    sim_job_result rr[NRUN_MAX];
    for (long r = lo; r < hi; r++) {
        sim_mc_seed_rng(rep->rng, c->seed, (uint64_t)r);
        int rc = run_replication(l, ws, rep->rng, st, NULL, NULL, rr, rep->err, rep->errsz);
        if (rc)
            return rc;
        for (int i = 0; i < nrun; i++) {
            const sim_job_result res = rr[i];
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
    return BASE_OK;
}

/* Order statistics x_(rank[q]) (0-based ranks, ascending, each < n) of
 * x[0..n), exactly: the bucket of every value in QBUCKETS equal slices of
 * [min, max] is counted; the buckets holding a wanted rank are gathered
 * (one more pass); each rank is then selected (gsl_stats_select) among its
 * bucket's values only. (x - min) * scale is monotone in x under rounding,
 * so buckets are in value order and the result is what sorting gives, ties
 * included. ~2 passes of a few ns per value, against quickselect's branchy
 * partitions (~14 ns per value here); a bucket of many ties (a cost under
 * a billing granularity) costs a select over its size, as before.
 * Returns -1 when out of memory. x is not modified. */
#define QBUCKETS 4096

/* The bucket of v: monotone in v; NaN goes to 0, anything a huge scale
 * (values a few subnormals apart) sends past the end to the last. */
static inline int qbucket(double v, double lo, double hi, double scale)
{
    if (v >= hi)
        return QBUCKETS - 1;
    double f = (v - lo) * scale;
    return f > 0 ? (f < QBUCKETS - 1 ? (int)f : QBUCKETS - 1) : 0;
}

static int order_stats(const double *x, size_t n, const size_t *rank, int m, double *out)
{
    double lo = x[0], hi = x[0];
    for (size_t i = 1; i < n; i++) {
        lo = x[i] < lo ? x[i] : lo;
        hi = x[i] > hi ? x[i] : hi;
    }
    if (!(hi > lo)) { /* all equal (or NaN: the caller fails on the mean) */
        for (int q = 0; q < m; q++)
            out[q] = lo;
        return 0;
    }
    const double scale = QBUCKETS / (hi - lo);
    uint32_t *count = calloc(QBUCKETS, sizeof *count);
    int32_t *group = malloc(QBUCKETS * sizeof *group); /* bucket -> wanted group, -1 */
    if (!count || !group) {
        free(count);
        free(group);
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        count[qbucket(x[i], lo, hi, scale)]++;
    /* each rank's bucket and rank inside it; ranks ascend, so buckets do */
    int bk[8], ng = 0, gb[8];
    size_t within[8], below = 0, gsize[8], goff[8];
    int b = 0;
    for (int q = 0; q < m; q++) {
        while (below + count[b] <= rank[q])
            below += count[b++];
        bk[q] = b;
        within[q] = rank[q] - below;
        if (ng == 0 || gb[ng - 1] != b) {
            gb[ng] = b;
            gsize[ng] = count[b];
            goff[ng] = ng ? goff[ng - 1] + gsize[ng - 1] : 0;
            ng++;
        }
    }
    for (int i = 0; i < QBUCKETS; i++)
        group[i] = -1;
    for (int g = 0; g < ng; g++)
        group[gb[g]] = g;
    double *buf = malloc((goff[ng - 1] + gsize[ng - 1]) * sizeof *buf);
    if (!buf) {
        free(count);
        free(group);
        return -1;
    }
    size_t fill[8] = {0};
    for (size_t i = 0; i < n; i++) {
        int g = group[qbucket(x[i], lo, hi, scale)];
        if (g >= 0)
            buf[goff[g] + fill[g]++] = x[i];
    }
    for (int q = 0; q < m; q++) {
        int g = group[bk[q]];
        /* select permutes the group, not its values: each rank comes out right */
        out[q] = gsl_stats_select(buf + goff[g], 1, gsize[g], within[q]);
    }
    free(buf);
    free(count);
    free(group);
    return 0;
}

/* Quantiles p50, p95, p99 of x[0..n), exactly as GSL's
 * quantile_from_sorted_data gives them on the sorted array: x_(lo) and
 * x_(lo+1) interpolated, lo = floor(f (n - 1)); the order statistics from
 * order_stats(). tests/test_sim.c checks them against sorting, ties
 * included. Returns -1 when out of memory. */
static int quantiles(const double *x, size_t n, double *p50, double *p95, double *p99)
{
    static const double f[3] = {0.50, 0.95, 0.99};
    double *out[3] = {p50, p95, p99}, delta[3], v[6];
    size_t rank[6];
    int m = 0, at[3];
    for (int q = 0; q < 3; q++) {
        double index = f[q] * (double)(n - 1);
        size_t lhs = (size_t)index;
        delta[q] = index - (double)lhs;
        at[q] = m;
        if (m == 0 || rank[m - 1] != lhs)
            rank[m++] = lhs;
        else
            at[q] = m - 1;
        if (lhs + 1 < n && delta[q] > 0)
            rank[m++] = lhs + 1;
    }
    if (order_stats(x, n, rank, m, v))
        return -1;
    for (int q = 0; q < 3; q++) {
        double a = v[at[q]];
        double b = delta[q] > 0 && rank[at[q]] + 1 < n ? v[at[q] + 1] : a;
        *out[q] = (1 - delta[q]) * a + delta[q] * b;
    }
    return 0;
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
    if (quantiles(c->x[rep->r], c->n, &c->q[rep->r][0], &c->q[rep->r][1], &c->q[rep->r][2]))
        return base_errf(rep->err, rep->errsz, BASE_ERUNTIME, "out of memory");
    return BASE_OK;
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
    int rc = BASE_OK, off = 0;
    runlist l = {0};
    mcctx c = {0};
    unsigned T = 0;
    memset(out, 0, sizeof *out);
    if (o->replications < 1 || (uint64_t)o->replications > (UINT64_C(1) << 31))
        return base_errf(err, errsz, BASE_EINPUT, "sim: replications: must be in 1..2^31 (got %ld)",
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
    c.st = malloc((size_t)T * l.kmax * sizeof *c.st);
    c.wall = calloc((size_t)l.nrun, sizeof *c.wall);
    c.cost = calloc((size_t)l.nrun, sizeof *c.cost);
    c.bd = calloc((size_t)nb * l.nrun * NBD, sizeof *c.bd);
    c.mom = calloc((size_t)nb * l.nrun * NMOM, sizeof *c.mom);
    c.failed = calloc((size_t)nb * l.nrun, sizeof *c.failed);
    c.conts = calloc((size_t)nb * l.nrun, sizeof *c.conts);
    c.events = calloc((size_t)nb, sizeof *c.events);
    if (!c.ws || !c.st || !c.wall || !c.cost || !c.bd || !c.mom || !c.failed || !c.conts || !c.events)
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
            rc = base_errf(err, errsz, BASE_ERUNTIME, "sim: %d GPUs: a replication gave NaN (a bug)",
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
    rc = base_errf(err, errsz, BASE_ERUNTIME, "out of memory (%ld replications x %d GPU counts)", R,
                    l.nrun);
cleanup:
    if (c.ws)
        for (unsigned t = 0; t < T; t++)
            sim_job_ws_free(c.ws[t]);
    free(c.ws);
    free(c.st);
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
    double *st = NULL;
    if (r >= (UINT64_C(1) << 31))
        return base_errf(err, errsz, BASE_EINPUT, "sim: replication: must be below 2^31");
    if ((rc = runlist_new(s, flags, &l, &off, err, errsz)))
        return rc;
    rng = gsl_rng_alloc(sim_mc_rng_type());
    ws = sim_job_ws_new();
    st = malloc((size_t)l.kmax * sizeof *st);
    if (!rng || !ws || !st) {
        rc = base_errf(err, errsz, BASE_ERUNTIME, "out of memory");
        goto cleanup;
    }
    sim_mc_seed_rng(rng, seed, r);
    sim_job_result res[NRUN_MAX];
    rc = run_replication(&l, ws, rng, st, trace, tctx, res, err, errsz);
cleanup:
    free(st);
    sim_job_ws_free(ws);
    if (rng)
        gsl_rng_free(rng);
    runlist_free(&l);
    return rc;
}

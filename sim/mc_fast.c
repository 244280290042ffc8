/* sim/mc_fast.c -- see sim/mc_fast.h. */
#include "sim/mc_fast.h"

#include "base/status.h"
#include "model/vexp.h"
#include "sim/mc.h"
#include "sim/mc_rand.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define CHECK_REPS 64       /* replications run both ways before the fast path is taken */
#define PROBE_LOW (-1e300)  /* a start that makes a container never critical */

typedef struct {
    const sim_job *job;
    int k, ng;
    double *rest;           /* [k]: container i ends at st[i] + rest[i] */
    model_breakdown *ph;    /* [k]: container i's phases, start 0 */
    int *from;              /* [ng + 1]: group g, containers [from[g], from[g + 1]) of equal phases */
    double restsum, concat;
} fjob;

struct sim_mc_fast {
    int njobs, kmax, minc, bill_cold;
    double rate;
    fjob *jobs;
    model_dist warm, cold;
    sim_rand g;
    size_t tile;
};

typedef double v4d __attribute__((vector_size(32)));
typedef long long v4l __attribute__((vector_size(32)));
#define LD4(v, p) memcpy(&(v), (p), sizeof(v))
#define ST4(p, v) memcpy((p), &(v), sizeof(v))
#define SEL4(m, a, b) ((v4d)(((m) & (v4l)(a)) | (~(m) & (v4l)(b))))

size_t sim_mc_fast_tile_len(const sim_mc_fast *f) { return f->tile; }
int sim_mc_fast_kmax(const sim_mc_fast *f) { return f->kmax; }

/* st[kmax][tile], then per job's use: best, sel, arg, and the running sums W, C */
size_t sim_mc_fast_scratch_len(const sim_mc_fast *f) { return ((size_t)f->kmax + 5) * f->tile; }

void sim_mc_fast_free(sim_mc_fast *f)
{
    if (!f)
        return;
    for (int j = 0; j < f->njobs; j++) {
        free(f->jobs[j].rest);
        free(f->jobs[j].ph);
        free(f->jobs[j].from);
    }
    free(f->jobs);
    free(f);
}

/* ---- the starts ----------------------------------------------------------------- */

static const model_dist *start_law(const sim_mc_fast *f, int i) { return i < f->minc ? &f->warm : &f->cold; }

/* Row i of the starts for replications r0 .. r0 + npad - 1 (npad a
 * multiple of 4: every value goes through a vector lane of the exp). */
static inline __attribute__((always_inline)) void draw_row(const sim_mc_fast *f, int i, uint64_t r0,
                                                           size_t npad, double *row)
{
    const model_dist *d = start_law(f, i);
    if (d->kind == MODEL_DIST_FIXED) {
        const v4d v = (v4d){0} + (d->a + d->shift);
        for (size_t t = 0; t < npad; t += 4)
            ST4(row + t, v);
        return;
    }
    sim_rand_normals(&f->g, (uint64_t)i, r0, npad, d->a, d->b, row); /* mu + sigma z */
    model_vexp(row, npad);
    const v4d sh = (v4d){0} + d->shift;
    for (size_t t = 0; d->shift != 0 && t < npad; t += 4) { /* + 0 changes no positive value */
        v4d z;
        LD4(z, row + t);
        z += sh;
        ST4(row + t, z);
    }
}

void sim_mc_fast_starts(const sim_mc_fast *f, uint64_t r, double *st)
{
    for (int i = 0; i < f->kmax; i++) {
        const model_dist *d = start_law(f, i);
        if (d->kind == MODEL_DIST_FIXED) {
            st[i] = d->a + d->shift;
            continue;
        }
        double y = sim_rand_normal(&f->g, (uint64_t)i, r, d->a, d->b);
        double v[4] = {y, y, y, y}; /* a vector lane, as in draw_row */
        model_vexp(v, 4);
        st[i] = d->shift != 0 ? v[0] + d->shift : v[0];
    }
}

/* ---- the kernel ------------------------------------------------------------------ */

/* Job J over the tile's starts (st[i * tile + t]): wall[t], and with sel
 * (nullable) the critical container's start sel[t] and group arg[t]. A
 * group's containers differ only in their starts, so its latest is its
 * largest start plus its rest; the first group of equal ends wins, as the
 * first container does in sim_job (groups are runs of containers). npad: a
 * multiple of 8; two vectors at a time, so the chains of maxima overlap. */
static inline __attribute__((always_inline)) void job_max(const fjob *J, const double *st, size_t tile,
                                                          size_t npad, double *wall, double *sel, double *arg)
{
    const v4d cc = (v4d){0} + J->concat;
    for (size_t t = 0; t < npad; t += 8) {
        v4d b0 = {0}, b1 = {0}, s0 = {0}, s1 = {0}, a0 = {0}, a1 = {0};
        for (int g = 0; g < J->ng; g++) {
            v4d m0, m1, x0, x1;
            const double *row = st + (size_t)J->from[g] * tile + t;
            LD4(m0, row);
            LD4(m1, row + 4);
            for (int i = J->from[g] + 1; i < J->from[g + 1]; i++) {
                row += tile;
                LD4(x0, row);
                LD4(x1, row + 4);
                m0 = SEL4(x0 > m0, x0, m0);
                m1 = SEL4(x1 > m1, x1, m1);
            }
            const v4d r = (v4d){0} + J->rest[J->from[g]], gv = (v4d){0} + (double)g;
            v4d v0 = m0 + r, v1 = m1 + r;
            v4l k0 = g == 0 ? (v4l){-1, -1, -1, -1} : (v4l)(v0 > b0), k1 = g == 0 ? k0 : (v4l)(v1 > b1);
            b0 = SEL4(k0, v0, b0);
            b1 = SEL4(k1, v1, b1);
            s0 = SEL4(k0, m0, s0);
            s1 = SEL4(k1, m1, s1);
            a0 = SEL4(k0, gv, a0);
            a1 = SEL4(k1, gv, a1);
        }
        b0 += cc;
        b1 += cc;
        ST4(wall + t, b0);
        ST4(wall + t + 4, b1);
        if (sel) {
            ST4(sel + t, s0);
            ST4(sel + t + 4, s1);
            ST4(arg + t, a0);
            ST4(arg + t + 4, a1);
        }
    }
}

/* The tile's breakdown sums of job J: the critical start summed in four
 * lanes, each group's phases times how often it was critical. */
static inline __attribute__((always_inline)) void job_bd(const fjob *J, double *sel, double *arg, size_t n,
                                                         size_t npad, model_breakdown *bd)
{
    for (size_t t = n; t < npad; t++) { /* the padding adds nothing */
        sel[t] = 0;
        arg[t] = -1;
    }
    v4d acc = {0};
    for (size_t t = 0; t < npad; t += 4) {
        v4d x;
        LD4(x, sel + t);
        acc += x;
    }
    bd->start += (acc[0] + acc[1]) + (acc[2] + acc[3]);
    for (int g = 0; g < J->ng; g++) {
        const v4d gv = (v4d){0} + (double)g;
        v4l c = {0};
        for (size_t t = 0; t < npad; t += 4) {
            v4d x;
            LD4(x, arg + t);
            c -= x == gv;
        }
        double m = (double)((c[0] + c[1]) + (c[2] + c[3]));
        const model_breakdown *p = &J->ph[J->from[g]];
        bd->request += m * p->request;
        bd->download += m * p->download;
        bd->ffmpeg_start += m * p->ffmpeg_start;
        bd->seek += m * p->seek;
        bd->process += m * p->process;
        bd->upload += m * p->upload;
        bd->concat += m * p->concat;
    }
}

/* The bill's running sums W (warm starts, i < min_containers) and C (the
 * others), over containers [from, to), in container order: sim_job's sums. */
static inline __attribute__((always_inline)) void sums(const sim_mc_fast *f, const double *st, size_t tile,
                                                       size_t npad, int from, int to, double *W, double *C)
{
    for (int i = from; i < to; i++) {
        double *acc = i < f->minc ? W : C;
        const double *row = st + (size_t)i * tile;
        for (size_t t = 0; t < npad; t += 4) {
            v4d a, x;
            LD4(a, acc + t);
            LD4(x, row + t);
            a += x;
            ST4(acc + t, a);
        }
    }
}

static inline __attribute__((always_inline)) void bill(const sim_mc_fast *f, const fjob *J, const double *W,
                                                       const double *C, size_t npad, double *cost)
{
    const v4d rs = (v4d){0} + J->restsum, rate = (v4d){0} + f->rate;
    for (size_t t = 0; t < npad; t += 4) {
        v4d w, c;
        LD4(w, W + t);
        LD4(c, C + t);
        v4d b = rs + w + (f->bill_cold ? c : (v4d){0});
        b *= rate;
        ST4(cost + t, b);
    }
}

static inline __attribute__((always_inline)) void tile_body(const sim_mc_fast *f, double *scr, uint64_t r0,
                                                            size_t n, double *const *wall, double *const *cost,
                                                            model_breakdown *bd)
{
    const size_t tile = f->tile, npad = (n + 7) & ~(size_t)7;
    double *st = scr, *sel = st + (size_t)f->kmax * tile, *arg = sel + tile, *W = arg + tile, *C = W + tile;
    for (int i = 0; i < f->kmax; i++)
        draw_row(f, i, r0, npad, st + (size_t)i * tile);
    memset(W, 0, npad * sizeof *W);
    memset(C, 0, npad * sizeof *C);
    int upto = 0;
    for (int j = 0; j < f->njobs; j++) {
        const fjob *J = &f->jobs[j];
        job_max(J, st, tile, npad, wall[j], bd ? sel : NULL, arg);
        sums(f, st, tile, npad, upto, J->k, W, C);
        upto = J->k;
        bill(f, J, W, C, npad, cost[j]);
        if (bd)
            job_bd(J, sel, arg, n, npad, &bd[j]);
    }
}

#if defined(__x86_64__) && defined(__GNUC__)
__attribute__((target("avx2"))) static void tile_avx2(const sim_mc_fast *f, double *scr, uint64_t r0, size_t n,
                                                      double *const *wall, double *const *cost, model_breakdown *bd)
{
    tile_body(f, scr, r0, n, wall, cost, bd);
}
#endif

static void tile_base(const sim_mc_fast *f, double *scr, uint64_t r0, size_t n, double *const *wall,
                      double *const *cost, model_breakdown *bd)
{
    tile_body(f, scr, r0, n, wall, cost, bd);
}

void sim_mc_fast_tile(const sim_mc_fast *f, double *scratch, uint64_t r0, size_t n, double *const *wall,
                      double *const *cost, model_breakdown *bd)
{
#if defined(__x86_64__) && defined(__GNUC__)
    if (sim_rand_isa() >= 1) {
        tile_avx2(f, scratch, r0, n, wall, cost, bd);
        return;
    }
#endif
    tile_base(f, scratch, r0, n, wall, cost, bd);
}

/* ---- the plan ---------------------------------------------------------------------- */

static int law_ok(const model_dist *d)
{
    return d->kind == MODEL_DIST_FIXED || d->kind == MODEL_DIST_LOGNORMAL;
}

/* What sim_job fixes for this scenario besides the starts: no rounding of
 * the bill, a fixed and unbilled concat (its draws would come from a GSL
 * stream), starts this file draws. The self-check below has the last word. */
static int applies(const model_scenario *s, sim_job *const *jobs, const int *ks, int njobs, uint64_t R)
{
    if (R >= SIM_RAND_R_MAX || s->bill_granularity_s > 0 || s->bill_minimum_s > 0 || !law_ok(&s->cold_start) ||
        (s->min_containers > 0 && !law_ok(&s->warm_start)))
        return 0;
    int chunked = 0;
    for (int j = 0; j < njobs; j++) {
        /* starts-only: the direct path, one chunk per container */
        if (!sim_job_starts_only(jobs[j]) || (j > 0 && ks[j] <= ks[j - 1]) || ks[j] < 1 ||
            (uint64_t)ks[j] >= SIM_RAND_SLOT_MAX || sim_job_chunks(jobs[j]) != (ks[j] > 1 ? ks[j] : 1))
            return 0;
        chunked |= sim_job_chunks(jobs[j]) > 1;
    }
    return !chunked || (model_dist_is_fixed(&s->concat) && model_dist_is_fixed(&s->concat_per_chunk) &&
                        s->concat_billed == MODEL_BILL_NONE);
}

static int same_bd(const model_breakdown *a, const model_breakdown *b)
{
    return a->start == b->start && a->request == b->request && a->download == b->download &&
           a->ffmpeg_start == b->ffmpeg_start && a->seek == b->seek && a->process == b->process &&
           a->upload == b->upload && a->concat == b->concat;
}

/* Container i's phases and rest in job J: the breakdown of a run where it
 * alone can be critical (every other start PROBE_LOW). */
static int probe(fjob *J, sim_job_ws *ws, gsl_rng *rng, double *st, char *err, size_t errsz)
{
    for (int i = 0; i < J->k; i++) {
        for (int c = 0; c < J->k; c++)
            st[c] = c == i ? 0 : PROBE_LOW;
        sim_job_result res;
        int rc = sim_job_run_starts(J->job, ws, st, rng, NULL, NULL, &res, err, errsz);
        if (rc)
            return rc;
        const model_breakdown *b = &res.bd;
        J->ph[i] = *b;
        J->rest[i] = b->request + b->download + b->ffmpeg_start + b->seek + b->process + b->upload;
        J->concat = b->concat;
    }
    J->restsum = 0;
    for (int i = 0; i < J->k; i++)
        J->restsum += J->rest[i];
    J->ng = 0;
    for (int i = 0; i < J->k; i++)
        if (i == 0 || !same_bd(&J->ph[i], &J->ph[i - 1]))
            J->from[J->ng++] = i;
    J->from[J->ng] = J->k;
    return BASE_OK;
}

/* The first CHECK_REPS replications by this kernel and by sim_job_run_starts
 * on the same starts: 1 when every wall, cost and phase agrees exactly. */
static int agrees(const sim_mc_fast *f, double *scr, double *buf, sim_job_ws *ws, gsl_rng *rng, double *st,
                  char *err, size_t errsz, int *rc)
{
    const size_t tile = f->tile, n = CHECK_REPS < tile ? CHECK_REPS : tile;
    double *wall = buf, *cost = buf + tile, *sel = scr + (size_t)f->kmax * tile, *arg = sel + tile;
    double *W = arg + tile, *C = W + tile;
    for (int i = 0; i < f->kmax; i++)
        draw_row(f, i, 0, n, scr + (size_t)i * tile);
    memset(W, 0, n * sizeof *W);
    memset(C, 0, n * sizeof *C);
    int upto = 0;
    for (int j = 0; j < f->njobs; j++) {
        const fjob *J = &f->jobs[j];
        job_max(J, scr, tile, n, wall, sel, arg);
        sums(f, scr, tile, n, upto, J->k, W, C);
        upto = J->k;
        bill(f, J, W, C, n, cost);
        for (size_t t = 0; t < n; t++) {
            for (int i = 0; i < J->k; i++)
                st[i] = scr[(size_t)i * tile + t];
            sim_job_result res;
            if ((*rc = sim_job_run_starts(J->job, ws, st, rng, NULL, NULL, &res, err, errsz)))
                return 0;
            model_breakdown b = J->ph[J->from[(int)arg[t]]];
            b.start = sel[t];
            if (res.wall != wall[t] || res.cost != cost[t] || !same_bd(&b, &res.bd))
                return 0;
        }
    }
    return 1;
}

int sim_mc_fast_new(const model_scenario *s, sim_job *const *jobs, const int *ks, int njobs, uint64_t seed,
                    uint64_t R, sim_mc_fast **out, char *err, size_t errsz)
{
    *out = NULL;
    if (njobs < 1 || !applies(s, jobs, ks, njobs, R))
        return BASE_OK;
    int rc = BASE_OK, kmax = ks[njobs - 1];
    sim_mc_fast *f = calloc(1, sizeof *f);
    sim_job_ws *ws = sim_job_ws_new();
    gsl_rng *rng = gsl_rng_alloc(sim_mc_rng_type());
    double *st = NULL, *scr = NULL, *buf = NULL;
    if (!f || !ws || !rng || !(f->jobs = calloc((size_t)njobs, sizeof *f->jobs)))
        goto oom;
    f->njobs = njobs;
    f->kmax = kmax;
    f->minc = s->min_containers;
    f->bill_cold = s->bill_includes_cold_start;
    f->rate = model_scenario_rate(s);
    f->warm = s->warm_start;
    f->cold = s->cold_start;
    sim_rand_init(&f->g, seed);
    size_t tile = (size_t)(4096 / kmax) & ~(size_t)7;
    f->tile = tile < 8 ? 8 : tile > 128 ? 128 : tile;
    if (!(st = malloc((size_t)kmax * sizeof *st)) || !(scr = malloc(sim_mc_fast_scratch_len(f) * sizeof *scr)) ||
        !(buf = malloc(2 * f->tile * sizeof *buf)))
        goto oom;
    gsl_rng_set(rng, 1);
    for (int j = 0; j < njobs; j++) {
        fjob *J = &f->jobs[j];
        J->job = jobs[j];
        J->k = ks[j];
        if (!(J->rest = malloc((size_t)J->k * sizeof *J->rest)) ||
            !(J->ph = malloc((size_t)J->k * sizeof *J->ph)) ||
            !(J->from = malloc(((size_t)J->k + 1) * sizeof *J->from)))
            goto oom;
        if ((rc = probe(J, ws, rng, st, err, errsz)))
            goto cleanup;
    }
    if (agrees(f, scr, buf, ws, rng, st, err, errsz, &rc) && !rc) {
        *out = f;
        f = NULL;
    }
    goto cleanup;
oom:
    rc = base_errf(err, errsz, BASE_ERUNTIME, "out of memory");
cleanup:
    sim_mc_fast_free(f);
    sim_job_ws_free(ws);
    if (rng)
        gsl_rng_free(rng);
    free(st);
    free(scr);
    free(buf);
    return rc;
}

/* plots/sweep.c -- grids of closed-form predictions, with a fast path for
 * fixed per-frame costs (see plots/plot.h). */
#include "plots/plot.h"
#include "model/predict.h"
#include "model/rv.h"
#include "model/status.h"
#include "sim/mc.h"

#include <assert.h>
#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- tabulated overhead CDFs ------------------------------------------ */

#define BODY_POINTS 4096   /* uniform table over [lo, q(1 - BODY_TAIL)] */
#define TAIL_POINTS 1024   /* uniform table over [q(1 - BODY_TAIL), hi] */
#define BODY_TAIL 1e-7
#define MAXCLASS 6
/* QAG's relative tolerance: smooth tables vs CDFs with kinks (grids,
 * empirical and uniform parts), where Gauss-Kronrod error estimates are
 * optimistic and a looser tolerance stops early (tests/test_sweep.c). */
#define EPSREL_SMOOTH 1e-7
#define EPSREL_KINKS 1e-9

typedef enum { TAB_POINT, TAB_TABLE, TAB_RV } tab_kind;

/* CDF of one overhead sum. POINT: a step at lo. RV: the model_rv's own CDF
 * (a GRID is already a cheap interpolation). TABLE: two uniform tables,
 * linear between nodes, for a DIST whose exact CDF costs a log and an erfc. */
typedef struct {
    tab_kind kind;
    int kinks;                     /* CDF not smooth inside its support */
    model_rv rv;                   /* owned */
    double lo, hi, mean, var;
    double x1, h1, h2;             /* body [lo, x1] step h1, tail [x1, hi] step h2 */
    double body[BODY_POINTS], tail[TAIL_POINTS];
} otab;

static double tab_cdf(const otab *t, double x)
{
    if (x < t->lo)
        return 0;
    if (x >= t->hi)
        return 1;
    switch (t->kind) {
    case TAB_POINT: return 1;
    case TAB_RV: return model_rv_cdf(&t->rv, x);
    case TAB_TABLE: break;
    }
    const double *v = t->body;
    double u = (x - t->lo) / t->h1;
    int n = BODY_POINTS;
    if (x >= t->x1) {
        v = t->tail;
        u = (x - t->x1) / t->h2;
        n = TAIL_POINTS;
    }
    int i = (int)u;
    if (i >= n - 1)
        return v[n - 1];
    double f = u - i;
    return v[i] + f * (v[i + 1] - v[i]);
}

static int tab_build(otab *t, const model_rv_part *parts, int nparts, char *err, size_t errsz)
{
    int rc = model_rv_build(&t->rv, parts, nparts, 0, err, errsz);
    if (rc)
        return rc;
    for (int i = 0; i < nparts; i++)
        if (!model_dist_is_fixed(&parts[i].d) &&
            (parts[i].d.kind == MODEL_DIST_EMPIRICAL || parts[i].d.kind == MODEL_DIST_UNIFORM))
            t->kinks = 1;
    if (t->rv.kind == MODEL_RV_GRID_KIND)
        t->kinks = 1;
    t->lo = t->rv.lo;
    t->hi = t->rv.hi;
    t->mean = t->rv.mean;
    t->var = t->rv.var;
    if (t->rv.kind == MODEL_RV_POINT) {
        t->kind = TAB_POINT;
        return MODEL_OK;
    }
    if (t->rv.kind == MODEL_RV_GRID_KIND || !(t->hi > t->lo)) {
        t->kind = TAB_RV;
        return MODEL_OK;
    }
    t->kind = TAB_TABLE;
    t->x1 = fmin(model_rv_quantile(&t->rv, 1 - BODY_TAIL), t->hi);
    if (!(t->x1 > t->lo))
        t->x1 = t->hi;
    t->h1 = (t->x1 - t->lo) / (BODY_POINTS - 1);
    t->h2 = (t->hi - t->x1) / (TAIL_POINTS - 1);
    for (int i = 0; i < BODY_POINTS; i++)
        t->body[i] = model_rv_cdf(&t->rv, t->lo + i * t->h1);
    for (int i = 0; i < TAIL_POINTS; i++)
        t->tail[i] = t->h2 > 0 ? model_rv_cdf(&t->rv, t->x1 + i * t->h2) : 1;
    t->tail[TAIL_POINTS - 1] = 1;
    return MODEL_OK;
}

/* ---- the prep ------------------------------------------------------------ */

struct plot_sweep_prep {
    otab over[2][2];               /* [warm][seek]: start + request + ffmpeg_start (+ seek) */
    otab nostart[2];               /* [seek]: the same without the start */
    int min_containers, includes_cold;
    double dl, output_up;          /* download time; output_mb / upload_mb_s (0 without bandwidth) */
    double rate, concat_rate, g, mn;
    const model_scenario *s;       /* borrowed: concat for GPU counts outside s->gpus */
    int nk;
    int ks[MODEL_MAX_GPU_LIST];
    double concat_mean[MODEL_MAX_GPU_LIST], concat_cost[MODEL_MAX_GPU_LIST];
};

static double point_cdf(double t, const void *ctx)
{
    return t >= *(const double *)ctx ? 1.0 : 0.0;
}

static double rv_cdf_fn(double t, const void *ctx)
{
    return model_rv_cdf(ctx, t);
}

/* E[concat] and its expected billing for k chunks (model/predict.c). */
static int concat_moments(const plot_sweep_prep *p, int k, double *mean, double *cost, char *err,
                          size_t errsz)
{
    model_rv c;
    model_rv_part parts[2] = {{p->s->concat, 1}, {p->s->concat_per_chunk, k}};
    int rc = model_rv_build(&c, parts, 2, 0, err, errsz);
    if (rc)
        return rc;
    *mean = c.mean;
    *cost = 0;
    if (p->s->concat_billed != MODEL_BILL_NONE) {
        double e1, e2;
        if (c.kind == MODEL_RV_POINT)
            model_billed_moments(point_cdf, &c.offset, c.lo, c.hi, c.mean, 0, p->g, p->mn, &e1, &e2);
        else
            model_billed_moments(rv_cdf_fn, &c, c.lo, c.hi, c.mean, c.var, p->g, p->mn, &e1, &e2);
        *cost = e1 * p->concat_rate;
    }
    model_rv_free(&c);
    return MODEL_OK;
}

int plot_sweep_prep_new(const model_scenario *s, plot_sweep_prep **out, char *err, size_t errsz)
{
    int rc = MODEL_OK;
    plot_sweep_prep *p = calloc(1, sizeof *p);
    if (!p)
        return model_errf(err, errsz, MODEL_ERUNTIME, "out of memory");
    gsl_set_error_handler_off();
    p->s = s;
    for (int warm = 0; warm < 2; warm++)
        for (int seek = 0; seek < 2; seek++) {
            model_rv_part parts[4] = {
                {warm ? s->warm_start : s->cold_start, 1},
                {s->request, 1},
                {s->ffmpeg_start, 1},
                {s->seek, 1},
            };
            if ((rc = tab_build(&p->over[warm][seek], parts, seek ? 4 : 3, err, errsz)))
                goto cleanup;
            if (warm == 0 && (rc = tab_build(&p->nostart[seek], parts + 1, seek ? 3 : 2, err, errsz)))
                goto cleanup;
        }
    p->min_containers = s->min_containers;
    p->includes_cold = s->bill_includes_cold_start;
    p->dl = s->download_mb_s > 0 ? s->input_mb / s->download_mb_s : 0;
    p->output_up = s->upload_mb_s > 0 ? s->output_mb / s->upload_mb_s : 0;
    p->rate = model_scenario_rate(s);
    p->concat_rate = s->concat_billed == MODEL_BILL_GPU ? p->rate
                                                        : s->cores * s->cpu_per_core_s + s->mem_gib * s->mem_per_gib_s;
    p->g = s->bill_granularity_s;
    p->mn = s->bill_minimum_s;
    for (int i = 0; i < s->ngpus; i++) {
        if ((rc = concat_moments(p, s->gpus[i], &p->concat_mean[i], &p->concat_cost[i], err, errsz)))
            goto cleanup;
        p->ks[p->nk++] = s->gpus[i];
    }
    *out = p;
    return MODEL_OK;
cleanup:
    plot_sweep_prep_free(p);
    return rc;
}

void plot_sweep_prep_free(plot_sweep_prep *p)
{
    if (!p)
        return;
    for (int w = 0; w < 2; w++)
        for (int k = 0; k < 2; k++)
            model_rv_free(&p->over[w][k].rv);
    model_rv_free(&p->nostart[0].rv);
    model_rv_free(&p->nostart[1].rv);
    free(p);
}

/* ---- one (frames, per-frame, k) ------------------------------------------ */

typedef struct {
    const otab *t[MAXCLASS];
    double shift[MAXCLASS];
    int count[MAXCLASS];
    int n;
} maxjob;

static double ipow(double x, int m)
{
    double r = 1;
    for (; m; m >>= 1, x *= x)
        if (m & 1)
            r *= x;
    return r;
}

static double one_minus_max_cdf(double t, void *ctx)
{
    const maxjob *j = ctx;
    double g = 1;
    for (int i = 0; i < j->n; i++) {
        double f = tab_cdf(j->t[i], t - j->shift[i]);
        if (f <= 0)
            return 1;
        g *= j->count[i] == 1 ? f : ipow(f, j->count[i]);
    }
    return 1 - g;
}

typedef struct {
    const otab *t;
    double shift;
} shifted;

static double shifted_cdf(double x, const void *ctx)
{
    const shifted *s = ctx;
    return tab_cdf(s->t, x - s->shift);
}

void plot_sweep_means(const plot_sweep_prep *p, gsl_integration_workspace *ws, double frames,
                      double per_frame_s, int k, double *wall_mean, double *cost_mean)
{
    assert(k >= 1 && frames > 0 && per_frame_s >= 0);
    /* Split and classes exactly as model_predict_k. */
    double base = frames / k;
    long extra = 0;
    if (floor(frames) == frames && frames < 9e15) {
        long n = (long)frames;
        base = (double)(n / k);
        extra = n % k;
    }
    int minc = p->min_containers < k ? p->min_containers : k;
    double up_per_frame = p->output_up / frames;
    int cuts[5] = {0, 1, minc, (int)extra, k};
    for (int a = 1; a < 5; a++)
        for (int b = a; b > 0 && cuts[b - 1] > cuts[b]; b--) {
            int t = cuts[b];
            cuts[b] = cuts[b - 1];
            cuts[b - 1] = t;
        }
    maxjob j = {.n = 0};
    double lo = -INFINITY, hi = -INFINITY, cost = 0, eps = EPSREL_SMOOTH;
    for (int a = 0; a < 4; a++) {
        int from = cuts[a], to = cuts[a + 1] > k ? k : cuts[a + 1];
        if (to <= from)
            continue;
        int warm = from < minc, seek = from > 0;
        double n = base + (from < extra ? 1 : 0);
        double shift = n * per_frame_s + p->dl + up_per_frame * n;
        const otab *t = &p->over[warm][seek];
        j.t[j.n] = t;
        j.shift[j.n] = shift;
        j.count[j.n] = to - from;
        j.n++;
        if (t->kinks)
            eps = EPSREL_KINKS;
        lo = fmax(lo, t->lo + shift);
        hi = fmax(hi, t->hi + shift);
        /* Billing of this class. */
        const otab *b = (!warm && !p->includes_cold) ? &p->nostart[seek] : t;
        double e1 = b->mean + shift, e2;
        if (p->g > 0 || p->mn > b->lo + shift) {
            shifted sc = {b, shift};
            model_billed_moments(shifted_cdf, &sc, b->lo + shift, b->hi + shift, b->mean + shift, b->var,
                                 p->g, p->mn, &e1, &e2);
        }
        cost += (to - from) * e1 * p->rate;
    }
    double emax;
    if (j.n == 1 && j.count[0] == 1)
        emax = j.t[0]->mean + j.shift[0];
    else if (!(hi > lo))
        emax = lo;
    else {
        gsl_function fn = {one_minus_max_cdf, &j};
        double r = 0, e = 0;
        gsl_integration_qag(&fn, lo, hi, 1e-12 * (hi - lo), eps, PLOT_SWEEP_WS_LIMIT, GSL_INTEG_GAUSS21,
                            ws, &r, &e);
        emax = lo + r;
    }
    /* Concat: cached for the scenario's GPU counts. */
    double cm = 0, cc = 0;
    if (k > 1) {
        int hit = 0;
        for (int i = 0; i < p->nk && !hit; i++)
            if (p->ks[i] == k) {
                cm = p->concat_mean[i];
                cc = p->concat_cost[i];
                hit = 1;
            }
        if (!hit && concat_moments(p, k, &cm, &cc, NULL, 0))
            cm = cc = NAN; /* out of memory */
    }
    *wall_mean = emax + cm;
    *cost_mean = cost + cc;
}

/* ---- the grid ------------------------------------------------------------- */

int plot_logspace(double lo, double hi, int n, int integer, double *out)
{
    assert(n >= 1 && lo > 0 && hi >= lo);
    int m = 0;
    for (int i = 0; i < n; i++) {
        double v = n == 1 ? lo : exp(log(lo) + (log(hi) - log(lo)) * i / (n - 1));
        if (i == n - 1)
            v = hi;
        if (integer)
            v = round(v);
        if (m > 0 && integer && v <= out[m - 1])
            continue;
        out[m++] = v;
    }
    return m;
}

typedef struct {
    const model_scenario *s;
    const plot_sweep_spec *spec;
    plot_sweep *sw;
    const plot_sweep_prep *fast;        /* NULL: model_predict_k */
    gsl_integration_workspace **ws;     /* [thread] */
    model_prep **prep;                  /* [thread], slow path */
    model_eval **eval;                  /* [thread] */
} runctx;

static int point_means(runctx *c, unsigned th, double frames, double pf, int k, double *wall, double *cost,
                       char *err, size_t errsz)
{
    if (c->fast) {
        plot_sweep_means(c->fast, c->ws[th], frames, pf, k, wall, cost);
        if (!isfinite(*wall) || !isfinite(*cost))
            return model_errf(err, errsz, MODEL_ERUNTIME, "sweep: no finite prediction at %g frames, k = %d",
                              frames, k);
        return MODEL_OK;
    }
    model_kresult r;
    int rc = model_predict_k(c->prep[th], frames, k, &r, err, errsz);
    *wall = r.wall_mean;
    *cost = r.cost_mean;
    return rc;
}

/* One row of the grid: every per-frame cost and GPU count at frames[r]. */
static int sweep_row(const sim_mc_rep *rep, void *ctx)
{
    runctx *c = ctx;
    plot_sweep *sw = c->sw;
    model_eval *e = c->eval[rep->thread];
    unsigned th = rep->thread;
    int i = (int)rep->r, rc;
    double frames = sw->frames[i];
    for (int jj = 0; jj < sw->nper; jj++) {
        size_t pt = (size_t)i * sw->nper + jj;
        double pf = sw->per_frame[jj], w1, c1;
        if ((rc = point_means(c, th, frames, pf, 1, &w1, &c1, rep->err, rep->errsz)))
            return rc;
        e->nk = sw->ngpus;
        e->frames = (long)frames;
        e->base = (model_kresult){.gpus = 1, .wall_mean = w1, .cost_mean = c1};
        for (int g = 0; g < sw->ngpus; g++) {
            model_kresult *r = &e->k[g];
            *r = (model_kresult){.gpus = sw->gpus[g]};
            if (sw->gpus[g] == 1) {
                r->wall_mean = w1;
                r->cost_mean = c1;
            } else if ((rc = point_means(c, th, frames, pf, sw->gpus[g], &r->wall_mean, &r->cost_mean, rep->err,
                                         rep->errsz)))
                return rc;
        }
        model_decide(c->s, &c->spec->opts, e);
        sw->base_wall[pt] = w1;
        sw->base_cost[pt] = c1;
        sw->best_gpus[pt] = e->best_gpus;
        double best = -INFINITY;
        for (int g = 0; g < sw->ngpus; g++) {
            const model_kresult *r = &e->k[g];
            plot_sweep_cell *cell = &sw->cells[pt * sw->ngpus + g];
            cell->gpus = r->gpus;
            cell->wall_mean = r->wall_mean;
            cell->cost_mean = r->cost_mean;
            cell->speedup = r->speedup;
            cell->cost_ratio = r->cost_ratio;
            cell->beneficial = r->beneficial;
            double a = r->speedup - c->s->min_speedup, b = 1 + c->s->max_cost_increase - r->cost_ratio;
            cell->margin = a < b ? a : b;
            if (r->gpus > 1 && cell->margin > best)
                best = cell->margin;
        }
        sw->best_margin[pt] = best;
    }
    return MODEL_OK;
}

void plot_sweep_free(plot_sweep *sw)
{
    if (!sw)
        return;
    free(sw->frames);
    free(sw->per_frame);
    free(sw->base_wall);
    free(sw->base_cost);
    free(sw->cells);
    free(sw->best_gpus);
    free(sw->best_margin);
    free(sw);
}

int plot_sweep_run(const model_scenario *s, const plot_sweep_spec *spec, plot_sweep **out, char *err,
                   size_t errsz)
{
    int rc = MODEL_OK;
    plot_sweep *sw = NULL;
    plot_sweep_prep *fast = NULL;
    runctx c = {s, spec, NULL, NULL, NULL, NULL, NULL};
    unsigned threads = 0;
    *out = NULL;
    if (!(spec->frames_lo >= 1 && spec->frames_hi >= spec->frames_lo && spec->frames_hi <= MODEL_MAX_FRAMES))
        return model_errf(err, errsz, MODEL_EINPUT, "--frames: need 1 <= A <= B <= %ld (got %g..%g)",
                          MODEL_MAX_FRAMES, spec->frames_lo, spec->frames_hi);
    if (spec->frames_points < 1 || spec->frames_points > PLOT_SWEEP_MAX_POINTS ||
        spec->per_frame_points < 0 || spec->per_frame_points > PLOT_SWEEP_MAX_POINTS)
        return model_errf(err, errsz, MODEL_EINPUT, "--points: must be between 1 and %d",
                          PLOT_SWEEP_MAX_POINTS);
    if (spec->per_frame_points > 0 && !(spec->per_frame_lo > 0 && spec->per_frame_hi >= spec->per_frame_lo))
        return model_errf(err, errsz, MODEL_EINPUT, "--per-frame: need 0 < A <= B (got %g..%g)",
                          spec->per_frame_lo, spec->per_frame_hi);
    if (s->ngpus < 1)
        return model_errf(err, errsz, MODEL_EINPUT, "%s: parallel.gpus: empty", s->file);
    sw = calloc(1, sizeof *sw);
    if (!sw)
        return model_errf(err, errsz, MODEL_ERUNTIME, "out of memory");
    sw->ngpus = s->ngpus;
    memcpy(sw->gpus, s->gpus, sizeof sw->gpus);
    sw->per_frame_swept = spec->per_frame_points > 0;
    sw->frames = malloc((size_t)spec->frames_points * sizeof *sw->frames);
    sw->per_frame = malloc((size_t)(spec->per_frame_points > 0 ? spec->per_frame_points : 1) * sizeof *sw->per_frame);
    if (!sw->frames || !sw->per_frame)
        goto oom;
    sw->nframes = plot_logspace(spec->frames_lo, spec->frames_hi, spec->frames_points, 1, sw->frames);
    if (sw->per_frame_swept)
        sw->nper = plot_logspace(spec->per_frame_lo, spec->per_frame_hi, spec->per_frame_points, 0, sw->per_frame);
    else {
        sw->nper = 1;
        sw->per_frame[0] = model_dist_mean(&s->per_frame);
    }
    size_t npt = (size_t)sw->nframes * sw->nper;
    sw->base_wall = malloc(npt * sizeof *sw->base_wall);
    sw->base_cost = malloc(npt * sizeof *sw->base_cost);
    sw->best_gpus = malloc(npt * sizeof *sw->best_gpus);
    sw->best_margin = malloc(npt * sizeof *sw->best_margin);
    sw->cells = malloc(npt * sw->ngpus * sizeof *sw->cells);
    if (!sw->base_wall || !sw->base_cost || !sw->best_gpus || !sw->best_margin || !sw->cells)
        goto oom;

    threads = spec->threads ? spec->threads : sim_mc_threads_default();
    if (threads > (unsigned)sw->nframes)
        threads = (unsigned)sw->nframes;
    c.sw = sw;
    c.ws = calloc(threads, sizeof *c.ws);
    c.prep = calloc(threads, sizeof *c.prep);
    c.eval = calloc(threads, sizeof *c.eval);
    if (!c.ws || !c.prep || !c.eval)
        goto oom;
    if (sw->per_frame_swept || model_dist_is_fixed(&s->per_frame)) {
        if ((rc = plot_sweep_prep_new(s, &fast, err, errsz)))
            goto cleanup;
        c.fast = fast;
        if (!sw->per_frame_swept)
            sw->per_frame[0] = model_dist_mean(&s->per_frame);
    }
    for (unsigned t = 0; t < threads; t++) {
        if (!(c.eval[t] = calloc(1, sizeof **c.eval)))
            goto oom;
        if (fast && !(c.ws[t] = gsl_integration_workspace_alloc(PLOT_SWEEP_WS_LIMIT)))
            goto oom;
        if (!fast && (rc = model_prep_new(s, &c.prep[t], err, errsz)))
            goto cleanup;
    }
    sim_mc_job job = {.replications = (uint64_t)sw->nframes, .threads = threads, .seed = 1,
                      .fn = sweep_row, .ctx = &c};
    if ((rc = sim_mc_run(&job, err, errsz)))
        goto cleanup;
    *out = sw;
    sw = NULL;
    goto cleanup;
oom:
    rc = model_errf(err, errsz, MODEL_ERUNTIME, "sweep: out of memory");
cleanup:
    for (unsigned t = 0; t < threads; t++) {
        if (c.ws && c.ws[t])
            gsl_integration_workspace_free(c.ws[t]);
        if (c.prep)
            model_prep_free(c.prep[t]);
        if (c.eval)
            free(c.eval[t]);
    }
    free(c.ws);
    free(c.prep);
    free(c.eval);
    plot_sweep_prep_free(fast);
    plot_sweep_free(sw);
    return rc;
}

int plot_sweep_csv(const plot_sweep *sw, FILE *f)
{
    fprintf(f, "frames,per_frame_s,gpus,wall_mean_s,cost_mean_usd,speedup,cost_ratio,beneficial,best_gpus\n");
    for (int i = 0; i < sw->nframes; i++)
        for (int jj = 0; jj < sw->nper; jj++) {
            size_t pt = (size_t)i * sw->nper + jj;
            for (int g = 0; g < sw->ngpus; g++) {
                const plot_sweep_cell *c = &sw->cells[pt * sw->ngpus + g];
                fprintf(f, "%.0f,%.9g,%d,%.9g,%.9g,%.9g,%.9g,%d,%d\n", sw->frames[i], sw->per_frame[jj], c->gpus,
                        c->wall_mean, c->cost_mean, c->speedup, c->cost_ratio, c->beneficial, sw->best_gpus[pt]);
            }
        }
    return ferror(f) ? MODEL_ERUNTIME : MODEL_OK;
}

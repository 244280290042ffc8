/* plots/sweep.c -- grids of closed-form predictions. See sweep.h. */
#include "plots/sweep.h"
#include "model/predict.h"
#include "model/rv.h"
#include "base/status.h"
#include "sim/mc.h"

#include <assert.h>
#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

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
    model_scenario *scen;               /* [thread]: views of s, per-frame cost set per point */
    model_prep **prep;                  /* [thread], borrowing scen[thread] */
    model_eval **eval;                  /* [thread] */
} runctx;

static int point_means(runctx *c, unsigned th, double frames, double pf, int k, double *wall, double *cost,
                       char *err, size_t errsz)
{
    if (c->sw->per_frame_swept)
        c->scen[th].per_frame = model_dist_fixed(pf);
    int rc = model_predict_means(c->prep[th], frames, k, wall, cost, err, errsz);
    if (!rc && (!isfinite(*wall) || !isfinite(*cost)))
        return base_errf(err, errsz, BASE_ERUNTIME, "sweep: no finite prediction at %g frames, k = %d", frames, k);
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
    return BASE_OK;
}

int plot_sweep_check(const model_scenario *s, const plot_sweep *sw, char *err, size_t errsz)
{
    double rate = model_scenario_rate(s);
    for (int i = 0; i < sw->nframes; i++)
        for (int jj = 0; jj < sw->nper; jj++) {
            size_t pt = (size_t)i * sw->nper + jj;
            int priced = rate > 0 && sw->frames[i] * sw->per_frame[jj] >= 1e-9;
            for (int g = 0; g < sw->ngpus; g++) {
                const plot_sweep_cell *c = &sw->cells[pt * sw->ngpus + g];
                const char *what = NULL;
                double v = 0;
                if (!isfinite(c->wall_mean) || c->wall_mean < 0)
                    what = "wall_mean_s", v = c->wall_mean;
                else if (!isfinite(c->cost_mean) || c->cost_mean < 0 || (priced && !(c->cost_mean > 0)))
                    what = "cost_mean_usd", v = c->cost_mean;
                else if (!isfinite(c->speedup) || !(c->speedup > 0))
                    what = "speedup", v = c->speedup;
                else if (!isfinite(c->cost_ratio) || c->cost_ratio < 0)
                    what = "cost_ratio", v = c->cost_ratio;
                if (what)
                    return base_errf(err, errsz, BASE_ERUNTIME,
                                     "sweep: %.0f frames, %g s/frame, %d GPU%s: %s is %g (a bug, not an input error: "
                                     "please report it with the scenario)", sw->frames[i], sw->per_frame[jj], c->gpus,
                                     c->gpus == 1 ? "" : "s", what, v);
            }
        }
    return BASE_OK;
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
    int rc = BASE_OK;
    plot_sweep *sw = NULL;
    runctx c = {s, spec, NULL, NULL, NULL, NULL};
    unsigned threads = 0;
    *out = NULL;
    if (!(spec->frames_lo >= 1 && spec->frames_hi >= spec->frames_lo && spec->frames_hi <= MODEL_MAX_FRAMES))
        return base_errf(err, errsz, BASE_EINPUT, "--frames: need 1 <= A <= B <= %ld (got %g..%g)",
                          MODEL_MAX_FRAMES, spec->frames_lo, spec->frames_hi);
    if (spec->frames_points < 1 || spec->frames_points > PLOT_SWEEP_MAX_POINTS ||
        spec->per_frame_points < 0 || spec->per_frame_points > PLOT_SWEEP_MAX_POINTS)
        return base_errf(err, errsz, BASE_EINPUT, "--points: must be between 1 and %d",
                          PLOT_SWEEP_MAX_POINTS);
    if (spec->per_frame_points > 0 && !(spec->per_frame_lo > 0 && spec->per_frame_hi >= spec->per_frame_lo))
        return base_errf(err, errsz, BASE_EINPUT, "--per-frame: need 0 < A <= B (got %g..%g)",
                          spec->per_frame_lo, spec->per_frame_hi);
    if (s->ngpus < 1)
        return base_errf(err, errsz, BASE_EINPUT, "%s: parallel.gpus: empty", s->file);
    sw = calloc(1, sizeof *sw);
    if (!sw)
        return base_errf(err, errsz, BASE_ERUNTIME, "out of memory");
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
    c.scen = calloc(threads, sizeof *c.scen);
    c.prep = calloc(threads, sizeof *c.prep);
    c.eval = calloc(threads, sizeof *c.eval);
    if (!c.scen || !c.prep || !c.eval)
        goto oom;
    for (unsigned t = 0; t < threads; t++) {
        c.scen[t] = *s; /* a borrowed view: s owns any empirical samples */
        if (!(c.eval[t] = calloc(1, sizeof **c.eval)))
            goto oom;
        if ((rc = model_prep_new(&c.scen[t], &c.prep[t], err, errsz)))
            goto cleanup;
    }
    sim_mc_job job = {.replications = (uint64_t)sw->nframes, .threads = threads, .seed = 1,
                      .fn = sweep_row, .ctx = &c};
    if ((rc = sim_mc_run(&job, err, errsz)) || (rc = plot_sweep_check(s, sw, err, errsz)))
        goto cleanup;
    *out = sw;
    sw = NULL;
    goto cleanup;
oom:
    rc = base_errf(err, errsz, BASE_ERUNTIME, "sweep: out of memory");
cleanup:
    for (unsigned t = 0; t < threads; t++) {
        if (c.prep)
            model_prep_free(c.prep[t]);
        if (c.eval)
            free(c.eval[t]);
    }
    free(c.scen);
    free(c.prep);
    free(c.eval);
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
    return ferror(f) ? BASE_ERUNTIME : BASE_OK;
}

cJSON *plot_sweep_json(const model_scenario *s, const plot_sweep *sw)
{
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "scenario", s->name);
    cJSON_AddStringToObject(root, "method", "model");
    cJSON_AddItemToObject(root, "gpus", cJSON_CreateIntArray(sw->gpus, sw->ngpus));
    cJSON_AddNumberToObject(root, "min_speedup", s->min_speedup);
    cJSON_AddNumberToObject(root, "max_cost_increase", s->max_cost_increase);
    cJSON *pts = cJSON_AddArrayToObject(root, "points");
    for (int i = 0; i < sw->nframes; i++)
        for (int j = 0; j < sw->nper; j++) {
            size_t pt = (size_t)i * sw->nper + j;
            cJSON *p = cJSON_CreateObject();
            cJSON_AddNumberToObject(p, "frames", sw->frames[i]);
            cJSON_AddNumberToObject(p, "per_frame_s", sw->per_frame[j]);
            cJSON_AddNumberToObject(p, "best_gpus", sw->best_gpus[pt]);
            cJSON *res = cJSON_AddArrayToObject(p, "results");
            for (int g = 0; g < sw->ngpus; g++) {
                const plot_sweep_cell *c = &sw->cells[pt * sw->ngpus + g];
                cJSON *r = cJSON_CreateObject();
                cJSON_AddNumberToObject(r, "gpus", c->gpus);
                cJSON_AddNumberToObject(r, "wall_s", c->wall_mean);
                cJSON_AddNumberToObject(r, "cost_usd", c->cost_mean);
                cJSON_AddNumberToObject(r, "speedup", c->speedup);
                cJSON_AddNumberToObject(r, "cost_ratio", c->cost_ratio);
                cJSON_AddBoolToObject(r, "beneficial", c->beneficial);
                cJSON_AddItemToArray(res, r);
            }
            cJSON_AddItemToArray(pts, p);
        }
    return root;
}

/* plots/chart_model.c -- the charts of the closed form: speedup, frames,
 * map and breakdown. See chart.h and chart_csv.h. */
#include "plots/chart_csv.h"
#include "base/csv.h"
#include "plots/sweep.h"
#include "plots/experiments.h"
#include "plots/labels.h"
#include "model/predict.h"
#include "base/status.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static double decade_floor(double x) { return pow(10, floor(log10(x) + 1e-9)); }
static double decade_ceil(double x) { return pow(10, ceil(log10(x) - 1e-9)); }

/* Frame-count axis: the given range, or 10..10^6 widened to decades that
 * hold the scenario's frames and every finite break-even (x2). */
static void frames_axis(const model_scenario *s, const plot_opts *o, const model_eval *e, double *lo, double *hi)
{
    if (o->frames_lo > 0) {
        *lo = o->frames_lo;
        *hi = o->frames_hi;
        return;
    }
    *lo = fmin(10, decade_floor((double)s->frames));
    *hi = fmax(1e6, decade_ceil((double)s->frames * 2));
    for (int i = 0; e && i < e->nk; i++)
        if (e->break_even[i] > 0)
            *hi = fmax(*hi, decade_ceil((double)e->break_even[i] * 2));
    if (*hi > MODEL_MAX_FRAMES)
        *hi = MODEL_MAX_FRAMES;
}

static int eval_scenario(const model_scenario *s, const plot_opts *o, int break_even, model_eval *e, char *err,
                         size_t errsz)
{
    model_opts mo = o->opts;
    mo.skip_break_even = !break_even;
    int rc = model_evaluate(s, &mo, e, err, errsz);
    return rc ? rc : model_eval_check(s, e, err, errsz);
}

/* speedup: k = 1..K (K = max(32, the scenario's largest k)). */
static int csv_speedup(const model_scenario *s, const plot_opts *o, FILE *f, plot_vars *v, char *err,
                       size_t errsz)
{
    model_scenario t = *s; /* borrowed view with a longer GPU list */
    model_eval *e = malloc(sizeof *e);
    int kmax = 32, rc;
    if (!e)
        return base_errf(err, errsz, BASE_ERUNTIME, "out of memory");
    for (int i = 0; i < s->ngpus; i++)
        if (s->gpus[i] > kmax)
            kmax = s->gpus[i];
    /* 1..16 every k, then powers of two and midpoints up to kmax; at most 64 entries. */
    t.ngpus = 0;
    for (int k = 1; k <= kmax && t.ngpus < MODEL_MAX_GPU_LIST; k = k < 16 ? k + 1 : (k & (k - 1)) ? k / 3 * 4 : k / 2 * 3)
        t.gpus[t.ngpus++] = k;
    if (t.gpus[t.ngpus - 1] != kmax && t.ngpus < MODEL_MAX_GPU_LIST)
        t.gpus[t.ngpus++] = kmax;
    t.ngpus = model_gpu_list_normalize(t.gpus, t.ngpus);
    if ((rc = eval_scenario(&t, o, 0, e, err, errsz)))
        goto cleanup;
    fprintf(f, "gpus,wall_mean_s,cost_mean_usd,speedup,cost_ratio,beneficial,band_lo,band_hi\n");
    int nben = 0;
    for (int i = 0; i < e->nk; i++) {
        const model_kresult *r = &e->k[i];
        double k = r->gpus;
        double blo = i > 0 ? sqrt(k * e->k[i - 1].gpus) : k / 1.1;
        double bhi = i + 1 < e->nk ? sqrt(k * e->k[i + 1].gpus) : k * 1.1;
        fprintf(f, "%d,%.9g,%.9g,%.9g,%.9g,%d,%.6g,%.6g\n", r->gpus, r->wall_mean, r->cost_mean, r->speedup,
                r->cost_ratio, r->beneficial, blo, bhi);
        nben += r->beneficial;
    }
    plot_var_num(v, "min_speedup", s->min_speedup);
    plot_var_num(v, "max_ratio", 1 + s->max_cost_increase);
    plot_var_num(v, "kmax", kmax);
    plot_var_num(v, "nbeneficial", nben);
    plot_var_num(v, "frames_now", (double)s->frames);
cleanup:
    free(e);
    return rc;
}

/* frames: curves for the scenario's k over the frame axis + break-even points. */
static int csv_frames(const model_scenario *s, const plot_opts *o, FILE *f, plot_vars *v, char *err,
                      size_t errsz)
{
    model_eval *e = malloc(sizeof *e);
    plot_sweep *sw = NULL;
    model_prep *p = NULL;
    int rc;
    if (!e)
        return base_errf(err, errsz, BASE_ERUNTIME, "out of memory");
    if ((rc = eval_scenario(s, o, 1, e, err, errsz)))
        goto cleanup;
    double lo, hi;
    frames_axis(s, o, e, &lo, &hi);
    plot_sweep_spec spec = {.frames_lo = lo, .frames_hi = hi, .frames_points = o->points > 0 ? o->points : 80,
                            .threads = o->threads, .opts = o->opts};
    if ((rc = plot_sweep_run(s, &spec, &sw, err, errsz)) || (rc = model_prep_new(s, &p, err, errsz)))
        goto cleanup;
    fprintf(f, "series,gpus,frames,wall_mean_s,cost_mean_usd,label\n");
    for (int g = 0; g < sw->ngpus; g++)
        for (int i = 0; i < sw->nframes; i++) {
            const plot_sweep_cell *c = &sw->cells[(size_t)i * sw->ngpus + g];
            fprintf(f, "curve,%d,%.0f,%.9g,%.9g,\n", c->gpus, sw->frames[i], c->wall_mean, c->cost_mean);
        }
    char bf[512] = "", bk[256] = "", bw[512] = "", bc[512] = "";
    size_t lf = 0, lk = 0, lw = 0, lc = 0;
    for (int g = 0; g < e->nk; g++) {
        long be = e->break_even[g];
        model_kresult r;
        if (e->k[g].gpus == 1 || be <= 0)
            continue;
        if ((rc = model_predict_k(p, (double)be, e->k[g].gpus, &r, err, errsz)))
            goto cleanup;
        fprintf(f, "break_even,%d,%ld,%.9g,%.9g,%d GPUs from %ld frames\n", e->k[g].gpus, be, r.wall_mean, r.cost_mean,
                e->k[g].gpus, be);
        if (be < lo || be > hi || lf + 64 > sizeof bf)
            continue;
        lf += (size_t)snprintf(bf + lf, sizeof bf - lf, "%s%ld", lf ? " " : "", be);
        lk += (size_t)snprintf(bk + lk, sizeof bk - lk, "%s%d", lk ? " " : "", e->k[g].gpus);
        lw += (size_t)snprintf(bw + lw, sizeof bw - lw, "%s%.6g", lw ? " " : "", r.wall_mean);
        lc += (size_t)snprintf(bc + lc, sizeof bc - lc, "%s%.6g", lc ? " " : "", r.cost_mean);
    }
    plot_var_str(v, "be_frames", bf);
    plot_var_str(v, "be_gpus", bk);
    plot_var_str(v, "be_wall", bw);
    plot_var_str(v, "be_cost", bc);
    /* Break-even points outside the drawn range are named in the key. */
    char none[256] = "";
    size_t len = 0;
    for (int g = 0; g < e->nk; g++)
        if (e->k[g].gpus > 1 && (e->break_even[g] < 0 || e->break_even[g] > hi || e->break_even[g] < lo))
            len += (size_t)snprintf(none + len, sizeof none - len, "%s%d", len ? ", " : "", e->k[g].gpus);
    plot_var_gpus(v, sw->gpus, sw->ngpus);
    plot_var_num(v, "frames_lo", sw->frames[0]);
    plot_var_num(v, "frames_hi", sw->frames[sw->nframes - 1]);
    plot_var_num(v, "frames_now", (double)s->frames);
    plot_var_str(v, "no_break_even", none);
cleanup:
    plot_sweep_free(sw);
    model_prep_free(p);
    free(e);
    return rc;
}

/* The model's verdict at (frames, per_frame) on s's platform: the best k
 * and its speedup and cost ratio (1, 1 and 1 when nothing pays). */
static int verdict_at(const model_scenario *s, const plot_opts *o, double frames, double per_frame, int *best,
                      double *speedup, double *cost_ratio, char *err, size_t errsz)
{
    model_scenario t = *s;
    model_eval *e = malloc(sizeof *e);
    int rc;
    if (!e)
        return base_errf(err, errsz, BASE_ERUNTIME, "out of memory");
    t.frames = (long)frames;
    t.frames_dist = model_dist_fixed(frames);
    t.per_frame = model_dist_fixed(per_frame);
    *best = 1;
    *speedup = *cost_ratio = 1;
    if ((rc = eval_scenario(&t, o, 0, e, err, errsz)) == 0)
        for (int i = 0; i < e->nk; i++)
            if (e->k[i].gpus == e->best_gpus && e->best_gpus > 1) {
                *best = e->best_gpus;
                *speedup = e->k[i].speedup;
                *cost_ratio = e->k[i].cost_ratio;
            }
    free(e);
    return rc;
}

static void verdict_text(int best, double speedup, double cost_ratio, char *buf, size_t n)
{
    if (best > 1)
        snprintf(buf, n, "%d GPUs %.2fx faster (cost %.2fx)", best, speedup, cost_ratio);
    else
        snprintf(buf, n, "not beneficial");
}

/* Plot area of map.gp on the 1200 x 800 canvas (screen fractions): the
 * script sets its margins from these, so the label boxes are placed on the
 * area they are drawn on. */
#define MAP_L 0.105
#define MAP_R 0.70
#define MAP_B 0.10
#define MAP_T 0.93

typedef struct {
    const char *series;
    double frames, per_frame;
    int best;
    double speedup, cost_ratio;  /* the model here */
    int mgpus;
    double msp, mcr;             /* measured (experiments) */
    char label[256], note[384];  /* first and second line */
} map_mark;

/* The experiments (measured, on their platform; the model's projection on
 * this one) and the scenario's own job, their labels placed clear of the
 * break-even line (bx, by: nb points), one row each. */
static int map_markers(FILE *f, const model_scenario *s, const plot_opts *o, const plot_frame *fr, const double *bx,
                       const double *by, int nb, char *err, size_t errsz)
{
    char dir[1024];
    plot_exp ex[PLOT_EXP_MAX];
    map_mark m[PLOT_EXP_MAX + 1];
    plot_label lab[PLOT_EXP_MAX + 1];
    int nex = 0, nm = 0, rc;
    if ((rc = plot_data_dir(dir, sizeof dir, err, errsz)) || (rc = plot_exp_load(dir, ex, PLOT_EXP_MAX, &nex, err, errsz)))
        return rc;
    double own = model_dist_mean(&s->per_frame);
    int dup = 0;
    for (int i = 0; i < nex; i++) {
        map_mark *k = &m[nm++];
        char v[96];
        *k = (map_mark){"experiment", ex[i].frames, ex[i].per_frame, 1, 1, 1, ex[i].gpus, ex[i].speedup, ex[i].cost_ratio,
                        "", ""};
        if ((rc = verdict_at(s, o, k->frames, k->per_frame, &k->best, &k->speedup, &k->cost_ratio, err, errsz)))
            return rc;
        plot_exp_label(&ex[i], k->label, sizeof k->label);
        verdict_text(k->best, k->speedup, k->cost_ratio, v, sizeof v);
        snprintf(k->note, sizeof k->note, "projected on %s: %s", s->name, v);
        dup |= (double)s->frames == ex[i].frames && fabs(own - ex[i].per_frame) < 1e-9;
    }
    if (!dup && own > 0) {
        map_mark *k = &m[nm++];
        char v[128];
        *k = (map_mark){"job", (double)s->frames, own, 1, 1, 1, 0, NAN, NAN, "", ""};
        if ((rc = verdict_at(s, o, k->frames, own, &k->best, &k->speedup, &k->cost_ratio, err, errsz)))
            return rc;
        verdict_text(k->best, k->speedup, k->cost_ratio, v, sizeof v);
        snprintf(k->label, sizeof k->label, "this job: %s", v);
    }
    for (int i = 0; i < nm; i++) {
        size_t w = strlen(m[i].label) > strlen(m[i].note) ? strlen(m[i].label) : strlen(m[i].note);
        lab[i] = (plot_label){.x = m[i].frames, .y = m[i].per_frame, .chars = (int)w, .lines = m[i].note[0] ? 2 : 1};
    }
    plot_label_place(fr, bx, by, nb, lab, nm);
    for (int i = 0; i < nm; i++) {
        const map_mark *k = &m[i];
        fprintf(f, "%s,%.0f,%.9g,,,,,%d,%.9g,%.9g,", k->series, k->frames, k->per_frame, k->best, k->speedup,
                k->cost_ratio);
        base_csv_field(f, k->label, BASE_CSV_ONELINE); /* the scenario's name: quoted, on one line for gnuplot */
        if (lab[i].placed)
            fprintf(f, ",%.6g,%.6g,", lab[i].ax, lab[i].ay);
        else
            fputs(",,,", f);
        if (k->mgpus > 0)
            fprintf(f, "%d,%.6g,", k->mgpus, k->msp);
        else
            fputs(",,", f);
        if (!isnan(k->mcr))
            fprintf(f, "%.6g", k->mcr);
        fputc(',', f);
        base_csv_field(f, k->note, BASE_CSV_ONELINE);
        if (lab[i].placed && !isnan(lab[i].lx))
            fprintf(f, ",%.6g,%.6g\n", lab[i].lx, lab[i].ly);
        else
            fputs(",,\n", f);
    }
    return BASE_OK;
}

/* map: cells of the decision grid, the break-even line, the markers. */
static int csv_map(const model_scenario *s, const plot_opts *o, FILE *f, plot_vars *v, char *err, size_t errsz)
{
    plot_sweep *sw = NULL;
    model_prep *p = NULL;
    model_scenario t = *s; /* borrowed view; per_frame changes per break-even line point */
    int rc;
    double flo = o->frames_lo > 0 ? o->frames_lo : 10, fhi = o->frames_lo > 0 ? o->frames_hi : 1e6;
    double plo = o->per_frame_lo > 0 ? o->per_frame_lo : 0.001, phi = o->per_frame_lo > 0 ? o->per_frame_hi : 10;
    int nf = o->points > 0 ? o->points : 120, np = o->points > 0 ? o->points : 90;
    plot_sweep_spec spec = {.frames_lo = flo, .frames_hi = fhi, .frames_points = nf, .per_frame_lo = plo,
                            .per_frame_hi = phi, .per_frame_points = np, .threads = o->threads, .opts = o->opts};
    if ((rc = plot_sweep_run(s, &spec, &sw, err, errsz)))
        goto cleanup;
    fprintf(f, "series,frames,per_frame_s,frames_lo,frames_hi,per_frame_lo,per_frame_hi,best_gpus,speedup,"
               "cost_ratio,label,label_x,label_y,measured_gpus,measured_speedup,measured_cost_ratio,note,leader_x,leader_y\n");
    for (int i = 0; i < sw->nframes; i++)
        for (int j = 0; j < sw->nper; j++) {
            size_t pt = (size_t)i * sw->nper + j;
            double x = sw->frames[i], y = sw->per_frame[j];
            /* Cell edges: geometric midpoints to the neighbours. */
            double xl = i > 0 ? sqrt(x * sw->frames[i - 1]) : x, xh = i + 1 < sw->nframes ? sqrt(x * sw->frames[i + 1]) : x;
            double yl = j > 0 ? sqrt(y * sw->per_frame[j - 1]) : y, yh = j + 1 < sw->nper ? sqrt(y * sw->per_frame[j + 1]) : y;
            if (i == 0 && sw->nframes > 1)
                xl = x * x / xh;
            if (i + 1 == sw->nframes && sw->nframes > 1)
                xh = x * x / xl;
            if (j == 0 && sw->nper > 1)
                yl = y * y / yh;
            if (j + 1 == sw->nper && sw->nper > 1)
                yh = y * y / yl;
            double sp = 1, cr = 1;
            for (int g = 0; g < sw->ngpus; g++) {
                const plot_sweep_cell *c = &sw->cells[pt * sw->ngpus + g];
                if (c->gpus == sw->best_gpus[pt] && c->gpus > 1) {
                    sp = c->speedup;
                    cr = c->cost_ratio;
                }
            }
            fprintf(f, "cell,%.0f,%.6g,%.6g,%.6g,%.6g,%.6g,%d,%.6g,%.6g,,,,,,,,,\n", x, y, xl, xh, yl, yh, sw->best_gpus[pt],
                    sp, cr);
        }
    /* Break-even line: at each of 40 per-frame costs, the smallest frame
     * count at which some k > 1 is beneficial (model_break_even, exact). */
    if ((rc = model_prep_new(&t, &p, err, errsz)))
        goto cleanup;
    double ys[40], bx[40], by[40];
    int ny = plot_logspace(plo, phi, o->points > 0 && o->points < 40 ? o->points : 40, 0, ys), nb = 0;
    for (int j = 0; j < ny; j++) {
        long best = -1;
        int bestk = 0;
        t.per_frame = model_dist_fixed(ys[j]);
        for (int g = 0; g < t.ngpus; g++) {
            long be;
            if (t.gpus[g] == 1)
                continue;
            if ((rc = model_break_even(p, &t, t.gpus[g], &be, err, errsz)))
                goto cleanup;
            if (be > 0 && (best < 0 || be < best)) {
                best = be;
                bestk = t.gpus[g];
            }
        }
        if (best > 0) {
            fprintf(f, "break_even,%ld,%.6g,,,,,%d,,,,,,,,,,,\n", best, ys[j], bestk);
            bx[nb] = (double)best;
            by[nb++] = ys[j];
        }
    }
    plot_frame fr = {MAP_L * 1200, MAP_R * 1200, MAP_B * 800, MAP_T * 800, sw->frames[0], sw->frames[sw->nframes - 1],
                     sw->per_frame[0], sw->per_frame[sw->nper - 1], 0, 0};
    if ((rc = map_markers(f, s, o, &fr, bx, by, nb, err, errsz)))
        goto cleanup;
    plot_var_num(v, "map_l", MAP_L);
    plot_var_num(v, "map_r", MAP_R);
    plot_var_num(v, "map_b", MAP_B);
    plot_var_num(v, "map_t", MAP_T);
    plot_var_str(v, "platform", s->name);
    plot_var_gpus(v, sw->gpus, sw->ngpus);
    plot_var_num(v, "frames_lo", sw->frames[0]);
    plot_var_num(v, "frames_hi", sw->frames[sw->nframes - 1]);
    plot_var_num(v, "per_frame_lo", sw->per_frame[0]);
    plot_var_num(v, "per_frame_hi", sw->per_frame[sw->nper - 1]);
cleanup:
    model_prep_free(p);
    plot_sweep_free(sw);
    return rc;
}

/* breakdown: mean phase times on the critical container per k. */
static int csv_breakdown(const model_scenario *s, const plot_opts *o, FILE *f, plot_vars *v, char *err,
                         size_t errsz)
{
    model_eval *e = malloc(sizeof *e);
    int rc;
    if (!e)
        return base_errf(err, errsz, BASE_ERUNTIME, "out of memory");
    if ((rc = eval_scenario(s, o, 0, e, err, errsz)) == 0) {
        fprintf(f, "gpus,start,request,download,ffmpeg_start,seek,process,upload,concat,wall_mean_s\n");
        for (int i = 0; i < e->nk; i++) {
            const model_breakdown *b = &e->k[i].breakdown;
            fprintf(f, "%d,%.9g,%.9g,%.9g,%.9g,%.9g,%.9g,%.9g,%.9g,%.9g\n", e->k[i].gpus, b->start, b->request,
                    b->download, b->ffmpeg_start, b->seek, b->process, b->upload, b->concat, e->k[i].wall_mean);
        }
        plot_var_gpus(v, s->gpus, s->ngpus);
    }
    free(e);
    return rc;
}

int plot_model_csv(plot_kind kind, const model_scenario *s, const plot_opts *o, FILE *f, plot_vars *v,
                   char *err, size_t errsz)
{
    switch (kind) {
    case PLOT_SPEEDUP: return csv_speedup(s, o, f, v, err, errsz);
    case PLOT_FRAMES: return csv_frames(s, o, f, v, err, errsz);
    case PLOT_MAP: return csv_map(s, o, f, v, err, errsz);
    case PLOT_BREAKDOWN: return csv_breakdown(s, o, f, v, err, errsz);
    default: break;
    }
    assert(0);
    return BASE_ERUNTIME;
}

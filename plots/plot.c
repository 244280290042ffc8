/* plots/plot.c -- chart CSVs from the model (or from CSVs made by sim and
 * capacity), and gnuplot runs that never leave a partial file. */
#include "plots/plot.h"
#include "base/proc.h"
#include "model/predict.h"
#include "base/status.h"
#include "sim/capacity.h"
#include "sim/montecarlo.h"

#include <assert.h>
#include <errno.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef FORKCAST_SRCDIR
#define FORKCAST_SRCDIR "."
#endif

#define GNUPLOT_TIMEOUT_S 120.0

static const struct {
    const char *name, *what;
    int input;                       /* 1: draws a CSV given with --input, else runs a simulation */
} kinds[PLOT_NKINDS] = {
    [PLOT_SPEEDUP] = {"speedup", "speedup and cost ratio against GPU count", 0},
    [PLOT_FRAMES] = {"frames", "wall time and cost against frame count", 0},
    [PLOT_MAP] = {"map", "decision map: best GPU count by frame count and per-frame cost", 0},
    [PLOT_GANTT] = {"gantt", "one simulated run per GPU count, phases per container", 1},
    [PLOT_CDF] = {"cdf", "distribution of simulated wall time per GPU count", 1},
    [PLOT_BREAKDOWN] = {"breakdown", "mean phase times on the critical container", 0},
    [PLOT_CAPACITY] = {"capacity", "latency percentiles and containers in use over time", 1},
};

const char *plot_kind_name(plot_kind k)
{
    assert(k >= 0 && k < PLOT_NKINDS);
    return kinds[k].name;
}

const char *plot_kind_what(plot_kind k)
{
    assert(k >= 0 && k < PLOT_NKINDS);
    return kinds[k].what;
}

int plot_kind_takes_input(plot_kind k)
{
    assert(k >= 0 && k < PLOT_NKINDS);
    return kinds[k].input != 0;
}

int plot_kind_parse(const char *name, plot_kind *out)
{
    for (int k = 0; k < PLOT_NKINDS; k++)
        if (!strcmp(name, kinds[k].name)) {
            *out = (plot_kind)k;
            return 0;
        }
    return -1;
}

/* ---- where the scripts are ------------------------------------------------ */

static int has_scripts(const char *dir)
{
    char p[PATH_MAX];
    struct stat st;
    if (snprintf(p, sizeof p, "%s/plots/common.gp", dir) >= (int)sizeof p)
        return 0;
    return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

int plot_data_dir(char *dir, size_t dirsz, char *err, size_t errsz)
{
    char exe[PATH_MAX], cand[PATH_MAX + 32];
    const char *env = getenv("FORKCAST_DATA");
    if (env && *env && has_scripts(env) && strlen(env) < dirsz) {
        strcpy(dir, env);
        return BASE_OK;
    }
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = 0;
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = 0;
            snprintf(cand, sizeof cand, "%s/../share/forkcast", exe);
            if (has_scripts(cand) && strlen(cand) < dirsz) {
                strcpy(dir, cand);
                return BASE_OK;
            }
        }
    }
    if (has_scripts(FORKCAST_SRCDIR) && strlen(FORKCAST_SRCDIR) < dirsz) {
        strcpy(dir, FORKCAST_SRCDIR);
        return BASE_OK;
    }
    return base_errf(err, errsz, BASE_ERUNTIME,
                      "gnuplot scripts not found: no plots/common.gp under $FORKCAST_DATA (%s), "
                      "EXE/../share/forkcast or %s; set FORKCAST_DATA to the directory holding plots/",
                      env && *env ? env : "unset", FORKCAST_SRCDIR);
}

/* ---- gnuplot variables ------------------------------------------------------- */

static void var_raw(plot_vars *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void var_raw(plot_vars *v, const char *fmt, ...)
{
    size_t n = strlen(v->buf);
    va_list ap;
    va_start(ap, fmt);
    int w = vsnprintf(v->buf + n, sizeof v->buf - n, fmt, ap);
    va_end(ap);
    if (w < 0 || (size_t)w >= sizeof v->buf - n) {
        v->buf[n] = 0;
        v->overflow = 1;
    }
}

void plot_var_num(plot_vars *v, const char *name, double x)
{
    var_raw(v, "%s=%.17g; ", name, x);
}

/* A gnuplot single-quoted string: ' doubled, nothing else special. */
void plot_var_str(plot_vars *v, const char *name, const char *s)
{
    var_raw(v, "%s='", name);
    for (; *s; s++) {
        if (*s == '\n' || *s == '\r')
            continue;
        if (*s == '\'')
            var_raw(v, "''");
        else
            var_raw(v, "%c", *s);
    }
    var_raw(v, "'; ");
}

static void var_gpus(plot_vars *v, const int *g, int n)
{
    char buf[MODEL_MAX_GPU_LIST * 8] = "";
    size_t len = 0;
    for (int i = 0; i < n; i++)
        len += (size_t)snprintf(buf + len, sizeof buf - len, "%s%d", i ? " " : "", g[i]);
    plot_var_str(v, "gpus", buf);
}

/* ---- model-based charts ------------------------------------------------------ */

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
    return model_evaluate(s, &mo, e, err, errsz);
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
    var_gpus(v, sw->gpus, sw->ngpus);
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

/* The reference experiments marked on the map (REFERENCE.md section 1). */
static const struct {
    const char *label;
    double frames, per_frame;
} markers[] = {
    {"E7 overlay", 300, 0.025},
    {"T50 framing", 300, 0.68},
};

static int map_marker(FILE *f, const model_scenario *s, const plot_opts *o, const char *label, double frames,
                      double per_frame, char *err, size_t errsz)
{
    model_scenario t = *s;
    model_eval *e = malloc(sizeof *e);
    int rc;
    if (!e)
        return base_errf(err, errsz, BASE_ERUNTIME, "out of memory");
    t.frames = (long)frames;
    t.frames_dist = model_dist_fixed(frames);
    t.per_frame = model_dist_fixed(per_frame);
    if ((rc = eval_scenario(&t, o, 0, e, err, errsz)) == 0) {
        int show = -1;
        for (int i = 0; i < e->nk; i++)
            if (e->k[i].gpus == e->best_gpus && e->best_gpus > 1)
                show = i;
        char verdict[96];
        if (show >= 0)
            snprintf(verdict, sizeof verdict, "%d GPUs %.2fx faster", e->best_gpus, e->k[show].speedup);
        else
            snprintf(verdict, sizeof verdict, "not beneficial");
        fprintf(f, "marker,%.0f,%.9g,,,,,%d,%.9g,%.9g,%s: %s\n", frames, per_frame, e->best_gpus,
                show >= 0 ? e->k[show].speedup : 1.0, show >= 0 ? e->k[show].cost_ratio : 1.0, label, verdict);
    }
    free(e);
    return rc;
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
               "cost_ratio,label\n");
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
            fprintf(f, "cell,%.0f,%.6g,%.6g,%.6g,%.6g,%.6g,%d,%.6g,%.6g,\n", x, y, xl, xh, yl, yh, sw->best_gpus[pt], sp,
                    cr);
        }
    /* Break-even line: at each of 40 per-frame costs, the smallest frame
     * count at which some k > 1 is beneficial (model_break_even, exact). */
    if ((rc = model_prep_new(&t, &p, err, errsz)))
        goto cleanup;
    double ys[40];
    int ny = plot_logspace(plo, phi, o->points > 0 && o->points < 40 ? o->points : 40, 0, ys);
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
        if (best > 0)
            fprintf(f, "break_even,%ld,%.6g,,,,,%d,,,\n", best, ys[j], bestk);
    }
    for (size_t m = 0; m < sizeof markers / sizeof *markers; m++)
        if ((rc = map_marker(f, s, o, markers[m].label, markers[m].frames, markers[m].per_frame, err, errsz)))
            goto cleanup;
    /* The scenario's own point, unless it is one of the markers. */
    double own = model_dist_mean(&s->per_frame);
    int dup = 0;
    for (size_t m = 0; m < sizeof markers / sizeof *markers; m++)
        dup |= (double)s->frames == markers[m].frames && fabs(own - markers[m].per_frame) < 1e-9;
    if (!dup && own > 0 && (rc = map_marker(f, s, o, s->name, (double)s->frames, own, err, errsz)))
        goto cleanup;
    var_gpus(v, sw->gpus, sw->ngpus);
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
        var_gpus(v, s->gpus, s->ngpus);
    }
    free(e);
    return rc;
}

/* ---- input CSVs (sim --trace, sim samples, capacity --series) --------------- */

#define MAXCOLS 64

typedef struct {
    char *text;            /* owned, split in place */
    char **rows;           /* owned array of row starts (data rows only) */
    int nrows;
    char *head[MAXCOLS];
    int ncol;
    const char *file;
} csvin;

static void csvin_free(csvin *c)
{
    free(c->text);
    free(c->rows);
}

/* Read FILE: a header line, then data lines; blank lines and lines starting
 * with '#' are skipped. Fields are plain (no quoting). */
static int csvin_read(csvin *c, const char *file, char *err, size_t errsz)
{
    memset(c, 0, sizeof *c);
    c->file = file;
    int rc = base_read_file(file, &c->text, NULL, err, errsz);
    if (rc)
        return rc;
    size_t cap = 1024;
    c->rows = malloc(cap * sizeof *c->rows);
    if (!c->rows)
        return base_errf(err, errsz, BASE_ERUNTIME, "%s: out of memory", file);
    int header = 0;
    for (char *line = c->text, *next; line && *line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = 0;
        size_t len = strlen(line);
        if (len && line[len - 1] == '\r')
            line[--len] = 0;
        if (!len || line[0] == '#')
            continue;
        if (!header) {
            header = 1;
            for (char *tok = line, *comma; tok; tok = comma ? comma + 1 : NULL) {
                comma = strchr(tok, ',');
                if (comma)
                    *comma = 0;
                if (c->ncol == MAXCOLS)
                    return base_errf(err, errsz, BASE_EINPUT, "%s: header: more than %d columns", file, MAXCOLS);
                c->head[c->ncol++] = tok;
            }
            continue;
        }
        if ((size_t)c->nrows == cap) {
            char **r = realloc(c->rows, (cap *= 2) * sizeof *r);
            if (!r)
                return base_errf(err, errsz, BASE_ERUNTIME, "%s: out of memory", file);
            c->rows = r;
        }
        c->rows[c->nrows++] = line;
    }
    if (!header)
        return base_errf(err, errsz, BASE_EINPUT, "%s: empty (expected a CSV header line)", file);
    if (c->nrows == 0)
        return base_errf(err, errsz, BASE_EINPUT, "%s: no data rows", file);
    return BASE_OK;
}

static int csvin_col(const csvin *c, const char *name)
{
    for (int i = 0; i < c->ncol; i++)
        if (!strcmp(c->head[i], name))
            return i;
    return -1;
}

static int csvin_need(const csvin *c, const char *const *names, int n, int *idx, char *err, size_t errsz)
{
    for (int i = 0; i < n; i++)
        if ((idx[i] = csvin_col(c, names[i])) < 0)
            return base_errf(err, errsz, BASE_EINPUT, "%s: header: missing column '%s'", c->file, names[i]);
    return BASE_OK;
}

/* Split row r into fields (in place, once). */
static int csvin_fields(csvin *c, int r, char **f, char *err, size_t errsz)
{
    int n = 0;
    for (char *tok = c->rows[r], *comma; tok; tok = comma ? comma + 1 : NULL) {
        comma = strchr(tok, ',');
        if (comma)
            *comma = 0;
        if (n < MAXCOLS)
            f[n] = tok;
        n++;
    }
    if (n != c->ncol)
        return base_errf(err, errsz, BASE_EINPUT, "%s: data row %d: %d fields, header has %d", c->file, r + 1, n,
                          c->ncol);
    return BASE_OK;
}

static int num(const csvin *c, int r, const char *name, const char *s, double *out, char *err, size_t errsz)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end || errno || !isfinite(v))
        return base_errf(err, errsz, BASE_EINPUT, "%s: data row %d: %s: not a finite number (got '%s')", c->file,
                          r + 1, name, s);
    *out = v;
    return BASE_OK;
}

static int phase_index(const char *p)
{
    static const char *names[] = {"start", "request", "download", "ffmpeg_start", "seek", "process", "upload", "concat"};
    for (int i = 0; i < 8; i++)
        if (!strcmp(p, names[i]))
            return i;
    if (!strcmp(p, "cold_start") || !strcmp(p, "warm_start"))
        return 0;
    if (!strcmp(p, "ffmpeg"))
        return 3;
    return 8; /* other */
}

typedef struct {
    int k, container, chunk, phase, row;
    double t0, t1;
    const char *name;
} span;

static int cmp_span(const void *a, const void *b)
{
    const span *x = a, *y = b;
    int cx = x->phase == 7 ? INT_MAX : x->container, cy = y->phase == 7 ? INT_MAX : y->container;
    if (x->k != y->k)
        return x->k < y->k ? -1 : 1;
    if (cx != cy)
        return cx < cy ? -1 : 1;
    return x->t0 < y->t0 ? -1 : x->t0 > y->t0;
}

/* gantt: the trace rows with a row number (grouped by k, the concat on its
 * own row after the containers, a blank row between k) and a phase index.
 * Sorts sp in place. */
static void gantt_write(span *sp, int n, FILE *f, plot_vars *v)
{
    qsort(sp, (size_t)n, sizeof *sp, cmp_span);
    int row = -1, ks[MODEL_MAX_GPU_LIST] = {0}, nk = 0, other = 0;
    double tmax = 0;
    for (int r = 0; r < n; r++) {
        int newk = r == 0 || sp[r].k != sp[r - 1].k;
        int concat = sp[r].phase == 7;
        int newrow = newk || (concat ? sp[r - 1].phase != 7 : sp[r].container != sp[r - 1].container);
        if (newk && r > 0)
            row++; /* blank row between k */
        if (newrow)
            row++;
        if (newk && nk < MODEL_MAX_GPU_LIST)
            ks[nk++] = sp[r].k;
        sp[r].row = row;
        tmax = fmax(tmax, sp[r].t1);
        other |= sp[r].phase == 8 && sp[r].t1 > sp[r].t0; /* zero-length marks (cancelled, died) are not drawn */
    }
    fprintf(f, "k,container,chunk,phase,start_s,end_s,row,phase_index,label\n");
    for (int r = 0; r < n; r++) {
        char label[64];
        if (sp[r].phase == 7)
            snprintf(label, sizeof label, "%d GPU%s: concat", sp[r].k, sp[r].k == 1 ? "" : "s");
        else
            snprintf(label, sizeof label, "%d GPU%s: #%d", sp[r].k, sp[r].k == 1 ? "" : "s", sp[r].container);
        fprintf(f, "%d,%d,%d,%s,%.9g,%.9g,%d,%d,%s\n", sp[r].k, sp[r].container, sp[r].chunk, sp[r].name, sp[r].t0,
                sp[r].t1, sp[r].row, sp[r].phase, label);
    }
    var_gpus(v, ks, nk);
    plot_var_num(v, "rows", row + 1);
    plot_var_num(v, "has_other", other);
    plot_var_num(v, "tmax", tmax);
}

static int csv_gantt(const plot_opts *o, FILE *f, plot_vars *v, char *err, size_t errsz)
{
    static const char *need[] = {"k", "container", "chunk", "phase", "start_s", "end_s"};
    csvin c;
    span *sp = NULL;
    int idx[6], rc;
    if ((rc = csvin_read(&c, o->input, err, errsz)) || (rc = csvin_need(&c, need, 6, idx, err, errsz)))
        goto cleanup;
    if (!(sp = calloc((size_t)c.nrows, sizeof *sp))) {
        rc = base_errf(err, errsz, BASE_ERUNTIME, "out of memory");
        goto cleanup;
    }
    for (int r = 0; r < c.nrows; r++) {
        char *fl[MAXCOLS];
        double k, cont, chunk;
        if ((rc = csvin_fields(&c, r, fl, err, errsz)) || (rc = num(&c, r, "k", fl[idx[0]], &k, err, errsz)) ||
            (rc = num(&c, r, "container", fl[idx[1]], &cont, err, errsz)) ||
            (rc = num(&c, r, "chunk", fl[idx[2]], &chunk, err, errsz)) ||
            (rc = num(&c, r, "start_s", fl[idx[4]], &sp[r].t0, err, errsz)) ||
            (rc = num(&c, r, "end_s", fl[idx[5]], &sp[r].t1, err, errsz)))
            goto cleanup;
        if (k < 1 || k != floor(k) || k > MODEL_MAX_GPUS || cont != floor(cont) || cont < -1 || cont >= MODEL_MAX_GPUS) {
            rc = base_errf(err, errsz, BASE_EINPUT, "%s: data row %d: k and container must be integers, 1 <= k, -1 <= container < %d",
                            c.file, r + 1, MODEL_MAX_GPUS);
            goto cleanup;
        }
        if (sp[r].t1 < sp[r].t0) {
            rc = base_errf(err, errsz, BASE_EINPUT, "%s: data row %d: end_s %g is before start_s %g", c.file, r + 1,
                            sp[r].t1, sp[r].t0);
            goto cleanup;
        }
        sp[r].k = (int)k;
        sp[r].container = (int)cont;
        sp[r].chunk = (int)chunk;
        sp[r].name = fl[idx[3]];
        sp[r].phase = phase_index(sp[r].name);
    }
    gantt_write(sp, c.nrows, f, v);
cleanup:
    free(sp);
    csvin_free(&c);
    return rc;
}

/* ---- charts of the simulator (sim/montecarlo.h) -------------------------- */

static int listed(const model_scenario *s, int k)
{
    for (int i = 0; i < s->ngpus; i++)
        if (s->gpus[i] == k)
            return i;
    return -1;
}

typedef struct {
    const model_scenario *s;
    span *sp;
    int n, cap, oom;
} trace_acc;

static void trace_span(void *ctx, int k, int container, int chunk, sim_job_phase ph, double t0, double t1)
{
    trace_acc *a = ctx;
    if (a->oom || listed(a->s, k) < 0)
        return;
    if (a->n == a->cap) {
        int cap = a->cap ? 2 * a->cap : 256;
        span *sp = realloc(a->sp, (size_t)cap * sizeof *sp);
        if (!sp) {
            a->oom = 1;
            return;
        }
        a->sp = sp;
        a->cap = cap;
    }
    const char *name = sim_job_phase_name(ph);
    a->sp[a->n++] = (span){k, container, chunk, phase_index(name), 0, t0, t1, name};
}

/* gantt without --input: replication 0 of `forkcast sim` (same seed), the
 * scenario's GPU counts. */
static int csv_gantt_sim(const model_scenario *s, FILE *f, plot_vars *v, char *err, size_t errsz)
{
    trace_acc a = {s, NULL, 0, 0, 0};
    int rc = sim_montecarlo_trace(s, s->seed, 0, 0, trace_span, &a, err, errsz);
    if (!rc && a.oom)
        rc = base_errf(err, errsz, BASE_ERUNTIME, "out of memory");
    if (!rc)
        gantt_write(a.sp, a.n, f, v);
    free(a.sp);
    return rc;
}

typedef struct {
    const model_scenario *s;
    double wall[MODEL_MAX_GPU_LIST];
} wall_acc;

/* A job's wall time is the end of its last phase (the concat for k > 1). */
static void trace_wall(void *ctx, int k, int container, int chunk, sim_job_phase ph, double t0, double t1)
{
    wall_acc *a = ctx;
    int i = listed(a->s, k);
    (void)container, (void)chunk, (void)ph, (void)t0;
    if (i >= 0 && t1 > a->wall[i])
        a->wall[i] = t1;
}

/* cdf without --input: the wall times of replications 0..R-1 of `forkcast
 * sim` (sim.replications, sim.seed), each replayed through
 * sim_montecarlo_trace, so the samples are the simulator's own. */
static int csv_cdf_sim(const model_scenario *s, const plot_opts *o, FILE *f, plot_vars *v, char *err, size_t errsz)
{
    long R = o->replications > 0 ? o->replications : s->replications;
    size_t n = (size_t)R * (size_t)s->ngpus;
    int *k = malloc(n * sizeof *k), rc = BASE_OK;
    double *w = malloc(n * sizeof *w);
    if (!k || !w) {
        rc = base_errf(err, errsz, BASE_ERUNTIME, "out of memory");
        goto cleanup;
    }
    for (long r = 0; r < R; r++) {
        wall_acc a = {s, {0}};
        if ((rc = sim_montecarlo_trace(s, s->seed, (uint64_t)r, 0, trace_wall, &a, err, errsz)))
            goto cleanup;
        for (int i = 0; i < s->ngpus; i++) {
            k[(size_t)r * s->ngpus + i] = s->gpus[i];
            w[(size_t)r * s->ngpus + i] = a.wall[i];
        }
    }
    rc = plot_cdf_csv(k, w, n, f, v, err, errsz);
    plot_var_num(v, "replications", (double)R);
cleanup:
    free(k);
    free(w);
    return rc;
}

typedef struct {
    int k;
    double w;
} kw;

static int cmp_kw(const void *a, const void *b)
{
    const kw *x = a, *y = b;
    if (x->k != y->k)
        return x->k < y->k ? -1 : 1;
    return x->w < y->w ? -1 : x->w > y->w;
}

#define CDF_POINTS 400

/* cdf: per k, the empirical CDF at up to CDF_POINTS probabilities and p95. */
int plot_cdf_csv(const int *k, const double *wall, size_t n, FILE *f, plot_vars *v, char *err, size_t errsz)
{
    kw *a = malloc(n * sizeof *a);
    double *x = malloc(n * sizeof *x);
    int ks[MODEL_MAX_GPU_LIST] = {0}, nk = 0, rc = BASE_OK;
    double p95s[MODEL_MAX_GPU_LIST] = {0};
    if (!a || !x) {
        rc = base_errf(err, errsz, BASE_ERUNTIME, "out of memory");
        goto cleanup;
    }
    for (size_t i = 0; i < n; i++)
        a[i] = (kw){k[i], wall[i]};
    qsort(a, n, sizeof *a, cmp_kw);
    fprintf(f, "series,gpus,wall_s,cdf,label\n");
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && a[j].k == a[i].k)
            j++;
        size_t m = j - i;
        for (size_t q = 0; q < m; q++)
            x[q] = a[i + q].w;
        /* Empirical CDF F(x_(q)) = (q + 1) / m, thinned to CDF_POINTS steps. */
        size_t step = m > CDF_POINTS ? m / CDF_POINTS : 1;
        for (size_t q = 0; q < m; q += step)
            fprintf(f, "sample,%d,%.9g,%.9g,\n", a[i].k, x[q], (double)(q + 1) / (double)m);
        if ((m - 1) % step)
            fprintf(f, "sample,%d,%.9g,1,\n", a[i].k, x[m - 1]);
        double p95 = gsl_stats_quantile_from_sorted_data(x, 1, m, 0.95);
        fprintf(f, "p95,%d,%.9g,0.95,p95 %.1f s\n", a[i].k, p95, p95);
        if (nk < MODEL_MAX_GPU_LIST) {
            ks[nk] = a[i].k;
            p95s[nk++] = p95;
        }
        i = j;
    }
    var_gpus(v, ks, nk);
    char buf[MODEL_MAX_GPU_LIST * 16] = "";
    size_t len = 0;
    for (int i = 0; i < nk; i++)
        len += (size_t)snprintf(buf + len, sizeof buf - len, "%s%.1f", i ? " " : "", p95s[i]);
    plot_var_str(v, "p95s", buf);
cleanup:
    free(a);
    free(x);
    return rc;
}

static int csv_cdf(const plot_opts *o, FILE *f, plot_vars *v, char *err, size_t errsz)
{
    static const char *need[] = {"k", "wall_s"};
    csvin c;
    int idx[2], rc, *k = NULL;
    double *w = NULL;
    if ((rc = csvin_read(&c, o->input, err, errsz)) || (rc = csvin_need(&c, need, 2, idx, err, errsz)))
        goto cleanup;
    k = malloc((size_t)c.nrows * sizeof *k);
    w = malloc((size_t)c.nrows * sizeof *w);
    if (!k || !w) {
        rc = base_errf(err, errsz, BASE_ERUNTIME, "out of memory");
        goto cleanup;
    }
    for (int r = 0; r < c.nrows; r++) {
        char *fl[MAXCOLS];
        double kk;
        if ((rc = csvin_fields(&c, r, fl, err, errsz)) || (rc = num(&c, r, "k", fl[idx[0]], &kk, err, errsz)) ||
            (rc = num(&c, r, "wall_s", fl[idx[1]], &w[r], err, errsz)))
            goto cleanup;
        if (kk < 1 || kk != floor(kk) || kk > MODEL_MAX_GPUS || w[r] < 0) {
            rc = base_errf(err, errsz, BASE_EINPUT, "%s: data row %d: need an integer k >= 1 and wall_s >= 0", c.file,
                            r + 1);
            goto cleanup;
        }
        k[r] = (int)kk;
    }
    rc = plot_cdf_csv(k, w, (size_t)c.nrows, f, v, err, errsz);
cleanup:
    free(k);
    free(w);
    csvin_free(&c);
    return rc;
}

/* capacity: the --series CSV, columns normalised (missing percentiles empty). */
static int csv_capacity(const plot_opts *o, FILE *f, plot_vars *v, char *err, size_t errsz)
{
    static const char *need[] = {"t_s", "busy", "idle", "queue"};
    static const char *lat[] = {"p50_s", "p95_s", "p99_s"};
    csvin c;
    int idx[4], li[3], rc, nlat = 0;
    if ((rc = csvin_read(&c, o->input, err, errsz)) || (rc = csvin_need(&c, need, 4, idx, err, errsz)))
        goto cleanup;
    for (int i = 0; i < 3; i++)
        nlat += (li[i] = csvin_col(&c, lat[i])) >= 0;
    fprintf(f, "t_s,busy,idle,queue,p50_s,p95_s,p99_s\n");
    double prev = -INFINITY;
    for (int r = 0; r < c.nrows; r++) {
        char *fl[MAXCOLS];
        double x[4];
        if ((rc = csvin_fields(&c, r, fl, err, errsz)))
            goto cleanup;
        for (int i = 0; i < 4; i++)
            if ((rc = num(&c, r, need[i], fl[idx[i]], &x[i], err, errsz)))
                goto cleanup;
        if (x[0] < prev || x[1] < 0 || x[2] < 0 || x[3] < 0) {
            rc = base_errf(err, errsz, BASE_EINPUT, "%s: data row %d: t_s must not decrease and counts must be >= 0",
                            c.file, r + 1);
            goto cleanup;
        }
        prev = x[0];
        fprintf(f, "%.9g,%.9g,%.9g,%.9g", x[0], x[1], x[2], x[3]);
        for (int i = 0; i < 3; i++) {
            double y;
            /* An empty latency cell (no job finished in the window) stays empty. */
            if (li[i] < 0 || !*fl[li[i]]) {
                fputs(",", f);
                continue;
            }
            if ((rc = num(&c, r, lat[i], fl[li[i]], &y, err, errsz)))
                goto cleanup;
            fprintf(f, ",%.9g", y);
        }
        fputc('\n', f);
    }
    plot_var_num(v, "has_lat", nlat > 0);
    plot_var_num(v, "lat_p50", -1);
    plot_var_num(v, "lat_p95", -1);
    plot_var_num(v, "lat_p99", -1);
cleanup:
    csvin_free(&c);
    return rc;
}

typedef struct {
    FILE *f;
    long rows;
} series_out;

static void series_row(double t, int busy, int idle, int queue, void *ctx)
{
    series_out *o = ctx;
    fprintf(o->f, "%.9g,%d,%d,%d,,,\n", t, busy, idle, queue);
    o->rows++;
}

/* capacity without --input: run the scenario's workload (sim/capacity.h)
 * and chart its pool over time; the latency percentiles are the run's
 * (the series has no per-window latency). */
static int csv_capacity_run(const model_scenario *s, FILE *f, plot_vars *v, char *err, size_t errsz)
{
    sim_cap *cap = NULL;
    sim_cap_result res;
    series_out so = {f, 0};
    /* About 1000 samples over a run of known length, at least one a minute. */
    double step = s->hours > 0 ? fmax(60, ceil(s->hours * 3600 / 1000 / 60) * 60) : 60;
    sim_cap_series ser = {step, series_row, &so};
    if (!s->has_workload)
        return base_errf(err, errsz, BASE_EINPUT,
                          "capacity: needs --input FILE.csv or a scenario with a workload section (docs/capacity.md)");
    int rc = sim_cap_new(s, &cap, err, errsz);
    if (rc)
        return rc;
    fprintf(f, "t_s,busy,idle,queue,p50_s,p95_s,p99_s\n");
    if ((rc = sim_cap_run(cap, s->seed, &ser, &res, err, errsz)) == 0) {
        plot_var_num(v, "has_lat", 0);
        plot_var_num(v, "lat_p50", res.latency_p50);
        plot_var_num(v, "lat_p95", res.latency_p95);
        plot_var_num(v, "lat_p99", res.latency_p99);
        plot_var_num(v, "jobs", (double)res.jobs);
    }
    sim_cap_free(cap);
    return rc;
}

int plot_write_csv(plot_kind kind, const model_scenario *s, const plot_opts *o, FILE *f, plot_vars *v, char *err,
                   size_t errsz)
{
    if (!o->input && !s)
        return base_errf(err, errsz, BASE_EINPUT, "%s: needs a scenario", kinds[kind].name);
    switch (kind) {
    case PLOT_SPEEDUP: return csv_speedup(s, o, f, v, err, errsz);
    case PLOT_FRAMES: return csv_frames(s, o, f, v, err, errsz);
    case PLOT_MAP: return csv_map(s, o, f, v, err, errsz);
    case PLOT_BREAKDOWN: return csv_breakdown(s, o, f, v, err, errsz);
    case PLOT_GANTT: return o->input ? csv_gantt(o, f, v, err, errsz) : csv_gantt_sim(s, f, v, err, errsz);
    case PLOT_CDF: return o->input ? csv_cdf(o, f, v, err, errsz) : csv_cdf_sim(s, o, f, v, err, errsz);
    case PLOT_CAPACITY: return o->input ? csv_capacity(o, f, v, err, errsz) : csv_capacity_run(s, f, v, err, errsz);
    case PLOT_NKINDS: break;
    }
    assert(0);
    return BASE_ERUNTIME;
}

/* ---- rendering ------------------------------------------------------------------- */

int plot_format(const char *out, const char **fmt)
{
    const char *dot = strrchr(out, '.');
    const char *slash = strrchr(out, '/');
    if (!dot || (slash && dot < slash))
        return -1;
    if (!strcmp(dot, ".png"))
        *fmt = "png";
    else if (!strcmp(dot, ".svg"))
        *fmt = "svg";
    else
        return -1;
    return 0;
}

int plot_render(plot_kind kind, const char *csv, const char *out, const char *fmt, const plot_vars *extra,
                char *err, size_t errsz)
{
    char dir[PATH_MAX], script[PATH_MAX + 64], tmp[PATH_MAX], errfile[PATH_MAX + 16] = "";
    plot_vars v = {.buf = ""};
    int rc;
    tmp[0] = 0;
    if ((rc = plot_data_dir(dir, sizeof dir, err, errsz)))
        return rc;
    snprintf(script, sizeof script, "%s/plots/%s.gp", dir, kinds[kind].name);
    if (access(script, R_OK) != 0)
        return base_errf(err, errsz, BASE_ERUNTIME, "%s: cannot read: %s", script, strerror(errno));
    plot_var_str(&v, "plotdir", dir);
    plot_var_str(&v, "csv", csv);
    plot_var_str(&v, "out", out);
    plot_var_str(&v, "fmt", fmt);
    var_raw(&v, "%s", extra ? extra->buf : "");
    if (v.overflow || (extra && extra->overflow))
        return base_errf(err, errsz, BASE_ERUNTIME, "gnuplot: variables too long");
    if ((rc = base_tmpdir_new(tmp, sizeof tmp, err, errsz)))
        return rc;
    snprintf(errfile, sizeof errfile, "%s/stderr", tmp);
    char *argv[] = {"gnuplot", "-e", v.buf, script, NULL};
    base_proc_result res;
    if ((rc = base_proc_run(argv, NULL, errfile, GNUPLOT_TIMEOUT_S, NULL, &res, err, errsz)))
        goto cleanup;
    if (res.how == BASE_PROC_NOSTART) {
        rc = base_errf(err, errsz, BASE_ERUNTIME, "gnuplot: %s (install gnuplot: make deps)",
                        res.code == ENOENT ? "not found on PATH" : strerror(res.code));
        goto cleanup;
    }
    if (res.how != BASE_PROC_EXITED || res.code != 0) {
        char why[512];
        base_proc_describe(&res, GNUPLOT_TIMEOUT_S, errfile, why, sizeof why);
        rc = base_errf(err, errsz, BASE_ERUNTIME, "gnuplot %s.gp %s", kinds[kind].name, why);
        goto cleanup;
    }
cleanup:
    base_tmpdir_remove(tmp);
    return rc;
}

static int is_dir_writable(const char *path, char *err, size_t errsz)
{
    char dir[PATH_MAX];
    const char *slash = strrchr(path, '/');
    if (strlen(path) >= sizeof dir)
        return base_errf(err, errsz, BASE_EINPUT, "%s: path too long", path);
    if (!slash)
        strcpy(dir, ".");
    else if (slash == path)
        strcpy(dir, "/");
    else {
        memcpy(dir, path, (size_t)(slash - path));
        dir[slash - path] = 0;
    }
    if (access(dir, W_OK) != 0)
        return base_errf(err, errsz, BASE_ERUNTIME, "%s: cannot write to directory %s: %s", path, dir,
                          strerror(errno));
    return BASE_OK;
}

int plot_chart(plot_kind kind, const model_scenario *s, const plot_opts *o, const char *out, char *err,
               size_t errsz)
{
    const char *fmt;
    char csvpath[PATH_MAX];
    base_out co = {0}, io = {0};
    plot_vars v = {.buf = ""};
    int rc, copen = 0, iopen = 0;
    if (plot_format(out, &fmt))
        return base_errf(err, errsz, BASE_EINPUT, "%s: the output must end in .png or .svg", out);
    size_t base = strlen(out) - 4;
    if (base + 5 > sizeof csvpath)
        return base_errf(err, errsz, BASE_EINPUT, "%s: path too long", out);
    memcpy(csvpath, out, base);
    strcpy(csvpath + base, ".csv");
    if ((rc = is_dir_writable(out, err, errsz)))
        return rc;
    /* Both files go to temporary names first; renamed only if gnuplot succeeds. */
    if ((rc = base_out_open(&co, csvpath, err, errsz)))
        goto cleanup;
    copen = 1;
    if ((rc = plot_write_csv(kind, s, o, co.f, &v, err, errsz)))
        goto cleanup;
    if (fflush(co.f) != 0 || ferror(co.f)) {
        rc = base_errf(err, errsz, BASE_ERUNTIME, "%s: write failed", csvpath);
        goto cleanup;
    }
    /* gnuplot writes the image into io.tmp (the same inode io.f holds), then
     * base_out_commit fsyncs and renames it. */
    if ((rc = base_out_open(&io, out, err, errsz)))
        goto cleanup;
    iopen = 1;
    char title[512];
    plot_title(kind, s, title, sizeof title);
    plot_var_str(&v, "title", title);
    if ((rc = plot_render(kind, co.tmp, io.tmp, fmt, &v, err, errsz)))
        goto cleanup;
    iopen = 0;
    if ((rc = base_out_commit(&io, err, errsz)))
        goto cleanup;
    copen = 0;
    if ((rc = base_out_commit(&co, err, errsz))) {
        unlink(out);
        goto cleanup;
    }
cleanup:
    if (iopen)
        base_out_abort(&io);
    if (copen)
        base_out_abort(&co);
    return rc;
}

void plot_title(plot_kind kind, const model_scenario *s, char *buf, size_t n)
{
    const char *name = s ? s->name : "";
    switch (kind) {
    case PLOT_SPEEDUP: snprintf(buf, n, "%s, %ld frames: speedup and cost against 1 GPU", name, s ? s->frames : 0); break;
    case PLOT_FRAMES: snprintf(buf, n, "%s: mean wall time and cost against video length", name); break;
    case PLOT_MAP: snprintf(buf, n, "%s: split or not? best GPU count by video length and cost per frame", name); break;
    case PLOT_BREAKDOWN: snprintf(buf, n, "%s, %ld frames: where the time goes (slowest container, mean)", name, s ? s->frames : 0); break;
    case PLOT_GANTT: snprintf(buf, n, "%s%sone simulated run per GPU count", name, *name ? ": " : ""); break;
    case PLOT_CDF: snprintf(buf, n, "%s%ssimulated wall time distribution per GPU count", name, *name ? ": " : ""); break;
    case PLOT_CAPACITY: snprintf(buf, n, "%s%slatency and containers over time", name, *name ? ": " : ""); break;
    case PLOT_NKINDS: buf[0] = 0; break;
    }
}

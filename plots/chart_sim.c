/* plots/chart_sim.c -- the charts of the simulator and of the files it
 * writes: gantt and cdf (capacity: chart_cap.c). See chart.h and
 * chart_csv.h. */
#include "plots/chart_csv.h"
#include "plots/csv_in.h"
#include "base/status.h"
#include "sim/montecarlo.h"

#include <assert.h>
#include <gsl/gsl_statistics_double.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
    plot_var_gpus(v, ks, nk);
    plot_var_num(v, "rows", row + 1);
    plot_var_num(v, "has_other", other);
    plot_var_num(v, "tmax", tmax);
}

static int csv_gantt(const plot_opts *o, FILE *f, plot_vars *v, char *err, size_t errsz)
{
    static const char *need[] = {"k", "container", "chunk", "phase", "start_s", "end_s"};
    plot_csvin c;
    span *sp = NULL;
    int idx[6], rc;
    if ((rc = plot_csvin_read(&c, o->input, err, errsz)) || (rc = plot_csvin_need(&c, need, 6, idx, err, errsz)))
        goto cleanup;
    if (!(sp = calloc((size_t)c.nrows, sizeof *sp))) {
        rc = base_errf(err, errsz, BASE_ERUNTIME, "out of memory");
        goto cleanup;
    }
    for (int r = 0; r < c.nrows; r++) {
        char *fl[PLOT_CSVIN_MAXCOLS];
        double k, cont, chunk;
        if ((rc = plot_csvin_fields(&c, r, fl, err, errsz)) || (rc = plot_csvin_num(&c, r, "k", fl[idx[0]], &k, err, errsz)) ||
            (rc = plot_csvin_num(&c, r, "container", fl[idx[1]], &cont, err, errsz)) ||
            (rc = plot_csvin_num(&c, r, "chunk", fl[idx[2]], &chunk, err, errsz)) ||
            (rc = plot_csvin_num(&c, r, "start_s", fl[idx[4]], &sp[r].t0, err, errsz)) ||
            (rc = plot_csvin_num(&c, r, "end_s", fl[idx[5]], &sp[r].t1, err, errsz)))
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
    plot_csvin_free(&c);
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
    plot_var_gpus(v, ks, nk);
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
    plot_csvin c;
    int idx[2], rc, *k = NULL;
    double *w = NULL;
    if ((rc = plot_csvin_read(&c, o->input, err, errsz)) || (rc = plot_csvin_need(&c, need, 2, idx, err, errsz)))
        goto cleanup;
    k = malloc((size_t)c.nrows * sizeof *k);
    w = malloc((size_t)c.nrows * sizeof *w);
    if (!k || !w) {
        rc = base_errf(err, errsz, BASE_ERUNTIME, "out of memory");
        goto cleanup;
    }
    for (int r = 0; r < c.nrows; r++) {
        char *fl[PLOT_CSVIN_MAXCOLS];
        double kk;
        if ((rc = plot_csvin_fields(&c, r, fl, err, errsz)) || (rc = plot_csvin_num(&c, r, "k", fl[idx[0]], &kk, err, errsz)) ||
            (rc = plot_csvin_num(&c, r, "wall_s", fl[idx[1]], &w[r], err, errsz)))
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
    plot_csvin_free(&c);
    return rc;
}

int plot_sim_csv(plot_kind kind, const model_scenario *s, const plot_opts *o, FILE *f, plot_vars *v,
                 char *err, size_t errsz)
{
    switch (kind) {
    case PLOT_GANTT: return o->input ? csv_gantt(o, f, v, err, errsz) : csv_gantt_sim(s, f, v, err, errsz);
    case PLOT_CDF: return o->input ? csv_cdf(o, f, v, err, errsz) : csv_cdf_sim(s, o, f, v, err, errsz);
    case PLOT_CAPACITY: return plot_cap_csv(s, o, f, v, err, errsz);
    default: break;
    }
    assert(0);
    return BASE_ERUNTIME;
}

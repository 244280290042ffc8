/* plots/chart_cap.c -- the capacity chart: the pool over time aggregated to
 * a readable step, and job latency per window (docs/plots.md). See chart.h
 * (plot_capacity_step) and chart_csv.h (plot_cap_csv).
 *
 * CSV: one row per window [t_s, t_end_s), series "pool" (busy, idle, queue:
 * means of the samples in it; live_min/live_max, queue_max: their extremes)
 * or "latency" (p50_s, p95_s, p99_s, latency_mean_s, jobs: the window's
 * jobs). Without --input: three runs of the scenario's workload with its
 * seed (sim/capacity.h; the same arrivals and services each time): one for
 * the run's figures, one sampling the pool PLOT_CAP_SAMPLES times per step,
 * and, with workload.hours, one with transient buckets for the latency per
 * window, its warm-up set to 0 (a warm-up only decides which jobs are
 * counted, never the pool's path). */
#include "plots/chart_csv.h"
#include "plots/csv_in.h"
#include "base/status.h"
#include "sim/capacity.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#define PLOT_CAP_SAMPLES 10   /* pool samples per step without --input */
#define PLOT_CAP_JOBS_PER_WINDOW 20 /* latency windows hold about this many jobs (at most 60 windows) */

double plot_capacity_step(double duration_s, double min_step_s)
{
    static const double nice[] = {1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600,
                                  43200, 86400, 172800, 345600, 604800};
    double step = 0;
    for (size_t i = 0; i < sizeof nice / sizeof *nice && !step; i++)
        if (duration_s / nice[i] < PLOT_CAP_MAX_POINTS)
            step = nice[i];
    if (!step) /* weeks */
        step = 604800 * floor(duration_s / PLOT_CAP_MAX_POINTS / 604800 + 1);
    return fmax(step, min_step_s);
}

/* ---- the pool, bucket by bucket ---------------------------------------------- */

typedef struct {
    FILE *f;
    double step, end;     /* bucket width; the last bucket ends at end */
    long b;               /* current bucket, -1 before the first sample */
    long n;
    double busy, idle, queue, lmin, lmax, qmax;
    long rows;
} pool_agg;

static void pool_flush(pool_agg *a)
{
    if (a->b < 0 || a->n == 0)
        return;
    double t0 = (double)a->b * a->step, t1 = fmin(t0 + a->step, a->end);
    fprintf(a->f, "%.9g,%.6g,%.6g,%.6g,,,,%.9g,%.9g,%.9g,%.9g,,,pool\n", t0, a->busy / (double)a->n,
            a->idle / (double)a->n, a->queue / (double)a->n, t1 > t0 ? t1 : t0 + a->step, a->lmin, a->lmax, a->qmax);
    a->rows++;
}

/* One sample at t (its bucket: floor(t / step), t from 0). */
static void pool_add(pool_agg *a, double t, double busy, double idle, double queue)
{
    long b = (long)floor(t / a->step + 1e-9);
    if (b != a->b) {
        pool_flush(a);
        a->b = b;
        a->n = 0;
        a->busy = a->idle = a->queue = a->qmax = 0;
        a->lmin = DBL_MAX;
        a->lmax = 0;
    }
    a->n++;
    a->busy += busy;
    a->idle += idle;
    a->queue += queue;
    a->lmin = fmin(a->lmin, busy + idle);
    a->lmax = fmax(a->lmax, busy + idle);
    a->qmax = fmax(a->qmax, queue);
}

static const char header[] =
    "t_s,busy,idle,queue,p50_s,p95_s,p99_s,t_end_s,live_min,live_max,queue_max,latency_mean_s,jobs,series\n";

/* ---- from a --series CSV ---------------------------------------------------------- */

typedef struct {
    double t, busy, idle, queue, lat[3]; /* lat: NAN where the cell is empty or absent */
} series_row;

static int read_series(const plot_opts *o, series_row **out, int *n, int *nlat, char *err, size_t errsz)
{
    static const char *need[] = {"t_s", "busy", "idle", "queue"};
    static const char *lat[] = {"p50_s", "p95_s", "p99_s"};
    plot_csvin c;
    int idx[4], li[3], rc;
    series_row *s = NULL;
    *nlat = 0;
    if ((rc = plot_csvin_read(&c, o->input, err, errsz)) || (rc = plot_csvin_need(&c, need, 4, idx, err, errsz)))
        goto cleanup;
    for (int i = 0; i < 3; i++)
        *nlat += (li[i] = plot_csvin_col(&c, lat[i])) >= 0;
    if (!(s = malloc((size_t)c.nrows * sizeof *s))) {
        rc = base_errf(err, errsz, BASE_ERUNTIME, "out of memory");
        goto cleanup;
    }
    for (int r = 0; r < c.nrows; r++) {
        char *fl[PLOT_CSVIN_MAXCOLS];
        double x[4];
        if ((rc = plot_csvin_fields(&c, r, fl, err, errsz)))
            goto cleanup;
        for (int i = 0; i < 4; i++)
            if ((rc = plot_csvin_num(&c, r, need[i], fl[idx[i]], &x[i], err, errsz)))
                goto cleanup;
        if ((r > 0 && x[0] < s[r - 1].t) || x[1] < 0 || x[2] < 0 || x[3] < 0) {
            rc = base_errf(err, errsz, BASE_EINPUT, "%s: data row %d: t_s must not decrease and counts must be >= 0",
                           c.file, r + 1);
            goto cleanup;
        }
        s[r] = (series_row){x[0], x[1], x[2], x[3], {NAN, NAN, NAN}};
        for (int i = 0; i < 3; i++) /* an empty latency cell (no job in the window) stays empty */
            if (li[i] >= 0 && *fl[li[i]] && (rc = plot_csvin_num(&c, r, lat[i], fl[li[i]], &s[r].lat[i], err, errsz)))
                goto cleanup;
    }
    *n = c.nrows;
    *out = s;
    s = NULL;
cleanup:
    free(s);
    plot_csvin_free(&c);
    return rc;
}

/* The input's own step: its smallest positive spacing (0 for one row). */
static double input_step(const series_row *s, int n)
{
    double m = 0;
    for (int i = 1; i < n; i++)
        if (s[i].t > s[i - 1].t && (m == 0 || s[i].t - s[i - 1].t < m))
            m = s[i].t - s[i - 1].t;
    return m;
}

/* capacity --input: the rows aggregated to the step (never finer than the
 * input's); a window's percentiles the mean of its rows' (an approximation:
 * the file has no per-job latencies). */
static int csv_capacity(const plot_opts *o, FILE *f, plot_vars *v, char *err, size_t errsz)
{
    series_row *s = NULL;
    int n = 0, nlat, rc = read_series(o, &s, &n, &nlat, err, errsz);
    if (rc)
        return rc;
    double t0 = s[0].t, span = s[n - 1].t - t0, own = input_step(s, n);
    double step = plot_capacity_step(span, own);
    pool_agg a = {f, step, s[n - 1].t - t0 + own, -1, 0, 0, 0, 0, 0, 0, 0, 0};
    int has50 = 0, has95 = 0;
    fputs(header, f);
    for (int i = 0; i < n; i++)
        pool_add(&a, s[i].t - t0, s[i].busy, s[i].idle, s[i].queue);
    pool_flush(&a);
    for (int i = 0; i < n && nlat;) { /* latency rows, bucket by bucket */
        long b = (long)floor((s[i].t - t0) / step + 1e-9);
        double sum[3] = {0, 0, 0};
        int cnt[3] = {0, 0, 0};
        for (; i < n && (long)floor((s[i].t - t0) / step + 1e-9) == b; i++)
            for (int q = 0; q < 3; q++)
                if (!isnan(s[i].lat[q])) {
                    sum[q] += s[i].lat[q];
                    cnt[q]++;
                }
        if (!cnt[0] && !cnt[1] && !cnt[2])
            continue;
        fprintf(f, "%.9g,,,", t0 + (double)b * step);
        for (int q = 0; q < 3; q++)
            cnt[q] ? fprintf(f, ",%.6g", sum[q] / cnt[q]) : fputs(",", f);
        fprintf(f, ",%.9g,,,,,,latency\n", t0 + (double)(b + 1) * step);
        has50 |= cnt[0] > 0;
        has95 |= cnt[1] > 0;
    }
    plot_var_num(v, "t0", t0);
    plot_var_num(v, "step_s", step);
    plot_var_num(v, "has_lat", has50 && has95 ? 2 : has95 ? 1 : 0);
    plot_var_num(v, "lat_p50", -1);
    plot_var_num(v, "lat_p95", -1);
    plot_var_num(v, "lat_p99", -1);
    plot_var_num(v, "lat_window_s", step);
    free(s);
    return BASE_OK;
}

/* ---- from the scenario's workload ------------------------------------------------ */

static void series_sample(double t, int busy, int idle, int queue, void *ctx)
{
    pool_add(ctx, t, busy, idle, queue);
}

/* Latency per window by arrival: transient buckets of a copy with no
 * warm-up (needs workload.hours). Writes nothing when it cannot. */
static int latency_windows(const model_scenario *s, long jobs, FILE *f, double *window, char *err, size_t errsz)
{
    model_scenario t = *s; /* borrowed view: only the warm-up differs */
    sim_cap *cap = NULL;
    sim_cap_result res;
    sim_cap_bucket bk[SIM_CAP_MAX_BUCKETS];
    long nw = jobs / PLOT_CAP_JOBS_PER_WINDOW;
    int n = nw < 1 ? 1 : nw > SIM_CAP_MAX_BUCKETS ? SIM_CAP_MAX_BUCKETS : (int)nw, rc;
    sim_cap_opts o = {.series = NULL, .buckets = n, .bucket = bk};
    *window = 0;
    if (!(s->hours > 0))
        return BASE_OK;
    t.warmup_jobs = 0;
    if ((rc = sim_cap_new(&t, &cap, err, errsz)) || (rc = sim_cap_run_opts(cap, s->seed, &o, &res, err, errsz)))
        goto cleanup;
    for (int i = 0; i < n; i++) {
        if (bk[i].served == 0)
            continue;
        fprintf(f, "%.9g,,,,%.6g,%.6g,%.6g,%.9g,,,,%.6g,%ld,latency\n", bk[i].start, bk[i].latency_p50,
                bk[i].latency_p95, bk[i].latency_p99, bk[i].end, bk[i].latency_mean, bk[i].served);
    }
    *window = s->hours * 3600 / n;
cleanup:
    sim_cap_free(cap);
    return rc;
}

static int csv_capacity_run(const model_scenario *s, FILE *f, plot_vars *v, char *err, size_t errsz)
{
    sim_cap *cap = NULL;
    sim_cap_result res, again;
    double window = 0;
    if (!s->has_workload)
        return base_errf(err, errsz, BASE_EINPUT,
                         "capacity: needs --input FILE.csv or a scenario with a workload section (docs/capacity.md)");
    int rc = sim_cap_new(s, &cap, err, errsz);
    if (rc)
        return rc;
    if ((rc = sim_cap_run(cap, s->seed, NULL, &res, err, errsz)))
        goto cleanup;
    double step = plot_capacity_step(res.t_end, 0);
    pool_agg a = {f, step, res.t_end, -1, 0, 0, 0, 0, 0, 0, 0, 0};
    sim_cap_series ser = {step / PLOT_CAP_SAMPLES, series_sample, &a};
    fputs(header, f);
    if ((rc = sim_cap_run(cap, s->seed, &ser, &again, err, errsz)))
        goto cleanup;
    pool_flush(&a);
    if ((rc = latency_windows(s, res.jobs_total, f, &window, err, errsz)))
        goto cleanup;
    plot_var_num(v, "t0", 0);
    plot_var_num(v, "step_s", step);
    plot_var_num(v, "has_lat", window > 0 ? 2 : 0);
    plot_var_num(v, "lat_p50", res.latency_p50);
    plot_var_num(v, "lat_p95", res.latency_p95);
    plot_var_num(v, "lat_p99", res.latency_p99);
    plot_var_num(v, "lat_window_s", window);
    plot_var_num(v, "jobs", (double)res.jobs);
cleanup:
    sim_cap_free(cap);
    return rc;
}

int plot_cap_csv(const model_scenario *s, const plot_opts *o, FILE *f, plot_vars *v, char *err, size_t errsz)
{
    return o->input ? csv_capacity(o, f, v, err, errsz) : csv_capacity_run(s, f, v, err, errsz);
}

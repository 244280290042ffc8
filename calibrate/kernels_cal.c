/* calibrate/kernels_cal.c -- the per-frame calibration of kern_overlay /
 * kern_framing, against the FFmpeg peers of kernel_peers.h. */
#include "calibrate/kernels_cal.h"
#include "calibrate/provenance.h"
#include "calibrate/kernel_peers.h"
#include "base/clock.h"
#include "base/status.h"

#include <assert.h>
#include <cjson/cJSON.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- statistics --------------------------------------------------------- */

void cal_stats_summarise(double *x, long n, cal_kernel_stats *st)
{
    assert(n >= 1);
    gsl_sort(x, 1, (size_t)n);
    st->n = n;
    st->mean_s = gsl_stats_mean(x, 1, (size_t)n);
    st->sd_s = n > 1 ? gsl_stats_sd_m(x, 1, (size_t)n, st->mean_s) : 0;
    st->median_s = gsl_stats_median_from_sorted_data(x, 1, (size_t)n);
    st->p10_s = gsl_stats_quantile_from_sorted_data(x, 1, (size_t)n, 0.10);
    st->p90_s = gsl_stats_quantile_from_sorted_data(x, 1, (size_t)n, 0.90);
    st->min_s = x[0];
    st->max_s = x[n - 1];
}

static double median_of(double *x, long n)
{
    gsl_sort(x, 1, (size_t)n);
    return gsl_stats_median_from_sorted_data(x, 1, (size_t)n);
}

cJSON *cal_per_frame_dist(double mean, double sd)
{
    cJSON *d = cJSON_CreateObject();
    if (!d)
        return NULL;
    double cv = mean > 0 ? sd / mean : 0;
    if (cv > 1e-9) {
        cJSON_AddStringToObject(d, "dist", "gamma");
        cJSON_AddNumberToObject(d, "mean", mean);
        cJSON_AddNumberToObject(d, "cv", cv);
    } else {
        cJSON_AddStringToObject(d, "dist", "fixed");
        cJSON_AddNumberToObject(d, "value", mean);
    }
    return d;
}

/* ---- calibration -------------------------------------------------------- */

void cal_overlay_place(int w, int h, int *ow, int *oh, int *x, int *y)
{
    if (*ow <= 0 || *oh <= 0) {
        *ow = w / 2 > 0 ? w / 2 : 1;
        *oh = h / 4 > 0 ? h / 4 : 1;
    }
    *x = ((w - *ow) / 2) & ~1;
    *y = (h - *oh - h / 16) & ~1;
    if (*x < 0)
        *x = 0;
    if (*y < 0)
        *y = 0;
}

void cal_framing_out_default(int w, int h, int *ow, int *oh)
{
    (void)w;
    *ow = h & ~1;
    *oh = (int)((long)h * 16 / 9) & ~1;
    if (*ow < 2)
        *ow = 2;
    if (*oh < 2)
        *oh = 2;
}

void cal_kernels_opts_default(cal_kernels_opts *o)
{
    memset(o, 0, sizeof *o);
    o->backend = KERN_AUTO;
    o->w = 1920;
    o->h = 1080;
    o->filter = KERN_LANCZOS;
    o->frames = 50;
    o->warmup = 3;
    o->with_ffmpeg = 1;
}

typedef struct {
    double *tot, *up, *ker, *down, *ff;
} samples;

static void samples_free(samples *s)
{
    free(s->tot);
    free(s->up);
    free(s->ker);
    free(s->down);
    free(s->ff);
}

static int samples_alloc(samples *s, long n)
{
    memset(s, 0, sizeof *s);
    s->tot = calloc((size_t)n, sizeof(double));
    s->up = calloc((size_t)n, sizeof(double));
    s->ker = calloc((size_t)n, sizeof(double));
    s->down = calloc((size_t)n, sizeof(double));
    s->ff = calloc((size_t)n, sizeof(double));
    return s->tot && s->up && s->ker && s->down && s->ff ? 0 : -1;
}

static void finish_stats(samples *s, long n, const kern_times *last, double bytes, int ff,
                         cal_kernel_stats *st)
{
    cal_stats_summarise(s->tot, n, st);
    st->upload_s = median_of(s->up, n);
    st->kernel_s = median_of(s->ker, n);
    st->download_s = median_of(s->down, n);
    st->upload_bytes = (double)last->upload_bytes;
    st->download_bytes = (double)last->download_bytes;
    st->bytes = bytes;
    st->gbps = st->kernel_s > 0 ? bytes / st->kernel_s / 1e9 : 0;
    st->ff_median_s = ff ? median_of(s->ff, n) : NAN;
}

/* Check o and resolve its defaults into r->opts (sizes, overlay placement). */
static int resolve_opts(const cal_kernels_opts *o, cal_kernels_result *r, char *err, size_t errsz)
{
    memset(r, 0, sizeof *r);
    r->opts = *o;
    if (o->frames < 1 || o->warmup < 0)
        return base_errf(err, errsz, BASE_EINPUT, "frames: must be at least 1");
    if (o->w < 16 || o->h < 16)
        return base_errf(err, errsz, BASE_EINPUT, "size: frames must be at least 16x16");
    if (!o->out_w || !o->out_h)
        cal_framing_out_default(o->w, o->h, &r->opts.out_w, &r->opts.out_h);
    if (r->opts.out_w < 2 || r->opts.out_h < 2)
        return base_errf(err, errsz, BASE_EINPUT, "out size: must be at least 2x2");
    int ow = o->ov_w, oh = o->ov_h;
    if (ow > o->w || oh > o->h || ow < 0 || oh < 0)
        return base_errf(err, errsz, BASE_EINPUT, "overlay size: must fit inside the frame");
    cal_overlay_place(o->w, o->h, &ow, &oh, &r->ov_x, &r->ov_y);
    r->opts.ov_w = ow;
    r->opts.ov_h = oh;
    return BASE_OK;
}

/* What both timing loops use: the context, the frames, the samples and the
 * FFmpeg peers (NULL when not run). */
typedef struct {
    const cal_kernels_opts *o;  /* resolved */
    kern_ctx *ctx;
    kern_frame *src, *work, *ov, *dst, *ffout;
    cal_ff_overlay *ffo;
    cal_ff_scale *ffs;
    int ffthreads;              /* FFmpeg's threads: the CPU backend's, else auto */
    samples s;
} rig;

static void rig_free(rig *g)
{
    samples_free(&g->s);
    cal_ff_overlay_free(g->ffo);
    cal_ff_scale_free(g->ffs);
    kern_frame_free(g->src);
    kern_frame_free(g->work);
    kern_frame_free(g->ov);
    kern_frame_free(g->dst);
    kern_frame_free(g->ffout);
    kern_ctx_free(g->ctx);
}

static int rig_new(rig *g, cal_kernels_result *r, char *err, size_t errsz)
{
    const cal_kernels_opts *o = g->o;
    char kerr[256];
    if (!(g->ctx = kern_ctx_new(o->backend, o->threads, kerr, sizeof kerr)))
        return base_errf(err, errsz, o->backend == KERN_CUDA ? BASE_EINPUT : BASE_ERUNTIME, "%s", kerr);
    r->opts.backend = kern_ctx_backend(g->ctx);
    r->opts.threads = kern_ctx_threads(g->ctx);
    snprintf(r->device, sizeof r->device, "%s",
             r->opts.backend == KERN_CUDA ? kern_cuda_device_name() : "cpu");
    g->src = kern_frame_new(o->w, o->h, 0);
    g->work = kern_frame_new(o->w, o->h, 0);
    g->ov = kern_frame_new(o->ov_w, o->ov_h, 1);
    g->dst = kern_frame_new(o->out_w, o->out_h, 0);
    g->ffout = kern_frame_new(o->w > o->out_w ? o->w : o->out_w, o->h > o->out_h ? o->h : o->out_h, 0);
    if (!g->src || !g->work || !g->ov || !g->dst || !g->ffout || samples_alloc(&g->s, o->frames))
        return base_errf(err, errsz, BASE_ERUNTIME, "calibrate kernels: out of memory");
    kern_fill_graphic(g->ov, 1);
    g->ffthreads = r->opts.backend == KERN_CPU ? r->opts.threads : 0;
    return BASE_OK;
}

/* Sample j of a loop: the call's wall time el and its phases. */
static void record(rig *g, long j, double el, const kern_times *t)
{
    g->s.tot[j] = el;
    g->s.up[j] = t->upload_s;
    g->s.ker[j] = t->kernel_s;
    g->s.down[j] = t->download_s;
}

/* Overlay: a fresh picture each frame (the copy is not timed). */
static int time_overlay(rig *g, cal_kernels_result *r, char *err, size_t errsz)
{
    const cal_kernels_opts *o = g->o;
    long total = o->warmup + o->frames;
    char kerr[256];
    int rc;
    if (o->with_ffmpeg &&
        !(g->ffo = cal_ff_overlay_new(o->w, o->h, g->ov, r->ov_x, r->ov_y, g->ffthreads, err, errsz)))
        return BASE_ERUNTIME;
    kern_times t = {0};
    for (long i = 0; i < total; i++) {
        if (o->cancel && *o->cancel)
            return base_errf(err, errsz, BASE_ERUNTIME, "interrupted");
        kern_fill_pattern(g->src, i);
        kern_frame_copy(g->work, g->src);
        double t0 = base_now_s();
        if ((rc = kern_overlay(g->ctx, g->work, g->ov, r->ov_x, r->ov_y, &t, kerr, sizeof kerr)))
            return base_errf(err, errsz, rc, "%s", kerr);
        double el = base_now_s() - t0;
        long j = i - o->warmup;
        if (j >= 0) {
            record(g, j, el, &t);
            if (g->ffo) {
                g->ffout->w = o->w;
                g->ffout->h = o->h;
                if ((rc = cal_ff_overlay_run(g->ffo, g->src, g->ffout, &g->s.ff[j], err, errsz)))
                    return rc;
            }
        }
        if (o->progress)
            o->progress(o->progress_arg, "overlay", i + 1, total);
    }
    /* Bytes: overlay Y, U, V, A read; frame Y, U, V read and written. */
    double area = (double)o->ov_w * o->ov_h;
    finish_stats(&g->s, o->frames, &t, area * (1 + 0.5 + 1) + 2 * area * 1.5, g->ffo != NULL, &r->overlay);
    r->overlay.ff_threads = g->ffthreads;
    return BASE_OK;
}

/* Framing: the window pans left to right across the timed frames. */
static int time_framing(rig *g, cal_kernels_result *r, char *err, size_t errsz)
{
    const cal_kernels_opts *o = g->o;
    long total = o->warmup + o->frames;
    char kerr[256];
    int rc;
    kern_rect c0 = kern_framing_window(o->w, o->h, o->out_w, o->out_h, 0, 1, 0, 1);
    if (o->with_ffmpeg &&
        !(g->ffs = cal_ff_scale_new(c0.w, c0.h, o->out_w, o->out_h, o->filter, g->ffthreads, err, errsz)))
        return BASE_ERUNTIME;
    kern_times t = {0};
    for (long i = 0; i < total; i++) {
        if (o->cancel && *o->cancel)
            return base_errf(err, errsz, BASE_ERUNTIME, "interrupted");
        kern_fill_pattern(g->src, i);
        kern_rect c = kern_framing_window(o->w, o->h, o->out_w, o->out_h, 0, 1, i, total);
        double t0 = base_now_s();
        if ((rc = kern_framing(g->ctx, g->src, c, g->dst, o->filter, &t, kerr, sizeof kerr)))
            return base_errf(err, errsz, rc, "%s", kerr);
        double el = base_now_s() - t0;
        long j = i - o->warmup;
        if (j >= 0) {
            record(g, j, el, &t);
            if (g->ffs) {
                g->ffout->w = o->out_w;
                g->ffout->h = o->out_h;
                if ((rc = cal_ff_scale_run(g->ffs, g->src, c, g->ffout, &g->s.ff[j], err, errsz)))
                    return rc;
            }
        }
        if (o->progress)
            o->progress(o->progress_arg, "framing", i + 1, total);
    }
    finish_stats(&g->s, o->frames, &t, 1.5 * ((double)c0.w * c0.h + (double)o->out_w * o->out_h), g->ffs != NULL,
                 &r->framing);
    r->framing.ff_threads = g->ffthreads;
    return BASE_OK;
}

int cal_kernels_run(const cal_kernels_opts *o, cal_kernels_result *r, char *err, size_t errsz)
{
    int rc;
    if ((rc = resolve_opts(o, r, err, errsz)))
        return rc;
    rig g = {.o = &r->opts}; /* resolved sizes from here on */
    if ((rc = rig_new(&g, r, err, errsz)) || (rc = time_overlay(&g, r, err, errsz)) ||
        (rc = time_framing(&g, r, err, errsz)))
        goto cleanup;
cleanup:
    rig_free(&g);
    return rc;
}

static cJSON *stats_json(const cal_kernel_stats *st, int cuda)
{
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    cJSON_AddNumberToObject(o, "frames", (double)st->n);
    cJSON_AddNumberToObject(o, "median_s", st->median_s);
    cJSON_AddNumberToObject(o, "mean_s", st->mean_s);
    cJSON_AddNumberToObject(o, "sd_s", st->sd_s);
    cJSON_AddNumberToObject(o, "p10_s", st->p10_s);
    cJSON_AddNumberToObject(o, "p90_s", st->p90_s);
    cJSON_AddNumberToObject(o, "min_s", st->min_s);
    cJSON_AddNumberToObject(o, "max_s", st->max_s);
    cJSON_AddNumberToObject(o, "kernel_median_s", st->kernel_s);
    if (cuda) {
        cJSON_AddNumberToObject(o, "upload_median_s", st->upload_s);
        cJSON_AddNumberToObject(o, "download_median_s", st->download_s);
        cJSON_AddNumberToObject(o, "upload_mb_per_frame", st->upload_bytes / 1e6);
        cJSON_AddNumberToObject(o, "download_mb_per_frame", st->download_bytes / 1e6);
    }
    cJSON_AddNumberToObject(o, "mb_touched_per_frame", st->bytes / 1e6);
    cJSON_AddNumberToObject(o, "kernel_gb_s", st->gbps);
    if (!isnan(st->ff_median_s)) {
        cJSON_AddNumberToObject(o, "ffmpeg_median_s", st->ff_median_s);
        cJSON_AddNumberToObject(o, "ffmpeg_threads", st->ff_threads);
    }
    return o;
}

/* The kernel-only record: covers, device, the figure's interval. */
static cJSON *kernels_prov(const cal_kernels_result *r, const char *stage, const cal_kernel_stats *st)
{
    cJSON *p = cal_prov_new("calibrate kernels", "kernel_only", r->device, 1, NULL);
    if (!p)
        return NULL;
    cJSON_AddStringToObject(p, "stage", stage);
    char how[160];
    snprintf(how, sizeof how, "the %s kernel call per frame%s, mean of %ld frames; decode and encode excluded",
             stage, r->opts.backend == KERN_CUDA ? " with its host<->device copies" : "", st->n);
    double ci[2];
    cal_prov_mean_ci(st->mean_s, st->sd_s, st->n, ci);
    cJSON *f = cal_prov_field(p, "stage.per_frame_s", how);
    cal_prov_fit(f, st->mean_s, ci, -1, st->n);
    cJSON_AddNumberToObject(f, "p10_s", st->p10_s);
    cJSON_AddNumberToObject(f, "p90_s", st->p90_s);
    return p;
}

cJSON *cal_kernels_json(const cal_kernels_result *r, const char *stage)
{
    const cal_kernel_stats *st = !strcmp(stage, "framing") ? &r->framing : &r->overlay;
    cJSON *root = cJSON_CreateObject(), *ko, *stg, *cal;
    char buf[64];
    if (!root)
        return NULL;
    /* Never "stage": applying a kernel alone as the stage's cost needs
     * --allow-kernel-only (model/profile.h). */
    ko = cJSON_AddObjectToObject(root, "kernel_only");
    stg = cJSON_AddObjectToObject(ko, "stage");
    cJSON_AddItemToObject(stg, "per_frame_s", cal_per_frame_dist(st->mean_s, st->sd_s));
    cal = cJSON_AddObjectToObject(root, "calibration");
    cJSON_AddStringToObject(cal, "mode", "kernels");
    cJSON_AddStringToObject(cal, "stage", stage);
    cJSON_AddStringToObject(cal, "backend", kern_backend_name(r->opts.backend));
    cJSON_AddStringToObject(cal, "device", r->device);
    cJSON_AddNumberToObject(cal, "threads", r->opts.threads);
    snprintf(buf, sizeof buf, "%dx%d", r->opts.w, r->opts.h);
    cJSON_AddStringToObject(cal, "size", buf);
    snprintf(buf, sizeof buf, "%dx%d+%d+%d", r->opts.ov_w, r->opts.ov_h, r->ov_x, r->ov_y);
    cJSON_AddStringToObject(cal, "overlay", buf);
    snprintf(buf, sizeof buf, "%dx%d", r->opts.out_w, r->opts.out_h);
    cJSON_AddStringToObject(cal, "framing_out", buf);
    cJSON_AddStringToObject(cal, "framing_filter", kern_filter_name(r->opts.filter));
    cJSON_AddStringToObject(cal, "per_frame_s_is",
                            "whole kernel call per frame (transfers included on cuda); "
                            "decode and encode excluded");
    cJSON_AddItemToObject(cal, "overlay_stats", stats_json(&r->overlay, r->opts.backend == KERN_CUDA));
    cJSON_AddItemToObject(cal, "framing_stats", stats_json(&r->framing, r->opts.backend == KERN_CUDA));
    cJSON_AddItemToObject(root, "_provenance", kernels_prov(r, stage, st));
    if (!cJSON_GetObjectItem(stg, "per_frame_s") || !cJSON_GetObjectItem(cal, "framing_stats") ||
        !cJSON_GetObjectItem(root, "_provenance")) {
        cJSON_Delete(root);
        return NULL;
    }
    return root;
}

/* calibrate/kernels_cal.c -- FFmpeg peers for the kernels, and the per-frame
 * calibration of kern_overlay / kern_framing. */
#include "calibrate/kernels_cal.h"
#include "base/clock.h"

#include "base/status.h"

#include <assert.h>
#include <cjson/cJSON.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <libavfilter/avfilter.h>
#include <libavfilter/buffersink.h>
#include <libavfilter/buffersrc.h>
#include <libavutil/frame.h>
#include <libavutil/opt.h>
#include <libswscale/swscale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int av_fail(char *err, size_t errsz, const char *what, int averr)
{
    char buf[AV_ERROR_MAX_STRING_SIZE];
    av_strerror(averr, buf, sizeof buf);
    return base_errf(err, errsz, BASE_ERUNTIME, "%s: %s", what, buf);
}

/* Copy the visible planes of a kern_frame into an AVFrame and back. */
static void to_av(AVFrame *d, const kern_frame *s, int planes)
{
    for (int p = 0; p < planes; p++) {
        int w = p == 1 || p == 2 ? (s->w + 1) / 2 : s->w, h = p == 1 || p == 2 ? (s->h + 1) / 2 : s->h;
        for (int r = 0; r < h; r++)
            memcpy(d->data[p] + (size_t)r * d->linesize[p], s->data[p] + (size_t)r * s->linesize[p],
                   (size_t)w);
    }
}

static void from_av(kern_frame *d, const AVFrame *s)
{
    kern_frame v = {s->width, s->height, {s->data[0], s->data[1], s->data[2], NULL},
                    {s->linesize[0], s->linesize[1], s->linesize[2], 0}};
    kern_frame dd = *d;
    dd.data[3] = NULL;
    kern_frame_copy(&dd, &v);
}

static AVFrame *new_av(int w, int h, enum AVPixelFormat fmt, int64_t pts)
{
    AVFrame *f = av_frame_alloc();
    if (!f)
        return NULL;
    f->width = w;
    f->height = h;
    f->format = fmt;
    f->pts = pts;
    f->sample_aspect_ratio = (AVRational){1, 1};
    if (av_frame_get_buffer(f, 0) < 0)
        av_frame_free(&f);
    return f;
}

/* ---- overlay peer ------------------------------------------------------- */

struct cal_ff_overlay {
    AVFilterGraph *g;
    AVFilterContext *main_src, *ov_src, *sink;
    int w, h;
    int64_t pts;
};

cal_ff_overlay *cal_ff_overlay_new(int w, int h, const kern_frame *ov, int x, int y, int threads,
                                   char *err, size_t errsz)
{
    cal_ff_overlay *o = calloc(1, sizeof *o);
    AVFrame *f = NULL;
    AVFilterContext *ovf = NULL;
    char args[256];
    int ret;
    if (!o || !(o->g = avfilter_graph_alloc())) {
        base_errf(err, errsz, BASE_ERUNTIME, "ffmpeg overlay: out of memory");
        goto fail;
    }
    o->w = w;
    o->h = h;
    o->g->nb_threads = threads;
    avfilter_graph_set_auto_convert(o->g, AVFILTER_AUTO_CONVERT_NONE);
    snprintf(args, sizeof args, "video_size=%dx%d:pix_fmt=%d:time_base=1/25:pixel_aspect=1/1", w, h,
             AV_PIX_FMT_YUV420P);
    if ((ret = avfilter_graph_create_filter(&o->main_src, avfilter_get_by_name("buffer"), "main", args,
                                            NULL, o->g)) < 0)
        goto avfail;
    snprintf(args, sizeof args, "video_size=%dx%d:pix_fmt=%d:time_base=1/25:pixel_aspect=1/1", ov->w,
             ov->h, AV_PIX_FMT_YUVA420P);
    if ((ret = avfilter_graph_create_filter(&o->ov_src, avfilter_get_by_name("buffer"), "ov", args, NULL,
                                            o->g)) < 0)
        goto avfail;
    snprintf(args, sizeof args, "x=%d:y=%d:format=yuv420:eof_action=repeat", x, y);
    if ((ret = avfilter_graph_create_filter(&ovf, avfilter_get_by_name("overlay"), "overlay", args, NULL,
                                            o->g)) < 0 ||
        (ret = avfilter_graph_create_filter(&o->sink, avfilter_get_by_name("buffersink"), "out", NULL,
                                            NULL, o->g)) < 0 ||
        (ret = avfilter_link(o->main_src, 0, ovf, 0)) < 0 ||
        (ret = avfilter_link(o->ov_src, 0, ovf, 1)) < 0 || (ret = avfilter_link(ovf, 0, o->sink, 0)) < 0 ||
        (ret = avfilter_graph_config(o->g, NULL)) < 0)
        goto avfail;
    /* The graphic goes in once, then EOF: eof_action=repeat keeps it on. */
    if (!(f = new_av(ov->w, ov->h, AV_PIX_FMT_YUVA420P, 0))) {
        base_errf(err, errsz, BASE_ERUNTIME, "ffmpeg overlay: out of memory");
        goto fail;
    }
    to_av(f, ov, 4);
    if ((ret = av_buffersrc_add_frame(o->ov_src, f)) < 0 || (ret = av_buffersrc_add_frame(o->ov_src, NULL)) < 0)
        goto avfail;
    av_frame_free(&f);
    return o;
avfail:
    av_fail(err, errsz, "ffmpeg overlay graph", ret);
fail:
    av_frame_free(&f);
    cal_ff_overlay_free(o);
    return NULL;
}

int cal_ff_overlay_run(cal_ff_overlay *o, const kern_frame *main, kern_frame *out, double *secs,
                       char *err, size_t errsz)
{
    assert(main->w == o->w && main->h == o->h);
    AVFrame *in = new_av(o->w, o->h, AV_PIX_FMT_YUV420P, o->pts++), *res = av_frame_alloc();
    int rc = BASE_OK, ret;
    if (!in || !res) {
        rc = base_errf(err, errsz, BASE_ERUNTIME, "ffmpeg overlay: out of memory");
        goto cleanup;
    }
    to_av(in, main, 3);
    double t0 = base_now_s();
    if ((ret = av_buffersrc_add_frame(o->main_src, in)) < 0 ||
        (ret = av_buffersink_get_frame(o->sink, res)) < 0) {
        rc = av_fail(err, errsz, "ffmpeg overlay", ret);
        goto cleanup;
    }
    double t1 = base_now_s();
    if (secs)
        *secs = t1 - t0;
    from_av(out, res);
cleanup:
    av_frame_free(&in);
    av_frame_free(&res);
    return rc;
}

void cal_ff_overlay_free(cal_ff_overlay *o)
{
    if (!o)
        return;
    avfilter_graph_free(&o->g);
    free(o);
}

/* ---- scale peer --------------------------------------------------------- */

struct cal_ff_scale {
    struct SwsContext *sws;
    int threads;
    int cw, ch, ow, oh;
};

cal_ff_scale *cal_ff_scale_new(int crop_w, int crop_h, int out_w, int out_h, kern_filter f,
                               int threads, char *err, size_t errsz)
{
    cal_ff_scale *s = calloc(1, sizeof *s);
    int ret = AVERROR(ENOMEM);
    if (!s || !(s->sws = sws_alloc_context()))
        goto fail;
    s->threads = threads;
    s->cw = crop_w;
    s->ch = crop_h;
    s->ow = out_w;
    s->oh = out_h;
    if ((ret = av_opt_set_int(s->sws, "srcw", crop_w, 0)) < 0 ||
        (ret = av_opt_set_int(s->sws, "srch", crop_h, 0)) < 0 ||
        (ret = av_opt_set_int(s->sws, "src_format", AV_PIX_FMT_YUV420P, 0)) < 0 ||
        (ret = av_opt_set_int(s->sws, "dstw", out_w, 0)) < 0 ||
        (ret = av_opt_set_int(s->sws, "dsth", out_h, 0)) < 0 ||
        (ret = av_opt_set_int(s->sws, "dst_format", AV_PIX_FMT_YUV420P, 0)) < 0 ||
        (ret = av_opt_set_int(s->sws, "sws_flags", f == KERN_BICUBIC ? SWS_BICUBIC : SWS_LANCZOS, 0)) < 0 ||
        (ret = av_opt_set_int(s->sws, "threads", threads, 0)) < 0 ||
        (ret = sws_init_context(s->sws, NULL, NULL)) < 0)
        goto fail;
    return s;
fail:
    av_fail(err, errsz, "swscale", ret);
    cal_ff_scale_free(s);
    return NULL;
}

static void no_free(void *opaque, uint8_t *data)
{
    (void)opaque;
    (void)data;
}

/* An AVFrame that borrows kern_frame memory (refcounted with a no-op free,
 * as sws_scale_frame requires), optionally looking at a crop of it. */
static AVFrame *wrap_av(const kern_frame *k, kern_rect crop)
{
    AVFrame *f = av_frame_alloc();
    if (!f)
        return NULL;
    f->format = AV_PIX_FMT_YUV420P;
    f->width = crop.w;
    f->height = crop.h;
    for (int p = 0; p < 3; p++) {
        int sh = p ? 1 : 0;
        int rows = p ? (k->h + 1) / 2 : k->h;
        f->buf[p] = av_buffer_create(k->data[p], (size_t)rows * k->linesize[p], no_free, NULL, 0);
        if (!f->buf[p]) {
            av_frame_free(&f);
            return NULL;
        }
        f->data[p] = k->data[p] + (size_t)(crop.y >> sh) * k->linesize[p] + (crop.x >> sh);
        f->linesize[p] = k->linesize[p];
    }
    return f;
}

int cal_ff_scale_run(cal_ff_scale *s, const kern_frame *src, kern_rect crop, kern_frame *dst,
                     double *secs, char *err, size_t errsz)
{
    assert(crop.w == s->cw && crop.h == s->ch && dst->w == s->ow && dst->h == s->oh);
    AVFrame *in = wrap_av(src, crop), *out = wrap_av(dst, (kern_rect){0, 0, dst->w, dst->h});
    int rc = BASE_OK, ret;
    if (!in || !out) {
        rc = base_errf(err, errsz, BASE_ERUNTIME, "swscale: out of memory");
        goto cleanup;
    }
    double t0 = base_now_s();
    if (s->threads == 1) {
        ret = sws_scale(s->sws, (const uint8_t *const *)in->data, in->linesize, 0, crop.h, out->data,
                        out->linesize);
        ret = ret == s->oh ? 0 : AVERROR_BUG;
    } else {
        ret = sws_scale_frame(s->sws, out, in);
    }
    if (ret < 0) {
        rc = av_fail(err, errsz, "swscale", ret);
        goto cleanup;
    }
    if (secs)
        *secs = base_now_s() - t0;
cleanup:
    av_frame_free(&in);
    av_frame_free(&out);
    return rc;
}

void cal_ff_scale_free(cal_ff_scale *s)
{
    if (!s)
        return;
    sws_freeContext(s->sws);
    free(s);
}

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

int cal_kernels_run(const cal_kernels_opts *o, cal_kernels_result *r, char *err, size_t errsz)
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
    o = &r->opts; /* resolved sizes from here on */

    int rc = BASE_OK;
    kern_ctx *ctx = NULL;
    kern_frame *src = NULL, *work = NULL, *ov = NULL, *dst = NULL, *ffout = NULL;
    cal_ff_overlay *ffo = NULL;
    cal_ff_scale *ffs = NULL;
    samples s = {0};
    char kerr[256];
    long total = o->warmup + o->frames;

    if (!(ctx = kern_ctx_new(o->backend, o->threads, kerr, sizeof kerr))) {
        rc = base_errf(err, errsz, o->backend == KERN_CUDA ? BASE_EINPUT : BASE_ERUNTIME, "%s", kerr);
        goto cleanup;
    }
    r->opts.backend = kern_ctx_backend(ctx);
    r->opts.threads = kern_ctx_threads(ctx);
    snprintf(r->device, sizeof r->device, "%s",
             r->opts.backend == KERN_CUDA ? kern_cuda_device_name() : "cpu");
    src = kern_frame_new(o->w, o->h, 0);
    work = kern_frame_new(o->w, o->h, 0);
    ov = kern_frame_new(ow, oh, 1);
    dst = kern_frame_new(o->out_w, o->out_h, 0);
    ffout = kern_frame_new(o->w > o->out_w ? o->w : o->out_w, o->h > o->out_h ? o->h : o->out_h, 0);
    if (!src || !work || !ov || !dst || !ffout || samples_alloc(&s, o->frames)) {
        rc = base_errf(err, errsz, BASE_ERUNTIME, "calibrate kernels: out of memory");
        goto cleanup;
    }
    kern_fill_graphic(ov, 1);
    int ffthreads = r->opts.backend == KERN_CPU ? r->opts.threads : 0;
    if (o->with_ffmpeg &&
        !(ffo = cal_ff_overlay_new(o->w, o->h, ov, r->ov_x, r->ov_y, ffthreads, err, errsz))) {
        rc = BASE_ERUNTIME;
        goto cleanup;
    }

    /* Overlay: a fresh picture each frame (the copy is not timed). */
    kern_times t = {0};
    for (long i = 0; i < total; i++) {
        if (o->cancel && *o->cancel) {
            rc = base_errf(err, errsz, BASE_ERUNTIME, "interrupted");
            goto cleanup;
        }
        kern_fill_pattern(src, i);
        kern_frame_copy(work, src);
        double t0 = base_now_s();
        if ((rc = kern_overlay(ctx, work, ov, r->ov_x, r->ov_y, &t, kerr, sizeof kerr))) {
            base_errf(err, errsz, rc, "%s", kerr);
            goto cleanup;
        }
        double el = base_now_s() - t0;
        long j = i - o->warmup;
        if (j >= 0) {
            s.tot[j] = el;
            s.up[j] = t.upload_s;
            s.ker[j] = t.kernel_s;
            s.down[j] = t.download_s;
            if (ffo) {
                ffout->w = o->w;
                ffout->h = o->h;
                if ((rc = cal_ff_overlay_run(ffo, src, ffout, &s.ff[j], err, errsz)))
                    goto cleanup;
            }
        }
        if (o->progress)
            o->progress(o->progress_arg, "overlay", i + 1, total);
    }
    /* Bytes: overlay Y, U, V, A read; frame Y, U, V read and written. */
    double area = (double)ow * oh;
    finish_stats(&s, o->frames, &t, area * (1 + 0.5 + 1) + 2 * area * 1.5, ffo != NULL, &r->overlay);
    r->overlay.ff_threads = ffthreads;

    /* Framing: the window pans left to right across the timed frames. */
    kern_rect c0 = kern_framing_window(o->w, o->h, o->out_w, o->out_h, 0, 1, 0, 1);
    if (o->with_ffmpeg &&
        !(ffs = cal_ff_scale_new(c0.w, c0.h, o->out_w, o->out_h, o->filter, ffthreads, err, errsz))) {
        rc = BASE_ERUNTIME;
        goto cleanup;
    }
    memset(&t, 0, sizeof t);
    for (long i = 0; i < total; i++) {
        if (o->cancel && *o->cancel) {
            rc = base_errf(err, errsz, BASE_ERUNTIME, "interrupted");
            goto cleanup;
        }
        kern_fill_pattern(src, i);
        kern_rect c = kern_framing_window(o->w, o->h, o->out_w, o->out_h, 0, 1, i, total);
        double t0 = base_now_s();
        if ((rc = kern_framing(ctx, src, c, dst, o->filter, &t, kerr, sizeof kerr))) {
            base_errf(err, errsz, rc, "%s", kerr);
            goto cleanup;
        }
        double el = base_now_s() - t0;
        long j = i - o->warmup;
        if (j >= 0) {
            s.tot[j] = el;
            s.up[j] = t.upload_s;
            s.ker[j] = t.kernel_s;
            s.down[j] = t.download_s;
            if (ffs) {
                ffout->w = o->out_w;
                ffout->h = o->out_h;
                if ((rc = cal_ff_scale_run(ffs, src, c, ffout, &s.ff[j], err, errsz)))
                    goto cleanup;
            }
        }
        if (o->progress)
            o->progress(o->progress_arg, "framing", i + 1, total);
    }
    finish_stats(&s, o->frames, &t, 1.5 * ((double)c0.w * c0.h + (double)o->out_w * o->out_h), ffs != NULL,
                 &r->framing);
    r->framing.ff_threads = ffthreads;

cleanup:
    samples_free(&s);
    cal_ff_overlay_free(ffo);
    cal_ff_scale_free(ffs);
    kern_frame_free(src);
    kern_frame_free(work);
    kern_frame_free(ov);
    kern_frame_free(dst);
    kern_frame_free(ffout);
    kern_ctx_free(ctx);
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

cJSON *cal_kernels_json(const cal_kernels_result *r, const char *stage)
{
    const cal_kernel_stats *st = !strcmp(stage, "framing") ? &r->framing : &r->overlay;
    cJSON *root = cJSON_CreateObject(), *stg, *cal;
    char buf[64];
    if (!root)
        return NULL;
    stg = cJSON_AddObjectToObject(root, "stage");
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
    if (!cJSON_GetObjectItem(stg, "per_frame_s") || !cJSON_GetObjectItem(cal, "framing_stats")) {
        cJSON_Delete(root);
        return NULL;
    }
    return root;
}

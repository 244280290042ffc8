/* calibrate/kernel_peers.c -- FFmpeg's overlay filter and swscale, run on
 * kern_frames, timed. See kernel_peers.h. */
#include "calibrate/kernel_peers.h"
#include "base/clock.h"
#include "base/status.h"

#include <assert.h>
#include <libavfilter/avfilter.h>
#include <libavfilter/buffersink.h>
#include <libavfilter/buffersrc.h>
#include <libavutil/frame.h>
#include <libavutil/opt.h>
#include <libswscale/swscale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

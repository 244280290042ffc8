/* calibrate/pipeline_av.c -- clip, decoder and encoder for calibrate/pipeline.c
 * (pipeline_av.h), NVDEC and NVENC with their CPU fallbacks. */
#include "calibrate/pipeline_av.h"

#include "base/status.h"

#include <errno.h>
#include <libavfilter/avfilter.h>
#include <libavfilter/buffersink.h>
#include <libavutil/hwcontext.h>
#include <libavutil/opt.h>
#include <libavutil/pixdesc.h>
#include <libswscale/swscale.h>
#include <stdio.h>
#include <string.h>

static int averr(char *err, size_t errsz, int status, const char *what, int e)
{
    char buf[AV_ERROR_MAX_STRING_SIZE];
    av_strerror(e, buf, sizeof buf);
    return base_errf(err, errsz, status, "%s: %s", what, buf);
}

/* An encoder for w x h yuv420p at time base tb on the CPU: libx264 if this
 * FFmpeg has it, else mpeg4. fast: x264's ultrafast preset. */
static int cpu_encoder(AVCodecContext **out, int w, int h, AVRational tb, int threads, int fast, int global_header,
                       char *err, size_t errsz)
{
    const AVCodec *c = avcodec_find_encoder_by_name("libx264");
    if (!c)
        c = avcodec_find_encoder(AV_CODEC_ID_MPEG4);
    if (!c)
        return base_errf(err, errsz, BASE_ERUNTIME, "encoder: neither libx264 nor mpeg4 in this FFmpeg");
    AVCodecContext *e = avcodec_alloc_context3(c);
    if (!e)
        return base_errf(err, errsz, BASE_ERUNTIME, "encoder: out of memory");
    e->width = w;
    e->height = h;
    e->pix_fmt = AV_PIX_FMT_YUV420P;
    e->time_base = tb;
    e->framerate = av_inv_q(tb);
    e->sample_aspect_ratio = (AVRational){1, 1};
    e->thread_count = threads;
    if (global_header)
        e->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    if (fast && !strcmp(c->name, "libx264"))
        av_opt_set(e->priv_data, "preset", "ultrafast", 0);
    if (!strcmp(c->name, "mpeg4"))
        e->bit_rate = (int64_t)w * h * 3; /* ~ what x264's crf 23 gives at 25 fps */
    int ret = avcodec_open2(e, c, NULL);
    if (ret < 0) {
        avcodec_free_context(&e);
        return averr(err, errsz, BASE_ERUNTIME, "encoder open", ret);
    }
    *out = e;
    return BASE_OK;
}

/* ---- the generated input ------------------------------------------------ */

static int clip_graph(AVFilterGraph *g, AVFilterContext **sink, int w, int h, char *err, size_t errsz)
{
    AVFilterContext *src = NULL, *fmt = NULL;
    char args[128];
    int ret;
    snprintf(args, sizeof args, "size=%dx%d:rate=25", w, h);
    if ((ret = avfilter_graph_create_filter(&src, avfilter_get_by_name("testsrc2"), "src", args, NULL, g)) < 0 ||
        (ret = avfilter_graph_create_filter(&fmt, avfilter_get_by_name("format"), "fmt", "yuv420p", NULL, g)) < 0 ||
        (ret = avfilter_graph_create_filter(sink, avfilter_get_by_name("buffersink"), "sink", NULL, NULL, g)) < 0 ||
        (ret = avfilter_link(src, 0, fmt, 0)) < 0 || (ret = avfilter_link(fmt, 0, *sink, 0)) < 0 ||
        (ret = avfilter_graph_config(g, NULL)) < 0)
        return averr(err, errsz, BASE_ERUNTIME, "generate: testsrc2", ret);
    return BASE_OK;
}

int cal_pav_make_clip(const char *path, int w, int h, long frames, volatile sig_atomic_t *cancel, char *err,
                      size_t errsz)
{
    AVFilterGraph *g = avfilter_graph_alloc();
    AVFilterContext *sink = NULL;
    AVFormatContext *oc = NULL;
    AVCodecContext *enc = NULL;
    AVFrame *f = av_frame_alloc();
    AVPacket *pkt = av_packet_alloc();
    AVStream *st;
    int rc = BASE_OK, ret;
    if (!g || !f || !pkt) {
        rc = base_errf(err, errsz, BASE_ERUNTIME, "generate: out of memory");
        goto cleanup;
    }
    if ((rc = clip_graph(g, &sink, w, h, err, errsz)))
        goto cleanup;
    if ((ret = avformat_alloc_output_context2(&oc, NULL, NULL, path)) < 0) {
        rc = averr(err, errsz, BASE_ERUNTIME, "generate: mp4 muxer", ret);
        goto cleanup;
    }
    if ((rc = cpu_encoder(&enc, w, h, (AVRational){1, 25}, 0, 1, oc->oformat->flags & AVFMT_GLOBALHEADER, err,
                          errsz)))
        goto cleanup;
    st = avformat_new_stream(oc, NULL);
    if (!st || (ret = avcodec_parameters_from_context(st->codecpar, enc)) < 0) {
        rc = base_errf(err, errsz, BASE_ERUNTIME, "generate: cannot add a stream");
        goto cleanup;
    }
    st->time_base = enc->time_base;
    if ((ret = avio_open(&oc->pb, path, AVIO_FLAG_WRITE)) < 0 || (ret = avformat_write_header(oc, NULL)) < 0) {
        rc = averr(err, errsz, BASE_ERUNTIME, path, ret);
        goto cleanup;
    }
    for (long i = 0; i <= frames; i++) {
        AVFrame *in = NULL;
        if (cancel && *cancel) {
            rc = base_errf(err, errsz, BASE_ERUNTIME, "interrupted");
            goto cleanup;
        }
        if (i < frames) {
            if ((ret = av_buffersink_get_frame(sink, f)) < 0) {
                rc = averr(err, errsz, BASE_ERUNTIME, "generate: testsrc2", ret);
                goto cleanup;
            }
            f->pts = i;
            f->pict_type = AV_PICTURE_TYPE_NONE;
            in = f;
        }
        if ((ret = avcodec_send_frame(enc, in)) < 0) {
            rc = averr(err, errsz, BASE_ERUNTIME, "generate: encode", ret);
            goto cleanup;
        }
        av_frame_unref(f);
        while ((ret = avcodec_receive_packet(enc, pkt)) >= 0) {
            if (pkt->duration <= 0)
                pkt->duration = 1; /* else mp4's edit list cuts the last frame */
            av_packet_rescale_ts(pkt, enc->time_base, st->time_base);
            pkt->stream_index = st->index;
            if ((ret = av_interleaved_write_frame(oc, pkt)) < 0) {
                rc = averr(err, errsz, BASE_ERUNTIME, path, ret);
                goto cleanup;
            }
        }
        if (ret != AVERROR(EAGAIN) && ret != AVERROR_EOF) {
            rc = averr(err, errsz, BASE_ERUNTIME, "generate: encode", ret);
            goto cleanup;
        }
    }
    if ((ret = av_write_trailer(oc)) < 0)
        rc = averr(err, errsz, BASE_ERUNTIME, path, ret);
cleanup:
    if (oc && oc->pb)
        avio_closep(&oc->pb);
    avformat_free_context(oc);
    avcodec_free_context(&enc);
    avfilter_graph_free(&g);
    av_frame_free(&f);
    av_packet_free(&pkt);
    return rc;
}

/* ---- CUDA device, decoder ----------------------------------------------- */

int cal_pav_open_cuda(cal_pav *p, char *err, size_t errsz)
{
    AVDictionary *o = NULL;
    av_dict_set(&o, "primary_ctx", "1", 0);
    int ret = av_hwdevice_ctx_create(&p->cuda, AV_HWDEVICE_TYPE_CUDA, NULL, o, 0);
    av_dict_free(&o);
    if (ret < 0) {
        p->cuda = NULL;
        return averr(err, errsz, BASE_ERUNTIME, "FFmpeg CUDA device", ret);
    }
    return BASE_OK;
}

/* CUDA frames when offered (NVDEC started), else FFmpeg's own choice. */
static enum AVPixelFormat pick_cuda(AVCodecContext *c, const enum AVPixelFormat *fmts)
{
    for (const enum AVPixelFormat *f = fmts; *f != AV_PIX_FMT_NONE; f++)
        if (*f == AV_PIX_FMT_CUDA)
            return *f;
    return avcodec_default_get_format(c, fmts);
}

static int has_cuda_hwaccel(const AVCodec *dc)
{
    for (int i = 0;; i++) {
        const AVCodecHWConfig *c = avcodec_get_hw_config(dc, i);
        if (!c)
            return 0;
        if (c->device_type == AV_HWDEVICE_TYPE_CUDA && (c->methods & AV_CODEC_HW_CONFIG_METHOD_HW_DEVICE_CTX))
            return 1;
    }
}

int cal_pav_open_input(cal_pav *p, const char *path, int codec_threads, int hw, char *err, size_t errsz)
{
    int ret;
    /* Every failure here is the input's fault. */
    if ((ret = avformat_open_input(&p->ic, path, NULL, NULL)) < 0 ||
        (ret = avformat_find_stream_info(p->ic, NULL)) < 0)
        return averr(err, errsz, BASE_EINPUT, path, ret);
    const AVCodec *dc = NULL;
    p->vstream = av_find_best_stream(p->ic, AVMEDIA_TYPE_VIDEO, -1, -1, &dc, 0);
    if (p->vstream < 0 || !dc)
        return base_errf(err, errsz, BASE_EINPUT, "%s: no decodable video stream", path);
    AVStream *vs = p->ic->streams[p->vstream];
    if (!(p->dec = avcodec_alloc_context3(dc)) || avcodec_parameters_to_context(p->dec, vs->codecpar) < 0)
        return base_errf(err, errsz, BASE_ERUNTIME, "decoder: out of memory");
    p->dec->thread_count = codec_threads;
    if (hw && p->cuda && !has_cuda_hwaccel(dc)) {
        snprintf(p->dec_note, sizeof p->dec_note, "this FFmpeg has no CUDA hwaccel for %s", dc->name);
    } else if (hw && p->cuda) {
        if (!(p->dec->hw_device_ctx = av_buffer_ref(p->cuda)))
            return base_errf(err, errsz, BASE_ERUNTIME, "decoder: out of memory");
        p->dec->get_format = pick_cuda;
        p->dec->thread_count = 1; /* NVDEC decodes; one thread feeds it */
        p->dec_hw = 1;
    }
    if ((ret = avcodec_open2(p->dec, dc, NULL)) < 0)
        return averr(err, errsz, BASE_EINPUT, path, ret);
    if (p->dec->width < 16 || p->dec->height < 16)
        return base_errf(err, errsz, BASE_EINPUT, "%s: video of %dx%d is too small (16x16 at least)", path,
                         p->dec->width, p->dec->height);
    if (!(p->pkt = av_packet_alloc()) || !(p->opkt = av_packet_alloc()) || !(p->frame = av_frame_alloc()) ||
        !(p->conv = av_frame_alloc()))
        return base_errf(err, errsz, BASE_ERUNTIME, "out of memory");
    return BASE_OK;
}

/* Demux and decode until a frame comes out; *f NULL at the end. */
static int decode_one(cal_pav *p, AVFrame **f, const char *path, char *err, size_t errsz)
{
    int ret;
    *f = NULL;
    for (;;) {
        av_frame_unref(p->frame);
        ret = avcodec_receive_frame(p->dec, p->frame);
        if (ret >= 0) {
            *f = p->frame;
            return BASE_OK;
        }
        if (ret == AVERROR_EOF)
            return BASE_OK;
        if (ret != AVERROR(EAGAIN))
            return averr(err, errsz, BASE_EINPUT, path, ret);
        if (p->eof_in)
            return BASE_OK;
        ret = av_read_frame(p->ic, p->pkt);
        if (ret == AVERROR_EOF) {
            p->eof_in = 1;
            avcodec_send_packet(p->dec, NULL);
            continue;
        }
        if (ret < 0)
            return averr(err, errsz, BASE_EINPUT, path, ret);
        if (p->pkt->stream_index == p->vstream) {
            ret = avcodec_send_packet(p->dec, p->pkt);
            if (ret < 0 && ret != AVERROR(EAGAIN) && ret != AVERROR_INVALIDDATA) {
                av_packet_unref(p->pkt);
                return averr(err, errsz, BASE_EINPUT, path, ret);
            }
        }
        av_packet_unref(p->pkt);
    }
}

/* f in host memory as yuv420p: f itself or p->conv. */
static int to_yuv420p(cal_pav *p, AVFrame **f, const char *path, char *err, size_t errsz)
{
    AVFrame *in = *f;
    int ret;
    if (in->format == AV_PIX_FMT_YUVJ420P)
        in->format = AV_PIX_FMT_YUV420P; /* same layout; the range stays in color_range */
    if (in->format == AV_PIX_FMT_YUV420P)
        return BASE_OK;
    p->sws = sws_getCachedContext(p->sws, in->width, in->height, in->format, in->width, in->height,
                                  AV_PIX_FMT_YUV420P, SWS_BICUBIC, NULL, NULL, NULL);
    if (!p->sws)
        return base_errf(err, errsz, BASE_EINPUT, "%s: cannot convert %s to yuv420p", path,
                         av_get_pix_fmt_name(in->format));
    if (!p->conv->data[0]) {
        p->conv->width = in->width;
        p->conv->height = in->height;
        p->conv->format = AV_PIX_FMT_YUV420P;
        if ((ret = av_frame_get_buffer(p->conv, 0)) < 0)
            return averr(err, errsz, BASE_ERUNTIME, "convert", ret);
    }
    if ((ret = av_frame_make_writable(p->conv)) < 0)
        return averr(err, errsz, BASE_ERUNTIME, "convert", ret);
    sws_scale(p->sws, (const uint8_t *const *)in->data, in->linesize, 0, in->height, p->conv->data,
              p->conv->linesize);
    *f = p->conv;
    return BASE_OK;
}

int cal_pav_next_frame(cal_pav *p, AVFrame **got, const char *path, char *err, size_t errsz)
{
    AVFrame *f;
    int rc;
    *got = NULL;
    if ((rc = decode_one(p, &f, path, err, errsz)) || !f)
        return rc;
    if (f->format == AV_PIX_FMT_CUDA) {
        const AVHWFramesContext *fc = f->hw_frames_ctx ? (const AVHWFramesContext *)f->hw_frames_ctx->data : NULL;
        if (!fc || fc->sw_format != AV_PIX_FMT_NV12)
            return base_errf(err, errsz, BASE_EINPUT, "%s: NVDEC gives %s frames; only nv12 is handled "
                             "(--decoder cpu)", path, fc ? av_get_pix_fmt_name(fc->sw_format) : "unknown");
    } else if ((rc = to_yuv420p(p, &f, path, err, errsz))) {
        return rc;
    }
    if (f->width != p->dec->width || f->height != p->dec->height)
        return base_errf(err, errsz, BASE_EINPUT, "%s: frame size changes mid-stream (%dx%d to %dx%d)", path,
                         p->dec->width, p->dec->height, f->width, f->height);
    *got = f;
    return BASE_OK;
}

/* ---- encoder ------------------------------------------------------------ */

/* h264_nvenc on CUDA frames of yuv420p from a pool on p->cuda. */
static int nvenc_open(cal_pav *p, int w, int h, AVRational tb, char *why, size_t whysz)
{
    const AVCodec *c = avcodec_find_encoder_by_name("h264_nvenc");
    AVBufferRef *frames = NULL;
    AVCodecContext *e = NULL;
    int ret;
    if (!c) {
        snprintf(why, whysz, "h264_nvenc is not in this FFmpeg");
        return BASE_ERUNTIME;
    }
    if (!p->cuda) {
        snprintf(why, whysz, "h264_nvenc: no CUDA device");
        return BASE_ERUNTIME;
    }
    if (!(frames = av_hwframe_ctx_alloc(p->cuda)) || !(e = avcodec_alloc_context3(c))) {
        av_buffer_unref(&frames);
        snprintf(why, whysz, "h264_nvenc: out of memory");
        return BASE_ERUNTIME;
    }
    AVHWFramesContext *fc = (AVHWFramesContext *)frames->data;
    fc->format = AV_PIX_FMT_CUDA;
    fc->sw_format = AV_PIX_FMT_YUV420P;
    fc->width = w;
    fc->height = h;
    if ((ret = av_hwframe_ctx_init(frames)) < 0)
        goto fail;
    e->width = w;
    e->height = h;
    e->pix_fmt = AV_PIX_FMT_CUDA;
    e->sw_pix_fmt = AV_PIX_FMT_YUV420P;
    e->time_base = tb;
    e->framerate = av_inv_q(tb);
    e->sample_aspect_ratio = (AVRational){1, 1};
    if (!(e->hw_frames_ctx = av_buffer_ref(frames))) {
        ret = AVERROR(ENOMEM);
        goto fail;
    }
    if ((ret = avcodec_open2(e, c, NULL)) < 0)
        goto fail;
    av_buffer_unref(&frames);
    p->enc = e;
    p->enc_hw = 1;
    return BASE_OK;
fail:
    averr(why, whysz, BASE_ERUNTIME, "h264_nvenc", ret);
    av_buffer_unref(&frames);
    avcodec_free_context(&e);
    return BASE_ERUNTIME;
}

int cal_pav_open_encoder(cal_pav *p, int w, int h, AVRational tb, int codec_threads, int hw, int fast,
                         int global_header, char *err, size_t errsz)
{
    if (hw) {
        if (nvenc_open(p, w, h, tb, p->enc_note, sizeof p->enc_note) == BASE_OK)
            return BASE_OK;
        if (hw == 2)
            return base_errf(err, errsz, BASE_ERUNTIME, "--encoder nvenc: %s", p->enc_note);
    }
    return cpu_encoder(&p->enc, w, h, tb, codec_threads, fast, global_header, err, errsz);
}

int cal_pav_hw_frame(cal_pav *p, AVFrame *f, char *err, size_t errsz)
{
    int ret = av_hwframe_get_buffer(p->enc->hw_frames_ctx, f, 0);
    if (ret < 0)
        return averr(err, errsz, BASE_ERUNTIME, "CUDA frame for NVENC", ret);
    return BASE_OK;
}

int cal_pav_encode(cal_pav *p, AVFrame *f, double *bytes, char *err, size_t errsz)
{
    int ret = avcodec_send_frame(p->enc, f);
    if (ret < 0)
        return averr(err, errsz, BASE_ERUNTIME, "encode", ret);
    while ((ret = avcodec_receive_packet(p->enc, p->opkt)) >= 0) {
        *bytes += p->opkt->size;
        av_packet_unref(p->opkt);
    }
    if (ret != AVERROR(EAGAIN) && ret != AVERROR_EOF)
        return averr(err, errsz, BASE_ERUNTIME, "encode", ret);
    return BASE_OK;
}

void cal_pav_close(cal_pav *p)
{
    avformat_close_input(&p->ic);
    avcodec_free_context(&p->dec);
    avcodec_free_context(&p->enc);
    av_packet_free(&p->pkt);
    av_packet_free(&p->opkt);
    av_frame_free(&p->frame);
    av_frame_free(&p->conv);
    sws_freeContext(p->sws);
    p->sws = NULL;
    av_buffer_unref(&p->cuda);
}

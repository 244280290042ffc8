/* calibrate/pipeline.c -- decode -> kernel -> encode, timed per phase. */
#include "calibrate/pipeline.h"
#include "base/clock.h"

#include "base/status.h"

#include <assert.h>
#include <cjson/cJSON.h>
#include <errno.h>
#include <libavcodec/avcodec.h>
#include <libavfilter/avfilter.h>
#include <libavfilter/buffersink.h>
#include <libavformat/avformat.h>
#include <libavutil/imgutils.h>
#include <libavutil/opt.h>
#include <libswscale/swscale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int averr(char *err, size_t errsz, int status, const char *what, int e)
{
    char buf[AV_ERROR_MAX_STRING_SIZE];
    av_strerror(e, buf, sizeof buf);
    return base_errf(err, errsz, status, "%s: %s", what, buf);
}

void cal_pipeline_opts_default(cal_pipeline_opts *o)
{
    memset(o, 0, sizeof *o);
    o->stage = "overlay";
    o->gen_w = 1920;
    o->gen_h = 1080;
    o->backend = KERN_AUTO;
    o->filter = KERN_LANCZOS;
}

/* An encoder for w x h yuv420p at time base tb: libx264 if this FFmpeg has
 * it, else mpeg4. fast: x264's ultrafast preset (for generating input). */
static int enc_open(AVCodecContext **out, int w, int h, AVRational tb, int threads, int fast, int global_header,
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

/* dir/clip.mp4: frames of lavfi testsrc2 at w x h, 25 fps, encoded fast. */
static int make_clip(const char *path, int w, int h, long frames, volatile sig_atomic_t *cancel, char *err,
                     size_t errsz)
{
    AVFilterGraph *g = avfilter_graph_alloc();
    AVFilterContext *src = NULL, *fmt = NULL, *sink = NULL;
    AVFormatContext *oc = NULL;
    AVCodecContext *enc = NULL;
    AVFrame *f = av_frame_alloc();
    AVPacket *pkt = av_packet_alloc();
    int rc = BASE_OK, ret;
    char args[128];
    if (!g || !f || !pkt) {
        rc = base_errf(err, errsz, BASE_ERUNTIME, "generate: out of memory");
        goto cleanup;
    }
    snprintf(args, sizeof args, "size=%dx%d:rate=25", w, h);
    if ((ret = avfilter_graph_create_filter(&src, avfilter_get_by_name("testsrc2"), "src", args, NULL, g)) < 0 ||
        (ret = avfilter_graph_create_filter(&fmt, avfilter_get_by_name("format"), "fmt", "yuv420p", NULL, g)) < 0 ||
        (ret = avfilter_graph_create_filter(&sink, avfilter_get_by_name("buffersink"), "sink", NULL, NULL, g)) < 0 ||
        (ret = avfilter_link(src, 0, fmt, 0)) < 0 || (ret = avfilter_link(fmt, 0, sink, 0)) < 0 ||
        (ret = avfilter_graph_config(g, NULL)) < 0) {
        rc = averr(err, errsz, BASE_ERUNTIME, "generate: testsrc2", ret);
        goto cleanup;
    }
    if ((ret = avformat_alloc_output_context2(&oc, NULL, NULL, path)) < 0) {
        rc = averr(err, errsz, BASE_ERUNTIME, "generate: mp4 muxer", ret);
        goto cleanup;
    }
    if ((rc = enc_open(&enc, w, h, (AVRational){1, 25}, 0, 1, oc->oformat->flags & AVFMT_GLOBALHEADER, err, errsz)))
        goto cleanup;
    AVStream *st = avformat_new_stream(oc, NULL);
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

/* ---- the pipeline ------------------------------------------------------- */

typedef struct {
    AVFormatContext *ic;
    AVCodecContext *dec, *enc;
    int vstream;
    AVPacket *pkt, *opkt;
    AVFrame *frame, *conv, *out;
    struct SwsContext *sws;
    int eof_in, dec_done;
} pipe_state;

/* The next decoded frame as yuv420p (conv or frame), NULL at the end. */
static int next_frame(pipe_state *p, AVFrame **got, const char *path, char *err, size_t errsz)
{
    int ret;
    *got = NULL;
    for (;;) {
        av_frame_unref(p->frame);
        ret = avcodec_receive_frame(p->dec, p->frame);
        if (ret >= 0)
            break;
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
    AVFrame *f = p->frame;
    if (f->format == AV_PIX_FMT_YUVJ420P)
        f->format = AV_PIX_FMT_YUV420P; /* same layout; the range stays in color_range */
    if (f->format != AV_PIX_FMT_YUV420P) {
        p->sws = sws_getCachedContext(p->sws, f->width, f->height, f->format, f->width, f->height,
                                      AV_PIX_FMT_YUV420P, SWS_BICUBIC, NULL, NULL, NULL);
        if (!p->sws)
            return base_errf(err, errsz, BASE_EINPUT, "%s: cannot convert %s to yuv420p", path,
                              av_get_pix_fmt_name(f->format));
        if (!p->conv->data[0]) {
            p->conv->width = f->width;
            p->conv->height = f->height;
            p->conv->format = AV_PIX_FMT_YUV420P;
            if ((ret = av_frame_get_buffer(p->conv, 0)) < 0)
                return averr(err, errsz, BASE_ERUNTIME, "convert", ret);
        }
        if ((ret = av_frame_make_writable(p->conv)) < 0)
            return averr(err, errsz, BASE_ERUNTIME, "convert", ret);
        sws_scale(p->sws, (const uint8_t *const *)f->data, f->linesize, 0, f->height, p->conv->data,
                  p->conv->linesize);
        f = p->conv;
    }
    if (f->width != p->dec->width || f->height != p->dec->height)
        return base_errf(err, errsz, BASE_EINPUT, "%s: frame size changes mid-stream (%dx%d to %dx%d)", path,
                          p->dec->width, p->dec->height, f->width, f->height);
    *got = f;
    return BASE_OK;
}

static kern_frame wrap(AVFrame *f)
{
    kern_frame k = {f->width, f->height, {f->data[0], f->data[1], f->data[2], NULL},
                    {f->linesize[0], f->linesize[1], f->linesize[2], 0}};
    return k;
}

/* Send frame (NULL: flush) and drain the packets; adds their bytes. */
static int encode(pipe_state *p, AVFrame *f, double *bytes, char *err, size_t errsz)
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

static void rm_tmpdir(char *dir, char *clip)
{
    if (clip[0])
        unlink(clip);
    if (dir[0])
        rmdir(dir);
    dir[0] = clip[0] = 0;
}

int cal_pipeline_run(const cal_pipeline_opts *o, cal_pipeline_result *r, char *err, size_t errsz)
{
    memset(r, 0, sizeof *r);
    r->opts = *o;
    int overlay = !strcmp(o->stage ? o->stage : "", "overlay");
    if (!overlay && strcmp(o->stage ? o->stage : "", "framing"))
        return base_errf(err, errsz, BASE_EINPUT, "stage: must be overlay or framing (got '%s')",
                          o->stage ? o->stage : "");
    if (o->frames < 0)
        return base_errf(err, errsz, BASE_EINPUT, "frames: must be at least 1");
    if (o->input && access(o->input, R_OK) != 0)
        return base_errf(err, errsz, BASE_EINPUT, "%s: cannot open: %s", o->input, strerror(errno));
    if (!o->input && (o->gen_w < 16 || o->gen_h < 16 || o->gen_w > 8192 || o->gen_h > 8192))
        return base_errf(err, errsz, BASE_EINPUT, "size: must be between 16x16 and 8192x8192");
    if (o->out_w < 0 || o->out_h < 0 || (o->out_w && o->out_w < 2) || (o->out_h && o->out_h < 2))
        return base_errf(err, errsz, BASE_EINPUT, "out size: must be at least 2x2");

    int rc = BASE_OK, ret;
    char dir[64] = "", clip[128] = "", kerr[256];
    pipe_state p = {0};
    kern_ctx *ctx = NULL;
    kern_frame *ov = NULL;
    double *tot = NULL;
    const char *path = o->input;
    long limit = o->frames;

    if (!path) {
        if (!limit)
            limit = 60;
        snprintf(dir, sizeof dir, "%s/forkcast-pipe-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
        if (strlen(dir) >= sizeof dir - 1 || !mkdtemp(dir)) {
            dir[0] = 0;
            rc = base_errf(err, errsz, BASE_ERUNTIME, "cannot make a temporary directory: %s", strerror(errno));
            goto cleanup;
        }
        snprintf(clip, sizeof clip, "%s/testsrc2.mp4", dir);
        if ((rc = make_clip(clip, o->gen_w, o->gen_h, limit, o->cancel, err, errsz)))
            goto cleanup;
        path = clip;
        r->generated = 1;
        snprintf(r->input, sizeof r->input, "(generated) testsrc2 %dx%d, %ld frames, 25 fps", o->gen_w, o->gen_h,
                 limit);
    } else {
        snprintf(r->input, sizeof r->input, "%s", path);
    }

    /* Open and probe: every failure here is the input's fault. */
    if ((ret = avformat_open_input(&p.ic, path, NULL, NULL)) < 0) {
        rc = averr(err, errsz, BASE_EINPUT, path, ret);
        goto cleanup;
    }
    if ((ret = avformat_find_stream_info(p.ic, NULL)) < 0) {
        rc = averr(err, errsz, BASE_EINPUT, path, ret);
        goto cleanup;
    }
    const AVCodec *dc = NULL;
    p.vstream = av_find_best_stream(p.ic, AVMEDIA_TYPE_VIDEO, -1, -1, &dc, 0);
    if (p.vstream < 0 || !dc) {
        rc = base_errf(err, errsz, BASE_EINPUT, "%s: no decodable video stream", path);
        goto cleanup;
    }
    AVStream *vs = p.ic->streams[p.vstream];
    if (!(p.dec = avcodec_alloc_context3(dc)) || avcodec_parameters_to_context(p.dec, vs->codecpar) < 0) {
        rc = base_errf(err, errsz, BASE_ERUNTIME, "decoder: out of memory");
        goto cleanup;
    }
    p.dec->thread_count = o->codec_threads;
    if ((ret = avcodec_open2(p.dec, dc, NULL)) < 0) {
        rc = averr(err, errsz, BASE_EINPUT, path, ret);
        goto cleanup;
    }
    if (p.dec->width < 16 || p.dec->height < 16) {
        rc = base_errf(err, errsz, BASE_EINPUT, "%s: video of %dx%d is too small (16x16 at least)", path,
                        p.dec->width, p.dec->height);
        goto cleanup;
    }
    r->in_w = p.dec->width;
    r->in_h = p.dec->height;
    snprintf(r->decoder, sizeof r->decoder, "%s", dc->name);
    if (!limit)
        limit = vs->nb_frames > 0 ? vs->nb_frames : 0; /* 0: unknown, read to the end */

    /* Stage geometry and the kernel context. */
    int ow = 0, oh = 0, ox = 0, oy = 0;
    if (overlay) {
        r->out_w = r->in_w;
        r->out_h = r->in_h;
        cal_overlay_place(r->in_w, r->in_h, &ow, &oh, &ox, &oy);
        if (!(ov = kern_frame_new(ow, oh, 1))) {
            rc = base_errf(err, errsz, BASE_ERUNTIME, "out of memory");
            goto cleanup;
        }
        kern_fill_graphic(ov, 1);
    } else {
        r->out_w = o->out_w;
        r->out_h = o->out_h;
        if (!r->out_w || !r->out_h)
            cal_framing_out_default(r->in_w, r->in_h, &r->out_w, &r->out_h);
    }
    r->opts.out_w = r->out_w;
    r->opts.out_h = r->out_h;
    if (!(ctx = kern_ctx_new(o->backend, o->threads, kerr, sizeof kerr))) {
        rc = base_errf(err, errsz, o->backend == KERN_CUDA ? BASE_EINPUT : BASE_ERUNTIME, "%s", kerr);
        goto cleanup;
    }
    r->opts.backend = kern_ctx_backend(ctx);
    r->opts.threads = kern_ctx_threads(ctx);
    snprintf(r->device, sizeof r->device, "%s", r->opts.backend == KERN_CUDA ? kern_cuda_device_name() : "cpu");

    AVRational tb = vs->avg_frame_rate.num > 0 ? av_inv_q(vs->avg_frame_rate) : (AVRational){1, 25};
    if ((rc = enc_open(&p.enc, r->out_w, r->out_h, tb, o->codec_threads, 0, 0, err, errsz)))
        goto cleanup;
    snprintf(r->encoder, sizeof r->encoder, "%s", p.enc->codec->name);
    p.pkt = av_packet_alloc();
    p.opkt = av_packet_alloc();
    p.frame = av_frame_alloc();
    p.conv = av_frame_alloc();
    p.out = av_frame_alloc();
    long cap = limit > 0 ? limit : 1024;
    tot = malloc((size_t)cap * sizeof *tot);
    if (!p.pkt || !p.opkt || !p.frame || !p.conv || !p.out || !tot) {
        rc = base_errf(err, errsz, BASE_ERUNTIME, "out of memory");
        goto cleanup;
    }
    {
        p.out->width = r->out_w;
        p.out->height = r->out_h;
        p.out->format = AV_PIX_FMT_YUV420P;
        if ((ret = av_frame_get_buffer(p.out, 0)) < 0) {
            rc = averr(err, errsz, BASE_ERUNTIME, "output frame", ret);
            goto cleanup;
        }
    }

    double wall0 = base_now_s();
    long n = 0;
    for (;;) {
        if (o->cancel && *o->cancel) {
            rc = base_errf(err, errsz, BASE_ERUNTIME, "interrupted");
            goto cleanup;
        }
        if (limit > 0 && n >= limit)
            break;
        double t0 = base_now_s();
        AVFrame *f;
        if ((rc = next_frame(&p, &f, path, err, errsz)))
            goto cleanup;
        if (!f)
            break;
        double t1 = base_now_s();
        kern_times kt = {0};
        /* One output frame, reused (a fresh buffer per frame would cost page
         * faults that FFmpeg's frame pools do not pay); writable again once
         * the encoder has let go of it. */
        if ((ret = av_frame_make_writable(p.out)) < 0) {
            rc = averr(err, errsz, BASE_ERUNTIME, "output frame", ret);
            goto cleanup;
        }
        kern_frame src = wrap(f), dst = wrap(p.out);
        if (overlay) {
            /* In place on a copy of the decoded frame, which the decoder may
             * still reference: FFmpeg's overlay filter copies the same way. */
            kern_frame_copy(&dst, &src);
            rc = kern_overlay(ctx, &dst, ov, ox, oy, &kt, kerr, sizeof kerr);
        } else {
            kern_rect c = kern_framing_window(r->in_w, r->in_h, r->out_w, r->out_h, 0, 1, n, limit > 0 ? limit : 250);
            rc = kern_framing(ctx, &src, c, &dst, o->filter, &kt, kerr, sizeof kerr);
        }
        AVFrame *enc_in = p.out;
        if (rc) {
            base_errf(err, errsz, rc, "%s", kerr);
            goto cleanup;
        }
        double t2 = base_now_s();
        enc_in->pts = n;
        enc_in->pict_type = AV_PICTURE_TYPE_NONE;
        if ((rc = encode(&p, enc_in, &r->out_bytes, err, errsz)))
            goto cleanup;
        double t3 = base_now_s();
        /* kernel phase: what kern_times does not attribute to transfers */
        double kern = (t2 - t1) - kt.upload_s - kt.download_s;
        r->decode_s += t1 - t0;
        r->upload_s += kt.upload_s;
        r->download_s += kt.download_s;
        r->kernel_s += kern;
        r->encode_s += t3 - t2;
        r->upload_bytes += (double)kt.upload_bytes;
        r->download_bytes += (double)kt.download_bytes;
        if (n >= cap) {
            double *nt = realloc(tot, (size_t)cap * 2 * sizeof *tot);
            if (!nt) {
                rc = base_errf(err, errsz, BASE_ERUNTIME, "out of memory");
                goto cleanup;
            }
            tot = nt;
            cap *= 2;
        }
        tot[n++] = t3 - t0;
        if (o->progress)
            o->progress(o->progress_arg, o->stage, n, limit);
    }
    if (n == 0) {
        rc = base_errf(err, errsz, BASE_EINPUT, "%s: no decodable video frames", path);
        goto cleanup;
    }
    double t4 = base_now_s();
    if ((rc = encode(&p, NULL, &r->out_bytes, err, errsz)))
        goto cleanup;
    double flush = base_now_s() - t4;
    r->encode_s += flush;
    r->wall_s = base_now_s() - wall0;
    for (long i = 0; i < n; i++)
        tot[i] += flush / n;
    r->frames = n;
    r->upload_bytes /= n;
    r->download_bytes /= n;
    cal_stats_summarise(tot, n, &r->per_frame);
    r->per_frame.ff_median_s = NAN;

cleanup:
    free(tot);
    kern_frame_free(ov);
    kern_ctx_free(ctx);
    avformat_close_input(&p.ic);
    avcodec_free_context(&p.dec);
    avcodec_free_context(&p.enc);
    av_packet_free(&p.pkt);
    av_packet_free(&p.opkt);
    av_frame_free(&p.frame);
    av_frame_free(&p.conv);
    av_frame_free(&p.out);
    sws_freeContext(p.sws);
    rm_tmpdir(dir, clip);
    return rc;
}

cJSON *cal_pipeline_json(const cal_pipeline_result *r)
{
    cJSON *root = cJSON_CreateObject(), *stg, *cal, *ms, *share;
    char buf[64];
    if (!root)
        return NULL;
    double n = (double)r->frames, tot = r->decode_s + r->upload_s + r->kernel_s + r->download_s + r->encode_s;
    stg = cJSON_AddObjectToObject(root, "stage");
    cJSON_AddItemToObject(stg, "per_frame_s", cal_per_frame_dist(r->per_frame.mean_s, r->per_frame.sd_s));
    cal = cJSON_AddObjectToObject(root, "calibration");
    cJSON_AddStringToObject(cal, "mode", "pipeline");
    cJSON_AddStringToObject(cal, "stage", r->opts.stage);
    cJSON_AddStringToObject(cal, "input", r->input);
    cJSON_AddBoolToObject(cal, "generated_input", r->generated);
    cJSON_AddNumberToObject(cal, "frames", n);
    snprintf(buf, sizeof buf, "%dx%d", r->in_w, r->in_h);
    cJSON_AddStringToObject(cal, "size", buf);
    snprintf(buf, sizeof buf, "%dx%d", r->out_w, r->out_h);
    cJSON_AddStringToObject(cal, "output_size", buf);
    cJSON_AddStringToObject(cal, "decoder", r->decoder);
    cJSON_AddStringToObject(cal, "encoder", r->encoder);
    cJSON_AddStringToObject(cal, "backend", kern_backend_name(r->opts.backend));
    cJSON_AddStringToObject(cal, "device", r->device);
    cJSON_AddNumberToObject(cal, "kernel_threads", r->opts.threads);
    cJSON_AddNumberToObject(cal, "codec_threads", r->opts.codec_threads);
    cJSON_AddStringToObject(cal, "per_frame_s_is", "decode + upload + kernel + download + encode, one frame");
    ms = cJSON_AddObjectToObject(cal, "per_frame_ms");
    share = cJSON_AddObjectToObject(cal, "share");
    const char *names[5] = {"decode", "upload", "kernel", "download", "encode"};
    double v[5] = {r->decode_s, r->upload_s, r->kernel_s, r->download_s, r->encode_s};
    for (int i = 0; i < 5; i++) {
        cJSON_AddNumberToObject(ms, names[i], 1e3 * v[i] / n);
        cJSON_AddNumberToObject(share, names[i], tot > 0 ? v[i] / tot : 0);
    }
    cJSON_AddNumberToObject(ms, "total", 1e3 * tot / n);
    cJSON_AddNumberToObject(cal, "median_s", r->per_frame.median_s);
    cJSON_AddNumberToObject(cal, "p10_s", r->per_frame.p10_s);
    cJSON_AddNumberToObject(cal, "p90_s", r->per_frame.p90_s);
    cJSON_AddNumberToObject(cal, "wall_s", r->wall_s);
    if (r->opts.backend == KERN_CUDA) {
        cJSON_AddNumberToObject(cal, "upload_mb_per_frame", r->upload_bytes / 1e6);
        cJSON_AddNumberToObject(cal, "download_mb_per_frame", r->download_bytes / 1e6);
    }
    cJSON_AddNumberToObject(cal, "output_mb_per_frame", r->out_bytes / n / 1e6);
    if (!cJSON_GetObjectItem(stg, "per_frame_s") || !cJSON_GetObjectItem(cal, "output_mb_per_frame")) {
        cJSON_Delete(root);
        return NULL;
    }
    return root;
}

/* calibrate/av_lazy.c -- the FFmpeg libraries, loaded on first use.
 *
 * Linking libavformat/libavcodec/libavfilter pulls in ~170 shared libraries
 * whose loading alone costs 20-40 ms at every start of forkcast, which would
 * put `forkcast advise` over its 50 ms budget. So the forkcast binary does
 * not link them: each libav function calibrate/ uses is defined here with the
 * header's exact prototype and forwards to the real one, resolved with
 * dlopen/dlsym on first use (all at once, under pthread_once). Only the
 * calibrate modes that touch FFmpeg pay the load.
 *
 * Adding a libav call in calibrate/ means adding one LAZY line below (the
 * link of ./forkcast fails with "undefined reference" until then); the
 * compiler checks the prototype against the header. Test and bench binaries
 * link the real libraries; these definitions then forward to them.
 * cal_av_load() reports a missing library as an error; a call made without
 * it that cannot be resolved aborts with a message (an installation fault).
 *
 * Built with FORKCAST_AV_STATIC (the GPU bundle, scripts/gpu-bundle.sh,
 * links a static FFmpeg), this file defines only cal_av_load(), which has
 * nothing to load.
 */
#include "calibrate/av_lazy.h"
#include "base/status.h"

#include <dlfcn.h>
#include <libavcodec/avcodec.h>
#include <libavfilter/avfilter.h>
#include <libavfilter/buffersink.h>
#include <libavfilter/buffersrc.h>
#include <libavformat/avformat.h>
#include <libavutil/dict.h>
#include <libavutil/frame.h>
#include <libavutil/hwcontext.h>
#include <libavutil/opt.h>
#include <libavutil/pixdesc.h>
#include <libswscale/swscale.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#ifdef FORKCAST_AV_STATIC
int cal_av_load(char *err, size_t errsz)
{
    (void)err;
    (void)errsz;
    return BASE_OK;
}
#else

enum { LIB_UTIL, LIB_CODEC, LIB_FORMAT, LIB_SWS, LIB_FILTER, NLIBS };

static const char *const lib_names[NLIBS] = {
    "libavutil.so." AV_STRINGIFY(LIBAVUTIL_VERSION_MAJOR),
    "libavcodec.so." AV_STRINGIFY(LIBAVCODEC_VERSION_MAJOR),
    "libavformat.so." AV_STRINGIFY(LIBAVFORMAT_VERSION_MAJOR),
    "libswscale.so." AV_STRINGIFY(LIBSWSCALE_VERSION_MAJOR),
    "libavfilter.so." AV_STRINGIFY(LIBAVFILTER_VERSION_MAJOR),
};

/* Every symbol: library and name; resolved pointers land in fns[]. */
#define SYMBOLS(X) \
    X(LIB_UTIL, av_buffer_ref) \
    X(LIB_UTIL, av_buffer_unref) \
    X(LIB_UTIL, av_dict_free) \
    X(LIB_UTIL, av_dict_set) \
    X(LIB_UTIL, av_hwdevice_ctx_create) \
    X(LIB_UTIL, av_hwframe_ctx_alloc) \
    X(LIB_UTIL, av_hwframe_ctx_init) \
    X(LIB_UTIL, av_hwframe_get_buffer) \
    X(LIB_CODEC, avcodec_default_get_format) \
    X(LIB_CODEC, avcodec_get_hw_config) \
    X(LIB_UTIL, av_buffer_create) \
    X(LIB_FILTER, av_buffersink_get_frame) \
    X(LIB_FILTER, av_buffersrc_add_frame) \
    X(LIB_FORMAT, av_find_best_stream) \
    X(LIB_UTIL, av_frame_alloc) \
    X(LIB_UTIL, av_frame_free) \
    X(LIB_UTIL, av_frame_get_buffer) \
    X(LIB_UTIL, av_frame_make_writable) \
    X(LIB_UTIL, av_frame_unref) \
    X(LIB_UTIL, av_get_pix_fmt_name) \
    X(LIB_FORMAT, av_interleaved_write_frame) \
    X(LIB_UTIL, av_log_set_level) \
    X(LIB_UTIL, av_opt_set) \
    X(LIB_UTIL, av_opt_set_int) \
    X(LIB_CODEC, av_packet_alloc) \
    X(LIB_CODEC, av_packet_free) \
    X(LIB_CODEC, av_packet_rescale_ts) \
    X(LIB_CODEC, av_packet_unref) \
    X(LIB_FORMAT, av_read_frame) \
    X(LIB_FORMAT, av_seek_frame) \
    X(LIB_UTIL, av_strerror) \
    X(LIB_FORMAT, av_write_trailer) \
    X(LIB_CODEC, avcodec_alloc_context3) \
    X(LIB_CODEC, avcodec_find_decoder) \
    X(LIB_CODEC, avcodec_find_encoder) \
    X(LIB_CODEC, avcodec_find_encoder_by_name) \
    X(LIB_CODEC, avcodec_flush_buffers) \
    X(LIB_CODEC, avcodec_free_context) \
    X(LIB_CODEC, avcodec_get_name) \
    X(LIB_CODEC, avcodec_open2) \
    X(LIB_CODEC, avcodec_parameters_from_context) \
    X(LIB_CODEC, avcodec_parameters_to_context) \
    X(LIB_CODEC, avcodec_receive_frame) \
    X(LIB_CODEC, avcodec_receive_packet) \
    X(LIB_CODEC, avcodec_send_frame) \
    X(LIB_CODEC, avcodec_send_packet) \
    X(LIB_FILTER, avfilter_get_by_name) \
    X(LIB_FILTER, avfilter_graph_alloc) \
    X(LIB_FILTER, avfilter_graph_config) \
    X(LIB_FILTER, avfilter_graph_create_filter) \
    X(LIB_FILTER, avfilter_graph_free) \
    X(LIB_FILTER, avfilter_graph_set_auto_convert) \
    X(LIB_FILTER, avfilter_link) \
    X(LIB_FORMAT, avformat_alloc_output_context2) \
    X(LIB_FORMAT, avformat_close_input) \
    X(LIB_FORMAT, avformat_find_stream_info) \
    X(LIB_FORMAT, avformat_free_context) \
    X(LIB_FORMAT, avformat_new_stream) \
    X(LIB_FORMAT, avformat_open_input) \
    X(LIB_FORMAT, avformat_write_header) \
    X(LIB_FORMAT, avio_closep) \
    X(LIB_FORMAT, avio_open) \
    X(LIB_SWS, sws_alloc_context) \
    X(LIB_SWS, sws_freeContext) \
    X(LIB_SWS, sws_getCachedContext) \
    X(LIB_SWS, sws_init_context) \
    X(LIB_SWS, sws_scale) \
    X(LIB_SWS, sws_scale_frame) \

#define ENUM(lib, name) SYM_##name,
enum { SYMBOLS(ENUM) NSYMS };
#define ROW(lib, name) {lib, #name},
static const struct {
    int lib;
    const char *name;
} syms[NSYMS] = {SYMBOLS(ROW)};

static void *fns[NSYMS];
static char load_error[512];
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void load_all(void)
{
    void *libs[NLIBS];
    for (int i = 0; i < NLIBS; i++) {
        libs[i] = dlopen(lib_names[i], RTLD_NOW | RTLD_GLOBAL);
        if (!libs[i]) {
            snprintf(load_error, sizeof load_error, "cannot load FFmpeg library %s: %s (make deps installs it)",
                     lib_names[i], dlerror());
            return;
        }
    }
    for (int i = 0; i < NSYMS; i++) {
        fns[i] = dlsym(libs[syms[i].lib], syms[i].name);
        if (!fns[i]) {
            snprintf(load_error, sizeof load_error, "%s: no symbol %s", lib_names[syms[i].lib], syms[i].name);
            return;
        }
    }
}

int cal_av_load(char *err, size_t errsz)
{
    pthread_once(&once, load_all);
    if (load_error[0])
        return base_errf(err, errsz, BASE_ERUNTIME, "%s", load_error);
    return BASE_OK;
}

static void *fn(int i)
{
    pthread_once(&once, load_all);
    if (load_error[0]) {
        fprintf(stderr, "forkcast: %s\n", load_error);
        abort();
    }
    return fns[i];
}

#define LAZY(ret, name, params, args) \
    ret name params { return ((ret(*) params)fn(SYM_##name)) args; }
#define LAZYV(name, params, args) \
    void name params { ((void(*) params)fn(SYM_##name)) args; }

LAZY(AVBufferRef *, av_buffer_ref, (const AVBufferRef *buf), (buf))
LAZYV(av_buffer_unref, (AVBufferRef **buf), (buf))
LAZYV(av_dict_free, (AVDictionary **m), (m))
LAZY(int, av_dict_set, (AVDictionary **pm, const char *key, const char *value, int flags), (pm, key, value, flags))
LAZY(int, av_hwdevice_ctx_create, (AVBufferRef **device_ctx, enum AVHWDeviceType type, const char *device, AVDictionary *opts, int flags), (device_ctx, type, device, opts, flags))
LAZY(AVBufferRef *, av_hwframe_ctx_alloc, (AVBufferRef *device_ctx), (device_ctx))
LAZY(int, av_hwframe_ctx_init, (AVBufferRef *ref), (ref))
LAZY(int, av_hwframe_get_buffer, (AVBufferRef *hwframe_ctx, AVFrame *frame, int flags), (hwframe_ctx, frame, flags))
LAZY(enum AVPixelFormat, avcodec_default_get_format, (struct AVCodecContext *s, const enum AVPixelFormat *fmt), (s, fmt))
LAZY(const AVCodecHWConfig *, avcodec_get_hw_config, (const AVCodec *codec, int index), (codec, index))
LAZY(AVBufferRef *, av_buffer_create, (uint8_t *data, size_t size, void (*free_fn)(void *opaque, uint8_t *data), void *opaque, int flags), (data, size, free_fn, opaque, flags))
LAZY(int, av_buffersink_get_frame, (AVFilterContext *ctx, AVFrame *frame), (ctx, frame))
LAZY(int, av_buffersrc_add_frame, (AVFilterContext *ctx, AVFrame *frame), (ctx, frame))
LAZY(int, av_find_best_stream, (AVFormatContext *ic, enum AVMediaType type, int wanted_stream_nb, int related_stream, const AVCodec **decoder_ret, int flags), (ic, type, wanted_stream_nb, related_stream, decoder_ret, flags))
LAZY(AVFrame *, av_frame_alloc, (void), ())
LAZYV(av_frame_free, (AVFrame **frame), (frame))
LAZY(int, av_frame_get_buffer, (AVFrame *frame, int align), (frame, align))
LAZY(int, av_frame_make_writable, (AVFrame *frame), (frame))
LAZYV(av_frame_unref, (AVFrame *frame), (frame))
LAZY(const char *, av_get_pix_fmt_name, (enum AVPixelFormat pix_fmt), (pix_fmt))
LAZY(int, av_interleaved_write_frame, (AVFormatContext *s, AVPacket *pkt), (s, pkt))
LAZYV(av_log_set_level, (int level), (level))
LAZY(int, av_opt_set, (void *obj, const char *name, const char *val, int search_flags), (obj, name, val, search_flags))
LAZY(int, av_opt_set_int, (void *obj, const char *name, int64_t val, int search_flags), (obj, name, val, search_flags))
LAZY(AVPacket *, av_packet_alloc, (void), ())
LAZYV(av_packet_free, (AVPacket **pkt), (pkt))
LAZYV(av_packet_rescale_ts, (AVPacket *pkt, AVRational tb_src, AVRational tb_dst), (pkt, tb_src, tb_dst))
LAZYV(av_packet_unref, (AVPacket *pkt), (pkt))
LAZY(int, av_read_frame, (AVFormatContext *s, AVPacket *pkt), (s, pkt))
LAZY(int, av_seek_frame, (AVFormatContext *s, int stream_index, int64_t timestamp, int flags), (s, stream_index, timestamp, flags))
LAZY(int, av_strerror, (int errnum, char *errbuf, size_t errbuf_size), (errnum, errbuf, errbuf_size))
LAZY(int, av_write_trailer, (AVFormatContext *s), (s))
LAZY(AVCodecContext *, avcodec_alloc_context3, (const AVCodec *codec), (codec))
LAZY(const AVCodec *, avcodec_find_decoder, (enum AVCodecID id), (id))
LAZY(const AVCodec *, avcodec_find_encoder, (enum AVCodecID id), (id))
LAZY(const AVCodec *, avcodec_find_encoder_by_name, (const char *name), (name))
LAZYV(avcodec_flush_buffers, (AVCodecContext *avctx), (avctx))
LAZYV(avcodec_free_context, (AVCodecContext **avctx), (avctx))
LAZY(const char *, avcodec_get_name, (enum AVCodecID id), (id))
LAZY(int, avcodec_open2, (AVCodecContext *avctx, const AVCodec *codec, AVDictionary **options), (avctx, codec, options))
LAZY(int, avcodec_parameters_from_context, (AVCodecParameters *par, const AVCodecContext *codec), (par, codec))
LAZY(int, avcodec_parameters_to_context, (AVCodecContext *codec, const AVCodecParameters *par), (codec, par))
LAZY(int, avcodec_receive_frame, (AVCodecContext *avctx, AVFrame *frame), (avctx, frame))
LAZY(int, avcodec_receive_packet, (AVCodecContext *avctx, AVPacket *avpkt), (avctx, avpkt))
LAZY(int, avcodec_send_frame, (AVCodecContext *avctx, const AVFrame *frame), (avctx, frame))
LAZY(int, avcodec_send_packet, (AVCodecContext *avctx, const AVPacket *avpkt), (avctx, avpkt))
LAZY(const AVFilter *, avfilter_get_by_name, (const char *name), (name))
LAZY(AVFilterGraph *, avfilter_graph_alloc, (void), ())
LAZY(int, avfilter_graph_config, (AVFilterGraph *graphctx, void *log_ctx), (graphctx, log_ctx))
LAZY(int, avfilter_graph_create_filter, (AVFilterContext **filt_ctx, const AVFilter *filt, const char *name, const char *args, void *opaque, AVFilterGraph *graph_ctx), (filt_ctx, filt, name, args, opaque, graph_ctx))
LAZYV(avfilter_graph_free, (AVFilterGraph **graph), (graph))
LAZYV(avfilter_graph_set_auto_convert, (AVFilterGraph *graph, unsigned flags), (graph, flags))
LAZY(int, avfilter_link, (AVFilterContext *src, unsigned srcpad, AVFilterContext *dst, unsigned dstpad), (src, srcpad, dst, dstpad))
LAZY(int, avformat_alloc_output_context2, (AVFormatContext **ctx, const AVOutputFormat *oformat, const char *format_name, const char *filename), (ctx, oformat, format_name, filename))
LAZYV(avformat_close_input, (AVFormatContext **s), (s))
LAZY(int, avformat_find_stream_info, (AVFormatContext *ic, AVDictionary **options), (ic, options))
LAZYV(avformat_free_context, (AVFormatContext *s), (s))
LAZY(AVStream *, avformat_new_stream, (AVFormatContext *s, const AVCodec *c), (s, c))
LAZY(int, avformat_open_input, (AVFormatContext **ps, const char *url, const AVInputFormat *fmt, AVDictionary **options), (ps, url, fmt, options))
LAZY(int, avformat_write_header, (AVFormatContext *s, AVDictionary **options), (s, options))
LAZY(int, avio_closep, (AVIOContext **s), (s))
LAZY(int, avio_open, (AVIOContext **s, const char *url, int flags), (s, url, flags))
LAZY(struct SwsContext *, sws_alloc_context, (void), ())
LAZYV(sws_freeContext, (struct SwsContext *swsContext), (swsContext))
LAZY(struct SwsContext *, sws_getCachedContext, (struct SwsContext *context, int srcW, int srcH, enum AVPixelFormat srcFormat, int dstW, int dstH, enum AVPixelFormat dstFormat, int flags, SwsFilter *srcFilter, SwsFilter *dstFilter, const double *param), (context, srcW, srcH, srcFormat, dstW, dstH, dstFormat, flags, srcFilter, dstFilter, param))
LAZY(int, sws_init_context, (struct SwsContext *sws_context, SwsFilter *srcFilter, SwsFilter *dstFilter), (sws_context, srcFilter, dstFilter))
LAZY(int, sws_scale, (struct SwsContext *c, const uint8_t *const srcSlice[], const int srcStride[], int srcSliceY, int srcSliceH, uint8_t *const dst[], const int dstStride[]), (c, srcSlice, srcStride, srcSliceY, srcSliceH, dst, dstStride))
LAZY(int, sws_scale_frame, (struct SwsContext *c, AVFrame *dst, const AVFrame *src), (c, dst, src))

#endif /* FORKCAST_AV_STATIC */

/* calibrate/video_index.c -- a video file's frame index (libavformat demux,
 * one decode). See video_index.h. */
#include "calibrate/video_index.h"

#include "base/status.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/avutil.h>
#include <libavutil/pixdesc.h>

typedef struct {
    int64_t pts;
    unsigned char key;
} frame_ix;

/* One load: the libav objects and the packets read so far. */
typedef struct {
    const char *path;
    AVFormatContext *fmt;
    AVCodecContext *dec;
    AVPacket *pkt;
    AVFrame *fr;
    AVStream *st;       /* the video stream, borrowed from fmt */
    int vs;             /* its index */
    frame_ix *ix;       /* [n] packets; sorted by pts once read */
    size_t n, cap;
} loader;

static int cmp_frame(const void *a, const void *b)
{
    int64_t x = ((const frame_ix *)a)->pts, y = ((const frame_ix *)b)->pts;
    return (x > y) - (x < y);
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

static void loader_close(loader *L)
{
    free(L->ix);
    av_frame_free(&L->fr);
    av_packet_free(&L->pkt);
    avcodec_free_context(&L->dec);
    avformat_close_input(&L->fmt);
}

/* Open the file, pick its best video stream and open a decoder for it. */
static int open_video(loader *L, char *err, size_t errsz)
{
    const char *path = L->path;
    char msg[AV_ERROR_MAX_STRING_SIZE];
    int ret;
    if ((ret = avformat_open_input(&L->fmt, path, NULL, NULL)) < 0) {
        av_strerror(ret, msg, sizeof msg);
        return base_errf(err, errsz, BASE_EINPUT, "%s: not a readable video file (%s)", path, msg);
    }
    if ((ret = avformat_find_stream_info(L->fmt, NULL)) < 0) {
        av_strerror(ret, msg, sizeof msg);
        return base_errf(err, errsz, BASE_EINPUT, "%s: cannot read stream info (%s)", path, msg);
    }
    L->vs = av_find_best_stream(L->fmt, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
    if (L->vs < 0)
        return base_errf(err, errsz, BASE_EINPUT, "%s: no video stream", path);
    L->st = L->fmt->streams[L->vs];
    const AVCodec *codec = avcodec_find_decoder(L->st->codecpar->codec_id);
    if (!codec)
        return base_errf(err, errsz, BASE_EINPUT, "%s: no decoder for video codec %s", path,
                         avcodec_get_name(L->st->codecpar->codec_id));
    L->dec = avcodec_alloc_context3(codec);
    L->pkt = av_packet_alloc();
    L->fr = av_frame_alloc();
    if (!L->dec || !L->pkt || !L->fr)
        return base_errf(err, errsz, BASE_ERUNTIME, "out of memory");
    if (avcodec_parameters_to_context(L->dec, L->st->codecpar) < 0 ||
        avcodec_open2(L->dec, codec, NULL) < 0)
        return base_errf(err, errsz, BASE_EINPUT, "%s: cannot open the %s decoder", path,
                         codec->name);
    return BASE_OK;
}

/* Append the video packet in L->pkt to the index. */
static int index_packet(loader *L, char *err, size_t errsz)
{
    const AVPacket *pkt = L->pkt;
    if (L->n == L->cap) {
        size_t cap = L->cap ? 2 * L->cap : 1024;
        frame_ix *g = realloc(L->ix, cap * sizeof *L->ix);
        if (!g)
            return base_errf(err, errsz, BASE_ERUNTIME, "out of memory");
        L->ix = g;
        L->cap = cap;
    }
    frame_ix *e = &L->ix[L->n];
    e->pts = pkt->pts != AV_NOPTS_VALUE ? pkt->pts : pkt->dts;
    e->key = (pkt->flags & AV_PKT_FLAG_KEY) != 0;
    if (e->pts == AV_NOPTS_VALUE)
        return base_errf(err, errsz, BASE_EINPUT, "%s: video frame %zu has no timestamp", L->path,
                         L->n);
    L->n++;
    return BASE_OK;
}

/* Read every packet, index the video ones, decode until one frame comes
 * out; then sort the index into display order. */
static int index_packets(loader *L, char *err, size_t errsz)
{
    char msg[AV_ERROR_MAX_STRING_SIZE];
    int ret, rc = BASE_OK, decoded = 0;
    while ((ret = av_read_frame(L->fmt, L->pkt)) >= 0) {
        if (L->pkt->stream_index == L->vs) {
            rc = index_packet(L, err, errsz);
            if (!rc && !decoded && avcodec_send_packet(L->dec, L->pkt) >= 0 &&
                avcodec_receive_frame(L->dec, L->fr) == 0)
                decoded = 1;
        }
        av_packet_unref(L->pkt);
        if (rc)
            return rc;
    }
    if (ret != AVERROR_EOF) {
        av_strerror(ret, msg, sizeof msg);
        return base_errf(err, errsz, BASE_EINPUT, "%s: read error after %zu video frames (%s)",
                         L->path, L->n, msg);
    }
    if (!decoded && L->n > 0 && avcodec_send_packet(L->dec, NULL) >= 0 &&
        avcodec_receive_frame(L->dec, L->fr) == 0)
        decoded = 1;
    if (L->n == 0)
        return base_errf(err, errsz, BASE_EINPUT, "%s: no video frames", L->path);
    if (!decoded)
        return base_errf(err, errsz, BASE_EINPUT, "%s: no decodable video frame (corrupt?)",
                         L->path);
    qsort(L->ix, L->n, sizeof *L->ix, cmp_frame);
    return BASE_OK;
}

/* The sorted index and the stream's parameters as a cal_video. */
static int build_video(const loader *L, const struct stat *sb, cal_video **out, char *err,
                       size_t errsz)
{
    int rc = BASE_OK;
    size_t n = L->n;
    const AVStream *st = L->st;
    cal_video *v = calloc(1, sizeof *v);
    if (v) {
        v->pts = malloc(n * sizeof *v->pts);
        v->t = malloc(n * sizeof *v->t);
        v->key = malloc(n);
    }
    int *gaps = malloc(n * sizeof *gaps);
    if (!v || !v->pts || !v->t || !v->key || !gaps) {
        rc = base_errf(err, errsz, BASE_ERUNTIME, "out of memory");
        goto cleanup;
    }
    double tb = av_q2d(st->time_base);
    double start = L->fmt->start_time != AV_NOPTS_VALUE
                       ? (double)L->fmt->start_time / AV_TIME_BASE
                       : (double)L->ix[0].pts * tb;
    size_t ngaps = 0, last_key = SIZE_MAX;
    for (size_t i = 0; i < n; i++) {
        v->pts[i] = L->ix[i].pts;
        v->t[i] = (double)L->ix[i].pts * tb - start;
        v->key[i] = L->ix[i].key;
        if (L->ix[i].key) {
            if (last_key != SIZE_MAX)
                gaps[ngaps++] = (int)(i - last_key);
            last_key = i;
            v->nkeys++;
        }
    }
    if (v->nkeys == 0) {
        rc = base_errf(err, errsz, BASE_EINPUT, "%s: no keyframe in the video stream", L->path);
        goto cleanup;
    }
    if (ngaps) {
        qsort(gaps, ngaps, sizeof *gaps, cmp_int);
        v->gop = gaps[ngaps / 2];
    } else {
        v->gop = (int)n;
    }
    v->nframes = n;
    v->width = st->codecpar->width;
    v->height = st->codecpar->height;
    v->tb_num = st->time_base.num;
    v->tb_den = st->time_base.den;
    AVRational fr_rate = st->avg_frame_rate.num > 0 ? st->avg_frame_rate : st->r_frame_rate;
    v->fps = fr_rate.num > 0 && fr_rate.den > 0 ? av_q2d(fr_rate) : 0;
    v->size_mb = (double)sb->st_size / 1e6;
    snprintf(v->codec, sizeof v->codec, "%s", avcodec_get_name(st->codecpar->codec_id));
    const char *pf = av_get_pix_fmt_name((enum AVPixelFormat)st->codecpar->format);
    snprintf(v->pix_fmt, sizeof v->pix_fmt, "%s", pf ? pf : "unknown");
    *out = v;
    v = NULL;

cleanup:
    cal_video_free(v);
    free(gaps);
    return rc;
}

void cal_video_free(cal_video *v)
{
    if (!v)
        return;
    free(v->pts);
    free(v->t);
    free(v->key);
    free(v);
}

int cal_video_load(const char *path, cal_video **out, char *err, size_t errsz)
{
    loader L = {.path = path};
    struct stat sb;
    int rc;
    *out = NULL;
    av_log_set_level(AV_LOG_QUIET); /* libav logs to stderr; library code never prints */

    if (stat(path, &sb) != 0)
        return base_errf(err, errsz, BASE_EINPUT, "%s: cannot open: %s", path, strerror(errno));
    if (!S_ISREG(sb.st_mode))
        return base_errf(err, errsz, BASE_EINPUT, "%s: not a regular file", path);
    if ((rc = open_video(&L, err, errsz)) || (rc = index_packets(&L, err, errsz)) ||
        (rc = build_video(&L, &sb, out, err, errsz)))
        goto cleanup;

cleanup:
    loader_close(&L);
    return rc;
}

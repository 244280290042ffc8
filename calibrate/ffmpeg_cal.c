/* calibrate/ffmpeg_cal.c -- `calibrate ffmpeg`: startup, seek, decode,
 * encode and concat costs of the real FFmpeg. See ffmpeg_cal.h. */
#include "calibrate/ffmpeg_cal.h"
#include "base/clock.h"
#include "base/proc.h"

#include "base/status.h"

#include <assert.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/avutil.h>
#include <libavutil/pixdesc.h>

#define FFMPEG "ffmpeg"
#define MAX_SEEK_TARGETS 15
#define CONCAT_TOTAL_GOPS 8 /* split series: k chunks of 8/k GOPs */
#define DECODE_MAX_FRAMES 600
#define ENCODE_MAX_FRAMES 60

static const int concat_ks[] = {2, 4, 8};
#define NKS ((int)(sizeof concat_ks / sizeof concat_ks[0]))

/* libav logs to stderr by default; library code never prints. */
static void quiet_libav(void) { av_log_set_level(AV_LOG_QUIET); }

void cal_ffmpeg_opts_default(cal_ffmpeg_opts *o)
{
    *o = (cal_ffmpeg_opts){
        .input = NULL, .width = 1920, .height = 1080, .seconds = 10, .fps = 30, .gop = 60,
        .repeats = 5, .preset = "medium", .timeout_s = 600,
    };
}

/* ---- cal_video ---------------------------------------------------------- */

typedef struct {
    int64_t pts;
    unsigned char key;
} frame_ix;

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
    int rc = BASE_OK, ret;
    AVFormatContext *fmt = NULL;
    AVCodecContext *dec = NULL;
    AVPacket *pkt = NULL;
    AVFrame *fr = NULL;
    frame_ix *ix = NULL;
    int *gaps = NULL;
    cal_video *v = NULL;
    size_t n = 0, cap = 0;
    char msg[AV_ERROR_MAX_STRING_SIZE];
    struct stat sb;
    *out = NULL;
    quiet_libav();

    if (stat(path, &sb) != 0)
        return base_errf(err, errsz, BASE_EINPUT, "%s: cannot open: %s", path, strerror(errno));
    if (!S_ISREG(sb.st_mode))
        return base_errf(err, errsz, BASE_EINPUT, "%s: not a regular file", path);
    if ((ret = avformat_open_input(&fmt, path, NULL, NULL)) < 0) {
        av_strerror(ret, msg, sizeof msg);
        return base_errf(err, errsz, BASE_EINPUT, "%s: not a readable video file (%s)", path,
                          msg);
    }
    if ((ret = avformat_find_stream_info(fmt, NULL)) < 0) {
        av_strerror(ret, msg, sizeof msg);
        rc = base_errf(err, errsz, BASE_EINPUT, "%s: cannot read stream info (%s)", path, msg);
        goto cleanup;
    }
    int vs = av_find_best_stream(fmt, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
    if (vs < 0) {
        rc = base_errf(err, errsz, BASE_EINPUT, "%s: no video stream", path);
        goto cleanup;
    }
    AVStream *st = fmt->streams[vs];
    const AVCodec *codec = avcodec_find_decoder(st->codecpar->codec_id);
    if (!codec) {
        rc = base_errf(err, errsz, BASE_EINPUT, "%s: no decoder for video codec %s", path,
                        avcodec_get_name(st->codecpar->codec_id));
        goto cleanup;
    }
    dec = avcodec_alloc_context3(codec);
    pkt = av_packet_alloc();
    fr = av_frame_alloc();
    if (!dec || !pkt || !fr) {
        rc = base_errf(err, errsz, BASE_ERUNTIME, "out of memory");
        goto cleanup;
    }
    if (avcodec_parameters_to_context(dec, st->codecpar) < 0 ||
        (ret = avcodec_open2(dec, codec, NULL)) < 0) {
        rc = base_errf(err, errsz, BASE_EINPUT, "%s: cannot open the %s decoder", path,
                        codec->name);
        goto cleanup;
    }

    int decoded = 0;
    while ((ret = av_read_frame(fmt, pkt)) >= 0) {
        if (pkt->stream_index == vs) {
            if (n == cap) {
                cap = cap ? 2 * cap : 1024;
                frame_ix *g = realloc(ix, cap * sizeof *ix);
                if (!g) {
                    av_packet_unref(pkt);
                    rc = base_errf(err, errsz, BASE_ERUNTIME, "out of memory");
                    goto cleanup;
                }
                ix = g;
            }
            ix[n].pts = pkt->pts != AV_NOPTS_VALUE ? pkt->pts : pkt->dts;
            ix[n].key = (pkt->flags & AV_PKT_FLAG_KEY) != 0;
            if (ix[n].pts == AV_NOPTS_VALUE) {
                av_packet_unref(pkt);
                rc = base_errf(err, errsz, BASE_EINPUT, "%s: video frame %zu has no timestamp",
                                path, n);
                goto cleanup;
            }
            n++;
            if (!decoded && avcodec_send_packet(dec, pkt) >= 0 &&
                avcodec_receive_frame(dec, fr) == 0)
                decoded = 1;
        }
        av_packet_unref(pkt);
    }
    if (ret != AVERROR_EOF) {
        av_strerror(ret, msg, sizeof msg);
        rc = base_errf(err, errsz, BASE_EINPUT, "%s: read error after %zu video frames (%s)",
                        path, n, msg);
        goto cleanup;
    }
    if (!decoded && n > 0 && avcodec_send_packet(dec, NULL) >= 0 &&
        avcodec_receive_frame(dec, fr) == 0)
        decoded = 1;
    if (n == 0) {
        rc = base_errf(err, errsz, BASE_EINPUT, "%s: no video frames", path);
        goto cleanup;
    }
    if (!decoded) {
        rc = base_errf(err, errsz, BASE_EINPUT, "%s: no decodable video frame (corrupt?)", path);
        goto cleanup;
    }
    qsort(ix, n, sizeof *ix, cmp_frame);

    v = calloc(1, sizeof *v);
    if (v) {
        v->pts = malloc(n * sizeof *v->pts);
        v->t = malloc(n * sizeof *v->t);
        v->key = malloc(n);
    }
    gaps = malloc(n * sizeof *gaps);
    if (!v || !v->pts || !v->t || !v->key || !gaps) {
        rc = base_errf(err, errsz, BASE_ERUNTIME, "out of memory");
        goto cleanup;
    }
    double tb = av_q2d(st->time_base);
    double start = fmt->start_time != AV_NOPTS_VALUE ? (double)fmt->start_time / AV_TIME_BASE
                                                      : (double)ix[0].pts * tb;
    size_t ngaps = 0, last_key = SIZE_MAX;
    for (size_t i = 0; i < n; i++) {
        v->pts[i] = ix[i].pts;
        v->t[i] = (double)ix[i].pts * tb - start;
        v->key[i] = ix[i].key;
        if (ix[i].key) {
            if (last_key != SIZE_MAX)
                gaps[ngaps++] = (int)(i - last_key);
            last_key = i;
            v->nkeys++;
        }
    }
    if (v->nkeys == 0) {
        rc = base_errf(err, errsz, BASE_EINPUT, "%s: no keyframe in the video stream", path);
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
    v->size_mb = (double)sb.st_size / 1e6;
    snprintf(v->codec, sizeof v->codec, "%s", avcodec_get_name(st->codecpar->codec_id));
    const char *pf = av_get_pix_fmt_name((enum AVPixelFormat)st->codecpar->format);
    snprintf(v->pix_fmt, sizeof v->pix_fmt, "%s", pf ? pf : "unknown");
    *out = v;
    v = NULL;

cleanup:
    cal_video_free(v);
    free(gaps);
    free(ix);
    av_frame_free(&fr);
    av_packet_free(&pkt);
    avcodec_free_context(&dec);
    avformat_close_input(&fmt);
    return rc;
}

/* ---- running ffmpeg ----------------------------------------------------- */

/* Run one ffmpeg command; anything but exit 0 is BASE_ERUNTIME naming what. */
static int ff_run(const char *what, char *const argv[], const char *log, double timeout_s,
                  const volatile sig_atomic_t *cancel, double *wall_s, char *err, size_t errsz)
{
    base_proc_result pr;
    int rc = base_proc_run(argv, NULL, log, timeout_s, cancel, &pr, err, errsz);
    if (rc)
        return rc;
    if (pr.how == BASE_PROC_NOSTART && pr.code == ENOENT)
        return base_errf(err, errsz, BASE_ERUNTIME, "%s: not found on PATH (install ffmpeg)",
                          argv[0]);
    if (pr.how != BASE_PROC_EXITED || pr.code != 0) {
        char why[512];
        base_proc_describe(&pr, timeout_s, log, why, sizeof why);
        return base_errf(err, errsz, BASE_ERUNTIME, "ffmpeg (%s): %s", what, why);
    }
    if (wall_s)
        *wall_s = pr.wall_s;
    return BASE_OK;
}

int cal_chunks_check(const char *const *paths, size_t n, char *err, size_t errsz)
{
    typedef struct {
        enum AVCodecID codec;
        int w, h, fmt;
        AVRational tb;
    } sig;
    int rc = BASE_OK;
    sig first = {0};
    quiet_libav();
    for (size_t i = 0; i < n && rc == BASE_OK; i++) {
        AVFormatContext *fmt = NULL;
        char msg[AV_ERROR_MAX_STRING_SIZE];
        int ret = avformat_open_input(&fmt, paths[i], NULL, NULL);
        if (ret >= 0)
            ret = avformat_find_stream_info(fmt, NULL);
        if (ret < 0) {
            av_strerror(ret, msg, sizeof msg);
            rc = base_errf(err, errsz, BASE_EINPUT, "%s: chunk %zu is not a readable video (%s)",
                            paths[i], i + 1, msg);
            avformat_close_input(&fmt);
            break;
        }
        int vs = av_find_best_stream(fmt, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
        if (vs < 0) {
            rc = base_errf(err, errsz, BASE_EINPUT, "%s: chunk %zu has no video stream",
                            paths[i], i + 1);
            avformat_close_input(&fmt);
            break;
        }
        const AVCodecParameters *p = fmt->streams[vs]->codecpar;
        sig s = {p->codec_id, p->width, p->height, p->format, fmt->streams[vs]->time_base};
        avformat_close_input(&fmt);
        if (i == 0) {
            first = s;
            continue;
        }
        if (s.codec != first.codec || s.w != first.w || s.h != first.h || s.fmt != first.fmt ||
            av_cmp_q(s.tb, first.tb) != 0) {
            const char *pf0 = av_get_pix_fmt_name((enum AVPixelFormat)first.fmt);
            const char *pf1 = av_get_pix_fmt_name((enum AVPixelFormat)s.fmt);
            rc = base_errf(err, errsz, BASE_EINPUT,
                            "%s: chunk %zu (%s %dx%d %s, time base %d/%d) does not match chunk 1 "
                            "%s (%s %dx%d %s, time base %d/%d); concatenating them would write a "
                            "broken file",
                            paths[i], i + 1, avcodec_get_name(s.codec), s.w, s.h,
                            pf1 ? pf1 : "?", s.tb.num, s.tb.den, paths[0],
                            avcodec_get_name(first.codec), first.w, first.h, pf0 ? pf0 : "?",
                            first.tb.num, first.tb.den);
        }
    }
    return rc;
}

int cal_concat_run(const char *const *paths, size_t n, const char *list_path,
                   const char *out_path, double timeout_s, const volatile sig_atomic_t *cancel,
                   double *wall_s, char *err, size_t errsz)
{
    int rc;
    base_out list;
    int list_open = 0;
    char log[4200] = "";
    if (n < 1)
        return base_errf(err, errsz, BASE_EINPUT, "concat: no chunks");
    if ((rc = cal_chunks_check(paths, n, err, errsz)))
        goto cleanup;
    /* The demuxer resolves relative names against the list's folder: write
     * absolute ones, single-quoted, ' as '\''. */
    if ((rc = base_out_open(&list, list_path, err, errsz)))
        goto cleanup;
    list_open = 1;
    for (size_t i = 0; i < n; i++) {
        char abs[PATH_MAX];
        if (!realpath(paths[i], abs)) {
            rc = base_errf(err, errsz, BASE_EINPUT, "%s: %s", paths[i], strerror(errno));
            goto cleanup;
        }
        fputs("file '", list.f);
        for (const char *c = abs; *c; c++)
            if (*c == '\'')
                fputs("'\\''", list.f);
            else
                fputc(*c, list.f);
        fputs("'\n", list.f);
    }
    list_open = 0; /* commit closes it, on failure too */
    if ((rc = base_out_commit(&list, err, errsz)))
        goto cleanup;
    snprintf(log, sizeof log, "%s.log", list_path);
    char *argv[] = {FFMPEG, "-hide_banner", "-nostdin", "-loglevel", "error", "-y", "-f",
                    "concat", "-safe", "0", "-i", (char *)list_path, "-c", "copy",
                    (char *)out_path, NULL};
    char what[64];
    snprintf(what, sizeof what, "concat of %zu chunks", n);
    rc = ff_run(what, argv, log, timeout_s, cancel, wall_s, err, errsz);

cleanup:
    if (list_open)
        base_out_abort(&list);
    if (log[0])
        remove(log);
    return rc;
}

/* ---- calibrate ffmpeg --------------------------------------------------- */

typedef struct {
    const cal_ffmpeg_opts *o;
    char tmp[4096];
    char log[4200];
    char gen[4200]; /* the generated input, when no --input */
    const char *in;
    cal_video *v;
    cal_ffmpeg_result *r;
    cJSON *cal; /* borrowed: r->calibration */
} run_ctx;

static void progress(const run_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void progress(const run_ctx *c, const char *fmt, ...)
{
    if (!c->o->progress)
        return;
    char line[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    c->o->progress(c->o->progress_ctx, line);
}

static void tmp_path(const run_ctx *c, char *buf, size_t sz, const char *name)
{
    if ((size_t)snprintf(buf, sz, "%s/%s", c->tmp, name) >= sz)
        buf[0] = 0; /* cannot happen: tmp is < 4096 and names are short */
}

static cJSON *num_array(const double *x, size_t n)
{
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; i < n; i++)
        cJSON_AddItemToArray(a, cJSON_CreateNumber(x[i]));
    return a;
}

/* Median of a copy of x (x is left alone). */
static double median_of(const double *x, size_t n)
{
    double *s = malloc(n * sizeof *s);
    if (!s)
        return NAN;
    memcpy(s, x, n * sizeof *s);
    gsl_sort(s, 1, n);
    double m = gsl_stats_median_from_sorted_data(s, 1, n);
    free(s);
    return m;
}

static void note(run_ctx *c, const char *text)
{
    cJSON *notes = cJSON_GetObjectItem(c->cal, "notes");
    cJSON_AddItemToArray(notes, cJSON_CreateString(text));
}

static int step_version(run_ctx *c, char *err, size_t errsz)
{
    char out[4200], *text = NULL;
    tmp_path(c, out, sizeof out, "version.txt");
    char *argv[] = {FFMPEG, "-version", NULL};
    base_proc_result pr;
    int rc = base_proc_run(argv, out, c->log, 60, c->o->cancel, &pr, err, errsz);
    if (rc)
        return rc;
    if (pr.how != BASE_PROC_EXITED || pr.code != 0) {
        if (pr.how == BASE_PROC_NOSTART && pr.code == ENOENT)
            return base_errf(err, errsz, BASE_ERUNTIME,
                              FFMPEG ": not found on PATH (install ffmpeg)");
        char why[512];
        base_proc_describe(&pr, 60, c->log, why, sizeof why);
        return base_errf(err, errsz, BASE_ERUNTIME, FFMPEG " -version: %s", why);
    }
    char ver[64] = "unknown";
    if (base_read_file(out, &text, NULL, NULL, 0) == BASE_OK)
        sscanf(text, "ffmpeg version %63s", ver);
    free(text);
    cJSON_AddStringToObject(c->cal, "ffmpeg_version", ver);
    cJSON_AddStringToObject(c->cal, "libavformat", LIBAVFORMAT_IDENT);
    return BASE_OK;
}

static int step_input(run_ctx *c, char *err, size_t errsz)
{
    const cal_ffmpeg_opts *o = c->o;
    int rc;
    cJSON *in = cJSON_AddObjectToObject(c->cal, "input");
    if (!o->input) {
        char src[128], g[16], path[4200];
        tmp_path(c, path, sizeof path, "input.mp4");
        snprintf(src, sizeof src, "testsrc2=size=%dx%d:rate=%d:duration=%g", o->width,
                 o->height, o->fps, o->seconds);
        snprintf(g, sizeof g, "%d", o->gop);
        char *argv[] = {FFMPEG, "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
                        "-f", "lavfi", "-i", src, "-c:v", "libx264", "-preset", "veryfast",
                        "-g", g, "-keyint_min", g, "-sc_threshold", "0", "-pix_fmt", "yuv420p",
                        "-an", path, NULL};
        progress(c, "generating %s (libx264, GOP %d)", src, o->gop);
        if ((rc = ff_run("generate test input", argv, c->log, o->timeout_s, o->cancel, NULL, err,
                         errsz)))
            return rc;
        snprintf(c->gen, sizeof c->gen, "%s", path);
        c->in = c->gen;
        cJSON_AddBoolToObject(in, "generated", 1);
        cJSON_AddStringToObject(in, "source", src);
        cJSON_AddStringToObject(in, "encoder", "libx264 -preset veryfast, fixed GOP");
    } else {
        c->in = o->input;
        cJSON_AddBoolToObject(in, "generated", 0);
        cJSON_AddStringToObject(in, "path", o->input);
    }
    if ((rc = cal_video_load(c->in, &c->v, err, errsz)))
        return rc;
    const cal_video *v = c->v;
    cJSON_AddStringToObject(in, "codec", v->codec);
    cJSON_AddStringToObject(in, "pix_fmt", v->pix_fmt);
    cJSON_AddNumberToObject(in, "width", v->width);
    cJSON_AddNumberToObject(in, "height", v->height);
    cJSON_AddNumberToObject(in, "fps", v->fps);
    cJSON_AddNumberToObject(in, "frames", (double)v->nframes);
    cJSON_AddNumberToObject(in, "keyframes", (double)v->nkeys);
    cJSON_AddNumberToObject(in, "gop", v->gop);
    cJSON_AddNumberToObject(in, "size_mb", v->size_mb);
    return BASE_OK;
}

/* Process startup: one untimed-for-the-fit warm-up (recorded as the first,
 * cold-cache run), then repeats no-op runs; lognormal from log-moments. */
static int step_startup(run_ctx *c, char *err, size_t errsz)
{
    int R = c->o->repeats, rc = BASE_OK;
    double *x = malloc((size_t)R * sizeof *x), *lx = malloc((size_t)R * sizeof *lx), first;
    char *argv[] = {FFMPEG, "-hide_banner", "-nostdin", "-loglevel", "error", "-f", "lavfi",
                    "-i", "nullsrc=d=0", "-f", "null", "-", NULL};
    if (!x || !lx) {
        rc = base_errf(err, errsz, BASE_ERUNTIME, "out of memory");
        goto cleanup;
    }
    progress(c, "startup: %d no-op runs", R + 1);
    if ((rc = ff_run("startup no-op", argv, c->log, c->o->timeout_s, c->o->cancel, &first, err,
                     errsz)))
        goto cleanup;
    for (int i = 0; i < R; i++) {
        if ((rc = ff_run("startup no-op", argv, c->log, c->o->timeout_s, c->o->cancel, &x[i], err,
                         errsz)))
            goto cleanup;
        lx[i] = log(x[i]);
    }
    double mu = gsl_stats_mean(lx, 1, (size_t)R);
    double sigma = R > 1 ? gsl_stats_sd(lx, 1, (size_t)R) : 0.0;
    cal_ffmpeg_result *r = c->r;
    r->start_median_s = exp(mu);
    r->start_fixed = !(sigma > 0);
    r->start_p95_s = r->start_fixed ? r->start_median_s
                                    : exp(mu + gsl_cdf_ugaussian_Pinv(0.95) * sigma);
    assert(r->start_fixed || r->start_p95_s > r->start_median_s);

    cJSON *s = cJSON_AddObjectToObject(c->cal, "startup");
    cJSON_AddStringToObject(s, "command", "ffmpeg -hide_banner -nostdin -loglevel error "
                                          "-f lavfi -i nullsrc=d=0 -f null -");
    cJSON_AddNumberToObject(s, "first_run_s", first);
    cJSON_AddItemToObject(s, "samples_s", num_array(x, (size_t)R));
    gsl_sort(x, 1, (size_t)R);
    cJSON_AddNumberToObject(s, "median_s", gsl_stats_median_from_sorted_data(x, 1, (size_t)R));
    cJSON_AddNumberToObject(s, "p95_s", gsl_stats_quantile_from_sorted_data(x, 1, (size_t)R, 0.95));
    cJSON_AddNumberToObject(s, "min_s", x[0]);
    cJSON_AddNumberToObject(s, "max_s", x[R - 1]);
    cJSON_AddNumberToObject(s, "log_mean", mu);
    cJSON_AddNumberToObject(s, "log_sd", sigma);

cleanup:
    free(x);
    free(lx);
    return rc;
}

/* Frames since the last keyframe at or before display index i. */
static int since_key(const cal_video *v, size_t i)
{
    size_t k = i;
    while (k > 0 && !v->key[k])
        k--;
    return (int)(i - k);
}

/* Seek targets: offsets 0, L/4, L/2, 3L/4, L-1 into the GOPs at 1/4, 1/2 and
 * 3/4 of the keyframe list. Returns the count (>= 1). */
static size_t seek_targets(const cal_video *v, size_t *tg)
{
    size_t nt = 0, nk = 0;
    size_t *keys = malloc(v->nkeys * sizeof *keys);
    if (!keys)
        return 0;
    for (size_t i = 0; i < v->nframes; i++)
        if (v->key[i])
            keys[nk++] = i;
    size_t gsel[3] = {nk / 4, nk / 2, (3 * nk) / 4};
    for (int g = 0; g < 3; g++) {
        if (g > 0 && gsel[g] == gsel[g - 1])
            continue;
        if (gsel[g] >= nk)
            continue;
        size_t start = keys[gsel[g]];
        size_t end = gsel[g] + 1 < nk ? keys[gsel[g] + 1] : v->nframes;
        size_t L = end - start;
        size_t offs[5] = {0, L / 4, L / 2, 3 * L / 4, L - 1};
        for (int j = 0; j < 5; j++) {
            if (j > 0 && offs[j] <= offs[j - 1])
                continue;
            assert(nt < MAX_SEEK_TARGETS);
            tg[nt++] = start + offs[j];
        }
    }
    free(keys);
    return nt;
}

/* In-process seek: av_seek_frame(BACKWARD) to the target's pts, flush, decode
 * until a frame at or past it. Decoder threads as the CLI's (auto). */
static int lib_seek(run_ctx *c, const size_t *tg, size_t nt, double *secs, int *ndec,
                    double *open_s, char *err, size_t errsz)
{
    int rc = BASE_OK, ret, R = c->o->repeats;
    AVFormatContext *fmt = NULL;
    AVCodecContext *dec = NULL;
    AVPacket *pkt = av_packet_alloc();
    AVFrame *fr = av_frame_alloc();
    char msg[AV_ERROR_MAX_STRING_SIZE];
    if (!pkt || !fr) {
        rc = base_errf(err, errsz, BASE_ERUNTIME, "out of memory");
        goto cleanup;
    }
    double t0 = base_now_s();
    if (avformat_open_input(&fmt, c->in, NULL, NULL) < 0 ||
        avformat_find_stream_info(fmt, NULL) < 0) {
        rc = base_errf(err, errsz, BASE_EINPUT, "%s: cannot reopen", c->in);
        goto cleanup;
    }
    int vs = av_find_best_stream(fmt, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
    const AVCodec *codec = vs >= 0 ? avcodec_find_decoder(fmt->streams[vs]->codecpar->codec_id)
                                   : NULL;
    if (!codec || !(dec = avcodec_alloc_context3(codec)) ||
        avcodec_parameters_to_context(dec, fmt->streams[vs]->codecpar) < 0) {
        rc = base_errf(err, errsz, BASE_EINPUT, "%s: cannot set up the decoder", c->in);
        goto cleanup;
    }
    dec->thread_count = 0; /* auto, as the ffmpeg CLI */
    if (avcodec_open2(dec, codec, NULL) < 0) {
        rc = base_errf(err, errsz, BASE_EINPUT, "%s: cannot open the decoder", c->in);
        goto cleanup;
    }
    *open_s = base_now_s() - t0;

    for (int rep = 0; rep < R; rep++) {
        for (size_t j = 0; j < nt; j++) {
            if (c->o->cancel && *c->o->cancel) {
                rc = base_errf(err, errsz, BASE_ERUNTIME, "interrupted");
                goto cleanup;
            }
            int64_t ts = c->v->pts[tg[j]];
            int n = 0, found = 0, eof = 0;
            double s0 = base_now_s();
            if ((ret = av_seek_frame(fmt, vs, ts, AVSEEK_FLAG_BACKWARD)) < 0) {
                av_strerror(ret, msg, sizeof msg);
                rc = base_errf(err, errsz, BASE_ERUNTIME, "%s: av_seek_frame to pts %lld: %s",
                                c->in, (long long)ts, msg);
                goto cleanup;
            }
            avcodec_flush_buffers(dec);
            while (!found) {
                if (!eof) {
                    ret = av_read_frame(fmt, pkt);
                    if (ret == AVERROR_EOF) {
                        eof = 1;
                        avcodec_send_packet(dec, NULL);
                    } else if (ret < 0) {
                        break;
                    } else {
                        if (pkt->stream_index == vs)
                            avcodec_send_packet(dec, pkt);
                        av_packet_unref(pkt);
                    }
                }
                while ((ret = avcodec_receive_frame(dec, fr)) == 0) {
                    n++;
                    int64_t p = fr->best_effort_timestamp;
                    av_frame_unref(fr);
                    if (p != AV_NOPTS_VALUE && p >= ts) {
                        found = 1;
                        break;
                    }
                }
                if (ret == AVERROR_EOF)
                    break;
            }
            secs[rep * nt + j] = base_now_s() - s0;
            ndec[rep * nt + j] = n;
            if (!found) {
                rc = base_errf(err, errsz, BASE_ERUNTIME,
                                "%s: in-process seek to frame %zu never reached it", c->in,
                                tg[j]);
                goto cleanup;
            }
        }
    }

cleanup:
    av_frame_free(&fr);
    av_packet_free(&pkt);
    avcodec_free_context(&dec);
    avformat_close_input(&fmt);
    return rc;
}

static int distinct_x(const double *x, size_t n)
{
    for (size_t i = 1; i < n; i++)
        if (x[i] != x[0])
            return 1;
    return 0;
}

static int step_seek(run_ctx *c, char *err, size_t errsz)
{
    int rc = BASE_OK, R = c->o->repeats;
    size_t tg[MAX_SEEK_TARGETS];
    size_t nt = seek_targets(c->v, tg);
    size_t n = nt * (size_t)R;
    size_t nbase = 0;
    for (size_t j = 0; j < nt; j++)
        nbase += j == 0 || since_key(c->v, tg[j]) == 0;
    nbase *= (size_t)R;
    double *base = malloc(nbase * sizeof *base);
    double *wall = malloc(n * sizeof *wall), *y = malloc(n * sizeof *y);
    double *x = malloc(n * sizeof *x), *ls = malloc(n * sizeof *ls);
    int *ndec = malloc(n * sizeof *ndec);
    size_t *bidx = malloc(n * sizeof *bidx);
    if (nt == 0 || !base || !wall || !y || !x || !ls || !ndec || !bidx) {
        rc = base_errf(err, errsz, BASE_ERUNTIME, "out of memory");
        goto cleanup;
    }
    char *bargv[] = {FFMPEG, "-hide_banner", "-nostdin", "-loglevel", "error", "-i",
                     (char *)c->in, "-map", "0:v:0", "-frames:v", "1", "-f", "null", "-", NULL};
    progress(c, "seek: %zu positions x %d repeats (CLI), then in-process", nt, R);
    size_t nb = 0;
    for (int rep = 0; rep < R; rep++) {
        for (size_t j = 0; j < nt; j++) {
            if (j == 0 || since_key(c->v, tg[j]) == 0) { /* a baseline before each GOP */
                assert(nb < nbase);
                if ((rc = ff_run("no-seek baseline", bargv, c->log, c->o->timeout_s,
                                 c->o->cancel, &base[nb++], err, errsz)))
                    goto cleanup;
            }
            bidx[rep * nt + j] = nb - 1;
            char ss[32];
            double t = c->v->t[tg[j]];
            snprintf(ss, sizeof ss, "%.6f", t > 0 ? t : 0.0);
            char *argv[] = {FFMPEG, "-hide_banner", "-nostdin", "-loglevel", "error", "-ss", ss,
                            "-i", (char *)c->in, "-map", "0:v:0", "-frames:v", "1", "-f",
                            "null", "-", NULL};
            if ((rc = ff_run("input seek", argv, c->log, c->o->timeout_s, c->o->cancel,
                             &wall[rep * nt + j], err, errsz)))
                goto cleanup;
        }
    }
    assert(nb == nbase);
    double base_med = median_of(base, nbase);
    for (size_t i = 0; i < n; i++) {
        x[i] = since_key(c->v, tg[i % nt]);
        y[i] = wall[i] - base[bidx[i]]; /* paired: machine load drifts */
    }
    double open_s = 0;
    if ((rc = lib_seek(c, tg, nt, ls, ndec, &open_s, err, errsz)))
        goto cleanup;

    cal_ffmpeg_result *r = c->r;
    cJSON *s = cJSON_AddObjectToObject(c->cal, "seek");
    cJSON_AddStringToObject(s, "model", "seconds = index lookup + frames_since_key x decode per "
                                        "frame; seek_s ~ uniform over a position in the GOP");
    cJSON_AddNumberToObject(s, "gop", c->v->gop);
    cJSON *b = cJSON_AddObjectToObject(s, "baseline");
    cJSON_AddStringToObject(b, "command", "ffmpeg -i IN -map 0:v:0 -frames:v 1 -f null -");
    cJSON_AddNumberToObject(b, "median_s", base_med);
    cJSON_AddItemToObject(b, "samples_s", num_array(base, nbase));

    cJSON *cli = cJSON_AddObjectToObject(s, "cli");
    cJSON_AddStringToObject(cli, "command",
                            "ffmpeg -ss T -i IN -map 0:v:0 -frames:v 1 -f null - (accurate seek), "
                            "minus the baseline run made just before this GOP's targets");
    cJSON *cp = cJSON_AddArrayToObject(cli, "points");
    for (size_t i = 0; i < n; i++) {
        cJSON *p = cJSON_CreateObject();
        cJSON_AddNumberToObject(p, "position_s", c->v->t[tg[i % nt]]);
        cJSON_AddNumberToObject(p, "frames_since_key", x[i]);
        cJSON_AddNumberToObject(p, "seconds", y[i]);
        cJSON_AddItemToArray(cp, p);
    }
    cJSON *lib = cJSON_AddObjectToObject(s, "lib");
    cJSON_AddStringToObject(lib, "method", "av_seek_frame(AVSEEK_FLAG_BACKWARD) + "
                                           "avcodec_flush_buffers + decode to the target, "
                                           "in-process");
    cJSON_AddNumberToObject(lib, "open_s", open_s);
    cJSON *lp = cJSON_AddArrayToObject(lib, "points");
    for (size_t i = 0; i < n; i++) {
        cJSON *p = cJSON_CreateObject();
        cJSON_AddNumberToObject(p, "position_s", c->v->t[tg[i % nt]]);
        cJSON_AddNumberToObject(p, "frames_since_key", x[i]);
        cJSON_AddNumberToObject(p, "frames_decoded", ndec[i]);
        cJSON_AddNumberToObject(p, "seconds", ls[i]);
        cJSON_AddItemToArray(lp, p);
    }

    if (distinct_x(x, n) && n >= 3) {
        if ((rc = cal_line_fit(x, y, n, &r->seek_cli, err, errsz)) ||
            (rc = cal_line_fit(x, ls, n, &r->seek_lib, err, errsz)))
            goto cleanup;
        r->has_seek_cli = r->has_seek_lib = 1;
        cJSON_AddItemToObject(cli, "fit", cal_line_json(&r->seek_cli, "lookup_s", "per_frame_s"));
        cJSON_AddItemToObject(lib, "fit", cal_line_json(&r->seek_lib, "lookup_s", "per_frame_s"));
        double a = r->seek_cli.c0, bb = r->seek_cli.c1, G = c->v->gop;
        r->seek_min_s = a > 0 ? a : 0.0;
        double hi = a + (bb > 0 ? bb : 0.0) * (G - 1);
        r->seek_max_s = hi > r->seek_min_s ? hi : r->seek_min_s;
        if (a < 0)
            note(c, "seek: negative CLI lookup intercept clamped at 0 in stage.seek_s");
    } else {
        double m = gsl_stats_mean(y, 1, n);
        r->seek_min_s = r->seek_max_s = m > 0 ? m : 0.0;
        note(c, "seek: every target is a keyframe (all-intra or GOP 1): no line fitted, "
                "stage.seek_s is the mean CLI seek cost");
    }

cleanup:
    free(base);
    free(wall);
    free(y);
    free(x);
    free(ls);
    free(ndec);
    free(bidx);
    return rc;
}

/* "bench: utime=%fs stime=%fs rtime=%fs" from ffmpeg -benchmark's log. */
static int bench_rtime(const char *log, double *rtime, char *err, size_t errsz)
{
    char *text = NULL;
    int rc = base_read_file(log, &text, NULL, err, errsz);
    if (rc)
        return BASE_ERUNTIME;
    const char *p = strstr(text, "bench: utime=");
    double u, s;
    if (!p || sscanf(p, "bench: utime=%lfs stime=%lfs rtime=%lfs", &u, &s, rtime) != 3)
        rc = base_errf(err, errsz, BASE_ERUNTIME, "ffmpeg -benchmark: no 'bench:' line in its log");
    free(text);
    return rc;
}

static int step_codec(run_ctx *c, char *err, size_t errsz)
{
    int rc = BASE_OK, runs = c->o->repeats < 3 ? c->o->repeats : 3;
    size_t nd = c->v->nframes < DECODE_MAX_FRAMES ? c->v->nframes : DECODE_MAX_FRAMES;
    size_t ne = c->v->nframes < ENCODE_MAX_FRAMES ? c->v->nframes : ENCODE_MAX_FRAMES;
    double drt[3], ert[3];
    char ndf[32], nef[32];
    snprintf(ndf, sizeof ndf, "%zu", nd);
    snprintf(nef, sizeof nef, "%zu", ne);
    const char *preset = c->o->preset ? c->o->preset : "medium";
    char *dargv[] = {FFMPEG, "-hide_banner", "-nostdin", "-nostats", "-benchmark", "-i",
                     (char *)c->in, "-map", "0:v:0", "-frames:v", ndf, "-f", "null", "-", NULL};
    char *eargv[] = {FFMPEG, "-hide_banner", "-nostdin", "-nostats", "-benchmark", "-i",
                     (char *)c->in, "-map", "0:v:0", "-frames:v", nef, "-c:v", "libx264",
                     "-preset", (char *)preset, "-f", "null", "-", NULL};
    progress(c, "decode %zu frames, encode %zu frames (libx264 %s), %d runs each", nd, ne, preset,
             runs);
    for (int i = 0; i < runs; i++) {
        if ((rc = ff_run("decode -benchmark", dargv, c->log, c->o->timeout_s, c->o->cancel, NULL,
                         err, errsz)) ||
            (rc = bench_rtime(c->log, &drt[i], err, errsz)))
            return rc;
        if ((rc = ff_run("encode -benchmark", eargv, c->log, c->o->timeout_s, c->o->cancel, NULL,
                         err, errsz)) ||
            (rc = bench_rtime(c->log, &ert[i], err, errsz)))
            return rc;
    }
    cal_ffmpeg_result *r = c->r;
    r->decode_per_frame_s = median_of(drt, (size_t)runs) / (double)nd;
    double enc = median_of(ert, (size_t)runs) / (double)ne - r->decode_per_frame_s;
    r->encode_per_frame_s = enc > 0 ? enc : 0.0;

    cJSON *d = cJSON_AddObjectToObject(c->cal, "decode");
    cJSON_AddStringToObject(d, "command", "ffmpeg -benchmark -i IN -map 0:v:0 -frames:v N -f null -");
    cJSON_AddNumberToObject(d, "frames", (double)nd);
    cJSON_AddItemToObject(d, "rtime_s", num_array(drt, (size_t)runs));
    cJSON_AddNumberToObject(d, "per_frame_s", r->decode_per_frame_s);
    cJSON *e = cJSON_AddObjectToObject(c->cal, "encode");
    cJSON_AddStringToObject(e, "command", "ffmpeg -benchmark -i IN -map 0:v:0 -frames:v N "
                                          "-c:v libx264 -preset P -f null -");
    cJSON_AddStringToObject(e, "preset", preset);
    cJSON_AddNumberToObject(e, "frames", (double)ne);
    cJSON_AddItemToObject(e, "rtime_s", num_array(ert, (size_t)runs));
    cJSON_AddNumberToObject(e, "per_frame_s", r->encode_per_frame_s);
    cJSON_AddStringToObject(e, "note", "per_frame_s = rtime/N - decode per_frame_s "
                                       "(decode + encode together: the sum)");
    if (r->has_seek_lib)
        cJSON_AddNumberToObject(c->cal, "seek_lib_per_frame_over_decode",
                                r->seek_lib.c1 / r->decode_per_frame_s);
    return BASE_OK;
}

static int copy_file(const char *from, const char *to, char *err, size_t errsz)
{
    char *text = NULL;
    size_t len = 0;
    int rc = base_read_file(from, &text, &len, err, errsz);
    if (rc)
        return BASE_ERUNTIME;
    FILE *f = fopen(to, "wb");
    if (!f || fwrite(text, 1, len, f) != len) {
        rc = base_errf(err, errsz, BASE_ERUNTIME, "%s: cannot write: %s", to, strerror(errno));
    }
    if (f && fclose(f) != 0 && !rc)
        rc = base_errf(err, errsz, BASE_ERUNTIME, "%s: cannot write: %s", to, strerror(errno));
    free(text);
    return rc;
}

/* Concat: chunk files built from the input's first GOP by stream copy
 * (c1), then c2 and c4 by concatenating copies of c1; each k's chunks are
 * distinct files. Series "split": k chunks of 8/k GOPs (constant total);
 * "fixed": k chunks of 1 GOP. */
static int step_concat(run_ctx *c, char *err, size_t errsz)
{
    int rc = BASE_OK, R = c->o->repeats;
    char path[CONCAT_TOTAL_GOPS * 2][4200], c1[4200], c2[4200], c4[4200], list[4200], outp[4200];
    const char *names[CONCAT_TOTAL_GOPS];
    size_t n = (size_t)NKS * (size_t)R;
    double *xs = malloc(n * sizeof *xs), *ys = malloc(n * sizeof *ys);
    double *xf = malloc(n * sizeof *xf), *yf = malloc(n * sizeof *yf);
    cal_video *cv = NULL;
    if (!xs || !ys || !xf || !yf) {
        rc = base_errf(err, errsz, BASE_ERUNTIME, "out of memory");
        goto cleanup;
    }
    size_t L0 = c->v->nframes;
    for (size_t i = 1; i < c->v->nframes; i++)
        if (c->v->key[i]) {
            L0 = i;
            break;
        }
    char l0[32];
    snprintf(l0, sizeof l0, "%zu", L0);
    tmp_path(c, c1, sizeof c1, "c1.mp4");
    tmp_path(c, c2, sizeof c2, "c2.mp4");
    tmp_path(c, c4, sizeof c4, "c4.mp4");
    tmp_path(c, list, sizeof list, "list.txt");
    tmp_path(c, outp, sizeof outp, "concat.mp4");
    char *argv[] = {FFMPEG, "-hide_banner", "-nostdin", "-loglevel", "error", "-y", "-i",
                    (char *)c->in, "-map", "0:v:0", "-c", "copy", "-frames:v", l0, c1, NULL};
    progress(c, "concat: chunks of 1..%d GOPs, k = 2, 4, 8, %d repeats", CONCAT_TOTAL_GOPS, R);
    if ((rc = ff_run("cut one GOP", argv, c->log, c->o->timeout_s, c->o->cancel, NULL, err,
                     errsz)))
        goto cleanup;
    const char *two[] = {c1, c1}, *four[] = {c1, c1, c1, c1};
    if ((rc = cal_concat_run(two, 2, list, c2, c->o->timeout_s, c->o->cancel, NULL, err, errsz)) ||
        (rc = cal_concat_run(four, 4, list, c4, c->o->timeout_s, c->o->cancel, NULL, err, errsz)))
        goto cleanup;
    size_t frames_of[5] = {0};
    double mb_of[5] = {0};
    const char *src_of[5] = {NULL, c1, c2, NULL, c4};
    for (int g = 1; g <= 4; g *= 2) {
        if ((rc = cal_video_load(src_of[g], &cv, err, errsz))) {
            rc = BASE_ERUNTIME;
            goto cleanup;
        }
        frames_of[g] = cv->nframes;
        mb_of[g] = cv->size_mb;
        cal_video_free(cv);
        cv = NULL;
    }
    if (frames_of[2] != 2 * frames_of[1] || frames_of[4] != 4 * frames_of[1]) {
        rc = base_errf(err, errsz, BASE_ERUNTIME,
                        "concat check: chunks of 2 and 4 GOPs have %zu and %zu frames, "
                        "expected %zu and %zu",
                        frames_of[2], frames_of[4], 2 * frames_of[1], 4 * frames_of[1]);
        goto cleanup;
    }
    /* path[0..7]: 1-GOP copies; path[8..11]: 2-GOP; path[12..13]: 4-GOP. */
    for (int i = 0; i < 14; i++) {
        char name[32];
        int g = i < 8 ? 1 : i < 12 ? 2 : 4;
        snprintf(name, sizeof name, "chunk%d_%02d.mp4", g, i);
        tmp_path(c, path[i], sizeof path[i], name);
        if ((rc = copy_file(src_of[g], path[i], err, errsz)))
            goto cleanup;
    }

    size_t j = 0;
    for (int rep = 0; rep < R; rep++) {
        for (int ki = 0; ki < NKS; ki++, j++) {
            int k = concat_ks[ki];
            int first = k == 8 ? 0 : k == 4 ? 8 : 12; /* split: k chunks of 8/k GOPs */
            for (int series = 0; series < 2; series++) {
                for (int i = 0; i < k; i++)
                    names[i] = path[series == 0 ? first + i : i];
                double wall;
                if ((rc = cal_concat_run(names, (size_t)k, list, outp, c->o->timeout_s,
                                         c->o->cancel, &wall, err, errsz)))
                    goto cleanup;
                if (rep == 0) { /* the output must hold every chunk's frames */
                    size_t want = series == 0 ? 8 * frames_of[1] : (size_t)k * frames_of[1];
                    if ((rc = cal_video_load(outp, &cv, err, errsz))) {
                        rc = BASE_ERUNTIME;
                        goto cleanup;
                    }
                    size_t got = cv->nframes;
                    cal_video_free(cv);
                    cv = NULL;
                    if (got != want) {
                        rc = base_errf(err, errsz, BASE_ERUNTIME,
                                        "concat of %d chunks wrote %zu frames, expected %zu", k,
                                        got, want);
                        goto cleanup;
                    }
                }
                remove(outp);
                (series == 0 ? xs : xf)[j] = k;
                (series == 0 ? ys : yf)[j] = wall;
            }
        }
    }
    cal_ffmpeg_result *r = c->r;
    if ((rc = cal_line_fit(xs, ys, n, &r->concat_split, err, errsz)) ||
        (rc = cal_line_fit(xf, yf, n, &r->concat_fixed, err, errsz)))
        goto cleanup;
    r->concat_s = r->concat_split.c0 > 0 ? r->concat_split.c0 : 0.0;
    r->concat_per_chunk_s = r->concat_split.c1 > 0 ? r->concat_split.c1 : 0.0;
    if (r->concat_split.c0 < 0)
        note(c, "concat: negative intercept clamped at 0 in parallel.concat_s");
    if (r->concat_split.c1 < 0)
        note(c, "concat: negative per-chunk slope clamped at 0 in parallel.concat_per_chunk_s");

    cJSON *cc = cJSON_AddObjectToObject(c->cal, "concat");
    cJSON_AddStringToObject(cc, "command", "ffmpeg -f concat -safe 0 -i list.txt -c copy out.mp4 "
                                           "(chunks checked with libavformat first, not timed)");
    cJSON_AddNumberToObject(cc, "gop_frames", (double)frames_of[1]);
    cJSON_AddNumberToObject(cc, "gop_mb", mb_of[1]);
    for (int series = 0; series < 2; series++) {
        cJSON *s = cJSON_AddObjectToObject(cc, series == 0 ? "split" : "fixed");
        cJSON_AddStringToObject(s, "what", series == 0
                                               ? "k chunks of 8/k GOPs: constant total of 8 GOPs; "
                                                 "gives parallel.concat_s and concat_per_chunk_s"
                                               : "k chunks of 1 GOP each: total grows with k");
        cJSON *pts = cJSON_AddArrayToObject(s, "points");
        for (size_t i = 0; i < n; i++) {
            int k = (int)(series == 0 ? xs : xf)[i];
            int g = series == 0 ? CONCAT_TOTAL_GOPS / k : 1;
            cJSON *p = cJSON_CreateObject();
            cJSON_AddNumberToObject(p, "k", k);
            cJSON_AddNumberToObject(p, "chunk_frames", (double)frames_of[g]);
            cJSON_AddNumberToObject(p, "chunk_mb", mb_of[g]);
            cJSON_AddNumberToObject(p, "seconds", (series == 0 ? ys : yf)[i]);
            cJSON_AddItemToArray(pts, p);
        }
        cJSON_AddItemToObject(s, "fit", cal_line_json(series == 0 ? &r->concat_split
                                                                  : &r->concat_fixed,
                                                      "concat_s", "per_chunk_s"));
    }

cleanup:
    cal_video_free(cv);
    free(xs);
    free(ys);
    free(xf);
    free(yf);
    return rc;
}

void cal_ffmpeg_result_free(cal_ffmpeg_result *r)
{
    if (!r)
        return;
    cJSON_Delete(r->calibration);
    free(r);
}

int cal_ffmpeg_run(const cal_ffmpeg_opts *o, cal_ffmpeg_result **out, char *err, size_t errsz)
{
    int rc = BASE_OK;
    run_ctx c = {.o = o};
    *out = NULL;
    if (o->repeats < 1)
        return base_errf(err, errsz, BASE_EINPUT, "--repeats: must be at least 1 (got %d)",
                          o->repeats);
    if (!o->input && (o->width < 16 || o->height < 16 || o->width % 2 || o->height % 2 ||
                      o->fps < 1 || o->gop < 1 || !(o->seconds > 0) ||
                      o->seconds * o->fps < 2))
        return base_errf(err, errsz, BASE_EINPUT,
                          "test input: need even sizes >= 16, fps >= 1, gop >= 1 and at least 2 "
                          "frames (got %dx%d, %d fps, gop %d, %g s)",
                          o->width, o->height, o->fps, o->gop, o->seconds);
    if (o->input) { /* fail fast on a bad file, before any run */
        cal_video *v = NULL;
        if ((rc = cal_video_load(o->input, &v, err, errsz)))
            return rc;
        cal_video_free(v);
    }
    c.r = calloc(1, sizeof *c.r);
    if (!c.r || !(c.r->calibration = cJSON_CreateObject())) {
        rc = base_errf(err, errsz, BASE_ERUNTIME, "out of memory");
        goto cleanup;
    }
    c.cal = c.r->calibration;
    cJSON_AddStringToObject(c.cal, "mode", "ffmpeg");
    cJSON_AddNumberToObject(c.cal, "repeats", o->repeats);
    cJSON_AddArrayToObject(c.cal, "notes");
    if ((rc = base_tmpdir_new(c.tmp, sizeof c.tmp, err, errsz)))
        goto cleanup;
    tmp_path(&c, c.log, sizeof c.log, "ffmpeg.log");
    if ((rc = step_version(&c, err, errsz)) || (rc = step_input(&c, err, errsz)) ||
        (rc = step_startup(&c, err, errsz)) || (rc = step_seek(&c, err, errsz)) ||
        (rc = step_codec(&c, err, errsz)) || (rc = step_concat(&c, err, errsz)))
        goto cleanup;
    *out = c.r;
    c.r = NULL;

cleanup:
    base_tmpdir_remove(c.tmp);
    cal_video_free(c.v);
    cal_ffmpeg_result_free(c.r);
    return rc;
}

static cJSON *dist_fixed(double v)
{
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "dist", "fixed");
    cJSON_AddNumberToObject(d, "value", v);
    return d;
}

cJSON *cal_ffmpeg_result_json(const cal_ffmpeg_result *r)
{
    cJSON *root = cJSON_CreateObject();
    cJSON *stage = cJSON_AddObjectToObject(root, "stage");
    if (r->start_fixed) {
        cJSON_AddItemToObject(stage, "ffmpeg_start_s", dist_fixed(r->start_median_s));
    } else {
        cJSON *d = cJSON_AddObjectToObject(stage, "ffmpeg_start_s");
        cJSON_AddStringToObject(d, "dist", "lognormal");
        cJSON_AddNumberToObject(d, "median", r->start_median_s);
        cJSON_AddNumberToObject(d, "p95", r->start_p95_s);
    }
    if (r->seek_max_s > r->seek_min_s) {
        cJSON *d = cJSON_AddObjectToObject(stage, "seek_s");
        cJSON_AddStringToObject(d, "dist", "uniform");
        cJSON_AddNumberToObject(d, "min", r->seek_min_s);
        cJSON_AddNumberToObject(d, "max", r->seek_max_s);
    } else {
        cJSON_AddItemToObject(stage, "seek_s", dist_fixed(r->seek_min_s));
    }
    cJSON *par = cJSON_AddObjectToObject(root, "parallel");
    cJSON_AddNumberToObject(par, "concat_s", r->concat_s);
    cJSON_AddNumberToObject(par, "concat_per_chunk_s", r->concat_per_chunk_s);
    cJSON_AddItemToObject(root, "calibration", cJSON_Duplicate(r->calibration, 1));
    return root;
}

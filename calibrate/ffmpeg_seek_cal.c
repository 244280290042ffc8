/* calibrate/ffmpeg_seek_cal.c -- the seek step of `calibrate ffmpeg`: what
 * seeking to a chunk's first frame costs, by the CLI and in-process. See
 * ffmpeg_steps.h. */
#include "calibrate/ffmpeg_steps.h"
#include "calibrate/ffmpeg_run.h"

#include "base/clock.h"
#include "base/status.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>

#include <gsl/gsl_statistics_double.h>
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>

#define MAX_SEEK_TARGETS 15

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
static int lib_seek(cal_ff_ctx *c, const size_t *tg, size_t nt, double *secs, int *ndec,
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

/* The seek step's samples: run i = rep * nt + j seeks to target j. */
typedef struct {
    size_t tg[MAX_SEEK_TARGETS], nt; /* targets, display indices */
    size_t n, nbase;                 /* runs; baseline runs */
    double *base;                    /* [nbase] no-seek baseline run times */
    size_t *bidx;                    /* [n] the baseline each run is paired with */
    double *wall;                    /* [n] CLI seek run times */
    double *x, *y;                   /* [n] frames since key; CLI cost less its baseline */
    double *ls;                      /* [n] in-process seek + decode times */
    int *ndec;                       /* [n] frames decoded in-process */
    double open_s;                   /* in-process open of the input */
} seeks;

static void seeks_free(seeks *s)
{
    free(s->base);
    free(s->bidx);
    free(s->wall);
    free(s->x);
    free(s->y);
    free(s->ls);
    free(s->ndec);
}

/* The CLI runs: per repeat, a no-seek baseline before each GOP's targets,
 * then `ffmpeg -ss T` to every target. */
static int cli_seeks(cal_ff_ctx *c, seeks *s, char *err, size_t errsz)
{
    int rc, R = c->o->repeats;
    size_t nt = s->nt, nb = 0;
    char *bargv[] = {CAL_FFMPEG, "-hide_banner", "-nostdin", "-loglevel", "error", "-i",
                     (char *)c->in, "-map", "0:v:0", "-frames:v", "1", "-f", "null", "-", NULL};
    cal_ff_progress(c, "seek: %zu positions x %d repeats (CLI), then in-process", nt, R);
    for (int rep = 0; rep < R; rep++) {
        for (size_t j = 0; j < nt; j++) {
            if (j == 0 || since_key(c->v, s->tg[j]) == 0) { /* a baseline before each GOP */
                assert(nb < s->nbase);
                if ((rc = cal_ffmpeg_cli_run("no-seek baseline", bargv, c->log, c->o->timeout_s,
                                             c->o->cancel, &s->base[nb++], err, errsz)))
                    return rc;
            }
            s->bidx[rep * nt + j] = nb - 1;
            char ss[32];
            double t = c->v->t[s->tg[j]];
            snprintf(ss, sizeof ss, "%.6f", t > 0 ? t : 0.0);
            char *argv[] = {CAL_FFMPEG, "-hide_banner", "-nostdin", "-loglevel", "error", "-ss", ss,
                            "-i", (char *)c->in, "-map", "0:v:0", "-frames:v", "1", "-f",
                            "null", "-", NULL};
            if ((rc = cal_ffmpeg_cli_run("input seek", argv, c->log, c->o->timeout_s,
                                         c->o->cancel, &s->wall[rep * nt + j], err, errsz)))
                return rc;
        }
    }
    assert(nb == s->nbase);
    return BASE_OK;
}

/* Lines through the CLI and in-process costs against frames since the key;
 * stage.seek_s spans the CLI line over a GOP. Every target a keyframe: the
 * mean CLI cost, no line. */
static int seek_fit(cal_ff_ctx *c, const seeks *s, char *err, size_t errsz)
{
    cal_ffmpeg_result *r = c->r;
    int rc;
    if (distinct_x(s->x, s->n) && s->n >= 3) {
        if ((rc = cal_line_fit(s->x, s->y, s->n, &r->seek_cli, err, errsz)) ||
            (rc = cal_line_fit(s->x, s->ls, s->n, &r->seek_lib, err, errsz)))
            return rc;
        r->has_seek_cli = r->has_seek_lib = 1;
        double a = r->seek_cli.c0, bb = r->seek_cli.c1, G = c->v->gop;
        r->seek_min_s = a > 0 ? a : 0.0;
        double hi = a + (bb > 0 ? bb : 0.0) * (G - 1);
        r->seek_max_s = hi > r->seek_min_s ? hi : r->seek_min_s;
        if (a < 0)
            cal_ff_note(c, "seek: negative CLI lookup intercept clamped at 0 in stage.seek_s");
    } else {
        double m = gsl_stats_mean(s->y, 1, s->n);
        r->seek_min_s = r->seek_max_s = m > 0 ? m : 0.0;
        cal_ff_note(c, "seek: every target is a keyframe (all-intra or GOP 1): no line fitted, "
                       "stage.seek_s is the mean CLI seek cost");
    }
    return BASE_OK;
}

/* calibration.seek: the baseline, every point of both methods, the fits. */
static void seek_json(cal_ff_ctx *c, const seeks *s)
{
    const cal_ffmpeg_result *r = c->r;
    size_t nt = s->nt;
    cJSON *o = cJSON_AddObjectToObject(c->cal, "seek");
    cJSON_AddStringToObject(o, "model", "seconds = index lookup + frames_since_key x decode per "
                                        "frame; seek_s ~ uniform over a position in the GOP");
    cJSON_AddNumberToObject(o, "gop", c->v->gop);
    cJSON *b = cJSON_AddObjectToObject(o, "baseline");
    cJSON_AddStringToObject(b, "command", "ffmpeg -i IN -map 0:v:0 -frames:v 1 -f null -");
    cJSON_AddNumberToObject(b, "median_s", cal_ff_median(s->base, s->nbase));
    cJSON_AddItemToObject(b, "samples_s", cal_ff_num_array(s->base, s->nbase));

    cJSON *cli = cJSON_AddObjectToObject(o, "cli");
    cJSON_AddStringToObject(cli, "command",
                            "ffmpeg -ss T -i IN -map 0:v:0 -frames:v 1 -f null - (accurate seek), "
                            "minus the baseline run made just before this GOP's targets");
    cJSON *cp = cJSON_AddArrayToObject(cli, "points");
    for (size_t i = 0; i < s->n; i++) {
        cJSON *p = cJSON_CreateObject();
        cJSON_AddNumberToObject(p, "position_s", c->v->t[s->tg[i % nt]]);
        cJSON_AddNumberToObject(p, "frames_since_key", s->x[i]);
        cJSON_AddNumberToObject(p, "seconds", s->y[i]);
        cJSON_AddItemToArray(cp, p);
    }
    cJSON *lib = cJSON_AddObjectToObject(o, "lib");
    cJSON_AddStringToObject(lib, "method", "av_seek_frame(AVSEEK_FLAG_BACKWARD) + "
                                           "avcodec_flush_buffers + decode to the target, "
                                           "in-process");
    cJSON_AddNumberToObject(lib, "open_s", s->open_s);
    cJSON *lp = cJSON_AddArrayToObject(lib, "points");
    for (size_t i = 0; i < s->n; i++) {
        cJSON *p = cJSON_CreateObject();
        cJSON_AddNumberToObject(p, "position_s", c->v->t[s->tg[i % nt]]);
        cJSON_AddNumberToObject(p, "frames_since_key", s->x[i]);
        cJSON_AddNumberToObject(p, "frames_decoded", s->ndec[i]);
        cJSON_AddNumberToObject(p, "seconds", s->ls[i]);
        cJSON_AddItemToArray(lp, p);
    }
    if (r->has_seek_cli) {
        cJSON_AddItemToObject(cli, "fit", cal_line_json(&r->seek_cli, "lookup_s", "per_frame_s"));
        cJSON_AddItemToObject(lib, "fit", cal_line_json(&r->seek_lib, "lookup_s", "per_frame_s"));
    }
}

int cal_ff_step_seek(cal_ff_ctx *c, char *err, size_t errsz)
{
    int rc = BASE_OK, R = c->o->repeats;
    seeks s = {.nt = 0};
    s.nt = seek_targets(c->v, s.tg);
    s.n = s.nt * (size_t)R;
    for (size_t j = 0; j < s.nt; j++)
        s.nbase += j == 0 || since_key(c->v, s.tg[j]) == 0;
    s.nbase *= (size_t)R;
    s.base = malloc(s.nbase * sizeof *s.base);
    s.bidx = malloc(s.n * sizeof *s.bidx);
    s.wall = malloc(s.n * sizeof *s.wall);
    s.x = malloc(s.n * sizeof *s.x);
    s.y = malloc(s.n * sizeof *s.y);
    s.ls = malloc(s.n * sizeof *s.ls);
    s.ndec = malloc(s.n * sizeof *s.ndec);
    if (s.nt == 0 || !s.base || !s.bidx || !s.wall || !s.x || !s.y || !s.ls || !s.ndec) {
        rc = base_errf(err, errsz, BASE_ERUNTIME, "out of memory");
        goto cleanup;
    }
    if ((rc = cli_seeks(c, &s, err, errsz)))
        goto cleanup;
    for (size_t i = 0; i < s.n; i++) {
        s.x[i] = since_key(c->v, s.tg[i % s.nt]);
        s.y[i] = s.wall[i] - s.base[s.bidx[i]]; /* paired: machine load drifts */
    }
    if ((rc = lib_seek(c, s.tg, s.nt, s.ls, s.ndec, &s.open_s, err, errsz)) ||
        (rc = seek_fit(c, &s, err, errsz)))
        goto cleanup;
    seek_json(c, &s);

cleanup:
    seeks_free(&s);
    return rc;
}

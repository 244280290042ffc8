/* calibrate/ffmpeg_run.c -- one ffmpeg command, and concat of chunks. See
 * ffmpeg_run.h. */
#include "calibrate/ffmpeg_run.h"

#include "base/proc.h"
#include "base/status.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/avutil.h>
#include <libavutil/pixdesc.h>

int cal_ffmpeg_cli_run(const char *what, char *const argv[], const char *log, double timeout_s,
                       const volatile sig_atomic_t *cancel, double *wall_s, char *err,
                       size_t errsz)
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
    av_log_set_level(AV_LOG_QUIET); /* libav logs to stderr; library code never prints */
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
    char *argv[] = {CAL_FFMPEG, "-hide_banner", "-nostdin", "-loglevel", "error", "-y", "-f",
                    "concat", "-safe", "0", "-i", (char *)list_path, "-c", "copy",
                    (char *)out_path, NULL};
    char what[64];
    snprintf(what, sizeof what, "concat of %zu chunks", n);
    rc = cal_ffmpeg_cli_run(what, argv, log, timeout_s, cancel, wall_s, err, errsz);

cleanup:
    if (list_open)
        base_out_abort(&list);
    if (log[0])
        remove(log);
    return rc;
}

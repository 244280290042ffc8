/* bench/bench_kernels.c -- our CPU overlay and framing against FFmpeg on the
 * same frames, same machine, same run.
 *
 *   build/bench/bench_kernels [FRAMES]     (default 60 timed frames per row)
 *
 * Overlay: 1920x1080 YUV420P frames, a soft-edged YUVA420P graphic (a lower
 * third, 960x270, and a full-frame one); ours = kern_overlay(KERN_CPU),
 * FFmpeg = libavfilter's overlay=format=yuv420 (buffer -> overlay ->
 * buffersink, slice threads). Framing: the 608x1080 9:16 window of a
 * 1920x1080 frame to 1080x1920, Lanczos-3; FFmpeg = swscale flags=lanczos
 * (sws_scale with 1 thread, sws_scale_frame with threads=2, as the scale
 * filter does). Each side runs with 1 and with 2 threads. Times are the
 * median over FRAMES calls after 5 warm-up calls; only the call into each
 * implementation is timed, not the copies that feed it. ratio = FFmpeg /
 * ours (> 1: ours is faster).
 */
#include "calibrate/kernels_cal.h"
#include "calibrate/kernel_peers.h"
#include "base/clock.h"
#include "kernels/kern.h"

#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static double median_ms(double *x, int n)
{
    gsl_sort(x, 1, (size_t)n);
    return 1e3 * gsl_stats_median_from_sorted_data(x, 1, (size_t)n);
}

static int die(const char *what, const char *err)
{
    fprintf(stderr, "bench_kernels: %s: %s\n", what, err);
    return 1;
}

enum { WARM = 5 };

/* Median ms/frame of our overlay and FFmpeg's, threads each. */
static int bench_overlay(int ow, int oh, int threads, int frames, double *ours, double *theirs)
{
    char err[256];
    int x = ((1920 - ow) / 2) & ~1, y = (1080 - oh - (oh < 1080 ? 60 : 0)) & ~1;
    kern_frame *src = kern_frame_new(1920, 1080, 0), *work = kern_frame_new(1920, 1080, 0),
               *out = kern_frame_new(1920, 1080, 0), *ov = kern_frame_new(ow, oh, 1);
    double *a = malloc(sizeof(double) * frames), *b = malloc(sizeof(double) * frames);
    kern_ctx *ctx = kern_ctx_new(KERN_CPU, threads, err, sizeof err);
    if (!ctx)
        return die("context", err);
    kern_fill_graphic(ov, 1);
    cal_ff_overlay *ff = cal_ff_overlay_new(1920, 1080, ov, x, y, threads, err, sizeof err);
    if (!ff)
        return die("ffmpeg overlay", err);
    for (int i = 0; i < WARM + frames; i++) {
        kern_fill_pattern(src, i);
        kern_frame_copy(work, src);
        double t0 = base_now_s();
        if (kern_overlay(ctx, work, ov, x, y, NULL, err, sizeof err))
            return die("overlay", err);
        double el = base_now_s() - t0, ffs;
        if (cal_ff_overlay_run(ff, src, out, &ffs, err, sizeof err))
            return die("ffmpeg overlay", err);
        if (i >= WARM) {
            a[i - WARM] = el;
            b[i - WARM] = ffs;
        }
    }
    *ours = median_ms(a, frames);
    *theirs = median_ms(b, frames);
    cal_ff_overlay_free(ff);
    kern_ctx_free(ctx);
    kern_frame_free(src);
    kern_frame_free(work);
    kern_frame_free(out);
    kern_frame_free(ov);
    free(a);
    free(b);
    return 0;
}

static int bench_framing(kern_filter f, int threads, int frames, double *ours, double *theirs)
{
    char err[256];
    kern_frame *src = kern_frame_new(1920, 1080, 0), *d1 = kern_frame_new(1080, 1920, 0),
               *d2 = kern_frame_new(1080, 1920, 0);
    double *a = malloc(sizeof(double) * frames), *b = malloc(sizeof(double) * frames);
    kern_ctx *ctx = kern_ctx_new(KERN_CPU, threads, err, sizeof err);
    if (!ctx)
        return die("context", err);
    kern_rect c0 = kern_framing_window(1920, 1080, 1080, 1920, 0, 1, 0, 1);
    cal_ff_scale *ff = cal_ff_scale_new(c0.w, c0.h, 1080, 1920, f, threads, err, sizeof err);
    if (!ff)
        return die("swscale", err);
    for (int i = 0; i < WARM + frames; i++) {
        kern_fill_pattern(src, i);
        kern_rect c = kern_framing_window(1920, 1080, 1080, 1920, 0, 1, i, WARM + frames);
        double t0 = base_now_s();
        if (kern_framing(ctx, src, c, d1, f, NULL, err, sizeof err))
            return die("framing", err);
        double el = base_now_s() - t0, ffs;
        if (cal_ff_scale_run(ff, src, c, d2, &ffs, err, sizeof err))
            return die("swscale", err);
        if (i >= WARM) {
            a[i - WARM] = el;
            b[i - WARM] = ffs;
        }
    }
    *ours = median_ms(a, frames);
    *theirs = median_ms(b, frames);
    cal_ff_scale_free(ff);
    kern_ctx_free(ctx);
    kern_frame_free(src);
    kern_frame_free(d1);
    kern_frame_free(d2);
    free(a);
    free(b);
    return 0;
}

int main(int argc, char **argv)
{
    int frames = argc > 1 ? atoi(argv[1]) : 60;
    if (frames < 1)
        frames = 60;
    printf("bench_kernels: 1920x1080 yuv420p, median of %d frames, %ld online cores\n", frames,
           sysconf(_SC_NPROCESSORS_ONLN));
    printf("%-36s %7s %10s %12s %7s\n", "case", "threads", "ours ms", "ffmpeg ms", "ratio");
    for (int threads = 1; threads <= 2; threads++) {
        double o, t;
        if (bench_overlay(960, 270, threads, frames, &o, &t))
            return 1;
        printf("%-36s %7d %10.3f %12.3f %7.2f\n", "overlay lower third 960x270", threads, o, t, t / o);
        if (bench_overlay(1920, 1080, threads, frames, &o, &t))
            return 1;
        printf("%-36s %7d %10.3f %12.3f %7.2f\n", "overlay full frame 1920x1080", threads, o, t, t / o);
        if (bench_framing(KERN_LANCZOS, threads, frames, &o, &t))
            return 1;
        printf("%-36s %7d %10.3f %12.3f %7.2f\n", "framing 608x1080->1080x1920 lanczos", threads, o, t, t / o);
        if (bench_framing(KERN_BICUBIC, threads, frames, &o, &t))
            return 1;
        printf("%-36s %7d %10.3f %12.3f %7.2f\n", "framing 608x1080->1080x1920 bicubic", threads, o, t, t / o);
    }
    printf("ratio = ffmpeg / ours (> 1: ours faster); ffmpeg = libavfilter overlay, swscale\n");
    return 0;
}

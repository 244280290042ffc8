/* calibrate/kernels_cal.h -- `calibrate kernels`: what the overlay and
 * framing kernels cost per frame, measured against the FFmpeg
 * implementations of calibrate/kernel_peers.h.
 *
 * cal_kernels_run() times kern_overlay and kern_framing on
 * generated frames (kern_fill_pattern: the picture changes every frame)
 * after a warm-up, one call per frame, and summarises the per-frame
 * seconds (median, mean, sd, p10, p90, min, max) with GSL; on CUDA it also
 * splits upload / kernel / download and counts the bytes moved each way.
 * cal_kernels_json() turns the result into a kernel-only profile:
 *   {"kernel_only":{"stage":{"per_frame_s":{"dist":"gamma","mean":m,"cv":c}}},
 *    "calibration":{...},"_provenance":{"covers":"kernel_only",...}}
 * (a fixed value when the spread is zero). per_frame_s is the whole kernel
 * call, transfers included: what the stage pays per frame besides decode
 * and encode, so it is never written to "stage": `--with` refuses it unless
 * --allow-kernel-only (model/profile.h). "calibration" is free-form
 * metadata; "_provenance" is calibrate/provenance.h's record.
 *
 * Errors: BASE_OK / BASE_ERUNTIME / BASE_EINPUT (base/status.h) with one
 * line in err. cancel, when set, is polled once per frame: a non-zero value
 * stops the run with BASE_ERUNTIME "interrupted".
 */
#ifndef FORKCAST_CALIBRATE_KERNELS_CAL_H
#define FORKCAST_CALIBRATE_KERNELS_CAL_H

#include <signal.h>
#include <stddef.h>

#include "kernels/kern.h"

struct cJSON;

/* ---- calibration -------------------------------------------------------- */

typedef struct {
    kern_backend backend;       /* KERN_AUTO resolves as kern_ctx_new does */
    int threads;                /* CPU threads, 0 = one per core */
    int w, h;                   /* source frames (1920x1080) */
    int ov_w, ov_h;             /* overlay graphic; 0 = w/2 x h/4, a lower third */
    int out_w, out_h;           /* framing output; 0 = h x h*16/9 (1080x1920) */
    kern_filter filter;
    long frames;                /* timed calls per kernel, >= 1 */
    long warmup;                /* untimed calls first */
    int with_ffmpeg;            /* also time FFmpeg's overlay / swscale */
    volatile sig_atomic_t *cancel;
    void (*progress)(void *arg, const char *what, long done, long total);
    void *progress_arg;
} cal_kernels_opts;

void cal_kernels_opts_default(cal_kernels_opts *o);

typedef struct {
    long n;
    double median_s, mean_s, sd_s, p10_s, p90_s, min_s, max_s;
    double upload_s, kernel_s, download_s;     /* medians per phase */
    double upload_bytes, download_bytes;       /* per frame */
    double bytes;                              /* bytes the result depends on */
    double gbps;                               /* bytes / median kernel_s / 1e9 */
    double ff_median_s;                        /* FFmpeg peer, NaN when not run */
    int ff_threads;
} cal_kernel_stats;

typedef struct {
    cal_kernels_opts opts;      /* as run, backend and threads resolved */
    char device[256];           /* CUDA device or "cpu" */
    int ov_x, ov_y;
    cal_kernel_stats overlay, framing;
} cal_kernels_result;

int cal_kernels_run(const cal_kernels_opts *o, cal_kernels_result *r, char *err, size_t errsz);
/* stage: "overlay" or "framing". Owned cJSON tree (cJSON_Delete) or NULL. */
struct cJSON *cal_kernels_json(const cal_kernels_result *r, const char *stage);

/* Where the overlay goes on a w x h frame: a graphic of ow x oh (0 = the
 * lower-third default w/2 x h/4) centred, its bottom h/16 above the frame's
 * bottom edge, at even (x, y). */
void cal_overlay_place(int w, int h, int *ow, int *oh, int *x, int *y);
/* The default framing output for a w x h source: h x h*16/9, both even. */
void cal_framing_out_default(int w, int h, int *ow, int *oh);

/* Shared with calibrate/pipeline.c: summarise n samples (sorted in place)
 * into median/mean/sd/p10/p90/min/max of st; and the per_frame_s
 * distribution object for a mean and sd (gamma, or fixed when sd = 0). */
void cal_stats_summarise(double *x, long n, cal_kernel_stats *st);
struct cJSON *cal_per_frame_dist(double mean, double sd);

#endif

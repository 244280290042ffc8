/* calibrate/kernel_peers.h -- FFmpeg's own implementations of the two
 * kernels, run on kern_frames, so `calibrate kernels` and the tests can
 * compare against them.
 *
 * cal_ff_overlay runs FFmpeg's `overlay=x:y:format=yuv420` filter through
 * libavfilter (buffer + buffer -> overlay -> buffersink, slice threads as
 * asked); cal_ff_scale runs swscale on a crop window (the
 * `crop,scale=flags=lanczos` chain: the crop is pointer arithmetic, as in
 * the crop filter), threaded through sws_scale_frame as the scale filter
 * does. Both copy our frames into and out of AVFrames outside the timed
 * part and report the seconds spent inside FFmpeg alone.
 *
 * Ownership: objects from *_new are owned and freed by *_free; frames are
 * borrowed. Errors: *_new return NULL and *_run BASE_ERUNTIME, with one
 * line in err (the libav call that failed, or "out of memory").
 */
#ifndef FORKCAST_CALIBRATE_KERNEL_PEERS_H
#define FORKCAST_CALIBRATE_KERNEL_PEERS_H

#include <stddef.h>

#include "kernels/kern.h"

typedef struct cal_ff_overlay cal_ff_overlay;
/* threads: libavfilter slice threads (0 = one per core). x, y as given to
 * the filter (it rounds them down to even). */
cal_ff_overlay *cal_ff_overlay_new(int w, int h, const kern_frame *ov, int x, int y, int threads,
                                   char *err, size_t errsz);
/* out <- main with the overlay applied by FFmpeg (out may be main); *secs
 * (may be NULL) gets the time spent in libavfilter. */
int cal_ff_overlay_run(cal_ff_overlay *o, const kern_frame *main, kern_frame *out, double *secs,
                       char *err, size_t errsz);
void cal_ff_overlay_free(cal_ff_overlay *o);

typedef struct cal_ff_scale cal_ff_scale;
/* A crop_w x crop_h -> out_w x out_h swscale context for yuv420p with
 * flags lanczos or bicubic; threads as for cal_ff_overlay_new (1 = plain
 * single-threaded swscale). */
cal_ff_scale *cal_ff_scale_new(int crop_w, int crop_h, int out_w, int out_h, kern_filter f,
                               int threads, char *err, size_t errsz);
int cal_ff_scale_run(cal_ff_scale *s, const kern_frame *src, kern_rect crop, kern_frame *dst,
                     double *secs, char *err, size_t errsz);
void cal_ff_scale_free(cal_ff_scale *s);

#endif

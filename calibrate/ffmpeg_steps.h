/* calibrate/ffmpeg_steps.h -- internal to `calibrate ffmpeg`: the state its
 * steps share and the steps that live in their own files. Not a public API:
 * only calibrate/ffmpeg_*.c include it; callers use ffmpeg_cal.h.
 *
 * cal_ffmpeg_run() (ffmpeg_cal.c) makes the context, runs the steps in
 * order -- version, input, startup, seek (ffmpeg_seek_cal.c), decode and
 * encode, concat (ffmpeg_concat_cal.c) -- and each step fills its part of
 * the result and adds its object to the calibration tree. A step returns
 * BASE_OK or an error with one line in err; the run then stops and the
 * private temp directory is removed.
 */
#ifndef FORKCAST_CALIBRATE_FFMPEG_STEPS_H
#define FORKCAST_CALIBRATE_FFMPEG_STEPS_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "calibrate/ffmpeg_cal.h"
#include "calibrate/video_index.h"

typedef struct {
    const cal_ffmpeg_opts *o;
    char tmp[4096];         /* the private temp directory */
    char log[4200];         /* ffmpeg's stderr, per run */
    char gen[4200];         /* the generated input, when no --input */
    const char *in;         /* the input measured: o->input or gen */
    cal_video *v;           /* its frame index; owned */
    cal_ffmpeg_result *r;   /* being filled; owned */
    cJSON *cal;             /* borrowed: r->calibration */
} cal_ff_ctx;

/* One progress line (printf format) to o->progress, if set. */
void cal_ff_progress(const cal_ff_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* buf = TMP/name. */
void cal_ff_tmp_path(const cal_ff_ctx *c, char *buf, size_t sz, const char *name);
/* Append text to the calibration's "notes" array. */
void cal_ff_note(cal_ff_ctx *c, const char *text);
/* A JSON array of x[0..n). */
cJSON *cal_ff_num_array(const double *x, size_t n);
/* Median of a copy of x (x is left alone); NAN when out of memory. */
double cal_ff_median(const double *x, size_t n);

/* Seek cost: CLI `-ss` against a no-seek baseline, and in-process
 * av_seek_frame, at up to 15 positions in three GOPs; fills seek_min_s,
 * seek_max_s, seek_cli, seek_lib. Cost: at most 18 x repeats ffmpeg runs
 * (every position, and a baseline per GOP) and as many in-process seeks. */
int cal_ff_step_seek(cal_ff_ctx *c, char *err, size_t errsz);

/* Concat cost: chunks cut from the first GOP, concatenated k = 2, 4, 8 at a
 * time; fills concat_s, concat_per_chunk_s, concat_split, concat_fixed.
 * Cost: 3 + 6 x repeats ffmpeg runs. */
int cal_ff_step_concat(cal_ff_ctx *c, char *err, size_t errsz);

#endif

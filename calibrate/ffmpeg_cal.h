/* calibrate/ffmpeg_cal.h -- `calibrate ffmpeg`: what FFmpeg itself costs a
 * chunked stage: process startup, seeking to a chunk start, decode/encode
 * per frame, and concatenating k chunks. Measured with the real `ffmpeg` CLI
 * (calibrate/ffmpeg_run.h) and, for seeking, in-process with
 * libavformat/libavcodec so that process startup and seek work can be told
 * apart; the input's frame index is calibrate/video_index.h.
 *
 * Results feed the scenario fields stage.ffmpeg_start_s (lognormal fitted to
 * the startup samples), stage.seek_s (uniform between the seek-line values at
 * 0 and GOP-1 frames past the keyframe) and parallel.concat_s /
 * parallel.concat_per_chunk_s (line t = a + b k over k = 2, 4, 8 chunks of a
 * fixed total of 8 GOPs). Every number behind them, with 95% intervals, goes
 * into a free-form "calibration" object.
 *
 * Ownership: cal_ffmpeg_run() returns an owned cal_ffmpeg_result freed by
 * cal_ffmpeg_result_free() (it owns its .calibration tree); *_json() return
 * owned cJSON trees (cJSON_Delete). Paths and options are borrowed.
 * Errors: BASE_EINPUT for a missing, corrupt or non-video file or
 * incompatible chunks, BASE_ERUNTIME for ffmpeg failing or missing,
 * interruption or the disk; one line in err. Temp files live in one private
 * directory removed on every return path.
 */
#ifndef FORKCAST_CALIBRATE_FFMPEG_CAL_H
#define FORKCAST_CALIBRATE_FFMPEG_CAL_H

#include <signal.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "calibrate/command_cal.h"

typedef struct {
    const char *input;    /* NULL: generate testsrc2/libx264 from the fields below */
    int width, height;    /* 1920x1080 */
    double seconds;       /* 10 */
    int fps;              /* 30 */
    int gop;              /* 60 */
    int repeats;          /* 5; runs per measured point, >= 1 */
    const char *preset;   /* libx264 preset of the encode test; "medium" */
    double timeout_s;     /* per ffmpeg run; 600 */
    const volatile sig_atomic_t *cancel;
    cal_progress_fn progress;
    void *progress_ctx;
} cal_ffmpeg_opts;

void cal_ffmpeg_opts_default(cal_ffmpeg_opts *o);

typedef struct {
    /* scenario values (seconds) */
    int start_fixed;                    /* 1: start_median_s is a fixed value */
    double start_median_s, start_p95_s; /* lognormal from log-sample mean/sd */
    double seek_min_s, seek_max_s;      /* uniform; equal: fixed */
    double concat_s, concat_per_chunk_s;/* split-series line, clamped at 0 */
    /* fits (valid when the matching has_ flag is set) */
    int has_seek_cli, has_seek_lib;
    cal_line seek_cli;                  /* CLI seek cost - baseline vs frames since key */
    cal_line seek_lib;                  /* libavformat seek + decode vs frames since key */
    cal_line concat_split;              /* k chunks of 8/k GOPs each */
    cal_line concat_fixed;              /* k chunks of 1 GOP each */
    double decode_per_frame_s, encode_per_frame_s;
    cJSON *calibration;                 /* owned; every point and fit */
} cal_ffmpeg_result;

/* Measure everything; cost about (40 + 12 * repeats) ffmpeg runs on the
 * input plus one decode of up to 600 frames and three encodes of up to 60. */
int cal_ffmpeg_run(const cal_ffmpeg_opts *o, cal_ffmpeg_result **out, char *err, size_t errsz);
void cal_ffmpeg_result_free(cal_ffmpeg_result *r);

/* {"stage":{"ffmpeg_start_s":DIST,"seek_s":DIST},
 *  "parallel":{"concat_s":a,"concat_per_chunk_s":b},"calibration":{...}} */
cJSON *cal_ffmpeg_result_json(const cal_ffmpeg_result *r);

#endif

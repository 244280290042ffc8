/* calibrate/command_cal.h -- time any external stage at several frame counts
 * and fit t = fixed + per_frame * frames; plus the straight-line fit that the
 * other calibrate modes share. Processes run through base/proc.h.
 *
 * Fits use gsl_fit_linear; 95% intervals are c +- t(0.975, n-2) * sqrt(cov),
 * so they need n >= 3 points and two distinct x values.
 *
 * Ownership: cal_command_run() returns an owned cal_command_result freed by
 * cal_command_result_free(); *_json() return owned cJSON trees (cJSON_Delete).
 * Everything passed in is borrowed. Errors: BASE_EINPUT for the user's
 * input (bad options, a command that fails, hangs or cannot start),
 * BASE_ERUNTIME for the machine (fork, disk, interrupted), one line in err.
 */
#ifndef FORKCAST_CALIBRATE_COMMAND_CAL_H
#define FORKCAST_CALIBRATE_COMMAND_CAL_H

#include <signal.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "base/proc.h"

/* Progress callback: one short line, no newline. May be NULL. */
typedef void (*cal_progress_fn)(void *ctx, const char *line);

/* ---- straight-line fit -------------------------------------------------- */

typedef struct {
    double c0, c1;       /* y = c0 + c1 x */
    double c0_ci[2];     /* 95% interval of c0 */
    double c1_ci[2];     /* 95% interval of c1 */
    double cov00, cov01, cov11;
    double r2;           /* 1 - SSres/SStot (1 when SStot = 0) */
    size_t n;
} cal_line;

/* Least squares with gsl_fit_linear. Needs n >= 3 and two distinct x values
 * (BASE_EINPUT otherwise). O(n). */
int cal_line_fit(const double *x, const double *y, size_t n, cal_line *out, char *err,
                 size_t errsz);

/* {"<c1_name>":{"value":c1,"ci95":[lo,hi]},"<c0_name>":{...},"r2":r} */
cJSON *cal_line_json(const cal_line *f, const char *c0_name, const char *c1_name);

/* {"value":v,"ci95":[lo,hi]} */
cJSON *cal_value_ci_json(double v, const double ci[2]);

/* ---- calibrate command -------------------------------------------------- */

typedef struct {
    char *const *argv;     /* template; {frames} {input} {output} substituted */
    int argc;
    const int *frames;     /* frame counts, each >= 1, at least 2 distinct */
    size_t nframes;
    int repeats;           /* >= 1; frames * repeats >= 3 */
    double timeout_s;      /* per run, > 0 */
    const char *input;     /* value of {input}; NULL: {input} is an error */
    long input_frames;     /* the input's frame count, 0 unknown: a count above it is warned about */
    const char *output_ext;/* {output} is TMP/out-N.<ext>; NULL: "mp4" */
    const volatile sig_atomic_t *cancel;
    cal_progress_fn progress;
    void *progress_ctx;
} cal_command_opts;

#define CAL_COMMAND_MIN_R2 0.95 /* below: the "poor fit" warning */
#define CAL_COMMAND_MAX_WARN 5

typedef struct {
    size_t n;              /* runs = nframes * repeats, in run order */
    int *frames;
    double *seconds;
    cal_line fit;          /* seconds = fit.c0 + fit.c1 * frames */
    double fixed_s;        /* max(fit.c0, 0) */
    double per_frame_s;    /* max(fit.c1, 0) */
    int fixed_clamped;     /* fit.c0 < 0 was clamped */
    int per_frame_clamped; /* fit.c1 < 0 was clamped */
    int max_frames;        /* the largest frame count run */
    char ffmpeg[64];       /* `ffmpeg -version` when the command mentions ffmpeg, else "" */
    /* Why the fit may mislead, one line each (cal_command_run fills them):
     * r2 < CAL_COMMAND_MIN_R2; the per-frame 95% interval reaching 0; the
     * fixed cost dominating, i.e. fixed_s above per_frame_s * max_frames:
     * even the longest run spends more time in the fixed part than in the
     * frames, so the slope rests on differences smaller than that part's
     * run-to-run noise; a frame count above opts.input_frames. warn_field:
 * the field each concerns, NULL all. */
    char warn[CAL_COMMAND_MAX_WARN][320];
    const char *warn_field[CAL_COMMAND_MAX_WARN];
    int nwarn;
} cal_command_result;

/* Run the template repeats times at each frame count (interleaved: all frame
 * counts, then again), time each run, fit. A template in which no argument
 * contains {frames} is BASE_EINPUT before any run (its runs could not
 * depend on the frame count). A run that exits non-zero, cannot start or
 * times out is BASE_EINPUT naming the command and frame count.
 * Cost: sum of the runs (plus one `ffmpeg -version` when it mentions ffmpeg). */
int cal_command_run(const cal_command_opts *o, cal_command_result **out, char *err,
                    size_t errsz);
void cal_command_result_free(cal_command_result *r);

/* {"stage":{"per_frame_s":b,"ffmpeg_start_s":a},"fit":{"per_frame_s":{...},
 *  "fixed_s":{...},"r2":r,"points":[{"frames":n,"seconds":t},...]},
 *  "_provenance":{...}} (calibrate/provenance.h: end to end, the machine,
 *  the command template, the warnings). */
cJSON *cal_command_result_json(const cal_command_result *r, const cal_command_opts *o);

#endif

/* calibrate/command_cal.h -- time any external stage at several frame counts
 * and fit t = fixed + per_frame * frames; plus the process runner, temp
 * directories and straight-line fit that the other calibrate modes share.
 *
 * Processes are started with fork/exec (never a shell unless the caller's
 * argv is `sh -c ...`), each in its own process group, stdin from /dev/null.
 * Wall time is CLOCK_MONOTONIC from just before fork() to the reap, so it
 * includes exec and dynamic loading: what a container pays to run the stage.
 * A run past its timeout, or one running when *cancel becomes non-zero, has
 * its whole process group killed (SIGKILL) and is reaped before returning;
 * stray members of a group are killed when the leader exits too. Nothing is
 * left running and no temp directory is left behind on any return path.
 *
 * Fits use gsl_fit_linear; 95% intervals are c +- t(0.975, n-2) * sqrt(cov),
 * so they need n >= 3 points and two distinct x values.
 *
 * Ownership: cal_command_run() returns an owned cal_command_result freed by
 * cal_command_result_free(); *_json() return owned cJSON trees (cJSON_Delete).
 * Everything passed in is borrowed. Errors: MODEL_EINPUT for the user's
 * input (bad options, a command that fails, hangs or cannot start),
 * MODEL_ERUNTIME for the machine (fork, disk, interrupted), one line in err.
 */
#ifndef FORKCAST_CALIBRATE_COMMAND_CAL_H
#define FORKCAST_CALIBRATE_COMMAND_CAL_H

#include <signal.h>
#include <stddef.h>

#include <cjson/cJSON.h>

/* Progress callback: one short line, no newline. May be NULL. */
typedef void (*cal_progress_fn)(void *ctx, const char *line);

/* ---- process runner ---------------------------------------------------- */

typedef enum {
    CAL_PROC_EXITED,   /* exited; code in .code */
    CAL_PROC_SIGNALED, /* killed by signal .code */
    CAL_PROC_TIMEOUT,  /* ran past timeout_s, group killed */
    CAL_PROC_NOSTART,  /* exec failed; errno in .code */
} cal_proc_how;

typedef struct {
    cal_proc_how how;
    int code;
    double wall_s; /* fork to reap, CLOCK_MONOTONIC */
} cal_proc_result;

/* Run argv (argv[0] searched on PATH) with stdout and stderr truncated into
 * the given files (NULL: /dev/null). timeout_s > 0. Returns MODEL_OK when the
 * process ran, whatever its outcome (see res); MODEL_ERUNTIME when it could
 * not be forked or *cancel (may be NULL) became non-zero ("interrupted"). */
int cal_proc_run(char *const argv[], const char *stdout_path, const char *stderr_path,
                 double timeout_s, const volatile sig_atomic_t *cancel, cal_proc_result *res,
                 char *err, size_t errsz);

/* "exited with status 3", "killed by signal 9", "timed out after 1 s",
 * "failed to start: No such file or directory"; then, when stderr_path is not
 * NULL and holds text, ": " and its last non-empty line (shortened). */
void cal_proc_describe(const cal_proc_result *res, double timeout_s, const char *stderr_path,
                       char *buf, size_t bufsz);

/* Make a fresh private directory $TMPDIR/forkcast-XXXXXX (or /tmp); path
 * receives its name. cal_tmpdir_remove() deletes it and everything below it
 * (no-op on ""). */
int cal_tmpdir_new(char *path, size_t pathsz, char *err, size_t errsz);
void cal_tmpdir_remove(const char *path);

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
 * (MODEL_EINPUT otherwise). O(n). */
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
    const char *output_ext;/* {output} is TMP/out-N.<ext>; NULL: "mp4" */
    const volatile sig_atomic_t *cancel;
    cal_progress_fn progress;
    void *progress_ctx;
} cal_command_opts;

typedef struct {
    size_t n;              /* runs = nframes * repeats, in run order */
    int *frames;
    double *seconds;
    cal_line fit;          /* seconds = fit.c0 + fit.c1 * frames */
    double fixed_s;        /* max(fit.c0, 0) */
    double per_frame_s;    /* max(fit.c1, 0) */
    int fixed_clamped;     /* fit.c0 < 0 was clamped */
    int per_frame_clamped; /* fit.c1 < 0 was clamped */
} cal_command_result;

/* Run the template repeats times at each frame count (interleaved: all frame
 * counts, then again), time each run, fit. A run that exits non-zero, cannot
 * start or times out is MODEL_EINPUT naming the command and frame count.
 * Cost: sum of the runs. */
int cal_command_run(const cal_command_opts *o, cal_command_result **out, char *err,
                    size_t errsz);
void cal_command_result_free(cal_command_result *r);

/* {"stage":{"per_frame_s":b,"ffmpeg_start_s":a},"fit":{"per_frame_s":{...},
 *  "fixed_s":{...},"r2":r,"points":[{"frames":n,"seconds":t},...]}} */
cJSON *cal_command_result_json(const cal_command_result *r);

#endif

/* calibrate/ffmpeg_run.h -- running the real `ffmpeg` CLI: one command, and
 * the concatenation of chunk files that a chunked stage ends with.
 *
 * Commands run through base_proc_run (fork/exec, own process group, killed
 * at the timeout or on *cancel), so a measured wall time includes process
 * startup, as a container pays it. `ffmpeg` is looked up on PATH.
 *
 * Everything passed in is borrowed. Errors: BASE_ERUNTIME for ffmpeg
 * missing, failing, timing out or interrupted, and for the disk; BASE_EINPUT
 * for chunks that are not compatible videos; one line in err.
 */
#ifndef FORKCAST_CALIBRATE_FFMPEG_RUN_H
#define FORKCAST_CALIBRATE_FFMPEG_RUN_H

#include <signal.h>
#include <stddef.h>

/* argv[0] of every ffmpeg run. */
#define CAL_FFMPEG "ffmpeg"

/* Run argv (argv[0] CAL_FFMPEG) with stderr into log (NULL: discarded) and
 * stdout discarded. Anything but exit 0 is BASE_ERUNTIME "ffmpeg (WHAT):
 * exited with status 1: <last stderr line>"; a missing binary says so.
 * *wall_s (may be NULL) receives the run's wall time. */
int cal_ffmpeg_cli_run(const char *what, char *const argv[], const char *log, double timeout_s,
                       const volatile sig_atomic_t *cancel, double *wall_s, char *err,
                       size_t errsz);

/* BASE_OK when every chunk has one video stream with the codec, size, pixel
 * format and time base of the first; BASE_EINPUT naming the first
 * mismatching chunk otherwise (the concat demuxer would exit 0 and write a
 * broken file). Opens each file once. */
int cal_chunks_check(const char *const *paths, size_t n, char *err, size_t errsz);

/* Check the chunks, write list_path for the concat demuxer and run
 * `ffmpeg -f concat -safe 0 -i LIST -c copy OUT`; *wall_s (may be NULL) is
 * the ffmpeg run only (the check and list are not timed). */
int cal_concat_run(const char *const *paths, size_t n, const char *list_path,
                   const char *out_path, double timeout_s, const volatile sig_atomic_t *cancel,
                   double *wall_s, char *err, size_t errsz);

#endif

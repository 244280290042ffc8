/* base/proc.h -- run an external process under a timeout, and private temp
 * directories: the shared layer that calibrate/ and plots/ both use.
 *
 * Processes are started with fork/exec (never a shell unless the caller's
 * argv is `sh -c ...`), each in its own process group, stdin from /dev/null.
 * Wall time is CLOCK_MONOTONIC from just before fork() to the reap, so it
 * includes exec and dynamic loading: what a container pays to run the stage.
 * A run past its timeout, or one running when *cancel becomes non-zero, has
 * its whole process group killed (SIGKILL) and is reaped before returning;
 * stray members of a group are killed when the leader exits too. Nothing is
 * left running and no temp directory is left behind on any return path. The
 * group is registered with base/cleanup.h while it runs, so a signal that
 * ends forkcast kills it too.
 *
 * Everything passed in is borrowed. Errors: BASE_ERUNTIME (fork, pipe,
 * interrupted), one line in err.
 */
#ifndef FORKCAST_BASE_PROC_H
#define FORKCAST_BASE_PROC_H

#include <signal.h>
#include <stddef.h>

typedef enum {
    BASE_PROC_EXITED,   /* exited; code in .code */
    BASE_PROC_SIGNALED, /* killed by signal .code */
    BASE_PROC_TIMEOUT,  /* ran past timeout_s, group killed */
    BASE_PROC_NOSTART,  /* exec failed; errno in .code */
} base_proc_how;

typedef struct {
    base_proc_how how;
    int code;
    double wall_s; /* fork to reap, CLOCK_MONOTONIC */
} base_proc_result;

/* Run argv (argv[0] searched on PATH) with stdout and stderr truncated into
 * the given files (NULL: /dev/null). timeout_s > 0. Returns BASE_OK when the
 * process ran, whatever its outcome (see res); BASE_ERUNTIME when it could
 * not be forked or *cancel (may be NULL) became non-zero ("interrupted"). */
int base_proc_run(char *const argv[], const char *stdout_path, const char *stderr_path,
                  double timeout_s, const volatile sig_atomic_t *cancel, base_proc_result *res,
                  char *err, size_t errsz);

/* "exited with status 3", "killed by signal 9", "timed out after 1 s",
 * "failed to start: No such file or directory"; then, when stderr_path is not
 * NULL and holds text, ": " and its last non-empty line (shortened). */
void base_proc_describe(const base_proc_result *res, double timeout_s, const char *stderr_path,
                        char *buf, size_t bufsz);

/* Make a fresh private directory $TMPDIR/forkcast-XXXXXX (or /tmp); path
 * receives its name. base_tmpdir_at() makes PARENT/PREFIXXXXXXX instead.
 * Both register it with base/cleanup.h (a signal removes it).
 * base_tmpdir_remove() deletes it and everything below it, and unregisters
 * it (no-op on ""). */
int base_tmpdir_new(char *path, size_t pathsz, char *err, size_t errsz);
int base_tmpdir_at(const char *parent, const char *prefix, char *path, size_t pathsz, char *err, size_t errsz);
void base_tmpdir_remove(const char *path);

#endif

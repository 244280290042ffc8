/* base/cleanup.h -- what a run leaves behind when a signal stops it.
 *
 * A registry of this process's temporary files (base_out's PATH.tmp.XXXXXX),
 * temporary folders (base_tmpdir's forkcast-XXXXXX, the report's
 * .forkcast-report-XXXXXX), folders it created that are to go if left empty,
 * and the process groups of the children it started (base_proc_run). The
 * handler installed by base_cleanup_install() for SIGINT, SIGTERM, SIGHUP and
 * SIGPIPE kills every registered group (SIGKILL, leader reaped), removes every
 * registered file, then every folder tree, then every empty folder, and
 * re-raises the signal with its default action, so the process ends as
 * killed by it (a shell reports 128 + signal: 130, 143, 129, 141).
 *
 * SIGINT and SIGTERM are caught even when inherited as ignored (a background
 * job of a script); SIGHUP and SIGPIPE are left ignored when they were
 * (nohup). SIGKILL cannot be caught: docs/outputs.md says what it leaves.
 *
 * Deferred mode (base_cleanup_defer): a long measurement that polls a flag
 * and cleans up itself asks for the first signal only to set that flag; the
 * signal is remembered and base_cleanup_exit_if_caught() ends the process
 * the same way once the measurement has returned. A second signal while
 * deferred does the full cleanup at once.
 *
 * Registration is lock-free and async-signal-safe; slots are fixed
 * (BASE_CLEANUP_SLOTS, paths up to BASE_CLEANUP_PATH bytes): a path that does
 * not fit, or a full registry, returns -1 and the entry is simply not cleaned
 * on a signal. Register right after creating (with the signals held by
 * base_cleanup_hold, so no signal falls between), drop right after removing
 * or renaming. Handles are small integers; -1 is a no-op.
 */
#ifndef FORKCAST_BASE_CLEANUP_H
#define FORKCAST_BASE_CLEANUP_H

#include <signal.h>
#include <sys/types.h>

#define BASE_CLEANUP_SLOTS 64
#define BASE_CLEANUP_PATH 4224

/* Install the handler (idempotent). 0 ok, -1 if sigaction failed. */
int base_cleanup_install(void);

int base_cleanup_add_file(const char *path);     /* unlinked */
int base_cleanup_add_tree(const char *path);     /* removed with everything below */
int base_cleanup_add_emptydir(const char *path); /* rmdir'ed (only if empty) */
int base_cleanup_add_pgid(pid_t pgid);           /* killed with SIGKILL, leader reaped */
/* Unregister (after removing or renaming it yourself); sets *handle = -1. */
void base_cleanup_drop(int *handle);
/* Unregister the file, tree or empty folder registered under path, if any. */
void base_cleanup_drop_path(const char *path);

/* Block (hold) and restore the cleanup signals in this thread, around
 * create + register so a signal cannot fall between the two. */
void base_cleanup_hold(sigset_t *old);
void base_cleanup_release(const sigset_t *old);

/* flag non-NULL: the first signal sets *flag = 1 and is remembered; NULL:
 * back to immediate cleanup. One deferral at a time. */
void base_cleanup_defer(volatile sig_atomic_t *flag);
/* The signal remembered while deferred, 0 when none. */
int base_cleanup_caught(void);
/* When a signal was remembered: clean up and end the process by it (does
 * not return); otherwise return. Flush stdio first: this does not. */
void base_cleanup_exit_if_caught(void);

/* Remove path and, when it is a folder, everything below it (not following
 * symbolic links; at most 16 levels deep). Async-signal-safe; errors ignored. */
void base_remove_tree(const char *path);

#endif

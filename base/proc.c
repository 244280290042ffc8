/* base/proc.c -- process runner and temp directories. See base/proc.h. */
#include "base/proc.h"
#include "base/text.h"

#include "base/cleanup.h"
#include "base/clock.h"
#include "base/status.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* pidfd_open through syscall(2): works with any libc; -1 where the kernel
 * lacks it (the wait loop then polls waitid every 0.5 ms). */
static int open_pidfd(pid_t pid)
{
#ifdef SYS_pidfd_open
    return (int)syscall(SYS_pidfd_open, pid, 0);
#else
    (void)pid;
    errno = ENOSYS;
    return -1;
#endif
}

static void close_fd(int *fd)
{
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
}

/* Move fd to >= 3 (close-on-exec) so the child's dup2 onto 0, 1, 2 can
 * neither be a no-op that keeps O_CLOEXEC nor clobber another of them (a
 * parent started with stdin closed gets 0 from open). -1 stays -1. */
static int fd_high(int fd)
{
    if (fd < 0 || fd > 2)
        return fd;
    int hi = fcntl(fd, F_DUPFD_CLOEXEC, 3);
    close(fd);
    return hi;
}

/* In the child after fork(): only async-signal-safe calls, then exec. */
__attribute__((noreturn)) static void child_exec(char *const argv[], int fd_in, int fd_out, int fd_err, int report_fd)
{
    setpgid(0, 0);
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    sigaction(SIGINT, &dfl, NULL);
    sigaction(SIGTERM, &dfl, NULL);
    sigaction(SIGPIPE, &dfl, NULL);
    struct sigaction hup; /* ours (base/cleanup.h) to default; ignored (nohup) stays ignored */
    if (sigaction(SIGHUP, NULL, &hup) == 0 && hup.sa_handler != SIG_IGN)
        sigaction(SIGHUP, &dfl, NULL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    if (dup2(fd_in, 0) < 0 || dup2(fd_out, 1) < 0 || dup2(fd_err, 2) < 0) {
        int e = errno;
        ssize_t w = write(report_fd, &e, sizeof e);
        (void)w;
        _exit(127);
    }
    execvp(argv[0], argv);
    int e = errno;
    ssize_t w = write(report_fd, &e, sizeof e);
    (void)w;
    _exit(127);
}

/* stdin from /dev/null, stdout and stderr truncated into their files, and
 * the close-on-exec pipe that carries an exec failure's errno; all >= 3. */
static int open_fds(const char *stdout_path, const char *stderr_path, int *fd_in, int *fd_out,
                    int *fd_err, int pfd[2], char *err, size_t errsz)
{
    const char *outp = stdout_path ? stdout_path : "/dev/null";
    const char *errp = stderr_path ? stderr_path : "/dev/null";
    *fd_in = fd_high(open("/dev/null", O_RDONLY | O_CLOEXEC));
    *fd_out = fd_high(open(outp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    *fd_err = fd_high(open(errp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    if (*fd_in < 0 || *fd_out < 0 || *fd_err < 0)
        return base_errf(err, errsz, BASE_ERUNTIME, "cannot open %s: %s",
                         *fd_in < 0 ? "/dev/null" : *fd_out < 0 ? outp : errp, strerror(errno));
    if (pipe2(pfd, O_CLOEXEC) != 0)
        return base_errf(err, errsz, BASE_ERUNTIME, "pipe: %s", strerror(errno));
    pfd[0] = fd_high(pfd[0]);
    pfd[1] = fd_high(pfd[1]);
    if (pfd[0] < 0 || pfd[1] < 0)
        return base_errf(err, errsz, BASE_ERUNTIME, "pipe: %s", strerror(errno));
    return BASE_OK;
}

static void reap(pid_t pid)
{
    int st;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
}

/* Wait for pid (started at t0) to exit, time out or be cancelled; then kill
 * its group and reap it. pidfd readable on exit; waitid(WNOWAIT) leaves a
 * zombie so the group id cannot be reused while we kill strays. */
static int wait_exit(pid_t pid, int *reg, double t0, double timeout_s, const volatile sig_atomic_t *cancel,
                     base_proc_result *res, char *err, size_t errsz)
{
    int rc = BASE_OK, pidfd = open_pidfd(pid);
    double deadline = t0 + timeout_s;
    for (;;) {
        siginfo_t si;
        memset(&si, 0, sizeof si);
        if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid == pid) {
            res->wall_s = base_now_s() - t0;
            res->how = si.si_code == CLD_EXITED ? BASE_PROC_EXITED : BASE_PROC_SIGNALED;
            res->code = si.si_status;
            break;
        }
        double t = base_now_s();
        if (cancel && *cancel) {
            rc = base_errf(err, errsz, BASE_ERUNTIME, "interrupted");
            break;
        }
        if (t >= deadline) {
            res->how = BASE_PROC_TIMEOUT;
            res->wall_s = t - t0;
            break;
        }
        double left_ms = (deadline - t) * 1e3;
        if (pidfd >= 0) {
            struct pollfd p = {.fd = pidfd, .events = POLLIN};
            poll(&p, 1, left_ms < 100 ? (int)left_ms + 1 : 100);
        } else {
            struct timespec ts = {0, 500000};
            nanosleep(&ts, NULL);
        }
    }
    kill(-pid, SIGKILL); /* the group: a timed-out run, or strays of a finished one */
    base_cleanup_drop(reg); /* before the reap: the zombie holds the group id */
    reap(pid);
    close_fd(&pidfd);
    return rc;
}

int base_proc_run(char *const argv[], const char *stdout_path, const char *stderr_path,
                 double timeout_s, const volatile sig_atomic_t *cancel, base_proc_result *res,
                 char *err, size_t errsz)
{
    assert(argv && argv[0] && res && timeout_s > 0);
    int rc = BASE_OK;
    int fd_in = -1, fd_out = -1, fd_err = -1, pfd[2] = {-1, -1}, reg = -1;
    pid_t pid = -1;
    sigset_t held;
    memset(res, 0, sizeof *res);

    if (cancel && *cancel) {
        rc = base_errf(err, errsz, BASE_ERUNTIME, "interrupted");
        goto cleanup;
    }
    if ((rc = open_fds(stdout_path, stderr_path, &fd_in, &fd_out, &fd_err, pfd, err, errsz)))
        goto cleanup;

    /* Signals held from fork to registration: none falls between the two, and
     * the child keeps them blocked until child_exec has reset its handlers. */
    base_cleanup_hold(&held);
    double t0 = base_now_s();
    pid = fork();
    if (pid == 0)
        child_exec(argv, fd_in, fd_out, fd_err, pfd[1]);
    int fork_errno = errno;
    if (pid > 0) {
        setpgid(pid, pid); /* also done in the child; whichever runs first wins */
        reg = base_cleanup_add_pgid(pid);
    }
    base_cleanup_release(&held);
    if (pid < 0) {
        rc = base_errf(err, errsz, BASE_ERUNTIME, "fork: %s", strerror(fork_errno));
        goto cleanup;
    }
    close_fd(&pfd[1]);

    /* The pipe closes on a successful exec (O_CLOEXEC) or carries errno. */
    int exec_errno = 0;
    ssize_t got;
    do
        got = read(pfd[0], &exec_errno, sizeof exec_errno);
    while (got < 0 && errno == EINTR);
    if (got == (ssize_t)sizeof exec_errno) {
        base_cleanup_drop(&reg);
        reap(pid);
        res->how = BASE_PROC_NOSTART;
        res->code = exec_errno;
        res->wall_s = base_now_s() - t0;
        pid = -1;
        goto cleanup;
    }
    rc = wait_exit(pid, &reg, t0, timeout_s, cancel, res, err, errsz);
    pid = -1;

cleanup:
    if (pid > 0) { /* only on paths that failed before the wait loop */
        kill(-pid, SIGKILL);
        base_cleanup_drop(&reg);
        reap(pid);
    }
    close_fd(&pfd[0]);
    close_fd(&pfd[1]);
    close_fd(&fd_in);
    close_fd(&fd_out);
    close_fd(&fd_err);
    return rc;
}

/* Last non-empty line of a text file, escaped to one printable line
 * (base/text.h), at most cap-1 bytes ("..." when cut); "" when none. Reads
 * only the last 4 KiB, of a regular file only. */
static void last_line(const char *path, char *out, size_t cap)
{
    out[0] = 0;
    int st;
    FILE *f = path ? base_fopen_regular(path, &st, NULL, 0) : NULL;
    if (!f)
        return;
    char buf[4097];
    long off = 0;
    if (fseek(f, 0, SEEK_END) == 0) {
        long len = ftell(f);
        off = len > 4096 ? len - 4096 : 0;
    }
    fseek(f, off, SEEK_SET);
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' '))
        buf[--n] = 0;
    size_t start = n;
    while (start > 0 && buf[start - 1] != '\n' && buf[start - 1] != '\r')
        start--;
    char esc[4 * sizeof buf]; /* every byte escaped: 4 characters */
    size_t e = base_escape_line(esc, sizeof esc, buf + start, n - start);
    if (e < cap) {
        memcpy(out, esc, e + 1);
        return;
    }
    if (cap < 4)
        return;
    size_t at = cap - 4; /* cut on a character boundary, then "..." */
    while (at > 0 && ((unsigned char)esc[at] & 0xc0) == 0x80)
        at--;
    memcpy(out, esc, at);
    memcpy(out + at, "...", 4);
}

void base_proc_describe(const base_proc_result *res, double timeout_s, const char *stderr_path,
                       char *buf, size_t bufsz)
{
    char tail[161];
    switch (res->how) {
    case BASE_PROC_EXITED:
        snprintf(buf, bufsz, "exited with status %d", res->code);
        break;
    case BASE_PROC_SIGNALED:
        snprintf(buf, bufsz, "killed by signal %d (%s)", res->code, strsignal(res->code));
        break;
    case BASE_PROC_TIMEOUT:
        snprintf(buf, bufsz, "timed out after %g s (process group killed)", timeout_s);
        return;
    case BASE_PROC_NOSTART:
        snprintf(buf, bufsz, "failed to start: %s", strerror(res->code));
        return;
    }
    last_line(stderr_path, tail, sizeof tail);
    if (tail[0]) {
        size_t len = strlen(buf);
        snprintf(buf + len, bufsz - len, ": %s", tail);
    }
}

int base_tmpdir_at(const char *parent, const char *prefix, char *path, size_t pathsz, char *err, size_t errsz)
{
    if ((size_t)snprintf(path, pathsz, "%s/%sXXXXXX", parent, prefix) >= pathsz) {
        path[0] = 0;
        return base_errf(err, errsz, BASE_ERUNTIME, "%s: temp directory name too long", parent);
    }
    sigset_t held;
    base_cleanup_hold(&held);
    int ok = mkdtemp(path) != NULL, e = errno;
    if (ok)
        base_cleanup_add_tree(path);
    base_cleanup_release(&held);
    if (!ok) {
        path[0] = 0;
        return base_errf(err, errsz, BASE_ERUNTIME, "%s: cannot make a temp directory: %s", parent, strerror(e));
    }
    return BASE_OK;
}

int base_tmpdir_new(char *path, size_t pathsz, char *err, size_t errsz)
{
    const char *base = getenv("TMPDIR");
    return base_tmpdir_at(base && *base ? base : "/tmp", "forkcast-", path, pathsz, err, errsz);
}

void base_tmpdir_remove(const char *path)
{
    if (!path || !path[0])
        return;
    base_remove_tree(path);
    base_cleanup_drop_path(path);
}

/* calibrate/command_cal.c -- process runner, temp directories, line fit and
 * `calibrate command`. See command_cal.h for the contracts. */
#include "calibrate/command_cal.h"

#include "model/status.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_fit.h>
#include <gsl/gsl_statistics_double.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

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

int cal_proc_run(char *const argv[], const char *stdout_path, const char *stderr_path,
                 double timeout_s, const volatile sig_atomic_t *cancel, cal_proc_result *res,
                 char *err, size_t errsz)
{
    assert(argv && argv[0] && res && timeout_s > 0);
    int rc = MODEL_OK;
    int fd_in = -1, fd_out = -1, fd_err = -1, pidfd = -1, pfd[2] = {-1, -1};
    pid_t pid = -1;
    memset(res, 0, sizeof *res);

    if (cancel && *cancel) {
        rc = model_errf(err, errsz, MODEL_ERUNTIME, "interrupted");
        goto cleanup;
    }
    const char *outp = stdout_path ? stdout_path : "/dev/null";
    const char *errp = stderr_path ? stderr_path : "/dev/null";
    fd_in = fd_high(open("/dev/null", O_RDONLY | O_CLOEXEC));
    fd_out = fd_high(open(outp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    fd_err = fd_high(open(errp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    if (fd_in < 0 || fd_out < 0 || fd_err < 0) {
        rc = model_errf(err, errsz, MODEL_ERUNTIME, "cannot open %s: %s",
                        fd_in < 0 ? "/dev/null" : fd_out < 0 ? outp : errp, strerror(errno));
        goto cleanup;
    }
    if (pipe2(pfd, O_CLOEXEC) != 0) {
        rc = model_errf(err, errsz, MODEL_ERUNTIME, "pipe: %s", strerror(errno));
        goto cleanup;
    }
    pfd[0] = fd_high(pfd[0]);
    pfd[1] = fd_high(pfd[1]);
    if (pfd[0] < 0 || pfd[1] < 0) {
        rc = model_errf(err, errsz, MODEL_ERUNTIME, "pipe: %s", strerror(errno));
        goto cleanup;
    }

    double t0 = now_s();
    pid = fork();
    if (pid < 0) {
        rc = model_errf(err, errsz, MODEL_ERUNTIME, "fork: %s", strerror(errno));
        goto cleanup;
    }
    if (pid == 0)
        child_exec(argv, fd_in, fd_out, fd_err, pfd[1]);
    setpgid(pid, pid); /* also done in the child; whichever runs first wins */
    close_fd(&pfd[1]);

    /* The pipe closes on a successful exec (O_CLOEXEC) or carries errno. */
    int exec_errno = 0;
    ssize_t got;
    do
        got = read(pfd[0], &exec_errno, sizeof exec_errno);
    while (got < 0 && errno == EINTR);
    if (got == (ssize_t)sizeof exec_errno) {
        int st;
        while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
            ;
        res->how = CAL_PROC_NOSTART;
        res->code = exec_errno;
        res->wall_s = now_s() - t0;
        pid = -1;
        goto cleanup;
    }

    /* Wait: pidfd readable on exit; waitid(WNOWAIT) leaves a zombie so the
     * group id cannot be reused while we kill strays. */
    pidfd = open_pidfd(pid);
    double deadline = t0 + timeout_s;
    for (;;) {
        siginfo_t si;
        memset(&si, 0, sizeof si);
        if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid == pid) {
            res->wall_s = now_s() - t0;
            res->how = si.si_code == CLD_EXITED ? CAL_PROC_EXITED : CAL_PROC_SIGNALED;
            res->code = si.si_status;
            break;
        }
        double t = now_s();
        if (cancel && *cancel) {
            rc = model_errf(err, errsz, MODEL_ERUNTIME, "interrupted");
            break;
        }
        if (t >= deadline) {
            res->how = CAL_PROC_TIMEOUT;
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
    {
        int st;
        while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
            ;
    }
    pid = -1;

cleanup:
    if (pid > 0) { /* only on paths that failed before the wait loop */
        kill(-pid, SIGKILL);
        int st;
        while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
            ;
    }
    close_fd(&pidfd);
    close_fd(&pfd[0]);
    close_fd(&pfd[1]);
    close_fd(&fd_in);
    close_fd(&fd_out);
    close_fd(&fd_err);
    return rc;
}

/* Last non-empty line of a text file, control characters replaced, at most
 * cap-1 bytes; "" when none. Reads only the last 4 KiB. */
static void last_line(const char *path, char *out, size_t cap)
{
    out[0] = 0;
    FILE *f = path ? fopen(path, "rb") : NULL;
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
    size_t j = 0;
    for (size_t i = start; i < n && j + 1 < cap; i++)
        out[j++] = (unsigned char)buf[i] < 0x20 ? ' ' : buf[i];
    out[j] = 0;
    if (n - start >= cap && cap > 4)
        memcpy(out + cap - 4, "...", 4);
}

void cal_proc_describe(const cal_proc_result *res, double timeout_s, const char *stderr_path,
                       char *buf, size_t bufsz)
{
    char tail[161];
    switch (res->how) {
    case CAL_PROC_EXITED:
        snprintf(buf, bufsz, "exited with status %d", res->code);
        break;
    case CAL_PROC_SIGNALED:
        snprintf(buf, bufsz, "killed by signal %d (%s)", res->code, strsignal(res->code));
        break;
    case CAL_PROC_TIMEOUT:
        snprintf(buf, bufsz, "timed out after %g s (process group killed)", timeout_s);
        return;
    case CAL_PROC_NOSTART:
        snprintf(buf, bufsz, "failed to start: %s", strerror(res->code));
        return;
    }
    last_line(stderr_path, tail, sizeof tail);
    if (tail[0]) {
        size_t len = strlen(buf);
        snprintf(buf + len, bufsz - len, ": %s", tail);
    }
}

int cal_tmpdir_new(char *path, size_t pathsz, char *err, size_t errsz)
{
    const char *base = getenv("TMPDIR");
    if (!base || !*base)
        base = "/tmp";
    if ((size_t)snprintf(path, pathsz, "%s/forkcast-XXXXXX", base) >= pathsz) {
        path[0] = 0;
        return model_errf(err, errsz, MODEL_ERUNTIME, "%s: temp directory name too long", base);
    }
    if (!mkdtemp(path)) {
        int e = errno;
        path[0] = 0;
        return model_errf(err, errsz, MODEL_ERUNTIME, "%s: cannot make a temp directory: %s",
                          base, strerror(e));
    }
    return MODEL_OK;
}

static int rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb, (void)flag, (void)ftw;
    remove(p);
    return 0;
}

void cal_tmpdir_remove(const char *path)
{
    if (path && path[0])
        nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* ---- line fit ---------------------------------------------------------- */

int cal_line_fit(const double *x, const double *y, size_t n, cal_line *out, char *err,
                 size_t errsz)
{
    memset(out, 0, sizeof *out);
    if (n < 3)
        return model_errf(err, errsz, MODEL_EINPUT,
                          "a line fit with 95%% intervals needs at least 3 points (got %zu)", n);
    size_t i = 1;
    while (i < n && x[i] == x[0])
        i++;
    if (i == n)
        return model_errf(err, errsz, MODEL_EINPUT,
                          "a line fit needs at least two distinct x values (all are %g)", x[0]);
    double c0, c1, cov00, cov01, cov11, sumsq;
    int s = gsl_fit_linear(x, 1, y, 1, n, &c0, &c1, &cov00, &cov01, &cov11, &sumsq);
    if (s != GSL_SUCCESS)
        return model_errf(err, errsz, MODEL_ERUNTIME, "gsl_fit_linear: %s", gsl_strerror(s));
    double t = gsl_cdf_tdist_Pinv(0.975, (double)(n - 2));
    double h0 = t * sqrt(cov00), h1 = t * sqrt(cov11);
    double tss = gsl_stats_tss(y, 1, n);
    *out = (cal_line){
        .c0 = c0, .c1 = c1,
        .c0_ci = {c0 - h0, c0 + h0}, .c1_ci = {c1 - h1, c1 + h1},
        .cov00 = cov00, .cov01 = cov01, .cov11 = cov11,
        .r2 = tss > 0 ? 1.0 - sumsq / tss : 1.0,
        .n = n,
    };
    assert(out->c0_ci[0] <= out->c0_ci[1] && out->c1_ci[0] <= out->c1_ci[1]);
    return MODEL_OK;
}

cJSON *cal_value_ci_json(double v, const double ci[2])
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "value", v);
    cJSON *a = cJSON_AddArrayToObject(o, "ci95");
    cJSON_AddItemToArray(a, cJSON_CreateNumber(ci[0]));
    cJSON_AddItemToArray(a, cJSON_CreateNumber(ci[1]));
    return o;
}

cJSON *cal_line_json(const cal_line *f, const char *c0_name, const char *c1_name)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddItemToObject(o, c1_name, cal_value_ci_json(f->c1, f->c1_ci));
    cJSON_AddItemToObject(o, c0_name, cal_value_ci_json(f->c0, f->c0_ci));
    cJSON_AddNumberToObject(o, "r2", f->r2);
    return o;
}

/* ---- calibrate command ------------------------------------------------- */

/* Copy of s with every "{frames}", "{input}", "{output}" replaced; NULL on
 * out of memory. */
static char *substitute(const char *s, const char *frames, const char *input, const char *output)
{
    static const char *const keys[] = {"{frames}", "{input}", "{output}"};
    const char *vals[] = {frames, input ? input : "", output};
    size_t cap = strlen(s) + 1, len = 0;
    for (const char *p = s; *p; p++)
        for (int k = 0; k < 3; k++)
            if (!strncmp(p, keys[k], strlen(keys[k])))
                cap += strlen(vals[k]);
    char *out = malloc(cap);
    if (!out)
        return NULL;
    for (const char *p = s; *p;) {
        int hit = -1;
        for (int k = 0; k < 3 && hit < 0; k++)
            if (!strncmp(p, keys[k], strlen(keys[k])))
                hit = k;
        if (hit >= 0) {
            size_t vl = strlen(vals[hit]);
            memcpy(out + len, vals[hit], vl);
            len += vl;
            p += strlen(keys[hit]);
        } else {
            out[len++] = *p++;
        }
    }
    out[len] = 0;
    assert(len < cap);
    return out;
}

static void free_argv(char **v, int n)
{
    if (!v)
        return;
    for (int i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

void cal_command_result_free(cal_command_result *r)
{
    if (!r)
        return;
    free(r->frames);
    free(r->seconds);
    free(r);
}

int cal_command_run(const cal_command_opts *o, cal_command_result **out, char *err,
                    size_t errsz)
{
    int rc = MODEL_OK;
    cal_command_result *r = NULL;
    char **argv = NULL;
    double *x = NULL;
    char tmp[4096] = "", errpath[4200], outpath[4200];
    *out = NULL;

    if (!o->argv || o->argc < 1 || !o->argv[0] || !o->argv[0][0])
        return model_errf(err, errsz, MODEL_EINPUT, "no command given after --");
    if (o->nframes < 1)
        return model_errf(err, errsz, MODEL_EINPUT, "--frames: empty list");
    if (o->repeats < 1)
        return model_errf(err, errsz, MODEL_EINPUT, "--repeats: must be at least 1 (got %d)",
                          o->repeats);
    if (!(o->timeout_s > 0))
        return model_errf(err, errsz, MODEL_EINPUT, "--timeout: must be positive");
    int distinct = 0;
    for (size_t i = 0; i < o->nframes; i++) {
        if (o->frames[i] < 1)
            return model_errf(err, errsz, MODEL_EINPUT,
                              "--frames: frame counts must be at least 1 (got %d)", o->frames[i]);
        if (o->frames[i] != o->frames[0])
            distinct = 1;
    }
    if (!distinct)
        return model_errf(err, errsz, MODEL_EINPUT,
                          "--frames: need at least two different frame counts to fit a line");
    size_t n = o->nframes * (size_t)o->repeats;
    if (n < 3)
        return model_errf(err, errsz, MODEL_EINPUT,
                          "--frames x --repeats: need at least 3 runs for 95%% intervals "
                          "(got %zu)",
                          n);
    for (int i = 0; i < o->argc; i++)
        if (strstr(o->argv[i], "{input}") && !o->input)
            return model_errf(err, errsz, MODEL_EINPUT,
                              "command argument '%s' uses {input} but no --input was given",
                              o->argv[i]);

    r = calloc(1, sizeof *r);
    argv = calloc((size_t)o->argc + 1, sizeof *argv);
    x = calloc(n, sizeof *x);
    if (r) {
        r->frames = calloc(n, sizeof *r->frames);
        r->seconds = calloc(n, sizeof *r->seconds);
    }
    if (!r || !argv || !x || !r->frames || !r->seconds) {
        rc = model_errf(err, errsz, MODEL_ERUNTIME, "out of memory");
        goto cleanup;
    }
    if ((rc = cal_tmpdir_new(tmp, sizeof tmp, err, errsz)))
        goto cleanup;
    snprintf(errpath, sizeof errpath, "%s/stderr.txt", tmp);
    const char *ext = o->output_ext && o->output_ext[0] ? o->output_ext : "mp4";

    size_t j = 0;
    for (int rep = 0; rep < o->repeats; rep++) {
        for (size_t i = 0; i < o->nframes; i++, j++) {
            char fr[32];
            snprintf(fr, sizeof fr, "%d", o->frames[i]);
            snprintf(outpath, sizeof outpath, "%s/out-%zu.%s", tmp, j, ext);
            for (int a = 0; a < o->argc; a++) {
                free(argv[a]);
                argv[a] = substitute(o->argv[a], fr, o->input, outpath);
                if (!argv[a]) {
                    rc = model_errf(err, errsz, MODEL_ERUNTIME, "out of memory");
                    goto cleanup;
                }
            }
            cal_proc_result pr;
            if ((rc = cal_proc_run(argv, NULL, errpath, o->timeout_s, o->cancel, &pr, err, errsz)))
                goto cleanup;
            cal_tmpdir_remove(outpath); /* file or directory the run made */
            if (pr.how != CAL_PROC_EXITED || pr.code != 0) {
                char why[512];
                cal_proc_describe(&pr, o->timeout_s, errpath, why, sizeof why);
                rc = model_errf(err, errsz, MODEL_EINPUT, "command '%s' at frames=%d: %s",
                                o->argv[0], o->frames[i], why);
                goto cleanup;
            }
            r->frames[j] = o->frames[i];
            r->seconds[j] = pr.wall_s;
            x[j] = o->frames[i];
            if (o->progress) {
                char line[128];
                snprintf(line, sizeof line, "run %zu/%zu: frames=%d %.4f s", j + 1, n,
                         o->frames[i], pr.wall_s);
                o->progress(o->progress_ctx, line);
            }
        }
    }
    assert(j == n);
    r->n = n;
    if ((rc = cal_line_fit(x, r->seconds, n, &r->fit, err, errsz)))
        goto cleanup;
    r->fixed_clamped = r->fit.c0 < 0;
    r->fixed_s = r->fixed_clamped ? 0.0 : r->fit.c0;
    r->per_frame_clamped = r->fit.c1 < 0;
    r->per_frame_s = r->per_frame_clamped ? 0.0 : r->fit.c1;
    *out = r;
    r = NULL;

cleanup:
    cal_tmpdir_remove(tmp);
    free_argv(argv, o->argc);
    free(x);
    cal_command_result_free(r);
    return rc;
}

cJSON *cal_command_result_json(const cal_command_result *r)
{
    cJSON *root = cJSON_CreateObject();
    cJSON *stage = cJSON_AddObjectToObject(root, "stage");
    cJSON_AddNumberToObject(stage, "per_frame_s", r->per_frame_s);
    cJSON_AddNumberToObject(stage, "ffmpeg_start_s", r->fixed_s);
    cJSON *fit = cal_line_json(&r->fit, "fixed_s", "per_frame_s");
    cJSON_AddItemToObject(root, "fit", fit);
    cJSON *pts = cJSON_AddArrayToObject(fit, "points");
    for (size_t i = 0; i < r->n; i++) {
        cJSON *p = cJSON_CreateObject();
        cJSON_AddNumberToObject(p, "frames", r->frames[i]);
        cJSON_AddNumberToObject(p, "seconds", r->seconds[i]);
        cJSON_AddItemToArray(pts, p);
    }
    return root;
}

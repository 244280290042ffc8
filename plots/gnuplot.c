/* plots/gnuplot.c -- the script directory, gnuplot variables and one
 * gnuplot run. See gnuplot.h. */
#include "plots/gnuplot.h"
#include "base/proc.h"
#include "base/status.h"
#include "model/scenario.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef FORKCAST_SRCDIR
#define FORKCAST_SRCDIR "."
#endif

#define GNUPLOT_TIMEOUT_S 120.0

/* ---- where the scripts are ------------------------------------------------ */

static int has_scripts(const char *dir)
{
    char p[PATH_MAX];
    struct stat st;
    if (snprintf(p, sizeof p, "%s/plots/common.gp", dir) >= (int)sizeof p)
        return 0;
    return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

int plot_data_dir(char *dir, size_t dirsz, char *err, size_t errsz)
{
    char exe[PATH_MAX], cand[PATH_MAX + 32];
    const char *env = getenv("FORKCAST_DATA");
    if (env && *env && has_scripts(env) && strlen(env) < dirsz) {
        strcpy(dir, env);
        return BASE_OK;
    }
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = 0;
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = 0;
            snprintf(cand, sizeof cand, "%s/../share/forkcast", exe);
            if (has_scripts(cand) && strlen(cand) < dirsz) {
                strcpy(dir, cand);
                return BASE_OK;
            }
        }
    }
    if (has_scripts(FORKCAST_SRCDIR) && strlen(FORKCAST_SRCDIR) < dirsz) {
        strcpy(dir, FORKCAST_SRCDIR);
        return BASE_OK;
    }
    return base_errf(err, errsz, BASE_ERUNTIME,
                      "gnuplot scripts not found: no plots/common.gp under $FORKCAST_DATA (%s), "
                      "EXE/../share/forkcast or %s; set FORKCAST_DATA to the directory holding plots/",
                      env && *env ? env : "unset", FORKCAST_SRCDIR);
}

/* ---- gnuplot variables ------------------------------------------------------- */

static void var_raw(plot_vars *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void var_raw(plot_vars *v, const char *fmt, ...)
{
    size_t n = strlen(v->buf);
    va_list ap;
    va_start(ap, fmt);
    int w = vsnprintf(v->buf + n, sizeof v->buf - n, fmt, ap);
    va_end(ap);
    if (w < 0 || (size_t)w >= sizeof v->buf - n) {
        v->buf[n] = 0;
        v->overflow = 1;
    }
}

void plot_var_num(plot_vars *v, const char *name, double x)
{
    var_raw(v, "%s=%.17g; ", name, x);
}

/* A gnuplot single-quoted string: ' doubled, nothing else special. */
void plot_var_str(plot_vars *v, const char *name, const char *s)
{
    var_raw(v, "%s='", name);
    for (; *s; s++) {
        if (*s == '\n' || *s == '\r')
            continue;
        if (*s == '\'')
            var_raw(v, "''");
        else
            var_raw(v, "%c", *s);
    }
    var_raw(v, "'; ");
}

void plot_var_gpus(plot_vars *v, const int *g, int n)
{
    char buf[MODEL_MAX_GPU_LIST * 8] = "";
    size_t len = 0;
    for (int i = 0; i < n; i++)
        len += (size_t)snprintf(buf + len, sizeof buf - len, "%s%d", i ? " " : "", g[i]);
    plot_var_str(v, "gpus", buf);
}

/* ---- one run ------------------------------------------------------------------ */

int plot_render(const char *script_name, const char *csv, const char *out, const char *fmt,
                const plot_vars *extra, char *err, size_t errsz)
{
    char dir[PATH_MAX], script[PATH_MAX + 64], tmp[PATH_MAX], errfile[PATH_MAX + 16] = "";
    plot_vars v = {.buf = ""};
    int rc;
    tmp[0] = 0;
    if ((rc = plot_data_dir(dir, sizeof dir, err, errsz)))
        return rc;
    snprintf(script, sizeof script, "%s/plots/%s.gp", dir, script_name);
    if (access(script, R_OK) != 0)
        return base_errf(err, errsz, BASE_ERUNTIME, "%s: cannot read: %s", script, strerror(errno));
    plot_var_str(&v, "plotdir", dir);
    plot_var_str(&v, "csv", csv);
    plot_var_str(&v, "out", out);
    plot_var_str(&v, "fmt", fmt);
    var_raw(&v, "%s", extra ? extra->buf : "");
    if (v.overflow || (extra && extra->overflow))
        return base_errf(err, errsz, BASE_ERUNTIME, "gnuplot: variables too long");
    if ((rc = base_tmpdir_new(tmp, sizeof tmp, err, errsz)))
        return rc;
    snprintf(errfile, sizeof errfile, "%s/stderr", tmp);
    char *argv[] = {"gnuplot", "-e", v.buf, script, NULL};
    base_proc_result res;
    if ((rc = base_proc_run(argv, NULL, errfile, GNUPLOT_TIMEOUT_S, NULL, &res, err, errsz)))
        goto cleanup;
    if (res.how == BASE_PROC_NOSTART) {
        rc = base_errf(err, errsz, BASE_ERUNTIME, "gnuplot: %s (install gnuplot: make deps)",
                        res.code == ENOENT ? "not found on PATH" : strerror(res.code));
        goto cleanup;
    }
    if (res.how != BASE_PROC_EXITED || res.code != 0) {
        char why[512];
        base_proc_describe(&res, GNUPLOT_TIMEOUT_S, errfile, why, sizeof why);
        rc = base_errf(err, errsz, BASE_ERUNTIME, "gnuplot %s.gp %s", script_name, why);
        goto cleanup;
    }
cleanup:
    base_tmpdir_remove(tmp);
    return rc;
}

/* plots/gnuplot.h -- driving gnuplot: where the chart scripts are, the
 * variables a script is given, and one run of a script.
 *
 * Each chart kind has a script plots/KIND.gp that reads a CSV and the
 * variables passed with `gnuplot -e "name=value; ..."`. plot_render() runs
 * `gnuplot -e VARS DIR/plots/KIND.gp` by fork/exec (no shell; base_proc_run,
 * 120 s timeout, stderr kept for the message) and writes the image it is
 * told to; it never decides file names (plot_chart in chart.h does).
 *
 * The script directory is found by plot_data_dir(): $FORKCAST_DATA, then
 * EXE/../share/forkcast (installed), then the source tree compiled in
 * (FORKCAST_SRCDIR); the first that holds plots/common.gp wins.
 *
 * Everything passed in is borrowed. Errors: BASE_ERUNTIME (scripts not
 * found, gnuplot missing, failing or timing out, variables too long), one
 * line in err.
 */
#ifndef FORKCAST_PLOTS_GNUPLOT_H
#define FORKCAST_PLOTS_GNUPLOT_H

#include <stddef.h>

/* gnuplot variables, "name=value; ..." for gnuplot -e. A value that does
 * not fit sets overflow (plot_render then refuses to run). */
typedef struct {
    char buf[8192];
    int overflow;
} plot_vars;

void plot_var_num(plot_vars *v, const char *name, double x);
void plot_var_str(plot_vars *v, const char *name, const char *s);   /* quoted for gnuplot */
/* gpus='1 2 4 8': a GPU list as the scripts' `words` loops read it. */
void plot_var_gpus(plot_vars *v, const int *g, int n);

/* Where plots/common.gp is (see the overview); BASE_ERUNTIME if nowhere. */
int plot_data_dir(char *dir, size_t dirsz, char *err, size_t errsz);

/* Run gnuplot on plots/SCRIPT.gp with csv, out, fmt ("png"|"svg"), plotdir
 * and the extra variables. Writes out directly: callers give a temp name. */
int plot_render(const char *script, const char *csv, const char *out, const char *fmt,
                const plot_vars *extra, char *err, size_t errsz);

#endif

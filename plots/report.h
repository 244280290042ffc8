/* plots/report.h -- the Markdown/HTML report (`forkcast report`).
 *
 * plot_report_write() writes DIR/report.md and a self-contained
 * DIR/report.html (charts inlined as base64 PNG data URIs) plus the PNGs
 * and their CSVs in DIR: the verdict, the table of predictions per GPU
 * count with the simulated p95, every chart it has data for (plots/chart.h)
 * and the assumptions, each with the source of its value (the command
 * line, a profile, the scenario's _fit block, the scenario file, or the
 * default).
 *
 * Cost: one closed-form evaluation, one Monte Carlo check of at most
 * sim_advise_reps(s) replications (sim/advise_col.h: as advise prints it),
 * and every chart (one gnuplot run each).
 *
 * Everything passed in is borrowed. Errors: BASE_EINPUT for the caller's
 * input (an unreadable scenario or profile), BASE_ERUNTIME for the machine
 * (gnuplot, an unwritable DIR), one line in err.
 */
#ifndef FORKCAST_PLOTS_REPORT_H
#define FORKCAST_PLOTS_REPORT_H

#include "model/scenario.h"
#include "plots/chart.h"

#include <stddef.h>

/* The report's Monte Carlo (its "sim p95" column and cdf chart): at most
 * this many replications (fewer if sim.replications is), seed sim.seed --
 * the check `forkcast advise` runs, so the two print the same numbers. */

typedef struct {
    plot_opts opts;                     /* chart options and the verdict's objective */
    const char *scenario_path;          /* NULL: the built-in default */
    const char *const *profiles;        /* --with files, merged in this order */
    int nprof;
    int frames_given, per_frame_given, gpus_given; /* overridden on the command line */
    const char *trace_csv, *walls_csv, *series_csv; /* gantt, cdf, capacity inputs; NULL: not drawn */
} plot_report_spec;

/* DIR (created if missing; its parent must exist) gets every chart it has
 * data for (KIND.png + KIND.csv), report.md (links them) and report.html
 * (inlines them as data: URIs; no external resource). All or nothing: the
 * charts are drawn into a private directory inside DIR and moved into place
 * with the report files only when every step succeeded. */
int plot_report_write(const model_scenario *s, const plot_report_spec *r, const char *dir, char *err,
                      size_t errsz);

#endif

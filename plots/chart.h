/* plots/chart.h -- the charts: one CSV and one gnuplot image per kind.
 *
 * Each kind has a gnuplot script plots/KIND.gp and a CSV writer (columns:
 * docs/plots.md). speedup, frames, map and breakdown come from the closed
 * form (plots/chart_model.c); gantt and cdf from the simulator
 * (sim/montecarlo.h: the same seed and replications as `forkcast sim`) or a
 * CSV it wrote, capacity from the scenario's workload (sim/capacity.h) or a
 * `forkcast capacity --series` CSV (plots/chart_sim.c); pareto and
 * plan-gantt from the plan search of the scenario's pipeline with its own
 * plan section (model/plan.h; plots/chart_plan.c).
 *
 * plot_chart() writes the CSV beside the image (FILE.csv for
 * FILE.png|FILE.svg) and runs gnuplot (plots/gnuplot.h). Both files are
 * written to temporary names and renamed into place only when gnuplot
 * succeeded; otherwise nothing is left.
 *
 * Cost: the model kinds evaluate the closed form on up to 120 x 90 grid
 * points by default (plots/sweep.h, spread over threads); gantt replays one
 * simulated run, cdf `replications` runs; then one gnuplot process.
 *
 * Everything passed in is borrowed. Errors: BASE_EINPUT for the caller's
 * input (bad ranges, a malformed input CSV, a scenario without a workload
 * for capacity), BASE_ERUNTIME for the machine (gnuplot missing or failing,
 * an unwritable directory), one line in err.
 */
#ifndef FORKCAST_PLOTS_CHART_H
#define FORKCAST_PLOTS_CHART_H

#include "model/evaluate.h"
#include "model/scenario.h"
#include "plots/gnuplot.h"

#include <stddef.h>
#include <stdio.h>

typedef enum {
    PLOT_SPEEDUP, PLOT_FRAMES, PLOT_MAP, PLOT_GANTT, PLOT_CDF, PLOT_BREAKDOWN, PLOT_CAPACITY, PLOT_PARETO,
    PLOT_PLAN_GANTT, PLOT_NKINDS
} plot_kind;

typedef struct {
    double frames_lo, frames_hi;       /* 0: the chart's default range */
    double per_frame_lo, per_frame_hi; /* 0: the chart's default range (map) */
    int points;                        /* grid points per axis; 0: the chart's default */
    const char *input;                 /* gantt, cdf, capacity: the CSV to draw; NULL runs the
                                        * simulator (gantt: replication 0 of `forkcast sim`; cdf:
                                        * its replications) or the scenario's workload (capacity) */
    long replications;                 /* cdf from the simulator; 0: sim.replications */
    unsigned threads;                  /* sweeps; 0: all cores */
    model_opts opts;                   /* the verdict's objective */
} plot_opts;

const char *plot_kind_name(plot_kind k);
const char *plot_kind_what(plot_kind k);    /* one line: what the chart shows */
int plot_kind_takes_input(plot_kind k);     /* 1: gantt, cdf, capacity: an --input CSV, or else
                                             * the simulator / the scenario's workload */
int plot_kind_parse(const char *name, plot_kind *out); /* 0 ok, -1 unknown */
/* ".png" -> "png", ".svg" -> "svg"; -1 for anything else. */
int plot_format(const char *out, const char **fmt);
void plot_title(plot_kind kind, const model_scenario *s, char *buf, size_t n);

/* The CSV behind chart KIND, written to f, and the script's variables
 * added to v. s may be NULL for the input-based kinds. */
int plot_write_csv(plot_kind kind, const model_scenario *s, const plot_opts *o, FILE *f, plot_vars *v, char *err,
                   size_t errsz);
/* The cdf chart's CSV from n (k, wall) samples in any order. */
int plot_cdf_csv(const int *k, const double *wall, size_t n, FILE *f, plot_vars *v, char *err, size_t errsz);

/* The capacity chart's step (docs/plots.md): the smallest of 1, 2, 5, 10,
 * 15, 30 s, 1, 2, 5, 10, 15, 30 min, 1, 2, 3, 6, 12 h, 1, 2, 4, 7 days
 * (then whole weeks) with duration_s / step < PLOT_CAP_MAX_POINTS, and at
 * least min_step_s (an input's own spacing). A run of duration D has
 * floor(D / step) + 1 windows (the last one partial): at most 250 and,
 * consecutive steps being at most 2.5x apart, at least 101 when D > 250 s. */
#define PLOT_CAP_MAX_POINTS 250
double plot_capacity_step(double duration_s, double min_step_s);

/* CSV + image: out ends in .png or .svg; FILE.csv beside it. All or nothing. */
int plot_chart(plot_kind kind, const model_scenario *s, const plot_opts *o, const char *out, char *err,
               size_t errsz);

#endif

/* plots/plot.h -- prediction grids (`forkcast sweep`), the charts (gnuplot)
 * and the Markdown/HTML report.
 *
 * Sweep. plot_sweep_run() evaluates the closed form on a grid of frame
 * counts x per-frame costs x GPU counts and applies the scenario's decision
 * rule (model_decide) at every point. Frame counts and per-frame costs are
 * log-spaced. Each point's E[wall] and E[cost] come from
 * model_predict_means() (model/predict.h: tabulated overhead CDFs, one QAG
 * integral per point, ~3 us on the default scenario). Points are
 * independent; rows of the grid are spread over threads by sim_mc_run(),
 * each thread with its own view of the scenario and model_prep, so results
 * do not depend on the thread count.
 *
 * Charts. Each kind has a gnuplot script plots/KIND.gp and a CSV writer
 * here (columns: docs/plots.md). plot_chart() writes the CSV beside the
 * image (FILE.csv for FILE.png|FILE.svg) and runs gnuplot by fork/exec (no
 * shell; base_proc_run of calibrate/command_cal.h, 120 s timeout, stderr kept
 * for the message): `gnuplot -e "VARS" DIR/plots/KIND.gp`. speedup, frames,
 * map and breakdown come from the closed form; gantt and cdf from the
 * simulator (sim/montecarlo.h: the same seed and replications as `forkcast
 * sim`) or a CSV it wrote; capacity runs the scenario's workload
 * (sim/capacity.h) or draws a `forkcast capacity --series` CSV. Both files are written to
 * temporary names and renamed into place only when gnuplot succeeded;
 * otherwise nothing is left. The script directory is found by
 * plot_data_dir(): $FORKCAST_DATA, then EXE/../share/forkcast (installed),
 * then the source tree compiled in (FORKCAST_SRCDIR); the first that holds
 * plots/common.gp wins.
 *
 * Report. plot_report_write() writes DIR/report.md and a self-contained
 * DIR/report.html (charts inlined as base64 PNG data URIs) plus the PNGs
 * and their CSVs in DIR.
 *
 * Errors: BASE_EINPUT for the caller's input (bad ranges, a malformed input
 * CSV), BASE_ERUNTIME for the machine (gnuplot missing or failing, an
 * unwritable directory), one line in err. Ownership: plot_sweep_run()
 * returns an owned object freed by plot_sweep_free(); everything passed in
 * is borrowed.
 */
#ifndef FORKCAST_PLOTS_PLOT_H
#define FORKCAST_PLOTS_PLOT_H

#include "model/evaluate.h"
#include "model/scenario.h"
#include "base/status.h"

#include <stdio.h>

/* ---- sweep ------------------------------------------------------------ */

#define PLOT_SWEEP_MAX_POINTS 2000   /* per axis */

typedef struct {
    double wall_mean, cost_mean;   /* E[wall] s, E[cost] USD */
    double speedup, cost_ratio;    /* against k = 1 at the same point */
    double margin;                 /* min(speedup - min_speedup, 1 + max_cost_increase - cost_ratio) */
    int gpus, beneficial;
} plot_sweep_cell;

typedef struct {
    double frames_lo, frames_hi;   /* 1 <= lo <= hi */
    int frames_points;             /* >= 1; log-spaced, rounded to integers, duplicates dropped */
    double per_frame_lo, per_frame_hi; /* > 0 */
    int per_frame_points;          /* 0: the scenario's own per-frame distribution */
    unsigned threads;              /* 0: all online cores */
    model_opts opts;               /* objective for the verdict at each point */
} plot_sweep_spec;

typedef struct {
    int nframes, nper, ngpus;
    double *frames;                /* [nframes], ascending integers */
    double *per_frame;             /* [nper]; not swept: the scenario's mean per-frame cost */
    int per_frame_swept;
    int gpus[MODEL_MAX_GPU_LIST];  /* the scenario's GPU counts, ascending */
    double *base_wall, *base_cost; /* [point]: k = 1 */
    plot_sweep_cell *cells;        /* [point * ngpus + g] */
    int *best_gpus;                /* [point]: the verdict (1: do not split) */
    double *best_margin;           /* [point]: max over k > 1 of margin (-inf without k > 1) */
} plot_sweep;                      /* point = i_frames * nper + j_per_frame */

/* Log-spaced values lo..hi (n >= 1; n == 1 gives lo); with `integer`,
 * rounded and deduplicated. Returns how many were written (<= n). */
int plot_logspace(double lo, double hi, int n, int integer, double *out);

int plot_sweep_run(const model_scenario *s, const plot_sweep_spec *spec, plot_sweep **out, char *err,
                   size_t errsz);
void plot_sweep_free(plot_sweep *sw);

/* CSV of a sweep: one row per (frames, per-frame, GPU count):
 * frames,per_frame_s,gpus,wall_mean_s,cost_mean_usd,speedup,cost_ratio,beneficial,best_gpus */
int plot_sweep_csv(const plot_sweep *sw, FILE *f);

/* ---- charts -------------------------------------------------------------- */

typedef enum {
    PLOT_SPEEDUP, PLOT_FRAMES, PLOT_MAP, PLOT_GANTT, PLOT_CDF, PLOT_BREAKDOWN, PLOT_CAPACITY, PLOT_NKINDS
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

/* gnuplot variables, "name=value; ..." for gnuplot -e. */
typedef struct {
    char buf[8192];
    int overflow;
} plot_vars;

void plot_var_num(plot_vars *v, const char *name, double x);
void plot_var_str(plot_vars *v, const char *name, const char *s);   /* quoted for gnuplot */

const char *plot_kind_name(plot_kind k);
const char *plot_kind_what(plot_kind k);    /* one line: what the chart shows */
int plot_kind_takes_input(plot_kind k);     /* 1: gantt, cdf, capacity: an --input CSV, or else
                                             * the simulator / the scenario's workload */
int plot_kind_parse(const char *name, plot_kind *out); /* 0 ok, -1 unknown */
/* ".png" -> "png", ".svg" -> "svg"; -1 for anything else. */
int plot_format(const char *out, const char **fmt);
void plot_title(plot_kind kind, const model_scenario *s, char *buf, size_t n);

/* Where plots/common.gp is (see the overview); BASE_ERUNTIME if nowhere. */
int plot_data_dir(char *dir, size_t dirsz, char *err, size_t errsz);

/* The CSV behind chart KIND, written to f, and the script's variables
 * added to v. s may be NULL for the input-based kinds. */
int plot_write_csv(plot_kind kind, const model_scenario *s, const plot_opts *o, FILE *f, plot_vars *v, char *err,
                   size_t errsz);
/* The cdf chart's CSV from n (k, wall) samples in any order. */
int plot_cdf_csv(const int *k, const double *wall, size_t n, FILE *f, plot_vars *v, char *err, size_t errsz);

/* Run gnuplot on plots/KIND.gp with csv, out, fmt ("png"|"svg"), plotdir
 * and the extra variables. Writes out directly: callers give a temp name. */
int plot_render(plot_kind kind, const char *csv, const char *out, const char *fmt, const plot_vars *extra,
                char *err, size_t errsz);

/* CSV + image: out ends in .png or .svg; FILE.csv beside it. All or nothing. */
int plot_chart(plot_kind kind, const model_scenario *s, const plot_opts *o, const char *out, char *err,
               size_t errsz);

/* ---- report ---------------------------------------------------------------- */

/* The report's Monte Carlo (its "sim p95" column and cdf chart): at most
 * this many replications (fewer if sim.replications is), seed sim.seed --
 * the check `forkcast advise` runs, so the two print the same numbers. */
#define PLOT_REPORT_SIM_REPS 2000

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

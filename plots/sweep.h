/* plots/sweep.h -- prediction grids (`forkcast sweep`, and the frames and
 * map charts).
 *
 * plot_sweep_run() evaluates the closed form on a grid of frame counts x
 * per-frame costs x GPU counts and applies the scenario's decision rule
 * (model_decide) at every point. Frame counts and per-frame costs are
 * log-spaced. Each point's E[wall] and E[cost] come from
 * model_predict_means() (model/predict.h: tabulated overhead CDFs, one QAG
 * integral per point, ~3 us on the default scenario). Points are
 * independent; rows of the grid are spread over threads by sim_mc_run(),
 * each thread with its own view of the scenario and model_prep, so results
 * do not depend on the thread count.
 *
 * Ownership: plot_sweep_run() returns an owned object freed by
 * plot_sweep_free(); plot_sweep_json() an owned cJSON tree (cJSON_Delete);
 * everything passed in is borrowed. Errors: BASE_EINPUT for bad ranges or
 * point counts (naming the option: --frames, --per-frame, --points),
 * BASE_ERUNTIME when out of memory or threads; one line in err.
 */
#ifndef FORKCAST_PLOTS_SWEEP_H
#define FORKCAST_PLOTS_SWEEP_H

#include "model/evaluate.h"
#include "model/scenario.h"

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdio.h>

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

/* The finite-output guard of a grid: every cell's wall and cost finite and
 * >= 0, speedup and cost ratio finite, a positive cost where the rate and
 * the work (frames x per-frame) are positive. BASE_ERUNTIME naming the
 * point and the quantity (a bug). plot_sweep_run() runs it before it
 * returns a grid. */
int plot_sweep_check(const model_scenario *s, const plot_sweep *sw, char *err, size_t errsz);

/* Log-spaced values lo..hi (n >= 1; n == 1 gives lo); with `integer`,
 * rounded and deduplicated. Returns how many were written (<= n). */
int plot_logspace(double lo, double hi, int n, int integer, double *out);

int plot_sweep_run(const model_scenario *s, const plot_sweep_spec *spec, plot_sweep **out, char *err,
                   size_t errsz);
void plot_sweep_free(plot_sweep *sw);

/* CSV of a sweep: one row per (frames, per-frame, GPU count):
 * frames,per_frame_s,gpus,wall_mean_s,cost_mean_usd,speedup,cost_ratio,beneficial,best_gpus */
int plot_sweep_csv(const plot_sweep *sw, FILE *f);

/* `forkcast sweep --json`: {"scenario","method":"model","gpus":[...],
 * "min_speedup","max_cost_increase","points":[{"frames","per_frame_s",
 * "best_gpus","results":[{"gpus","wall_s","cost_usd","speedup",
 * "cost_ratio","beneficial"}]}]}; s is the scenario sw was run on. */
cJSON *plot_sweep_json(const model_scenario *s, const plot_sweep *sw);

#endif

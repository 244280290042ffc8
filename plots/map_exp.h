/* plots/map_exp.h -- internal to plots/: what the decision map marks and
 * where charts write their words (chart_model.c, chart_plan.c).
 *
 * Experiments. plot_exp_load() reads every DIR/data/experiments/ *.json (the
 * files `forkcast calibrate fit` reads, docs/calibrate.md; DIR is
 * plot_data_dir()'s), in name order, and takes from each what was measured:
 * the job (known job.frames, stage.per_frame_s), the platform's warm pool
 * (known platform.min_containers) and, per observed GPU count k > 1, the
 * speedup against 1 GPU (the observation's "speedup", else wall_s at 1 GPU /
 * wall_s at k) and the cost ratio ("cost_ratio", else cost_usd at k /
 * cost_usd at 1; NAN when neither is there). The headline is the k with the
 * largest measured speedup. Nothing here is a model output: the map labels
 * these "measured", on the experiment's own platform, and what the model
 * says at the same point on the map's platform a projection.
 *
 * Labels. plot_label_place() puts text boxes beside their markers on a
 * plot area (the map's log-log one, pareto's) without crossing the lines
 * and points it is given (the break-even line; the front, the candidates),
 * another box or a marker, inside the plot area: candidate positions right,
 * left, below, above and the four corners at growing distances, the first
 * free one, else the one with the least overlap. Box sizes come from the
 * character count at the chart's label font (PLOT_LABEL_CHAR_PX per
 * character, PLOT_LABEL_LINE_PX per line); map.gp draws with those fonts.
 *
 * Cost: one JSON parse per file; placement O(labels x candidates x (segments
 * + labels)). Errors: BASE_EINPUT naming the file and field for an
 * experiments file that cannot be read or lacks what the map needs;
 * BASE_ERUNTIME out of memory. No files at all is not an error (n = 0).
 */
#ifndef FORKCAST_PLOTS_MAP_EXP_H
#define FORKCAST_PLOTS_MAP_EXP_H

#include <stddef.h>

#define PLOT_EXP_MAX 16

typedef struct {
    char tag[32];            /* the name's first word: "T50" */
    char file[512];          /* as found, for messages */
    double frames, per_frame; /* the job */
    int min_containers;      /* warm pool of its platform; -1 when not known */
    int gpus;                /* the headline: the measured k with the largest speedup */
    double speedup, cost_ratio; /* measured at gpus against 1 GPU; cost_ratio NAN if not measured */
} plot_exp;

int plot_exp_load(const char *dir, plot_exp *out, int max, int *n, char *err, size_t errsz);

/* "T50 measured: 3.56x on 4 warm GPUs (cost 1.00x)": "warm" when the warm
 * pool holds all k containers, "cold" when it is 0, else "(m warm)". */
void plot_exp_label(const plot_exp *e, char *buf, size_t n);

/* ---- label placement ------------------------------------------------------ */

/* gnuplot's boxed labels at font ',11' of Sans on the 1200 x 800 canvas,
 * textbox margins 2, 2 (measured on pngcairo): a character is about 7.1 px
 * (7.6 allowed), a line 17 px; the box reaches 7 px left of the anchor, 4 px
 * above and below the text; the anchor is the middle of the first line. */
#define PLOT_LABEL_CHAR_PX 7.6
#define PLOT_LABEL_LINE_PX 17.0
#define PLOT_LABEL_PAD_X_PX 7.0
#define PLOT_LABEL_PAD_Y_PX 4.0

typedef struct {
    double l, r, b, t;                 /* plot area on the canvas, px (y up) */
    double xlo, xhi, ylo, yhi;         /* data range */
    int linx, liny;                    /* 1: that axis is linear (else logarithmic) */
} plot_frame;

typedef struct {
    double x, y;                       /* the marker (data) */
    int chars, lines;                  /* the text's widest line and line count */
    /* out: the text's anchor for gnuplot's "left" labels (data: the start of
     * the text, the middle of its first line), and the box (px) */
    double ax, ay;
    double x0, x1, y0, y1;
    double lx, ly;                     /* the box's point nearest the marker (data), for a
                                        * leader line; NAN when the box is beside it */
    int placed;                        /* 0: marker outside the plot area, not drawn */
} plot_label;

/* Place labels in order (each avoids the ones before); obstacles: np
 * points (data) joined by segments, a NAN point breaking the line (a point
 * alone between breaks is a point obstacle); markers: the labels' own
 * points. */
void plot_label_place(const plot_frame *f, const double *px, const double *py, int np, plot_label *lab, int n);

#endif

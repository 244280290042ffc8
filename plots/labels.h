/* plots/labels.h -- internal to plots/: where a chart writes its words.
 *
 * plot_label_place() puts text boxes beside their markers on a plot area
 * (the map's log-log one, pareto's) without touching the lines and points
 * it is given (the break-even line; the front, the candidates), another box
 * or a marker, inside the plot area. Candidates (labels.c) are tried
 * nearest first; the first free one wins, else the one with the least
 * overlap; a box placed away from its marker gets a leader line's end. Box
 * sizes come from the character count at the chart's label font; the
 * scripts draw with that font and those textbox margins.
 *
 * Cost: O(labels x 143 candidates x (segments + labels)). No allocation
 * failure is fatal: without memory the lines are not avoided.
 */
#ifndef FORKCAST_PLOTS_LABELS_H
#define FORKCAST_PLOTS_LABELS_H

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

/* plots/labels.c -- label placement on a chart's plot area. See labels.h. */
#include "plots/labels.h"

#include <math.h>
#include <stdlib.h>

static double to_px(double v, double lo, double hi, double p0, double p1, int lin)
{
    if (lin)
        return p0 + (v - lo) / (hi - lo) * (p1 - p0);
    return p0 + (log(v) - log(lo)) / (log(hi) - log(lo)) * (p1 - p0);
}

static double from_px(double p, double lo, double hi, double p0, double p1, int lin)
{
    if (lin)
        return lo + (p - p0) / (p1 - p0) * (hi - lo);
    return exp(log(lo) + (p - p0) / (p1 - p0) * (log(hi) - log(lo)));
}

#define PX(f, v) to_px(v, (f)->xlo, (f)->xhi, (f)->l, (f)->r, (f)->linx)
#define PY(f, v) to_px(v, (f)->ylo, (f)->yhi, (f)->b, (f)->t, (f)->liny)
#define DX(f, p) from_px(p, (f)->xlo, (f)->xhi, (f)->l, (f)->r, (f)->linx)
#define DY(f, p) from_px(p, (f)->ylo, (f)->yhi, (f)->b, (f)->t, (f)->liny)

/* Does the segment (ax, ay)-(bx, by) meet the box? Liang-Barsky clipping. */
static int seg_hits(double ax, double ay, double bx, double by, double x0, double x1, double y0, double y1)
{
    double t0 = 0, t1 = 1, dx = bx - ax, dy = by - ay;
    double p[4] = {-dx, dx, -dy, dy}, q[4] = {ax - x0, x1 - ax, ay - y0, y1 - ay};
    for (int i = 0; i < 4; i++) {
        if (p[i] == 0) {
            if (q[i] < 0)
                return 0;
            continue;
        }
        double r = q[i] / p[i];
        if (p[i] < 0)
            t0 = fmax(t0, r);
        else
            t1 = fmin(t1, r);
        if (t0 > t1)
            return 0;
    }
    return 1;
}

/* Do the segments a-b and c-d cross (proper or touching)? */
static int seg_cross(double ax, double ay, double bx, double by, double cx, double cy, double dx, double dy)
{
    double d1 = (dx - cx) * (ay - cy) - (dy - cy) * (ax - cx), d2 = (dx - cx) * (by - cy) - (dy - cy) * (bx - cx);
    double d3 = (bx - ax) * (cy - ay) - (by - ay) * (cx - ax), d4 = (bx - ax) * (dy - ay) - (by - ay) * (dx - ax);
    return d1 * d2 <= 0 && d3 * d4 <= 0;
}

static double overlap(double a0, double a1, double b0, double b1)
{
    return fmax(0, fmin(a1, b1) - fmax(a0, b0));
}

#define MARKER_R_PX 13.0

/* What a box at x0..x1, y0..y1 collides with: 1000 per px outside the plot
 * area's inner edge, 100 per segment or point obstacle within 3 px, the
 * overlapping area with the boxes before it and with the markers. 0 is a
 * free place. */
static double box_cost(const plot_frame *f, const double *sx, const double *sy, int np, const plot_label *lab,
                       int i, int n, double x0, double x1, double y0, double y1)
{
    double c = 0, in = 3;
    c += 1000 * (fmax(0, f->l + in - x0) + fmax(0, x1 - (f->r - in)) + fmax(0, f->b + in - y0) + fmax(0, y1 - (f->t - in)));
    for (int s = 0; s < np; s++) {
        if (isnan(sx[s]) || isnan(sy[s]))
            continue;
        int alone = (s == 0 || isnan(sx[s - 1])) && (s + 1 == np || isnan(sx[s + 1]));
        if (alone) /* a point obstacle */
            c += 100 * seg_hits(sx[s], sy[s], sx[s], sy[s], x0 - 4, x1 + 4, y0 - 4, y1 + 4);
        else if (s + 1 < np && !isnan(sx[s + 1]) && !isnan(sy[s + 1])) /* 3 px clear of the box */
            c += 100 * seg_hits(sx[s], sy[s], sx[s + 1], sy[s + 1], x0 - 3, x1 + 3, y0 - 3, y1 + 3);
    }
    for (int j = 0; j < n; j++) {
        if (!lab[j].placed)
            continue;
        double mx = PX(f, lab[j].x), my = PY(f, lab[j].y);
        c += overlap(x0, x1, mx - MARKER_R_PX, mx + MARKER_R_PX) * overlap(y0, y1, my - MARKER_R_PX, my + MARKER_R_PX);
        if (j < i)
            c += overlap(x0, x1, lab[j].x0 - 4, lab[j].x1 + 4) * overlap(y0, y1, lab[j].y0 - 4, lab[j].y1 + 4);
    }
    return c;
}

void plot_label_place(const plot_frame *f, const double *px, const double *py, int np, plot_label *lab, int n)
{
    double *sx = malloc((size_t)(np > 0 ? np : 1) * sizeof *sx), *sy = malloc((size_t)(np > 0 ? np : 1) * sizeof *sy);
    if (!sx || !sy)
        np = 0; /* placement without the line: still inside the plot and apart */
    for (int s = 0; s < np; s++) {
        sx[s] = isnan(px[s]) || isnan(py[s]) ? NAN : PX(f, px[s]);
        sy[s] = isnan(px[s]) || isnan(py[s]) ? NAN : PY(f, py[s]);
    }
    for (int i = 0; i < n; i++)
        lab[i].placed = lab[i].x >= f->xlo && lab[i].x <= f->xhi && lab[i].y >= f->ylo && lab[i].y <= f->yhi;
    for (int i = 0; i < n; i++) {
        plot_label *L = &lab[i];
        if (!L->placed)
            continue;
        double mx = PX(f, L->x), my = PY(f, L->y);
        double w = L->chars * PLOT_LABEL_CHAR_PX + 2 * PLOT_LABEL_PAD_X_PX;
        double h = L->lines * PLOT_LABEL_LINE_PX + 2 * PLOT_LABEL_PAD_Y_PX;
        /* Candidates: the box right or left of the marker (its near edge
         * 14..224 px away), centred on it, or starting or ending at it,
         * each at vertical offsets 0 or +-(14..224 px + half the box),
         * moved inside the plot area. The nearest free one wins: free
         * (box_cost 0, and no other marker within 30 px of the box and as
         * near as its own) first, then the distance to the marker plus 50 px per line
         * its leader would cross and 200 per marker it would pass. */
        double xs[13], ys[11], best = INFINITY;
        int na = 0, nb = 0;
        for (double g = 14; g <= 224; g *= 2) {
            xs[na++] = mx + g + w / 2;
            xs[na++] = mx - g - w / 2;
        }
        xs[na++] = mx;
        xs[na++] = mx - MARKER_R_PX + w / 2;
        xs[na++] = mx + MARKER_R_PX - w / 2;
        ys[nb++] = my;
        for (double g = 14; g <= 224; g *= 2) {
            ys[nb++] = my - g - h / 2;
            ys[nb++] = my + g + h / 2;
        }
        for (int a = 0; a < na; a++)
            for (int b = 0; b < nb; b++) {
                double cx = fmin(fmax(xs[a], f->l + 4 + w / 2), f->r - 4 - w / 2);
                double cy = fmin(fmax(ys[b], f->b + 4 + h / 2), f->t - 4 - h / 2);
                double x0 = cx - w / 2, x1 = cx + w / 2, y0 = cy - h / 2, y1 = cy + h / 2;
                double c = box_cost(f, sx, sy, np, lab, i, n, x0, x1, y0, y1);
                double px = fmin(fmax(mx, x0), x1), py = fmin(fmax(my, y0), y1), d = hypot(px - mx, py - my);
                for (int j = 0; j < n; j++) { /* beside another marker, as near as its own: read as that one's */
                    if (j == i || !lab[j].placed)
                        continue;
                    double ox = PX(f, lab[j].x), oy = PY(f, lab[j].y);
                    double dj = hypot(fmin(fmax(ox, x0), x1) - ox, fmin(fmax(oy, y0), y1) - oy);
                    if (dj < 30 && dj < d + 8)
                        c += 50;
                }
                if (d > 20) {
                    for (int s = 0; s + 1 < np; s++)
                        if (!isnan(sx[s]) && !isnan(sx[s + 1]))
                            d += 50 * seg_cross(mx, my, px, py, sx[s], sy[s], sx[s + 1], sy[s + 1]);
                    for (int j = 0; j < n; j++) /* a leader through another marker */
                        if (j != i && lab[j].placed &&
                            seg_hits(mx, my, px, py, PX(f, lab[j].x) - MARKER_R_PX, PX(f, lab[j].x) + MARKER_R_PX,
                                     PY(f, lab[j].y) - MARKER_R_PX, PY(f, lab[j].y) + MARKER_R_PX))
                            d += 200;
                }
                double score = (c > 0 ? 1e9 + c * 1e3 : 0) + d;
                if (score < best) {
                    best = score;
                    L->x0 = x0;
                    L->x1 = x1;
                    L->y0 = y0;
                    L->y1 = y1;
                }
            }
        L->ax = DX(f, L->x0 + PLOT_LABEL_PAD_X_PX);
        L->ay = DY(f, L->y1 - PLOT_LABEL_PAD_Y_PX - PLOT_LABEL_LINE_PX / 2);
        double nx = fmin(fmax(mx, L->x0), L->x1), ny = fmin(fmax(my, L->y0), L->y1);
        L->lx = L->ly = NAN;
        if (hypot(nx - mx, ny - my) > 20) {
            L->lx = DX(f, nx);
            L->ly = DY(f, ny);
        }
    }
    free(sx);
    free(sy);
}
